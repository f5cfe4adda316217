"""BERT for prediction without importing transformers.

``from transformers import AutoModel`` costs about 3.4 s of every process that loads a model
(it pulls torch._dynamo, torch.distributed.tensor and scipy.optimize, none of which a BERT
forward pass needs): more than the rest of a small `kgagent extract` together. A directory of a
plain BERT (``model_type`` "bert", absolute positions, GELU, an encoder only) is loaded here
instead, into a module of the same parameter names (so the same state dicts, saved either way),
computing what transformers' ``BertModel`` computes with its default attention (PyTorch's
scaled dot-product attention): the same operations in the same order, so the same numbers.
Its tokenizer is the directory's ``tokenizer.json`` read by the ``tokenizers`` library itself
(what transformers' fast tokenizer wraps), behind the few calls kgagent makes of it.

``load_bert`` and ``load_tokenizer`` answer None for any other directory (another architecture
or setting, weights that do not fit exactly; no tokenizer.json, or one that normalises text
otherwise than tokenizer_config.json says); the caller then loads it with transformers.
Training keeps transformers' modules (peft, gradient checkpointing, its dropout order).

>>> cfg = BertConfig.from_dict({"model_type": "bert", "vocab_size": 50, "hidden_size": 8,
...     "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16})
>>> model = BertModel(cfg).eval()
>>> model(input_ids=torch.tensor([[2, 7, 3]])).last_hidden_state.shape
torch.Size([1, 3, 8])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from kgagent.hf import WEIGHTS, fitting_state

TOKENIZER = "tokenizer.json"
#: config keys whose other values this module does not compute (transformers does)
_PLAIN = {"model_type": ("bert",), "hidden_act": ("gelu",), "position_embedding_type": ("absolute",),
          "is_decoder": (False,), "add_cross_attention": (False,), "chunk_size_feed_forward": (0,),
          "attn_implementation": (None, "sdpa"), "_attn_implementation": (None, "sdpa")}


@dataclass(frozen=True)
class BertConfig:
    """The settings of a plain BERT (config.json's names)."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    pad_token_id: int = 0

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "BertConfig | None":
        """The config of a plain BERT, or None when ``raw`` asks for anything else."""
        for key, allowed in _PLAIN.items():
            if raw.get(key, allowed[0]) not in allowed:
                return None
        fields = cls.__dataclass_fields__
        try:
            cfg = cls(**{k: raw[k] for k in fields if k in raw})
        except TypeError:  # a required size missing
            return None
        if cfg.hidden_size % cfg.num_attention_heads:
            return None
        return cfg


@dataclass
class BertOutput:
    """What kgagent reads of a forward pass (transformers' output has the same attribute)."""

    last_hidden_state: torch.Tensor


class _Embeddings(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size, padding_idx=cfg.pad_token_id)
        self.position_embeddings = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)
        self.register_buffer("position_ids", torch.arange(cfg.max_position_embeddings).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids: torch.Tensor | None, token_type_ids: torch.Tensor | None,
                inputs_embeds: torch.Tensor | None) -> torch.Tensor:
        if inputs_embeds is None:
            inputs_embeds = self.word_embeddings(input_ids)
        batch, length = inputs_embeds.shape[:2]
        position_ids = self.position_ids[:, :length]
        if token_type_ids is None:
            token_type_ids = torch.zeros((batch, length), dtype=torch.long, device=inputs_embeds.device)
        embeddings = inputs_embeds + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class _SelfAttention(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.heads = cfg.num_attention_heads
        self.head_size = cfg.hidden_size // cfg.num_attention_heads
        self.scaling = self.head_size ** -0.5
        self.dropout_p = cfg.attention_probs_dropout_prob
        self.query = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.key = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.value = nn.Linear(cfg.hidden_size, cfg.hidden_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        shape = (*hidden.shape[:-1], -1, self.head_size)
        q = self.query(hidden).view(*shape).transpose(1, 2)
        k = self.key(hidden).view(*shape).transpose(1, 2)
        v = self.value(hidden).view(*shape).transpose(1, 2)
        dropout = self.dropout_p if self.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout, scale=self.scaling,
                                             is_causal=False)
        return out.transpose(1, 2).contiguous().reshape(*hidden.shape[:-1], -1).contiguous()


class _DenseNorm(nn.Module):
    """A dense layer, dropout, and the residual's layer norm (BERT's SelfOutput and Output)."""

    def __init__(self, cfg: BertConfig, size_in: int):
        super().__init__()
        self.dense = nn.Linear(size_in, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(hidden)) + residual)


class _Attention(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.self = _SelfAttention(cfg)
        self.output = _DenseNorm(cfg, cfg.hidden_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        return self.output(self.self(hidden, mask), hidden)


class _Intermediate(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(hidden))


class _Layer(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.attention = _Attention(cfg)
        self.intermediate = _Intermediate(cfg)
        self.output = _DenseNorm(cfg, cfg.intermediate_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        attended = self.attention(hidden, mask)
        return self.output(self.intermediate(attended), attended)


class _Encoder(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList(_Layer(cfg) for _ in range(cfg.num_hidden_layers))


class _Pooler(nn.Module):  # kept for its weights (a saved BertModel has them); kgagent never pools
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)


class BertModel(nn.Module):
    """A plain BERT encoder with transformers' parameter names; ``forward`` returns the last
    hidden states (the pooler's output is not computed: kgagent reads none)."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.config = cfg
        self.embeddings = _Embeddings(cfg)
        self.encoder = _Encoder(cfg)
        self.pooler = _Pooler(cfg)

    def get_input_embeddings(self) -> nn.Embedding:
        return self.embeddings.word_embeddings

    def forward(self, input_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None, inputs_embeds: torch.Tensor | None = None
                ) -> BertOutput:
        hidden = self.embeddings(input_ids, token_type_ids, inputs_embeds)
        # as transformers builds it for scaled dot-product attention: none when nothing is padding,
        # else True for the keys to attend to, the same for every query
        mask = None
        if attention_mask is not None and not bool(attention_mask.all()):
            mask = attention_mask.bool()[:, None, None, :].expand(-1, 1, hidden.shape[1], -1)
        for layer in self.encoder.layer:
            hidden = layer(hidden, mask)
        return BertOutput(last_hidden_state=hidden)


def load_native(path: Path) -> tuple[BertModel, FastTokenizer] | None:
    """The model and tokenizer of a directory that :func:`load_tokenizer` and :func:`load_bert`
    both take (the tokenizer, cheap, asked first); None: load it with transformers."""
    tokenizer = load_tokenizer(path)
    model = load_bert(path) if tokenizer is not None else None
    return (model, tokenizer) if model is not None and tokenizer is not None else None


def load_bert(path: Path) -> BertModel | None:
    """The BERT of a local directory, in eval mode, when it is a plain one whose
    ``model.safetensors`` holds exactly its parameters (:func:`kgagent.hf.fitting_state`, as
    transformers' own quiet load asks); else None."""
    cfg = _read_config(Path(path))
    weights = Path(path) / WEIGHTS
    if cfg is None or not weights.is_file():
        return None
    # first weights drawn from a generator of its own (the caller's random numbers left alone; the
    # meta device, which would draw none, costs 1.8 s of imports on its first use)
    with torch.random.fork_rng(devices=[]):
        model = BertModel(cfg)
    state = fitting_state(model, weights)
    if state is None:
        return None
    model.load_state_dict(state, strict=False, assign=True)
    return model.eval()


def _read_config(path: Path) -> BertConfig | None:
    try:
        raw = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return BertConfig.from_dict(raw) if isinstance(raw, dict) else None


class FastTokenizer:
    """A directory's ``tokenizer.json`` (the ``tokenizers`` library) behind the calls kgagent makes
    of a transformers fast tokenizer: ``tok(texts, add_special_tokens=...)`` for pieces, and
    padded, truncated batches as tensors; the special tokens' ids."""

    is_fast = True

    def __init__(self, tokenizer: Any, special: dict[str, str], source: Path):
        self._tok = tokenizer
        self._tok.no_truncation()
        self._tok.no_padding()
        self.source = source
        ids = {name: tokenizer.token_to_id(token) for name, token in special.items()}
        self.cls_token_id, self.sep_token_id = ids.get("cls_token"), ids.get("sep_token")
        self.bos_token_id, self.eos_token_id = ids.get("bos_token"), ids.get("eos_token")
        self.unk_token_id, self.pad_token_id = ids.get("unk_token"), ids.get("pad_token")
        self.pad_token = special.get("pad_token")

    def __call__(self, texts: list[str], *, add_special_tokens: bool = True, padding: bool = False,
                 truncation: bool | str = False, max_length: int | None = None,
                 return_tensors: str | None = None) -> dict[str, Any]:
        tok = self._tok
        if truncation and max_length is not None:
            tok.enable_truncation(max_length, strategy="longest_first")
        if padding:
            tok.enable_padding(pad_id=self.pad_token_id or 0, pad_token=self.pad_token or "[PAD]")
        try:
            encoded = tok.encode_batch(list(texts), add_special_tokens=add_special_tokens)
        finally:
            tok.no_truncation()
            tok.no_padding()
        out: dict[str, Any] = {"input_ids": [e.ids for e in encoded], "token_type_ids": [e.type_ids for e in encoded],
                               "attention_mask": [e.attention_mask for e in encoded]}
        if return_tensors == "pt":
            out = {k: torch.tensor(v, dtype=torch.long) for k, v in out.items()}
        return out

    def save_pretrained(self, directory: str) -> None:
        """Copy the tokenizer's files into ``directory``."""
        import shutil

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        for name in (TOKENIZER, "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
            if (self.source / name).is_file():
                shutil.copyfile(self.source / name, out / name)


#: tokenizer_config.json's word on normalising (transformers' default) -> tokenizer.json's
#: BertNormalizer setting; transformers follows the config where they disagree
_NORMALIZING = {"do_lower_case": (True, "lowercase"), "strip_accents": (None, "strip_accents"),
                "tokenize_chinese_chars": (True, "handle_chinese_chars")}
_BERT_TOKENIZERS = (None, "BertTokenizer", "BertTokenizerFast")


def _normalizes_as_configured(config: dict[str, Any], normalizer: Any) -> bool:
    """Whether the tokenizer's normalizer (tokenizer.json's, as the ``tokenizers`` library read
    it) does what tokenizer_config.json says: a BERT tokenizer whose BertNormalizer has the
    config's lower-casing, accents and Chinese characters."""
    from tokenizers.normalizers import BertNormalizer

    if config.get("tokenizer_class") not in _BERT_TOKENIZERS or not isinstance(normalizer, BertNormalizer):
        return False
    return all(config.get(key, default) == getattr(normalizer, setting)
               for key, (default, setting) in _NORMALIZING.items())


def load_tokenizer(path: Path) -> FastTokenizer | None:
    """The directory's tokenizer.json with its special tokens (tokenizer_config.json, else
    special_tokens_map.json), or None when it has no tokenizer.json, names no [CLS]-like token,
    or is not a BERT tokenizer normalising text as its tokenizer_config.json says (transformers
    would rebuild it from the config)."""
    from tokenizers import Tokenizer

    path = Path(path)
    if not (path / TOKENIZER).is_file():
        return None
    special: dict[str, str] = {}
    config: dict[str, Any] = {}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):  # the config's word wins
        try:
            raw = json.loads((path / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(raw, dict):
            continue
        if name == "tokenizer_config.json":
            config = raw
        for key in ("cls_token", "sep_token", "bos_token", "eos_token", "unk_token", "pad_token"):
            value = raw.get(key)
            if isinstance(value, dict):
                value = value.get("content")
            if isinstance(value, str):
                special[key] = value
    if not any(k in special for k in ("cls_token", "bos_token")):
        return None
    try:  # the file read once: its normalizer is asked of the parsed tokenizer
        tok = Tokenizer.from_file(str(path / TOKENIZER))
    except Exception:  # noqa: BLE001 - the tokenizers library's own errors: let transformers report them
        return None
    if not _normalizes_as_configured(config, tok.normalizer):
        return None
    return FastTokenizer(tok, special, path)


__all__ = ["BertConfig", "BertModel", "BertOutput", "FastTokenizer", "load_bert", "load_native", "load_tokenizer"]
