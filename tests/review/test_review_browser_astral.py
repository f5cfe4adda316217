"""Regression: a sentence holding characters outside the BMP (an emoji, 𝔄) before a mention.

The server counts offsets in code points, the page's JavaScript strings in UTF-16 units. In
"Fans 😀😀 cheered as 𝔄 <b>Richard Parsons</b> of ..." the page highlighted "<b>Richard Pars"
and a span fixed with the keyboard to "Richard Parsons<" was stored as code points 24-42
("Richard Parsons</b>" minus one): the training data got a span the reviewer never chose. The
page now converts offsets both ways. The sentence's HTML-like text is shown as text, never run.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import Client, moved_on

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "review" / "astral"
PARSONS = "d:9baca2c2d044996d"  # 'Richard Parsons' after '😀😀' and '𝔄', inside '<b>...</b>'
SMITH = "d:dae98f13588b3b1c"  # 'John Smith', after '<script>alert(1)</script>'


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The astral fixture's extraction in place of the usual one (the ``served`` fixture reads it)."""
    target = tmp_path / "out"
    shutil.copytree(FIXTURE, target)
    return target


def _open(browser: Any, client: Client, decision: str) -> Any:
    page = browser.new_context(bypass_csp=True).new_page()
    page.on("dialog", lambda d: pytest.fail(f"the page ran the sentence's script: {d.message}"))
    page.goto(client.base + "/?reviewer=ana")
    page.wait_for_selector("#meta .what")
    page.evaluate(f"show({decision!r})")
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {decision!r}")
    return page


def test_highlight_and_span_edit_count_code_points(browser: Any, served: Any, out: Path) -> None:
    client, _ = served
    page = _open(browser, client, PARSONS)
    assert page.locator("#sentence .hl").all_inner_texts() == ["Richard Parsons"]
    assert page.locator("#sentence b").count() == 0  # the <b> is text
    page.keyboard.press("s")
    assert '"Richard Parsons"' in page.inner_text("#span-edit")
    page.keyboard.press("Shift+ArrowRight")  # the end moves over the next token: '<'
    assert '"Richard Parsons<"' in page.inner_text("#span-edit")
    page.keyboard.press("Enter")
    moved_on(page, PARSONS)
    rs = ReviewSet.load(out)
    d = rs.get(PARSONS)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        [a] = store.answers()
    base = rs.sentence_base(d)
    assert (a.action, d["sentence_text"][a.span_start - base:a.span_end - base]) == ("span", "Richard Parsons<")


def test_script_like_text_is_shown_not_run(browser: Any, served: Any) -> None:
    client, _ = served
    page = _open(browser, client, SMITH)
    assert page.locator("#sentence script").count() == 0
    assert "<script>alert(1)</script>" in page.inner_text("#sentence")
    assert page.locator("#sentence .hl").all_inner_texts() == ["John Smith"]


def test_the_span_keys_move_over_whole_words_of_any_script(browser: Any, served: Any) -> None:
    client, _ = served
    page = _open(browser, client, PARSONS)
    # \w is ASCII in JavaScript: "Zürich" was three stops for the span keys ("Z", "ü", "rich")
    edges = page.evaluate("tokenEdges('Zürich, São Paulo und Ærø')")
    assert edges == {"starts": [0, 6, 8, 12, 18, 22], "ends": [6, 7, 11, 17, 21, 25]}
