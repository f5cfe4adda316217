"""``kgagent validate``: claims checked against the graph and the rules, from a terminal."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import typer
from rich.table import Table

from kgagent.process_heap import loaded_heap
from kgagent_cli.agent_cmd import _check_paths, print_rule_report, rule_errors_line
from kgagent_cli.common import (DOMAIN_HELP, EXIT_ERRORS, EXIT_USAGE, GRAPH_DIR_HELP, RULES_DIR_HELP, check_out_place,
                                 WITH_GRAPHS_HELP, check_graph_paths, console, fail, guarded, open_domain)

#: claims checked together (one rule evaluation each batch; the file is read and written as it goes)
BATCH = 256


def validate_cmd(
    claims: Path = typer.Argument(..., help="A file of claims, one per line: head<TAB>predicate<TAB>tail[<TAB>score], "
                                            "or JSON Lines (.jsonl: objects with head, predicate, tail, optionally "
                                            "score, head_type, tail_type); - = stdin."),
    out: Path | None = typer.Option(None, "--out", help="Also write each claim's decision, with its proof, as JSON "
                                                        "Lines to this file (`kgagent explain ID --out FILE` reads "
                                                        "it); - = stdout (the table then goes to stderr)."),
    explain: bool = typer.Option(False, "--explain", help="Print each shown claim's explanation (its proof in "
                                                          "words) after the table."),
    show: int = typer.Option(50, "--show", min=0, help="Show this many claims in the table (the counts are of "
                                                       "all of them)."),
    domain: Path | None = typer.Option(None, "--domain", help=DOMAIN_HELP),
    rules: Path | None = typer.Option(None, "--rules", help=RULES_DIR_HELP),
    kg: Path | None = typer.Option(None, "--graph", "-g", help=GRAPH_DIR_HELP),
    also: list[Path] = typer.Option([], "--with", help=WITH_GRAPHS_HELP.format(what="Check against")),
) -> None:
    """Check claims (an LLM's answers, a table's rows) against the graph and the rules.

    Each claim is accepted when the graph confirms it, rejected when the graph or the rules
    contradict it, sent to review otherwise, with the reason and the deciding rule. Needs no
    model: nothing is read from text.

    Examples: printf 'Paris\\tcapital\\tFrance\\n' | kgagent validate - --explain ;
    kgagent validate claims.tsv --with out/   (also against what `kgagent extract` accepted into out/)

    Exit 0 = checked (whatever the verdicts), 1 = a bad claims file (file:line: what is wrong)
    or rules with errors, 2 = a missing file (or a directory given as the claims file), rules or
    graph directory, or an unwritable --out.
    """
    from kgagent.claims import read_claims
    from kgagent.domain import rule_path_shown

    if str(claims) != "-" and not claims.exists():
        raise fail(f"KGA407 no such file of claims: {claims}", EXIT_USAGE)
    if str(claims) != "-" and claims.is_dir():  # a usage error, as a missing file is: before the graph loads
        raise fail(f"KGA407 {claims} is a directory, not a file of claims", EXIT_USAGE)
    _check_paths(rules, kg, None)
    check_graph_paths(also)
    check_out_place(out, directory=False)
    if out is not None and str(out) != "-" and str(claims) != "-" and out.exists() and out.samefile(claims):
        raise fail(f"KGA510 --out {out} is the claims file itself: writing would empty it before it is read; "
                   "give another --out", EXIT_USAGE)
    dom = open_domain(domain)
    rules_dir = [rule_path_shown(p) for p in dom.rules_with(rules)]
    if errors := print_rule_report(rules_dir):
        raise fail(rule_errors_line(errors, "validating"), EXIT_ERRORS)
    with guarded(EXIT_ERRORS):
        from kgagent.agent import Agent

        # the whole file is checked before any claim is: a bad line stops the run with nothing written
        classes, normalize = dom.ontology.classes, dom.labels.normalize
        if str(claims) == "-" or not claims.is_file():  # stdin, a pipe, a FIFO read once: checked in memory
            checked = list(read_claims(claims, classes, normalize))
            stream = iter(checked)
        else:
            for _ in read_claims(claims, classes, normalize):
                pass
            stream = read_claims(claims)
        with loaded_heap():
            agent = Agent.load(kg=kg, rules=rules, domain=str(dom.root))
            merged = agent.add_graphs(also) if also else None
            agent.linker  # noqa: B018 - every claim's names are linked: its tables are part of the load
        info = console(stderr=True)
        if merged is not None:
            info.print(f"with {', '.join(map(str, also))}: {merged.added:,} triples, "
                       f"{len(merged.new_entities):,} entities" +
                       (f" ({len(merged.rejected)} decision(s) reviewers rejected left out)" if merged.rejected else ""))
        shown: list = []
        counts: Counter = Counter()
        with guarded(EXIT_USAGE), _jsonl_out(out) as write:
            while batch := list(islice(stream, BATCH)):
                # each line its own decision: two equal claims of the file are two, told by their line
                claims_at = agent.validate([c for c, _ in batch], places=[where.line or 0 for _, where in batch])
                for (_, where), res in zip(batch, claims_at):
                    counts[res.verdict] += 1
                    if len(shown) < show:
                        shown.append((where, res))
                    write({"line": where.line, **res.to_dict()})
    _report(shown, counts, explain, out)


@contextlib.contextmanager
def _jsonl_out(out: Path | None) -> Iterator[Callable[[dict], None]]:
    """A ``write(row)`` for --out: JSON Lines to the file (its folder made), to stdout for ``-``,
    nowhere without --out. The file is replaced when every claim is written: a run stopped
    half-way (an error, Ctrl-C) leaves an earlier --out file as it was, not cut short."""
    from kgagent.files import atomic_writer

    if out is None:
        yield lambda row: None
        return
    if str(out) == "-":
        yield lambda row: print(json.dumps(row, ensure_ascii=False), flush=False)
        return
    if out.exists() and not out.is_file():  # a device or a pipe (/dev/null, a FIFO): written to, never replaced
        with open(out, "w", encoding="utf-8") as fh:
            yield lambda row: fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    with atomic_writer(out) as raw:
        yield lambda row: raw.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))


def _report(shown: list, counts: Counter, explain: bool, out: Path | None) -> None:
    """The shown claims as a table (line, claim, verdict, reason, rule), the count of each verdict
    over all of them, and with ``explain`` the shown ones' proofs in words; on stderr when the
    decisions themselves go to stdout (``--out -``)."""
    from kgagent.explain import explain_decision

    con = console(stderr=out is not None and str(out) == "-")
    total = sum(counts.values())
    claims = f"{total} claim{'' if total == 1 else 's'}"
    if shown:
        title = claims + (f" (the first {len(shown)})" if len(shown) < total else "")
        table = Table(title=title)
        for col in ("line", "claim", "verdict", "reason", "rule"):
            table.add_column(col, justify="right" if col == "line" else "left", overflow="fold")
        for where, res in shown:
            head, pred, tail = res.claim
            table.add_row(str(where.line), f"{pred}({head!r}, {tail!r})", res.verdict, res.reason,
                          res.rule or "")
        con.print(table)
    words = {"accept": "accepted", "reject": "rejected", "review": "to review"}
    con.print(f"{claims}: " + ", ".join(f"{counts[v]} {w}" for v, w in words.items()) +
              (f"; wrote {out}" if out is not None and str(out) != "-" else ""))
    for _, res in shown if explain else ():
        con.print()
        con.print(explain_decision(res.to_dict()))


def register(app: typer.Typer) -> None:
    """Add ``kgagent validate`` to the main app."""
    app.command("validate")(validate_cmd)
