"""explain over an OUT whose extraction was killed mid-write: the half line at the end is not read."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import run


def test_a_torn_last_line_is_passed_over(fake_cli, graph_dir, tmp_path: Path) -> None:
    """Before: 'KGA451 not a JSON line' at the half-written last line for any id not found before
    it, and for --verdict listings that reached it; a resumed extract cuts that line anyway."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n\nCor van der Klugt heads Philips.\n")
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    lines = (out / "decisions.jsonl").read_text().splitlines(keepends=True)
    last = json.loads(lines[-1])
    with (out / "decisions.jsonl").open("a") as fh:
        fh.write(lines[0][: len(lines[0]) // 2])  # what a kill in the middle of a commit leaves
    r = run("explain", "d:zzz", "--out", out)
    assert r.exit_code == 1 and "KGA415 no decision 'd:zzz'" in r.output, r.output
    r = run("explain", last["id"], "--out", out)
    assert r.exit_code == 0 and r.output.startswith(last["id"]), r.output
    r = run("explain", "--verdict", "accept", "--limit", "100", "--out", out)
    assert r.exit_code == 0, r.output
    n = sum(1 for x in lines if json.loads(x)["verdict"] == "accept")
    assert r.output.count("\nwhy:\n") + r.output.startswith("why:") == n


def test_a_bad_line_that_ends_is_still_named(fake_cli, graph_dir, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n")
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    with (out / "decisions.jsonl").open("a") as fh:
        fh.write('{"id": "d:1", oops\n')
    r = run("explain", "--verdict", "accept", "--limit", "100", "--out", out)
    assert r.exit_code == 1 and "KGA451 not a JSON line" in r.output, r.output
