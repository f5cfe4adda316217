"""How long `resolve_new_entities` takes as new entities grow: each name compared only with the
names that may agree with it (blocking by names, the default) against every cluster, side by
side in one run; with ``--before REV``, also the blocking of an earlier revision (its
``_NameBlocks``, read with ``git show``). Synthetic people and companies, embedded by a fixed
random vector per name, so the figures are the clustering's alone (MiniLM embeds about 1,500
short names a second here, on top).

    nice -n 10 .venv/bin/python benchmarks/kg/resolution_scale.py --sizes 1000,3000,10000 --before 760cbb7
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

import kgagent.kg.resolution as res
from kgagent.kg import KnowledgeGraph
from kgagent.schema import Provenance

FIRST = ["James", "Mary", "Wei", "Fatima", "Carlos", "Anna", "Olga", "Kenji", "Amara", "Liam", "Sofia", "Ivan"]
LAST = ["Smith", "Garcia", "Chen", "Ivanova", "Okafor", "Brown", "Tanaka", "Muller", "Rossi", "Khan", "Novak"]
ORG = ["Acme", "Global", "Northern", "Pacific", "United", "First", "Royal", "Atlas", "Summit", "Delta"]
KIND = ["Holdings", "Bank", "Airlines", "Energy", "Motors", "Foods", "Systems", "Partners"]


def names(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (name, class) pairs: people ("First Last", some by surname alone, some with a middle
    initial) and companies ("Org Kind", some with "Inc"), a syllable added to make them many."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        tag = "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(2))
        if i % 2:
            first, last = rng.choice(FIRST), rng.choice(LAST) + tag
            out.append((rng.choice([f"{first} {last}", last, f"{first} {first[0]}. {last}"]), "person"))
        else:
            org = rng.choice(ORG) + tag.capitalize()
            out.append((rng.choice([f"{org} {rng.choice(KIND)}", org, f"{org} Inc"]), "organization"))
    return out


def embed(texts: list[str]) -> np.ndarray:
    """A fixed random vector per name, alike for names that share their first word."""
    rows = []
    for t in texts:
        a = np.random.default_rng(int(hashlib.sha1(t.split()[0].encode()).hexdigest()[:8], 16)).normal(size=16)
        b = np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16)).normal(size=16)
        rows.append(a + 0.3 * b)
    return np.asarray(rows, dtype=np.float32)


def blocks_of(rev: str) -> type:
    """``_NameBlocks`` of kgagent/kg/resolution.py at git revision ``rev``."""
    text = subprocess.run(["git", "show", f"{rev}:kgagent/kg/resolution.py"], check=True, capture_output=True,
                          text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(text)
    spec = importlib.util.spec_from_file_location("resolution_before", fh.name)
    module = importlib.util.module_from_spec(spec)
    sys.modules["resolution_before"] = module
    spec.loader.exec_module(module)
    return module._NameBlocks


def run(n: int, every_pair: bool, blocks: type | None = None) -> tuple[float, float, int]:
    kg = KnowledgeGraph()
    for c in ("person", "organization"):
        kg.add_class(c)
    for i, (name, cls) in enumerate(names(n)):
        kg.add_entity(name, [cls], provenance=Provenance(f"d{i}", 0, 0, len(name), 0.9))
    saved = res._NameBlocks
    if every_pair:
        res._NameBlocks = res.EveryPair
    elif blocks is not None:
        res._NameBlocks = blocks
    tracemalloc.start()
    t = time.perf_counter()
    try:
        merges = res.resolve_new_entities(kg, embed, apply=False, short_names={"person": ["last"]})
    finally:
        res._NameBlocks = saved
    took = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return took, peak, sum(len(m.members) for m in merges)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,3000,10000")
    ap.add_argument("--every-pair-up-to", type=int, default=3000, help="compare every pair only up to this size")
    ap.add_argument("--before", help="also the blocking of this git revision")
    args = ap.parse_args()
    before = blocks_of(args.before) if args.before else None
    head = f" blocked as at {args.before}: s | merged | ratio |" if before else ""
    print(f"| new entities | blocked by names: s | peak MB | merged | every cluster: s | peak MB | merged | ratio |{head}")
    print("|---|---|---|---|---|---|---|---|" + ("---|---|---|" if before else ""))
    for n in (int(x) for x in args.sizes.split(",")):
        b = run(n, False)
        e = run(n, True) if n <= args.every_pair_up_to else None
        tail = (f"{e[0]:.1f} | {e[1]:.0f} | {e[2]} | {e[0] / b[0]:.1f}x" if e else "- | - | - | -")
        if before is not None:
            o = run(n, False, before)
            tail += f" | {o[0]:.1f} | {o[2]} | {o[0] / b[0]:.1f}x"
        print(f"| {n:,} | {b[0]:.1f} | {b[1]:.0f} | {b[2]} | {tail} |")


if __name__ == "__main__":
    main()
