"""Fixtures for the agent's tests: a fake encoder, a tiny graph, a deterministic embedding."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.agent_fakes import FakeEncoder, build_tiny_graph, make_agent, patch_cli_agent


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def tiny_kg():
    return build_tiny_graph()


@pytest.fixture
def graph_dir(tmp_path: Path) -> Path:
    """The tiny graph saved as a graph directory (for --kg)."""
    d = tmp_path / "graph"
    d.mkdir()
    build_tiny_graph().save(d / "graph.ttl")
    return d


@pytest.fixture
def agent(tiny_kg, fake_encoder):
    return make_agent(tiny_kg, fake_encoder)


@pytest.fixture
def fake_cli(monkeypatch):
    """Make the CLI's Agent.load use the fake encoder and the trigram linker (real rules, real graph)."""
    patch_cli_agent(monkeypatch, FakeEncoder)
