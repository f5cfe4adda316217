"""kgagent's core ontology: the classes and relations of the rule vocabulary (CoNLL04).

Classes: person, organization, location (city, country, region under it), other.
Relations (signature domain -> range): work_for(person, organization), live_in(person,
location), orgbased_in(organization, location), located_in(location, location),
kill(person, person), and capital(country, city), which is functional (one capital a country).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kgagent.kg.store import KnowledgeGraph

CLASSES: tuple[tuple[str, str | None, str], ...] = (
    ("person", None, "person"),
    ("organization", None, "organization"),
    ("location", None, "location"),
    ("city", "location", "city"),
    ("country", "location", "country"),
    ("region", "location", "region (first-level administrative division, e.g. a US state)"),
    ("other", None, "other"),
)
RELATIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("work_for", "person", "organization", False),
    ("live_in", "person", "location", False),
    ("orgbased_in", "organization", "location", False),
    ("located_in", "location", "location", False),
    ("kill", "person", "person", False),
    ("capital", "country", "city", True),
)


def add_core_ontology(kg: "KnowledgeGraph") -> None:
    """Declare the core classes and relations in ``kg`` (idempotent)."""
    for name, parent, label in CLASSES:
        kg.add_class(name, parent, label=label)
    for name, domain, rng, functional in RELATIONS:
        kg.add_relation(name, domain, rng, functional=functional)
