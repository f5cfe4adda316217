"""The rules' time per document of `kgagent extract`, now against an earlier commit (issue 12's
cost bar: at most 2x the code before it, 8f24278), side by side in one run.

The earlier commit runs from a git worktree **with its own CLI and rules** (earlier_commit.py:
a shim directory first on PYTHONPATH maps `kgagent_cli` and `kgagent_news` to the worktree's).
Both sides use the same model (`--model`, default today's kg_data/model), the same corpus
(examples/corpus.txt repeated), `--threads 1`, and alternate before / now for ``--rounds``
rounds. It prints each run's `timings` of summary.json and the ratio of the rules' times.

    nice -n 5 .venv/bin/python benchmarks/agent/rules_time_against.py --before 8f24278 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from earlier_commit import REPO, code_env, earlier_commit

RUNNER = """
import sys
import kgagent, kgagent_cli, kgagent_news
print("code:", kgagent.__file__, kgagent_cli.__file__, kgagent_news.__file__, file=sys.stderr)
sys.argv = ["kgagent", "extract", *sys.argv[1:]]
from kgagent_cli.main import main
main()
"""


def extract(tree: Path, shim: Path | None, corpus: Path, out: Path, model: str) -> dict[str, float]:
    """One `kgagent extract` of ``corpus`` with the code of ``tree``; its summary's timings."""
    env = code_env(tree, shim)
    cmd = [sys.executable, "-c", RUNNER, str(corpus), "--out", str(out), "--overwrite", "--threads", "1",
           "--model", model, "--quiet"]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"extract with {tree} failed:\n{done.stderr[-2000:]}")
    code = [line for line in done.stderr.splitlines() if line.startswith("code:")]
    if not code or (shim is not None and str(shim) not in code[0]):
        raise SystemExit(f"the run with {tree} did not use its own CLI and rules: {code}")
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["timings"]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="8f24278", help="the earlier commit")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--times", type=int, default=10, help="examples/corpus.txt repeated this many times")
    ap.add_argument("--model", default=str(REPO / "kg_data" / "model"))
    args = ap.parse_args(argv)
    with earlier_commit(args.before, "kgagent-rules-time-") as (tree, shim, tmp):
        corpus = tmp / "corpus.txt"
        corpus.write_text((REPO / "examples" / "corpus.txt").read_text(encoding="utf-8") * args.times,
                          encoding="utf-8")
        rules: dict[str, list[float]] = {"before": [], "now": []}
        for r in range(args.rounds):
            for side, (code, sh) in (("before", (tree, shim)), ("now", (REPO, None))):
                t = extract(code, sh, corpus, tmp / f"out-{side}", args.model)
                rules[side].append(t["rules"])
                print(f"round {r + 1} {side:<6} " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()), flush=True)
        ratios = [n / b for n, b in zip(rules["now"], rules["before"])]
        print(f"rules' time now / before ({args.before}): " + ", ".join(f"{x:.2f}x" for x in ratios)
              + f"; mean {sum(rules['now']) / sum(rules['before']):.2f}x")


if __name__ == "__main__":
    main()
