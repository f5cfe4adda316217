"""``kgagent rules tune``: the agent's F1 on gold data for each value of the rule files' thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from kgagent.process_heap import loaded_heap
from kgagent_cli.common import (DOMAIN_HELP, EXIT_ERRORS, EXIT_USAGE, GRAPH_DIR_HELP, MODEL_DIR_HELP, RULES_DIR_HELP,
                                 console, fail, guarded, open_domain)


def tune_cmd(
    gold: Path = typer.Argument(..., help="Gold data of a dev split (never tune on test): SpERT JSON, a "
                                          "document per record, or a CoNLL column file, a document per "
                                          "-DOCSTART- (entities only)."),
    threshold: list[str] = typer.Option(..., "--threshold", "-t",
                                        help="NAME=V1,V2,... : values to try for a threshold the rule files set "
                                             "(threshold(NAME, V) facts); repeat for several (every combination "
                                             "is tried)."),
    domain: Path | None = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its label map reads GOLD's labels."),
    rules: Path | None = typer.Option(None, "--rules", help=RULES_DIR_HELP),
    kg: Path | None = typer.Option(None, "--graph", "-g", help=GRAPH_DIR_HELP),
    model: Path | None = typer.Option(None, "--model", help=MODEL_DIR_HELP),
    min_relation_score: float = typer.Option(0.2, "--min-relation-score", min=0.0, max=1.0,
                                             help="As `kgagent extract`: the rules see relations down to this "
                                                  "score (tune with the options you extract with)."),
    no_joint: bool = typer.Option(False, "--no-joint", help="As `kgagent extract --no-joint`."),
    precision: str = typer.Option("auto", "--precision", help="As `kgagent extract --precision`."),
    memory: Path | None = typer.Option(None, "--memory", help="As `kgagent extract --memory`: an earlier run's "
                                                              "output directory (or its decisions.jsonl)."),
    limit: int = typer.Option(0, "--limit", min=0, help="Only the first N documents of GOLD (0: all)."),
    threads: int = typer.Option(0, "--threads", min=0, help="Torch CPU threads (0: the machine's cores)."),
    json_out: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """Strict entity and relation F1 on GOLD for every combination of threshold values.

    The encoder and the linker run once; each combination re-runs the rules with the rule files'
    threshold facts replaced (CoNLL04 dev: 9 combinations in 21 s). The rule files' own values
    are always among the rows (marked *); the first row is the encoder alone (every mention it
    proposed, every relation at its own threshold), what the rules are there to beat.

    Example: kgagent rules tune ../shared/data/conll04/conll04_dev.json -t entity_accept=0.3,0.35,0.4

    Exit 0 = done, 1 = bad gold data, an unknown threshold or rules with errors, 2 = usage or I/O
    failure.
    """
    from kgagent.agent import Agent
    from kgagent.domain import rule_path_shown
    from kgagent.thresholds import check_ranges
    from kgagent.tuning import best, gain_interval, parse_grid, read_gold, tune
    from kgagent_cli.agent_cmd import _check_paths, print_rule_report, rule_errors_line

    _check_paths(rules, kg, model)
    if not gold.is_file():
        raise fail(f"KGA502 no such gold file: {gold}", EXIT_USAGE)
    with guarded(EXIT_USAGE):
        grid = parse_grid(threshold)
        check_ranges(grid)  # before the model is loaded: a value no rule file may hold (KGA126)
        mem = None
        if memory is not None:
            from kgagent.memory import TypeMemory

            mem = TypeMemory.load(memory)
    dom = open_domain(domain, need_model=model is None)
    rules_dir = [rule_path_shown(p) for p in dom.rules_with(rules)]  # what the agent reads
    if errors := print_rule_report(rules_dir):
        raise fail(rule_errors_line(errors, "tuning"), EXIT_ERRORS)
    with guarded(EXIT_USAGE):  # a grid with no valid band (every X_review above X_accept): before the model loads
        from kgagent.domain import rule_display_name
        from kgagent.rules import load_rules
        from kgagent.thresholds import threshold_values
        from kgagent.tuning import valid_combinations

        valid_combinations(grid, threshold_values(load_rules(rules_dir, display=rule_display_name)))
    if threads:
        import torch

        torch.set_num_threads(threads)
    symmetric = [n for n, rel in dom.ontology.relations.items() if rel.symmetric]
    with guarded(EXIT_ERRORS):
        gold_set = read_gold(gold, dom.labels.normalize, symmetric, limit=limit)
        with loaded_heap():
            agent = Agent.load(model=model, kg=kg, rules=rules, domain=str(dom.root),
                               min_relation_score=min_relation_score, precision=precision, joint=not no_joint,
                               memory=mem)
        report = tune(agent, gold_set, grid)
    if json_out:
        print(json.dumps(report.to_dict(), indent=2))
        return
    rows = report.rows
    con = console()  # wide in a pipe or a file: the table is not squeezed
    names = list(grid)
    kinds = ("entity", "relation") if gold_set.relations else ("entity",)  # a CoNLL file has no relations
    n_docs = len(gold_set.documents)
    table = Table(title=f"{n_docs} document{'' if n_docs == 1 else 's'} of {gold}: {len(gold_set.entities)} gold "
                        f"entities, {len(gold_set.relations)} gold relations (strict F1; * = the rule files' values)")
    for n in names:
        table.add_column(n, justify="right")
    for kind in kinds:
        for col in ("P", "R", "F1"):
            table.add_column(f"{kind} {col}", justify="right")
    table.add_column("accepted", justify="right")
    top = {kind: best(rows, kind) for kind in kinds}
    encoder = {"entity": report.encoder_entity, "relation": report.encoder_relation}

    def cells(scores: dict, bold: dict) -> list[str]:
        return [c for kind in kinds for c in (f"{scores[kind].precision:.2f}", f"{scores[kind].recall:.2f}",
                                              _bold(f"{scores[kind].f1:.2f}", bold.get(kind, False)))]

    table.add_row(*(["encoder alone"] + ["-"] * (len(names) - 1)), *cells(encoder, {}), "-", end_section=True)
    for r in rows:
        mark = "*" if r.current else ""
        accepted = r.verdicts.get("accept", 0) + r.verdicts.get("repair", 0)
        table.add_row(*(f"{r.values[n]:g}{mark}" for n in names),
                      *cells({"entity": r.entity, "relation": r.relation}, {k: r is top[k] for k in kinds}),
                      str(accepted))
    con.print(table)
    if report.skipped:
        con.print(f"skipped {len(report.skipped)} combination(s), not scored: a review threshold above its accept "
                  f"threshold (e.g. {report.skipped[0]['why']}) would accept and reject a score between them")
    now = next(r for r in rows if r.current)
    for what in reversed(kinds):  # relations first, where there are any
        row = top[what]
        gain = getattr(row, what).f1 - getattr(now, what).f1
        if gain <= 0:
            con.print(f"{what} F1: no values tried beat the rule files' own ({getattr(now, what).f1:.2f})")
            continue
        sure = gain_interval(gold_set, now, row, what)
        verdict = ("it holds in most draws" if sure["low"] > 0 else
                   "the interval holds no gain too: a few decisions, maybe noise; check it on more data")
        con.print(f"best {what} F1 {getattr(row, what).f1:.2f} ({gain:+.2f}) with "
                  + "  ".join(f"threshold({n}, {row.values[n]:g})." for n in names if row.values[n] != now.values[n])
                  + f"  95 % interval of the gain [{sure['low']:+.2f}, {sure['high']:+.2f}] (paired bootstrap over "
                  f"the {n_docs} documents): {verdict}")


def _bold(text: str, on: bool) -> "str | Text":
    return Text(text, style="bold") if on else text


def register(app: typer.Typer) -> None:
    """Add ``tune`` to the ``rules`` app."""
    app.command("tune")(tune_cmd)
