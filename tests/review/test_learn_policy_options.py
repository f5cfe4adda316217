"""Regression tests for `kgagent feedback learn-policy` options (--alpha, the same OUT twice,
a --save under a file) and for what `kgagent review --read-only` says it does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError, StorageError
from kgagent.review.learn import learn_policy
from kgagent.review.policy import LinUCBPolicy
from kgagent_cli.main import app
from support.review_fakes import ACME, PARSONS, SMITH, answer

runner = CliRunner()


def _answered(out: Path) -> Path:
    answer(out, [(PARSONS, "ana", "accept"), (ACME, "ana", "accept"), (SMITH, "ana", "reject")])
    return out


@pytest.mark.parametrize("alpha", ["nan", "-1", "inf", "1e309", "-inf"])
def test_alpha_that_is_no_finite_number_at_least_zero_is_a_usage_error(out: Path, tmp_path: Path,
                                                                       alpha: str) -> None:
    save = tmp_path / "p.json"
    result = runner.invoke(app, ["feedback", "learn-policy", str(_answered(out)), "--save", str(save),
                                 "--alpha", alpha])
    assert result.exit_code == 2, result.output
    assert "--alpha" in result.output and "finite number >= 0" in result.output
    assert not save.exists()


@pytest.mark.parametrize("alpha", [float("nan"), -1.0, float("inf"), True, "0.5"])
def test_the_library_refuses_such_an_alpha_too(out: Path, alpha: Any) -> None:
    with pytest.raises(InputError) as err:
        learn_policy([_answered(out)], alpha=alpha)
    assert err.value.code == "KGA476" and "alpha must be a finite number >= 0" in str(err.value)


def test_a_policy_is_never_saved_with_settings_load_refuses(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        LinUCBPolicy(alpha=float("nan")).save(tmp_path / "p.json")
    assert err.value.code == "KGA476" and not (tmp_path / "p.json").exists()


def test_alpha_zero_is_saved_and_served(out: Path, tmp_path: Path) -> None:
    save = tmp_path / "p.json"
    result = runner.invoke(app, ["feedback", "learn-policy", str(_answered(out)), "--save", str(save),
                                 "--alpha", "0"])
    assert result.exit_code == 0, result.output
    assert json.loads(save.read_text())["alpha"] == 0.0 and LinUCBPolicy.load(save).alpha == 0.0


def test_the_same_directory_given_twice_counts_once(out: Path, tmp_path: Path) -> None:
    _answered(out)
    once, report1 = learn_policy([out], alpha=0.0)
    twice, report2 = learn_policy([out, out / ".." / out.name], alpha=0.0)
    assert (report2.answers, report2.extractions) == (report1.answers, report1.extractions) == (3, 1)
    assert report2.repeated == [str(out / ".." / out.name)]
    assert twice.A_.tolist() == once.A_.tolist() and twice.b_.tolist() == once.b_.tolist()
    result = runner.invoke(app, ["feedback", "learn-policy", str(out), str(out), "--save", str(tmp_path / "p.json")])
    assert result.exit_code == 0, result.output
    assert "learned from 3 answer(s) on 1 extraction(s)" in result.output
    assert "read each directory once" in result.output


def test_save_under_a_file_names_the_file_in_the_way(out: Path, tmp_path: Path) -> None:
    log = tmp_path / "file.log"
    log.write_text("not a folder\n")
    result = runner.invoke(app, ["feedback", "learn-policy", str(_answered(out)), "--save", str(log / "p.json")])
    assert result.exit_code == 2, result.output
    assert "KGA510" in result.output and f"{log} is a file, not a directory" in result.output
    assert "File exists" not in result.output
    with pytest.raises(StorageError) as err:
        LinUCBPolicy().save(log / "deeper" / "p.json")
    assert err.value.code == "KGA510"
    result = runner.invoke(app, ["feedback", "learn-policy", str(out), "--save", str(tmp_path)])
    assert result.exit_code == 2 and "KGA510" in result.output and "is a directory" in result.output


@pytest.mark.parametrize("read_only, says, never", [
    (True, "read-only", "answers are saved as you go"),
    (False, "answers are saved as you go", "read-only")])
def test_review_says_what_is_true_of_its_page(out: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool,
                                              says: str, never: str) -> None:
    import kgagent.review.server as server

    seen: dict[str, Any] = {}

    def fake_serve(path: Any, **kw: Any) -> None:
        seen.update(kw)
        kw["on_ready"]("http://127.0.0.1:1/")

    monkeypatch.setattr(server, "serve", fake_serve)
    result = runner.invoke(app, ["review", str(out)] + (["--read-only"] if read_only else []))
    assert result.exit_code == 0, result.output
    assert seen["read_only"] is read_only
    assert says in result.output and never not in result.output
