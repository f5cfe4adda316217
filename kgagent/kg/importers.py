"""Importers for public data: WebNLG triples, NIF entity-linking corpora, the DBpedia ontology.

Used by ``kgagent kg import-webnlg`` and the linking benchmarks (benchmarks/kg/). Labels come
from DBpedia resource NAMES only (``Alpena,_Michigan`` -> label "Alpena, Michigan", aliases
"Alpena" (the part before DBpedia's comma qualifier); ``Bananaman_(TV_series)`` -> label
"Bananaman", alias "Bananaman (TV series)"): no surface string from any text enters a graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote
from xml.parsers import expat

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kgagent.errors import GraphError, Location
from kgagent.kg.store import KnowledgeGraph
from kgagent.kg.vocab import SKOS_ALT, term_iri

if TYPE_CHECKING:
    from kgagent.domain import Domain

DBR = "http://dbpedia.org/resource/"
DBO = "http://dbpedia.org/ontology/"
_NUMBER = re.compile(r"^-?[\d.,]+([eE][-+]?\d+)?$")
#: what DBpedia percent-encodes in its IRIs (the extraction framework's escapes, after RFC 3987:
#: controls, ``"#<>?[\]^`{|}``, space), ``%`` aside: a name WebNLG gives already encoded stays so
_IRI_ESCAPES = re.compile(r'[\x00-\x20"#<>?\[\\\]^`{|}\x7f-\x9f]')


def dbpedia_iri(name: str) -> str:
    r"""The DBpedia resource IRI of a resource name, percent-encoding what an IRI cannot hold as
    DBpedia does; ordinary names (letters, digits, ``_,()'.-&+!/:``, any script) are unchanged.

    >>> dbpedia_iri("Abilene,_Texas"), dbpedia_iri("Adolfo_Suárez_Madrid–Barajas_Airport")[28:]
    ('http://dbpedia.org/resource/Abilene,_Texas', 'Adolfo_Suárez_Madrid–Barajas_Airport')
    >>> dbpedia_iri('G^h'), dbpedia_iri('I`j{"x"}|<y>\\z')
    ('http://dbpedia.org/resource/G%5Eh', 'http://dbpedia.org/resource/I%60j%7B%22x%22%7D%7C%3Cy%3E%5Cz')
    """
    return DBR + _IRI_ESCAPES.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), name)


def name_label(name: str) -> tuple[str, list[str]]:
    """(label, aliases) of a DBpedia resource name (local part of the IRI).

    >>> name_label("Alpena,_Michigan")
    ('Alpena, Michigan', ['Alpena'])
    >>> name_label("Bananaman_(TV_series)")
    ('Bananaman', ['Bananaman (TV series)'])
    """
    full = unquote(name).replace("_", " ").strip()
    label = re.sub(r"\s*\([^()]*\)\s*$", "", full).strip() or full
    aliases = [full] if full != label else []
    if ", " in label:
        head = label.split(", ", 1)[0].strip()
        if head and head not in aliases:
            aliases.append(head)
    return label, aliases


def is_literal_node(node: str) -> bool:
    """WebNLG objects that are literals (quoted strings, numbers), not resources."""
    n = node.strip()
    return (not n or n.startswith('"') or n[0].isdigit() or (n[0] == "-" and n[1:2].isdigit())
            or " " in n or "<" in n or bool(_NUMBER.match(n)))


@dataclass(frozen=True)
class Reference:
    """A WebNLG reference: surface ``text`` referring to DBpedia resource ``entity``."""

    split: str
    category: str
    eid: str
    lid: str
    entity: str
    kind: str  # name | description | pronoun | demonstrative
    text: str


def webnlg_splits(directory: str | Path) -> list[str]:
    """The splits under a WebNLG directory: its folders holding ``<N>triples/*.xml`` files."""
    root = Path(directory)
    if not root.is_dir():
        return []
    return sorted(d.name for d in root.iterdir() if d.is_dir() and any(d.glob("*triples/*.xml")))


def _split_mtriple(text: str, where: Location) -> tuple[str, str, str]:
    """(subject, predicate, object) of an ``<mtriple>``'s text; GraphError KGA201 at ``where``
    unless it is three non-empty parts between ``|`` (the data writes " | "; every one of its
    23,021 mtriples has exactly two bars, so a bar never occurs inside a part).

    >>> _split_mtriple("Aarhus | leaderName | Jacob_Bundsgaard", Location("a.xml", 3))
    ('Aarhus', 'leaderName', 'Jacob_Bundsgaard')
    >>> _split_mtriple("Bread | country", Location("a.xml", 3))
    Traceback (most recent call last):
    ...
    kgagent.errors.GraphError: a.xml:3: KGA201 mtriple must be "subject | predicate | object", not 'Bread | country'
    """
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != 3 or not all(parts):
        raise GraphError(f'mtriple must be "subject | predicate | object", not {text.strip()!r}', code="KGA201",
                         location=where)
    return parts[0], parts[1], parts[2]


def _read_webnlg_file(path: Path, split: str, triples: set[tuple[str, str, str]], refs: list[Reference]) -> None:
    """Add one WebNLG XML file's modified triples and references (expat, for the line of each
    ``<mtriple>``); GraphError KGA201 with the file and line for malformed XML or a malformed triple."""
    parser = expat.ParserCreate()
    entry: dict[str, str] = {}
    lid = ""
    text: list[str] | None = None  # the text of the <mtriple> or <reference> being read
    attrs: dict[str, str] = {}
    line = 0

    def start(name: str, a: dict[str, str]) -> None:
        nonlocal entry, lid, text, attrs, line
        if name == "entry":
            entry = a
        elif name == "lex":
            lid = a.get("lid", "")
        elif name in ("mtriple", "reference"):
            text, attrs, line = [], a, parser.CurrentLineNumber

    def end(name: str) -> None:
        nonlocal text
        if name == "mtriple" and text is not None:
            triples.add(_split_mtriple("".join(text), Location(str(path), line)))
        elif name == "reference" and text is not None:
            refs.append(Reference(split, entry.get("category", ""), entry.get("eid", ""), lid,
                                  attrs.get("entity", ""), attrs.get("type", ""), "".join(text).strip()))
        if name in ("mtriple", "reference"):
            text = None

    def chars(data: str) -> None:
        if text is not None:
            text.append(data)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    try:
        with path.open("rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as err:
        raise GraphError(f"malformed WebNLG XML: {expat.ErrorString(err.code)}: line {err.lineno}, column "
                         f"{err.offset}", code="KGA201", location=Location(str(path), err.lineno)) from None


def read_webnlg(directory: str | Path, splits: Iterable[str] = ("train", "dev")) -> tuple[
        set[tuple[str, str, str]], list[Reference]]:
    """(distinct modified triples, references) of the WebNLG v1.6 XML files of ``splits``.

    GraphError KGA201: no WebNLG files under ``directory``, a split it does not hold (naming
    the splits it does), malformed XML, or an ``<mtriple>`` that is not three non-empty parts
    (file and line): a triple is never dropped silently."""
    root = Path(directory)
    triples: set[tuple[str, str, str]] = set()
    refs: list[Reference] = []
    found = webnlg_splits(root)
    if not found:
        raise GraphError(f"no WebNLG files (<split>/<N>triples/*.xml) under {root}", code="KGA201")
    splits = list(dict.fromkeys(splits))
    unknown = [s for s in splits if s not in found]
    if unknown or not splits:
        raise GraphError(f"no WebNLG split {', '.join(map(repr, unknown)) or '(none given)'} under {root}; "
                         f"its splits: {', '.join(found)}", code="KGA201")
    for split in splits:
        for f in sorted((root / split).glob("*triples/*.xml")):
            _read_webnlg_file(f, split, triples, refs)
    return triples, refs


def add_dbpedia_ontology(kg: KnowledgeGraph, path: str | Path, domain: "Domain | None" = None) -> int:
    """Add the DBpedia ontology's classes (English labels, subClassOf), properties with their
    domain/range, and functional properties; with ``domain``, add its ontology and place the
    dbo classes its label map's ``[dbpedia]`` table names under the domain's classes."""
    g = Graph()
    try:
        g.parse(str(path), format="xml")
    except Exception as err:  # noqa: BLE001
        raise GraphError(f"cannot read the DBpedia ontology: {err}", code="KGA201", location=Location(str(path))) from None
    keep = []
    for s, p, o in g:
        if not str(s).startswith(DBO):
            continue
        if p == RDF.type and o in (OWL.Class, OWL.ObjectProperty, OWL.FunctionalProperty):
            keep.append((s, p, o))
        elif p == RDFS.subClassOf and str(o).startswith(DBO):
            keep.append((s, p, o))
        elif p in (RDFS.domain, RDFS.range) and str(o).startswith(DBO):
            keep.append((s, p, o))
        elif p == RDFS.label and isinstance(o, Literal) and o.language == "en":
            keep.append((s, p, Literal(str(o))))
    if domain is not None:
        kg.add_ontology(domain.ontology)
        for name, target in domain.labels.sources.get("dbpedia", {}).items():
            keep.append((URIRef(DBO + name), RDFS.subClassOf, term_iri(target)))
    kg.add_many(keep)
    return len(keep)


def webnlg_graph(triples: Iterable[tuple[str, str, str]], ontology: str | Path | None = None,
                 domain: "Domain | None" = None) -> KnowledgeGraph:
    """A graph of WebNLG's resources (labelled from their DBpedia names) and the relations
    between them; with ``ontology`` (dbpedia_2016-10.owl), types inferred from the
    properties' rdfs:domain / rdfs:range."""
    kg = KnowledgeGraph()
    domains: dict[str, list[URIRef]] = {}
    ranges: dict[str, list[URIRef]] = {}
    if ontology is not None:
        add_dbpedia_ontology(kg, ontology, domain)
        ds = kg.dataset
        for p, _, d in ds.triples((None, RDFS.domain, None)):
            domains.setdefault(str(p)[len(DBO):], []).append(d)
        for p, _, r in ds.triples((None, RDFS.range, None)):
            ranges.setdefault(str(p)[len(DBO):], []).append(r)
    out = []
    seen: set[str] = set()

    def resource(name: str) -> URIRef:
        iri = URIRef(dbpedia_iri(name))
        if name not in seen:
            seen.add(name)
            label, aliases = name_label(name)
            out.append((iri, RDFS.label, Literal(label)))
            out.extend((iri, SKOS_ALT, Literal(a)) for a in aliases)
        return iri

    for s, p, o in sorted(triples):
        if is_literal_node(s):
            continue
        si = resource(s)
        for d in domains.get(p, ()):
            out.append((si, RDF.type, d))
        if is_literal_node(o):
            continue
        oi = resource(o)
        pname = re.sub(r"[^A-Za-z0-9_]", "_", p)
        out.append((si, URIRef(DBO + pname), oi))
        for r in ranges.get(p, ()):
            out.append((oi, RDF.type, r))
    kg.add_many(out)
    return kg


@dataclass(frozen=True)
class NifMention:
    """A mention of a NIF corpus: document, surface text, offsets and gold entity (None = NIL)."""

    doc: str
    text: str
    start: int
    end: int
    gold: str | None
    context: str
    ref: str = ""  # the corpus's own link (e.g. an aksw.org/notInWiki id for a NIL mention)


NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
ITSRDF = "http://www.w3.org/2005/11/its/rdf#"


def read_nif(path: str | Path) -> list[NifMention]:
    """Mentions of a NIF 2.0 corpus (N3, KORE50); links outside DBpedia (notInWiki) are NIL."""
    kg = KnowledgeGraph.load(path, format="turtle")
    ds = kg.dataset
    contexts = {str(c): str(t) for c, t in ds.subject_objects(URIRef(NIF + "isString"))}
    out = []
    for m, ctx in ds.subject_objects(URIRef(NIF + "referenceContext")):
        anchor = next(iter(ds.objects(m, URIRef(NIF + "anchorOf"))), None)
        if anchor is None:
            continue
        begin = int(next(iter(ds.objects(m, URIRef(NIF + "beginIndex"))), 0))
        end = int(next(iter(ds.objects(m, URIRef(NIF + "endIndex"))), 0))
        refs = [str(r) for r in ds.objects(m, URIRef(ITSRDF + "taIdentRef"))]
        gold = None
        for r in refs:
            if r.startswith(DBR):
                gold = r
            elif r.startswith("http://dbpedia.org/page/"):
                gold = DBR + r[len("http://dbpedia.org/page/"):]
        out.append(NifMention(str(ctx), str(anchor), begin, end, gold, contexts.get(str(ctx), ""),
                              refs[0] if refs else ""))
    out.sort(key=lambda x: (x.doc, x.start, x.end))
    return out
