"""The knowledge graph: an RDF dataset with entities, ontology, provenance and rule facts.

Layout of the dataset (rdflib ``Dataset``; the same API over Oxigraph on disk):

- the **default graph** holds curated knowledge: entities (``rdfs:label``, ``skos:altLabel``,
  ``rdf:type``), relations between them, and the ontology (``rdfs:Class``,
  ``rdfs:subClassOf``, ``rdfs:domain`` / ``rdfs:range``, ``owl:FunctionalProperty``);
- **one named graph per document** (``doc_graph(doc)``) holds what extraction added from that
  document: the extracted triples themselves, the description of new entities it mentions,
  and one statement node per (triple, sentence, span) carrying the provenance
  (``rdf:subject/predicate/object``, ``kga:doc``, ``kga:sentence``, ``kga:start``,
  ``kga:end``, ``kga:score``, ``kga:rule``, ``kga:decision``);
- the **resolution graph** records entity-resolution merges and their evidence.

Reads see the union of all graphs; ``remove_document`` drops one document's graph, so the
facts that only it supported disappear and facts that other documents (or the curated graph)
also hold stay.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import networkx as nx
from rdflib import OWL, RDF, RDFS, XSD, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kgagent.errors import GraphError
from kgagent.kg import fileio
from kgagent.kg.checks import count_arg
from kgagent.kg.checks import path_arg as _path
from kgagent.kg.checks import provenance_arg as _provenance
from kgagent.kg.checks import text_arg as _text
from kgagent.kg.checks import texts_arg as _texts
from kgagent.kg.prominence import SIZE_PREDICATES, SizeFacts
from kgagent.kg.sparql import check_timeout, prepare_read_only, run_with_timeout
from kgagent.kg.vocab import (
    DOC,
    ENT,
    KGA,
    ONT,
    SKOS_ALT,
    STMT,
    content_hash,
    doc_graph,
    graph_doc,
    iri_ref,
    new_iri,
    slug,
    term_iri,
    to_name,
)
from kgagent.schema import Provenance
from kgagent.text import name_key

if TYPE_CHECKING:
    from kgagent.domain import Ontology
    from kgagent.kg.linker import Linker

OXIGRAPH_DIR = "oxigraph"
SOURCE_STAMP = "kgagent-source.txt"  # inside the Oxigraph directory: which graph file it was built from

#: predicates that describe or annotate rather than relate two entities
META_PREDICATES = frozenset({
    RDF.type, RDFS.label, SKOS_ALT, RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.comment,
    RDFS.subPropertyOf, OWL.sameAs, OWL.equivalentClass, OWL.disjointWith, OWL.inverseOf,
    RDF.subject, RDF.predicate, RDF.object, RDF.first, RDF.rest, OWL.unionOf,
})
SCHEMA_TYPES = frozenset({RDFS.Class, OWL.Class, RDF.Property, OWL.ObjectProperty,
                          OWL.DatatypeProperty, OWL.FunctionalProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty,
                          RDF.Statement,
                          KGA.EntityMention, KGA.Merge, OWL.Ontology})


@dataclass(frozen=True)
class Entity:
    """An entity of the graph: IRI, preferred label, aliases and asserted types (rule names)."""

    iri: str
    label: str
    aliases: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """A relation the graph holds between two entities, and where it came from: ``curated`` when
    the graph's own (default) graph holds it, ``sources`` the extraction's provenance records
    (document, sentence, span, score, rule, decision), one per sentence that stated it."""

    subject: str
    predicate: str
    object: str
    subject_label: str
    object_label: str
    curated: bool
    sources: tuple[Provenance, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: names, IRIs, and the sources as dicts."""
        from dataclasses import asdict

        return {"head": self.subject_label, "predicate": self.predicate, "tail": self.object_label,
                "head_iri": self.subject, "tail_iri": self.object, "curated": self.curated,
                "sources": [asdict(p) for p in self.sources]}


class TripleSink:
    """How entities, their mentions and other names, and extracted facts become triples, for
    anything that takes triples (``add_many``): the graph itself, and
    :class:`kgagent.kg.nquads.QuadBuffer`, which writes a document's additions as N-Quads."""

    def add(self, s: Node, p: Node, o: Node, graph: URIRef | None = None) -> None:
        """Add one triple to the curated default graph (or to ``graph``)."""
        raise NotImplementedError

    def add_many(self, triples: Iterable[tuple[Node, Node, Node]], graph: URIRef | None = None) -> None:
        """Add many triples at once (to the default graph, or to ``graph``)."""
        raise NotImplementedError

    def _copied_description(self, e: Node) -> list[tuple[Node, Node, Node]]:
        """The description (``DESCRIPTION``) of entity ``e`` that a fact's document graph copies:
        all of it for an extracted entity, nothing for one the curated graph labels."""
        raise NotImplementedError

    def add_entity(self, label: str, types: Sequence[str], aliases: Sequence[str] = (),
                   provenance: Provenance | None = None, iri: str | None = None) -> str:
        """Add an entity; returns its IRI (stable: a hash of label and types unless ``iri``).

        Without provenance it is curated knowledge (default graph); with provenance it is a
        new entity found in ``provenance.doc`` and lives in that document's graph, with a
        mention record (sentence, span, score, rule, decision; one per span: see
        :meth:`add_mention` for its other mentions).
        """
        if label is not None:
            _text(label, "an entity's label")
        if not label or not label.strip():
            raise GraphError("an entity needs a non-empty label", code="KGA207")
        type_iris = [term_iri(t) for t in _texts(types, "an entity's types")]
        aliases = _texts(aliases, "an entity's aliases")
        _provenance(provenance, optional=True)
        if iri is not None:
            new_iri(iri, "an entity's IRI")
        if iri is None:
            base = "new/" if provenance is not None else ""
            iri = str(ENT[base + slug(label) + "-" + content_hash(label.strip().casefold(),
                                                              *sorted(map(str, type_iris)), n=8)])
        e = URIRef(iri)
        graph = doc_graph(provenance.doc) if provenance is not None else None
        triples: list[tuple[Node, Node, Node]] = [(e, RDFS.label, Literal(label.strip()))]
        triples += [(e, RDF.type, t) for t in type_iris]
        triples += [(e, SKOS_ALT, Literal(a.strip())) for a in aliases if a.strip() and a.strip() != label.strip()]
        if provenance is not None:
            triples += _mention_triples(e, provenance, ())
        self.add_many(triples, graph)
        return iri

    def add_mention(self, iri: str, provenance: Provenance, short_names: Sequence[str] = ()) -> None:
        """Record an accepted mention of an entity a document introduced (its mention record in
        ``provenance.doc``'s graph, as :meth:`add_entity` writes one; no label or type), with the
        short name(s) it called the entity by (``kga:shortName``: "Ottinger" of "James Ottinger";
        read by the corpus memory, not by the linker: a surname names many people)."""
        self.add_many(_mention_triples(new_iri(iri, "an entity's IRI"), _provenance(provenance),
                                       _texts(short_names, "short names")), doc_graph(provenance.doc))

    def add_alias(self, iri: str, alias: str, provenance: Provenance | None = None) -> None:
        """Record another name of an entity (skos:altLabel)."""
        e = new_iri(iri, "an entity's IRI")
        if not _text(alias, "an alias").strip():
            raise GraphError("an alias must not be empty", code="KGA207")
        graph = doc_graph(_provenance(provenance, optional=True).doc) if provenance is not None else None
        self.add(e, SKOS_ALT, Literal(alias.strip()), graph)

    def add_fact(self, subject: str, predicate: str, obj: str, provenance: Provenance) -> None:
        """Add an extracted fact with its provenance to the document's named graph.

        ``predicate`` is a rule-vocabulary name (``treats``) or a full IRI. New entities the
        fact mentions get their description copied into this document's graph, so the fact
        keeps a label and types if the document that introduced them is removed.
        """
        if provenance is None:
            raise GraphError("add_fact needs a Provenance (use add() for curated triples)", code="KGA207")
        _provenance(provenance)
        s, p, o = new_iri(subject, "a fact's subject"), term_iri(predicate), new_iri(obj, "a fact's object")
        graph = doc_graph(provenance.doc)
        node = STMT[content_hash("fact", provenance.doc, s, p, o, provenance.sentence, provenance.start,
                                 provenance.end)]
        triples: list[tuple[Node, Node, Node]] = [(s, p, o), (node, RDF.type, RDF.Statement),
                                                  (node, RDF.subject, s), (node, RDF.predicate, p),
                                                  (node, RDF.object, o)]
        triples += _provenance_triples(node, provenance)
        for e in (s, o):  # an extracted entity: support its description here
            triples += self._copied_description(e)
        self.add_many(triples, graph)



def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders the numbers in ``text`` by value: doc-2 before doc-10."""
    return tuple((0, int(part)) if part.isdecimal() else (1, part)
                 for part in re.split(r"(\d+)", text) if part)

class KnowledgeGraph(TripleSink):
    """An RDF knowledge graph with entities, ontology, per-document provenance and rule facts.

    >>> kg = KnowledgeGraph()
    >>> paris = kg.add_entity("Paris", ["city"], aliases=["Paris, France"])
    >>> kg.entity(paris).label
    'Paris'
    """

    def __init__(self, dataset: Dataset | None = None, path: Path | None = None, store: str = "memory"):
        self._ds = dataset if dataset is not None else Dataset(default_union=True)
        self._ds.default_union = True
        self.path = path  # the graph file this graph was loaded from (save() default)
        self.store = store
        self._version = 0
        self._cache: dict[str, tuple[int, Any]] = {}
        self._lock: fileio.DirectoryLock | None = None
        self._source: tuple[int, str, str] | None = None  # (version, text, format) of the loaded file
        for prefix, ns in (("ont", ONT), ("kga", KGA), ("ent", ENT), ("doc", DOC), ("stmt", STMT),
                           ("skos", "http://www.w3.org/2004/02/skos/core#"), ("owl", OWL)):
            self._ds.bind(prefix, ns, override=True)

    # ------------------------------------------------------------------ loading and saving
    @classmethod
    def load(cls, path: str | Path | None = None, *, store: str = "memory",
             format: str | None = None) -> "KnowledgeGraph":
        """Load a graph file or graph directory (None = the default domain's graph).

        ``store="oxigraph"`` keeps the graph on disk in ``<dir>/oxigraph/`` (built from the
        graph file the first time) for graphs too large for memory. Raises GraphError KGA201
        (missing or malformed file, with file and line) or KGA202 (unknown format).
        """
        src = _path(path, "the graph path") if path is not None else default_graph_dir()
        if store == "oxigraph":
            return cls._load_oxigraph(src, format)
        if store != "memory":
            raise GraphError(f"unknown store {store!r}; stores: memory, oxigraph", code="KGA202")
        file = fileio.resolve_graph_file(src)
        fmt, gz = fileio.format_for(file, format)
        ds = Dataset(default_union=True)
        text = fileio.read_text(file, gz)
        fileio.parse_into(ds, text, fmt, file, publicID=None)
        kg = cls(ds, path=file, store="memory")
        if fmt in ("nt", "nquads", "turtle", "trig"):  # lets the first query skip re-serialising
            kg._source = (kg._version, text, fmt)
        return kg

    @classmethod
    def _load_oxigraph(cls, src: Path, format: str | None) -> "KnowledgeGraph":
        from oxrdflib import OxigraphStore
        import pyoxigraph as ox

        directory = src if src.is_dir() else src.parent
        oxdir = directory / OXIGRAPH_DIR
        file = None
        if oxdir.exists() and not oxdir.is_dir():
            raise GraphError(f"cannot open Oxigraph store {oxdir}: it is a file, not a store directory (move it "
                             "away to build the store there)", code="KGA203")
        if oxdir.is_dir() and any(oxdir.iterdir()) and not (oxdir / "CURRENT").is_file():
            raise GraphError(f"cannot open Oxigraph store {oxdir}: the directory holds no Oxigraph store (no "
                             "CURRENT file); move it away to build the store there", code="KGA203")
        if not oxdir.is_dir() or not any(oxdir.iterdir()):  # an empty folder is no store: build one there
            file = fileio.resolve_graph_file(src)
            fmt, gz = fileio.format_for(file, format)
            text = fileio.read_text(file, gz)
            tmpdir = directory / f".{OXIGRAPH_DIR}.tmp-{os.getpid()}"
            shutil.rmtree(tmpdir, ignore_errors=True)
            mime = {"nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS, "turtle": ox.RdfFormat.TURTLE,
                    "trig": ox.RdfFormat.TRIG}.get(fmt)
            try:
                st = ox.Store(str(tmpdir))
                if mime is not None:
                    try:
                        st.bulk_load(text.encode("utf-8"), format=mime)
                    except SyntaxError as err:
                        raise GraphError(f"malformed {fmt} graph: {err}", code="KGA201",
                                         location=fileio.Location(str(file), _ox_line(err))) from None
                    except MemoryError as err:
                        if (too_long := fileio.term_too_long(err, text, fmt, file)) is None:
                            raise
                        raise too_long from None
                else:  # JSON-LD / RDF-XML: parse with rdflib, then copy
                    tmp = Dataset(default_union=True)
                    fileio.parse_into(tmp, text, fmt, file)
                    st.extend([_to_ox_quad(q) for q in tmp.quads((None, None, None, None))])
                st.flush()
                del st
                (tmpdir / SOURCE_STAMP).write_text(_stamp(file), encoding="utf-8")
                os.replace(tmpdir, oxdir)
            finally:
                shutil.rmtree(tmpdir, ignore_errors=True)
        else:
            with contextlib.suppress(GraphError):
                file = fileio.resolve_graph_file(src)
            recorded = (oxdir / SOURCE_STAMP).read_text(encoding="utf-8") if (oxdir / SOURCE_STAMP).is_file() else ""
            if file is not None and recorded and recorded != _stamp(file):
                built_from = recorded.rsplit(" ", 2)[0]
                if built_from != file.name:  # one store per directory: another graph file of it made it
                    raise GraphError(f"the Oxigraph store {oxdir} was built from {built_from}, not {file.name} "
                                     f"(one store per directory); remove {oxdir} to rebuild it from {file.name}",
                                     code="KGA210")
                raise GraphError(f"the Oxigraph store {oxdir} was built from another version of {file.name} "
                                 f"(the file changed since); remove {oxdir} to rebuild it from the file",
                                 code="KGA210")
        try:
            oxstore = OxigraphStore(store=ox.Store(str(oxdir)))
        except OSError as err:
            raise GraphError(f"cannot open Oxigraph store {oxdir}: {err} (is another process using it?)",
                             code="KGA203") from None
        except RuntimeError as err:  # RocksDB: "Corruption: CURRENT file corrupted", ...
            raise GraphError(f"cannot open Oxigraph store {oxdir}: {fileio.one_line(err) or type(err).__name__}; remove {oxdir} to rebuild "
                             "it from the graph file", code="KGA203") from None
        ds = Dataset(store=oxstore, default_union=True)
        if file is None:
            with contextlib.suppress(GraphError):
                file = fileio.resolve_graph_file(src)
        return cls(ds, path=file, store="oxigraph")

    def save(self, path: str | Path | None = None, *, format: str | None = None,
             lock_timeout: float = 0.0) -> Path:
        """Write the graph atomically (temp file, fsync, rename) under the directory's lock.

        ``path`` may be a file (format from its suffix) or a directory (``graph.nq.gz`` in it);
        None = where it was loaded from. Triple-only formats (Turtle, N-Triples, RDF/XML) are
        refused when the graph has named graphs (provenance would be lost); a path under a file is
        StorageError KGA510; a directory that reads another of its graph files first is KGA212
        (``fileio.graph_files_around`` names the files a save leaves unread). Returns the file.
        """
        target = _path(path, "the path to save to") if path is not None else self.path
        if target is None:
            raise GraphError("save() needs a path: this graph was not loaded from a file", code="KGA221")
        if target.is_dir() or (not target.suffix and not target.exists()):
            target = target / fileio.graph_file_name(format)
            fileio.check_not_shadowed(target)
        fmt, gz = fileio.format_for(target, format)
        fileio.check_suffix_agrees(target, fmt)
        fileio.check_writable_place(target)
        if fmt not in fileio.QUAD_FORMATS and self.named_graphs():
            raise GraphError(f"{target}: format {fmt} cannot hold the {len(self.named_graphs())} per-document "
                             "provenance graphs; save as .nq, .trig or .jsonld", code="KGA202")
        if fmt == "xml":
            _check_xml_text(self._ds, target)
        lock = self._lock if self._lock is not None and self._lock.directory == target.parent else None
        with contextlib.ExitStack() as stack:
            if lock is None:
                stack.enter_context(fileio.DirectoryLock(target.parent, timeout=lock_timeout))
            fileio.remove_stale_temps(target.parent, target.name)
            with fileio.atomic_writer(target, gz) as out:
                _serialize(self._ds, out, fmt)
            if self.store == "oxigraph" and self.path is not None and target == self.path:
                stamp = target.parent / OXIGRAPH_DIR / SOURCE_STAMP
                if stamp.parent.is_dir():  # the store and its file agree again
                    stamp.write_text(_stamp(target), encoding="utf-8")
        if self.path is None:
            self.path = target
        return target

    def write(self, stream: IO[bytes], *, format: str = "nquads") -> None:
        """Write the graph to the binary ``stream`` (standard output: ``kg export -``) in
        ``format`` (N-Quads by default: it holds every document's provenance graph). GraphError
        KGA202 as :meth:`save`: an unknown format, or one that cannot hold the graph (named graphs
        in a triple-only format, a control character in RDF/XML), said before anything is written."""
        import io

        if isinstance(stream, io.TextIOBase) or not callable(getattr(stream, "write", None)):
            raise GraphError(f"write() takes a binary stream (sys.stdout.buffer, open(PATH, 'wb')), not "
                             f"{'a text stream' if isinstance(stream, io.TextIOBase) else type(stream).__name__}",
                             code="KGA211")
        fmt, _ = fileio.format_for(Path("-"), format)
        if fmt not in fileio.QUAD_FORMATS and self.named_graphs():
            raise GraphError(f"format {fmt} cannot hold the {len(self.named_graphs())} per-document provenance "
                             "graphs; write nquads, trig or json-ld", code="KGA202")
        if fmt == "xml":
            _check_xml_text(self._ds, Path("<output>"))
        _serialize(self._ds, stream, fmt)

    def lock(self, directory: str | Path | None = None, timeout: float = 0.0) -> "KnowledgeGraph":
        """Hold the writer lock of the graph directory until ``unlock()`` (or process exit)."""
        d = Path(directory) if directory is not None else (self.path.parent if self.path else None)
        if d is None:
            raise GraphError("lock() needs a directory: this graph was not loaded from a file", code="KGA203")
        self._lock = fileio.DirectoryLock(d, timeout=timeout).acquire()
        return self

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        """Release the lock and the store (Oxigraph files are flushed)."""
        self.unlock()
        if self.store == "oxigraph":
            with contextlib.suppress(Exception):
                self._ds.store._inner.flush()  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):
                self._ds.store.close()  # drops the on-disk store (and its RocksDB lock)
            self._ds = Dataset(default_union=True)  # a closed graph is empty
            self._cache.clear()
            import gc

            gc.collect()

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ raw access
    @property
    def dataset(self) -> Dataset:
        """The underlying rdflib Dataset (call ``invalidate()`` after editing it directly)."""
        return self._ds

    def invalidate(self) -> None:
        """Forget cached views (ontology closure, networkx view) after direct edits."""
        self._version += 1

    def __len__(self) -> int:
        """Number of distinct triples over all graphs."""
        return sum(1 for _ in self._ds.triples((None, None, None)))

    def named_graphs(self) -> list[URIRef]:
        """IRIs of the non-empty named graphs (documents, resolution)."""
        out = []
        for g in self._ds.graphs():
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g):
                out.append(g.identifier)
        return out

    def documents(self) -> list[str]:
        """Ids of the documents that contributed facts, numbers in them in their order
        (``corpus#2`` before ``corpus#10``)."""
        return sorted((d for d in (graph_doc(g) for g in self.named_graphs()) if d is not None), key=_natural_key)

    def add(self, s: Node, p: Node, o: Node, graph: URIRef | None = None) -> None:
        """Add one triple to the curated default graph (or to ``graph``)."""
        ctx = self._ds.default_graph if graph is None else self._ds.graph(graph)
        ctx.add((s, p, o))
        self._version += 1

    def add_many(self, triples: Iterable[tuple[Node, Node, Node]], graph: URIRef | None = None) -> None:
        """Add many triples at once (fast path for builders and importers)."""
        ctx = self._ds.default_graph if graph is None else self._ds.graph(graph)
        ctx.addN((s, p, o, ctx) for s, p, o in triples)
        self._version += 1

    def _copied_description(self, e: Node) -> list[tuple[Node, Node, Node]]:
        if (e, RDFS.label, None) in self._ds.default_graph:
            return []
        return [(e, pred, v) for pred in DESCRIPTION for v in self._ds.objects(e, pred)]

    # ------------------------------------------------------------------ ontology
    def add_class(self, name: str, parent: str | None = None, label: str | None = None,
                  description: str | None = None) -> URIRef:
        """Declare a class (``rdfs:Class``), optionally under ``parent``."""
        c = term_iri(name)
        up = term_iri(parent) if parent is not None else None  # checked before anything is added
        self.add(c, RDF.type, RDFS.Class)
        self.add(c, RDFS.label, Literal(label or name.replace("_", " ")))
        if description:
            self.add(c, RDFS.comment, Literal(description))
        if up is not None:
            self.add(c, RDFS.subClassOf, up)
        return c

    def add_relation(self, name: str, domain: str | None, range: str | None, functional: bool = False,
                     label: str | None = None, *, symmetric: bool = False, description: str | None = None) -> URIRef:
        """Declare a relation with its signature (``rdfs:domain``, ``rdfs:range``)."""
        p = term_iri(name)
        dom, ran = (term_iri(domain) if domain else None), (term_iri(range) if range else None)
        self.add(p, RDF.type, OWL.ObjectProperty)
        self.add(p, RDFS.label, Literal(label or name.replace("_", " ")))
        if description:
            self.add(p, RDFS.comment, Literal(description))
        if dom is not None:
            self.add(p, RDFS.domain, dom)
        if ran is not None:
            self.add(p, RDFS.range, ran)
        if functional:
            self.add(p, RDF.type, OWL.FunctionalProperty)
        if symmetric:
            self.add(p, RDF.type, OWL.SymmetricProperty)
        return p

    def add_ontology(self, ontology: "Ontology") -> None:
        """Write a domain's ontology into the graph as RDFS/OWL (idempotent).

        Each class and relation of ``ontology`` replaces what the graph said of that name
        before (label, description, parents, signature, flags), so a graph file saved with an
        older ontology takes the domain's current one; other classes (an imported graph's) stay.
        A graph that already says exactly this (the domain's own graph file) is left untouched,
        so its caches and its loaded-file fast path stay valid.
        """
        from kgagent.domain import Ontology

        if not isinstance(ontology, Ontology):
            raise GraphError(f"add_ontology needs a kgagent.domain.Ontology, not {type(ontology).__name__}",
                             code="KGA211")
        want = _ontology_triples(ontology)
        nodes = {term_iri(n) for n in [*ontology.classes, *ontology.relations]}
        have = {(s, p, o) for node in nodes for s, p, o in self._match(node, None, None)
                if p in _ONTOLOGY_PROPS or (p == RDF.type and o in _ONTOLOGY_TYPES)}
        if have == {t for t in want if t[0] in nodes} and all(t in self._ds for t in want):
            return
        for s, p, o in have:
            self._ds.remove((s, p, o, None))
        self.add_many(want)
        self.invalidate()

    def root_classes(self) -> frozenset[str]:
        """Rule names of the declared classes without a superclass (the kinds of the graph's ontology)."""
        closure = self._subclass_closure()
        return frozenset(c for c, sup in closure.items() if sup == {c} and not c.startswith("_union/"))

    def superclasses(self, cls: str) -> set[str]:
        """Rule names of ``cls`` and all its superclasses (reflexive-transitive)."""
        return set(self._subclass_closure().get(cls, {cls}))

    def _subclass_closure(self) -> dict[str, frozenset[str]]:
        def build() -> dict[str, frozenset[str]]:
            parents: dict[str, set[str]] = defaultdict(set)
            classes: set[str] = set()
            for c, _, p in self._ds.triples((None, RDFS.subClassOf, None)):
                if isinstance(c, URIRef) and isinstance(p, URIRef):
                    parents[to_name(c)].add(to_name(p))
                    classes.update((to_name(c), to_name(p)))
            for t in (RDFS.Class, OWL.Class):
                for c in self._ds.subjects(RDF.type, t):
                    if isinstance(c, URIRef):
                        classes.add(to_name(c))
            closure = {}
            for c in classes:
                seen = {c}
                todo = deque([c])
                while todo:
                    for p in parents.get(todo.popleft(), ()):
                        if p not in seen:
                            seen.add(p)
                            todo.append(p)
                closure[c] = frozenset(seen)
            return closure

        return self._cached("subclass", build)

    def _schema_facts(self) -> dict[str, set[tuple]]:
        def build() -> dict[str, set[tuple]]:
            sub = {(c, p) for c, ps in self._subclass_closure().items() for p in ps}
            sig = set()
            props = set(self._ds.subjects(RDFS.domain, None)) | set(self._ds.subjects(RDFS.range, None))
            for p in props:
                doms = [to_name(d) for d in self._ds.objects(p, RDFS.domain)] or [None]
                rngs = [to_name(r) for r in self._ds.objects(p, RDFS.range)] or [None]
                for d in doms:
                    for r in rngs:
                        if d is not None and r is not None:
                            sig.add((to_name(p), d, r))
            fun = {(to_name(p),) for p in self._ds.subjects(RDF.type, OWL.FunctionalProperty)}
            sym = {(to_name(p),) for p in self._ds.subjects(RDF.type, OWL.SymmetricProperty)}
            asym = {(to_name(p),) for p in self._ds.subjects(RDF.type, OWL.AsymmetricProperty)}
            dis = {pair for a, _, b in self._ds.triples((None, OWL.disjointWith, None))
                   for pair in ((to_name(a), to_name(b)), (to_name(b), to_name(a)))}
            return {"subclass": sub, "signature": sig, "functional": fun, "symmetric": sym, "asymmetric": asym,
                    "disjoint": dis}

        return self._cached("schema", build)

    def _cached(self, key: str, build: Any) -> Any:
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self._version:
            return hit[1]
        value = build()
        self._cache[key] = (self._version, value)
        return value

    # ------------------------------------------------------------------ entities
    def entity(self, iri: str) -> Entity | None:
        """The entity with this IRI (label, aliases, types), or None if the graph has no label for it."""
        e = iri_ref(iri)
        labels = sorted(str(x) for x in self._ds.objects(e, RDFS.label))
        if not labels:
            return None
        aliases = sorted({str(x) for x in self._ds.objects(e, SKOS_ALT)} | set(labels[1:]))
        types = sorted({to_name(t) for t in self._ds.objects(e, RDF.type) if t not in SCHEMA_TYPES})
        return Entity(iri=str(e), label=labels[0], aliases=tuple(aliases), types=tuple(types))

    def entities(self) -> Iterator[str]:
        """IRIs of all entities (labelled resources that are not classes or properties)."""
        seen: set[Node] = set()
        for s in self._ds.subjects(RDFS.label, None):
            if s in seen or not isinstance(s, URIRef):
                continue
            seen.add(s)
            if self._is_schema(s):
                continue
            yield str(s)

    def _is_schema(self, s: Node) -> bool:
        return any(t in SCHEMA_TYPES for t in self._ds.objects(s, RDF.type))

    def entity_types(self, iri: str, closure: bool = False) -> set[str]:
        """Rule names of the entity's asserted types (with all superclasses if ``closure``)."""
        types = {to_name(t) for _, _, t in self._match(iri_ref(iri), RDF.type, None) if t not in SCHEMA_TYPES}
        if not closure:
            return types
        sub = self._subclass_closure()
        return set().union(*(sub.get(t, {t}) for t in types)) if types else set()

    def label_table(self) -> Iterator[tuple[str, str, bool]]:
        """(entity IRI, name, is_preferred_label) for every label and alias of every entity."""
        # the schema's own nodes in one pass (a look-up per label cost 0.15 s of the linker's start)
        schema = {s for s, _, t in self._ds.triples((None, RDF.type, None)) if t in SCHEMA_TYPES}
        for s, _, o in self._ds.triples((None, RDFS.label, None)):
            if isinstance(s, URIRef) and s not in schema:
                yield str(s), str(o), True
        for s, _, o in self._ds.triples((None, SKOS_ALT, None)):
            if isinstance(s, URIRef):
                yield str(s), str(o), False

    def entities_named_in_documents(self, name: str) -> frozenset[str]:
        """The new entities documents gave ``name`` (case and white space aside): the labels of
        entities with a mention record, and the short names on their records (``kga:shortName``:
        "Ottinger" -> James Ottinger's entity); the table is kept until the graph changes. Not
        read by the linker (which indexes a new entity's label, not its short names: a surname
        names many people): :meth:`kgagent.Agent.validate` reads it for a claim's name it does
        not find."""
        def build() -> dict[str, frozenset[str]]:
            out: dict[str, set[str]] = {}
            for node in set(self._ds.subjects(RDF.type, KGA.EntityMention)):
                for e in self._ds.objects(node, KGA.entity):
                    for n in (*self._ds.objects(e, RDFS.label), *self._ds.objects(node, KGA.shortName)):
                        out.setdefault(name_key(str(n)), set()).add(str(e))
            return {k: frozenset(v) for k, v in out.items()}

        return self._cached("document_names", build).get(name_key(name), frozenset())

    def demonym_table(self) -> Iterator[tuple[str, str]]:
        """(entity IRI, demonym) for every ``kga:demonym`` of every entity: words for its people
        or things ("Venezuelan" of Venezuela), which refer to it without naming it."""
        return self._word_table(KGA.demonym)

    def own_name_table(self) -> Iterator[tuple[str, str]]:
        """(entity IRI, name) for every ``kga:ownName`` of every entity: a name beside its label
        that is as much its own (a city's English name a domain gives: "Cologne" of Köln), which
        the linker ranks as a label, not as an alternate name."""
        return self._word_table(KGA.ownName)

    def code_table(self) -> Iterator[tuple[str, str]]:
        """(entity IRI, code) for every ``kga:code`` of every entity: short codes that name it
        ("US", "USA" of the United States) but, written alone, name other things as often ("A.D."
        is not Andorra): the linker takes them only for a mention of the entity's own kind,
        written in capitals, that no name is found for."""
        return self._word_table(KGA.code)

    def _word_table(self, predicate: URIRef) -> Iterator[tuple[str, str]]:
        """(entity IRI, word) for every ``predicate`` of every entity."""
        for s, _, o in self._ds.triples((None, predicate, None)):
            if isinstance(s, URIRef):
                yield str(s), str(o)

    def prior(self, iri: str) -> float:
        """Prominence of an entity in [0, 1]: the one the graph states (``kga:prominence``: a sea,
        which has no people and lies in no place), else (log10 of its (largest) population + 1) /
        10 where known, else, capped, of the population it is known to have at least
        (``kga:populationAtLeast``), else its degree / 100 capped at 0.5 (a region with many
        cities must not outrank a big city): :func:`kgagent.kg.prominence.prominence`."""
        e = iri_ref(iri)
        sizes, degree = SizeFacts(), 0
        for _, p, o in self._match(e, None, None):
            if p not in META_PREDICATES:
                degree += 1
                sizes.read(p, o)
        if sizes.population is None and sizes.stated is None:  # only then does the degree count
            degree += sum(1 for _ in self._match(None, None, e))
        return sizes.prominence(degree)

    def population_bounded_only(self, iri: str) -> bool:
        """True when the graph knows only a lower bound of the entity's population
        (``kga:populationAtLeast``, no ``kga:population``): a region known by the places in it,
        which its prior ranks above a namesake town, but which is no place of that size."""
        e = iri_ref(iri)
        return (next(self._match(e, KGA.populationAtLeast, None), None) is not None
                and next(self._match(e, KGA.population, None), None) is None)

    def entity_profiles(self) -> tuple[dict[str, float], dict[str, frozenset[str]]]:
        """``prior`` and ``entity_types(closure=True)`` of every entity, in one pass over the
        graph (the linker needs both for every candidate; one look-up each costs ~10 µs)."""
        sizes: dict[Node, SizeFacts] = {}
        degree: dict[Node, int] = defaultdict(int)
        asserted: dict[Node, set[Node]] = defaultdict(set)
        meta, rdf_type = META_PREDICATES, RDF.type
        for s, p, o in self._match(None, None, None):
            if isinstance(o, URIRef):
                degree[o] += 1
            if p not in meta:
                degree[s] += 1
                if p in SIZE_PREDICATES:
                    sizes.setdefault(s, SizeFacts()).read(p, o)
            elif p == rdf_type and o not in SCHEMA_TYPES:
                asserted[s].add(o)
        unknown = SizeFacts()
        priors = {str(e): sizes.get(e, unknown).prominence(d) for e, d in degree.items() if isinstance(e, URIRef)}
        sub = self._subclass_closure()
        shared: dict[frozenset[str], frozenset[str]] = {}  # one object per distinct type set
        types: dict[str, frozenset[str]] = {}
        for e, ts in asserted.items():
            names = frozenset().union(*(sub.get(n, {n}) for n in map(to_name, ts)))
            types[str(e)] = shared.setdefault(names, names)
        return priors, types

    def _match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[tuple[Node, Node, Node]]:
        """Triples of all graphs matching a pattern, read from the store directly: what
        ``Dataset.triples`` yields under ``default_union``, without its per-call overhead (3x
        cheaper; the linker asks this for every candidate)."""
        return (t for t, _ in self._ds.store.triples((s, p, o), None))

    # ------------------------------------------------------------------ facts and provenance
    def provenance(self, subject: str, predicate: str, obj: str) -> list[Provenance]:
        """Every recorded source of the fact (one per document sentence span)."""
        s, p, o = iri_ref(subject, "a subject"), term_iri(predicate), iri_ref(obj, "an object")
        out = []
        for node in self._ds.subjects(RDF.subject, s):
            if (node, RDF.predicate, p) in self._ds and (node, RDF.object, o) in self._ds:
                out.append(self._read_provenance(node))
        return sorted(out, key=lambda x: (x.doc, x.sentence, x.start))

    def _read_provenance(self, node: Node) -> Provenance:
        def one(p: URIRef, default: Any) -> Any:
            for v in self._ds.objects(node, p):
                return v.toPython() if isinstance(v, Literal) else str(v)
            return default

        return Provenance(doc=str(one(KGA.doc, "")), sentence=int(one(KGA.sentence, 0)),
                          start=int(one(KGA.start, 0)), end=int(one(KGA.end, 0)),
                          score=float(one(KGA.score, 0.0)), rule=str(one(KGA.rule, "")),
                          decision=str(one(KGA.decision, "")), extra=_json_or_empty(one(KGA.extra, "")))

    def facts(self, subject: str | None = None, predicate: str | None = None,
              obj: str | None = None) -> list[Fact]:
        """The relations between entities matching a pattern (None = any): subject and object
        IRIs, ``predicate`` a vocabulary name or IRI. Descriptions (labels, types, aliases),
        the ontology, provenance records and ``owl:sameAs`` are not relations. Each fact once,
        with whether the curated graph holds it and every extraction source; by predicate,
        then subject and object label.

        >>> kg = KnowledgeGraph()
        >>> aspirin, pain = kg.add_entity("aspirin", ["drug"]), kg.add_entity("headache", ["symptom"])
        >>> kg.add(URIRef(aspirin), term_iri("treats"), URIRef(pain))
        >>> [(f.subject_label, f.predicate, f.object_label, f.curated) for f in kg.facts(obj=pain)]
        [('aspirin', 'treats', 'headache', True)]
        """
        s = iri_ref(subject, "a subject") if subject is not None else None
        p = term_iri(predicate) if predicate is not None else None
        o = iri_ref(obj, "an object") if obj is not None else None
        default = self._ds.default_graph
        found = set()
        for ts, tp, to in self._match(s, p, o):
            if (isinstance(ts, URIRef) and isinstance(to, URIRef) and tp not in META_PREDICATES
                    and not str(tp).startswith(str(KGA)) and not str(ts).startswith(str(STMT))):
                found.add((ts, tp, to))
        labels: dict[Node, str] = {}  # one entity is in many facts: its label read once

        def label(e: Node) -> str:
            if e not in labels:
                labels[e] = min((str(x) for _, _, x in self._match(e, RDFS.label, None)), default=str(e))
            return labels[e]

        out = [Fact(subject=str(ts), predicate=to_name(tp), object=str(to), subject_label=label(ts),
                    object_label=label(to), curated=(ts, tp, to) in default,
                    sources=tuple(self.provenance(str(ts), str(tp), str(to))))
               for ts, tp, to in found]
        return sorted(out, key=lambda f: (f.predicate, f.subject_label, f.object_label, f.subject, f.object))

    def remove_document(self, doc: str) -> int:
        """Remove what ``doc`` contributed; returns how many facts disappeared from the graph.

        Facts (triples other than provenance records) that the curated graph or another
        document also holds stay; the count is of those no longer held anywhere.
        """
        gid = doc_graph(_text(doc, "a document id"))
        g = self._ds.graph(gid)
        stmt_nodes = {s for s in g.subjects() if str(s).startswith(str(STMT))}
        facts = [(s, p, o) for s, p, o in g if s not in stmt_nodes]
        self._ds.remove_graph(g)
        self._version += 1
        return sum(1 for t in facts if t not in self._ds)

    # ------------------------------------------------------------------ SPARQL
    def query(self, sparql: str, timeout: float = 10.0, *, raw: bool = False, engine: str = "oxigraph",
              max_rows: int | None = None) -> Any:
        """Read-only SPARQL over all graphs: SELECT -> list of dict rows, ASK -> bool,
        CONSTRUCT/DESCRIBE -> list of (s, p, o). IRIs come back as str, literals as Python
        values (``raw=True`` keeps rdflib terms). Updates, SERVICE, LOAD and FROM are refused
        (KGA204); a query past ``timeout`` seconds is stopped (KGA205; None: no limit; a limit that
        is not a number above 0 is KGA211, infinity or more than an hour,
        ``kgagent.kg.sparql.MAX_QUERY_SECONDS``, KGA220). ``max_rows``: at most this many rows or
        triples are read (None: all; KGA211 for anything but a whole number of at least 1); ask
        for one more than you keep to tell whether the query had more. On either engine a
        CONSTRUCT's or DESCRIBE's triples are built as they are read, each once, so what is held
        is bounded by ``max_rows``, not by the size of the whole result. The common prefixes
        (rdf, rdfs, owl, xsd, skos, ont, kga, ent, doc, stmt) need no declaration.

        ``engine="oxigraph"`` (default) evaluates with Oxigraph's optimiser — on a read-only
        snapshot of the in-memory graph, rebuilt after changes — because rdflib's join order
        can turn a three-pattern query into minutes; ``engine="rdflib"`` uses rdflib itself (and
        so does "oxigraph" for a graph Oxigraph cannot hold: an IRI rdflib read but RFC 3987
        forbids, such as ``<urn:a[1]>``). The time limit stops a query between two result rows;
        an Oxigraph aggregate (COUNT, GROUP BY, ORDER BY) computed in one native call cannot be
        interrupted: the caller gets KGA205 on time (saying so), and the query goes on in the
        background, holding a CPU core until it ends (the CLI exits). In a long-lived process
        (a QA service) give queries you do not trust ``engine="rdflib"``, which a time limit always
        stops: a cross product under COUNT on the default graph would otherwise compute for days.
        """
        prepared = prepare_read_only(sparql)
        check_timeout(timeout)
        if max_rows is not None:
            count_arg(max_rows, "max_rows")
        if engine not in ("oxigraph", "rdflib"):
            raise GraphError(f"unknown SPARQL engine {engine!r}; engines: oxigraph, rdflib", code="KGA206")
        store = self._ox_store() if engine == "oxigraph" or self.store == "oxigraph" else None
        if store is None and prepared is None:
            raise GraphError("the query is too long or too deeply nested for rdflib's SPARQL parser, or of a form "
                             "rdflib lacks (such as DESCRIBE *); "
                             + ("run it with engine='oxigraph'" if engine == "rdflib" else
                                "and Oxigraph cannot hold this graph (an IRI RFC 3987 forbids)"), code="KGA206")
        if store is not None:
            def run() -> Any:
                from kgagent.kg.sparql import PREFIXES, ox_result, ox_syntax_error

                try:
                    res = store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
                except SyntaxError as err:
                    raise ox_syntax_error(err, sparql) from None
                return ox_result(res, raw, max_rows)
        else:
            def run() -> Any:
                from itertools import islice

                from kgagent.kg.sparql import graph_result

                if prepared.algebra.name in ("ConstructQuery", "DescribeQuery"):  # built as read: see graph_result
                    return [tuple(t if raw else _py(t) for t in triple)
                            for triple in islice(graph_result(self._ds, prepared), max_rows)]
                res = self._ds.query(prepared)
                if res.type == "ASK":
                    return bool(res.askAnswer)
                names = [str(v) for v in res.vars]
                return [{n: (row[i] if raw else _py(row[i])) for i, n in enumerate(names)}
                        for row in islice(res, max_rows)]

        return run_with_timeout(run, timeout)

    def _ox_store(self) -> Any:
        """The Oxigraph store to query: the on-disk one, or a snapshot of the memory graph (None
        when Oxigraph refuses a term of it: an IRI that rdflib read but RFC 3987 forbids)."""
        if self.store == "oxigraph":
            return self._ds.store._inner  # type: ignore[attr-defined]

        def build() -> Any:
            import io

            import pyoxigraph as ox

            st = ox.Store()
            src = self._source
            if src is not None and src[0] == self._version:  # unchanged since loaded: parse the file text
                fmt = {"nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS, "turtle": ox.RdfFormat.TURTLE,
                       "trig": ox.RdfFormat.TRIG}[src[2]]
                try:
                    st.load(src[1].encode("utf-8"), format=fmt)
                    return st
                except (SyntaxError, ValueError):
                    st = ox.Store()
            self._source = None
            buf = io.BytesIO()
            self._ds.serialize(destination=buf, format="nquads", encoding="utf-8")
            try:
                st.load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
            except (SyntaxError, ValueError):
                return None  # the caller queries with rdflib
            return st

        return self._cached("oxigraph-snapshot", build)

    # ------------------------------------------------------------------ networkx view
    def to_networkx(self) -> nx.MultiDiGraph:
        """Entities as nodes, relations between entities as edges (``predicate`` = rule name)."""

        def build() -> nx.MultiDiGraph:
            g = nx.MultiDiGraph()
            for s, p, o in self._ds.triples((None, None, None)):
                if p in META_PREDICATES or not isinstance(o, URIRef) or not isinstance(s, URIRef):
                    continue
                if str(p).startswith(str(KGA)) or str(s).startswith(str(STMT)):
                    continue
                g.add_edge(str(s), str(o), key=to_name(p), predicate=to_name(p))
            return g

        return self._cached("networkx", build)

    def related(self, iri: str) -> set[str]:
        """The entities a relation of the graph leads to from ``iri`` (its objects: the state and
        the country a city lies in), read from the store directly (the linker asks it per candidate)."""
        return {str(o) for _, p, o in self._match(iri_ref(iri), None, None)
                if isinstance(o, URIRef) and p not in META_PREDICATES and not str(p).startswith(str(KGA))}

    def neighbourhood(self, iris: Iterable[str], radius: int = 1) -> set[str]:
        """Entities within ``radius`` relation steps (either direction) of the given ones."""
        iris = _texts(iris, "the IRIs")
        g = self.to_networkx()
        out = set()
        for iri in iris:
            if iri in g:
                out |= set(nx.ego_graph(g, iri, radius=radius, undirected=True).nodes)
            else:
                out.add(iri)
        return out

    def shortest_path(self, source: str, target: str) -> list[tuple[str, str, str]]:
        """A shortest chain of relations (either direction) linking two entities; [] if none."""
        g = self.to_networkx()
        if source not in g or target not in g:
            return []
        try:
            nodes = nx.shortest_path(g.to_undirected(as_view=True), source, target)
        except nx.NetworkXNoPath:
            return []
        steps = []
        for a, b in zip(nodes, nodes[1:]):
            if g.has_edge(a, b):
                steps.append((a, next(iter(g[a][b])), b))
            else:
                steps.append((b, next(iter(g[b][a])), a))
        return steps

    # ------------------------------------------------------------------ rule facts
    def rule_facts(self, entities: Iterable[str] | None = None, depth: int = 2) -> dict[str, set[tuple]]:
        """The graph's part of the rule vocabulary: type, subclass, signature, functional,
        triple, label, demonym.

        With ``entities``, restricted to their neighbourhood: the given entities, the
        relations leaving them followed up to ``depth`` steps (so a city brings its region and
        country), and relations between given entities. The ontology facts are always whole
        (and cached). ``subclass`` is the reflexive-transitive closure.
        """
        schema = self._schema_facts()
        out: dict[str, set[tuple]] = {k: set(v) for k, v in schema.items()}
        out.update(type=set(), triple=set(), label=set(), demonym=set())
        if entities is None:
            todo = [URIRef(e) for e in self.entities()]
            for s, p, o in self._ds.triples((None, None, None)):
                if isinstance(o, URIRef) and isinstance(s, URIRef) and p not in META_PREDICATES \
                        and not str(p).startswith(str(KGA)) and not str(s).startswith(str(STMT)):
                    out["triple"].add((str(s), to_name(p), str(o)))
            for e in todo:
                self._describe(e, out)
            return out
        seen: set[URIRef] = set()
        frontier = [URIRef(e) for e in entities]
        seen.update(frontier)
        for _ in range(max(depth, 0) + 1):
            nxt = []
            for e in frontier:
                self._describe(e, out)
                if _ == depth:
                    continue
                for p, o in self._ds.predicate_objects(e):
                    if isinstance(o, URIRef) and p not in META_PREDICATES and not str(p).startswith(str(KGA)):
                        out["triple"].add((str(e), to_name(p), str(o)))
                        if o not in seen:
                            seen.add(o)
                            nxt.append(o)
            frontier = nxt
        return out

    def _describe(self, e: URIRef, out: dict[str, set[tuple]]) -> None:
        iri = str(e)
        for t in self._ds.objects(e, RDF.type):
            if t not in SCHEMA_TYPES:
                out["type"].add((iri, to_name(t)))
        for lab in self._ds.objects(e, RDFS.label):
            out["label"].add((iri, str(lab)))
        for dem in self._ds.objects(e, KGA.demonym):
            out["demonym"].add((iri, str(dem)))

    # ------------------------------------------------------------------ statistics
    def stats(self) -> dict[str, Any]:
        """Counts: triples, entities, classes, relations, documents, named graphs, by type."""
        by_type: dict[str, int] = defaultdict(int)
        n_ent = 0
        for e in self.entities():
            n_ent += 1
            for t in self._ds.objects(URIRef(e), RDF.type):
                if t not in SCHEMA_TYPES:
                    by_type[to_name(t)] += 1
        schema = self._schema_facts()
        return {
            "triples": len(self),
            "entities": n_ent,
            "classes": len(self._subclass_closure()),
            "relations": len({s[0] for s in schema["signature"]}),
            "documents": len(self.documents()),
            "named_graphs": len(self.named_graphs()),
            "store": self.store,
            "path": str(self.path) if self.path else None,
            "entities_by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
        }

    # ------------------------------------------------------------------ linker
    def linker(self, model: str | Path | None = None, **options: Any) -> "Linker":
        """An entity linker over this graph (None = the packaged all-MiniLM-L6-v2).

        The index is persisted beside the graph (``<graph dir>/index``) with a fingerprint and
        rebuilt when stale. ``options`` go to ``Linker`` (e.g. ``embed=`` a function,
        ``nil_threshold=``, ``index_dir=``).
        """
        from kgagent.kg.linker import Linker

        if model is not None:
            _path(model, "the embedding model")
        return Linker(self, model=model, **options)


_ONTOLOGY_PROPS = frozenset({RDFS.label, RDFS.comment, RDFS.subClassOf, RDFS.domain, RDFS.range, OWL.disjointWith})
_ONTOLOGY_TYPES = frozenset({RDFS.Class, OWL.Class, OWL.ObjectProperty, OWL.FunctionalProperty, OWL.SymmetricProperty,
                             OWL.AsymmetricProperty})


#: what describes an entity: a fact's document graph copies these of an extracted entity it uses
DESCRIPTION = (RDFS.label, RDF.type, SKOS_ALT)


def _mention_triples(e: URIRef, provenance: Provenance, short_names: Sequence[str]) -> list[tuple[Node, Node, Node]]:
    """A mention record of entity ``e``: one per (document, sentence, span)."""
    node = STMT[content_hash("mention", provenance.doc, e, provenance.sentence, provenance.start, provenance.end)]
    triples: list[tuple[Node, Node, Node]] = [(node, RDF.type, KGA.EntityMention), (node, KGA.entity, e)]
    triples += [(node, KGA.shortName, Literal(n.strip())) for n in short_names if n.strip()]
    return triples + _provenance_triples(node, provenance)


def _ontology_triples(ontology: "Ontology") -> list[tuple[Node, Node, Node]]:
    """The RDFS/OWL triples of a domain's ontology (what ``add_ontology`` writes)."""
    out: list[tuple[Node, Node, Node]] = []
    for c in ontology.classes.values():
        node = term_iri(c.name)
        out += [(node, RDF.type, RDFS.Class), (node, RDFS.label, Literal(c.label or c.name.replace("_", " ")))]
        if c.description:
            out.append((node, RDFS.comment, Literal(c.description)))
        out += [(node, RDFS.subClassOf, term_iri(p)) for p in c.parents]
        out += [(node, OWL.disjointWith, term_iri(d)) for d in c.disjoint_with]
    for r in ontology.relations.values():
        node = term_iri(r.name)
        out += [(node, RDF.type, OWL.ObjectProperty), (node, RDFS.label, Literal(r.label or r.name.replace("_", " ")))]
        if r.description:
            out.append((node, RDFS.comment, Literal(r.description)))
        if r.functional:
            out.append((node, RDF.type, OWL.FunctionalProperty))
        if r.symmetric:
            out.append((node, RDF.type, OWL.SymmetricProperty))
        if r.asymmetric:
            out.append((node, RDF.type, OWL.AsymmetricProperty))
        for prop, classes in ((RDFS.domain, r.domains), (RDFS.range, r.ranges)):
            if len(classes) == 1:
                out.append((node, prop, term_iri(classes[0])))
            elif classes:  # a union: several rdfs:domain triples would mean their intersection
                out += _union_class(node, prop, classes)
    return out


def _union_class(node: Node, prop: Node, classes: Sequence[str]) -> list[tuple[Node, Node, Node]]:
    """``node prop U`` with U the ``owl:unionOf`` class of ``classes``; U and its RDF list's
    cells are named after the classes, so writing the ontology again adds nothing."""
    union = URIRef(str(ONT) + "_union/" + "+".join(sorted(classes)))
    cells = [URIRef(f"{union}#{i}") for i in range(len(classes))]
    out: list[tuple[Node, Node, Node]] = [(node, prop, union), (union, RDF.type, OWL.Class),
                                          (union, OWL.unionOf, cells[0])]
    for i, c in enumerate(sorted(classes)):
        rest = cells[i + 1] if i + 1 < len(cells) else RDF.nil
        out += [(cells[i], RDF.first, term_iri(c)), (cells[i], RDF.rest, rest)]
    return out


def default_graph_dir() -> Path:
    """The default domain's graph directory (the news domain's kg_data/graph when shipped)."""
    from kgagent.domain import Domain

    graph = Domain.load().graph
    if graph is None:
        raise GraphError("the default domain has no graph", code="KGA201")
    return graph


def _provenance_triples(node: URIRef, prov: Provenance) -> list[tuple[Node, Node, Node]]:
    t: list[tuple[Node, Node, Node]] = [
        (node, KGA.doc, Literal(prov.doc)),
        (node, KGA.sentence, Literal(int(prov.sentence))),
        (node, KGA.start, Literal(int(prov.start))),
        (node, KGA.end, Literal(int(prov.end))),
        (node, KGA.score, Literal(float(prov.score), datatype=XSD.double)),
    ]
    if prov.rule:
        t.append((node, KGA.rule, Literal(prov.rule)))
    if prov.decision:
        t.append((node, KGA.decision, Literal(prov.decision)))
    if prov.extra:
        import json

        t.append((node, KGA.extra, Literal(json.dumps(prov.extra, sort_keys=True, default=str))))
    return t


def _json_or_empty(text: str) -> dict[str, Any]:
    import json

    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _py(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        v = term.toPython()
        return v if not isinstance(v, Literal) else str(v)
    return str(term)


#: what XML 1.0 cannot hold: control characters but tab, newline and CR; lone surrogates; U+FFFE/F
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_xml_text(ds: Dataset, target: Path) -> None:
    """GraphError KGA202 for a term RDF/XML cannot hold (a NUL or other control character): rdflib
    wrote it as it is, a file no XML parser reads back."""
    for triple in ds.default_graph.triples((None, None, None)):
        for term in triple:
            if (m := _NOT_XML.search(str(term))) is not None:
                raise GraphError(f"{target}: format xml cannot hold the character U+{ord(m.group()):04X} of "
                                 f"{str(term)[:80]!r} (subject {str(triple[0])[:80]!r}); save as .nq, .ttl or "
                                 ".jsonld", code="KGA202")


def _serialize(ds: Dataset, out: Any, fmt: str) -> None:
    if fmt in ("nt", "nquads"):  # line formats: sorted, so the same graph gives the same file
        import io

        buf = io.BytesIO()
        (ds if fmt == "nquads" else ds.default_graph).serialize(destination=buf, format=fmt, encoding="utf-8")
        lines = sorted(set(buf.getvalue().splitlines()) - {b""})
        out.write(b"\n".join(lines) + (b"\n" if lines else b""))
        return
    if fmt in fileio.QUAD_FORMATS:
        ds.serialize(destination=out, format=fmt, encoding="utf-8")
    else:
        ds.default_graph.serialize(destination=out, format=fmt, encoding="utf-8")


def _stamp(file: Path) -> str:
    st = file.stat()
    return f"{file.name} {st.st_size} {st.st_mtime_ns}"


def _ox_line(err: Exception) -> int:
    import re

    m = re.search(r"line (\d+)", str(err))
    if m:
        return int(m.group(1))
    m = re.search(r"(\d+):\d+", str(err))
    return int(m.group(1)) if m else 0


def _to_ox_quad(q: tuple) -> Any:
    from oxrdflib._converter import to_ox

    s, p, o, g = q
    return to_ox((s, p, o, g if g is not None and g.identifier != DATASET_DEFAULT_GRAPH_ID else None))
