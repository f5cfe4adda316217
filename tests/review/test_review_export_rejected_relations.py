"""Regression: a reviewer's reject of a relation vanished from `feedback export-reviews`.

A negative relation names two positive entities of its sentence. The export took an argument
as positive only where the agent's verdict on it was ``accept``: one the agent *repaired* (the
rules changed its type and accepted it) did not count, so rejecting ``live_in(Philips, New
York)`` wrote no negative relation, and the report said "2 judged decision(s) -> 2 sentence(s)
(2 entities)" as if all were well. A repaired argument now counts (with its repaired label),
and a judged relation whose argument is no entity of the sentence (the agent sent it to review,
or a reviewer rejected it) is left out and counted, and the command says so.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.review.export import export_reviews
from kgagent_cli.main import app
from support.review_fakes import answer

PARSONS_BOSTON = "d:fb9490a71a4dac6e"  # work_for(Richard Parsons, Boston), reject
KLUGT_NEW_YORK = "d:5c575dcc9fd0025d"  # work_for(Cor van der Klugt, New York), reject


def _set_verdicts(out: Path, by_text: dict[str, str]) -> None:
    path = out / "decisions.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    for d in rows:
        if d["kind"] == "entity" and d.get("text") in by_text:
            d["verdict"] = by_text[d["text"]]
    path.write_text("".join(json.dumps(d) + "\n" for d in rows), encoding="utf-8")


def _negative_relations(path: Path) -> list[str]:
    return [r["proof"] for line in path.read_text(encoding="utf-8").splitlines()
            for r in json.loads(line)["negative_relations"]]


def test_a_reject_on_a_repaired_argument_is_written(out: Path) -> None:
    _set_verdicts(out, {"Boston": "repair"})
    answer(out, [(PARSONS_BOSTON, "ana", "reject")])
    report = export_reviews(out)
    assert _negative_relations(Path(report.path)) == [PARSONS_BOSTON]
    assert report.unplaced_relations == 0


def test_a_reject_on_an_argument_in_review_is_counted(out: Path) -> None:
    _set_verdicts(out, {"Cor van der Klugt": "review"})
    answer(out, [(KLUGT_NEW_YORK, "ana", "reject")])
    report = export_reviews(out)
    assert report.unplaced_relations == 1 and report.judgements == 1
    res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out)])
    assert res.exit_code == 0, res.output
    assert "left out 1 judged relation(s) whose argument is no entity of its sentence" in " ".join(res.output.split())


def test_an_accepted_relation_whose_argument_a_reviewer_rejected_is_counted(out: Path) -> None:
    from support.review_fakes import PARSONS, WORK_FOR

    answer(out, [(PARSONS, "ana", "reject"), (WORK_FOR, "ana", "accept")])  # Richard Parsons is no person, yet
    report = export_reviews(out)
    assert report.unplaced_relations == 1 and report.judgements == 2
    relations = [r for line in Path(report.path).read_text(encoding="utf-8").splitlines()
                 for r in json.loads(line)["relations"]]
    assert relations == []
