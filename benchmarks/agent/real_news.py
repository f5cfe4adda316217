"""Real news outside the training data, as a user runs it: the texts of N3's RSS-500 (500
sentences from 2012 news feeds) and Reuters-128 (128 economic wire stories of 1987) written out as
plain text, `kgagent extract` over them, and the accepted relations scored against the ones a
person has read and judged (`real_news_judged.jsonl`, beside this script).

A judged relation is one accepted relation (corpus, document, predicate, head span, tail span),
"right" when the sentence states it with both arguments' spans and kinds right, else "wrong" with
why: "place" (a place the sentence names but does not make the head's base or home: "the U.S.
chemical industry", a dateline), "span", "kind" (an argument of the wrong kind) or "relation"
(the sentence does not state it between these two). Relations nobody has judged are counted and
listed (`--show`), to be read and added: the precision is over the judged ones only.

    .venv/bin/python benchmarks/agent/real_news.py write /tmp/news          # the two texts
    .venv/bin/kgagent extract /tmp/news/reuters128.txt --out /tmp/r128 --quiet
    .venv/bin/kgagent extract /tmp/news/rss500.txt --out /tmp/rss --quiet
    .venv/bin/python benchmarks/agent/real_news.py score /tmp/r128 /tmp/rss [--show]
    .venv/bin/python benchmarks/agent/real_news.py sample /tmp/rss --n 120 --seed 7   # what to read
    .venv/bin/python benchmarks/agent/real_news.py sample /tmp/rss --n 60 --unjudged  # read on

`sample` is the reading protocol of benchmarks/agent/RESULTS.md: the accepted relations in the
order decisions.jsonl gives them, shuffled with Python's `random.seed(SEED)`, the first N.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
N3 = REPO.parent / "shared" / "data" / "n3"
JUDGED = Path(__file__).with_name("real_news_judged.jsonl")
#: corpus name (the file's stem, so the document ids kgagent extract gives: reuters128#25) -> N3 file
CORPORA = {"rss500": "RSS-500.ttl", "reuters128": "Reuters-128.ttl"}
NIF_STRING = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"


def n3_texts(ttl: Path, squeeze: bool) -> list[str]:
    """The documents of an N3 file (each context's nif:isString), ordered by their text, each on one
    line; with ``squeeze`` every run of whitespace as one space (Reuters-128's wrapped stories),
    else only line breaks (RSS-500's tokenised sentences keep their spaces): as the figures of
    RESULTS.md were made."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(ttl, format="turtle")
    texts = sorted(str(o) for o in graph.objects(None, rdflib.URIRef(NIF_STRING)))
    return [" ".join(t.split()) if squeeze else re.sub(r"\s*\n\s*", " ", t.strip()) for t in texts]


def write(out: Path) -> None:
    """``out``/rss500.txt and ``out``/reuters128.txt: one document per paragraph."""
    out.mkdir(parents=True, exist_ok=True)
    for name, ttl in CORPORA.items():
        texts = n3_texts(N3 / ttl, squeeze=name == "reuters128")
        (out / f"{name}.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        print(f"{out / (name + '.txt')}: {len(texts)} documents")


def key(row: dict) -> tuple:
    """What identifies a relation across runs: document, predicate, head and tail spans."""
    head, tail = row["head_span"], row["tail_span"]
    return row["doc"], row["predicate"], tuple(head), tuple(tail)


def accepted(run: Path) -> list[dict]:
    """The accepted (or repaired) relations of a `kgagent extract` output directory, in
    decisions.jsonl's order, in the judged file's shape."""
    out = []
    with (run / "decisions.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("kind") == "relation" and d.get("verdict") in ("accept", "repair"):
                out.append({"doc": d["doc"], "predicate": d["predicate"], "head": d["head"]["text"],
                            "head_span": d["head"]["span"], "tail": d["tail"]["text"],
                            "tail_span": d["tail"]["span"], "score": d.get("score"),
                            "sentence": d.get("sentence_text", "")})
    return out


def read_judged(path: Path) -> dict[tuple, dict]:
    """The judged relations of ``path`` (JSON lines) by :func:`key`; a bad line stops with its
    file and line."""
    judged = {}
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                judged[key(row)] = row
            except (ValueError, KeyError, TypeError) as err:
                sys.exit(f"{path}:{n}: not a judged relation (doc, predicate, head_span, tail_span, right): {err}")
            if not isinstance(row.get("right"), bool):
                sys.exit(f"{path}:{n}: 'right' must be true or false")
    return judged


def score(runs: list[Path], judged_path: Path, show: bool) -> None:
    """Print, per run, how many accepted relations were judged right and wrong (by why), how many
    nobody has judged, and the judged ones no longer accepted."""
    judged = read_judged(judged_path)
    for run in runs:
        rows = accepted(run)
        corpus = rows[0]["doc"].split("#")[0] if rows else run.name
        keys = [key(r) for r in rows]
        seen = [judged[k] for k in keys if k in judged]
        new = [r for r, k in zip(rows, keys) if k not in judged]
        right = sum(j["right"] for j in seen)
        why = Counter(j.get("why", "?") for j in seen if not j["right"])
        accepted_now = set(keys)
        gone = [j for k, j in judged.items() if j["corpus"] == corpus and k not in accepted_now]
        print(f"{run} ({corpus}): {len(rows)} relations accepted, {len(seen)} judged: {right} right "
              f"({100 * right / max(1, len(seen)):.1f} %), {len(seen) - right} wrong "
              f"({', '.join(f'{k} {v}' for k, v in why.most_common())}); {len(new)} not judged yet")
        if gone:
            print(f"  judged before, not accepted now: {sum(j['right'] for j in gone)} right, "
                  f"{sum(not j['right'] for j in gone)} wrong")
        if show:
            for r in new:
                print(f"  ? {r['doc']} {r['predicate']}({r['head']}, {r['tail']}) {r['score']} | {r['sentence'][:160]}")


def sample(run: Path, n: int, seed: int, unjudged: Path | None = None) -> None:
    """Print the first ``n`` accepted relations of ``run`` shuffled with ``random.seed(seed)``;
    with ``unjudged`` (a judged file), the first ``n`` of that order nobody has judged yet, with
    their spans: reading on from where the judged ones stop keeps them a random sample."""
    rows = accepted(run)
    random.seed(seed)
    random.shuffle(rows)
    if unjudged is not None:
        judged = read_judged(unjudged)
        rows = [r for r in rows if key(r) not in judged]
    for i, r in enumerate(rows[:n], 1):
        spans = f" {r['head_span']} {r['tail_span']}" if unjudged is not None else ""
        print(f"{i}. {r['doc']} {r['predicate']}({r['head']}, {r['tail']}) {r['score']}{spans}\n    {r['sentence'][:330]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write", help="write rss500.txt and reuters128.txt from ../shared/data/n3")
    w.add_argument("out", type=Path)
    s = sub.add_parser("score", help="precision of the accepted relations over the judged ones")
    s.add_argument("runs", type=Path, nargs="+", help="kgagent extract --out directories")
    s.add_argument("--judged", type=Path, default=JUDGED)
    s.add_argument("--show", action="store_true", help="list the accepted relations nobody has judged")
    p = sub.add_parser("sample", help="a seeded sample of the accepted relations, to read")
    p.add_argument("run", type=Path)
    p.add_argument("--n", type=int, default=120)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--unjudged", action="store_true", help="only those the judged file lacks, with their spans")
    p.add_argument("--judged", type=Path, default=JUDGED)
    args = ap.parse_args()
    if args.cmd == "write":
        write(args.out)
    elif args.cmd == "score":
        score(args.runs, args.judged, args.show)
    else:
        sample(args.run, args.n, args.seed, args.judged if args.unjudged else None)


if __name__ == "__main__":
    main()
