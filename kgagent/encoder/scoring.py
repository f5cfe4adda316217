"""Scoring a model's predictions as a domain sees them (what ``kgagent evaluate`` prints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from kgagent.encoder.data import Example, relabel, symmetric_once
from kgagent.evaluate import annotated_labels, evaluate, project


def evaluate_in_domain(gold: Sequence[Example], pred: Sequence[Example], normalize: Callable[[str], str],
                       symmetric: set[str] | frozenset[str]) -> dict[str, Any]:
    """:func:`kgagent.evaluate.evaluate` through a domain: both sides' labels put through
    ``normalize`` (its label map), predictions projected onto the classes the gold data marks
    (:func:`kgagent.evaluate.project`; what could not be scored is in ``metrics["unscored"]``),
    a symmetric relation scored once per pair."""
    gold_n, pred_n = relabel(gold, normalize), relabel(pred, normalize)
    keep = annotated_labels(gold_n)
    unscored: Counter = Counter()
    if keep:
        pred_n, unscored = project(pred_n, keep)
    metrics = evaluate(symmetric_once(gold_n, symmetric), symmetric_once(pred_n, symmetric))
    metrics["unscored"] = dict(unscored)
    return metrics
