"""Regression: `feedback prune --rule R` on reviewers' feedback removed their answers.

A label `feedback export-reviews` writes cites its decision (``proof``) and the reviewer's
answers (``answers``). Prune judged it by the decision's proof alone, so pruning the rule that
sent Smith to review dropped the reviewer's "Smith is no person" from the training data, and
the command said only "removed 1 example label(s) proved with R". The person's answer, not the
rule, justifies such a label: it is kept and counted.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.loop import prune_feedback
from kgagent.review.export import export_reviews
from kgagent_cli.main import app
from support.review_fakes import SMITH, answer

RULE = "rules/entities.rules:28"  # the rule that sent Smith to review


def _labels(path: Path) -> list[tuple[str, str, str, list[str]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        for kind in ("entities", "negative_entities", "relations", "negative_relations"):
            out += [(kind, str(x["proof"]), str(x["type"]), x.get("answers", [])) for x in obj.get(kind) or []]
    return sorted(out)


def test_prune_keeps_the_labels_reviewers_judged(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    feedback = Path(export_reviews(out).path)
    before = _labels(feedback)
    assert ("negative_entities", SMITH, before[0][2], ["a:1"]) in before
    result = prune_feedback(feedback, RULE, out=out / "pruned.jsonl")
    assert result.removed == 0 and result.reviewed == 1 and result.rule_seen
    assert _labels(out / "pruned.jsonl") == before


def test_prune_cli_says_it_kept_them(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    feedback = Path(export_reviews(out).path)
    res = CliRunner().invoke(app, ["feedback", "prune", str(feedback), "--rule", RULE])
    assert res.exit_code == 0, res.output
    assert "removed 0 example label(s)" in res.output
    assert f"kept 1 label(s) reviewers judged on decisions {RULE} made" in " ".join(res.output.split())
    assert any(SMITH == proof for _, proof, _, _ in _labels(feedback))


def test_an_unreviewed_label_of_the_rule_still_goes(out: Path, tmp_path: Path) -> None:
    answer(out, [(SMITH, "ana", "reject")])
    feedback = Path(export_reviews(out).path)
    lines = [json.loads(x) for x in feedback.read_text(encoding="utf-8").splitlines()]
    for item in lines[0]["negative_entities"]:
        item.pop("answers")  # as the agent's own feedback writes it: no reviewer behind it
    edited = tmp_path / "agent_feedback.jsonl"
    edited.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = prune_feedback(edited, RULE, out=tmp_path / "pruned.jsonl", decisions=out / "decisions.jsonl")
    assert result.removed == 1 and result.reviewed == 0
