"""The feedback loop's commands misused (fuzz findings): no process-wide state, names printed
as written."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kgagent.encoder.data import EntitySpan, Example
from kgagent.loop import LoopConfig, run_loop
from kgagent.schema import Document
from kgagent_cli.main import app

EXTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "loop" / "extract"


def test_run_loop_leaves_the_process_random_state_alone() -> None:
    gold = [Example(["Ann"], [EntitySpan(0, 1, "Peop")])]
    scores = iter([0.1, 0.2])

    def trainer(cfg, train, dev, out, init=None):  # type: ignore[no-untyped-def]
        return next(scores), {}

    def evaluator(model, dev):  # type: ignore[no-untyped-def]
        return {"entity": {"f1": model}, "relation": {"strict": {"f1": model}}}

    def labeller(model, docs, work):  # type: ignore[no-untyped-def]
        return list(gold)

    random.seed(12345)
    before = random.getstate()
    run_loop(object(), gold, gold, [Document("u1", "Ann works.")], LoopConfig(rounds=1, seed=7), None,
             labeller=labeller, trainer=trainer, evaluator=evaluator)
    assert random.getstate() == before  # was random.seed(config.seed): every caller's sequence reset


def test_prune_prints_a_rule_with_brackets_or_colons_as_written(tmp_path: Path) -> None:
    shutil.copytree(EXTRACT, tmp_path / "out")
    feedback = tmp_path / "out" / "feedback.jsonl"
    runner = CliRunner()
    for rule in ("rules/x[/b].rules:3", "a:b:c"):
        res = runner.invoke(app, ["feedback", "prune", str(feedback), "--rule", rule,
                                  "--out", str(tmp_path / "pruned.jsonl")])
        assert res.exit_code == 0, res.output  # "[/b]" was a rich MarkupError traceback
        assert f"proved with {rule};" in res.output  # ":b:" was printed as an emoji
        assert f"no decision's proof uses {rule};" in res.output


def test_prune_to_an_out_that_cannot_be_a_file_is_kga510_exit_2(tmp_path: Path) -> None:
    shutil.copytree(EXTRACT, tmp_path / "out")
    feedback = tmp_path / "out" / "feedback.jsonl"
    before = feedback.read_text()
    runner = CliRunner()
    for out, words in ((tmp_path / "out", "it is a directory"), (feedback / "x.jsonl", "is a file, not a directory")):
        res = runner.invoke(app, ["feedback", "prune", str(feedback), "--rule", "rules/entities.rules:5",
                                  "--out", str(out)])
        assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output  # was 1, KGA551 "File exists"
        assert "error: KGA510 cannot write" in res.output and words in res.output
    assert feedback.read_text() == before


def test_bad_loop_settings_are_exit_2_like_bad_training_settings(tmp_path: Path) -> None:
    gold = tmp_path / "g.json"
    gold.write_text('[{"tokens": ["Ann", "works", "."], "entities": [{"type": "Peop", "start": 0, "end": 1}], '
                    '"relations": []}]')
    texts = tmp_path / "u.txt"
    texts.write_text("Ann works.\n")
    runner = CliRunner()
    for extra, words in ((["--threshold", "5"], "threshold must lie in [0, 1]"),
                         (["--restart", "bogus"], "unknown restart 'bogus'"),
                         (["--select-on", "bogus"], "unknown select_on 'bogus'")):
        res = runner.invoke(app, ["train", str(gold), "--dev", str(gold), "--unlabelled", str(texts), "--rounds", "1",
                                  "--loop-mode", "plain", "--out", str(tmp_path / "o"), "--threads", "1", *extra])
        assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output  # was 1
        assert "error: KGA460" in res.output and words in res.output
