"""CONSTRUCT / DESCRIBE with a row limit on the rdflib engine: rdflib's own evaluation (the whole
result graph built first) against kgagent's, which builds the triples as they are read
(``kgagent.kg.sparql.graph_result``), and Oxigraph's, on the default graph (kg_data/).

    nice -n 10 .venv/bin/python benchmarks/kg/construct_limit.py

Times are the median of 3 runs (the first also builds Oxigraph's snapshot: left out); memory is
tracemalloc's peak of the Python objects allocated by the query (Oxigraph's own memory is not
Python's: not counted), measured in a separate run.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from itertools import islice
from pathlib import Path

from kgagent.kg import KnowledgeGraph
from kgagent.kg.sparql import prepare_read_only

QUERIES = {
    "CONSTRUCT all": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CONSTRUCT labels": "CONSTRUCT { ?e ont:name ?l } WHERE { ?e rdfs:label ?l }",
    "DESCRIBE typed": "DESCRIBE ?e WHERE { ?e a ?c }",
}
LIMITS = (10, 10_000, None)


def rdflib_own(kg: KnowledgeGraph, q: str, limit: int | None) -> list:
    """What KnowledgeGraph.query did before: rdflib's result graph, then the first ``limit``."""
    return list(islice(kg._ds.query(prepare_read_only(q)), limit))


def measure(fn) -> tuple[float, float, int]:
    times, n = [], 0
    for _ in range(3):
        t = time.perf_counter()
        n = len(fn())
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 1e6, n


def main() -> None:
    kg = KnowledgeGraph.load(Path(__file__).resolve().parents[2] / "kg_data" / "graph")
    kg.query("ASK { ?s ?p ?o }")  # Oxigraph's snapshot, built once
    print(f"default graph: {len(kg):,} quads\n")
    print("| query | max_rows | triples | rdflib's own: s | MB | kgagent rdflib engine: s | MB | Oxigraph: s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, q in QUERIES.items():
        for limit in LIMITS:
            own = measure(lambda: rdflib_own(kg, q, limit))
            ours = measure(lambda: kg.query(q, engine="rdflib", max_rows=limit, timeout=600))
            ox = measure(lambda: kg.query(q, max_rows=limit, timeout=600))
            assert own[2] == ours[2] == ox[2], (name, limit, own[2], ours[2], ox[2])
            print(f"| {name} | {limit or 'all'} | {ours[2]:,} | {own[0]:.2f} | {own[1]:.0f} | {ours[0]:.3f} | "
                  f"{ours[1]:.1f} | {ox[0]:.3f} |", flush=True)


if __name__ == "__main__":
    main()
