"""The docstring examples of the domain modules and the core helpers run (NetworkX habit)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["kgagent.ids", "kgagent.files", "kgagent.proofs", "kgagent.domain.tomlfile", "kgagent.domain.ontology",
           "kgagent.domain.labels", "kgagent.domain.domain", "kgagent.domain_init", "kgagent.rules.depgraph",
           "kgagent.components",
           "kgagent.text", "kgagent.memory", "kgagent.evaluate", "kgagent.feedback"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
