"""`kgagent validate`: a file of claims checked against the graph and the rules, from a terminal;
every bad line named by file, line and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app

CLAIMS = ("# head, predicate, tail, confidence\n"
          "Boston\tlocated_in\tMassachusetts\n"
          "\n"
          "Massachusetts\tlocated_in\tBoston\t0.9\n"
          "Richard Parsons\twork_for\tTime Warner\n")


def run(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin)


def test_claims_get_verdicts_reasons_and_proofs(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "claims.tsv"
    f.write_text(CLAIMS)
    out = tmp_path / "checked" / "claims.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--out", out, "--explain")
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["line"], x["claim"], x["verdict"]) for x in rows] == [
        (2, ["Boston", "located_in", "Massachusetts"], "accept"),
        (4, ["Massachusetts", "located_in", "Boston"], "reject"),
        (5, ["Richard Parsons", "work_for", "Time Warner"], "review")]
    assert rows[1]["claim_score"] == 0.9 and rows[0]["claim_score"] is None
    assert rows[2]["reason"] == "the graph does not confirm this claim" and rows[0]["proof"]["premises"]
    assert "1 accepted, 1 rejected, 1 to review" in r.output
    # --explain: each proof in words, the claim's relation stated by the claim, not the encoder
    assert r.output.count("why:") == 3 and "the claim states located_in('Boston', 'Massachusetts')" in r.output


def test_claims_as_json_lines_and_from_stdin(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "claims.jsonl"
    f.write_text('{"head": "Boston", "predicate": "located_in", "tail": "Massachusetts", "score": 0.8}\n'
                 '["Massachusetts", "located_in", "Boston"]\n')
    out = tmp_path / "out.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--out", out)
    assert r.exit_code == 0, r.output
    assert [(x["line"], x["verdict"]) for x in map(json.loads, out.read_text().splitlines())] == [
        (1, "accept"), (2, "reject")]
    r = run("validate", "-", "--graph", graph_dir, "--out", out, stdin="Boston\tlocated_in\tMassachusetts\n")
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["verdict"] == "accept"


@pytest.mark.parametrize("name, content, where, words", [
    ("c.tsv", "Boston\tlocated_in\n", ":1:", "KGA411 expected head, predicate and tail"),
    ("c.tsv", "# ok\nBoston\tlocated_in\tTexas\tsure\n", ":2:", "KGA411 the score 'sure' is not a number"),
    ("c.tsv", "Boston\tlocated_in\tTexas\t1.5\n", ":1:", "KGA411 a claim's score must lie in [0, 1]"),
    ("c.tsv", "Boston\tlocated_in\t \n", ":1:", "KGA411 a claim needs non-empty head and tail"),
    ("c.jsonl", '{"head": "Boston", "predicate": "located_in"}\n', ":1:", "KGA411 a claim needs head, predicate and "
                                                                         "tail; missing 'tail'"),
    ("c.jsonl", '\n{"head": "Boston",\n', ":2:19:", "KGA404 malformed JSON"),
    ("c.jsonl", '"Boston located_in Texas"\n', ":1:", "KGA411 a claim is an object"),
    ("c.tsv", "", "c.tsv:", "KGA403 empty file: no claims in it"),
    # comments and a header row alone said "0 claims" and exit 0, as if all were checked
    ("c.tsv", "# head\tpredicate\ttail\n\nhead\tpredicate\ttail\n", "c.tsv:", "KGA403 no claims in it, only "
                                                                            "comments, blank lines or a header row"),
    ("c.tsv", b"Boston\x00\tlocated_in\tTexas\n", "c.tsv:", "KGA402 binary file"),
    ("c.tsv", b"Bost\xe9n\tlocated_in\tTexas\n", ":1:5:", "KGA401 not UTF-8 text"),
])
def test_a_bad_claims_file_is_named_by_file_and_line(fake_cli, graph_dir: Path, tmp_path: Path, name: str,
                                                      content: str | bytes, where: str, words: str) -> None:
    f = tmp_path / name
    f.write_bytes(content if isinstance(content, bytes) else content.encode())
    r = run("validate", f, "--graph", graph_dir)
    assert r.exit_code == 1
    line = r.output.strip().splitlines()[-1]
    assert line.startswith(f"error: {f}") and where in line and words in line, line
    assert "Traceback" not in r.output


def test_no_such_file_of_claims_is_a_usage_error(tmp_path: Path) -> None:
    r = run("validate", tmp_path / "none.tsv")
    assert r.exit_code == 2 and "KGA407 no such file of claims" in r.output


def test_claims_checked_against_what_an_extraction_accepted_too(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """--with OUT: the extraction's accepted facts join the graph in memory (nothing saved), so a
    claim the corpus stated is confirmed; without it the graph cannot tell."""
    corpus = tmp_path / "news.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n")
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "--quiet").exit_code == 0
    claims = tmp_path / "claims.tsv"
    claims.write_text("Richard Parsons\twork_for\tTime Warner\nBoston\tlocated_in\tMassachusetts\n")
    graph_before = sorted(p.read_bytes() for p in graph_dir.rglob("*") if p.is_file())
    checked = tmp_path / "checked.jsonl"
    r = run("validate", claims, "--graph", graph_dir, "--with", out, "--out", checked)
    assert r.exit_code == 0, r.output
    assert [json.loads(x)["verdict"] for x in checked.read_text().splitlines()] == ["accept", "accept"]
    assert "with " in r.output and "entities" in r.output
    assert sorted(p.read_bytes() for p in graph_dir.rglob("*") if p.is_file()) == graph_before  # nothing saved
    r = run("validate", claims, "--graph", graph_dir, "--out", checked)
    assert [json.loads(x)["verdict"] for x in checked.read_text().splitlines()] == ["review", "accept"]
    r = run("validate", claims, "--graph", graph_dir, "--with", tmp_path / "none")
    assert r.exit_code == 2 and "KGA409" in r.output


def test_decisions_to_stdout_and_a_short_table(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """--out -: the decisions as JSON Lines on stdout (for a pipe), the table on stderr; --show N:
    the table lists the first N claims, the counts all of them."""
    f = tmp_path / "claims.tsv"
    f.write_text(CLAIMS)
    r = CliRunner().invoke(app, ["validate", str(f), "--graph", str(graph_dir), "--out", "-", "--show", "1"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert [x["verdict"] for x in rows] == ["accept", "reject", "review"]
    assert "3 claims: 1 accepted, 1 rejected, 1 to review" in r.stderr and "(the first 1)" in r.stderr
    assert "3 claims" not in r.stdout


def test_a_bad_line_stops_the_run_before_anything_is_written(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "claims.tsv"
    f.write_text(CLAIMS + "Boston\tlocated_in\n")
    out = tmp_path / "out.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--out", out)
    assert r.exit_code == 1 and f"{f}:6:" in r.output and "KGA411" in r.output
    assert not out.exists()


def test_rules_with_errors_are_named_and_nothing_is_checked(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "claims.tsv"
    f.write_text(CLAIMS)
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "ok.rules").write_text('reject(R, "a test") :- relation(R, nobody, _, _).\n')
    (rules / "broken.rules").write_text("accept(R) :- relation(R, _, _, _\n")
    out = tmp_path / "out.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--rules", rules, "--out", out)
    assert r.exit_code == 1 and "broken.rules:1:" in r.output and "Traceback" not in r.output
    last = r.output.strip().splitlines()[-1]
    assert last.endswith("broken.rules: 1; fix them before validating") and "ok.rules" not in last, last
    assert not out.exists()


def test_claims_from_a_fifo_with_lone_cr_line_breaks(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """A FIFO (``<(...)``) of claims whose lines a lone CR ends: each claim on its own line (before:
    KGA550 "File or stream is not seekable"; a file with lone CRs read as one line of 5 parts)."""
    import os
    import threading

    fifo = tmp_path / "claims.tsv"
    os.mkfifo(fifo)
    out = tmp_path / "out.jsonl"
    writer = threading.Thread(target=lambda: fifo.write_bytes(
        b"Boston\tlocated_in\tMassachusetts\rMassachusetts\tlocated_in\tBoston\r"))
    writer.start()
    try:
        r = run("validate", fifo, "--graph", graph_dir, "--out", out)
    finally:
        writer.join(5)
    assert r.exit_code == 0, r.output
    assert [(x["line"], x["verdict"]) for x in map(json.loads, out.read_text().splitlines())] == [
        (1, "accept"), (2, "reject")]


def test_out_that_is_the_claims_file_is_refused(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """Before: `validate claims.tsv --out claims.tsv` (or --out a link to it) emptied the claims
    file, then said 'KGA403 empty file: no claims in it': the claims were lost."""
    f = tmp_path / "claims.tsv"
    f.write_text(CLAIMS)
    link = tmp_path / "link.tsv"
    link.symlink_to(f)
    for out in (f, link):
        r = run("validate", f, "--graph", graph_dir, "--out", out)
        assert r.exit_code == 2, r.output
        assert r.output.strip().splitlines()[-1] == (
            f"error: KGA510 --out {out} is the claims file itself: writing would empty it before it is read; "
            "give another --out")
        assert f.read_text() == CLAIMS


@pytest.mark.parametrize("command", ["extract", "validate"])
def test_a_rules_directory_without_rules_is_one_line(fake_cli, graph_dir: Path, tmp_path: Path, command) -> None:
    """Before: `--rules EMPTY_DIR` ended in a traceback (kgagent.errors.RuleError: KGA107)."""
    f = tmp_path / "input.txt"
    f.write_text(CLAIMS if command == "validate" else "Boston lies in Massachusetts.\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    extra = ["--out", tmp_path / "out"] if command == "extract" else []
    r = run(command, f, "--graph", graph_dir, "--rules", empty, *extra)
    assert r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == f"error: {empty}: KGA107 no *.rules files in this directory"


@pytest.mark.parametrize("header", ["head\tpredicate\ttail", "Head\tPredicate\tTail\tScore"])
def test_a_header_row_is_no_claim(fake_cli, graph_dir: Path, tmp_path: Path, header: str) -> None:
    """Before: a TSV's header row was checked as the claim predicate('head', 'tail') and counted
    (rejected: no such relation); with a score column it stopped the run ('the score is not a
    number')."""
    f = tmp_path / "claims.tsv"
    f.write_text(header + "\nBoston\tlocated_in\tMassachusetts\t0.9\n")
    out = tmp_path / "out.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--out", out)
    assert r.exit_code == 0, r.output
    assert [(x["line"], x["verdict"]) for x in map(json.loads, out.read_text().splitlines())] == [(2, "accept")]
    assert "1 claim: 1 accepted" in r.output


def test_an_empty_score_column_is_no_score(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """A spreadsheet's export writes the empty score column as a trailing tab (before: 'KGA411 the
    score '' is not a number', and the run stopped)."""
    f = tmp_path / "claims.tsv"
    f.write_text("Boston\tlocated_in\tMassachusetts\t\nMassachusetts\tlocated_in\tBoston\t0.9\n")
    out = tmp_path / "out.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--out", out)
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["line"], x["verdict"], x["claim_score"]) for x in rows] == [(1, "accept", None), (2, "reject", 0.9)]


def test_json_claims_on_stdin_are_told_where_json_is_read(fake_cli, graph_dir: Path) -> None:
    """Before: `cat claims.jsonl | kgagent validate -` said only 'expected head, predicate and tail
    ... separated by tabs; found 1 part'."""
    r = run("validate", "-", "--graph", graph_dir,
            stdin='{"head": "Boston", "predicate": "located_in", "tail": "Massachusetts"}\n')
    assert r.exit_code == 1, r.output
    assert r.output.strip().splitlines()[-1] == (
        "error: <stdin>:1: KGA411 expected head, predicate and tail (and optionally a score) separated by tabs; "
        "found 1 part; JSON claims are read from a .json/.jsonl file (a tab-separated file and - are read as "
        "tab-separated)")


def test_the_same_claim_on_two_lines_gets_two_decisions(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """Before: a claim written on two lines of the file gave two rows of one decision id in --out
    (the second shadowed the first: `kgagent explain ID --out FILE` said 'several match', and the
    file held fewer decision ids than claims). Each line is its own decision now, its line in the
    id, and a rerun gives the same ids."""
    f = tmp_path / "claims.tsv"
    f.write_text("Boston\tlocated_in\tMassachusetts\nMassachusetts\tlocated_in\tBoston\n"
                 "Boston\tlocated_in\tMassachusetts\n")
    out = tmp_path / "out.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--out", out)
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["line"], x["verdict"]) for x in rows] == [(1, "accept"), (2, "reject"), (3, "accept")]
    ids = [x["id"] for x in rows]
    assert len(set(ids)) == 3, ids
    assert rows[0]["subject"] == rows[2]["subject"]  # one relation to the rules: one verdict
    r = run("validate", f, "--graph", graph_dir, "--out", out)
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ids  # the same ids on a rerun
    r = run("explain", ids[2], "--out", out)
    assert r.exit_code == 0 and "several" not in r.output, r.output
