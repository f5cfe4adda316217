"""The agent tests' fakes: a fake encoder, a tiny graph, a deterministic embedding (shared with tests/loop)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from kgagent.schema import EntityProposal, PairScores, RelationProposal, SentenceProposals
from support.kg_fakes import trigram_embed as kg_trigram_embed

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "agent"
RULES = REPO / "rules"

#: what the fake encoder "knows": surface -> (label, score)
NAMES = {
    "Richard Parsons": ("Peop", 0.95),
    "Time Warner": ("Org", 0.93),
    "Boston": ("Loc", 0.97),
    "Massachusetts": ("Loc", 0.96),
    "Texas": ("Loc", 0.95),
    "United States": ("Loc", 0.96),
    "Cor van der Klugt": ("Peop", 0.92),
    "Philips": ("Org", 0.9),
    "New York": ("Loc", 0.97),
    "Smith": ("Peop", 0.3),
    "Acme": ("Org", 0.1),
}
#: relations it proposes when both names occur in a sentence: (head, label, tail) -> score
RELATIONS = {
    ("Richard Parsons", "Work_For", "Time Warner"): 0.91,
    ("Richard Parsons", "Work_For", "Boston"): 0.88,
    ("Boston", "Located_In", "Massachusetts"): 0.45,
    ("Boston", "Located_In", "Texas"): 0.8,
    ("Massachusetts", "Located_In", "Boston"): 0.7,
    ("Cor van der Klugt", "Work_For", "Philips"): 0.4,
    ("Richard Parsons", "Live_In", "Boston"): 0.2,
    ("Cor van der Klugt", "Work_For", "New York"): 0.7,
    ("Philips", "OrgBased_In", "New York"): 0.8,
}


class FakeEncoder:
    """Proposes the NAMES found in a sentence and the RELATIONS between them (deterministic)."""

    entity_labels = ["Loc", "Org", "Other", "Peop"]
    relation_labels = ["Kill", "Live_In", "Located_In", "OrgBased_In", "Work_For"]
    name_or_path = "fake-encoder"

    def __init__(self) -> None:
        self.calls = 0
        self.sentences = 0
        self.config = SimpleNamespace(relation_threshold=0.5)  # proposals below it are not returned

    def propose(self, sentences: Sequence[str], batch_size: int = 32,
                relation_threshold: float | None = None) -> list[SentenceProposals]:
        threshold = self.config.relation_threshold if relation_threshold is None else relation_threshold
        self.calls += 1
        self.sentences += len(sentences)
        out = []
        for s in sentences:
            ents = []
            for name, (label, score) in NAMES.items():
                for m in re.finditer(rf"\b{re.escape(name)}\b", s):
                    ents.append(EntityProposal(m.start(), m.end(), label, score, name))
            ents.sort(key=lambda e: e.start)
            rels = []
            for i, h in enumerate(ents):
                for j, t in enumerate(ents):
                    for (a, label, b), score in RELATIONS.items():
                        if i != j and (a, b) == (h.text, t.text) and score >= threshold:
                            rels.append(RelationProposal(i, j, label, score))
            out.append(SentenceProposals(text=s, entities=ents, relations=rels))
        return out


def trigram_embed(texts, dim: int = 64) -> np.ndarray:
    """The graph tests' hashed-trigram embedding, 64 dimensions."""
    return kg_trigram_embed(texts, dim)


def build_tiny_graph():
    """Boston (city) in Massachusetts (region) in the United States (country); Texas (region)."""
    from rdflib import URIRef

    from kgagent.domain import Domain
    from kgagent.kg import KnowledgeGraph
    from kgagent.kg.vocab import term_iri

    kg = KnowledgeGraph()
    kg.add_ontology(Domain.load().ontology)  # the news domain's (kg_data/ontology.toml)
    us = kg.add_entity("United States", ["country"], aliases=["U.S.", "USA"], iri="urn:ex:us")
    ma = kg.add_entity("Massachusetts", ["region"], iri="urn:ex:ma")
    tx = kg.add_entity("Texas", ["region"], iri="urn:ex:tx")
    boston = kg.add_entity("Boston", ["city"], iri="urn:ex:boston")
    loc = term_iri("located_in")
    for s, o in ((boston, ma), (ma, us), (tx, us), (boston, us)):
        kg.add(URIRef(s), loc, URIRef(o))
    return kg


def make_agent(kg, encoder=None, rules: Path = RULES, **kw):
    from kgagent import Agent

    linker = kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False)
    return Agent.load(model=encoder or FakeEncoder(), kg=kg, rules=rules, linker=linker, **kw)


def patch_cli_agent(monkeypatch, make_encoder=FakeEncoder) -> None:
    """Make the CLI's Agent.load use ``make_encoder()`` and the trigram linker (real rules, real graph)."""
    from kgagent.agent import Agent

    original = Agent.load.__func__

    def load(cls, model=None, kg=None, rules=None, **kw):
        agent = original(cls, model=make_encoder(), kg=kg, rules=rules, **kw)
        agent._linker = agent.kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False)
        return agent

    monkeypatch.setattr(Agent, "load", classmethod(load))


class ScoredFakeEncoder:
    """Proposes each name of ``classes`` (surface -> model label -> score; the best is the label)
    found in a sentence, with every class's score, and the predicate scores of ``pairs`` ((head,
    tail) surfaces -> model label -> score), proposing those at or above the threshold asked for.
    With ``nested=False`` a name found inside a longer one ("Ottinger" in "James Ottinger") is
    not proposed there."""

    entity_labels = ["Loc", "Org", "Other", "Peop"]
    relation_labels = ["Kill", "Live_In", "Located_In", "OrgBased_In", "Work_For"]
    name_or_path = "scored-fake-encoder"

    def __init__(self, classes: dict, pairs: dict, nested: bool = True) -> None:
        self.classes = classes
        self.pairs = pairs
        self.nested = nested
        self.config = SimpleNamespace(relation_threshold=0.5)

    def propose(self, sentences: Sequence[str], batch_size: int = 32,
                relation_threshold: float | None = None) -> list[SentenceProposals]:
        threshold = self.config.relation_threshold if relation_threshold is None else relation_threshold
        out = []
        for s in sentences:
            ents = []
            for name, scores in self.classes.items():
                ranked = tuple(sorted(scores.items(), key=lambda x: -x[1]))
                for m in re.finditer(rf"\b{re.escape(name)}\b", s):
                    ents.append(EntityProposal(m.start(), m.end(), ranked[0][0], ranked[0][1], name, ranked))
            if not self.nested:
                ents = [e for e in ents if not any(o.start <= e.start and e.end <= o.end and o.end - o.start >
                                                   e.end - e.start for o in ents)]
            ents.sort(key=lambda e: e.start)
            rels, pairs = [], []
            for i, h in enumerate(ents):
                for j, t in enumerate(ents):
                    scores = self.pairs.get((h.text, t.text))
                    if i == j or not scores:
                        continue
                    pairs.append(PairScores(i, j, tuple(sorted(scores.items(), key=lambda x: -x[1]))))
                    rels += [RelationProposal(i, j, p, sc) for p, sc in scores.items() if sc >= threshold]
            out.append(SentenceProposals(s, ents, rels, pairs))
        return out
