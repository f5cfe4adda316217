"""Quality ablations of the encoder on CoNLL04: case features on/off, LoRA vs full fine-tuning.

Each setting trains on CoNLL04 train (optionally the first N sentences, for short runs),
selects on dev, and is scored on dev (and test with --test). Prints one table; writes JSON.

    nice -n 19 .venv/bin/python benchmarks/encoder/quality.py --train-limit 200 --epochs 2 \
        --settings lora-case,lora-nocase,full-case --out benchmarks/encoder/results/ablation.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from kgagent.encoder.data import read_examples
from kgagent.encoder.train import TrainConfig, train
from kgagent.evaluate import decision_calibration, evaluate

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "conll04"
SETTINGS = {
    "lora-case": dict(lora=True, case_features=True, lr=8e-4, head_lr=2e-3),
    "lora-nocase": dict(lora=True, case_features=False, lr=8e-4, head_lr=2e-3),
    "full-case": dict(lora=False, case_features=True, lr=1e-4, head_lr=2e-3),
    "full-nocase": dict(lora=False, case_features=False, lr=1e-4, head_lr=2e-3),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--settings", default="lora-case,lora-nocase,full-case")
    ap.add_argument("--train-limit", type=int, default=0, help="first N train sentences (0 = all)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--test", action="store_true", help="also score test (never used to choose)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "ablation.json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tr = read_examples(args.data / "conll04_train.json")
    if args.train_limit:
        tr = tr[: args.train_limit]
    dv = read_examples(args.data / "conll04_dev.json")
    te = read_examples(args.data / "conll04_test.json") if args.test else None
    rows = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for name in args.settings.split(","):
        cfg = TrainConfig(epochs=args.epochs, num_threads=args.threads, **SETTINGS[name])
        t0 = time.time()
        cpu0 = time.process_time()
        enc, rep = train(cfg, tr, dv)
        row = {"setting": name, "train_sentences": len(tr), "epochs": args.epochs, "best_epoch": rep["best_epoch"],
               "wall_s": time.time() - t0, "cpu_s": time.process_time() - cpu0,
               "dev_entity_f1": rep["dev"]["entity"]["f1"], "dev_relation_f1": rep["dev"]["relation_strict"]["f1"],
               "dev_ece": rep.get("calibration", {}).get("ece_after")}
        if te is not None:
            m = evaluate(te, enc.predict_examples(te))
            row.update(test_entity_f1=m["entity"]["f1"], test_relation_f1=m["relation_strict"]["f1"],
                       test_ece=decision_calibration(te, enc.predict_examples(te)))
        rows.append(row)
        print(json.dumps(row), flush=True)
        args.out.write_text(json.dumps(rows, indent=2))
    print(f"\n{'setting':<14}{'train':>7}{'epochs':>7}{'dev ent F1':>12}{'dev rel F1':>12}"
          + (f"{'test ent':>10}{'test rel':>10}" if te is not None else "") + f"{'wall s':>9}")
    for r in rows:
        print(f"{r['setting']:<14}{r['train_sentences']:>7}{r['epochs']:>7}{r['dev_entity_f1']:>12.2f}"
              f"{r['dev_relation_f1']:>12.2f}"
              + (f"{r['test_entity_f1']:>10.2f}{r['test_relation_f1']:>10.2f}" if te is not None else "")
              + f"{r['wall_s']:>9.0f}")


if __name__ == "__main__":
    main()
