"""`kgagent train --rounds K` (train_rounds): missing inputs give one-line errors, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from kgagent_cli.loop_cmd import train_rounds

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"


def one_line_error(capsys: pytest.CaptureFixture[str], **options: object) -> str:
    with pytest.raises(typer.Exit) as exc:
        train_rounds(**options)
    assert exc.value.exit_code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    return err


def test_missing_train_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = one_line_error(capsys, train=str(tmp_path / "nope.json"), dev=str(FIX / "gold.json"),
                         unlabelled=str(FIX / "gold.json"), out=str(tmp_path / "o"), rounds=2)
    assert "nope.json" in err


def test_missing_dev_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = one_line_error(capsys, train=str(FIX / "gold.json"), unlabelled=str(FIX / "gold.json"),
                         out=str(tmp_path / "o"), rounds=1)
    assert "--dev" in err


def test_missing_unlabelled(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = one_line_error(capsys, train=str(FIX / "gold.json"), dev=str(FIX / "gold.json"), rounds=1,
                         out=str(tmp_path / "o"))
    assert "--unlabelled" in err
    err = one_line_error(capsys, train=str(FIX / "gold.json"), dev=str(FIX / "gold.json"), rounds=1,
                         unlabelled=str(tmp_path / "texts.txt"), out=str(tmp_path / "o"))
    assert "texts.txt" in err


def test_missing_out(capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_error(capsys, train=str(FIX / "gold.json"), dev=str(FIX / "gold.json"),
                         unlabelled=str(FIX / "gold.json"), rounds=1)
    assert "--out" in err


def test_bad_loop_setting(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("kgagent.encoder.train")
    err = one_line_error(capsys, train=str(FIX / "gold.json"), dev=str(FIX / "gold.json"),
                         unlabelled=str(FIX / "gold.json"), out=str(tmp_path / "o"), rounds=1, restart="never")
    assert "KGA460" in err
