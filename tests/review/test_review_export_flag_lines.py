"""`kgagent feedback export-reviews`: the report lines about flags (68f0eab), which no test read.

A judged decision with open flags is counted once however many reviewers flagged it, and so is a
flagged decision nobody judged; a flag a later judgement of its reviewer closed, and a flag on a
decision reviewers disagree on (told as a conflict), are in neither count. The labels written
carry the open flags' notes."""

from __future__ import annotations

import json
from pathlib import Path

from support.review_fakes import ACME, BOSTON_TEXAS, KLUGT_PHILIPS, PARSONS, SMITH, WORK_FOR, answer, export_lines


def test_the_flag_lines_count_each_decision_once(out: Path) -> None:
    answer(out, [
        (SMITH, "ana", "reject", None), (SMITH, "ana", "flag", "is Smith a person here?"),
        (SMITH, "bob", "flag", None),  # two flags on one judged decision
        (WORK_FOR, "ana", "accept", None), (WORK_FOR, "bob", "flag", None),
        (PARSONS, "ana", "flag", "check"), (PARSONS, "ana", "accept", None),  # closed by her judgement
        (KLUGT_PHILIPS, "ana", "flag", "ask the editor"), (KLUGT_PHILIPS, "bob", "flag", None),  # nobody judged
        (BOSTON_TEXAS, "ana", "accept", None), (BOSTON_TEXAS, "bob", "reject", None),
        (BOSTON_TEXAS, "ana", "flag", "we disagree"),  # a conflict: told as one
    ])
    lines = export_lines(out)
    assert lines[0].startswith("3 judged decision(s) -> ")
    assert "left out 1 decision(s) reviewers disagree on (see the page's conflict view)" in lines
    assert ('2 judged decision(s) flagged for discussion: exported with their answers, each label carrying the '
            'flag\'s note ("flags")') in lines
    assert (f"left out 1 flagged decision(s) nobody judged (nothing to train on; e.g. {KLUGT_PHILIPS}: "
            "'ask the editor'): answer them to export them") in lines
    flags = {}
    for line in (out / "review_feedback.jsonl").read_text(encoding="utf-8").splitlines():
        for key in ("entities", "relations", "negative_entities", "negative_relations"):
            for label in json.loads(line)[key]:
                flags.setdefault(label["proof"], label.get("flags"))
    assert [f["note"] for f in flags[SMITH]] == ["is Smith a person here?", None]
    assert [f["reviewer"] for f in flags[WORK_FOR]] == ["bob"] and flags[PARSONS] is None


def test_no_flag_line_without_open_flags(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject", None), (ACME, "ana", "flag", None), (ACME, "ana", "reject", None)])
    lines = export_lines(out)
    assert lines[0].startswith("2 judged decision(s) -> ")
    assert not [line for line in lines if "flagged" in line], lines
