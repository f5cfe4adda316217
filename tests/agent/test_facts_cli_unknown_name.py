"""Regression: `kgagent facts --head Xyzzy` said "the graph knows no such entity of the kind
asked" when no kind was asked (no predicate): only a predicate makes a name's kind."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app


def test_an_unknown_name_without_a_predicate_is_no_entity_of_any_kind(fake_cli, graph_dir: Path) -> None:
    r = CliRunner().invoke(app, ["facts", "--head", "Xyzzy Qwerty", "--graph", str(graph_dir)])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["head 'Xyzzy Qwerty': the graph knows no such entity", "no facts"]
    r = CliRunner().invoke(app, ["facts", "-p", "located_in", "--head", "Xyzzy Qwerty", "--graph", str(graph_dir)])
    assert "head 'Xyzzy Qwerty': the graph knows no such entity of the kind asked" in r.output
