"""The docstring examples of the kg modules run (NetworkX habit: examples are tests)."""

import doctest

import pytest

import kgagent.kg.aliases
import kgagent.kg.geonames
import kgagent.kg.importers
import kgagent.kg.nquads
import kgagent.kg.prominence
import kgagent.kg.store
import kgagent.kg.vocab


@pytest.mark.parametrize("module", [kgagent.kg.aliases, kgagent.kg.geonames, kgagent.kg.importers, kgagent.kg.nquads, kgagent.kg.prominence,
                                    kgagent.kg.store, kgagent.kg.vocab])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
