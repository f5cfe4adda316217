"""The self-training loop: validated outcomes become training data for the next encoder.

One round: label the unlabelled texts with the current best encoder, turn the outcomes into
training examples, retrain on gold + those examples, evaluate on dev. Round 0 trains on the
gold examples alone. The loop stops early once dev F1 has not risen for ``patience`` rounds and
keeps the best round's model.

Two ways to label, one code path (:class:`LoopConfig.mode`):

- ``"kgagent"``: the agent extracts (encoder proposals, graph linking, rules) and writes
  ``feedback.jsonl``: accepted -> positive, rejected by a hard rule -> negative, review -> left
  out; weights from score and rule (kgagent.feedback).
- ``"plain"``: classic self-training, the baseline: every proposal whose score is at least
  ``threshold`` becomes a positive example weighted by its score; no rules, no graph.

Feedback examples carry the id of the decision that justified them, so a wrong rule's
examples can be removed: :func:`prune_feedback`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kgagent.errors import EncoderError, InputError, Location
from kgagent.files import atomic_write_text, recover_swap, swap_leftover, swap_parts, swapping_in
from kgagent.rule_stats import proof_rules, read_decisions, verdict_proofs
from kgagent.schema import Document
from kgagent.text import sentence_spans, word_spans

MODES = ("kgagent", "plain")
RESTARTS = ("base", "continue")
SELECT_ON = ("relation", "entity", "mean")


# =========================================================================== configuration


@dataclass
class LoopConfig:
    """Settings of the loop (the encoder's own hyper-parameters live in its TrainConfig).

    - ``rounds``: feedback rounds after round 0 (0 = train on gold only).
    - ``mode``: ``"kgagent"`` (rules + graph validate the labels) or ``"plain"`` self-training.
    - ``threshold``: plain mode keeps proposals scoring at least this.
    - ``restart``: ``"continue"`` (default) fine-tunes the best model so far further on gold +
      feedback; ``"base"`` retrains each round from the base weights. Default chosen for cost:
      on 2 shared CPU cores a from-base round costs as much as round 0 again (see
      benchmarks/feedback_loop/README.md; the dev comparison of the two was not run there).
    - ``patience``: rounds without a dev gain before stopping; ``min_delta``: the gain that
      counts as one.
    - ``select_on``: the dev F1 that selects rounds: relation strict, entity strict, or their mean.
    - ``feedback_weight``: multiplies every feedback example's weight (gold weighs 1).
    - ``seed``: seeds training of every round (round r uses ``seed + r``) and sampling.
    - ``control``: also train each round on gold alone, the same way (same start, seed,
      epochs), and keep the round's feedback only if it beats that control on dev; otherwise
      the control model stands for the round. Costs one more training per round; it guards
      against feedback that is worse than no feedback (measured in
      benchmarks/feedback_loop: a gold-only continuation beat both loops there).
    """

    rounds: int = 2
    mode: str = "kgagent"
    threshold: float = 0.5
    restart: str = "continue"
    patience: int = 1
    min_delta: float = 0.0
    select_on: str = "relation"
    feedback_weight: float = 1.0
    seed: int = 13
    control: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"unknown loop mode {self.mode!r}; expected one of {', '.join(MODES)}",
                             code="KGA460")
        if self.restart not in RESTARTS:
            raise InputError(f"unknown restart {self.restart!r}; expected one of {', '.join(RESTARTS)}",
                             code="KGA460")
        if self.select_on not in SELECT_ON:
            raise InputError(f"unknown select_on {self.select_on!r}; expected one of {', '.join(SELECT_ON)}",
                             code="KGA460")
        if self.rounds < 0 or self.patience < 1:
            raise InputError("rounds must be >= 0 and patience >= 1", code="KGA460")
        if not 0.0 <= self.threshold <= 1.0 or not 0.0 < self.feedback_weight <= 10.0:
            raise InputError("threshold must lie in [0, 1] and feedback_weight in (0, 10]", code="KGA460")


@dataclass
class RoundResult:
    """What one round did and scored."""

    round: int
    score: float  # the dev F1 chosen by LoopConfig.select_on
    dev: dict[str, Any]
    feedback: dict[str, int] = field(default_factory=dict)  # counts of positive/negative labels
    seconds: float = 0.0
    model_dir: str | None = None
    control_score: float | None = None  # dev F1 of the gold-only control (LoopConfig.control)
    used_feedback: bool = True  # False when the control beat the feedback model and replaced it

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class LoopResult:
    """All rounds, the best one and its model."""

    rounds: list[RoundResult]
    best_round: int
    stopped_early: bool
    model: Any = None  # the best round's Encoder
    config: dict[str, Any] = field(default_factory=dict)
    #: what an earlier run left in out_dir that this one removed (``overwrite=True``), by name
    removed: list[str] = field(default_factory=list)

    @property
    def best(self) -> RoundResult:
        return self.rounds[self.best_round]

    def to_dict(self) -> dict[str, Any]:
        return {
            "best_round": self.best_round,
            "stopped_early": self.stopped_early,
            "config": self.config,
            "rounds": [r.to_dict() for r in self.rounds],
        }


# =========================================================================== dev scores


def _f1(block: Any) -> float | None:
    if isinstance(block, int | float):
        return float(block)
    if isinstance(block, dict):
        for key in ("f1", "F1", "micro_f1"):
            if key in block and isinstance(block[key], int | float):
                return float(block[key])
        for key in ("micro", "strict"):
            if key in block:
                value = _f1(block[key])
                if value is not None:
                    return value
    return None


def metric_f1(metrics: dict[str, Any], which: str) -> float:
    """Strict micro F1 of ``which`` ("entity" or "relation") from an evaluate() result.

    Accepts the shapes ``{"entity": {"f1": ..}}``, ``{"entity": {"strict": {"f1": ..}}}``,
    ``{"entity": {"micro": {"f1": ..}}}`` and flat keys ``entity_f1`` / ``relation_strict_f1``.
    """
    candidates = [metrics.get(which), metrics.get(f"{which}_strict"), metrics.get(f"{which}s"),
                  metrics.get(f"{which}_f1"), metrics.get(f"{which}_strict_f1")]
    for cand in candidates:
        value = _f1(cand)
        if value is not None:
            return value
    raise EncoderError(f"evaluation result has no {which} F1 (keys: {sorted(metrics)})", code="KGA360")


def dev_score(metrics: dict[str, Any], select_on: str = "relation") -> float:
    """The number that selects rounds: relation F1, entity F1, or their mean."""
    if select_on == "mean":
        return (metric_f1(metrics, "entity") + metric_f1(metrics, "relation")) / 2
    return metric_f1(metrics, select_on)


# =========================================================================== labelling


class Labeller(Protocol):
    """Turns unlabelled documents into weighted training examples with the given encoder."""

    def __call__(self, encoder: Any, documents: Sequence[Document], work_dir: Path | None) -> list[Any]:
        ...


def document_sentences(documents: Iterable[Document]) -> list[tuple[str, int, str]]:
    """(doc id, sentence index, sentence text) of every sentence, in order."""
    out = []
    for doc in documents:
        for i, (s, e) in enumerate(sentence_spans(doc.text)):
            out.append((doc.id, i, doc.text[s:e]))
    return out


def _token_span(spans: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Token offsets [first, last+1) of the character span, if it lies on token boundaries."""
    first = next((i for i, (s, _) in enumerate(spans) if s == start), None)
    last = next((i for i, (_, e) in enumerate(spans) if e == end), None)
    if first is None or last is None or last < first:
        return None
    return first, last + 1


@dataclass
class PlainLabeller:
    """Plain self-training: proposals scoring >= threshold are positives weighted by score.

    A relation is kept only when both its arguments are kept. Sentences with nothing kept
    yield no example (like the agent's feedback file). No rules, no graph.
    """

    threshold: float = 0.5
    batch_size: int = 32

    def __call__(self, encoder: Any, documents: Sequence[Document], work_dir: Path | None) -> list[Any]:
        from kgagent.encoder.data import EntitySpan, Example, RelationSpan

        sentences = document_sentences(documents)
        proposals = encoder.propose([s[2] for s in sentences], batch_size=self.batch_size)
        examples = []
        for (doc, index, text), props in zip(sentences, proposals, strict=True):
            spans = word_spans(text)
            entities, kept = [], {}
            for i, ent in enumerate(props.entities):
                tok = _token_span(spans, ent.start, ent.end)
                if ent.score >= self.threshold and tok is not None:
                    kept[i] = len(entities)
                    entities.append(EntitySpan(tok[0], tok[1], ent.label, weight=float(ent.score)))
            relations = [
                RelationSpan(kept[r.head], kept[r.tail], r.label, weight=float(r.score))
                for r in props.relations
                if r.score >= self.threshold and r.head in kept and r.tail in kept
            ]
            if not entities:
                continue
            examples.append(Example(
                tokens=[text[s:e] for s, e in spans], entities=entities, relations=relations,
                meta={"doc": doc, "sentence": index, "text": text, "source": "self-training"},
            ))
        if work_dir is not None:
            write_examples_jsonl(examples, Path(work_dir) / "feedback.jsonl")
        return examples


@dataclass
class AgentLabeller:
    """kgagent's labels: the agent extracts with rules + graph; its feedback file is read back.

    ``rules`` and ``kg`` are paths or loaded objects (None = the domain's). The agent runs over the
    documents with the round's encoder and writes its usual ``--out`` directory (decisions,
    graph, feedback) into ``work_dir``, so every example can be traced and pruned afterwards.
    The graph is reloaded fresh each round: facts accepted in one round do not leak into the
    next round's graph.
    """

    rules: Any = None  # a rules directory, or a loaded Program
    kg: Any = None  # a graph directory/file, or a loaded KnowledgeGraph
    linker: Any = None  # a ready Linker (default: the graph's, built by the agent)
    domain: Any = None  # a domain folder or Domain (None = the default domain)

    def __call__(self, encoder: Any, documents: Sequence[Document], work_dir: Path | None) -> list[Any]:
        from kgagent.agent import Agent
        from kgagent.encoder.data import read_feedback

        work = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="kgagent-loop-"))
        work.mkdir(parents=True, exist_ok=True)
        agent = Agent.load(model=encoder, kg=self.kg, rules=self.rules, linker=self.linker, domain=self.domain)
        agent.extract_to(list(documents), work, overwrite=True)
        feedback = work / "feedback.jsonl"
        return read_feedback(feedback) if feedback.exists() else []


def label_counts(examples: Sequence[Any]) -> dict[str, int]:
    """How many positive and negative labels the examples hold."""
    return {
        "sentences": len(examples),
        "entities": sum(len(e.entities) for e in examples),
        "relations": sum(len(e.relations) for e in examples),
        "negative_entities": sum(len(getattr(e, "negative_entities", []) or []) for e in examples),
        "negative_relations": sum(len(getattr(e, "negative_relations", []) or []) for e in examples),
    }


def scale_weights(examples: Sequence[Any], factor: float) -> list[Any]:
    """Copies of the examples with every label weight multiplied by ``factor`` (capped at 1)."""
    if factor == 1.0:
        return list(examples)
    out = []
    for ex in examples:
        fields = {}
        for name in ("entities", "relations", "negative_entities", "negative_relations"):
            items = getattr(ex, name, None)
            if items is not None:
                fields[name] = [dataclasses.replace(it, weight=min(1.0, it.weight * factor)) for it in items]
        out.append(dataclasses.replace(ex, **fields))
    return out


def write_examples_jsonl(examples: Sequence[Any], path: Path) -> None:
    """Write examples in the feedback format (one JSON object a line), atomically."""
    from kgagent.encoder.data import example_record, write_feedback

    write_feedback((example_record(ex) for ex in examples), path)


# =========================================================================== the loop

Trainer = Callable[..., tuple[Any, dict[str, Any]]]
Evaluator = Callable[[Any, Sequence[Any]], dict[str, Any]]


def default_evaluator(encoder: Any, dev: Sequence[Any]) -> dict[str, Any]:
    """Strict metrics of the encoder's predictions on ``dev`` (kgagent.evaluate)."""
    from kgagent.evaluate import evaluate

    return evaluate(dev, encoder.predict_examples(dev))


def default_trainer(config: Any, train: list[Any], dev: list[Any] | None, out_dir: Path | None,
                    init: Any = None) -> tuple[Any, dict[str, Any]]:
    """kgagent.encoder.train.train; ``init`` (a model directory) continues from those weights."""
    from kgagent.encoder.train import train as train_encoder

    if init is not None and not isinstance(init, str | Path):  # an in-memory model: save it first
        with tempfile.TemporaryDirectory(prefix="kgagent-init-") as tmp:
            init.save_pretrained(tmp)
            return train_encoder(continue_config(config, tmp), train, dev, out_dir=out_dir, overwrite=True)
    if init is not None:
        config = continue_config(config, init)
    # a round's model folder is the loop's own (round-R/model): a re-run of the loop trains it again
    return train_encoder(config, train, dev, out_dir=out_dir, overwrite=True)


def continue_config(config: Any, model_dir: str | Path) -> Any:
    """The TrainConfig that fine-tunes the model saved in ``model_dir`` further."""
    for name in ("init", "init_from", "resume_from", "from_model"):
        if any(f.name == name for f in dataclasses.fields(config)):
            return dataclasses.replace(config, **{name: str(model_dir)})
    return dataclasses.replace(config, base=str(model_dir))


def default_labeller(config: LoopConfig, rules: str | Path | None = None,
                     kg: str | Path | None = None, domain: str | Path | None = None) -> Labeller:
    """The labeller of the configured mode (``domain``: the agent's domain folder, None = default)."""
    if config.mode == "plain":
        return PlainLabeller(config.threshold)
    return AgentLabeller(rules=rules, kg=kg, domain=domain)


#: what the loop writes into its ``out_dir``, and nothing else there is its own: the best round's
#: model, the figures, and a folder a round (``round-<r>/``: its model, metrics.json, the
#: labeller's work folder ``extract/`` with its feedback.jsonl, the control's model)
MODEL_DIR, LOOP_FILE = "model", "loop.json"
_ROUND_DIR = re.compile(r"round-[0-9]+")
#: the file a whole model holds (copied last into the new ``model/``)
_MODEL_MARKER = "config.json"
#: where kgagent before the swap of ``model/`` copied the best model (what a killed run left)
_LEGACY_MODEL_TMP = ".model.tmp"


def _rounds(out: Path) -> list[Path]:
    return sorted((p for p in out.iterdir() if _ROUND_DIR.fullmatch(p.name) and p.is_dir()),
                  key=lambda p: int(p.name[6:]))


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def loop_output(out_dir: str | Path) -> list[str]:
    """What an earlier run of the loop left in ``out_dir`` that a new run would replace: its
    ``model/`` (or, where a swap of it was cut short, the whole copy it left: ``model.tmp-*/``
    or ``model.old-*/``), its ``round-<r>/`` folders (in round order) and ``loop.json``, by name."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    model = out / MODEL_DIR
    left = swap_leftover(model, _MODEL_MARKER)  # (no model/: what recover_loop_model would put there)
    models = [MODEL_DIR + "/"] if _exists(model) else [left.name + "/"] if left is not None else []
    return models + [p.name + "/" for p in _rounds(out)] + ([LOOP_FILE] if _exists(out / LOOP_FILE) else [])


def check_no_loop_output(out_dir: str | Path) -> None:
    """EncoderError KGA350 when ``out_dir`` holds an earlier run's output (:func:`loop_output`):
    the loop would replace it (``run_loop(..., overwrite=True)``, ``kgagent train --rounds K
    --overwrite``, replaces it on purpose)."""
    found = loop_output(out_dir)
    if found:
        raise EncoderError(f"{out_dir} already holds a feedback loop's output ({', '.join(found)}): training would "
                           "replace it; give --overwrite to replace it, or another --out", code="KGA350",
                           location=Location(str(out_dir)))


def recover_loop_model(out_dir: str | Path) -> Path:
    """``out_dir/model`` after a swap of it that was cut short (:func:`run_loop` copies the best
    round's model whole into ``model.tmp-*`` beside it, renames the old one to ``model.old-*``,
    the new one to ``model`` and removes the old one): killed between the two renames, the new
    one (whole: it holds config.json, copied last) is put in its place, else the old one; the
    leftovers are removed (kgagent.files.recover_swap). ``run_loop`` does it when it starts."""
    return recover_swap(Path(out_dir) / MODEL_DIR, marker=_MODEL_MARKER)


def clear_loop_output(out_dir: str | Path) -> list[str]:
    """Remove what an earlier run of the loop wrote into ``out_dir`` (``run_loop(...,
    overwrite=True)`` does, before its first round), so that the folder reads as a fresh run's:
    its ``loop.json``, ``round-<r>/`` folders and ``model/``, and what a run cut short left of
    them (a swap's ``model.tmp-*/``, ``model.old-*/``; a temp copy of the model or loop.json).
    Anything else in ``out_dir`` (files the loop never writes) stays. Returns the names removed,
    as :func:`loop_output` gives them, then the leftovers."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    model = out / MODEL_DIR
    new, old = swap_parts(model)
    parts = [model, *old, *_rounds(out), out / LOOP_FILE,
             *new, out / _LEGACY_MODEL_TMP, *sorted(out.glob(f".{LOOP_FILE}.tmp-*"))]
    named = [(p, p.name + ("/" if p.is_dir() and not p.is_symlink() else "")) for p in parts if _exists(p)]
    # loop.json first: a clearing cut short leaves no figures of rounds that are gone
    for path, _name in sorted(named, key=lambda item: item[0].name != LOOP_FILE):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return [name for _path, name in named]


def run_loop(
    train_config: Any,
    gold: Sequence[Any],
    dev: Sequence[Any],
    unlabelled: Sequence[Document],
    config: LoopConfig | None = None,
    out_dir: str | Path | None = None,
    *,
    labeller: Labeller | None = None,
    trainer: Trainer = default_trainer,
    evaluator: Evaluator = default_evaluator,
    initial: Any = None,
    train_dev: Sequence[Any] | None = None,
    progress: Callable[[str], None] | None = None,
    overwrite: bool = False,
) -> LoopResult:
    """Run the self-training loop and return every round's dev figures and the best model.

    ``trainer(train_config, examples, dev, out_dir, init=None) -> (encoder, info)`` trains a
    model (``init``: the model to continue from, a saved directory or, without ``out_dir``,
    the model object); ``evaluator(encoder, dev) -> metrics``;
    ``labeller(encoder, documents, work_dir) -> examples``. ``initial`` is an already trained
    round-0 encoder (say, a cached gold-only model), skipping round 0's training.
    ``train_dev`` is the dev set the trainer sees for its own epoch selection and calibration
    (default: ``dev``; a subset saves time); rounds are always chosen on the whole ``dev``.
    Each round's model, feedback and metrics go to ``out_dir/round-<r>/``; the best model to
    ``out_dir/model/`` (copied whole beside the old one, then swapped in by renames: a swap cut
    short is put right when the next run starts, :func:`recover_loop_model`) and the figures to
    ``out_dir/loop.json``. An ``out_dir`` that holds an earlier run's output is EncoderError
    KGA350 before anything is trained, unless ``overwrite``: then that output (and nothing else
    in ``out_dir``) is removed before round 0 (:func:`clear_loop_output`; named in the progress
    and in the result's ``removed``).
    """
    if not isinstance(overwrite, bool):  # "no" is true: it would replace the output
        raise EncoderError(f"overwrite must be True or False, not {overwrite!r}", code="KGA340")
    if out_dir is not None:
        recover_loop_model(out_dir)
        if not overwrite:
            check_no_loop_output(out_dir)
    config = config or LoopConfig()
    say = progress or (lambda _msg: None)
    if not gold:
        raise InputError("no labelled training examples", code="KGA461")
    if not dev:
        raise InputError("the loop needs a dev set to choose rounds", code="KGA461")
    labeller = labeller or default_labeller(config)
    out = Path(out_dir) if out_dir is not None else None
    inner_dev = list(train_dev) if train_dev is not None else list(dev)
    removed = clear_loop_output(out) if out is not None and overwrite else []
    if removed:
        say(f"replacing the earlier run's output in {out}: removed {', '.join(removed)}")

    def round_dir(r: int) -> Path | None:
        if out is None:
            return None
        path = out / f"round-{r}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def seeded(r: int) -> Any:
        if dataclasses.is_dataclass(train_config) and any(f.name == "seed" for f in dataclasses.fields(train_config)):
            return dataclasses.replace(train_config, seed=config.seed + r)
        return train_config

    t0 = time.perf_counter()
    rdir = round_dir(0)
    if initial is None:
        say("round 0: training on gold")
        model, _ = trainer(seeded(0), list(gold), inner_dev, rdir / "model" if rdir else None)
    else:
        model = initial
    metrics = evaluator(model, dev)
    rounds = [RoundResult(0, dev_score(metrics, config.select_on), metrics, {}, time.perf_counter() - t0,
                          _model_dir(model, rdir))]
    _save_round(rdir, rounds[-1], model)
    say(f"round 0: dev {config.select_on} F1 {rounds[0].score:.4f}")
    best, best_model, stale, stopped = 0, model, 0, False
    for r in range(1, config.rounds + 1):
        t0 = time.perf_counter()
        rdir = round_dir(r)
        say(f"round {r}: labelling {len(unlabelled)} documents ({config.mode})")
        feedback = labeller(best_model, unlabelled, rdir / "extract" if rdir else None)
        feedback = scale_weights(feedback, config.feedback_weight)
        counts = label_counts(feedback)
        say(f"round {r}: {counts['entities']} entities, {counts['relations']} relations, "
            f"{counts['negative_entities'] + counts['negative_relations']} negatives; training")
        init = None
        if config.restart == "continue":  # the best model so far: its directory, else the object
            init = rounds[best].model_dir or best_model
        model, _ = trainer(seeded(r), list(gold) + list(feedback), inner_dev,
                           rdir / "model" if rdir else None, init=init)
        metrics = evaluator(model, dev)
        score = dev_score(metrics, config.select_on)
        control_score, used, mdir = None, True, _model_dir(model, rdir)
        if config.control:
            say(f"round {r}: training the gold-only control")
            cdir = rdir / "control" if rdir else None
            control, _ = trainer(seeded(r), list(gold), inner_dev, cdir / "model" if cdir else None, init=init)
            control_metrics = evaluator(control, dev)
            control_score = dev_score(control_metrics, config.select_on)
            say(f"round {r}: feedback {score:.4f} vs gold-only control {control_score:.4f} on dev")
            if control_score > score:
                model, metrics, score, used = control, control_metrics, control_score, False
                mdir = _model_dir(control, cdir)
        result = RoundResult(r, score, metrics, counts, time.perf_counter() - t0, mdir, control_score, used)
        rounds.append(result)
        _save_round(rdir, result, model)
        say(f"round {r}: dev {config.select_on} F1 {result.score:.4f} (best {rounds[best].score:.4f})")
        if result.score > rounds[best].score + config.min_delta:
            best, best_model, stale = r, model, 0
        else:
            stale += 1
            if stale >= config.patience:
                stopped = r < config.rounds
                break
    result = LoopResult(rounds, best, stopped, best_model, dataclasses.asdict(config), removed)
    if out is not None:
        source = rounds[best].model_dir
        final = out / MODEL_DIR
        if source is not None and Path(source).resolve() != final.resolve():
            with swapping_in(final) as new:  # written whole beside the old one, then renamed in
                _copy_model(Path(source), new)
        atomic_write_text(out / LOOP_FILE, json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    return result


def _copy_model(source: Path, dest: Path) -> None:
    """The saved model ``source`` copied into the empty folder ``dest``, its config.json (what
    makes a folder a whole model, :func:`recover_loop_model`) last."""
    shutil.copytree(source, dest, dirs_exist_ok=True,
                    ignore=lambda folder, _names: [_MODEL_MARKER] if Path(folder) == source else [])
    if (source / _MODEL_MARKER).is_file():
        shutil.copy2(source / _MODEL_MARKER, dest / _MODEL_MARKER)


def _model_dir(model: Any, rdir: Path | None) -> str | None:
    """Where the round's model is saved: where it already lies, else ``rdir/model``."""
    saved = getattr(model, "path", None)
    if saved and (Path(saved) / "config.json").is_file():
        return str(saved)
    if rdir is None or not hasattr(model, "save_pretrained"):
        return None
    path = rdir / "model"
    if not (path / "config.json").is_file():
        model.save_pretrained(path)
    return str(path)


def _save_round(rdir: Path | None, result: RoundResult, model: Any) -> None:
    if rdir is not None:
        atomic_write_text(rdir / "metrics.json", json.dumps(result.to_dict(), indent=2, default=str) + "\n")


# =========================================================================== unlabelled input


def read_unlabelled(path: str | Path, *, on_empty: Callable[[str], None] | None = None) -> list[Document]:
    """Documents of an unlabelled corpus: anything ``kgagent extract`` reads (plain text with
    blank lines between documents, JSON Lines ``{"id", "text"}``, a directory of .txt files), or
    a SpERT JSON file (a list of records: tokens joined by spaces, labels ignored).

    A directory's empty ``.txt`` files are left out, as :func:`kgagent.corpus.read_corpus` leaves
    them out, each path given to ``on_empty`` (``kgagent train --rounds`` warns of each); without
    one they are left out without a word. A directory of nothing but empty files is KGA403.
    """
    from kgagent.corpus import read_corpus

    path = Path(path)
    if not path.exists():
        raise InputError(f"no such file: {path}", code="KGA462")
    if path.is_file():
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
        if head.startswith(b"["):
            from kgagent.rule_stats import record_id, record_text, spert_records

            return [Document(record_id(r, i), record_text(r), f"{path}:{i}")
                    for i, r in enumerate(spert_records(path))]
    return list(read_corpus([path], on_empty=on_empty))


# =========================================================================== pruning


_RULE_ID = re.compile(r"^(?P<file>.+):(?P<within>\d+|[a-z][A-Za-z0-9_]*)$")


def rule_matches(recorded: str, wanted: str) -> bool:
    """Whether a recorded rule id names the wanted ``FILE:LINE`` or ``FILE:NAME`` (paths compared
    by suffix)."""
    a, b = _RULE_ID.match(recorded), _RULE_ID.match(wanted)
    if not a or not b or a["within"] != b["within"]:
        return False
    pa, pb = Path(a["file"]).parts, Path(b["file"]).parts
    n = min(len(pa), len(pb))
    return pa[-n:] == pb[-n:]


@dataclass
class PruneResult:
    """What :func:`prune_feedback` removed."""

    removed: int  # labels whose proof used the rule
    dependent: int  # relations dropped because an argument entity was removed
    sentences_dropped: int  # feedback lines left empty and dropped
    kept: int  # labels kept
    rule_seen: bool  # whether any decision's proof uses the rule at all
    path: str
    reviewed: int = 0  # labels kept though their decision used the rule: reviewers' answers justify them
    #: reviewers' labels dropped all the same: relations whose argument entity went with the rule
    #: (a relation names two entities of its sentence); counted in ``dependent`` too
    reviewed_dropped: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)




def _check_feedback_line(obj: dict[str, Any], path: Path, lineno: int) -> None:
    """InputError KGA463 naming the file and line for a feedback line that training could not
    read (encoder.data's checks: labels that are lists of objects with a type and integer
    offsets) or whose ``rules`` / ``proof`` are not what pruning reads (a list of rule ids, a
    decision id): a hand-edited ``"entities": "x"`` is told, not pruned through."""
    from kgagent.encoder.data import FEEDBACK_LABEL_KEYS, record_to_example

    try:
        record_to_example(obj, path, lineno, what="feedback line")
    except EncoderError as err:
        raise InputError(err.message, code="KGA463", location=Location(str(path), lineno)) from None
    for kind in FEEDBACK_LABEL_KEYS:
        for i, item in enumerate(obj.get(kind) or []):
            rules, proof = item.get("rules"), item.get("proof")
            if rules is not None and not (isinstance(rules, list) and all(isinstance(r, str) for r in rules)):
                raise InputError(f"feedback line: {kind}[{i}] 'rules' must be a list of rule ids (FILE:NAME), "
                                 f"not {json.dumps(rules)}", code="KGA463", location=Location(str(path), lineno))
            if proof is not None and not isinstance(proof, str):
                raise InputError(f"feedback line: {kind}[{i}] 'proof' must be a decision id (a string), "
                                 f"not {json.dumps(proof)}", code="KGA463", location=Location(str(path), lineno))


def check_prune_out(out: Path) -> None:
    """StorageError KGA510 when the pruned feedback cannot be written at ``out``: a directory, or
    a path under a file."""
    from kgagent.errors import StorageError
    from kgagent.files import file_in_the_way

    if (folder := file_in_the_way(out, directory=False)) is not None:
        raise StorageError(f"cannot write {out}: {folder} is a file, not a directory", code="KGA510")
    if out.is_dir():
        raise StorageError(f"cannot write {out}: it is a directory; give a file name such as "
                           f"{out / 'feedback.jsonl'}", code="KGA510")


def prune_feedback(feedback: str | Path, rule: str, out: str | Path | None = None,
                   decisions: str | Path | None = None) -> PruneResult:
    """Remove every feedback label whose justifying proof used ``rule`` (``FILE:NAME``, or
    ``FILE:LINE`` for a rule without a name).

    A label names its decision in ``proof``; the proof tree is read from ``decisions``
    (default: ``decisions.jsonl`` beside the feedback file). A label that lists its rules
    itself (``"rules": [...]``) is judged by that list. Relations whose argument entity was
    removed go too (counted apart as ``dependent``); a sentence left with no label is dropped.
    A label a reviewer judged (``"answers"``, from ``feedback export-reviews``) is kept: the
    reviewer's answer, not the rule, justifies it (counted as ``reviewed`` where its decision used
    the rule); but a judged relation whose argument entity went goes too (a relation names two
    entities of its sentence), counted in ``dependent`` and as ``reviewed_dropped``. The result is written atomically to ``out`` (default: the feedback file itself). A line that
    is no feedback record (labels that are not lists of objects with a type and integer offsets,
    ``rules`` that is not a list of rule ids) is InputError KGA463 naming the file and line, and
    nothing is written; a ``rule`` that is not ``FILE:NAME`` or ``FILE:LINE`` is KGA497.
    """
    feedback = Path(feedback)
    if out is not None:  # an --out that cannot be a file: KGA510 before any work, not the OS's error after it
        check_prune_out(Path(out))
    if not _RULE_ID.match(rule):
        raise InputError(f"rule must be FILE:NAME or FILE:LINE, e.g. rules/words.rules:nationality_not_place "
                         f"or rules/relations.rules:12 (got {rule!r})", code="KGA497")
    if not feedback.is_file():
        raise InputError(f"no such feedback file: {feedback}", code="KGA463")
    decisions_file = Path(decisions) if decisions is not None else feedback.parent / "decisions.jsonl"
    if out is not None and Path(out).resolve() == decisions_file.resolve():
        raise InputError(f"--out {out} is the decisions file the proofs are read from; writing the pruned "
                         "feedback there would replace the extraction's decisions: give another file, "
                         "nothing written", code="KGA485")
    from kgagent.encoder.data import FEEDBACK_LABEL_KEYS, iter_feedback, write_feedback

    records: list[tuple[int, dict[str, Any]]] = []
    cited: set[str] = set()
    try:
        lines = list(iter_feedback(feedback))
    except EncoderError as err:
        raise InputError(err.message, code="KGA463", location=err.location) from None
    for lineno, obj in lines:
        _check_feedback_line(obj, feedback, lineno)
        records.append((lineno, obj))
        for kind in FEEDBACK_LABEL_KEYS:
            for item in obj.get(kind) or []:
                if "rules" not in item and item.get("proof"):
                    cited.add(str(item["proof"]))
    tainted: set[str] = set()
    known: set[str] = set()
    seen = False
    if cited or decisions_file.exists():
        if not decisions_file.exists():
            raise InputError(f"feedback cites decisions but {decisions_file} is missing; "
                             "pass --decisions PATH", code="KGA464")
        for decision in read_decisions(decisions_file):
            rules = {r for _, proof in verdict_proofs(decision)[:1] for r, _ in proof_rules(proof)}
            hit = any(rule_matches(r, rule) for r in rules)
            seen = seen or hit
            did = str(decision["id"])
            known.add(did)
            if hit:
                tainted.add(did)
    missing = cited - known
    if missing:
        example = sorted(missing)[0]
        raise InputError(f"{len(missing)} feedback labels cite decisions not in {decisions_file} "
                         f"(e.g. {example}); cannot trace them", code="KGA464")

    reviewed = reviewed_dropped = 0

    def reviewed_hit(item: dict[str, Any]) -> bool:
        """A reviewer's label on a decision the rule made (kept: the answer justifies it)."""
        nonlocal seen
        hit = _answered(item) and (("rules" not in item and str(item.get("proof")) in tainted) or any(
            rule_matches(str(r), rule) for r in item.get("rules") or []))
        seen = seen or hit
        return hit

    def uses_rule(item: dict[str, Any]) -> bool:
        nonlocal seen, reviewed
        if _answered(item):
            reviewed += reviewed_hit(item)
            return False
        if "rules" in item:
            hit = any(rule_matches(str(r), rule) for r in item["rules"] or [])
            seen = seen or hit
            return hit
        return str(item.get("proof")) in tainted

    removed = dependent = dropped = kept = 0
    out_records: list[dict[str, Any]] = []
    for _, obj in records:
        ents = obj.get("entities") or []
        keep_idx = [i for i, e in enumerate(ents) if not uses_rule(e)]
        removed += len(ents) - len(keep_idx)
        remap = {old: new for new, old in enumerate(keep_idx)}
        obj["entities"] = [ents[i] for i in keep_idx]
        for kind in ("relations", "negative_relations"):
            items = obj.get(kind) or []
            new_items = []
            for item in items:
                if _answered(item) and (item.get("head") not in remap or item.get("tail") not in remap):
                    reviewed_hit(item)  # (the rule was seen all the same)
                    dependent += 1  # a reviewer's label, dropped: its argument went with the rule
                    reviewed_dropped += 1
                elif uses_rule(item):
                    removed += 1
                elif item.get("head") not in remap or item.get("tail") not in remap:
                    dependent += 1
                else:
                    new_items.append({**item, "head": remap[item["head"]], "tail": remap[item["tail"]]})
            if kind in obj:
                obj[kind] = new_items
        negs = obj.get("negative_entities") or []
        new_negs = [n for n in negs if not uses_rule(n)]
        removed += len(negs) - len(new_negs)
        if "negative_entities" in obj:
            obj["negative_entities"] = new_negs
        labels = sum(len(obj.get(k) or []) for k in FEEDBACK_LABEL_KEYS)
        if labels == 0:
            dropped += 1
            continue
        kept += labels
        out_records.append(obj)
    target = Path(out) if out is not None else feedback
    write_feedback(out_records, target)
    return PruneResult(removed, dependent, dropped, kept, seen, str(target), reviewed, reviewed_dropped)


def _answered(item: dict[str, Any]) -> bool:
    """Whether a feedback label is a reviewer's judgement (``"answers": ["a:12", ...]``, written by
    ``feedback export-reviews``): the person's answer justifies it, not the rule that decided."""
    answers = item.get("answers")
    return isinstance(answers, list) and any(isinstance(a, str) and a for a in answers)
