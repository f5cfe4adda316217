"""Docs/s of `kgagent extract`: the local engine against Ray with 1 and 2 workers, side by side.

One corpus (examples/corpus.txt repeated ``--size`` times, 100 by default: 1,200 documents),
the shipped model, graph and rules, each run in a fresh process, one after the other:

- ``local``: ``kgagent extract CORPUS -q --threads T`` for each T in ``--local-threads`` (the
  local engine's default is chosen from this); docs/s over the extraction, loading apart;
- ``ray xN``: :func:`kgagent.ray_engine.run_ray_extraction` with N workers of 2/N CPUs (and
  torch threads) each, in a child process that starts its own local Ray. Reported apart: Ray's
  start-up (``ray.init``), the time to the first document written (cluster probe, agent load
  on each actor, first batch), and docs/s both over the whole run and in steady state (from the
  first document written to the last). ``rules s`` and ``linking s``: those stages' seconds
  summed over the documents (``summary.json``'s timings; the workers' run side by side).

Peak resident memory (psutil, every 100 ms): the process that writes OUT (the CLI, or the Ray
driver), each Ray worker actor, and Ray's own processes (raylet, GCS, ...) summed. At the end
the outputs of every run are compared with the first local run's (decisions.jsonl and
feedback.jsonl byte for byte, graph.nq sorted).

    nice -n 10 .venv/bin/python benchmarks/agent/ray_throughput.py --size 100
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
KGAGENT = Path(sys.executable).parent / "kgagent"
ENV = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", RAY_BACKEND_LOG_LEVEL="fatal")


def _child(corpus: str, out: str, workers: int, threads: int, result: str) -> None:
    """The Ray driver (run in its own process by ``run_ray``)."""
    import logging
    import warnings

    logging.getLogger("ray").setLevel(logging.ERROR)
    logging.getLogger("ray.data").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    import ray

    from kgagent.ray_engine import run_ray_extraction

    t0 = time.perf_counter()
    ray.init(num_cpus=psutil.cpu_count(), include_dashboard=False, log_to_driver=False)
    t_init = time.perf_counter() - t0
    times: list[float] = []
    t1 = time.perf_counter()
    summary = run_ray_extraction({}, [corpus], out, workers=workers, cpus_per_worker=threads,
                                 progress=lambda line, n: times.append(time.perf_counter()) if line else None)
    wall = time.perf_counter() - t1
    ray.shutdown()
    Path(result).write_text(json.dumps({"init": t_init, "wall": wall, "first": times[0] - t1 if times else None,
                                        "steady": (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else None,
                                        "processed": summary.processed, "sentences": summary.sentences,
                                        "failed": summary.failed}))


def _watch(proc: subprocess.Popen) -> dict:
    """Sample RSS until ``proc`` ends: its own peak, each actor's peak, the rest of its process tree summed
    (Ray's raylet, GCS, idle workers; actors are the processes titled ``...AgentWorker...``)."""
    me = psutil.Process(proc.pid)
    peak_main, actors, ray_sys = 0, {}, 0
    while proc.poll() is None:
        try:
            peak_main = max(peak_main, me.memory_info().rss)
        except psutil.Error:
            pass
        system = 0
        try:
            children = me.children(recursive=True)  # Ray's processes and actors, started by this driver
        except psutil.Error:
            children = []
        for p in children:
            try:
                rss = p.memory_info().rss
                if "AgentWorker" in " ".join(p.cmdline()) or "AgentWorker" in p.name():
                    actors[p.pid] = max(actors.get(p.pid, 0), rss)
                else:
                    system += rss
            except psutil.Error:
                continue
        ray_sys = max(ray_sys, system)
        time.sleep(0.1)
    mb = 2 ** 20
    return {"driver_mb": round(peak_main / mb), "actors_mb": sorted(round(v / mb) for v in actors.values()),
            "ray_processes_mb": round(ray_sys / mb)}


def _timed(cmd: list[str], what: str) -> tuple[dict, float]:
    """Run ``cmd`` in the repository, watching its memory: (memory figures, wall seconds)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=REPO)
    mem = _watch(proc)
    wall = time.perf_counter() - t0
    _, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{what} run failed:\n{err.decode()[-3000:]}")
    return mem, wall


def run_local(corpus: Path, out: Path, threads: int) -> dict:
    cmd = [str(KGAGENT), "extract", str(corpus), "--out", str(out), "-q", "--threads", str(threads)]
    mem, wall = _timed(cmd, "local")
    s = json.loads((out / "summary.json").read_text())
    return {"run": f"local --threads {threads}", "docs_per_s": s["processed"] / s["wall"], **_stages(out),
            "sentences_per_s": s["sentences"] / s["wall"], "startup_s": wall - s["wall"], "first_doc_s": None,
            "wall_s": wall, "steady_docs_per_s": None, **mem}


def _stages(out: Path) -> dict:
    """Seconds of the rules and of linking, summed over the documents (``summary.json``)."""
    t = json.loads((out / "summary.json").read_text()).get("timings", {})
    return {"rules_s": t.get("rules", 0.0), "linking_s": t.get("linking", 0.0)}


def run_ray(corpus: Path, out: Path, workers: int, threads: int, tmp: Path) -> dict:
    result = tmp / f"ray{workers}.json"
    cmd = [sys.executable, __file__, "--child", str(corpus), str(out), str(workers), str(threads), str(result)]
    mem, wall = _timed(cmd, "ray")
    r = json.loads(result.read_text())
    if r["failed"]:
        raise SystemExit(f"documents failed: {r['failed'][:3]}")
    return {"run": f"ray {workers} worker{'s' if workers > 1 else ''} x {threads} CPU",
            "docs_per_s": r["processed"] / r["wall"], "sentences_per_s": r["sentences"] / r["wall"], **_stages(out),
            "startup_s": r["init"], "first_doc_s": r["first"], "wall_s": wall,
            "steady_docs_per_s": r["steady"], **mem}


def same_outputs(a: Path, b: Path) -> str:
    diffs = []
    for name in ("decisions.jsonl", "feedback.jsonl"):
        if (a / name).read_bytes() != (b / name).read_bytes():
            sa = set((a / name).read_bytes().splitlines())
            sb = set((b / name).read_bytes().splitlines())
            diffs.append(f"{name}: {'same lines, other order' if sa == sb else f'{len(sa ^ sb)} lines differ'}")
    if sorted((a / "graph.nq").read_bytes().splitlines()) != sorted((b / "graph.nq").read_bytes().splitlines()):
        diffs.append("graph.nq differs")
    return "same" if not diffs else "; ".join(diffs)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        _child(argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(REPO / "examples" / "corpus.txt"))
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--local-threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--ray-workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", default=None)
    ap.add_argument("--keep", default=None, help="keep the corpus and every run's OUT in this directory")
    args = ap.parse_args(argv)
    cpus = psutil.cpu_count()
    text = Path(args.corpus).read_text(encoding="utf-8").strip()
    rows, outs = [], []
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kgagent-ray-bench-") as tmp:
        if args.keep:
            tmp = args.keep
            Path(tmp).mkdir(parents=True, exist_ok=True)
        corpus = Path(tmp) / f"corpus_x{args.size}.txt"
        corpus.write_text("\n\n".join([text] * args.size) + "\n", encoding="utf-8")
        for t in args.local_threads:
            outs.append(Path(tmp) / f"local{t}")
            rows.append(run_local(corpus, outs[-1], t))
            print(rows[-1], file=sys.stderr)
        for w in args.ray_workers:
            outs.append(Path(tmp) / f"ray{w}")
            rows.append(run_ray(corpus, outs[-1], w, max(1, cpus // w), Path(tmp)))
            print(rows[-1], file=sys.stderr)
        for r, o in zip(rows, outs):
            r["outputs"] = same_outputs(outs[0], o)
    n_docs = text.count("\n\n") + 1
    print(f"kgagent extract, {Path(args.corpus).name} x{args.size} ({n_docs * args.size} documents), {cpus} CPUs, "
          f"load average {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"{'run':<24} {'docs/s':>7} {'sents/s':>8} {'steady':>7} {'startup s':>10} {'1st doc s':>10} "
          f"{'wall s':>7} {'rules s':>8} {'linking s':>10} {'driver MB':>10} {'actors MB':>12} {'ray MB':>7}  outputs")
    for r in rows:
        steady = f"{r['steady_docs_per_s']:.2f}" if r["steady_docs_per_s"] else "-"
        first = f"{r['first_doc_s']:.1f}" if r["first_doc_s"] is not None else "-"
        actors = "/".join(map(str, r["actors_mb"])) or "-"
        print(f"{r['run']:<24} {r['docs_per_s']:>7.2f} {r['sentences_per_s']:>8.1f} {steady:>7} "
              f"{r['startup_s']:>10.1f} {first:>10} {r['wall_s']:>7.1f} {r['rules_s']:>8.2f} {r['linking_s']:>10.2f} "
              f"{r['driver_mb']:>10} {actors:>12} "
              f"{r['ray_processes_mb'] or '-':>7}  {r['outputs']}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
