"""``kgagent rules run`` and ``kgagent rules explain``: evaluate rule files over facts files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from kgagent_cli.common import EXIT_ERRORS, EXIT_USAGE, check_out_place, console, fail, guarded


def _load(rules_dir: Path | list[Path], facts_dir: Path, proofs: bool, domain=None):
    """(engine, model, seconds to read the facts and evaluate); a facts file no rule reads, and
    a declared base predicate without one, are warned about on stderr (a misspelt file name
    otherwise gives a run that derives nothing and says nothing). With ``domain``: its ontology's
    facts are added, and ``model_threshold(relation, 0.5)`` unless the facts give one, as in the
    domain's example cases (``kgagent rules test``)."""
    from kgagent.domain import rule_display_name
    from kgagent.rule_tests import DEFAULT_MODEL_THRESHOLD
    from kgagent.rules import Engine, load_rules
    from kgagent.rules.facts_io import read_facts_columns

    program = load_rules(rules_dir, display=rule_display_name)
    engine = Engine(program, record_proofs=proofs)
    t0 = time.perf_counter()
    facts = read_facts_columns(facts_dir, engine.arity)
    given = set(facts)
    if domain is not None:
        added: dict = {p: set(rows) for p, rows in domain.rule_facts().items()}
        if "model_threshold" not in facts:
            added["model_threshold"] = {("relation", DEFAULT_MODEL_THRESHOLD)}
        for p, rows in added.items():
            facts[p] = rows | set(facts[p].rows()) if p in facts else rows
    model = engine.evaluate(facts)
    seconds = time.perf_counter() - t0
    _warn_unread(program, facts, facts_dir, given, agent_vocabulary=domain is not None)
    return engine, model, seconds


def _warn_unread(program, facts: dict, facts_dir: Path, given: set[str], agent_vocabulary: bool = False) -> None:
    """KGA124 warnings: a facts file of ``given`` (those of ``facts_dir``) no rule reads; a
    declared base predicate that no file, nor the domain, gives (``facts``: all of them), less
    those the shared rules declare when ``agent_vocabulary`` (the agent's facts of a document,
    most of which a hand-written example leaves out)."""
    import difflib

    read = {lit.pred for c in program.clauses for lit in c.body if hasattr(lit, "pred")}
    declared = {d.pred for d in program.declarations
                if not (agent_vocabulary and d.loc is not None and d.loc.path.startswith("shared/"))}
    out = console(stderr=True)
    for pred in sorted(given - read):
        by_lower = {r.lower(): r for r in sorted(read)}
        near = difflib.get_close_matches(pred.lower(), list(by_lower), n=1)
        hint = f" (did you mean {by_lower[near[0]]}.facts?)" if near else ""
        out.print(f"warning: {facts_dir / (pred + '.facts')}: KGA124 no rule reads '{pred}'{hint}")
    for pred in sorted(declared - set(facts) - {c.head.pred for c in program.clauses}):
        out.print(f"warning: KGA124 '{pred}' is declared (#base) but {facts_dir} has no {pred}.facts")


def _check_dirs(rules_dir: Path | None, facts_dir: Path) -> None:
    if rules_dir is not None and not rules_dir.exists():
        raise fail(f"KGA502 no such file or directory: {rules_dir}", EXIT_USAGE)
    if not facts_dir.is_dir():
        raise fail(f"KGA502 facts directory not found: {facts_dir}", EXIT_USAGE)


#: the help of ``--domain`` for run and explain
RUN_DOMAIN_HELP = ("Read the rules as this domain's agent does (its shared rules first, then RULES or its own "
                   "rules) and add its ontology's facts (subclass, signature, ...) and model_threshold(relation, "
                   "0.5) unless the facts give one, as `kgagent rules test` does.")


def _rule_paths(rules: Path | None, domain: Path | None, option: str):
    """(the rule paths to read, the Domain or None) for RULES and --domain; exit 2 without either."""
    from kgagent_cli.common import open_domain

    if domain is None:
        if rules is None:
            raise fail(f"KGA408 give the rules to run ({option}), or --domain DIR for a domain's", EXIT_USAGE)
        return rules, None
    dom = open_domain(domain)
    return dom.rules_with(rules), dom


def _print_rule_errors(err) -> None:
    """Every diagnostic of a rule error (the checker collects them all), with source and caret."""
    diags = getattr(err, "diagnostics", None) or []
    sources: dict[str, str] = {}
    for d in diags:
        path = d.loc.path
        if path not in sources:
            try:
                sources[path] = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                sources[path] = None  # type: ignore[assignment]
    out = console(stderr=True)
    for d in diags:
        text = d.format({k: v for k, v in sources.items() if v is not None}) if hasattr(d, "format") else str(d)
        out.print(text)


def run_cmd(
    rules: Path | None = typer.Argument(None, help="A rule file or a directory of *.rules files (with --domain: "
                                                   "instead of the domain's own rules; default: them)."),
    facts: Path = typer.Option(..., "--facts", help="Directory of <predicate>.facts files (tab-separated)."),
    domain: Path | None = typer.Option(None, "--domain", help=RUN_DOMAIN_HELP),
    out: Path | None = typer.Option(None, "--out", help="Write every derived predicate here as <pred>.facts."),
    stats: bool = typer.Option(False, "--stats", help="Print counts per rule; last line: derived=N seconds=S."),
    no_proofs: bool = typer.Option(False, "--no-proofs", help="Do not record proofs (faster, less memory)."),
) -> None:
    """Evaluate rules over facts; write or summarise the derived relations.

    Examples: kgagent rules run rules/ --facts facts/ --out derived/ --stats ;
    kgagent rules run --domain examples/scierc --facts facts/

    Exit 0 = done, 1 = errors in the rules or facts, 2 = usage or I/O failure.

    The seconds reported cover reading the facts files and evaluating to fixpoint.
    """
    _check_dirs(rules, facts)
    paths, dom = _rule_paths(rules, domain, "RULES")
    check_out_place(out, directory=True)
    from kgagent.errors import RuleError
    from kgagent.rules import write_facts_dir

    try:
        with guarded(EXIT_ERRORS):
            try:
                engine, model, seconds = _load(paths, facts, proofs=not no_proofs, domain=dom)
            except RuleError as err:
                _print_rule_errors(err)
                raise
            derived_preds = sorted({r.head.pred for r in engine.rules})
            if out is not None:
                write_facts_dir({p: model.facts(p) for p in derived_preds}, out)
    except NotADirectoryError as err:
        raise fail(f"KGA504 not a directory: {err.filename or err}", EXIT_USAGE) from None
    if stats:
        for rule_id, n in sorted(model.rule_firings().items()):
            typer.echo(f"{rule_id}\t{n}")
    for p in derived_preds:
        typer.echo(f"{p}\t{model.derived_count(p)} derived\t{len(model.facts(p))} in all")
    if out is not None:
        typer.echo(f"wrote {len(derived_preds)} relations to {out}")
    if stats:
        print(f"derived={model.derived_count()} seconds={seconds:.4f}")


def _label(node) -> str:
    if node.proved_above:
        return f"{node.fact}    (proved above)"
    if node.rule is not None:
        return f"{node.fact}    [rule {node.rule}]"
    return f"{node.fact}    [{node.source or 'base'} fact]"


#: levels of a proof drawn with guides: past them the guides stop growing and a line says its
#: level (a chain of 50,000 located_in facts drawn in full would be gigabytes of guides)
GUIDE_LEVELS = 40


def proof_lines(node) -> list[str]:
    """The proof as an indented tree, one fact a line (guides as in ``tree``)."""
    lines = [_label(node)]
    stack = [(p, "", i == len(node.premises) - 1, 1) for i, p in reversed(list(enumerate(node.premises)))]
    while stack:
        n, prefix, last, level = stack.pop()
        deep = f"[level {level}] " if level > GUIDE_LEVELS else ""
        lines.append(f"{prefix}{'└── ' if last else '├── '}{deep}{_label(n)}")
        child = prefix + ("    " if last else "│   ") if level < GUIDE_LEVELS else prefix
        k = len(n.premises)
        stack.extend((p, child, i == k - 1, level + 1) for i, p in reversed(list(enumerate(n.premises))))
    return lines


#: a proof deeper than this prints as JSON on one line: indented, a chain of 50,000 located_in
#: facts would be gigabytes of blanks
JSON_INDENT_DEPTH = 100


def proof_json(node) -> str:
    """The proof as ``json.dumps(node.to_dict(), indent=2)`` would print it, built without
    recursion (a proof may be tens of thousands of facts deep); on one line past
    :data:`JSON_INDENT_DEPTH` levels."""
    depth, stack = 0, [(node, 0)]
    while stack:
        n, d = stack.pop()
        depth = max(depth, d)
        stack.extend((p, d + 1) for p in n.premises)
    step = 2 if depth <= JSON_INDENT_DEPTH else 0
    colon = ": " if step else ":"

    def br(level: int) -> str:
        return "\n" + " " * (step * level) if step else ""

    out: list[str] = []
    todo: list = [(node, 0)]  # a node and its level, or text to write
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        n, lv = item
        out.append("{" + ",".join(f"{br(lv + 1)}{json.dumps(k)}{colon}{json.dumps(v, ensure_ascii=False)}"
                                  for k, v in n.own_dict().items()))
        if not n.premises:
            out.append(br(lv) + "}")
            continue
        out.append(f",{br(lv + 1)}\"premises\"{colon}[")
        todo.append(br(lv + 1) + "]" + br(lv) + "}")
        for i in reversed(range(len(n.premises))):
            todo.append((n.premises[i], lv + 2))
            todo.append(("," if i else "") + br(lv + 2))
    return "".join(out)


def explain_cmd(
    fact: str = typer.Argument(..., help="The fact to explain, e.g. 'reject(r2, \"no type\")'."),
    rules: Path | None = typer.Option(None, "--rules", help="A rule file or a directory of *.rules files (with "
                                                           "--domain: instead of the domain's own rules)."),
    facts: Path = typer.Option(..., "--facts", help="Directory of <predicate>.facts files."),
    domain: Path | None = typer.Option(None, "--domain", help=RUN_DOMAIN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the proof as JSON."),
) -> None:
    """Print the shortest proof of a derived fact, down to base facts; for a fact the rules did
    not derive, why not: each rule that could derive it, the conditions that held and the first
    that did not (a missing fact, a false comparison with its values, a `not` whose fact holds).

    Examples: kgagent rules explain 'located_in(paris, europe)' --rules rules/ --facts facts/ ;
    kgagent rules explain 'accept(m1)' --domain examples/scierc --facts facts/ (the shared rules
    that decide it are read too)

    Exit 0 = explained, 1 = the fact is not in the model (or errors in rules/facts), 2 = usage/I/O.
    """
    _check_dirs(rules, facts)
    paths, dom = _rule_paths(rules, domain, "--rules")
    from kgagent.errors import RuleError
    from kgagent.rules.facts_io import parse_fact
    from kgagent.rules.why_not import goal_text, why_not

    with guarded(EXIT_ERRORS):
        pred, args = parse_fact(fact)
        try:
            _, model, _ = _load(paths, facts, proofs=True, domain=dom)
        except RuleError as err:
            _print_rule_errors(err)
            raise
        known = model.engine.arity.get(pred)
        if not model.contains(pred, args) and known is not None and known != len(args):
            s = "" if known == 1 else "s"
            typer.echo(f"why not: {pred} has {known} argument{s} in the rules and facts, not {len(args)}")
        elif not model.contains(pred, args):
            misses = why_not(model, pred, args)
            for m in misses:
                typer.echo(f"why not: {m}")
            if not misses:
                typer.echo(f"why not: no rule derives {goal_text(pred, args)} (nor is it a base fact)")
        proof = model.proof(pred, args)
    if as_json:
        print(proof_json(proof))
    else:
        for line in proof_lines(proof):
            typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add these commands to the ``rules`` app."""
    app.command("run")(run_cmd)
    app.command("explain")(explain_cmd)
