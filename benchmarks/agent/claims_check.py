"""How well `kgagent validate` (Agent.validate) tells true claims from false ones, on claims that
come from outside the graph: CoNLL04's gold relations, each written as a claim (head, predicate,
tail: the names as the sentence gives them), and the same claims with their tail replaced by the
tail of another claim of the same predicate (seeded): a false claim, except where the swap
happens to give a true one, which the count below cannot tell (so the reject figures are a
lower bound of how right a reject is).

For each predicate: of the true claims and of the swapped ones, how many are accepted, sent to
review and rejected, and the precision of accept (share of accepted claims that are the true
ones) and of reject (share of rejected that are swapped). No model: validate reads no text.

    .venv/bin/python benchmarks/agent/claims_check.py --split dev

With ``--with OUT``, against what `kgagent extract` accepted into OUT as well: the QA loop of
extracting a corpus, then checking claims against it (``split-text`` writes the split's
sentences as plain text, one document each, for that extraction):

    .venv/bin/python benchmarks/agent/claims_check.py --split dev --split-text /tmp/dev.txt
    .venv/bin/kgagent extract /tmp/dev.txt --out /tmp/dev-out --quiet
    .venv/bin/python benchmarks/agent/claims_check.py --split dev --with /tmp/dev-out
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("KGAGENT_SHARED_DATA", REPO.parent / "shared" / "data")) / "conll04"


def gold_claims(split: str) -> list[tuple[str, str, str]]:
    """The split's gold relations as (head, predicate, tail) claims in the domain's names, each once."""
    from kgagent.domain import Domain
    from kgagent.text import spans_as_read

    normalize = Domain.load().labels.normalize
    seen: dict[tuple[str, str, str], None] = {}
    for rec in json.loads((DATA / f"conll04_{split}.json").read_text(encoding="utf-8")):
        # each name as kgagent reads the sentence: "Boise." ending a sentence is Boise, "N.C." stays
        text, spans = spans_as_read(rec["tokens"], [(e["start"], e["end"]) for e in rec["entities"]])
        name = [text[s:e] for s, e in spans]
        for r in rec["relations"]:
            seen.setdefault((name[r["head"]], normalize(r["type"]), name[r["tail"]]), None)
    return list(seen)


def swapped(claims: list[tuple[str, str, str]], seed: int) -> list[tuple[str, str, str]]:
    """Each claim with the tail of another claim of its predicate (never its own tail)."""
    rng = random.Random(seed)
    tails = defaultdict(list)
    for h, p, t in claims:
        tails[p].append(t)
    out = []
    for h, p, t in claims:
        others = [x for x in tails[p] if x != t]
        if others:
            out.append((h, p, rng.choice(others)))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev", choices=("train", "dev", "test"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--with", dest="also", action="append", default=[],
                    help="check against this extraction's output too (kgagent validate --with)")
    ap.add_argument("--split-text", type=Path, default=None,
                    help="only write the split's sentences to this file (one document each) and stop")
    args = ap.parse_args(argv)
    if args.split_text is not None:
        records = json.loads((DATA / f"conll04_{args.split}.json").read_text(encoding="utf-8"))
        args.split_text.write_text("\n\n".join(" ".join(r["tokens"]) for r in records) + "\n", encoding="utf-8")
        print(f"{args.split_text}: {len(records)} documents")
        return
    from kgagent.agent import Agent

    agent = Agent.load()
    if args.also:
        agent.add_graphs(args.also)
    true = gold_claims(args.split)
    false = swapped(true, args.seed)
    verdicts: dict[tuple[str, bool], Counter] = defaultdict(Counter)
    reasons: dict[bool, Counter] = defaultdict(Counter)
    for claims, is_true in ((true, True), (false, False)):
        for (h, p, t), res in zip(claims, agent.validate(claims)):
            verdicts[(p, is_true)][res.verdict] += 1
            if res.verdict == "reject":
                reasons[is_true][res.reason] += 1
    print(f"CoNLL04 {args.split}: {len(true)} true claims (gold relations), {len(false)} with a swapped tail "
          f"(seed {args.seed})")
    print(f"{'predicate':<12} {'claims':<8} {'accept':>7} {'review':>7} {'reject':>7}")
    total: dict[bool, Counter] = defaultdict(Counter)
    for p in sorted({p for p, _ in verdicts}):
        for is_true in (True, False):
            c = verdicts[(p, is_true)]
            total[is_true].update(c)
            print(f"{p:<12} {'true' if is_true else 'swapped':<8} {c['accept']:>7} {c['review']:>7} {c['reject']:>7}")
    for is_true in (True, False):
        c = total[is_true]
        print(f"{'all':<12} {'true' if is_true else 'swapped':<8} {c['accept']:>7} {c['review']:>7} {c['reject']:>7}")
    acc = total[True]["accept"] + total[False]["accept"]
    rej = total[True]["reject"] + total[False]["reject"]
    print(f"accepted: {total[True]['accept']} true of {acc} ({100 * total[True]['accept'] / max(1, acc):.1f} %); "
          f"rejected: {total[False]['reject']} swapped of {rej} ({100 * total[False]['reject'] / max(1, rej):.1f} %)")
    for is_true in (True, False):
        print(f"why {'true' if is_true else 'swapped'} claims were rejected:")
        for why, n in reasons[is_true].most_common(8):
            print(f"  {n:>4}  {why}")


if __name__ == "__main__":
    sys.exit(main())
