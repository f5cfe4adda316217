"""Why a fact was not derived: for each rule that could derive it, how far its body got.

A person who edits rules asks "why did my rule not fire?" as often as "why did this hold?"
(:meth:`Model.proof`). :func:`why_not` answers over an evaluated model: for a goal such as
``reject(r1, _)`` it takes every rule whose head fits the goal, binds what the goal fixes, and
searches the facts of the model for the assignment that satisfies the most of the body's
conditions in the order they are written; the first condition no assignment satisfies is where
the rule stopped, and why: no such fact, a ``not`` whose fact holds, a false comparison.

>>> from kgagent.rules import Engine, parse_rules
>>> program = parse_rules('''
... risky(D) :- drug(D), dose(D, N), N > 100.
... ''', "toy.rules")
>>> model = Engine(program).evaluate({"drug": [("aspirin",)], "dose": [("aspirin", 80)]})
>>> (miss,) = why_not(model, "risky", ("aspirin",))
>>> miss.rule, miss.failed, miss.why
('toy.rules:2', 'N > 100', 'false for N = 80')
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kgagent.rules.ast import Atom, Clause, Comparison, Const, Literal, Term, Value, Var
from kgagent.rules.engine import format_value, term_vars

HOLDS = "it holds"
FALSE_FOR = "false for "

#: how many partial assignments one rule's search may visit before it reports what it found
SEARCH_LIMIT = 20_000


@dataclass(frozen=True)
class NearMiss:
    """How far one rule got towards a fact the model lacks."""

    rule: str  # the rule's id: file:name, or file:line
    head: str  # the rule's head as far as the best assignment binds it
    satisfied: tuple[str, ...]  # the body's conditions that held, in order, with their values
    failed: str  # the first condition no assignment satisfied, as far as it is bound
    why: str  # "no such fact", "it holds", "false for N = 80", ...
    conditions: int  # how many conditions the body has
    bindings: dict[str, Value] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "head": self.head, "satisfied": list(self.satisfied), "failed": self.failed,
                "why": self.why, "conditions": self.conditions}

    def __str__(self) -> str:
        return (f"{self.rule} {self.head}: {len(self.satisfied)} of {self.conditions} conditions hold, "
                f"then {self.failed}: {self.why}")


def why_not(model: Any, pred: str, args: Sequence[Value | None]) -> list[NearMiss]:
    """For a goal ``pred(args)`` (None: any value) the model does not hold, each rule whose head
    fits it and where it stopped, the closest first: stopped by a false comparison (a threshold
    missed), then by a missing fact, then by a ``not`` (a guard); within each, the fewest
    conditions left, then the most that held. Empty when the model holds the goal, or no rule's
    head fits it (the answer then is that no rule derives such a fact)."""
    facts = _Facts(model)
    if facts.holds(pred, tuple(args)):
        return []
    out = []
    for clause in model.engine.program.rules:
        head = clause.head
        if head.pred != pred or head.arity != len(args):
            continue
        env = _unify_head(head, tuple(args))
        if env is None:
            continue
        miss = _search(facts, clause, env)
        if miss is not None:
            out.append(miss)
    # what a person asks about first: a threshold the values missed (a false comparison, every
    # variable bound), then a missing fact; last a `not` whose fact holds, usually a guard doing
    # its work ("not head_kind_fits(R)": the relation is well formed)
    return sorted(out, key=lambda m: (_rank(m), m.conditions - len(m.satisfied), -len(m.satisfied), m.rule))


def holds(model: Any, pred: str, args: Sequence[Value | None]) -> bool:
    """Does the model hold a fact ``pred(args)`` (None: any value)?"""
    return _Facts(model).holds(pred, tuple(args))


def _rank(miss: NearMiss) -> int:
    return 0 if miss.why.startswith(FALSE_FOR) else 2 if miss.why == HOLDS else 1


class _Facts:
    """The model's facts by predicate, decoded once for the whole search."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self._sets: dict[str, set[tuple]] = {}
        self._index: dict[tuple[str, int], dict[Value, list[tuple]]] = {}

    def of(self, pred: str) -> set[tuple]:
        rows = self._sets.get(pred)
        if rows is None:
            rows = self._sets[pred] = set(self.model.facts(pred))  # empty for a predicate the model lacks
        return rows

    def matching(self, pred: str, pos: int, value: Value) -> list[tuple]:
        """The facts of ``pred`` whose argument ``pos`` is ``value`` (an index built on first use)."""
        index = self._index.get((pred, pos))
        if index is None:
            index = self._index[(pred, pos)] = {}
            for row in self.of(pred):
                if len(row) > pos:
                    index.setdefault(row[pos], []).append(row)
        return index.get(value, [])

    def holds(self, pred: str, args: tuple) -> bool:
        """Is there a fact ``pred(args)`` (None: any value)?"""
        if None not in args:
            return args in self.of(pred)
        return any(len(row) == len(args) and all(a is None or _same(a, v) for a, v in zip(args, row))
                   for row in self.of(pred))


def _same(a: Value, b: Value) -> bool:
    return a == b and isinstance(a, str) == isinstance(b, str)


def _unify_head(head: Atom, args: tuple) -> dict[str, Value] | None:
    env: dict[str, Value] = {}
    for term, value in zip(head.args, args):
        if value is None:
            continue
        if isinstance(term, Const):
            if not _same(term.value, value):
                return None
        elif isinstance(term, Var) and not term.anonymous:
            if term.name in env and not _same(env[term.name], value):
                return None
            env[term.name] = value
    return env


def _search(facts: _Facts, clause: Clause, env: dict[str, Value]) -> NearMiss | None:
    """The deepest prefix of the body one assignment satisfies, and the condition after it."""
    body = clause.body
    best: dict[str, Any] = {"depth": -1}
    budget = [SEARCH_LIMIT]

    def visit(i: int, env: dict[str, Value]) -> bool:  # True: the whole body held (the goal would hold)
        budget[0] -= 1
        if i > best["depth"]:
            best.update(depth=i, env=dict(env))
        if i == len(body):
            return True
        if budget[0] <= 0:
            return False
        return any(visit(i + 1, nxt) for nxt in _extend(facts, body[i], env))

    if visit(0, dict(env)):
        return None  # the model holds what the rule derives: nothing is missing here
    depth, found = best["depth"], best["env"]
    failed = body[depth]
    return NearMiss(rule=clause.rule_id, head=_show_atom(clause.head, found),
                    satisfied=tuple(_show(lit, found) for lit in body[:depth]), failed=_show(failed, found),
                    why=_why(facts, failed, found), conditions=len(body), bindings=found)


def _extend(facts: _Facts, lit: Literal, env: dict[str, Value]) -> Iterator[dict[str, Value]]:
    """Every extension of ``env`` that satisfies ``lit`` (one, unchanged, for a check)."""
    if isinstance(lit, Comparison):
        if lit.op == "=" and isinstance(lit.left, Var) and lit.left.name not in env:
            value = _value(lit.right, env)
            if value is not None:
                yield {**env, lit.left.name: value}
            return
        if _compare(lit, env):
            yield env
        return
    if lit.negated:
        row = tuple(_value(t, env) for t in lit.args)
        if None not in row and not facts.holds(lit.pred, row):
            yield env
        return
    bound = next(((i, v) for i, t in enumerate(lit.args) if (v := _value(t, env)) is not None), None)
    rows = facts.matching(lit.pred, *bound) if bound is not None else facts.of(lit.pred)
    for fact in rows:
        if len(fact) != lit.arity:
            continue
        nxt = dict(env)
        if all(_match(t, v, nxt) for t, v in zip(lit.args, fact)):
            yield nxt


def _match(term: Term, value: Value, env: dict[str, Value]) -> bool:
    if isinstance(term, Var):
        if term.anonymous:
            return True
        if term.name in env:
            return _same(env[term.name], value)
        env[term.name] = value
        return True
    bound = _value(term, env)
    return bound is not None and _same(bound, value)


def _value(term: Term, env: dict[str, Value]) -> Value | None:
    """The term's value under ``env``; None while a variable in it is unbound (or on bad arithmetic)."""
    if isinstance(term, Const):
        return term.value
    if isinstance(term, Var):
        return env.get(term.name)
    left, right = _value(term.left, env), _value(term.right, env)
    if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
        return None
    try:
        if term.op == "+":
            return left + right
        if term.op == "-":
            return left - right
        if term.op == "*":
            return left * right
        if term.op == "/":
            return left // right if isinstance(left, int) and isinstance(right, int) else left / right
        if term.op == "%":
            return left % right
    except ZeroDivisionError:
        return None
    return None


def _compare(c: Comparison, env: dict[str, Value]) -> bool:
    left, right = _value(c.left, env), _value(c.right, env)
    if left is None or right is None:
        return False
    if c.op == "=":
        return _same(left, right)
    if c.op == "!=":
        return not _same(left, right)
    if isinstance(left, str) != isinstance(right, str):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}.get(c.op, False)


def _why(facts: _Facts, lit: Literal, env: dict[str, Value]) -> str:
    """Why a condition fails under the best assignment, in words."""
    if isinstance(lit, Comparison):
        names = sorted(term_vars(lit.left) | term_vars(lit.right))
        unbound = [n for n in names if n not in env]
        if unbound:
            return f"{', '.join(unbound)} not bound"
        return FALSE_FOR + ", ".join(f"{n} = {value_text(env[n])}" for n in names) if names else "false"
    if lit.negated:
        return HOLDS
    if not facts.of(lit.pred):
        return f"no {lit.pred} fact at all"
    return "no such fact"


def value_text(value: Value | None) -> str:
    """A value as a rule file writes it (a name bare, any other string quoted); None as ``_``."""
    return "_" if value is None else format_value(value)


def goal_text(pred: str, args: Sequence[Value | None]) -> str:
    """``pred(a, "b c", _)``: a goal as a rule file writes it."""
    return f"{pred}({', '.join(value_text(a) for a in args)})"


def _show_term(term: Term, env: dict[str, Value]) -> str:
    if isinstance(term, Var):
        return value_text(env[term.name]) if not term.anonymous and term.name in env else term.name
    if isinstance(term, Const):
        return value_text(term.value)
    return f"{_show_term(term.left, env)} {term.op} {_show_term(term.right, env)}"


def _show_atom(atom: Atom, env: dict[str, Value]) -> str:
    args = ", ".join(_show_term(t, env) for t in atom.args)
    return f"{'not ' if atom.negated else ''}{atom.pred}({args})"


def _show(lit: Literal, env: dict[str, Value]) -> str:
    """A condition as written, its atoms' variables replaced by their values (a comparison keeps
    its variables: its values are in the why)."""
    if isinstance(lit, Comparison):
        return f"{_show_term(lit.left, {})} {lit.op} {_show_term(lit.right, {})}"
    return _show_atom(lit, env)
