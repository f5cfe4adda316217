"""Regression: undoing a changed answer lost the answer it had changed.

An undo made the reviewer's answer on the decision "none" whatever came before: ana accepted
Smith, changed her mind to reject, pressed backspace to take the reject back, and her accept
was gone too (the page said "answer again"; the export left Smith out). An undo now takes back
the latest answer still in force, so the accept holds again, and the page says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import ACME, SMITH, moved_on, open_page


def _effective(out: Path) -> dict[str, str]:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        return {d: a.action for (_, d), a in store.effective("ana").items()}


def test_undo_walks_back_through_the_answers(served, out: Path) -> None:
    client, _ = served
    for decision, action in ((SMITH, "accept"), (ACME, "reject"), (SMITH, "reject")):
        client.post("/api/answer", {"reviewer": "ana", "decision": decision, "action": action})
    r = client.post("/api/undo", {"reviewer": "ana"})
    assert r["undone"] == SMITH and r["restored"]["action"] == "accept"
    assert _effective(out) == {SMITH: "accept", ACME: "reject"}
    assert [a["action"] for a in client.get(f"/api/item?id={SMITH}&reviewer=ana")["answers"]] == ["accept"]
    r = client.post("/api/undo", {"reviewer": "ana"})  # then the reject of Acme, the latest in force
    assert r["undone"] == ACME and r["restored"] is None
    r = client.post("/api/undo", {"reviewer": "ana"})
    assert r["undone"] == SMITH and r["restored"] is None
    assert _effective(out) == {}
    assert client.post("/api/undo", {"reviewer": "ana"})["undone"] is None


def test_backspace_after_a_change_brings_the_earlier_answer_back(browser: Any, served: Any, out: Path) -> None:
    client, _ = served
    page = open_page(browser, client.base + "/?reviewer=ana")
    first = page.get_attribute("#card", "data-id")
    page.keyboard.press("a")
    moved_on(page, first)
    page.keyboard.press("ArrowLeft")  # back to the first, to change the answer
    page.wait_for_function(f"document.querySelector('#card').dataset.id === {first!r}", timeout=10_000)
    page.keyboard.press("x")
    moved_on(page, first)
    page.keyboard.press("Backspace")
    page.wait_for_function("document.querySelector('#message').textContent.startsWith('undone')", timeout=10_000)
    assert page.inner_text("#message") == "undone: your earlier answer holds again (accepted)"
    assert page.get_attribute("#card", "data-id") == first
    assert "ana: accepted" in page.inner_text("#answers")
    assert _effective(out) == {first: "accept"}
