"""Throughput and peak memory of `kgagent extract` on examples/corpus.txt repeated 1x, 10x, 100x.

Each size runs `kgagent extract CORPUS --out DIR -q` in a fresh process (shipped model, graph,
rules; torch on --threads cores) and reports documents/s and sentences/s over the extraction
(model and graph loading excluded, reported apart), the share of time per stage (encoder,
linking, rules, writing; from OUT/summary.json) and the peak resident memory of the process
(sampled every 50 ms with psutil). Peak memory must stay flat as the corpus grows.

    nice -n 10 .venv/bin/python benchmarks/agent/throughput.py --sizes 1 10 100
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
KGAGENT = Path(sys.executable).parent / "kgagent"


def run_one(corpus: Path, out: Path, threads: int, extra: list[str]) -> dict:
    cmd = [str(KGAGENT), "extract", str(corpus), "--out", str(out), "-q", "--threads", str(threads), *extra]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    ps = psutil.Process(proc.pid)
    samples: list[tuple[float, int]] = []
    while proc.poll() is None:
        try:
            samples.append((time.perf_counter() - t0, ps.memory_info().rss))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    peak = max((r for _t, r in samples), default=0)
    # peak RSS in each quarter of the run: a leak climbs quarter by quarter, a flat run does not
    quarters = [max((r for t, r in samples if q * wall / 4 <= t < (q + 1) * wall / 4), default=0) / 2**20
                for q in range(4)]
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"kgagent extract failed ({proc.returncode}):\n{stderr.decode()[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    return {"wall": wall, "peak_rss_mb": peak / 2**20, "rss_quarters_mb": quarters, "summary": summary}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(REPO / "examples" / "corpus.txt"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default=None)
    ap.add_argument("extra", nargs="*", help="more options for kgagent extract (after --)")
    args = ap.parse_args(argv)
    text = Path(args.corpus).read_text(encoding="utf-8").strip()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kgagent-bench-") as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"corpus_x{n}.txt"
            corpus.write_text("\n\n".join([text] * n) + "\n", encoding="utf-8")
            r = run_one(corpus, Path(tmp) / f"out_x{n}", args.threads, args.extra)
            s = r["summary"]
            t = s["timings"]
            total = sum(t.values()) or 1.0
            rows.append({"size": n, "documents": s["processed"], "sentences": s["sentences"],
                         "extract_seconds": s["wall"], "process_seconds": round(r["wall"], 2),
                         "load_seconds": round(r["wall"] - s["wall"], 2),
                         "docs_per_s": round(s["processed"] / s["wall"], 2),
                         "sentences_per_s": round(s["sentences"] / s["wall"], 2),
                         "share": {k: round(100 * v / total, 1) for k, v in t.items()},
                         "peak_rss_mb": round(r["peak_rss_mb"], 1),
                         "rss_quarters_mb": [round(q, 1) for q in r["rss_quarters_mb"]]})
            print(f"x{n}: {rows[-1]}", file=sys.stderr)
    print(f"kgagent extract on {Path(args.corpus).name} repeated, {args.threads} torch threads "
          f"({psutil.cpu_count()} CPUs on this machine)")
    print(f"{'size':>5} {'docs':>6} {'sents':>6} {'load s':>7} {'extract s':>9} {'docs/s':>7} {'sents/s':>8} "
          f"{'encoder':>8} {'linking':>8} {'rules':>6} {'writing':>8} {'peak MB':>8}")
    for r in rows:
        sh = r["share"]
        print(f"{'x' + str(r['size']):>5} {r['documents']:>6} {r['sentences']:>6} {r['load_seconds']:>7.1f} "
              f"{r['extract_seconds']:>9.1f} {r['docs_per_s']:>7.2f} {r['sentences_per_s']:>8.2f} "
              f"{sh.get('encoder', 0):>7.1f}% {sh.get('linking', 0):>7.1f}% {sh.get('rules', 0):>5.1f}% "
              f"{sh.get('writing', 0):>7.1f}% {r['peak_rss_mb']:>8.1f}")
    for r in rows:
        print(f"x{r['size']}: peak RSS by quarter of the run (MB): " + " / ".join(f"{q:.0f}" for q in r["rss_quarters_mb"]))
    if len(rows) > 1:
        print(f"peak memory ratio x{rows[-1]['size']} / x{rows[0]['size']}: "
              f"{rows[-1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
