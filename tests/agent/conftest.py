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


#: two documents the fake encoder finds people, organisations and places in
SMALL_CORPUS = "Richard Parsons works for Time Warner. He was seen in Boston.\n\nCor van der Klugt heads Philips.\n"


@pytest.fixture
def extracted(fake_cli, graph_dir, tmp_path: Path) -> Path:
    """The OUT folder of `kgagent extract` over :data:`SMALL_CORPUS` (fake encoder, tiny graph)."""
    from typer.testing import CliRunner

    from kgagent_cli.main import app

    corpus = tmp_path / "corpus.txt"
    corpus.write_text(SMALL_CORPUS)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["extract", str(corpus), "--out", str(out), "--graph", str(graph_dir), "-q"])
    assert r.exit_code == 0, r.output
    return out
