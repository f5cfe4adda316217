"""Dataclasses shared by every part of kgagent (the encoder, the graph, the rules, the agent).

Nothing here imports torch, rdflib or the rule engine: this module is the bottom of the
import graph. Character offsets are always ``[start, end)`` into the text they refer to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class EntityProposal:
    """A mention the encoder proposes inside one sentence (offsets relative to that sentence)."""

    start: int
    end: int
    label: str
    score: float
    text: str = ""
    #: the calibrated score of every class label of the model, ``(label, score)`` best first
    #: (empty when the encoder does not tell: then only ``label`` is known)
    scores: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class PairScores:
    """The encoder's score of each predicate (its best few above a floor) for one ordered pair
    of a sentence's entity proposals, whether or not a relation was proposed for it."""

    head: int  # index into SentenceProposals.entities
    tail: int
    scores: tuple[tuple[str, float], ...]  # (relation label, calibrated score), best first


@dataclass(frozen=True)
class RelationProposal:
    """A relation the encoder proposes between two of the sentence's entity proposals."""

    head: int  # index into SentenceProposals.entities
    tail: int
    label: str
    score: float


@dataclass
class SentenceProposals:
    """What the encoder proposes for one sentence."""

    text: str
    entities: list[EntityProposal] = field(default_factory=list)
    relations: list[RelationProposal] = field(default_factory=list)
    #: predicate scores of the entity pairs (empty when the encoder does not tell)
    pairs: list[PairScores] = field(default_factory=list)
    #: spans the encoder did not propose but nearly did (asked for with ``near_miss_floor``)
    near_misses: list[EntityProposal] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document, with its offsets into the document text."""

    doc: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Document:
    """One document of a corpus; ``source`` names where it came from (file and line)."""

    id: str
    text: str
    source: str = ""


@dataclass(frozen=True)
class Candidate:
    """One knowledge-graph entity a mention may refer to, with a similarity in [0, 1]."""

    entity: str  # IRI
    label: str
    score: float
    types: tuple[str, ...] = ()


@dataclass
class Link:
    """The linker's answer for one mention: the chosen entity, or NIL (``entity is None``)."""

    mention: str
    entity: str | None
    score: float
    method: str  # "alias" | "index" | "nil" (the linker); "coherence" (Linker.cohere); "document_name" (Agent.validate)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def is_nil(self) -> bool:
        return self.entity is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ProofNode:
    """Why a fact holds: a base fact (``source`` says where from) or a rule applied to premises."""

    fact: str
    rule: str | None = None  # the rule of a derived fact: "shared/relations.rules:tail_kind", "rules/x.rules:12"
    source: str | None = None  # "encoder", "graph", "linker", ... for a base fact
    premises: list["ProofNode"] = field(default_factory=list)
    #: a derived fact this proof unfolded earlier (a proof too large to repeat its branches:
    #: ``PROOF_UNFOLD_LIMIT``); shown without its premises
    proved_above: bool = False

    def own_dict(self) -> dict[str, Any]:
        """This node's fields as JSON-ready values (its premises left out)."""
        out: dict[str, Any] = {"fact": self.fact}
        if self.rule is not None:
            out["rule"] = self.rule
        if self.source is not None:
            out["source"] = self.source
        if self.proved_above:
            out["proved_above"] = True
        return out

    def to_dict(self) -> dict[str, Any]:
        """The proof as JSON-ready dicts (``premises`` only where there are some); built without
        recursion, as a proof may be tens of thousands of facts deep (a long chain of places)."""
        root = self.own_dict()
        todo = [(self, root)]
        while todo:
            node, out = todo.pop()
            if node.premises:
                kids = [p.own_dict() for p in node.premises]
                out["premises"] = kids
                todo.extend(zip(node.premises, kids))
        return root

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ProofNode":
        """The proof :meth:`to_dict` wrote (without recursion)."""
        def own(d: dict[str, Any]) -> "ProofNode":
            return cls(fact=d["fact"], rule=d.get("rule"), source=d.get("source"),
                       proved_above=d.get("proved_above") is True)

        root = own(data)
        todo = [(data, root)]
        while todo:
            d, node = todo.pop()
            kids = d.get("premises", [])
            node.premises = [own(k) for k in kids]
            todo.extend(zip(kids, node.premises))
        return root


@dataclass(frozen=True)
class Provenance:
    """Where an accepted fact came from; stored in the graph beside the fact."""

    doc: str
    sentence: int
    start: int
    end: int
    score: float
    rule: str = ""
    decision: str = ""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
