"""What a fresh process pays before its first decision, now against an earlier commit, side by
side: loading the agent (graph), the encoder, the linker, one short extraction, and whether
transformers was imported; then the wall time of `kgagent extract` on a one-line file.

Each side runs in its own processes (a git worktree with its own CLI and domain data for the
earlier commit), alternating for ``--rounds`` rounds: the machine's speed drifts over minutes,
so only figures of one run compare.

    nice -n 5 .venv/bin/python benchmarks/agent/startup.py --before a693ef8 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from earlier_commit import REPO, code_env, earlier_commit
TEXT = "John Smith, a lawyer from Boston, works for Acme Corp in Chicago."

STAGES = """
import json, sys, time
t = time.perf_counter()
import kgagent
from kgagent.agent import Agent
agent = Agent.load()
t1 = time.perf_counter()
agent.encoder
t2 = time.perf_counter()
agent.linker
t3 = time.perf_counter()
agent.extract(sys.argv[1], update_graph=False)
t4 = time.perf_counter()
print(json.dumps({"code": kgagent.__file__, "graph": t1 - t, "encoder": t2 - t1, "linker": t3 - t2,
                  "extract": t4 - t3, "transformers": "transformers" in sys.modules}))
"""

CLI = """
import sys
sys.argv = ["kgagent", "extract", *sys.argv[1:]]
from kgagent_cli.main import main
main()
"""


def stages(tree: Path, shim: Path | None) -> dict:
    done = subprocess.run([sys.executable, "-c", STAGES, TEXT], cwd=tree, env=code_env(tree, shim),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the run with {tree} failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(out.pop("code")).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the run meant for {tree} imported another kgagent")
    return out


def cli(tree: Path, shim: Path | None, corpus: Path, out: Path) -> float:
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CLI, str(corpus), "--out", str(out), "--overwrite", "--quiet"],
                          cwd=tree, env=code_env(tree, shim), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kgagent extract with {tree} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the earlier commit")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    with earlier_commit(args.before, "kgagent-startup-") as (tree, shim, tmp):
        corpus = tmp / "one.txt"
        corpus.write_text(TEXT + "\n", encoding="utf-8")
        totals: dict[str, list[float]] = {"before": [], "now": []}
        walls: dict[str, list[float]] = {"before": [], "now": []}
        for r in range(args.rounds):
            for side, (code, sh) in (("before", (tree, shim)), ("now", (REPO, None))):
                s = stages(code, sh)
                wall = cli(code, sh, corpus, tmp / f"out-{side}")
                total = s["graph"] + s["encoder"] + s["linker"] + s["extract"]
                totals[side].append(total)
                walls[side].append(wall)
                print(f"round {r + 1} {side:<6} graph {s['graph']:.2f} s, encoder {s['encoder']:.2f} s, linker "
                      f"{s['linker']:.2f} s, first extract {s['extract']:.2f} s: {total:.2f} s "
                      f"(transformers imported: {s['transformers']}); `kgagent extract` one line {wall:.2f} s",
                      flush=True)
        for name, d in (("stages", totals), ("`kgagent extract`", walls)):
            b, n = min(d["before"]), min(d["now"])
            print(f"{name}, best of {args.rounds}: before ({args.before}) {b:.2f} s, now {n:.2f} s: "
                  f"{b - n:+.2f} s saved ({b / n:.2f}x)")


if __name__ == "__main__":
    main()
