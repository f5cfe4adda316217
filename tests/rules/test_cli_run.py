"""``kgagent rules run`` and ``kgagent rules explain``: outputs and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from kgagent.rules import read_facts_dir
from kgagent_cli.main import app

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "rules_engine"
RULES, FACTS = FIX / "rules", FIX / "facts"


def invoke(*args):
    return CliRunner().invoke(app, ["rules", *map(str, args)])


def test_run_writes_derived_relations_and_stats(tmp_path):
    res = invoke("run", RULES, "--facts", FACTS, "--out", tmp_path / "out", "--stats")
    assert res.exit_code == 0, res.output
    last = res.output.strip().splitlines()[-1]
    m = re.fullmatch(r"derived=(\d+) seconds=([0-9.]+)", last)
    assert m and int(m.group(1)) == 6  # 3 located_in + big_city(paris) + review(lyon), review(nice)
    out = read_facts_dir(tmp_path / "out")
    assert set(out) == {"located_in", "big_city", "review"}
    assert ("paris", "europe") in out["located_in"] and len(out["located_in"]) == 7
    assert out["big_city"] == [("paris",)]
    assert sorted(out["review"]) == [("lyon", "small place in europe"), ("nice", "small place in europe")]
    assert "places.rules:6\t1" in res.output  # per-rule firings


def test_run_without_stats_has_no_derived_line():
    res = invoke("run", RULES, "--facts", FACTS, "--no-proofs")
    assert res.exit_code == 0
    assert "derived=" not in res.output
    assert "located_in\t3 derived\t7 in all" in res.output


def test_run_malformed_facts_names_file_and_line():
    res = invoke("run", RULES, "--facts", FIX / "bad_facts")
    assert res.exit_code == 1
    assert "located_in.facts:2" in res.output and "KGA112" in res.output
    assert "Traceback" not in res.output


def test_run_division_by_zero_names_rule():
    res = invoke("run", FIX / "zero_rules", "--facts", FACTS)
    assert res.exit_code == 1
    assert "KGA111" in res.output and "ratio.rules:4" in res.output


def test_run_missing_directories_exit_2(tmp_path):
    assert invoke("run", RULES, "--facts", tmp_path / "nope").exit_code == 2
    assert invoke("run", tmp_path / "nope", "--facts", FACTS).exit_code == 2
    assert invoke("run").exit_code == 2  # usage


def test_explain_prints_tree():
    res = invoke("explain", "located_in(paris, europe)", "--rules", RULES, "--facts", FACTS)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "located_in(paris, europe)" in lines[0] and "places.rules:5" in lines[0]
    assert any("located_in(paris, france)" in ln and "base fact" in ln for ln in lines)
    assert any("located_in(france, europe)" in ln and "base fact" in ln for ln in lines)


def test_explain_json():
    res = invoke("explain", 'review(nice, "small place in europe")', "--rules", RULES, "--facts", FACTS, "--json")
    assert res.exit_code == 0, res.output
    proof = json.loads(res.output)
    assert proof["fact"] == 'review(nice, "small place in europe")'
    assert proof["rule"].endswith("places.rules:7")
    assert [p["fact"] for p in proof["premises"]] == ["located_in(nice, europe)", "population(nice, 340000)"]
    assert proof["premises"][1] == {"fact": "population(nice, 340000)", "source": "base"}


def test_explain_fact_not_in_model_exit_1():
    res = invoke("explain", "located_in(europe, paris)", "--rules", RULES, "--facts", FACTS)
    assert res.exit_code == 1
    assert "not in the model" in res.output and "located_in(europe, paris)" in res.output
    # why not: the one rule that derives located_in found no located_in(europe, _) to start from
    assert "why not: " in res.output and "places.rules:5" in res.output
    assert "0 of 2 conditions hold, then located_in(europe, Y): no such fact" in res.output


def test_explain_says_which_condition_stopped_a_rule():
    """A fact the rules did not derive: the rule that could, what held, and the comparison that
    did not, with its values (Paris is too big to be reviewed as a small place)."""
    res = invoke("explain", 'review(paris, "small place in europe")', "--rules", RULES, "--facts", FACTS)
    assert res.exit_code == 1
    (line,) = [ln for ln in res.output.splitlines() if ln.startswith("why not: ")]
    assert 'places.rules:7 review(paris, "small place in europe"): 2 of 3 conditions hold' in line
    assert line.endswith("then N < 1000000: false for N = 2100000")
    res = invoke("explain", "capital(paris)", "--rules", RULES, "--facts", FACTS)
    assert res.exit_code == 1 and "why not: no rule derives capital(paris)" in res.output


def test_explain_unreadable_fact_exit_1():
    res = invoke("explain", "located_in(paris", "--rules", RULES, "--facts", FACTS)
    assert res.exit_code == 1
    assert "KGA112" in res.output


def test_run_rule_errors_are_listed_with_location():
    res = invoke("run", FIX / "bad_rules", "--facts", FACTS)
    assert res.exit_code == 1
    assert "bad.rules:2:8: KGA102" in res.output
    assert "Traceback" not in res.output


def test_rules_that_derive_more_than_memory_holds_stop_in_one_line(tmp_path, monkeypatch):
    from kgagent.rules import engine

    monkeypatch.setattr(engine, "MAX_FACTS_PER_PREDICATE", 500)
    rules = tmp_path / "closure.rules"
    rules.write_text("path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), path(Y, Z).\n")
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "edge.facts").write_text("".join(f"n{i}\tn{i + 1}\n" for i in range(60)))
    res = invoke("run", rules, "--facts", tmp_path / "facts")
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    assert (f"error: {rules}:2:1: KGA125 the rules derived more than 500 facts of path/2 (rule {rules}:2 "
            "derived 780 of them): more than memory holds") in res.output, res.output
    assert "Traceback" not in res.output


def test_rules_that_count_without_end_stop_with_the_rule_named(tmp_path, monkeypatch):
    """`count(M) :- count(N), M = N + 1, N < 100000000.` ran for ever with no word; the engine
    stops a recursive group still deriving after MAX_ROUNDS rounds, naming a rule of it."""
    from kgagent.rules import engine

    monkeypatch.setattr(engine, "MAX_ROUNDS", 40)
    rules = tmp_path / "count.rules"
    rules.write_text("count(0).\n\ncount(M) :- count(N), M = N + 1, N < 100000000.\n")
    (tmp_path / "facts").mkdir()
    res = invoke("run", rules, "--facts", tmp_path / "facts")
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    assert "KGA120" in res.output and "count.rules:3" in res.output and "40 rounds" in res.output, res.output
    # a closure over a chain shorter than the bound is left alone, whatever its length in facts
    rules.write_text("count(0).\ncount(M) :- count(N), M = N + 1, N < 30.\n")
    res = invoke("run", rules, "--facts", tmp_path / "facts", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert len((tmp_path / "o" / "count.facts").read_text().splitlines()) == 31


def test_a_facts_file_no_rule_reads_is_warned_about_with_the_name_it_may_mean(tmp_path):
    # a misspelt file name used to give a run that derived nothing and said nothing
    facts = tmp_path / "facts"
    facts.mkdir()
    for f in FACTS.glob("*.facts"):
        (facts / f.name).write_text(f.read_text())
    first = sorted(facts.glob("*.facts"))[0]
    wrong = facts / (first.stem.capitalize() + ".facts")
    first.rename(wrong)
    res = invoke("run", RULES, "--facts", facts)
    assert res.exit_code == 0, res.output
    assert f"warning: {wrong}: KGA124 no rule reads '{wrong.stem}' (did you mean {first.stem}.facts?)" in res.output
    clean = invoke("run", RULES, "--facts", FACTS)
    assert "KGA124" not in clean.output
    (facts / "population.facts").unlink()  # declared with #base, read by a rule, derived by none
    res = invoke("run", RULES, "--facts", facts)
    assert f"warning: KGA124 'population' is declared (#base) but {facts} has no population.facts" in res.output
