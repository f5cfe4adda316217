"""Regression: a reload dropped the page's filters. A reviewer working through the relations
only reloaded and went on answering entities from the whole queue, with the form showing "any".
The filters now live in the address with the reviewer's name, and a reload keeps them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


def test_a_reload_keeps_the_filters(browser: Any, served: Any) -> None:
    client, _ = served
    relations = client.get("/api/queue?kind=relation&reviewer=ana")["ids"]
    everything = client.get("/api/queue?reviewer=ana")["ids"]
    assert 0 < len(relations) < len(everything)
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(client.base + "/?reviewer=ana")
    page.wait_for_selector("#meta .what")
    page.select_option("#filters select[name=kind]", "relation")
    page.fill("#filters input[name=min]", "0.3")
    page.press("#filters input[name=min]", "Enter")
    page.wait_for_function("S.ids.length === %d" % len(client.get("/api/queue?kind=relation&min=0.3")["ids"]))
    expected = page.evaluate("S.ids")
    page.reload()
    page.wait_for_selector("#meta .what")
    assert page.evaluate("S.ids") == expected
    assert page.input_value("#filters select[name=kind]") == "relation"
    assert page.input_value("#filters input[name=min]") == "0.3"
    assert "relation" in page.inner_text("#meta")
    assert page.input_value("#reviewer") == "ana"
