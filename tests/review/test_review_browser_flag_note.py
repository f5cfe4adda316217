"""Regression: a reviewer who flagged an item on the review page could not say why.

`f` (or the flag button) stored a flag at once, with no place for a note, though the database
holds one ("note: free text (flag: why)"). Now `f` opens a note box: the reviewer types why and
presses enter (esc cancels, nothing stored); the note is stored with the flag, shown in the
item's answers and in "your last answers", and an answer given before the flag stands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import moved_on, open_page


def _rows(out: Path) -> list[tuple[str, str, str | None]]:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        return [(a.decision, a.action, a.note) for a in store.answers()]


def test_a_flag_takes_a_note(browser: Any, served: Any, out: Path) -> None:
    client, _ = served
    page = open_page(browser, client.base + "/?reviewer=ana")
    first = page.get_attribute("#card", "data-id")
    page.keyboard.press("f")
    page.wait_for_selector("#flag-note", state="visible")
    assert page.evaluate("document.activeElement.id") == "flag-note"
    assert page.input_value("#flag-note") == ""  # the f itself is not typed into the note
    page.keyboard.press("Escape")  # cancelled: nothing stored, still on the same item
    assert page.is_hidden("#flag-edit") and _rows(out) == []
    assert page.get_attribute("#card", "data-id") == first
    page.keyboard.press("a")  # an answer first, then a flag with a note on it
    moved_on(page, first)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {first!r}", timeout=10_000)
    page.click("#answer-bar button[data-act=flag]")
    page.wait_for_selector("#flag-note", state="visible")
    page.keyboard.type("is this a person? ask the editor")
    page.keyboard.press("Enter")
    moved_on(page, first)
    assert _rows(out) == [(first, "accept", None), (first, "flag", "is this a person? ask the editor")]
    page.wait_for_function("document.querySelector('#history').textContent.includes('ask the editor')",
                           timeout=10_000)
    assert 'flagged: "is this a person? ask the editor" (accepted stands)' in page.inner_text("#history")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {first!r}", timeout=10_000)
    assert 'ana: flagged: "is this a person? ask the editor" (accepted stands)' in page.inner_text("#answers")
