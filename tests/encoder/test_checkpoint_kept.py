"""An interrupted training's checkpoint is not lost: not to a fresh `train` (KGA351), not to a
checkpoint save cut short (each save is written whole beside it, then swapped in)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.encoder.data import Example, read_spert_json
from kgagent.encoder.train import TrainConfig, train
from kgagent.errors import EncoderError
from kgagent_cli.main import app
from support.encoder_fakes import tiny_train_config

runner = CliRunner()
FAST = ["--threads", "1", "--device", "cpu"]


def _cfg(base: Path, **kw: object) -> TrainConfig:
    return tiny_train_config(base, **{"epochs": 3, "calibrate": False, **kw})


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _stop_after(n: int):  # type: ignore[no-untyped-def]
    def progress(event: dict) -> None:
        if event["event"] == "epoch" and event["epoch"] == n:
            raise KeyboardInterrupt
    return progress


@pytest.fixture(scope="module")
def data(fixtures: Path) -> list[Example]:
    return read_spert_json(fixtures / "tiny_train.json")


@pytest.fixture(scope="module")
def interrupted(tiny_base: Path, data: list[Example], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of 3 epochs (with dev) killed after epoch 1: its folder holds checkpoint/ only."""
    out = tmp_path_factory.mktemp("interrupted") / "m"
    with pytest.raises(KeyboardInterrupt):
        train(_cfg(tiny_base), data, data[:2], out_dir=out, progress=_stop_after(1))
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint"]
    return out


def test_a_fresh_train_into_an_interrupted_runs_checkpoint_is_kga351(interrupted: Path, tiny_base: Path,
                                                                     fixtures: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `kgagent train DATA --out DIR` (no --resume) over DIR/checkpoint of an interrupted
    run trained anew and overwrote that checkpoint at its first epoch. Now it is exit 2 (KGA351)
    before the data is read; --resume continues it, --overwrite starts over."""
    import kgagent.encoder.data as data_mod

    out = tmp_path / "m"
    shutil.copytree(interrupted, out)
    before = _files(out)
    cmd = ["train", str(fixtures / "tiny_train.json"), "--base", str(tiny_base), "--full", "--epochs", "3",
           "--lr", "5e-3", "--head-lr", "5e-3", "--batch-size", "3", "--patience", "100", "--seed", "7",
           "--out", str(out), *FAST]
    read = data_mod.read_examples

    def no_reading(*_a: object, **_k: object) -> None:
        raise AssertionError("the data was read before the refusal")

    monkeypatch.setattr(data_mod, "read_examples", no_reading)
    res = runner.invoke(app, cmd)
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    ckpt = out / "checkpoint"
    assert "Traceback" not in res.output
    assert res.output.strip().splitlines()[-1] == (
        f"error: {ckpt}: KGA351 {out} holds the checkpoint of an interrupted training ({ckpt}): training anew "
        "would overwrite it; resume it with --resume, or pass --overwrite to start over")
    assert _files(out) == before
    monkeypatch.setattr(data_mod, "read_examples", read)

    res = runner.invoke(app, [*cmd, "--resume"])
    assert res.exit_code == 0, res.output
    state = json.loads((ckpt / "trainer_state.json").read_text())
    assert state["epoch"] == 3 and [h["epoch"] for h in state["history"]] == [1, 2, 3]

    again = tmp_path / "again"
    shutil.copytree(interrupted, again)
    res = runner.invoke(app, [*cmd[:-5], str(again), *FAST, "--overwrite", "--epochs", "1"])
    assert res.exit_code == 0, res.output
    assert json.loads((again / "checkpoint" / "trainer_state.json").read_text())["history"][0]["epoch"] == 1
    assert (again / "config.json").is_file()


def test_the_library_refuses_it_too(interrupted: Path, tiny_base: Path, data: list[Example], tmp_path: Path) -> None:
    out = tmp_path / "m"
    shutil.copytree(interrupted, out)
    before = _files(out)
    events: list[dict] = []
    with pytest.raises(EncoderError) as err:
        train(_cfg(tiny_base), data, None, out_dir=out, progress=events.append)
    assert err.value.code == "KGA351" and err.value.location is not None
    assert err.value.location.path == str(out / "checkpoint")
    assert events == [] and _files(out) == before


def _resume(tiny_base: Path, data: list[Example], out: Path, **kw: object):  # type: ignore[no-untyped-def]
    return train(_cfg(tiny_base), data, data[:2], out_dir=out, resume=True, **kw)  # type: ignore[arg-type]


def test_a_checkpoint_save_cut_short_leaves_the_last_one_resumable(interrupted: Path, tiny_base: Path,
                                                                   data: list[Example], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: a checkpoint was saved in place, part after part: a kill midway (here: a full disk
    while epoch 2's weights were written) left epoch 2's half-written weights beside epoch 1's
    state, which --resume could not read. Now the old checkpoint is left whole and resumes."""
    from kgagent.encoder.pretrained import Encoder

    out = tmp_path / "m"
    shutil.copytree(interrupted, out)
    before = _files(out)
    real = Encoder.save_pretrained

    def full_disk(self, path, **kw):  # type: ignore[no-untyped-def]
        real(self, path, **kw)
        heads = Path(path) / "heads.safetensors"
        heads.write_bytes(heads.read_bytes()[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Encoder, "save_pretrained", full_disk)
    with pytest.raises(OSError, match="No space left"):
        _resume(tiny_base, data, out)
    monkeypatch.undo()
    assert _files(out) == before  # no half-written save left beside it
    _, report = _resume(tiny_base, data, out)
    assert [h["epoch"] for h in report["history"]] == [1, 2, 3]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("checkpoint")) == ["checkpoint"]


def test_a_kill_between_the_swaps_renames_resumes_from_a_whole_checkpoint(interrupted: Path, tiny_base: Path,
                                                                          data: list[Example], tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill after the old checkpoint was renamed aside and before the new one was renamed in
    leaves no checkpoint/: --resume takes the new one (written whole) and removes the leftovers."""
    import os

    out = tmp_path / "m"
    shutil.copytree(interrupted, out)
    real = os.replace

    def killed(src, dst, *a, **kw):  # type: ignore[no-untyped-def]
        if Path(dst).name == "checkpoint" and Path(src).name.startswith("checkpoint.tmp-"):
            raise KeyboardInterrupt
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        _resume(tiny_base, data, out)
    monkeypatch.undo()
    left = sorted(p.name for p in out.iterdir())
    assert "checkpoint" not in left and any(n.startswith("checkpoint.old-") for n in left), left
    # a fresh train names it too: it is an interrupted run's checkpoint
    with pytest.raises(EncoderError, match="KGA351|interrupted training"):
        train(_cfg(tiny_base), data, None, out_dir=out)
    states: list[dict] = []
    _, report = _resume(tiny_base, data, out, progress=lambda e: states.append(e) if e["event"] == "epoch" else None)
    assert [e["epoch"] for e in states] == [3]  # epoch 2's checkpoint was whole: epoch 3 is what was left
    assert [h["epoch"] for h in report["history"]] == [1, 2, 3]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("checkpoint")) == ["checkpoint"]


def test_best_is_kept_by_a_save_that_did_not_improve(tiny_base: Path, data: list[Example], tmp_path: Path) -> None:
    """Each checkpoint is a new folder: the best epoch's weights, saved only when it improved,
    come along into every later checkpoint (a resume ends on the best epoch's model)."""
    out = tmp_path / "m"
    with pytest.raises(KeyboardInterrupt):  # lr 0: no epoch after the first improves
        train(_cfg(tiny_base, lr=0.0, head_lr=1e-12), data, data[:2], out_dir=out, progress=_stop_after(2))
    state = json.loads((out / "checkpoint" / "trainer_state.json").read_text())
    assert state["best_epoch"] == 1 and state["epoch"] == 2
    assert (out / "checkpoint" / "best" / "config.json").is_file()
