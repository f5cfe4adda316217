"""Regression: a span answer that left the mention's tokens as they were (the reviewer pressed
`s` then enter without moving an edge, or moved it over the sentence's stop) was exported as a
negative *and* a positive of the same label on the same tokens: training was told Smith is a
person and is not. Such an answer now gives the positive alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.review.export import export_reviews
from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import SMITH


def _span_answer(out: Path, span: tuple[int, int]) -> None:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        store.add(SMITH, "ana", "span", verdict=rs.get(SMITH)["verdict"], span=span)


@pytest.mark.parametrize("shift", [(0, 0), (0, 1)])  # as it was; over the white space after 'Smith'
def test_an_unchanged_span_is_a_confirmation(out: Path, shift: tuple[int, int]) -> None:
    d = ReviewSet.load(out).get(SMITH)
    _span_answer(out, (d["span"][0] + shift[0], d["span"][1] + shift[1]))
    [record] = [json.loads(x) for x in Path(export_reviews(out).path).read_text(encoding="utf-8").splitlines()]
    assert [(e["start"], e["end"], e["answers"]) for e in record["entities"]] == [(0, 1, ["a:1"])]
    assert record["negative_entities"] == []


def test_a_moved_span_keeps_its_negative(out: Path) -> None:
    rs = ReviewSet.load(out)
    d = rs.get(SMITH)
    text = d["sentence_text"]
    base = rs.sentence_base(d)
    end = base + text.index(" ", d["span"][1] - base + 1)  # one word further
    _span_answer(out, (d["span"][0], end))
    [record] = [json.loads(x) for x in Path(export_reviews(out).path).read_text(encoding="utf-8").splitlines()]
    assert [(e["start"], e["end"]) for e in record["entities"]] == [(0, 2)]
    assert [(e["start"], e["end"]) for e in record["negative_entities"]] == [(0, 1)]


def test_a_relation_relabelled_to_its_own_predicate_is_a_confirmation(out: Path) -> None:
    from support.review_fakes import WORK_FOR

    rs = ReviewSet.load(out)
    d = rs.get(WORK_FOR)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        store.add(WORK_FOR, "ana", "relabel", verdict=d["verdict"], label=d["predicate"])
    [record] = [json.loads(x) for x in Path(export_reviews(out).path).read_text(encoding="utf-8").splitlines()]
    assert [r["proof"] for r in record["relations"]] == [WORK_FOR]
    assert record["negative_relations"] == []
