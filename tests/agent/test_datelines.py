"""A dateline ("BALTIMORE (AP) --") as the rules see it: dateline(Doc, Sentence) for a sentence
that is a dateline alone, and the news domain's switch for CoNLL04's reading of it as
orgbased_in(AP, BALTIMORE) (rules/datelines.rules, threshold(dateline_is_base, 1 | 0))."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import support.agent_fakes as fakes
from support.agent_fakes import RULES, build_tiny_graph, make_agent

TEXT = "BALTIMORE (AP) -- The AP said BALTIMORE was calm."


@pytest.fixture(autouse=True)
def names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fakes.NAMES, "BALTIMORE", ("Loc", 0.95))
    monkeypatch.setitem(fakes.NAMES, "AP", ("Org", 0.95))
    monkeypatch.setitem(fakes.RELATIONS, ("AP", "OrgBased_In", "BALTIMORE"), 0.95)


def _relations(agent) -> dict[int, object]:
    (res,) = agent.extract(TEXT)
    assert res.sentences[0] == "BALTIMORE (AP) --"  # the splitter cuts the dateline off the story
    return {d.sentence: d for d in res.decisions if d.kind == "relation"}


def test_by_default_a_datelines_agency_is_based_where_it_files_from() -> None:
    rels = _relations(make_agent(build_tiny_graph()))
    assert rels[0].verdict == "accept" and rels[1].verdict == "accept"


def test_the_switch_rejects_it_in_the_dateline_only(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    f = rules / "thresholds.rules"
    f.write_text(f.read_text().replace("threshold(dateline_is_base, 1).", "threshold(dateline_is_base, 0)."))
    rels = _relations(make_agent(build_tiny_graph(), rules=rules))
    assert rels[0].verdict == "reject" and "dateline" in rels[0].reason
    assert any("dateline(" in n.fact for n in _walk(rels[0].proof))
    assert rels[1].verdict == "accept"  # the story's own sentence says nothing of a dateline


def _walk(node):
    from kgagent.proofs import walk

    return list(walk(node))
