"""The symbol table: every constant (str, int, float) interned to a dense int id.

The engine stores relations as integer columns; the table maps ids back to values and keeps,
per id, its kind (string or number) and numeric value as numpy arrays, so comparisons and
arithmetic run vectorised over id columns. One table per model: no global state.

Equality follows Python: ``1`` and ``1.0`` are the same constant, ``"1"`` is a different one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from kgagent.rules.ast import Value

KIND_STR = 0
KIND_INT = 1
KIND_FLOAT = 2

# The rule language's number literals; a facts-file field spelled like one is read as a number.
INT_TEXT = re.compile(r"-?[0-9]+\Z")
FLOAT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+([eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)\Z")


def parse_field(text: str) -> Value:
    """A facts-file field as a value: an int or float when written like a rule-file number
    literal (``3``, ``-2``, ``0.91``, ``1e-3``), otherwise the string itself."""
    if INT_TEXT.match(text):
        return int(text)
    if FLOAT_TEXT.match(text):
        return float(text)
    return text


class _Table(dict):
    """value -> id; a missing value gets the next id (so ``map(table.__getitem__, values)``
    interns a whole column at C speed for values already seen)."""

    def __init__(self, owner: "Symbols"):
        super().__init__()
        self.owner = owner

    def __missing__(self, value: Value) -> int:
        return self.owner._add(value)


class _TextTable(dict):
    """facts-file text -> id, parsing numbers once per distinct text."""

    def __init__(self, owner: "Symbols"):
        super().__init__()
        self.owner = owner

    def __missing__(self, text: str) -> int:
        ident = self.owner.ids[parse_field(text)]
        self[text] = ident
        return ident


class Symbols:
    """Interned constants with vectorised kind / numeric-value lookups."""

    def __init__(self) -> None:
        self.values: list[Value] = []
        self.ids = _Table(self)
        self.text_ids = _TextTable(self)
        self._kind = np.zeros(64, dtype=np.int8)
        self._fval = np.zeros(64, dtype=np.float64)
        self._ival = np.zeros(64, dtype=np.int64)
        self._rank: np.ndarray | None = None  # string order, rebuilt lazily
        self._values_arr: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.values)

    def _add(self, value: Value) -> int:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise TypeError(f"a rule constant must be str, int or float, not {type(value).__name__}")
        ident = len(self.values)
        self.values.append(value)
        dict.__setitem__(self.ids, value, ident)
        if ident >= len(self._kind):
            grow = len(self._kind) * 2
            self._kind = np.resize(self._kind, grow)
            self._fval = np.resize(self._fval, grow)
            self._ival = np.resize(self._ival, grow)
        if isinstance(value, str):
            self._kind[ident] = KIND_STR
            self._fval[ident] = np.nan
            self._ival[ident] = 0
        elif isinstance(value, int):
            self._kind[ident] = KIND_INT
            self._fval[ident] = float(value)
            self._ival[ident] = value if -(2**63) <= value < 2**63 else 0
        else:
            self._kind[ident] = KIND_FLOAT
            self._fval[ident] = value
            self._ival[ident] = 0
        self._rank = None
        self._values_arr = None
        return ident

    def intern(self, value: Value) -> int:
        return self.ids[value]

    def lookup(self, value: Value) -> int | None:
        """The id of a value already interned, else None (never adds)."""
        return dict.get(self.ids, value)

    def intern_many(self, values: Iterable[Value]) -> np.ndarray:
        return np.fromiter(map(self.ids.__getitem__, values), dtype=np.int64)

    def intern_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Facts-file fields -> ids (numbers recognised as in :func:`parse_field`)."""
        return np.fromiter(map(self.text_ids.__getitem__, texts), dtype=np.int64, count=len(texts))

    def kind(self, ids: np.ndarray) -> np.ndarray:
        return self._kind[ids]

    def fval(self, ids: np.ndarray) -> np.ndarray:
        return self._fval[ids]

    def ival(self, ids: np.ndarray) -> np.ndarray:
        return self._ival[ids]

    def rank(self, ids: np.ndarray) -> np.ndarray:
        """Lexicographic rank of string ids (for ``<`` on strings)."""
        if self._rank is None or len(self._rank) < len(self.values):
            n = len(self.values)
            keys = [v if isinstance(v, str) else "" for v in self.values]
            order = sorted(range(n), key=keys.__getitem__)
            rank = np.empty(n, dtype=np.int64)
            rank[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=np.int64)
            self._rank = rank
        return self._rank[ids]

    def decode(self, ids: np.ndarray) -> np.ndarray:
        """ids -> object array of values."""
        if self._values_arr is None or len(self._values_arr) != len(self.values):
            arr = np.empty(len(self.values), dtype=object)
            arr[:] = self.values
            self._values_arr = arr
        return self._values_arr[ids]

    def intern_numbers(self, ints: np.ndarray | None, floats: np.ndarray | None, is_int: np.ndarray) -> np.ndarray:
        """Vectorised interning of arithmetic results (int rows from ``ints``, others from ``floats``)."""
        out = np.empty(len(is_int), dtype=np.int64)
        if ints is not None and is_int.any():
            vals = ints[is_int]
            uniq, inv = np.unique(vals, return_inverse=True)
            ids = np.fromiter((self.ids[int(v)] for v in uniq), dtype=np.int64, count=len(uniq))
            out[is_int] = ids[inv]
        rest = ~is_int
        if floats is not None and rest.any():
            vals = floats[rest]
            uniq, inv = np.unique(vals, return_inverse=True)
            ids = np.fromiter((self.ids[float(v)] for v in uniq), dtype=np.int64, count=len(uniq))
            out[rest] = ids[inv]
        return out
