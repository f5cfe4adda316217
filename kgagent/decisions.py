"""What the agent decides, as data: mentions, relations, decisions with proofs, graph deltas.

Everything here is plain dataclasses with ``to_dict()``; ids are content hashes, so the same
document processed twice gives the same ids (``m:`` mention, ``r:`` relation, ``d:`` decision).

Verdicts. For each candidate X the rules may derive ``accept(X)``, ``repair(X, reason)`` (accepted
with a label the joint decision corrected), ``review(X, reason)`` and ``reject(X, reason)``; when
several fire the strongest wins: **reject > review > repair > accept**. A candidate no rule
decides gets ``review`` with the reason ``no rule decided``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kgagent.ids import stable_id  # noqa: F401 - re-exported: the agent and the tools import it from here
from kgagent.proofs import predicate, walk
from kgagent.schema import Link, ProofNode, Provenance

VERDICTS = ("reject", "review", "repair", "accept")  # strongest first
#: the verdicts that put a candidate into the graph (a repair is accepted with a corrected label)
ACCEPTING = ("accept", "repair")
UNDECIDED_REASON = "no rule decided"

#: where each base predicate of the rule vocabulary comes from (shown in proofs)
SOURCES = {
    "mention": "encoder", "relation": "encoder", "score": "encoder", "text": "encoder",
    "in_doc": "encoder", "in_sentence": "encoder",
    "link": "linker", "nil": "linker", "candidate": "linker",
    "type": "graph", "subclass": "graph", "signature": "graph", "functional": "graph",
    "triple": "graph", "label": "graph",
    "claim": "claim", "model_threshold": "encoder",
    "class_score": "encoder", "predicate_score": "encoder",
    "joint_type": "joint decision", "joint_predicate": "joint decision", "joint_margin": "joint decision",
    "type_votes": "memory", "name_type": "encoder",
    "demonym": "graph", "shape": "text", "name_part": "text", "name_suffix": "ontology", "short_name": "ontology",
    "derived_word": "ontology", "cue": "text",
}

#: what a claim (Agent.validate) states itself: its relation, score, names and their place, not the encoder
CLAIM_SOURCES = {p: "claim" for p in ("mention", "relation", "score", "text", "in_doc", "in_sentence")}


@dataclass
class MentionResult:
    """An entity mention the encoder proposed, with its link."""

    id: str
    doc: str
    sentence: int
    start: int  # character offsets into the document text
    end: int
    text: str
    label: str  # normalised (person, organization, location, other)
    model_label: str  # the encoder's own label, as its training data wrote it
    score: float
    sent_start: int = 0  # offsets into the sentence text
    sent_end: int = 0
    link: Link | None = None
    entity: str | None = None  # the linked graph entity, or the new entity minted for it
    #: the encoder's score of every class (ontology names); empty when the encoder does not tell
    class_scores: dict[str, float] = field(default_factory=dict)
    #: the label before a repair retyped it (None: not retyped)
    repaired_from: str | None = None
    #: the graph entity the linker gave it and the rules took away ({"entity", "label"}; ``unlink``:
    #: the shared types.rules or a domain's rules); None: kept
    unlinked_from: dict[str, str] | None = None
    #: the graph entity the linker gave it before the rules named another (``relink``)
    relinked_from: dict[str, str] | None = None
    #: the mention of the document whose full name this one shortens, and whose entity it is
    #: ({"mention", "text", "part"}; ``same_entity``: "Ottinger" for "James Ottinger", part "last";
    #: kgagent.names); None: its own
    short_for: dict[str, str] | None = None

    @property
    def entity_label(self) -> str | None:
        """The graph label of the linked entity (None for a new entity)."""
        if self.link is None or self.link.is_nil:
            return None
        for c in self.link.candidates:
            if c.entity == self.link.entity:
                return c.label
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "span": [self.start, self.end], "type": self.label,
                "model_label": self.model_label, "score": round(self.score, 4),
                "entity": self.entity, "entity_label": self.entity_label,
                "linked": bool(self.link and not self.link.is_nil),
                "link_score": round(self.link.score, 4) if self.link else None,
                "link_method": self.link.method if self.link else None,
                **({"repaired_from": self.repaired_from} if self.repaired_from else {}),
                **({"unlinked_from": dict(self.unlinked_from)} if self.unlinked_from else {}),
                **({"relinked_from": dict(self.relinked_from)} if self.relinked_from else {}),
                **({"short_for": dict(self.short_for)} if self.short_for else {})}


@dataclass
class RelationResult:
    """A relation the encoder proposed between two mentions of one sentence."""

    id: str
    doc: str
    sentence: int
    predicate: str  # the ontology's name (the label map's translation of the model's label)
    model_label: str  # "Work_For"
    head: str  # mention ids
    tail: str
    score: float


@dataclass
class Decision:
    """The verdict on one candidate (a mention or a relation), with its reason and proof."""

    id: str
    doc: str
    sentence: int
    kind: str  # "entity" | "relation"
    subject: str  # the mention or relation id the rules spoke about
    verdict: str  # accept | review | reject
    reason: str
    rule: str | None
    proof: ProofNode | None
    score: float
    label: str = ""  # entity type or relation predicate (normalised)
    model_label: str = ""
    mention: MentionResult | None = None  # kind == "entity"
    head: MentionResult | None = None  # kind == "relation"
    tail: MentionResult | None = None
    others: list[dict[str, str]] = field(default_factory=list)  # the other verdicts that fired
    sentence_text: str = ""
    #: the names of the other ids in the proof: graph entities (their labels), the sentence's other
    #: mentions (their text) and relations (:func:`relation_name`)
    labels: dict[str, str] = field(default_factory=dict)
    #: a repair of the encoder's label: {"kind": "retype" | "relabel", "from", "to", "margin"}
    repair: dict[str, Any] | None = None
    #: the link the rules took away from this mention (``unlink``): {"entity", "label", "reason",
    #: "rule", "proof"} (None: its link, if any, stands)
    unlink: dict[str, Any] | None = None
    #: the graph entity the rules named for this mention instead of the linker's (``relink``):
    #: {"entity", "label", "from": {"entity", "label"}, "reason", "rule", "proof"}
    relink: dict[str, Any] | None = None
    #: the full name whose entity this mention is (``same_entity``): {"mention", "text", "entity",
    #: "reason", "rule", "proof"}, and "from": {"entity", "label"} when it was linked to another
    #: graph entity (None: the mention is its own entity, or its name's)
    same_as: dict[str, Any] | None = None
    #: what the agent could not decide about this candidate, in words (e.g. the joint decision's bound)
    notes: list[str] = field(default_factory=list)
    #: the encoder's score of each label the candidate could have, best first: every class of a
    #: mention, the best few predicates of a relation's pair; empty when the encoder does not tell
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        """Accepted as it is or repaired: the candidate goes into the graph."""
        return self.verdict in ACCEPTING

    @property
    def hard(self) -> bool:
        """A reject that rests on more than a score threshold (feedback uses it as a negative)."""
        return self.verdict == "reject" and not score_only(self.proof)

    @property
    def graph_supported(self) -> bool:
        """The proof uses a fact of the graph about these entities (a ``triple``)."""
        return _uses(self.proof, "triple")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "doc": self.doc, "sentence": self.sentence, "kind": self.kind,
                               "subject": self.subject}
        if self.kind == "entity" and self.mention is not None:
            out.update(type=self.label, model_label=self.model_label, text=self.mention.text,
                       span=[self.mention.start, self.mention.end], entity=self.mention.entity,
                       entity_label=self.mention.entity_label,
                       linked=bool(self.mention.link and not self.mention.link.is_nil),
                       link_score=round(self.mention.link.score, 4) if self.mention.link else None)
            if self.mention.unlinked_from:
                out["unlinked_from"] = dict(self.mention.unlinked_from)
            if self.mention.relinked_from:
                out["relinked_from"] = dict(self.mention.relinked_from)
            if self.mention.short_for:
                out["short_for"] = dict(self.mention.short_for)
        else:
            out.update(predicate=self.label, model_label=self.model_label,
                       head=self.head.to_dict() if self.head else None,
                       tail=self.tail.to_dict() if self.tail else None)
        out.update(score=round(self.score, 4), verdict=self.verdict, reason=self.reason, rule=self.rule,
                   others=self.others, sentence_text=self.sentence_text)
        if self.repair:
            out["repair"] = dict(self.repair)
        if self.notes:
            out["notes"] = list(self.notes)
        if self.scores:
            out["scores"] = dict(sorted(self.scores.items(), key=lambda x: (-x[1], x[0])))
        if self.labels:
            out["labels"] = dict(sorted(self.labels.items()))
        for key in ("unlink", "relink", "same_as"):
            change = getattr(self, key)
            if change:
                proof = change.get("proof")
                out[key] = {**change, "proof": proof.to_dict() if isinstance(proof, ProofNode) else proof}
        out["proof"] = self.proof.to_dict() if self.proof else None
        return out


def relation_name(predicate: str, head: str, tail: str) -> str:
    """How a relation is named in words: ``p('Ann', 'Boston')`` (explanations, proofs' labels)."""
    return f"{predicate}('{head}', '{tail}')"


@dataclass(frozen=True)
class EntityMentionRecord:
    """One accepted mention of a new entity: where it is, and the short name it called the
    entity by ("Ottinger" of "James Ottinger"; empty when it used the label)."""

    provenance: Provenance
    short_name: str = ""
    #: the short name names the entity anywhere, not only beside its full name (its initials:
    #: "KDP" of the Kurdistan Democratic Party, or its name without its legal form: "Montedison"
    #: of "Montedison SPA"; a surname names many people): written as an alias
    alias: bool = False


@dataclass
class NewEntity:
    """An entity the document introduces (a NIL mention that was accepted)."""

    iri: str
    label: str
    types: tuple[str, ...]
    provenance: Provenance
    #: every accepted mention of it in the document, in order (the first is ``provenance``'s), each
    #: written as its own mention record: a reviewer who rejects one mention leaves the others'
    #: (empty: one record, at ``provenance``)
    mentions: tuple[EntityMentionRecord, ...] = ()

    @property
    def records(self) -> tuple[EntityMentionRecord, ...]:
        """The mention records it writes: ``mentions``, or one at ``provenance``."""
        return self.mentions or (EntityMentionRecord(self.provenance),)

    @property
    def short_names(self) -> tuple[str, ...]:
        """The other names the document called it by, each part of the label (``same_entity``: "Ottinger")."""
        return tuple(sorted({r.short_name for r in self.mentions} - {"", self.label}))


@dataclass
class NewFact:
    """A relation between entities, accepted, with where it came from."""

    subject: str
    predicate: str
    object: str
    provenance: Provenance


@dataclass
class GraphDelta:
    """What one document adds to the graph. Applying it twice changes nothing (ids are hashes)."""

    doc: str
    entities: list[NewEntity] = field(default_factory=list)
    facts: list[NewFact] = field(default_factory=list)
    #: accepted mentions linked to entities that earlier documents introduced: (entity, record),
    #: a mention record each (the corpus memory's votes), no label or type
    mentions: list[tuple[str, EntityMentionRecord]] = field(default_factory=list)

    def apply(self, kg: Any) -> None:
        """Add the entities and facts to a KnowledgeGraph (idempotent)."""
        def record(iri: str, r: EntityMentionRecord) -> None:
            kg.add_mention(iri, r.provenance, short_names=(r.short_name,) if r.short_name else ())
            if r.alias:
                kg.add_alias(iri, r.short_name, r.provenance)

        for e in self.entities:  # its description, in the document's graph, and its mentions' records
            kg.add_entity(e.label, list(e.types), provenance=e.provenance, iri=e.iri)
            for r in e.records:
                record(e.iri, r)
        for iri, r in self.mentions:
            record(iri, r)
        for f in self.facts:
            kg.add_fact(f.subject, f.predicate, f.object, f.provenance)

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc,
                "entities": [{"iri": e.iri, "label": e.label, "types": list(e.types),
                              **({"short_names": list(e.short_names)} if e.short_names else {})}
                             for e in self.entities],
                "facts": [{"subject": f.subject, "predicate": f.predicate, "object": f.object,
                           "decision": f.provenance.decision} for f in self.facts],
                **({"mentions": [{"entity": iri, "decision": r.provenance.decision,
                                  **({"short_name": r.short_name} if r.short_name else {})}
                                 for iri, r in self.mentions]} if self.mentions else {})}


@dataclass
class DocumentResult:
    """Everything the agent found and decided in one document."""

    doc: str
    text_hash: str
    sentences: list[str]
    mentions: list[MentionResult]
    relations: list[RelationResult]
    decisions: list[Decision]
    delta: GraphDelta
    timings: dict[str, float] = field(default_factory=dict)
    rule_firings: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the agent could not decide, in words

    def by_verdict(self, verdict: str) -> list[Decision]:
        return [d for d in self.decisions if d.verdict == verdict]

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "text_hash": self.text_hash, "sentences": self.sentences,
                "decisions": [d.to_dict() for d in self.decisions], "delta": self.delta.to_dict(),
                "timings": self.timings, **({"notes": list(self.notes)} if self.notes else {})}


def pick_verdict(accepted: bool, reviews: list[str], rejects: list[str],
                 repairs: list[str] | None = None) -> tuple[str, str]:
    """The winning verdict and its reason: reject > review > repair > accept > undecided (review).

    >>> pick_verdict(True, ["uncertain"], [])
    ('review', 'uncertain')
    >>> pick_verdict(True, [], [], ["retyped"])
    ('repair', 'retyped')
    >>> pick_verdict(False, [], [])
    ('review', 'no rule decided')
    """
    if rejects:
        return "reject", sorted(rejects)[0]
    if reviews:
        return "review", sorted(reviews)[0]
    if repairs:
        return "repair", sorted(repairs)[0]
    if accepted:
        return "accept", ""
    return "review", UNDECIDED_REASON


def verdicts(model: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The verdict of each id in an evaluated rules Model, with reasons and the deciding proof.

    Returns id -> {"verdict", "reason", "fact": (pred, args) or None, "others": [...]}; the
    proof of the winning fact is ``model.proof(*fact)``. Among several reasons of the winning
    verdict, the one with the shortest proof wins (ties: alphabetical).
    """
    want = set(ids)
    acc = {a[0] for a in model.facts("accept") if a and a[0] in want} if "accept" in model.predicates() else set()
    rev: dict[str, list[str]] = {}
    rej: dict[str, list[str]] = {}
    rep: dict[str, list[str]] = {}
    for pred, table in (("review", rev), ("reject", rej), ("repair", rep)):
        if pred not in model.predicates():
            continue
        for args in model.facts(pred):
            if len(args) >= 2 and args[0] in want:
                table.setdefault(args[0], []).append(str(args[1]))
    out: dict[str, dict[str, Any]] = {}
    for x in ids:
        rejects, reviews, repairs = rej.get(x, []), rev.get(x, []), rep.get(x, [])
        verdict, reason = pick_verdict(x in acc, reviews, rejects, repairs)
        fact = None
        if verdict in ("reject", "review", "repair") and reason != UNDECIDED_REASON:
            pool = {"reject": rejects, "review": reviews, "repair": repairs}[verdict]
            best = sorted(pool, key=lambda r: (_height(model, verdict, (x, r)), r))[0]
            reason, fact = best, (verdict, (x, best))
        elif verdict == "accept":
            fact = ("accept", (x,))
        others = [{"verdict": "reject", "reason": r} for r in sorted(rejects)]
        others += [{"verdict": "review", "reason": r} for r in sorted(reviews)]
        others += [{"verdict": "repair", "reason": r} for r in sorted(repairs)]
        if x in acc:
            others.append({"verdict": "accept", "reason": ""})
        others = [o for o in others if not (o["verdict"] == verdict and o["reason"] == reason)]
        out[x] = {"verdict": verdict, "reason": reason, "fact": fact, "others": others}
    return out


def _height(model: Any, pred: str, args: tuple) -> int:
    try:
        return int(model.proof_height(pred, args))
    except Exception:  # a model without proofs: fall back to the reason's order
        return 0


def label_sources(node: ProofNode | None, overrides: Mapping[str, str] | None = None) -> ProofNode | None:
    """Replace ``source="base"`` in a proof by where the base fact came from (encoder, graph...);
    ``overrides`` (predicate -> source) where the caller knows better: a claim's relation was
    stated by whoever gave the claim, not proposed by the encoder."""
    if node is None:
        return None
    for n in walk(node):
        if n.source == "base":
            n.source = (overrides or {}).get(predicate(n)) or SOURCES.get(predicate(n), "input")
    return node


def score_only(node: ProofNode | None) -> bool:
    """Whether a verdict's deciding rule compares a score with a ``threshold(...)`` directly,
    or rests on another verdict that does (a relation rejected because its mention scored low).
    Thresholds deeper in the proof (say, how sure a link must be) do not count."""
    if node is None:
        return False
    for p in node.premises:
        head = predicate(p)
        if head == "threshold":
            return True
        if head in ("reject", "review") and score_only(p):
            return True
    return False


def _uses(node: ProofNode | None, pred: str) -> bool:
    return any(predicate(n) == pred for n in walk(node))


#: the parts of a full name (kgagent.names) that name its entity anywhere, not only beside it: its
#: initials and its name without its suffixes; a first or last name names many
ALIAS_PARTS = ("initials", "stem")


def graph_delta(doc: str, decisions: list[Decision]) -> GraphDelta:
    """What a document's decisions add to the graph: its accepted new entities (one per IRI,
    labelled with the full name, a mention record for each accepted mention), the records of
    mentions linked to entities earlier documents introduced, and its accepted facts."""
    from kgagent.kg.vocab import is_new_entity

    delta = GraphDelta(doc=doc)
    records: dict[str, list[EntityMentionRecord]] = {}  # a new entity -> its accepted mentions' records
    labels: dict[str, tuple[str, str]] = {}  # a new entity -> its label and class, from its first mention
    recorded: set[str] = set()  # mentions with a record

    def entity(m: MentionResult, d: Decision) -> None:
        linked = m.link is not None and not m.link.is_nil
        if m.entity is None or m.id in recorded or (linked and not is_new_entity(m.entity)):
            return  # curated entities get no mention records
        recorded.add(m.id)
        short = " ".join(m.text.split()) if m.short_for else ""
        alias = bool(short) and m.short_for.get("part") in ALIAS_PARTS
        record = EntityMentionRecord(Provenance(doc=doc, sentence=m.sentence, start=m.start, end=m.end,
                                                score=m.score, rule=d.rule or "", decision=d.id), short, alias=alias)
        if linked:  # an entity an earlier document introduced: one more mention of it
            delta.mentions.append((m.entity, record))
            return
        labels.setdefault(m.entity, (m.short_for["text"] if m.short_for else m.text, m.label))  # "James Ottinger"
        records.setdefault(m.entity, []).append(record)

    for d in decisions:
        if d.accepted and d.kind == "entity" and d.mention is not None:
            entity(d.mention, d)
    for d in decisions:
        if not d.accepted or d.kind != "relation" or d.head is None or d.tail is None:
            continue
        entity(d.head, d)
        entity(d.tail, d)
        start, end = min(d.head.start, d.tail.start), max(d.head.end, d.tail.end)
        delta.facts.append(NewFact(subject=d.head.entity or "", predicate=d.label, object=d.tail.entity or "",
                                   provenance=Provenance(doc=doc, sentence=d.sentence, start=start, end=end,
                                                         score=d.score, rule=d.rule or "", decision=d.id)))
    for iri, rs in records.items():
        label, kind = labels[iri]
        delta.entities.append(NewEntity(iri=iri, label=label, types=(kind,), provenance=rs[0].provenance,
                                        mentions=tuple(rs)))
    return delta
