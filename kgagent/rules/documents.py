"""Several documents' facts evaluated at once, each document's model as if it had been alone.

The engine's time on one small document is mostly a fixed cost per stratum and per rule run
(relations of a few rows; CoNLL04 dev: 14 ms a sentence, 69 strata). :func:`evaluate_documents`
evaluates many documents in one model instead: every predicate a document's facts reach gets
a first column, the document, added to each of its atoms in every rule (``$D``, a variable no
rule file can write); a rule that derives such a predicate from the rule files' facts alone
reads ``$doc(D)``, one row per document. Rules therefore never join two documents' facts, and
each :class:`DocumentModel` answers ``facts``, ``proof``, ``rule_firings``... exactly as
``Engine.evaluate`` of that document's facts alone would: the same facts, and the same proofs
(rows are appended in the order of their first candidates, so which of equally short proofs
is kept does not depend on the other documents). Checked against one-at-a-time evaluation by
``tests/rules/test_documents.py`` (random programs) and on whole corpora.

When a predicate both has facts in a rule file and is given per document (its rule-file facts
would have to be copied into each document, one proof step higher), the documents are
evaluated one at a time.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from kgagent.errors import RuleError
from kgagent.rules.ast import Atom, Clause, Declaration, Program, Var
from kgagent.rules.engine import E_UNKNOWN_FACT, Engine, Model, format_fact, sorted_rows
from kgagent.schema import ProofNode

__all__ = ["evaluate_documents", "DocumentModel"]

#: the documents of a batch, one row each (a name no rule file can write)
DOC = "$doc"
_D = Var("$D")


def local_predicates(program: Program, given: Iterable[str]) -> set[str]:
    """The predicates whose facts differ from document to document: those ``given`` with each
    document, and every predicate a rule derives from one of them (positively or under ``not``)."""
    local = set(given)
    changed = True
    while changed:
        changed = False
        for c in program.clauses:
            if c.is_fact or c.head.pred in local:
                continue
            if any(isinstance(lit, Atom) and lit.pred in local for lit in c.body):
                local.add(c.head.pred)
                changed = True
    return local


def partitioned_program(program: Program, local: set[str]) -> Program:
    """``program`` with a document column on every atom of a ``local`` predicate (see the module
    docstring). The clauses keep their locations, so rule ids and proofs name the same rules."""

    def add(atom: Atom) -> Atom:
        return Atom(atom.pred, (_D, *atom.args), atom.negated, atom.loc)

    clauses = []
    for c in program.clauses:
        if c.head.pred not in local:
            clauses.append(c)
            continue
        body = tuple(add(lit) if isinstance(lit, Atom) and lit.pred in local else lit for lit in c.body)
        if not any(isinstance(lit, Atom) and not lit.negated and lit.pred in local for lit in c.body):
            body = (Atom(DOC, (_D,), False, c.loc), *body)
        clauses.append(Clause(add(c.head), body, c.loc, c.label))
    declarations = [Declaration(d.pred, d.arity + (d.pred in local), d.loc, d.columns) for d in program.declarations]
    return Program(clauses, declarations, list(program.files), dict(program.sources), list(program.warnings))


#: each engine's compiled document-column programs, by their set of local predicates
_BATCHED: "weakref.WeakKeyDictionary[Engine, dict[frozenset[str], Engine]]" = weakref.WeakKeyDictionary()


def _batched_engine(engine: Engine, local: frozenset[str]) -> Engine:
    cache = _BATCHED.setdefault(engine, {})
    found = cache.get(local)
    if found is None:
        found = cache[local] = Engine(partitioned_program(engine.program, set(local)), record_proofs=engine.record_proofs)
    return found


def evaluate_documents(engine: Engine, documents: Sequence[Mapping[str, Iterable]]) -> list[Any]:
    """Each document's model (base facts: pred -> tuples, as ``Engine.evaluate`` takes them),
    all evaluated in one model when that is exact (see the module docstring), else one at a
    time. The result's models answer ``facts``, ``predicates``, ``contains``, ``proof``,
    ``proof_height`` and ``rule_firings`` as ``Engine.evaluate``'s do."""
    if len(documents) < 2:
        return [engine.evaluate(facts) for facts in documents]
    given = {p for facts in documents for p in facts} | {d.pred for d in engine.program.declarations}
    local = local_predicates(engine.program, given)
    if any(c.is_fact and c.head.pred in local for c in engine.program.clauses):
        return [engine.evaluate(facts) for facts in documents]
    batched = _batched_engine(engine, frozenset(local))
    merged: dict[str, list[tuple]] = {DOC: [(i,) for i in range(len(documents))]}
    for i, facts in enumerate(documents):
        for pred, rows in facts.items():
            if isinstance(rows, (set, frozenset)):  # as Engine.evaluate orders a set's rows
                rows = sorted_rows(rows)
            merged.setdefault(pred, []).extend((i, *row) for row in rows)
    model = batched.evaluate(merged)
    model.doc_column = frozenset(p for p in local if p in model.relations)
    model.hidden = frozenset({DOC})
    return [DocumentModel(model, i, engine) for i in range(len(documents))]


class DocumentModel:
    """One document's part of a model of several (:func:`evaluate_documents`), read as a model."""

    def __init__(self, model: Model, doc: int, engine: Engine) -> None:
        self.model = model
        self.doc = doc
        self.engine = engine  # the program's own engine (its rules, as a lone model's)
        self._id = model.symbols.lookup(doc)
        self._rows: dict[str, np.ndarray] = {}
        self._predicates: list[str] | None = None

    def _doc_rows(self, pred: str) -> np.ndarray:
        rows = self._rows.get(pred)
        if rows is None:
            rel = self.model.relations.get(pred)
            if rel is None or rel.n == 0 or self._id is None:
                rows = np.zeros(0, dtype=np.int64)
            elif pred in self.model.doc_column:
                rows = np.flatnonzero(rel.col(0) == self._id)
            else:
                rows = np.arange(rel.n, dtype=np.int64)
            self._rows[pred] = rows
        return rows

    def predicates(self) -> list[str]:
        """The predicates with facts in this document (and those of the rule files)."""
        if self._predicates is None:  # the model does not change: worked out once
            self._predicates = sorted(p for p in self.model.relations if p != DOC and len(self._doc_rows(p)))
        return list(self._predicates)

    def facts(self, pred: str) -> set[tuple]:
        """All facts of ``pred`` (base and derived) as Python tuples."""
        rows = self._doc_rows(pred)
        if not len(rows):
            return set()
        rel = self.model.relations[pred]
        first = 1 if pred in self.model.doc_column else 0
        if rel.arity == first:
            return {()}
        cols = [self.model.symbols.decode(rel.col(i)[rows]) for i in range(first, rel.arity)]
        return set(zip(*cols))

    def _key(self, pred: str, args: tuple) -> tuple:
        return (self.doc, *args) if pred in self.model.doc_column else tuple(args)

    def contains(self, pred: str, args: tuple) -> bool:
        return self.model.contains(pred, self._key(pred, tuple(args)))

    def proof_height(self, pred: str, args: tuple) -> int:
        row = self.model._find(pred, self._key(pred, tuple(args)))
        if row < 0:
            raise RuleError(f"{format_fact(pred, tuple(args))} is not in the model", code=E_UNKNOWN_FACT)
        return int(self.model.relations[pred].height[row])

    def proof(self, pred: str, args: tuple) -> ProofNode:
        """The recorded (shortest) proof of a fact, down to base facts."""
        try:
            return self.model.proof(pred, self._key(pred, tuple(args)))
        except RuleError as err:
            if err.code == E_UNKNOWN_FACT:
                raise RuleError(f"{format_fact(pred, tuple(args))} is not in the model", code=E_UNKNOWN_FACT) from None
            raise

    def rule_firings(self) -> dict[str, int]:
        """rule_id -> number of this document's facts it derived first (the rule files' own
        derivations counted, as in a lone document's model)."""
        counts = np.zeros(len(self.model.engine.clauses), dtype=np.int64)
        for pred, rel in self.model.relations.items():
            r = rel.rule[self._doc_rows(pred)] if pred != DOC else rel.rule[:0]
            r = r[r >= 0]
            if len(r):
                counts += np.bincount(r, minlength=len(counts))
        out: dict[str, int] = {}
        for rule in self.model.engine.rules:
            rid = rule.clause.rule_id
            out[rid] = out.get(rid, 0) + int(counts[rule.index])
        return out
