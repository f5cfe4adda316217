"""How a document's cost grows with its length: the same news read as one long document and as
separate short ones, now and (``--before COMMIT``) with an earlier commit, side by side in one run.

A long report, a book chapter or a day's wire joined into one text is one document to the agent:
its decisions look across the whole text (one name, one type; which Greenville; a short name's full
name). Work that compares every mention with every other grows with the square of the length;
this prints the seconds per 100 sentences at each length, so growth shows as a rising figure
(flat = linear), the per-stage timings of the longest, and the process's peak memory so far
(sizes run in the order given: give them rising, and the peak is the longest's).

Documents come from ``--corpus`` (blank-line separated, e.g. ``real_news.py write /tmp/news``'s
rss500.txt; default examples/corpus.txt, whose dozen documents repeat, as a long text about a few
companies repeats their names). ``--repeat`` joins the first document's first sentence to itself
(one name said N times: the worst case for per-name work). Each measure is the best of
``--rounds``, the agent loaded and warmed once per side; documents are decided against the
graph as loaded (``update_graph=False``, as ``kgagent extract`` decides them), so rounds and
sizes do not grow it.

    nice -n 5 .venv/bin/python benchmarks/agent/long_documents.py --corpus /tmp/news/rss500.txt --docs 50,100,200,400
    nice -n 5 .venv/bin/python benchmarks/agent/long_documents.py --repeat --docs 250,500,1000 --before f9c3efd
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from earlier_commit import REPO, code_env, earlier_commit


def documents(corpus: Path) -> list[str]:
    """The corpus's documents as `kgagent extract` reads them, whitespace collapsed (to be joined)."""
    from kgagent.corpus import read_corpus

    return [" ".join(doc.text.split()) for doc in read_corpus([corpus])]


def measure(corpus: Path, sizes: list[int], rounds: int, repeat: bool) -> list[dict]:
    """Per size: sentences, mentions, the best seconds of the long document and of its parts
    read separately, and the long one's stage timings."""
    from kgagent.agent import Agent
    from kgagent.text import sentence_spans

    docs = documents(corpus)
    if repeat:
        first = docs[0][: sentence_spans(docs[0])[0][1]]
        docs = [first] * max(sizes)
    agent = Agent.load()
    agent.extract(docs[0], update_graph=False)  # loads the encoder and the linker
    rows = []
    for n in sizes:
        parts = [docs[i % len(docs)] for i in range(n)]
        long_text = " ".join(parts)
        best_long = best_parts = float("inf")
        result = None
        for _ in range(rounds):
            t = time.perf_counter()
            result = agent.extract(long_text, update_graph=False)[0]
            best_long = min(best_long, time.perf_counter() - t)
            t = time.perf_counter()
            agent.extract(parts, update_graph=False)
            best_parts = min(best_parts, time.perf_counter() - t)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        rows.append({"docs": n, "sentences": len(result.sentences), "mentions": len(result.mentions),
                     "long_s": best_long, "parts_s": best_parts, "peak_mb": peak_mb,
                     "timings": {k: round(v, 3) for k, v in result.timings.items()}})
    return rows


def run_side(tree: Path, shim: Path | None, argv: list[str]) -> list[dict]:
    """``measure`` in a fresh process with the code of ``tree``."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *argv, "--worker"], cwd=tree,
                          env=code_env(tree, shim), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the run with {tree} failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(out["code"]).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the run meant for {tree} imported {out['code']}")
    return out["rows"]


def report(side: str, rows: list[dict]) -> None:
    print(f"{side}: docs  sentences  mentions   long s  per 100 sent.   separate s  per 100 sent.   long / separate"
          "   peak MB")
    for r in rows:
        per_long, per_parts = 100 * r["long_s"] / r["sentences"], 100 * r["parts_s"] / r["sentences"]
        print(f"{side}: {r['docs']:>4}  {r['sentences']:>9}  {r['mentions']:>8}  {r['long_s']:>7.2f}  {per_long:>13.3f}"
              f"   {r['parts_s']:>10.2f}  {per_parts:>13.3f}   {r['long_s'] / r['parts_s']:>15.2f}"
              f"   {r.get('peak_mb', float('nan')):>7.0f}")
    last = rows[-1]
    print(f"{side}: stages of the longest: " + ", ".join(f"{k} {v:.2f} s" for k, v in last["timings"].items()))
    first = rows[0]
    growth = (last["long_s"] / last["sentences"]) / (first["long_s"] / first["sentences"])
    print(f"{side}: cost per sentence, longest / shortest: {growth:.2f} (1.00 = linear)", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(REPO / "examples" / "corpus.txt"))
    ap.add_argument("--docs", default="25,50,100,200", help="documents joined, comma-separated sizes")
    ap.add_argument("--repeat", action="store_true", help="one sentence repeated instead of the corpus")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--before", help="also measure this earlier commit (a git worktree), side by side")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.docs.split(",")]
    corpus = Path(args.corpus).resolve()
    if args.worker:
        import kgagent

        print(json.dumps({"code": kgagent.__file__, "rows": measure(corpus, sizes, args.rounds, args.repeat)}))
        return
    inner = ["--corpus", str(corpus), "--docs", args.docs, "--rounds", str(args.rounds)]
    inner += ["--repeat"] if args.repeat else []
    if args.before is None:
        report("now", run_side(REPO, None, inner))
        return
    with earlier_commit(args.before, "kgagent-long-docs-") as (tree, shim, _):
        before = run_side(tree, shim, inner)
        now = run_side(REPO, None, inner)
        report(f"before ({args.before})", before)
        report("now", now)
        print("long document's seconds, before / now: " + ", ".join(
            f"{b['sentences']} sentences {b['long_s'] / n['long_s']:.2f}x" for b, n in zip(before, now)))


if __name__ == "__main__":
    main()
