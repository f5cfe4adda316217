"""The flag's note box (68f0eab) once the reviewer has clicked somewhere else on the page.

- Esc still cancels it, wherever the click put the focus: on the sentence (the page), the
  reviewer box, another item of the sentence (which shows that item with the box closed): nothing
  is stored, and the keys answer again afterwards.
- Regression: with the box open, a click elsewhere (to read or select a word of the sentence)
  took the focus from the note, and what the reviewer typed on was read as answers: " a person"
  skipped the item (space) and lost the note. Now keys typed while the box is open go on into
  the note, and enter flags with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import open_page, moved_on


def _rows(out: Path) -> list[tuple[str, str, str | None]]:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        return [(a.decision, a.action, a.note) for a in store.answers()]


def _page(browser: Any, served: Any) -> Any:
    client, _ = served
    page = open_page(browser, client.base + "/?reviewer=ana")
    page.wait_for_selector("#siblings li")
    return page


def _open_box(page: Any) -> None:
    page.keyboard.press("f")
    page.wait_for_selector("#flag-note", state="visible")


def _card(page: Any) -> str:
    return page.get_attribute("#card", "data-id")


def test_esc_closes_the_note_box_after_a_click_elsewhere(browser: Any, served: Any, out: Path) -> None:
    page = _page(browser, served)
    first = _card(page)
    for where in ("#sentence", "#reviewer"):
        _open_box(page)
        page.keyboard.type("half a note")
        page.click(where)
        assert page.evaluate("document.activeElement.id") != "flag-note" and page.is_visible("#flag-edit")
        page.keyboard.press("Escape")
        page.wait_for_selector("#flag-edit", state="hidden")
        assert _card(page) == first and _rows(out) == [], where
        assert page.evaluate("document.activeElement.tagName") == "BODY"  # Esc left the reviewer box too
    # another item of the sentence, clicked with the box open: shown with the box closed; Esc keeps it so
    _open_box(page)
    other = page.get_attribute("#siblings li:not(.current)", "data-id")
    page.click(f"#siblings li[data-id='{other}']")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {other!r}", timeout=10_000)
    assert page.is_hidden("#flag-edit")
    page.keyboard.press("Escape")
    assert page.is_hidden("#flag-edit") and _rows(out) == []
    _open_box(page)  # a fresh box on that item: no note carried over
    assert page.input_value("#flag-note") == ""
    page.keyboard.press("Escape")
    page.keyboard.press("x")  # and the keys answer again
    moved_on(page, other)
    assert _rows(out) == [(other, "reject", None)]


def test_what_is_typed_after_a_click_elsewhere_goes_into_the_note(browser: Any, served: Any, out: Path) -> None:
    page = _page(browser, served)
    first = _card(page)
    _open_box(page)
    page.keyboard.type("is this")
    page.click("#sentence")
    page.keyboard.type(" a person")  # space, a, s: no skip, no accept, no span edit
    assert page.input_value("#flag-note") == "is this a person"
    assert _card(page) == first and page.is_hidden("#span-edit") and _rows(out) == []
    page.click("#sentence")
    page.keyboard.press("Enter")  # enter flags, with the whole note
    moved_on(page, first)
    assert _rows(out) == [(first, "flag", "is this a person")]
