"""Regression: `kgagent train DATA --rounds K --feedback review_feedback.jsonl ...` ran the loop
and never read the feedback file: the reviewers' answers given to it were dropped without a
word. The pair is now refused (KGA340, exit 2) before anything is read or trained."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.review.export import export_reviews
from kgagent_cli.main import app
from support.review_fakes import SMITH, answer


def test_feedback_with_rounds_is_refused(out: Path, tmp_path: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    feedback = Path(export_reviews(out).path)
    texts = tmp_path / "texts.txt"
    texts.write_text("Smith met Acme.\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["train", str(feedback), "--rounds", "1", "--feedback", str(feedback),
                                   "--dev", str(feedback), "--unlabelled", str(texts), "--out", str(tmp_path / "loop")])
    assert res.exit_code == 2, res.output
    assert "KGA340 --feedback does not go with --rounds" in " ".join(res.output.split())
    assert not (tmp_path / "loop").exists()
