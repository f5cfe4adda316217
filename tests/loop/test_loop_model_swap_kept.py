"""A feedback loop killed while its best model is put into OUT/model does not lose the model.

Regression: run_loop copied the best round's model to OUT/.model.tmp, removed OUT/model, then
renamed the copy in: a kill between the two left no OUT/model (and a .model.tmp nothing read).
Now the copy is written whole beside OUT/model (model.tmp-<pid>, config.json last) and swapped
in by renames (kgagent.files.swapping_in, as the training's checkpoint is); the next run, or
`kgagent train --rounds` refusing an --out, first puts the whole model a cut-short swap left in
its place (recover_loop_model).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import EncoderError
from kgagent.loop import LoopConfig, run_loop
from kgagent_cli.main import app
from support.loop_fakes import TaggedModel, loop_fakes

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"
runner = CliRunner()


def _killed_putting_the_model_in(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rerun of the loop (--overwrite) killed as its best model is renamed to OUT/model."""
    run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=1, patience=5), out, **loop_fakes("old"))
    real = os.replace

    def killed(src, dst, *a, **kw):  # type: ignore[no-untyped-def]
        if Path(dst) == out / "model" and Path(src).parent == out:
            raise KeyboardInterrupt
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=2, patience=5), out, overwrite=True, **loop_fakes("new"))
    monkeypatch.undo()


def test_the_next_run_puts_back_the_model_a_killed_swap_left(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "loop"
    _killed_putting_the_model_in(out, monkeypatch)
    assert not (out / "model").exists()
    calls: list[object] = []
    with pytest.raises(EncoderError) as err:  # the next run: refused (no --overwrite), the model put back first
        run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=1), out,
                 trainer=lambda *a, **k: calls.append(a), labeller=lambda *a: [])
    assert err.value.code == "KGA350" and "(model/, round-0/, round-1/, round-2/" in err.value.message
    assert calls == []
    assert (out / "model" / "config.json").is_file()
    assert (out / "model" / "tag.txt").read_text() == "new2"  # the killed run's best model, whole
    assert [p.name for p in out.iterdir() if p.name.startswith(("model.", ".model"))] == []  # no leftovers


def test_kgagent_train_rounds_puts_it_back_before_refusing(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "loop"
    _killed_putting_the_model_in(out, monkeypatch)
    texts = tmp_path / "texts.txt"
    texts.write_text("John Smith works for Acme in Boston .\n", encoding="utf-8")
    res = runner.invoke(app, ["train", str(FIX / "gold.json"), "--dev", str(FIX / "gold.json"), "--rounds", "1",
                              "--unlabelled", str(texts), "--loop-mode", "plain", "--out", str(out),
                              "--threads", "1", "--device", "cpu"])
    assert res.exit_code == 2, res.output
    assert "KGA350" in res.output and "(model/, round-0/, round-1/, round-2/" in " ".join(res.output.split())
    assert (out / "model" / "tag.txt").read_text() == "new2"


def test_recovery_keeps_a_whole_model_and_drops_a_half_copied_one(tmp_path: Path) -> None:
    """Killed between the renames: the old model set aside and the new one (whole) beside it ->
    the new one; a new copy without its config.json (copied last) is never put in place."""
    from kgagent.loop import recover_loop_model

    out = tmp_path / "loop"
    for name, tag in (("model.old-11", "old"), ("model.tmp-11", "new")):
        TaggedModel(tag).save_pretrained(out / name)
    recover_loop_model(out)
    assert (out / "model" / "tag.txt").read_text() == "new" and sorted(os.listdir(out)) == ["model"]

    TaggedModel("half").save_pretrained(out / "model.tmp-12")
    (out / "model.tmp-12" / "config.json").unlink()
    os.replace(out / "model", out / "model.old-12")
    recover_loop_model(out)
    assert (out / "model" / "tag.txt").read_text() == "new" and sorted(os.listdir(out)) == ["model"]
