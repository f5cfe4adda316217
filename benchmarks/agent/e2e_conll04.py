"""End to end on CoNLL04 (or any SpERT file of a domain): the encoder's raw relations vs the
agent's accepted ones (gold hidden).

Each CoNLL04 sentence becomes one document whose text is its tokens joined by single spaces
(so gold token offsets map exactly to character offsets). A CoNLL-2003 column file (``--data
.../conll2003/valid.txt``) gives whole documents instead, a sentence per line, entities only: the
measure of what the agent's document-level evidence (one name, one type) does to entities. The agent runs as `kgagent extract`
does (encoder -> linker -> rules); gold entities are never shown to it. Scored, strict
(predicate + both argument spans + both argument types) and boundaries (predicate + spans):

With ``--retokenise`` the agent reads the text as a user's (its own tokeniser and sentence
splitter). CoNLL04 glues a sentence's full stop to its last token ("... in Boise."), and the
agent, as a reader does, gives the stop up: there a gold entity ending the sentence ends before
the stop (8 % of test relations have such an argument; without this every one of them was
scored wrong whatever the agent found).

- raw: every relation the encoder proposed (its own threshold);
- agent: the relations the rules accepted or repaired (review and reject count as not extracted).

Repairs (the joint decision's retyped mentions and relabelled relations, issue 12) are judged
by gold: right when the repaired label is gold, wrong when the encoder's own was, neither when
neither is. ``--memory-pass`` runs the split twice: the first pass's accepted types become the
corpus memory (kgagent.memory.TypeMemory) the second, scored pass reads.

It also attributes every non-accepted raw proposal to its deciding rule: how many right
proposals (true positives lost = recall cost) and wrong ones (false positives removed =
precision gain) each rule took away. Tune rules on dev only; report test.

How sure a gain is: a paired bootstrap over the split's documents (``--bootstrap``, 10,000 draws,
seeded) prints a 95 % interval for each F1 gain, and the share of draws in which the gain reaches
``--bars`` (issue 12's +3 relation / +1 entity). A few hundred sentences give intervals about
three points wide: a gain measured on dev can land anywhere in it on test.

    nice -n 10 .venv/bin/python benchmarks/agent/e2e_conll04.py --split dev
    nice -n 10 .venv/bin/python benchmarks/agent/e2e_conll04.py --split test --json results/e2e_test.json
    nice -n 10 .venv/bin/python benchmarks/agent/e2e_conll04.py --data ../shared/data/scierc/scierc_test.json \
        --domain examples/scierc --model MODEL_DIR

Labels go through the domain's label map (--domain; default the news domain); a symmetric
relation of the domain's ontology is scored once per pair (its arguments in a fixed order, in
gold and prediction alike). An entity of a class the gold data never marks is not scored (as
`kgagent evaluate` does: CoNLL04 has no misc); a relation with such an argument is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from kgagent.evaluate import paired_bootstrap  # the gains' 95 % intervals

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("KGAGENT_SHARED_DATA", REPO.parent / "shared" / "data")) / "conll04"


def load_split(split: str, data: str | None = None, domain=None, final_period: bool = True):
    """The split's documents (one per record, its tokens joined by spaces), gold relations and
    gold entities (character spans). ``final_period=False``: a gold entity whose last token carries
    a full stop that kgagent's tokeniser gives up ("Boise." at a record's end or before the next
    sentence: CoNLL04 glues the stop to the word) ends before the stop, as a user's text is read,
    unless the stop is an abbreviation's too ("Salisbury , N.C."; :func:`kgagent.text.end_as_read`)."""
    from kgagent.domain import Domain
    from kgagent.schema import Document

    dom = domain if domain is not None else Domain.load()
    normalize_label = dom.labels.normalize
    path = Path(data) if data else DATA / f"conll04_{split}.json"
    if path.suffix.lower() != ".json":
        return load_conll_documents(path, dom)
    from kgagent.text import spans_as_read

    split = path.stem if data else split
    records = json.loads(path.read_text(encoding="utf-8"))
    docs, gold_rel, gold_ent = [], set(), set()
    for i, rec in enumerate(records):
        doc = f"{split}-{i}" if data else f"conll04-{split}-{i}"
        text, spans = spans_as_read(rec["tokens"], [(e["start"], e["end"]) for e in rec["entities"]],
                                    as_read=not final_period)
        docs.append(Document(doc, text, f"{split}:{i}"))
        ents = []
        for span, e in zip(spans, rec["entities"]):
            ents.append((span, normalize_label(e["type"])))
            gold_ent.add((doc, span, normalize_label(e["type"])))
        for r in rec["relations"]:
            (hs, ht), (ts, tt) = ents[r["head"]], ents[r["tail"]]
            gold_rel.add(canonical((doc, normalize_label(r["type"]), hs, ht, ts, tt), dom))
    return docs, gold_rel, gold_ent


def load_conll_documents(path: Path, domain) -> tuple[list, set, set]:
    """A CoNLL-2003 column file as whole documents, one per ``-DOCSTART-``, each sentence on its
    own line (kgagent.tuning.read_gold, as `kgagent rules tune` reads it). No relations."""
    from kgagent.tuning import read_gold

    gold = read_gold(path, domain.labels.normalize)
    return gold.documents, set(), {(doc, (start, end), label) for doc, start, end, label in gold.entities}


def canonical(key: tuple, domain) -> tuple:
    """A symmetric relation's key with its two arguments in a fixed order (scored once per pair)."""
    doc, pred, hs, ht, ts, tt = key
    rel = domain.ontology.relations.get(pred)
    if rel is not None and rel.symmetric and (ts, tt) < (hs, ht):
        return (doc, pred, ts, tt, hs, ht)
    return key


class GoldTokens:
    """Wraps an Encoder so a sentence made of CoNLL04 tokens joined by spaces is encoded with
    exactly those tokens (offsets align with gold), instead of re-tokenising it."""

    def __init__(self, encoder, tokens_by_text: dict[str, list[str]]):
        self.encoder = encoder
        self.tokens_by_text = dict(tokens_by_text)
        self._lines = list(tokens_by_text.items())
        self.name_or_path = getattr(encoder, "name_or_path", "encoder")

    def _tokens_of(self, sentence: str) -> list[str] | None:
        """The gold tokens of a sentence kgagent's splitter cut out of a record ("COLUMBIA , S.C. _"
        of a record with a dateline): a run of the record's tokens, or None."""
        hit = self.tokens_by_text.get(sentence)
        if hit is None:
            for line, toks in self._lines:
                at = line.find(sentence)
                if at < 0 or (at and line[at - 1] != " "):
                    continue
                first = line.count(" ", 0, at)  # tokens hold no spaces: the run starts at this token
                run = toks[first:first + sentence.count(" ") + 1]
                if " ".join(run) == sentence:
                    hit = self.tokens_by_text[sentence] = run
                    break
        return hit

    def propose(self, sentences, batch_size: int = 32, relation_threshold: float | None = None):
        from kgagent.schema import EntityProposal, RelationProposal, SentenceProposals  # noqa: F401

        gold = [self._tokens_of(s) for s in sentences]
        known = [i for i, tk in enumerate(gold) if tk is not None]
        other = [i for i, tk in enumerate(gold) if tk is None]  # not a run of gold tokens
        out: list = [None] * len(sentences)
        for i, p in zip(other, self.encoder.propose([sentences[i] for i in other], batch_size=batch_size,
                                                                 relation_threshold=relation_threshold)):
            out[i] = p
        toks = [gold[i] for i in known]
        preds = self.encoder.predict_tokens(toks, batch_size, relation_threshold, details=True)
        for i, tk, (ents, rels, pairs) in zip(known, toks, preds):
            text = sentences[i]
            starts, pos = [], 0
            for t in tk:
                starts.append(pos)
                pos += len(t) + 1
            spans = [(starts[a], starts[b - 1] + len(tk[b - 1])) for a, b, *_ in ents]
            out[i] = self.encoder.proposals(text, spans, ents, rels, pairs)
        return out


def prf(pred: set, gold: set) -> dict[str, float]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(100 * p, 2), "r": round(100 * r, 2), "f1": round(100 * f, 2), "pred": len(pred),
            "gold": len(gold), "correct": tp}


def boundaries(s: set) -> set:
    return {(d, p, hs, ts) for d, p, hs, _, ts, _ in s}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    ap.add_argument("--data", default=None, help="a SpERT JSON file instead of a CoNLL04 split, or a CoNLL-2003 "
                                                 "column file (whole documents, entities only)")
    ap.add_argument("--domain", default=None, help="domain folder (default: the news domain)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--rules", default=None)
    ap.add_argument("--kg", default=None)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2, help="torch threads (use 1 on a busy machine)")
    ap.add_argument("--precision", default="float32", choices=["float32", "bfloat16", "auto"],
                    help="the encoder's and the linker's arithmetic (default float32, so figures agree across "
                         "machines; auto = as `kgagent extract` runs: bfloat16 where the CPU has it natively)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    ap.add_argument("--dump", default=None,
                    help="also write every decision, judged by gold, and every gold fact here (JSON lines), "
                         "for error analysis")
    ap.add_argument("--min-relation-score", type=float, default=0.2,
                    help="let the rules see relations down to this score (raw = the encoder's own threshold)")
    ap.add_argument("--retokenise", action="store_true",
                    help="let the encoder re-tokenise the detokenised text (default: feed the gold tokens); "
                         "gold entities then end before a sentence-final stop their last token carries")
    ap.add_argument("--no-joint", action="store_true", help="no joint decision, hence no repairs (the old agent)")
    ap.add_argument("--memory-pass", action="store_true",
                    help="corpus memory: a first pass over the split builds the type votes (TypeMemory), the "
                         "second pass, scored, reads them (a document never sees its own votes)")
    ap.add_argument("--update-graph", action="store_true",
                    help="as a library session with update_graph=True: each document's accepted entities and "
                         "facts enter the graph, and its new entities' names the linker, before the next "
                         "document is decided (in memory; the domain's files are not written)")
    ap.add_argument("--bootstrap", type=int, default=10000,
                    help="resamples of the paired bootstrap over documents that puts a 95 %% interval on the "
                         "agent's gains (0: none)")
    ap.add_argument("--bars", default="3,1",
                    help="relation and entity F1 gains to report the bootstrap's share of draws reaching "
                         "(issue 12's bar: 3,1; '' for none)")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    from kgagent import Agent
    from kgagent.domain import Domain

    domain = Domain.load(args.domain)
    docs, gold_rel, gold_ent = load_split(args.split, args.data, domain, final_period=not args.retokenise)
    if args.limit:
        docs = docs[: args.limit]
        keep = {d.id for d in docs}
        gold_rel = {g for g in gold_rel if g[0] in keep}
        gold_ent = {g for g in gold_ent if g[0] in keep}
    t0 = time.perf_counter()
    agent = Agent.load(model=args.model, kg=args.kg, rules=args.rules, domain=domain,
                       min_relation_score=args.min_relation_score, joint=not args.no_joint,
                       precision=args.precision)
    agent.encoder  # load now (and lower its threshold if asked)
    raw_threshold = agent.encoder_threshold if agent.encoder_threshold is not None else 0.0
    if not args.retokenise:  # encode each line (a sentence of the data set) with its own tokens
        agent._encoder = GoldTokens(agent.encoder, {line: line.split(" ") for d in docs for line in d.text.split("\n")})
    load_s = time.perf_counter() - t0
    memory_s = 0.0
    if args.memory_pass:
        from kgagent.memory import TypeMemory

        t0 = time.perf_counter()
        agent.memory = TypeMemory.from_results(agent.iter_extract(docs, update_graph=False))
        memory_s = time.perf_counter() - t0
    raw, acc, raw_ent, acc_ent = set(), set(), set(), set()
    repairs: dict[str, Counter] = defaultdict(Counter)  # "kind from->to (verdict)" -> right / wrong / neither
    lost: dict[str, Counter] = defaultdict(Counter)  # deciding rule -> {"tp": n, "fp": n}
    lost_ent: dict[str, Counter] = defaultdict(Counter)
    verdicts: Counter = Counter()
    timings: Counter = Counter()
    # accepted mentions that took a full name's entity (same_entity), judged by gold's classes
    gold_class = {(doc, span): label for doc, span, label in gold_ent}
    same_entity: Counter = Counter()
    dump: list[dict] = []
    t0 = time.perf_counter()
    linked_to_session = 0  # accepted mentions linked to an entity an earlier document introduced
    for res in agent.iter_extract(docs, update_graph=args.update_graph):
        timings.update(res.timings)
        linked_to_session += len(res.delta.mentions)
        spans = {m.id: (m.start, m.end) for m in res.mentions}
        for d in res.decisions:
            dump.append(decision_row(res.doc, d, gold_ent, gold_rel, domain))
            if d.kind == "entity" and d.same_as and d.accepted:
                a = gold_class.get((res.doc, (d.mention.start, d.mention.end)))
                b = gold_class.get((res.doc, spans.get(d.same_as["mention"])))
                same_entity["a span gold lacks" if a is None or b is None else "gold: one class" if a == b
                            else "gold: two classes"] += 1
            if d.kind == "entity":
                key = (res.doc, (d.mention.start, d.mention.end), d.label)
                raw_key = (res.doc, (d.mention.start, d.mention.end), d.mention.repaired_from or d.label)
                raw_ent.add(raw_key)
                if d.accepted:
                    acc_ent.add(key)
                else:
                    lost_ent[f"{d.verdict}: {d.reason} ({d.rule})"]["tp" if raw_key in gold_ent else "fp"] += 1
                if d.repair:
                    judge = "right" if key in gold_ent else "wrong" if raw_key in gold_ent else "neither"
                    repairs[f"retype {d.repair['from']} -> {d.repair['to']} ({d.verdict})"][judge] += 1
                continue
            hs, ts = (d.head.start, d.head.end), (d.tail.start, d.tail.end)
            key = canonical((res.doc, d.label, hs, d.head.label, ts, d.tail.label), domain)
            raw_pred = d.repair["from"] if d.repair else d.label
            raw_key = canonical((res.doc, raw_pred, hs, d.head.repaired_from or d.head.label, ts,
                                 d.tail.repaired_from or d.tail.label), domain)
            is_raw = d.score >= raw_threshold
            if is_raw:
                raw.add(raw_key)
            verdicts[d.verdict] += 1
            if d.repair:
                judge = "right" if key in gold_rel else "wrong" if raw_key in gold_rel else "neither"
                repairs[f"relabel {d.repair['from']} -> {d.repair['to']} ({d.verdict})"][judge] += 1
            if d.accepted:
                acc.add(key)
                if not is_raw:
                    lost["accepted below the encoder's threshold"]["tp" if key in gold_rel else "fp"] += 1
            elif is_raw:
                lost[f"{d.verdict}: {d.reason} ({d.rule})"]["tp" if raw_key in gold_rel else "fp"] += 1
    run_s = time.perf_counter() - t0
    # as `kgagent evaluate` scores: an entity of a class the gold data never marks (CoNLL04 has no
    # misc) is not scored (kgagent.evaluate.unmarked); a relation with such an argument is (wrong)
    marked = {label for _, _, label in gold_ent}
    unscored = Counter(e[2] for e in raw_ent if e[2] not in marked)
    raw_ent, acc_ent = {e for e in raw_ent if e[2] in marked}, {e for e in acc_ent if e[2] in marked}
    out = {
        "split": args.data or args.split, "domain": domain.name, "documents": len(docs), "seconds": round(run_s, 1), "load_seconds": round(load_s, 1),
        "relation_strict": {"raw": prf(raw, gold_rel), "agent": prf(acc, gold_rel)},
        "relation_boundaries": {"raw": prf(boundaries(raw), boundaries(gold_rel)),
                                "agent": prf(boundaries(acc), boundaries(gold_rel))},
        "entity_strict": {"raw": prf(raw_ent, gold_ent), "agent": prf(acc_ent, gold_ent)},
        "unscored_entities": dict(unscored),
        "per_type": {},
        "verdicts": dict(verdicts),
        "not_accepted_by_rule": {k: dict(v) for k, v in sorted(lost.items(), key=lambda kv: -sum(kv[1].values()))},
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "memory_pass_seconds": round(memory_s, 1),
        "repairs": {k: dict(v) for k, v in sorted(repairs.items())},
        "entities_not_accepted_by_rule": {k: dict(v) for k, v in sorted(lost_ent.items(),
                                                                        key=lambda kv: -sum(kv[1].values()))},
        "same_entity": dict(same_entity),
    }
    out["relation_errors"] = relation_errors(dump, gold_ent, gold_rel, raw_threshold, frozenset(
        name for name, rel in domain.ontology.relations.items() if rel.symmetric))
    if args.bootstrap:
        ids = [d.id for d in docs]
        bar_rel, bar_ent = (float(x) for x in args.bars.split(",")) if args.bars else (None, None)
        out["bootstrap"] = {}
        if gold_rel:  # a CoNLL-2003 file marks no relations
            out["bootstrap"]["relation_strict"] = paired_bootstrap(raw, acc, gold_rel, ids, args.bootstrap, bar=bar_rel)
        out["bootstrap"]["entity_strict"] = paired_bootstrap(raw_ent, acc_ent, gold_ent, ids, args.bootstrap,
                                                             bar=bar_ent)
    for pred in sorted({g[1] for g in gold_rel}):
        sel = lambda s: {x for x in s if x[1] == pred}  # noqa: E731
        out["per_type"][pred] = {"raw": prf(sel(raw), sel(gold_rel)), "agent": prf(sel(acc), sel(gold_rel))}

    def row(name: str, a: dict, b: dict) -> str:
        return (f"{name:<22} {a['p']:6.2f} {a['r']:6.2f} {a['f1']:6.2f}   {b['p']:6.2f} {b['r']:6.2f} {b['f1']:6.2f}"
                f"   {b['f1'] - a['f1']:+6.2f}")

    print(f"{Path(args.data).name if args.data else 'CoNLL04 ' + args.split}: {len(docs)} documents, gold entities hidden; {run_s:.1f} s "
          f"(+{load_s:.1f} s loading)")
    print(f"{'':<22} {'raw encoder proposals':^20}   {'agent (accepted only)':^20}   {'dF1':>6}")
    print(f"{'':<22} {'P':>6} {'R':>6} {'F1':>6}   {'P':>6} {'R':>6} {'F1':>6}")
    print(row("relation strict", out["relation_strict"]["raw"], out["relation_strict"]["agent"]))
    print(row("relation boundaries", out["relation_boundaries"]["raw"], out["relation_boundaries"]["agent"]))
    print(row("entity strict", out["entity_strict"]["raw"], out["entity_strict"]["agent"]))
    if unscored:
        print("  not scored (classes the gold data never marks): " + ", ".join(f"{k} {v}" for k, v in sorted(unscored.items())))
    for pred, v in out["per_type"].items():
        print(row(f"  {pred}", v["raw"], v["agent"]))
    print(f"relation verdicts: {dict(verdicts)}; encoder threshold {raw_threshold}, rules see relations from "
          f"{args.min_relation_score if args.min_relation_score is not None else raw_threshold}")
    print("raw relation proposals not accepted, by deciding rule (tp = right ones lost, fp = wrong ones removed;")
    print("  'accepted below the encoder's threshold': tp = right ones gained, fp = wrong ones added):")
    for k, v in out["not_accepted_by_rule"].items():
        print(f"  tp {v.get('tp', 0):4d}  fp {v.get('fp', 0):4d}  {k}")
    print("entity proposals not accepted, by deciding rule:")
    for k, v in out["entities_not_accepted_by_rule"].items():
        print(f"  tp {v.get('tp', 0):4d}  fp {v.get('fp', 0):4d}  {k}")
    print("repairs by kind (gold decides: right = the repaired label is gold, wrong = the encoder's was, "
          "neither = neither is):")
    for k, v in out["repairs"].items():
        print(f"  right {v.get('right', 0):4d}  wrong {v.get('wrong', 0):4d}  neither {v.get('neither', 0):4d}  {k}")
    errs = out["relation_errors"]
    if args.update_graph:
        print(f"accepted mentions linked to an entity an earlier document introduced: {linked_to_session}")
    print(f"accepted mentions that are the entity of a full name of their document (same_entity): "
          f"{sum(same_entity.values())}" + "".join(f"; {k} {v}" for k, v in sorted(same_entity.items())))
    print("relation errors of the agent (gold decides): wrong accepted " + ", ".join(
        f"{k} {v}" for k, v in errs["wrong_accepted"].items()) + "; gold missed " + ", ".join(
        f"{k} {v}" for k, v in errs["gold_missed"].items()))
    print("relation strict F1 ceilings: " + ", ".join(f"{k} {v}" for k, v in errs["ceilings"].items()))
    for name, b in out.get("bootstrap", {}).items():
        print(f"{name.replace('_', ' ')} dF1 {b['gain']:+.2f}: 95 % interval [{b['low']:+.2f}, {b['high']:+.2f}] "
              f"(paired bootstrap over documents, {b['resamples']} draws, seed 0); the agent better in "
              f"{b['better']} % of draws" + (f", by at least {b['bar']:+g} in {b['at_least_bar']} %" if "bar" in b else ""))
    print("seconds per stage: " + ", ".join(f"{k} {v:.1f}" for k, v in out["timings"].items()))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    if args.dump:
        texts = {d.id: d.text for d in docs}
        dump += [{"doc": g[0], "gold": "entity", "span": list(g[1]), "label": g[2]} for g in sorted(gold_ent)]
        dump += [{"doc": g[0], "gold": "relation", "label": g[1], "head": list(g[2]), "head_label": g[3],
                  "tail": list(g[4]), "tail_label": g[5]} for g in sorted(gold_rel)]
        dump += [{"doc": k, "text": v} for k, v in texts.items()]
        Path(args.dump).parent.mkdir(parents=True, exist_ok=True)
        Path(args.dump).write_text("".join(json.dumps(r) + "\n" for r in dump), encoding="utf-8")
    return out


def relation_errors(rows: list[dict], gold_ent: set, gold_rel: set, raw_threshold: float,
                    symmetric: frozenset[str] = frozenset()) -> dict:
    """Where the agent's relation errors come from, and how far rules could take it.

    ``wrong_accepted``: accepted relations gold lacks, split by whether both arguments are gold
    entities (span and class: only the relation is wrong, often a true fact the data leaves
    unannotated) or not (a rule judging relations cannot mend it). ``gold_missed``: gold
    relations not accepted, by why: an argument not accepted as that gold entity, the candidate
    rejected or sent to review, another predicate taken for the pair, or no candidate at all
    (the encoder scored the pair below the rules' floor). ``ceilings``: relation strict F1 if the
    rules kept exactly the right raw proposals (a perfect filter), if they also picked the right
    predicate or direction of every pair they saw (a perfect filter and relabeller), and if the
    agent kept everything but its wrong relations between gold entities. A ``symmetric``
    predicate's relation counts in either direction (gold holds it in one fixed order)."""
    from kgagent.decisions import ACCEPTING as ACCEPTED

    ents = {(r["doc"], tuple(r["span"]), r["label"]) for r in rows
            if r["kind"] == "entity" and r["verdict"] in ACCEPTED}
    rels = [r for r in rows if r["kind"] == "relation"]
    accepted = [r for r in rels if r["verdict"] in ACCEPTED]

    def gold_args(r: dict) -> bool:
        return ((r["doc"], tuple(r["head"]), r["head_label"]) in gold_ent
                and (r["doc"], tuple(r["tail"]), r["tail_label"]) in gold_ent)

    wrong = Counter("both arguments gold" if gold_args(r) else "an argument not gold"
                    for r in accepted if not r["gold"])
    by_pair: dict[tuple, list[dict]] = defaultdict(list)
    for r in rels:
        by_pair[(r["doc"], frozenset((tuple(r["head"]), tuple(r["tail"]))))].append(r)
    right = {(r["doc"], r["label"], tuple(r["head"]), tuple(r["tail"])) for r in accepted if r["gold"]}
    right |= {(d, p, t, h) for d, p, h, t in right if p in symmetric}
    missed: Counter = Counter()
    for doc, pred, hs, hl, ts, tl in gold_rel:
        if (doc, pred, hs, ts) in right:
            continue
        if (doc, hs, hl) not in ents or (doc, ts, tl) not in ents:
            missed["an argument not found"] += 1
            continue
        seen = by_pair.get((doc, frozenset((hs, ts))), [])
        same = [r for r in seen if r["label"] == pred and (tuple(r["head"]) == hs or pred in symmetric)]
        missed[f"candidate {same[0]['verdict']}ed" if same else "another predicate or direction taken" if seen
               else "no candidate"] += 1
    n_gold = len(gold_rel)

    def f1(tp: int, n: int) -> float:
        return round(200 * tp / (n + n_gold), 2) if n + n_gold else 0.0

    raw_right = sum(r["gold_raw"] for r in rels if r["score"] >= raw_threshold)
    seen_right = len({(r["doc"], frozenset((tuple(r["head"]), tuple(r["tail"])))) for r in rels
                      if r["gold"] or r["gold_raw"]})
    n_right = sum(r["gold"] for r in accepted)
    return {"wrong_accepted": dict(wrong), "gold_missed": dict(missed.most_common()),
            "ceilings": {"agent": f1(n_right, len(accepted)),
                         "perfect filter of the raw proposals": f1(raw_right, raw_right),
                         "perfect filter and relabeller of every candidate": f1(seen_right, seen_right),
                         "agent without its wrong relations between gold entities":
                             f1(n_right, len(accepted) - wrong["both arguments gold"])}}


def decision_row(doc: str, d, gold_ent: set, gold_rel: set, domain) -> dict:
    """One decision as a JSON-able row, with whether gold holds it (``gold``) and whether gold holds
    what the encoder proposed before any repair (``gold_raw``)."""
    row = {"doc": doc, "kind": d.kind, "label": d.label, "verdict": d.verdict, "rule": d.rule,
           "reason": d.reason, "score": round(d.score, 4), "scores": dict(d.scores)}
    if d.kind == "entity":
        span = (d.mention.start, d.mention.end)
        row.update(span=list(span), text=d.mention.text, entity=d.mention.entity, gold=(doc, span, d.label) in gold_ent,
                   gold_raw=(doc, span, d.mention.repaired_from or d.label) in gold_ent,
                   **({"short_for": d.mention.short_for["text"]} if d.mention.short_for else {}))
        return row
    hs, ts = (d.head.start, d.head.end), (d.tail.start, d.tail.end)
    key = canonical((doc, d.label, hs, d.head.label, ts, d.tail.label), domain)
    raw_key = canonical((doc, d.repair["from"] if d.repair else d.label, hs, d.head.repaired_from or d.head.label,
                         ts, d.tail.repaired_from or d.tail.label), domain)
    row.update(head=list(hs), head_text=d.head.text, head_label=d.head.label, head_entity=d.head.entity,
               tail=list(ts), tail_text=d.tail.text, tail_label=d.tail.label, tail_entity=d.tail.entity,
               gold=key in gold_rel, gold_raw=raw_key in gold_rel)
    return row


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
