"""A word made of a place's name and "-based" (the ontology's derived_suffixes): the agent says so
(derived_word), and the news geography rules read it as where the organisation is based."""

from __future__ import annotations

from support.agent_fakes import RULES, ScoredFakeEncoder, build_tiny_graph, trigram_embed

from kgagent import Agent, Document
from kgagent.domain import Domain
from kgagent.explain import explain_decision

TEXT = "Acme Corp, the Boston-based maker of widgets, said sales rose."


def test_a_based_word_says_where_the_organisation_is_based() -> None:
    """The encoder is unsure of orgbased_in(Acme Corp, Boston-based) (0.6, its threshold 0.7):
    the word, linked to Boston, is the evidence, and the relation is accepted with it."""
    kg = build_tiny_graph()
    dom = Domain.load()
    enc = ScoredFakeEncoder({"Acme Corp": {"Org": 0.95}, "Boston-based": {"Other": 0.8}},
                            {("Acme Corp", "Boston-based"): {"OrgBased_In": 0.6}})
    enc.config.relation_threshold = 0.7
    linker = kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False, **dom.linker_options())
    agent = Agent.load(model=enc, kg=kg, rules=RULES, linker=linker, domain=dom)
    (res,) = agent.extract(Document("d1", TEXT), update_graph=False)
    (rel,) = [d for d in res.decisions if d.kind == "relation"]
    text = explain_decision(rel.to_dict())
    assert rel.verdict == "accept", text
    assert "the word says the organisation is based in that place" in text
    assert "'Boston-based' is a word made of a name and '-based'" in text and "[ontology]" in text
    assert "'Boston-based' is linked to the graph entity Boston" in text
