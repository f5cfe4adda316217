"""Graph alignment: an entity imported from a second source that is one already in the graph
(United States from DBpedia and from GeoNames) becomes its twin, ``owl:sameAs``, with evidence.

``align_entities(kg, new)`` compares the entities of one source (``new``: e.g. those an import
added) with those already in the graph, as plain functions over the graph. A pair is a
candidate when one of their names (labels and aliases, at the alias table's three levels:
exact, case-folded, stripped) is equal, or, with a ``linker`` and only for a new entity no name
matches, when its label's embedding is at least ``embed_threshold`` close to an existing label. Then each candidate is weighed on:

- **kinds** (the ontology's root classes): both known and different -> never the same;
- **classes** (the ontology's classes below the kinds): both known, neither within the other
  (a city and a region called New York) -> never the same;
- **graph neighbours**: how many neighbours of the new entity (either direction) have a name
  of a neighbour of the existing one ("Paris" next to "France" on both sides) or are its twin;
- **embedding similarity** of the labels, when a linker is given (recorded; the threshold for
  the candidates it proposes).

A pair is accepted when the kinds fit and there is positive evidence beyond a shared name: both
kinds known, or at least one agreeing neighbour (an untyped DBpedia "Jordan" never becomes the
country on its name alone); an embedding-only pair also needs a neighbour. Score = name level
(1.0 / 0.97 / 0.93, or the cosine) + 0.1 per agreeing neighbour (up to 5) + 0.05 when the
classes are known and nested. A name matched through a qualified label's head ("Shirley" of
"Shirley, Derbyshire") counts only when the qualifier names a neighbour of the candidate. A new
entity whose two best candidates score within ``min_margin`` (within two neighbours when they
are of other classes: a city and a region called Dublin) is ambiguous and stays alone, unless the tied candidates are of one class and one is ten
times as populous as the others (prominence: Dallas, Texas rather than Dallas, Oregon).
Finally a one-to-one matching, best score first: a cluster never takes two entities of one
source, and a new entity joins at most one cluster, always through the cluster's canonical
entity (the one already in the graph), after checking its kinds and classes against every
member: no chain of sameAs links that no single piece of evidence supports.

``apply_alignment`` writes ``new owl:sameAs canonical`` into the alignment graph with a
``kga:Alignment`` node per link holding its evidence; the linker then treats a cluster as one
candidate (the canonical entity). ``canonical_map`` reads the clusters back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, XSD, Literal, URIRef

from kgagent.kg.aliases import LEVEL_SCORES, alias_keys
from kgagent.kg.vocab import ALIGN, ALIGNMENT_GRAPH, KGA, content_hash

if TYPE_CHECKING:
    from kgagent.kg.linker import Linker
    from kgagent.kg.store import KnowledgeGraph

#: how far the best candidate of a new entity must score above the second (else: ambiguous)
MIN_MARGIN = 0.05
#: cosine from which an embedding proposes a candidate (it still needs an agreeing neighbour)
EMBED_THRESHOLD = 0.9
NEIGHBOUR_WEIGHT = 0.1
MAX_NEIGHBOURS = 5
CLASS_BONUS = 0.05
#: a tie between places of one class is broken by a population ten times larger (prior +0.1)
PROMINENCE_GAP = 0.1


@dataclass(frozen=True)
class Twin:
    """One accepted sameAs link: ``entity`` (new) is ``canonical`` (already in the graph)."""

    entity: str
    canonical: str
    score: float
    name: str  # how the names agree: "label = label", "alias = label", ..., or "embedding"
    name_score: float
    kinds: tuple[str, ...] = ()  # the kinds both sides have (empty: one side has none)
    classes: str = "unknown"  # "nested" (one side's classes within the other's) or "unknown"
    neighbours: tuple[tuple[str, str], ...] = ()  # agreeing neighbours (new side, existing side)
    embedding: float | None = None
    runner_up: float | None = None  # the next candidate's score, if any
    prominence: float | None = None  # a tie broken by prominence: the prior gap to the next

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "canonical": self.canonical, "score": self.score, "name": self.name,
                "name_score": self.name_score, "kinds": list(self.kinds), "classes": self.classes,
                "neighbours": [list(p) for p in self.neighbours], "embedding": self.embedding,
                "runner_up": self.runner_up, "prominence": self.prominence}


@dataclass
class AlignmentReport:
    """What ``align_entities`` found: the links, and what it left alone and why (counts)."""

    twins: list[Twin] = field(default_factory=list)
    candidates: int = 0  # new entities with at least one candidate
    ambiguous: list[str] = field(default_factory=list)  # new entities with two candidates too close
    incompatible: int = 0  # candidate pairs refused by kinds or classes
    unsupported: int = 0  # candidate pairs with a shared name and no other evidence
    taken: int = 0  # accepted pairs lost in the one-to-one matching


def canonical_map(kg: "KnowledgeGraph") -> dict[str, str]:
    """member -> canonical entity for every alignment cluster (canonical entities map to nothing)."""
    step = {}
    for s, _, o, g in kg.dataset.quads((None, OWL.sameAs, None, None)):  # reads only: no graph is created
        if (g.identifier if hasattr(g, "identifier") else g) == ALIGNMENT_GRAPH:
            step[str(s)] = str(o)
    out = {}
    for member in step:
        seen, cur = {member}, step[member]
        while cur in step and step[cur] not in seen:
            seen.add(cur)
            cur = step[cur]
        out[member] = cur
    return out


def _names(kg: "KnowledgeGraph", iri: str) -> list[tuple[str, str]]:
    """(name, "label" | "alias") of an entity."""
    e = kg.entity(iri)
    if e is None:
        return []
    return [(e.label, "label")] + [(a, "alias") for a in e.aliases]


def _name_match(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> tuple[float, str, str] | None:
    """(level, "role of b = role of a", b's name) for the best level at which a name of ``b``
    (new) equals a name of ``a`` (existing)."""
    best: tuple[float, str, str] | None = None
    keys_a = [(alias_keys(n), role) for n, role in a]
    for n, role_b in b:
        kb = alias_keys(n)
        for ka, role_a in keys_a:
            for level, score in enumerate(LEVEL_SCORES):
                if kb[level] and kb[level] == ka[level]:
                    cand = (score + (0.001 if role_a == role_b == "label" else 0.0), f"{role_b} = {role_a}", n)
                    if best is None or cand[0] > best[0]:
                        best = cand
                    break
    return best


class _Profile:
    """Kinds, ontology classes and neighbour name keys of entities, computed once each."""

    def __init__(self, kg: "KnowledgeGraph", kinds: frozenset[str]):
        self.kg, self.kinds = kg, kinds
        self.nx = kg.to_networkx()
        self._classes: dict[str, frozenset[str]] = {}
        self._nkeys: dict[str, dict[str, str]] = {}

    def classes(self, iri: str) -> frozenset[str]:
        """The entity's classes of the ontology's own vocabulary (names, not IRIs), with superclasses."""
        c = self._classes.get(iri)
        if c is None:
            c = self._classes[iri] = frozenset(t for t in self.kg.entity_types(iri, closure=True) if "://" not in t)
        return c

    def neighbour_keys(self, iri: str) -> dict[str, str]:
        """stripped name key -> neighbour IRI, for every neighbour (either direction) with a name."""
        out = self._nkeys.get(iri)
        if out is None:
            out = {}
            if iri in self.nx:
                for n in sorted(set(self.nx.successors(iri)) | set(self.nx.predecessors(iri))):
                    for name, _ in _names(self.kg, n):
                        out.setdefault(alias_keys(name)[2], n)
            self._nkeys[iri] = out
        return out


def _compatible(p: _Profile, a: str, b: str) -> tuple[bool, tuple[str, ...], str]:
    """(may be the same, shared kinds, "nested" | "unknown") for two entities."""
    ca, cb = p.classes(a), p.classes(b)
    ka, kb = ca & p.kinds, cb & p.kinds
    if ka and kb and ka != kb:
        return False, (), "unknown"
    if ca and cb:
        if not (ca <= cb or cb <= ca):
            return False, (), "unknown"
        return True, tuple(sorted(ka & kb)), "nested"
    return True, (), "unknown"


def _agreeing(p: _Profile, existing: str, new: str, canon: dict[str, str]) -> tuple[tuple[str, str], ...]:
    ne, nn = p.neighbour_keys(existing), p.neighbour_keys(new)
    out = []
    for key, n in nn.items():
        if key in ne:
            out.append((n, ne[key]))
        elif canon.get(n) in set(ne.values()):
            out.append((n, canon[n]))
    return tuple(sorted(set(out)))


def _qualifier(kg: "KnowledgeGraph", iri: str, name: str) -> str | None:
    """The qualifier of a label that is ``name`` + ", " + qualifier ("Shirley, Derbyshire")."""
    e = kg.entity(iri)
    if e is None or not e.label.startswith(name + ", "):
        return None
    return e.label[len(name) + 2:].strip() or None


def _most_prominent(kg: "KnowledgeGraph", prof: _Profile, tied: list[Twin]) -> tuple[Twin, float] | None:
    """Among tied candidates of the same classes (two cities called Dallas), the one whose
    prominence (``KnowledgeGraph.prior``: (log10 population + 1) / 10) is at least ``PROMINENCE_GAP``
    above every other's, with that gap; None when there is no such one (a city and a region)."""
    if len({prof.classes(t.canonical) for t in tied}) != 1:
        return None
    ranked = sorted(((kg.prior(t.canonical), t.canonical, t) for t in tied), key=lambda x: (-x[0], x[1]))
    gap = ranked[0][0] - ranked[1][0]
    return (ranked[0][2], round(gap, 3)) if gap >= PROMINENCE_GAP - 1e-9 else None


def align_entities(kg: "KnowledgeGraph", new: Iterable[str], existing: Iterable[str] | None = None, *,
                   kinds: Iterable[str] | None = None, linker: "Linker | None" = None,
                   embed_threshold: float = EMBED_THRESHOLD, min_margin: float = MIN_MARGIN) -> AlignmentReport:
    """Find the twins of ``new`` entities among ``existing`` ones (None: every other entity).

    ``kinds``: the ontology's root classes (None: the graph's). ``linker``: a linker over this
    graph, whose index proposes embedding candidates. Changes nothing (see ``apply_alignment``);
    deterministic for a given graph.
    """
    kind_set = frozenset(kinds) if kinds is not None else kg.root_classes()
    canon = canonical_map(kg)
    new_set = {e for e in new if e not in canon}
    old = set(existing) if existing is not None else {e for e in kg.entities() if e not in new_set}
    old -= new_set
    members: dict[str, list[str]] = defaultdict(list)
    for m, c in canon.items():
        members[c].append(m)
    heads = {canon.get(e, e) for e in old}  # a cluster is one candidate: its canonical entity
    by_key: dict[str, set[str]] = defaultdict(set)
    for h in heads:
        for iri in (h, *members.get(h, ())):
            for name, _ in _names(kg, iri):
                by_key[alias_keys(name)[2]].add(h)
    prof = _Profile(kg, kind_set)
    report = AlignmentReport()
    scored: list[tuple[float, str, str, Twin]] = []
    new_sorted = sorted(new_set)
    emb: dict[str, dict[str, float]] = defaultdict(dict)
    if linker is not None and new_sorted and len(linker.index):
        labels = [(e, kg.entity(e)) for e in new_sorted]
        labels = [(e, ent.label) for e, ent in labels if ent is not None]
        vecs = linker.embed([lab for _, lab in labels])
        sims, ids = linker.index.search(vecs, 10)
        for (e, _), srow, irow in zip(labels, sims, ids):
            for s, j in zip(srow, irow):
                if j >= 0 and float(s) >= embed_threshold:
                    h = canon.get(linker.index.rows[j][0], linker.index.rows[j][0])
                    if h in heads:
                        emb[e][h] = max(emb[e].get(h, 0.0), round(float(s), 4))
    for e in new_sorted:
        names_e = _names(kg, e)
        cands = set().union(*(by_key.get(alias_keys(n)[2], set()) for n, _ in names_e)) if names_e else set()
        if not cands:  # the embedding proposes only where no name does
            cands = set(emb.get(e, {}))
        if not cands:
            continue
        report.candidates += 1
        ok: list[Twin] = []
        for h in sorted(cands):
            cluster = [h, *members.get(h, ())]
            match = None
            for m in cluster:
                nm = _name_match(_names(kg, m), names_e)
                if nm is not None and (match is None or nm[0] > match[0]):
                    match = nm
            cos = emb.get(e, {}).get(h)
            if match is None and cos is None:
                continue
            fits = [_compatible(prof, m, e) for m in cluster]
            if not all(f[0] for f in fits):
                report.incompatible += 1
                continue
            shared, classes = fits[0][1], fits[0][2]
            agree = _agreeing(prof, h, e, canon)
            if match is not None and match[1].startswith("alias") and (qual := _qualifier(kg, e, match[2])):
                # "Shirley, Derbyshire" matched by its head "Shirley": the qualifier must name a
                # neighbour of the candidate (Round Rock lies in Texas), else it is another Shirley
                hit = prof.neighbour_keys(h).get(alias_keys(qual)[2])
                if hit is None:
                    report.unsupported += 1
                    continue
                agree = tuple(sorted({*agree, (f"{qual} (qualifier)", hit)}))
            if match is None:  # embedding only: needs both kinds known and a neighbour
                if not shared or not agree:
                    report.unsupported += 1
                    continue
                name, name_score = "embedding", float(cos)
            else:
                if not shared and not agree:
                    report.unsupported += 1
                    continue
                name, name_score = match[1], round(match[0], 3)
            score = name_score + NEIGHBOUR_WEIGHT * min(len(agree), MAX_NEIGHBOURS) + \
                (CLASS_BONUS if classes == "nested" else 0.0)
            ok.append(Twin(entity=e, canonical=h, score=round(score, 4), name=name, name_score=name_score,
                           kinds=shared, classes=classes, neighbours=agree, embedding=cos))
        if not ok:
            continue
        ok.sort(key=lambda t: (-t.score, t.canonical))
        second = ok[1].score if len(ok) > 1 else None
        prominence = None
        # candidates of other classes (a city and a region called Dublin) that the new entity's
        # own classes do not choose between: neighbours must outnumber by two, not one
        margin = min_margin if len(ok) < 2 or prof.classes(ok[0].canonical) == prof.classes(ok[1].canonical) \
            else max(min_margin, 2 * NEIGHBOUR_WEIGHT - 1e-9)
        if second is not None and ok[0].score - second < margin:
            tied = [t for t in ok if ok[0].score - t.score < margin]
            prominence = _most_prominent(kg, prof, tied)
            if prominence is None:
                report.ambiguous.append(e)
                continue
            ok = [prominence[0]] + [t for t in ok if t is not prominence[0]]
        best = Twin(**{**ok[0].__dict__, "runner_up": second,
                       "prominence": prominence[1] if prominence is not None else None})
        scored.append((-best.score, e, best.canonical, best))
    used_heads: set[str] = set()
    for _, e, h, twin in sorted(scored):
        if h in used_heads:  # one entity per source in a cluster: the best claim wins
            report.taken += 1
            continue
        used_heads.add(h)
        report.twins.append(twin)
    report.twins.sort(key=lambda t: (t.canonical, t.entity))
    return report


def apply_alignment(kg: "KnowledgeGraph", twins: Iterable[Twin], source: str = "") -> int:
    """Write each twin as ``entity owl:sameAs canonical`` in the alignment graph, with a
    ``kga:Alignment`` node holding its evidence; returns how many links were written."""
    graph = kg.dataset.graph(ALIGNMENT_GRAPH)
    n = 0
    for t in twins:
        e, c = URIRef(t.entity), URIRef(t.canonical)
        node = ALIGN[content_hash(t.canonical, t.entity)]
        rows = [(e, OWL.sameAs, c), (node, RDF.type, KGA.Alignment), (node, KGA.member, e),
                (node, KGA.canonical, c), (node, KGA.score, Literal(t.score, datatype=XSD.double)),
                (node, KGA.nameMatch, Literal(t.name)), (node, KGA.nameScore, Literal(t.name_score, datatype=XSD.double)),
                (node, KGA.classes, Literal(t.classes))]
        rows += [(node, KGA.kind, Literal(k)) for k in t.kinds]
        rows += [(node, KGA.agreesWith, Literal(f"{a} = {b}")) for a, b in t.neighbours]
        if t.embedding is not None:
            rows.append((node, KGA.embedding, Literal(t.embedding, datatype=XSD.double)))
        if t.runner_up is not None:
            rows.append((node, KGA.runnerUp, Literal(t.runner_up, datatype=XSD.double)))
        if t.prominence is not None:
            rows.append((node, KGA.prominenceGap, Literal(t.prominence, datatype=XSD.double)))
        if source:
            rows.append((node, KGA.source, Literal(source)))
        for row in rows:
            graph.add(row)
        n += 1
    kg.invalidate()
    return n
