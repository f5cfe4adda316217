"""`kgagent extract` / `kgagent explain` / `kgagent rules test`: outputs, resume, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from support.agent_fakes import RULES
from kgagent_cli.main import app

CORPUS = ("Richard Parsons works for Time Warner. He was seen in Boston.\n\n"
          "Richard Parsons, the Time Warner chief from Boston, said so. Boston lies in Massachusetts.\n\n"
          "Massachusetts is not in Boston. Smith met Acme.\n\n"
          "Cor van der Klugt heads Philips.\n")


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    p = tmp_path / "corpus.txt"
    p.write_text(CORPUS)
    return p


def _read(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in ("decisions.jsonl", "graph.nq", "feedback.jsonl")}


def test_extract_writes_decisions_graph_feedback_and_summary(fake_cli, corpus, graph_dir, tmp_path) -> None:
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "--quiet")
    assert r.exit_code == 0, r.output
    decisions = [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]
    assert {d["verdict"] for d in decisions} == {"accept", "review", "reject"}
    assert {d["doc"] for d in decisions} == {"corpus#1", "corpus#2", "corpus#3", "corpus#4"}
    assert len({d["id"] for d in decisions}) == len(decisions)
    graph = (out / "graph.nq").read_text()
    assert "<https://w3id.org/kgagent/ont/work_for>" in graph and "https://w3id.org/kgagent/doc/corpus%231" in graph
    assert "https://w3id.org/kgagent/meta/decision" in graph
    fb = [json.loads(x) for x in (out / "feedback.jsonl").read_text().splitlines()]
    assert fb and all(set(x) == {"tokens", "entities", "relations", "negative_entities", "negative_relations", "meta"}
                      for x in fb)
    for word in ("accept", "review", "reject", "relations.rules", "encoder", "linking", "rules", "writing"):
        assert word in r.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 4 and summary["processed"] == 4
    # the encoder's labels by ontology name, for the review page's choices and the feedback's labels
    labels = json.loads((out / "run.json").read_text())["labels"]
    assert labels == {"entity": {"location": "Loc", "organization": "Org", "other": "Other", "person": "Peop"},
                      "relation": {"kill": "Kill", "live_in": "Live_In", "located_in": "Located_In",
                                   "orgbased_in": "OrgBased_In", "work_for": "Work_For"}}


def test_summary_names_each_deciding_rule_in_full(fake_cli, corpus, graph_dir, tmp_path) -> None:
    """A rule's file:line is what a person looks up: an 80-column table does not cut it short."""
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir)
    assert r.exit_code == 0, r.output
    rules = json.loads((out / "summary.json").read_text())["by_rule"]
    assert any(len(rule) > 20 for rule in rules)
    for rule in rules:
        assert rule in r.output, rule


def test_extract_keeps_the_loaded_heap_out_of_the_garbage_collector(fake_cli, corpus, graph_dir, tmp_path) -> None:
    import gc

    gc.unfreeze()
    try:
        r = run("extract", corpus, "--out", tmp_path / "out", "--graph", graph_dir, "--quiet")
        assert r.exit_code == 0, r.output
        assert gc.get_freeze_count() > 0  # the graph, index and model loaded before the first document
    finally:
        gc.unfreeze()  # process-wide: leave the test session as it was


def test_rerun_resumes_and_never_duplicates(fake_cli, corpus, graph_dir, tmp_path) -> None:
    clean = tmp_path / "clean"
    assert run("extract", corpus, "--out", clean, "--graph", graph_dir, "-q").exit_code == 0
    want = _read(clean)
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    # simulate a kill during document 3: progress knows 2 documents, outputs hold half-written lines
    lines = (out / "progress.jsonl").read_text().splitlines(keepends=True)
    (out / "progress.jsonl").write_text("".join(lines[:2]) + lines[2][:20])
    with open(out / "decisions.jsonl", "ab") as fh:
        fh.write(b'{"id": "d:half-writ')
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0, r.output
    assert "2 already done" in r.output
    assert _read(out) == want
    # and a re-run of a finished directory changes nothing
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0 and "0 processed now, 4 already done" in r.output
    assert _read(out) == want


def test_interrupted_run_loses_only_the_unfinished_document(fake_cli, corpus, graph_dir, tmp_path) -> None:
    from kgagent import Agent, read_corpus

    clean = tmp_path / "clean"
    assert run("extract", corpus, "--out", clean, "--graph", graph_dir, "-q").exit_code == 0
    agent = Agent.load(kg=graph_dir)
    out = tmp_path / "out"
    seen = []

    def boom(result, n):
        seen.append(result.doc)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        agent.extract_to(read_corpus([corpus]), out, progress=boom)
    assert len((out / "progress.jsonl").read_text().splitlines()) == 2
    summary = agent.extract_to(read_corpus([corpus]), out)
    assert summary.skipped == 2 and summary.processed == 2
    assert _read(out) == _read(clean)


def test_other_rules_refuse_to_resume_unless_overwrite(fake_cli, corpus, graph_dir, tmp_path) -> None:
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    f = rules / "thresholds.rules"
    f.write_text(f.read_text().replace("threshold(relation_accept_over_model, 0.0).",
                                          "threshold(relation_accept_over_model, 0.45)."))
    before = _read(out)
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "--rules", rules, "-q")
    assert r.exit_code == 1 and "other rules" in r.output and "Traceback" not in r.output
    assert _read(out) == before
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "--rules", rules, "-q", "--overwrite")
    assert r.exit_code == 0
    # checked as the agent reads them, after the shared rules: no "used but never defined" for
    # what those define (sure, score, ...), as when the copy was checked alone
    assert "KGA106" not in r.output
    assert _read(out)["decisions.jsonl"] != before["decisions.jsonl"]


def test_rules_with_errors_refuse_to_start(fake_cli, corpus, graph_dir, tmp_path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "zz_broken.rules").write_text("accept(X) :- mention(X, _, S), S >= .\nreject(Y, \"r\") :- foo(X).\n")
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "--rules", rules, "-q")
    assert r.exit_code == 1
    assert "zz_broken.rules:1:" in r.output and "zz_broken.rules:2:" in r.output and "KGA1" in r.output
    # the last line names the file with errors and how many, not every rules folder read
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("error: KGA100 rule errors (above) in ") and last.endswith(
        "zz_broken.rules: 2; fix them before extracting"), last
    assert "shared" not in last and "thresholds" not in last
    assert "Traceback" not in r.output
    assert not (out / "decisions.jsonl").exists()


@pytest.mark.parametrize("what", ["rules", "graph"])
def test_missing_rules_or_graph_dir(fake_cli, corpus, graph_dir, tmp_path, what) -> None:
    args = ["extract", corpus, "--out", tmp_path / "out", "--graph", graph_dir, "-q", f"--{what}", tmp_path / "nope"]
    r = run(*args)
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1 and "nope" in r.output


def test_unknown_precision_refuses_to_start(fake_cli, corpus, graph_dir, tmp_path) -> None:
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q", "--precision", "float8")
    assert r.exit_code != 0 and len(r.output.strip().splitlines()) == 1 and "KGA307" in r.output
    assert "Traceback" not in r.output and not (out / "decisions.jsonl").exists()


def test_unwritable_out(fake_cli, corpus, graph_dir, tmp_path) -> None:
    f = tmp_path / "afile"
    f.write_text("keep me")
    for out in (f, f / "sub"):
        r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
        assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1 and "KGA510" in r.output
    assert f.read_text() == "keep me"


@pytest.mark.parametrize("content, code", [(b"ok\n\nbad \xff\n", "KGA401"), (b"\x00\x00binary", "KGA402"),
                                           (b"", "KGA403")])
def test_bad_corpus_one_line_and_out_untouched(fake_cli, corpus, graph_dir, tmp_path, content, code) -> None:
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    before = _read(out)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    r = run("extract", corpus, bad, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1 and code in r.output and str(bad) in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert _read(out) == before


def test_explain_renders_the_proof_in_words(fake_cli, corpus, graph_dir, tmp_path) -> None:
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    decisions = [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]
    bad = next(d for d in decisions if d["kind"] == "relation" and d["predicate"] == "work_for"
               and d["tail"]["text"] == "Boston")
    r = run("explain", bad["id"][:10], "--out", out)
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()[2]
    assert first.startswith("rejected: the tail is not of the kind this relation needs")
    assert "Boston is a city in the graph" in first and "work_for needs a person as head and an organization as tail" in first
    assert "rule " in first and "relations.rules:" in first
    assert "[graph]" in r.output and "[encoder]" in r.output
    r = run("explain", bad["id"], "--out", out, "--json")
    assert json.loads(r.output)["id"] == bad["id"]
    r = run("explain", "--verdict", "review", "--kind", "relation", "--limit", "5", "--out", out)
    assert r.exit_code == 0 and r.output.count("sent to review:") >= 1 and "relation work_for" in r.output
    assert run("explain", "--out", out).exit_code == 2
    r = run("explain", "d:nonexistent", "--out", out)
    assert r.exit_code == 1 and "no decision" in r.output
    assert run("explain", "d:1", "--out", tmp_path / "nope").exit_code == 2


def test_rules_test_command(tmp_path) -> None:
    r = run("rules", "test", RULES)
    assert r.exit_code == 0, r.output
    assert "0 failed" in r.output and "PASS" in r.output
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "tests" / "zz.yaml").write_text(
        "cases:\n  - name: wrong on purpose\n    facts: |\n      mention(m1, person, 0.9). nil(m1).\n"
        "    expect: {m1: reject}\n")
    r = run("rules", "test", rules)
    assert r.exit_code == 1 and "FAIL" in r.output and "m1: expected reject, got accept" in r.output
    (rules / "tests" / "zz.yaml").write_text("cases: [oops\n")
    r = run("rules", "test", rules)
    assert r.exit_code == 1 and "zz.yaml" in r.output and "KGA420" in r.output


def test_a_failed_case_says_why_not(tmp_path) -> None:
    """`rules test`: an expected verdict the rules did not give comes with the closest rules and
    the condition each stopped at (the score band's comparison, with its values); a `holds` fact
    they did not derive too; one they derived but another verdict outranked says so."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    facts = ("      mention(m1, person, 0.95). nil(m1). mention(m2, organization, 0.95). nil(m2).\n"
             "      relation(r1, work_for, m1, m2). score(r1, 0.4).\n")
    (rules / "tests" / "zz.yaml").write_text(
        "cases:\n  - name: wrong on purpose\n    facts: |\n" + facts + "    expect: {r1: reject}\n"
        "    holds:\n      - inferred(r1, _)\n"
        "  - name: outranked\n    facts: |\n" + facts + "      shape(m1, number).\n    expect: {r1: review}\n")
    r = run("rules", "test", rules, "--cases", rules / "tests" / "zz.yaml")
    assert r.exit_code == 1, r.output
    lines = [ln.strip() for ln in r.output.splitlines()]
    i = lines.index("r1: expected reject, got review (the encoder is unsure of this relation)")
    assert lines[i + 1].startswith("why not reject(r1, _): shared/relations.rules:")
    assert lines[i + 1].endswith("then S < A - M: false for A = 0.5, M = 0.15, S = 0.4")
    i = lines.index("inferred(r1, _): expected the rules to derive it, they did not")
    assert lines[i + 1].startswith("why not inferred(r1, _): ") and "geography.rules:" in lines[i + 1]
    i = [n for n, ln in enumerate(lines) if ln.startswith("r1: expected review, got reject")][0]
    assert lines[i + 1].startswith("review holds too, but reject outranks it (rule ")


def test_rules_test_checks_the_facts_a_case_says_the_rules_derive_or_not(tmp_path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    case = ("cases:\n  - name: {name}\n    facts: |\n"
            "      mention(m1, person, 0.95).  link(m1, kennedy_town, 0.75).  type(kennedy_town, city).\n"
            "    {key}:\n      - {fact}\n")
    (rules / "tests" / "zz.yaml").write_text(case.format(name="unlinked", key="holds", fact="unlink(m1, _)"))
    r = run("rules", "test", rules, "--cases", rules / "tests" / "zz.yaml")
    assert r.exit_code == 0 and "PASS" in r.output, r.output
    # wrong on purpose, either way round
    for key, fact, words in (("not_holds", "unlink(m1, _)", "expected the rules not to derive it, they did"),
                             ("holds", "unlink(m2, _)", "expected the rules to derive it, they did not"),
                             ("holds", 'unlink(m1, "another reason")', "they did not")):
        (rules / "tests" / "zz.yaml").write_text(case.format(name="wrong", key=key, fact=fact))
        r = run("rules", "test", rules, "--cases", rules / "tests" / "zz.yaml")
        assert r.exit_code == 1 and "FAIL" in r.output and words in r.output, r.output
    # bad input: a fact that is not one, holds that is not a list, a case that checks nothing
    (rules / "tests" / "zz.yaml").write_text(case.format(name="bad", key="holds", fact="unlink(m1, "))
    r = run("rules", "test", rules, "--cases", rules / "tests" / "zz.yaml")
    assert r.exit_code == 1 and "KGA421" in r.output and "is not a fact" in r.output and "zz.yaml" in r.output
    (rules / "tests" / "zz.yaml").write_text(
        "cases:\n  - name: bad\n    facts: |\n      mention(m1, person, 0.9).\n    holds: unlink(m1, _)\n")
    r = run("rules", "test", rules, "--cases", rules / "tests" / "zz.yaml")
    assert r.exit_code == 1 and "KGA420" in r.output and "holds is a list of facts" in r.output
    (rules / "tests" / "zz.yaml").write_text("cases:\n  - name: bad\n    facts: |\n      mention(m1, person, 0.9).\n")
    r = run("rules", "test", rules, "--cases", rules / "tests" / "zz.yaml")
    assert r.exit_code == 1 and "KGA420" in r.output and "holds or not_holds" in r.output


def test_extract_reads_a_fifo_once(fake_cli, graph_dir, tmp_path) -> None:
    """``kgagent extract <(zcat corpus.gz)``: a FIFO is not read twice to count its documents (before:
    KGA550 "File or stream is not seekable")."""
    import os
    import threading

    fifo = tmp_path / "corpus.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    writer = threading.Thread(target=lambda: fifo.write_text(CORPUS))
    writer.start()
    try:
        r = run("extract", fifo, "--out", out, "--graph", graph_dir, "--quiet")
    finally:
        writer.join(5)
    assert r.exit_code == 0, r.output
    docs = {json.loads(x)["doc"] for x in (out / "decisions.jsonl").read_text().splitlines()}
    assert docs == {"corpus#1", "corpus#2", "corpus#3", "corpus#4"}


@pytest.mark.parametrize("garble", [
    lambda line: {**line, "sizes": [1]},
    lambda line: {**line, "sizes": {**line["sizes"], "graph.nq": "x"}},
    lambda line: {**line, "sizes": {}},
    lambda line: {**line, "doc": 5, "hash": 3},
    lambda line: [line],
    lambda line: {**line, "by_verdict": {"entity": {"accept": "x"}}},
    lambda line: {**line, "by_rule": [1]},
    lambda line: {**line, "sentences": "x"},
    lambda line: {**line, "rule_reasons": [1]},
    lambda line: {**line, "identity": {"unlink": None}},
])
def test_a_progress_line_of_the_wrong_shape_is_redone(fake_cli, corpus, graph_dir, tmp_path, garble) -> None:
    """A progress line that is JSON but not a progress record is where the run resumes, as a torn
    one is (before: a traceback, AttributeError / ValueError / KeyError)."""
    clean = tmp_path / "clean"
    assert run("extract", corpus, "--out", clean, "--graph", graph_dir, "-q").exit_code == 0
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    lines = (out / "progress.jsonl").read_text().splitlines()
    lines[2] = json.dumps(garble(json.loads(lines[2])))
    (out / "progress.jsonl").write_text("\n".join(lines) + "\n")
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0, r.output
    assert "2 processed now, 2 already done" in r.output
    assert _read(out) == _read(clean)


@pytest.mark.parametrize("options, words", [
    (["--threads", "99999999999"], "KGA422 --threads 99999999999 is more than this machine's"),
    (["--address", "10.0.0.1:6379"], "KGA422 --address needs --engine ray (this run is local)"),
    (["--workers", "2"], "KGA422 --workers needs --engine ray (this run is local)"),
])
def test_extract_options_a_local_run_cannot_hold(fake_cli, corpus, graph_dir, tmp_path, options, words) -> None:
    """Before: --threads past a C long was a traceback (ValueError from torch.set_num_threads), and
    --address / --workers without --engine ray were silently ignored."""
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q", *options)
    assert r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1].startswith("error: " + words)
    assert not out.exists()


def test_explain_never_prints_a_control_character_of_the_corpus(fake_cli, graph_dir, tmp_path) -> None:
    """Before: the sentence quoted by `kgagent explain` wrote the corpus's ESC / BEL bytes to the
    terminal as they were (an OSC sequence retitled it, an ANSI one recoloured what followed)."""
    corpus = tmp_path / "esc.txt"
    corpus.write_text("Richard Parsons works\x1b[31m for \x07Time Warner.\n")
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    r = run("explain", "--verdict", "accept", "--kind", "relation", "--out", out)
    assert r.exit_code == 0, r.output
    assert '  "Richard Parsons works\\x1b[31m for \\x07Time Warner."' in r.output.splitlines()
    assert "\x1b" not in r.output and "\x07" not in r.output


def test_json_python_cannot_read_in_an_out_dir(fake_cli, corpus, graph_dir, tmp_path) -> None:
    """A decisions line nested too deep is KGA451 for `explain`; a progress line with a number too
    long is where the run resumes (before: RecursionError / ValueError tracebacks)."""
    clean = tmp_path / "clean"
    assert run("extract", corpus, "--out", clean, "--graph", graph_dir, "-q").exit_code == 0
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    lines = (out / "progress.jsonl").read_text().splitlines(keepends=True)
    lines[2] = '{"doc": "x", "n": ' + "9" * 5000 + "}\n"
    (out / "progress.jsonl").write_text("".join(lines))
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0 and "2 processed now, 2 already done" in r.output, r.output
    assert _read(out) == _read(clean)
    with open(out / "decisions.jsonl", "a") as fh:
        fh.write('{"id": "d:deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    r = run("explain", "d:deep", "--out", out)
    assert r.exit_code == 1, r.output
    n = len((out / "decisions.jsonl").read_text().splitlines())
    assert r.output.strip().splitlines()[-1] == (f"error: {out / 'decisions.jsonl'}:{n}: KGA451 not a decision: "
                                                 "JSON nested too deep or a number too long to read")


@pytest.mark.parametrize("args, words", [
    (["d:1", "--verdict", "accept"], "KGA423 give a decision ID or --verdict (not both)"),
    ([], "KGA423 give a decision ID or --verdict (not both)"),
    (["--verdict", "maybe"], "KGA423 --verdict must be one of reject, review, repair, accept, not 'maybe'"),
    (["--verdict", "accept", "--kind", "fact"], "KGA423 --kind must be entity or relation, not 'fact'"),
    (["d:1", "--kind", "relation"], "KGA423 --kind goes with --verdict, not a decision ID"),
    (["d:1", "--limit", "3"], "KGA423 --limit goes with --verdict, not a decision ID"),
])
def test_explain_usage_errors_have_their_code(tmp_path, args, words) -> None:
    """Before: these usage errors had no KGA code, and --kind / --limit with an ID were ignored."""
    (tmp_path / "out").mkdir()
    r = run("explain", *args, "--out", tmp_path / "out")
    assert r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == f"error: {words}"


def test_an_error_naming_an_odd_file_name_stays_one_inert_line(tmp_path) -> None:
    """Before: a corpus file name holding a line break or an escape sequence split the error over
    two lines and sent the escape to the terminal."""
    bad = tmp_path / "bad\nname\x1b[31m.txt"
    bad.write_bytes(b"Boston lies in M\xe9ssachusetts.\n")
    r = run("extract", bad, "--out", tmp_path / "out", "-q")
    assert r.exit_code == 1, r.output
    line = r.output.strip().splitlines()[-1]
    assert line == (f"error: {tmp_path}/bad\\x0aname\\x1b[31m.txt:1:17: KGA401 not UTF-8 text: byte 0xe9 at column 17; "
                    "it reads as Windows-1252 (Latin-1): convert it (iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW)")


def test_json_lines_under_a_plain_text_name_are_refused(fake_cli, graph_dir, tmp_path) -> None:
    """Before: corpus.txt (or stdin) holding {"text": ...} lines was read as one plain-text
    document, JSON syntax and all, and extracted without a word."""
    line = '{"id": "a", "text": "Boston lies in Massachusetts."}\n'
    f = tmp_path / "corpus.txt"
    f.write_text(line)
    r = run("extract", f, "--out", tmp_path / "out", "-q")
    assert r.exit_code == 1, r.output
    assert r.output.strip().splitlines()[-1] == (f'error: {f}:1: KGA424 JSON Lines ({{"text": ...}} per line) read as '
                                                 "plain text: name the file .jsonl (a plain-text corpus is documents "
                                                 "separated by blank lines)")
    r = CliRunner().invoke(app, ["extract", "-", "--out", str(tmp_path / "out"), "--graph", str(graph_dir), "-q"],
                           input=line)
    assert r.exit_code == 1 and "<stdin>:1: KGA424 JSON Lines" in r.output and "give it as a .jsonl file" in r.output
    assert not (tmp_path / "out" / "decisions.jsonl").exists() or not (tmp_path / "out" / "decisions.jsonl").stat().st_size


def test_a_failed_document_s_error_is_one_inert_line(tmp_path, capsys) -> None:
    """Before: the error of a document that failed (--engine ray) was printed as it came, so a
    line break or an escape sequence quoted from the document reached the terminal."""
    import typer

    from kgagent.output import RunSummary
    from kgagent_cli.agent_cmd import _report

    summary = RunSummary(out=str(tmp_path), failed=[{"doc": "d1", "error": "d1: KGA410 bad\ntext\x1b[2J"}])
    with pytest.raises(typer.Exit):
        _report(summary, tmp_path)
    err = capsys.readouterr().err.splitlines()
    assert "error: d1: KGA410 bad\\x0atext\\x1b[2J" in err and "\x1b" not in "".join(err)


def test_out_that_is_the_graph_s_folder_is_refused(fake_cli, corpus, graph_dir, tmp_path) -> None:
    """Before: `extract --out GRAPHDIR --graph GRAPHDIR` wrote its graph.nq beside graph.ttl, and
    every later run read that (one run's additions) as the graph, without a word; with the
    graph stored as graph.nq, --overwrite would have deleted it."""
    before = sorted(p.name for p in graph_dir.iterdir())
    for graph in (graph_dir, graph_dir / "graph.ttl"):
        r = run("extract", corpus, "--out", graph_dir, "--graph", graph, "-q")
        assert r.exit_code == 2, r.output
        assert r.output.strip().splitlines()[-1] == (
            f"error: KGA510 --out {graph_dir} is the folder of the graph {graph_dir / 'graph.ttl'}: the run's "
            "graph.nq would take the graph's place there; give another --out")
    assert sorted(p.name for p in graph_dir.iterdir()) == before


def test_out_that_is_the_graph_s_folder_is_refused_by_the_ray_engine_too(corpus, graph_dir, tmp_path) -> None:
    """The Ray engine writes through its own writer: the CLI refuses the graph's folder before Ray starts."""
    pytest.importorskip("ray")
    before = sorted(p.name for p in graph_dir.iterdir())
    r = run("extract", corpus, "--engine", "ray", "--out", graph_dir, "--graph", graph_dir, "-q")
    assert r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == (
        f"error: KGA510 --out {graph_dir} is the folder of the graph {graph_dir}: the run's graph.nq would take the "
        "graph's place there; give another --out")
    assert sorted(p.name for p in graph_dir.iterdir()) == before


def test_explain_shows_a_right_to_left_override_instead_of_obeying_it(fake_cli, graph_dir, tmp_path) -> None:
    """Before: an RLO (U+202E) in the corpus reached the terminal in the quoted sentence, which then
    displayed the rest of the line reversed (what the reader saw was not the text)."""
    corpus = tmp_path / "rlo.txt"
    corpus.write_text("Richard Parsons works \u202efor Time Warner.\n")
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    r = run("explain", "--verdict", "accept", "--kind", "relation", "--out", out)
    assert r.exit_code == 0, r.output
    assert '  "Richard Parsons works \\u202efor Time Warner."' in r.output.splitlines() and "\u202e" not in r.output


@pytest.mark.parametrize("field, value", [("labels", 5), ("subject", [1]), ("notes", 5)])
def test_explain_of_a_hand_edited_decision_is_one_line(fake_cli, corpus, graph_dir, tmp_path, field, value) -> None:
    """Before: a decision whose field had the wrong kind (a hand-edited decisions.jsonl) ended
    `kgagent explain` in a traceback (AttributeError, TypeError)."""
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    lines = (out / "decisions.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    first[field] = value
    (out / "decisions.jsonl").write_text("\n".join([json.dumps(first)] + lines[1:]) + "\n")
    r = run("explain", first["id"], "--out", out)
    assert r.exit_code == 1, r.output
    last = r.output.strip().splitlines()[-1]
    why = {"labels": "its 'labels' is a number, not an object", "subject": "its 'subject' is a list, not a string",
           "notes": "its 'notes' is a number, not a list"}[field]
    assert last == (f"error: {out / 'decisions.jsonl'}:1: KGA451 decision '{first['id']}' is not one kgagent writes "
                    f"({why}); was the file edited?"), last
