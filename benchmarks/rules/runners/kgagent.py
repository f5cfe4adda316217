#!/usr/bin/env python3
"""kgagent runner for the shared rule benchmark (see ../README.md and shared/bench/rules/README.md).

Usage: kgagent.py [--no-proofs] WORKDIR
Runs benchmarks/rules/programs/<W>.rules (our rule language, same program as WORKDIR/program.dl)
on WORKDIR/*.facts through the library: the clock covers reading the facts files and evaluating
to fixpoint (like the peers: imports and rule parsing are before the clock). Prints the harness's
result line: `# pred=count ...` then `derived=<n> seconds=<s>`.
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, ROOT)

from kgagent.rules.engine import Engine  # noqa: E402
from kgagent.rules.facts_io import read_facts_columns  # noqa: E402


def load_program(path):
    from kgagent.rules import load_rules  # parser + checker (raises on any rule error)

    return load_rules(path)


def main(argv):
    proofs = "--no-proofs" not in argv
    workdir = [a for a in argv if not a.startswith("--")][0]
    with open(os.path.join(workdir, "manifest.json")) as f:
        manifest = json.load(f)
    program = load_program(os.path.join(HERE, "..", "programs", manifest["workload"] + ".rules"))
    engine = Engine(program, record_proofs=proofs)
    t0 = time.perf_counter()
    facts = read_facts_columns(workdir, engine.arity)
    facts = {p: c for p, c in facts.items() if p in manifest["inputs"]}
    model = engine.evaluate(facts)
    seconds = time.perf_counter() - t0
    counts = {p: model.derived_count(p) for p in manifest["idb"]}
    print("# " + " ".join(f"{p}={n}" for p, n in counts.items()) + f" proofs={int(proofs)}")
    print(f"derived={sum(counts.values())} seconds={seconds:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
