"""A document's graph delta written without an RDF store: the lines rdflib would write."""

from __future__ import annotations

from rdflib import RDFS, Literal, URIRef

from kgagent.decisions import EntityMentionRecord, GraphDelta, NewEntity, NewFact
from kgagent.kg import KnowledgeGraph
from kgagent.kg.nquads import QuadBuffer
from kgagent.kg.vocab import doc_graph
from kgagent.schema import Provenance


def _rdflib_nquads(kg: KnowledgeGraph) -> str:
    """The oracle: rdflib's own serialiser over a store, lines sorted and unique."""
    text = kg.dataset.serialize(format="nquads")
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    lines = sorted({ln for ln in text.splitlines() if ln.strip()})
    return "\n".join(lines) + "\n" if lines else ""


def _prov(doc: str, start: int, end: int, **extra) -> Provenance:
    return Provenance(doc=doc, sentence=1, start=start, end=end, score=0.875, rule="rules/x.rules:3",
                      decision=f"d:{start}", extra=extra)


def _delta() -> GraphDelta:
    """Names with quotes, a backslash, a line break and accents; an entity named again by a short
    name and an alias; facts between new entities, and to an entity the delta does not describe."""
    p1, p2 = _prov("news#7", 0, 12), _prov("news#7", 40, 52, note='say "hi"')
    acme = NewEntity("https://w3id.org/kgagent/entity/new/acme-1", 'Acme "Widgets" \\ Co', ("organization",), p1,
                     mentions=(EntityMentionRecord(p1), EntityMentionRecord(_prov("news#7", 60, 64), "Acme", alias=True)))
    zoe = NewEntity("https://w3id.org/kgagent/entity/new/zoe-2", "Zoë\nÅström", ("person",), p2)
    return GraphDelta("news#7", entities=[acme, zoe],
                      facts=[NewFact(zoe.iri, "work_for", acme.iri, _prov("news#7", 40, 64)),
                             NewFact(acme.iri, "orgbased_in", "https://w3id.org/kgagent/entity/geo/paris",
                                     _prov("news#7", 0, 70))],
                      mentions=[("https://w3id.org/kgagent/entity/new/old-3", EntityMentionRecord(p1, "Old"))])


def test_a_delta_reads_as_rdflib_writes_it() -> None:
    kg, buf = KnowledgeGraph(), QuadBuffer()
    for graph in (kg, buf):
        _delta().apply(graph)
        graph.add(URIRef("https://w3id.org/kgagent/entity/geo/paris"), RDFS.label, Literal("Paris", lang="fr"),
                  doc_graph("news#7"))
    expected = _rdflib_nquads(kg)
    assert buf.nquads() == expected
    assert '\\"Widgets\\" \\\\ Co' in expected and "Zoë\\nÅström" in expected and '"Paris"@fr' in expected
    assert len(expected.splitlines()) > 40


def test_a_fact_copies_only_what_has_no_curated_label() -> None:
    """As ``add_fact``: an extracted entity's description is copied into the fact's document graph
    (its own document may be removed); a curated entity's is not."""
    kg, buf = KnowledgeGraph(), QuadBuffer()
    curated, new = "https://w3id.org/kgagent/entity/geo/paris", "https://w3id.org/kgagent/entity/new/acme-1"
    for graph in (kg, buf):
        graph.add_entity("Paris", ["city"], iri=curated)
        graph.add_entity("Acme", ["organization"], provenance=_prov("news#1", 0, 4), iri=new)
        graph.add_fact(new, "orgbased_in", curated, _prov("news#2", 0, 20))
    text = buf.nquads()
    assert text == _rdflib_nquads(kg)
    in_doc2 = [ln for ln in text.splitlines() if ln.endswith(f"{doc_graph('news#2').n3()} .")]
    assert any('"Acme"' in ln for ln in in_doc2) and not any('"Paris"' in ln for ln in in_doc2)


def test_nothing_added_writes_nothing() -> None:
    assert QuadBuffer().nquads() == ""
