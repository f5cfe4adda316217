"""The review queue: which decisions a reviewer sees, in which order, and how far they are.

By default the ``review`` verdicts come first, then rejects, then accepts; within each, the
most uncertain first (score closest to its kind's accept boundary,
:func:`~kgagent.review.items.accept_boundaries`). A :class:`~kgagent.review.policy.Policy`
can order the queue instead (see :mod:`kgagent.review.policy`: random, uncertainty, margin, margin-mentions, yield,
LinUCB).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol

from kgagent.review.items import VERDICT_ORDER, Filters, ReviewSet, closeness
from kgagent.review.store import Answer


class QueueOrder(Protocol):
    """Anything that orders decisions for review (most worth asking first)."""

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


def default_order(decisions: Iterable[dict[str, Any]], threshold: float | None = None) -> list[dict[str, Any]]:
    """Review verdicts first, then rejects, then accepts; most uncertain first (nearest its
    kind's accept boundary fitted on ``decisions``, or ``threshold``); ties by place and id."""
    decisions = list(decisions)
    close = closeness(decisions, threshold)
    return sorted(decisions, key=lambda d: (VERDICT_ORDER.get(str(d.get("verdict")), 3), -close(d),
                                            str(d.get("doc", "")), int(d.get("sentence") or 0), str(d["id"])))


def review_order(reviews: ReviewSet, policy: QueueOrder | None = None) -> list[dict[str, Any]]:
    """Every decision of the extraction in review order (``policy``'s, or :func:`default_order`)."""
    everything = list(reviews.decisions)
    return policy.order(everything) if policy is not None else default_order(everything)


def build_queue(reviews: ReviewSet, filters: Filters | None = None, policy: QueueOrder | None = None,
                ordered: list[dict[str, Any]] | None = None) -> list[str]:
    """The ids of the decisions passing ``filters``, in review order.

    The whole extraction is ordered and the filters pick from that order, so a filtered queue
    measures closeness from the boundaries of every decision (a queue of rejects alone has no
    accepts to place one; before, it fell back to 0.5). ``ordered``: that order computed
    before (:func:`review_order`; a server orders once, not per request)."""
    filters = filters or Filters()
    if ordered is None:
        ordered = review_order(reviews, policy)
    return [str(d["id"]) for d in ordered if filters.match(d)]


def status_of(answer: Answer | None) -> str:
    """How a reviewer left a decision: unanswered, accepted, rejected, changed, skipped, flagged."""
    if answer is None:
        return "unanswered"
    return {"accept": "accepted", "reject": "rejected", "relabel": "changed", "span": "changed",
            "skip": "skipped", "flag": "flagged"}.get(answer.action, "unanswered")


def progress(queue: list[str], mine: dict[str, Answer]) -> dict[str, Any]:
    """``reviewed`` n of ``total`` and the count per status, for one reviewer over a queue."""
    counts = Counter(status_of(mine.get(i)) for i in queue)
    return {"total": len(queue), "reviewed": len(queue) - counts.get("unanswered", 0),
            "by_status": {k: counts.get(k, 0) for k in ("accepted", "rejected", "changed", "skipped", "flagged",
                                                        "unanswered")}}


def next_unanswered(queue: list[str], mine: dict[str, Answer], after: str | None = None) -> str | None:
    """The first decision of ``queue`` after ``after`` (from the start when it is not in the
    queue) that the reviewer has not answered, going round to the start; None when all are."""
    start = queue.index(after) + 1 if after in queue else 0
    for decision in queue[start:] + queue[:start]:
        if decision not in mine:
            return decision
    return None


def resume_position(queue: list[str], mine: dict[str, Answer]) -> int:
    """Where the reviewer stopped: the first decision of the queue they have not answered
    (skips count as answered); the queue's length when all are."""
    for i, decision in enumerate(queue):
        if decision not in mine:
            return i
    return len(queue)
