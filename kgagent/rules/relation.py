"""Columnar relations: rows of interned ids in numpy columns, sorted-key indexes, dedup.

A relation is append-only between recomputations: a row id (its position) never changes, so
proofs can point at premises by row id. Each relation keeps, per row, the rule that first
derived it (-1 = base fact), its proof height and the row ids of the premises (one column per
positive body atom of the widest rule for this predicate, -1 where unused).

Indexes map a column set to (sorted keys, row permutation); keys are the id itself for one
column, ``a << 32 | b`` for two, and for more columns pairs are folded through an append-only
:class:`Interner` so every key fits in an int64 whatever the number of symbols.
"""

from __future__ import annotations

import os
import threading

import numpy as np

EMPTY = np.zeros(0, dtype=np.int64)


SMALL_SORT = 4096  # arrays up to this long are sorted by one stable argsort (fewest numpy calls)


def merge_sorted(keys: np.ndarray, perm: np.ndarray, new_keys: np.ndarray, new_perm: np.ndarray):
    """Merge sorted (keys, perm) with sorted (new_keys, new_perm), new after old on ties; O(n+m)
    (short ones: a stable argsort of both, which finds the two runs)."""
    if len(new_keys) == 0:
        return keys, perm
    if len(keys) == 0:
        return new_keys, new_perm
    if len(keys) + len(new_keys) <= SMALL_SORT:
        both = np.concatenate((keys, new_keys))
        order = both.argsort(kind="stable")
        return both[order], np.concatenate((perm, new_perm))[order]
    pos = keys.searchsorted(new_keys, side="right") + np.arange(len(new_keys))
    n = len(keys) + len(new_keys)
    out_k = np.empty(n, dtype=np.int64)
    out_p = np.empty(n, dtype=np.int64)
    mask = np.ones(n, dtype=bool)
    mask[pos] = False
    out_k[pos] = new_keys
    out_p[pos] = new_perm
    out_k[mask] = keys
    out_p[mask] = perm
    return out_k, out_p


PARALLEL_SORT_MIN = 1 << 20  # arrays at least this long are sorted in two threads


def sort_int64(a: np.ndarray) -> np.ndarray:
    """A sorted copy of an int64 array. Long arrays are sorted as two halves in two threads
    (numpy releases the GIL while sorting), then merged by one linear timsort pass over the
    two runs; short ones with one ``np.sort``."""
    n = len(a)
    if n < PARALLEL_SORT_MIN or (os.cpu_count() or 1) < 2:
        return np.sort(a)
    h = n // 2
    out = a.copy()
    left, right = out[:h], out[h:]
    worker = threading.Thread(target=left.sort)
    worker.start()
    right.sort()
    worker.join()
    out.sort(kind="stable")  # two sorted runs: timsort merges them in one pass
    return out


def sort_unique_first(keys: np.ndarray, cols: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct keys, position of each one's first occurrence).

    Short arrays: one stable argsort. Longer ones: when a compact key (dense over the columns'
    ranges) and the row position fit together in 63 bits, one ``np.sort`` of
    ``compact << bits | position`` replaces a (slower) argsort; ties then break by position, so
    the first occurrence wins either way."""
    m = len(keys) if keys is not None else len(cols[0])
    if m == 0:
        return EMPTY, EMPTY
    if m <= SMALL_SORT:
        return _argsort_unique_first(keys if keys is not None else (cols[0] << 32) | cols[1])
    mbits = max(1, (m - 1).bit_length())
    ck = None
    if cols is not None and len(cols) == 2:
        c0, c1 = cols
        b1 = int(c1.max()) + 1
        if ((int(c0.max()) + 1) * b1) << mbits < 2**63:
            ck = c0 * b1 + c1
    else:
        lo = int(keys.min())
        if (int(keys.max()) - lo + 1) << mbits < 2**63:
            ck = keys - lo if lo else keys
    if ck is None:
        return _argsort_unique_first(keys if keys is not None else (cols[0] << 32) | cols[1])
    packed = ck << mbits
    packed |= np.arange(m, dtype=np.int64)
    packed = sort_int64(packed)
    sck = packed >> mbits
    first = np.empty(m, dtype=bool)
    first[0] = True
    np.not_equal(sck[1:], sck[:-1], out=first[1:])
    take = packed[first] & ((1 << mbits) - 1)
    if keys is None:  # two columns: the standard key of the distinct rows only
        return (cols[0][take] << 32) | cols[1][take], take
    return keys[take], take


def _argsort_unique_first(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sort_unique_first` by a stable argsort."""
    order = keys.argsort(kind="stable")
    sk = keys[order]
    first = np.empty(len(keys), dtype=bool)
    first[0] = True
    np.not_equal(sk[1:], sk[:-1], out=first[1:])
    return sk[first], order[first]


def sort_stable(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(keys sorted, stable order): a stable argsort, or for long arrays the packing trick of
    :func:`sort_unique_first` when it fits."""
    m = len(keys)
    if m == 0:
        return EMPTY, EMPTY
    if m > SMALL_SORT:
        mbits = max(1, (m - 1).bit_length())
        lo = int(keys.min())
        if (int(keys.max()) - lo + 1) << mbits < 2**63:
            packed = (keys - lo) << mbits if lo else keys << mbits
            packed |= np.arange(m, dtype=np.int64)
            packed = sort_int64(packed)
            order = packed & ((1 << mbits) - 1)
            return (packed >> mbits) + lo, order
    order = keys.argsort(kind="stable")
    return keys[order], order


class Interner:
    """Append-only map int64 key -> dense id, vectorised (sorted keys + ids)."""

    def __init__(self) -> None:
        self.keys = EMPTY
        self.ids = EMPTY
        self.n = 0

    def lookup(self, q: np.ndarray, insert: bool) -> np.ndarray:
        """The id of each key, -1 where unknown; ``insert``: unknown keys get new ids, in key
        order."""
        if len(q) == 0:
            return EMPTY
        out, missing = None, None
        if len(self.keys):
            pos = self.keys.searchsorted(q)
            pos_c = np.minimum(pos, len(self.keys) - 1)
            found = (pos < len(self.keys)) & (self.keys[pos_c] == q)
            out = np.where(found, self.ids[pos_c], -1)
            if not insert or found.all():
                return out
            missing = (~found).nonzero()[0]
        elif not insert:
            return np.full(len(q), -1, dtype=np.int64)
        got = self._add(q if missing is None else q[missing])
        if out is None:
            return got
        out[missing] = got
        return out

    def _add(self, q: np.ndarray) -> np.ndarray:
        """New ids for keys not yet known (``q`` may repeat them), in key order."""
        order = q.argsort(kind="stable") if len(q) <= SMALL_SORT else q.argsort()  # short: the one stable argsort kernel
        sk = q[order]
        first = np.empty(len(sk), dtype=bool)
        first[0] = True
        np.not_equal(sk[1:], sk[:-1], out=first[1:])
        new = sk[first]
        new_ids = np.arange(self.n, self.n + len(new), dtype=np.int64)
        self.n += len(new)
        ids = np.empty(len(q), dtype=np.int64)
        ids[order] = new_ids[first.cumsum() - 1]
        self.keys, self.ids = merge_sorted(self.keys, self.ids, new, new_ids)
        return ids


class KeyCodec:
    """Encodes a list of id columns into one int64 key per row (see module docstring)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.interners = [Interner() for _ in range(max(0, width - 2))]

    def encode(self, cols: list[np.ndarray], insert: bool) -> np.ndarray:
        """-1 marks a row whose key was never inserted (it can match nothing)."""
        w = self.width
        if w == 0:
            n = len(cols[0]) if cols else 0
            return np.zeros(n, dtype=np.int64)
        if w == 1:
            return cols[0]
        key = (cols[0] << 32) | cols[1]
        for i in range(2, w):
            dense = self.interners[i - 2].lookup(key, insert)
            if not insert:
                bad = dense < 0
                key = (dense << 32) | cols[i]
                if bad.any():
                    key[bad] = -1
            else:
                key = (dense << 32) | cols[i]
        return key


class Index:
    """Rows sorted by the key of a column set; extended lazily as the relation grows.

    A one-column index also keeps CSR offsets (``offsets[id]`` = first position of that id),
    so a lookup is two gathers instead of two binary searches."""

    def __init__(self, cols: tuple[int, ...]) -> None:
        self.cols = cols
        self.codec = KeyCodec(len(cols))
        self.keys = EMPTY
        self.perm = EMPTY
        self.n = 0  # rows covered
        self._offsets = EMPTY
        self._offsets_n = -1
        self._distinct = (-1, 0)  # (rows covered, distinct keys)

    def update(self, rel: "Relation") -> None:
        """Cover the rows added since: (key, row) order. Short one-column indexes are sorted
        anew (one stable argsort; the same order as merging in the new rows)."""
        if self.n == rel.n:
            return
        lo, hi = self.n, rel.n
        if len(self.cols) == 1 and hi <= SMALL_SORT:
            col = rel.col(self.cols[0])
            self.perm = col.argsort(kind="stable")
            self.keys = col[self.perm]
        else:
            new_keys = self.codec.encode([rel.col(c)[lo:hi] for c in self.cols], insert=True)
            sk, order = sort_stable(new_keys)
            self.keys, self.perm = merge_sorted(self.keys, self.perm, sk, order + lo)
        self.n = hi

    def offsets(self) -> np.ndarray:
        """``offsets[id]`` for every id up to the largest key + 1 (there: the number of keys)."""
        if self._offsets_n != len(self.keys):
            top = int(self.keys[-1]) + 1 if len(self.keys) else 0
            off = np.zeros(top + 2, dtype=np.int64)  # off[id] = keys below id: counted, not searched
            np.bincount(self.keys, minlength=top + 1).cumsum(out=off[1:])
            self._offsets, self._offsets_n = off, len(self.keys)
        return self._offsets

    def distinct(self) -> int:
        """How many distinct keys the covered rows have."""
        if self._distinct[0] != self.n:
            k = self.keys
            self._distinct = (self.n, int(np.count_nonzero(k[1:] != k[:-1])) + 1 if len(k) else 0)
        return self._distinct[1]

    def query(self, qcols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """For each query row (ids >= 0): [lo, hi) in ``perm`` of the matching rows."""
        if len(self.cols) == 1:
            off = self.offsets()
            q = np.minimum(qcols[0], len(off) - 2)  # an id above every key: lo == hi == len(keys)
            return off[q], off[q + 1]
        q = self.codec.encode(qcols, insert=False)
        lo = self.keys.searchsorted(q, side="left")
        hi = self.keys.searchsorted(q, side="right")
        return lo, hi


def _grown(a: np.ndarray, n: int, cap: int) -> np.ndarray:
    """A copy of ``a`` with room for ``cap`` entries on its last axis (the first ``n`` kept)."""
    out = np.empty(a.shape[:-1] + (cap,), dtype=a.dtype)
    out[..., :n] = a[..., :n]
    return out


class Relation:
    """One predicate's facts as id columns, plus proof columns and indexes."""

    def __init__(self, pred: str, arity: int, prem_width: int) -> None:
        self.pred = pred
        self.arity = arity
        self.prem_width = prem_width
        self.n = 0
        self._cols = np.zeros((arity, 0), dtype=np.int64)  # capacity: grown by the first insert
        self._rule = np.zeros(0, dtype=np.int32)
        self._height = np.zeros(0, dtype=np.int32)
        self._prem = np.zeros((max(prem_width, 0), 0), dtype=np.int64)
        self.indexes: dict[tuple[int, ...], Index] = {}
        self.full = self.index(tuple(range(arity)))

    # -- storage ---------------------------------------------------------------------------
    def col(self, i: int) -> np.ndarray:
        return self._cols[i, : self.n]

    @property
    def rule(self) -> np.ndarray:
        return self._rule[: self.n]

    @property
    def height(self) -> np.ndarray:
        return self._height[: self.n]

    @property
    def prem(self) -> np.ndarray:
        return self._prem[:, : self.n]

    def _reserve(self, extra: int) -> None:
        """Room for ``extra`` more rows (capacity doubles; rows past ``n`` are never read:
        :meth:`_append` writes every column of the rows it adds)."""
        need = self.n + extra
        cap = self._cols.shape[1]
        if need <= cap:
            return
        cap = max(cap, 16)
        while cap < need:
            cap *= 2
        self._cols, self._rule, self._height, self._prem = (
            _grown(a, self.n, cap) for a in (self._cols, self._rule, self._height, self._prem)
        )

    def index(self, cols: tuple[int, ...]) -> Index:
        ix = self.indexes.get(cols)
        if ix is None:
            ix = self.indexes[cols] = Index(cols)
        ix.update(self)
        return ix

    # -- inserting -------------------------------------------------------------------------
    def insert(
        self,
        cols: list[np.ndarray],
        rule: np.ndarray | int = -1,
        height: np.ndarray | int = 0,
        prem: list[np.ndarray] | None = None,
    ) -> int:
        """Add the candidate rows not already present; returns how many were new. Among equal
        candidates the first one is taken (its rule, height and premises are recorded).
        ``rule``/``height`` are per candidate or scalars; ``prem`` one array per premise.
        New rows are appended in the order of their first candidates, not of their keys (which
        follow the symbols' ids, that is the order values were first seen): rows, and so which of
        equally short proofs is kept, do not depend on what else the model holds (one document's
        facts evaluated alone or with other documents' beside them)."""
        if self.arity == 0:  # a proposition: at most one row
            m = len(rule) if isinstance(rule, np.ndarray) else (len(prem[0]) if prem else 1)
            if self.n or m == 0:
                return 0
            self._append(np.zeros(1, dtype=np.int64), [], rule, height, prem)
            return 1
        m = len(cols[0])
        if m == 0:
            return 0
        keys = None if self.arity == 2 else self.full.codec.encode(cols, insert=True)
        uniq, take = sort_unique_first(keys, cols if self.arity == 2 else None)
        fk = self.full.keys
        if len(fk):
            pos = fk.searchsorted(uniq)
            pos_c = np.minimum(pos, len(fk) - 1)
            new = (pos >= len(fk)) | (fk[pos_c] != uniq)
            uniq, take = uniq[new], take[new]
        if len(uniq) == 0:
            return 0
        lo = self.n
        if len(take) > 1:  # in the order the candidates came (a mask over them: no sort)
            first = np.zeros(m, dtype=bool)
            first[take] = True
            rank = first.cumsum()
            rows = lo - 1 + rank[take]  # the row of each of ``uniq``
            take = np.flatnonzero(first)
        else:
            rows = np.arange(lo, lo + len(uniq), dtype=np.int64)
        self._append(take, cols, rule, height, prem)
        # the full index is kept exact eagerly (row ``rows[i]`` has the key ``uniq[i]``)
        self.full.keys, self.full.perm = merge_sorted(self.full.keys, self.full.perm, uniq, rows)
        self.full.n = self.n
        return len(uniq)

    def _append(self, take, cols, rule, height, prem) -> None:
        k = len(take)
        self._reserve(k)
        lo, hi = self.n, self.n + k
        for i in range(self.arity):
            self._cols[i, lo:hi] = cols[i][take]
        self._rule[lo:hi] = rule[take] if isinstance(rule, np.ndarray) else rule
        self._height[lo:hi] = height[take] if isinstance(height, np.ndarray) else height
        w = self._prem.shape[0]
        if w:
            for j in range(w):
                if prem is not None and j < len(prem):
                    self._prem[j, lo:hi] = prem[j][take]
                else:
                    self._prem[j, lo:hi] = -1
        self.n = hi

    def find(self, ids: list[np.ndarray]) -> np.ndarray:
        """Row id of each query row, -1 where absent."""
        fk = self.full
        if self.arity == 0:
            return np.zeros(1 if self.n else 0, dtype=np.int64) if not ids else EMPTY
        q = fk.codec.encode(ids, insert=False)
        if len(fk.keys) == 0:
            return np.full(len(q), -1, dtype=np.int64)
        pos = fk.keys.searchsorted(q)
        pos_c = np.minimum(pos, len(fk.keys) - 1)
        hit = (pos < len(fk.keys)) & (fk.keys[pos_c] == q) & (q >= 0)
        return np.where(hit, fk.perm[pos_c], -1)

    def keep_rows(self, keep: np.ndarray) -> None:
        """Drop every row not in the boolean mask ``keep`` (row ids change; indexes rebuilt)."""
        idx = np.flatnonzero(keep)
        k = len(idx)
        self._cols[:, :k] = self._cols[:, idx]
        self._rule[:k] = self._rule[idx]
        self._height[:k] = self._height[idx]
        if self._prem.shape[0]:
            self._prem[:, :k] = -1
        self.n = k
        old = list(self.indexes)
        self.indexes = {}
        self.full = self.index(tuple(range(self.arity)))
        for cols in old:
            self.index(cols)
