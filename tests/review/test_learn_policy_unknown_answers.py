"""``kgagent feedback learn-policy`` on answers to decisions the extraction does not hold (fuzz
finding): they were skipped without a word, and when every answer was such, the error said to
"answer some first" (KGA477). Now they are counted in the report, and all of them unknown is
KGA471, as ``export-reviews`` says it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.review.items import ReviewSet
from kgagent.review.learn import learn_policy
from kgagent.review.store import DB_NAME, ReviewStore
from kgagent_cli.main import app
from support.review_fakes import SMITH


def _insert(out: Path, decision: str, action: str) -> None:
    """An answer row on ``decision``, past ReviewStore.add's checks (a later run's database)."""
    rs = ReviewSet.load(out)
    ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts).close()
    with sqlite3.connect(out / DB_NAME) as db:
        db.execute("INSERT INTO answers (decision, reviewer, action, label, span_start, span_end, note, verdict, "
                   "fingerprint, created) VALUES (?, 'ana', ?, NULL, NULL, NULL, NULL, 'review', ?, "
                   "'2026-01-01T00:00:00')", (decision, action, rs.fingerprint))


def test_answers_on_unknown_decisions_are_counted(out: Path) -> None:
    _insert(out, SMITH, "accept")
    _insert(out, "d:gone", "reject")
    _policy, report = learn_policy([out])
    assert report.answers == 1 and report.unknown_answers == 1 and report.unknown_decisions == ["d:gone"]


def test_answers_all_on_unknown_decisions_are_kga471(out: Path, tmp_path: Path) -> None:
    _insert(out, "d:gone", "reject")
    _insert(out, "d:gone2", "accept")
    with pytest.raises(InputError) as err:
        learn_policy([out])
    assert err.value.code == "KGA471" and "none of the 2 agreed answer(s)" in err.value.message
    assert "d:gone" in err.value.message
    res = CliRunner().invoke(app, ["feedback", "learn-policy", str(out), "--save", str(tmp_path / "p.json")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "error: " in res.output and "KGA471 none of the 2 agreed answer(s)" in res.output
    assert not (tmp_path / "p.json").exists()
