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


@pytest.fixture()
def cased_agent(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(fakes.NAMES, "china", ("Loc", 0.9))
    monkeypatch.setitem(fakes.NAMES, "philips", ("Org", 0.9))
    monkeypatch.setitem(fakes.RELATIONS, ("Philips", "OrgBased_In", "china"), 0.9)
    monkeypatch.setitem(fakes.RELATIONS, ("philips", "OrgBased_In", "china"), 0.9)
    return make_agent(build_tiny_graph())


def test_a_word_in_lowercase_in_a_cased_text_is_no_place(cased_agent) -> None:
    """Real news (RSS-500): "like a pair of Chicago Bulls in a china shop" gave orgbased_in(Chicago
    Bulls, China); "communist" was an organisation to work for (issue 12)."""
    (res,) = cased_agent.extract("Philips sold a bull in a china shop.")
    (china,) = [d for d in res.decisions if d.kind == "entity" and d.mention.text == "china"]
    assert china.verdict == "reject" and "lowercase" in china.reason
    assert any(f.startswith("shape(") and "lowercase" in f for f in _facts(china.proof))
    (rel,) = [d for d in res.decisions if d.kind == "relation"]
    assert rel.verdict == "reject"
    # a text all in lowercase says nothing by its case: the same words stay
    (res,) = cased_agent.extract("philips sold a bull in a china shop.")
    (china,) = [d for d in res.decisions if d.kind == "entity" and d.mention.text == "china"]
    assert china.verdict == "accept"
