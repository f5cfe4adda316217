"""The agent evaluates a group of documents' rules at once (kgagent.rules.documents): every
decision, proof and rule count as deciding each document alone gives it."""

from __future__ import annotations

import json

import kgagent.rules.documents as documents
from kgagent import Document

TEXTS = [
    "Richard Parsons works for Time Warner in Boston.",
    "Boston lies in Texas, say some. Cor van der Klugt of Philips moved to New York.",
    "Smith met nobody at Acme. Massachusetts and Texas are in the United States.",
    "Richard Parsons lives in Boston, Massachusetts.",
    "Nothing here names anything.",
]


def _decide(agent, update_graph: bool = False) -> list[tuple[list[str], dict]]:
    docs = [Document(f"d{i}", t) for i, t in enumerate(TEXTS)]
    return [([json.dumps(d.to_dict(), sort_keys=True) for d in r.decisions], r.rule_firings)
            for r in agent.iter_extract(docs, update_graph=update_graph)]


def _group_sizes(monkeypatch) -> list[int]:
    """How many documents each rules evaluation takes (filled as the agent decides)."""
    seen: list[int] = []
    together_fn = documents.evaluate_documents

    def spy(engine, facts):
        seen.append(len(facts))
        return together_fn(engine, facts)

    monkeypatch.setattr(documents, "evaluate_documents", spy)
    return seen


def test_a_group_of_documents_is_decided_as_each_alone(agent, monkeypatch):
    seen = _group_sizes(monkeypatch)
    together = _decide(agent)
    assert seen and seen[0] == len(TEXTS)  # one evaluation for the group
    monkeypatch.setattr(documents, "evaluate_documents", lambda engine, facts: [engine.evaluate(f) for f in facts])
    alone = _decide(agent)
    assert together == alone
    assert sum(len(d) for d, _ in together) > 10
    verdicts = {json.loads(x)["verdict"] for d, _ in together for x in d}
    assert {"accept", "reject"} <= verdicts


def test_a_session_decides_one_document_at_a_time(agent, monkeypatch):
    # with update_graph each document is decided against the graph the ones before it changed
    seen = _group_sizes(monkeypatch)
    _decide(agent, update_graph=True)
    assert seen and set(seen) == {1}
