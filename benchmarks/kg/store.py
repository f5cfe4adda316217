"""Load and SPARQL time of the default graph: rdflib memory store vs Oxigraph on disk, side by side.

    nice -n 10 .venv/bin/python benchmarks/kg/store.py

Each backend runs in its own subprocess (clean memory figures: peak RSS of that process).
Oxigraph is measured twice: the first open (bulk-loads graph.nq.gz into a fresh on-disk
store) and a re-open of that store. Query times are the median of 3 runs, results
materialised as Python values (KnowledgeGraph.query).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = {
    "label lookup": """SELECT ?e WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> "Paris" }""",
    "cities per country (GROUP BY, top 5)": """PREFIX ont: <https://w3id.org/kgagent/ont/>
        SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ont:city ; ont:located_in ?c . ?c a ont:country }
        GROUP BY ?c ORDER BY DESC(?n) LIMIT 5""",
    "2-hop located_in (cities in regions of France)": """PREFIX ont: <https://w3id.org/kgagent/ont/>
        SELECT ?x ?r WHERE { ?x ont:located_in ?r . ?r ont:located_in <https://w3id.org/kgagent/entity/geonames/3017382> .
        ?r a ont:region }""",
    "ASK capital": """ASK { ?c <https://w3id.org/kgagent/ont/capital> ?x }""",
    "FILTER regex on labels": """SELECT ?e ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l
        FILTER(STRSTARTS(?l, "San ")) }""",
}

CHILD = r"""
import json, resource, statistics, sys, time
t0 = time.perf_counter()
from kgagent.kg import KnowledgeGraph
queries = json.loads(sys.argv[3])
t1 = time.perf_counter()
kg = KnowledgeGraph.load(sys.argv[1], store=sys.argv[2])
t2 = time.perf_counter()
out = {"load_s": t2 - t1, "triples": len(kg)}
for name, q in queries.items():
    times = []
    for _ in range(3):
        t = time.perf_counter()
        res = kg.query(q, timeout=120)
        times.append(time.perf_counter() - t)
    out[name] = (statistics.median(times), res if isinstance(res, bool) else len(res))
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kg.close()
print(json.dumps(out))
"""


def run(graph: Path, store: str) -> dict:
    p = subprocess.run([sys.executable, "-c", CHILD, str(graph), store, json.dumps(QUERIES)],
                       capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"{store} run failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    src = Path(__file__).resolve().parents[2] / "kg_data" / "graph"
    with tempfile.TemporaryDirectory() as tmp:
        g = Path(tmp) / "graph"
        g.mkdir()
        shutil.copy(src / "graph.nq.gz", g / "graph.nq.gz")
        mem = run(g, "memory")
        ox_first = run(g, "oxigraph")
        ox_again = run(g, "oxigraph")
        disk = sum(p.stat().st_size for p in (g / "oxigraph").rglob("*") if p.is_file())
    print(f"default graph: {mem['triples']:,} triples ({(src / 'graph.nq.gz').stat().st_size / 1e6:.1f} MB gzipped "
          f"N-Quads); Oxigraph store on disk {disk / 1e6:.1f} MB\n")
    print("| | rdflib memory | Oxigraph (first open: bulk load) | Oxigraph (re-open) |")
    print("|---|---|---|---|")
    print(f"| load s | {mem['load_s']:.2f} | {ox_first['load_s']:.2f} | {ox_again['load_s']:.2f} |")
    print(f"| peak RSS MB (process) | {mem['rss_mb']:.0f} | {ox_first['rss_mb']:.0f} | {ox_again['rss_mb']:.0f} |")
    for name in QUERIES:
        a, b, c = mem[name], ox_first[name], ox_again[name]
        assert a[1] == b[1] == c[1], (name, a, b, c)
        print(f"| {name} (rows {a[1]}) ms | {a[0] * 1000:.1f} | {b[0] * 1000:.1f} | {c[0] * 1000:.1f} |")


if __name__ == "__main__":
    main()
