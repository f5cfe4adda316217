"""Fixtures for the review tests: a small extraction output and a review server in a thread."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.review_fakes import FIXTURE, Client, serving


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A fresh copy of the fixture extraction output (decisions, graph, run.json...)."""
    target = tmp_path / "out"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def served(out: Path) -> Iterator[tuple[Client, Any]]:
    """A review server over a fresh ``out``: (client, its ReviewApp state)."""
    with serving(out) as (client, state):
        yield client, state


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's package) under Playwright; skipped where either is missing
    (.ci/run installs chromium with apt-get; Playwright never downloads a browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: the browser test needs Debian's package (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs the playwright package")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()
