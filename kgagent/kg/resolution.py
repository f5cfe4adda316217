"""Entity resolution: mentions of one new entity across documents become one entity.

New entities (minted by ``add_entity`` with provenance, IRIs under ``ENT["new/"]``) are
clustered greedily in a fixed order (most supporting documents first, then IRI). An entity
joins a cluster only if its core types agree with the cluster's and it is similar to EVERY
member of the cluster (complete linkage: cosine of label embeddings >= ``threshold``, or
equal alias keys) — never because it resembles just one member, so "J. Smith" cannot chain
"John Smith" to "Jane Smith". Names whose numbers differ never merge, however alike they read
("1986" and "1988", "$13 billion" and "$18 billion", "Group of Five" and "Group of Seven"): a
number in a name tells which thing it is.

Each merge is recorded in the resolution graph (``member owl:sameAs canonical`` and a
``kga:Merge`` node with the similarities and the documents that support each side), and the
member's facts in the per-document graphs are rewritten to the canonical IRI (its label
becomes an alias there), so ``remove_document`` keeps working per document.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef

from kgagent.kg.aliases import alias_keys
from kgagent.kg.checks import callable_arg, fraction_arg, graph_arg, texts_arg
from kgagent.kg.index import EmbedFn, normalise
from kgagent.kg.vocab import KGA, MERGE, RESOLUTION_GRAPH, SKOS_ALT, content_hash, graph_doc, is_new_entity

if TYPE_CHECKING:
    from kgagent.kg.store import KnowledgeGraph



@dataclass
class Merge:
    """One cluster: the canonical entity, the members merged into it, and the evidence."""

    canonical: str
    members: list[str]
    similarity: dict[str, float] = field(default_factory=dict)  # member -> min similarity to the cluster
    documents: dict[str, list[str]] = field(default_factory=dict)  # entity -> documents supporting it


def _kinds_of(kg: "KnowledgeGraph", iri: str, kinds: frozenset[str]) -> frozenset[str]:
    return frozenset(kg.entity_types(iri, closure=True)) & kinds


def _docs(kg: "KnowledgeGraph", iri: str) -> list[str]:
    e = URIRef(iri)
    out = set()
    for _, _, _, g in kg.dataset.quads((e, RDFS.label, None, None)):
        d = graph_doc(g.identifier if hasattr(g, "identifier") else g)
        if d is not None:
            out.add(d)
    return sorted(out)


#: chosen on the dev half of N3's NIL mentions (benchmarks/kg/resolution.py; pairwise F1)
RESOLUTION_THRESHOLD = 0.65
_NUMBER_WORDS = {w: str(i) for i, ws in enumerate((
    ("zero",), ("one", "first"), ("two", "second"), ("three", "third"), ("four", "fourth"), ("five", "fifth"),
    ("six", "sixth"), ("seven", "seventh"), ("eight", "eighth"), ("nine", "ninth"), ("ten", "tenth"),
    ("eleven", "eleventh"), ("twelve", "twelfth"))) for w in ws}
_NUMBER = re.compile(r"\d+|\b(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
METHOD = "complete-linkage: label cosine or equal alias key vs every member; numbers in the names equal"


def name_numbers(label: str) -> tuple[str, ...]:
    """The numbers a name holds, in order, as digits: "$1.8 billion" -> ("1", "8"), "Group of
    Seven" and "G7" -> ("7",) (English number words up to twelve, cardinal or ordinal); two
    names with other numbers name other things."""
    return tuple(_NUMBER_WORDS.get(n.lower()) or n.lstrip("0") or "0" for n in _NUMBER.findall(label))


def resolve_new_entities(kg: "KnowledgeGraph", embed: EmbedFn, threshold: float = RESOLUTION_THRESHOLD,
                         iris: list[str] | None = None, apply: bool = True,
                         kinds: Iterable[str] | None = None) -> list[Merge]:
    """Cluster new entities and (if ``apply``) merge each cluster into its canonical entity.

    Only entities of the same kinds merge (``kinds``: the ontology's root classes; None = the
    graph's own root classes). Returns the merges (clusters of two or more). Deterministic for
    a given graph. GraphError KGA211 for arguments of the wrong kind (a ``threshold`` outside (0, 1],
    ``kinds`` or ``iris`` given as one string).
    """
    graph_arg(kg)
    callable_arg(embed, "embed")
    threshold = fraction_arg(threshold, "threshold", low_open=True)
    kind_set = frozenset(texts_arg(kinds, "kinds")) if kinds is not None else kg.root_classes()
    if iris is None:
        iris = [e for e in kg.entities() if is_new_entity(e)]
    else:
        iris = texts_arg(iris, "iris")
    ents = [kg.entity(i) for i in iris]
    ents = [e for e in ents if e is not None]
    if len(ents) < 2:
        return []
    docs = {e.iri: _docs(kg, e.iri) for e in ents}
    ents.sort(key=lambda e: (-len(docs[e.iri]), e.iri))
    vecs = normalise(np.asarray(embed([e.label for e in ents]), dtype=np.float32))
    keys = [alias_keys(e.label)[2] for e in ents]
    numbers = [name_numbers(e.label) for e in ents]
    core = [_kinds_of(kg, e.iri, kind_set) for e in ents]
    sims = vecs @ vecs.T
    clusters: list[list[int]] = []
    min_sim: dict[int, float] = {}
    for i in range(len(ents)):
        best, best_sim = None, -1.0
        for c, members in enumerate(clusters):
            if core[members[0]] != core[i] or numbers[members[0]] != numbers[i]:
                continue
            s = min(1.0 if keys[i] == keys[m] else float(sims[i, m]) for m in members)
            if s >= threshold and s > best_sim:
                best, best_sim = c, s
        if best is None:
            clusters.append([i])
        else:
            clusters[best].append(i)
            min_sim[i] = best_sim
    merges = []
    for members in clusters:
        if len(members) < 2:
            continue
        m = Merge(canonical=ents[members[0]].iri, members=[ents[i].iri for i in members[1:]],
                  similarity={ents[i].iri: round(min_sim[i], 4) for i in members[1:]},
                  documents={ents[i].iri: docs[ents[i].iri] for i in members})
        merges.append(m)
        if apply:
            _apply(kg, m)
    return merges


def _apply(kg: "KnowledgeGraph", merge: Merge) -> None:
    ds = kg.dataset
    c = URIRef(merge.canonical)
    res = ds.graph(RESOLUTION_GRAPH)
    for member in merge.members:
        m = URIRef(member)
        node = MERGE[content_hash(merge.canonical, member)]
        res.add((m, OWL.sameAs, c))
        res.add((node, RDF.type, KGA.Merge))
        res.add((node, KGA.canonical, c))
        res.add((node, KGA.member, m))
        res.add((node, KGA.similarity, Literal(merge.similarity[member], datatype=XSD.double)))
        res.add((node, KGA.method, Literal(METHOD)))
        for d in merge.documents.get(member, []):
            res.add((node, KGA.memberDoc, Literal(d)))
        for d in merge.documents.get(merge.canonical, []):
            res.add((node, KGA.canonicalDoc, Literal(d)))
        # rewrite the member's triples in every per-document graph to the canonical entity
        moves = defaultdict(list)
        for s, p, o, g in list(ds.quads((None, None, None, None))):
            gid = g.identifier if hasattr(g, "identifier") else g
            if gid == RESOLUTION_GRAPH or (s != m and o != m):
                continue
            moves[gid].append((s, p, o))
        for gid, triples in moves.items():
            graph = ds.graph(gid)
            for s, p, o in triples:
                graph.remove((s, p, o))
                if s == m and p == RDFS.label:
                    graph.add((c, SKOS_ALT, o))
                    continue
                graph.add((c if s == m else s, p, c if o == m else o))
    kg.invalidate()


def canonical(kg: "KnowledgeGraph", iri: str) -> str:
    """The entity ``iri`` was merged into (following owl:sameAs), or ``iri`` itself."""
    seen = {iri}
    cur = URIRef(iri)
    while True:
        nxt = next(iter(kg.dataset.graph(RESOLUTION_GRAPH).objects(cur, OWL.sameAs)), None)
        if nxt is None or str(nxt) in seen:
            return str(cur)
        seen.add(str(nxt))
        cur = nxt
