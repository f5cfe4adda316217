"""A document's candidates: the encoder's proposals for its sentences as mentions, relations,
pair scores and near misses at document offsets, in the ontology's names, with the IRI a new
entity gets. What the agent links, turns into rule facts and decides (kgagent.agent)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from kgagent.decisions import MentionResult, RelationResult, stable_id
from kgagent.schema import Document, SentenceProposals
from kgagent.text import crosses, hard_breaks, name_key


def round_score(x: float) -> float:
    """A score as decisions and rule facts carry it (4 decimals)."""
    return round(float(x), 4)


def new_entity_iri(text: str, label: str, within: str | None = None) -> str:
    """The IRI minted for a NIL mention: one per (case-folded name, type), across documents; with
    ``within`` (a graph entity the rules say it lies in: ``new_entity_in``), one per (name, type,
    that entity), so that two places of one name in two states are two entities."""
    from kgagent.kg.vocab import ENT, content_hash, slug

    parts = (name_key(text), label) + ((within,) if within else ())
    return str(ENT["new/" + slug(text) + "-" + content_hash(*parts, n=8)])


def class_scores(e: Any, label: str, normalize: Callable[[str], str]) -> dict[str, float]:
    """Every class's score of an entity proposal, in ontology names (labels mapping to one class
    add up); only its own label when the encoder gave no class scores."""
    out: dict[str, float] = defaultdict(float)
    for lab, sc in getattr(e, "scores", ()) or ():
        out[normalize(lab)] += float(sc)
    if not out:
        out[label] = float(e.score)
    return {c: round_score(v) for c, v in sorted(out.items())}


def document_candidates(doc: Document, spans: list[tuple[int, int]], proposals: Sequence[SentenceProposals],
                        normalize: Callable[[str], str], symmetric: frozenset[str] = frozenset()
                        ) -> tuple[list[MentionResult], list[RelationResult], dict[tuple[str, str], dict[str, float]],
                                   list[MentionResult]]:
    """Mentions, relations, pair scores ((head id, tail id) -> predicate -> score) and near misses
    (the spans the encoder nearly proposed, never linked nor paired) of a document.

    A relation of a ``symmetric`` predicate is one candidate per pair, its arguments in text
    order, scored by the better of the encoder's two directions (SciERC's compare(A, B) and
    compare(B, A) are one fact, decided once)."""
    mentions: dict[str, MentionResult] = {}  # by id, in order of appearance
    relations: dict[str, RelationResult] = {}
    pair_scores: dict[tuple[str, str], dict[str, float]] = {}
    misses: dict[str, MentionResult] = {}
    breaks = hard_breaks(doc.text)

    def mention(si: int, s0: int, e: Any) -> MentionResult | None:
        label = normalize(e.label)
        start, end = s0 + e.start, s0 + e.end
        if crosses(breaks, start, end):  # a mention never crosses a line break (soft wraps aside)
            return None
        return MentionResult(id=stable_id("m", doc.id, si, start, end, label), doc=doc.id, sentence=si, start=start,
                             end=end, text=doc.text[start:end], label=label, model_label=e.label,
                             score=round_score(e.score), sent_start=e.start, sent_end=e.end,
                             class_scores=class_scores(e, label, normalize))

    def ordered(pred: str, h: MentionResult, t: MentionResult) -> tuple[MentionResult, MentionResult]:
        return (t, h) if pred in symmetric and (t.start, t.end) < (h.start, h.end) else (h, t)

    def keep_best(h: MentionResult, t: MentionResult, pred: str, score: float) -> None:
        table = pair_scores.setdefault((h.id, t.id), {})
        table[pred] = max(table.get(pred, 0.0), score)

    for si, ((s0, _), prop) in enumerate(zip(spans, proposals)):
        local: dict[int, MentionResult] = {}
        for ei, e in enumerate(prop.entities):
            m = mention(si, s0, e)
            if m is not None:
                local[ei] = mentions.setdefault(m.id, m)
        for e in getattr(prop, "near_misses", ()) or ():
            m = mention(si, s0, e)
            if m is not None and m.id not in mentions:
                m.entity = new_entity_iri(m.text, m.label)  # never linked: a new entity, should the rules accept it
                misses.setdefault(m.id, m)
        for pair in getattr(prop, "pairs", ()) or ():
            if pair.head in local and pair.tail in local and pair.head != pair.tail:
                for lab, sc in pair.scores:
                    pred = normalize(lab)
                    keep_best(*ordered(pred, local[pair.head], local[pair.tail]), pred, round_score(sc))
        for r in prop.relations:
            if r.head not in local or r.tail not in local or r.head == r.tail:
                continue
            pred = normalize(r.label)
            h, t = ordered(pred, local[r.head], local[r.tail])
            rid = stable_id("r", doc.id, pred, h.id, t.id)
            score = round_score(r.score)
            same = relations.get(rid)
            if same is None:
                relations[rid] = RelationResult(id=rid, doc=doc.id, sentence=si, predicate=pred, model_label=r.label,
                                                head=h.id, tail=t.id, score=score)
            elif pred in symmetric and score > same.score:  # the other direction of a symmetric pair
                same.score, same.model_label = score, r.label
            keep_best(h, t, pred, score)
    return list(mentions.values()), list(relations.values()), pair_scores, list(misses.values())


__all__ = ["class_scores", "document_candidates", "new_entity_iri", "round_score"]
