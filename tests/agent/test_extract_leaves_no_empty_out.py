"""`kgagent extract` that fails before it writes anything leaves no empty --out behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import run


@pytest.mark.parametrize("content, code", [(b"abc\x00def\n", "KGA402"), (b"Caf\xe9.\n", "KGA401"), (b"", "KGA403")])
def test_a_bad_corpus_makes_no_out_folder(fake_cli, graph_dir, tmp_path: Path, content: bytes, code: str) -> None:
    """Before: the corpus error was told, and an empty out/ (with its missing parents) was left."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(content)
    out = tmp_path / "runs" / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1 and code in r.output, r.output
    assert not (tmp_path / "runs").exists()


def test_an_existing_out_folder_is_kept(fake_cli, graph_dir, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1 and out.is_dir(), r.output


def test_a_run_that_wrote_keeps_its_out(fake_cli, graph_dir, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n")
    out = tmp_path / "runs" / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0 and (out / "decisions.jsonl").stat().st_size > 0, r.output
