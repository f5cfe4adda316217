"""What the reviewers together say about each decision: one judgement, or a conflict.

A reviewer's latest judgement (accept, reject, relabel, span) that no undo took back counts; a
skip or a flag after it does not take it back (a skip only moves the queue along; a flag asks for
discussion and its note travels with the judgement: ``Judgement.flags``). When every reviewer who
judged a decision gave the same judgement it stands, citing all their answers; when they differ
the decision is a conflict and no judgement stands (the page's conflict view shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgagent.review.store import DB_NAME, Answer, ReviewStore, answer_key, standing_answers


@dataclass(frozen=True)
class Judgement:
    """The reviewers' agreed answer on one decision."""

    decision: str
    action: str  # accept | reject | relabel | span
    label: str | None
    span: tuple[int, int] | None
    answers: tuple[str, ...]  # "a:<id>" of every answer behind it
    verdict: str  # the agent's verdict the reviewers saw
    #: the flags still open on the decision (after a reviewer's judgement, not undone), each
    #: ``{"answer": "a:<id>", "reviewer": ..., "note": ...}`` (note None when none was given)
    flags: tuple[dict[str, Any], ...] = ()

    def holds(self, d: dict[str, Any]) -> bool:
        """Whether the candidate, as the agent proposed it, is right by the reviewers: only an
        accept says so; a reject, another label or another span say it is not."""
        del d
        return self.action == "accept"


def judgements(rows: list[Answer]) -> tuple[dict[str, Judgement], dict[str, list[Answer]]]:
    """(decision -> agreed judgement, decision -> the conflicting answers) from answer rows."""
    by_decision: dict[str, list[Answer]] = {}
    flags: dict[str, list[Answer]] = {}
    for s in standing_answers(rows).values():
        flags.setdefault(s.last.decision, []).extend(s.flags)
        if s.judgement is not None:
            by_decision.setdefault(s.judgement.decision, []).append(s.judgement)
    agreed: dict[str, Judgement] = {}
    conflicts: dict[str, list[Answer]] = {}
    for decision, answers in sorted(by_decision.items()):
        answers.sort(key=lambda a: a.id)
        if len({answer_key(a) for a in answers}) > 1:
            conflicts[decision] = sorted(answers, key=lambda a: a.reviewer)
            continue
        a = answers[-1]
        span = (a.span_start, a.span_end) if a.span_start is not None and a.span_end is not None else None
        open_flags = tuple({"answer": f.ref, "reviewer": f.reviewer, "note": f.note}
                           for f in sorted(flags.get(decision, []), key=lambda f: f.id))
        agreed[decision] = Judgement(decision, a.action, a.label, span, tuple(x.ref for x in answers), a.verdict,
                                     open_flags)
    return agreed, conflicts


def open_flags(rows: list[Answer]) -> dict[str, list[Answer]]:
    """decision -> the flags still open on it (after the flagging reviewer's judgement, if any;
    not undone), oldest first."""
    out: dict[str, list[Answer]] = {}
    for s in standing_answers(rows).values():
        if s.flags:
            out.setdefault(s.last.decision, []).extend(s.flags)
    return {d: sorted(fs, key=lambda f: f.id) for d, fs in sorted(out.items())}


def read_flags(out: str | Path, db: str | Path | None = None) -> dict[str, list[Answer]]:
    """The open flags (:func:`open_flags`) stored for the extraction in ``out`` (as
    :func:`read_judgements` reads the database)."""
    from kgagent.review.items import extraction_fingerprint

    path = Path(db) if db is not None else Path(out) / DB_NAME
    if not path.exists():
        return {}
    fp, parts = extraction_fingerprint(Path(out))
    with ReviewStore(path, fp, parts=parts, read_only=True) as store:
        return open_flags(store.answers())


def read_judgements(out: str | Path, db: str | Path | None = None) -> tuple[dict[str, Judgement], dict[str, list[Answer]]]:
    """The judgements stored for the extraction in ``out`` (empty when it has no database).

    The database must belong to this extraction (KGA471 otherwise); it is opened read-only.
    """
    from kgagent.review.items import extraction_fingerprint

    out = Path(out)
    path = Path(db) if db is not None else out / DB_NAME
    if not path.exists():
        return {}, {}
    fp, parts = extraction_fingerprint(out)
    with ReviewStore(path, fp, parts=parts, read_only=True) as store:
        return judgements(store.answers())


class ReviewTruth:
    """The reviewers' judgements as a truth to measure rules against (``Gold``'s ``holds``)."""

    def __init__(self, agreed: dict[str, Judgement]) -> None:
        self.agreed = agreed

    def holds(self, decision: dict[str, Any]) -> bool | None:
        """True / False when reviewers judged the decision, None when nobody (or a conflict)."""
        j = self.agreed.get(str(decision.get("id", "")))
        return None if j is None else j.holds(decision)
