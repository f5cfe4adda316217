"""One slow end-to-end run with the shipped model, graph and rules on examples/corpus.txt."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from support.agent_fakes import REPO
from kgagent_cli.main import app


@pytest.mark.slow
def test_demo_corpus_with_the_shipped_model(tmp_path) -> None:
    if not (REPO / "kg_data" / "model" / "config.json").is_file():
        pytest.skip("no shipped model in kg_data/model")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["extract", str(REPO / "examples" / "corpus.txt"), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    decisions = [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]
    verdicts = {d["verdict"] for d in decisions}
    assert {"accept", "review", "reject"} <= verdicts <= {"accept", "review", "reject", "repair"}, verdicts
    assert {d["doc"] for d in decisions} <= {f"corpus#{i}" for i in range(1, 13)}
    assert any(d["kind"] == "relation" for d in decisions)
    for v in sorted(verdicts):
        r = CliRunner().invoke(app, ["explain", "--verdict", v, "--out", str(out)])
        assert r.exit_code == 0 and ("rule rules/" in r.output or "rule shared/" in r.output), r.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 12 and set(summary["timings"]) >= {"encoder", "linking", "rules", "writing"}
