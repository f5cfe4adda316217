"""AST -> rule text, in the language's own syntax (parsing the output gives the same AST).

Used for explanations and messages, and by the round-trip tests.

>>> from kgagent.rules.parser import parse_rules
>>> prog = parse_rules('big(C) :- pop(C, N), N*2 >= 1000000, not odd(C), R = "big one".')
>>> format_clause(prog.clauses[0])
'big(C) :- pop(C, N), N * 2 >= 1000000, not odd(C), R = "big one".'
"""

from __future__ import annotations

import re

from kgagent.rules.ast import Atom, BinOp, Clause, Comparison, Const, Declaration, Literal, Program, Term, Var

_BARE = re.compile(r"[a-z][A-Za-z0-9_]*\Z")
_RESERVED = {"not"}
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2}


def format_const(value: str | int | float) -> str:
    """A constant as written in a rule file: bare lower-case name, number, or quoted string."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if text in ("inf", "-inf", "nan"):
            raise ValueError(f"{text} cannot be written in a rule file")
        if "e" in text and "." not in text.split("e")[0]:  # 1e+20 -> 1.0e+20 (a float needs a '.')
            mant, exp = text.split("e")
            text = f"{mant}.0e{exp}"
        return text
    if _BARE.match(value) and value not in _RESERVED:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def format_term(term: Term) -> str:
    """A term with the fewest parentheses that keep its meaning: ``X * (Y + 1)``."""
    if isinstance(term, Var):
        return term.name
    if isinstance(term, Const):
        return format_const(term.value)
    if isinstance(term, BinOp):
        prec = _PREC[term.op]
        left = format_term(term.left)
        if isinstance(term.left, BinOp) and _PREC[term.left.op] < prec:
            left = f"({left})"
        right = format_term(term.right)
        if isinstance(term.right, BinOp) and _PREC[term.right.op] <= prec:
            right = f"({right})"
        return f"{left} {term.op} {right}"
    raise TypeError(f"not a term: {term!r}")


def format_atom(atom: Atom) -> str:
    """``pred(a, X)``, ``not pred(a, X)`` or a bare ``pred`` for no arguments."""
    text = atom.pred if not atom.args else f"{atom.pred}({', '.join(format_term(t) for t in atom.args)})"
    return f"not {text}" if atom.negated else text


def format_literal(lit: Literal) -> str:
    """An atom or a comparison as written in a rule body."""
    if isinstance(lit, Atom):
        return format_atom(lit)
    if isinstance(lit, Comparison):
        return f"{format_term(lit.left)} {lit.op} {format_term(lit.right)}"
    raise TypeError(f"not a literal: {lit!r}")


def format_clause(clause: Clause) -> str:
    """``head.`` or ``head :- lit1, lit2.`` on one line (after ``@name`` if it has a name)."""
    head = (f"@{clause.label} " if clause.label else "") + format_atom(clause.head)
    if not clause.body:
        return f"{head}."
    return f"{head} :- {', '.join(format_literal(b) for b in clause.body)}."


def format_declaration(decl: Declaration) -> str:
    """``#base pred(Col1, Col2).`` (column names invented when the declaration has none)."""
    cols = list(decl.columns) or [f"C{i + 1}" for i in range(decl.arity)]
    return f"#base {decl.pred}({', '.join(cols)})." if cols else f"#base {decl.pred}."


def format_program(program: Program) -> str:
    """Declarations, then clauses, one a line."""
    lines = [format_declaration(d) for d in program.declarations]
    lines += [format_clause(c) for c in program.clauses]
    return "\n".join(lines) + ("\n" if lines else "")
