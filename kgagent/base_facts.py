"""The base facts the rules read about a document's candidates (the vocabulary of
rules/README.md): mentions with every class's score, their text, shape, place and links,
relations and pair scores, name parts, and the other mentions of a name (the same-name prior of
the joint decision and the ``name_type`` facts). The agent adds the graph's facts around the
linked entities and the joint decision's."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from kgagent.candidates import round_score
from kgagent.decisions import MentionResult, RelationResult
from kgagent.domain import Ontology
from kgagent.mention_shape import mention_shape
from kgagent.names import name_parts
from kgagent.schema import Document, Link
from kgagent.text import name_key, phrases_in, words_in


def base_facts(doc: Document, mentions: list[MentionResult], relations: list[RelationResult],
               pair_scores: dict[tuple[str, str], dict[str, float]] | None = None,
               parts: Iterable[tuple[str, str, str]] | None = None) -> dict[str, set[tuple]]:
    """The rules' base facts about a document's candidates, by predicate: ``mention``,
    ``class_score``, each mention's :func:`mention_facts`, ``relation``, ``score``,
    ``predicate_score`` (``pair_scores``) and ``name_part`` (``parts``, else
    :func:`~kgagent.names.name_parts` of the mentions)."""
    facts: dict[str, set[tuple]] = defaultdict(set)
    cased = any(c.isupper() for c in doc.text)  # a text written in case: a word in lowercase is no name
    for (h, t), table in (pair_scores or {}).items():
        facts["predicate_score"].update((h, t, p, sc) for p, sc in table.items())
    for m in mentions:
        facts["mention"].add((m.id, m.label, m.score))
        facts["class_score"].update((m.id, c, sc) for c, sc in m.class_scores.items())
        mention_facts(facts, m, doc.id, m.sentence, cased=cased)
    for r in relations:
        facts["relation"].add((r.id, r.predicate, r.head, r.tail))
        facts["score"].add((r.id, r.score))
    # "Ottinger" and "James Ottinger" (shared/names.rules)
    facts["name_part"].update(parts if parts is not None else name_parts(mentions))
    return facts


def cue_facts(text: str, mentions: Iterable[MentionResult], relations: Iterable[RelationResult],
              cues: Mapping[str, Sequence[str]]) -> set[tuple]:
    """``cue(R, Cue, Phrase, Words)``: between relation R's two mentions (of one sentence, apart)
    ``text`` says ``Phrase``, one of the words of the ontology's cue ``Cue``, and they are
    ``Words`` words apart ("Carlo Fusco told the Associated Press": ``cue(r1, speech, "told", 2)``)."""
    if not cues:
        return set()
    by_id = {m.id: m for m in mentions}
    out: set[tuple] = set()
    for r in relations:
        h, t = by_id.get(r.head), by_id.get(r.tail)
        if h is None or t is None or h.sentence != t.sentence:
            continue
        first, second = (h, t) if h.end <= t.start else (t, h)
        if first.end > second.start:  # the two overlap: nothing between them
            continue
        between = text[first.end:second.start]
        words = words_in(between)
        for cue, phrases in cues.items():
            out.update((r.id, cue, phrase, words) for phrase in phrases_in(between, phrases))
    return out


def place_facts(facts: dict[str, set[tuple]], m: MentionResult, doc: str, sentence: int) -> None:
    """A span's ``text``, ``in_doc`` and ``in_sentence`` facts (a mention's, a near miss's)."""
    facts["text"].add((m.id, m.text))
    facts["in_doc"].add((m.id, doc))
    facts["in_sentence"].add((m.id, doc, sentence))


def mention_facts(facts: dict[str, set[tuple]], m: MentionResult, doc: str, sentence: int, *,
                  cased: bool = False) -> None:
    """A mention's text, shape, place and link facts (an extracted mention's and a claim's alike;
    ``cased``: its text is written in case, so a word in lowercase has that shape)."""
    place_facts(facts, m, doc, sentence)
    if (shape := mention_shape(m.text, cased=cased)) is not None:  # a number, a date... (rules/words.rules)
        facts["shape"].add((m.id, shape))
    if m.link is not None and not m.link.is_nil:
        facts["link"].add((m.id, m.link.entity, round_score(m.link.score)))
    else:
        facts["nil"].add((m.id,))
    if m.link is not None:
        facts["candidate"].update((m.id, e, sc) for e, sc in candidates_of(m.link))


class NameOthers:
    """For each mention whose (case-folded) name occurs again in the document, the name's other
    mentions, and the full names it is the short name of (:func:`name_others`). Held as the
    groups of one name, not as a list per mention: a name said a thousand times in a long text
    costs a thousand, not a million (:func:`name_means` and :func:`name_priors` sum a group once)."""

    def __init__(self, mentions: Iterable[MentionResult], groups: Iterable[list[MentionResult]],
                 full_names: Mapping[str, list[MentionResult]]):
        #: each repeated name's mentions, in the document's order
        self.groups = [g for g in groups if len(g) > 1]
        self._group_of = {m.id: i for i, g in enumerate(self.groups) for m in g}
        #: mention id -> the full names it is the short name of
        self.full_names = {k: list(v) for k, v in full_names.items() if v}
        self._by_id = {m.id: m for m in mentions if m.id in self._group_of or m.id in self.full_names}

    def ids(self) -> list[str]:
        """The mentions that have others: those of a repeated name, then those with only full names."""
        return [*self._group_of, *(k for k in self.full_names if k not in self._group_of)]

    def mention(self, mid: str) -> MentionResult:
        return self._by_id[mid]

    def group_index(self, mid: str) -> int | None:
        """The index in ``groups`` of ``mid``'s name (None: said once)."""
        return self._group_of.get(mid)

    def of(self, mid: str) -> list[MentionResult]:
        """``mid``'s others: the other mentions of its name, then its full names."""
        i = self._group_of.get(mid)
        same = [o for o in self.groups[i] if o.id != mid] if i is not None else []
        return same + self.full_names.get(mid, [])

    def count(self, mid: str) -> int:
        """How many others ``mid`` has."""
        i = self._group_of.get(mid)
        return (len(self.groups[i]) - 1 if i is not None else 0) + len(self.full_names.get(mid, ()))


def name_others(mentions: list[MentionResult], ontology: Ontology,
                sure_kind: Callable[[MentionResult], str | None],
                parts: Iterable[tuple[str, str, str]]) -> NameOthers:
    """For each mention whose (case-folded) name occurs again in the document: the name's other
    mentions, and the full names it is the short name of (``parts``,
    :func:`~kgagent.names.name_parts`, where the ontology's ``short_name`` for the full name's
    label says: "Ottinger" of "James Ottinger", a person), unless ``sure_kind`` (the kind of the
    graph entity a mention is surely linked to) says it is a thing of another kind ("Washington"
    beside "George Washington"). Independent of the order of the mentions."""
    groups: dict[str, list[MentionResult]] = defaultdict(list)
    for m in mentions:
        groups[name_key(m.text)].append(m)
    by_id = {m.id: m for m in mentions}
    full_names: dict[str, list[MentionResult]] = defaultdict(list)
    for part, full, where in parts:
        label = by_id[full].label
        if where in ontology.short_name_of(label) and sure_kind(by_id[part]) in (None, ontology.kind_of(label)):
            full_names[part].append(by_id[full])
    return NameOthers(mentions, groups.values(), full_names)


def _partials(values: Iterable[float]) -> list[float]:
    """The exact sum of ``values`` as non-overlapping floats (Shewchuk's, as ``math.fsum`` keeps
    it): ``math.fsum(partials + more)`` is then the correctly rounded sum of them all."""
    partials: list[float] = []
    for x in values:
        i = 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo:
                partials[i] = lo
                i += 1
            x = hi
        partials[i:] = [x]
    return partials


def _other_sums(others: NameOthers, value: Callable[[float], float]) -> dict[str, dict[str, float]]:
    """For each mention with others, for every class it or they score, the sum over its others of
    ``value`` of their score of the class (a class a mention does not score: ``value(0.0)``),
    correctly rounded, so independent of the order of the mentions. A name's group is summed once
    (exactly, :func:`_partials`) and each member's own term taken off: linear in the mentions."""
    zero = value(0.0)
    group_sums = []
    for g in others.groups:
        classes = {c for m in g for c in m.class_scores}
        group_sums.append({c: _partials(value(m.class_scores.get(c, 0.0)) for m in g) for c in classes})
    out: dict[str, dict[str, float]] = {}
    for mid in others.ids():
        me, i, full = others.mention(mid), others.group_index(mid), others.full_names.get(mid, [])
        sums = group_sums[i] if i is not None else {}
        size = len(others.groups[i]) if i is not None else 0
        row = {}
        for c in sorted({*me.class_scores, *sums, *(c for f in full for c in f.class_scores)}):
            terms = [value(f.class_scores.get(c, 0.0)) for f in full]
            if c in sums:
                terms += sums[c] + [-value(me.class_scores.get(c, 0.0))]
            elif i is not None:  # no mention of the name scores it: each other counts value(0.0)
                terms += [zero] * (size - 1)
            row[c] = math.fsum(terms)
        out[mid] = row
    return out


def name_means(others: NameOthers) -> dict[str, dict[str, float]]:
    """The mean class scores of each mention's :func:`name_others` (what the proofs show as
    ``name_type``), for every class the mention or they score."""
    return {mid: {c: v / others.count(mid) for c, v in row.items()}
            for mid, row in _other_sums(others, lambda x: x).items()}


#: a class score below this counts as this in the name prior (one mention cannot veto a class)
NAME_PRIOR_FLOOR = 1e-3


def _floored_log(score: float) -> float:
    return math.log(max(NAME_PRIOR_FLOOR, score))


def name_priors(others: NameOthers, weight: float) -> dict[str, dict[str, float]]:
    """Within a document one name keeps one type unless the text says otherwise: the other
    mentions of a mention's name (:func:`name_others`) are as many observations of its one
    type, so its prior for a class (those of :func:`name_means`) is ``weight`` x the sum of
    their log-scores of that class (each floored at ``NAME_PRIOR_FLOOR``). Five mentions that
    lean to "organisation" outweigh one that the encoder read as a person; one other mention
    counts as one."""
    if weight <= 0:
        return {}
    return {mid: {c: weight * v for c, v in row.items()} for mid, row in _other_sums(others, _floored_log).items()}


#: candidates of a mention at least this good are asserted as ``candidate(M, E, S)`` (homonyms)
CANDIDATE_MIN_SCORE = 0.9


def candidates_of(link: Link) -> list[tuple[str, float]]:
    """The linked entity and the other good candidates of a mention (Paris, France and Paris, Texas)."""
    out = {c.entity: round_score(c.score) for c in link.candidates if c.score >= CANDIDATE_MIN_SCORE}
    if not link.is_nil:
        out.setdefault(link.entity, round_score(link.score))
    return sorted(out.items())


__all__ = ["CANDIDATE_MIN_SCORE", "NAME_PRIOR_FLOOR", "NameOthers", "base_facts", "candidates_of", "mention_facts",
           "name_means", "name_others", "name_priors", "place_facts"]
