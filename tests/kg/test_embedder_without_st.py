"""The Embedder reads a plain sentence-transformers directory (a transformer, a mean / CLS / max
pooling, maybe a normalisation) with transformers alone, and gets sentence-transformers' vectors;
any other layout is left to sentence-transformers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from kgagent.kg.index import Embedder, PooledTransformer, plain_pooling

TEXTS = ["paris", "ville lumiere", "acme corporation of the united states of america and its many friends",
         "boston", "massachusetts", "", "a"]


@pytest.mark.parametrize("bfloat16", [False, True])
def test_the_vectors_are_sentence_transformers_own(tiny_st: Path, bfloat16: bool) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    emb = Embedder(tiny_st, max_seq_length=8, batch_size=3, bfloat16=bfloat16)
    ours = emb(TEXTS)
    assert isinstance(emb._model, PooledTransformer) and emb.dim == 16
    st = SentenceTransformer(str(tiny_st), device="cpu", local_files_only=True)
    st.max_seq_length = 8
    with torch.autocast("cpu", dtype=torch.bfloat16) if bfloat16 else torch.no_grad():
        theirs = st.encode(TEXTS, batch_size=3, normalize_embeddings=True, convert_to_tensor=True,
                           show_progress_bar=False).float().numpy()
    assert np.abs(ours - theirs).max() < 1e-6
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-3)


def _copy_with(tiny_st: Path, tmp_path: Path, pooling: dict | None = None, modules: list | None = None) -> Path:
    d = tmp_path / "st"
    shutil.copytree(tiny_st, d)
    if pooling is not None:
        (d / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    if modules is not None:
        (d / "modules.json").write_text(json.dumps(modules))
    return d


OLD = {"word_embedding_dimension": 16, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
       "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}
TRANSFORMER = {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}
POOLING = {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}
NORMALIZE = {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
DENSE = {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}


@pytest.mark.parametrize("pooling, modules, expected", [
    (None, None, ("mean", False)),  # the newer config (pooling_mode), no Normalize module
    (OLD, [TRANSFORMER, POOLING, NORMALIZE], ("mean", True)),  # all-MiniLM-L6-v2's older config
    ({**OLD, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}, [TRANSFORMER, POOLING], ("cls", False)),
    ({"embedding_dimension": 16, "pooling_mode": "max"}, None, ("max", False)),
    # left to sentence-transformers: another module, another or a double pooling, a prompt left out
    (OLD, [TRANSFORMER, POOLING, DENSE], None),
    ({**OLD, "pooling_mode_max_tokens": True}, None, None),
    ({"embedding_dimension": 16, "pooling_mode": "weightedmean"}, None, None),
    ({"embedding_dimension": 16, "pooling_mode": "mean", "include_prompt": False}, None, None),
])
def test_which_layouts_are_read_without_sentence_transformers(tiny_st: Path, tmp_path: Path, pooling, modules,
                                                               expected) -> None:
    assert plain_pooling(_copy_with(tiny_st, tmp_path, pooling, modules)) == expected


def test_another_layout_still_loads_with_sentence_transformers(tiny_st: Path, tmp_path: Path) -> None:
    d = _copy_with(tiny_st, tmp_path, {"embedding_dimension": 16, "pooling_mode": "mean", "include_prompt": False})
    emb = Embedder(d)
    vecs = emb(["paris", "boston"])
    assert type(emb._model).__name__ == "SentenceTransformer" and vecs.shape == (2, 16)
