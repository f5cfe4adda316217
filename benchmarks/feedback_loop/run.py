"""Does feedback validated by rules + graph train a better encoder than plain self-training?

Low-resource CoNLL04: keep a fraction of the train split's labels (seeded samples); the rest of
train is unlabelled text. For each (fraction, seed) it trains and reports test strict F1 of:

  (a) gold only            round 0, trained on the kept labels
  (g) control              (a) trained on exactly as a round is, with no feedback: separates
                           the feedback's effect from the rounds' extra epochs
  (b) plain self-training  proposals >= threshold become labels (no rules, no graph)
  (c) kgagent loop         the agent's validated feedback (rules + graph) becomes labels
  (d) full gold            all train labels (upper bound)

(a)'s model is round 0 of (b) and (c) (trained once, cached). Rounds, thresholds and weights
are chosen on dev only; test is evaluated once per finished cell, on the model dev chose.
Beside the F1 figures it measures the quality of the labels each mode feeds back, against the
gold labels the unlabelled part really has (precision of positives, of negatives, recall),
and runs `rules stats` with that gold on the agent's round-1 extraction.

Usage (nice, in the background, with a log; a re-run reuses every finished cell):

    nice -n 10 .venv/bin/python benchmarks/feedback_loop/run.py --work benchmarks/feedback_loop/work \\
        --sizes 0.25 0.1 --seeds 0 1 2 --rounds 1 --budget-min 45 > benchmarks/feedback_loop/run.log 2>&1 &
    .venv/bin/python benchmarks/feedback_loop/run.py --work benchmarks/feedback_loop/work --report

Cells run in priority order (25 % seed 0, 10 % seed 0, full gold, then the other seeds) and a
cell that would not finish inside ``--budget-min`` is skipped and reported as such.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DATA = REPO.parent / "shared" / "data" / "conll04"
MODES = {"a": "gold only", "g": "gold only, trained on as the rounds are", "b": "plain self-training",
         "c": "kgagent loop", "d": "full gold"}


# --------------------------------------------------------------------------- data


def load_split(name: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """Raw SpERT records and the encoder's Examples of one CoNLL04 split (same order)."""
    from kgagent.encoder.data import read_spert_json

    path = DATA / f"conll04_{name}.json"
    records = json.loads(path.read_text())
    examples = list(read_spert_json(path))
    assert len(records) == len(examples), (name, len(records), len(examples))
    return records, examples


def sample(n: int, fraction: float, seed: int) -> list[int]:
    """Indices of the kept labels: a seeded sample of round(fraction * n) train sentences."""
    idx = list(range(n))
    random.Random(f"conll04-{fraction}-{seed}").shuffle(idx)
    return sorted(idx[: round(fraction * n)])


def as_documents(records: list[dict[str, Any]], indices: list[int]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The unlabelled sentences as documents (id ``train-<orig_id>``), and their gold records."""
    from kgagent.rule_stats import record_text
    from kgagent.schema import Document

    docs, gold = [], []
    for i in indices:
        rec = records[i]
        doc_id = f"train-{rec.get('orig_id', i)}"
        docs.append(Document(doc_id, record_text(rec), f"conll04_train.json#{i}"))
        gold.append({**rec, "id": doc_id})
    return docs, gold


# --------------------------------------------------------------------------- label quality


def label_quality(examples: list[Any], docs: list[Any], gold_records: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision of the fed-back positives and negatives against the true (hidden) labels."""
    from kgagent.rule_stats import Gold
    from kgagent.domain import Domain

    normalize_label = Domain.load().labels.normalize  # the news domain's label map
    from kgagent.text import word_spans

    gold = Gold.from_records(gold_records)
    text_of = {d.id: d.text for d in docs}
    c = {k: 0 for k in ("ent", "ent_ok", "rel", "rel_ok", "neg_ent", "neg_ent_ok", "neg_rel", "neg_rel_ok",
                        "unaligned")}
    for ex in examples:
        meta = getattr(ex, "meta", {}) or {}
        doc, text = str(meta.get("doc", "")), str(meta.get("text", ""))
        full = text_of.get(doc)
        offset = full.find(text) if full is not None and text else -1
        spans = word_spans(text)
        if offset < 0 or len(spans) != len(ex.tokens):
            c["unaligned"] += 1
            continue
        def char(s: int, e: int) -> tuple[int, int]:
            return offset + spans[s][0], offset + spans[e - 1][1]
        ents = gold.entities.get(doc, set())
        rels = gold.relations.get(doc, set())
        chars = [char(e.start, e.end) for e in ex.entities]
        for e, (s, t) in zip(ex.entities, chars):
            c["ent"] += 1
            c["ent_ok"] += (s, t, normalize_label(e.type)) in ents
        for r in ex.relations:
            h, t = chars[r.head], chars[r.tail]
            c["rel"] += 1
            c["rel_ok"] += (normalize_label(r.type), *h, *t) in rels
        for e in getattr(ex, "negative_entities", []) or []:
            s, t = char(e.start, e.end)
            c["neg_ent"] += 1
            c["neg_ent_ok"] += (s, t, normalize_label(e.type)) not in ents
        for r in getattr(ex, "negative_relations", []) or []:
            if r.head >= len(chars) or r.tail >= len(chars):
                continue
            h, t = chars[r.head], chars[r.tail]
            c["neg_rel"] += 1
            c["neg_rel_ok"] += (normalize_label(r.type), *h, *t) not in rels
    n_ent = sum(len(v) for v in gold.entities.values())
    n_rel = sum(len(v) for v in gold.relations.values())
    out = dict(c)
    out.update({
        "ent_precision": c["ent_ok"] / c["ent"] if c["ent"] else None,
        "ent_recall": c["ent_ok"] / n_ent if n_ent else None,
        "rel_precision": c["rel_ok"] / c["rel"] if c["rel"] else None,
        "rel_recall": c["rel_ok"] / n_rel if n_rel else None,
        "neg_ent_precision": c["neg_ent_ok"] / c["neg_ent"] if c["neg_ent"] else None,
        "neg_rel_precision": c["neg_rel_ok"] / c["neg_rel"] if c["neg_rel"] else None,
        "gold_entities": n_ent, "gold_relations": n_rel,
    })
    return out


# --------------------------------------------------------------------------- helpers


def f1s(metrics: dict[str, Any]) -> dict[str, float]:
    from kgagent.loop import metric_f1

    return {"entity": metric_f1(metrics, "entity"), "relation": metric_f1(metrics, "relation")}


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work = Path(args.work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.results_path = self.work / "results.json"
        self.results: dict[str, Any] = json.loads(self.results_path.read_text()) if self.results_path.exists() else {}
        self.t_start = time.monotonic()
        self.durations: dict[str, list[float]] = {}

    def log(self, msg: str) -> None:
        elapsed = time.monotonic() - self.t_start
        print(f"[{elapsed / 60:6.1f} min] {msg}", flush=True)

    def save(self) -> None:
        tmp = self.results_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.results, indent=1, default=str))
        tmp.replace(self.results_path)

    def left_s(self) -> float:
        return self.args.budget_min * 60 - (time.monotonic() - self.t_start)

    def fits(self, kind: str, default_s: float) -> bool:
        past = self.durations.get(kind)
        need = max(past) if past else default_s
        return self.left_s() > need

    def took(self, kind: str, seconds: float) -> None:
        self.durations.setdefault(kind, []).append(seconds)

    # -- model plumbing

    def train_config(self, seed: int) -> Any:
        from kgagent.encoder.train import TrainConfig

        fields = {f.name for f in dataclasses.fields(TrainConfig)}
        kwargs: dict[str, Any] = {"seed": seed}
        if self.args.epochs is not None:
            kwargs["epochs"] = self.args.epochs
        for item in self.args.set or []:
            key, _, value = item.partition("=")
            kwargs[key] = json.loads(value) if value[:1] in "0123456789-[{tfn\"" else value
        unknown = set(kwargs) - fields
        if unknown:
            raise SystemExit(f"TrainConfig has no field(s) {sorted(unknown)}; fields: {sorted(fields)}")
        return TrainConfig(**kwargs)

    def inner_dev(self, dev: list[Any]) -> list[Any]:
        """The dev sentences the trainer sees for epoch selection and calibration."""
        return dev[: self.args.inner_dev] if self.args.inner_dev else dev

    def round_trainer(self, cfg: Any, train: list[Any], dev: list[Any], out: Path | None, init: Any = None):
        """Rounds that continue from a model train ``--round-epochs`` epochs."""
        from kgagent.loop import default_trainer

        if init is not None and self.args.round_epochs:
            cfg = dataclasses.replace(cfg, epochs=self.args.round_epochs)
        return default_trainer(cfg, train, dev, out, init=init)

    def evaluate(self, model: Any, examples: list[Any]) -> dict[str, Any]:
        from kgagent.loop import default_evaluator

        return default_evaluator(model, examples)

    def gold_model(self, key: str, cfg: Any, train: list[Any], dev: list[Any]) -> Any:
        from kgagent.encoder import Encoder
        from kgagent.encoder.train import train as train_encoder

        mdir = self.work / key / "gold" / "model"
        if (mdir / "DONE").exists():
            return Encoder.from_pretrained(mdir)
        t0 = time.monotonic()
        # not DONE: what a cut-short run left there (a model, a checkpoint) is trained anew
        model, _ = train_encoder(cfg, train, self.inner_dev(dev), out_dir=mdir, overwrite=True)
        model.save_pretrained(mdir)
        (mdir / "DONE").write_text("")
        self.took("gold", time.monotonic() - t0)
        return model


def run(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(args.threads)
    from kgagent.loop import AgentLabeller, LoopConfig, PlainLabeller, run_loop
    from kgagent.rule_stats import compute_rule_stats, Gold, read_decisions

    bench = Bench(args)
    train_records, train_ex = load_split("train")
    _, dev_ex = load_split("dev")
    _, test_ex = load_split("test")
    bench.log(f"data: train {len(train_ex)}, dev {len(dev_ex)}, test {len(test_ex)}")

    plan: list[tuple[str, float, int]] = []
    for i, seed in enumerate(args.seeds):
        for size in args.sizes:
            plan.append(("cell", size, seed))
        if i == 0 and "d" in args.modes:
            plan.append(("full", 1.0, args.seeds[0]))

    for kind, size, seed in plan:
        if kind == "full":
            key = f"full-s{seed}"
            if key in bench.results:
                continue
            if not bench.fits("full", args.full_estimate_s):
                bench.results[key] = {"skipped": "time budget"}
                bench.log(f"{key}: skipped (time budget)")
                continue
            t0 = time.monotonic()
            if args.full_model:
                from kgagent.encoder import Encoder

                model = Encoder.from_pretrained(args.full_model)
            else:
                model = bench.gold_model(key, bench.train_config(seed), train_ex, dev_ex)
            bench.results[key] = {"mode": "d", "size": 1.0, "seed": seed, "model": args.full_model or "trained here",
                                  "dev": f1s(bench.evaluate(model, dev_ex)),
                                  "test": f1s(bench.evaluate(model, test_ex)),
                                  "seconds": time.monotonic() - t0}
            bench.took("full", time.monotonic() - t0)
            bench.save()
            bench.log(f"{key}: test {bench.results[key]['test']}")
            continue

        key = f"p{round(size * 100)}-s{seed}"
        kept = sample(len(train_ex), size, seed)
        kept_set = set(kept)
        rest = [i for i in range(len(train_ex)) if i not in kept_set]
        gold = [train_ex[i] for i in kept]
        docs, rest_gold = as_documents(train_records, rest)
        if args.unlabelled_cap and len(docs) > args.unlabelled_cap:
            pick = sorted(random.Random(f"cap-{key}").sample(range(len(docs)), args.unlabelled_cap))
            docs, rest_gold = [docs[i] for i in pick], [rest_gold[i] for i in pick]
        cfg = bench.train_config(seed)
        model_a = None

        def model_a_() -> Any:
            nonlocal model_a
            if model_a is None:
                bench.log(f"{key}: training gold-only on {len(gold)} sentences")
                model_a = bench.gold_model(key, cfg, gold, dev_ex)
            return model_a

        ka = f"{key}-a"
        if "a" in args.modes and ka not in bench.results:
            if not bench.fits("gold", args.gold_estimate_s):
                bench.results[ka] = {"skipped": "time budget"}
            else:
                t0 = time.monotonic()
                m = model_a_()
                bench.results[ka] = {"mode": "a", "size": size, "seed": seed, "labelled": len(gold),
                                     "dev": f1s(bench.evaluate(m, dev_ex)), "test": f1s(bench.evaluate(m, test_ex)),
                                     "seconds": time.monotonic() - t0}
                bench.save()
                bench.log(f"{ka}: dev {bench.results[ka]['dev']} test {bench.results[ka]['test']}")

        for mode in ("c", "b", "g"):
            kx = f"{key}-{mode}"
            if mode not in args.modes or kx in bench.results:
                continue
            if not bench.fits("loop", args.loop_estimate_s):
                bench.results[kx] = {"skipped": "time budget"}
                bench.log(f"{kx}: skipped (time budget)")
                bench.save()
                continue
            t0 = time.monotonic()
            m0 = model_a_()
            threshold = args.threshold
            if mode == "b" and threshold is None:
                threshold = choose_threshold(m0, dev_ex, bench)
            loop_cfg = LoopConfig(rounds=args.rounds, mode="kgagent" if mode == "c" else "plain",
                                  threshold=threshold if threshold is not None else 0.5,
                                  restart=args.restart, seed=seed, feedback_weight=args.feedback_weight,
                                  select_on=args.select_on)
            if mode == "g":  # the control: the rounds' extra training, with no feedback at all
                labeller = lambda model, documents, work: []  # noqa: E731
            else:
                labeller = PlainLabeller(loop_cfg.threshold) if mode == "b" else AgentLabeller(args.rules, args.kg)
            captured: dict[int, list[Any]] = {}

            def recording(model: Any, documents: Any, work: Any, _l=labeller) -> list[Any]:
                out = _l(model, documents, work)
                captured[len(captured) + 1] = out
                return out

            out_dir = bench.work / key / {"b": "plain", "c": "kgagent", "g": "gold-continued"}[mode]
            result = run_loop(cfg, gold, dev_ex, docs, loop_cfg, out_dir, labeller=recording, initial=m0,
                              trainer=bench.round_trainer, train_dev=bench.inner_dev(dev_ex),
                              progress=lambda msg, k=kx: bench.log(f"{k}: {msg}"),
                              overwrite=True)  # not in results.json: what a cut-short run left is redone
            entry: dict[str, Any] = {
                "mode": mode, "size": size, "seed": seed, "labelled": len(gold), "unlabelled": len(docs),
                "threshold": loop_cfg.threshold if mode == "b" else None,
                "best_round": result.best_round,
                "dev_rounds": [f1s(r.dev) for r in result.rounds],
                "feedback": [r.feedback for r in result.rounds],
                "label_quality": {r: label_quality(ex, docs, rest_gold) for r, ex in captured.items()},
                "dev": f1s(result.best.dev), "test": f1s(bench.evaluate(result.model, test_ex)),
                "seconds": time.monotonic() - t0,
            }
            if mode == "c":
                extract = out_dir / "round-1" / "extract"
                if (extract / "decisions.jsonl").exists():
                    stats = compute_rule_stats(read_decisions(extract / "decisions.jsonl"),
                                               Gold.from_records(rest_gold))
                    entry["rule_stats"] = stats.to_dict()
                    entry["rule_stats"].pop("disagreements", None)
                    entry["disagreements"] = len(stats.disagreements)
            bench.results[kx] = entry
            bench.took("loop", time.monotonic() - t0)
            bench.save()
            bench.log(f"{kx}: best round {result.best_round}, dev {entry['dev']} test {entry['test']}; "
                      f"labels {entry['label_quality']}")
    bench.log("done")
    report(bench.results)


def choose_threshold(model: Any, dev: list[Any], bench: Bench) -> float:
    """The plain-self-training threshold that makes the best labels on dev (relation-F1 of the
    thresholded proposals, entity F1 breaking ties): dev only, never test."""
    from kgagent.rule_stats import Gold
    from kgagent.schema import Document
    from kgagent.loop import PlainLabeller

    records = [{"id": f"dev-{i}", "tokens": ex.tokens,
                "entities": [{"type": e.type, "start": e.start, "end": e.end} for e in ex.entities],
                "relations": [{"type": r.type, "head": r.head, "tail": r.tail} for r in ex.relations]}
               for i, ex in enumerate(dev)]
    docs = [Document(r["id"], " ".join(r["tokens"])) for r in records]
    labelled = PlainLabeller(0.0)(model, docs, None)
    best, best_key = 0.5, (-1.0, -1.0)
    for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        kept = []
        for ex in labelled:
            keep = [i for i, e in enumerate(ex.entities) if e.weight >= t]
            remap = {o: n for n, o in enumerate(keep)}
            kept.append(dataclasses.replace(
                ex, entities=[ex.entities[i] for i in keep],
                relations=[dataclasses.replace(r, head=remap[r.head], tail=remap[r.tail])
                           for r in ex.relations if r.weight >= t and r.head in remap and r.tail in remap]))
        q = label_quality(kept, docs, records)
        def f(p: float | None, r: float | None) -> float:
            return 2 * p * r / (p + r) if p and r else 0.0
        k = (f(q["rel_precision"], q["rel_recall"]), f(q["ent_precision"], q["ent_recall"]))
        bench.log(f"threshold {t}: dev label rel F1 {k[0]:.3f} ent F1 {k[1]:.3f}")
        if k > best_key:
            best, best_key = t, k
    bench.log(f"plain self-training threshold chosen on dev: {best}")
    return best


# --------------------------------------------------------------------------- report


def _fmt(values: list[float]) -> str:
    if not values:
        return "—"
    mean = statistics.mean(values)
    if len(values) == 1:
        return f"{mean:.1f} (n=1)"
    return f"{mean:.1f} ± {statistics.stdev(values):.1f} (n={len(values)})"


def report(results: dict[str, Any]) -> str:
    """The results table (markdown): test strict F1 mean ± sample std over seeds."""
    rows = []
    sizes = sorted({v["size"] for v in results.values() if "size" in v and v["size"] < 1.0}, reverse=True)
    head = "| train labels | setting | test entity F1 | test relation F1 | dev relation F1 | seeds |"
    rows.append(head)
    rows.append("|---|---|---|---|---|---|")
    for size in sizes:
        for mode in "agbc":
            cells = [v for v in results.values() if v.get("size") == size and v.get("mode") == mode and "test" in v]
            skipped = [k for k, v in results.items() if k.startswith(f"p{round(size * 100)}-") and k.endswith(f"-{mode}")
                       and "skipped" in v]
            seeds = ",".join(str(v["seed"]) for v in cells) + (f" ({len(skipped)} skipped)" if skipped else "")
            rows.append(f"| {round(size * 100)} % | ({mode}) {MODES[mode]} | {_fmt([v['test']['entity'] for v in cells])}"
                        f" | {_fmt([v['test']['relation'] for v in cells])} | {_fmt([v['dev']['relation'] for v in cells])}"
                        f" | {seeds} |")
    full = [v for k, v in results.items() if k.startswith("full") and "test" in v]
    rows.append(f"| 100 % | (d) {MODES['d']} | {_fmt([v['test']['entity'] for v in full])} | "
                f"{_fmt([v['test']['relation'] for v in full])} | {_fmt([v['dev']['relation'] for v in full])} | "
                f"{','.join(str(v['seed']) for v in full)} |")
    lines = ["\n".join(rows), "", "Fed-back label quality against the hidden gold of the unlabelled part (round 1):", "",
             "| cell | mode | pos. entities (precision) | pos. relations (precision) | neg. entities (precision) | neg. relations (precision) | entity recall | relation recall |",
             "|---|---|---|---|---|---|---|---|"]
    for key, v in sorted(results.items()):
        q = (v.get("label_quality") or {}).get("1") or (v.get("label_quality") or {}).get(1)
        if not q:
            continue
        def pr(n: str) -> str:
            p = q.get(f"{n}_precision")
            return f"{q.get(n, 0)} ({'—' if p is None else f'{p:.3f}'})"
        rows_q = [pr("ent"), pr("rel"), pr("neg_ent"), pr("neg_rel")]
        rec = [f"{q[k]:.3f}" if q.get(k) is not None else "—" for k in ("ent_recall", "rel_recall")]
        lines.append(f"| {key} | {MODES[v['mode']]} | " + " | ".join(rows_q + rec) + " |")
    text = "\n".join(lines)
    print(text)
    return text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", default=str(REPO / "benchmarks" / "feedback_loop" / "work"))
    p.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.1])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--modes", default="abcdg", help="a gold only, g gold only trained on like the rounds "
                   "(the control for their extra epochs), b plain, c kgagent, d full gold")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--restart", default="base", choices=["base", "continue"])
    p.add_argument("--select-on", default="relation", choices=["relation", "entity", "mean"])
    p.add_argument("--threshold", type=float, default=None, help="plain self-training threshold (default: chosen on dev)")
    p.add_argument("--feedback-weight", type=float, default=1.0)
    p.add_argument("--epochs", type=int, default=None, help="epochs of gold-only training (TrainConfig.epochs)")
    p.add_argument("--round-epochs", type=int, default=None, help="epochs of a round that continues from a model")
    p.add_argument("--inner-dev", type=int, default=0, help="dev sentences the trainer sees per epoch (0 = all)")
    p.add_argument("--full-model", default=None, help="(d): evaluate this full-train model instead of training one")
    p.add_argument("--set", action="append", help="TrainConfig field=value (JSON value)")
    p.add_argument("--rules", default=None)
    p.add_argument("--kg", default=None)
    p.add_argument("--unlabelled-cap", type=int, default=0, help="use at most this many unlabelled sentences")
    p.add_argument("--budget-min", type=float, default=45.0)
    p.add_argument("--gold-estimate-s", type=float, default=120.0)
    p.add_argument("--loop-estimate-s", type=float, default=300.0)
    p.add_argument("--full-estimate-s", type=float, default=400.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--report", action="store_true", help="print the table of finished cells and exit")
    args = p.parse_args()
    if args.report:
        path = Path(args.work) / "results.json"
        report(json.loads(path.read_text()) if path.exists() else {})
        return
    run(args)


if __name__ == "__main__":
    main()
