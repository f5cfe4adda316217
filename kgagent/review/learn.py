"""A review policy learned from what reviewers answered: the person is the environment.

The reward of an answer is whether the person **overruled** the agent, that is, whether the
graph would now hold something other than what the agent decided:

- the agent accepted (or repaired) the candidate and the person rejected it, changed its type
  or predicate, or fixed its span;
- the agent rejected it or sent it to review (so the graph holds nothing) and the person
  accepted it, changed it or fixed its span (a person's reject agrees with the agent).

A LinUCB policy (:class:`~kgagent.review.policy.LinUCBPolicy`) fitted to those rewards over
the decision features orders the next queue so that what people overrule comes first
(``kgagent review OUT --policy policy.json``). Only agreed judgements count (skips, flags and
decisions reviewers disagree on do not), each once, in a fixed order: the same answers give
the same policy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kgagent.decisions import ACCEPTING
from kgagent.errors import InputError, Location
from kgagent.review.items import ReviewSet
from kgagent.review.judgements import read_judgements
from kgagent.review.policy import DEFAULT_THRESHOLD, FEATURES, LinUCBPolicy, check_settings

def overruled(verdict: str, action: str) -> bool:
    """Whether a reviewer's judgement (accept, reject, relabel, span) overrules the agent's verdict."""
    if verdict in ACCEPTING:  # the graph holds the candidate
        return action != "accept"
    return action != "reject"


@dataclass
class LearnReport:
    """What a policy was learned from."""

    extractions: int = 0
    answers: int = 0  # agreed judgements used, each one update
    overruled: int = 0
    conflicts: int = 0  # decisions left out: reviewers disagree
    #: directories given more than once (by another spelling too), read only the first time
    repeated: list[str] = field(default_factory=list)
    #: (agent verdict, answer) -> count
    by_verdict: Counter = field(default_factory=Counter)
    #: the learned reward weight of each feature
    theta: dict[str, float] = field(default_factory=dict)
    #: agreed judgements left out: their decision is not in the extraction's decisions.jsonl
    #: (answers made on another run of it), and those decisions' ids
    unknown_answers: int = 0
    unknown_decisions: list[str] = field(default_factory=list)


def learn_policy(outs: Sequence[str | Path], *, alpha: float = 0.5, ridge: float = 1.0,
                 threshold: float = DEFAULT_THRESHOLD) -> tuple[LinUCBPolicy, LearnReport]:
    """A LinUCB policy fitted to the reviewers' answers in the extraction directories ``outs``
    (each with its ``reviews.sqlite``): reward 1 where the answer overruled the agent, 0 where
    it agreed. A directory given twice counts once (``report.repeated`` names it). InputError
    KGA476 for an ``alpha`` that is no finite number >= 0 (or a bad ridge or threshold), KGA477
    when no extraction holds an agreed judgement."""
    check_settings(alpha=alpha, ridge=ridge, threshold=threshold)
    policy = LinUCBPolicy(alpha=alpha, ridge=ridge, threshold=threshold)
    report = LearnReport()
    seen: set[Path] = set()
    for out in outs:
        if Path(out).resolve() in seen:
            report.repeated.append(str(out))
            continue
        seen.add(Path(out).resolve())
        reviews = ReviewSet.load(out)
        agreed, conflicts = read_judgements(reviews.out)
        report.extractions += 1
        report.conflicts += len(conflicts)
        for decision_id in sorted(agreed):
            decision = reviews.by_id.get(decision_id)
            if decision is None:  # an answer to a decision this extraction no longer has: counted, not used
                report.unknown_answers += 1
                report.unknown_decisions.append(decision_id)
                continue
            j = agreed[decision_id]
            verdict = str(decision.get("verdict", ""))
            hit = overruled(verdict, j.action)
            policy.update(decision, 1.0 if hit else 0.0)
            report.answers += 1
            report.overruled += hit
            report.by_verdict[f"{verdict}/{j.action}"] += 1
    where = ", ".join(str(o) for o in outs)
    if not report.answers and report.unknown_answers:  # as export-reviews says it
        raise InputError(f"none of the {report.unknown_answers} agreed answer(s) is on a decision of the "
                         f"extraction's decisions.jsonl (e.g. {report.unknown_decisions[0]}): they were made on "
                         "another run of it; nothing learned", code="KGA471", location=Location(where))
    if not report.answers:
        raise InputError("no reviewer's judgement to learn from (accept, reject, change or span answers that "
                         "reviewers agree on); answer some with `kgagent review` first", code="KGA477",
                         location=Location(where))
    report.theta = {name: round(float(w), 4) for name, w in zip(FEATURES, policy.theta_)}
    return policy, report
