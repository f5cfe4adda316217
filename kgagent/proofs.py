"""Proof trees, read one way everywhere: a node is a fact with the rule that derived it and its
premises (``kgagent.schema.ProofNode`` in memory, its ``to_dict`` form in decisions.jsonl).

``walk`` visits a tree's nodes (either form) parents first, premises left to right; ``split_fact``
reads a proof fact's text into its predicate and arguments, ``quoted`` only its quoted ones;
``predicate`` is the head alone.
The rule language's own strict reader of written facts is ``kgagent.rules.facts_io.parse_fact``.

>>> tree = {"fact": 'reject(r1, "no type")', "rule": "shared/relations.rules:tail_kind",
...         "premises": [{"fact": "relation(r1, treats, m1, m2)", "source": "encoder"},
...                      {"fact": 'text(m2, "Boston")', "source": "encoder"}]}
>>> [predicate(n) for n in walk(tree)]
['reject', 'relation', 'text']
>>> split_fact('text(m:2, "New York")'), split_fact("score(r1, 0.91)")
(('text', ['m:2', 'New York']), ('score', ['r1', 0.91]))
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^,()"]+)\s*(,|\))')
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPED = re.compile(r"\\(.)", re.S)
_UNESCAPE = {"n": "\n", "t": "\t"}  # what kgagent.rules.printer.format_const escapes, undone
_FACT = re.compile(r"\s*([^(\s]+)\s*\((.*)\)\s*$", re.S)


def _fact_of(node: Any) -> str:
    return str(node.get("fact", "")) if isinstance(node, dict) else str(getattr(node, "fact", ""))


def _premises_of(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [p for p in node.get("premises") or [] if isinstance(p, dict)]
    return list(getattr(node, "premises", None) or [])


def walk(node: Any) -> Iterator[Any]:
    """Every node of a proof tree (a ProofNode or its dict; None: nothing), parents first,
    premises in their order; iterative, so deep proofs need no recursion."""
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(_premises_of(n)))


def premises(node: Any) -> list[Any]:
    """The direct premises of a node (either form)."""
    return _premises_of(node)


def fact(node: Any) -> str:
    """The fact a node proves, as text (``relation(r1, treats, m1, m2)``)."""
    return _fact_of(node)


def predicate(node_or_fact: Any) -> str:
    """The predicate of a node's fact, or of a fact's text."""
    text = node_or_fact if isinstance(node_or_fact, str) else _fact_of(node_or_fact)
    return text.split("(", 1)[0].strip()


def split_fact(text: str) -> tuple[str, list[Any]]:
    """Split ``pred(a, "b c", 0.5)`` into ``("pred", ["a", "b c", 0.5])`` (lenient: arguments
    are whatever lies between the commas, so IRIs and mention ids read as written)."""
    m = _FACT.match(text)
    if not m:
        return text.strip(), []
    pred, rest = m.group(1), m.group(2) + ")"
    args: list[Any] = []
    pos = 0
    while pos < len(rest):
        t = _TOKEN.match(rest, pos)
        if not t:
            break
        tok = t.group(1).strip()
        if tok.startswith('"'):
            args.append(_unquote(tok[1:-1]))
        else:
            try:
                args.append(int(tok))
            except ValueError:
                try:
                    args.append(float(tok))
                except ValueError:
                    args.append(tok)
        pos = t.end()
        if t.group(2) == ")":
            break
    return pred, args


def quoted(text: str) -> set[str]:
    r"""The quoted constants of a fact's text (or of several facts' joined): the ids, IRIs and
    strings it gives as arguments, unescaped. Cheaper than :func:`split_fact` where only these
    are wanted (a decision's proof names its ids so).

    >>> sorted(quoted('lies_in("m:1", "urn:x/2", 0.9) text("m:1", "say \\"hi\\"")'))
    ['m:1', 'say "hi"', 'urn:x/2']
    """
    return {_unquote(body) for body in _QUOTED.findall(text)}


def _unquote(body: str) -> str:
    """A quoted constant's text without its escapes."""
    return _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(1)), body) if "\\" in body else body
