"""The agent asserts shape(M, S) for numbers, amounts and dates, so rules/words.rules can say they
are no person, organisation or place (issue 12, item 4)."""

from __future__ import annotations

import pytest

import support.agent_fakes as fakes
from support.agent_fakes import build_tiny_graph, make_agent


@pytest.fixture()
def agent(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(fakes.NAMES, "5 million", ("Peop", 0.9))
    monkeypatch.setitem(fakes.NAMES, "1987", ("Other", 0.9))
    monkeypatch.setitem(fakes.RELATIONS, ("5 million", "Work_For", "Philips"), 0.9)
    return make_agent(build_tiny_graph())


def test_an_amount_labelled_a_person_is_rejected_with_its_relation(agent) -> None:
    (res,) = agent.extract("Philips paid 5 million in 1987 to Boston.")
    by_text = {d.mention.text: d for d in res.decisions if d.kind == "entity"}
    money = by_text["5 million"]
    assert money.verdict == "reject" and "a number, an amount" in money.reason
    assert any("shape(" in f and "number" in f for f in _facts(money.proof))
    (rel,) = [d for d in res.decisions if d.kind == "relation" and d.head.text == "5 million"]
    assert rel.verdict == "reject"
    assert by_text["1987"].verdict != "reject"  # a date labelled other stays other


def _facts(node) -> list[str]:
    from kgagent.proofs import walk

    return [n.fact for n in walk(node)]
