"""Scoring a model's predictions as a domain sees them (what ``kgagent evaluate`` prints)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kgagent.encoder.data import Example, relabel, symmetric_once
from kgagent.evaluate import evaluate, unmarked


def evaluate_in_domain(gold: Sequence[Example], pred: Sequence[Example], normalize: Callable[[str], str],
                       symmetric: set[str] | frozenset[str]) -> dict[str, Any]:
    """:func:`kgagent.evaluate.evaluate` through a domain: both sides' labels put through
    ``normalize`` (its label map), predicted entities of a class the gold data never marks left
    out of the entity scores (:func:`kgagent.evaluate.unmarked`; counted in
    ``metrics["unscored"]``), a symmetric relation scored once per pair."""
    gold_n, pred_n = relabel(gold, normalize), relabel(pred, normalize)
    unscored = unmarked(gold_n, pred_n)
    metrics = evaluate(symmetric_once(gold_n, symmetric), symmetric_once(pred_n, symmetric), unscored=set(unscored))
    metrics["unscored"] = dict(unscored)
    return metrics
