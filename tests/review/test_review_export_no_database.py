"""Regression: `feedback export-reviews` with no answers database (a mistyped --db, a database
moved away, the wrong OUT) said "0 judged decision(s)" and exited 0 after replacing
OUT/review_feedback.jsonl, an earlier export, with an empty file. It is now KGA483 naming the
database, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.review.export import EXPORT_NAME, export_reviews
from kgagent_cli.main import app
from support.review_fakes import SMITH, answer


def test_a_missing_database_is_told_and_the_earlier_export_kept(out: Path, tmp_path: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    export_reviews(out)
    earlier = (out / EXPORT_NAME).read_bytes()
    assert earlier
    missing = tmp_path / "elsewhere" / "reviews.sqlite"
    with pytest.raises(InputError) as err:
        export_reviews(out, db=missing)
    assert err.value.code == "KGA483" and str(missing) in str(err.value)
    assert (out / EXPORT_NAME).read_bytes() == earlier


def test_cli_without_a_database_exits_2_and_writes_nothing(out: Path) -> None:
    res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out)])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "KGA483 no answers database" in text and "reviews.sqlite" in text and "nothing written" in text
    assert not (out / EXPORT_NAME).exists()
