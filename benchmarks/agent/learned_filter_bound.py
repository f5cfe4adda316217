"""How far could *any* filter over what the rules see go? A learned accept/reject classifier over
the relation candidates of an ``e2e_conll04.py --dump`` file, as an upper bound for rule tuning
(issue 12).

Each relation candidate the rules saw (score >= the dump's floor) becomes a row of features the
rules can read: the encoder's relation score, both arguments' mention scores and verdicts, the
predicate, the argument classes, whether each argument links to a graph entity, the words and
commas between the arguments, how many candidates share an argument and score higher, and the
rule that decided it. Gold decides the label (strict: predicate, spans, classes).

- ``--train DUMP`` alone: k-fold cross-validation grouped by document (a sentence's candidates never
  sit in both halves); the threshold is the best one on the held-out predictions themselves, so the
  figure is optimistic: a filter tuned this way on unseen data does no better.
- ``--test DUMP`` too: the classifier fitted on all of ``--train`` (dev) and its cross-validated
  threshold, applied once to the test dump.

Two readings for each: the learned filter alone (it may also accept candidates the rules rejected),
and the learned filter over what the rules accepted (it can only remove).

    .venv/bin/python benchmarks/agent/e2e_conll04.py --split dev --retokenise --dump dev.jsonl
    .venv/bin/python benchmarks/agent/e2e_conll04.py --split test --retokenise --dump test.jsonl
    .venv/bin/python benchmarks/agent/learned_filter_bound.py --train dev.jsonl --test test.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

THRESHOLDS = [round(0.2 + 0.05 * i, 2) for i in range(11)]
ACCEPTED = ("accept", "repair")


def read_dump(path: Path) -> dict:
    """A dump's relation candidates, its mentions by (doc, span), texts by doc, and its gold count."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {
        "relations": [r for r in rows if r.get("kind") == "relation"],
        "mentions": {(r["doc"], tuple(r["span"])): r for r in rows if r.get("kind") == "entity"},
        "texts": {r["doc"]: r["text"] for r in rows if set(r) == {"doc", "text"}},
        "gold": sum(1 for r in rows if r.get("gold") == "relation"),
    }


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def featurise(dump: dict, vocab: dict | None = None) -> tuple[np.ndarray, dict]:
    """One row per relation candidate; ``vocab`` (predicates, classes, rules) is taken from the
    training dump and reused for the test dump so columns mean the same."""
    rels, mentions, texts = dump["relations"], dump["mentions"], dump["texts"]
    if vocab is None:
        vocab = {"pred": sorted({r["label"] for r in rels}),
                 "cls": sorted({r[k] for r in rels for k in ("head_label", "tail_label")}),
                 "rule": sorted({r["rule"] for r in rels})}
    by_doc = defaultdict(list)
    for r in rels:
        by_doc[r["doc"]].append(r)
    out = []
    for r in rels:
        h = mentions.get((r["doc"], tuple(r["head"])), {})
        t = mentions.get((r["doc"], tuple(r["tail"])), {})
        text = texts.get(r["doc"], "")
        a, b = sorted([r["head"], r["tail"]])
        between = text[a[1]:b[0]]
        rivals = sum(1 for o in by_doc[r["doc"]] if o is not r and o["score"] > r["score"]
                     and (o["head"] == r["head"] or o["tail"] == r["tail"]))
        x = [_logit(r["score"]), _logit(h.get("score", 0.01)), _logit(t.get("score", 0.01)),
             len(between.split()), int("," in between), int(r["head"][0] < r["tail"][0]),
             len(by_doc[r["doc"]]), len(text.split()), rivals,
             int(h.get("verdict") in ACCEPTED), int(t.get("verdict") in ACCEPTED),
             int("/new/" not in (h.get("entity") or "/new/")), int("/new/" not in (t.get("entity") or "/new/"))]
        x += [int(r["label"] == p) for p in vocab["pred"]]
        x += [int(r["head_label"] == c) for c in vocab["cls"]] + [int(r["tail_label"] == c) for c in vocab["cls"]]
        x += [int(r["rule"] == q) for q in vocab["rule"]]
        out.append(x)
    return np.asarray(out, dtype=np.float64).reshape(len(rels), -1), vocab


def f1(selected: np.ndarray, right: np.ndarray, n_gold: int) -> tuple[float, int, int]:
    """Strict relation F1 (percent, kgagent.evaluate.prf) of the selected candidates, right ones, and how many."""
    from kgagent.evaluate import prf

    tp, n = int((selected & right).sum()), int(selected.sum())
    return round(prf(n_gold, n, tp)["f1"], 2), tp, n


MODELS = {
    "logistic": lambda seed: LogisticRegression(C=1.0, max_iter=5000),
    "boosted trees": lambda seed: GradientBoostingClassifier(n_estimators=100, max_depth=2, random_state=seed),
}


def cross_validate(x: np.ndarray, y: np.ndarray, docs: list[str], make, folds: int, seed: int) -> np.ndarray:
    """Held-out probabilities, folds grouped by document."""
    names = sorted(set(docs))
    random.Random(seed).shuffle(names)
    fold_of = {d: i % folds for i, d in enumerate(names)}
    fold = np.array([fold_of[d] for d in docs])
    prob = np.zeros(len(y))
    for k in range(folds):
        train = fold != k
        if len(set(y[train])) < 2:
            prob[~train] = float(y[train].mean()) if train.any() else 0.0
            continue
        prob[~train] = make(seed).fit(x[train], y[train]).predict_proba(x[~train])[:, 1]
    return prob


def bound(train: dict, test: dict | None = None, folds: int = 5, seed: int = 0) -> dict:
    """The agent's F1 and, per model, the learned filter's (cross-validated on train; fitted on
    train and applied to test when given)."""
    x, vocab = featurise(train)
    y = np.array([r["gold"] is True for r in train["relations"]])
    agent = np.array([r["verdict"] in ACCEPTED for r in train["relations"]])
    docs = [r["doc"] for r in train["relations"]]
    out: dict = {"train": {"agent": f1(agent, y, train["gold"]), "candidates": len(y), "right": int(y.sum()),
                           "gold": train["gold"]}}
    if test is not None:
        xt, _ = featurise(test, vocab)
        yt = np.array([r["gold"] is True for r in test["relations"]])
        agent_t = np.array([r["verdict"] in ACCEPTED for r in test["relations"]])
        out["test"] = {"agent": f1(agent_t, yt, test["gold"]), "candidates": len(yt), "right": int(yt.sum()),
                       "gold": test["gold"]}
    for name, make in MODELS.items():
        prob = cross_validate(x, y, docs, make, folds, seed)
        res = {}
        for mode, within in (("alone", np.ones_like(agent)), ("over the rules", agent)):
            scored = {t: f1((prob >= t) & within, y, train["gold"]) for t in THRESHOLDS}
            best = max(THRESHOLDS, key=lambda t: scored[t][0])
            res[mode] = {"threshold": best, "cv": scored[best]}
        if test is not None and len(set(y)) == 2:
            prob_t = make(seed).fit(x, y).predict_proba(xt)[:, 1]
            for mode, within in (("alone", np.ones_like(agent_t)), ("over the rules", agent_t)):
                res[mode]["test"] = f1((prob_t >= res[mode]["threshold"]) & within, yt, test["gold"])
        out[name] = res
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True, help="a --dump file of e2e_conll04.py (dev)")
    ap.add_argument("--test", default=None, help="a --dump file to apply the dev-fitted filter to once")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    train = read_dump(Path(args.train))
    test = read_dump(Path(args.test)) if args.test else None
    out = bound(train, test, args.folds, args.seed)
    t = out["train"]
    print(f"train: {t['candidates']} candidates, {t['right']} right, {t['gold']} gold relations; "
          f"the rules: F1 {t['agent'][0]} ({t['agent'][1]} right of {t['agent'][2]})")
    if test is not None:
        s = out["test"]
        print(f"test: {s['candidates']} candidates, {s['right']} right, {s['gold']} gold relations; "
              f"the rules: F1 {s['agent'][0]} ({s['agent'][1]} right of {s['agent'][2]})")
    for name in MODELS:
        for mode, r in out[name].items():
            line = f"{name:14s} {mode:15s} threshold {r['threshold']:.2f}  {args.folds}-fold CV F1 {r['cv'][0]} " \
                   f"({r['cv'][1]} right of {r['cv'][2]})"
            if "test" in r:
                line += f"  test F1 {r['test'][0]} ({r['test'][1]} right of {r['test'][2]})"
            print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
    sys.exit(0)
