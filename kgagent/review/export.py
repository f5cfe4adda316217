"""Reviewers' answers -> feedback examples (the format of :mod:`kgagent.feedback`).

Each judged decision becomes labels of its sentence at the top weight (``REVIEW_WEIGHT``),
each item citing its decision (``proof``) and the answers behind it (``answers``: ``a:<id>``
rows of ``reviews.sqlite``):

- entity accepted -> a positive entity; rejected -> a negative entity; relabelled -> a
  negative of the old type and a positive of the new; span fixed -> a negative of the old
  span and a positive of the new one;
- relation accepted -> a positive relation (its arguments become positive entities, unless a
  reviewer said otherwise about them); rejected -> a negative relation; relabelled -> a
  negative of the old predicate and a positive of the new. A relation is written only when
  both its arguments are positive entities of the sentence (reviewed, implied by an accepted
  relation, or accepted or repaired by the agent, at the agent's weight); a judged one whose
  argument is none (a reject of one the agent did not accept, an accept of one whose argument
  a reviewer rejected) is left out and counted (``unplaced_relations``).

A reviewer's judgement stands through a later skip or flag of theirs (only another judgement
or an undo replaces it); a flag's note (``"flags": [{"answer", "reviewer", "note"}]``) goes
with the labels of the judgement it was made on, and the judgement is counted as flagged
(``flagged``) only when its own label is written (a flagged judgement left out, its span not
placed or its relation's argument no entity, is counted with those left out); a flagged
decision nobody judged writes nothing and is counted (``flagged_unjudged``).

Labels are written as the model's own (``model_label``), mapped from the normalised names by
the pairs the decisions themselves show; a new label no decision pairs with a model label is
left out and counted. Conflicting answers are left out and counted.

Each record says it judges single decisions (``meta["annotates"] = {"entities": [],
"relations": "judged"}``, kgagent.encoder.sources): the trainer puts loss on the judged spans
and pairs only. Without it a sentence holding one answer taught that the rest of it is empty,
and answers made the model worse (benchmarks/feedback_loop/README.md, run 3).
``agent_accepts=True`` also writes, in each answered sentence, the decisions the agent accepted
and nobody judged, at the agent's weight.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.decisions import ACCEPTING
from kgagent.encoder.data import FEEDBACK_LABEL_KEYS, write_feedback
from kgagent.errors import InputError, Location
from kgagent.feedback import MIN_WEIGHT, Outcome, sentence_record
from kgagent.review.items import ReviewSet, label_of
from kgagent.review.judgements import Judgement, read_flags, read_judgements
from kgagent.review.store import DB_NAME, valid_span

REVIEW_WEIGHT = 1.0  # the top of the feedback weights (0, 1]
JUDGED_ONLY = {"entities": [], "relations": "judged"}  # a record's scheme: only its judged labels teach
EXPORT_NAME = "review_feedback.jsonl"


@dataclass
class ExportReport:
    """What an export wrote and what it left out."""

    path: str
    sentences: int = 0
    judgements: int = 0
    items: dict[str, int] = field(default_factory=dict)  # entities / relations / negative_* -> n
    conflicts: int = 0
    unmapped_labels: list[str] = field(default_factory=list)
    unplaced: int = 0  # judgements whose span could not be placed in the sentence
    #: judged relations left out: an argument is no positive entity of the sentence (the agent did
    #: not accept it, or a reviewer rejected it), and a relation names two of them
    unplaced_relations: int = 0
    unknown_answers: int = 0  # answers on decisions decisions.jsonl does not hold (left out)
    #: judged decisions with an open flag whose own label was written, the flag's note with it ("flags")
    flagged: int = 0
    #: flagged decisions nobody judged (nothing to train on), each {"decision", "flags": [{answer, reviewer, note}]}
    flagged_unjudged: list[dict[str, Any]] = field(default_factory=list)
    unknown_decisions: list[str] = field(default_factory=list)  # those decisions, sorted

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _judged(siblings: list[dict[str, Any]], agreed: dict[str, Judgement], kind: str,
            report: "ExportReport", flagged: set[str]) -> Iterator[tuple[dict[str, Any], Judgement, dict[str, Any]]]:
    """The decisions of one kind the reviewers agreed on, each with its judgement and the
    ``extra`` that traces a feedback label to the answers (counted in ``report``; the flagged
    ones' ids added to ``flagged``)."""
    for d in siblings:
        j = agreed.get(str(d["id"]))
        if j is None or d.get("kind") != kind:
            continue
        report.judgements += 1
        extra: dict[str, Any] = {"answers": list(j.answers)}
        if j.flags:  # flagged for discussion after (or beside) the answer: the notes travel with the label
            extra["flags"] = [dict(f) for f in j.flags]
            flagged.add(str(d["id"]))
        yield d, j, extra


def review_records(reviews: ReviewSet, agreed: dict[str, Judgement],
                   report: ExportReport | None = None, agent_accepts: bool = False) -> list[dict[str, Any]]:
    """The feedback examples of the judged decisions, one per sentence, in document order
    (``agent_accepts``: with the agent's unjudged accepts of those sentences, see the module)."""
    report = report if report is not None else ExportReport(path="")
    model = reviews.model_labels()
    unmapped: set[str] = set()

    def model_label(kind: str, label: str) -> str | None:
        found = model.get((kind, label))
        if found is None:
            unmapped.add(f"{kind}:{label}")
        return found

    by_sentence: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for decision_id in agreed:
        d = reviews.by_id.get(decision_id)
        if d is not None:
            by_sentence.setdefault(reviews.sentence_key(d), []).append(d)
    records = []
    doc_order = {doc: i for i, doc in enumerate(reviews.docs())}
    for key in sorted(by_sentence, key=lambda k: (doc_order.get(k[0], 0), k[1])):
        siblings = reviews.siblings(by_sentence[key][0])
        entity_of = {str(s.get("subject")): s for s in siblings if s.get("kind") == "entity"}
        entities: dict[str, Outcome] = {}  # mention key -> positive entity
        negatives: list[Outcome] = []
        relations: list[Outcome] = []
        flagged_entities: set[str] = set()
        flagged_relations: set[str] = set()
        for d, j, extra in _judged(siblings, agreed, "entity", report, flagged_entities):
            span = reviews.local_span(d, d.get("span"))
            if span is None:
                report.unplaced += 1
                continue
            old = str(d.get("model_label") or model_label("entity", label_of(d)) or "")
            mkey = str(d.get("subject") or d["id"])
            if j.action == "accept":
                entities[mkey] = Outcome("entity", old, True, REVIEW_WEIGHT, d["id"], *span, key=mkey, extra=extra)
                continue
            negatives.append(Outcome("entity", old, False, REVIEW_WEIGHT, d["id"], *span, extra=extra))
            if j.action == "relabel" and j.label and (new := model_label("entity", j.label)):
                entities[mkey] = Outcome("entity", new, True, REVIEW_WEIGHT, d["id"], *span, key=mkey, extra=extra)
            elif j.action == "span" and j.span is not None:
                fixed = reviews.local_span(d, list(j.span))
                if fixed is None:
                    report.unplaced += 1
                elif old:
                    entities[mkey] = Outcome("entity", old, True, REVIEW_WEIGHT, d["id"], *fixed, key=mkey,
                                             extra=extra)
        rejected_mentions = {str(d.get("subject")) for d in siblings if d.get("kind") == "entity"
                             and (j := agreed.get(str(d["id"]))) is not None and j.action == "reject"}
        if agent_accepts:
            for d in siblings:
                mkey = str(d.get("subject") or d["id"])
                if (d.get("kind") != "entity" or d.get("verdict") not in ACCEPTING or str(d["id"]) in agreed
                        or mkey in entities or mkey in rejected_mentions):
                    continue
                span = reviews.local_span(d, d.get("span"))
                label = str(d.get("model_label") or model_label("entity", label_of(d)) or "")
                if span is not None and label:
                    entities[mkey] = Outcome("entity", label, True, _agent_weight(d), str(d["id"]), *span, key=mkey)
        for d, j, extra in _judged(siblings, agreed, "relation", report, flagged_relations):
            head, tail = d.get("head") or {}, d.get("tail") or {}
            hk, tk = str(head.get("id", "")), str(tail.get("id", ""))
            implied = j.action in ("accept", "relabel")
            for arg, mkey in ((head, hk), (tail, tk)):
                if mkey in entities or mkey in rejected_mentions:
                    continue
                own = entity_of.get(mkey)
                span = reviews.local_span(d, arg.get("span"))
                label = str(arg.get("model_label") or model_label("entity", str(arg.get("type") or "")) or "")
                if span is None or not label:
                    continue
                if implied:
                    entities[mkey] = Outcome("entity", label, True, REVIEW_WEIGHT, d["id"], *span, key=mkey,
                                             extra=extra)
                elif own is not None and own.get("verdict") in ACCEPTING:  # (a repair with its new label)
                    label = str(own.get("model_label") or label)
                    entities[mkey] = Outcome("entity", label, True, _agent_weight(own), str(own["id"]), *span,
                                             key=mkey)
            old = str(d.get("model_label") or model_label("relation", label_of(d)) or "")
            if j.action == "accept":
                relations.append(Outcome("relation", old, True, REVIEW_WEIGHT, d["id"], head=hk, tail=tk, extra=extra))
                continue
            if old:
                relations.append(Outcome("relation", old, False, REVIEW_WEIGHT, d["id"], head=hk, tail=tk,
                                         extra=extra))
            if j.action == "relabel" and j.label and (new := model_label("relation", j.label)):
                relations.append(Outcome("relation", new, True, REVIEW_WEIGHT, d["id"], head=hk, tail=tk,
                                         extra=extra))
        if agent_accepts:
            for d in siblings:
                old = str(d.get("model_label") or model_label("relation", label_of(d)) or "")
                if d.get("kind") == "relation" and d.get("verdict") == "accept" and str(d["id"]) not in agreed and old:
                    head, tail = d.get("head") or {}, d.get("tail") or {}
                    relations.append(Outcome("relation", old, True, _agent_weight(d), str(d["id"]),
                                             head=str(head.get("id", "")), tail=str(tail.get("id", ""))))
        # a relation names two positive entities of its sentence: a reviewer's answer on one that
        # cannot be written (the agent did not accept an argument, or a reviewer rejected it) is told
        report.unplaced_relations += len({o.proof for o in relations
                                          if o.extra and (o.head not in entities or o.tail not in entities)})
        ordered = sorted(entities.values(), key=lambda o: (o.start, o.end)) + negatives + relations
        first = by_sentence[key][0]
        record = sentence_record(str(first.get("sentence_text") or ""), key[0], key[1], ordered, source="review")
        if record is None:
            continue
        # a span "fixed" to the tokens it had (the edit left as it was, or moved over white space or
        # the sentence's stop), a label "changed" to itself, are confirmations: never a negative of
        # the very label the positive has
        positive = {(e["type"], e["start"], e["end"]) for e in record["entities"]}
        record["negative_entities"] = [n for n in record["negative_entities"]
                                       if (n["type"], n["start"], n["end"]) not in positive]
        linked = {(r["type"], r["head"], r["tail"]) for r in record["relations"]}  # (a relabel to its own label)
        record["negative_relations"] = [n for n in record["negative_relations"]
                                        if (n["type"], n["head"], n["tail"]) not in linked]
        record.setdefault("meta", {})["annotates"] = dict(JUDGED_ONLY)
        # a flagged judgement counts where its own label is written (an accepted relation left out
        # may still have written its arguments, with its flags: that is not the relation exported)
        written_entities = {str(x["proof"]) for name in ("entities", "negative_entities") for x in record[name]}
        written_relations = {str(x["proof"]) for name in ("relations", "negative_relations") for x in record[name]}
        report.flagged += len(flagged_entities & written_entities) + len(flagged_relations & written_relations)
        records.append(record)
        for name in FEEDBACK_LABEL_KEYS:
            report.items[name] = report.items.get(name, 0) + len(record[name])
    report.sentences = len(records)
    report.unmapped_labels = sorted(unmapped)
    return records


def export_reviews(out: str | Path, to: str | Path | None = None, db: str | Path | None = None,
                   agent_accepts: bool = False) -> ExportReport:
    """Write the reviewers' answers in ``out`` as feedback examples (``out/review_feedback.jsonl``
    unless ``to``), atomically; returns what was written and left out.

    Answers on decisions that ``decisions.jsonl`` does not hold (a later run of the extraction
    over other documents) are left out and counted (``unknown_answers``, ``unknown_decisions``);
    when that is every answer, nothing is written: InputError KGA471 (the answers belong to
    another run). An agreed answer the review page could not have written (a relabel without a
    label, a span whose ends are not integers start < end: a hand-edited database) is InputError
    KGA472 naming the database and the answers, and nothing is written: such an answer is never
    turned into a negative. No database at all (``db``, default ``out/reviews.sqlite``) is
    InputError KGA483 and nothing is written: an earlier export is never replaced by an empty one."""
    if to is not None:  # a --to that cannot be a file: KGA510 before any work, not the OS's error after it
        from kgagent.review.policy import check_save_path

        check_save_path(to, example=EXPORT_NAME)
    reviews = ReviewSet.load(out)
    db_path = str(Path(db) if db is not None else reviews.out / DB_NAME)
    if not Path(db_path).is_file():
        raise InputError(f"no answers database {db_path}: nothing to export, nothing written (answer with "
                         f"`kgagent review {reviews.out}` first, or give the database with --db)", code="KGA483")
    agreed, conflicts = read_judgements(reviews.out, db)
    _check_answers(agreed, db_path)
    target = Path(to) if to is not None else reviews.out / EXPORT_NAME
    check_not_an_input(target, reviews.out, Path(db_path))
    report = ExportReport(path=str(target), conflicts=len(conflicts))
    unknown = {d: j for d, j in agreed.items() if d not in reviews.by_id}
    unknown_conflicts = [d for d in conflicts if d not in reviews.by_id]
    report.unknown_answers = sum(len(j.answers) for j in unknown.values()) + sum(
        len(conflicts[d]) for d in unknown_conflicts)
    report.unknown_decisions = sorted([*unknown, *unknown_conflicts])
    if report.unknown_answers and len(unknown) == len(agreed) and len(unknown_conflicts) == len(conflicts):
        example = report.unknown_decisions[0]
        raise InputError(f"none of the {report.unknown_answers} answer(s) is on a decision of "
                         f"{reviews.out / 'decisions.jsonl'} (e.g. {example}): they were made on another run of "
                         "this extraction; nothing written", code="KGA471", location=Location(db_path))
    records = review_records(reviews, agreed, report, agent_accepts=agent_accepts)
    report.flagged_unjudged = [{"decision": d, "flags": [{"answer": f.ref, "reviewer": f.reviewer, "note": f.note}
                                                         for f in fs]}
                               for d, fs in read_flags(reviews.out, db).items()
                               if d not in agreed and d not in conflicts and d in reviews.by_id]
    write_feedback(records, target)
    return report


#: the files of an extraction's folder that an export must never replace
EXTRACTION_FILES = ("decisions.jsonl", "run.json", "graph.nq", "feedback.jsonl", "summary.json", "progress.jsonl")


def check_not_an_input(target: Path, out: Path, db: Path, option: str = "--to") -> None:
    """InputError KGA485 when ``target`` is a file of the extraction (its decisions, run.json,
    graph, the agent's feedback...) or the answers database: ``--to out/decisions.jsonl``
    replaced the decisions with the export, and the page and every later export lost them."""
    protected = {out / name for name in EXTRACTION_FILES} | {
        db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), db.with_name(db.name + ".lock")}
    resolved = target.resolve()
    for path in sorted(protected):
        if resolved == path.resolve():
            raise InputError(f"{option} {target} is {path.name} of the extraction in {out}, which must be kept; "
                             "give another file, nothing written", code="KGA485")


def _check_answers(agreed: dict[str, Judgement], db_path: str) -> None:
    """InputError KGA472 naming the database and each agreed answer the review page could not have
    written (ReviewStore.add refuses them): a relabel without a new label, a span without integer
    ends ``0 <= start < end``."""
    bad = []
    for decision, j in sorted(agreed.items()):
        ref = j.answers[-1] if j.answers else "?"
        if j.action == "relabel" and not (isinstance(j.label, str) and j.label.strip()):
            bad.append(f"{ref} on {decision}: relabel without a new label ({json.dumps(j.label)})")
        elif j.action == "span" and not valid_span(j.span):
            ends = "none" if j.span is None else ", ".join(json.dumps(x) for x in j.span)
            bad.append(f"{ref} on {decision}: a span whose ends ({ends}) are not integers start < end")
    if bad:
        shown = "; ".join(bad[:5]) + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise InputError(f"{len(bad)} answer(s) the review page could not have written (a hand-edited "
                         f"database?): {shown}; undo or fix them, nothing written", code="KGA472",
                         location=Location(db_path))


def _agent_weight(d: dict[str, Any]) -> float:
    """An agent-accepted argument's weight, as the agent's own feedback weighs it."""
    proof = json.dumps(d.get("proof") or {})
    if '"triple(' in proof:
        return 1.0
    return round(min(1.0, max(MIN_WEIGHT, float(d.get("score") or 0.0))), 4)
