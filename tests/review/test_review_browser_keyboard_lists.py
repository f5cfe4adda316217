"""Regression: the conflict view's rows and the "your last answers" list opened an item on a
mouse click only. A keyboard-only reviewer could see where reviewers disagree but not open one,
nor go back to an earlier answer from the list. They are now reached with Tab and opened with
enter (the conflict view puts the focus on its first row)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


from support.review_fakes import SMITH, answer, moved_on, open_page

def _card(page: Any) -> str:
    return page.get_attribute("#card", "data-id") or ""


def test_conflicts_and_history_open_with_the_keyboard(browser: Any, out: Path, request: Any) -> None:
    answer(out, [(SMITH, "ana", "accept"), (SMITH, "bob", "reject")])
    client, _ = request.getfixturevalue("served")
    page = open_page(browser, client.base + "/?reviewer=ana")
    assert _card(page) != SMITH
    page.keyboard.press("c")
    page.wait_for_selector("#conflicts:not([hidden])")
    assert "Smith" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {SMITH!r}", timeout=10_000)
    assert page.is_hidden("#conflicts")
    page.keyboard.press("ArrowRight")
    moved_on(page, SMITH)
    item = page.locator(f"#history li[data-id='{SMITH}']")
    item.focus()  # as Tab reaches it
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {SMITH!r}", timeout=10_000)
