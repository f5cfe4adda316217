"""`kgagent review` in a real browser: headless Chromium (Debian's package) driven by Playwright.

Answers three items with the keyboard, undoes the last, reloads, and finds the two answers
kept, in the page and in the database. Skipped where no chromium is installed (.ci/run
installs it with apt-get).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import BOSTON_TEXAS, KLUGT_PHILIPS, SMITH, moved_on

@pytest.fixture
def review_url(out: Path):
    """`kgagent review OUT --port 0 --reviewer ana` in a subprocess; its URL."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "kgagent_cli.main", "review", str(out), "--port", "0",
                             "--reviewer", "ana"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"kgagent review did not start: {line}{proc.stdout.read() if proc.poll() is not None else ''}"
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(20)


def _card(page) -> str:
    return page.get_attribute("#card", "data-id") or ""


def _press(page, key: str) -> None:
    before = _card(page)
    page.keyboard.press(key)
    moved_on(page, before)


def test_keyboard_answers_undo_reload(browser, review_url: str, out: Path, tmp_path: Path) -> None:
    # the page's CSP forbids eval; Playwright's wait_for_function needs it, so the test bypasses it
    page = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 820}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(review_url)
    page.wait_for_selector("#meta .what")
    assert _card(page) == KLUGT_PHILIPS  # review first, most uncertain first
    assert "Cor van der Klugt" in page.inner_text("#sentence") and "work_for" in page.inner_text("#meta")
    assert page.locator("#sentence .hl.head").inner_text() == "Cor van der Klugt"
    _press(page, "a")  # accept work_for(Cor van der Klugt, Philips)
    assert _card(page) == SMITH
    _press(page, "x")  # reject Smith
    assert _card(page) == BOSTON_TEXAS
    # the encoder's score of each choice it scored, beside the choice (decisions.jsonl's "scores")
    assert page.locator("#choices button.current .model-score").inner_text() == "0.80"
    assert page.locator("#choices .model-score").all_inner_texts() == ["0.80", "0.12"]
    _press(page, "1")  # located_in(Boston, Texas) -> the first predicate choice
    page.screenshot(path=str(tmp_path / "before_undo.png"), full_page=True)
    _press(page, "Backspace")  # undo: back to Boston -> Texas, unanswered
    assert _card(page) == BOSTON_TEXAS
    page.wait_for_function("document.querySelector('#progress-text').textContent.startsWith('reviewed 2 of 18')")
    page.keyboard.press("?")
    assert page.is_visible("#help")
    page.keyboard.press("Escape")
    page.reload()
    page.wait_for_selector("#meta .what")
    assert _card(page) == BOSTON_TEXAS  # resumes where the reviewer stopped
    assert page.inner_text("#progress-text").startswith("reviewed 2 of 18")
    history = page.locator("#history li").all_inner_texts()
    assert len(history) == 2 and "Smith" in history[0] and "rejected" in history[0]
    assert "Cor van der Klugt" in history[1] and "accepted" in history[1]
    shots = os.environ.get("KGAGENT_SCREENSHOTS")
    page.screenshot(path=str(Path(shots or tmp_path) / "review_page.png"), full_page=True)
    assert errors == []
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        assert [(a.decision, a.action) for a in store.answers()] == [
            (KLUGT_PHILIPS, "accept"), (SMITH, "reject"), (BOSTON_TEXAS, "relabel"), (BOSTON_TEXAS, "undo")]
        eff = store.effective("ana")
        assert {d: a.action for (_, d), a in eff.items()} == {KLUGT_PHILIPS: "accept", SMITH: "reject"}
