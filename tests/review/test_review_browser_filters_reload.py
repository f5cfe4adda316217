"""Regression: a reload dropped the page's filters. A reviewer working through the relations
only reloaded and went on answering entities from the whole queue, with the form showing "any".
The filters now live in the address with the reviewer's name, and a reload keeps them."""

from __future__ import annotations

from typing import Any
from support.review_fakes import open_page


def test_a_reload_keeps_the_filters(browser: Any, served: Any) -> None:
    client, _ = served
    relations = client.get("/api/queue?kind=relation&reviewer=ana")["ids"]
    everything = client.get("/api/queue?reviewer=ana")["ids"]
    assert 0 < len(relations) < len(everything)
    page = open_page(browser, client.base + "/?reviewer=ana")
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
