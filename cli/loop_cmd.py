"""The feedback loop's commands: ``kgagent feedback prune``, ``kgagent rules stats`` and the
``--rounds K`` part of ``kgagent train`` (:func:`train_rounds`)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from kgagent_cli.common import DOMAIN_HELP, EXIT_USAGE, console, fail, guarded, open_domain

feedback_app = typer.Typer(help="Inspect and clean the feedback the agent wrote for training.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``feedback`` command group to the main app."""
    app.add_typer(feedback_app, name="feedback")


def register_rules(app: typer.Typer) -> None:
    """Add ``stats`` to the ``rules`` app."""
    app.command("stats")(rules_stats)


# --------------------------------------------------------------------------- feedback prune


@feedback_app.command("prune")
def feedback_prune(
    feedback: Path = typer.Argument(..., help="feedback.jsonl written by `kgagent extract --out DIR`."),
    rule: str = typer.Option(..., "--rule", help="The rule whose examples go, as FILE:NAME (or FILE:LINE for a rule without a name)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write here instead of rewriting FEEDBACK."),
    decisions: Optional[Path] = typer.Option(
        None, "--decisions", help="decisions.jsonl with the proofs (default: beside FEEDBACK)."),
) -> None:
    """Remove every feedback example whose proof used RULE; rewrites the file atomically."""
    from kgagent.loop import prune_feedback

    if out is not None:  # an output that cannot be written is exit 2 (as every --out), the input's errors 1
        from kgagent.loop import check_prune_out

        with guarded(EXIT_USAGE):
            check_prune_out(out)
    with guarded():
        result = prune_feedback(feedback, rule, out=out, decisions=decisions)
    con = console()
    con.print(f"removed {result.removed} example label(s) proved with {rule}"
              + (f", and {result.dependent} relation(s) whose argument went with them" if result.dependent else "")
              + f"; {result.kept} kept, {result.sentences_dropped} sentence(s) left empty dropped -> {result.path}")
    if result.reviewed:
        con.print(f"kept {result.reviewed} label(s) reviewers judged on decisions {rule} made: "
                  "their answers, not the rule, justify them")
    if result.reviewed_dropped:  # (a reviewer's label that went must never read as kept)
        con.print(f"dropped {result.reviewed_dropped} relation label(s) reviewers judged, all the same: an argument "
                  f"entity went with {rule} (a relation names two entities of its sentence); judge those "
                  "arguments on the review page and export again to keep them")
    if not result.rule_seen:
        con.print(f"note: no decision's proof uses {rule}; check FILE:NAME or FILE:LINE (see `kgagent rules stats`)")


# --------------------------------------------------------------------------- rules stats


def rules_stats(
    out: Path = typer.Option(..., "--out", help="The --out directory of a `kgagent extract` run."),
    gold: Optional[Path] = typer.Option(
        None, "--gold", help="Gold SpERT JSON aligned to the documents (record id = document id)."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    top: int = typer.Option(20, "--top", min=0, help="Disagreements to list."),
    domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its label map reads --gold's "
                                          "labels."),
) -> None:
    """How often each rule fired, what it decided alone, disagreements and (with --gold, or the
    answers of `kgagent review` in OUT/reviews.sqlite) precision."""
    from kgagent.rule_stats import review_rule_stats, rule_stats

    normalize = open_domain(domain).labels.normalize
    with guarded():
        report = rule_stats(out, gold=gold, normalize=normalize) if gold is not None or not (out / "reviews.sqlite").is_file() \
            else review_rule_stats(out)
    if json_out:
        print(json.dumps(report.to_dict(), indent=2))
        return
    con = console()
    if not con.is_terminal:
        con.width = max(con.width, 160)  # a pipe or file: do not squeeze the table
    table = Table(title=f"rules over {report.decisions} decisions "
                        + ", ".join(f"{k} {v}" for k, v in sorted(report.by_verdict.items())))
    table.add_column("rule", no_wrap=True, min_width=max([len(s.rule) for s in report.rules] + [4]))
    for name in ("fired", "decisions", "accept", "reject", "review", "alone"):
        table.add_column(name, justify="right")
    if report.gold:
        table.add_column("judged", justify="right")
        table.add_column("precision", justify="right")
    for stat in report.rules:
        row = [stat.rule, str(stat.fired), str(stat.decisions),
               *(str(stat.verdicts.get(v, 0)) for v in ("accept", "reject", "review")),
               str(stat.decided_alone)]
        if report.gold:
            row += [str(stat.judged), "-" if stat.precision is None else f"{stat.precision:.3f}"]
        table.add_row(*row)
    con.print(table)
    if report.gold:
        for verdict in ("accept", "reject"):
            total = report.by_verdict.get(verdict, 0)
            right = report.gold_correct_by_verdict.get(verdict, 0)
            judged = report.judged_by_verdict.get(verdict, 0)
            if total:
                con.print(f"{verdict}: {right}/{judged} right by {report.judge}"
                          + (f" ({right / judged:.3f})" if judged else "")
                          + (f"; {total - judged} of {total} not judged" if judged < total else ""))
    con.print(f"disagreements (accept and reject of one candidate): {len(report.disagreements)}")
    for d in report.disagreements[:top]:
        con.print(f"  {d.decision} {d.kind} {d.label} '{d.text}' -> {d.verdict}; "
                  f"accept by {', '.join(d.accept_rules) or '?'}; reject by {', '.join(d.reject_rules) or '?'}")


# --------------------------------------------------------------------------- train --rounds K

_ALIASES = {
    "train": ("train", "train_path", "data", "gold", "train_data"),
    "dev": ("dev", "dev_path", "dev_data"),
    "unlabelled": ("unlabelled", "unlabeled", "unlabelled_path", "corpus"),
    "out": ("out", "out_dir", "output"),
    "rules": ("rules", "rules_dir"),
    "kg": ("kg", "kg_dir", "graph"),
}


def _opt(options: dict[str, Any], key: str) -> Any:
    for name in _ALIASES.get(key, (key,)):
        if options.get(name) is not None:
            return options[name]
    return None


def train_rounds(**options: Any) -> dict[str, Any]:
    """``kgagent train --rounds K``: the self-training loop, called by the train command.

    Uses: train (labelled data; or gold), dev, unlabelled (texts), out, rounds, seed, threads,
    model (start from this model instead of training round 0), every option whose name is a
    TrainConfig field (base, lora, epochs, lr, patience, max_minutes, ...); loop settings
    ``loop_mode`` (kgagent|plain), ``threshold``, ``restart`` (base|continue),
    ``round_patience``, ``select_on``, ``feedback_weight``, ``control`` (train a gold-only
    control each round and keep feedback only if it beats it); rules and kg paths for the agent. Prints a table of the rounds and
    returns the loop's figures. Errors are one line on stderr and exit code 1 or 2.
    """
    with guarded():
        return _train_rounds(options)


def _train_rounds(options: dict[str, Any]) -> dict[str, Any]:
    paths = {k: _opt(options, k) for k in ("train", "dev", "unlabelled")}
    for key, flag in (("train", "the labelled training data"), ("dev", "--dev"), ("unlabelled", "--unlabelled")):
        if paths[key] is None:
            raise fail(f"KGA465 --rounds needs {flag} (the loop {'chooses rounds on dev' if key == 'dev' else 'needs it'})",
                       EXIT_USAGE)
        if not Path(paths[key]).exists():
            raise fail(f"KGA502 no such file or directory: {paths[key]}", EXIT_USAGE)
    out = _opt(options, "out")
    if out is None:
        raise fail("KGA465 --rounds needs --out DIR for the rounds' models and feedback", EXIT_USAGE)
    overwrite = options.get("overwrite") is True
    from kgagent.loop import check_no_loop_output, recover_loop_model

    with guarded(EXIT_USAGE):
        recover_loop_model(out)  # a swap of model/ cut short: the whole model it left is put back first
        if not overwrite:  # an earlier run's rounds and model: refused before anything is read or trained
            check_no_loop_output(out)
    # (with --overwrite the loop removes that output once the data is read, and says what it removed)
    rules, kg = _opt(options, "rules"), _opt(options, "kg")
    # the agent labels from round 1 on: what it reads is checked before round 0 trains, not after
    if isinstance(rules, (str, Path)) and not Path(rules).exists():
        raise fail(f"KGA408 no such rules directory: {rules}", EXIT_USAGE)
    if isinstance(kg, (str, Path)) and not Path(kg).exists():
        raise fail(f"KGA409 no such graph directory or file: {kg}", EXIT_USAGE)
    from kgagent.encoder.data import read_examples
    from kgagent.encoder.train import TrainConfig
    from kgagent.loop import LoopConfig, default_labeller, read_unlabelled, run_loop

    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    cfg_kwargs = {k: v for k, v in options.items() if k in fields and v is not None}
    if options.get("threads") and "num_threads" in fields:
        cfg_kwargs.setdefault("num_threads", options["threads"])
    train_cfg = TrainConfig(**cfg_kwargs)
    # `patience` belongs to the trainer (epochs); the loop's is `round_patience`
    loop_kwargs = {"rounds": int(options.get("rounds") or 0)}
    for src, dst in (("loop_mode", "mode"), ("mode", "mode"), ("threshold", "threshold"),
                     ("restart", "restart"), ("round_patience", "patience"), ("select_on", "select_on"),
                     ("feedback_weight", "feedback_weight"), ("seed", "seed"), ("control", "control"),
                     ("loop_control", "control")):
        if options.get(src) is not None and dst not in loop_kwargs:
            loop_kwargs[dst] = options[src]
    with guarded(EXIT_USAGE):  # bad loop settings are a usage error (exit 2), as bad training settings are
        loop_cfg = LoopConfig(**loop_kwargs)
    if loop_cfg.mode != "plain":  # the agent's rules are read now as round 1's will be (errors refused)
        from kgagent.agent import load_agent_rules
        from kgagent.domain import Domain

        load_agent_rules(Domain.load(options.get("domain")), rules)
    initial = None
    if options.get("model") is not None:  # start from this model instead of training round 0
        from kgagent.encoder import Encoder

        initial = Encoder.from_pretrained(options["model"])
    gold = list(read_examples(paths["train"]))
    dev = list(read_examples(paths["dev"]))
    from kgagent_cli.agent_cmd import _warn_empty

    warned: set[str] = set()  # a folder's empty files are left out with a warning, as extract's are
    docs = read_unlabelled(paths["unlabelled"], on_empty=lambda f: _warn_empty([f], warned))
    con = console(stderr=True)
    labeller = default_labeller(loop_cfg, rules=rules, kg=kg, domain=options.get("domain"))
    result = run_loop(train_cfg, gold, dev, docs, loop_cfg, out, labeller=labeller, initial=initial,
                      progress=lambda msg: con.print(msg), overwrite=overwrite)
    table = Table(title=f"feedback loop ({loop_cfg.mode}, restart from {loop_cfg.restart}); "
                        f"best round {result.best_round} -> {Path(out) / 'model'}")
    columns = ["round", f"dev {loop_cfg.select_on} F1", "feedback entities", "feedback relations",
               "negatives", "seconds"]
    if loop_cfg.control:
        columns.insert(2, "gold-only control")
    for name in columns:
        table.add_column(name, justify="right")
    for r in result.rounds:
        fb = r.feedback
        row = [("* " if r.round == result.best_round else "") + str(r.round), f"{r.score:.4f}",
               str(fb.get("entities", "-")), str(fb.get("relations", "-")),
               str(fb.get("negative_entities", 0) + fb.get("negative_relations", 0)) if fb else "-",
               f"{r.seconds:.0f}"]
        if loop_cfg.control:
            row.insert(2, "-" if r.control_score is None else
                       f"{r.control_score:.4f}" + ("" if r.used_feedback else " (kept)"))
        table.add_row(*row)
    console().print(table)
    if result.stopped_early:
        console().print(f"stopped early: dev F1 did not rise for {loop_cfg.patience} round(s)")
    return result.to_dict()
