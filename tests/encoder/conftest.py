"""Tiny random BERT bases built in the tests (no download, no packaged model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.encoder_fakes import FIXTURES, make_tiny_base


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("tiny_base"))


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
