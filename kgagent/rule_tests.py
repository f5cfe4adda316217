"""Example cases that rule authors write beside their rules, run by ``kgagent rules test``.

A case file is YAML (``rules/tests/*.yaml``)::

    cases:
      - name: a drug does not treat a company
        facts: |                       # base facts, in the rule language itself
          mention(m1, drug, 0.95).     text(m1, "aspirin").
          mention(m2, disease, 0.97).  text(m2, "Bayer").
          link(m2, bayer, 1.0).        type(bayer, company).
          relation(r1, treats, m1, m2). score(r1, 0.91).
        expect:                        # id -> verdict (accept, repair, review, reject)
          r1: reject
          m1: accept
        reason:                        # optional: id -> words a reason of the winning verdict contains
          r1: tail
        holds:                         # optional: facts the rules must derive (_ matches anything)
          - kind_conflict(m2, disease, _)
        not_holds:                     # optional: facts they must not derive
          - unlink(m2, _)

A case needs ``expect``, ``holds`` or ``not_holds`` (or several): ``holds`` tests what the agent
reads besides verdicts (``unlink``, ``relink``, ``same_entity``, ``retype``...).

The domain's ontology facts (``subclass``, ``signature``, ``functional``, ``symmetric``,
``disjoint``, ``core``, ``untyped``) are added to every case, and ``model_threshold(relation, 0.5)`` unless the case states its own, so a case
lists only what is particular to it. Verdicts are decided exactly as the
agent decides them (reject > review > repair > accept; nothing fired -> review "no rule decided").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from kgagent.decisions import VERDICTS, verdicts
from kgagent.errors import InputError, Location

#: the encoder's relation threshold a case assumes unless it states model_threshold(relation, T)
DEFAULT_MODEL_THRESHOLD = 0.5


@dataclass
class CaseResult:
    """The outcome of one example case."""

    file: str
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    got: dict[str, dict[str, Any]] = field(default_factory=dict)


def ontology_facts(domain: Any = None) -> dict[str, frozenset[tuple]]:
    """The ontology part of the rule vocabulary, from a Domain (None = the default domain);
    read from the domain's ontology file, so rule tooling needs no graph library."""
    from kgagent.domain import Domain

    return (domain if domain is not None else Domain.load()).rule_facts()


def case_files(rules_dir: Path) -> list[Path]:
    """The case files (``*.yaml`` / ``*.yml`` / ``*.json``, sorted) of a rules directory's
    ``tests/``, of a tests directory itself, or the one file given."""
    d = Path(rules_dir)
    if d.is_dir() and (d / "tests").is_dir():
        d = d / "tests"
    if d.is_file():
        return [d]
    return sorted(p for p in d.glob("*") if p.suffix in (".yaml", ".yml", ".json"))


def untested_rules(domain: Any) -> Location | None:
    """Where a domain's example cases belong (its ``rule_tests`` folder, else its first rules
    folder's ``tests/``) when it has none there: no case file, or case files that hold no case
    (``cases: []``); None when it has some. A case file that cannot be read counts as having
    cases: ``kgagent rules test`` names what is wrong with it. The shared rules' own cases do not
    test a domain's rules or thresholds."""
    tests = getattr(domain, "rule_tests", None)
    if tests is None:
        own = list(getattr(domain, "rule_entries", None) or [])
        first = Path(own[0]) if own else Path(domain.root) / "rules"
        tests = (first.parent if first.is_file() else first) / "tests"
    tests = Path(tests)
    for f in case_files(tests) if tests.exists() else []:
        try:
            if _load_cases(f):
                return None
        except (InputError, OSError):
            return None
    return Location(str(tests))


@dataclass
class CaseLines:
    """Where the parts of one case are in its file (1-based lines; 0: not known, as in a JSON
    file), so that an error names the line to fix."""

    case: int = 0
    #: each key of the case -> the line of its value
    keys: dict[str, int] = field(default_factory=dict)
    #: the file line of the facts text's first line, and the columns its lines are indented by
    facts: tuple[int, int] = (0, 0)
    #: each id under ``expect:`` or ``reason:`` -> its line
    ids: dict[str, int] = field(default_factory=dict)

    def at(self, file: str, key: str | None = None) -> Location:
        """The location of ``key``'s value in ``file`` (the case's own line without one)."""
        return Location(file, self.keys.get(key, 0) or self.case) if key else Location(file, self.case)


def _case_lines(text: str, n: int) -> list[CaseLines]:
    """The :class:`CaseLines` of the ``n`` cases of a YAML case file (empty ones where its tree
    cannot be walked)."""
    import yaml

    out = [CaseLines() for _ in range(n)]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:  # pragma: no cover - read a moment ago
        return out
    items = root
    if isinstance(root, yaml.MappingNode):
        items = next((v for k, v in root.value if getattr(k, "value", None) == "cases"), None)
    if not isinstance(items, yaml.SequenceNode):
        return out
    lines = text.splitlines()
    for lines_of, node in zip(out, items.value):
        lines_of.case = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            continue
        for k, v in node.value:
            key = str(getattr(k, "value", ""))
            lines_of.keys[key] = v.start_mark.line + 1
            if key == "facts" and isinstance(v, yaml.ScalarNode):
                if v.style in ("|", ">"):  # the text starts on the line below the | and keeps no indentation
                    first = v.start_mark.line + 1
                    row = next((x for x in lines[first:] if x.strip()), "")
                    lines_of.facts = (first + 1, len(row) - len(row.lstrip(" ")))
                else:
                    lines_of.facts = (v.start_mark.line + 1, v.start_mark.column + (1 if v.style else 0))
            elif key in ("expect", "reason") and isinstance(v, yaml.MappingNode):
                for ik, _ in v.value:
                    lines_of.ids.setdefault(str(getattr(ik, "value", "")), ik.start_mark.line + 1)
    return out


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of one file; InputError KGA420 naming the file, the line and the case if malformed."""
    return [case for case, _ in _load_cases(path)]


def _load_cases(path: Path) -> list[tuple[dict[str, Any], CaseLines]]:
    """The cases of one file, each with where its parts are (see :func:`load_cases`)."""
    import json

    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", code="KGA420", location=Location(str(path))) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        line = line + 1 if line is not None else getattr(err, "lineno", 0)
        msg = getattr(err, "problem", None) or getattr(err, "msg", None) or str(err)
        raise InputError(f"malformed case file: {msg}", code="KGA420", location=Location(str(path), line or 0)) from None
    cases = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(cases, list):
        raise InputError('expected a list of cases under "cases:"', code="KGA420", location=Location(str(path)))
    lines = _case_lines(text, len(cases)) if path.suffix != ".json" else [CaseLines() for _ in cases]
    seen: dict[str, int] = {}
    for i, (c, where) in enumerate(zip(cases, lines), 1):
        _check_case(c, i, seen, str(path), where)
    return list(zip(cases, lines))


#: the keys of a case; another (a misspelt ``not_hold:``) would leave its check silently undone
CASE_KEYS = ("name", "facts", "expect", "reason", "holds", "not_holds")


def _check_case(c: Any, i: int, seen: dict[str, int], file: str, lines: CaseLines) -> None:
    """InputError KGA420, naming the case, its line and what is wrong with it, unless ``c`` is a case."""
    def bad(msg: str, key: str | None = None, line: int = 0) -> InputError:
        where = Location(file, line) if line else lines.at(file, key)
        return InputError(f"case {label}: {msg}", code="KGA420", location=where)

    label = f"{i}" if not isinstance(c, dict) or "name" not in c else f"{i} ({c['name']!r})"
    if not isinstance(c, dict):
        raise bad(f"expected name:, facts: and expect:, holds: or not_holds:, found {c!r}")
    if unknown := [str(k) for k in c if k not in CASE_KEYS]:
        raise bad(f"unknown key {', '.join(map(repr, unknown))}; a case has {', '.join(CASE_KEYS)}", unknown[0])
    if not isinstance(c.get("facts"), str):
        raise bad("facts: is the base facts as text in the rule language ('facts: |' and the facts on "
                  "the lines below)" + ("" if "facts" in c else ", and it is missing"), "facts")
    if not any(k in c for k in ("expect", "holds", "not_holds")):
        raise bad("needs expect (id: verdict), holds or not_holds (facts), or several")
    for key in ("expect", "reason"):
        if c.get(key) is not None and not isinstance(c[key], dict):
            what = "id: verdict ({r1: reject})" if key == "expect" else "id: words its reason contains ({r1: tail})"
            raise bad(f"{key}: is a mapping of {what}, not {c[key]!r}", key)
    for key in ("holds", "not_holds"):
        if key in c and (not isinstance(c[key], list) or not all(isinstance(f, str) for f in c[key])):
            raise bad(f"{key} is a list of facts, one per line ('- same_entity(m2, m1, _)')", key)
    for x, v in (c.get("expect") or {}).items():
        if v not in VERDICTS:
            raise bad(f"expected verdict for {x} must be one of {', '.join(VERDICTS)}, got {v!r}", "expect",
                      lines.ids.get(str(x), 0))
    name = str(c.get("name", ""))
    if name and name in seen:
        raise bad(f"the name is also case {seen[name]}'s; give each case a name of its own (a failure names "
                  "its case)")
    seen[name] = i


def _case_facts(text: str, file: str, name: str, lines: CaseLines | None = None) -> dict[str, set[tuple]]:
    """The base facts of a case's ``facts:`` text, by predicate. A syntax error (RuleCheckError)
    or a rule or variable among them (InputError KGA421) names the case and its line in ``file``
    (the facts text's line where ``lines`` does not know it)."""
    from kgagent.rules import parse_rules
    from kgagent.rules.diagnostics import Diagnostic, RuleCheckError
    from kgagent.rules.ast import SourceLoc

    first, indent = lines.facts if lines is not None and lines.facts[0] else (0, 0)

    def place(line: int, col: int = 0) -> tuple[int, int]:
        return (first + line - 1, indent + col) if first else (line, col)

    try:
        program = parse_rules(text, f"{file}:{name}" if not first else file)
    except RuleCheckError as err:  # the file's line and column, the case named in the message
        if not first:
            raise
        moved = [Diagnostic(d.code, d.severity, f"case {name!r}: {d.message}",
                            SourceLoc(file, *place(d.loc.line, d.loc.col)), d.length) for d in err.diagnostics]
        raise RuleCheckError(moved) from None
    facts: dict[str, set[tuple]] = defaultdict(set)
    for c in program.clauses:
        line = c.loc.line if c.loc else 0
        if not c.is_fact:
            raise InputError(f"case {name!r}: only facts belong in a case, not rules"
                             + ("" if first else f" (line {line or '?'})"), code="KGA421",
                             location=Location(file, place(line)[0]) if first else Location(f"{file}:{name}"))
        args = []
        for t in c.head.args:
            value = getattr(t, "value", None)
            if value is None:
                raise InputError(f"case {name!r}: facts take constants only: {c.head.pred}(...) has a variable",
                                 code="KGA421", location=Location(file, place(line)[0]) if first
                                 else Location(f"{file}:{name}"))
            args.append(value)
        facts[c.head.pred].add(tuple(args))
    return facts


def _unknown_ids(case: dict[str, Any], facts: dict[str, set[tuple]], name: str, file: str,
                 lines: CaseLines | None) -> None:
    """InputError KGA420 for an id under ``expect:`` or ``reason:`` that no fact of the case
    names (``r9`` for ``r1``): its verdict would be 'review, no rule decided', a failure that
    hides the typo."""
    named = {a for rows in facts.values() for row in rows for a in row if isinstance(a, str)}
    for key in ("expect", "reason"):
        for x in case.get(key) or {}:
            if str(x) not in named:
                ids = sorted({row[0] for p in ("mention", "relation") for row in facts.get(p, ())
                              if row and isinstance(row[0], str)})
                line = lines.ids.get(str(x), 0) if lines is not None else 0
                raise InputError(f"case {name!r}: {key} names {x}, which no fact of the case names (its mentions "
                                 f"and relations: {', '.join(ids) or 'none'}); fix the id, or add its facts",
                                 code="KGA420", location=Location(file, line))


def _pattern(text: str, where: str) -> tuple[str, tuple[Any, ...]]:
    """A fact to look for, ``pred(a, _, "b")``: its predicate and arguments (None: ``_``, any value)."""
    from kgagent.errors import RuleError
    from kgagent.rules import parse_rules
    from kgagent.rules.ast import Const

    body = text.strip().rstrip(".")
    try:
        program = parse_rules(f"case_query :- {body}.", where)
    except RuleError as err:
        raise InputError(f"{text!r} is not a fact: {err.message}", code="KGA421",
                         location=Location(where)) from None
    (clause,) = program.clauses
    if len(clause.body) != 1 or not hasattr(clause.body[0], "pred") or clause.body[0].negated:
        raise InputError(f"{text!r} is not one fact", code="KGA421", location=Location(where))
    atom = clause.body[0]
    return atom.pred, tuple(t.value if isinstance(t, Const) else None for t in atom.args)


#: how many of the rules that could have derived a missing fact a failure names (the closest first)
WHY_NOT_SHOWN = 2


def _why_not(model: Any, pred: str, args: tuple[Any, ...]) -> str:
    """The closest rules to deriving ``pred(args)`` and where each stopped, as lines to add to a
    failure (kgagent.rules.why_not); a line saying no rule derives such a fact when none could."""
    from kgagent.rules.why_not import goal_text, why_not

    goal = goal_text(pred, args)
    misses = why_not(model, pred, args)
    if not misses:
        return f"\n  no rule derives {goal}"
    return "".join(f"\n  why not {goal}: {m}" for m in misses[:WHY_NOT_SHOWN])


def _why_else(model: Any, x: str, want: str, got: dict[str, Any]) -> str:
    """For an expected verdict not given: why not (the rules closest to deriving it), or, when the
    rules derived it too, which verdict outranked it and by which rule."""
    from kgagent.rules.why_not import holds

    goal = ("accept", (x,)) if want == "accept" else (want, (x, None))
    if not holds(model, *goal):
        return _why_not(model, *goal)
    fact = got.get("fact")
    rule = model.proof(*fact).rule if fact is not None else None
    return f"\n  {want} holds too, but {got['verdict']} outranks it" + (f" (rule {rule})" if rule else "")


def run_case(engine: Any, case: dict[str, Any], ontology: dict[str, set[tuple]], file: str,
             lines: CaseLines | None = None) -> CaseResult:
    """Evaluate one case and compare its verdicts with the expected ones (``lines``: where its
    parts are in ``file``, for errors that name the line)."""
    from kgagent.errors import RuleError
    from kgagent.rules.why_not import holds

    name = str(case.get("name", "(unnamed)"))
    facts = _case_facts(case["facts"], file, name, lines)
    _unknown_ids(case, facts, name, file, lines)
    for p, rows in ontology.items():
        facts.setdefault(p, set()).update(rows)
    if not facts.get("model_threshold"):
        facts["model_threshold"] = {("relation", DEFAULT_MODEL_THRESHOLD)}
    try:
        model = engine.evaluate(facts)
    except RuleError as err:  # a fact of the case that the rules read otherwise (its arity)
        raise RuleError(f"case {name!r}: {err.message}", code=err.code,
                        location=lines.at(file, "facts") if lines is not None else Location(file)) from None
    expect = {str(k): str(v) for k, v in (case.get("expect") or {}).items()}
    got = verdicts(model, list(expect))
    failures = []
    for x, want in expect.items():
        v = got[x]
        if v["verdict"] != want:
            why = f" ({v['reason']})" if v["reason"] else ""
            failures.append(f"{x}: expected {want}, got {v['verdict']}{why}" + _why_else(model, x, want, v))
    for x, words in (case.get("reason") or {}).items():
        v = got.get(str(x), {})
        reasons = [v.get("reason", "")] + [o["reason"] for o in v.get("others", []) if o["verdict"] == v.get("verdict")]
        if not any(str(words).lower() in r.lower() for r in reasons):
            failures.append(f"{x}: expected a reason containing {words!r}, got {' / '.join(map(repr, reasons))}")
    for key, want in (("holds", True), ("not_holds", False)):
        for text in case.get(key) or []:
            pattern = _pattern(text, f"{file}:{name}")
            arity = engine.arity.get(pattern[0])
            if arity is not None and arity != len(pattern[1]):
                raise InputError(f"case {name!r}: {text.strip()!r} gives {pattern[0]} {len(pattern[1])}, but "
                                 f"the rules give it {arity} arguments", code="KGA421",
                                 location=lines.at(file, key) if lines is not None else Location(file))
            if holds(model, *pattern) != want:
                failures.append(f"{text.strip()}: expected the rules {'to' if want else 'not to'} derive it, "
                                f"they did{'' if not want else ' not'}" + (_why_not(model, *pattern) if want else ""))
    return CaseResult(file=file, name=name, passed=not failures, failures=failures, got=got)


def run_rule_tests(rules_dir: str | Path | list[Path], domain: Any = None, files: list[Path] | None = None,
                   tests_dir: str | Path | None = None) -> list[CaseResult]:
    """Run every case file of a domain (RuleError if the rules have errors).

    ``rules_dir`` is a rules directory or a list of rule paths (a domain's ``rule_paths``:
    the shared rules, then its own); ``domain`` gives the ontology (None = the default
    domain); the cases are ``files``, else those of ``tests_dir``, else of the last rules
    directory's ``tests/``.
    """
    from kgagent.domain import Domain
    from kgagent.rules import Engine, load_rules

    dom = domain if domain is not None else Domain.load()
    paths = [Path(rules_dir)] if isinstance(rules_dir, (str, Path)) else [Path(p) for p in rules_dir]
    engine = Engine(load_rules(paths, display=partial(dom.rule_name, own=paths[-1])))
    ontology = ontology_facts(dom)
    results = []
    if files is None:
        files = case_files(Path(tests_dir) if tests_dir is not None else paths[-1])
    for path in files:
        for case, lines in _load_cases(path):
            results.append(run_case(engine, case, ontology, str(path), lines))
    return results
