"""Resuming in an OUT whose run.json is not what kgagent writes says what is wrong with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import run

CORPUS = "Richard Parsons works for Time Warner.\n\nCor van der Klugt heads Philips.\n"


@pytest.mark.parametrize("content, words", [
    ("{oops", "is not JSON (Expecting property name enclosed in double quotes, line 1 column 2)"),
    ("[1]", "holds a list, not an object with the run's \"fingerprint\""),
    ('{"outputs": []}', "has no \"fingerprint\" object"),
    (b"\xff\xfe{}", "is not UTF-8 text"),
])
def test_a_run_json_that_cannot_be_read_is_named(fake_cli, graph_dir, tmp_path: Path, content, words) -> None:
    """Before: 'KGA412 OUT holds a run made with other run.json', as if the run had other settings."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS)
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "run.json"}
    if isinstance(content, bytes):
        (out / "run.json").write_bytes(content)
    else:
        (out / "run.json").write_text(content)
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1, r.output
    assert f"KGA412 {out / 'run.json'} {words}" in r.output, r.output
    assert "use another --out, or --overwrite" in r.output and "made with other" not in r.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "run.json"} == before  # nothing cut
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q", "--overwrite")
    assert r.exit_code == 0, r.output
