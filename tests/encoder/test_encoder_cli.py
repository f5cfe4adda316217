"""`kgagent train` and `kgagent evaluate` on a tiny random base: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tiny_base: Path, fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli_model")
    data = fixtures / "tiny_train.json"
    res = runner.invoke(app, ["train", str(data), "--dev", str(data), "--base", str(tiny_base), "--full",
                              "--epochs", "3", "--lr", "5e-3", "--out", str(out), "--threads", "1", "--device", "cpu"])
    assert res.exit_code == 0, res.output
    assert "model saved to" in res.output and "dev scores" in res.output and "calibration on dev" in res.output
    return out


def test_evaluate_json_and_table(trained: Path, fixtures: Path) -> None:
    data = fixtures / "tiny_train.json"
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(trained), "--json", "--threads", "1"])
    assert res.exit_code == 0, res.output
    m = json.loads(res.stdout)
    assert m["entity"]["micro"]["gold"] == 13 and m["relation_strict"]["micro"]["gold"] == 6
    assert set(m) >= {"entity", "relation_strict", "relation_boundaries", "sentences"}
    table = runner.invoke(app, ["evaluate", str(data), "--model", str(trained), "--threads", "1"])
    assert table.exit_code == 0 and "boundaries" in table.output and "micro" in table.output


def test_evaluate_conll_is_entity_only(tiny_base: Path, fixtures: Path, tmp_path: Path) -> None:
    conll = fixtures / "tiny.conll"
    res = runner.invoke(app, ["train", str(conll), "--dev", str(conll), "--base", str(tiny_base), "--full",
                              "--epochs", "1", "--out", str(tmp_path), "--threads", "1", "--device", "cpu"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["evaluate", str(conll), "--model", str(tmp_path), "--threads", "1"])
    assert res.exit_code == 0 and "CoNLL-2003 style entity F1" in res.output and "relation" not in res.output


def test_feedback_fine_tuning_prints_before_after(trained: Path, fixtures: Path, tmp_path: Path) -> None:
    fb = tmp_path / "feedback.jsonl"
    fb.write_text(json.dumps({"tokens": ["Mary", "Jones", "lives", "in", "London", "."],
                              "entities": [{"type": "Peop", "start": 0, "end": 2, "weight": 0.9, "proof": "d:1"},
                                           {"type": "Loc", "start": 4, "end": 5, "weight": 1.0, "proof": "d:2"}],
                              "relations": [{"type": "Live_In", "head": 0, "tail": 1, "weight": 1.0, "proof": "d:3"}],
                              "meta": {"doc": "x", "sentence": 0, "source": "feedback"}}) + "\n")
    data = fixtures / "tiny_train.json"
    res = runner.invoke(app, ["train", "--feedback", str(fb), "--gold", str(data), "--feedback-weight", "0.5",
                              "--model", str(trained), "--dev", str(data), "--out", str(tmp_path / "m"),
                              "--epochs", "1", "--threads", "1", "--device", "cpu"])
    assert res.exit_code == 0, res.output
    assert "before" in res.output and "after" in res.output and "relation F1 strict" in res.output
    assert (tmp_path / "m" / "config.json").is_file()


def test_errors_are_one_line(tmp_path: Path, fixtures: Path) -> None:
    res = runner.invoke(app, ["evaluate", str(fixtures / "tiny_train.json"), "--model", str(tmp_path / "none")])
    assert res.exit_code == 1
    assert "KGA304" in res.output and "Traceback" not in res.output
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"tokens\": 3}]")
    res = runner.invoke(app, ["train", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and f"{bad}:1" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["train", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "give the training DATA" in res.output
