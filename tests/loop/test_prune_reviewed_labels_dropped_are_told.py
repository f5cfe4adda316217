"""Regression: `kgagent feedback prune --rule R` said it *kept* reviewers' labels it had dropped.

A relation a reviewer judged (``"answers"``) whose decision used R was counted as "kept ... their
answers, not the rule, justify them" before its argument entities were looked at; when an
argument went with R the relation went too (a relation names two entities of its sentence), so
the command said "kept 1 label(s) reviewers judged" over an output that no longer held it. Now
such a label is counted as dropped (``reviewed_dropped``, within ``dependent``) and the command
says so; a reviewer's label that stays is still told as kept.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.loop import prune_feedback
from kgagent_cli.main import app

RULE = "r.rules:1"


def _feedback(path: Path, *, tail_rules: list[str]) -> Path:
    rec = {"tokens": ["Ann", "works", "for", "Acme", "."],
           "entities": [{"type": "Peop", "start": 0, "end": 1, "rules": ["r.rules:2"], "answers": ["a:3"]},
                        {"type": "Org", "start": 3, "end": 4, "rules": tail_rules}],
           "relations": [], "negative_entities": [],
           "negative_relations": [{"type": "Live_In", "head": 0, "tail": 1, "rules": [RULE], "answers": ["a:1"]}]}
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return path


def test_a_judged_relation_whose_argument_went_is_told_dropped(tmp_path: Path) -> None:
    fb = _feedback(tmp_path / "feedback.jsonl", tail_rules=[RULE])  # Acme's entity goes with the rule
    res = CliRunner().invoke(app, ["feedback", "prune", str(fb), "--rule", RULE, "--out", str(tmp_path / "p.jsonl")])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "kept 1 label(s) reviewers judged" not in text
    assert (f"removed 1 example label(s) proved with {RULE}, and 1 relation(s) whose argument went with them; "
            "1 kept") in text
    assert (f"dropped 1 relation label(s) reviewers judged, all the same: an argument entity went with {RULE}"
            in text)
    (line,) = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert line["negative_relations"] == [] and [e["type"] for e in line["entities"]] == ["Peop"]
    result = prune_feedback(fb, RULE, out=tmp_path / "q.jsonl")
    assert (result.reviewed, result.reviewed_dropped, result.dependent, result.rule_seen) == (0, 1, 1, True)


def test_a_judged_relation_whose_arguments_stay_is_told_kept(tmp_path: Path) -> None:
    fb = _feedback(tmp_path / "feedback.jsonl", tail_rules=["r.rules:2"])
    res = CliRunner().invoke(app, ["feedback", "prune", str(fb), "--rule", RULE, "--out", str(tmp_path / "p.jsonl")])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert f"kept 1 label(s) reviewers judged on decisions {RULE} made" in text and "dropped 1 relation" not in text
    (line,) = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["answers"] for r in line["negative_relations"]] == [["a:1"]]
