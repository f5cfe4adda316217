"""Entity linking: alias table first, then FAISS over label embeddings, type-aware, with NIL.

For each mention (surface text, normalised type or None):

1. the alias table gives entities whose label or alias equals the text exactly (score 1.0),
   case-folded (0.97) or without accents/punctuation/leading article (0.93); if one of them
   fits the mention's type, the mention is linked without embedding it;
2. otherwise the mention is embedded (batched, cached) and the nearest labels are searched
   in the FAISS index (cosine similarity);
3. candidates are ranked by similarity + ``type_bonus`` if the entity's types (with their
   superclasses) contain the mention type, - ``type_penalty`` if the entity has a kind (a root
   class of the ontology, ``kinds``) that does not fit, + ``prior_weight`` x prominence; the
   ``untyped`` class (mentions of no particular kind) and its subclasses are not type-checked;
   an entity of another kind than the mention is a candidate only through an exact name (the
   alias table), never on embedding similarity alone;
4. the best candidate is the link, unless its score is below ``nil_threshold`` (NIL: a new
   entity). The default threshold was chosen on the dev half of N3 (benchmarks/kg/nil.py).

An entity's own name outranks another entity's alternate name: when the alias table finds some
entities by their label and others, as well, only by an alternate name, the latter lose
``alternate_name_margin`` (0.03: more than the prior can give, less than the type bonus),
unless one of the latter is a place of millions (prior >= ``PROMINENT_PRIOR``) and all the former
are towns under 100,000 or regions (prior < ``MINOR_PRIOR``): "Holland" is the Netherlands, not
Holland, Michigan, and "New York" New York City, not the state; "St." says "Saint" ("St.
Petersburg" is Saint Petersburg's own name too, so the prior picks it over Florida's). GeoNames
lists "Maine" among Des Plaines' old names, "Newton" among Tallahassee's and "Quebec" among New
Britain's; with the prior alone a town of 58,000 outranked a state the graph knows only by its
degree. A US state's prior is now that of its cities' people (``kga:populationAtLeast``, capped:
:func:`kgagent.kg.store._prominence`), so that "Virginia" is not Virginia, South Africa; such a
region still counts as minor here, so "New York" stays New York City.

A document's places choose among namesakes (:meth:`Linker.cohere`, which the agent calls for a
domain that links places by name): a mention naming several graph entities by their own name is
the one sharing the most places with the document's unambiguous links, if about as prominent as
the linker's choice ("Greenville" beside "Clarksdale" is Mississippi's; "SAN JOSE, Costa Rica"
Costa Rica's; "Paris" beside US towns stays Paris, France).

A word a domain derives from names (``derived_suffixes``: "-based") is found by its name when the
alias table has no entity of the whole word: "Houston-based" is Houston, at an alias's score, for
the word says where ("Houston-based Cain Chemical"); the mention keeps its class (CoNLL-2003 tags
such a word MISC), and its link tells the rules what place it is about.

A demonym of an entity (``kga:demonym``: "Venezuelan" of Venezuela) is found like an alias but
scores ``demonym_score`` x the alias level (0.8): the word refers to the entity without naming it,
so its link stays below the rules' usual trust level (0.9) even with the type bonus and prior,
and a mention of another kind ("American" tagged as an organisation) falls below NIL. A one-word
abbreviation found without its full stop ("Mass" of "Mass.") scores so too, unless the mention
is of the entity's own kind: "Mich" ending a sentence, a location, is Michigan; "Mass" the
service, of no particular kind, is not trusted to be Massachusetts. A code of an entity
(``kga:code``: "US", "USA" of the United States; "U.S." finds it as "Mass" finds "Mass.") counts
only for a mention written in capitals that no name is found for ("La" is Louisiana's
abbreviation, not Laos' code), and of the entity's own kind (or of none given): "A.D." the era
is not Andorra.

With ``by_name`` (a domain's ``link_by_name``: its graph's entities are known by their names, as
places are) an entity the embedding finds is a candidate only when one of its names says the
mention's words (``same_words``: any order, case, accents and punctuation aside, a ", qualifier"
after them allowed) or the similarity is at least ``similar_enough`` (0.95): "Aumsville" is not
Hayesville, "Morgan City" not Morgantown, whatever their embeddings say (on CoNLL04 dev most
links found by similarity alone named another place); and a mention "X, Y" whose Y names graph
entities links only to a candidate a relation leads from to one of them, every namesake of X
in the alias table tried ("Amherst, Mass." is the Amherst in Massachusetts; none there: NIL). Without it (the default) similarity alone may
link, as descriptions need ("the capital of Spain").

An entity a document introduced (``kgagent.kg.vocab.is_new_entity``: extraction minted it for an
accepted mention) is a candidate only for a mention of its own kind, the untyped class counting as
one: its class is what one accepted mention was, so a document's company "Ford" is not another's
person "Ford", nor its place "Soviet" another's "Soviet" of no particular kind.

Entities that are ``owl:sameAs`` one another in the alignment graph (twins from two sources,
``kgagent.kg.alignment``) are one candidate: the cluster's canonical entity, scored by its best
member, with the types of all its members and the largest prior.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kgagent.errors import GraphError
from kgagent.kg.aliases import AliasTable, mention_word_keys
from kgagent.kg.checks import callable_arg, count_arg, graph_arg, number_arg, text_arg, texts_arg
from kgagent.kg.index import HNSW_THRESHOLD, Embedder, EmbedFn, EntityIndex, fingerprint
from kgagent.kg.vocab import is_new_entity
from kgagent.names import derived_from, stem_text
from kgagent.schema import Candidate, Link

if TYPE_CHECKING:
    from kgagent.kg.store import KnowledgeGraph

#: chosen on the dev half of N3 (Reuters-128 + RSS-500), see benchmarks/kg/RESULTS.md
NIL_THRESHOLD = 0.70
#: a demonym's hit, relative to an alias's (0.8 x 1.0 + type bonus 0.05 + prior <= 0.02 < 0.9)
DEMONYM_SCORE = 0.8
#: what an entity found only by an alternate name loses beside one found by its label (its own name)
ALTERNATE_NAME_MARGIN = 0.03
#: ... unless it is this prominent (a population of millions) and they are below this (a town
#: under 100,000, or a region the graph knows by its degree): "Holland" is the Netherlands, not
#: Holland, Michigan; "New Delhi" is New Delhi (320,000), not Delhi, which GeoNames also calls so
PROMINENT_PRIOR = 0.7  # a population of 1,000,000 or more
MINOR_PRIOR = 0.6  # 100,000 people; a region's prior (by its degree) is at most 0.5, and a
# region known by the people of its cities (kga:populationAtLeast) counts as minor whatever its prior
#: document coherence (:meth:`Linker.cohere`): a namesake may replace the linker's choice when
#: its prior is at most this lower (a third of the people: Mississippi's Greenville, 30,000,
#: for North Carolina's, 90,000; not Paris, Texas for Paris, France)
COHERENCE_GAP = 0.05
#: ... and links of at least this score count (the rules' trust level)
COHERENCE_ANCHOR = 0.9
#: the words that begin place names, and how English abbreviates them: "St. Petersburg" is
#: Saint Petersburg's own name too, so the own-name table holds a label in both spellings
_ABBREVIATED = {"Saint": "St.", "Sainte": "Ste.", "Mount": "Mt.", "Fort": "Ft."}
_ABBREVIABLE = re.compile(r"^(Saint|Sainte|Mount|Fort)\s+(?=\S)")
#: with ``by_name``: an entity the embedding finds this similar is a candidate whatever its names
#: ("Bosnia" of Bosnia and Herzegovina, 0.98; the wrong places on CoNLL04 dev scored up to 0.93)
SIMILAR_ENOUGH = 0.95


class Linker:
    """Links mentions to entities of a KnowledgeGraph (see the module docstring)."""

    def __init__(self, kg: "KnowledgeGraph", model: str | Path | None = None, *, embed: EmbedFn | None = None,
                 embed_id: str | None = None, index_dir: str | Path | None = None,
                 nil_threshold: float = NIL_THRESHOLD, type_bonus: float = 0.05, type_penalty: float = 0.25,
                 prior_weight: float = 0.02, max_aliases: int = 0, alias_shortcut: bool = True,
                 hnsw_threshold: int = HNSW_THRESHOLD, persist: bool = True, batch_size: int = 256,
                 bfloat16: bool | Callable[[], bool] = False, kinds: Iterable[str] | None = None,
                 untyped: str | None = None,
                 seed_index_dir: str | Path | None = None, demonym_score: float = DEMONYM_SCORE,
                 by_name: bool = False, similar_enough: float = SIMILAR_ENOUGH,
                 name_suffixes: Iterable[str] = (), stem_classes: Iterable[str] = (),
                 alternate_name_margin: float = ALTERNATE_NAME_MARGIN, derived_suffixes: Iterable[str] = (),
                 kind_words: Mapping[str, str] | None = None):
        graph_arg(kg)
        nil_threshold = number_arg(nil_threshold, "nil_threshold")  # -1: never NIL
        if embed is not None:
            callable_arg(embed, "embed")
        if kinds is not None:
            kinds = texts_arg(kinds, "kinds")
        self.kg = kg
        #: the ontology's kinds (root classes): an entity of another kind contradicts a mention's type
        self.kinds = frozenset(kinds) if kinds is not None else kg.root_classes()
        #: the class of mentions of no particular kind (never type-checked), if any
        self.untyped = untyped
        #: an index of the same embedding model to take vectors from when this one must be rebuilt
        #: (None: the default domain's, so a copy of its graph saved elsewhere embeds only what is new)
        self.seed_index_dir = Path(seed_index_dir) if seed_index_dir is not None else None
        self.nil_threshold = nil_threshold
        self.demonym_score = demonym_score
        #: entities are known by their names: one the embedding finds, and no name of it says the
        #: mention's words (``same_words``), is a candidate only from ``similar_enough`` on
        self.by_name = by_name
        self.similar_enough = similar_enough
        #: an entity of one of ``stem_classes`` is also found by its name without the
        #: ``name_suffixes`` at its end ("Montedison" for "Montedison SPA"; kgagent.names)
        self.name_suffixes = frozenset(name_suffixes)
        self.stem_classes = frozenset(stem_classes)
        self.alternate_name_margin = alternate_name_margin
        #: a word made of a name and one of these endings ("Houston-based") is linked as the name
        #: is, when no name of the graph is the whole word (longest ending first, case aside)
        self.derived_suffixes = tuple(derived_suffixes)  # names.derived_from tries the longest first
        #: a word after a name that says its class ("Helmand province": "province" -> "region"):
        #: the name before it is linked to an entity of that class, when no name is the whole text
        self.kind_words = {w.casefold(): c for w, c in (kind_words or {}).items()}
        self.type_bonus = type_bonus
        self.type_penalty = type_penalty
        self.prior_weight = prior_weight
        self.max_aliases = max_aliases
        self.alias_shortcut = alias_shortcut
        self.hnsw_threshold = hnsw_threshold
        self.persist = persist
        if embed is not None:
            if model is not None:
                raise GraphError("give either model or embed, not both", code="KGA209")
            self._embed: EmbedFn = embed
            self.model_id = embed_id or f"fn:{getattr(embed, '__qualname__', type(embed).__name__)}"
        else:
            embedder = Embedder(model, batch_size=batch_size, bfloat16=bfloat16)
            self._embed = embedder
            self.model_id = embedder.id
        if index_dir is not None:
            self.index_dir: Path | None = Path(index_dir)
        elif kg.path is not None:
            self.index_dir = Path(kg.path).parent / "index"
        else:
            self.index_dir = None
        self.rebuilt = False  # did opening have to (re)build the index?
        self.embedded_rows = 0  # rows embedded while opening (the rest were reused)
        self._labels: dict[str, str] = {}
        self._types: dict[str, frozenset[str]] = {}
        self._priors: dict[str, float] = {}
        self._bounded: dict[str, bool] = {}  # population known only as a lower bound (a US state)
        self._aliases = AliasTable()
        self._own_names = AliasTable()  # each entity's label(s) alone: its own name, not an alternate one
        self._demonyms = AliasTable()
        self._codes = AliasTable()
        self._untyped_cache: dict[str, bool] = {}
        self._type_kinds: dict[str, frozenset[str]] = {}
        self.index = self._open()
        self._profile_entities()
        self._add_stems(sorted(self._labels))
        self._canonical: dict[str, str] = {}
        self.refresh_twins()

    def _profile_entities(self) -> None:
        """Priors and types of every labelled entity from one pass over the graph (linking then
        looks nothing up in the graph; entities added later are looked up one by one)."""
        priors, types = self.kg.entity_profiles()
        none: frozenset[str] = frozenset()
        for iri in self._labels:
            self._priors[iri] = priors.get(iri, 0.0)
            self._types[iri] = types.get(iri, none)

    def _add_stems(self, iris: Iterable[str]) -> None:
        """Give each of these entities of a ``stem_classes`` class its stem as a name (the alias
        table only: no vector), unless the linker already answers that name: "Boston" stays the
        city's, whatever "Boston Ltd" is. Several entities of one stem all take it."""
        if not self.name_suffixes or not self.stem_classes:
            return
        stems = [(iri, stem) for iri in iris
                 if self._entity_types(iri) & self.stem_classes
                 and (stem := stem_text(self._labels.get(iri, ""), self.name_suffixes))]
        free = {stem for _, stem in stems if not self._answers(stem)}
        for iri, stem in stems:
            if stem in free:
                self._aliases.add(iri, stem)

    def refresh_twins(self) -> None:
        """Read the alignment clusters (again, after ``apply_alignment`` on this graph): member ->
        canonical; the canonical entity takes its members' types and the largest prior."""
        from kgagent.kg.alignment import canonical_map

        self._canonical = canonical_map(self.kg)
        members: dict[str, list[str]] = defaultdict(list)
        for m, c in self._canonical.items():
            members[c].append(m)
        for c, ms in members.items():
            cluster = [c, *ms]
            self._types[c] = frozenset().union(*(self._entity_types(x) for x in cluster))
            self._priors[c] = max(self._prior(x) for x in cluster)

    def canonical(self, iri: str) -> str:
        """The canonical entity of ``iri``'s alignment cluster (``iri`` itself if it has no twin)."""
        return self._canonical.get(iri, iri)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors of ``texts`` with this linker's model (batched, cached)."""
        return np.asarray(self._embed(list(texts)), dtype=np.float32)

    # -------------------------------------------------------------- index
    def _rows_for(self, iri: str, label: str, aliases: Iterable[str]) -> list[tuple[str, str]]:
        rows = [(iri, label)]
        for a in list(aliases)[: self.max_aliases]:
            if a != label:
                rows.append((iri, a))
        return rows

    def _graph_rows(self) -> list[tuple[str, str]]:
        aliases: dict[str, list[str]] = defaultdict(list)
        for iri, name, preferred in self.kg.label_table():
            self._aliases.add(iri, name)
            if preferred:
                self._add_own_name(iri, name)
                if iri not in self._labels or name < self._labels[iri]:
                    self._labels[iri] = name
            else:
                aliases[iri].append(name)
        for iri, name in self.kg.own_name_table():  # a domain's names of an entity, as good as its label
            self._add_own_name(iri, name)
        for iri, name in self.kg.demonym_table():
            self._demonyms.add(iri, name)
        for iri, code in self.kg.code_table():
            self._codes.add(iri, code)
        rows = []
        for iri in sorted(self._labels):
            rows += self._rows_for(iri, self._labels[iri], sorted(aliases.get(iri, ())))
        return rows

    def _open(self) -> EntityIndex:
        rows = self._graph_rows()
        fp = fingerprint(rows, self.model_id)
        old: EntityIndex | None = None
        if self.index_dir is not None:
            meta = EntityIndex.read_meta(self.index_dir)
            if meta is not None and meta.get("fingerprint") == fp:
                with contextlib.suppress(GraphError):
                    return EntityIndex.load(self.index_dir, expected_fingerprint=fp)
            if meta is not None and meta.get("model") == self.model_id:
                with contextlib.suppress(GraphError):
                    old = EntityIndex.load(self.index_dir)
        seed = self.seed_index_dir if self.seed_index_dir is not None else _default_seed()
        if old is None and seed is not None:  # e.g. a copy of the domain's graph saved elsewhere: reuse its vectors
            meta = EntityIndex.read_meta(seed)
            if meta is not None and meta.get("model") == self.model_id and seed != self.index_dir:
                with contextlib.suppress(GraphError):
                    old = EntityIndex.load(seed)
        self.rebuilt = True
        known = old.vectors_by_text() if old is not None else {}
        texts = [t for _, t in rows]
        todo = sorted({t for t in texts if t not in known})
        self.embedded_rows = len(todo)
        fresh = dict(zip(todo, self._embed(todo))) if todo else {}
        dim = self._dim(fresh, known)
        vectors = np.stack([fresh[t] if t in fresh else known[t] for t in texts]) if texts else np.zeros((0, dim), np.float32)
        index = EntityIndex.build(rows, vectors, self.model_id, hnsw_threshold=self.hnsw_threshold)
        self._save_index(index)
        return index

    def _dim(self, *maps: dict[str, np.ndarray]) -> int:
        for m in maps:
            for v in m.values():
                return int(v.shape[-1])
        return int(np.asarray(self._embed(["x"])).shape[-1])

    def _save_index(self, index: EntityIndex) -> None:
        if self.persist and self.index_dir is not None:
            with contextlib.suppress(OSError):  # a read-only install still links (index in memory)
                index.save(self.index_dir)

    def save(self) -> None:
        """Persist the index beside the graph (after ``add_entities``)."""
        self._save_index(self.index)

    def knows(self, iri: str) -> bool:
        """Whether the linker knows the entity (its names; its vectors too unless it was added
        ``by_name_only``)."""
        return iri in self._labels

    def add_entities(self, iris: Iterable[str], *, by_name_only: bool = False) -> None:
        """Index entities added to the graph since the linker was made (incremental). With
        ``by_name_only`` only their names go in (the alias table), not their vectors: they are
        found by their names, never by similarity alone (entities a document introduced: that
        "7.13 percent" is like "7.12 percent", or "Rugby Union" like "Rugby Football Union", says
        nothing of who they are; merging such twins is entity resolution's work), and a name the
        linker already answers (an entity's name, a demonym, a code) keeps its answer: a person
        a document called "Washington" does not take the name from the city."""
        rows: list[tuple[str, str]] = []
        for iri in texts_arg(iris, "the IRIs to add"):
            ent = self.kg.entity(iri)
            if ent is None:
                raise GraphError(f"add_entities: no entity {iri} in the graph", code="KGA207")
            known = iri in self._labels  # (an entity new to the linker has no rows to look for)
            names = [ent.label, *ent.aliases]
            if by_name_only:
                names = [n for n in names if not self._answers(n)]
                if not names:
                    continue
            for name in names:
                self._aliases.add(iri, name)
            if ent.label in names:
                self._add_own_name(iri, ent.label)
            self._labels[iri] = ent.label
            self._types.pop(iri, None)
            self._priors.pop(iri, None)
            self._bounded.pop(iri, None)
            self._add_stems([iri])
            if by_name_only:
                continue
            new = self._rows_for(iri, ent.label, ent.aliases)
            have = {r for r in self.index.rows if r[0] == iri} if known and len(self.index) < 50_000 else set()
            rows += [r for r in new if r not in have]
        if rows:
            self.index.add(rows, self._embed([t for _, t in rows]))

    def _answers(self, name: str) -> bool:
        """Whether the linker finds something by this name (alias, demonym or code)."""
        return bool(self._aliases.lookup(name) or self._demonyms.lookup(name) or self._codes.lookup(name))

    # -------------------------------------------------------------- linking
    def _entity_types(self, iri: str) -> frozenset[str]:
        t = self._types.get(iri)
        if t is None:
            t = self._types[iri] = frozenset(self.kg.entity_types(iri, closure=True))
        return t

    def _prior(self, iri: str) -> float:
        p = self._priors.get(iri)
        if p is None:
            p = self._priors[iri] = self.kg.prior(iri)
        return p

    def _size_unknown(self, iri: str) -> bool:
        """The graph knows only a lower bound of the entity's population (a US state), cached like
        the prior (the own-name rule asks it for every mention with several alias hits)."""
        hit = self._bounded.get(iri)
        if hit is None:
            hit = self._bounded[iri] = self.kg.population_bounded_only(iri)
        return hit

    def _fits(self, iri: str, mtype: str | None) -> int:
        """+1 the entity's types contain the mention type, -1 a kind contradicts it, 0 unknown
        (also for the untyped class and every class under it)."""
        if not mtype or self._is_untyped(mtype):
            return 0
        types = self._entity_types(iri)
        if mtype in types:
            return 1
        return -1 if types & self.kinds else 0

    def _same_kind(self, iri: str, mtype: str | None) -> bool:
        """Is the entity of the mention type's kind (the untyped class counting as one here)? Any
        entity is, for a mention of no given type, and so is an entity of no kind."""
        if not mtype:
            return True
        kinds = self._entity_types(iri) & self.kinds
        return not kinds or bool(kinds & self._kinds_of(mtype))

    def _kinds_of(self, mtype: str) -> frozenset[str]:
        """The kinds of a mention type (its root classes; the untyped class for one under it)."""
        hit = self._type_kinds.get(mtype)
        if hit is None:
            mine = ({mtype} | self.kg.superclasses(mtype)) & self.kinds
            hit = self._type_kinds[mtype] = frozenset(mine | ({self.untyped} if self._is_untyped(mtype) else set()))
        return hit

    def _is_untyped(self, mtype: str) -> bool:
        hit = self._untyped_cache.get(mtype)
        if hit is None:
            hit = self._untyped_cache[mtype] = self.untyped is not None and (
                mtype == self.untyped or self.untyped in self.kg.superclasses(mtype))
        return hit

    def _lookup(self, text: str, mtype: str | None = None) -> dict[str, float]:
        """The alias table's entities for ``text``, then those it is a demonym of (lower score).
        An abbreviation found without its stop ("Mass" of "Mass.") scores as a demonym does
        unless the mention is of the entity's kind ("Mich" at a sentence's end, a location)."""
        hits = self._aliases.lookup(text)
        if not hits and (stem := self._derived_from(text)):
            hits = self._aliases.lookup(stem)
        if not hits and (named := self._named_with_kind(text)):
            name, cls = named
            hits = {iri: score for iri, score in self._aliases.lookup(name).items()
                    if cls in self._entity_types(iri) and (mtype is None or self._fits(iri, mtype) > 0)}
        for iri in self._aliases.undotted(text) if hits else ():
            if iri in hits and self._fits(iri, mtype) <= 0:
                hits[iri] *= self.demonym_score
        for iri, score in self._demonyms.lookup(text).items():
            hits.setdefault(iri, score * self.demonym_score)
        if not hits and text.upper() == text:  # a code, written in capitals, names a place no name names
            hits = {iri: score for iri, score in self._codes.lookup(text).items()
                    if mtype is None or self._fits(iri, mtype) > 0}
        return hits

    def _derived_from(self, text: str) -> str | None:
        """The name a derived word is made of ("Houston" of "Houston-based"), or None."""
        found = derived_from(text, self.derived_suffixes)
        return found[0] if found else None

    def _named_with_kind(self, text: str) -> tuple[str, str] | None:
        """The name and the class a kind word after it says ("Helmand", "region" of "Helmand
        province"; "Washington", "region" of "Washington state"), or None."""
        name, _, last = text.strip().rpartition(" ")
        cls = self.kind_words.get(last.casefold()) if name else None
        return (name.strip(), cls) if cls and name.strip() else None

    def _needs_embedding(self, mtype: str | None, alias_hits: dict[str, float]) -> bool:
        """False when the alias table answers the mention (an entity of a fitting type)."""
        return not (self.alias_shortcut and any(self._fits(e, mtype) >= 0 for e in alias_hits))

    def prefetch(self, mentions: Sequence[tuple[str, str | None]]) -> int:
        """Embed in one batch the mentions ``link`` would embed, into the embedder's cache, so
        linking them later in small groups (one document at a time) finds their vectors there.
        Returns how many texts were embedded; a no-op for an embedding function without cache."""
        if not isinstance(self._embed, Embedder) or not len(self.index):
            return 0
        need = list(dict.fromkeys(t for t, typ in mentions if self._needs_embedding(typ, self._name_hits(t, typ)[0])))
        if need:
            self._embed(need)
        return len(need)

    def link(self, mentions: Sequence[tuple[str, str | None]], top_k: int = 10) -> list[Link]:
        """Link each (surface text, normalised type or None) mention; one Link per mention.
        GraphError KGA211 for mentions that are not such pairs or a ``top_k`` below 1."""
        mentions = _mention_pairs(mentions)
        top_k = count_arg(top_k, "top_k")
        texts = [m[0] for m in mentions]
        answers = [self._name_hits(t, typ) for t, typ in mentions]
        hits = [a[0] for a in answers]
        need = [i for i, (_t, typ) in enumerate(mentions) if self._needs_embedding(typ, hits[i])]
        if need and isinstance(self._embed, Embedder):  # a text the model reads nothing of ("🙂")
            # embeds as every other such text does: its neighbours are no evidence (only its names)
            need = [i for i, bad in zip(need, self._embed.unreadable([texts[i] for i in need])) if not bad]
        sims: dict[int, dict[str, float]] = {}
        if need and len(self.index):
            vecs = np.asarray(self._embed([texts[i] for i in need]), dtype=np.float32)
            scores, ids = self.index.search(vecs, top_k * 3)
            for row, i in enumerate(need):
                found: dict[str, float] = {}
                said = mention_word_keys(texts[i]) if self.by_name else frozenset()
                for s, j in zip(scores[row], ids[row]):
                    if j < 0:
                        continue
                    iri = self.index.rows[j][0]
                    if float(s) > found.get(iri, -1.0) and self._name_fits(said, iri, float(s)):
                        found[iri] = float(s)
                sims[i] = found
        return [self._decide(texts[i], mentions[i][1], hits[i], sims.get(i, {}), top_k, answers[i][1])
                for i in range(len(mentions))]

    def _name_fits(self, said: frozenset[tuple[str, ...]], iri: str, similarity: float) -> bool:
        """May an entity found by embedding similarity be a candidate (``by_name``; ``said``: the
        mention's word keys)?"""
        return not self.by_name or similarity >= self.similar_enough or self._aliases.names_said(said, iri)

    def _decide(self, text: str, mtype: str | None, alias: dict[str, float], sim: dict[str, float],
                top_k: int, near: Callable[[str], bool] | None = None) -> Link:
        if len(alias) > 1:
            alias = self._own_names_first(text, alias)
        if self._canonical:  # twins are one candidate: the canonical entity, scored by its best member
            alias, sim = _fold_twins(alias, self._canonical), _fold_twins(sim, self._canonical)
        typed = []
        for iri in set(alias) | set(sim):
            if is_new_entity(iri) and not self._same_kind(iri, mtype):
                continue  # a document's company "Ford" is not another's person "Ford", nor a place
                # "Soviet" an adjective of no kind: one accepted mention's class is all we know of it
            base = max(alias.get(iri, -1.0), sim.get(iri, -1.0))
            fit = self._fits(iri, mtype)
            if fit < 0 and iri not in alias:
                continue  # an entity of another kind is never linked on name similarity alone
            # (a person "Chavez" is not the city of a similar name; an exact name still counts)
            typed.append((base + (self.type_bonus if fit > 0 else -self.type_penalty if fit < 0 else 0.0),
                          iri in alias, base, iri))
        if near is not None:  # "X, Y": only where Y says, and before the top k (that namesake may rank low)
            typed = [t for t in typed if near(t[3])]
        if 0 < top_k < len(typed):  # the prior (in [0, 1]) cannot lift these into the top k: skip its look-up
            kth = sorted((t[0] for t in typed), reverse=True)[top_k - 1]
            typed = [t for t in typed if t[0] + max(self.prior_weight, 0.0) >= kth]
        scored = [(adj + self.prior_weight * self._prior(iri), from_alias, base, iri)
                  for adj, from_alias, base, iri in typed]
        scored.sort(key=lambda x: (-x[0], not x[1], x[3]))
        cands = [Candidate(entity=iri, label=self._label(iri), score=float(min(1.0, max(0.0, adj))),
                           types=tuple(sorted(self._entity_types(iri)))) for adj, _, _, iri in scored[:top_k]]
        if not scored or scored[0][0] < self.nil_threshold:
            return Link(mention=text, entity=None, score=cands[0].score if cands else 0.0, method="nil",
                        candidates=cands)
        adj, from_alias, base, iri = scored[0]
        method = "alias" if from_alias and alias[iri] >= base else "index"
        return Link(mention=text, entity=iri, score=cands[0].score, method=method, candidates=cands)

    def cohere(self, links: Sequence[Link], max_gap: float = COHERENCE_GAP) -> list[Link]:
        """A document's links, each mention that names several graph entities by their own name
        (namesakes: "Greenville" in North Carolina and in Mississippi) linked to the namesake that
        shares the most places (what each lies in, one or two relations away) with the document's
        links (of an ambiguous one, what all its namesakes share: "Badajoz", the city or its
        province, lies in Spain): "Rolling Fork ... Greenville ... Clarksdale" is Mississippi's
        Greenville. Only a namesake about as prominent as the linker's choice (its prior at most
        ``max_gap`` lower: a third of the people or more) takes its place: "Paris" beside US
        towns stays Paris, France; a region the graph knows only by its cities' people (a US
        state) is of no known size and may. Such a link's method is "coherence"; the others are
        returned as they are."""
        links = list(links) if isinstance(links, Iterable) and not isinstance(links, (str, bytes)) else None
        if links is None or not all(isinstance(lk, Link) for lk in links):
            raise GraphError("cohere needs a list of the Links that link() returned", code="KGA211")
        namesakes = [self._namesakes(lk) for lk in links]
        if not any(len(group) > 1 and lk.entity in group for lk, group in zip(links, namesakes)):
            return list(links)  # no mention names several places: nothing to choose
        places = {iri: self._places(iri) for iri in {iri for group in namesakes for iri in group}}
        # what each trusted link says for sure: the places all its namesakes share ("Badajoz", the
        # city or its province, lies in Spain); the link's own places when it names one entity
        sure: dict[int, set[str]] = {}
        for i, (lk, group) in enumerate(zip(links, namesakes)):
            if lk.is_nil or lk.score < COHERENCE_ANCHOR:
                continue
            if len(group) <= 1:
                if lk.entity not in places:
                    places[lk.entity] = self._places(lk.entity)
                sure[i] = places[lk.entity]
            else:
                sure[i] = set.intersection(*(places[iri] for iri in group))
        # what the links of other names say: a place is said for a mention when a link of another
        # name says it, i.e. more links say it than links of the mention's own name (counted once
        # per name, not per pair of links: a long text names one place hundreds of times)
        said_by_all: Counter[str] = Counter()
        said_by_name: dict[str, Counter[str]] = defaultdict(Counter)
        for j, where in sure.items():
            said_by_all.update(where)
            said_by_name[links[j].mention.casefold()].update(where)
        out = list(links)
        for i, (lk, group) in enumerate(zip(links, namesakes)):
            if len(group) < 2 or lk.entity not in group:
                continue
            own = said_by_name.get(lk.mention.casefold(), Counter())
            if said_by_all.total() == own.total():
                continue  # no other name says anything
            shared = {iri: sum(1 for p in places[iri] if said_by_all[p] > own[p]) for iri in group}
            best = max(sorted(group), key=lambda iri: (shared[iri], self._prior(iri)))
            # (a region known only by its cities' people is of no known size: "Georgia" beside
            # Atlanta is the state, a country's namesake)
            like_size = self._prior(best) >= self._prior(lk.entity) - max_gap or self._size_unknown(best)
            if shared[best] > shared[lk.entity] and like_size:
                score = next((c.score for c in lk.candidates if c.entity == best), lk.score)
                out[i] = replace(lk, entity=best, score=score, method="coherence")
        return out

    def _namesakes(self, link: Link) -> list[str]:
        """The trusted candidates of a link that the mention names by their own name (label)."""
        if link.is_nil:
            return []
        own = self._own_names.lookup(link.mention)
        return sorted(c.entity for c in link.candidates if c.entity in own and c.score >= COHERENCE_ANCHOR)

    def _places(self, iri: str) -> set[str]:
        """What an entity lies in, one or two relations away (its state and country), and itself."""
        first = self.kg.related(iri)
        return {iri} | first | {x for r in first for x in self.kg.related(r)}

    def _add_own_name(self, iri: str, label: str) -> None:
        """``label`` as an own name of ``iri``, and as English abbreviates it ("St. Petersburg")."""
        self._own_names.add(iri, label)
        if m := _ABBREVIABLE.match(label):
            self._own_names.add(iri, _ABBREVIATED[m.group(1)] + " " + label[m.end():])

    def _own_names_first(self, text: str, alias: dict[str, float]) -> dict[str, float]:
        """The alias hits, those found only by an alternate name lowered by
        ``alternate_name_margin`` where another is found by its label as well or better."""
        labelled = self._own_names.lookup(text)
        own = {iri: level for iri, score in alias.items() if (level := labelled.get(iri, 0.0)) >= score}
        if not own or len(own) == len(alias):
            return alias
        best = max(own.values())
        # a region known only by the places in it is minor whatever its prior (New York State
        # beside New York City)
        minor_rivals = all(self._prior(iri) < MINOR_PRIOR or self._size_unknown(iri) for iri in own)

        def lowered(iri: str, score: float) -> bool:
            far_more_prominent = self._prior(iri) >= PROMINENT_PRIOR and minor_rivals
            return iri not in own and score <= best and not far_more_prominent

        return {iri: score - self.alternate_name_margin if lowered(iri, score) else score
                for iri, score in alias.items()}

    def _name_hits(self, text: str, mtype: str | None) -> tuple[dict[str, float], Callable[[str], bool] | None]:
        """The alias table's answer for a mention (:meth:`_lookup`) and, with ``by_name`` for "X, Y"
        whose Y names graph entities, the test that a candidate lies there (None otherwise). When
        the whole names nothing, X's namesakes that lie there answer (every namesake is tried, not
        only those the index returns): "Amherst, Mass." is the Amherst in Massachusetts; none there:
        the graph lacks it."""
        near = self._near_qualifier(text) if self.by_name and "," in text else None
        hits = self._lookup(text, mtype)
        if not hits and near is not None:
            hits = {iri: score for iri, score in self._lookup(text.split(",", 1)[0], mtype).items() if near(iri)}
        return hits, near

    def _near_qualifier(self, text: str) -> Callable[[str], bool] | None:
        """For "X, Y" whose Y names graph entities (or, written in capitals, is their code): does a
        relation lead from an entity to one of them in one or two steps? None when Y names
        nothing. (Each entity's relations are read once per mention.)"""
        qualifier = text.split(",", 1)[1].strip()
        named = set(self._aliases.lookup(qualifier))
        if not named and qualifier.upper() == qualifier:  # a code: "Boston, MA"
            named = set(self._codes.lookup(qualifier))
        if not named:
            return None
        related: dict[str, set[str]] = {}

        def out(iri: str) -> set[str]:
            if iri not in related:
                related[iri] = self.kg.related(iri)
            return related[iri]

        def near(iri: str) -> bool:
            first = out(iri)
            return bool(first & named) or any(out(r) & named for r in first)

        return near

    def _label(self, iri: str) -> str:
        lab = self._labels.get(iri)
        if lab is None:
            ent = self.kg.entity(iri)
            lab = ent.label if ent else iri
        return lab


def _mention_pairs(mentions: Any) -> list[tuple[str, str | None]]:
    """``mentions`` as a list of (text, type or None); GraphError KGA211 for anything else (one
    string, a bare list of strings, a text that is None or not text)."""
    if isinstance(mentions, (str, bytes)) or not isinstance(mentions, Iterable):
        raise GraphError(f"mentions must be a list of (text, type or None) pairs, not {type(mentions).__name__}",
                         code="KGA211")
    out = []
    for i, m in enumerate(mentions):
        if isinstance(m, (str, bytes)) or not isinstance(m, (tuple, list)) or len(m) != 2:
            raise GraphError(f"mention {i} must be a (text, type or None) pair, not {m!r:.80}", code="KGA211")
        text, mtype = m
        text_arg(text, f"the text of mention {i}")
        if mtype is not None:
            text_arg(mtype, f"the type of mention {i}")
        out.append((text, mtype))
    return out


def _fold_twins(scores: dict[str, float], canonical: dict[str, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for iri, s in scores.items():
        c = canonical.get(iri, iri)
        if s > out.get(c, -2.0):
            out[c] = s
    return out


def _default_seed() -> Path | None:
    """The default domain's graph index, if it has one."""
    from kgagent.domain import Domain
    from kgagent.errors import KGAError

    try:
        graph = Domain.load().graph
    except KGAError:
        return None
    return graph / "index" if graph is not None and (graph / "index").is_dir() else None
