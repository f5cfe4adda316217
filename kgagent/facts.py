"""What the graph holds about names (:meth:`Agent.facts`): how each name was linked, and the
relations between the entities it names, each with where it came from (the curated graph, or the
documents, sentences, scores and rules of the extraction that accepted it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kgagent.schema import Link

if TYPE_CHECKING:
    from kgagent.kg.store import Fact


@dataclass
class FactsAnswer:
    """The answer of :meth:`Agent.facts`: the links of the names asked about (None where no name
    was given) and the facts found. A name that links to nothing the graph knows has no facts:
    ``unknown`` names it."""

    head: Link | None
    predicate: str | None
    tail: Link | None
    facts: list[Fact] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        """The names asked about that the graph does not know (NIL links)."""
        return [lk.mention for lk in (self.head, self.tail) if lk is not None and lk.is_nil]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the links, the predicate and the facts with their sources."""
        return {"head": self.head.to_dict() if self.head else None, "predicate": self.predicate,
                "tail": self.tail.to_dict() if self.tail else None, "facts": [f.to_dict() for f in self.facts]}
