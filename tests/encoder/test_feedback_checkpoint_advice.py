"""`kgagent train --feedback ... --out DIR` over an interrupted training's checkpoint: KGA351
offers what --feedback can do.

Regression: the refusal said "resume it with --resume, or pass --overwrite to start over", but
--feedback refuses --resume (KGA340): following the advice was a second error. Now it offers
--overwrite or another --out only; plain `train` still offers --resume.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.encoder.data import read_spert_json
from kgagent.encoder.train import TrainConfig, train
from kgagent_cli.main import app
from support.encoder_fakes import tiny_train_config

runner = CliRunner()
FAST = ["--threads", "1", "--device", "cpu"]


def _cfg(base: Path, **kw: object) -> TrainConfig:
    return tiny_train_config(base, **{"calibrate": False, **kw})


@pytest.fixture(scope="module")
def interrupted_and_model(tiny_base: Path, fixtures: Path, tmp_path_factory: pytest.TempPathFactory
                          ) -> tuple[Path, Path]:
    """A run killed after its first epoch (its folder holds checkpoint/ only), and a model."""
    data = read_spert_json(fixtures / "tiny_train.json")
    root = tmp_path_factory.mktemp("fb")

    def stop(event: dict) -> None:
        if event["event"] == "epoch":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(_cfg(tiny_base), data, data[:2], out_dir=root / "interrupted", progress=stop)
    assert sorted(p.name for p in (root / "interrupted").iterdir()) == ["checkpoint"]
    train(_cfg(tiny_base, epochs=1), data, data[:2], out_dir=root / "model")
    return root / "interrupted", root / "model"


def test_feedback_over_a_checkpoint_is_told_overwrite_not_resume(interrupted_and_model: tuple[Path, Path],
                                                                 fixtures: Path, tmp_path: Path) -> None:
    interrupted, model = interrupted_and_model
    out = tmp_path / "m"
    shutil.copytree(interrupted, out)
    data = str(fixtures / "tiny_train.json")
    cmd = ["train", "--feedback", data, "--dev", data, "--model", str(model), "--epochs", "1", "--out", str(out),
           *FAST]
    res = runner.invoke(app, cmd)
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    ckpt = out / "checkpoint"
    assert res.output.strip().splitlines()[-1] == (
        f"error: {ckpt}: KGA351 {out} holds the checkpoint of an interrupted training ({ckpt}): training anew "
        "would overwrite it; fine-tuning on --feedback cannot resume it: pass --overwrite to start over, or give "
        "another --out")
    # the advice works: --resume is refused with --feedback, --overwrite starts over
    res = runner.invoke(app, [*cmd, "--resume"])
    assert res.exit_code == 2 and "KGA340 --resume does not go with --feedback" in res.output, res.output
    res = runner.invoke(app, [*cmd, "--overwrite"])
    assert res.exit_code == 0, res.output
    assert (out / "config.json").is_file()


def test_plain_train_still_offers_resume(interrupted_and_model: tuple[Path, Path], tiny_base: Path,
                                         fixtures: Path, tmp_path: Path) -> None:
    interrupted, _model = interrupted_and_model
    out = tmp_path / "m"
    shutil.copytree(interrupted, out)
    res = runner.invoke(app, ["train", str(fixtures / "tiny_train.json"), "--base", str(tiny_base), "--full",
                              "--out", str(out), *FAST])
    assert res.exit_code == 2, res.output
    assert res.output.strip().endswith("resume it with --resume, or pass --overwrite to start over"), res.output
