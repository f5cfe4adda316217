"""The rule language's syntax tree: what the parser produces and the checker and engine consume.

A program is a list of clauses (a fact is a clause with an empty body) plus declarations of the
base predicates the rule files expect. Terms are variables, constants (str, int, float) and
arithmetic expressions. Every node keeps its source location for error messages and proofs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

Value = Union[str, int, float]


@dataclass(frozen=True)
class SourceLoc:
    """A 1-based position in a rule file."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    @property
    def rule_id(self) -> str:
        """How proofs and reports name a rule without a name of its own: ``file:line``."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Var:
    """A variable: capitalised name, or ``_`` (anonymous: each occurrence is fresh)."""

    name: str
    loc: SourceLoc | None = field(default=None, compare=False)

    @property
    def anonymous(self) -> bool:
        return self.name == "_" or self.name.startswith("_")


@dataclass(frozen=True)
class Const:
    """A constant: a lower-case name or a quoted string (both ``str``), an int or a float."""

    value: Value
    loc: SourceLoc | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BinOp:
    """Arithmetic on numbers: ``+ - * / %`` (``/`` on two ints is integer division)."""

    op: str
    left: "Term"
    right: "Term"
    loc: SourceLoc | None = field(default=None, compare=False)
    #: operations on the longest path down to a value (the parser bounds it: tools walk terms
    #: recursively)
    depth: int = field(init=False, default=1, compare=False, repr=False)

    def __post_init__(self) -> None:
        below = max(getattr(self.left, "depth", 0), getattr(self.right, "depth", 0))
        object.__setattr__(self, "depth", below + 1)


Term = Union[Var, Const, BinOp]


@dataclass(frozen=True)
class Atom:
    """``pred(t1, ..., tn)``, or ``not pred(...)`` in a body when ``negated``."""

    pred: str
    args: tuple[Term, ...]
    negated: bool = False
    loc: SourceLoc | None = field(default=None, compare=False)

    @property
    def arity(self) -> int:
        return len(self.args)


@dataclass(frozen=True)
class Comparison:
    """``left op right`` with op in ``< <= > >= = !=``; ``X = expr`` binds an unbound X."""

    op: str
    left: Term
    right: Term
    loc: SourceLoc | None = field(default=None, compare=False)


Literal = Union[Atom, Comparison]


@dataclass(frozen=True)
class Clause:
    """``head :- body.`` (a rule) or ``head.`` (a fact, empty body); ``label``: the name written
    before it (``@tail_kind reject(R, ...) :- ...``), if any."""

    head: Atom
    body: tuple[Literal, ...] = ()
    loc: SourceLoc | None = field(default=None, compare=False)
    label: str | None = None

    @property
    def is_fact(self) -> bool:
        return not self.body

    @property
    def rule_id(self) -> str:
        """How proofs, decisions and reports name the clause: ``file:name`` when it has a name
        (the same whatever lines are added above it), else ``file:line``."""
        if self.label:
            return f"{self.loc.path}:{self.label}" if self.loc else self.label
        return self.loc.rule_id if self.loc else "<rule>"


@dataclass(frozen=True)
class Declaration:
    """A base predicate a rule file expects the caller to supply, with its arity."""

    pred: str
    arity: int
    loc: SourceLoc | None = field(default=None, compare=False)
    columns: tuple[str, ...] = ()  # the argument names written in the declaration (documentation)


@dataclass
class Program:
    """All clauses and declarations of a set of rule files, in file order."""

    clauses: list[Clause] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # path -> text, for error carets
    warnings: list = field(default_factory=list)  # checker warnings (kgagent.rules.diagnostics.Diagnostic)

    @property
    def rules(self) -> list[Clause]:
        return [c for c in self.clauses if not c.is_fact]

    @property
    def facts(self) -> list[Clause]:
        return [c for c in self.clauses if c.is_fact]
