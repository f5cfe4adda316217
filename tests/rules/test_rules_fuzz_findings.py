"""Defects a rule author met while editing rules (found by fuzzing the rule tools): each input
failed with a traceback, a RecursionError or a silently wrong result before its fix."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError, KGAError, RuleError
from kgagent.rules import Engine, parse_rules
from kgagent.rules.facts_io import parse_fact, read_facts_columns
from kgagent.rules.why_not import why_not
from kgagent.schema import ProofNode
from kgagent_cli.main import app

runner = CliRunner()


# -- explain --json of a deep proof -----------------------------------------------------------
def _chain(tmp_path: Path, n: int) -> tuple[Path, Path]:
    rules, facts = tmp_path / "r.rules", tmp_path / "facts"
    rules.write_text("#base edge(A, B).\nreach(n0).\nreach(Y) :- reach(X), edge(X, Y).\n")
    facts.mkdir()
    (facts / "edge.facts").write_text("".join(f"n{i}\tn{i + 1}\n" for i in range(n)))
    return rules, facts


def test_explain_json_of_a_proof_2000_facts_deep_prints_it(tmp_path: Path) -> None:
    """Was a RecursionError traceback (ProofNode.to_dict and json.dumps recurse)."""
    rules, facts = _chain(tmp_path, 2000)
    r = runner.invoke(app, ["rules", "explain", "reach(n2000)", "--rules", str(rules), "--facts", str(facts),
                            "--json"])
    assert r.exit_code == 0, r.output
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # json.loads recurses too
    try:
        node, depth = json.loads(r.output), 0
    finally:
        sys.setrecursionlimit(limit)
    while node.get("premises"):
        node, depth = node["premises"][0], depth + 1
    assert depth == 2000 and node == {"fact": "reach(n0)", "rule": f"{rules}:2"}


def test_proof_json_is_json_dumps_indent_2_for_a_shallow_proof() -> None:
    from kgagent_cli.rules_run_cmd import proof_json

    leaf = ProofNode(fact='text(m1, "Zoë \\"Z\\"")', source="base")
    root = ProofNode(fact="p(a)", rule="a.rules:3", premises=[leaf, ProofNode(fact="q", rule="a.rules:1")])
    assert proof_json(root) == json.dumps(root.to_dict(), indent=2, ensure_ascii=False)
    assert proof_json(leaf) == json.dumps(leaf.to_dict(), indent=2, ensure_ascii=False)


# -- why not ---------------------------------------------------------------------------------
def _model(text: str, facts: dict):
    return Engine(parse_rules(text, "w.rules")).evaluate(facts)


def test_why_not_of_a_rule_with_3000_conditions_does_not_recurse() -> None:
    """Was a RecursionError: the search recursed once per condition."""
    body = ", ".join(["p(X)"] * 3000)
    (miss,) = why_not(_model(f"#base p(A).\nq(X) :- {body}, X > 5.", {"p": [(2,)]}), "q", (2,))
    assert (len(miss.satisfied), miss.failed, miss.why) == (3000, "X > 5", "false for X = 2")


@pytest.mark.parametrize("rule", ["q(Z) :- p(X), X + 1 = Z, Z > 5.", "q(Z) :- Z = X + 1, p(X), Z > 5.",
                                  "q(Z) :- Z > 5, Z = X + 1, p(X)."])
def test_why_not_takes_a_condition_once_its_variables_are_bound(rule: str) -> None:
    """Was 'then X + 1 = Z: Z not bound' (or 'X, Z not bound'): the engine binds them whatever the
    order, so the rule stopped at Z > 5."""
    (miss,) = why_not(_model(f"#base p(A).\n{rule}", {"p": [(2,)]}), "q", (None,))
    assert (miss.failed, miss.why, miss.head, len(miss.satisfied)) == ("Z > 5", "false for Z = 3", "q(3)", 2)


def test_why_not_writes_a_fact_without_arguments_bare() -> None:
    (miss,) = why_not(_model("#base p(A).\nflag :- p(X), X > 3.", {"p": [(2,)]}), "flag", ())
    assert miss.head == "flag" and str(miss).startswith("w.rules:2 flag: 1 of 2")


def test_explain_a_fact_with_the_wrong_number_of_arguments_says_so(tmp_path: Path) -> None:
    """Was 'no rule derives located(a) (nor is it a base fact)' for a predicate the rules derive."""
    (tmp_path / "r.rules").write_text("#base p(A, B).\nq(X, Y) :- p(X, Y).\n")
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "p.facts").write_text("a\tb\n")
    r = runner.invoke(app, ["rules", "explain", "q(a)", "--rules", str(tmp_path / "r.rules"),
                            "--facts", str(tmp_path / "f")])
    assert r.exit_code == 1 and "why not: q has 2 arguments in the rules and facts, not 1" in r.output


# -- facts given to the engine ----------------------------------------------------------------
PROGRAM = parse_rules("#base p(A).\nq(X) :- p(X).\n", "a.rules")


@pytest.mark.parametrize("facts", [[("p", [("a",)])], {"p": None}, {"p": 5}, {"p": [1, 2]}, {1: [("a",)]},
                                   {"p": [(float("nan"),)]}, {"p": [(float("inf"),)]}])
def test_facts_the_engine_cannot_take_are_kga112(facts) -> None:
    """Were a TypeError / AttributeError traceback, or silently taken (1 as a predicate name; nan,
    inf, which no rule or facts file can write)."""
    with pytest.raises(RuleError) as err:
        Engine(PROGRAM).evaluate(facts)
    assert err.value.code == "KGA112"


def test_decimal_arithmetic_past_the_largest_decimal_is_kga123() -> None:
    """Was silently inf, written to --out as 'inf' and read back as a string."""
    with pytest.raises(RuleError) as err:
        _model("#base p(A).\nq(Y) :- p(X), Y = X * 10.0.", {"p": [(1.0e308,)]})
    assert err.value.code == "KGA123" and "w.rules:2" in str(err.value) and "1.8e308" in str(err.value)


# -- facts files and facts on the command line ------------------------------------------------
def test_a_facts_file_with_a_byte_order_mark_reads_its_first_field_as_written(tmp_path: Path) -> None:
    """Was '\\ufeffa': the first fact silently never matched."""
    (tmp_path / "p.facts").write_bytes(b"\xef\xbb\xbfa\tb\n")
    assert read_facts_columns(tmp_path)["p"].rows() == [("a", "b")]


def test_a_long_decimal_without_exponent_in_a_facts_file_is_kga112(tmp_path: Path) -> None:
    """Was silently inf ('9' * 400 + '.0': 19 digits or more, but a decimal)."""
    (tmp_path / "p.facts").write_text("a\t1\nb\t" + "9" * 400 + ".0\n")
    with pytest.raises(RuleError) as err:
        read_facts_columns(tmp_path)
    assert err.value.code == "KGA112" and err.value.location.line == 2


@pytest.mark.parametrize("text", ["q(1e999, b)", "q(99999999999999999999999, b)", 'q("a\\q", b)'])
def test_a_fact_to_explain_is_read_as_a_rule_file_reads_it(text: str) -> None:
    """Were inf, a number past 64 bits and the text '\\\\q': facts a rule file refuses."""
    with pytest.raises(RuleError) as err:
        parse_fact(text)
    assert err.value.code == "KGA112"


# -- rules test cases -------------------------------------------------------------------------
def _cases(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("extra, words", [
    ("    not_hold:\n      - nil(m1)\n", "unknown key 'not_hold'"),  # was ignored: the case passed unchecked
    ("    reason: [tail]\n", "reason: is a mapping"),  # was an AttributeError traceback
])
def test_a_case_with_a_bad_key_is_kga420_naming_it(tmp_path: Path, extra: str, words: str) -> None:
    from kgagent.rule_tests import load_cases

    path = _cases(tmp_path, "cases:\n  - name: a\n    facts: |\n      nil(m1).\n    expect: {m1: accept}\n" + extra)
    with pytest.raises(InputError) as err:
        load_cases(path)
    assert err.value.code == "KGA420" and words in err.value.message and "case 1 ('a')" in err.value.message


def test_two_cases_of_one_name_are_kga420(tmp_path: Path) -> None:
    from kgagent.rule_tests import load_cases

    case = "  - name: same\n    facts: 'nil(m1).'\n    expect: {m1: accept}\n"
    with pytest.raises(InputError) as err:
        load_cases(_cases(tmp_path, "cases:\n" + case + case))
    assert err.value.code == "KGA420" and "case 2 ('same')" in err.value.message


def _run(tmp_path: Path, case: str) -> KGAError:
    from kgagent.rule_tests import load_cases, run_case

    engine = Engine(parse_rules("#base nil(M).\n#base link(M, E).\nunlink(M, E) :- link(M, E), nil(M).\n",
                                "r.rules"))
    (c,) = load_cases(_cases(tmp_path, case))
    with pytest.raises(KGAError) as err:
        run_case(engine, c, {}, "c.yaml")
    return err.value


def test_a_not_holds_fact_with_the_wrong_arity_is_kga421(tmp_path: Path) -> None:
    """Was a pass: unlink(m1) never holds when the rules derive unlink(M, E)."""
    err = _run(tmp_path, "cases:\n  - name: a\n    facts: 'nil(m1).'\n    not_holds: ['unlink(m1)']\n")
    assert err.code == "KGA421" and "'unlink(m1)'" in err.message and "2 arguments" in err.message


def test_a_case_fact_of_the_wrong_arity_names_the_case(tmp_path: Path) -> None:
    """Was 'KGA112 nil has 2 columns in the facts but the rules use 1', naming no file nor case."""
    err = _run(tmp_path, "cases:\n  - name: wrong\n    facts: 'nil(m1, x).'\n    holds: ['nil(m1)']\n")
    assert err.code == "KGA112" and "case 'wrong'" in err.message and err.location.path == "c.yaml"
