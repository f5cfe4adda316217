"""IRIs of kgagent's own terms, and the mapping between rule-vocabulary names and IRIs.

The rule vocabulary speaks short lower-case names (a domain's classes and relations, e.g.
``drug``, ``treats``); the graph stores them as IRIs in the ontology namespace ``ONT``
(``ONT.drug``, ``ONT.treats``), one namespace for the names of every domain. Anything else (a DBpedia class, a full IRI) keeps its full IRI as the
rule constant.

>>> to_name(term_iri("treats"))
'treats'
>>> str(term_iri("http://dbpedia.org/ontology/Person"))
'http://dbpedia.org/ontology/Person'
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import Namespace, URIRef

from kgagent.errors import GraphError
from kgagent.ids import content_hash  # noqa: F401 - the one content hash, used by the graph's ids

BASE = "https://w3id.org/kgagent/"
ONT = Namespace(BASE + "ont/")  # classes and relations of the rule vocabulary
KGA = Namespace(BASE + "meta/")  # provenance and bookkeeping properties
ENT = Namespace(BASE + "entity/")  # entities minted by kgagent
DOC = Namespace(BASE + "doc/")  # one named graph per document
STMT = Namespace(BASE + "stmt/")  # statement nodes (provenance of one extracted triple)
MERGE = Namespace(BASE + "merge/")  # entity-resolution merge records
RESOLUTION_GRAPH = URIRef(BASE + "graph/resolution")
ALIGN = Namespace(BASE + "align/")  # graph-alignment records (kgagent.kg.alignment)
ALIGNMENT_GRAPH = URIRef(BASE + "graph/alignment")  # owl:sameAs between twins of two sources

SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")



def is_iri(text: str) -> bool:
    """Is ``text`` an IRI given in full (``https://...``, ``urn:...``), not a name?"""
    return "://" in text or text.startswith("urn:")


def term_iri(name: str) -> URIRef:
    """The IRI of a rule-vocabulary name (``city``) or of an IRI given in full; GraphError KGA211
    for anything else (a name with a space, a number, None).

    >>> term_iri("located in")
    Traceback (most recent call last):
    kgagent.errors.GraphError: KGA211 not a vocabulary name or IRI: 'located in'
    """
    if not isinstance(name, str):
        raise GraphError(f"a vocabulary name or IRI must be a string, not {type(name).__name__}", code="KGA211")
    if is_iri(name):
        return new_iri(name, "a vocabulary IRI")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", name):
        raise GraphError(f"not a vocabulary name or IRI: {name!r}", code="KGA211")
    return ONT[name]


#: what an IRI of N-Triples or N-Quads cannot hold (rdflib would write it, no parser reads it back)
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\ud800-\udfff]')


def iri_ref(iri: object, what: str = "an IRI") -> URIRef:
    """``iri`` as a URIRef to look up; GraphError KGA211 when it is not a string."""
    if not isinstance(iri, str):
        raise GraphError(f"{what} must be a string, not {type(iri).__name__}", code="KGA211")
    return URIRef(iri)


def new_iri(iri: object, what: str = "an IRI") -> URIRef:
    """``iri`` as a URIRef to add to the graph; GraphError KGA211 when it is not a string, is
    empty or holds what no graph file can hold (a space, ``<``, ``"``, a control character).

    >>> new_iri("urn:a b")
    Traceback (most recent call last):
    kgagent.errors.GraphError: KGA211 an IRI cannot hold ' ' (U+0020): 'urn:a b'
    """
    if not isinstance(iri, str):
        raise GraphError(f"{what} must be a string, not {type(iri).__name__}", code="KGA211")
    if not iri:
        raise GraphError(f"{what} must not be empty", code="KGA211")
    if (m := _NOT_IN_IRI.search(iri)) is not None:
        raise GraphError(f"{what} cannot hold {m.group()!r} (U+{ord(m.group()):04X}): {iri[:120]!r}",
                         code="KGA211")
    return URIRef(iri)


def to_name(iri: object) -> str:
    """The rule constant for an IRI: the local name inside ``ONT``, else the full IRI."""
    s = str(iri)
    if s.startswith(str(ONT)):
        return s[len(str(ONT)):]
    return s


_NEW_ENTITIES = str(ENT["new/"])


def is_new_entity(iri: object) -> bool:
    """Whether an entity was introduced by a document (minted for an accepted NIL mention,
    under ``ENT["new/"]``), not curated knowledge."""
    return str(iri).startswith(_NEW_ENTITIES)


def doc_graph(doc: str) -> URIRef:
    """The named graph that holds what document ``doc`` contributed."""
    return DOC[quote(doc, safe="")]


def graph_doc(graph: object) -> str | None:
    """The document id of a per-document named graph, or None for any other graph."""
    from urllib.parse import unquote

    s = str(graph)
    if s.startswith(str(DOC)):
        return unquote(s[len(str(DOC)):])
    return None


def slug(text: str, limit: int = 40) -> str:
    """A readable, IRI-safe slug: ``'São Paulo!'`` -> ``'sao_paulo'``."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"[^a-z0-9]+", "_", t).strip("_")
    return t[:limit] or "x"



