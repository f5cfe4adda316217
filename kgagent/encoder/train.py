"""Training the joint span model: AdamW, warm-up + linear decay, clipping, early stopping on
dev F1, negative sampling, weighted examples and negatives, resumable checkpoints.

Checkpoints are safetensors (model, optimizer moments) + JSON (counters, history, settings):
nothing is pickled, nothing unpickled. The same seed gives the same weights on CPU.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
from safetensors.torch import load_file, save_file
from torch.nn import functional as F

from kgagent.encoder.data import Example, example_weight_problem, labels_of
from kgagent.encoder.model import ModelConfig, SpanModel
from kgagent.encoder.pieces import Encoded, collate
from kgagent.encoder.sources import allowed_labels
from kgagent.encoder.pretrained import (CONFIG_FILE, ENCODER_FILE, FULL_ENCODER_DIR, PACKAGE_BASE, WEIGHTS_FILE,
                                        Encoder, _saved_keys, build_model, resolve_base, round_compact_encoder_)
from kgagent.encoder.precision import DEVICES
from kgagent.errors import EncoderError, Location, StorageError
from kgagent.files import (atomic_write_text, atomic_write_with, file_in_the_way, recover_swap, swap_leftover,
                           swap_parts, swapping_in)
from kgagent.evaluate import decision_calibration, evaluate, merge

Progress = Callable[[dict[str, Any]], None]


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (defaults: the shipped CoNLL04 model)."""

    base: str | None = None  # None = the packaged all-MiniLM-L6-v2; else a local HF directory
    init: str | None = None  # a saved kgagent model to continue training from
    lora: bool = True
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0  # 0: no dropout masks on every adapted layer (they cost ~20% of a CPU step)
    case_features: bool = True
    train_word_embeddings: bool = False  # full fine-tuning only: False keeps the base's (compact save)
    epochs: int = 20
    lr: float = 3e-4  # encoder (LoRA adapters, or all weights when lora=False: use ~5e-5..1e-4)
    head_lr: float = 1e-3  # heads, width/type/case embeddings
    batch_size: int = 16
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    dropout: float = 0.1
    max_width: int = 10
    neg_entities: int = 100
    neg_relations: int = 100
    patience: int = 5
    seed: int = 42
    num_threads: int | None = None
    device: str = "auto"  # auto | cpu | cuda
    max_minutes: float | None = None  # stop (keeping the best so far) after this much training time
    calibrate: bool = True
    select_on: str = "mean"  # mean | entity | relation (dev F1 used for early stopping)
    # several data sets (kgagent.encoder.sources): passes per epoch of each (by meta["dataset"];
    # a fraction samples)
    mix: dict[str, float] = dataclasses.field(default_factory=dict)
    # per-epoch model selection scores at most this many sentences of each dev source (a seeded
    # sample, the same every epoch; 0 = all); the final report scores all of dev
    select_sample: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# =========================================================================== batches


@dataclass
class Sample:
    """One example's training targets (word offsets within its encoded window)."""

    encoded: Encoded
    spans: list[tuple[int, int, int, float]]  # (start, end, target 0=none / type+1, weight)
    # per span, the bitmask of the classes it may be (bit 0 = none) when its source's scheme
    # leaves more than one open (kgagent.encoder.sources); None: exactly ``target``
    span_options: list[int] | None
    not_spans: list[tuple[int, int, int, float]]  # (start, end, type+1 it is NOT, weight)
    entities: list[tuple[int, int, int]]  # gold entities (start, end, type+1) for the relation head
    pairs: list[tuple[int, int]]
    rel_targets: list[list[float]]
    rel_weights: list[list[float]]


def make_sample(enc: Encoded, ex: Example, ent_index: dict[str, int], rel_index: dict[str, int],
                cfg: TrainConfig, rng: random.Random) -> Sample:
    """Targets with sampled negative spans and entity pairs (as SpERT does), under the example's
    annotation scheme (``meta["annotates"]``, see kgagent.encoder.sources): partial labels for
    what its source does not mark, no relation targets from a source without relations."""
    n = enc.n_words
    meta = ex.meta if isinstance(ex.meta, dict) else {}
    xw = float(meta.get("weight", 1.0))
    scheme = meta.get("annotates")
    gold = {}
    for e in ex.entities:
        if e.end <= n and e.end - e.start <= cfg.max_width:
            gold[(e.start, e.end)] = (ent_index[e.type] + 1, e.weight * xw)
    spans = [(s, e, t, w) for (s, e), (t, w) in gold.items()]
    negatives = [(s, s + k) for k in range(1, cfg.max_width + 1) for s in range(0, n - k + 1)
                 if (s, s + k) not in gold]
    if len(negatives) > cfg.neg_entities:
        negatives = rng.sample(negatives, cfg.neg_entities)
    spans += [(s, e, 0, xw) for s, e in negatives]
    options = _span_options(spans, scheme, ent_index) if scheme else None
    if options is not None:  # a span its scheme leaves wholly open teaches nothing: not computed
        full = (1 << (len(ent_index) + 1)) - 1
        kept = [i for i, m in enumerate(options) if m != full]
        spans, options = [spans[i] for i in kept], [options[i] for i in kept]
    not_spans = [(e.start, e.end, ent_index[e.type] + 1, e.weight * xw) for e in ex.negative_entities
                 if e.end <= n and e.type in ent_index]
    entities = [(e.start, min(e.end, n), ent_index[e.type] + 1) for e in ex.entities]
    usable = [i for i, e in enumerate(ex.entities) if e.end <= n]
    judged_only = bool(scheme) and scheme.get("relations") == "judged"  # e.g. a reviewer's answers
    if scheme and not scheme.get("relations", True):
        usable = []  # its source annotates no relation: no pair is a negative
    n_rel = len(rel_index)
    pos: dict[tuple[int, int], tuple[list[float], list[float]]] = {}

    def slot(h: int, t: int) -> tuple[list[float], list[float]]:
        return pos.setdefault((h, t), ([0.0] * n_rel, [xw] * n_rel))

    usable_set = set(usable)
    for r in ex.relations:
        if r.head in usable_set and r.tail in usable_set:
            tg, wt = slot(r.head, r.tail)
            tg[rel_index[r.type]] = 1.0
            wt[rel_index[r.type]] = r.weight * xw
    for r in ex.negative_relations:
        if r.head in usable_set and r.tail in usable_set and r.type in rel_index:
            tg, wt = slot(r.head, r.tail)
            tg[rel_index[r.type]] = 0.0
            wt[rel_index[r.type]] = r.weight * xw
    if judged_only:
        others = []
    elif len(usable) * (len(usable) - 1) <= MAX_LISTED_PAIRS:
        others = [(h, t) for h in usable for t in usable if h != t and (h, t) not in pos]
        if len(others) > cfg.neg_relations:
            others = rng.sample(others, cfg.neg_relations)
    else:  # thousands of entities in one sentence: drawn, not listed (millions of pairs would fill memory)
        others = _draw_pairs(usable, pos, cfg.neg_relations, rng)
    for h, t in others:
        slot(h, t)
    pairs = list(pos)
    return Sample(enc, spans, options, not_spans, entities, pairs, [pos[p][0] for p in pairs],
                  [pos[p][1] for p in pairs])


#: the most entity pairs of one sentence listed to sample negative relations from (about 450
#: entities); past it pairs are drawn at random instead (real sentences hold a few dozen entities)
MAX_LISTED_PAIRS = 200_000


def _draw_pairs(usable: Sequence[int], taken: Any, k: int, rng: random.Random) -> list[tuple[int, int]]:
    """``k`` distinct ordered pairs of different entities of ``usable`` not in ``taken``, drawn at
    random (seeded by ``rng``) without listing every pair."""
    out: dict[tuple[int, int], None] = {}
    for _ in range(100 * k):
        if len(out) >= k:
            break
        h, t = rng.choice(usable), rng.choice(usable)
        if h != t and (h, t) not in taken:
            out[(h, t)] = None
    return list(out)


def _span_options(spans: list[tuple[int, int, int, float]], scheme: dict[str, Any], ent_index: dict[str, int]
                  ) -> list[int] | None:
    """Bitmasks of the classes each span may be under ``scheme`` (None when every span has one)."""
    labels = list(ent_index)
    annotated = scheme.get("entities", labels)
    masks = {}
    for target in {t for _, _, t, _ in spans}:
        gold = labels[target - 1] if target else None
        mask = 0
        for lab in allowed_labels(gold, annotated, labels):
            mask |= 1 << (ent_index[lab] + 1 if lab is not None else 0)
        masks[target] = mask
    if all(m == 1 << t for t, m in masks.items()):
        return None
    return [masks[t] for _, _, t, _ in spans]


def _pad(rows: list[list[Any]], width: int, fill: Any) -> list[list[Any]]:
    return [r + [fill] * (width - len(r)) for r in rows]


def batch_loss(model: SpanModel, samples: list[Sample], pad_id: int, device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
    """Weighted entity cross-entropy (+ "not this type" terms) + relation BCE for one batch."""
    batch = collate([s.encoded for s in samples], pad_id).to(device)
    words, cls = model.words(batch)
    # entity spans
    S = max(max(len(s.spans) for s in samples), 1)
    sp = torch.tensor(_pad([[(a, b) for a, b, _, _ in s.spans] for s in samples], S, (0, 1)), dtype=torch.long, device=device)
    tgt = torch.tensor(_pad([[t for _, _, t, _ in s.spans] for s in samples], S, 0), dtype=torch.long, device=device)
    wt = torch.tensor(_pad([[w for _, _, _, w in s.spans] for s in samples], S, 0.0), dtype=torch.float, device=device)
    valid = torch.tensor(_pad([[True] * len(s.spans) for s in samples], S, False), dtype=torch.bool, device=device)
    logits = model.span_logits(words, cls, sp[..., 0], sp[..., 1], valid).float()
    if all(s.span_options is None for s in samples):
        ce = F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt.view(-1), reduction="none").view(tgt.shape)
    else:  # partial labels: -log of the probability of the classes the span may be
        bits = torch.tensor(_pad([s.span_options if s.span_options is not None else [1 << t for _, _, t, _ in s.spans]
                                  for s in samples], S, 1), dtype=torch.long, device=device)
        allowed = ((bits.unsqueeze(-1) >> torch.arange(logits.shape[-1], device=device)) & 1).bool()
        ce = torch.logsumexp(logits, -1) - torch.logsumexp(logits.masked_fill(~allowed, float("-inf")), -1)
    ent_sum = (ce * wt * valid).sum()
    count = valid.sum()
    if any(s.not_spans for s in samples):
        N = max(len(s.not_spans) for s in samples)
        nsp = torch.tensor(_pad([[(a, b) for a, b, _, _ in s.not_spans] for s in samples], N, (0, 1)), dtype=torch.long, device=device)
        nt = torch.tensor(_pad([[t for _, _, t, _ in s.not_spans] for s in samples], N, 0), dtype=torch.long, device=device)
        nw = torch.tensor(_pad([[w for _, _, _, w in s.not_spans] for s in samples], N, 0.0), device=device)
        nv = torch.tensor(_pad([[True] * len(s.not_spans) for s in samples], N, False), device=device)
        nlog = model.span_logits(words, cls, nsp[..., 0], nsp[..., 1], nv).float()
        p = torch.softmax(nlog, -1).gather(-1, nt.unsqueeze(-1)).squeeze(-1)
        ent_sum = ent_sum + (-torch.log1p(-p.clamp(max=1 - 1e-6)) * nw * nv).sum()
        count = count + nv.sum()
    ent_loss = ent_sum / count.clamp(min=1)
    # relations between gold entities
    rel_loss = torch.zeros((), device=device)
    if any(s.pairs for s in samples) and model.config.relation_labels:
        E = max(max(len(s.entities) for s in samples), 1)
        R = max(len(s.pairs) for s in samples)
        n_rel = len(model.config.relation_labels)
        ents = torch.tensor(_pad([list(s.entities) for s in samples], E, (0, 1, 0)), dtype=torch.long, device=device)
        e_valid = torch.tensor(_pad([[True] * len(s.entities) for s in samples], E, False), device=device)
        pairs = torch.tensor(_pad([list(s.pairs) for s in samples], R, (0, 0)), dtype=torch.long, device=device)
        p_valid = torch.tensor(_pad([[True] * len(s.pairs) for s in samples], R, False), device=device)
        rt = torch.tensor(_pad([s.rel_targets for s in samples], R, [0.0] * n_rel), device=device)
        rw = torch.tensor(_pad([s.rel_weights for s in samples], R, [0.0] * n_rel), device=device)
        rlog = model.relation_logits(words, ents[..., 0], ents[..., 1], ents[..., 2], e_valid, pairs, p_valid).float()
        bce = F.binary_cross_entropy_with_logits(rlog, rt, reduction="none") * rw
        rel_loss = (bce.sum(-1) * p_valid).sum() / p_valid.sum().clamp(min=1)
    loss = ent_loss + rel_loss
    return loss, {"entity_loss": float(ent_loss.detach()), "relation_loss": float(rel_loss.detach())}


def length_batches(lengths: Sequence[int], batch_size: int, rng: random.Random, bucket: int = 50) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort inside chunks of ``bucket`` batches,
    cut, and shuffle the batch order."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    out = []
    chunk = batch_size * bucket
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: lengths[i])
        out += [part[b:b + batch_size] for b in range(0, len(part), batch_size)]
    rng.shuffle(out)
    return out


# =========================================================================== training


def _device(cfg: TrainConfig) -> torch.device:
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise EncoderError("device cuda: torch sees no CUDA device here (use auto or cpu)", code="KGA340")
    if cfg.device == "cuda" or (cfg.device == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


def _selection_score(metrics: dict[str, Any], select_on: str, has_relations: bool) -> float:
    if select_on == "entity" or not has_relations:
        return metrics["entity"]["f1"]
    if select_on == "relation":
        return metrics["relation_strict"]["f1"]
    return (metrics["entity"]["f1"] + metrics["relation_strict"]["f1"]) / 2


def check_model_labels(examples: Sequence[Example], entity_labels: Sequence[str], relation_labels: Sequence[str],
                       model: str | Path) -> None:
    """EncoderError KGA330 for the first example with a label ``model`` (a saved model being
    fine-tuned, whose labels are ``entity_labels`` / ``relation_labels``) does not have: located
    at the example's ``meta["source_file"]`` ("file:line"), naming the label, a close label of
    the model's ("did you mean ...?") and all of them. Cheap: callers run it before loading
    anything (``kgagent train --feedback`` before the model and the dev scores)."""
    import difflib

    known = (list(entity_labels), list(relation_labels))
    for i, ex in enumerate(examples):  # the first example with a label the model lacks, by file and line
        ents, rels = labels_of([ex])
        unknown = [(x, known[0]) for x in sorted(set(ents) - set(known[0]))] + \
            [(x, known[1]) for x in sorted(set(rels) - set(known[1]))]
        if not unknown:
            continue
        where = str(ex.meta.get("source_file") or f"training example {i}") if isinstance(ex.meta, dict) \
            else f"training example {i}"
        hints = []
        for label, same_kind in unknown:
            folded = {x.casefold(): x for x in same_kind}
            close = [folded[c] for c in difflib.get_close_matches(label.casefold(), list(folded), n=1, cutoff=0.6)]
            if close:
                hints.append(f"{label!r}: did you mean {close[0]!r}?")
        hint = f" ({'; '.join(hints)})" if hints else ""
        raise EncoderError(f"label(s) {', '.join(repr(x) for x, _ in unknown)} are not the model's own{hint}; "
                           f"{model} knows {', '.join([*known[0], *known[1]])}; fine-tuning data must use the "
                           "model's labels", code="KGA330", location=Location.parse(where))


def _new_encoder(cfg: TrainConfig, train_examples: Sequence[Example]) -> Encoder:
    if cfg.init:
        enc = Encoder.from_pretrained(cfg.init, merge=False, precision="float32")
        check_model_labels(train_examples, enc.entity_labels, enc.relation_labels, cfg.init)
        enc.config.dropout = cfg.dropout
        return enc
    ents, rels = labels_of(train_examples)
    if not ents:
        files = {str(ex.meta.get("source_file", "")).rpartition(":")[0] for ex in train_examples
                 if isinstance(ex.meta, dict)}
        where = Location(files.pop()) if len(files) == 1 and "" not in files else None
        raise EncoderError("the training data has no entities", code="KGA331", location=where)
    base = cfg.base or PACKAGE_BASE
    base_dir = resolve_base(base)
    mcfg = ModelConfig(base=str(base) if cfg.base else PACKAGE_BASE, entity_labels=ents, relation_labels=rels,
                       lora=cfg.lora, lora_r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                       case_features=cfg.case_features, max_width=cfg.max_width, dropout=cfg.dropout,
                       frozen_word_embeddings=not cfg.lora and not cfg.train_word_embeddings)
    if cfg.base and not cfg.lora:
        mcfg.base = str(Path(cfg.base).resolve())
    elif cfg.base:
        mcfg.base = str(Path(cfg.base).resolve())
    torch.manual_seed(cfg.seed)
    model, tok = build_model(mcfg, base_dir)
    positions = getattr(getattr(model.encoder, "config", None), "max_position_embeddings", 512) or 512
    mcfg.max_length = min(mcfg.max_length, int(positions))
    return Encoder(model, tok, mcfg)


def _param_groups(model: SpanModel, cfg: TrainConfig) -> list[dict[str, Any]]:
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        is_enc = name.startswith("encoder.")
        no_decay = p.ndim < 2 or "LayerNorm" in name or "norm" in name.lower()
        groups.setdefault((is_enc, no_decay), []).append(p)
    return [{"params": ps, "lr": cfg.lr if enc else cfg.head_lr, "weight_decay": 0.0 if nd else cfg.weight_decay}
            for (enc, nd), ps in sorted(groups.items())]


def train(config: TrainConfig, train: list[Example], dev: list[Example] | None,
          out_dir: Path | None = None, progress: Progress | None = None,
          resume: bool = False, *, overwrite: bool = False) -> tuple[Encoder, dict[str, Any]]:
    """Train (or continue training) a model; returns the best encoder (on dev) and a report.

    With ``out_dir``: checkpoints go to ``out_dir/checkpoint`` after every epoch and the final,
    calibrated model to ``out_dir``, never half written (see :func:`install_model`). An
    ``out_dir`` that already holds a model is replaced only with ``overwrite`` (or ``resume``,
    which continues the run that wrote it from ``out_dir/checkpoint``).
    ``progress`` receives dicts: ``{"event": "step"|"epoch"|"done", ...}``.
    Raises EncoderError KGA340 for settings out of range (no epochs, an empty batch, an unknown
    device, an ``overwrite`` that is not True/False), KGA310 for an example whose ``meta["weight"]``
    is no finite number above 0 (named by its ``meta["source_file"]``), KGA350 for an ``out_dir``
    that holds a model and KGA351 for one that holds an interrupted training's checkpoint (both
    without ``overwrite`` or ``resume``), StorageError KGA510 when ``out_dir`` cannot be a
    directory: before any training. EncoderError KGA333 when the loss stops being a finite
    number (the model is not saved). A checkpoint is written whole beside the last one, then
    swapped in (see :func:`recover_checkpoint`): a run killed at any point leaves one to resume.
    """
    check_settings(config)
    check_example_weights(train)
    if not isinstance(overwrite, bool):  # "no" is true: it would replace the model
        raise EncoderError(f"overwrite must be True or False, not {overwrite!r}", code="KGA340")
    if out_dir is not None:
        check_out_dir(out_dir, base=config.base)
        if not overwrite and not resume:
            check_no_model(out_dir)
            check_no_checkpoint(out_dir)
    # for this call only: the caller's random state (training seeds torch's generators) and
    # thread count come back after
    cuda = list(range(torch.cuda.device_count())) if config.device != "cpu" and torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=cuda):
        if not config.num_threads:
            return _train(config, train, dev, out_dir, progress, resume)
        previous = torch.get_num_threads()
        torch.set_num_threads(config.num_threads)
        try:
            return _train(config, train, dev, out_dir, progress, resume)
        finally:
            torch.set_num_threads(previous)


def check_example_weights(examples: Sequence[Example]) -> None:
    """EncoderError KGA310 for the first example whose ``meta["weight"]`` is no finite number above
    0 (it multiplies the example's loss: NaN, infinity or a negative would ruin the model). The
    readers bound it to (0, 10]; a caller may scale it further (``--feedback-weight``)."""
    for i, ex in enumerate(examples):
        meta = ex.meta if isinstance(ex.meta, dict) else {}
        if "weight" in meta and (problem := example_weight_problem(meta["weight"], maximum=None)):
            where = str(meta.get("source_file") or f"training example {i}")
            raise EncoderError(problem, code="KGA310", location=Location.parse(where))


#: the largest seed: torch seeds each epoch with ``seed * 1000 + epoch``, which must fit its 64 bits
MAX_SEED = 2**32 - 1


def max_threads() -> int:
    """The most CPU threads a run may ask for: the cores of this machine (torch starts every thread
    asked for at once; 100,000 of them exhaust the process)."""
    import os

    return max(1, os.cpu_count() or 1)


def threads_problem(value: Any) -> str | None:
    """Why ``value`` is no CPU thread count (None when it is one): a whole number from 0 (all
    cores) to :func:`max_threads`."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= max_threads()):
        return None
    return f"threads must be a whole number from 0 (all cores) to {max_threads()} (the cores here), not {value!r}"


def _whole(value: Any, low: int, high: int | None = None) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= low
            and (high is None or value <= high))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_settings(config: TrainConfig) -> None:
    """EncoderError KGA340 for training settings no training can run with (or that would train
    nothing, or ruin the weights): before anything is read or built."""
    def bad(message: str) -> EncoderError:
        return EncoderError(message, code="KGA340")

    for name in ("epochs", "batch_size", "patience"):
        value = getattr(config, name)
        if not _whole(value, 1):
            raise bad(f"{name} must be a whole number of at least 1, not {value!r}")
    if (problem := threads_problem(config.num_threads)) is not None:
        raise bad(problem)
    if config.device not in DEVICES:
        raise bad(f"device must be one of {', '.join(DEVICES)}, not {config.device!r}")
    for name in ("lr", "head_lr"):
        value = getattr(config, name)
        if not _number(value) or value < 0:
            raise bad(f"{name} (learning rate) must be a finite number of at least 0, not {value!r}")
    if config.lr == 0 and config.head_lr == 0:
        raise bad("lr and head_lr are both 0: nothing would be trained")
    if not _whole(config.seed, 0, MAX_SEED):
        raise bad(f"seed must be a whole number from 0 to {MAX_SEED}, not {config.seed!r}")
    if config.max_minutes is not None and (not _number(config.max_minutes) or config.max_minutes <= 0):
        raise bad(f"max_minutes must be a finite number above 0 (or None: no limit), not {config.max_minutes!r}")
    if not _whole(config.select_sample, 0):
        raise bad(f"select_sample must be a whole number of at least 0 (0 = all), not {config.select_sample!r}")


def check_out_dir(out_dir: str | Path, base: str | Path | None = None) -> None:
    """StorageError KGA510 when the model directory ``out_dir`` (or a folder above it) exists as a
    file, or is the directory of the ``base`` model it is trained from (its config.json would be
    overwritten: base and model both lost)."""
    out = Path(out_dir)
    if base is not None and Path(base).resolve() == out.resolve():
        raise StorageError("the model directory is the --base model's own: saving would overwrite the base it is "
                           "built on (its config.json); choose another --out", code="KGA510",
                           location=Location(str(out)))
    if (path := file_in_the_way(out, directory=True)) is not None:
        what = "is a file, not a directory" if path == out else f"cannot be made under {path}, a file"
        raise StorageError(f"the model directory {what}: choose another --out", code="KGA510",
                           location=Location(str(out)))


def check_no_model(out_dir: str | Path) -> None:
    """EncoderError KGA350 when the model directory ``out_dir`` already holds a model (its
    config.json): training into it would replace that model (``train(..., overwrite=True)``,
    ``kgagent train --overwrite``, replaces it on purpose)."""
    out = Path(out_dir)
    if (out / CONFIG_FILE).is_file():
        raise EncoderError(f"{out} already holds a model ({CONFIG_FILE}): training would replace it; give "
                           "--overwrite to replace it, or another --out", code="KGA350",
                           location=Location(str(out)))


#: the folder of a model directory that holds the checkpoint of its training (resumable)
CHECKPOINT_DIR = "checkpoint"
#: the file a checkpoint written to the end holds (its trainer_state.json comes last)
_CKPT_MARKER = "trainer_state.json"


def check_no_checkpoint(out_dir: str | Path, resumable: bool = True) -> None:
    """EncoderError KGA351 when ``out_dir`` holds the checkpoint of an interrupted training (its
    ``checkpoint/``, or the one a checkpoint save cut short set aside): training anew would
    overwrite it (``--resume`` continues it; ``train(..., overwrite=True)``, ``kgagent train
    --overwrite``, starts over on purpose). ``resumable=False``: for a training that cannot
    resume it (``kgagent train --feedback`` refuses ``--resume``, KGA340), the message offers
    only ``--overwrite`` or another ``--out``."""
    out = Path(out_dir)
    ckpt = out / CHECKPOINT_DIR
    # (or what a save cut short left: the old one set aside, a new one written whole)
    if ckpt.exists() or swap_parts(ckpt)[1] or swap_leftover(ckpt, _CKPT_MARKER) is not None:
        advice = ("resume it with --resume, or pass --overwrite to start over" if resumable else
                  "fine-tuning on --feedback cannot resume it: pass --overwrite to start over, or give another --out")
        raise EncoderError(f"{out} holds the checkpoint of an interrupted training ({ckpt}): training anew would "
                           f"overwrite it; {advice}", code="KGA351", location=Location(str(ckpt)))


def recover_checkpoint(out_dir: str | Path) -> Path:
    """``out_dir/checkpoint`` after what a checkpoint save cut short left: a save writes the new
    checkpoint whole into ``checkpoint.tmp-*``, renames the old one to ``checkpoint.old-*``, the
    new one to ``checkpoint`` and removes the old one (kgagent.files.swapping_in). Killed between
    those two renames (or before the first save's one rename), there is no ``checkpoint``: the
    new one (whole) is put in its place (or, were it not whole, the old one). The leftovers of a
    save (a half-written new one, a set-aside old one) are removed (kgagent.files.recover_swap)."""
    return recover_swap(Path(out_dir) / CHECKPOINT_DIR, marker=_CKPT_MARKER)


def _copy_folder(src: Path, dst: Path) -> None:
    """``src`` copied to ``dst``, its files hard-linked where the file system allows (a
    checkpoint's files are never written again in place)."""
    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link)


#: the training's report beside the model it trained
REPORT_FILE = "train_report.json"
#: the parts of a saved model (Encoder.save_pretrained, and the training's report) that a new
#: model replaces together; config.json, what makes a folder a model, comes last
MODEL_PARTS = (WEIGHTS_FILE, ENCODER_FILE, FULL_ENCODER_DIR, REPORT_FILE, CONFIG_FILE)
#: the folder inside a model directory where a new model is written whole before it is moved in
_NEW_MODEL = ".model-new-"


def install_model(encoder: Encoder, report: dict[str, Any], out_dir: str | Path) -> None:
    """Save ``encoder`` (and its training ``report``) as the model of ``out_dir``, never leaving
    a half-written one there: the model is written whole into a hidden folder of ``out_dir``
    first (a failure there leaves ``out_dir`` as it was), then its parts are moved in by renames:
    the old config.json is taken out first and the new one put in last, and the parts of an
    earlier model the new one lacks (a full fine-tuning's encoder under a LoRA model) are removed.
    So ``out_dir`` holds the old model, the new one, or, if the moves themselves are cut short,
    none (KGA304 on loading), never one model's config with another's weights. Anything else in
    ``out_dir`` (``checkpoint/``, a model card) stays."""
    import os
    import shutil

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(_NEW_MODEL + "*"):  # what a killed run left
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out / f"{_NEW_MODEL}{os.getpid()}"
    try:
        encoder.save_pretrained(tmp)
        atomic_write_text(tmp / REPORT_FILE, json.dumps(report, indent=2, default=str))
        (out / CONFIG_FILE).unlink(missing_ok=True)  # from here `out` holds no model until the new config is in
        for name in MODEL_PARTS:
            new, old = tmp / name, out / name
            if old.is_dir() and not old.is_symlink():  # a folder is not replaced by a rename: moved aside first
                os.replace(old, tmp / f".old-{name}")
            elif old.exists() or old.is_symlink():
                old.unlink()
            if new.exists():
                os.replace(new, old)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    encoder.path = str(out)


def _train(config: TrainConfig, train: list[Example], dev: list[Example] | None, out_dir: Path | None,
           progress: Progress | None, resume: bool) -> tuple[Encoder, dict[str, Any]]:
    cfg = config
    emit = progress or (lambda _e: None)
    device = _device(cfg)
    train = [ex for ex in train if ex.tokens]
    if not train:
        raise EncoderError("no training examples (all empty)", code="KGA331")
    t0 = time.time()
    ckpt = recover_checkpoint(out_dir) if out_dir is not None else None
    saved = False  # whether this run has saved a checkpoint yet
    state: dict[str, Any] = {"epoch": 0, "step": 0, "best": -1.0, "best_epoch": 0, "history": [], "seconds": 0.0}
    if resume:
        if ckpt is None or not (ckpt / "trainer_state.json").is_file():
            raise EncoderError(f"nothing to resume in {ckpt}", code="KGA332")
        state = _read_trainer_state(ckpt)
        saved = state["config"]
        cfg = TrainConfig(**{**cfg.to_dict(), **saved, "epochs": cfg.epochs,
                             "max_minutes": cfg.max_minutes if cfg.max_minutes is not None else saved.get("max_minutes")})
        cfg = dataclasses.replace(cfg, init=str(ckpt / "last"))
        try:  # the checkpoint's own settings (a hand-edited file): as if they were given
            check_settings(cfg)
        except EncoderError as err:
            raise EncoderError(f"cannot resume from this checkpoint: its settings: {err.message}", code="KGA332",
                               location=Location(str(ckpt / "trainer_state.json"))) from None
    encoder = _new_encoder(cfg, train)
    model, mcfg = encoder.model, encoder.config
    model.to(device)
    ent_index = {t: i for i, t in enumerate(mcfg.entity_labels)}
    rel_index = {t: i for i, t in enumerate(mcfg.relation_labels)}
    train = [ex for ex in train if all(e.type in ent_index for e in ex.entities)]
    # a sentence longer than the encoder's window is trained on window by window, as it is predicted
    # (its first window alone silently lost every label past it)
    examples = len(train)
    train = [part for ex in train for part in window_examples(ex, encoder.pieces.windows(ex.tokens))]
    encoded = [encoder.pieces.encode(ex.tokens) for ex in train]
    lengths = [len(e.input_ids) for e in encoded]
    batch_size = cfg.batch_size
    plan = _EpochPlan(train, cfg.mix)
    steps_per_epoch = math.ceil(plan.size / batch_size)
    total = steps_per_epoch * cfg.epochs
    optim = torch.optim.AdamW(_param_groups(model, cfg), lr=cfg.lr)
    warm = max(1, int(cfg.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm)) if s >= warm
        else (s + 1) / warm)
    if resume:
        _load_optimizer(optim, ckpt / "optimizer.safetensors")
        with warnings.catch_warnings():  # fast-forwarding the schedule, not skipping a step
            warnings.simplefilter("ignore", UserWarning)
            for _ in range(state["step"]):
                sched.step()
    best_state = None
    if resume and mcfg.lora and (ckpt / "best" / "heads.safetensors").is_file():
        best_state = load_file(str(ckpt / "best" / "heads.safetensors"))
    use_amp = device.type == "cuda"
    bad_epochs = 0 if not state["history"] else state.get("bad_epochs", 0)
    spent = state["seconds"]
    stopped = ""
    for epoch in range(state["epoch"] + 1, cfg.epochs + 1):
        e0 = time.time()
        rng = random.Random(cfg.seed * 1000 + epoch)
        torch.manual_seed(cfg.seed * 1000 + epoch)
        model.train()
        losses = []
        chosen = plan.indexes(rng)
        for bi, idx in enumerate(length_batches([lengths[i] for i in chosen], batch_size, rng)):
            samples = [make_sample(encoded[chosen[i]], train[chosen[i]], ent_index, rel_index, cfg, rng) for i in idx]
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_amp):
                loss, parts = batch_loss(model, samples, encoder.pieces.pad_id, device)
            optim.zero_grad(set_to_none=True)
            loss.backward()
            value = float(loss.detach())  # before the step: a NaN never reaches the weights
            if not math.isfinite(value):
                raise EncoderError(f"the training loss became {value} at epoch {epoch}, batch {bi + 1}; the "
                                   "model is not saved (lower the learning rate, or check the examples' weights)",
                                   code="KGA333")
            torch.nn.utils.clip_grad_norm_([p for g in optim.param_groups for p in g["params"]], cfg.max_grad_norm)
            optim.step()
            sched.step()
            state["step"] += 1
            losses.append(value)
            emit({"event": "step", "epoch": epoch, "epochs": cfg.epochs, "batch": bi + 1,
                  "batches": steps_per_epoch, "loss": losses[-1], **parts})
        if not all(bool(torch.isfinite(p).all()) for p in model.parameters() if p.requires_grad):
            # a step too large (say, --lr 1e300) leaves no NaN loss behind when it is the last one
            raise EncoderError(f"the model's weights stopped being finite numbers at epoch {epoch}; the model is "
                               "not saved (lower the learning rate)", code="KGA333")
        entry: dict[str, Any] = {"epoch": epoch, "loss": sum(losses) / max(len(losses), 1),
                                 "train_seconds": time.time() - e0}
        improved = True
        if dev:
            metrics, score, by_source = _dev_scores(encoder, dev, cfg, sample=cfg.select_sample)
            entry.update(dev_entity_f1=metrics["entity"]["f1"], dev_relation_f1=metrics["relation_strict"]["f1"],
                         dev_score=score)
            if len(by_source) > 1:
                entry["dev_by_source"] = by_source
            improved = score > state["best"]
            if improved:
                state["best"], state["best_epoch"] = score, epoch
                best_state = {k: v.detach().clone() for k, v in _saved_keys(model).items()} if mcfg.lora else \
                    {k: v.detach().clone() for k, v in model.state_dict().items()}
                bad_epochs = 0
            else:
                bad_epochs += 1
        spent += time.time() - e0
        entry["seconds"] = spent
        state["history"].append(entry)
        state["epoch"] = epoch
        state["seconds"] = spent
        state["bad_epochs"] = bad_epochs
        if ckpt is not None:
            # an earlier checkpoint's best weights come along when this epoch did not improve:
            # those of this run (or the run it resumes), never of a run --overwrite started over
            _save_checkpoint(encoder, optim, state, cfg, ckpt, improved and bool(dev), keep_best=resume or saved)
            saved = True
        emit({"event": "epoch", **entry, "best_epoch": state["best_epoch"]})
        if dev and bad_epochs >= cfg.patience:
            stopped = f"early stop: dev score did not improve for {cfg.patience} epochs"
            break
        if cfg.max_minutes is not None and spent / 60 > cfg.max_minutes:
            stopped = f"time budget of {cfg.max_minutes} minutes reached"
            break
    if dev and best_state is not None:
        model.load_state_dict(best_state, strict=False)
    elif dev and ckpt is not None and (ckpt / "best").is_dir():
        encoder = Encoder.from_pretrained(ckpt / "best", merge=False, precision="float32")
        model = encoder.model.to(device)
    report: dict[str, Any] = {"config": cfg.to_dict(), "history": state["history"], "best_epoch": state["best_epoch"],
                              "train_seconds": spent, "stopped": stopped or "all epochs run",
                              "examples": examples}
    if len(train) != examples:
        report["windows"] = len(train)  # long sentences, cut to the encoder's window
    too_wide = sum(1 for ex in train for e in ex.entities if e.end - e.start > cfg.max_width)
    if too_wide:  # no span that wide is a candidate: said, not dropped without a word
        report["too_wide"] = too_wide
    model.eval()
    round_compact_encoder_(model)  # what is saved (float16) is what is calibrated and scored
    if dev and cfg.calibrate:
        primary = _primary_dev(dev)
        report["calibration"] = calibrate(encoder, primary, unscored=_unscored(primary, encoder))
    if dev:
        report["dev"], _, by_source = _dev_scores(encoder, dev, cfg)
        if len(by_source) > 1:
            report["dev_by_source"] = by_source
    report["wall_seconds"] = time.time() - t0
    mcfg.info = {"trained_on": examples, "best_epoch": state["best_epoch"], "train_seconds": round(spent, 1),
                 "calibration": report.get("calibration", {}),
                 "dev_entity_f1": report.get("dev", {}).get("entity", {}).get("f1"),
                 "dev_relation_f1": report.get("dev", {}).get("relation_strict", {}).get("f1")}
    if out_dir is not None:
        install_model(encoder, report, out_dir)
    emit({"event": "done", **{k: v for k, v in report.items() if k != "history"}})
    return encoder, report


def window_examples(ex: Example, windows: Sequence[tuple[int, int]]) -> list[Example]:
    """``ex`` cut at the word ranges ``windows`` (:meth:`Pieces.windows`): each part keeps the
    entities wholly inside its range (offsets shifted) and the relations and negatives between
    them; a part without tokens is left out. One window covering ``ex`` returns ``[ex]``."""
    if len(windows) <= 1:
        return [ex]
    parts = []
    for start, end in windows:
        if end <= start:
            continue
        inside = {i: j for j, i in enumerate(i for i, e in enumerate(ex.entities) if start <= e.start and e.end <= end)}

        def spans(items: Sequence[Any]) -> list[Any]:
            return [dataclasses.replace(e, start=e.start - start, end=e.end - start) for e in items
                    if start <= e.start and e.end <= end]

        def pairs(items: Sequence[Any]) -> list[Any]:
            return [dataclasses.replace(r, head=inside[r.head], tail=inside[r.tail]) for r in items
                    if r.head in inside and r.tail in inside]

        parts.append(Example(list(ex.tokens[start:end]), spans(ex.entities), pairs(ex.relations),
                             spans(ex.negative_entities), pairs(ex.negative_relations),
                             {**ex.meta, "window": [start, end]}))
    return parts


class _EpochPlan:
    """Which examples an epoch sees: every source (``meta["dataset"]``) ``mix[source]`` times,
    a fraction sampled afresh each epoch (seeded); sources absent from ``mix`` once."""

    def __init__(self, examples: Sequence[Example], mix: dict[str, float]):
        self.groups = _source_indexes(examples)
        self.mix = {g: float(mix.get(g, 1.0)) for g in self.groups}
        self.size = sum(int(r) * len(self.groups[g]) + self._part(r, len(self.groups[g]))
                        for g, r in self.mix.items())

    @staticmethod
    def _part(r: float, n: int) -> int:
        """How many examples the fraction of a repeat samples: at least one (a source whose
        ``repeat`` rounds to no sentence would silently teach nothing, every epoch)."""
        frac = r - int(r)
        return 0 if frac <= 0 or n == 0 else min(n, max(1, round(frac * n)))

    def indexes(self, rng: random.Random) -> list[int]:
        """Example indexes of one epoch (repeats included; ``size`` of them)."""
        if all(r == 1.0 for r in self.mix.values()):
            return [i for g in self.groups.values() for i in g]
        out: list[int] = []
        for g, idx in self.groups.items():
            r = self.mix[g]
            out += idx * int(r)
            out += rng.sample(idx, self._part(r, len(idx)))
        return sorted(out)


def _source_indexes(examples: Sequence[Example]) -> dict[str, list[int]]:
    """The indexes of the examples of each source (``meta["dataset"]``), in order."""
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(str(ex.meta.get("dataset", "")), []).append(i)
    return groups


def _by_source(dev: Sequence[Example]) -> dict[str, list[Example]]:
    return {name: [dev[i] for i in idx] for name, idx in _source_indexes(dev).items()}


def _primary_dev(dev: Sequence[Example]) -> list[Example]:
    """The dev split calibration is fitted on: the first source's that annotates relations (the
    relation threshold needs them), else the first source's."""
    groups = _by_source(dev)
    with_rel = [g for g in groups.values() if any(ex.relations for ex in g)]
    return (with_rel or list(groups.values()))[0]


def _unscored(gold: Sequence[Example], encoder: Encoder) -> frozenset[str]:
    """The model's entity classes that ``gold``'s data set never marks (by its scheme,
    ``meta["annotates"]``: kgagent.encoder.sources); none for data without a scheme."""
    scheme = gold[0].meta.get("annotates") if gold else None
    if not scheme:
        return frozenset()
    return frozenset(set(encoder.config.entity_labels) - set(scheme.get("entities", ())))


def _dev_scores(encoder: Encoder, dev: Sequence[Example], cfg: TrainConfig, sample: int = 0
                ) -> tuple[dict[str, Any], float, dict[str, dict[str, float]]]:
    """Dev metrics over all sources, the selection score (the mean of each source's own) and each
    source's entity / relation F1; every source is scored through its own scheme. ``sample``:
    at most this many sentences of each source (seeded: the same ones every epoch)."""
    groups = _by_source(dev)
    results, scores, by_source = [], [], {}
    for name, gold in groups.items():
        if 0 < sample < len(gold):
            keep = sorted(random.Random(cfg.seed).sample(range(len(gold)), sample))
            gold = [gold[i] for i in keep]
        pred = encoder.predict_examples(gold, batch_size=64)
        has_rel = any(ex.relations for ex in gold)
        if not has_rel:  # a source without relations cannot score the model's relations
            pred = [dataclasses.replace(p, relations=[]) for p in pred]
        m = evaluate(gold, pred, unscored=_unscored(gold, encoder))
        results.append(m)
        scores.append(_selection_score(m, cfg.select_on, has_rel))
        by_source[name] = {"entity_f1": m["entity"]["f1"], "relation_f1": m["relation_strict"]["f1"]}
    return merge(results), sum(scores) / len(scores), by_source


def _save_checkpoint(encoder: Encoder, optim: torch.optim.Optimizer, state: dict[str, Any], cfg: TrainConfig,
                     ckpt: Path, improved: bool, keep_best: bool = True) -> None:
    """Save the checkpoint ``ckpt`` whole beside the last one (``checkpoint.tmp-<pid>``: the
    weights, the best epoch's (new when ``improved``, else the last checkpoint's with
    ``keep_best``), the optimizer, trainer_state.json last), then swap it in by renames: a save
    cut short at any point leaves the last checkpoint or this one (:func:`recover_checkpoint`)."""
    with swapping_in(ckpt) as new:  # a kill between its renames: see recover_checkpoint
        encoder.save_pretrained(new / "last", encoder_dtype=torch.float32)  # exact resume
        encoder.path = None
        if improved:
            encoder.save_pretrained(new / "best", encoder_dtype=torch.float32)
            encoder.path = None
        elif keep_best and (ckpt / "best").is_dir():
            _copy_folder(ckpt / "best", new / "best")
        tensors = {}
        for i, st in optim.state_dict()["state"].items():
            for k, v in st.items():
                tensors[f"{i}.{k}"] = (v if torch.is_tensor(v) else torch.tensor(v)).detach().cpu().contiguous()
        atomic_write_with(new / "optimizer.safetensors", lambda tmp: save_file(tensors, tmp))
        state = {**state, "config": cfg.to_dict()}
        atomic_write_text(new / _CKPT_MARKER, json.dumps(state, indent=1, default=str))


#: what a checkpoint's trainer_state.json holds (and of which kind), as _save_checkpoint writes it
_STATE_KEYS: dict[str, Any] = {"epoch": int, "step": int, "best": (int, float), "best_epoch": int, "history": list,
                               "seconds": (int, float), "config": dict}


def _read_trainer_state(ckpt: Path) -> dict[str, Any]:
    """The counters of a checkpoint; EncoderError KGA332 naming the file when it is not what
    ``_save_checkpoint`` wrote (not JSON, a key missing or of another kind, settings of another
    version): resuming from it would fail halfway or continue from nonsense."""
    path = ckpt / "trainer_state.json"

    def bad(why: str) -> EncoderError:
        return EncoderError(f"cannot resume from this checkpoint: {why} (train again without --resume)",
                            code="KGA332", location=Location(str(path)))

    try:
        state = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise bad(f"not JSON ({err})") from None
    if not isinstance(state, dict):
        raise bad("not a JSON object")
    for key, kind in _STATE_KEYS.items():
        if key not in state:
            raise bad(f"no {key!r}")
        if isinstance(state[key], bool) or not isinstance(state[key], kind):
            raise bad(f"{key!r} is {state[key]!r}")
    unknown = sorted(set(state["config"]) - {f.name for f in dataclasses.fields(TrainConfig)})
    if unknown:
        raise bad(f"settings this version does not have: {', '.join(unknown)}")
    for name in ("optimizer.safetensors",):
        if not (ckpt / name).is_file():
            raise bad(f"{ckpt / name} is missing")
    return state


def _load_optimizer(optim: torch.optim.Optimizer, path: Path) -> None:
    try:  # safetensors raises its own error kinds for a truncated file; a foreign one has other keys
        tensors = load_file(str(path))
        sd = optim.state_dict()
        new_state: dict[int, dict[str, Any]] = {}
        for key, v in tensors.items():
            i, name = key.split(".", 1)
            new_state.setdefault(int(i), {})[name] = v
        sd["state"] = new_state
        optim.load_state_dict(sd)
    except Exception as err:
        raise EncoderError(f"cannot resume from this checkpoint: the optimizer state cannot be read ({err})",
                           code="KGA332", location=Location(str(path))) from None


# =========================================================================== calibration


def _fit_temperature(nll: Callable[[float], float]) -> float:
    """The temperature in [0.2, 5] minimising ``nll`` (grid in log space, then refined)."""
    grid = [math.exp(x / 20) for x in range(-32, 33)]
    best = min(grid, key=nll)
    lo, hi = best / math.exp(0.05), best * math.exp(0.05)
    fine = [lo + (hi - lo) * i / 20 for i in range(21)]
    return min(fine, key=nll)


@torch.inference_mode()
def calibrate(encoder: Encoder, dev: Sequence[Example], batch_size: int = 64,
              unscored: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Fit entity and relation temperatures and the relation threshold on ``dev``; report ECE.

    ``unscored``: entity classes ``dev`` never marks (a model of several data sets: see
    kgagent.evaluate.unmarked), left out of the entity ECE.

    Entity temperature: NLL of every candidate span's gold class (none or a type).
    Relation temperature: NLL of every (pair of decoded entities, type): true iff the relation
    is right in the strict sense. The relation threshold maximises dev relation strict F1.
    """
    model, mcfg = encoder.model, encoder.config
    model.eval()

    def predict(examples: Sequence[Example]) -> list[Example]:
        return encoder.predict_examples(examples, batch_size)

    device = next(model.parameters()).device
    ent_index = {t: i for i, t in enumerate(mcfg.entity_labels)}
    all_logits, all_targets = [], []
    for b in range(0, len(dev), batch_size):
        part = [ex for ex in dev[b:b + batch_size] if ex.tokens]
        if not part:
            continue
        enc = [encoder.pieces.encode(ex.tokens[: encoder.pieces.windows(ex.tokens)[0][1]]) for ex in part]
        batch = collate(enc, encoder.pieces.pad_id).to(device)
        words, cls = model.words(batch)
        logits, start, end, valid = model.all_span_logits(words, cls, batch.n_words)
        target = torch.zeros(start.shape, dtype=torch.long)
        for i, ex in enumerate(part):
            pos = {(e.start, e.end): ent_index.get(e.type, -1) + 1 for e in ex.entities}
            for j, (s, e) in enumerate(zip(start[i].tolist(), end[i].tolist())):
                if (s, e) in pos:
                    target[i, j] = pos[(s, e)]
        all_logits.append(logits.float().cpu()[valid.cpu()])
        all_targets.append(target[valid.cpu()])
    result: dict[str, Any] = {}
    old = (mcfg.entity_temperature, mcfg.relation_temperature, mcfg.relation_threshold)
    before = decision_calibration(dev, predict(dev), unscored=unscored)
    result["ece_before"] = before
    if all_logits:
        lg, tg = torch.cat(all_logits), torch.cat(all_targets)
        fitted = _fit_temperature(lambda t: float(F.cross_entropy(lg / t, tg)))
        # the temperature that fits all candidate spans best need not make the DECODED entities'
        # scores (what the rules compare with thresholds) better calibrated: keep it only if it does
        mcfg.entity_temperature = fitted
        after_ece = decision_calibration(dev, predict(dev), unscored=unscored)["entity_ece"]
        result["entity_temperature_fitted"] = fitted
        if after_ece > before["entity_ece"]:
            mcfg.entity_temperature = old[0]
    # relations: decoded entities, every pair and type (threshold 0), uncalibrated probabilities
    if mcfg.relation_labels:
        mcfg.relation_temperature, mcfg.relation_threshold = 1.0, 0.0
        preds = predict(dev)
        logit, target = [], []
        strict_gold = []
        for g, p in zip(dev, preds):
            ge = [(e.start, e.end, e.type) for e in g.entities]
            gs = {(r.type, ge[r.head], ge[r.tail]) for r in g.relations}
            strict_gold.append(gs)
            pe = [(e.start, e.end, e.type) for e in p.entities]
            for r in p.relations:
                q = min(max(r.weight, 1e-7), 1 - 1e-7)
                logit.append(math.log(q / (1 - q)))
                target.append(1.0 if (r.type, pe[r.head], pe[r.tail]) in gs else 0.0)
        if logit:
            lt, tt = torch.tensor(logit), torch.tensor(target)
            mcfg.relation_temperature = _fit_temperature(
                lambda t: float(F.binary_cross_entropy_with_logits(lt / t, tt)))
        # threshold on calibrated probabilities, chosen on dev relation strict F1
        best_thr, best_f1 = 0.5, -1.0
        for thr in [x / 100 for x in range(20, 81, 5)]:
            correct = pred_n = 0
            for gs, p in zip(strict_gold, preds):
                pe = [(e.start, e.end, e.type) for e in p.entities]
                for r in p.relations:
                    q = min(max(r.weight, 1e-7), 1 - 1e-7)
                    cal = 1 / (1 + math.exp(-math.log(q / (1 - q)) / mcfg.relation_temperature))
                    if cal >= thr:
                        pred_n += 1
                        correct += (r.type, pe[r.head], pe[r.tail]) in gs
            gold_n = sum(len(gs) for gs in strict_gold)
            f1 = 2 * correct / (pred_n + gold_n) if pred_n + gold_n else 0.0
            if f1 > best_f1 + 1e-9:
                best_thr, best_f1 = thr, f1
        mcfg.relation_threshold = best_thr
    result["entity_temperature"] = mcfg.entity_temperature
    result["relation_temperature"] = mcfg.relation_temperature
    result["relation_threshold"] = mcfg.relation_threshold
    result["previous"] = list(old)
    result["ece_after"] = decision_calibration(dev, predict(dev), unscored=unscored)
    return result
