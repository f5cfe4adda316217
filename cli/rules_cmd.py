"""``kgagent rules ...``: check, run, explain, test and report on rule files."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kgagent_cli import loop_cmd, rules_diff_cmd, rules_run_cmd, rules_test_cmd, rules_tune_cmd
from kgagent_cli.common import DOMAIN_HELP, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, console, fail, open_domain

app = typer.Typer(help="Check, run, explain and test rule files.", no_args_is_help=True)


@app.command("check")
def check_cmd(
    path: Path | None = typer.Argument(None, help="A rule file or a directory of *.rules files, checked alone "
                                                 "(default: the domain's rules: the shared ones, then its own)."),
    domain: Path | None = typer.Option(None, "--domain", help=DOMAIN_HELP),
    alone: bool = typer.Option(False, "--alone", help="Check PATH by itself, without the shared rules (which "
                                                      "otherwise give it their predicates, as the agent does)."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary line."),
    as_json: bool = typer.Option(False, "--json", help="Print the diagnostics as one JSON list (for editors, CI)."),
) -> None:
    """Check rule files: every error and warning, with file:line:col, the line and a caret.

    Errors: syntax, unsafe variables, negation cycles, arity clashes, arithmetic inside body
    atoms, unknown directives. Warnings: singleton variables, predicates nobody defines.

    Prints every problem as ``file:line:col: KGA1xx message`` with the source line and a caret,
    then a summary line.

    PATH is checked as the agent reads it, after the shared rules (their predicates count as
    defined), and only PATH's problems are shown; --alone checks PATH by itself.

    Examples: kgagent rules check ;  kgagent rules check --domain examples/scierc ;
    kgagent rules check my_rules/

    Exit 0 = no errors (warnings allowed unless --strict), 1 = errors, 2 = usage or I/O failure.
    """
    from kgagent.errors import RuleError
    from kgagent.rules.diagnostics import summary
    from kgagent.rules.loader import check_rules, read_rule_file, rule_files

    from kgagent.domain import rule_display_name

    dom = open_domain(domain) if path is None or not alone else None
    if path is None:
        target, display = dom.rule_paths, rule_display_name
    else:  # PATH as the agent reads it: after the shared rules (their diagnostics are not PATH's)
        target = dom.rules_with(path) if dom is not None else [path]

        def display(f: Path) -> str:
            name = rule_display_name(f)
            return name if name.startswith("shared/") else str(f)
    try:
        files = rule_files(target)
        diags = check_rules(target, display=display)
        if path is not None:
            files = rule_files(path)
            own = {str(f) for f in files}
            diags = [d for d in diags if d.loc.path in own]
    except RuleError as err:  # I/O: missing path, unreadable file, empty directory
        raise fail(str(err), EXIT_USAGE) from None
    if dom is not None and not any(d.is_error for d in diags):
        diags = _with_domain_diagnostics(diags, dom, target, display, own if path is not None else None)
    sources = {}
    for f in files:
        try:
            sources[display(f)] = read_rule_file(f)
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
            out.print(d.format(sources))
            out.print()
    out.print(summary(diags, len(files)))
    if failed:
        raise typer.Exit(EXIT_ERRORS)
    raise typer.Exit(EXIT_OK)


def _with_domain_diagnostics(diags: list, dom, target, display, own: set[str] | None) -> list:
    """``diags`` (the rule language's) and what the agent checks beyond it: the thresholds'
    values (KGA118, KGA119, KGA126 errors; only those in ``own`` files when given), thresholds
    the rules read that no file sets (KGA127 errors for those the shared rules cannot do
    without, KGA121 warnings for others; they replace the language's KGA106 on ``threshold``
    itself), thresholds set that nothing reads (KGA128 warnings, for the domain's whole rules),
    class and relation names the ontology has not (KGA653 warnings), rules adding to a shared
    helper predicate (KGA654 warnings), then what the joint
    decision cannot do with these rules, the ontology and the model (KGA116, warnings)."""
    import json as _json

    from kgagent.errors import KGAError
    from kgagent.joint import check_repairs
    from kgagent.rules import load_rules
    from kgagent.rules.names import extends_shared, unknown_names
    from kgagent.thresholds import THRESHOLD, threshold_problems, with_unset_thresholds

    labels = None
    config = dom.model / "config.json" if dom.model is not None else None
    if config is not None and config.is_file():
        try:
            cfg = _json.loads(config.read_text(encoding="utf-8"))
            labels = list(cfg.get("entity_labels", []))
        except (OSError, ValueError):
            labels = None
    try:
        program = load_rules(target, display=display)
    except KGAError:  # reported by the checks above
        return diags
    errors = threshold_problems(program)
    if errors:  # the joint decision's check runs the rules, which would fail on them
        return diags + [d for d in errors if own is None or d.loc.path in own]
    # a threshold no file sets is shown wherever the rule reading it is (PATH's fact is what is
    # missing), when PATH is the domain's own rules or holds the domain's numbers at all: a
    # folder of other rules sets none
    whole = own is None or _same_paths(target, dom.rule_paths)  # all the domain's rules: a fact none reads too
    sets_any = whole or any(
        c.is_fact and c.head.pred == THRESHOLD and c.loc is not None and c.loc.path in own for c in program.clauses)
    if sets_any:
        diags = with_unset_thresholds(diags, program, unread=whole)
    names = unknown_names(program, dom.ontology.classes, dom.ontology.relations) + extends_shared(program)
    diags += [d for d in names if own is None or d.loc.path in own]
    return diags + check_repairs(dom.ontology, program, labels, dom.labels.normalize, where=str(dom.root))


def _same_paths(a: list[Path], b: list[Path]) -> bool:
    """Whether two lists of rule paths name the same files and folders, in order."""
    try:
        return [p.resolve() for p in a] == [p.resolve() for p in b]
    except (OSError, RuntimeError):
        return False

rules_run_cmd.register(app)  # run, explain
rules_test_cmd.register(app)  # test
loop_cmd.register_rules(app)  # stats
rules_tune_cmd.register(app)  # tune
rules_diff_cmd.register(app)  # diff
