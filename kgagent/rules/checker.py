"""Static checks of a parsed program: every problem at once, each with file, line and column.

Errors: unsafe variables (KGA102), negation cycles (KGA103), arity clashes (KGA104),
arithmetic inside body atoms (KGA108), one rule name on two clauses of a file (KGA117).
Warnings: singleton variables (KGA105), predicates used but never defined nor declared (KGA106),
a rule name already given in another file (KGA129). See :mod:`kgagent.rules.diagnostics` for the catalogue.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from kgagent.rules.ast import Atom, BinOp, Clause, Comparison, Program, SourceLoc, Term, Var
from kgagent.rules.depgraph import dependency_graph, negation_cycles
from kgagent.rules.diagnostics import (
    E_ARITY,
    E_BODY_ARITH,
    E_DUP_LABEL,
    W_NAME_ELSEWHERE,
    E_NEG_CYCLE,
    E_UNSAFE,
    ERROR,
    W_SINGLETON,
    W_UNDEFINED,
    WARNING,
    Diagnostic,
)
from kgagent.rules.printer import format_literal


def check_program(program: Program, *, undefined_warnings: bool = True) -> list[Diagnostic]:
    """All errors and warnings of ``program``, sorted by file order, line and column."""
    diags: list[Diagnostic] = []
    for clause in program.clauses:
        diags += check_clause(clause)
    diags += _arity_clashes(program)
    diags += _duplicate_labels(program)
    diags += _negation_cycles(program)
    if undefined_warnings:
        diags += _undefined(program)
    files = {f: i for i, f in enumerate(program.files)}
    return sorted(diags, key=lambda d: (files.get(d.loc.path, len(files)), d.loc.path, d.loc.line, d.loc.col, d.code))


# ------------------------------------------------------------------------------------------------
# one clause: safety, singletons, arithmetic in body atoms
# ------------------------------------------------------------------------------------------------
def _term_vars(term: Term) -> Iterator[Var]:
    if isinstance(term, Var):
        yield term
    elif isinstance(term, BinOp):
        yield from _term_vars(term.left)
        yield from _term_vars(term.right)


def _named(v: Var) -> bool:
    return not v.anonymous


def _err(code: str, message: str, loc: SourceLoc | None, length: int = 1) -> Diagnostic:
    return Diagnostic(code, ERROR, message, loc or SourceLoc("<unknown>", 0, 0), length)


def check_clause(clause: Clause) -> list[Diagnostic]:
    """Safety (KGA102), arithmetic in body atoms (KGA108) and singletons (KGA105) of a clause."""
    diags: list[Diagnostic] = []
    bound: set[str] = set()
    positive = [lit for lit in clause.body if isinstance(lit, Atom) and not lit.negated]
    negative = [lit for lit in clause.body if isinstance(lit, Atom) and lit.negated]
    comparisons = [lit for lit in clause.body if isinstance(lit, Comparison)]

    for atom in positive + negative:
        for arg in atom.args:
            if isinstance(arg, BinOp):
                diags.append(
                    _err(
                        E_BODY_ARITH,
                        f"arithmetic is not allowed inside the atom '{format_literal(atom)}'; "
                        "compute it first, e.g. 'Y = X + 1, p(Y)'",
                        arg.loc or atom.loc,
                    )
                )
    for atom in positive:
        for arg in atom.args:
            if isinstance(arg, Var) and _named(arg):
                bound.add(arg.name)

    # X = expr binds X once every variable of expr is bound; repeat for chains in any order.
    binders: set[int] = set()
    changed = True
    while changed:
        changed = False
        for i, cmp in enumerate(comparisons):
            if cmp.op != "=" or i in binders:
                continue
            for target, expr in ((cmp.left, cmp.right), (cmp.right, cmp.left)):
                if isinstance(target, Var) and _named(target) and target.name not in bound:
                    if all(_named(v) and v.name in bound for v in _term_vars(expr)):
                        bound.add(target.name)
                        binders.add(i)
                        changed = True
                        break

    reported: set[str] = set()

    def unsafe(v: Var, where: str) -> None:
        key = f"{v.name}@{where}" if v.name == "_" else v.name
        if key in reported:
            return
        reported.add(key)
        if v.anonymous:
            msg = (
                f"'{v.name}' in {where} can never be bound: variables starting with '_' "
                "mean 'any value'; give it a name that also appears in a positive atom of the body"
            )
        elif clause.is_fact:
            msg = (
                f"a fact cannot contain the variable {v.name}: write a constant, "
                "or make it a rule whose body binds it"
            )
        else:
            msg = (
                f"variable {v.name} in {where} is not bound: it must also appear in a positive "
                f"atom of the body (or be set with '{v.name} = <expression>')"
            )
        diags.append(_err(E_UNSAFE, msg, v.loc, len(v.name)))

    for arg in clause.head.args:
        for v in _term_vars(arg):
            if not (_named(v) and v.name in bound):
                unsafe(v, "the head")
    for atom in negative:
        for arg in atom.args:
            if isinstance(arg, Var) and _named(arg) and arg.name not in bound:
                unsafe(arg, f"'{format_literal(atom)}'")
    for i, cmp in enumerate(comparisons):
        for v in [*_term_vars(cmp.left), *_term_vars(cmp.right)]:
            if not (_named(v) and v.name in bound):
                unsafe(v, f"the comparison '{format_literal(cmp)}'")

    # singletons: a named variable used exactly once (unsafe ones are already errors)
    occurrences: dict[str, list[Var]] = {}
    for v in _clause_vars(clause):
        if _named(v):
            occurrences.setdefault(v.name, []).append(v)
    for name, uses in occurrences.items():
        if len(uses) == 1 and name not in reported:
            diags.append(
                Diagnostic(
                    W_SINGLETON,
                    WARNING,
                    f"variable {name} is used only once in this rule; write _ or _{name} if "
                    "any value will do, or check the spelling",
                    uses[0].loc or clause.loc,
                    len(name),
                )
            )
    return diags


def _clause_vars(clause: Clause) -> Iterator[Var]:
    for arg in clause.head.args:
        yield from _term_vars(arg)
    for lit in clause.body:
        if isinstance(lit, Atom):
            for arg in lit.args:
                yield from _term_vars(arg)
        else:
            yield from _term_vars(lit.left)
            yield from _term_vars(lit.right)


# ------------------------------------------------------------------------------------------------
# whole program: arities, rule names, negation cycles, undefined predicates
# ------------------------------------------------------------------------------------------------
def _uses(program: Program) -> Iterator[tuple[str, int, SourceLoc | None, str]]:
    """(pred, arity, where, how) for every declaration, head and body atom, in file order."""
    items: list[tuple[str, int, SourceLoc | None, str]] = []
    for d in program.declarations:
        items.append((d.pred, d.arity, d.loc, "declared"))
    for c in program.clauses:
        items.append((c.head.pred, c.head.arity, c.head.loc, "defined"))
        for lit in c.body:
            if isinstance(lit, Atom):
                items.append((lit.pred, lit.arity, lit.loc, "used"))
    files = {f: i for i, f in enumerate(program.files)}

    def key(item):
        loc = item[2]
        return (files.get(loc.path, len(files)), loc.line, loc.col) if loc else (len(files), 0, 0)

    yield from sorted(items, key=key)


def _args(n: int) -> str:
    return f"{n} argument{'s' if n != 1 else ''}"


def _arity_clashes(program: Program) -> list[Diagnostic]:
    first: dict[str, tuple[int, SourceLoc | None, str]] = {}
    # a #base declaration fixes the arity wherever it is written; otherwise the first use does
    for d in program.declarations:
        first.setdefault(d.pred, (d.arity, d.loc, "declared"))
    diags = []
    for pred, arity, loc, how in _uses(program):
        if pred not in first:
            first[pred] = (arity, loc, how)
            continue
        want, where, how0 = first[pred]
        if arity != want and loc != where:
            place = f"line {where.line}, column {where.col}" if where and loc and where.path == loc.path else str(where)
            diags.append(
                _err(
                    E_ARITY,
                    f"'{pred}' has {_args(arity)} here but {_args(want)} where it is {how0} "
                    f"({place}); one predicate must always have the same number of arguments",
                    loc,
                    len(pred),
                )
            )
    return diags


def _duplicate_labels(program: Program) -> list[Diagnostic]:
    """A rule's name is its id in proofs and reports, so a file gives each name to one clause
    (KGA117). A name a rule of another file has (a shared rule's, say) is a warning (KGA129): an
    expert who writes ``@mention_score_band`` in the domain's rules to make the shared score band
    stricter gets a second rule beside it, never one instead of it."""
    first: dict[tuple[str, str], Clause] = {}
    anywhere: dict[str, Clause] = {}
    out = []
    for clause in program.clauses:
        if not clause.label or clause.loc is None:
            continue
        key = (clause.loc.path, clause.label)
        if key in first:
            out.append(_err(E_DUP_LABEL, f"the rule name '@{clause.label}' is already the name of the clause on "
                            f"line {first[key].loc.line}; each clause of a file needs a name of its own "
                            "(it is the rule's id in proofs and reports)", clause.loc, len(clause.head.pred)))
            continue
        first[key] = clause
        other = anywhere.setdefault(clause.label, clause)
        if other is not clause:
            out.append(Diagnostic(W_NAME_ELSEWHERE, WARNING, f"the rule name '@{clause.label}' is already that of the "
                                  f"rule at {other.loc.path}:{other.loc.line}: rules never replace one another, so "
                                  "both apply and this one only adds to what that one derives (to change what it "
                                  "decides, change the facts it reads, such as a threshold); give this rule a name "
                                  "of its own", clause.loc, len(clause.head.pred)))
    return out


def _negation_cycles(program: Program) -> list[Diagnostic]:
    diags = []
    for cycle in negation_cycles(program):
        e = cycle.edges[0]
        preds = " -> ".join([*cycle.predicates, cycle.predicates[0]])
        diags.append(
            _err(
                E_NEG_CYCLE,
                f"negation cycle {preds}: {cycle.describe()}; a predicate cannot depend on its own "
                "negation (break the cycle, e.g. by negating a base predicate instead)",
                e.atom.loc or e.clause.loc,
                3,
            )
        )
    return diags


def _undefined(program: Program) -> list[Diagnostic]:
    defined = {c.head.pred for c in program.clauses} | {d.pred for d in program.declarations}
    warned: set[str] = set()
    diags = []
    for c in program.clauses:
        for lit in c.body:
            if not isinstance(lit, Atom) or lit.pred in defined or lit.pred in warned:
                continue
            warned.add(lit.pred)
            cols = ", ".join(chr(ord("A") + i) if i < 26 else f"A{i}" for i in range(lit.arity))
            decl = f"#base {lit.pred}({cols})." if lit.arity else f"#base {lit.pred}."
            msg = f"'{lit.pred}' is used but no rule or fact defines it and no '#base' declares it"
            close = difflib.get_close_matches(lit.pred, sorted(defined), n=1, cutoff=0.75)
            if close:
                msg += f"; did you mean '{close[0]}'?"
            else:
                msg += f"; if the agent supplies it, declare it: {decl}"
            loc = lit.loc
            if lit.negated and loc is not None:  # point at the name, not at 'not'
                loc = _after_not(program, loc)
            diags.append(Diagnostic(W_UNDEFINED, WARNING, msg, loc or c.loc, len(lit.pred)))
    return diags


def _after_not(program: Program, loc: SourceLoc) -> SourceLoc:
    """The column of the predicate name after ``not`` (found in the source text)."""
    text = program.sources.get(loc.path)
    if text is None:
        return loc
    lines = text.split("\n")
    if loc.line > len(lines):
        return loc
    line = lines[loc.line - 1]
    i = loc.col - 1 + 3
    while i < len(line) and line[i] in " \t":
        i += 1
    if i >= len(line):
        return loc
    return SourceLoc(loc.path, loc.line, i + 1)

