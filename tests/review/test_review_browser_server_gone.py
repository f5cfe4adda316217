"""Regression: with the review server stopped (ctrl-c in its terminal, a closed laptop), an
answer said only "Failed to fetch", which did not tell the reviewer that nothing was stored.
The page now says the server did not answer and that the answer was not saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any


from support.review_fakes import open_page, start_server

def test_an_answer_to_a_stopped_server_says_not_saved(browser: Any, out: Path) -> None:
    server, thread, base, state = start_server(out)
    try:
        page = open_page(browser, base + "/?reviewer=ana")
        first = page.get_attribute("#card", "data-id")
    finally:
        server.should_exit = True
        thread.join(10)
        state.store.close()
    page.keyboard.press("a")
    page.wait_for_function("document.querySelector('#message').textContent.includes('did not answer')",
                           timeout=10_000)
    message = page.inner_text("#message")
    assert "is `kgagent review` still running?" in message and "NOT saved" in message
    assert page.get_attribute("#card", "data-id") == first
