"""Regression: `feedback export-reviews OUT --to OUT/decisions.jsonl` and `feedback prune
FEEDBACK --out OUT/decisions.jsonl` wrote feedback examples over the extraction's decisions
(exit 0): the page, every later export and prune itself lost them. Such an output is now
KGA485, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app
from support.review_fakes import SMITH, answer


@pytest.mark.parametrize("name", ["decisions.jsonl", "run.json", "graph.nq", "feedback.jsonl", "reviews.sqlite"])
def test_export_refuses_to_write_over_the_extraction(out: Path, name: str) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    before = (out / name).read_bytes()
    res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out), "--to", str(out / name)])
    assert res.exit_code == 2, res.output
    assert f"KGA485 --to {out / name} is {name} of the extraction" in " ".join(res.output.split())
    assert (out / name).read_bytes() == before


def test_prune_refuses_to_write_over_the_decisions(out: Path) -> None:
    before = (out / "decisions.jsonl").read_bytes()
    res = CliRunner().invoke(app, ["feedback", "prune", str(out / "feedback.jsonl"), "--rule",
                                   "rules/entities.rules:28", "--out", str(out / "decisions.jsonl")])
    assert res.exit_code != 0, res.output
    assert "KGA485" in res.output and "is the decisions file" in " ".join(res.output.split())
    assert (out / "decisions.jsonl").read_bytes() == before


def test_learn_policy_refuses_to_save_over_the_decisions(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    before = (out / "decisions.jsonl").read_bytes()
    res = CliRunner().invoke(app, ["feedback", "learn-policy", str(out), "--save", str(out / "decisions.jsonl")])
    assert res.exit_code == 2, res.output
    assert f"KGA485 --save {out / 'decisions.jsonl'} is decisions.jsonl of the extraction" in " ".join(res.output.split())
    assert (out / "decisions.jsonl").read_bytes() == before
