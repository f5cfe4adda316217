"""What the reviewers together say about each decision: one judgement, or a conflict.

A reviewer's effective answer (their latest, not undone) that is a judgement (accept, reject,
relabel, span) counts; skips and flags do not. When every reviewer who judged a decision
gave the same judgement it stands, citing all their answers; when they differ the decision is
a conflict and no judgement stands (the page's conflict view shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgagent.review.store import DB_NAME, JUDGEMENTS, Answer, ReviewStore, answer_key, effective_answers


@dataclass(frozen=True)
class Judgement:
    """The reviewers' agreed answer on one decision."""

    decision: str
    action: str  # accept | reject | relabel | span
    label: str | None
    span: tuple[int, int] | None
    answers: tuple[str, ...]  # "a:<id>" of every answer behind it
    verdict: str  # the agent's verdict the reviewers saw

    def holds(self, d: dict[str, Any]) -> bool:
        """Whether the candidate, as the agent proposed it, is right by the reviewers: only an
        accept says so; a reject, another label or another span say it is not."""
        del d
        return self.action == "accept"


def judgements(rows: list[Answer]) -> tuple[dict[str, Judgement], dict[str, list[Answer]]]:
    """(decision -> agreed judgement, decision -> the conflicting answers) from answer rows."""
    by_decision: dict[str, list[Answer]] = {}
    for a in effective_answers(rows).values():
        if a.action in JUDGEMENTS:
            by_decision.setdefault(a.decision, []).append(a)
    agreed: dict[str, Judgement] = {}
    conflicts: dict[str, list[Answer]] = {}
    for decision, answers in sorted(by_decision.items()):
        answers.sort(key=lambda a: a.id)
        if len({answer_key(a) for a in answers}) > 1:
            conflicts[decision] = sorted(answers, key=lambda a: a.reviewer)
            continue
        a = answers[-1]
        span = (a.span_start, a.span_end) if a.span_start is not None and a.span_end is not None else None
        agreed[decision] = Judgement(decision, a.action, a.label, span, tuple(x.ref for x in answers), a.verdict)
    return agreed, conflicts


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
