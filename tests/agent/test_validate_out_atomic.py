"""Regression: `kgagent validate --out FILE` opened FILE for writing at once and wrote it batch
by batch: a run stopped half-way (an error in a later batch, Ctrl-C) left an earlier FILE cut
short, its decisions lost. FILE is now replaced only when every claim is written."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app

CLAIMS = "".join(f"Boston\tlocated_in\tMassachusetts\t0.{i}\n" for i in range(1, 6))


def test_a_run_stopped_half_way_leaves_the_earlier_out_as_it_was(fake_cli, graph_dir: Path, tmp_path: Path,
                                                                 monkeypatch) -> None:
    import kgagent.agent
    import kgagent_cli.validate_cmd as validate_cmd

    run = tmp_path / "run"
    run.mkdir()
    claims = run / "claims.tsv"
    claims.write_text(CLAIMS)
    out = run / "decisions.jsonl"
    r = CliRunner().invoke(app, ["validate", str(claims), "--graph", str(graph_dir), "--out", str(out)])
    assert r.exit_code == 0, r.output
    before = out.read_bytes()
    assert [json.loads(x)["line"] for x in before.decode().splitlines()] == [1, 2, 3, 4, 5]

    monkeypatch.setattr(validate_cmd, "BATCH", 2)  # three batches; the second one fails
    real, calls = kgagent.agent.Agent.validate, []

    def failing(self, triples, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, triples, **kw)

    monkeypatch.setattr(kgagent.agent.Agent, "validate", failing)
    r = CliRunner().invoke(app, ["validate", str(claims), "--graph", str(graph_dir), "--out", str(out)])
    assert r.exit_code != 0 and len(calls) == 2
    assert out.read_bytes() == before  # not the first batch alone
    assert sorted(p.name for p in run.iterdir()) == ["claims.tsv", "decisions.jsonl"]  # no temp file left
