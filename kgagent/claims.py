"""Claims given to check (``Agent.validate``): how a claim is read, and its verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kgagent.decisions import Decision, MentionResult
from kgagent.errors import InputError
from kgagent.schema import ProofNode


@dataclass
class ClaimResult:
    """The verdict on one claim given to :meth:`Agent.validate`."""

    claim: tuple[str, str, str]
    id: str
    verdict: str
    reason: str
    rule: str | None
    proof: ProofNode | None
    head: MentionResult
    tail: MentionResult
    predicate: str
    others: list[dict[str, str]] = field(default_factory=list)
    score: float | None = None  # the caller's confidence, if given
    relation: str = ""  # the id the rules gave the claimed relation (its proof's subject)

    @property
    def decision(self) -> Decision:
        """The claim as a relation decision (what ``kgagent.explain`` renders)."""
        return Decision(id=self.id, doc="claim", sentence=0, kind="relation", subject=self.relation or self.id,
                        verdict=self.verdict, reason=self.reason, rule=self.rule, proof=self.proof,
                        score=self.score if self.score is not None else 1.0, label=self.predicate,
                        model_label=self.predicate, head=self.head, tail=self.tail, others=self.others,
                        sentence_text=" ".join(self.claim))

    def explain(self) -> str:
        """The proof in words (see :func:`kgagent.explain.explain_decision`)."""
        from kgagent.explain import explain_decision

        return explain_decision(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The claim's decision as decisions.jsonl writes one, with the claim and its score."""
        out = self.decision.to_dict()
        out["claim"] = list(self.claim)
        out["claim_score"] = self.score  # None: the caller gave no confidence
        return out


def parse_claim(c: Any, normalize: Callable[[str], str]) -> tuple[str, str, str, float | None, str | None, str | None]:
    """A claim as (head, predicate, tail, score, head type, tail type), the predicate and the
    types in ontology names (``normalize``): from ``(head, predicate, tail[, score])`` or a dict
    with ``head``, ``predicate``, ``tail`` and optionally ``score``, ``head_type``, ``tail_type``.
    Raises InputError KGA411 naming what is wrong (a missing part, an empty name, a score outside
    [0, 1])."""
    if isinstance(c, dict):
        try:
            head, pred, tail = str(c["head"]), str(c["predicate"]), str(c["tail"])
        except KeyError as err:
            raise InputError(f"a claim needs head, predicate and tail; missing {err}", code="KGA411") from None
        score = float(c["score"]) if c.get("score") is not None else None
        ht, tt = c.get("head_type"), c.get("tail_type")
        ht = normalize(ht) if ht else None
        tt = normalize(tt) if tt else None
    elif isinstance(c, (tuple, list)) and len(c) in (3, 4):
        head, pred, tail = str(c[0]), str(c[1]), str(c[2])
        score = float(c[3]) if len(c) == 4 and c[3] is not None else None
        ht = tt = None
    else:
        raise InputError(f"a claim is (head, predicate, tail[, score]) or a dict, got {c!r}", code="KGA411")
    if not head.strip() or not tail.strip():
        raise InputError(f"a claim needs non-empty head and tail: {c!r}", code="KGA411")
    if score is not None and not 0.0 <= score <= 1.0:
        raise InputError(f"a claim's score must lie in [0, 1]: {c!r}", code="KGA411")
    return head.strip(), normalize(pred), tail.strip(), score, ht, tt


__all__ = ["ClaimResult", "parse_claim"]
