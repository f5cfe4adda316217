"""Validated outcomes -> training examples (``feedback.jsonl``, the format of contracts.md).

Per sentence with at least one validated outcome, one JSON object:

- an **accepted** mention -> a positive entity; an accepted relation whose two mentions are
  accepted -> a positive relation; a **repaired** one (verdict ``repair``) likewise, with its
  repaired label (the joint decision's class or predicate, in the model's own label);
- a mention or relation **rejected by a hard rule** (a reject whose deciding rule does not
  compare a score with a ``threshold(...)``, nor rest on a verdict that does: not merely a low
  score; see ``kgagent.decisions.score_only``) -> a negative entity / relation; a
  negative relation needs its two mentions among the sentence's positive entities (its head
  and tail index that list), otherwise the rejected mention's own negative carries the signal;
- **review** (and score-only rejects) -> left out: nobody knows yet.

Labels are the model's own (as its training data wrote them); offsets are token offsets over
``kgagent.text.word_spans`` of the sentence text; ``proof`` is the id of the decision that
justified the example. Weights lie in (0, 1]: a positive weighs its model score, or 1.0 when
the graph confirms it; a negative weighs ``HARD_GRAPH_WEIGHT`` when the graph's facts prove it
wrong and ``HARD_LABEL_WEIGHT`` when only the encoder's own labels do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kgagent.decisions import Decision, DocumentResult, _uses
from kgagent.text import word_spans

HARD_GRAPH_WEIGHT = 1.0
HARD_LABEL_WEIGHT = 0.7
MIN_WEIGHT = 0.05


def token_span(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Token offsets [first, last+1) of the tokens overlapping the character span, or None.

    >>> token_span([(0, 7), (8, 15), (16, 21)], 8, 21)
    (1, 3)
    """
    idx = [i for i, (s, e) in enumerate(spans) if s < end and e > start]
    if not idx:
        return None
    return idx[0], idx[-1] + 1


def positive_weight(d: Decision) -> float:
    """Weight of an accepted outcome: 1.0 if the graph confirms it, else its model score."""
    if d.graph_supported:
        return 1.0
    return round(min(1.0, max(MIN_WEIGHT, float(d.score))), 4)


def negative_weight(d: Decision) -> float:
    """Weight of a hard reject: the graph's facts weigh more than the encoder's own labels."""
    graph = _uses(d.proof, "type") or _uses(d.proof, "triple") or _uses(d.proof, "link")
    return HARD_GRAPH_WEIGHT if graph else HARD_LABEL_WEIGHT


@dataclass(frozen=True)
class Outcome:
    """One validated outcome in a sentence, as the feedback format writes it.

    An entity has character offsets into the sentence text and a ``key`` (its mention id); a
    relation names its two arguments by their keys and is written only when both are positive
    entities of the sentence. ``extra`` adds keys to the written item (say, a review answer).
    """

    kind: str  # "entity" | "relation"
    label: str  # the model's own label
    positive: bool
    weight: float
    proof: str  # the decision that justifies it
    start: int = 0
    end: int = 0
    key: str = ""
    head: str = ""
    tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def sentence_record(text: str, doc: str, sentence: int, outcomes: list[Outcome],
                    source: str = "feedback") -> dict[str, Any] | None:
    """The feedback example of one sentence from its outcomes (None when nothing is left).

    Entities keep their given order; an entity whose span covers no token is dropped, and so
    is a relation whose arguments are not both positive entities. A mention that keeps the
    sentence's last stop in its text ("First Boston Corp.": kgagent.text.name_end) ends before
    that stop's token, as the model reads it.

    >>> rec = sentence_record("He joined Acme Corp.", "d", 0, [Outcome("entity", "Org", True, 1.0, "d:1", 10, 20)])
    >>> [rec["tokens"][e["start"]:e["end"]] for e in rec["entities"]]
    [['Acme', 'Corp']]
    """
    spans = word_spans(text)
    tokens = [text[s:e] for s, e in spans]
    entities: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    negative_entities: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    negative_relations: list[dict[str, Any]] = []
    for o in outcomes:
        if o.kind != "entity":
            continue
        tok = token_span(spans, o.start, o.end)
        if tok is None:
            continue
        if tok[1] - tok[0] > 1 and tokens[tok[1] - 1] == ".":  # the stop is the sentence's token
            tok = (tok[0], tok[1] - 1)
        item = {"type": o.label, "start": tok[0], "end": tok[1], "weight": o.weight, "proof": o.proof, **o.extra}
        if o.positive:
            if o.key:
                index[o.key] = len(entities)
            entities.append(item)
        else:
            negative_entities.append(item)
    for o in outcomes:
        if o.kind != "relation":
            continue
        h, t = index.get(o.head), index.get(o.tail)
        if h is None or t is None:
            continue
        item = {"type": o.label, "head": h, "tail": t, "proof": o.proof, "weight": o.weight, **o.extra}
        (relations if o.positive else negative_relations).append(item)
    if not (entities or negative_entities or relations or negative_relations):
        return None
    return {"tokens": tokens, "entities": entities, "relations": relations,
            "negative_entities": negative_entities, "negative_relations": negative_relations,
            "meta": {"doc": doc, "sentence": sentence, "text": text, "source": source}}


def feedback_records(result: DocumentResult) -> list[dict[str, Any]]:
    """The feedback examples of one document, one dict per sentence with a validated outcome."""
    by_sentence: dict[int, list[Decision]] = defaultdict(list)
    for d in result.decisions:
        if d.accepted or (d.verdict == "reject" and d.hard):
            by_sentence[d.sentence].append(d)
    out = []
    for si in sorted(by_sentence):
        decisions = sorted(by_sentence[si], key=lambda d: (d.kind != "entity",
                                                            d.mention.sent_start if d.mention else 0, d.id))
        outcomes: list[Outcome] = []
        for d in decisions:
            accepted = d.accepted
            weight = positive_weight(d) if accepted else negative_weight(d)
            if d.kind == "entity" and d.mention is not None:
                outcomes.append(Outcome("entity", d.model_label, accepted, weight, d.id, d.mention.sent_start,
                                        d.mention.sent_end, key=d.mention.id))
            elif d.kind == "relation" and d.head is not None and d.tail is not None:
                outcomes.append(Outcome("relation", d.model_label, accepted, weight, d.id,
                                        head=d.head.id, tail=d.tail.id))
        record = sentence_record(result.sentences[si], result.doc, si, outcomes)
        if record is not None:
            out.append(record)
    return out
