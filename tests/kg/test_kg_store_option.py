"""kg commands' --store: memory or oxigraph."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app

NT = '<urn:a> <urn:p> <urn:b> .\n'


@pytest.mark.parametrize("command", [["stats"], ["query", "ASK { ?s ?p ?o }"]])
def test_an_unknown_store_is_a_usage_error(command: list[str], tmp_path: Path) -> None:
    """--store foo exited 1 (as for a bad graph) instead of 2 (a bad option)."""
    (tmp_path / "graph.nt").write_text(NT)
    r = CliRunner().invoke(app, ["kg", *command, "--store", "foo", "--graph", str(tmp_path)])
    assert r.exit_code == 2 and "KGA202 unknown store 'foo'" in r.output, r.output
