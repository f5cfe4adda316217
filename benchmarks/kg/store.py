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
engine = sys.argv[4]
out = {"load_s": t2 - t1, "triples": len(kg)}
t = time.perf_counter()
kg.query("ASK { ?s ?p ?o }", engine=engine)
out["first_query_s"] = time.perf_counter() - t
for name, q in queries.items():
    times = []
    for _ in range(3):
        t = time.perf_counter()
        try:
            res = kg.query(q, timeout=60, engine=engine)
        except Exception as err:
            res = "stopped after 60 s" if "KGA205" in str(err) else str(err)
            times.append(60.0)
            break
        times.append(time.perf_counter() - t)
    out[name] = (statistics.median(times), res if isinstance(res, (bool, str)) else len(res))
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kg.close()
print(json.dumps(out))
"""


def run(graph: Path, store: str, engine: str = "oxigraph") -> dict:
    p = subprocess.run([sys.executable, "-c", CHILD, str(graph), store, json.dumps(QUERIES), engine],
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
        rdf = run(g, "memory", "rdflib")
        ox_first = run(g, "oxigraph")
        ox_again = run(g, "oxigraph")
        disk = sum(p.stat().st_size for p in (g / "oxigraph").rglob("*") if p.is_file())
    print(f"default graph: {mem['triples']:,} triples ({(src / 'graph.nq.gz').stat().st_size / 1e6:.1f} MB gzipped "
          f"N-Quads); Oxigraph store on disk {disk / 1e6:.1f} MB\n")
    print("| | rdflib memory, rdflib SPARQL | rdflib memory, Oxigraph SPARQL snapshot (default) "
          "| Oxigraph on disk (first open: bulk load) | Oxigraph on disk (re-open) |")
    print("|---|---|---|---|---|")
    cols = (rdf, mem, ox_first, ox_again)
    print("| load s | " + " | ".join(f"{c['load_s']:.2f}" for c in cols) + " |")
    print("| first query s (snapshot) | " + " | ".join(f"{c['first_query_s']:.2f}" for c in cols) + " |")
    print("| peak RSS MB (process) | " + " | ".join(f"{c['rss_mb']:.0f}" for c in cols) + " |")
    for name in QUERIES:
        rows = {str(c[name][1]) for c in cols if not str(c[name][1]).startswith("stopped")}
        assert len(rows) == 1, (name, [c[name] for c in cols])
        cells = [c[name][1] if isinstance(c[name][1], str) and c[name][1].startswith("stopped")
                 else f"{c[name][0] * 1000:.1f}" for c in cols]
        print(f"| {name} (rows {rows.pop()}) ms, median of 3 | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
