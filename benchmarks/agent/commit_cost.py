"""What committing each document on its own costs against group commits (kgagent.output.GroupCommit).

One loaded agent extracts the same corpus into fresh output directories, alternating
``commit_docs=1`` (three outputs and the progress file fsynced per document) and the default
groups, and prints each run's writing stage, its whole extraction and the fsyncs it made. A
disk's fsync latency is the point (a laptop SSD: ~1-5 ms; a network disk: more): this machine's
is ~0.1 ms, so ``--fsync-ms`` adds a sleep to each fsync to show what a slower disk would pay
(a simulation, said so in the output).

    .venv/bin/python benchmarks/agent/commit_cost.py /tmp/news/rss500.txt --rounds 2 --fsync-ms 0 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", help="a corpus file or directory (as kgagent extract reads it)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--fsync-ms", type=float, nargs="+", default=[0.0],
                    help="extra milliseconds per fsync, simulated (0: this disk as it is)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    import torch

    import kgagent
    from kgagent import files
    from kgagent.corpus import read_corpus

    torch.set_num_threads(args.threads)
    agent = kgagent.Agent.load()
    agent.warm_up()
    docs = list(read_corpus([Path(args.corpus)]))
    real_fsync = os.fsync
    count = {"n": 0}

    def fsync(fd: int, delay: float) -> None:
        count["n"] += 1
        real_fsync(fd)
        if delay:
            time.sleep(delay)

    print(f"{len(docs)} documents of {args.corpus}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'fsync +ms':>9} {'round':>5} {'commit':>10} {'fsyncs':>7} {'writing s':>10} {'extract s':>10} {'docs/s':>8}")
    for extra in args.fsync_ms:
        files.os.fsync = lambda fd, d=extra / 1000.0: fsync(fd, d)  # type: ignore[attr-defined]
        try:
            for rnd in range(1, args.rounds + 1):
                for label, commit_docs in (("each doc", 1), ("groups", None)):
                    out = Path(tempfile.mkdtemp(prefix="commit_cost_"))
                    count["n"] = 0
                    t0 = time.perf_counter()
                    summary = agent.extract_to(docs, out, overwrite=True, commit_docs=commit_docs)
                    wall = time.perf_counter() - t0
                    print(f"{extra:9.1f} {rnd:5d} {label:>10} {count['n']:7d} {summary.timings['writing']:10.2f} "
                          f"{wall:10.2f} {len(docs) / wall:8.2f}")
                    shutil.rmtree(out, ignore_errors=True)
        finally:
            files.os.fsync = real_fsync  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
