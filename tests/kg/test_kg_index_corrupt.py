"""An entity index beside a graph (``<graph dir>/index``) damaged on disk, found by fuzzing: a
truncated vectors.npz ended ``kg link`` in a BadZipFile traceback, a meta.json holding a list in an
AttributeError, a meta.json "dim" that is no number in a ValueError. ``EntityIndex.load`` now says
KGA208 (corrupt) and the linker rebuilds the index, as it does for a stale one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph, Linker
from kgagent.kg.index import EntityIndex


def _truncate_vectors(d: Path) -> None:
    (d / "vectors.npz").write_bytes((d / "vectors.npz").read_bytes()[:100])


def _meta(**changes):
    def change(d: Path) -> None:
        meta = json.loads((d / "meta.json").read_text())
        meta.update(changes)
        (d / "meta.json").write_text(json.dumps(meta))
    return change


def _meta_list(d: Path) -> None:
    (d / "meta.json").write_text("[1, 2]")


def _junk_hnsw(d: Path) -> None:
    _meta(kind="hnsw")(d)
    (d / "hnsw.faiss").write_text("junk")


@pytest.mark.parametrize("damage", [_truncate_vectors, _meta_list, _meta(dim="x"), _meta(dim=3), _meta(rows=None),
                                    _meta(model=5), _junk_hnsw],
                         ids=["truncated-vectors", "meta-list", "dim-text", "dim-other", "rows-null", "model-number",
                              "hnsw-junk"])
def test_a_damaged_index_is_kga208_and_rebuilt_by_the_linker(tiny_dir: Path, embed, damage) -> None:
    kg = KnowledgeGraph.load(tiny_dir)
    first = Linker(kg, embed=embed, embed_id="trigram")
    expected = first.link([("Pariss", None), ("Acme Corp", "organization")])
    index = tiny_dir / "index"
    good = tiny_dir / "index-good"
    shutil.copytree(index, good)
    damage(index)
    with pytest.raises(GraphError) as err:
        EntityIndex.load(index)
    assert err.value.code == "KGA208"
    again = Linker(KnowledgeGraph.load(tiny_dir), embed=embed, embed_id="trigram")
    assert again.rebuilt
    assert again.link([("Pariss", None), ("Acme Corp", "organization")]) == expected
    EntityIndex.load(index)  # saved whole again


@pytest.mark.parametrize("hnsw_threshold", [1, 50_000], ids=["hnsw", "flat"])
def test_a_huge_k_asks_faiss_for_no_more_than_the_rows(hnsw_threshold: int) -> None:
    """kg link -k 100000000 searched an HNSW index (graphs of 50,000 names or more) for k*3 rows:
    FAISS allocates arrays that wide (gigabytes per mention). k is now capped by the rows."""
    import numpy as np

    rows = [(f"urn:e{i}", f"name {i}") for i in range(5)]
    vectors = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    idx = EntityIndex.build(rows, vectors, "m", hnsw_threshold=hnsw_threshold)
    assert idx.kind == ("hnsw" if hnsw_threshold == 1 else "flat")
    scores, ids = idx.search(vectors[:2], 10**6)  # were the cap gone: arrays 10**6 wide, not 5
    assert scores.shape == ids.shape == (2, 5)
    assert sorted(ids[0].tolist()) == [0, 1, 2, 3, 4]
    empty = EntityIndex.build([], np.zeros((0, 8), np.float32), "m")
    assert empty.search(vectors[:1], 10**6)[1].shape == (1, 0)
