"""Metrics as the literature reports them: strict entity F1, relation F1 strict and boundaries.

- entity strict: span and type both right;
- relation strict: type, both argument spans and both argument types right;
- relation boundaries: type and both argument spans right (argument types ignored).

Micro-averaged over all types, and per type, with gold / predicted / correct counts. For
CoNLL column files (entities only) the entity figures are the CoNLL-2003 / seqeval strict span F1.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Container, Iterable, Mapping, Sequence

from kgagent.errors import EncoderError


def prf(gold: int, pred: int, correct: int) -> dict[str, float | int]:
    """Precision, recall, F1 (percentages 0..100) with the counts they come from.

    >>> prf(4, 5, 3)["f1"]
    66.66666666666667
    """
    p = 100.0 * correct / pred if pred else 0.0
    r = 100.0 * correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "gold": gold, "pred": pred, "correct": correct}


def paired_bootstrap(before: set, after: set, gold: set, docs: Sequence[str], resamples: int = 10000,
                     seed: int = 0, bar: float | None = None) -> dict[str, float]:
    """How sure is the F1 gain of ``after`` over ``before`` (two predictions of the same gold)? A
    paired bootstrap over documents (Berg-Kirkpatrick, Burkett and Klein, EMNLP 2012): draw the
    documents with replacement, score both predictions on the same draw, and read the spread of
    the difference. Each set holds tuples whose first element is a document id of ``docs``.
    Returns the observed gain (the difference of the two F1s, each rounded to two places, as
    tables print them), the 2.5 and 97.5 percentiles of the resampled gains (a 95 % interval),
    the share of draws in which ``after`` is better, and, given ``bar``, the share of draws with
    a gain of at least it. Seeded: the same sets give the same figures.

    >>> g = {("a", 1), ("b", 1)}
    >>> paired_bootstrap({("a", 1)}, {("a", 1), ("b", 1)}, g, ["a", "b"], resamples=200)["gain"]
    33.33
    """
    import numpy as np

    index = {d: i for i, d in enumerate(docs)}
    counts = np.zeros((len(docs), 5))  # right and predicted before, right and predicted after, gold
    for col, items in ((1, before), (3, after), (4, gold), (0, before & gold), (2, after & gold)):
        for x in items:
            counts[index[x[0]], col] += 1

    def f1(right: Any, predicted: Any, gold_n: Any) -> Any:
        return np.where(predicted + gold_n > 0, 200 * right / np.maximum(predicted + gold_n, 1), 0.0)

    total = counts.sum(axis=0)
    gain = round(float(f1(total[2], total[3], total[4])), 2) - round(float(f1(total[0], total[1], total[4])), 2)
    draws = np.random.default_rng(seed).integers(0, len(docs), size=(resamples, len(docs)))
    sums = np.stack([counts[row].sum(axis=0) for row in draws])
    gains = f1(sums[:, 2], sums[:, 3], sums[:, 4]) - f1(sums[:, 0], sums[:, 1], sums[:, 4])
    out = {"gain": round(gain, 2), "low": round(float(np.percentile(gains, 2.5)), 2),
           "high": round(float(np.percentile(gains, 97.5)), 2),
           "better": round(100 * float((gains > 0).mean()), 1), "resamples": resamples}
    if bar is not None:
        out["at_least_bar"] = round(100 * float((gains >= bar - 1e-9).mean()), 1)
        out["bar"] = bar
    return out


def _tuples(examples: Sequence[Any], unscored: Container[str] = ()) -> tuple[list[set], list[set], list[set]]:
    ents, strict, bounds = [], [], []
    for ex in examples:
        es = [(e.start, e.end, e.type) for e in ex.entities]
        ents.append({e for e in es if e[2] not in unscored})
        s, b = set(), set()
        for r in ex.relations:
            h, t = es[r.head], es[r.tail]
            s.add((r.type, h, t))
            b.add((r.type, h[:2], t[:2]))
        strict.append(s)
        bounds.append(b)
    return ents, strict, bounds


def _score(gold: list[set], pred: list[set], type_of: Any) -> dict[str, Any]:
    g, p, c = Counter(), Counter(), Counter()
    for gs, ps in zip(gold, pred):
        for x in gs:
            g[type_of(x)] += 1
        for x in ps:
            p[type_of(x)] += 1
        for x in gs & ps:
            c[type_of(x)] += 1
    return _from_counts(g, p, c)


def _from_counts(g: Counter, p: Counter, c: Counter) -> dict[str, Any]:
    """Per-type, micro and macro scores from gold / predicted / correct counts per type."""
    per_type = {t: prf(g[t], p[t], c[t]) for t in sorted(set(g) | set(p))}
    micro = prf(sum(g.values()), sum(p.values()), sum(c.values()))
    macro_f1 = sum(v["f1"] for v in per_type.values()) / len(per_type) if per_type else 0.0
    return {"micro": micro, "macro_f1": macro_f1, "per_type": per_type, "f1": micro["f1"]}


def evaluate(gold: Sequence[Any], pred: Sequence[Any], unscored: Container[str] = ()) -> dict[str, Any]:
    """Strict entity, strict relation and boundaries relation scores of ``pred`` against ``gold``.

    Both are sequences of :class:`kgagent.encoder.data.Example` (or anything with
    ``entities``/``relations`` of the same shapes), aligned sentence by sentence.
    Returns ``{"entity": ..., "relation_strict": ..., "relation_boundaries": ...,
    "sentences": n}``; each part has ``micro`` (precision, recall, f1, gold, pred, correct),
    ``per_type`` and ``f1`` (= micro F1), in percent. Predicted entities of an ``unscored``
    class (one the gold data never marks: :func:`unmarked`) are left out of the entity scores.
    """
    if len(gold) != len(pred):
        raise EncoderError(f"evaluate: {len(gold)} gold sentences but {len(pred)} predicted", code="KGA320")
    for i, (g, p) in enumerate(zip(gold, pred)):
        if list(g.tokens) != list(p.tokens):
            raise EncoderError(f"evaluate: sentence {i} has different tokens in gold and prediction", code="KGA320")
    ge, gs, gb = _tuples(gold)
    pe, ps, pb = _tuples(pred, unscored)
    return {
        "entity": _score(ge, pe, lambda x: x[2]),
        "relation_strict": _score(gs, ps, lambda x: x[0]),
        "relation_boundaries": _score(gb, pb, lambda x: x[0]),
        "sentences": len(gold),
    }


def merge(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One :func:`evaluate` result from several (e.g. one per data set): counts added per type."""
    out: dict[str, Any] = {"sentences": sum(r["sentences"] for r in results)}
    for key in ("entity", "relation_strict", "relation_boundaries"):
        g, p, c = Counter(), Counter(), Counter()
        for r in results:
            for t, v in r[key]["per_type"].items():
                g[t] += v["gold"]
                p[t] += v["pred"]
                c[t] += v["correct"]
        out[key] = _from_counts(g, p, c)
    return out


def unmarked(gold: Sequence[Any], pred: Sequence[Any]) -> Counter:
    """How many predicted entities of each class the gold data never marks (its scheme lacks the
    class: CoNLL-2003 has no dates, CoNLL04 no "misc"). :func:`evaluate` with ``unscored=`` these
    leaves them out of the entity scores; a relation with such an argument is still scored (and
    wrong: no gold relation has one).

    >>> from kgagent.encoder.data import Example, EntitySpan
    >>> g = [Example(["a", "b"], [EntitySpan(0, 1, "p")])]
    >>> dict(unmarked(g, [Example(["a", "b"], [EntitySpan(0, 1, "p"), EntitySpan(1, 2, "misc")])]))
    {'misc': 1}
    """
    keep = {e.type for ex in gold for e in ex.entities}  # the classes the gold data marks
    if not keep:
        return Counter()
    return Counter(e.type for ex in pred for e in ex.entities if e.type not in keep)


def micro_of(part: Mapping[str, Any], types: Iterable[str]) -> dict[str, float | int]:
    """Micro P/R/F1 over some of the types of one part of :func:`evaluate`'s result (e.g. the
    CoNLL-2003 figure over PER, ORG and LOC alone)."""
    rows = [part["per_type"][t] for t in types if t in part["per_type"]]
    return prf(sum(r["gold"] for r in rows), sum(r["pred"] for r in rows), sum(r["correct"] for r in rows))


def expected_calibration_error(confidences: Iterable[float], correct: Iterable[bool], bins: int = 15) -> float:
    """ECE: the mean |accuracy - confidence| over equal-width confidence bins, weighted by size.

    >>> round(expected_calibration_error([0.9, 0.9, 0.6, 0.6], [True, True, True, False]), 3)
    0.1
    """
    conf = list(confidences)
    ok = list(correct)
    if not conf:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(conf) if (lo < c <= hi) or (b == 0 and c == 0.0)]
        if not idx:
            continue
        acc = sum(ok[i] for i in idx) / len(idx)
        avg = sum(conf[i] for i in idx) / len(idx)
        total += len(idx) / len(conf) * abs(acc - avg)
    return total


def decision_calibration(gold: Sequence[Any], pred: Sequence[Any], bins: int = 15,
                         unscored: Container[str] = ()) -> dict[str, float]:
    """ECE of the predicted entities' and relations' scores (``weight`` = probability): is a
    proposal with score p right p of the time? (strict correctness, as in :func:`evaluate`)."""
    ge, gs, _ = _tuples(gold)
    e_conf, e_ok, r_conf, r_ok = [], [], [], []
    for g_e, g_s, p in zip(ge, gs, pred):
        es = [(e.start, e.end, e.type) for e in p.entities]
        for e, t in zip(p.entities, es):
            if e.type in unscored:
                continue
            e_conf.append(float(e.weight))
            e_ok.append(t in g_e)
        for r in p.relations:
            r_conf.append(float(r.weight))
            r_ok.append((r.type, es[r.head], es[r.tail]) in g_s)
    return {"entity_ece": expected_calibration_error(e_conf, e_ok, bins),
            "relation_ece": expected_calibration_error(r_conf, r_ok, bins),
            "entity_decisions": len(e_conf), "relation_decisions": len(r_conf)}
