"""Fixtures for the knowledge-graph tests: a tiny graph and a tiny deterministic embedding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.kg_fakes import FIXTURES, build_tiny_sentence_transformer, trigram_embed


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A graph directory holding a copy of tests/fixtures/kg/tiny.ttl as graph.ttl."""
    d = tmp_path / "graph"
    d.mkdir()
    shutil.copy(FIXTURES / "tiny.ttl", d / "graph.ttl")
    return d


@pytest.fixture
def tiny(tiny_dir: Path):
    from kgagent.kg import KnowledgeGraph

    return KnowledgeGraph.load(tiny_dir)


@pytest.fixture(scope="session")
def tiny_st(tmp_path_factory) -> Path:
    return build_tiny_sentence_transformer(tmp_path_factory.mktemp("tiny-st"))


@pytest.fixture
def embed():
    return trigram_embed

