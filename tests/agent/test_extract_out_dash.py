"""`kgagent extract --out -`: extract writes a folder of files, never standard output."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app


def test_out_dash_is_refused_not_made_a_folder(fake_cli, graph_dir, tmp_path: Path, monkeypatch) -> None:
    """Before: `--out -` made a folder called '-' in the working directory and wrote the run there."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["extract", str(corpus), "--out", "-", "--graph", str(graph_dir), "-q"])
    assert r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == (
        "error: KGA492 --out - : extract writes a folder of files (decisions.jsonl, graph.nq, feedback.jsonl, "
        "summary.json), not to standard output; give a folder, and read its decisions.jsonl")
    assert not os.path.exists(tmp_path / "-")
