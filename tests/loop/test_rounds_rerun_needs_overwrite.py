"""`kgagent train --rounds K --out DIR` over an earlier loop's DIR needs --overwrite (KGA350).

Regression: plain `train` refused to replace a model without --overwrite (KGA350), but a rerun
of the feedback loop into the same --out replaced DIR/model, the round folders and loop.json
without a word (the round models were trained with overwrite=True, the best copied over
DIR/model).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app
from support.encoder_fakes import make_tiny_base

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"
runner = CliRunner()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("tiny_base"))


def _cmd(base: Path, texts: Path, out: Path, *extra: str) -> list[str]:
    return ["train", str(FIX / "gold.json"), "--dev", str(FIX / "gold.json"), "--rounds", "1",
            "--unlabelled", str(texts), "--loop-mode", "plain", "--threshold", "0.0", "--base", str(base),
            "--epochs", "1", "--out", str(out), "--seed", "3", "--threads", "1", "--device", "cpu", *extra]


def test_rerunning_the_loop_into_its_out_is_kga350_without_overwrite(tiny_base: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("John Smith works for Acme in Boston .\n", encoding="utf-8")
    out = tmp_path / "loop"
    res = runner.invoke(app, _cmd(tiny_base, texts, out))
    assert res.exit_code == 0, res.output
    assert (out / "model" / "config.json").is_file() and (out / "round-1" / "model" / "config.json").is_file()
    before = _files(out)

    # refused before anything is read or trained: reading the data would fail the test
    import kgagent.encoder.data as data_mod

    def no_reading(*_a: object, **_k: object) -> None:
        raise AssertionError("the data was read before the refusal")

    monkeypatch.setattr(data_mod, "read_examples", no_reading)
    res = runner.invoke(app, _cmd(tiny_base, texts, out))
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "Traceback" not in res.output and "round 0" not in res.output
    assert res.output.strip().splitlines()[-1] == (
        f"error: {out}: KGA350 {out} already holds a feedback loop's output (model/, round-0/, round-1/, "
        "loop.json): training would replace it; give --overwrite to replace it, or another --out")
    assert _files(out) == before

    # --resume does not go with the loop (it was ignored, and let the loop replace its output)
    res = runner.invoke(app, _cmd(tiny_base, texts, out, "--resume"))
    assert res.exit_code == 2 and "KGA340 --resume does not go with --rounds" in res.output, res.output
    assert _files(out) == before
    monkeypatch.undo()

    res = runner.invoke(app, _cmd(tiny_base, texts, out, "--overwrite", "--seed", "4"))
    assert res.exit_code == 0, res.output
    assert json.loads((out / "loop.json").read_text())["config"]["seed"] == 4


def test_run_loop_refuses_an_out_with_a_loop_output_unless_overwrite(tmp_path: Path) -> None:
    """The library says the same: run_loop(..., out_dir) over an earlier run's output is KGA350
    before the trainer is called; overwrite=True replaces it."""
    from kgagent.errors import EncoderError
    from kgagent.loop import LoopConfig, run_loop

    calls: list[Path | None] = []

    class Model:
        path = None

    def trainer(cfg, train, dev, out, init=None):  # type: ignore[no-untyped-def]
        calls.append(out)
        return Model(), {}

    def evaluator(model, dev):  # type: ignore[no-untyped-def]
        return {"entity": {"f1": 1.0}, "relation_strict": {"f1": 1.0}}

    (tmp_path / "round-0").mkdir()
    with pytest.raises(EncoderError) as err:
        run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=0), tmp_path, trainer=trainer, evaluator=evaluator,
                 labeller=lambda *a: [])
    assert err.value.code == "KGA350" and "(round-0/)" in err.value.message
    assert err.value.location is not None and err.value.location.path == str(tmp_path)
    assert calls == []
    run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=0), tmp_path, trainer=trainer, evaluator=evaluator,
             labeller=lambda *a: [], overwrite=True)
    assert calls == [tmp_path / "round-0" / "model"]
