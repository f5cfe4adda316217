"""HNSW at 1e6 rows: build time (in chunks, so a partial run still reports), search q/s and
recall@10 against exact search — the vectors of scale.py (100,000 real MiniLM name vectors +
900,000 synthetic ones), without the rdflib graph and Linker around them (scale.py measures
those up to 1e5; at 1e6 they need 13 GB of memory, more than this shared machine can spare).

    nice -n 10 .venv/bin/python benchmarks/kg/scale_1e6.py [--rows 1000000] [--deadline-min 40]
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

from kgagent.kg.index import HNSW_EF_CONSTRUCTION, HNSW_M, normalise
from scale import WORK, synthetic


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--deadline-min", type=float, default=40.0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    faiss.omp_set_num_threads(args.threads)
    names = (WORK / "real_names.txt").read_text(encoding="utf-8").split("\n")
    real = normalise(np.load(WORK / "real_vectors.npy").astype(np.float32))
    _, syn = synthetic(names, real, args.rows - len(real))
    v = np.vstack([real, syn]).astype(np.float32)
    del syn
    rng = np.random.default_rng(1)
    q = real[rng.integers(0, len(real), 2000)]
    q = normalise(q + 0.3 * rng.normal(size=q.shape).astype(np.float32) / np.sqrt(q.shape[1]))
    index = faiss.IndexHNSWFlat(v.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    t0 = time.perf_counter()
    deadline = t0 + args.deadline_min * 60
    n = 0
    while n < len(v) and time.perf_counter() < deadline:
        index.add(v[n:n + args.chunk])
        n += args.chunk
        print(f"  HNSW(M={HNSW_M}, efC={HNSW_EF_CONSTRUCTION}) holds {n:,} rows after {time.perf_counter() - t0:.0f} s",
              flush=True)
    build = time.perf_counter() - t0
    flat = faiss.IndexFlatIP(v.shape[1])
    flat.add(v[:n])
    t = time.perf_counter()
    _, exact = flat.search(q, 10)
    flat_qps = len(q) / (time.perf_counter() - t)
    print(f"\nrows indexed {n:,} (of {len(v):,}); HNSW build {build:.0f} s; exact search {flat_qps:,.0f} q/s")
    print("| rows | efSearch | HNSW q/s | recall@10 vs exact |")
    print("|---|---|---|---|")
    for ef in (64, 128, 256, 512):
        index.hnsw.efSearch = ef
        t = time.perf_counter()
        _, ids = index.search(q, 10)
        qps = len(q) / (time.perf_counter() - t)
        rec = float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(ids, exact)]))
        print(f"| {n:,} | {ef} | {qps:,.0f} | {rec:.4f} |", flush=True)


if __name__ == "__main__":
    main()
