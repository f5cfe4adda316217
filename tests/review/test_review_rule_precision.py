"""`kgagent rules stats --out OUT`: each rule's precision against the reviewers' answers."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.rule_stats import review_rule_stats, rule_stats
from kgagent_cli.main import app
from support.review_fakes import answer, ACME, PARSONS, PHILIPS_NY, SMITH, WORK_FOR


def test_precision_where_people_agreed_or_overruled(out: Path) -> None:
    # the accept rule (relations.rules:53) decided two relations: one upheld, one overruled
    answer(out, [(WORK_FOR, "ana", "reject"), (PHILIPS_NY, "ana", "accept"),
                  (PARSONS, "ana", "accept"),  # entities.rules:26 upheld
                  (ACME, "ana", "reject"),  # entities.rules:32 (a reject) upheld
                  (SMITH, "ana", "accept"), (SMITH, "ben", "reject")])  # a conflict: not judged
    report = review_rule_stats(out)
    assert report.judge == "reviewers" and report.to_dict()["judge"] == "reviewers"
    accept_rel = report.rule("rules/relations.rules:53")
    assert (accept_rel.judged, accept_rel.correct, accept_rel.precision) == (2, 1, 0.5)
    assert report.rule("rules/entities.rules:32").precision == 1.0
    assert report.rule("rules/entities.rules:26").precision == 1.0
    assert report.rule("rules/entities.rules:28").judged == 0  # Smith's review rule: conflict, and review
    assert rule_stats(out).rule("rules/relations.rules:53").precision is None  # without answers: none


def test_rules_stats_cli_uses_the_answers(out: Path) -> None:
    answer(out, [(WORK_FOR, "ana", "reject"), (PHILIPS_NY, "ana", "accept")])
    result = CliRunner().invoke(app, ["rules", "stats", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "precision" in result.output and "right by reviewers" in result.output
    row = next(line for line in result.output.splitlines() if "rules/relations.rules:53" in line)
    assert row.rstrip(" │|").endswith("0.500")
