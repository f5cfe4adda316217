"""benchmarks/agent/real_news.py: the accepted relations of a `kgagent extract` run scored against
the judged ones, and the seeded reading order that reads on past them (issue 12's real news)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.agent_fakes import REPO
from support.scripts import load_script

SCRIPT = REPO / "benchmarks" / "agent" / "real_news.py"


@pytest.fixture(scope="module")
def news() -> Any:
    return load_script(SCRIPT, "real_news_bench")


def relation(doc: str, head: str, tail: str, start: int, verdict: str = "accept") -> dict:
    return {"kind": "relation", "doc": doc, "predicate": "work_for", "verdict": verdict, "score": 0.9,
            "head": {"text": head, "span": [start, start + len(head)]},
            "tail": {"text": tail, "span": [start + 20, start + 20 + len(tail)]}, "sentence_text": f"{head} of {tail}"}


def test_reading_on_skips_the_judged_ones_and_keeps_the_seeded_order(news: Any, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    run.mkdir()
    rows = [relation("rss500#1", f"Person {i}", "Acme", 100 * i) for i in range(12)]
    rows.append(relation("rss500#1", "Nobody", "Acme", 5000, verdict="reject"))  # not accepted: never listed
    (run / "decisions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    news.sample(run, 12, seed=7)
    order = [line.split("(")[1].split(",")[0] for line in capsys.readouterr().out.splitlines() if line[0].isdigit()]
    assert sorted(order) == sorted(f"Person {i}" for i in range(12)) and "Nobody" not in order
    judged = tmp_path / "judged.jsonl"
    first = [r for r in news.accepted(run) if r["head"] in order[:5]]
    judged.write_text("".join(json.dumps({**r, "corpus": "rss500", "right": True}) + "\n" for r in first),
                      encoding="utf-8")
    news.sample(run, 3, seed=7, unjudged=judged)
    out = capsys.readouterr().out
    listed = [line.split("(")[1].split(",")[0] for line in out.splitlines() if line[0].isdigit()]
    assert listed == order[5:8]  # the next three of the same order
    i = int(order[5].split()[1])  # its spans are shown, to write the verdict with
    assert out.splitlines()[0].endswith(f"[{100 * i}, {100 * i + len(order[5])}] [{100 * i + 20}, {100 * i + 24}]")
    news.score([run], judged, show=False)
    assert "12 relations accepted, 5 judged: 5 right (100.0 %)" in capsys.readouterr().out
