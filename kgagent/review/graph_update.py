"""Facts the reviewers rejected leave the graph, with their provenance.

The agent writes each accepted fact into its document's named graph with a statement node
naming the decision behind it (``kga:decision``); each accepted mention of a new entity gets a
mention record the same way, so that rejecting one mention ("James Ottinger") leaves the entity
to the others ("Ottinger", accepted on its own). When reviewers agree that such a decision is wrong (rejected, or given another
label or span), :func:`drop_decisions` removes its statement nodes; a fact that no other
statement of that document supports goes with them, and so does a new entity's description
when no mention record or fact of that document is left to hold it. Curated knowledge (the
default graph) is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgagent.review.judgements import read_judgements


@dataclass
class DropReport:
    """What :func:`drop_decisions` removed."""

    decisions: int = 0  # decisions whose statement nodes were found and removed
    facts: int = 0  # facts no longer held by any graph
    entities: int = 0  # new entities whose description left a document graph


def rejected_decisions(out: str | Path, db: str | Path | None = None) -> set[str]:
    """Ids of the accepted decisions in ``out`` that reviewers agree are wrong."""
    agreed, _ = read_judgements(out, db)
    return {d for d, j in agreed.items() if j.verdict == "accept" and j.action != "accept"}


def drop_decisions(kg: Any, decisions: set[str]) -> DropReport:
    """Remove from ``kg`` (a KnowledgeGraph) what the given decisions put in the document graphs."""
    from rdflib import RDF, RDFS
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from kgagent.kg.vocab import KGA, SKOS_ALT, STMT

    report = DropReport()
    if not decisions:
        return report
    ds = kg.dataset
    hits = [(s, g) for s, _, o, g in ds.quads((None, KGA.decision, None, None))
            if str(o) in decisions and g is not None and g != DATASET_DEFAULT_GRAPH_ID]
    gone_facts: set[tuple[Any, Any, Any]] = set()
    found: set[str] = set()
    entities: dict[tuple[Any, Any], Any] = {}  # (graph id, entity) -> graph, in order
    for node, gid in hits:
        graph = ds.graph(gid)
        found.add(str(graph.value(node, KGA.decision)))
        spo = (graph.value(node, RDF.subject), graph.value(node, RDF.predicate), graph.value(node, RDF.object))
        entity = graph.value(node, KGA.entity) if (node, RDF.type, KGA.EntityMention) in graph else None
        shorts = set(graph.objects(node, KGA.shortName)) if entity is not None else set()
        for t in list(graph.triples((node, None, None))):
            graph.remove(t)
        for name in shorts:  # an alias (initials, a stem) goes with the last mention that gave it
            if not any((other, KGA.entity, entity) in graph for other in graph.subjects(KGA.shortName, name)):
                graph.remove((entity, SKOS_ALT, name))
        if all(x is not None for x in spo) and not _supported(graph, spo, STMT):
            graph.remove(spo)
            gone_facts.add(spo)
        if entity is not None:
            entities.setdefault((gid, entity), graph)
    for (_, entity), graph in entities.items():  # after every fact went: one may have been all that held it
        if not _held(graph, entity, STMT, KGA):
            # (a record of a mention that linked to an entity an earlier document introduced
            # leaves no description in this document's graph: nothing to remove, nothing counted)
            described = [t for pred in (RDFS.label, RDF.type, SKOS_ALT) for t in graph.triples((entity, pred, None))]
            for t in described:
                graph.remove(t)
            report.entities += bool(described)
    report.decisions = len(found)
    report.facts = sum(1 for t in gone_facts if t not in ds)
    if hits:
        kg.invalidate()
    return report


def _supported(graph: Any, spo: tuple[Any, Any, Any], stmt: Any) -> bool:
    """Whether another statement node of this graph still records the fact."""
    from rdflib import RDF

    s, p, o = spo
    for node in graph.subjects(RDF.subject, s):
        if str(node).startswith(str(stmt)) and (node, RDF.predicate, p) in graph and (node, RDF.object, o) in graph:
            return True
    return False


def _held(graph: Any, entity: Any, stmt: Any, kga: Any) -> bool:
    """Whether the document graph still has a mention record of the entity or a fact using it."""
    from rdflib import RDF, RDFS

    from kgagent.kg.vocab import SKOS_ALT

    if any(True for _ in graph.subjects(kga.entity, entity)):
        return True
    for s, p, o in graph.triples((entity, None, None)):
        if p not in (RDFS.label, RDF.type, SKOS_ALT):
            return True
    return any(not str(s).startswith(str(stmt)) for s in graph.subjects(None, entity))


def reviewed_out(path: str | Path) -> Path | None:
    """The extraction output directory a graph file (``OUT/graph.nq``) or ``OUT`` itself belongs
    to, when reviewers answered there (it has ``decisions.jsonl`` and ``reviews.sqlite``); None
    when no one did. Answers that cannot be applied are an error, since reading the graph without
    them would bring back what reviewers rejected without a word: InputError KGA470 for a
    reviews.sqlite beside no decisions.jsonl, StorageError KGA522 for a reviews.sqlite that is a
    folder."""
    from kgagent.errors import InputError, StorageError
    from kgagent.review.store import DB_NAME

    p = Path(path)
    out = p if p.is_dir() else p.parent
    db = out / DB_NAME
    if not db.exists():
        return None
    if not db.is_file():
        raise StorageError(f"{db} is not a review database (a folder): the reviewers' rejections cannot be read; "
                           "read the graph without its reviews (kg import --ignore-reviews) to take every fact",
                           code="KGA522")
    if not (out / "decisions.jsonl").is_file():
        raise InputError(f"{out} has reviewers' answers ({DB_NAME}) but no decisions.jsonl: the facts they rejected "
                         "cannot be found; restore it, or read the graph without its reviews (kg import "
                         "--ignore-reviews) to take every fact", code="KGA470")
    return out
