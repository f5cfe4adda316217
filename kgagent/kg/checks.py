"""Checks of the arguments the public functions of ``kgagent.kg`` take: anything of the wrong kind
or range is GraphError KGA211 naming the argument and what it is, before any work (never a bare
TypeError from rdflib, pathlib or numpy, nor a string read as a list of its characters)."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kgagent.errors import GraphError, lone_surrogate
from kgagent.schema import Provenance


def text_arg(value: Any, what: str) -> str:
    """``value`` if it is a string that is text; GraphError KGA211 otherwise (a number, None,
    bytes, a string with a lone surrogate, which no graph file can hold)."""
    if not isinstance(value, str):
        raise GraphError(f"{what} must be a string, not {type(value).__name__}", code="KGA211")
    if (at := lone_surrogate(value)) is not None:
        raise GraphError(f"{what} is not text: a lone surrogate {value[at]!r} at {at} of {value[:80]!r}",
                         code="KGA211")
    return value


def texts_arg(values: Any, what: str) -> list[str]:
    """A list of strings that are text (``text_arg``); one string is refused, as it would be read
    character by character (``types="city"`` as the types c, i, t, y)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise GraphError(f"{what} must be a list of strings, not {type(values).__name__}"
                         + (f" ({values!r}: write [{values!r}])" if isinstance(values, str) else ""), code="KGA211")
    return [text_arg(v, f"each of {what}") for v in values]


def provenance_arg(value: Any, optional: bool = False) -> Provenance:
    """``value`` if it is a Provenance (or None, when ``optional``); GraphError KGA211 otherwise."""
    if not isinstance(value, Provenance) and not (optional and value is None):
        raise GraphError(f"a provenance must be a kgagent.schema.Provenance, not {type(value).__name__}",
                         code="KGA211")
    return value


def path_arg(value: Any, what: str) -> Path:
    """``value`` as a Path (a str or path-like, not empty); GraphError KGA211 otherwise."""
    if isinstance(value, str) and not value.strip():
        raise GraphError(f"{what} must not be empty", code="KGA211")
    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        raise GraphError(f"{what} must be a path (str or pathlib.Path), not {type(value).__name__}",
                         code="KGA211")
    return Path(value)


def fraction_arg(value: Any, what: str, *, low_open: bool = False) -> float:
    """``value`` as a float in [0, 1] (``low_open``: (0, 1]); GraphError KGA211 otherwise (nan,
    a string, a number outside)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GraphError(f"{what} must be a number, not {type(value).__name__}", code="KGA211")
    v = float(value)
    if math.isnan(v) or not (0.0 < v <= 1.0 if low_open else 0.0 <= v <= 1.0):
        raise GraphError(f"{what} must be a number in {'(0' if low_open else '[0'}, 1], not {value!r}", code="KGA211")
    return v


def number_arg(value: Any, what: str) -> float:
    """``value`` as a float that is a number (not nan); GraphError KGA211 otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise GraphError(f"{what} must be a number, not {value!r:.40}", code="KGA211")
    return float(value)


def count_arg(value: Any, what: str, *, least: int = 1) -> int:
    """``value`` if it is a whole number of at least ``least``; GraphError KGA211 otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise GraphError(f"{what} must be a whole number, not {type(value).__name__}", code="KGA211")
    if value < least:
        raise GraphError(f"{what} must be at least {least}, not {value}", code="KGA211")
    return int(value)


def callable_arg(value: Any, what: str) -> Any:
    """``value`` if it can be called; GraphError KGA211 otherwise."""
    if not callable(value):
        raise GraphError(f"{what} must be a function, not {type(value).__name__}", code="KGA211")
    return value


def graph_arg(value: Any, what: str = "the graph") -> Any:
    """``value`` if it is a KnowledgeGraph; GraphError KGA211 otherwise."""
    from kgagent.kg.store import KnowledgeGraph

    if not isinstance(value, KnowledgeGraph):
        raise GraphError(f"{what} must be a kgagent.kg.KnowledgeGraph, not {type(value).__name__}", code="KGA211")
    return value
