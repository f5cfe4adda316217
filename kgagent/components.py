"""Strongly connected components of a directed graph given by its successors: a core helper for
the rules' stratification and the ontology's subclass cycles (no networkx: the domain and
rules layers stay light)."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def strongly_connected(nodes: Iterable[str], successors: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), dependencies first: each component
    comes after every component its nodes' successors lie in. The one stratifier of kgagent:
    ``DepGraph.sccs`` (rules check) and the engine's strata both call it, and the ontology's
    subclass cycles are found with it.

    >>> strongly_connected(["a", "b", "c"], {"a": ["b"], "b": ["a", "c"], "c": []}.__getitem__)
    [['c'], ['b', 'a']]
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors(root)))]
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(successors(w))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                comps.append(comp)
    return comps
