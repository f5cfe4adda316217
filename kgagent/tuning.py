"""Tune a domain's thresholds on gold data (``kgagent rules tune``): strict entity and relation F1
of the agent for every combination of the values tried.

A domain's rule files set their numbers as ``threshold(Name, Value)`` facts (the shared rules'
score bands, the repair margin, a domain's own). :func:`tune` runs the agent over the gold
documents once per combination, each time with the rule files' facts of those thresholds
replaced. The encoder's proposals and the linker's links are computed once and reused
(:class:`ProposalCache`, :class:`LinkCache`): a combination costs the rules and the graph facts
around the links, not the model. Tune on dev data, never on test.

Gold is SpERT JSON (a document per record, its tokens joined by spaces) or a CoNLL column file
(a document per ``-DOCSTART-``, a sentence per line: the agent's document-level evidence acts).
A sentence's full stop glued to its last token ("in Boise.") is read apart, as the agent's
tokeniser reads a user's text, so a gold entity ending the sentence ends before it.
Scores are strict and micro-averaged: an entity's span and class, a relation's predicate and both
arguments' spans and classes; a class the gold data never marks is not scored (as ``kgagent
evaluate``); a symmetric relation is scored once per pair.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.errors import InputError
from kgagent.evaluate import paired_bootstrap, prf
from kgagent.schema import Document
from kgagent.text import spans_as_read
from kgagent.thresholds import band_problem, require_thresholds, threshold_values, with_thresholds

#: at most this many combinations in one grid (each is a run over the gold documents)
MAX_COMBINATIONS = 400


@dataclass(frozen=True)
class Scores:
    """Strict micro precision, recall and F1 (percent) with the counts they come from."""

    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int
    correct: int

    @classmethod
    def of(cls, predicted: set, gold: set) -> "Scores":
        """The scores of a predicted set of keys against the gold set (kgagent.evaluate.prf)."""
        m = prf(len(gold), len(predicted), len(predicted & gold))
        return cls(round(m["precision"], 2), round(m["recall"], 2), round(m["f1"], 2), m["gold"], m["pred"],
                   m["correct"])


@dataclass
class TuneRow:
    """One combination of threshold values and what the agent scored with it."""

    values: dict[str, float]
    entity: Scores
    relation: Scores
    verdicts: dict[str, int] = field(default_factory=dict)
    #: the rule files' own values (the combination the domain has now)
    current: bool = False
    #: what the agent accepted, as gold's keys (document first): for :func:`gain_interval`
    accepted_entities: set = field(default_factory=set, repr=False, compare=False)
    accepted_relations: set = field(default_factory=set, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-able data (``kgagent rules tune --json``)."""
        return {"values": dict(self.values), "entity": dataclasses.asdict(self.entity),
                "relation": dataclasses.asdict(self.relation), "verdicts": dict(self.verdicts),
                "current": self.current}


@dataclass
class TuneReport:
    """The rows of a sweep, and the encoder alone on the same gold (every mention it proposed, every
    relation at its own threshold, with its own labels: what the rules are measured against)."""

    rows: list[TuneRow]
    encoder_entity: Scores
    encoder_relation: Scores
    #: the grid's combinations not scored: a review threshold above its accept threshold
    #: (:func:`band_problem`), each with why
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able data: ``rows``, ``encoder_alone`` and ``skipped``."""
        return {"rows": [r.to_dict() for r in self.rows],
                "encoder_alone": {"entity": dataclasses.asdict(self.encoder_entity),
                                  "relation": dataclasses.asdict(self.encoder_relation)},
                "skipped": [dict(x) for x in self.skipped]}


@dataclass
class GoldSet:
    """Gold documents with their strict entity and relation keys (character spans)."""

    documents: list[Document]
    entities: set[tuple[str, int, int, str]]
    relations: set[tuple[str, str, int, int, str, int, int, str]]

    @property
    def classes(self) -> set[str]:
        """The classes the gold data marks (only these are scored)."""
        return {e[3] for e in self.entities}


def parse_grid(specs: Sequence[str]) -> dict[str, list[float]]:
    """``["entity_accept=0.3,0.35,0.4", ...]`` -> name -> values (in the order given, once each).

    Raises InputError KGA481 for a spec that is not NAME=V1,V2,... with numbers, a name given
    twice, or more than :data:`MAX_COMBINATIONS` combinations."""
    grid: dict[str, list[float]] = {}
    for spec in specs:
        name, sep, rest = spec.partition("=")
        name = name.strip()
        if not sep or not name or not rest.strip():
            raise InputError(f"--threshold {spec!r}: expected NAME=V1,V2,... (e.g. entity_accept=0.3,0.35,0.4)",
                             code="KGA481")
        if name in grid:
            raise InputError(f"--threshold {name} is given twice: give all its values in one", code="KGA481")
        values: list[float] = []
        for part in rest.split(","):
            try:
                v = float(part)
            except ValueError:
                raise InputError(f"--threshold {name}: {part.strip()!r} is not a number", code="KGA481") from None
            if not math.isfinite(v):
                raise InputError(f"--threshold {name}: {part.strip()!r} is not a finite number", code="KGA481")
            if v not in values:
                values.append(v)
        grid[name] = values
    if not grid:
        raise InputError("give at least one --threshold NAME=V1,V2,...", code="KGA481")
    n = math.prod(len(v) for v in grid.values())
    if n > MAX_COMBINATIONS:
        raise InputError(f"{n} combinations of thresholds: at most {MAX_COMBINATIONS} (each is a run over the gold data)",
                         code="KGA481")
    return grid


def valid_combinations(grid: Mapping[str, Sequence[float]], own: Mapping[str, float]
                       ) -> tuple[list[dict[str, float]], list[dict[str, Any]]]:
    """The grid's combinations (name -> value, in grid order) whose score bands are valid with the
    rule files' other values (``own``: every threshold they set), and those skipped, each as
    ``{"values": ..., "why": ...}`` (:func:`band_problem`). InputError KGA494 when none is valid:
    nothing would be scored but the rule files' own values."""
    names = list(grid)
    valid: list[dict[str, float]] = []
    skipped: list[dict[str, Any]] = []
    for vs in itertools.product(*(grid[n] for n in names)):
        values = dict(zip(names, vs))
        why = band_problem({**own, **values})
        if why is None:
            valid.append(values)
        else:
            skipped.append({"values": values, "why": why})
    if not valid:
        raise InputError(f"no combination of the values given is a valid band: all {len(skipped)} have a review "
                         f"threshold above its accept threshold (e.g. {skipped[0]['why']}), so a score between "
                         "them would be accepted and rejected; give X_review values at or below X_accept's "
                         "(the rule files' own where the grid does not try it)", code="KGA494")
    return valid, skipped


# --------------------------------------------------------------------------- gold


def read_gold(path: str | Path, normalize: Any, symmetric: Iterable[str] = (), limit: int = 0) -> GoldSet:
    """Gold documents from SpERT JSON (a document per record), feedback JSONL (per line) or a
    CoNLL column file (a document per ``-DOCSTART-``, a sentence per line, entities only), the
    first ``limit`` documents only if given. Labels through ``normalize`` (a domain's label map).
    The readers' errors name the file and line (EncoderError KGA310 / KGA311)."""
    from kgagent.encoder.data import file_format, read_examples

    columns = file_format(path) == "conll"
    return gold_from_examples(read_examples(path), normalize, symmetric, by_document=columns, source=str(path),
                              limit=limit)


def glued_final_stop(tokens: Sequence[str]) -> bool:
    """The sentence's full stop is glued to its last token ("in Boise.", CoNLL04's tokenisation)."""
    return bool(tokens) and len(tokens[-1]) > 1 and tokens[-1].endswith(".")


def final_stop_apart(tokens: Sequence[str]) -> list[str]:
    """The tokens with a sentence-final stop glued to the last one made a token of its own, as the
    agent's tokeniser reads a user's text ("in Boise ."); token indices are unchanged."""
    tokens = list(tokens)
    return tokens[:-1] + [tokens[-1][:-1], "."] if glued_final_stop(tokens) else tokens


def gold_from_examples(examples: Sequence[Any], normalize: Any, symmetric: Iterable[str] = (), *,
                       by_document: bool = False, source: str = "gold", limit: int = 0) -> GoldSet:
    """Examples (kgagent.encoder.data) as gold documents with strict keys: one document per example,
    or, ``by_document``, one per ``meta["doc"]`` (the sentences of a CoNLL document, a line each).
    A sentence's full stop glued to its last token ("Boise.") is read apart, as the agent reads it,
    and an entity ends before any stop glued to its last token that kgagent reads as a word of its
    own (:func:`~kgagent.text.stops_read_apart`: "Boise." before "Polls"), unless the stop is an
    abbreviation's too ("Salisbury , N.C."; :func:`~kgagent.text.end_as_read`)."""
    sym = set(symmetric)
    groups: list[list[Any]] = []
    for ex in examples:
        if by_document and groups and groups[-1][0].meta.get("doc") == ex.meta.get("doc"):
            groups[-1].append(ex)
        else:
            groups.append([ex])
    if limit:
        groups = groups[:limit]
    docs: list[Document] = []
    entities: set[tuple[str, int, int, str]] = set()
    relations: set[tuple[str, str, int, int, str, int, int, str]] = set()
    for gi, group in enumerate(groups):
        doc = f"{Path(source).stem}-{gi}"
        lines, pos = [], 0
        for ex in group:
            line, read = spans_as_read(final_stop_apart(ex.tokens), [(e.start, e.end) for e in ex.entities])
            lines.append(line)
            spans = [(pos + s, pos + e, normalize(ent.type)) for (s, e), ent in zip(read, ex.entities)]
            pos += len(line) + 1  # the document's lines are joined by newlines
            entities.update((doc, *sp) for sp in spans)
            for r in ex.relations:
                (hs, he, hl), (ts, te, tl) = spans[r.head], spans[r.tail]
                pred = normalize(r.type)
                if pred in sym and (ts, te) < (hs, he):
                    (hs, he, hl), (ts, te, tl) = (ts, te, tl), (hs, he, hl)
                relations.add((doc, pred, hs, he, hl, ts, te, tl))
        docs.append(Document(doc, "\n".join(lines), f"{source}:{gi}"))
    return GoldSet(docs, entities, relations)


# --------------------------------------------------------------------------- the sweep


class ProposalCache:
    """An encoder that proposes each sentence once: later calls with the same options return the
    proposals it remembered (the agent reads them without changing them). It passes on only the
    options the encoder takes, as the agent does."""

    def __init__(self, encoder: Any):
        import inspect

        self.encoder = encoder
        self.config = getattr(encoder, "config", None)
        self.name_or_path = getattr(encoder, "name_or_path", None) or getattr(encoder, "path", None) or "encoder"
        try:
            self._takes = set(inspect.signature(encoder.propose).parameters)
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            self._takes = set()
        self._memo: dict[tuple[str, tuple], Any] = {}
        self.sentences = 0  # sentences the encoder itself was asked for

    def propose(self, sentences: Sequence[str], batch_size: int = 32, relation_threshold: float | None = None,
                near_miss_floor: float | None = None) -> list[Any]:
        options = {k: v for k, v in (("relation_threshold", relation_threshold), ("near_miss_floor", near_miss_floor))
                   if v is not None and k in self._takes}
        key = tuple(sorted(options.items()))
        todo = [s for s in dict.fromkeys(sentences) if (s, key) not in self._memo]
        if todo:
            self.sentences += len(todo)
            for s, p in zip(todo, self.encoder.propose(todo, batch_size=batch_size, **options)):
                self._memo[(s, key)] = p
        return [self._memo[(s, key)] for s in sentences]


class LinkCache:
    """A linker that links each (text, class) once: later calls return the Links it remembered
    (the graph does not change while tuning: every run decides with ``update_graph=False``).
    Anything else (``prefetch``, ``embed``) is the linker's own."""

    def __init__(self, linker: Any):
        self.linker = linker
        self._memo: dict[tuple[str, str | None, int], Any] = {}
        self.linked = 0  # mentions the linker itself was asked for

    def link(self, mentions: Sequence[tuple[str, str | None]], top_k: int = 10) -> list[Any]:
        todo = [m for m in dict.fromkeys((t, c) for t, c in mentions) if (m[0], m[1], top_k) not in self._memo]
        if todo:
            self.linked += len(todo)
            for (t, c), link in zip(todo, self.linker.link(todo, top_k=top_k)):
                self._memo[(t, c, top_k)] = link
        return [self._memo[(t, c, top_k)] for t, c in mentions]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.linker, name)


def tune(agent: Any, gold: GoldSet, grid: Mapping[str, Sequence[float]]) -> TuneReport:
    """The agent's strict entity and relation F1 on ``gold`` for each combination of ``grid``'s
    values (name -> values; every name must be a threshold the agent's rule files set), in grid
    order, plus the rule files' own combination (``current``) when the grid lacks it; and the
    encoder alone's. A combination with a review threshold above its accept threshold is not
    scored but counted in the report's ``skipped`` (InputError KGA494 when every one is: see
    :func:`valid_combinations`).

    The agent's graph is not changed (documents are decided against the loaded graph, as
    ``kgagent extract`` would decide them one run at a time)."""
    program = agent.program
    names = list(grid)
    own = require_thresholds(program, names)
    combos, skipped = valid_combinations(grid, threshold_values(program))
    if own not in combos:
        combos.append(own)
    cache, links = ProposalCache(agent.encoder), LinkCache(agent.linker)
    rows = []
    raw: tuple[set, set] = (set(), set())
    for i, values in enumerate(combos):
        trial = agent.with_rules(with_thresholds(program, values), encoder=cache, linker=links)
        rows.append(_score(trial, gold, values, current=values == own, raw=raw if i == 0 else None))
    return TuneReport(rows, Scores.of(raw[0], gold.entities), Scores.of(raw[1], gold.relations), skipped)


def best(rows: Sequence[TuneRow], by: str = "relation") -> TuneRow:
    """The row with the highest F1 of ``by`` (relation or entity), the other F1 breaking ties,
    then the current values, then grid order."""
    other = "entity" if by == "relation" else "relation"
    return max(rows, key=lambda r: (getattr(r, by).f1, getattr(r, other).f1, r.current))


def gain_interval(gold: GoldSet, before: TuneRow, after: TuneRow, what: str = "relation",
                  resamples: int = 2000) -> dict[str, float]:
    """How sure is ``after``'s F1 gain over ``before`` (``what``: relation or entity)? The paired
    bootstrap over gold's documents (:func:`kgagent.evaluate.paired_bootstrap`): the gain, its 95 %
    interval (``low``, ``high``) and the share of draws in which ``after`` is better."""
    attr = "accepted_relations" if what == "relation" else "accepted_entities"
    keys = gold.relations if what == "relation" else gold.entities
    return paired_bootstrap(getattr(before, attr), getattr(after, attr), keys, [d.id for d in gold.documents],
                            resamples)


def _score(agent: Any, gold: GoldSet, values: dict[str, float], current: bool,
           raw: tuple[set, set] | None = None) -> TuneRow:
    """One run's row; with ``raw`` (two sets), also what the encoder alone proposed, with its own
    labels (a repaired candidate as it was before the repair), into ``raw``."""
    marked = gold.classes
    threshold = agent.encoder_threshold if agent.encoder_threshold is not None else 0.0
    ents: set[tuple[str, int, int, str]] = set()
    rels: set[tuple[str, str, int, int, str, int, int, str]] = set()
    verdicts: Counter[str] = Counter()
    for res in agent.iter_extract(gold.documents, update_graph=False):
        proposed = {m.id for m in res.mentions}  # not the near misses (kgagent extract --near-misses)
        for d in res.decisions:
            verdicts[d.verdict] += 1
            if raw is not None:
                _add_raw(raw, res.doc, d, marked, threshold, proposed)
            if not d.accepted:
                continue
            if d.kind == "entity" and d.mention is not None:
                if d.label in marked:
                    ents.add((res.doc, d.mention.start, d.mention.end, d.label))
            elif d.kind == "relation" and d.head is not None and d.tail is not None:
                rels.add((res.doc, d.label, d.head.start, d.head.end, d.head.label, d.tail.start, d.tail.end,
                          d.tail.label))
    return TuneRow(dict(values), Scores.of(ents, gold.entities), Scores.of(rels, gold.relations), dict(verdicts),
                   current, ents, rels)


def _add_raw(raw: tuple[set, set], doc: str, d: Any, marked: set[str], threshold: float, proposed: set[str]) -> None:
    """A decision's candidate as the encoder proposed it, if the encoder alone would output it."""
    if d.kind == "entity" and d.mention is not None:
        if d.mention.id not in proposed:
            return
        label = d.mention.repaired_from or d.label
        if label in marked:
            raw[0].add((doc, d.mention.start, d.mention.end, label))
    elif d.kind == "relation" and d.head is not None and d.tail is not None and d.score >= threshold:
        pred = d.repair["from"] if d.repair else d.label
        raw[1].add((doc, pred, d.head.start, d.head.end, d.head.repaired_from or d.head.label, d.tail.start,
                    d.tail.end, d.tail.repaired_from or d.tail.label))
