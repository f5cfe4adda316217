"""A run killed while it replaced run.json or summary.json leaves a temp file; the next run removes it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app


def test_temp_files_a_killed_run_left_are_removed_on_resume(fake_cli, graph_dir, tmp_path: Path) -> None:
    """Before: .summary.json.tmp-PID-NS files (atomic writes a kill cut short) piled up in OUT."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n")
    out = tmp_path / "out"
    run = CliRunner().invoke
    args = ["extract", str(corpus), "--out", str(out), "--graph", str(graph_dir), "-q"]
    assert run(app, args).exit_code == 0
    left = [out / ".summary.json.tmp-4242-17", out / ".run.json.tmp-4242-18"]
    for p in left:
        p.write_text("{half")
    keep = out / ".notes.tmp"  # not a name kgagent writes
    keep.write_text("mine")
    r = run(app, args)
    assert r.exit_code == 0, r.output
    assert not any(p.exists() for p in left) and keep.read_text() == "mine"
