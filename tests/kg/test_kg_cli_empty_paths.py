"""An empty path given to a ``kgagent kg`` command (``--graph "$GRAPH"`` with GRAPH unset), found by
fuzzing: Path("") is the working directory, so ``kg import X --graph ""`` and ``kg export ""``
wrote graph.nq.gz there, ``kg remove-doc``/``kg resolve`` would rewrite a graph found there, all
without a word. Now a usage error (exit 2) naming the option; nothing is read or written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app


@pytest.mark.parametrize(("args", "option"), [
    (["stats", "--graph", ""], "--graph"),
    (["query", "ASK {}", "--graph", " "], "--graph"),
    (["export", "", "--graph", "GRAPH"], "out"),
    (["export", "x.nq", "--graph", ""], "--graph"),
    (["import", "GRAPH", "--graph", "", "--no-align"], "--graph"),
    (["import", "GRAPH", "", "--graph", "g", "--no-align"], "files"),
    (["remove-doc", "d1", "--graph", ""], "--graph"),
    (["resolve", "--graph", ""], "--graph"),
    (["link", "Paris", "--graph", ""], "--graph"),
])
def test_an_empty_path_is_a_usage_error_and_nothing_is_written(tiny_dir: Path, tmp_path: Path, monkeypatch,
                                                               args: list[str], option: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "graph.ttl").write_bytes((tiny_dir / "graph.ttl").read_bytes())  # a graph "" would find
    monkeypatch.chdir(work)
    args = [str(tiny_dir / "graph.ttl") if a == "GRAPH" else a for a in args]
    r = CliRunner().invoke(app, ["kg", *args])
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert f"Invalid value for '{option}'" in r.output and "an empty path" in r.output, r.output
    assert sorted(p.name for p in work.iterdir()) == ["graph.ttl"]
