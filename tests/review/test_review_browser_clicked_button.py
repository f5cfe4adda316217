"""Regression: after a click on the page's "accept" button the focus stayed on it, so a later
enter (pressed out of habit, or to close nothing) accepted the next candidate too, one the
reviewer had not read. A clicked answer button now gives the focus back to the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any


from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import open_page, moved_on

def test_enter_after_a_click_answers_nothing(browser: Any, served: Any, out: Path) -> None:
    client, _ = served
    page = open_page(browser, client.base + "/?reviewer=ana")
    first = page.get_attribute("#card", "data-id")
    page.click("#answer-bar button[data-act=accept]")
    moved_on(page, first)
    second = page.get_attribute("#card", "data-id")
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    page.keyboard.press("Enter")
    page.keyboard.press("x")  # the keys still work: reject the second
    moved_on(page, second)
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        assert [(a.decision, a.action) for a in store.answers()] == [(first, "accept"), (second, "reject")]
