"""Test helpers for the engine tests: a tiny parser (so these tests do not depend on the real
one) and an obviously-correct naive fixpoint to compare the engine with."""

from __future__ import annotations

import itertools
import re

from kgagent.rules.ast import Atom, BinOp, Clause, Comparison, Const, Program, SourceLoc, Var

TOKEN = re.compile(
    r'\s*(?:(?P<num>-?\d+\.\d+|-?\d+)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)'
    r"|(?P<op>:-|<=|>=|!=|[(),.<>=+\-*/%]))"
)


def _tokens(text: str):
    out = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("%"):  # comments: whole lines only (% is also modulo)
            continue
        pos = 0
        while pos < len(line):
            if line[pos:].strip() == "":
                break
            m = TOKEN.match(line, pos)
            if not m:
                raise SyntaxError(f"line {lineno}: cannot read {line[pos:]!r}")
            kind = m.lastgroup
            col = m.start(kind) + 1
            out.append((kind, m.group(kind), lineno, col))
            pos = m.end()
    out.append(("eof", "", 0, 0))
    return out


def parse(text: str, path: str = "t.rules") -> Program:
    """Facts, rules, ``not``, comparisons and arithmetic; enough for the engine tests."""
    toks = _tokens(text)
    i = 0

    def peek():
        return toks[i]

    def take(value=None):
        nonlocal i
        t = toks[i]
        if value is not None and t[1] != value:
            raise SyntaxError(f"expected {value!r} at line {t[2]} col {t[3]}, got {t[1]!r}")
        i += 1
        return t

    def loc(t):
        return SourceLoc(path, t[2], t[3])

    def term_primary():
        t = take()
        if t[0] == "num":
            return Const(float(t[1]) if "." in t[1] else int(t[1]), loc(t))
        if t[0] == "str":
            return Const(bytes(t[1][1:-1], "utf-8").decode("unicode_escape"), loc(t))
        if t[0] == "name":
            if t[1][0].isupper() or t[1][0] == "_":
                return Var(t[1], loc(t))
            return Const(t[1], loc(t))
        if t[1] == "(":
            e = expr()
            take(")")
            return e
        raise SyntaxError(f"unexpected {t[1]!r} at line {t[2]}")

    def term_mul():
        left = term_primary()
        while peek()[1] in ("*", "/", "%"):
            op = take()
            left = BinOp(op[1], left, term_primary(), loc(op))
        return left

    def expr():
        left = term_mul()
        while peek()[1] in ("+", "-"):
            op = take()
            left = BinOp(op[1], left, term_mul(), loc(op))
        return left

    def atom(negated=False):
        t = take()
        args = []
        if peek()[1] == "(":
            take("(")
            args.append(expr())
            while peek()[1] == ",":
                take(",")
                args.append(expr())
            take(")")
        return Atom(t[1], tuple(args), negated, loc(t))

    def literal():
        t = peek()
        if t[0] == "name" and t[1] == "not":
            take()
            return atom(negated=True)
        if t[0] == "name" and t[1][0].islower() and toks[i + 1][1] in ("(", ",", "."):
            return atom()
        left = expr()
        op = take()
        return Comparison(op[1], left, expr(), loc(op))

    clauses = []
    while peek()[0] != "eof":
        start = peek()
        head = atom()
        body = []
        if peek()[1] == ":-":
            take()
            body.append(literal())
            while peek()[1] == ",":
                take(",")
                body.append(literal())
        take(".")
        clauses.append(Clause(head, tuple(body), loc(start)))
    return Program(clauses=clauses, files=[path], sources={path: text})


# --------------------------------------------------------------------------------------------
# the naive fixpoint: obviously correct, slow
# --------------------------------------------------------------------------------------------
def _value(term, env):
    if isinstance(term, Var):
        return env[term.name]
    if isinstance(term, Const):
        return term.value
    a, b = _value(term.left, env), _value(term.right, env)
    if term.op == "+":
        return a + b
    if term.op == "-":
        return a - b
    if term.op == "*":
        return a * b
    if term.op == "/":
        return a // b if isinstance(a, int) and isinstance(b, int) else a / b
    return a % b


def _match(atom, fact, env):
    env = dict(env)
    for t, v in zip(atom.args, fact):
        if isinstance(t, Var):
            if t.anonymous:
                continue
            if t.name in env:
                if env[t.name] != v:
                    return None
            else:
                env[t.name] = v
        elif _value(t, env) != v:
            return None
    return env


def _bodies(clause, db):
    """All variable assignments satisfying a rule body in db (brute force, body order)."""
    envs = [{}]
    pending = list(clause.body)
    while pending:
        progressed = False
        for lit in list(pending):
            if isinstance(lit, Atom) and not lit.negated:
                envs = [e2 for e in envs for f in db.get(lit.pred, ()) if (e2 := _match(lit, f, e)) is not None]
                pending.remove(lit)
                progressed = True
                break
        if progressed:
            continue
        for lit in list(pending):
            if isinstance(lit, Comparison):
                out = []
                for e in envs:
                    names = _names(lit.left) | _names(lit.right)
                    if names <= e.keys():
                        a, b = _value(lit.left, e), _value(lit.right, e)
                        if _compare(lit.op, a, b):
                            out.append(e)
                    elif lit.op == "=" and isinstance(lit.left, Var) and _names(lit.right) <= e.keys():
                        out.append({**e, lit.left.name: _value(lit.right, e)})
                    else:
                        raise AssertionError("unsafe comparison in test program")
                envs = out
            else:  # negation
                envs = [e for e in envs if not any(_match(lit, f, e) is not None for f in db.get(lit.pred, ()))]
            pending.remove(lit)
            break
    return envs


def _names(t):
    if isinstance(t, Var):
        return set() if t.anonymous else {t.name}
    if isinstance(t, BinOp):
        return _names(t.left) | _names(t.right)
    return set()


def _compare(op, a, b):
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "=": a == b, "!=": a != b}[op]


def naive_model(program: Program, facts: dict[str, set]) -> dict[str, set]:
    """Stratum by stratum (strata given by the caller's predicate order), naive iteration."""
    db = {p: set(v) for p, v in facts.items()}
    for c in program.facts:
        db.setdefault(c.head.pred, set()).add(tuple(_value(t, {}) for t in c.head.args))
    strata = naive_strata(program)
    for rules in strata:
        while True:
            new = set()
            for c in rules:
                for env in _bodies(c, db):
                    f = (c.head.pred, tuple(_value(t, env) for t in c.head.args))
                    if f[1] not in db.get(f[0], ()):
                        new.add(f)
            if not new:
                break
            for p, args in new:
                db.setdefault(p, set()).add(args)
    return db


def naive_strata(program: Program) -> list[list[Clause]]:
    """Stratum number of a predicate = longest chain of negations below it (simple iteration)."""
    rules = program.rules
    level = {c.head.pred: 0 for c in rules}
    for _ in range(len(rules) + 2):
        changed = False
        for c in rules:
            for lit in c.body:
                if isinstance(lit, Atom):
                    need = level.get(lit.pred, 0) + (1 if lit.negated else 0)
                    if level[c.head.pred] < need:
                        level[c.head.pred] = need
                        changed = True
        if not changed:
            break
    else:
        raise AssertionError("not stratifiable")
    top = max(level.values(), default=0)
    return [[c for c in rules if level[c.head.pred] == s] for s in range(top + 1)]


def derivations(program: Program, db: dict[str, set]):
    """Every (head fact, rule clause, positive premises) one step of the program allows over db."""
    for c in program.rules:
        pos = [lit for lit in c.body if isinstance(lit, Atom) and not lit.negated]
        for env in _bodies(c, db):
            head = (c.head.pred, tuple(_value(t, env) for t in c.head.args))
            prems = [(a.pred, tuple(_value(t, env) if not (isinstance(t, Var) and t.anonymous) else None for t in a.args)) for a in pos]
            yield head, c, prems


def min_heights(program: Program, facts: dict[str, set]) -> dict[tuple, int]:
    """Minimal proof height of every fact (base = 0), by brute-force over ground premises."""
    model = naive_model(program, facts)
    height = {(p, f): 0 for p, fs in facts.items() for f in fs}
    for c in program.facts:
        height[(c.head.pred, tuple(_value(t, {}) for t in c.head.args))] = 0
    changed = True
    while changed:
        changed = False
        for c in program.rules:
            pos = [lit for lit in c.body if isinstance(lit, Atom) and not lit.negated]
            for env in _bodies(c, model):
                head = (c.head.pred, tuple(_value(t, env) for t in c.head.args))
                # all ground premise choices (anonymous args range over matching facts)
                options = []
                for a in pos:
                    opts = [(a.pred, f) for f in model.get(a.pred, ()) if _match(a, f, env) is not None]
                    options.append(opts)
                for combo in itertools.product(*options):
                    if all(p in height for p in combo):
                        h = 1 + max((height[p] for p in combo), default=0)
                        if h < height.get(head, 1 << 30):
                            height[head] = h
                            changed = True
    return height
