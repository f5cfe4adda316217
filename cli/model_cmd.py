"""``kgagent train`` and ``kgagent evaluate``: the encoder."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from kgagent_cli.common import DOMAIN_HELP, EXIT_USAGE, console, fail, guarded, open_domain


def register(app: typer.Typer) -> None:
    """Add the encoder's commands to the main app."""
    app.command("train")(train_cmd)
    app.command("evaluate")(evaluate_cmd)


def _device(value: str) -> str:
    """--device: one the trainer knows (a usage error, exit 2, otherwise)."""
    from kgagent.encoder.precision import DEVICES

    if value not in DEVICES:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(DEVICES)}")
    return value


def _threads(n: Optional[int]) -> None:
    """--threads: torch's CPU threads (0 or None: every core); more than the cores here is exit 2
    (KGA340) before anything is read: torch would start them all at once."""
    import os

    from kgagent.encoder.train import threads_problem

    if (problem := threads_problem(n)) is not None:
        raise fail(f"KGA340 --{problem}", EXIT_USAGE)
    import torch

    torch.set_num_threads(n or max(1, os.cpu_count() or 1))


def _check_train_settings(o: dict[str, Any]) -> None:
    """Exit 2 (KGA340) for training settings no training can run with (a negative or non-finite
    learning rate, a patience below 1, a seed out of range, ...), before anything is read."""
    from kgagent.encoder.train import TrainConfig, check_settings

    _threads(o["threads"])
    lr = o["lr"] if o["lr"] is not None else 1e-4
    cfg = TrainConfig(epochs=o["epochs"] or 1, lr=lr, head_lr=o["head_lr"], batch_size=o["batch_size"],
                      patience=o["patience"], seed=o["seed"], max_minutes=o["max_minutes"], device=o["device"],
                      num_threads=o["threads"], select_sample=o["select_sample"])
    with guarded(EXIT_USAGE):
        check_settings(cfg)


class _Bar:
    """A rich progress bar fed by the trainer's progress events (loss, dev scores)."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[info]}"),
                                 console=console(stderr=True), transient=False)
        self.task: Any = None
        self.dev = ""

    def __enter__(self) -> "_Bar":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "step":
            desc = f"epoch {event['epoch']}/{event['epochs']}"
            if self.task is None:
                self.task = self.progress.add_task(desc, total=event["batches"], info="")
            if event["batch"] == 1:
                self.progress.reset(self.task, total=event["batches"], description=desc)
            self.progress.update(self.task, completed=event["batch"],
                                 info=f"loss {event['loss']:.4f}{self.dev}")
        elif kind == "epoch" and "dev_entity_f1" in event:
            self.dev = (f" | dev ent {event['dev_entity_f1']:.1f} rel {event['dev_relation_f1']:.1f}"
                        f" (best epoch {event['best_epoch']})")
            self.progress.console.print(f"epoch {event['epoch']}: loss {event['loss']:.4f}, dev entity F1 "
                                        f"{event['dev_entity_f1']:.2f}, relation F1 {event['dev_relation_f1']:.2f}, "
                                        f"{event['seconds']:.0f} s")


def train_cmd(
    ctx: typer.Context,
    data: Optional[list[Path]] = typer.Argument(None, help="Training data: SpERT JSON, CoNLL columns or feedback "
                                                "JSONL; several files (one --dev each) or a data manifest (.toml) "
                                                "train one model on several data sets, each with its own labels."),
    dev: Optional[list[Path]] = typer.Option(None, "--dev", help="Dev data: early stopping, calibration, scores "
                                             "(one per training file)."),
    base: Optional[str] = typer.Option(None, "--base", help="A local Hugging Face model directory "
                                       "(default: the packaged all-MiniLM-L6-v2). Nothing is downloaded."),
    lora: bool = typer.Option(True, "--lora/--full", help="LoRA adapters (small, shippable) or full fine-tuning."),
    train_word_embeddings: bool = typer.Option(False, "--train-word-embeddings", help="--full: train the word "
                                               "embeddings too (default: keep the base's; saves half the size)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", min=1, help="Epochs (default 20; 3 with --feedback)."),
    lr: Optional[float] = typer.Option(None, "--lr", help="Encoder learning rate (default 5e-4 LoRA, 1e-4 full)."),
    head_lr: float = typer.Option(1e-3, "--head-lr", help="Learning rate of the heads and embeddings."),
    batch_size: int = typer.Option(16, "--batch-size", min=1),
    case_features: bool = typer.Option(True, "--case/--no-case", help="Word-shape embedding at the input."),
    patience: int = typer.Option(5, "--patience", help="Early stopping: epochs without dev improvement."),
    max_minutes: Optional[float] = typer.Option(None, "--max-minutes", help="Time budget for training."),
    select_sample: int = typer.Option(0, "--select-sample", help="Choose the epoch on at most this many sentences "
                                      "of each dev file (a seeded sample; 0 = all). The final scores use all."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where the model (and checkpoints) go."),
    seed: int = typer.Option(42, "--seed"),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoint."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the model --out already holds (with --rounds: "
                                   "an earlier loop's model/, round folders and loop.json, removed before round 0), "
                                   "or start over an interrupted training there; without it such an --out is refused, "
                                   "KGA350/KGA351."),
    threads: Optional[int] = typer.Option(None, "--threads", min=0, help="CPU threads (default or 0: all cores)."),
    device: str = typer.Option("auto", "--device", callback=_device, help="auto, cpu or cuda."),
    feedback: Optional[Path] = typer.Option(None, "--feedback", help="feedback.jsonl written by `kgagent extract`: "
                                            "fine-tune MODEL on it (plus --gold)."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold data mixed with the feedback."),
    feedback_weight: float = typer.Option(1.0, "--feedback-weight", help="Weight of feedback examples (gold: 1)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model to fine-tune with --feedback (default: shipped)."),
    rounds: int = typer.Option(0, "--rounds", help="Self-training rounds over --unlabelled (0 = plain training)."),
    unlabelled: Optional[Path] = typer.Option(None, "--unlabelled", help="Texts for --rounds (what extract reads; "
                                              "a folder's empty .txt files are left out, each with a warning)."),
    loop_mode: str = typer.Option("kgagent", "--loop-mode", help="--rounds labeller: kgagent (rules) or plain."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="--rounds: plain-mode score threshold."),
    restart: Optional[str] = typer.Option(None, "--restart", help="--rounds: base or continue."),
    select_on: Optional[str] = typer.Option(None, "--select-on", help="--rounds: relation, entity or mean."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="--rounds: rule files for the agent."),
    kg: Optional[Path] = typer.Option(None, "--graph", "-g", help="--rounds: knowledge graph for the agent."),
    domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its label map must know every "
                                          "label of the data; the model goes to its model/ unless --out says "
                                          "otherwise."),
) -> None:
    """Train the encoder (DATA + --dev), or fine-tune it on the agent's feedback (--feedback).

    Example: kgagent train train.json --dev dev.json --full --domain my_domain/
    Several data sets: kgagent train benchmarks/encoder/news_model.toml --full (see the model card).
    """
    options = dict(locals())
    del options["ctx"]
    if rounds <= 0:  # (--rounds: the loop's settings say the same, as KGA460)
        _check_feedback_weight(feedback_weight)
    _check_train_settings(options)
    _check_modes(options)
    if resume and overwrite:
        raise fail("KGA340 --resume and --overwrite do not go together: --resume continues the training in --out, "
                   "--overwrite trains anew over the model there", EXIT_USAGE)
    if resume and feedback is None and rounds == 0 and out is not None:
        from kgagent.encoder.train import recover_checkpoint

        with guarded(EXIT_USAGE):  # a checkpoint save cut short: the checkpoint it left is the one read
            recover_checkpoint(out)
        _check_resume_options(ctx, out)
    if feedback is not None:  # what fine-tuning on feedback does not read is refused, not ignored
        given = [flag for flag, value in (("--base", base), ("--resume", resume), ("--full", not lora),
                                          ("--no-case", not case_features),
                                          ("--train-word-embeddings", train_word_embeddings),
                                          ("--select-sample", select_sample)) if value]
        if given:
            names = given[0] if len(given) == 1 else f"{', '.join(given[:-1])} and {given[-1]}"
            raise fail(f"KGA340 {names} {'does' if len(given) == 1 else 'do'} not go with --feedback "
                       "(it fine-tunes --model, or the domain's model)", EXIT_USAGE)
        if out is None:
            raise fail("KGA340 --feedback needs --out DIR for the fine-tuned model", EXIT_USAGE)
        if dev is None or not dev:
            raise fail("KGA340 --feedback needs --dev to show the scores before and after", EXIT_USAGE)
    data_files, dev_files = list(data or []), list(dev or [])
    if rounds > 0 or feedback is not None:  # these take one file of each
        if len(data_files) > 1 or len(dev_files) > 1:
            raise fail("KGA340 --rounds and --feedback take one training file and one --dev", EXIT_USAGE)
        options["data"] = data_files[0] if data_files else None
        options["dev"] = dev_files[0] if dev_files else None
    dom = open_domain(domain)
    if options["out"] is None and domain is not None and options["feedback"] is None and rounds == 0:
        # (--rounds writes a folder of rounds, not a model: never into the domain's model folder)
        options["out"] = dom.model or dom.root / "model"
    if options["out"] is not None:  # an --out that is a file, holds a model or an interrupted training's
        # checkpoint: refused before anything is read
        from kgagent.encoder.train import check_no_checkpoint, check_no_model, check_out_dir

        with guarded(EXIT_USAGE):
            check_out_dir(options["out"], base=base)
            if rounds == 0 and not overwrite and not resume:  # (--rounds: --out is the loop's folder of rounds)
                check_no_model(options["out"])
                check_no_checkpoint(options["out"], resumable=feedback is None)  # (--feedback: no --resume)
    if rounds > 0:
        try:
            from kgagent_cli.loop_cmd import train_rounds
        except ImportError:
            raise fail("--rounds needs kgagent_cli.loop_cmd.train_rounds, which is not installed", EXIT_USAGE) from None
        options["train"] = options.pop("data")
        train_rounds(**options)
        return
    with guarded():
        _train(options, dom)


#: options whose value a checkpoint fixes (--resume continues the run as it was trained), and
#: the TrainConfig field each sets; --epochs, --max-minutes, --threads and --device may change
_RESUME_FIXED = {"lr": "lr", "head_lr": "head_lr", "batch_size": "batch_size", "patience": "patience",
                 "seed": "seed", "select_sample": "select_sample", "case_features": "case_features",
                 "lora": "lora", "train_word_embeddings": "train_word_embeddings", "base": "base"}


def _check_resume_options(ctx: typer.Context, out: Path) -> None:
    """Exit 2 (KGA340) for an option given with --resume whose value differs from the one the
    checkpoint was trained with: the checkpoint's wins, so the option was ignored without a word."""
    from kgagent.errors import EncoderError

    state_file = Path(out) / "checkpoint" / "trainer_state.json"
    try:
        saved = json.loads(state_file.read_text(encoding="utf-8"))["config"]
        assert isinstance(saved, dict)
    except (OSError, ValueError, KeyError, TypeError, AssertionError, RecursionError, EncoderError):
        return  # no or no readable checkpoint: the trainer says so (KGA332)
    differ = []
    for name, field in _RESUME_FIXED.items():
        source = ctx.get_parameter_source(name)
        if source is None or source.name != "COMMANDLINE" or field not in saved:
            continue
        given, was = ctx.params[name], saved[field]
        if name == "base" and given is not None:
            given = str(Path(given).resolve())
        if given != was:
            flag = "--" + name.replace("_", "-")
            if name == "lora":
                flag = "--lora/--full"
            elif name == "case_features":
                flag = "--case/--no-case"
            differ.append(f"{flag} {given!r} (the checkpoint's: {was!r})")
    if differ:
        raise fail(f"KGA340 --resume continues {state_file.parent} as it was trained; these options differ from it "
                   f"and would be ignored: {'; '.join(differ)} (only --epochs, --max-minutes, --threads and "
                   "--device may change; drop --resume to train anew)", EXIT_USAGE)


def _check_modes(o: dict[str, Any]) -> None:
    """Exit 2 (KGA340) for an option of another way of training than the one asked (say,
    --unlabelled without --rounds, --gold without --feedback): it was ignored without a word."""
    if o["rounds"] < 0:
        raise fail(f"KGA340 --rounds must be 0 (plain training) or more, not {o['rounds']}", EXIT_USAGE)
    if o["rounds"] > 0 and o["resume"]:  # it was ignored without a word, and the loop replaced its output
        raise fail("KGA340 --resume does not go with --rounds (the loop trains its rounds anew; --overwrite "
                   "replaces an earlier run's output in --out)", EXIT_USAGE)
    if o["rounds"] > 0 and o["feedback"] is not None:  # the loop never read it: a reviewer's file was dropped
        raise fail("KGA340 --feedback does not go with --rounds (the loop labels --unlabelled itself each round): "
                   "fine-tune on the file with `kgagent train --feedback FILE --dev DEV --out MODEL`, then give "
                   "--model MODEL to --rounds", EXIT_USAGE)
    if o["rounds"] == 0:
        loop_only = [flag for flag, key in (("--unlabelled", "unlabelled"), ("--threshold", "threshold"),
                                            ("--restart", "restart"), ("--select-on", "select_on"),
                                            ("--rules", "rules"), ("--graph", "kg")) if o[key] is not None]
        if loop_only:
            raise fail(f"KGA340 {', '.join(loop_only)} only {'goes' if len(loop_only) == 1 else 'go'} with "
                       "--rounds K (the self-training loop)", EXIT_USAGE)
        if o["feedback"] is None:
            tuning = [flag for flag, given in (("--gold", o["gold"] is not None), ("--model", o["model"] is not None),
                                               ("--feedback-weight", o["feedback_weight"] != 1.0)) if given]
            if tuning:
                raise fail(f"KGA340 {', '.join(tuning)} only {'goes' if len(tuning) == 1 else 'go'} with --feedback "
                           "FILE (or --rounds K)", EXIT_USAGE)


def _check_feedback_file(path: Path) -> None:
    """--feedback must be feedback JSONL: a binary file (the review page's SQLite database given in
    place of its export) is InputError KGA484 naming it, not a data reader's tag error quoting its
    bytes."""
    from kgagent.errors import InputError, Location

    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return  # (missing, a directory, unreadable: read_examples names it)
    if head.startswith(b"SQLite format 3\x00"):
        raise InputError("an SQLite database (the review page's answers?), not feedback JSONL: turn answers into "
                         "feedback with `kgagent feedback export-reviews OUT` and give OUT/review_feedback.jsonl",
                         code="KGA484", location=Location(str(path)))
    if b"\x00" in head:
        raise InputError("a binary file, not feedback JSONL (one JSON object per line, as `kgagent extract` and "
                         "`kgagent feedback export-reviews` write it)", code="KGA484", location=Location(str(path)))


def _check_feedback_weight(value: float) -> None:
    """--feedback-weight multiplies each feedback example's loss: a number in (0, 10] (as the
    loop's feedback_weight and a record's meta.weight), else exit 2 before anything is read."""
    import math

    from kgagent.encoder.data import MAX_EXAMPLE_WEIGHT

    if not (math.isfinite(value) and 0 < value <= MAX_EXAMPLE_WEIGHT):
        raise fail(f"KGA340 --feedback-weight must be a number in (0, {MAX_EXAMPLE_WEIGHT:g}], not {value}",
                   EXIT_USAGE)


def _train(o: dict[str, Any], dom: Any) -> None:
    from kgagent.encoder.data import read_examples
    from kgagent.encoder.train import TrainConfig, train
    from kgagent.evaluate import evaluate

    con = console()
    if o["feedback"] is not None:
        if o["dev"] is None:
            raise fail("KGA340 --feedback needs --dev to show the scores before and after", EXIT_USAGE)
        examples = []
        if o["gold"] is not None:
            examples += read_examples(o["gold"])
        if o["data"] is not None:
            examples += read_examples(o["data"])
        _check_feedback_file(Path(o["feedback"]))
        fb = read_examples(o["feedback"])
        if not fb:
            raise fail(f"KGA341 {o['feedback']}: no feedback examples", EXIT_USAGE)
        from kgagent.encoder.data import drop_repeated
        from kgagent.encoder.pretrained import Encoder, read_model_config
        from kgagent.encoder.train import check_model_labels

        init = Path(o["model"]) if o["model"] else dom.model_dir()
        # a label the model lacks is told now (file, line, label), before the model and dev are read
        init_cfg = read_model_config(init)
        check_model_labels([*examples, *fb], init_cfg.entity_labels, init_cfg.relation_labels, init)
        # a line repeated (the file exported or appended twice, or given as --gold too) trains once;
        # the same sentence with other labels is KGA493, naming both lines
        kept, repeats = drop_repeated([*examples, *fb], after=len(examples))
        fb = kept[len(examples):]
        for ex in fb:
            ex.meta["weight"] = float(ex.meta.get("weight", 1.0)) * o["feedback_weight"]
        examples += fb
        if repeats:
            shown = "; ".join(f"{a} repeats {b}" for a, b in repeats[:3]) + ("; ..." if len(repeats) > 3 else "")
            con.print(f"dropped {len(repeats)} repeated feedback line(s), trained once ({shown})")
        before_model = Encoder.from_pretrained(init)
        dev = _dev_examples(o["dev"])
        before = evaluate(dev, before_model.predict_examples(dev))
        del before_model
        epochs = o["epochs"] or 3
        out = o["out"]
        if out is None:
            raise fail("KGA340 --feedback needs --out DIR for the fine-tuned model", EXIT_USAGE)
        cfg = TrainConfig(init=str(init), epochs=epochs, lr=o["lr"] if o["lr"] is not None else 2e-4, head_lr=o["head_lr"] / 2,
                          batch_size=o["batch_size"], seed=o["seed"], patience=o["patience"],
                          max_minutes=o["max_minutes"], device=o["device"], num_threads=o["threads"])
        con.print(f"fine-tuning {init} on {len(fb)} feedback + {len(examples) - len(fb)} gold examples "
                  f"(feedback weight {o['feedback_weight']})")
        with _Bar() as bar:
            _encoder, report = train(cfg, examples, dev, out_dir=out, progress=bar, overwrite=o["overwrite"])
        after = report["dev"]
        table = Table(title=f"dev scores before / after feedback fine-tuning -> {out}")
        for c in ("", "before", "after", "change"):
            table.add_column(c, justify="right")
        for key, name in (("entity", "entity F1"), ("relation_strict", "relation F1 strict"),
                          ("relation_boundaries", "relation F1 boundaries")):
            b, a = before[key]["f1"], after[key]["f1"]
            table.add_row(name, f"{b:.2f}", f"{a:.2f}", f"{a - b:+.2f}")
        con.print(table)
        return
    if not o["data"]:
        raise fail("KGA340 give the training DATA (or --feedback FILE)", EXIT_USAGE)
    if o["out"] is None:  # before any file is read
        raise fail("KGA340 give --out DIR for the trained model", EXIT_USAGE)
    data_files, dev_files = list(o["data"]), list(o["dev"] or [])
    mix: dict[str, float] = {}
    pairs: list[tuple[Path, Path]] = []  # (training file, its dev file)
    if len(data_files) > 1 or data_files[0].suffix.lower() == ".toml":
        from kgagent.encoder.sources import load_sources, read_manifest, sources_from_paths

        if data_files[0].suffix.lower() == ".toml":
            if len(data_files) > 1 or dev_files:
                raise fail("KGA340 a data manifest names every file itself: give it alone, without --dev",
                           EXIT_USAGE)
            sources = read_manifest(data_files[0])
        else:
            sources = sources_from_paths(data_files, dev_files)
        # one model of several data sets: labels become the domain's names (CoNLL04's Peop and
        # CoNLL-2003's PER are one class), each example keeps its source's scheme
        train_ex, dev_list = load_sources(sources, dom.labels.normalize, dom.check_data_labels)
        dev = dev_list or None
        mix = {s.name: s.repeat for s in sources}
        pairs = [(f, s.dev) for s in sources if s.dev is not None for f in s.train_files]
        con.print("data: " + "; ".join(f"{s.name} {'+'.join(f.name for f in s.train_files)} x{s.repeat:g}"
                                       + (f" (dev {s.dev.name})" if s.dev else "") for s in sources))
    else:
        if len(dev_files) > 1:
            raise fail("KGA340 one training file takes one --dev", EXIT_USAGE)
        train_ex = read_examples(data_files[0])
        dev = _dev_examples(dev_files[0]) if dev_files else None
        pairs = [(data_files[0], dev_files[0])] if dev_files else []
        if o["domain"] is not None:  # a model for this domain: every label must mean something in it
            dom.check_data_labels(train_ex, data_files[0])
            if dev is not None:
                dom.check_data_labels(dev, dev_files[0])
    if dev:  # a dev label no training sentence has: the model never predicts it, every one is a miss
        from kgagent.encoder.data import labels_of

        known = {x for part in labels_of(train_ex) for x in part}
        lacks = sorted({x for part in labels_of(dev) for x in part} - known)
        if lacks:
            console(stderr=True).print("note: dev labels no training sentence has (the model never predicts them; "
                                        f"each one scored as missed): {', '.join(lacks)}")
    for train_file, dev_file in pairs:
        if train_file.resolve() == dev_file.resolve():
            console(stderr=True).print(f"note: the dev file {dev_file} is the training file itself: the epoch is "
                                        "chosen and the scores measured on sentences the model learnt")
    cfg = TrainConfig(mix=mix, select_sample=o["select_sample"], base=o["base"], lora=o["lora"], train_word_embeddings=o["train_word_embeddings"],
                      epochs=o["epochs"] or 20,
                      lr=o["lr"] if o["lr"] is not None else (5e-4 if o["lora"] else 1e-4), head_lr=o["head_lr"],
                      batch_size=o["batch_size"], case_features=o["case_features"], patience=o["patience"],
                      seed=o["seed"], max_minutes=o["max_minutes"], device=o["device"], num_threads=o["threads"])
    t0 = time.time()
    with _Bar() as bar:
        _encoder, report = train(cfg, train_ex, dev, out_dir=o["out"], progress=bar, resume=o["resume"],
                                 overwrite=o["overwrite"])
    con.print(f"model saved to {o['out']} ({time.time() - t0:.0f} s, best epoch {report['best_epoch']}, "
              f"{report['stopped']})")
    if report.get("too_wide"):
        con.print(f"note: {report['too_wide']} entit(y/ies) wider than {report['config']['max_width']} words "
                  "not trained on (no span that wide is a candidate; the model cannot predict them)")
    if "dev" in report:
        _print_scores(report["dev"], f"dev scores ({', '.join(str(d) for d in dev_files) or 'manifest'})",
                      entity_only=not report["dev"]["relation_strict"]["micro"]["gold"])
        for name, f in report.get("dev_by_source", {}).items():
            con.print(f"  dev {name}: entity F1 {f['entity_f1']:.2f}, relation F1 {f['relation_f1']:.2f}")
    cal = report.get("calibration")
    if cal:
        con.print(f"calibration on dev: entity ECE {cal['ece_before']['entity_ece']:.4f} -> "
                  f"{cal['ece_after']['entity_ece']:.4f}, relation ECE {cal['ece_before']['relation_ece']:.4f} -> "
                  f"{cal['ece_after']['relation_ece']:.4f}; relation threshold {cal['relation_threshold']:.2f}")


def _dev_examples(path: Path) -> list[Any]:
    """The --dev examples; EncoderError KGA331 for a dev file without a sentence (it would be
    dropped without a word: no epoch chosen, no calibration, no scores)."""
    from kgagent.encoder.data import read_examples
    from kgagent.errors import EncoderError, Location

    examples = read_examples(path)
    if not examples:
        raise EncoderError("the --dev file has no sentences: nothing to choose the epoch on or score",
                           code="KGA331", location=Location(str(path), 1))
    if not any(ex.entities for ex in examples):  # every F1 would be 0: the first epoch always "best"
        raise EncoderError("the --dev file marks no entity: every dev F1 would be 0, nothing to choose the epoch "
                           "on or score", code="KGA331", location=Location(str(path), 1))
    return examples


def _print_scores(metrics: dict[str, Any], title: str, entity_only: bool = False) -> None:
    table = Table(title=title)
    for c in ("task", "type", "gold", "pred", "correct", "P", "R", "F1"):
        table.add_column(c, justify="right" if c not in ("task", "type") else "left")
    parts = [("entity", "entity (strict)")]
    if not entity_only:
        parts += [("relation_strict", "relation (strict)"), ("relation_boundaries", "relation (boundaries)")]
    for key, name in parts:
        m = metrics[key]
        for typ, s in list(m["per_type"].items()) + [("micro", m["micro"])]:
            table.add_row(name if typ == "micro" else "", typ, str(s["gold"]), str(s["pred"]), str(s["correct"]),
                          f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}",
                          style="bold" if typ == "micro" else None)
    console().print(table)


def evaluate_cmd(
    data: Path = typer.Argument(..., help="Gold data: SpERT JSON, CoNLL columns or feedback JSONL."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the shipped model)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    quantize: bool = typer.Option(False, "--quantize", help="int8 dynamic quantisation (CPU)."),
    precision: str = typer.Option("float32", "--precision", help="float32, bfloat16 or auto (bfloat16 "
                                  "where the hardware makes it the faster, as kgagent extract does)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    threads: Optional[int] = typer.Option(None, "--threads", min=0, help="CPU threads (default or 0: all cores)."),
    domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " Gold and predicted labels are "
                                          "compared as its ontology's names (CoNLL-2003's PER and the model's "
                                          "Peop are one class)."),
) -> None:
    """Strict entity F1 and relation F1 (strict, boundaries), micro and per type, of MODEL on DATA.

    Labels are compared through the domain's label map, per type as ontology names; a symmetric
    relation of the ontology is scored once per pair.

    Example: kgagent evaluate conll04_test.json ;  kgagent evaluate test.json --domain my_domain/
    """
    dom = open_domain(domain, need_model=model is None)
    with guarded():
        from kgagent.encoder.data import read_examples
        from kgagent.encoder.pretrained import Encoder
        from kgagent.encoder.scoring import evaluate_in_domain

        _threads(threads)
        gold = read_examples(data)
        if not gold:  # F1 over nothing is no score of the model
            from kgagent.errors import EncoderError, Location

            raise EncoderError("no sentences to evaluate on", code="KGA331", location=Location(str(data), 1))
        if domain is not None:  # without --domain, labels the default domain does not know compare as written
            dom.check_data_labels(gold, data)
        enc = Encoder.from_pretrained(model if model is not None else dom.model_dir(), quantize=quantize,
                                      precision=precision)
        if domain is not None:
            dom.check_model_labels(enc.config.entity_labels, enc.config.relation_labels,
                                   f"the model {enc.name_or_path}")
        t0 = time.time()
        pred = enc.predict_examples(gold, batch_size=batch_size)
        seconds = time.time() - t0
        symmetric = {r.name for r in dom.ontology.relations.values() if r.symmetric}  # scored once per pair
        # through the data set's scheme: a class it never marks is not the model's error
        # (CoNLL-2003 marks no dates, CoNLL04 no "misc")
        metrics = evaluate_in_domain(gold, pred, dom.labels.normalize, symmetric)
        unscored = metrics["unscored"]
        entity_only = not any(ex.relations for ex in gold)
        metrics.update(model=enc.name_or_path, data=str(data), seconds=seconds, entity_only=entity_only,
                       precision=enc.effective_precision(), domain=dom.name)
        # gold labels the model cannot predict (as the domain names them): every one is a miss
        from kgagent.encoder.data import labels_of

        has = {dom.labels.normalize(x) for x in [*enc.config.entity_labels, *enc.config.relation_labels]}
        lacks = sorted({x for part in labels_of(gold) for x in part if dom.labels.normalize(x) not in has})
        metrics["labels_model_lacks"] = lacks
        if as_json:
            print(json.dumps(metrics, indent=2))
            return
        kind = "CoNLL-2003 style entity F1" if entity_only else "strict micro F1"
        _print_scores(metrics, f"{data} ({len(gold)} sentences, {kind}; model {enc.name_or_path}, "
                               f"{enc.effective_precision()})",
                      entity_only=entity_only)
        if lacks:
            console().print(f"note: gold labels the model does not have (each one scored as missed): {', '.join(lacks)}")
        if unscored:
            console().print("not scored (classes this data set does not mark): "
                            + ", ".join(f"{k} {v}" for k, v in sorted(unscored.items())))
        console().print(f"{len(gold) / max(seconds, 1e-9):.1f} sentences/s")


__all__ = ["register", "train_cmd", "evaluate_cmd"]
