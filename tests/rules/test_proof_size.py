"""A proof's size: one whose derived facts are shared unfolds each of them once past
PROOF_UNFOLD_LIMIT facts; deep proofs print in bounded width (rules explain, kgagent explain)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.explain import proof_tree
from kgagent.rules import Engine, parse_rules
from kgagent.rules.engine import PROOF_UNFOLD_LIMIT
from kgagent.schema import ProofNode
from kgagent_cli.main import app
from kgagent_cli.rules_run_cmd import proof_json, proof_lines

runner = CliRunner()


def _diamonds(n: int) -> str:
    """p_i uses p_(i-1) twice (once through q_i): unfolded, p_n's proof has 3 * 2^n - 2 facts."""
    lines = ["p0(a)."]
    for i in range(1, n + 1):
        lines += [f"p{i}(X) :- p{i - 1}(X), q{i}(X).", f"q{i}(X) :- p{i - 1}(X)."]
    return "\n".join(lines) + "\n"


def _nodes(root: ProofNode) -> list[ProofNode]:
    out, stack = [], [root]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.premises))
    return out


def _unfolded(n: int) -> int:
    return 3 * 2 ** n - 2


def test_a_proof_within_the_limit_unfolds_every_branch() -> None:
    n = 11
    assert _unfolded(n) <= PROOF_UNFOLD_LIMIT
    proof = Engine(parse_rules(_diamonds(n), "d.rules")).evaluate({}).proof(f"p{n}", ("a",))
    nodes = _nodes(proof)
    assert len(nodes) == _unfolded(n)
    assert not any(x.proved_above for x in nodes)
    assert "proved_above" not in json.dumps(proof.to_dict())


def test_a_proof_of_60_diamonds_unfolds_each_derived_fact_once() -> None:
    """Was 3 * 2^60 facts: `rules explain` and every decision's proof ran out of time and memory
    (18 levels took 14 s and 124 MB of text)."""
    n = 60
    proof = Engine(parse_rules(_diamonds(n), "d.rules")).evaluate({}).proof(f"p{n}", ("a",))
    nodes = _nodes(proof)
    unfolded = [x.fact for x in nodes if x.premises]
    assert sorted(unfolded) == sorted({x.fact for x in nodes if x.rule and x.fact != "p0(a)"})  # each once
    assert len(unfolded) == 2 * n
    shared = [x for x in nodes if x.proved_above]
    assert shared and all(not x.premises and x.rule and x.rule.startswith("d.rules:") for x in shared)
    # read in order, a fact marked proved above was unfolded on an earlier line
    seen: set[str] = set()
    for x in nodes:
        if x.proved_above:
            assert x.fact in seen
        elif x.premises:
            seen.add(x.fact)
    assert len(nodes) < 5 * n
    assert ProofNode.from_dict(proof.to_dict()) == proof
    assert json.loads(proof_json(proof)) == proof.to_dict()


def test_rules_explain_of_a_shared_proof_says_proved_above(tmp_path: Path) -> None:
    rules, facts = tmp_path / "d.rules", tmp_path / "facts"
    rules.write_text(_diamonds(40))
    facts.mkdir()
    r = runner.invoke(app, ["rules", "explain", "p40(a)", "--rules", str(rules), "--facts", str(facts)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert len(lines) < 200
    assert lines[0] == f"p40(a)    [rule {rules}:80]"
    assert any(line.endswith("── p1(a)    (proved above)") for line in lines)
    r = runner.invoke(app, ["rules", "explain", "p40(a)", "--rules", str(rules), "--facts", str(facts), "--json"])
    assert r.exit_code == 0, r.output
    assert '"proved_above": true' in r.output and json.loads(r.output)["fact"] == "p40(a)"


def _chain(depth: int) -> ProofNode:
    node = ProofNode(fact="reach(n0)", rule="r.rules:2")
    for i in range(1, depth + 1):
        node = ProofNode(fact=f"reach(n{i})", rule="r.rules:3",
                         premises=[node, ProofNode(fact=f"edge(n{i - 1}, n{i})", source="base")])
    return node


def test_a_proof_2000_levels_deep_prints_in_bounded_width() -> None:
    """Was 4 characters of guides per level: a chain of 50,000 places printed gigabytes."""
    lines = proof_lines(_chain(2000))
    assert len(lines) == 4001
    assert max(map(len, lines)) < 250
    assert lines[2000].endswith("── [level 2000] reach(n0)    [rule r.rules:2]")
    assert lines[2001].endswith("── [level 2000] edge(n0, n1)    [base fact]")
    assert "[level" not in "".join(lines[:41]) and "── [level 41] " in lines[41]


def test_kgagent_explain_of_a_deep_proof_prints_in_bounded_width() -> None:
    decision = {"kind": "relation", "predicate": "p", "proof": _chain(2000).to_dict()}
    lines = proof_tree(decision)
    assert len(lines) == 4001
    assert max(map(len, lines)) < 250
    assert lines[2000] == " " * 80 + "- [level 2000] reach(n0)  [written in r.rules:2]"
    assert lines[-1] == "  - edge(n1999, n2000)  [base]"


def test_kgagent_explain_says_proved_above_for_a_marked_fact() -> None:
    shared = ProofNode(fact="q(a)", rule="x.rules:4", premises=[ProofNode(fact="b(a)", source="graph")])
    proof = ProofNode(fact="p(a)", rule="x.rules:5",
                      premises=[shared, ProofNode(fact="q(a)", rule="x.rules:4", proved_above=True)])
    lines = proof_tree({"kind": "entity", "proof": proof.to_dict()})
    assert lines[-1].startswith("  - ") and lines[-1].endswith("(proved above)")
    assert sum("(proved above)" in line for line in lines) == 1
