"""Issue 12: a symmetric relation (SciERC's compare, conjunction) is decided once per pair,
whichever direction(s) the encoder proposed it in."""

from __future__ import annotations

from support.agent_fakes import REPO, ScoredFakeEncoder, trigram_embed

from kgagent import Agent, Document
from kgagent.domain import Domain
from kgagent.kg import KnowledgeGraph

SCIERC = REPO / "examples" / "scierc"
TEXT = "We compare CRF and HMM taggers for parsing."


class SciFake(ScoredFakeEncoder):
    entity_labels = ["Generic", "Material", "Method", "Metric", "OtherScientificTerm", "Task"]
    relation_labels = ["Compare", "Conjunction", "Evaluate-for", "Feature-of", "Hyponym-of", "Part-of", "Used-for"]


def _agent(pairs: dict) -> Agent:
    dom = Domain.load(SCIERC)
    kg = KnowledgeGraph()
    kg.add_ontology(dom.ontology)
    classes = {"CRF": {"Method": 0.9}, "HMM taggers": {"Method": 0.9}, "parsing": {"Task": 0.9}}
    return Agent.load(model=SciFake(classes, pairs), kg=kg, domain=dom,
                      linker=kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False))


def _relations(agent: Agent) -> list:
    (res,) = agent.extract(Document("d1", TEXT), update_graph=False)
    return [d for d in res.decisions if d.kind == "relation"]


def test_both_directions_of_a_symmetric_relation_are_one_decision_with_the_better_score() -> None:
    rels = _relations(_agent({("HMM taggers", "CRF"): {"Compare": 0.8}, ("CRF", "HMM taggers"): {"Compare": 0.6},
                              ("CRF", "parsing"): {"Used-for": 0.9}, ("parsing", "CRF"): {"Used-for": 0.7}}))
    compare = [d for d in rels if d.label == "compare"]
    assert len(compare) == 1
    (c,) = compare
    assert (c.head.text, c.tail.text, c.score) == ("CRF", "HMM taggers", 0.8)  # text order, the better score
    # a predicate that is not symmetric keeps both directions apart
    assert sorted((d.head.text, d.tail.text) for d in rels if d.label == "used_for") == [("CRF", "parsing"),
                                                                                        ("parsing", "CRF")]


def test_one_direction_alone_is_put_in_text_order() -> None:
    (c,) = [d for d in _relations(_agent({("HMM taggers", "CRF"): {"Conjunction": 0.75}})) if d.label == "conjunction"]
    assert (c.head.text, c.tail.text, c.score) == ("CRF", "HMM taggers", 0.75)


def test_facts_of_a_symmetric_relation_are_read_both_ways() -> None:
    """Agent.facts: compare(CRF, HMM taggers) is a fact about HMM taggers as the head too; a
    relation that is not symmetric is read as stated."""
    agent = _agent({("CRF", "HMM taggers"): {"Compare": 0.95}, ("CRF", "parsing"): {"Used-for": 0.95}})
    agent.extract(Document("d1", TEXT), update_graph=True)
    (fact,) = agent.facts("HMM taggers", "compare").facts
    assert (fact.subject_label, fact.predicate, fact.object_label) == ("CRF", "compare", "HMM taggers")
    assert [s.doc for s in fact.sources] == ["d1"]
    assert agent.facts("parsing", "used_for").facts == []
    assert [f.object_label for f in agent.facts("CRF", "used_for").facts] == ["parsing"]
