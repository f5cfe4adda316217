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
    """The most conditions of the body one assignment satisfies, and the condition after them.

    The conditions are taken in the order they are written, a comparison or a ``not`` once its
    variables are bound (``X = expr`` binds X, on either side), as the engine takes them whatever
    the order. Depth first, without recursion (a body may hold thousands of
    conditions), at most :data:`SEARCH_LIMIT` partial assignments."""
    body = clause.body
    best_done: tuple[int, ...] = ()
    best_env = dict(env)
    budget = SEARCH_LIMIT - 1
    if not body:
        return None
    first = _next(body, (), env)
    stack = [((), first, _extend(facts, body[first], env))]
    while stack and budget > 0:
        done, j, options = stack[-1]
        nxt = next(options, None)
        if nxt is None:
            stack.pop()
            continue
        budget -= 1
        now = done + (j,)
        if len(now) > len(best_done):
            best_done, best_env = now, nxt
        if len(now) == len(body):
            return None  # the model holds what the rule derives: nothing is missing here
        k = _next(body, now, nxt)
        stack.append((now, k, _extend(facts, body[k], nxt)))
    failed = body[_next(body, best_done, best_env)]
    return NearMiss(rule=clause.rule_id, head=_show_atom(clause.head, best_env),
                    satisfied=tuple(_show(body[i], best_env) for i in best_done), failed=_show(failed, best_env),
                    why=_why(facts, failed, best_env), conditions=len(body), bindings=best_env)


def _next(body: Sequence[Literal], done: tuple[int, ...], env: dict[str, Value]) -> int:
    """The condition to take next: the first left in the written order, a check (a comparison, a
    ``not``) only once its variables are bound; the first left when only checks that cannot be
    bound are (it fails)."""
    taken = set(done)
    left = [i for i in range(len(body)) if i not in taken]
    return next((i for i in left if (isinstance(body[i], Atom) and not body[i].negated) or _ready(body[i], env)),
                left[0])


def _ready(lit: Literal, env: dict[str, Value]) -> bool:
    """Is ``lit`` a check whose variables are bound (for ``X = expr``: expr's)?"""
    if isinstance(lit, Comparison):
        left, right = term_vars(lit.left) - env.keys(), term_vars(lit.right) - env.keys()
        if not left and not right:
            return True
        return lit.op == "=" and (_binds(lit.left, left, right) or _binds(lit.right, right, left))
    return lit.negated and all(t.anonymous or t.name in env for t in lit.args if isinstance(t, Var))


def _binds(target: Term, unbound: set[str], other_unbound: set[str]) -> bool:
    return isinstance(target, Var) and not target.anonymous and unbound == {target.name} and not other_unbound


def _extend(facts: _Facts, lit: Literal, env: dict[str, Value]) -> Iterator[dict[str, Value]]:
    """Every extension of ``env`` that satisfies ``lit`` (one, unchanged, for a check)."""
    if isinstance(lit, Comparison):
        if lit.op == "=":
            for target, other in ((lit.left, lit.right), (lit.right, lit.left)):
                if isinstance(target, Var) and not target.anonymous and target.name not in env:
                    value = _value(other, env)
                    if value is not None:
                        yield {**env, target.name: value}
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
    """``pred(a, "b c", _)``: a goal as a rule file writes it (``flag`` without arguments)."""
    return f"{pred}({', '.join(value_text(a) for a in args)})" if args else pred


def _show_term(term: Term, env: dict[str, Value]) -> str:
    if isinstance(term, Var):
        return value_text(env[term.name]) if not term.anonymous and term.name in env else term.name
    if isinstance(term, Const):
        return value_text(term.value)
    return f"{_show_term(term.left, env)} {term.op} {_show_term(term.right, env)}"


def _show_atom(atom: Atom, env: dict[str, Value]) -> str:
    args = ", ".join(_show_term(t, env) for t in atom.args)
    return f"{'not ' if atom.negated else ''}{atom.pred}" + (f"({args})" if atom.args else "")


def _show(lit: Literal, env: dict[str, Value]) -> str:
    """A condition as written, its atoms' variables replaced by their values (a comparison keeps
    its variables: its values are in the why)."""
    if isinstance(lit, Comparison):
        return f"{_show_term(lit.left, {})} {lit.op} {_show_term(lit.right, {})}"
    return _show_atom(lit, env)
