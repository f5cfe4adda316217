"""The Ray engine's fixtures: one local Ray (2 CPUs) for the whole session, a tiny graph and corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def ray_cluster():
    """``ray.init(num_cpus=2)`` once, shared by every Ray test, shut down at the end (skip without Ray)."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'kgagent[ray]')")
    pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'kgagent[ray]')")
    if ray.is_initialized():  # pragma: no cover - another suite left one running
        ray.shutdown()
    # the workers import tests/support (the fake agent factory) as the driver does
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=256 * 1024 ** 2,
             runtime_env={"env_vars": {"PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}})
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def graph_dir(tmp_path_factory) -> Path:
    """The agent tests' tiny graph saved as a graph directory."""
    from support.agent_fakes import build_tiny_graph

    d = tmp_path_factory.mktemp("graph")
    build_tiny_graph().save(d / "graph.ttl")
    return d
