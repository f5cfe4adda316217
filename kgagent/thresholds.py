"""The numbers of a domain's rule files: its ``threshold(Name, Value)`` facts.

The shared rules read their score bands, trust levels and repair margin from these facts, and the
agent its joint decision's weights (``same_name_weight``, ``memory_weight``); `kgagent rules tune`
tries other values by replacing them in a loaded program.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from kgagent.errors import InputError

#: the predicate of the rule files' numbers
THRESHOLD = "threshold"


def threshold_values(program: Any) -> dict[str, float]:
    """The rule files' thresholds: name -> value of each ``threshold(Name, Value)`` fact (the
    last one of a name wins, as a later file overrides an earlier one)."""
    out: dict[str, float] = {}
    for clause in program.clauses:
        head = clause.head
        if clause.is_fact and head.pred == THRESHOLD and len(head.args) == 2:
            name, value = (getattr(a, "value", None) for a in head.args)
            if isinstance(name, str) and isinstance(value, (int, float)) and not isinstance(value, bool):
                out[name] = float(value)
    return out


def with_thresholds(program: Any, values: Mapping[str, float]) -> Any:
    """A copy of ``program`` whose ``threshold(Name, _)`` facts carry ``values`` instead.

    Raises InputError KGA480 for a name no rule file sets (the names they set are listed)."""
    from kgagent.rules.ast import Const

    require_thresholds(program, values)
    clauses = []
    for clause in program.clauses:
        head = clause.head
        if clause.is_fact and head.pred == THRESHOLD and len(head.args) == 2 \
                and getattr(head.args[0], "value", None) in values:
            value = values[head.args[0].value]
            new_arg = Const(value, loc=getattr(head.args[1], "loc", None))
            clause = dataclasses.replace(clause, head=dataclasses.replace(head, args=(head.args[0], new_arg)))
        clauses.append(clause)
    return dataclasses.replace(program, clauses=clauses)


def require_thresholds(program: Any, names: Iterable[str]) -> dict[str, float]:
    """The rule files' values of ``names``; InputError KGA480 for a name no rule file sets (the
    names they set are listed)."""
    known = threshold_values(program)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise InputError(f"no rule file sets threshold {unknown[0]!r}; they set: {', '.join(sorted(known)) or 'none'}",
                         code="KGA480")
    return {n: known[n] for n in names}
