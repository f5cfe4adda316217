"""``kgagent rules ...``: check, run, explain, test and report on rule files."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from kgagent_cli import loop_cmd, rules_run_cmd, rules_test_cmd
from kgagent_cli.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, console, fail

app = typer.Typer(help="Check, run, explain and test rule files.", no_args_is_help=True)


@app.command("check")
def check_cmd(
    path: Path = typer.Argument(..., help="A rule file or a directory of *.rules files."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary line."),
    as_json: bool = typer.Option(False, "--json", help="Print the diagnostics as one JSON list (for editors, CI)."),
) -> None:
    """Check rule files: every error and warning, with file:line:col, the line and a caret.

    Errors: syntax, unsafe variables, negation cycles, arity clashes, arithmetic inside body
    atoms, unknown directives. Warnings: singleton variables, predicates nobody defines.

    Prints every problem as ``file:line:col: KGA1xx message`` with the source line and a caret,
    then a summary line.

    Example: kgagent rules check rules/

    Exit 0 = no errors (warnings allowed unless --strict), 1 = errors, 2 = usage or I/O failure.
    """
    from kgagent.errors import RuleError
    from kgagent.rules.diagnostics import summary
    from kgagent.rules.loader import check_rules, read_rule_file, rule_files

    try:
        files = rule_files(path)
        diags = check_rules(path)
    except RuleError as err:  # I/O: missing path, unreadable file, empty directory
        raise fail(str(err), EXIT_USAGE) from None
    sources = {}
    for f in files:
        try:
            sources[str(f)] = read_rule_file(f)
        except RuleError:  # pragma: no cover - read a moment ago
            pass
    out = console()
    n_errors = sum(1 for d in diags if d.is_error)
    failed = bool(n_errors or (strict and diags))
    if as_json:
        rows = [
            {
                "path": d.loc.path,
                "line": d.loc.line,
                "col": d.loc.col,
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
            }
            for d in diags
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        raise typer.Exit(EXIT_ERRORS if failed else EXIT_OK)
    if not quiet:
        for d in diags:
            out.print(escape(d.format(sources)))
            out.print()
    out.print(escape(summary(diags, len(files))))
    if failed:
        raise typer.Exit(EXIT_ERRORS)
    raise typer.Exit(EXIT_OK)


rules_run_cmd.register(app)  # run, explain
rules_test_cmd.register(app)  # test
loop_cmd.register_rules(app)  # stats
