"""Per rule, how right its verdicts are against gold: `kgagent rules stats --gold` over a
`kgagent extract` run of a CoNLL04 split, as a user runs them (plain text, the agent's own
tokeniser and sentence splitter; one document per CoNLL04 sentence, its id the record index).

    nice .venv/bin/python benchmarks/agent/rule_stats_conll04.py --split dev
    nice .venv/bin/python benchmarks/agent/rule_stats_conll04.py --split test

Writes the split as a JSONL corpus (kgagent.rule_stats.spert_to_corpus), runs the two commands
through the installed CLI (a sentence-final stop that CoNLL04 glues to the last word, "in
Boise." at the end or before the next sentence, is read apart by rules stats' gold as the agent
reads it, unless it is an abbreviation's too: kgagent.text.end_as_read), prints each rule's row and writes
benchmarks/agent/results/rule_stats_<split>.json. Precision (the rules stats definition): an
accept or a repair is right when gold holds the candidate (strict: span(s), label or predicate),
a reject when it does not; review is not judged. A rule that helps decide is judged with the
decisions it helped decide.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = Path(os.environ.get("KGAGENT_SHARED_DATA", REPO.parent / "shared" / "data")) / "conll04"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    ap.add_argument("--work", default=str(HERE / "work" / "rule_stats"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", default="float32", choices=["float32", "bfloat16", "auto"],
                    help="the encoder's arithmetic (default float32, so figures agree across machines)")
    ap.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more `kgagent extract` options")
    args = ap.parse_args(argv)

    from kgagent.rule_stats import spert_records, spert_to_corpus

    work = Path(args.work) / args.split
    work.mkdir(parents=True, exist_ok=True)
    records = spert_records(DATA / f"conll04_{args.split}.json")
    gold = work / "gold.json"
    gold.write_text(json.dumps(records), encoding="utf-8")
    corpus = work / "corpus.jsonl"
    n = spert_to_corpus(records, corpus)
    kgagent = [sys.executable, "-m", "kgagent_cli.main"]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    out = work / "out"
    subprocess.run(kgagent + ["extract", str(corpus), "--out", str(out), "--overwrite", "--quiet",
                              "--threads", str(args.threads), "--precision", args.precision] + args.extra, check=True, env=env)
    res = subprocess.run(kgagent + ["rules", "stats", "--out", str(out), "--gold", str(gold), "--json"],
                         check=True, env=env, capture_output=True, text=True)
    report = json.loads(res.stdout)
    report["split"], report["documents"] = args.split, n
    results = HERE / "results" / f"rule_stats_{args.split}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=1), encoding="utf-8")

    print(f"CoNLL04 {args.split}: {n} documents, {report['decisions']} decisions; verdicts "
          + ", ".join(f"{k} {v}" for k, v in sorted(report["by_verdict"].items()))
          + "; right by verdict (gold) " + ", ".join(f"{k} {v}" for k, v in
                                                     sorted(report["gold_correct_by_verdict"].items())))
    print(f"{'rule':<34} {'fired':>6} {'accept':>6} {'reject':>6} {'review':>6} {'repair':>6} "
          f"{'judged':>6} {'right':>6} {'prec.':>6}")
    for r in report["rules"]:
        v = r["verdicts"]
        prec = f"{100 * r['precision']:6.1f}" if r["precision"] is not None else f"{'-':>6}"
        print(f"{r['rule']:<34} {r['fired']:6d} {v.get('accept', 0):6d} {v.get('reject', 0):6d} "
              f"{v.get('review', 0):6d} {v.get('repair', 0):6d} {r['judged']:6d} {r['correct']:6d} {prec}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
