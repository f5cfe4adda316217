"""`kgagent train --rounds K` checks what the agent will read (rules, graph, domain) before round 0
trains.

Regression: `--graph /nonexist` (or `--rules /nonexist`, or rules with an error) trained round 0,
wrote OUT/round-0/model, and only when round 1 began labelling said KGA409 / KGA408 / KGA101.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app
from support.encoder_fakes import make_tiny_base

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"
runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("tiny_base"))


def _rounds(base: Path, tmp_path: Path, *extra: str) -> tuple[object, Path]:
    texts = tmp_path / "texts.txt"
    texts.write_text("John Smith works for Acme in Boston .\n", encoding="utf-8")
    out = tmp_path / "rr"
    res = runner.invoke(app, ["train", str(FIX / "gold.json"), "--dev", str(FIX / "gold.json"), "--rounds", "2",
                              "--unlabelled", str(texts), "--out", str(out), "--base", str(base), "--full",
                              "--epochs", "1", "--threads", "1", "--device", "cpu", *extra])
    return res, out


@pytest.mark.parametrize(("option", "code", "message"), [
    ("--graph", "KGA409", "no such graph directory or file"),
    ("--rules", "KGA408", "no such rules directory"),
], ids=["graph", "rules"])
def test_a_missing_path_is_refused_before_round_0(tiny_base: Path, tmp_path: Path, option: str, code: str,
                                                  message: str) -> None:
    missing = tmp_path / "nonexist"
    res, out = _rounds(tiny_base, tmp_path, option, str(missing))
    assert isinstance(res.exception, SystemExit) and res.exit_code == 2, res.output
    assert f"{code} {message}: {missing}" in res.output, res.output
    assert "round 0" not in res.output and not out.exists()


def test_rules_with_an_error_are_refused_before_round_0(tiny_base: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.rules").write_text("this is not a rule ((\n", encoding="utf-8")
    res, out = _rounds(tiny_base, tmp_path, "--rules", str(rules))
    assert isinstance(res.exception, SystemExit) and res.exit_code != 0, res.output
    assert "x.rules:1" in res.output and "KGA1" in res.output, res.output
    assert "round 0" not in res.output and not out.exists()


def test_a_missing_domain_is_refused_before_round_0(tiny_base: Path, tmp_path: Path) -> None:
    res, out = _rounds(tiny_base, tmp_path, "--domain", str(tmp_path / "nodomain"))
    assert isinstance(res.exception, SystemExit) and res.exit_code == 2, res.output
    assert "KGA602" in res.output and "nodomain" in res.output and not out.exists()
