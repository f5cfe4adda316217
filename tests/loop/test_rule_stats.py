"""`rules stats` on a hand-made decisions file: fired, decided alone, disagreements, precision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.rule_stats import Gold, proof_rules, rule_stats, spert_records, spert_to_corpus
from kgagent_cli.main import app

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"
EXTRACT = FIX / "extract"


def test_counts_without_gold() -> None:
    report = rule_stats(EXTRACT)
    assert report.decisions == 8
    assert report.by_verdict == {"accept": 5, "reject": 2, "review": 1}
    assert not report.gold
    ent5 = report.rule("rules/entities.rules:5")
    assert (ent5.fired, ent5.decisions, ent5.decided_alone) == (4, 4, 4)
    assert ent5.verdicts == {"accept": 4}
    assert ent5.precision is None
    types3 = report.rule("rules/types.rules:3")
    # has_type(m1, person) appears in two proofs of document s1: one fact, fired once
    assert (types3.fired, types3.decisions, types3.decided_alone, types3.verdicts) == (2, 3, 0, {})
    # r2 was rejected for two reasons (the other one listed under "others"): not alone
    stat = report.rule("rules/relations.rules:12")
    assert (stat.fired, stat.verdicts, stat.decided_alone) == (1, {"reject": 1}, 0)
    assert report.rule("rules/entities.rules:9").decided_alone == 1
    assert report.rule("rules/relations.rules:7").decided_alone == 1
    assert report.rule("rules/entities.rules:20").verdicts == {"review": 1}
    # the most productive rule comes first
    assert report.rules[0].rule == "rules/entities.rules:5"


def test_disagreements() -> None:
    report = rule_stats(EXTRACT / "decisions.jsonl")
    assert [d.decision for d in report.disagreements] == ["d:e3"]
    d = report.disagreements[0]
    assert d.accept_rules == []  # the losing accept's proof is not recorded
    assert d.reject_rules == ["rules/entities.rules:9"]
    assert d.verdict == "reject" and d.text == "Boston"


def test_precision_with_gold() -> None:
    report = rule_stats(EXTRACT, gold=FIX / "gold.json")
    assert report.gold
    # accepts: John Smith, Acme, Mary, work_for right; "works"/other wrong
    assert report.gold_correct_by_verdict == {"accept": 4, "reject": 1}
    ent5 = report.rule("rules/entities.rules:5")
    # judged by its own accepts: m1, m2, m5 right; m4 ("works") wrong
    assert (ent5.judged, ent5.correct) == (4, 3)
    assert ent5.precision == pytest.approx(0.75)
    assert report.rule("rules/entities.rules:9").precision == 1.0  # Boston is not a person
    assert report.rule("rules/relations.rules:12").precision == 0.0  # live_in(John, Boston) is gold
    assert report.rule("rules/types.rules:3").precision == 1.0  # helper: judged by final verdicts
    assert report.rule("rules/entities.rules:20").precision is None  # review is no verdict


def test_gold_alignment_by_character_span() -> None:
    gold = Gold.from_records(spert_records(FIX / "gold.json"))
    assert (29, 35, "location") in gold.entities["s1"]
    assert ("live_in", 0, 10, 29, 35) in gold.relations["s1"]
    assert gold.holds({"doc": "s1", "kind": "entity", "span": [21, 25], "type": "organization"}) is True
    assert gold.holds({"doc": "s1", "kind": "entity", "span": [21, 25], "type": "person"}) is False
    assert gold.holds({"doc": "other", "kind": "entity", "span": [0, 1], "type": "person"}) is None


def test_gold_ends_before_a_stop_kgagent_reads_apart() -> None:
    """CoNLL04 glues a sentence's stop to its last word ("Boise.", "N.C." before the next
    sentence); kgagent reads the stop apart, so the gold entity ends before it, unless the stop is
    an abbreviation's too ("N.C.", as kgagent's mentions keep it). A stop inside a sentence
    ("Acme Inc.") stays."""
    toks = "Dole of Salisbury , N.C. Polls showed Acme Inc. ahead in Boise.".split(" ")
    rec = {"id": "d", "tokens": toks, "entities": [{"start": 0, "end": 1, "type": "Peop"},
           {"start": 2, "end": 5, "type": "Loc"}, {"start": 7, "end": 9, "type": "Org"},
           {"start": 11, "end": 12, "type": "Loc"}], "relations": [{"head": 0, "tail": 1, "type": "Live_In"}]}
    gold = Gold.from_records([rec])
    text = " ".join(toks)
    assert sorted(text[s:e] for s, e, _ in gold.entities["d"]) == ["Acme Inc.", "Boise", "Dole", "Salisbury , N.C."]
    assert ("live_in", 0, 4, 8, 24) in gold.relations["d"]


def test_spert_to_corpus_roundtrip(tmp_path: Path) -> None:
    n = spert_to_corpus(spert_records(FIX / "gold.json"), tmp_path / "c.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert n == 2 and lines[0] == {"id": "s1", "text": "John Smith works for Acme in Boston ."}


def test_proof_rules_walks_the_whole_tree() -> None:
    proof = {"fact": "accept(r)", "rule": "a:1", "premises": [
        {"fact": "x(r)", "rule": "b:2", "premises": [{"fact": "y(r)", "source": "encoder"}]},
        {"fact": "x(r)", "rule": "b:2"}]}
    assert proof_rules(proof) == [("a:1", "accept(r)"), ("b:2", "x(r)")]


def test_bad_decisions_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    path.write_text('{"id": "d:1", "verdict": "accept"}\n{not json\n')
    with pytest.raises(InputError) as err:
        rule_stats(tmp_path)
    assert f"{path}:2" in str(err.value)


def test_cli_table_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "stats", "--out", str(EXTRACT), "--gold", str(FIX / "gold.json")])
    assert result.exit_code == 0, result.output
    assert "rules/entities.rules:5" in result.output and "0.750" in result.output
    assert "disagreements (accept and reject of one candidate): 1" in result.output
    result = runner.invoke(app, ["rules", "stats", "--out", str(EXTRACT), "--json"])
    assert json.loads(result.output)["decisions"] == 8
    result = runner.invoke(app, ["rules", "stats", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "no decisions file" in result.output
    shutil.copy(EXTRACT / "decisions.jsonl", tmp_path / "decisions.jsonl")
    (tmp_path / "gold.json").write_text("{}")
    result = runner.invoke(app, ["rules", "stats", "--out", str(tmp_path), "--gold", str(tmp_path / "gold.json")])
    assert result.exit_code != 0 and "not SpERT JSON" in result.output


def test_explain_and_stats_name_a_line_that_is_not_utf8(tmp_path) -> None:
    """A decisions file with a line that is not UTF-8 (a damaged copy) is named with its line by
    `rules stats` and by `explain` (both once ended in a UnicodeDecodeError traceback)."""
    out = tmp_path / "out"
    out.mkdir()
    good = {"id": "d:1", "doc": "s1", "kind": "entity", "type": "person", "span": [0, 4], "verdict": "accept"}
    (out / "decisions.jsonl").write_bytes(json.dumps(good).encode() + b"\n\xff\xfe\n")
    runner = CliRunner()
    for args in (["explain", "d:nothing", "--out", str(out)], ["rules", "stats", "--out", str(out)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 1, (args, r.output)
        assert isinstance(r.exception, SystemExit), (args, r.exception)  # not an uncaught error
        assert "decisions.jsonl:2: KGA4" in r.output and "UTF-8" in r.output, (args, r.output)


def test_stats_and_diff_name_a_span_that_is_not_offsets(tmp_path) -> None:
    """A hand-edited decision whose span is not two character offsets (strings, one number, a
    relation's argument without offsets) is named with its file and line by `rules stats` and
    `rules diff`; both once ended in a ValueError traceback or compared the strings."""
    good = {"id": "d:1", "doc": "s1", "kind": "entity", "type": "person", "span": [0, 4], "verdict": "accept"}
    bads = [
        ({**good, "id": "d:2", "span": ["0", "4"]}, "'span' is [\"0\", \"4\"]"),
        ({**good, "id": "d:2", "span": [7]}, "'span' is [7]"),
        ({"id": "d:2", "doc": "s1", "kind": "relation", "predicate": "work_for", "verdict": "accept",
          "head": {"text": "Ann", "span": [0, 3]}, "tail": {"text": "Acme", "start": "x", "end": 9}},
         "tail's 'start' is \"x\""),
    ]
    runner = CliRunner()
    for n, (bad, words) in enumerate(bads):
        out = tmp_path / f"out{n}"
        out.mkdir()
        (out / "decisions.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
        for args in (["rules", "stats", "--out", str(out)], ["rules", "diff", str(out), str(out)]):
            r = runner.invoke(app, args)
            assert r.exit_code == 1, (args, r.output)
            assert isinstance(r.exception, SystemExit), (args, r.exception)  # not an uncaught error
            assert "decisions.jsonl:2: KGA451" in r.output and words in r.output, (args, r.output)


def _gold(tmp_path: Path, records: list[dict]) -> Path:
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return path


def test_gold_of_another_corpus_is_refused_not_read_as_all_wrong(tmp_path) -> None:
    """A gold file none of whose record ids is a document of the run judged nothing, and `rules
    stats` printed "accept: 0/5 right by gold (0.000)"; `rules diff --gold` judged every change
    alike. Both now say the gold is not the run's (KGA454)."""
    records = json.loads((FIX / "gold.json").read_text())
    other = _gold(tmp_path, [{**r, "id": f"x{i}"} for i, r in enumerate(records)])
    with pytest.raises(InputError) as err:
        rule_stats(EXTRACT, gold=other)
    assert err.value.code == "KGA454" and "x0, x1" in str(err.value) and "s1, s2" in str(err.value)
    runner = CliRunner()
    for args in (["rules", "stats", "--out", str(EXTRACT), "--gold", str(other)],
                 ["rules", "diff", str(EXTRACT), str(EXTRACT), "--gold", str(other)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 1 and isinstance(r.exception, SystemExit), (args, r.output)
        assert "KGA454" in r.output and "gold.json" in r.output, (args, r.output)
    # gold of part of the run: what it cannot judge is counted apart, not as wrong
    part = _gold(tmp_path, [records[1]])
    r = runner.invoke(app, ["rules", "stats", "--out", str(EXTRACT), "--gold", str(part)])
    assert r.exit_code == 0, r.output
    assert "accept: 1/1 right by gold (1.000); 4 of 5 not judged" in r.output, r.output
    assert rule_stats(EXTRACT, gold=part).judged_by_verdict == {"accept": 1}


def test_a_gold_record_without_entities_judges_what_was_accepted_in_it(tmp_path) -> None:
    records = json.loads((FIX / "gold.json").read_text())
    records[1] = {**records[1], "entities": [], "relations": []}  # s2: nothing to find
    report = rule_stats(EXTRACT, gold=_gold(tmp_path, records))
    # Mary, accepted in s2, is now wrong (before: not judged, s2 not in the gold)
    assert report.judged_by_verdict["accept"] == 5 and report.gold_correct_by_verdict["accept"] == 3


def test_gold_with_a_span_past_its_sentence_is_named_with_its_line(tmp_path) -> None:
    """Once an IndexError traceback in `rules stats --gold` and `rules diff --gold`."""
    records = json.loads((FIX / "gold.json").read_text())
    records[1]["entities"][1]["end"] = 99
    bad = _gold(tmp_path, records)
    runner = CliRunner()
    for args in (["rules", "stats", "--out", str(EXTRACT), "--gold", str(bad)],
                 ["rules", "diff", str(EXTRACT), str(EXTRACT), "--gold", str(bad)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 1 and isinstance(r.exception, SystemExit), (args, r.output)
        assert "KGA310" in r.output and "out of range" in r.output and "gold.json:" in r.output, (args, r.output)


def test_options_out_of_range_are_usage_errors() -> None:
    """`rules stats --top -3` listed all but the last three disagreements (a negative slice);
    `explain --kind foo` answered "no foo decision" (exit 1) instead of a usage error."""
    runner = CliRunner()
    for args in (["rules", "stats", "--out", str(EXTRACT), "--top", "-3"],
                 ["explain", "--verdict", "reject", "--kind", "foo", "--out", str(EXTRACT)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
    r = runner.invoke(app, ["explain", "--verdict", "reject", "--kind", "entity", "--out", str(EXTRACT)])
    assert r.exit_code == 0 and "Boston" in r.output, r.output
