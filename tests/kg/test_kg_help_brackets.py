"""Regression: `kg build-geonames --help` and `kg import-webnlg --help` said "its label map's
table" for "its label map's [geonames] table" ([dbpedia]): Typer's Rich help read the table's
name as a markup tag and dropped it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app


@pytest.mark.parametrize(("command", "table"), [("build-geonames", "[geonames]"), ("import-webnlg", "[dbpedia]")])
def test_the_label_maps_table_is_named_in_the_help(command: str, table: str) -> None:
    r = CliRunner().invoke(app, ["kg", command, "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.replace("│", " ").split())
    assert f"label map's {table} table" in text, text
