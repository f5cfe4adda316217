"""Regression: a skip or a flag after a judgement erased the judgement.

A reviewer's answer on a decision was their latest one, and only accept / reject / relabel /
span counted: ana rejected Smith, then pressed space on it (the page says "skip (come back
later)") or flagged it for discussion, and her reject was gone from the export, from the rule
statistics and from the conflicts view, though nobody had taken it back. Now a skip or a flag
leaves the judgement standing (only another judgement or an undo replaces it): it is exported,
a flag's note goes with its labels ("flags"), the page counts a skipped-after-answered item by
its answer and shows a flag over an answer as "flagged: ... (rejected stands)", and a flagged
decision nobody judged is counted by the export, not lost without a word.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.review.export import export_reviews
from kgagent_cli.main import app
from support.review_fakes import ACME, SMITH, answer


def _negatives(path: str) -> list[dict]:
    return [n for line in Path(path).read_text(encoding="utf-8").splitlines()
            for n in json.loads(line)["negative_entities"]]


def test_a_skip_after_a_reject_keeps_the_reject(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject"), (SMITH, "ana", "skip")])
    report = export_reviews(out)
    assert report.judgements == 1
    (neg,) = _negatives(report.path)
    assert neg["proof"] == SMITH and neg["answers"] == ["a:1"] and "flags" not in neg


def test_a_flag_after_a_reject_keeps_it_and_carries_the_note(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject", None), (SMITH, "ana", "flag", "is Smith a person here?"),
               (SMITH, "bob", "flag", None)])
    report = export_reviews(out)
    assert report.judgements == 1 and report.flagged == 1
    (neg,) = _negatives(report.path)
    assert neg["answers"] == ["a:1"]
    assert neg["flags"] == [{"answer": "a:2", "reviewer": "ana", "note": "is Smith a person here?"},
                            {"answer": "a:3", "reviewer": "bob", "note": None}]


def test_another_judgement_or_an_undo_still_replaces_it(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject"), (SMITH, "ana", "flag"), (SMITH, "ana", "accept")])
    report = export_reviews(out)
    assert report.items["negative_entities"] == 0 and report.flagged == 0  # the accept closed the flag
    answer(out, [(SMITH, "ana", "undo"), (SMITH, "ana", "undo")])  # the accept, then the flag
    assert export_reviews(out).items["negative_entities"] == 1
    answer(out, [(SMITH, "ana", "undo")])  # the reject itself
    assert export_reviews(out).judgements == 0


def test_a_flag_nobody_judged_is_counted_and_told(out: Path) -> None:
    answer(out, [(SMITH, "ana", "reject", None), (ACME, "ana", "flag", "ask Bob")])
    res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert f"left out 1 flagged decision(s) nobody judged (nothing to train on; e.g. {ACME}: 'ask Bob')" in text
    assert "flagged for discussion: exported" not in text


def test_the_page_counts_and_shows_the_answer_that_stands(served, out: Path) -> None:
    client, _ = served
    for action, extra in (("reject", {}), ("skip", {})):
        client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": action, **extra})
    item = client.get(f"/api/item?id={SMITH}&reviewer=ana")
    assert item["mine"]["action"] == "reject" and [a["action"] for a in item["answers"]] == ["reject"]
    progress = client.get("/api/queue?reviewer=ana&statuses=0")["progress"]["by_status"]
    assert progress["rejected"] == 1 and progress["skipped"] == 0
    client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "flag", "note": "why?"})
    (shown,) = client.get(f"/api/item?id={SMITH}&reviewer=ana")["answers"]
    assert shown["action"] == "flag" and shown["note"] == "why?" and shown["stands"]["action"] == "reject"
    (hist,) = [h for h in client.get("/api/history?reviewer=ana") if h["decision"] == SMITH]
    assert hist["note"] == "why?" and hist["stands"]["action"] == "reject" and hist["status"] == "flagged"
    # bob accepts: ana's reject still stands under her flag, so the two disagree
    client.post("/api/answer", {"reviewer": "bob", "decision": SMITH, "action": "accept"})
    (conflict,) = client.get("/api/conflicts")
    assert conflict["decision"] == SMITH and [a["action"] for a in conflict["answers"]] == ["reject", "accept"]
