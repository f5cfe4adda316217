"""How prominent an entity is, from what the graph says of its size: the linker's prior.

A place's population (``kga:population``), the population it is known to have at least
(``kga:populationAtLeast``: a US state, by the people of the cities the graph holds in it), or a
prominence the graph states (``kga:prominence``: a sea, which has neither people nor
neighbours); else its degree. :class:`SizeFacts` reads an entity's triples one by one, so that
``KnowledgeGraph.prior`` (one entity) and ``KnowledgeGraph.entity_profiles`` (every entity, in
one pass) give the same figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rdflib.term import Node

from kgagent.kg.vocab import KGA


def population_value(value: Node) -> int | None:
    """A population literal as a number, None if it is not one."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def fraction_value(value: Node) -> float | None:
    """A prominence literal as a number in [0, 1] (clamped), None if it is not a number."""
    try:
        return min(1.0, max(0.0, float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


#: the highest prominence of a place known only by the people of the places in it
#: (``kga:populationAtLeast``): a city of about 316,000
AT_LEAST_CAP = 0.65


def prominence(population: int | None, degree: int, at_least: int | None = None,
                stated: float | None = None) -> float:
    """The prominence the graph ``stated`` (``kga:prominence``: a sea, which has neither people
    nor neighbours) where it does; else (log10 of the population + 1) / 10 where known (1,000,000 gives 0.7, 100,000 0.6; 33,000
    0.55 and 66,000 0.58, so of two namesakes the larger wins a tie); else, for a place whose
    population is known only to be at least ``at_least`` (a US state: the people of the cities
    the graph holds in it), the same, capped at ``AT_LEAST_CAP`` (0.65): a state outranks a
    namesake town (Wyoming, Michigan; Virginia, South Africa) but not the great city of its name
    (Washington, D.C.); else the degree / 100 capped at 0.5.

    >>> [round(prominence(p, 0), 3) for p in (0, 9, 33_000, 66_000, 90_000, 1_000_000)], prominence(None, 80)
    ([0.0, 0.195, 0.552, 0.582, 0.595, 0.7], 0.5)
    >>> round(prominence(None, 80, 215_000), 3), prominence(None, 80, 3_500_000), prominence(None, 80, 0)
    (0.633, 0.65, 0.5)
    >>> prominence(None, 0, None, 0.7), prominence(5_000, 3, None, 0.7)
    (0.7, 0.7)
    """
    if stated is not None:
        return stated
    if population is not None:
        return min(1.0, max(0.0, (math.log10(population) + 1) / 10.0)) if population > 0 else 0.0
    if at_least:
        return min(AT_LEAST_CAP, max(min(0.5, degree / 100.0), prominence(at_least, 0)))
    return min(0.5, degree / 100.0)


#: the predicates that say how large or prominent an entity is (read by ``SizeFacts``)
SIZE_PREDICATES = frozenset({KGA.population, KGA.populationAtLeast, KGA.prominence})


@dataclass
class SizeFacts:
    """What the graph says of one entity's size, read triple by triple: its (largest) population,
    the population it has at least, the prominence it states. ``KnowledgeGraph.prior`` reads one
    entity's triples into one, ``entity_profiles`` every entity's, so the two cannot disagree."""

    population: int | None = None
    at_least: int | None = None
    stated: float | None = None

    def read(self, predicate: Node, value: Node) -> None:
        """Take one triple's predicate and object into account (others are ignored)."""
        if predicate == KGA.population and (n := population_value(value)) is not None:
            self.population = n if self.population is None else max(self.population, n)
        elif predicate == KGA.populationAtLeast and (n := population_value(value)) is not None:
            self.at_least = n if self.at_least is None else max(self.at_least, n)
        elif predicate == KGA.prominence and (given := fraction_value(value)) is not None:
            self.stated = given

    def prominence(self, degree: int) -> float:
        """The entity's prior, given its degree: :func:`prominence`."""
        return prominence(self.population, degree, self.at_least, self.stated)
