"""``kgagent facts``: what the graph holds about names, and where each fact came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from kgagent.errors import visible
from kgagent.process_heap import loaded_heap
from kgagent_cli.agent_cmd import _check_paths
from kgagent_cli.common import (DOMAIN_HELP, EXIT_ERRORS, EXIT_USAGE, GRAPH_DIR_HELP, WITH_GRAPHS_HELP,
                                 check_graph_paths, console, fail, guarded, open_domain)

if TYPE_CHECKING:
    from kgagent.facts import FactsAnswer


def facts_cmd(
    head: str | None = typer.Option(None, "--head", help="The name (or IRI) of the facts' head."),
    predicate: str | None = typer.Option(None, "--predicate", "-p", help="A relation of the domain's ontology "
                                         "(default: any)."),
    tail: str | None = typer.Option(None, "--tail", help="The name (or IRI) of the facts' tail."),
    domain: Path | None = typer.Option(None, "--domain", help=DOMAIN_HELP),
    kg: Path | None = typer.Option(None, "--graph", "-g", help=GRAPH_DIR_HELP),
    also: list[Path] = typer.Option([], "--with", help=WITH_GRAPHS_HELP.format(what="Read")),
    limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many facts (the count is of all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as one JSON object (the links, every "
                                 "fact and its sources) instead of the table."),
) -> None:
    """What the graph holds about names, and where each fact came from.

    Each name is linked as a claim's is (`kgagent validate`): as the kind the predicate makes it.
    A fact's source is "graph" (the curated graph) or each sentence an extraction accepted it
    from: document, sentence, score, rule and decision (`kgagent explain ID --out OUT`).

    Examples: kgagent facts --head Boston ; kgagent facts -p capital --tail Paris ;
    kgagent facts -p work_for --tail "Time Warner" --with out/

    Exit 0 = answered (facts found or not), 2 = nothing asked, an unknown predicate or a missing
    graph.
    """
    if not any(x and x.strip() for x in (head, predicate, tail)):
        raise fail("KGA417 ask about something: --head NAME, --tail NAME and/or --predicate P", EXIT_USAGE)
    _check_paths(None, kg, None)
    check_graph_paths(also)
    dom = open_domain(domain)
    with loaded_heap():  # one question: its names' linking is part of the start
        with guarded(EXIT_ERRORS):
            from kgagent.agent import Agent

            agent = Agent.load(kg=kg, domain=str(dom.root))
            if also:
                agent.add_graphs(also)
        with guarded(EXIT_USAGE):
            answer = agent.facts(head, predicate, tail)
    if as_json:
        out = answer.to_dict()
        out["facts"] = out["facts"][:limit]
        out["total"] = len(answer.facts)
        print(json.dumps(out, ensure_ascii=False))
        return
    _report(answer, limit)


def _report(answer: "FactsAnswer", limit: int) -> None:
    """The links of the names asked about, then the facts and their sources as a table."""
    con = console()
    for role, lk in (("head", answer.head), ("tail", answer.tail)):
        if lk is None:
            continue
        if lk.is_nil:  # of a kind only where a predicate gave one: the name alone found nothing
            kind = " of the kind asked" if answer.predicate else ""
            con.print(visible(f"{role} {lk.mention!r}: the graph knows no such entity{kind}"))
        else:
            label = next((c.label for c in lk.candidates if c.entity == lk.entity), None) or lk.entity
            con.print(visible(f"{role} {lk.mention!r} -> {label} ({lk.entity}; {lk.method}, {lk.score:.2f})"))
    facts = answer.facts
    if not facts:
        con.print("no facts")
        return
    table = Table(title=f"{len(facts)} fact{'' if len(facts) == 1 else 's'}"
                        + (f" (the first {limit})" if len(facts) > limit else ""))
    # labels and document ids come from graphs and corpora: their control characters are shown, inert
    rows = [(visible(f"{f.predicate}({f.subject_label}, {f.object_label})"),
             "\n".join((["graph"] if f.curated else []) + [
                 visible(f"{p.doc} sentence {p.sentence}, {p.score:.3f}, {p.rule} ({p.decision})") for p in f.sources]))
            for f in facts[:limit]]
    # the fact is what was asked: kept on one line where it fits (the sources fold)
    table.add_column("fact", overflow="fold", min_width=min(max(len(r[0]) for r in rows), 48))
    table.add_column("source", overflow="fold")
    for fact, sources in rows:
        table.add_row(fact, sources)
    con.print(table)


def register(app: typer.Typer) -> None:
    """Add ``kgagent facts`` to the main app."""
    app.command("facts")(facts_cmd)
