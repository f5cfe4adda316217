"""What changed between two runs over the same corpus: an edited rule file, another threshold,
a retrained model (``kgagent rules diff BEFORE AFTER``).

Reads two ``decisions.jsonl`` (or the ``--out`` directories that hold them) and pairs their
decisions: first by decision id (ids are content hashes of the document, the span and the
encoder's proposal, so with the same model and corpus every candidate keeps its id whatever the
rules decide), then, for a decision whose id the other run lacks (the encoder labelled the span
otherwise), by where it is: an entity by its document and character span, a relation by its
document, its arguments' spans and the predicate the encoder proposed.

A paired candidate has changed when its verdict, its label (the class or predicate after
repairs), for an entity the graph entity it was linked to, or the reason its deciding rule gave
differ. A candidate decided alike, for the same reason, by a rule of another id is not a
change: it is counted apart (``renumbered``), since an unnamed rule's id is its file and line,
which an edit above it moves (and a rule given a name since has a new id). Rule ids are compared
without their file's folder: the same rules read from a copy (``--rules my-rules/`` against the
domain's ``rules/``) keep their ids.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from kgagent.decisions import relation_name
from kgagent.errors import InputError, Location
from kgagent.rule_stats import Gold, decision_label, decision_span, decisions_path, numbered_decisions

#: what can differ for one candidate: its verdict, its label after repairs, its graph entity (an
#: entity's), the reason the deciding rule gave
ASPECTS = ("verdict", "label", "link", "reason")
#: a verdict's place holder in a transition when the candidate is absent from a run
ABSENT = "-"
#: the verdicts that put a candidate in a run's output (what F1 scores)
OUTPUT_VERDICTS = frozenset({"accept", "repair"})


@dataclass(frozen=True)
class Outcome:
    """One run's decision about a candidate, as far as a diff compares it."""

    id: str
    verdict: str
    label: str
    entity: str | None
    entity_label: str | None
    rule: str
    reason: str
    score: float | None

    @classmethod
    def of(cls, record: dict[str, Any]) -> Outcome:
        """The outcome a ``decisions.jsonl`` record states."""
        entity = record.get("entity") if record.get("kind") == "entity" else None
        name = record.get("entity_label") if entity else None
        score = record.get("score")
        return cls(id=str(record["id"]), verdict=str(record.get("verdict", "")), label=decision_label(record),
                   entity=str(entity) if entity else None, entity_label=str(name) if name else None,
                   rule=str(record.get("rule") or ""),
                   reason=str(record.get("reason") or ""),
                   score=float(score) if isinstance(score, int | float) else None)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "verdict": self.verdict, "label": self.label, "entity": self.entity,
                "entity_label": self.entity_label, "rule": self.rule, "reason": self.reason, "score": self.score}


@dataclass(frozen=True)
class Change:
    """A candidate decided otherwise in the two runs, or present in only one of them."""

    doc: str
    sentence: int | None
    kind: str
    text: str
    before: Outcome | None
    after: Outcome | None
    #: with a truth (gold, or reviewers' answers), per run: (output, right). Output: the run
    #: accepted or repaired the candidate; right: what it output is true, or, when it output
    #: nothing, the truth holds the candidate with none of the two runs' labels (a candidate the
    #: truth holds and a run leaves out is a miss). None without a truth or where it cannot tell
    judged_before: tuple[bool, bool] | None = None
    judged_after: tuple[bool, bool] | None = None

    @property
    def effect(self) -> str | None:
        """Against the truth: ``better`` (the after run is right about the candidate and the
        before run was not), ``worse``, ``alike`` (both right or both wrong); None when it cannot tell."""
        if self.judged_before is None or self.judged_after is None:
            return None
        right_before, right_after = self.judged_before[1], self.judged_after[1]
        return "alike" if right_before == right_after else ("better" if right_after else "worse")

    @property
    def aspects(self) -> tuple[str, ...]:
        """What differs (of :data:`ASPECTS`); ``()`` for a candidate of one run only."""
        if self.before is None or self.after is None:
            return ()
        b, a = self.before, self.after
        return tuple(x for x, differs in zip(ASPECTS, (b.verdict != a.verdict, b.label != a.label,
                                                       b.entity != a.entity, b.reason != a.reason)) if differs)

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "sentence": self.sentence, "kind": self.kind, "text": self.text,
                "changed": list(self.aspects) or ["only before" if self.after is None else "only after"],
                "before": self.before.to_dict() if self.before else None,
                "after": self.after.to_dict() if self.after else None, "effect": self.effect}


@dataclass
class DecisionDiff:
    """The two runs compared (see the module docstring)."""

    before: str
    after: str
    n_before: int
    n_after: int
    unchanged: int
    renumbered: int
    changes: list[Change] = field(default_factory=list)
    docs_only_before: int = 0
    docs_only_after: int = 0
    #: what judged the changes: ``gold``, ``reviewers`` (their answers about the before run), or None
    judge: str | None = None
    #: what the two runs were made with that differs (run.json's fingerprint: ``rules``, ``model``,
    #: ``graph``, ``domain`` ...); None when a run has no run.json beside its decisions
    differs_in: list[str] | None = None

    @property
    def effects(self) -> Counter[str]:
        """``better`` / ``worse`` / ``alike`` / ``not judged`` -> changes (with a judge)."""
        return Counter(c.effect or "not judged" for c in self.changes)

    def output_delta(self, kind: str) -> tuple[int, int]:
        """With a judge: how the changes move the ``kind`` candidates output (accepted or
        repaired) that it holds and that it does not: (true positives after - before, false
        positives after - before). Fewer false positives and more true ones raise F1."""
        tp = fp = 0
        for c in self.changes:
            if c.kind != kind or c.judged_before is None or c.judged_after is None:
                continue
            for sign, (output, right) in ((-1, c.judged_before), (1, c.judged_after)):
                if output:
                    tp, fp = (tp + sign, fp) if right else (tp, fp + sign)
        return tp, fp

    @property
    def transitions(self) -> Counter[tuple[str, str, str]]:
        """(kind, verdict before, verdict after) -> candidates, over the changes (``-``: absent)."""
        return Counter((c.kind, c.before.verdict if c.before else ABSENT, c.after.verdict if c.after else ABSENT)
                       for c in self.changes)

    def count(self, aspect: str) -> int:
        """Changes that differ in ``aspect`` (one of :data:`ASPECTS`, ``only before``, ``only after``)."""
        if aspect == "only before":
            return sum(1 for c in self.changes if c.after is None)
        if aspect == "only after":
            return sum(1 for c in self.changes if c.before is None)
        return sum(1 for c in self.changes if aspect in c.aspects)

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "differs_in": self.differs_in,
                "decisions_before": self.n_before,
                "decisions_after": self.n_after, "unchanged": self.unchanged, "renumbered": self.renumbered,
                "documents_only_before": self.docs_only_before, "documents_only_after": self.docs_only_after,
                "counts": {a: self.count(a) for a in (*ASPECTS, "only before", "only after")},
                "judge": self.judge,
                "judged": ({"effects": dict(self.effects),
                            "output_delta": {k: dict(zip(("true_positives", "false_positives"), self.output_delta(k)))
                                             for k in ("entity", "relation")}} if self.judge else None),
                "transitions": [{"kind": k, "before": b, "after": a, "count": n}
                                for (k, b, a), n in sorted(self.transitions.items())],
                "changes": [c.to_dict() for c in self.changes]}


def _text(record: dict[str, Any]) -> str:
    if record.get("kind") == "relation":
        head, tail = record.get("head") or {}, record.get("tail") or {}
        return relation_name(_proposed(record), str(head.get("text", "?")), str(tail.get("text", "?")))
    return repr(str(record.get("text", "")))


def _proposed(record: dict[str, Any]) -> str:
    """The label the encoder proposed (before a repair changed it)."""
    repair = record.get("repair")
    if isinstance(repair, dict) and repair.get("from"):
        return str(repair["from"])
    return decision_label(record)


def place_key(record: dict[str, Any]) -> tuple[Any, ...] | None:
    """Where a candidate is, whatever label the encoder gave it: an entity's document and span; a
    relation's document, its arguments' spans and its proposed predicate (``None``: no span)."""
    doc, kind = str(record.get("doc", "")), str(record.get("kind", ""))
    if kind == "relation":
        head, tail = decision_span(record.get("head")), decision_span(record.get("tail"))
        if head is None or tail is None:
            return None
        return doc, kind, head, tail, _proposed(record)
    span = decision_span(record)
    return (doc, kind, span) if span is not None else None


def _records(path: Path) -> list[dict[str, Any]]:
    """The decisions of one run, refusing an id written twice."""
    seen: dict[str, int] = {}
    out = []
    for lineno, record in numbered_decisions(path):
        did = str(record["id"])
        if did in seen:
            raise InputError(f"decision {did} is written a second time (first on line {seen[did]}): "
                             "two runs appended to one file?", code="KGA453", location=Location(str(path), lineno))
        seen[did] = lineno
        out.append(record)
    return out


def _pair(before: list[dict[str, Any]], after: list[dict[str, Any]]
          ) -> Iterable[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Each candidate's records in the two runs, in the after run's order, then the rest of before's."""
    by_id = {str(r["id"]): r for r in before}
    left = {str(r["id"]) for r in after}
    unmatched_before = [r for r in before if str(r["id"]) not in left]
    by_place: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in unmatched_before:
        key = place_key(r)
        if key is not None:
            by_place.setdefault(key, []).append(r)
    used: set[str] = set()
    for r in after:
        old = by_id.get(str(r["id"]))
        if old is None:
            key = place_key(r)
            candidates = by_place.get(key, []) if key is not None else []
            old = candidates.pop(0) if candidates else None
        if old is not None:
            used.add(str(old["id"]))
        yield old, r
    for r in unmatched_before:
        if str(r["id"]) not in used:
            yield r, None


def _fingerprint(decisions: Path) -> dict[str, Any] | None:
    """The fingerprint of the run that wrote ``decisions`` (its run.json), if it can be read."""
    try:
        data = json.loads((decisions.parent / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    fp = data.get("fingerprint") if isinstance(data, dict) else None
    return fp if isinstance(fp, dict) else None


class Truth(Protocol):
    """What judges a decision record: :class:`kgagent.rule_stats.Gold`, :class:`ReviewedTruth`."""

    def holds(self, decision: dict[str, Any]) -> bool | None: ...


class ReviewedTruth:
    """The reviewers' agreed answers about the run they reviewed (``kgagent review`` on BEFORE)
    as a truth for its diff: a candidate they accepted holds with the label they saw, one they
    relabelled with their label, one they rejected or re-spanned with none. The labels they saw
    are those of the reviewed run's records (``seen``; :func:`diff_decisions` gives them from the
    run it reads, so the file is read once)."""

    def __init__(self, agreed: Mapping[str, Any], seen: Mapping[str, str] | None = None) -> None:
        self.agreed = agreed  # decision id -> kgagent.review.judgements.Judgement
        self.seen = seen  # decision id -> its label in the reviewed run

    def seeing(self, records: Iterable[dict[str, Any]]) -> ReviewedTruth:
        """This truth with the labels of the reviewed run's ``records``."""
        return ReviewedTruth(self.agreed, {str(r["id"]): decision_label(r) for r in records
                                           if str(r["id"]) in self.agreed})

    @classmethod
    def of(cls, out: str | Path) -> ReviewedTruth | None:
        """The answers stored beside the run in ``out`` (None when nobody judged a decision)."""
        from kgagent.review.judgements import read_judgements

        agreed, _ = read_judgements(decisions_path(out).parent)
        return cls(agreed) if agreed else None

    def holds(self, decision: dict[str, Any]) -> bool | None:
        j = self.agreed.get(str(decision.get("id", "")))
        if j is None:
            return None
        label = decision_label(decision)
        if j.action == "accept":  # right with the label they saw (None: not known, not judged)
            seen = self.seen.get(j.decision) if self.seen is not None else None
            return None if seen is None else label == seen
        if j.action == "relabel":
            return label == j.label
        return False


def _judged(old: dict[str, Any] | None, new: dict[str, Any] | None, truth: Truth | None
            ) -> tuple[tuple[bool, bool] | None, tuple[bool, bool] | None]:
    """(output, right) of each run's record of one candidate (see ``Change.judged_before``); a run
    without the candidate output nothing."""
    if truth is None:
        return None, None
    holds = [truth.holds(r) if r is not None else None for r in (old, new)]
    if holds[0] is None and holds[1] is None:
        return None, None
    held = any(holds)  # the truth holds the candidate with one of the runs' labels

    def side(record: dict[str, Any] | None, own: bool | None) -> tuple[bool, bool] | None:
        if record is None or str(record.get("verdict", "")) not in OUTPUT_VERDICTS:
            return False, not held
        return None if own is None else (True, own)

    return side(old, holds[0]), side(new, holds[1])


def rule_in_file(rule: str) -> str:
    """A rule id without its file's folder (``my-rules/words.rules:7`` -> ``words.rules:7``).

    >>> rule_in_file("rules/words.rules:nationality_not_place")
    'words.rules:nationality_not_place'
    >>> rule_in_file("encoder")
    'encoder'
    """
    file, sep, within = rule.rpartition(":")
    return f"{PurePosixPath(file).name}:{within}" if sep and file else rule


def diff_decisions(before: str | Path, after: str | Path, truth: Truth | None = None,
                   judge: str = "gold", kind: str | None = None) -> DecisionDiff:
    """Compare two runs' decisions (``--out`` directories or ``decisions.jsonl`` files); with a
    ``truth`` (:class:`kgagent.rule_stats.Gold`, :class:`ReviewedTruth`; ``judge`` names it),
    judge each change (``Change.effect``); with ``kind`` (``entity``, ``relation``), only the
    decisions of that kind.

    Raises InputError (KGA450: no decisions file; KGA451: a line that is not a decision, with its
    file and line; KGA453: a decision written twice in one file).
    """
    paths = decisions_path(before), decisions_path(after)
    runs = [[r for r in _records(p) if kind is None or r.get("kind") == kind] for p in paths]
    if isinstance(truth, Gold):
        truth.require_documents((str(r.get("doc", "")) for run in runs for r in run), paths[1].parent)
    if isinstance(truth, ReviewedTruth) and truth.seen is None:  # answers about the run before
        truth = truth.seeing(runs[0])
    fingerprints = [_fingerprint(p) for p in paths]
    docs = [{str(r.get("doc", "")) for r in run} for run in runs]
    result = DecisionDiff(before=str(paths[0]), after=str(paths[1]), n_before=len(runs[0]), n_after=len(runs[1]),
                          unchanged=0, renumbered=0, docs_only_before=len(docs[0] - docs[1]),
                          docs_only_after=len(docs[1] - docs[0]),
                          judge=judge if truth is not None else None)
    if fingerprints[0] is not None and fingerprints[1] is not None:
        result.differs_in = sorted(k for k in {*fingerprints[0], *fingerprints[1]}
                                   if fingerprints[0].get(k) != fingerprints[1].get(k))
    for old, new in _pair(*runs):
        record = new if new is not None else old
        assert record is not None
        judged = _judged(old, new, truth)
        change = Change(doc=str(record.get("doc", "")),
                        sentence=record.get("sentence") if isinstance(record.get("sentence"), int) else None,
                        kind=str(record.get("kind", "")), text=_text(record),
                        before=Outcome.of(old) if old is not None else None,
                        after=Outcome.of(new) if new is not None else None,
                        judged_before=judged[0], judged_after=judged[1])
        if change.before is not None and change.after is not None and not change.aspects:
            b, a = change.before, change.after
            if rule_in_file(b.rule) != rule_in_file(a.rule) and b.reason == a.reason:
                result.renumbered += 1
            result.unchanged += 1
            continue
        result.changes.append(change)
    return result


__all__ = ["ABSENT", "ASPECTS", "OUTPUT_VERDICTS", "Change", "DecisionDiff", "Outcome", "ReviewedTruth", "Truth",
           "diff_decisions", "place_key", "rule_in_file"]
