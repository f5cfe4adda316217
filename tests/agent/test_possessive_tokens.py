"""Regression tests named after the bug: a possessive was part of the mention on real news
("WPP's", "Japan's", "Menatep Group's": 14 of 468 mentions), because the tokeniser kept 's on its
word, unlike CoNLL04 and CoNLL-2003, which split it off."""

from __future__ import annotations

import pytest

from kgagent.text import word_spans


def words(t: str) -> list[str]:
    return [t[s:e] for s, e in word_spans(t)]


@pytest.mark.parametrize("text, expected", [
    ("WPP's chief", ["WPP", "'s", "chief"]),
    ("WPP’s chief", ["WPP", "’s", "chief"]),
    ("Japan's exports", ["Japan", "'s", "exports"]),
    ("Menatep Group's stake", ["Menatep", "Group", "'s", "stake"]),
    ("the banks' loans", ["the", "banks", "'", "loans"]),
    ("the banks’ loans", ["the", "banks", "’", "loans"]),
    ("O'Neil's firm", ["O'Neil", "'s", "firm"]),
    ("Moody’s said", ["Moody", "’s", "said"]),
    ("they're here", ["they", "'re", "here"]),
])
def test_bug_possessive_inside_a_mention(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize("text", ["O'Neil", "D'Amato", "well-known", "rock'n'roll"])
def test_names_with_an_apostrophe_stay_whole(text: str) -> None:
    assert words(text) == [text]
