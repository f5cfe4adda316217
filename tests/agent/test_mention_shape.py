"""kgagent.mention_shape: the shapes behind ``shape(M, Shape)`` (issue 12, item 4)."""

from __future__ import annotations

import pytest

from kgagent.mention_shape import SHAPES, mention_shape


@pytest.mark.parametrize("text,shape", [
    ("1987", "date"), ("the 1980s".split(" ", 1)[1], "date"), ("June 5, 1987", "date"), ("5 June 1987", "date"),
    ("Oct. 3", "date"), ("May 1990", "date"), ("Monday", "date"), ("1987-06-05", "date"),
    ("$5 million", "money"), ("$5m", "money"), ("300 dollars", "money"), ("DM 5", "money"),
    ("5 million U.S. dollars", "money"), ("£3", "money"),
    ("12.5 percent", "percent"), ("40%", "percent"),
    ("3:30 p.m.", "time"), ("10:30", "time"),
    ("1,200", "number"), ("two million", "number"), ("a million", "number"), ("21st", "number"),
    ("about 300", "number"),
])
def test_shapes(text, shape):
    assert mention_shape(text) == shape


@pytest.mark.parametrize("text", ["3M", "7-Eleven", "20th Century Fox", "Route 66", "USDA", "May", "June",
                                  "Venezuela", "U.S.", "a", "an", "", "  "])
def test_names_that_contain_numbers_or_look_like_words_have_no_shape(text):
    assert mention_shape(text) is None


@pytest.mark.parametrize("text,shape", [
    ("R-Utah", "party_tag"), ("D-Fla.", "party_tag"), ("D-Fla", "party_tag"), ("R-N.H.", "party_tag"),
    ("R-S.C.", "party_tag"), ("I-Vt.", "party_tag"), ("D-Calif.", "party_tag"),
    ("D-Day", None), ("R-Kansas City", None), ("X-Utah", None), ("R-Rated", None),
])
def test_a_legislators_party_and_state(text, shape):
    """AP's "Sen. Jake Garn, R-Utah": no place's name (rules/words.rules rejects it as one)."""
    assert mention_shape(text) == shape


@pytest.mark.slow  # reads ../shared/data
def test_no_gold_person_organisation_or_place_of_conll04_has_a_shape():
    """Regression guard: on CoNLL04 train the shapes fall on `Other` mentions only."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "shared" / "data" / "conll04" / "conll04_train.json"
    if not path.is_file():
        pytest.skip("../shared/data/conll04 not here")
    hits = [(e["type"], " ".join(s["tokens"][e["start"]:e["end"]])) for s in json.loads(path.read_text())
            for e in s["entities"] if mention_shape(" ".join(s["tokens"][e["start"]:e["end"]]))]
    assert hits and {t for t, _ in hits} == {"Other"}
    assert set(SHAPES) >= {mention_shape(x) for _, x in hits}


def test_doctests():
    import doctest

    import kgagent.mention_shape

    result = doctest.testmod(kgagent.mention_shape)
    assert result.attempted > 0 and result.failed == 0
