"""Corpus memory: what earlier extraction accepted about a name's type, as votes the rules and the
joint decision read (``type_votes(Entity, Class, N)``).

A :class:`TypeMemory` is built from accepted entity decisions (a run's ``decisions.jsonl``,
:class:`~kgagent.decisions.DocumentResult` objects, or the mention records accepted entities left
in a graph: :meth:`TypeMemory.from_graph`) and is **read-only during a run**: every
document of a run sees the same memory, whatever the order of the documents, so a rerun or a
resumed run gives the same decisions; the memory grows only between runs (build a new one from
the finished run). A document never votes for itself: the votes a mention sees are those of the
*other* documents, so a second pass over one corpus is not self-confirming.

Names are keys (white space collapsed, case-folded): "Yukos" accepted as an organisation in ten
documents gives ``type_votes(E, organization, 10)`` to the eleventh's "Yukos".

>>> mem = TypeMemory.from_decisions([
...     {"kind": "entity", "verdict": "accept", "text": "Yukos", "type": "firm", "doc": "d1"},
...     {"kind": "entity", "verdict": "accept", "text": "YUKOS", "type": "firm", "doc": "d2"},
...     {"kind": "entity", "verdict": "reject", "text": "Yukos", "type": "place", "doc": "d3"}])
>>> mem.votes_for("yukos", doc="d3")
{'firm': 2}
>>> mem.votes_for("Yukos", doc="d1")
{'firm': 1}
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kgagent.decisions import ACCEPTING
from kgagent.errors import InputError, KGAError, Location, not_text
from kgagent.text import name_key


class TypeMemory:
    """Type votes per name and document, from accepted entity decisions (see the module)."""

    def __init__(self, votes: Mapping[str, Mapping[str, Mapping[str, int]]] | None = None):
        #: name key -> document -> class -> accepted mentions
        self.votes_: dict[str, dict[str, Counter]] = {
            k: {d: Counter(c) for d, c in docs.items()} for k, docs in (votes or {}).items()}

    @classmethod
    def from_decisions(cls, records: Iterable[Mapping[str, Any]]) -> "TypeMemory":
        """From decision dicts (a ``decisions.jsonl``'s lines): accepted and repaired entities vote.

        InputError KGA414 for a voting decision whose ``text``, ``type`` or ``doc`` is no text (a
        lone surrogate, JSON's ``"\\ud800"``, or a NUL character, ``"\\u0000"``: no document
        holds one), naming the decision by its position ("decision 3")."""
        votes: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        for i, r in enumerate(records, 1):
            if _votes(r):
                if (problem := _vote_problem(r)) is not None:
                    raise InputError(f"decision {i}: {problem}", code="KGA414")
                votes[name_key(r["text"])][str(r.get("doc", ""))][str(r["type"])] += 1
        return cls(votes)

    @classmethod
    def from_results(cls, results: Iterable[Any]) -> "TypeMemory":
        """From DocumentResults (e.g. a first pass of ``Agent.iter_extract``)."""
        return cls.from_decisions(d.to_dict() for res in results for d in res.decisions)

    @classmethod
    def from_graph(cls, kg: Any) -> "TypeMemory":
        """From a KnowledgeGraph: the mention records (``kga:EntityMention``) that accepted new
        entities left in the graph, one per accepted mention, each voting for its entity's class
        under the name it used: the entity's label, or the short name it called the entity by
        (``kga:shortName``: "KDP" of the Kurdistan Democratic Party), as
        :meth:`from_decisions` votes. Read it at the start of a run (the graph is a frozen
        snapshot during a run); it grows when a run's graph is merged into the domain's between
        runs."""
        from kgagent.kg.vocab import to_name

        rows = kg.query("""
            SELECT ?name ?type ?doc (COUNT(DISTINCT ?m) AS ?n) WHERE {
              ?m a kga:EntityMention ; kga:entity ?e ; kga:doc ?doc .
              ?e a ?type .
              OPTIONAL { ?m kga:shortName ?short }
              OPTIONAL { ?e rdfs:label ?label }
              BIND(COALESCE(?short, ?label) AS ?name)
              FILTER(BOUND(?name))
            } GROUP BY ?name ?type ?doc""", timeout=60.0)
        votes: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        for r in rows:
            votes[name_key(str(r["name"]))][str(r["doc"])][to_name(r["type"])] += int(r["n"])
        return cls(votes)

    @classmethod
    def load(cls, path: str | Path) -> "TypeMemory":
        """From a run's ``decisions.jsonl`` (or a run directory holding one). InputError KGA414 if unreadable."""
        from kgagent.rule_stats import numbered_decisions

        p = Path(path)
        if p.is_dir():
            p = p / "decisions.jsonl"

        def checked() -> Iterator[dict[str, Any]]:  # a vote that is no text is told at its line
            for lineno, record in numbered_decisions(p):
                if _votes(record) and (problem := _vote_problem(record)) is not None:
                    raise InputError(problem, code="KGA414", location=Location(str(p), lineno))
                yield record

        try:
            return cls.from_decisions(checked())
        except KGAError as err:  # the reader every command shares; its words, under this input's code
            raise InputError(f"cannot read the memory's decisions: {err.message}", code="KGA414",
                             location=err.location) from None

    def votes_for(self, text: str, doc: str | None = None) -> dict[str, int]:
        """Class -> accepted mentions of this name in the other documents (all when ``doc`` is None)."""
        total: Counter = Counter()
        for d, counts in sorted(self.votes_.get(name_key(text), {}).items()):
            if d != doc:
                total.update(counts)
        return dict(sorted(total.items()))

    def votes(self, mention: Any) -> dict[str, int]:
        """The votes a mention (a MentionResult) sees: its name's, from the other documents."""
        return self.votes_for(mention.text, mention.doc)

    @staticmethod
    def prior(votes: Mapping[str, int], weight: float, classes: Iterable[str] = ()) -> dict[str, float]:
        """Log-score bonus per class: ``weight`` x log of the smoothed share of the votes
        (add-one-half over the voted classes and ``classes``); empty without votes."""
        n = sum(votes.values())
        if n <= 0 or weight <= 0:
            return {}
        names = sorted(set(votes) | set(classes))
        return {c: weight * math.log((votes.get(c, 0) + 0.5) / (n + 0.5 * len(names))) for c in names}

    def fingerprint(self) -> str:
        """A content hash of the votes (a run's outputs depend on it)."""
        from kgagent.ids import stable_id

        rows = sorted((k, d, c, n) for k, docs in self.votes_.items() for d, cs in docs.items() for c, n in cs.items())
        return stable_id("mem", json.dumps(rows))

    def __len__(self) -> int:
        return len(self.votes_)


def _votes(record: Mapping[str, Any]) -> bool:
    """Whether a decision votes: an accepted (or repaired) entity with a name and a type."""
    return (record.get("kind") == "entity" and record.get("verdict") in ACCEPTING
            and isinstance(record.get("text"), str) and bool(record["text"].strip())
            and isinstance(record.get("type"), str) and bool(record["type"]))


def _vote_problem(record: Mapping[str, Any]) -> str | None:
    """Why a voting decision's ``text``, ``type`` or ``doc`` is no text, or None: a lone surrogate
    or a NUL character, which no document and no class name holds (a corpus refuses both).

    >>> _vote_problem({"text": "Yukos\\x00", "type": "firm", "doc": "d1"})
    '"text" holds a NUL character (U+0000) at character 5, which is no text'
    """
    for key in ("text", "type", "doc"):
        value = record.get(key)
        if not isinstance(value, str):
            continue
        if (why := not_text(value)) is not None:
            return f'"{key}" holds {why}, which is no text'
    return None


__all__ = ["TypeMemory", "name_key"]
