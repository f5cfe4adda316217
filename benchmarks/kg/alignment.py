"""Two graphs, one world: WebNLG dev linked against its DBpedia graph PLUS the default (GeoNames)
graph, before and after aligning the two (kgagent.kg.alignment; issue 12, item 5).

    nice -n 10 .venv/bin/python benchmarks/kg/alignment.py --threads 1 [--data ../shared/data]

Gold is the DBpedia resource of each WebNLG dev reference (name/description references whose
gold is a resource, as benchmarks/kg/linking.py). Before: a link is right when it is the gold
resource; a link to the gold's GeoNames twin is a split (the same thing, another IRI). After
``align_entities`` + ``apply_alignment``: a link is right when it is the canonical entity of the
gold's cluster. The sample of twins printed at the end (seeded) is for checking by eye.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

import torch

from kgagent.domain import Domain
from kgagent.kg import KnowledgeGraph
from kgagent.kg.alignment import align_entities, apply_alignment, canonical_map
from kgagent.kg.importers import DBR, read_webnlg, webnlg_graph

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def _rank(linker, texts: list[str]) -> list[list[str]]:
    return [[c.entity for c in lk.candidates] for lk in linker.link([(t, None) for t in texts], top_k=10)]


def _figures(ranked: list[list[str]], gold: list[str], right: dict[str, str], twins: dict[str, set[str]]) -> dict:
    """top-1 / R@10 against ``right[gold]``; splits: top-1 is another member of the gold's cluster,
    top-10 holds two members of one cluster."""
    n = len(gold)
    top1 = sum(1 for r, g in zip(ranked, gold) if r and r[0] == right.get(g, g))
    r10 = sum(1 for r, g in zip(ranked, gold) if right.get(g, g) in r[:10])
    split1 = sum(1 for r, g in zip(ranked, gold) if r and r[0] != right.get(g, g) and r[0] in twins.get(g, ()))
    split10 = sum(1 for r, g in zip(ranked, gold) if len(set(r[:10]) & ({g} | twins.get(g, set()))) >= 2)
    either = sum(1 for r, g in zip(ranked, gold) if r and (r[0] == right.get(g, g) or r[0] in twins.get(g, ())))
    return {"top1": top1 / n, "r10": r10 / n, "split_top1": split1, "split_top10": split10, "either": either / n}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parents[1].parent / "shared" / "data")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sample", type=int, default=40, help="twins printed for checking by eye")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    (WORK / "webnlg_geonames").mkdir(parents=True, exist_ok=True)
    dom = Domain.load()
    t0 = time.perf_counter()
    triples, refs = read_webnlg(args.data / "webnlg", ("train", "dev"))
    web = webnlg_graph(triples, args.data / "dbpedia-ontology" / "dbpedia_2016-10.owl", domain=dom)
    web_entities = set(web.entities())
    kg = KnowledgeGraph.load()  # the default (news) graph: GeoNames places
    geo_entities = set(kg.entities())
    for q in web.dataset.quads((None, None, None, None)):
        kg.dataset.add(q)
    kg.invalidate()
    kg.path = WORK / "webnlg_geonames" / "graph.nq.gz"
    dev = [r for r in refs if r.split == "dev" and r.kind in ("name", "description")]
    usable = [r for r in dev if DBR + r.entity in web_entities]
    texts, gold = [r.text for r in usable], [DBR + r.entity for r in usable]
    t1 = time.perf_counter()
    linker = kg.linker(nil_threshold=-1.0, kinds=dom.kinds, untyped=dom.ontology.untyped)
    t2 = time.perf_counter()
    before = _rank(linker, texts)
    t3 = time.perf_counter()
    report = align_entities(kg, web_entities, geo_entities, kinds=dom.kinds, linker=linker)
    t4 = time.perf_counter()
    apply_alignment(kg, report.twins, source="webnlg train+dev (DBpedia names)")
    linker.refresh_twins()
    after = _rank(linker, texts)
    t5 = time.perf_counter()

    canon = canonical_map(kg)
    twins = {}
    for m, c in canon.items():
        twins.setdefault(m, set()).add(c)
        twins.setdefault(c, set()).add(m)
    b = _figures(before, gold, {}, twins)
    a = _figures(after, gold, canon, twins)
    with_twin = sum(1 for g in gold if g in canon)
    print(f"### WebNLG v1.6 dev linked against its DBpedia graph + the default graph\n")
    print(f"{len(usable):,} name/description references with a resource as gold; graph: {len(web_entities):,} "
          f"WebNLG (DBpedia) entities + {len(geo_entities):,} default-graph entities ({len(kg):,} triples); "
          f"{with_twin:,} references ({with_twin / len(gold):.1%}) have a gold that got a GeoNames twin\n")
    print("| linking | top-1 | recall@10 | top-1 = gold or its twin | top-1 on the gold's twin (split) | "
          "top-10 holding both twins |")
    print("|---|---|---|---|---|---|")
    print(f"| before alignment (gold = the DBpedia resource) | {b['top1']:.3f} | {b['r10']:.3f} | {b['either']:.3f} | "
          f"{b['split_top1']:,} | {b['split_top10']:,} |")
    print(f"| after alignment (gold = its cluster's canonical entity) | {a['top1']:.3f} | {a['r10']:.3f} | "
          f"{a['either']:.3f} | {a['split_top1']:,} | {a['split_top10']:,} |")
    kinds = Counter(t.kinds[0] if t.kinds else "(one side untyped)" for t in report.twins)
    names = Counter(t.name for t in report.twins)
    nb = sum(1 for t in report.twins if t.neighbours)
    prom = sorted(t.entity[len(DBR):] for t in report.twins if t.prominence is not None)
    print(f"\nalignment: {len(report.twins):,} twins ({dict(kinds)}; names {dict(names)}; {nb:,} with agreeing "
          f"neighbours); {report.candidates:,} WebNLG entities had a candidate; left alone: "
          f"{len(report.ambiguous):,} ambiguous, {report.incompatible:,} pairs of other kinds/classes, "
          f"{report.unsupported:,} pairs with a shared name only, {report.taken:,} lost to a better claim; "
          f"ties broken by prominence: {', '.join(prom) or 'none'}")
    print(f"\ngraphs {t1 - t0:.1f} s, linker open {t2 - t1:.1f} s ({'rebuilt' if linker.rebuilt else 'cached'}, "
          f"{linker.embedded_rows:,} rows embedded), link before {t3 - t2:.1f} s, align {t4 - t3:.1f} s, "
          f"link after {t5 - t4:.1f} s")
    rng = random.Random(0)
    sample = rng.sample(report.twins, min(args.sample, len(report.twins)))
    print(f"\nsample of {len(sample)} twins (seed 0): WebNLG entity -> default-graph entity, evidence")
    for t in sorted(sample, key=lambda t: t.entity):
        geo = kg.entity(t.canonical)
        print(f"- {t.entity[len(DBR):]} -> {geo.label if geo else t.canonical} ({', '.join(geo.types) if geo else ''})"
              f" [{t.name}, {len(t.neighbours)} neighbour(s), score {t.score}]")
    print("\nambiguous (first 20):", ", ".join(e[len(DBR):] for e in report.ambiguous[:20]))


if __name__ == "__main__":
    main()
