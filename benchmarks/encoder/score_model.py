"""Scores of a trained model on CoNLL04 dev and test (float and int8), with calibration error.

    nice -n 10 .venv/bin/python benchmarks/encoder/score_model.py --model kg_data/model --int8
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from kgagent.encoder.data import read_examples
from kgagent.encoder.pretrained import Encoder
from kgagent.evaluate import decision_calibration, evaluate

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "conll04"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=None)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    splits = {s: read_examples(args.data / f"conll04_{s}.json") for s in ("dev", "test")}
    results = {}
    for variant in ["float"] + (["int8"] if args.int8 else []):
        enc = Encoder.from_pretrained(args.model, quantize=variant == "int8")
        for split, gold in splits.items():
            t0 = time.time()
            pred = enc.predict_examples(gold)
            secs = time.time() - t0
            m = evaluate(gold, pred)
            cal = decision_calibration(gold, pred)
            results[f"{variant}/{split}"] = {
                "entity_f1": m["entity"]["f1"], "relation_strict_f1": m["relation_strict"]["f1"],
                "relation_boundaries_f1": m["relation_boundaries"]["f1"],
                "entity_per_type": {k: round(v["f1"], 2) for k, v in m["entity"]["per_type"].items()},
                "relation_per_type": {k: round(v["f1"], 2) for k, v in m["relation_strict"]["per_type"].items()},
                "entity_counts": {k: m["entity"]["micro"][k] for k in ("gold", "pred", "correct")},
                "relation_counts": {k: m["relation_strict"]["micro"][k] for k in ("gold", "pred", "correct")},
                **cal, "seconds": secs}
            print(variant, split, json.dumps(results[f"{variant}/{split}"]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
