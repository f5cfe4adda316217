"""benchmarks/kg/n3_default_graph.py reads a DBpedia name with a qualifier ("Nashville,
Tennessee", "São Paulo (state)", "Chaco Province") as the graph entity of that name the
qualifier picks, so that a right link to a place others share a name with is scored right."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import URIRef

from support.agent_fakes import REPO
from support.scripts import load_script

from kgagent.domain import Domain
from kgagent.kg import KnowledgeGraph
from kgagent.kg.vocab import term_iri


@pytest.fixture(scope="module")
def bench() -> Any:
    return load_script(REPO / "benchmarks" / "kg" / "n3_default_graph.py", "n3_default_graph_bench")


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    kg = KnowledgeGraph()
    kg.add_ontology(Domain.load().ontology)
    add = kg.add_entity
    us, tn, nc = add("United States", ["country"], iri="urn:us"), add("Tennessee", ["region"], iri="urn:tn"), \
        add("North Carolina", ["region"], iri="urn:nc")
    br = add("Brazil", ["country"], iri="urn:br")
    sp_state, sp_city = add("São Paulo", ["region"], iri="urn:sp-state"), add("São Paulo", ["city"], iri="urn:sp-city")
    nash_tn, nash_nc = add("Nashville", ["city"], iri="urn:nash-tn"), add("Nashville", ["city"], iri="urn:nash-nc")
    chaco = add("Chaco", ["region"], iri="urn:chaco")
    loc = term_iri("located_in")
    for s, o in ((tn, us), (nc, us), (nash_tn, tn), (nash_nc, nc), (sp_state, br), (sp_city, sp_state)):
        kg.add(URIRef(s), loc, URIRef(o))
    return kg


def test_a_qualifier_picks_the_entity_of_the_name(bench, kg) -> None:
    names = bench.name_table(kg, lambda iri: iri)
    q = lambda name: bench.qualified_entities(name, names, kg, lambda iri: iri)  # noqa: E731
    assert q("Nashville, Tennessee") == {"urn:nash-tn"}
    assert q("Nashville, North Carolina") == {"urn:nash-nc"}
    assert q("São Paulo (state)") == {"urn:sp-state"}
    assert q("São Paulo, Brazil") == {"urn:sp-state", "urn:sp-city"}  # two: ambiguous, left out
    assert q("Chaco Province") == {"urn:chaco"}
    assert q("Nashville, Ohio") == set()  # the graph lacks it: NIL-gold
    assert q("Harcourt (publisher)") == set()
    assert q("Nashville") is None  # no qualifier: the exact name decides
