"""Regression: a key pressed while the page was still saving the previous answer was dropped
without a word (``send`` returned when busy), so a fast reviewer who pressed ``a`` then ``x``
believed the second candidate rejected while nothing was stored for it. The page now says the
key was not taken; the card it shows stays unanswered.
"""

from __future__ import annotations

import time
from pathlib import Path


from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import moved_on

def test_a_key_pressed_while_saving_is_told_not_dropped(browser, served, out: Path) -> None:
    client, _ = served
    page = browser.new_context(bypass_csp=True).new_page()

    def slow(route) -> None:  # the server answers late, as a busy disk or a far machine does
        time.sleep(0.8)
        route.continue_()

    page.route("**/api/answer", slow)
    page.goto(client.base + "/?reviewer=ana")
    page.wait_for_selector("#meta .what")
    first = page.get_attribute("#card", "data-id")
    page.keyboard.press("a")
    page.keyboard.press("x")  # while the accept is still on its way
    page.wait_for_function("document.querySelector('#message').textContent.includes('not taken')", timeout=5_000)
    assert "press it again" in page.inner_text("#message")
    moved_on(page, first)
    page.wait_for_function("!document.querySelector('#message').textContent.startsWith('still')", timeout=5_000)
    second = page.get_attribute("#card", "data-id")
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        assert [(a.decision, a.action) for a in store.answers()] == [(first, "accept")]
    assert second != first
    # the next candidate shows, still unanswered, and the page still says the key was not taken
    assert "not taken, press it again" in page.inner_text("#message")
    assert "no answer yet" in page.inner_text("#answers")
    page.keyboard.press("x")  # pressed again: taken, and the warning goes
    moved_on(page, second)
    assert page.inner_text("#message") == ""
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        assert [(a.decision, a.action) for a in store.answers()] == [(first, "accept"), (second, "reject")]
