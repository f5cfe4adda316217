"""Entity resolution: mentions of one new entity across documents become one entity.

New entities (minted by ``add_entity`` with provenance, IRIs under ``ENT["new/"]``) are
clustered greedily in a fixed order (most supporting documents first, then IRI). An entity
joins a cluster only if its core types agree with the cluster's and it is similar to EVERY
member of the cluster (complete linkage: cosine of label embeddings >= ``threshold``, or
equal alias keys) — never because it resembles just one member, so "J. Smith" cannot chain
"John Smith" to "Jane Smith". Two names merge only if one says the other
(:func:`name_agreement`): the same words ("Jet Propulsion Lab" and "Jet Propulsion
Laboratory"), or a part or the initials of the other where the ontology lets names of the kind
shorten so (a class's ``short_name``: "Smith" for "Paul Smith", "EU" for "European Union");
never two names each with a word the other lacks ("Terri Bowman" and "Terri Butler", "FBI" and
"CIA"), however alike the embedder finds them; and never a part of two or more names that are
not one name ("Smith" beside "Paul Smith" and "Steve Smith": which one, its words cannot tell). Names whose numbers differ never merge, however alike they read
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef

from kgagent.kg.aliases import SPELLING_MIN_LENGTH, a_letter_apart, alias_keys
from kgagent.kg.checks import callable_arg, fraction_arg, graph_arg, texts_arg
from kgagent.kg.index import EmbedFn, normalise
from kgagent.kg.vocab import KGA, MERGE, ONT, RESOLUTION_GRAPH, SKOS_ALT, content_hash, graph_doc, is_new_entity
from kgagent.names import in_capitals, initials, initials_of, name_stem, name_words

if TYPE_CHECKING:
    from kgagent.kg.store import KnowledgeGraph



@dataclass
class Merge:
    """One cluster: the canonical entity, the members merged into it, and the evidence."""

    canonical: str
    members: list[str]
    similarity: dict[str, float] = field(default_factory=dict)  # member -> min similarity to the cluster
    documents: dict[str, list[str]] = field(default_factory=dict)  # entity -> documents supporting it
    #: member -> how its name says the canonical one's (:data:`AGREEMENTS`; "alias" for equal alias keys)
    agreement: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # entity -> its label before the merge


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


class _Company:
    """The entities each new entity's documents name (as mentions or labelled there), to ask
    whether two entities of different documents are met in company of a third."""

    def __init__(self, kg: "KnowledgeGraph", iris: list[str]) -> None:
        self.kg = kg
        self.iris = [URIRef(iri) for iri in iris]
        self._graphs: dict[int, frozenset[URIRef]] = {}  # asked only of the pairs a part agrees in
        self._named: dict[URIRef, frozenset[URIRef]] = {}

    def graphs(self, i: int) -> frozenset[URIRef]:
        """The document graphs that label entity ``i``."""
        found = self._graphs.get(i)
        if found is None:
            out = set()
            for _, _, _, g in self.kg.dataset.quads((self.iris[i], RDFS.label, None, None)):
                g = g.identifier if hasattr(g, "identifier") else g
                if graph_doc(g) is not None:
                    out.add(g)
            found = self._graphs[i] = frozenset(out)
        return found

    def named(self, graph: URIRef) -> frozenset[URIRef]:
        """The entities a document's graph names: what it labels, its mentions' entities and its
        facts' arguments."""
        found = self._named.get(graph)
        if found is None:
            out: set[URIRef] = set()
            for s, p, o in self.kg.dataset.graph(graph):
                if p == RDFS.label:
                    out.add(s)
                elif p == KGA.entity:
                    out.add(o)
                elif p.startswith(ONT):
                    out.update((s, o))
            found = self._named[graph] = frozenset(x for x in out if isinstance(x, URIRef))
        return found

    def shared(self, i: int, j: int) -> bool:
        """Whether entities ``i`` and ``j`` share a document, or their documents name a third
        entity in common."""
        if self.graphs(i) & self.graphs(j):
            return True
        pair = {self.iris[i], self.iris[j]}
        around_i = set().union(*(self.named(g) for g in self.graphs(i))) - pair
        return any(not around_i.isdisjoint(self.named(g) - pair) for g in self.graphs(j))


#: N3 dev's best before names had to agree (benchmarks/kg/resolution.py; pairwise F1); with
#: :func:`name_agreement` its best is 0.50 by 0.012 F1, which on RSS-500's extraction adds three
#: wrong merges for one right one (benchmarks/kg/RESULTS.md), so the default stays
RESOLUTION_THRESHOLD = 0.65
_NUMBER_WORDS = {w: str(i) for i, ws in enumerate((
    ("zero",), ("one", "first"), ("two", "second"), ("three", "third"), ("four", "fourth"), ("five", "fifth"),
    ("six", "sixth"), ("seven", "seventh"), ("eight", "eighth"), ("nine", "ninth"), ("ten", "tenth"),
    ("eleven", "eleventh"), ("twelve", "twelfth"))) for w in ws}
_NUMBER = re.compile(r"\d+|\b(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
METHOD = ("complete-linkage: label cosine or equal alias key vs every member; numbers in the names equal; "
          "one name the other said shorter")


@lru_cache(maxsize=1 << 16)
def name_numbers(label: str) -> tuple[str, ...]:
    """The numbers a name holds, in order, as digits: "$1.8 billion" -> ("1", "8"), "Group of
    Seven" and "G7" -> ("7",) (English number words up to twelve, cardinal or ordinal); two
    names with other numbers name other things."""
    return tuple(_NUMBER_WORDS.get(n.lower()) or n.lstrip("0") or "0" for n in _NUMBER.findall(label))


#: words a name may hold or leave out and still be the same name ("Department of Education",
#: "Education Department"; "the Associated Press"); "s" is what is left of a possessive ("Children's")
_GLUE_WORDS = frozenset({"the", "of", "and", "for", "in", "on", "at", "s"})
#: a word this short may stand for a longer one it begins ("Lab", "Aug", "Co", "Corp")
ABBREVIATION_MAX_LENGTH = 4
#: how one name may say what another says: all its words ("same"), its initials, the other
#: without the suffixes that end names ("stem"), or a part of it ("first", "last", "inner" words)
AGREEMENTS = ("same", "initials", "stem", "first", "last", "inner")


@lru_cache(maxsize=1 << 16)
def _content_words(label: str) -> tuple[str, ...]:
    """The words of a name that tell it apart: case-folded, without numbers (compared by
    :func:`name_numbers`) and glue words; "G7" -> ("g",)."""
    words = []
    for w in name_words(label):
        words += [p for p in re.split(r"\d+", w) if p and p not in _NUMBER_WORDS and p not in _GLUE_WORDS]
    return tuple(words)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _word_says(short: str, long: str) -> int:
    """How the word ``short`` may be ``long`` as another name writes it: 2 the same word, its
    plural, or another spelling a letter apart ("Kazakstan"); 1 its initial ("J" for "John") or
    abbreviation ("Lab" for "Laboratory", "Aug" for "August"); 0 not."""
    if short == long or _singular(short) == _singular(long) or a_letter_apart(short, long):
        return 2
    a, b = sorted((short, long), key=len)
    return int((len(a) == 1 or (len(a) <= ABBREVIATION_MAX_LENGTH and len(b) >= len(a) + 2)) and b.startswith(a))


def name_agreement(a: str, b: str, suffixes: frozenset[str] = frozenset()) -> str | None:
    """How the names ``a`` and ``b`` may name one thing (one of :data:`AGREEMENTS`), or None.

    Their numbers must be the same (:func:`name_numbers`). Then every word of the name with fewer
    words must say a word of its own in the other (:func:`_word_says`; glue words aside), one of
    them more than by an initial or an abbreviation, unless numbers say it ("Aug 14 2012"): "same"
    when the other's first and last words are said (a middle name aside: "Martin E. Dempsey"),
    "stem" when the other ends only in ``suffixes`` beyond them ("Apple Inc"), else where the part
    sits ("first", "last", "inner"). Or one is the other's initials ("EU": "initials"). Not
    "Terri Bowman" and "Terri Butler", "Medicare" and "Medicaid", "CIA" and "Cianbro": each says
    a word the other does not.

    >>> name_agreement("Smith", "Paul Smith"), name_agreement("EU", "European Union")
    ('last', 'initials')
    >>> name_agreement("Jet Propulsion Lab", "Jet Propulsion Laboratory"), name_agreement("Apple Inc", "Apple", frozenset({"inc"}))
    ('same', 'stem')
    >>> name_agreement("Terri Bowman", "Terri Butler"), name_agreement("FBI", "CIA"), name_agreement("7:30 a.m.", "7:30 p.m.")
    (None, None, None)
    """
    numbers = name_numbers(a)
    if numbers != name_numbers(b):
        return None
    if initials(a, b) or initials(b, a):
        return "initials"
    short, long = sorted((_content_words(a), _content_words(b)), key=len)
    if not short:
        return "same" if not long and numbers else None
    left, said, strong = dict(enumerate(long)), [], bool(numbers)
    for w in short:
        how, hit = max(((_word_says(w, x), -i) for i, x in left.items()), default=(0, 0))
        if not how:
            return None
        said.append(-hit)
        strong = strong or how == 2
        del left[-hit]
    if not strong:
        return None
    if len(short) == len(long) or {0, len(long) - 1} <= set(said):
        return "same"
    if min(left) > max(said) and name_stem(long, suffixes) == long[:len(short)]:
        return "stem"
    if max(said) < min(left):
        return "first"
    if min(said) > max(left):
        return "last"
    return "inner"


def _agrees(a: str, b: str, same_key: bool, allowed: frozenset[str] | None, suffixes: frozenset[str]) -> str:
    """How name ``a`` says name ``b`` where the kind allows it (``allowed``: parts; None = any);
    empty when it does not."""
    if same_key:
        return "alias"
    how = name_agreement(a, b, suffixes)
    if how is None or allowed is None or how == "same" or how in allowed:
        return how or ""
    return how if how == "stem" and "first" in allowed else ""


#: the agreements by which a name is a part of another's words
PARTS = frozenset({"first", "last", "inner"})


@lru_cache(maxsize=1 << 16)
def _word_keys(word: str) -> frozenset[str]:
    """The keys a word shares with each word it says strongly (:func:`_word_says` 2): its
    singular, and for a word long enough to be spelt a letter apart, itself and itself less one
    letter."""
    out = {"w:" + _singular(word)}
    if len(word) >= SPELLING_MIN_LENGTH:
        out.add("d:" + word)
        out |= {"d:" + word[:k] + word[k + 1:] for k in range(len(word))}
    return frozenset(out)


def _block_keys(label: str, key: str, numbers: tuple[str, ...]) -> set[str]:
    """Keys by which :class:`_NameBlocks` finds the names that :func:`name_agreement` (or equal
    alias keys) may join: the alias key ("k:"); the initials a name stands for ("i:") and, one
    written in capitals, the acronym it is ("a:", meeting the "i:" of the names it abbreviates:
    two full names with the same initials need not meet); its numbers when it holds some ("n:";
    then an initial or an abbreviation is match enough); and each word's :func:`_word_keys`."""
    out = {"k:" + key}
    out |= {"i:" + x for x in initials_of(label)}
    if in_capitals(label):
        out.add("a:" + label.strip().replace(".", ""))
    if numbers:
        out.add("n:" + " ".join(numbers))
    for w in _content_words(label):
        out |= _word_keys(w)
    return out


class _NameBlocks:
    """Which names clustering compares: ``near(i)``, a superset of the names that may say name
    ``i``'s or that it may say, and ``may(i, j)``, False where a word of the name with fewer
    words can be said by no word of the other (neither strongly nor as its initial or
    abbreviation), or none strongly and it holds no number, so :func:`name_agreement` surely
    says None: each name is compared with a few, cheaply, not with all.

    A name found by every word it holds would meet, through a common word ("John", "Bank"),
    every name holding it: quadratic where many do. So a name with a word longer than an
    abbreviation (the shorter name's every such word must be said) is found by its **anchor**,
    the long word of its own that the fewest names hold: by the names that say that word
    strongly, and, where an initial or an abbreviation says it ("J." for "Johnson"), by the
    names that also strongly say another word of it or share its numbers (without those,
    :func:`name_agreement` says None). A name of short words alone (an acronym, "J. Lo") meets
    the names sharing any of its words, and, holding numbers, the names of the same numbers with
    a word of its first letter. Names sharing their alias key always meet, and so do an acronym
    and the names it may stand for, and names of numbers alone that are equal."""

    def __init__(self, labels: list[str], keys: list[str], numbers: list[tuple[str, ...]]) -> None:
        self.blocks = [_block_keys(x, k, n) for x, k, n in zip(labels, keys, numbers)]
        self.numbered = [bool(n) for n in numbers]
        self.words = [_content_words(x) for x in labels]
        # words that may stand for a longer one they begin (an initial, an abbreviation)
        self.shorts = [{w for w in ws if len(w) <= ABBREVIATION_MAX_LENGTH} for ws in self.words]
        # alias keys, acronyms and initials, the numbers of names with no other word
        self.special: dict[str, list[int]] = defaultdict(list)
        self.index: dict[str, list[int]] = defaultdict(list)  # a word's keys -> names holding it
        self.short_only: dict[str, list[int]] = defaultdict(list)  # a word's keys -> names of short words alone
        for i, ks in enumerate(self.blocks):
            only_short = all(len(w) <= ABBREVIATION_MAX_LENGTH for w in self.words[i])
            for k in ks:
                if k[0] in "kai" or (k[0] == "n" and not self.words[i]):
                    self.special[k].append(i)
                elif k[0] != "n":
                    self.index[k].append(i)
                    if only_short:
                        self.short_only[k].append(i)
        self.anchors = [min((w for w in ws if len(w) > ABBREVIATION_MAX_LENGTH), default=None,
                            key=lambda w: (sum(len(self.index.get(k, ())) for k in _word_keys(w)), w))
                        for ws in self.words]
        self.by_anchor: dict[str, list[int]] = defaultdict(list)  # a word's keys -> names anchored by it
        # (first letter of an anchor, a key of another word of the name or its numbers) -> names
        self.by_abbreviated: dict[tuple[str, str], list[int]] = defaultdict(list)
        # (first letter of a short word, a key of the name) -> names holding both
        self.by_short_and_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        # (numbers, first letter of a word) -> names holding both: numbers say enough beside an
        # initial or an abbreviation, so a name of short words ("LA 14") may be all said so
        self.by_number_letter: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.short_by_number_letter: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, ws in enumerate(self.words):
            for k in self.blocks[i]:
                if k[0] == "n" and ws:
                    for letter in {w[0] for w in ws}:
                        self.by_number_letter[k, letter].append(i)
                        if len(self.shorts[i]) == len(set(ws)):
                            self.short_by_number_letter[k, letter].append(i)
        for i, a in enumerate(self.anchors):
            if a is not None:
                for k in _word_keys(a):
                    self.by_anchor[k].append(i)
                for k in self._rest(i):
                    self.by_abbreviated[a[0], k].append(i)
            for k in {k for k in self.blocks[i] if k[0] in "wdn"}:
                for letter in {w[0] for w in self.shorts[i]}:
                    self.by_short_and_key[letter, k].append(i)

    def _rest(self, i: int) -> set[str]:
        """The keys of name ``i``'s words beside its anchor (one of its words may say another
        name's strongly), and its numbers."""
        rest = list(self.words[i])
        rest.remove(self.anchors[i])
        out = {k for w in rest for k in _word_keys(w)}
        out |= {k for k in self.blocks[i] if k[0] == "n"}
        return out

    def near(self, i: int) -> set[int]:
        keys = [k for k in self.blocks[i] if k[0] in "wdn"]
        out: set[int] = set()
        for k in self.blocks[i]:
            if k[0] == "k" or (k[0] == "n" and not self.words[i]):
                out.update(self.special[k])
            elif k[0] in "ai":  # an acronym meets the names it is the initials of, and back
                out.update(self.special.get(("i:" if k[0] == "a" else "a:") + k[2:], ()))
        for k in keys:
            if k[0] == "n":
                continue
            out.update(self.by_anchor.get(k, ()))  # names whose anchor name i says strongly
            out.update(self.short_only.get(k, ()))
            if self.anchors[i] is None:
                out.update(self.index[k])
        if self.words[i]:
            table = self.by_number_letter if self.anchors[i] is None else self.short_by_number_letter
            for k in self.blocks[i]:
                if k[0] == "n":
                    for letter in {w[0] for w in self.words[i]}:
                        out.update(table.get((k, letter), ()))
        # names whose anchor a short word of i may stand for, one of their other words said by i
        for letter in {w[0] for w in self.shorts[i]}:
            for k in keys:
                out.update(self.by_abbreviated.get((letter, k), ()))
        a = self.anchors[i]
        if a is not None:
            for k in _word_keys(a):  # names that say i's anchor strongly
                out.update(self.index.get(k, ()))
            for k in self._rest(i):  # ... or by a short word, and another word of i strongly
                out.update(self.by_short_and_key.get((a[0], k), ()))
        return out

    def may(self, i: int, j: int) -> bool:
        if any(k in self.blocks[j] if k[0] == "k" else
               k[0] in "ai" and ("i:" if k[0] == "a" else "a:") + k[2:] in self.blocks[j] for k in self.blocks[i]):
            return True  # equal alias keys, an acronym and a name it is the initials of: name_agreement decides
        short, long = (i, j) if len(self.words[i]) <= len(self.words[j]) else (j, i)
        strong = self.numbered[short]  # numbers say enough; else one word must be said strongly
        for w in self.words[short]:
            said = bool(_word_keys(w) & self.blocks[long])
            strong = strong or said
            if len(w) > ABBREVIATION_MAX_LENGTH and not said and not any(w.startswith(x) for x in self.shorts[long]):
                return False
        return strong


class EveryPair:
    """Clustering's comparisons without :class:`_NameBlocks`: every name near every other, none
    ruled out (what the blocking must give the same merges as; tests and benchmarks use it)."""

    def __init__(self, labels: list[str], keys: list[str], numbers: list[tuple[str, ...]]) -> None:
        self.n = len(labels)

    def near(self, i: int) -> set[int]:
        return set(range(self.n))

    def may(self, i: int, j: int) -> bool:
        return True


def _vague_parts(blocks: "_NameBlocks | EveryPair", labels: list[str], keys: list[str], core: list[frozenset[str]],
                 numbers: list[tuple[str, ...]], allowed: list[frozenset[str] | None],
                 suffixes: frozenset[str]) -> set[int]:
    """The names (indices) that are a part of two or more longer names of their kinds which are
    not one name among themselves: "Smith" beside "Paul Smith" and "Steve Smith", "Cain" beside
    "Gordon Cain" and "Cain Chemical". Which one such a name means, its words cannot tell.
    ``blocks``: the names each name is compared with (clustering's)."""
    vague = set()
    for i, label in enumerate(labels):
        n = len(_content_words(label))
        if not n:
            continue
        fulls = sorted(j for j in blocks.near(i) if len(_content_words(labels[j])) > n and core[j] == core[i]
                       and numbers[j] == numbers[i] and blocks.may(i, j)
                       and _agrees(label, labels[j], keys[i] == keys[j], allowed[i], suffixes) in PARTS)
        for a, j in enumerate(fulls):
            if any(keys[j] != keys[k] and name_agreement(labels[j], labels[k], suffixes) != "same" for k in fulls[a + 1:]):
                vague.add(i)
                break
    return vague


def resolve_new_entities(kg: "KnowledgeGraph", embed: EmbedFn, threshold: float = RESOLUTION_THRESHOLD,
                         iris: list[str] | None = None, apply: bool = True,
                         kinds: Iterable[str] | None = None,
                         short_names: Mapping[str, Iterable[str]] | None = None,
                         suffixes: Iterable[str] = (), shared_context: bool = True) -> list[Merge]:
    """Cluster new entities and (if ``apply``) merge each cluster into its canonical entity.

    Only entities of the same kinds merge (``kinds``: the ontology's root classes; None = the
    graph's own root classes), and only names that say one another (:func:`name_agreement`):
    the same words, or, where ``short_names`` says so for the kind, a part of the other name
    (``short_names``: kind -> the ontology's ``short_name`` parts, "first", "last", "inner",
    "initials", "stem"; None = any part; ``suffixes``: the ontology's ``name_suffixes``). With
    ``shared_context``, a name that is only a part of the other ("Lee" and "Bill Lee": "first",
    "last", "inner") merges with it across documents only where their documents name another
    entity in common: a surname alone in one story is another person as often as not (RSS-500:
    Lee, Cain, Jones and Clark were). Returns the merges (clusters of two or more). Deterministic for
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
    labels = [e.label for e in ents]
    core = [_kinds_of(kg, e.iri, kind_set) for e in ents]
    parts = None if short_names is None else {k: frozenset(texts_arg(v, f"short_names[{k!r}]"))
                                              for k, v in short_names.items()}
    allowed = [None if parts is None else frozenset().union(*(parts.get(k, ()) for k in kinds_of))
               for kinds_of in core]
    suffix_set = frozenset(texts_arg(suffixes, "suffixes"))
    near = _NameBlocks(labels, keys, numbers)
    vague = _vague_parts(near, labels, keys, core, numbers, allowed, suffix_set)
    company = _Company(kg, [e.iri for e in ents]) if shared_context else None
    clusters: list[list[int]] = []
    cluster_of: dict[int, int] = {}
    min_sim: dict[int, float] = {}
    how: dict[int, str] = {}
    for i in range(len(ents)):
        best, best_sim, best_how = None, -1.0, ""
        # only a cluster holding a name that may say this one's (equal keys, a word, initials)
        for c in sorted({cluster_of[j] for j in near.near(i) if j < i}):
            members = clusters[c]
            if core[members[0]] != core[i] or numbers[members[0]] != numbers[i]:
                continue
            if not all(near.may(i, m) for m in members):
                continue
            s = min(1.0 if keys[i] == keys[m] else float(vecs[i] @ vecs[m]) for m in members)
            if s < threshold or s <= best_sim:
                continue
            hows = [_agrees(labels[i], labels[m], keys[i] == keys[m], allowed[i], suffix_set) for m in members]
            if all(hows) and not any(h in PARTS and (i in vague or m in vague or (company is not None
                                                                      and not company.shared(i, m)))
                                     for h, m in zip(hows, members)):
                best, best_sim, best_how = c, s, hows[0]
        if best is None:
            cluster_of[i] = len(clusters)
            clusters.append([i])
        else:
            cluster_of[i] = best
            clusters[best].append(i)
            min_sim[i], how[i] = best_sim, best_how
    merges = []
    for members in clusters:
        if len(members) < 2:
            continue
        m = Merge(canonical=ents[members[0]].iri, members=[ents[i].iri for i in members[1:]],
                  similarity={ents[i].iri: round(min_sim[i], 4) for i in members[1:]},
                  agreement={ents[i].iri: how[i] for i in members[1:]},
                  labels={ents[i].iri: ents[i].label for i in members},
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
        res.add((node, KGA.nameAgreement, Literal(merge.agreement[member])))
        for d in merge.documents.get(member, []):
            res.add((node, KGA.memberDoc, Literal(d)))
        for d in merge.documents.get(merge.canonical, []):
            res.add((node, KGA.canonicalDoc, Literal(d)))
        # rewrite the member's triples in every per-document graph to the canonical entity
        moves = defaultdict(set)  # the member's own quads, looked up by subject and by object
        for s, p, o, g in [*ds.quads((m, None, None, None)), *ds.quads((None, None, m, None))]:
            gid = g.identifier if hasattr(g, "identifier") else g
            if gid != RESOLUTION_GRAPH:
                moves[gid].add((s, p, o))
        for gid, triples in moves.items():
            graph = ds.graph(gid)
            for s, p, o in sorted(triples):
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
