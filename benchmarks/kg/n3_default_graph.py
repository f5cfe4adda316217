"""N3 news mentions (Reuters-128 + RSS-500) linked with the shipped default news graph (issue 11).

    nice -n 19 .venv/bin/python benchmarks/kg/n3_default_graph.py [--data ../shared/data] [--threads 1]

Every gold mention of N3 (read by benchmarks/kg/linking.py's reader) is linked, mention type
unknown, by the linker the agent itself uses (``Agent.load(domain=...).linker``: the default
domain's graph, its index, kinds, untyped class and NIL threshold). By default the domain is
the ``kg_data`` folder beside the imported ``kgagent`` package, so running this file with
PYTHONPATH pointing to another checkout measures that checkout's code AND graph.

Gold in the default graph: a gold DBpedia resource maps to a graph entity when exactly one
entity (canonical entity of its alignment cluster, if any) has the resource's name (IRI local
name, percent-decoded, underscores as spaces) as its label or alias, written exactly
(whitespace collapsed). DBpedia qualifies a place's name that others share, and those resources
are read by their qualifier (``--exact-names`` turns this off): "Nashville, Tennessee" is the
entity named Nashville that lies (one to three located_in steps) in an entity named Tennessee;
"São Paulo (state)" the region named São Paulo, "Georgia (country)" the country named Georgia;
"Córdoba Province, Argentina" and "Chaco Province" a region named Córdoba (in Argentina) and
Chaco. NIL-gold for this graph = notInWiki (no English DBpedia link) or a DBpedia resource no
entity is named after (the right answer with this graph is NIL). A resource named by several
entities is ambiguous: it is neither mapped nor NIL-gold, and its mentions are left out of
every score (their count is printed).

Scores per split (documents split dev/test by linking.py's hash rule): NIL precision / recall /
F1 of the linker's NIL decisions (its own threshold), top-1 on mentions whose gold maps (a NIL
answer is wrong; also the first candidate whatever the threshold), accuracy (entity or NIL).

``--agent`` also runs the whole agent on each N3 document's text (encoder, linker under the
encoder's class, rules: ``Agent.extract``, the graph frozen) and scores the graph entity each
accepted mention with a gold span becomes (a new entity counts as NIL), beside the linker alone
on the same mentions: what the encoder's classes and the rules (unlink, relink, same_entity)
change about who a mention is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import unquote

import torch

import kgagent
from kgagent.agent import Agent
from kgagent.kg.importers import DBR

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from linking import _split, read_nif  # noqa: E402  (linking.py's N3 reader and dev/test rule)


def resource_name(iri: str) -> str:
    """``http://dbpedia.org/resource/S%C3%A3o_Paulo`` -> ``São Paulo``."""
    return " ".join(unquote(iri[len(DBR):]).replace("_", " ").split())


def name_table(kg, canonical) -> dict[str, set[str]]:
    """Exact name (whitespace collapsed) -> entities (canonical) having it as label or alias."""
    labelled = set()
    rows = []
    for iri, name, preferred in kg.label_table():
        if preferred:
            labelled.add(iri)
        rows.append((iri, name))
    table: dict[str, set[str]] = defaultdict(set)
    for iri, name in rows:
        if iri in labelled:
            table[" ".join(name.split())].add(canonical(iri))
    return table


#: "X (state)": the class of the graph an entity named X must be of
QUALIFIER_CLASSES = {"state": "region", "province": "region", "country": "country", "city": "city"}


def qualified_entities(name: str, names: dict[str, set[str]], kg, canonical) -> set[str] | None:
    """The graph entities a DBpedia name with a qualifier means ("Nashville, Tennessee": the entity
    named Nashville within one named Tennessee; "São Paulo (state)": the region named São Paulo;
    "Chaco Province": the region named Chaco); None when the name has no qualifier."""
    base, within, cls = name, None, None
    if name.endswith(")") and " (" in name:
        base, q = name[:-1].split(" (", 1)
        cls = QUALIFIER_CLASSES.get(q.casefold())
        within = None if cls else q
    elif ", " in name:
        base, within = name.split(", ", 1)
    if base.endswith(" Province"):
        base, cls = base[: -len(" Province")], "region"
    if base == name:
        return None
    out = set(names.get(base, set()))
    if cls is not None:
        out = {e for e in out if cls in kg.entity_types(e)}
    if within is not None:
        places = names.get(within, set())
        out = {e for e in out if _within(e, places, kg, canonical)}
    return out


def _within(entity: str, places: set[str], kg, canonical, steps: int = 3) -> bool:
    """Does ``entity`` lie in one of ``places``, one to ``steps`` relation steps up?"""
    frontier = {entity}
    for _ in range(steps):
        frontier = {canonical(o) for e in frontier for o in kg.related(e)}
        if frontier & places:
            return True
    return False


def prf(pred_nil: list[bool], gold_nil: list[bool], idx: list[int]) -> tuple[float, float, float, int, int, int]:
    tp = sum(1 for i in idx if pred_nil[i] and gold_nil[i])
    fp = sum(1 for i in idx if pred_nil[i] and not gold_nil[i])
    fn = sum(1 for i in idx if not pred_nil[i] and gold_nil[i])
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), tp, fp, fn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE.parents[1].parent / "shared" / "data")
    ap.add_argument("--domain", type=Path, default=Path(kgagent.__file__).resolve().parents[1] / "kg_data",
                    help="domain folder (default: kg_data beside the imported kgagent)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--label", default="", help="a name for this run's row (e.g. before / after)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--show", type=int, default=0, help="print up to N errors of each kind")
    ap.add_argument("--agent", action="store_true",
                    help="also score the entities the whole agent gives the mentions it accepts with gold's span")
    ap.add_argument("--exact-names", action="store_true",
                    help="map a gold resource only by its name written exactly (as before 2026-12-06)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"kgagent: {kgagent.__file__}\ndomain: {args.domain.resolve()}", flush=True)

    t0 = time.perf_counter()
    ms = []
    for f in ("Reuters-128.ttl", "RSS-500.ttl"):
        ms += read_nif(args.data / "n3" / f)
    t1 = time.perf_counter()
    agent = Agent.load(domain=args.domain)
    linker = agent.linker
    t2 = time.perf_counter()
    print(f"graph: {agent.kg.path}; index {linker.index_dir} ({'REBUILT' if linker.rebuilt else 'loaded'}), "
          f"{len(linker.index):,} rows; NIL threshold {linker.nil_threshold}", flush=True)
    canonical = getattr(linker, "canonical", lambda iri: iri)
    names = name_table(agent.kg, canonical)

    # gold -> expected answer with this graph
    expected: list[str | None] = []
    status: list[str] = []  # mapped / notInWiki / lacking / ambiguous
    for m in ms:
        if m.gold is None:
            expected.append(None)
            status.append("notInWiki")
            continue
        ents = names.get(resource_name(m.gold), set())
        if not ents and not args.exact_names:
            ents = qualified_entities(resource_name(m.gold), names, agent.kg, canonical) or set()
        if len(ents) == 1:
            expected.append(next(iter(ents)))
            status.append("mapped")
        elif not ents:
            expected.append(None)
            status.append("lacking")
        else:
            expected.append(None)
            status.append("ambiguous")
    counts = Counter(status)
    golds_by = {s: len({m.gold for m, st in zip(ms, status) if st == s and m.gold}) for s in counts}

    links = linker.link([(m.text, None) for m in ms], top_k=10)
    t3 = time.perf_counter()
    pred = [lk.entity for lk in links]
    first = [lk.candidates[0].entity if lk.candidates else None for lk in links]
    pred_nil = [p is None for p in pred]
    gold_nil = [e is None for e in expected]
    split = [_split(m.doc) for m in ms]

    rows = []
    for part in ("dev", "test", "all"):
        idx = [i for i in range(len(ms)) if (part == "all" or split[i] == part) and status[i] != "ambiguous"]
        mapped = [i for i in idx if status[i] == "mapped"]
        p, r, f, tp, fp, fn = prf(pred_nil, gold_nil, idx)
        rows.append({
            "run": args.label, "split": part, "mentions": len(idx),
            "nil_gold": sum(1 for i in idx if gold_nil[i]), "nil_pred": sum(1 for i in idx if pred_nil[i]),
            "nil_p": p, "nil_r": r, "nil_f1": f,
            "mapped": len(mapped),
            "top1": sum(1 for i in mapped if pred[i] == expected[i]) / max(1, len(mapped)),
            "top1_first_candidate": sum(1 for i in mapped if first[i] == expected[i]) / max(1, len(mapped)),
            "accuracy": sum(1 for i in idx if pred[i] == expected[i]) / max(1, len(idx)),
        })
    methods = Counter(lk.method for lk in links)

    print(f"\nN3 (Reuters-128 + RSS-500): {len(ms):,} gold mentions; gold in the default graph "
          f"({len(set(agent.kg.entities())):,} entities, exact label/alias = resource name, exactly one entity):")
    print(f"  mapped {counts['mapped']:,} mentions ({golds_by.get('mapped', 0):,} resources); "
          f"notInWiki {counts['notInWiki']:,}; DBpedia resources the graph lacks {counts['lacking']:,} mentions "
          f"({golds_by.get('lacking', 0):,} resources, NIL-gold here); ambiguous (several entities) "
          f"{counts['ambiguous']:,} mentions ({golds_by.get('ambiguous', 0):,} resources, left out)")
    amb = [i for i in range(len(ms)) if status[i] == "ambiguous"]
    amb_in = sum(1 for i in amb if pred[i] is not None and pred[i] in names.get(resource_name(ms[i].gold), ()))
    amb_nil = sum(1 for i in amb if pred[i] is None)
    print(f"  ambiguous mentions (not scored): linked to one of the same-named entities {amb_in}, NIL {amb_nil}, "
          f"elsewhere {len(amb) - amb_in - amb_nil}")
    print(f"  linker answers: {dict(methods)}; read {t1 - t0:.1f} s, agent+linker {t2 - t1:.1f} s, "
          f"link {t3 - t2:.1f} s ({len(ms) / max(1e-9, t3 - t2):,.0f} mentions/s)\n")
    head = ("run", "split", "mentions", "NIL-gold", "NIL P", "NIL R", "NIL F1", "mapped", "top-1",
            "top-1 (first cand.)", "accuracy")
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for r in rows:
        print(f"| {r['run']} | {r['split']} | {r['mentions']} | {r['nil_gold']} | {r['nil_p']:.3f} | "
              f"{r['nil_r']:.3f} | {r['nil_f1']:.3f} | {r['mapped']} | {r['top1']:.3f} | "
              f"{r['top1_first_candidate']:.3f} | {r['accuracy']:.3f} |")

    if args.agent:
        agent_rows(agent, ms, status, expected, pred, split, args.show)
    if args.show:
        kinds = {"wrong entity": [], "NIL for a mapped gold": [], "linked a NIL-gold": []}
        for i, m in enumerate(ms):
            if status[i] == "ambiguous" or pred[i] == expected[i]:
                continue
            k = ("NIL for a mapped gold" if pred[i] is None else "linked a NIL-gold" if expected[i] is None
                 else "wrong entity")
            kinds[k].append(f"  {m.text!r} gold={m.gold and m.gold[len(DBR):]} [{status[i]}] -> "
                            f"{pred[i]} ({links[i].score:.2f}, {links[i].method})")
        for k, v in kinds.items():
            print(f"\n{k}: {len(v)}")
            print("\n".join(v[: args.show]))
    if args.json:
        args.json.write_text(json.dumps({
            "kgagent": kgagent.__file__, "domain": str(args.domain.resolve()), "counts": dict(counts),
            "resources": golds_by, "rows": rows, "methods": dict(methods),
            "links": [{"text": m.text, "doc": m.doc, "start": m.start, "gold": m.gold, "status": status[i],
                       "expected": expected[i], "pred": pred[i], "score": links[i].score, "method": links[i].method}
                      for i, m in enumerate(ms)]}, indent=1))


def agent_rows(agent, ms, status, expected, pred, split, show: int = 0) -> list[dict]:
    """The agent's entity for each gold mention it accepted with gold's exact span, scored beside
    the linker alone on the same mentions (printed as a table; returned as rows)."""
    from kgagent import Document

    t0 = time.perf_counter()
    texts = {m.doc: m.context for m in ms}
    found: dict[tuple[str, int, int], str | None] = {}
    for res in agent.iter_extract([Document(d, t) for d, t in sorted(texts.items())], update_graph=False):
        for d in res.decisions:
            m = d.mention
            if d.kind == "entity" and d.accepted and m is not None:
                found[(res.doc, m.start, m.end)] = m.entity if m.link is not None and not m.link.is_nil else None
    secs = time.perf_counter() - t0
    rows, changed, misses = [], [], []
    for part in ("dev", "test", "all"):
        idx = [i for i, m in enumerate(ms) if (part == "all" or split[i] == part) and status[i] != "ambiguous"
               and (m.doc, m.start, m.end) in found]
        got = {i: found[(ms[i].doc, ms[i].start, ms[i].end)] for i in idx}
        mapped = [i for i in idx if status[i] == "mapped"]
        rows.append({"split": part, "accepted": len(idx), "mapped": len(mapped),
                     "linker_accuracy": sum(pred[i] == expected[i] for i in idx) / max(1, len(idx)),
                     "agent_accuracy": sum(got[i] == expected[i] for i in idx) / max(1, len(idx)),
                     "linker_top1": sum(pred[i] == expected[i] for i in mapped) / max(1, len(mapped)),
                     "agent_top1": sum(got[i] == expected[i] for i in mapped) / max(1, len(mapped))})
        if part == "all":
            changed = [(ms[i], pred[i], got[i], expected[i]) for i in idx if got[i] != pred[i]]
            misses = [(ms[i], got[i]) for i in mapped if got[i] != expected[i]]
    print(f"\nthe whole agent on the N3 documents ({len(texts)} documents, {secs:.0f} s): gold mentions it "
          "accepted with gold's span, the entity it gives them against the linker alone on the same mentions")
    print("| split | accepted | mapped | accuracy: linker / agent | top-1 on mapped: linker / agent |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['split']} | {r['accepted']} | {r['mapped']} | {r['linker_accuracy']:.3f} / "
              f"{r['agent_accuracy']:.3f} | {r['linker_top1']:.3f} / {r['agent_top1']:.3f} |")
    right = sum(g == e for _, _, g, e in changed)
    wrong = sum(p == e for _, p, _, e in changed)
    print(f"the agent answers otherwise than the linker for {len(changed)}: right now {right}, "
          f"right before {wrong}, neither {len(changed) - right - wrong}")
    for m, p, g, e in sorted(changed, key=lambda c: (c[2] == c[3], c[0].doc, c[0].start))[:show]:
        verdict = "right now" if g == e else "right before" if p == e else "neither"
        print(f"  [{verdict}] {m.text!r} gold={m.gold and m.gold[len(DBR):]}: linker {p} -> agent {g}")
    if show:
        print(f"the agent's answer is not gold's entity for {len(misses)} mapped mentions:")
        for m, g in misses[:show]:
            print(f"  {m.text!r} gold={m.gold and m.gold[len(DBR):]} -> {g}")
    return rows


if __name__ == "__main__":
    main()
