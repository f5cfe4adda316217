"""The news model's quality card, side by side: each model on CoNLL04 dev/test (entity and
relation strict F1) and CoNLL-2003 valid/test (strict entity F1 over all four types and over
PER/ORG/LOC alone), every figure through the news domain's label map as `kgagent evaluate`
computes it (a class the data set does not mark is not scored: kgagent.evaluate.project).

    nice .venv/bin/python benchmarks/encoder/news_scores.py --models kg_data/model,/tmp/news_joint [--splits test]

Prints a table and writes benchmarks/encoder/results/news_scores.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data"
SPLITS = {
    ("conll04", "dev"): DATA / "conll04" / "conll04_dev.json",
    ("conll04", "test"): DATA / "conll04" / "conll04_test.json",
    ("conll2003", "dev"): DATA / "conll2003" / "valid.txt",
    ("conll2003", "test"): DATA / "conll2003" / "test.txt",
}
CORE3 = ("person", "organization", "location")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", required=True, help="comma-separated model directories")
    ap.add_argument("--splits", default="dev,test")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", default="float32")
    args = ap.parse_args()

    import torch

    from kgagent.domain import Domain
    from kgagent.encoder.data import read_examples
    from kgagent.encoder.pretrained import Encoder
    from kgagent.encoder.scoring import evaluate_in_domain
    from kgagent.evaluate import micro_of

    torch.set_num_threads(args.threads)
    dom = Domain.load()
    symmetric = {r.name for r in dom.ontology.relations.values() if r.symmetric}
    golds = {k: read_examples(p) for k, p in SPLITS.items() if k[1] in args.splits.split(",")}
    rows = []
    for model in args.models.split(","):
        enc = Encoder.from_pretrained(model, precision=args.precision)
        for (data, split), gold in golds.items():
            t0 = time.time()
            pred = enc.predict_examples(gold, batch_size=32)
            m = evaluate_in_domain(gold, pred, dom.labels.normalize, symmetric)
            row = {"model": model, "data": data, "split": split, "sentences": len(gold),
                   "seconds": round(time.time() - t0, 1), "entity_f1": m["entity"]["f1"],
                   "relation_f1": m["relation_strict"]["f1"] if data == "conll04" else None,
                   "per_type": {t: round(v["f1"], 2) for t, v in m["entity"]["per_type"].items()},
                   "unscored": m["unscored"]}
            if data == "conll2003":
                row["per_org_loc_f1"] = micro_of(m["entity"], CORE3)["f1"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"\n{'model':<28}{'data':<11}{'split':<6}{'entity':>8}{'relation':>9}{'P/O/L':>7}  per type")
    for r in rows:
        rel = f"{r['relation_f1']:.2f}" if r["relation_f1"] is not None else "-"
        pol = f"{r['per_org_loc_f1']:.2f}" if "per_org_loc_f1" in r else "-"
        print(f"{r['model'][-27:]:<28}{r['data']:<11}{r['split']:<6}{r['entity_f1']:>8.2f}{rel:>9}{pol:>7}  "
              + " ".join(f"{t} {f}" for t, f in r["per_type"].items()))
    out = HERE / "results" / "news_scores.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
