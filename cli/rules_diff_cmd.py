"""``kgagent rules diff BEFORE AFTER``: what an edit of the rules (or a new model) changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

from kgagent_cli.common import DOMAIN_HELP, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, console, fail, guarded, open_domain

if TYPE_CHECKING:
    from kgagent.decision_diff import Outcome


def _outcome(o: Outcome) -> str:
    """One run's decision in words: verdict, label, link, reason and rule."""
    link = ""
    if o.entity:
        link = f" -> {o.entity_label or o.entity.rsplit('/', 1)[-1]}"
    reason = f": {o.reason}" if o.reason else ""
    rule = f"  [{o.rule}]" if o.rule else ""
    return f"{o.verdict} as {o.label}{link}{reason}{rule}"


def rules_diff(
    before: Path = typer.Argument(..., help="The --out directory (or decisions.jsonl) of the run before the edit."),
    after: Path = typer.Argument(..., help="The --out directory (or decisions.jsonl) of the run after it."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Compare only entity or only relation decisions."),
    limit: int = typer.Option(30, "--limit", help="Changed candidates to list (0: none, only the counts)."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole comparison as JSON."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when anything changed (for scripts and CI)."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold SpERT JSON of the corpus (record id = document "
                                        "id, as `rules stats --gold` reads it): each change judged better or worse."),
    domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its label map reads --gold's "
                                          "labels."),
) -> None:
    """What changed between two runs over one corpus: each candidate decided otherwise (verdict,
    label after repairs, linked entity, reason), with the rule and reason on each side.

    Candidates are paired by decision id, and where the encoder labelled a span otherwise (a new
    model), by document and span. A candidate decided alike for the same reason by a rule whose
    id moved (an edit above it) is not a change: it is counted apart. With --gold, or the answers
    of `kgagent review` stored with BEFORE, each change is better (the after run is right about
    the candidate, the before run was not), worse or alike, and the true and false positives the
    changes add or remove are counted (gold of dev data, never test).

    Examples: kgagent extract corpus.txt --out out-2/ --rules my-rules/ ;
    kgagent rules diff out/ out-2/ ;  kgagent rules diff out/ out-2/ --kind relation --limit 100

    Exit 0 = compared (with --exit-code: nothing changed), 1 = changes with --exit-code, or a
    missing or bad decisions or gold file, 2 = bad options.
    """
    from kgagent.decision_diff import ReviewedTruth, diff_decisions

    if kind is not None and kind not in ("entity", "relation"):
        raise fail(f"--kind must be entity or relation, not {kind!r}", EXIT_USAGE)
    if limit < 0:
        raise fail("--limit must be 0 or more", EXIT_USAGE)
    with guarded(EXIT_ERRORS):
        if gold is not None:
            from kgagent.rule_stats import Gold

            truth, judge = Gold.load(gold, open_domain(domain).labels.normalize), "gold"
        else:  # the answers of `kgagent review` about BEFORE, if any
            truth, judge = ReviewedTruth.of(before), "reviewers"
        diff = diff_decisions(before, after, truth, judge, kind=kind)
    changes = diff.changes
    if as_json:
        print(json.dumps(diff.to_dict(), indent=1, ensure_ascii=False))
        raise typer.Exit(EXIT_ERRORS if exit_code and diff.changes else EXIT_OK)
    con = console()
    if not con.is_terminal:
        con.width = max(con.width, 160)
    con.print(f"before: {diff.before} ({diff.n_before} decisions); after: {diff.after} "
              f"({diff.n_after} decisions)")
    if diff.differs_in is not None:
        con.print("the runs were made with other " + ", ".join(diff.differs_in) if diff.differs_in
                  else "the runs were made with the same rules, model, graph and domain")
    if diff.docs_only_before or diff.docs_only_after:
        con.print(f"note: the runs cover different documents ({diff.docs_only_before} only before, "
                  f"{diff.docs_only_after} only after): are they of one corpus?")
    counts = ", ".join(f"{a} {diff.count(a)}" for a in ("verdict", "label", "link", "reason"))
    con.print(f"changed {len(diff.changes)} candidates ({counts}; only before {diff.count('only before')}, "
              f"only after {diff.count('only after')}); unchanged {diff.unchanged}"
              + (f", of which {diff.renumbered} decided for the same reason by a rule of another id "
                 "(a line that moved, or a rule given a name)" if diff.renumbered else ""))
    if diff.judge:
        effects = diff.effects
        judge = "gold" if diff.judge == "gold" else "the reviewers' answers about BEFORE"
        con.print(f"against {judge}: " + ", ".join(f"{effects.get(e, 0)} {e}" for e in ("better", "worse", "alike",
                                                                                   "not judged")))
        for k in (kind,) if kind else ("relation", "entity"):
            tp, fp = diff.output_delta(k)
            con.print(f"  {k} output: true positives {tp:+d}, false positives {fp:+d}")
    transitions = sorted(diff.transitions.items())
    if transitions:
        table = Table(title="verdicts, before -> after")
        for name in ("kind", "before", "after"):
            table.add_column(name)
        table.add_column("candidates", justify="right")
        for (k, b, a), n in transitions:
            table.add_row(k, b, a, str(n))
        con.print(table)
    for c in changes[:limit]:
        where = f"{c.doc}" + (f", sentence {c.sentence}" if c.sentence is not None else "")
        what = ", ".join(c.aspects) or ("only before" if c.after is None else "only after")
        if diff.judge:
            what += f"; {diff.judge}: {c.effect or 'not judged'}"
        con.print(f"{c.kind} {c.text} in {where} ({what})")
        con.print(f"    before: {_outcome(c.before) if c.before else '(no such candidate)'}")
        con.print(f"    after:  {_outcome(c.after) if c.after else '(no such candidate)'}")
    if len(changes) > limit:
        con.print(f"... {len(changes) - limit} more (--limit {len(changes)} lists them all)")
    raise typer.Exit(EXIT_ERRORS if exit_code and diff.changes else EXIT_OK)


def register(app: typer.Typer) -> None:
    """Add ``diff`` to the ``rules`` app."""
    app.command("diff")(rules_diff)
