"""Regression: a domain with more than nine types showed only the first nine as choices.

The page drew ``choices.slice(0, 9)`` (one per number key), so with eleven entity types a
reviewer could not change a mention to the tenth or eleventh at all. Every choice is now a
button; the first nine keep their keys, the rest are reached with Tab and enter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import SMITH, Client, moved_on, open_page, serving

EXTRA = [f"zz_type_{i:02d}" for i in range(8)]  # sorted after the fixture's own types


@pytest.fixture
def many(out: Path) -> Iterator[Client]:
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    run.setdefault("labels", {}).setdefault("entity", {}).update({name: name for name in EXTRA})
    (out / "run.json").write_text(json.dumps(run), encoding="utf-8")
    with serving(out) as (client, _):
        yield client


def test_every_type_can_be_chosen(browser: Any, many: Client, out: Path) -> None:
    choices = ReviewSet.load(out).labels()["entity"]
    assert len(choices) > 9 and choices[-1] == EXTRA[-1]
    page = open_page(browser, many.base + "/?reviewer=ana")
    page.evaluate(f"show({SMITH!r})")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {SMITH!r}")
    buttons = page.locator("#choices button")
    assert buttons.count() == len(choices)
    assert [t.split()[-1] for t in buttons.all_inner_texts()] == choices
    assert buttons.nth(8).locator("kbd").inner_text() == "9" and buttons.nth(9).locator("kbd").count() == 0
    buttons.nth(len(choices) - 1).focus()  # as Tab reaches it
    page.keyboard.press("Enter")
    moved_on(page, SMITH)
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        assert [(a.decision, a.action, a.label) for a in store.answers()] == [(SMITH, "relabel", EXTRA[-1])]
