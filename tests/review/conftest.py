"""Fixtures for the review tests: a small extraction output and a review server in a thread."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.review_fakes import FIXTURE, Client, start_server


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A fresh copy of the fixture extraction output (decisions, graph, run.json...)."""
    target = tmp_path / "out"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def served(out: Path) -> Iterator[tuple[Client, Any]]:
    """A review server over a fresh ``out``: (client, its ReviewApp state)."""
    server, thread, base, state = start_server(out)
    try:
        yield Client(base), state
    finally:
        server.should_exit = True
        thread.join(10)
        state.store.close()
