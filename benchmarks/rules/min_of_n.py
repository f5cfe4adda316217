#!/usr/bin/env python3
"""Small cells on a busy machine: run each runner N times, interleaved, and print min and median.

On a shared machine the median of 3 (bench.py) of a 10 ms cell mostly measures the other
processes; the minimum of many interleaved runs is the fairer comparison.
Usage (after run.sh has set up work/harness):
  work/harness/.venv/bin/python benchmarks/rules/min_of_n.py --engines kgagent,python_seminaive,clipspy \\
      --cells W1-1000,W2-1000,W3-1000 --n 15
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
H = os.path.join(HERE, "work", "harness")


def run(engine, cell):
    path = os.path.join(H, "runners", engine)
    path += ".py" if os.path.exists(path + ".py") else ".sh"
    cmd = [sys.executable, path] if path.endswith(".py") else ["bash", path]
    out = subprocess.run(cmd + [os.path.join(H, "work", cell)], capture_output=True, text=True).stdout
    m = re.search(r"derived=(\d+) seconds=([0-9.eE+-]+)\s*$", out)
    return (int(m.group(1)), float(m.group(2))) if m else (None, None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="kgagent,kgagent_noproofs,python_seminaive,clipspy")
    ap.add_argument("--cells", default="W1-1000,W2-1000,W3-1000")
    ap.add_argument("--n", type=int, default=15)
    a = ap.parse_args()
    engines, cells = a.engines.split(","), a.cells.split(",")
    times = {(e, c): [] for e in engines for c in cells}
    derived = {}
    for _ in range(a.n):
        for c in cells:
            for e in engines:
                d, s = run(e, c)
                if s is not None:
                    times[(e, c)].append(s)
                    derived.setdefault(c, set()).add(d)
    print(f"| engine ({a.n} interleaved runs: min / median seconds) | " + " | ".join(cells) + " |")
    print("|---|" + "---|" * len(cells))
    for e in engines:
        row = []
        for c in cells:
            t = times[(e, c)]
            row.append(f"{min(t):.4f} / {statistics.median(t):.4f}" if t else "failed")
        print(f"| {e} | " + " | ".join(row) + " |")
    print("derived counts agree:" if all(len(v) == 1 for v in derived.values()) else "MISMATCH:", derived)


if __name__ == "__main__":
    main()
