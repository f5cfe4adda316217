"""Regression: `feedback export-reviews` counted as "flagged for discussion: exported with their
answers" a judged decision whose own label it then left out.

A flagged judgement was counted when it was read, before the export knew whether its label could
be written: an accepted relation whose argument a reviewer rejected (left out, told as "whose
argument is no entity of its sentence"), or an entity whose span cannot be placed in its sentence
(told as "whose span could not be placed"), was told twice, once as left out and once as exported
with its flag's note. Now only a flagged judgement whose own label is written is counted.
"""

from __future__ import annotations

import json
from pathlib import Path

from kgagent.review.export import export_reviews
from support.review_fakes import PARSONS, SMITH, WORK_FOR, answer, export_lines

FLAG_LINE = "judged decision(s) flagged for discussion"


def _labels(path: Path) -> dict[str, list[str]]:
    """label list name -> the proofs (decision ids) of the labels written there."""
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        for key in ("entities", "relations", "negative_entities", "negative_relations"):
            found.setdefault(key, []).extend(x["proof"] for x in json.loads(line)[key])
    return found


def test_a_flagged_relation_left_out_is_not_counted_as_exported(out: Path) -> None:
    # ana rejects Richard Parsons, then accepts work_for(Richard Parsons, Time Warner) and flags it:
    # the relation names an entity she rejected, so it is left out; Smith's flagged reject is written
    answer(out, [(PARSONS, "ana", "reject", None), (WORK_FOR, "ana", "accept", None),
               (WORK_FOR, "ana", "flag", "is this a job?"),
               (SMITH, "bob", "reject", None), (SMITH, "bob", "flag", "a person here?")])
    report = export_reviews(out)
    labels = _labels(Path(report.path))
    assert WORK_FOR not in labels["relations"] + labels["negative_relations"]
    assert SMITH in labels["negative_entities"]
    assert report.unplaced_relations == 1 and report.flagged == 1
    lines = export_lines(out)
    assert f"1 {FLAG_LINE}: exported with their answers, each label carrying the flag's note (\"flags\")" in lines
    assert any(line.startswith("left out 1 judged relation(s) whose argument is no entity") for line in lines)


def test_a_flagged_entity_whose_span_cannot_be_placed_is_not_counted(out: Path) -> None:
    path = out / "decisions.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    for d in rows:
        if d["id"] == SMITH:
            d["span"] = [45, 5000]  # past its sentence's end: nowhere to put the label
    path.write_text("".join(json.dumps(d) + "\n" for d in rows), encoding="utf-8")
    answer(out, [(SMITH, "ana", "reject", None), (SMITH, "ana", "flag", "a person here?")])
    report = export_reviews(out)
    assert report.judgements == 1 and report.unplaced == 1
    assert report.flagged == 0 and not Path(report.path).read_text(encoding="utf-8").strip()
    lines = export_lines(out)
    assert "left out 1 answer(s) whose span could not be placed in its sentence" in lines
    assert not [line for line in lines if FLAG_LINE in line], lines
