"""A write that fails mid-run (a full disk) or Ctrl-C: one line saying OUT resumes, and it does."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import kgagent.output as output
from support.cli import run

CORPUS = ("Richard Parsons works for Time Warner.\n\nCor van der Klugt heads Philips.\n\n"
          "Boston lies in Massachusetts.\n\nTexas is big.\n")
OUTPUTS = ("decisions.jsonl", "graph.nq", "feedback.jsonl")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    p = tmp_path / "corpus.txt"
    p.write_text(CORPUS)
    return p


@pytest.fixture
def clean(fake_cli, corpus, graph_dir, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    return {n: (out / n).read_bytes() for n in OUTPUTS}


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_a_full_disk_mid_write_is_one_line_and_the_rerun_resumes(clean, corpus, graph_dir, tmp_path, monkeypatch,
                                                                fail_at) -> None:
    """Before: 'KGA550 No space left on device: OUT/graph.nq', nothing on what was kept or what to do."""
    real = output.fsync_append
    calls = {"n": 0}

    def full(path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == fail_at:  # half the bytes reach the disk, then it is full
            with open(path, "ab") as fh:
                fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(output, "fsync_append", full)
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 2, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("error: KGA513 cannot write ") and "No space left on device" in last, last
    assert last.endswith(f"the documents finished before are kept in {out}: free some space and run the same "
                         "command again to resume"), last
    monkeypatch.setattr(output, "fsync_append", real)
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0, r.output
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == clean


def test_ctrl_c_mid_run_says_the_rerun_resumes_and_it_does(clean, corpus, graph_dir, tmp_path, monkeypatch) -> None:
    """Before: 'error: interrupted' and nothing on what was kept in OUT."""
    from kgagent.agent import Agent

    real = Agent.iter_extract

    def interrupted(self, docs, **kw):
        for i, result in enumerate(real(self, docs, **kw)):
            if i == 2:
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(Agent, "iter_extract", interrupted)
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 130, r.output
    assert r.output.strip().splitlines()[-1] == (f"error: interrupted; the 2 documents finished are kept in {out}: "
                                                 "run the same command again to resume")
    monkeypatch.setattr(Agent, "iter_extract", real)
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0 and "2 processed now, 2 already done" in r.output, r.output
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == clean
