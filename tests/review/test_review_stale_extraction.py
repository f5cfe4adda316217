"""Regression: an extraction run again in OUT while its review page was served.

The server keeps the decisions it read at start; after `kgagent extract ... --out OUT
--overwrite` its page went on storing answers on decisions decisions.jsonl no longer held
(export then refused them all, KGA471): the reviewer's work after the re-run was lost without a
word. Now a write is refused (KGA482), nothing is stored, and the page says so.
"""

from __future__ import annotations

import json
from pathlib import Path


from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import SMITH, moved_on, open_page


def _rerun(out: Path) -> None:
    """What a second extraction in ``out`` does to decisions.jsonl: another file with other decisions."""
    path = out / "decisions.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if json.loads(ln)["id"] != SMITH]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
    tmp.replace(path)


def _answers(out: Path) -> list[tuple[str, str]]:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        return [(a.decision, a.action) for a in store.answers()]


def test_an_answer_after_the_extraction_was_run_again_is_refused(served, out: Path) -> None:
    client, _ = served
    client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "accept"})
    _rerun(out)
    status, data = client.request("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "reject"})
    assert status == 400
    assert data["error"].startswith("KGA482 ") and "decisions.jsonl changed" in data["error"]
    assert "NOT saved" in data["error"] and "restart `kgagent review`" in data["error"]
    status, data = client.request("/api/undo", {"reviewer": "ana"})
    assert status == 400 and data["error"].startswith("KGA482 ")
    assert _answers(out) == [(SMITH, "accept")]  # nothing stored after the re-run


def test_the_page_says_the_answer_was_not_saved(browser, served, out: Path) -> None:
    client, _ = served
    page = open_page(browser, client.base + "/?reviewer=ana")
    first = page.get_attribute("#card", "data-id")
    _rerun(out)
    page.keyboard.press("a")
    page.wait_for_function("document.querySelector('#message').textContent.includes('KGA482')", timeout=10_000)
    assert "NOT saved" in page.inner_text("#message")
    assert page.get_attribute("#card", "data-id") == first  # the card stays: nothing moved on
    assert _answers(out) == []


def _restart(state, out: Path) -> None:
    """What restarting `kgagent review` on the re-extracted OUT gives the server: the new decisions."""
    state.reviews = ReviewSet.load(out)
    state._ordered = None


def test_a_page_opened_before_a_restart_on_a_new_extraction_is_told_to_reload(served, out: Path) -> None:
    client, state = served
    old = client.get("/api/config")["stamp"]
    assert old
    _rerun(out)
    _restart(state, out)
    status, data = client.request("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "reject",
                                                  "stamp": old})
    assert status == 400 and data["error"].startswith("KGA482 ") and "reload the page" in data["error"]
    new = client.get("/api/config")["stamp"]
    assert new != old
    status, data = client.request("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "reject",
                                                  "stamp": new})
    assert status == 400 and "no decision" in data["error"]  # Smith is gone from the new extraction
    assert _answers(out) == []


def test_the_page_open_across_a_restart_says_reload(browser, served, out: Path) -> None:
    client, state = served
    page = open_page(browser, client.base + "/?reviewer=ana")
    first = page.get_attribute("#card", "data-id")
    assert first != SMITH
    _rerun(out)  # Smith goes; the card shown stays in the new extraction
    _restart(state, out)
    page.keyboard.press("a")
    page.wait_for_function("document.querySelector('#message').textContent.includes('KGA482')", timeout=10_000)
    assert "reload the page" in page.inner_text("#message")
    assert _answers(out) == []
    page.reload()
    page.wait_for_selector("#meta .what")
    page.keyboard.press("a")
    moved_on(page, first)
    assert _answers(out) == [(first, "accept")]
