"""Example weights that would ruin a model are refused with a coded line, never trained on.

Regressions: `kgagent train --feedback F --feedback-weight nan` (or -3) trained with a NaN /
negative loss, saved the model and exited 0; a record's ``meta.weight`` of "nan" or 1e308 did the
same, and a non-numeric one ("heavy", null, [1]) was a ValueError / TypeError traceback from
train.py's make_sample, seconds into training. A loss that is no longer finite stops training.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.encoder.data import Example, EntitySpan, read_examples, read_feedback, read_spert_json
from kgagent.encoder.train import TrainConfig, train
from kgagent.errors import EncoderError
from kgagent_cli.main import app

runner = CliRunner()

GOOD = {"tokens": ["Mary", "Jones", "lives", "in", "Paris", "."],
        "entities": [{"type": "Peop", "start": 0, "end": 2}, {"type": "Loc", "start": 4, "end": 5}],
        "relations": [{"type": "Live_In", "head": 0, "tail": 1}]}

BAD_WEIGHTS = ["nan", float("nan"), float("inf"), 1e308, -3, 0, 11, "heavy", None, [1], True, {"w": 1}]
BAD_IDS = ["str-nan", "nan", "inf", "1e308", "negative", "zero", "over-10", "heavy", "null", "list", "bool", "object"]


def _with_weight(weight: object) -> dict:
    return {**GOOD, "meta": {"weight": weight}}


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")  # NaN/Infinity as JS
    return path


@pytest.mark.parametrize("weight", BAD_WEIGHTS, ids=BAD_IDS)
def test_feedback_reader_refuses_meta_weight(tmp_path: Path, weight: object) -> None:
    path = _jsonl(tmp_path / "fb.jsonl", [GOOD, _with_weight(weight)])
    with pytest.raises(EncoderError) as err:
        read_feedback(path)
    msg = str(err.value)
    assert err.value.code == "KGA310" and msg.startswith(f"{path}:2: KGA310 feedback record: meta.weight")
    assert "(0, 10]" in msg and msg.endswith(f"not {weight!r}")


@pytest.mark.parametrize("weight", ["heavy", None, [1], float("nan"), -1], ids=["heavy", "null", "list", "nan", "neg"])
def test_spert_reader_refuses_meta_weight(tmp_path: Path, weight: object) -> None:
    path = tmp_path / "train.json"
    path.write_text("[\n" + json.dumps(GOOD) + ",\n" + json.dumps(_with_weight(weight)) + "\n]\n", encoding="utf-8")
    with pytest.raises(EncoderError) as err:
        read_spert_json(path)
    assert err.value.code == "KGA310" and str(err.value).startswith(f"{path}:3: KGA310 record 1: meta.weight")


@pytest.mark.parametrize("weight", [0.25, 1, 2, 10])
def test_meta_weight_in_range_is_read(tmp_path: Path, weight: float) -> None:
    ex = read_examples(_jsonl(tmp_path / "fb.jsonl", [_with_weight(weight)]))[0]
    assert ex.meta["weight"] == weight


def _cli_train(data: Path, base: Path, out: Path, *extra: str) -> list[str]:
    return ["train", str(data), "--dev", str(data), "--base", str(base), "--full", "--epochs", "1",
            "--out", str(out), "--threads", "1", "--device", "cpu", *extra]


@pytest.mark.parametrize("weight", ["heavy", None, [1]], ids=["heavy", "null", "list"])
def test_cli_train_on_a_non_numeric_meta_weight(tiny_base: Path, tmp_path: Path, weight: object) -> None:
    data = _jsonl(tmp_path / "bad.jsonl", [GOOD, _with_weight(weight)])
    res = runner.invoke(app, _cli_train(data, tiny_base, tmp_path / "m"))
    assert isinstance(res.exception, SystemExit) and res.exit_code != 0, res.output
    assert f"{data}:2: KGA310" in res.output and "meta.weight" in res.output, res.output
    assert "Traceback" not in res.output and not (tmp_path / "m").exists()


@pytest.mark.parametrize("value", ["nan", "-3", "inf", "0", "11"])
def test_cli_feedback_weight_out_of_range_before_anything_is_read(tmp_path: Path, value: str) -> None:
    # files that do not exist: the option is refused before any of them is opened
    res = runner.invoke(app, ["train", "--feedback", str(tmp_path / "fb.jsonl"), "--dev", str(tmp_path / "dev.jsonl"),
                              "--out", str(tmp_path / "m"), "--epochs", "1", "--feedback-weight", value])
    assert isinstance(res.exception, SystemExit) and res.exit_code == 2, res.output
    assert "KGA340 --feedback-weight must be a number in (0, 10]" in res.output, res.output
    assert not (tmp_path / "m").exists()


def _examples(weight: object) -> list[Example]:
    ents = [EntitySpan(0, 2, "Peop"), EntitySpan(4, 5, "Loc")]
    return [Example(list(GOOD["tokens"]), list(ents), meta={"source_file": "mem.jsonl:1"}),
            Example(list(GOOD["tokens"]), list(ents), meta={"weight": weight, "source_file": "mem.jsonl:7"})]


@pytest.mark.parametrize("weight", ["heavy", None, float("nan"), -1.0], ids=["heavy", "null", "nan", "negative"])
def test_train_refuses_a_bad_meta_weight_before_training(tiny_base: Path, tmp_path: Path, weight: object) -> None:
    cfg = TrainConfig(base=str(tiny_base), lora=False, epochs=1, device="cpu", num_threads=1)
    with pytest.raises(EncoderError) as err:
        train(cfg, _examples(weight), None, out_dir=tmp_path / "m")
    assert err.value.code == "KGA310" and str(err.value).startswith("mem.jsonl:7: KGA310 meta.weight")
    assert not (tmp_path / "m").exists()


def test_a_loss_that_is_not_finite_stops_training_and_saves_nothing(tiny_base: Path, tmp_path: Path) -> None:
    # finite, positive, but it overflows float32 in the loss: the last guard
    cfg = TrainConfig(base=str(tiny_base), lora=False, epochs=1, batch_size=2, device="cpu", num_threads=1)
    with pytest.raises(EncoderError) as err:
        train(cfg, _examples(1e300), None, out_dir=tmp_path / "m")
    assert err.value.code == "KGA333" and "epoch 1, batch 1" in str(err.value) and "model is not saved" in str(err.value)
    assert not (tmp_path / "m" / "config.json").exists()
