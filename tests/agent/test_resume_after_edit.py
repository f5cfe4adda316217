"""A resumed extraction never cuts an output that was changed after the run wrote it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app

CORPUS = ("Richard Parsons works for Time Warner. He was seen in Boston.\n\n"
          "Cor van der Klugt heads Philips.\n\n"
          "Boston lies in Massachusetts.\n")
OUTPUTS = ("decisions.jsonl", "graph.nq", "feedback.jsonl")


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def finished(fake_cli, graph_dir, tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS)
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0, r.output
    return corpus, out


@pytest.mark.parametrize("name", OUTPUTS)
def test_an_output_rewritten_after_the_run_is_kga511_and_left_whole(finished, graph_dir, name) -> None:
    """kgagent kg resolve rewrites OUT/graph.nq (longer: the merges' records); extract over the same
    OUT then cut it back to the size progress.jsonl recorded, mid-line, and exited 0: the graph no
    longer parsed (KGA201 at line 1981 on examples/corpus.txt)."""
    corpus, out = finished
    path = out / name
    edited = path.read_bytes().replace(b"a", b"b", 1) + b"# a line the run did not write\n"
    path.write_bytes(edited)
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1, r.output
    assert (f"{path} changed since its last finished document was written (kgagent kg resolve and kg remove-doc "
            "rewrite an extraction's graph.nq): resuming would cut it") in r.output
    assert path.read_bytes() == edited  # nothing cut
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q", "--overwrite")
    assert r.exit_code == 0, r.output


def test_an_edit_of_the_same_size_is_caught_too(finished, graph_dir) -> None:
    corpus, out = finished
    data = (out / "decisions.jsonl").read_bytes()
    (out / "decisions.jsonl").write_bytes(data.replace(b'"accept"', b'"reject"', 1))
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1 and "decisions.jsonl changed since" in r.output, r.output


def test_a_half_written_commit_is_still_cut_and_the_digests_go_on(finished, graph_dir) -> None:
    """What an interrupted commit appended past the last progress line is still dropped; the run
    then goes on, and its progress lines record digests of the outputs as they are."""
    import hashlib

    corpus, out = finished
    want = {n: (out / n).read_bytes() for n in OUTPUTS}
    lines = (out / "progress.jsonl").read_text().splitlines(keepends=True)
    (out / "progress.jsonl").write_text("".join(lines[:1]))  # the last two documents are lost
    with open(out / "graph.nq", "ab") as fh:
        fh.write(b"<urn:half")
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0 and "1 already done" in r.output, r.output
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == want
    last = json.loads((out / "progress.jsonl").read_text().splitlines()[-1])
    assert last["digests"] == {n: hashlib.sha256(want[n]).hexdigest()[:16] for n in OUTPUTS}


def test_a_run_written_before_digests_resumes(finished, graph_dir) -> None:
    """progress.jsonl lines without digests (an older kgagent) resume as before."""
    corpus, out = finished
    lines = [json.loads(x) for x in (out / "progress.jsonl").read_text().splitlines()]
    for line in lines:
        line.pop("digests")
    (out / "progress.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines[:2]))
    want = (out / "graph.nq").read_bytes()
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0 and "2 already done" in r.output, r.output
    assert (out / "graph.nq").read_bytes() == want
