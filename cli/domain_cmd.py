"""``kgagent init`` and ``kgagent domain check``: domain folders."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kgagent.errors import visible
from kgagent_cli.common import EXIT_ERRORS, EXIT_USAGE, console, fail, guarded

app = typer.Typer(help="Check domain folders (ontology, label map, rules, graph, model).", no_args_is_help=True)


@app.command("check")
def check_cmd(
    domain: Path = typer.Argument(None, help="The domain folder (default: the shipped news domain)."),
    need_model: bool = typer.Option(False, "--need-model", help="A missing model is a problem too."),
) -> None:
    """Every problem of a domain folder in one run, each as file:line: CODE message (with the fix).

    Checks domain.toml, the ontology (unknown classes in signatures, subclass cycles, duplicate
    classes or relations), the label map (labels mapped to unknown names, one label with two
    meanings), the wording file, the rule paths, the rules themselves and their thresholds (one
    the shared rules cannot do without, such as the score bands' entity_accept, set by no rule
    file is a problem: nothing would ever be decided by its score) and the model's labels; rules
    without a single example case are a warning (KGA655).

    Example: kgagent domain check examples/scierc

    Exit 0 = sound (its line counts the warnings printed above it), 1 = problems (listed),
    2 = not a domain folder.
    """
    from kgagent.domain import Domain, check_domain
    from kgagent_cli.agent_cmd import print_rule_report

    problems = check_domain(domain, need_model=need_model)
    for p in problems:  # a value quoted from a file never acts on the terminal (an ESC is written \x1b)
        print(f"error: {visible(str(p), keep=chr(9))}", file=sys.stderr)
    if problems and all(p.code == "KGA602" for p in problems):
        raise typer.Exit(EXIT_USAGE)
    n_rules, warned = 0, []
    if not problems:
        dom = Domain.load(domain)
        n_rules = _unreadable_rules(dom.rule_paths)
    if not problems and not n_rules:
        with guarded(EXIT_ERRORS):  # a rule file that cannot be read (KGA107): one line
            n_rules = len(print_rule_report(dom.rule_paths, thresholds=True, warnings=warned,
                                            ontology=dom.ontology))
    if not problems:
        _warn_untested(dom, domain, warned)
    where = domain if domain is not None else "the default domain"
    also = f", and {_warnings(len(warned))}" if warned else ""
    if problems or n_rules:
        raise fail(f"KGA600 {len(problems) + n_rules} problem(s) in {where} (above){also}", EXIT_ERRORS)
    dom = Domain.load(domain)
    onto = dom.ontology
    sound = f"sound, with {_warnings(len(warned))} (above)" if warned else "sound"
    model = "present" if dom.model and (dom.model / "config.json").is_file() else "not trained yet"
    console().print(f"{where}: domain {dom.name!r} is {sound}: {len(onto.classes)} classes ({len(onto.kinds)} kinds), "
                    f"{len(onto.relations)} relations, {sum(len(t) for t in dom.labels.sources.values())} mapped "
                    f"labels, model {model}")


def _warn_untested(dom, given: Path | None, warned: list[str]) -> None:
    """A warning (KGA655, counted in ``warned``) when the domain's rules have no example case;
    the folder named as the domain folder was given."""
    from kgagent.rule_tests import untested_rules

    where = untested_rules(dom)
    if where is None:
        return
    path = Path(where.path)
    if given is not None and path.is_relative_to(dom.root):
        path = given / path.relative_to(dom.root)
    shown = visible(str(path))
    console(stderr=True).print(
        f"{shown}: KGA655 warning: the domain's rules have no example cases (no case in {shown}/*.yaml): "
        "nothing checks what they decide, nor that an edit keeps it; write cases (facts in, verdicts out: "
        f"docs/domains.md) and run kgagent rules test --domain {visible(str(given or dom.root))}", markup=False,
        highlight=False, soft_wrap=True)
    warned.append(str(where.path))


def _unreadable_rules(paths: list[Path]) -> int:
    """Print a line for each of the domain's rule files that cannot be read (KGA107: not UTF-8,
    unreadable); how many. A problem of the domain (exit 1, counted), not of the command's use."""
    from kgagent.errors import RuleError
    from kgagent.rules.loader import read_rule_file, rule_files

    try:
        files = rule_files(paths)
    except RuleError:  # a missing path or an empty folder: check_domain's KGA604
        return 0
    n = 0
    for f in files:
        try:
            read_rule_file(f)
        except RuleError as err:
            print(f"error: {visible(str(err), keep=chr(9))}", file=sys.stderr)
            n += 1
    return n


def _warnings(n: int) -> str:
    return f"{n} warning{'s' if n != 1 else ''}"

def init_cmd(
    target: Path = typer.Argument(..., help="The new domain folder."),
    from_data: Path = typer.Option(..., "--from-data", help="Training data (SpERT JSON or CoNLL columns): its labels "
                                                            "become the classes and relations."),
    types: Path | None = typer.Option(None, "--types", help="A SpERT types file: which relations are symmetric."),
    name: str | None = typer.Option(None, "--name", help="The domain's name (default: the folder's)."),
    force: bool = typer.Option(False, "--force", help="Write over an earlier init's folder: its files are "
                                                       "written again, its graph's index removed; files init did "
                                                       "not write that the domain would read (rules, cases, "
                                                       "model) stop it (KGA650), and so do init's files changed "
                                                       "since (a filled graph, an edited ontology: KGA651), "
                                                       "all named in one run before the data is read; a graph "
                                                       "another run is using stops it too (KGA652); other "
                                                       "files are kept."),
) -> None:
    """Write a new domain folder from a data set: ontology, label map, shared rules' thresholds,
    an empty graph, example cases that pass.

    Example: kgagent init my_domain --from-data train.json --types types.json

    Then: kgagent train train.json --dev dev.json --full --domain my_domain

    Exit 0 = written, 1 = the data cannot make a domain, 2 = a missing file or a folder in use.
    """
    from kgagent.domain_init import init_domain

    for p in (from_data, types):
        if p is not None and p.is_dir():
            raise fail(f"KGA502 {p} is a folder: give the data file itself", EXIT_USAGE)
        if p is not None and not p.is_file():
            raise fail(f"KGA502 no such file: {p}", EXIT_USAGE)
    with guarded(EXIT_ERRORS):
        try:
            report = init_domain(target, from_data, types, name=name, force=force)
        except Exception as err:  # noqa: BLE001 - KGA640 (folder in use) is a usage error
            if getattr(err, "code", "") in ("KGA640", "KGA650", "KGA651", "KGA652"):  # a folder in use
                raise fail(str(err), EXIT_USAGE) from None
            raise
    con = console()
    con.print(f"wrote {target}: {len(report.classes)} classes, {len(report.relations)} relations, "
              f"{report.cases} example cases (all pass)")
    if report.replaced or report.removed:
        con.print(f"  over an earlier init: wrote again {', '.join(report.replaced) or 'nothing'}; removed "
                  f"{', '.join(report.removed) or 'nothing'} (made from the old graph)")
    if report.kept:  # a name as written in the folder never acts on the terminal
        con.print(f"  kept as they were (init does not write or read them): {visible(', '.join(report.kept))}")
    for rel, seen in report.signatures.items():
        shown = ", ".join(f"{h}->{t} {n}" for (h, t), n in seen.most_common(4))
        more = f" (+{len(seen) - 4} more)" if len(seen) > 4 else ""
        con.print(f"  {rel}: {shown}{more}")
    con.print(f"next: review {target / 'ontology.toml'}, then kgagent train TRAIN --dev DEV --domain {target}")


def register(main: typer.Typer) -> None:
    """Add ``init`` and the ``domain`` group to the main app."""
    main.command("init")(init_cmd)
    main.add_typer(app, name="domain")
