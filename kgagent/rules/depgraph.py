"""The predicate dependency graph: which predicate's rules read which, positively or through
``not``; its strongly connected components; stratification and negation cycles.

An edge ``head -> body_pred`` exists for every body atom of every rule. A strongly connected
component (SCC) is a set of mutually recursive predicates. A program is stratified when no edge
inside an SCC is negative; the strata are then the SCCs in dependency order.

>>> from kgagent.rules.parser import parse_rules
>>> prog = parse_rules('p(X) :- e(X). q(X) :- p(X), not r(X). r(X) :- e(X).')
>>> [[c.head.pred for c in stratum] for stratum in stratify(prog)]
[['p'], ['r'], ['q']]
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from kgagent.components import strongly_connected
from kgagent.errors import Location, RuleError
from kgagent.rules.ast import Atom, Clause, Program


@dataclass(frozen=True)
class Edge:
    """``head`` reads ``body`` (through ``not`` when ``negated``) in ``clause`` at ``atom``."""

    head: str
    body: str
    negated: bool
    clause: Clause
    atom: Atom


@dataclass
class DepGraph:
    """Predicates (in order of first appearance) and the edges between them."""

    nodes: list[str] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def successors(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {n: [] for n in self.nodes}
        for e in self.edges:
            out[e.head].append(e)
        return out

    def sccs(self) -> list[list[str]]:
        """Strongly connected components, dependencies first (Tarjan, iterative).

        Every component comes after all components it reads from, so evaluating them in this
        order sees each body predicate complete unless it is in the same component.
        """
        succ = self.successors()
        order = {n: i for i, n in enumerate(self.nodes)}
        comps = strongly_connected(self.nodes, lambda n: (e.body for e in succ[n]))
        return [sorted(c, key=order.__getitem__) for c in comps]


def dependency_graph(program: Program) -> DepGraph:
    """The graph of the program's rules (facts add nodes, no edges)."""
    g = DepGraph()
    seen: set[str] = set()

    def add(pred: str) -> None:
        if pred not in seen:
            seen.add(pred)
            g.nodes.append(pred)

    for c in program.clauses:
        add(c.head.pred)
        for lit in c.body:
            if isinstance(lit, Atom):
                add(lit.pred)
                g.edges.append(Edge(c.head.pred, lit.pred, lit.negated, c, lit))
    return g


@dataclass(frozen=True)
class NegationCycle:
    """A cycle through ``not``: the edges (one rule each) that lead from a predicate back to it."""

    edges: tuple[Edge, ...]

    @property
    def predicates(self) -> list[str]:
        return [e.head for e in self.edges]

    def describe(self) -> str:
        """``p needs not q (a.rules:3), q needs p (a.rules:5)``."""
        parts = []
        for e in self.edges:
            need = f"not {e.body}" if e.negated else e.body
            parts.append(f"{e.head} needs {need} ({e.clause.rule_id})")
        return ", ".join(parts)


def negation_cycles(program: Program, graph: DepGraph | None = None) -> list[NegationCycle]:
    """One shortest cycle through ``not`` per strongly connected component that has one."""
    g = graph or dependency_graph(program)
    comp_of: dict[str, int] = {}
    for i, comp in enumerate(g.sccs()):
        for p in comp:
            comp_of[p] = i
    succ = g.successors()
    cycles: list[NegationCycle] = []
    done: set[int] = set()
    for e in g.edges:
        if not e.negated or comp_of[e.head] != comp_of[e.body] or comp_of[e.head] in done:
            continue
        done.add(comp_of[e.head])
        path = _path(succ, e.body, e.head, comp_of)
        cycles.append(NegationCycle((e, *path)))
    return cycles


def _path(succ: dict[str, list[Edge]], src: str, dst: str, comp_of: dict[str, int]) -> list[Edge]:
    """Shortest list of edges from src to dst inside their component (empty if src == dst)."""
    if src == dst:
        return []
    prev: dict[str, Edge] = {}
    queue = deque([src])
    seen = {src}
    while queue:
        node = queue.popleft()
        for e in succ[node]:
            if comp_of[e.body] != comp_of[src] or e.body in seen:
                continue
            seen.add(e.body)
            prev[e.body] = e
            if e.body == dst:
                out = []
                cur = dst
                while cur != src:
                    out.append(prev[cur])
                    cur = prev[cur].head
                return out[::-1]
            queue.append(e.body)
    return []  # pragma: no cover - same component means a path exists


def stratify(program: Program) -> list[list[Clause]]:
    """The program's rules (not its facts) grouped in evaluation order.

    One group per strongly connected component of the dependency graph that has rules, groups
    ordered so that every group comes after the groups it reads; inside a group rules are in
    file order and may be mutually recursive through positive atoms only.
    Raises ``RuleError`` (KGA103) if a predicate depends on its own negation.
    """
    g = dependency_graph(program)
    cycles = negation_cycles(program, g)
    if cycles:
        first = cycles[0].edges[0]
        loc = first.atom.loc
        raise RuleError(
            f"negation cycle: {cycles[0].describe()}",
            code="KGA103",
            location=Location(loc.path, loc.line, loc.col) if loc else None,
        )
    rules_by_head: dict[str, list[Clause]] = {}
    for c in program.clauses:
        if c.body:
            rules_by_head.setdefault(c.head.pred, []).append(c)
    order = {id(c): i for i, c in enumerate(program.clauses)}
    strata: list[list[Clause]] = []
    for comp in g.sccs():
        rules = [c for p in comp for c in rules_by_head.get(p, [])]
        if rules:
            strata.append(sorted(rules, key=lambda c: order[id(c)]))
    return strata
