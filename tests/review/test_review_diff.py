"""`kgagent rules diff BEFORE AFTER` judged by the reviewers' answers about BEFORE."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.decision_diff import ReviewedTruth, diff_decisions
from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from kgagent_cli.main import app
from support.review_fakes import BOSTON_TEXAS, KLUGT_PHILIPS, PARSONS, PHILIPS_NY, SMITH, WORK_FOR, answer


def _after(out: Path, tmp_path: Path, changes: dict[str, dict]) -> Path:
    """A copy of OUT's decisions with some records changed (what a rule edit would decide)."""
    after = tmp_path / "after"
    after.mkdir()
    rows = [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]
    (after / "decisions.jsonl").write_text("".join(json.dumps({**r, **changes.get(r["id"], {})}) + "\n" for r in rows))
    return after


def test_changes_judged_by_what_reviewers_answered(out: Path, tmp_path: Path) -> None:
    answer(out, [(WORK_FOR, "ana", "reject"), (PHILIPS_NY, "ana", "accept"), (SMITH, "ana", "accept")])
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        store.add(BOSTON_TEXAS, "ana", "relabel", verdict="review", label="orgbased_in")
    after = _after(out, tmp_path, {
        WORK_FOR: {"verdict": "review", "reason": "unsure"},  # the reviewers rejected it: better
        PHILIPS_NY: {"verdict": "reject", "reason": "no"},  # they accepted it: worse
        SMITH: {"verdict": "accept", "reason": ""},  # they accepted it: better
        BOSTON_TEXAS: {"verdict": "repair", "predicate": "orgbased_in", "reason": "relabelled"},  # as they said
        KLUGT_PHILIPS: {"verdict": "accept", "reason": ""},  # nobody answered: not judged
        PARSONS: {"verdict": "review", "reason": "unsure"},  # nobody answered: not judged
    })
    truth = ReviewedTruth.of(out)
    assert truth is not None
    diff = diff_decisions(out, after, truth, "reviewers")
    effects = {c.after.id: c.effect for c in diff.changes}
    assert effects == {WORK_FOR: "better", PHILIPS_NY: "worse", SMITH: "better", BOSTON_TEXAS: "better",
                       KLUGT_PHILIPS: None, PARSONS: None}
    # relations: work_for's false positive gone, Philips's true one lost, the relabel a true one gained
    assert diff.output_delta("relation") == (0, -1)
    assert diff.output_delta("entity") == (1, 0)
    r = CliRunner().invoke(app, ["rules", "diff", str(out), str(after)])
    assert r.exit_code == 0, r.output
    assert "against the reviewers' answers about BEFORE: 3 better, 1 worse, 0 alike, 2 not judged" in r.output
    assert "reviewers: better" in r.output


def test_without_answers_nothing_is_judged(out: Path, tmp_path: Path) -> None:
    after = _after(out, tmp_path, {WORK_FOR: {"verdict": "review", "reason": "unsure"}})
    assert ReviewedTruth.of(out) is None
    r = CliRunner().invoke(app, ["rules", "diff", str(out), str(after)])
    assert r.exit_code == 0 and "against" not in r.output and "changed 1 candidates" in r.output
