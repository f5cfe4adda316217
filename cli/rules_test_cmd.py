"""``kgagent rules test``: run the example cases written beside the rules."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from kgagent_cli.common import DOMAIN_HELP, EXIT_ERRORS, EXIT_USAGE, console, fail, guarded, open_domain


def test_cmd(
    rules: Path = typer.Argument(None, help="Rules directory to test instead of the domain's own rules (the "
                                            "shared rules are read first when the domain uses them); cases in "
                                            "RULES/tests/."),
    cases: list[Path] = typer.Option(None, "--cases", help="Case files to run instead of the domain's (or "
                                                           "RULES/tests/*.yaml)."),
    domain: Path | None = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its ontology is added to every case."),
) -> None:
    """Run the rules' example cases (facts in, expected verdicts out).

    Examples: kgagent rules test ;  kgagent rules test --domain examples/scierc

    Exit 0 = every case passed, 1 = a case failed or the rules have errors, 2 = usage or I/O failure.
    """
    from kgagent.domain import rule_path_shown
    from kgagent.rule_tests import case_files, run_rule_tests
    from kgagent_cli.agent_cmd import print_rule_report, rule_errors_line

    dom = open_domain(domain)
    if rules is not None and not rules.exists():
        raise fail(f"KGA408 no such rules directory: {rules}", EXIT_USAGE)
    if rules is not None:
        paths, tests_dir = dom.rules_with(rules), rules
    else:
        paths, tests_dir = dom.rule_paths, dom.rule_tests
    paths = [rule_path_shown(p) for p in paths]
    files = list(cases) if cases else (case_files(rule_path_shown(tests_dir)) if tests_dir is not None else [])
    for f in files:
        if not f.is_file():
            raise fail(f"KGA502 no such case file: {f}", EXIT_USAGE)
    if not files:
        raise fail(f"KGA420 no case files in {tests_dir or dom.root / 'rules' / 'tests'} (*.yaml)", EXIT_USAGE)
    if errors := print_rule_report(paths):
        raise fail(rule_errors_line(errors, "running the cases"), EXIT_ERRORS)
    with guarded(EXIT_ERRORS):
        results = run_rule_tests(paths, domain=dom, files=files)
    con = console()
    for r in results:
        if r.passed:
            con.print(Text.assemble(("PASS", "green"), f" {r.file}: {r.name}"))
        else:
            con.print(Text.assemble(("FAIL", "red"), f" {r.file}: {r.name}"))
            for f in r.failures:  # a failure's further lines say why not (the closest rules)
                first, *more = f.splitlines()
                con.print(f"     {first}")
                for line in more:
                    con.print(f"       {line.strip()}")
    failed = sum(not r.passed for r in results)
    con.print(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(EXIT_ERRORS)


def register(app: typer.Typer) -> None:
    """Add these commands to the ``rules`` app."""
    app.command("test")(test_cmd)
