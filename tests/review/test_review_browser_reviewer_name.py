"""Regression: a reviewer's name typed in the page was lost on reload.

With `kgagent review OUT --reviewer ana`, bob typed his name in the box and answered; after a
reload the page took the server's --reviewer again and bob's next answers were stored as ana's
(replacing her own effective answers, hiding conflicts). The name typed now stays in the
address, which a reload reads first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import Client, moved_on, open_page, serving


@pytest.fixture
def served_as_ana(out: Path) -> Iterator[Client]:
    with serving(out, reviewer="ana") as (client, _):
        yield client


def _answer(page: Any, key: str) -> None:
    before = page.get_attribute("#card", "data-id")
    page.keyboard.press(key)
    moved_on(page, before)


def test_the_name_typed_survives_a_reload(browser: Any, served_as_ana: Client, out: Path) -> None:
    page = open_page(browser, served_as_ana.base + "/")
    assert page.input_value("#reviewer") == "ana"
    page.fill("#reviewer", "bob")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement === document.body")
    _answer(page, "a")
    page.reload()
    page.wait_for_selector("#meta .what")
    assert page.input_value("#reviewer") == "bob"
    _answer(page, "x")
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        assert [(a.reviewer, a.action) for a in store.answers()] == [("bob", "accept"), ("bob", "reject")]
