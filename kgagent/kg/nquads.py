"""What a document adds to the graph, written as N-Quads without building an RDF store.

``kgagent extract`` writes each document's graph delta to ``graph.nq``. Adding the delta to a
fresh :class:`~kgagent.kg.store.KnowledgeGraph` and serialising it cost more than the rules
(an rdflib store per document: 7 ms of a news document's 37). :class:`QuadBuffer` takes the
same calls (``add_entity``, ``add_mention``, ``add_alias``, ``add_fact``), keeps the quads the
graph would hold, and writes the lines rdflib's N-Quads serialiser writes for them.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDFS, Literal, URIRef
from rdflib.term import Node

from kgagent.kg.store import DESCRIPTION, TripleSink

Triple = tuple[Node, Node, Node]


class QuadBuffer(TripleSink):
    """The quads a :class:`~kgagent.kg.store.KnowledgeGraph` that started empty would hold after
    the same additions (``add_entity``, ``add_mention``, ``add_alias``, ``add_fact``: the graph's
    own, from :class:`~kgagent.kg.store.TripleSink`), as sorted N-Quads lines.

    >>> from kgagent.schema import Provenance
    >>> buf = QuadBuffer()
    >>> iri = buf.add_entity("Aspirin", ["drug"], iri="http://example.org/aspirin",
    ...                      provenance=Provenance(doc="d1", sentence=0, start=0, end=7, score=0.9))
    >>> print(next(line for line in buf.nquads().splitlines() if "#label" in line))
    <http://example.org/aspirin> <http://www.w3.org/2000/01/rdf-schema#label> "Aspirin" <https://w3id.org/kgagent/doc/d1> .
    """

    def __init__(self) -> None:
        self._quads: set[tuple[Node, Node, Node, URIRef | None]] = set()
        self._described: dict[Node, set[tuple[Node, Node]]] = {}  # entity -> (predicate, value), any graph
        self._curated: set[Node] = set()  # entities with a label in the default graph

    def add(self, s: Node, p: Node, o: Node, graph: URIRef | None = None) -> None:
        """Add one triple to the default graph (or to ``graph``)."""
        self.add_many([(s, p, o)], graph)

    def add_many(self, triples: Iterable[Triple], graph: URIRef | None = None) -> None:
        """Add triples to the default graph (or to ``graph``)."""
        for s, p, o in triples:
            self._quads.add((s, p, o, graph))
            if p in DESCRIPTION:
                self._described.setdefault(s, set()).add((p, o))
                if p == RDFS.label and graph is None:
                    self._curated.add(s)

    def _copied_description(self, e: Node) -> list[Triple]:
        return [] if e in self._curated else [(e, p, v) for p, v in self._described.get(e, ())]

    def nquads(self) -> str:
        """The quads as N-Quads, one line each, sorted ("" when there are none): the lines
        ``Dataset.serialize(format="nquads")`` writes for them."""
        lines = sorted({_row(*q) for q in self._quads})
        text = "\n".join(lines) + "\n" if lines else ""
        return text.encode("utf-8", "replace").decode("utf-8")  # as rdflib writes a lone surrogate


def _row(s: Node, p: Node, o: Node, graph: URIRef | None) -> str:
    """One N-Quads line (rdflib's: ``n3()`` terms, a literal quoted without abbreviation)."""
    obj = _literal(o) if isinstance(o, Literal) else o.n3()
    return f"{s.n3()} {p.n3()} {obj} {graph.n3() if graph is not None else ''} ."


def _literal(lit: Literal) -> str:
    """A literal as rdflib's N-Triples and N-Quads serialisers quote it (its lexical form escaped,
    then its language or datatype; ``Literal.n3()`` would abbreviate numbers)."""
    quoted = '"%s"' % lit.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    if lit.language:
        return f"{quoted}@{lit.language}"
    return f"{quoted}^^<{lit.datatype}>" if lit.datatype else quoted
