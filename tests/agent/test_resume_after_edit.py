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


INDENTED = ("  Richard Parsons works for Time Warner.\n\n"
            "\tCor van der Klugt heads Philips.\n\n"
            "Boston lies in Massachusetts.\n")


def test_a_corpus_whose_documents_begin_with_white_space_resumes(fake_cli, graph_dir, tmp_path: Path) -> None:
    """A document's leading spaces or tab are part of its text (spans index it); a re-run over
    the same OUT finds every document finished and writes nothing again."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(INDENTED)
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    before = {n: (out / n).read_bytes() for n in (*OUTPUTS, "progress.jsonl")}
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0, r.output
    assert {n: (out / n).read_bytes() for n in (*OUTPUTS, "progress.jsonl")} == before


def test_an_out_written_when_leading_white_space_was_dropped_says_to_overwrite(fake_cli, graph_dir,
                                                                              tmp_path: Path) -> None:
    """Before commit f7251f1 a document's text was strip()ped, and progress.jsonl recorded the hash
    of that text: resuming such an OUT on the same corpus said 'KGA413 document ... changed since
    OUT was written', though nobody had changed it. It cannot be resumed (its spans count from the
    first non-blank character), but the error now says why, where, and what to do."""
    from kgagent.ids import text_hash

    corpus = tmp_path / "corpus.txt"
    corpus.write_text(INDENTED)
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    texts = {"corpus#1": "  Richard Parsons works for Time Warner.", "corpus#2": "\tCor van der Klugt heads Philips."}
    lines = [json.loads(x) for x in (out / "progress.jsonl").read_text().splitlines()]
    for line in lines:  # the old run's records: the hash of the stripped text
        if line["doc"] in texts:
            assert line["hash"] == text_hash(texts[line["doc"]])
            line["hash"] = text_hash(texts[line["doc"]].strip())
    (out / "progress.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1, r.output
    assert r.output.strip().splitlines()[-1] == (
        f"error: {corpus}:1: KGA490 document 'corpus#1' begins or ends with white space, which {out} does not "
        "hold: it was written by an older kgagent that dropped it (or the white space was added since), so its "
        "decisions' spans count from another character than this text's; rerun with --overwrite to extract the "
        "corpus again (or give another --out)")
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q", "--overwrite")
    assert r.exit_code == 0, r.output
    assert [json.loads(x)["hash"] for x in (out / "progress.jsonl").read_text().splitlines()][:2] == [
        text_hash(texts["corpus#1"]), text_hash(texts["corpus#2"])]


def test_a_document_edited_since_is_kga413_at_its_file_and_line(finished, graph_dir) -> None:
    corpus, out = finished
    corpus.write_text(CORPUS.replace("heads Philips", "leads Philips"))
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1, r.output
    assert r.output.strip().splitlines()[-1] == (
        f"error: {corpus}:3: KGA413 document 'corpus#2' changed since {out} was written; use another --out or "
        "--overwrite")
