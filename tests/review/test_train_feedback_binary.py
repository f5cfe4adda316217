"""Regression: `kgagent train --feedback OUT/reviews.sqlite` (the review page's database given in
place of its export) read the database as CoNLL columns and printed a 'bad NER tag' error quoting
thousands of its NUL bytes. It is now KGA484 naming the file and the command that exports it,
before any model is loaded."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.review.export import export_reviews
from kgagent_cli.main import app
from support.review_fakes import SMITH, answer


def _train(feedback: Path, dev: Path, out: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["train", "--feedback", str(feedback), "--dev", str(dev), "--out", str(out),
                                    "--epochs", "1"])


def test_the_answers_database_as_feedback_is_named(out: Path, tmp_path: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    dev = Path(export_reviews(out).path)
    res = _train(out / "reviews.sqlite", dev, tmp_path / "model")
    assert res.exit_code == 1, res.output
    text = " ".join(res.output.split())
    assert f"{out / 'reviews.sqlite'}: KGA484 an SQLite database" in text
    assert "kgagent feedback export-reviews OUT" in text and "\\x00" not in text and len(res.output) < 600
    assert not (tmp_path / "model").exists()


def test_any_binary_file_as_feedback_is_named(out: Path, tmp_path: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    dev = Path(export_reviews(out).path)
    blob = tmp_path / "feedback.jsonl"
    blob.write_bytes(b'{"tokens": []}\n\x00\x01\x02' * 10)
    res = _train(blob, dev, tmp_path / "model")
    assert res.exit_code == 1, res.output
    assert f"{blob}: KGA484 a binary file, not feedback JSONL" in " ".join(res.output.split())
