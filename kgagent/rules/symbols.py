"""The symbol table: every constant (str, int, float) interned to a dense int id.

The engine stores relations as integer columns; the table maps ids back to values and keeps,
per id, its kind (string or number) and numeric value as numpy arrays, so comparisons and
arithmetic run vectorised over id columns. One table per model: no global state.

Equality follows Python: ``1`` and ``1.0`` are the same constant, ``"1"`` is a different one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from itertools import filterfalse

import numpy as np

from kgagent.rules.ast import Value

KIND_STR = 0
KIND_INT = 1
KIND_FLOAT = 2

# The rule language's number literals; a facts-file field spelled like one is read as a number.
INT_TEXT = re.compile(r"-?[0-9]+\Z")
FLOAT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+([eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)\Z")


#: the largest whole number the engine holds (its arithmetic is on 64-bit integers)
INT64_MAX = 2**63 - 1
#: a facts-file field that may be a number no 64-bit whole number or decimal holds: 19 digits
#: or more before the point (``999...9.0`` is a decimal past ~1.8e308 too), or an exponent of
#: three digits
LONG_NUMBER = re.compile(r"(?:^|\t)(-?(?:[0-9]{19,}(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
                         r"|[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]{3,}))(?=\t|$)", re.MULTILINE)


def parse_field(text: str) -> Value:
    """A facts-file field as a value: an int or float when written like a rule-file number
    literal (``3``, ``-2``, ``0.91``, ``1e-3``), otherwise the string itself."""
    if INT_TEXT.match(text):
        return int(text)
    if FLOAT_TEXT.match(text):
        return float(text)
    return text


def out_of_range(text: str) -> str | None:
    """What is wrong with a number field ``text`` (as :data:`LONG_NUMBER` finds them), if it has
    no value the engine can hold: a whole number past 64 bits, a decimal past ~1.8e308."""
    return number_problem(parse_field(text), text)


def number_problem(value: Value, shown: str | None = None) -> str | None:
    """Why the engine cannot hold ``value`` (written ``shown`` in the message; None when it can):
    a whole number past 64 bits, a decimal past ~1.8e308 (infinite, or not a number). The one
    wording for a rule file's literal, a facts file's field and a value given from Python."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and not fits_int64(value):
        return (f"the whole number {shown or value} does not fit in 64 bits (at most {INT64_MAX:,} either way); "
                "write it as a decimal (1.0e25)")
    if isinstance(value, float) and not math.isfinite(value):
        return f"the number {shown or value} is too large for a decimal (at most ~1.8e308)"
    return None


def fits_int64(value: int) -> bool:
    """Whether a whole number is one the engine can hold (``-INT64_MAX`` to ``INT64_MAX``)."""
    return -INT64_MAX <= value <= INT64_MAX


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
        value = parse_field(text) if text[:1] in _NUMERIC_START else text
        ident = self.owner.ids[value]
        self[text] = ident
        return ident


_NUMERIC_START = frozenset("-0123456789")
_MAYBE_NUMBER = re.compile(r"\t[-0-9]")


class Symbols:
    """Interned constants with vectorised kind / numeric-value lookups.

    Interning only appends to a list and a dict; the numpy arrays of kinds and numeric values
    are extended lazily, the first time a comparison or arithmetic needs them."""

    def __init__(self) -> None:
        self.values: list[Value] = []
        self.ids = _Table(self)
        self.text_ids = _TextTable(self)
        self._kind = np.zeros(0, dtype=np.int8)
        self._fval = np.zeros(0, dtype=np.float64)
        self._ival = np.zeros(0, dtype=np.int64)
        self._rank: np.ndarray | None = None  # string order, rebuilt lazily
        self._values_arr: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.values)

    def _add(self, value: Value) -> int:
        if value.__class__ is not str and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
            raise TypeError(f"a rule constant must be str, int or float, not {type(value).__name__}")
        if value.__class__ is not str and (problem := number_problem(value)) is not None:
            raise TypeError(problem)
        ident = len(self.values)
        self.values.append(value)
        dict.__setitem__(self.ids, value, ident)
        return ident

    def _numeric(self) -> None:
        """Extend the kind / value arrays to every interned symbol."""
        done, n = len(self._kind), len(self.values)
        if done == n:
            return
        new = self.values[done:]
        kind = np.fromiter(
            (KIND_STR if v.__class__ is str else KIND_INT if isinstance(v, int) else KIND_FLOAT for v in new),
            dtype=np.int8,
            count=len(new),
        )
        fval = np.fromiter((np.nan if v.__class__ is str else float(v) for v in new), dtype=np.float64, count=len(new))
        ival = np.fromiter(
            (v if v.__class__ is not str and isinstance(v, int) and -(2**63) <= v < 2**63 else 0 for v in new),
            dtype=np.int64,
            count=len(new),
        )
        self._kind = np.concatenate([self._kind, kind])
        self._fval = np.concatenate([self._fval, fval])
        self._ival = np.concatenate([self._ival, ival])

    def intern(self, value: Value) -> int:
        return self.ids[value]

    def lookup(self, value: Value) -> int | None:
        """The id of a value already interned, else None (never adds)."""
        return dict.get(self.ids, value)

    def intern_many(self, values: Iterable[Value]) -> np.ndarray:
        return np.fromiter(map(self.ids.__getitem__, values), dtype=np.int64)

    def intern_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Facts-file fields -> ids (numbers recognised as in :func:`parse_field`).

        Distinct new texts are added in bulk, then the column is looked up at C speed."""
        if not texts:
            return np.zeros(0, dtype=np.int64)
        uniq = dict.fromkeys(texts)
        if _MAYBE_NUMBER.search("\t" + "\t".join(uniq)):
            table = self.text_ids  # some fields may be numbers: parse each distinct text once
            new = list(filterfalse(table.__contains__, uniq))
            ids, values = self.ids, self.values
            for t in new:
                v = parse_field(t) if t[:1] in _NUMERIC_START else t
                i = dict.get(ids, v)
                if i is None:
                    i = len(values)
                    values.append(v)
                    dict.__setitem__(ids, v, i)
                dict.__setitem__(table, t, i)
        else:  # plain strings: the text is the value
            table = self.ids
            new = list(filterfalse(table.__contains__, uniq))  # in first-seen order, at C speed
            if new:
                start = len(self.values)
                self.values.extend(new)
                dict.update(table, zip(new, range(start, start + len(new))))
        if new:
            self._values_arr = None
            self._rank = None
        return np.fromiter(map(table.__getitem__, texts), dtype=np.int64, count=len(texts))

    def kind(self, ids: np.ndarray) -> np.ndarray:
        self._numeric()
        return self._kind[ids]

    def fval(self, ids: np.ndarray) -> np.ndarray:
        self._numeric()
        return self._fval[ids]

    def ival(self, ids: np.ndarray) -> np.ndarray:
        self._numeric()
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
