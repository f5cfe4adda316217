"""The Embedder reads a plain sentence-transformers directory (a transformer, a mean / CLS / max
pooling, dense layers, maybe a normalisation) without sentence-transformers, and gets its
vectors; any other layout is left to sentence-transformers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from kgagent.errors import GraphError
from kgagent.kg.index import Embedder, Layout, PooledTransformer, plain_pooling

TEXTS = ["paris", "ville lumiere", "acme corporation of the united states of america and its many friends",
         "boston", "massachusetts", "", "a"]


def _theirs(path: Path, bfloat16: bool) -> np.ndarray:
    """TEXTS' vectors as sentence-transformers itself computes them, as the Embedder asks."""
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    st.max_seq_length = 8
    with torch.autocast("cpu", dtype=torch.bfloat16) if bfloat16 else torch.no_grad():
        return st.encode(TEXTS, batch_size=3, normalize_embeddings=True, convert_to_tensor=True,
                         show_progress_bar=False).float().numpy()


@pytest.mark.parametrize("bfloat16", [False, True])
def test_the_vectors_are_sentence_transformers_own(tiny_st: Path, bfloat16: bool) -> None:
    emb = Embedder(tiny_st, max_seq_length=8, batch_size=3, bfloat16=bfloat16)
    ours = emb(TEXTS)
    assert isinstance(emb._model, PooledTransformer) and emb.dim == 16
    assert np.abs(ours - _theirs(tiny_st, bfloat16)).max() < 1e-6
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


DENSE_CFG = {"in_features": 16, "out_features": 8, "bias": True,
             "activation_function": "torch.nn.modules.activation.Tanh"}


@pytest.mark.parametrize("pooling, modules, dense, expected", [
    (None, None, None, ("mean", False, ())),  # the newer config (pooling_mode), no Normalize module
    (OLD, [TRANSFORMER, POOLING, NORMALIZE], None, ("mean", True, ())),  # all-MiniLM-L6-v2's older config
    ({**OLD, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}, [TRANSFORMER, POOLING], None,
     ("cls", False, ())),
    ({"embedding_dimension": 16, "pooling_mode": "max"}, None, None, ("max", False, ())),
    (OLD, [TRANSFORMER, POOLING, DENSE], DENSE_CFG, ("mean", False, ("2_Dense",))),
    (OLD, [TRANSFORMER, POOLING, DENSE, {**NORMALIZE, "idx": 3, "path": "3_Normalize"}],
     {**DENSE_CFG, "activation_function": "torch.nn.modules.linear.Identity", "use_residual": False},
     ("mean", True, ("2_Dense",))),
    # left to sentence-transformers: another module, a dense layer it alone reads, another or a
    # double pooling, a prompt left out
    (OLD, [TRANSFORMER, POOLING, DENSE], None, None),  # no 2_Dense folder
    (OLD, [TRANSFORMER, POOLING, DENSE], {**DENSE_CFG, "use_residual": True}, None),
    (OLD, [TRANSFORMER, POOLING, DENSE], {**DENSE_CFG, "activation_function": "my.module.Swish"}, None),
    (OLD, [TRANSFORMER, POOLING, DENSE], {**DENSE_CFG, "module_input_name": "token_embeddings"}, None),
    (OLD, [TRANSFORMER, POOLING, {**NORMALIZE, "idx": 2}, {**DENSE, "idx": 3}], DENSE_CFG, None),
    ({**OLD, "pooling_mode_max_tokens": True}, None, None, None),
    ({"embedding_dimension": 16, "pooling_mode": "weightedmean"}, None, None, None),
    ({"embedding_dimension": 16, "pooling_mode": "mean", "include_prompt": False}, None, None, None),
])
def test_which_layouts_are_read_without_sentence_transformers(tiny_st: Path, tmp_path: Path, pooling, modules,
                                                               dense, expected) -> None:
    d = _copy_with(tiny_st, tmp_path, pooling, modules)
    if dense is not None:
        (d / "2_Dense").mkdir()
        (d / "2_Dense" / "config.json").write_text(json.dumps(dense))
        (d / "2_Dense" / "model.safetensors").write_bytes(b"")  # only looked for here; read at load
    if expected is not None:
        expected = Layout(*expected[:2], tuple(d / p for p in expected[2]))
    assert plain_pooling(d) == expected


@pytest.fixture(scope="module")
def tiny_dense_st(tiny_st: Path, tmp_path_factory) -> Path:
    """tiny_st with a dense layer (16 -> 8, tanh) and a normalisation after its pooling."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize

    st = SentenceTransformer(str(tiny_st), device="cpu", local_files_only=True)
    torch.manual_seed(1)
    out = tmp_path_factory.mktemp("dense-st") / "st"
    SentenceTransformer(modules=[*st, Dense(16, 8), Normalize()], device="cpu").save(str(out))
    return out


@pytest.mark.parametrize("bfloat16", [False, True])
def test_dense_layers_give_sentence_transformers_vectors_without_a_word_on_stderr(
        tiny_dense_st: Path, bfloat16: bool, capfd) -> None:
    import torch

    capfd.readouterr()
    rng = torch.random.get_rng_state()
    emb = Embedder(tiny_dense_st, max_seq_length=8, batch_size=3, bfloat16=bfloat16)
    ours = emb(TEXTS)
    assert torch.equal(torch.random.get_rng_state(), rng)  # loading drew none of the caller's random numbers
    assert capfd.readouterr() == ("", "")  # no "Loading weights" bar: the library prints nothing
    assert isinstance(emb._model, PooledTransformer) and emb.dim == 8 and ours.shape == (len(TEXTS), 8)
    assert np.abs(ours - _theirs(tiny_dense_st, bfloat16)).max() < 1e-6


@pytest.mark.parametrize("change, message", [
    ({"out_features": 4}, "the dense layer's weights do not match its config.json"),
    ({"bias": False}, "the dense layer's weights do not match its config.json"),
    ({"in_features": 8, "out_features": 8}, None),  # weights rewritten 8 x 8: the pooling gives 16
])
def test_a_dense_layer_that_does_not_fit_is_a_load_error(tiny_dense_st: Path, tmp_path: Path, change,
                                                          message) -> None:
    import torch
    from safetensors.torch import save_file

    d = tmp_path / "st"
    shutil.copytree(tiny_dense_st, d)
    cfg = json.loads((d / "2_Dense" / "config.json").read_text())
    (d / "2_Dense" / "config.json").write_text(json.dumps({**cfg, **change}))
    if message is None:
        save_file({"linear.weight": torch.zeros(8, 8), "linear.bias": torch.zeros(8)},
                  str(d / "2_Dense" / "model.safetensors"))
        message = "the dense layer takes 8 values, the layer before gives 16"
    with pytest.raises(GraphError) as err:
        Embedder(d)(["paris"])
    assert err.value.code == "KGA209" and "2_Dense" in str(err.value) and message in str(err.value)


def test_another_layout_still_loads_with_sentence_transformers(tiny_st: Path, tmp_path: Path) -> None:
    d = _copy_with(tiny_st, tmp_path, {"embedding_dimension": 16, "pooling_mode": "mean", "include_prompt": False})
    emb = Embedder(d)
    vecs = emb(["paris", "boston"])
    assert type(emb._model).__name__ == "SentenceTransformer" and vecs.shape == (2, 16)
