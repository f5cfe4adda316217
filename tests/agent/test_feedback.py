"""feedback.jsonl: accepted -> positive, hard reject -> negative, review / score-only reject -> out."""

from __future__ import annotations

from kgagent import Document
from kgagent.feedback import feedback_records
from kgagent.text import word_spans

TEXT = "Richard Parsons works for Time Warner in Boston. Cor van der Klugt heads Philips. Smith saw Acme."


def test_feedback_examples_follow_the_verdicts(agent) -> None:
    (res,) = agent.extract(Document("d1", TEXT), update_graph=False)
    by_id = {d.id: d for d in res.decisions}
    records = feedback_records(res)
    # sentence 2 (Smith in review, Acme rejected for its score only) has no validated outcome
    assert [r["meta"]["sentence"] for r in records] == [0, 1]
    first = records[0]
    assert first["tokens"] == [first["meta"]["text"][s:e] for s, e in word_spans(first["meta"]["text"])]
    ents = {(" ".join(first["tokens"][e["start"]:e["end"]]), e["type"]) for e in first["entities"]}
    assert ents == {("Richard Parsons", "Peop"), ("Time Warner", "Org"), ("Boston", "Loc")}
    rels = [(first["entities"][r["head"]]["start"], r["type"], first["entities"][r["tail"]]["start"])
            for r in first["relations"]]
    assert rels == [(0, "Work_For", 4)]  # work_for(Parsons, Time Warner), model labels
    # work_for(Parsons, Boston): rejected by a type rule -> negative; live_in at 0.2: score only -> left out
    (neg,) = first["negative_relations"]
    assert neg["type"] == "Work_For" and first["entities"][neg["tail"]]["start"] == 7
    assert by_id[neg["proof"]].verdict == "reject" and by_id[neg["proof"]].hard
    for r in records:
        for key in ("entities", "relations", "negative_entities", "negative_relations"):
            for item in r[key]:
                assert 0 < item["weight"] <= 1 and item["proof"] in by_id
    # sentence 1: work_for in review -> entities only
    assert records[1]["relations"] == [] and records[1]["negative_relations"] == []
    assert len(records[1]["entities"]) == 2


def test_graph_confirmed_positive_weighs_one(agent) -> None:
    (res,) = agent.extract(Document("d2", "Boston lies in Massachusetts."), update_graph=False)
    (rec,) = feedback_records(res)
    (rel,) = rec["relations"]
    assert rel["type"] == "Located_In" and rel["weight"] == 1.0
    (neg,) = rec["negative_relations"]  # the reverse direction contradicts the graph
    assert neg["weight"] == 1.0
