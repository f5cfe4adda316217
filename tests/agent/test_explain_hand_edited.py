"""`kgagent explain` over a decisions.jsonl a person edited: what is wrong, at its file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import decisions, run


@pytest.fixture
def out(extracted: Path) -> Path:
    return extracted


def _edit(out: Path, lineno: int, **changes) -> dict:
    """Line ``lineno`` (1-based) of decisions.jsonl with ``changes`` (a value None: the key removed)."""
    lines = decisions(out)
    d = lines[lineno - 1]
    for key, value in changes.items():
        if value is None:
            d.pop(key, None)
        else:
            d[key] = value
    (out / "decisions.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return d


@pytest.mark.parametrize("changes, words", [
    ({"verdict": "maybe"}, "'verdict' is 'maybe', not one of reject, review, repair, accept"),
    ({"verdict": None}, "has no 'verdict'"),
    ({"kind": "event"}, "'kind' is 'event', not entity or relation"),
    ({"proof": "accept(m:1)"}, "'proof' is a string, not an object (or null)"),
    ({"labels": "Boston"}, "'labels' is a string, not an object"),
    ({"others": 3}, "'others' is a number, not a list"),
])
def test_a_hand_edited_decision_is_kga451_at_its_line(out, changes, words) -> None:
    """A decision without a verdict was explained as "sent to review", one with the verdict
    "maybe" as "maybe; ..."; a field of the wrong kind was KGA451 without file or line, in
    Python's words ("'str' object has no attribute 'items'")."""
    d = _edit(out, 2, **changes)
    r = run("explain", d["id"], "--out", out)
    assert r.exit_code == 1, r.output
    assert f"{out / 'decisions.jsonl'}:2: KGA451 decision {d['id']!r}" in r.output
    assert words in r.output
    assert "object has no attribute" not in r.output and "sent to review" not in r.output


def test_verdict_listing_names_the_line_of_a_hand_edited_decision(out) -> None:
    d = _edit(out, 3, proof=[1, 2])
    r = run("explain", "--verdict", d["verdict"], "--limit", "50", "--out", out)
    assert r.exit_code == 1, r.output
    assert (f"{out / 'decisions.jsonl'}:3: KGA451 decision {d['id']!r} is not one kgagent writes (its 'proof' is "
            "a list, not an object (or null)); was the file edited?") in r.output


def test_an_unknown_id_still_says_so(out) -> None:
    r = run("explain", "d:zzz", "--out", out)
    assert r.exit_code == 1 and "KGA415 no decision 'd:zzz'" in r.output, r.output
