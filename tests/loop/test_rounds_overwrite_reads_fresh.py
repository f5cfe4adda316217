"""`kgagent train --rounds K --overwrite` over an earlier loop's --out leaves a fresh run's output.

Regression: --overwrite let the new run write over the old one's parts, so a 3-round run rerun
with --rounds 1 left the earlier run's round-2/ and round-3/ beside the new round-0/ and
round-1/ (and, were the new run cut short, its loop.json and model/). Now the earlier run's
loop-owned parts (model/, round-<r>/, loop.json and what a cut-short run left of them) are
removed before the new run writes, the CLI says which, and nothing else in --out is touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.loop import LoopConfig, run_loop
from kgagent_cli.main import app
from support.loop_fakes import loop_fakes
from support.encoder_fakes import make_tiny_base

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"
runner = CliRunner()


def _earlier_run(out: Path, rounds: int = 3) -> None:
    run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=rounds, patience=5), out, **loop_fakes("old"))
    assert sorted(p.name for p in out.iterdir()) == ["loop.json", "model", *[f"round-{r}" for r in range(rounds + 1)]]


def _mine(out: Path) -> dict[str, str]:
    """Files the loop never writes, put into its --out by someone else."""
    (out / "notes.txt").write_text("kept")
    (out / "round-notes").mkdir()
    (out / "round-notes" / "a.txt").write_text("kept")
    (out / "model.card.md").write_text("kept")
    return {"notes.txt": "kept", "round-notes/a.txt": "kept", "model.card.md": "kept"}


def test_overwrite_removes_the_earlier_runs_rounds_beyond_the_new_ones(tmp_path: Path) -> None:
    out = tmp_path / "loop"
    _earlier_run(out)
    mine = _mine(out)
    (out / ".model.tmp").mkdir()  # what an older kgagent's killed copy of the best model left
    said: list[str] = []
    result = run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=1, patience=5), out, overwrite=True,
                      progress=said.append, **loop_fakes("new"))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["loop.json", "model", "round-0", "round-1", "notes.txt", "round-notes", "model.card.md"])
    assert {k: (out / k).read_text() for k in mine} == mine
    loop = json.loads((out / "loop.json").read_text())
    assert [r["round"] for r in loop["rounds"]] == [0, 1] and loop["best_round"] == 1
    assert (out / "model" / "tag.txt").read_text() == "new1"
    assert (out / "round-0" / "model" / "tag.txt").read_text() == "new0"
    assert result.removed == ["model/", "round-0/", "round-1/", "round-2/", "round-3/", "loop.json", ".model.tmp/"]
    assert said[0] == (f"replacing the earlier run's output in {out}: removed model/, round-0/, round-1/, round-2/, "
                       "round-3/, loop.json, .model.tmp/")


def test_without_an_earlier_run_nothing_is_removed_or_said(tmp_path: Path) -> None:
    out = tmp_path / "loop"
    out.mkdir()
    mine = _mine(out)
    said: list[str] = []
    result = run_loop(None, ["g"], ["d"], [], LoopConfig(rounds=1, patience=5), out, overwrite=True,
                      progress=said.append, **loop_fakes("new"))
    assert result.removed == [] and not any("removed" in s for s in said)
    assert {k: (out / k).read_text() for k in mine} == mine
    from kgagent.loop import clear_loop_output

    assert clear_loop_output(tmp_path / "nowhere") == []


def test_bad_input_removes_nothing(tmp_path: Path) -> None:
    """The earlier run's output goes only once the new run can start (its data checked)."""
    from kgagent.errors import InputError

    out = tmp_path / "loop"
    _earlier_run(out, rounds=1)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(InputError):
        run_loop(None, [], ["d"], [], LoopConfig(rounds=1), out, overwrite=True, **loop_fakes("new"))
    assert sorted(p.name for p in out.iterdir()) == before


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("tiny_base"))


def test_the_cli_says_what_overwrite_removed(tiny_base: Path, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("John Smith works for Acme in Boston .\n", encoding="utf-8")
    out = tmp_path / "loop"
    _earlier_run(out)
    mine = _mine(out)
    cmd = ["train", str(FIX / "gold.json"), "--dev", str(FIX / "gold.json"), "--rounds", "1",
           "--unlabelled", str(texts), "--loop-mode", "plain", "--threshold", "0.0", "--base", str(tiny_base),
           "--epochs", "1", "--out", str(out), "--seed", "3", "--threads", "1", "--device", "cpu", "--overwrite"]
    res = runner.invoke(app, cmd)
    assert res.exit_code == 0, res.output
    assert "removed model/, round-0/, round-1/, round-2/, round-3/, loop.json" in " ".join(res.output.split())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["loop.json", "model", "round-0", "round-1", "notes.txt", "round-notes", "model.card.md"])
    assert {k: (out / k).read_text() for k in mine} == mine
    assert [r["round"] for r in json.loads((out / "loop.json").read_text())["rounds"]] == [0, 1]
    assert (out / "model" / "config.json").is_file() and not (out / "model" / "tag.txt").exists()
