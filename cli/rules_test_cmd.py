"""``kgagent rules test``: run the example cases written beside the rules."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from kgagent_cli.common import EXIT_ERRORS, EXIT_USAGE, console, fail, guarded


def test_cmd(
    rules: Path = typer.Argument(None, help="Rules directory (default: the shipped rules/); cases in RULES/tests/."),
    cases: list[Path] = typer.Option(None, "--cases", help="Case files to run instead of RULES/tests/*.yaml."),
    kg: Path | None = typer.Option(None, "--kg", help="Take the ontology from this graph (default: the core one)."),
) -> None:
    """Run the rules' example cases (facts in, expected verdicts out).

    Example: kgagent rules test rules/
    Exit 0 = every case passed, 1 = a case failed or the rules have errors, 2 = usage or I/O failure.
    """
    from kgagent.agent import DEFAULT_RULES_DIR, _display_path
    from kgagent.rule_tests import case_files, run_rule_tests
    from kgagent_cli.agent_cmd import print_rule_report

    rules_dir = _display_path(rules if rules is not None else DEFAULT_RULES_DIR)
    if not rules_dir.exists():
        raise fail(f"KGA408 no such rules directory: {rules_dir}", EXIT_USAGE)
    if kg is not None and not kg.exists():
        raise fail(f"KGA409 no such graph directory or file: {kg}", EXIT_USAGE)
    files = list(cases) if cases else case_files(rules_dir)
    for f in files:
        if not f.is_file():
            raise fail(f"KGA502 no such case file: {f}", EXIT_USAGE)
    if not files:
        raise fail(f"KGA420 no case files in {rules_dir / 'tests'} (*.yaml)", EXIT_USAGE)
    if print_rule_report(rules_dir):
        raise fail(f"KGA100 {rules_dir} has errors (above)", EXIT_ERRORS)
    with guarded(EXIT_ERRORS):
        graph = None
        if kg is not None:
            from kgagent.kg import KnowledgeGraph

            graph = KnowledgeGraph.load(kg)
        results = run_rule_tests(rules_dir, kg=graph, files=files)
    con = console()
    for r in results:
        if r.passed:
            con.print(f"[green]PASS[/green] {escape(r.file)}: {escape(r.name)}")
        else:
            con.print(f"[red]FAIL[/red] {escape(r.file)}: {escape(r.name)}")
            for f in r.failures:
                con.print(f"     {escape(f)}")
    failed = sum(not r.passed for r in results)
    con.print(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(EXIT_ERRORS)


def register(app: typer.Typer) -> None:
    """Add these commands to the ``rules`` app."""
    app.command("test")(test_cmd)
