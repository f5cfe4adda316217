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


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_train_into_an_out_that_holds_a_model_needs_overwrite(trained: Path, tiny_base: Path, fixtures: Path,
                                                              tmp_path: Path) -> None:
    """Before: `kgagent train ... --out DIR` over a trained model replaced it without a word (and
    left the old model's parts the new one lacks). Now it is exit 2 (KGA350) before anything is
    read, the model untouched; --overwrite replaces it, part for part."""
    import shutil

    out = tmp_path / "m"
    shutil.copytree(trained, out)
    before = _files(out)
    data = fixtures / "tiny_train.json"
    cmd = ["train", str(data), "--base", str(tiny_base), "--lora", "--epochs", "1", "--out", str(out),
           "--threads", "1", "--device", "cpu"]
    res = runner.invoke(app, cmd)
    assert res.exit_code == 2, res.output
    assert res.output.strip().splitlines()[-1] == (
        f"error: {out}: KGA350 {out} already holds a model (config.json): training would replace it; give "
        "--overwrite to replace it, or another --out")
    assert _files(out) == before
    res = runner.invoke(app, [*cmd, "--overwrite", "--resume"])
    assert res.exit_code == 2 and "KGA340 --resume and --overwrite do not go together" in res.output
    res = runner.invoke(app, [*cmd, "--overwrite"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "config.json").read_text())["lora"] is True
    # the full model's encoder is not left beside the LoRA model; no temporary folder is left
    assert not (out / "encoder.safetensors").exists() and not (out / "encoder").exists()
    assert not list(out.glob(".model-new-*")) and (out / "checkpoint").is_dir()
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(out), "--json", "--threads", "1"])
    assert res.exit_code == 0, res.output


def test_a_save_that_fails_midway_leaves_the_old_model_whole(trained: Path, tiny_base: Path, fixtures: Path,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the new model was saved part by part into --out itself: a save cut short (a full
    disk) left the new heads beside the old config.json (KGA305 on loading, both models lost). Now
    it is written whole beside them first: the old model is left as it was."""
    import shutil

    from kgagent.encoder.data import read_examples
    from kgagent.encoder.pretrained import Encoder
    from kgagent.encoder.train import TrainConfig, train

    out = tmp_path / "m"
    shutil.copytree(trained, out)
    before = {k: v for k, v in _files(out).items() if not k.startswith("checkpoint")}
    real = Encoder.save_pretrained

    def full_disk(self, path, **kw):
        if "checkpoint" in str(path):
            return real(self, path, **kw)
        (Path(path) / "heads.safetensors").parent.mkdir(parents=True, exist_ok=True)
        (Path(path) / "heads.safetensors").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Encoder, "save_pretrained", full_disk)
    cfg = TrainConfig(base=str(tiny_base), lora=False, epochs=1, device="cpu", num_threads=1, calibrate=False)
    with pytest.raises(OSError, match="No space left"):
        train(cfg, read_examples(fixtures / "tiny_train.json"), None, out_dir=out, overwrite=True)
    assert {k: v for k, v in _files(out).items() if not k.startswith("checkpoint")} == before
    assert not list(out.glob(".model-new-*"))
