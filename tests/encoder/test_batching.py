"""Inference batches: every sentence once, at most batch_size a batch, and the least padding +
overhead among all ways to cut the sorted order (checked against brute force)."""

from __future__ import annotations

import itertools
import random

import pytest

from kgagent.encoder.batching import inference_batches
from kgagent.errors import EncoderError


def _cost(lengths: list[int], batches: list[list[int]], overhead: int) -> int:
    return sum(len(b) * max(lengths[i] for i in b) + overhead for b in batches)


def _brute_force(lengths: list[int], batch_size: int, overhead: int, max_pieces: int) -> int:
    s = sorted(lengths)
    n, best = len(s), None
    for cuts in itertools.product([False, True], repeat=max(n - 1, 0)):
        sizes, size = [], 1
        for c in cuts:
            if c:
                sizes.append(size)
                size = 1
            else:
                size += 1
        sizes.append(size)
        if max(sizes) > batch_size:
            continue
        cost, i, fits = 0, 0, True
        for k in sizes:
            fits &= k == 1 or k * s[i + k - 1] <= max_pieces
            cost += k * s[i + k - 1] + overhead
            i += k
        if not fits:
            continue
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(40))
def test_batches_are_a_partition_and_optimal(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 9)
    lengths = [rng.choice([rng.randint(3, 12), rng.randint(20, 120)]) for _ in range(n)]
    batch_size, overhead = rng.randint(1, 5), rng.choice([0, 8, 48, 128])
    max_pieces = rng.choice([100, 250, 10_000])
    batches = inference_batches(lengths, batch_size, overhead, max_pieces)
    assert sorted(i for b in batches for i in b) == list(range(n))
    assert all(1 <= len(b) <= batch_size for b in batches)
    assert all(len(b) == 1 or len(b) * max(lengths[i] for i in b) <= max_pieces for b in batches)
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)  # batches in increasing length
    assert _cost(lengths, batches, overhead) == _brute_force(lengths, batch_size, overhead, max_pieces)


def test_long_tail_gets_its_own_batches_and_empty_input() -> None:
    lengths = [10] * 30 + [100, 110]
    batches = inference_batches(lengths, batch_size=32, overhead=128)
    assert [len(b) for b in batches] == [30, 2]  # fixed cuts of 32 would pad 30 short ones to 110
    assert inference_batches([], 32) == []
    with pytest.raises(EncoderError, match="KGA308"):
        inference_batches([5], 0)
