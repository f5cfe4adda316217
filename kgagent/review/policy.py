"""Which decisions to ask a person about: policies over decision features (issue 13, part 4).

A decision (a line of decisions.jsonl) becomes a feature vector (``FEATURES``): its score, its
margin to the threshold, its verdict and kind, how many rules its proof used, how sure the
linker was, how much of the proof the graph supplied, and whether weaker verdicts also fired.
Six policies order a queue of decisions, most worth asking first:

- :class:`RandomPolicy`: a seeded shuffle (the baseline);
- :class:`UncertaintyPolicy`: the agent's own queue: review verdicts, then the score nearest
  the threshold (each kind's own accept boundary, where the agent's verdicts turn to accept);
- :class:`MarginPolicy`: plain uncertainty sampling (Lewis & Gale 1994): the score nearest the
  threshold first, whatever the verdict or kind. The review band of the shipped rules lies
  below the threshold, where most answers are rejects of what the encoder already scores
  low; the margin asks about the close calls the agent accepted as well (mentions and
  relations alike), where a wrong accept is corrected;
- :class:`MentionMarginPolicy` (``margin-mentions``): uncertainty sampling over the mentions
  first (scores nearest 0.5), then the relations. Asked of a model trained on little data, it
  gets the most corrections (a type, a span, not a mention at all), which teach the next model
  more than confirmations do (benchmarks/feedback_loop/README.md, run 10);
- :class:`YieldPolicy`: the most training labels an answer is expected to add first: the
  chance the agent is right (its score) times the positive labels a confirmed decision
  writes (a relation: itself and its two arguments; a mention: itself). It gathers
  positives fastest, where a small labelled set lacks them most (Prodigy's
  ``prefer_high_scores``, weighted by what an answer teaches);
- :class:`LinUCBPolicy`: a contextual bandit (LinUCB, Li et al. 2010) that learns from reward
  which features make an answer worth asking for: ``update(decision, reward)`` after each
  answer (the reward: the dev F1 gain per answer in the experiment, or whether the person
  overruled the agent on the page, :mod:`kgagent.review.learn`), ``order`` by the upper confidence bound. Its state saves
  to JSON (no pickle) and loads back.

>>> d = {"id": "d:1", "kind": "relation", "verdict": "review", "score": 0.45,
...      "proof": {"fact": "review(r1, \\"unsure\\")", "rule": "shared/relations.rules:relation_unsure",
...                "premises": [{"fact": "score(r1, 0.45)", "source": "encoder"}]}}
>>> [round(float(x), 2) for x in decision_features(d)][:4]
[1.0, 0.45, 0.05, 1.0]
>>> LinUCBPolicy(alpha=0.0).order([d])[0]["id"]
'd:1'
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kgagent.errors import InputError, Location, StorageError, json_kind
from kgagent.files import atomic_write_text, file_in_the_way
from kgagent.proofs import walk
from kgagent.review.items import closeness
from kgagent.review.queue import default_order

#: the feature vector of a decision, in this order
FEATURES = ("bias", "score", "margin", "verdict_review", "verdict_reject", "relation", "rules_used",
            "link_similarity", "graph_support", "other_verdicts")
DEFAULT_THRESHOLD = 0.5


def decision_features(d: dict[str, Any], threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """The features of one decision (see ``FEATURES``); every one lies in [0, 1]."""
    score = float(d.get("score") or 0.0)
    proof = d.get("proof") if isinstance(d.get("proof"), dict) else None
    nodes = list(walk(proof))
    rules = {n.get("rule") for n in nodes if n.get("rule") and n.get("premises")}
    base = [n for n in nodes if not n.get("premises")]
    graph = sum(1 for n in base if n.get("source") == "graph")
    links = []
    for part in (d, d.get("head") or {}, d.get("tail") or {}):
        if isinstance(part, dict) and part.get("link_score") is not None:
            links.append(float(part["link_score"]))
    verdict = str(d.get("verdict", ""))
    return np.array([
        1.0,
        score,
        min(1.0, abs(score - threshold)),
        1.0 if verdict == "review" else 0.0,
        1.0 if verdict == "reject" else 0.0,
        1.0 if d.get("kind") == "relation" else 0.0,
        min(1.0, len(rules) / 10.0),
        min(links) if links else 0.0,
        graph / len(base) if base else 0.0,
        1.0 if d.get("others") else 0.0,
    ], dtype=np.float64)


class RandomPolicy:
    """A seeded shuffle: the baseline every other policy must beat."""

    def __init__(self, seed: int = 0):
        self.seed = seed

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = sorted(decisions, key=lambda d: str(d["id"]))
        random.Random(self.seed).shuffle(out)
        return out

    def update(self, decision: dict[str, Any], reward: float) -> None:
        """Random ignores rewards."""


class MarginPolicy:
    """Uncertainty sampling: the least margin between score and threshold first, any verdict
    or kind; ties break by id.

    ``threshold`` None (the default): each kind's own accept boundary, fitted on the decisions
    being ordered (:func:`~kgagent.review.items.accept_boundaries`: where the agent's verdicts
    turn to accept); a number: that threshold for every decision.
    """

    def __init__(self, threshold: float | None = None):
        self.threshold = threshold

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        close = closeness(decisions, self.threshold)
        return sorted(decisions, key=lambda d: (-close(d), str(d["id"])))

    def update(self, decision: dict[str, Any], reward: float) -> None:
        """Uncertainty sampling does not learn."""


class MentionMarginPolicy(MarginPolicy):
    """Every mention before every relation, each kind by the margin from ``threshold`` (0.5,
    as measured; None: each kind's own accept boundary); ties break by id."""

    def __init__(self, threshold: float | None = DEFAULT_THRESHOLD):
        super().__init__(threshold)

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return mentions_first(super().order(decisions))


def mentions_first(ordered: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every mention of ``ordered`` before every relation, each kind keeping its order."""
    return sorted(ordered, key=lambda d: d.get("kind") != "entity")  # sorted() is stable


class YieldPolicy:
    """The expected positive labels of an answer first (score x labels a confirmed decision
    writes, ``LABELS_PER_ANSWER``); ties break by id."""

    #: the positive labels a confirmed decision writes (review export: a relation's arguments too)
    LABELS_PER_ANSWER = {"relation": 3.0, "entity": 1.0}

    def expected_labels(self, d: dict[str, Any]) -> float:
        """The score times the positive labels ``d`` writes if a person confirms it."""
        return float(d.get("score") or 0.0) * self.LABELS_PER_ANSWER.get(str(d.get("kind")), 1.0)

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(decisions, key=lambda d: (-self.expected_labels(d), str(d["id"])))

    def update(self, decision: dict[str, Any], reward: float) -> None:
        """The yield order does not learn."""


class UncertaintyPolicy(MarginPolicy):
    """The agent's own review queue (:func:`kgagent.review.queue.default_order`): review
    verdicts first, then the least certain scores."""

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return default_order(decisions, self.threshold)


class LinUCBPolicy:
    """A linear contextual bandit over ``FEATURES`` (disjoint LinUCB with one arm: "ask").

    ``order`` ranks decisions by ``theta . x + alpha * sqrt(x' A^-1 x)`` (expected reward plus
    an exploration bonus); ``update`` adds one observed (decision, reward) pair. Deterministic:
    ties break by id.
    """

    def __init__(self, alpha: float = 0.5, ridge: float = 1.0, threshold: float = DEFAULT_THRESHOLD):
        self.alpha = alpha
        self.ridge = ridge
        self.threshold = threshold
        n = len(FEATURES)
        self.A_ = ridge * np.eye(n)
        self.b_ = np.zeros(n)
        self.updates_ = 0

    @property
    def theta_(self) -> np.ndarray:
        """The reward model's weights, one per feature."""
        return np.linalg.solve(self.A_, self.b_)

    def scores(self, decisions: Sequence[dict[str, Any]]) -> np.ndarray:
        """The upper confidence bound of each decision's reward."""
        if not decisions:
            return np.zeros(0)
        x = np.stack([decision_features(d, self.threshold) for d in decisions])
        inv = np.linalg.inv(self.A_)
        bonus = np.sqrt(np.einsum("ij,jk,ik->i", x, inv, x))
        return x @ self.theta_ + self.alpha * bonus

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        s = self.scores(decisions)
        idx = sorted(range(len(decisions)), key=lambda i: (-float(s[i]), str(decisions[i]["id"])))
        return [decisions[i] for i in idx]

    def update(self, decision: dict[str, Any], reward: float) -> None:
        """Learn from one answer's reward."""
        x = decision_features(decision, self.threshold)
        self.A_ += np.outer(x, x)
        self.b_ += float(reward) * x
        self.updates_ += 1

    def save(self, path: str | Path) -> None:
        """The policy's settings and learned state as JSON (atomically). Settings that ``load``
        would refuse are InputError KGA476; a path that cannot be a file StorageError KGA510."""
        check_settings(alpha=self.alpha, ridge=self.ridge, threshold=self.threshold)
        check_save_path(path)
        state = {"policy": "linucb", "features": list(FEATURES), "alpha": self.alpha, "ridge": self.ridge,
                 "threshold": self.threshold, "A": self.A_.tolist(), "b": self.b_.tolist(), "updates": self.updates_}
        atomic_write_text(path, json.dumps(state, indent=1))

    @classmethod
    def load(cls, path: str | Path) -> "LinUCBPolicy":
        """A policy saved by ``save``; InputError KGA475 naming the file (and the line of a JSON
        error) if it is not one: not JSON, not an object, another policy, settings or state that
        are no finite numbers of the right shape."""
        where = Location(str(path))
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"not a saved review policy: {err}", code="KGA475", location=where) from None
        try:
            state = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"not a saved review policy: malformed JSON: {err.msg}", code="KGA475",
                             location=Location(str(path), err.lineno, err.colno)) from None
        if not isinstance(state, dict):
            raise InputError(f"not a saved review policy: the file holds {json_kind(state)}, not a JSON object "
                             "(write one with `kgagent feedback learn-policy OUT --save FILE`)", code="KGA475",
                             location=where)
        try:
            if state.get("policy") != "linucb" or state.get("features") != list(FEATURES):
                raise ValueError("another policy or another feature set")
            settings = {k: state[k] for k in ("alpha", "ridge", "threshold")}
            for k, v in settings.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
                    raise ValueError(f"{k} must be a finite number, not {json.dumps(v)}")
            pol = cls(alpha=float(settings["alpha"]), ridge=float(settings["ridge"]),
                      threshold=float(settings["threshold"]))
            pol.A_, pol.b_ = np.array(state["A"], dtype=np.float64), np.array(state["b"], dtype=np.float64)
            if pol.A_.shape != (len(FEATURES), len(FEATURES)) or pol.b_.shape != (len(FEATURES),):
                raise ValueError("state of the wrong shape")
            if not (np.isfinite(pol.A_).all() and np.isfinite(pol.b_).all()):
                raise ValueError("state holds numbers that are not finite")
            updates = state.get("updates", 0)
            if isinstance(updates, bool) or not isinstance(updates, int) or updates < 0:
                raise ValueError(f"updates must be a count, not {json.dumps(updates)}")
            pol.updates_ = updates
        except KeyError as err:
            raise InputError(f"not a saved review policy: {err} is missing", code="KGA475", location=where) from None
        except (ValueError, TypeError) as err:
            raise InputError(f"not a saved review policy: {err}", code="KGA475", location=where) from None
        return pol


def check_settings(*, alpha: Any = 0.5, ridge: Any = 1.0, threshold: Any = DEFAULT_THRESHOLD) -> None:
    """InputError KGA476 unless ``alpha`` (exploration) is a finite number >= 0, ``ridge`` a
    finite number > 0 and ``threshold`` a finite number: what a saved policy must hold."""
    def finite(v: Any) -> bool:
        return isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) and math.isfinite(v)

    for name, value, ok, need in (("alpha", alpha, lambda v: v >= 0, "a finite number >= 0"),
                                  ("ridge", ridge, lambda v: v > 0, "a finite number > 0"),
                                  ("threshold", threshold, lambda v: True, "a finite number")):
        if not (finite(value) and ok(value)):
            raise InputError(f"the policy's {name} must be {need}, not {value!r}", code="KGA476")


def check_save_path(path: str | Path, example: str = "policy.json") -> None:
    """StorageError KGA510 when a policy (or another file: ``example`` names one) cannot be
    written at ``path``: a folder it lies in is a file (``file.log/p.json``), or ``path`` is a
    directory. Said before any work."""
    path = Path(path)
    if (folder := file_in_the_way(path, directory=False)) is not None:
        raise StorageError(f"cannot write {path}: {folder} is a file, not a directory", code="KGA510")
    if path.is_dir():
        raise StorageError(f"cannot write {path}: it is a directory; give a file name such as "
                           f"{path / example}", code="KGA510")


POLICIES = {"random": RandomPolicy, "uncertainty": UncertaintyPolicy, "margin": MarginPolicy,
            "margin-mentions": MentionMarginPolicy, "yield": YieldPolicy, "linucb": LinUCBPolicy}


def make_policy(name: str, **options: Any) -> Any:
    """A policy by name (random, uncertainty, margin, margin-mentions, yield, linucb); InputError
    KGA476 for another name."""
    if name not in POLICIES:
        raise InputError(f"unknown review policy {name!r}; policies: {', '.join(POLICIES)}", code="KGA476")
    return POLICIES[name](**options)
