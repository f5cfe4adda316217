"""Shared test fixtures. Tests that need ../shared/data or the packaged encoder are marked slow."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("KGAGENT_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing may download: fail loudly if anything tries to reach a model hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _no_terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run here write to a capture, as to a log: no terminal size from the environment
    (pytest-xdist's workers have COLUMNS=80 and LINES=24 set, which narrowed the summary tables
    of the tests that read them). A test about COLUMNS sets it itself."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture(autouse=True)
def _unfrozen():
    """A CLI command run in this process freezes what it loaded out of the garbage collector (as
    a real run does for its short life); give it back after the test, so that the agents of
    earlier tests do not pile up."""
    yield
    gc.unfreeze()
    gc.enable()


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, for slow tests only; skip if it is not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} not found")
    return SHARED_DATA
