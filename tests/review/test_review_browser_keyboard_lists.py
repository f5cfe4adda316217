"""Regression: the conflict view's rows and the "your last answers" list opened an item on a
mouse click only. A keyboard-only reviewer could see where reviewers disagree but not open one,
nor go back to an earlier answer from the list. They are now reached with Tab and opened with
enter (the conflict view puts the focus on its first row)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.review_fakes import SMITH, answer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: the browser test needs Debian's package (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs the playwright package")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _card(page: Any) -> str:
    return page.get_attribute("#card", "data-id") or ""


def test_conflicts_and_history_open_with_the_keyboard(browser: Any, out: Path, request: Any) -> None:
    answer(out, [(SMITH, "ana", "accept"), (SMITH, "bob", "reject")])
    client, _ = request.getfixturevalue("served")
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(client.base + "/?reviewer=ana")
    page.wait_for_selector("#meta .what")
    assert _card(page) != SMITH
    page.keyboard.press("c")
    page.wait_for_selector("#conflicts:not([hidden])")
    assert "Smith" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {SMITH!r}", timeout=10_000)
    assert page.is_hidden("#conflicts")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"document.querySelector('#card').dataset.id !== {SMITH!r}", timeout=10_000)
    item = page.locator(f"#history li[data-id='{SMITH}']")
    item.focus()  # as Tab reaches it
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {SMITH!r}", timeout=10_000)
