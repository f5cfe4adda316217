"""`kgagent feedback export-reviews OUT`: answers -> feedback examples at the top weight, traced."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.encoder.data import read_examples
from kgagent.review.export import REVIEW_WEIGHT, export_reviews
from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from kgagent_cli.main import app
from support.review_fakes import ACME, KLUGT_PHILIPS, PARSONS, SMITH, WORK_FOR


def _answer(out: Path, *rows: tuple) -> list[str]:
    rs = ReviewSet.load(out)
    refs = []
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        for decision, reviewer, action, *rest in rows:
            kw = rest[0] if rest else {}
            refs.append(store.add(decision, reviewer, action, verdict=rs.get(decision)["verdict"], **kw).ref)
    return refs


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_answers_become_weighted_traced_examples(out: Path) -> None:
    refs = _answer(out, (SMITH, "ana", "accept"), (ACME, "ana", "relabel", {"label": "person"}),
                   (KLUGT_PHILIPS, "ana", "accept"), (WORK_FOR, "ana", "reject"))
    report = export_reviews(out)
    assert Path(report.path) == out / "review_feedback.jsonl" and report.conflicts == 0
    recs = {(r["meta"]["doc"], r["meta"]["sentence"]): r for r in _records(Path(report.path))}
    assert set(recs) == {("d1", 0), ("d2", 0), ("d2", 1)}
    smith = recs[("d2", 1)]
    assert smith["meta"]["source"] == "review"
    ents = {(" ".join(smith["tokens"][e["start"]:e["end"]]), e["type"], e["weight"], tuple(e["answers"]))
            for e in smith["entities"]}
    # Smith accepted; Acme relabelled organization -> person: positive person, negative organization
    assert ents == {("Smith", "Peop", REVIEW_WEIGHT, (refs[0],)), ("Acme", "Peop", REVIEW_WEIGHT, (refs[1],))}
    (neg,) = smith["negative_entities"]
    assert (neg["type"], neg["proof"], neg["answers"]) == ("Org", ACME, [refs[1]])
    # work_for(Cor van der Klugt, Philips) accepted: a positive relation; its arguments come with it
    klugt = recs[("d2", 0)]
    (rel,) = klugt["relations"]
    assert rel["type"] == "Work_For" and rel["weight"] == REVIEW_WEIGHT and rel["answers"] == [refs[2]]
    names = [" ".join(klugt["tokens"][e["start"]:e["end"]]) for e in klugt["entities"]]
    assert (names[rel["head"]], names[rel["tail"]]) == ("Cor van der Klugt", "Philips")
    # work_for(Parsons, Time Warner) rejected by the reviewer: a negative, arguments the agent accepted
    parsons = recs[("d1", 0)]
    (negrel,) = parsons["negative_relations"]
    assert negrel["proof"] == WORK_FOR and negrel["weight"] == REVIEW_WEIGHT
    agent_args = {e["proof"]: e["weight"] for e in parsons["entities"]}
    assert agent_args[PARSONS] == 0.95 and "answers" not in parsons["entities"][0]
    # `kgagent train --feedback` reads the file (weights, negatives and all)
    examples = read_examples(Path(report.path))
    assert len(examples) == 3 and all(ex.meta["source"] == "review" for ex in examples)
    assert sum(len(ex.negative_entities) for ex in examples) == 1
    # ... as judging single decisions: the rest of each sentence is not "no entity"
    assert all(ex.meta["annotates"] == {"entities": [], "relations": "judged"} for ex in examples)


def test_conflicts_skips_and_undone_answers_are_left_out(out: Path) -> None:
    _answer(out, (SMITH, "ana", "accept"), (SMITH, "ben", "reject"), (ACME, "ana", "skip"),
            (KLUGT_PHILIPS, "ana", "flag"), (WORK_FOR, "ana", "reject"), (WORK_FOR, "ana", "undo"))
    report = export_reviews(out)
    assert report.conflicts == 1 and report.sentences == 0 and report.judgements == 0
    assert Path(report.path).read_text() == ""


def test_span_fix_writes_old_span_negative_new_span_positive(out: Path) -> None:
    rs = ReviewSet.load(out)
    d = rs.get(PARSONS)  # "Richard Parsons" at [0, 15]; the reviewer says it is "Parsons" only
    _answer(out, (PARSONS, "ana", "span", {"span": (d["span"][0] + 8, d["span"][1])}))
    (rec,) = _records(Path(export_reviews(out).path))
    assert [" ".join(rec["tokens"][e["start"]:e["end"]]) for e in rec["entities"]] == ["Parsons"]
    assert [" ".join(rec["tokens"][e["start"]:e["end"]]) for e in rec["negative_entities"]] == ["Richard Parsons"]


def test_export_cli(out: Path) -> None:
    _answer(out, (SMITH, "ana", "accept"))
    to = out.parent / "fb.jsonl"
    result = CliRunner().invoke(app, ["feedback", "export-reviews", str(out), "--to", str(to)])
    assert result.exit_code == 0, result.output
    assert "1 judged decision(s) -> 1 sentence(s)" in result.output and str(to) in result.output
    assert len(_records(to)) == 1


def test_agent_accepts_complete_an_answered_sentence(out: Path) -> None:
    """With ``agent_accepts`` an answered sentence also holds what the agent accepted and nobody
    judged (at the agent's weight), so the trainer does not read it as "no entity"."""
    from kgagent.review.export import review_records
    from kgagent.review.judgements import Judgement

    rs = ReviewSet.load(out)
    agreed = {SMITH: Judgement(SMITH, "reject", None, None, ("sim:1",), "review"),
              WORK_FOR: Judgement(WORK_FOR, "reject", None, None, ("sim:2",), "accept")}
    plain = {(r["meta"]["doc"], r["meta"]["sentence"]): r for r in review_records(rs, agreed)}
    full = {(r["meta"]["doc"], r["meta"]["sentence"]): r for r in review_records(rs, agreed, agent_accepts=True)}
    assert set(plain) == set(full) == {("d1", 0), ("d2", 1)}  # only answered sentences
    smith = full[("d2", 1)]
    # Smith rejected by the answer; Massachusetts accepted by the agent (Acme: the agent rejected it)
    assert [(" ".join(smith["tokens"][e["start"]:e["end"]]), e["weight"]) for e in smith["entities"]] == \
        [("Massachusetts", 0.96)]
    assert not plain[("d2", 1)]["entities"]
    parsons = full[("d1", 0)]
    names = [" ".join(parsons["tokens"][e["start"]:e["end"]]) for e in parsons["entities"]]
    assert names == ["Richard Parsons", "Time Warner", "Boston"]
    # the reviewer's reject stands over the agent's accept; no agent relation is left unjudged here
    assert [r["proof"] for r in parsons["negative_relations"]] == [WORK_FOR] and parsons["relations"] == []
