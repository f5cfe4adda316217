"""The numbers of a domain's rule files: its ``threshold(Name, Value)`` facts.

The shared rules read their score bands, trust levels and repair margin from these facts, and the
agent its joint decision's weights (``same_name_weight``, ``memory_weight``); `kgagent rules tune`
tries other values by replacing them in a loaded program.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kgagent.errors import InputError

#: the predicate of the rule files' numbers
THRESHOLD = "threshold"
#: rule-check codes (kgagent.rules.diagnostics' catalogue): a threshold that is not a number; one set twice
E_NOT_A_NUMBER = "KGA118"
E_SET_TWICE = "KGA119"
W_NOT_SET = "KGA121"
#: a threshold the shared rules cannot do without that no rule file sets (an error: see REQUIRED)
E_REQUIRED_NOT_SET = "KGA127"
#: a threshold set that nothing reads (a warning: a misspelt name, or a rule deleted)
W_NOT_READ = "KGA128"
#: the thresholds the agent reads itself (the joint decision's weights), not the rules
AGENT_READS = ("same_name_weight", "memory_weight")
#: a threshold of the shared rules outside the values it can take (a domain-folder code)
E_OUT_OF_RANGE = "KGA126"
#: the shared rules' thresholds and the values they can take: a score or similarity (0 to 1), a
#: margin or weight (0 or more); outside, the rules that read them never fire, or always do
RANGES: dict[str, tuple[float, float | None]] = {
    "entity_accept": (0.0, 1.0), "entity_review": (0.0, 1.0), "link_trusted": (0.0, 1.0),
    "relation_review_margin": (0.0, None), "repair_min_margin": (0.0, None),
    "same_name_weight": (0.0, None), "memory_weight": (0.0, None)}
#: the shared rules' thresholds a domain cannot do without, and what is lost when none is set: the
#: score bands (without them every proposal is left undecided) and the trust in links (without it
#: the graph never confirms nor contradicts anything). ``repair_min_margin`` is not among them: the
#: shared repairs.rules take any repair with a positive margin when it is unset
REQUIRED: dict[str, str] = {
    "entity_accept": "no mention is accepted, nor sent to review, for its score",
    "entity_review": "no mention is rejected, nor sent to review, for its score",
    "relation_accept_over_model": "no relation is accepted, reviewed or rejected for its score",
    "relation_review_margin": "no relation is sent to review, nor rejected, for its score",
    "link_trusted": "no link is trusted: the graph neither confirms nor contradicts anything"}


def threshold_problems(program: Any) -> list[Any]:
    """Errors (rule Diagnostics) in the rule files' ``threshold(Name, Value)`` facts: a value
    that is not a number (KGA118: the shared rules compare scores with it, which would fail on
    the first candidate, naming the shared rule rather than this fact), a name set twice
    (KGA119: the rules would read both values, the agent and `rules tune` only the last), and a
    shared threshold outside its :data:`RANGES`, or a review threshold above its accept threshold
    (``entity_review`` above ``entity_accept``, any ``X_review`` above ``X_accept``: KGA126, a
    score between them would be accepted and rejected)."""
    from kgagent.rules.diagnostics import ERROR, Diagnostic
    from kgagent.rules.printer import format_clause

    out: list[Any] = []
    first: dict[str, Any] = {}
    for clause in program.clauses:
        head = clause.head
        if not (clause.is_fact and head.pred == THRESHOLD and len(head.args) == 2) or clause.loc is None:
            continue
        name, value = (getattr(a, "value", None) for a in head.args)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(Diagnostic(E_NOT_A_NUMBER, ERROR, f"'{format_clause(clause)}': a threshold's value is a "
                                  "number (the rules compare scores with it)", clause.loc, len(head.pred)))
        elif isinstance(name, str) and name in first:
            where = first[name].loc
            out.append(Diagnostic(E_SET_TWICE, ERROR, f"threshold {name} is set a second time (first at "
                                  f"{where.path}:{where.line}): the rules would read both values; keep one",
                                  clause.loc, len(head.pred)))
        elif isinstance(name, str):
            first[name] = clause
            low, high = RANGES.get(name, (None, None))
            if (low is not None and value < low) or (high is not None and value > high):
                span = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
                out.append(Diagnostic(E_OUT_OF_RANGE, ERROR, f"threshold {name} is {value:g}, outside {span}: the "
                                      "shared rules that read it would never fire, or always", clause.loc,
                                      len(head.pred)))
    numbers = {n: c.head.args[1].value for n, c in first.items()
               if isinstance(c.head.args[1].value, (int, float)) and not isinstance(c.head.args[1].value, bool)}
    for review, accept in band_pairs(numbers):
        if numbers[review] > numbers[accept]:
            out.append(Diagnostic(E_OUT_OF_RANGE, ERROR, f"threshold {review} ({numbers[review]:g}) is above {accept} "
                                  f"({numbers[accept]:g}): a score between them would be accepted and rejected; "
                                  f"keep it at or below {accept}", first[review].loc, len(THRESHOLD)))
    return out


#: a threshold named ``X_review`` is the floor of the review band whose ceiling is ``X_accept``
#: (the shared rules' ``entity_review`` / ``entity_accept``, and a domain's own pair so named)
REVIEW_SUFFIX, ACCEPT_SUFFIX = "_review", "_accept"


def band_pairs(names: Iterable[str]) -> list[tuple[str, str]]:
    """The ``(X_review, X_accept)`` pairs among ``names`` (:data:`REVIEW_SUFFIX`), in order."""
    names = list(names)
    present = set(names)
    return [(n, n[:-len(REVIEW_SUFFIX)] + ACCEPT_SUFFIX) for n in names
            if n.endswith(REVIEW_SUFFIX) and n[:-len(REVIEW_SUFFIX)] + ACCEPT_SUFFIX in present]


def band_problem(values: Mapping[str, float]) -> str | None:
    """Why a combination of thresholds cannot be a domain's (None when it can): a review threshold
    above its accept threshold (``X_review`` > ``X_accept``), so a score between them would be
    accepted and rejected (what KGA126 refuses in a rule file).

    >>> band_problem({"entity_review": 0.5, "entity_accept": 0.4})
    'entity_review 0.5 is above entity_accept 0.4'
    >>> band_problem({"entity_review": 0.4, "entity_accept": 0.4}) is None
    True
    """
    for review, accept in band_pairs(values):
        if values[review] > values[accept]:
            return f"{review} {values[review]:g} is above {accept} {values[accept]:g}"
    return None


def check_ranges(values: Mapping[str, Iterable[float]]) -> None:
    """RuleError KGA126 for the first value of a shared threshold outside its :data:`RANGES`
    (``values``: name -> values to try, as ``kgagent rules tune -t`` gives them): a rule file
    setting it so is refused, and so is trying it."""
    from kgagent.errors import RuleError

    for name, tried in values.items():
        low, high = RANGES.get(name, (None, None))
        for value in tried:
            if (low is not None and value < low) or (high is not None and value > high):
                span = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
                raise RuleError(f"threshold {name} cannot be {value:g}: it is {span} (the shared rules that read it "
                                "would never fire, or always)", code=E_OUT_OF_RANGE)


def threshold_values(program: Any) -> dict[str, float]:
    """The rule files' thresholds: name -> value of each ``threshold(Name, Value)`` fact (the
    last one of a name wins, as a later file overrides an earlier one)."""
    out: dict[str, float] = {}
    for clause in program.clauses:
        head = clause.head
        if clause.is_fact and head.pred == THRESHOLD and len(head.args) == 2:
            name, value = (getattr(a, "value", None) for a in head.args)
            if isinstance(name, str) and isinstance(value, (int, float)) and not isinstance(value, bool):
                out[name] = float(value)
    return out


def threshold_reads(program: Any) -> Iterator[tuple[str, Any, Any]]:
    """(name, clause, literal) for each ``threshold(Name, _)`` a rule's body reads by name (not
    under ``not``), in the rules' order."""
    for clause in program.clauses:
        for lit in clause.body:
            args = getattr(lit, "args", ())
            if getattr(lit, "pred", None) == THRESHOLD and len(args) == 2 and not getattr(lit, "negated", False):
                name = getattr(args[0], "value", None)
                if isinstance(name, str):
                    yield name, clause, lit


def unset_thresholds(program: Any) -> list[Any]:
    """Rule Diagnostics for each threshold a rule reads by name (``threshold(entity_accept, A)``
    in its body) that no ``threshold(Name, Value)`` fact sets (a fact deleted, or a name misspelt
    in one of the two places): the rules that need it never fire. An error (KGA127) for one of
    :data:`REQUIRED`, which the shared rules cannot do without (a domain whose score bands never
    fire decides nothing); else a warning (KGA121). One per name, at the first rule that reads it."""
    from kgagent.rules.diagnostics import ERROR, WARNING, Diagnostic

    known = threshold_values(program)
    readers: dict[str, list[Any]] = {}  # name -> the rules that read it, in order
    first: dict[str, Any] = {}  # name -> the literal of the first of them
    for name, clause, lit in threshold_reads(program):
        if name not in known and clause.loc is not None:
            seen = readers.setdefault(name, [])
            if not seen or seen[-1] is not clause:
                seen.append(clause)
            first.setdefault(name, lit.loc or clause.loc)
    out: list[Any] = []
    for name, clauses in readers.items():
        others = len(clauses) - 1
        who = clauses[0].rule_id + (f" and {others} other rule{'s' if others > 1 else ''}" if others else "")
        if name in REQUIRED:
            out.append(Diagnostic(E_REQUIRED_NOT_SET, ERROR, f"threshold {name} is not set, and the shared rules "
                                  f"cannot do without it: {who} never fire{'s' if not others else ''}, so "
                                  f"{REQUIRED[name]}; add threshold({name}, VALUE). to the domain's rules "
                                  "(`kgagent init` writes its thresholds in rules/thresholds.rules)", first[name],
                                  len(THRESHOLD)))
        else:
            out.append(Diagnostic(W_NOT_SET, WARNING, f"the rules read threshold {name}, which no rule file "
                                  f"sets: {clauses[0].rule_id} and any other rule that needs it never fire; "
                                  f"add threshold({name}, VALUE). to the domain's thresholds",
                                  first[name], len(THRESHOLD)))
    return out


def unread_thresholds(program: Any) -> list[Any]:
    """Warnings (rule Diagnostics, KGA128), at the fact: a ``threshold(Name, Value)`` that no rule
    reads by name and the agent does not read (:data:`AGENT_READS`): its value changes nothing. A
    name misspelt (``entity_acept``: the message names the closest name the rules or the agent
    read, first one that no file sets), or the rule that read it deleted."""
    import difflib

    from kgagent.rules.diagnostics import WARNING, Diagnostic

    read = list(dict.fromkeys(name for name, _clause, _lit in threshold_reads(program)))  # in order
    known = threshold_values(program)
    wanted = [n for n in read if n not in known] + [n for n in (*read, *AGENT_READS) if n in known]
    out: list[Any] = []
    for clause in program.clauses:
        head = clause.head
        if not (clause.is_fact and head.pred == THRESHOLD and len(head.args) == 2) or clause.loc is None:
            continue
        name = getattr(head.args[0], "value", None)
        if not isinstance(name, str) or name in read or name in AGENT_READS:
            continue
        close = difflib.get_close_matches(name, wanted, n=1, cutoff=0.75)
        if close and close[0] not in known:
            hint = f"did you mean {close[0]}, which the rules read and no file sets?"
        elif close:
            hint = f"did you mean {close[0]}?"
        else:
            hint = "delete it, or fix its name here or in the rule meant to read it"
        out.append(Diagnostic(W_NOT_READ, WARNING, f"threshold {name} is set, but no rule reads it, nor the agent: "
                              f"its value changes nothing; {hint}", clause.loc, len(THRESHOLD)))
    return out


def with_unset_thresholds(diags: list[Any], program: Any, *, unread: bool = True,
                          warnings: bool = True) -> list[Any]:
    """The rule check's ``diags`` of ``program`` with :func:`unset_thresholds`' diagnostics
    added, less the check's warning that ``threshold`` itself is never defined (KGA106, with a
    guess at another name) where an unset threshold is reported at the same place: when no rule
    file sets any threshold at all, that warning only repeats, less clearly, what these say.
    ``unread``: ``program`` is all the rules an agent reads: add :func:`unread_thresholds` too.
    ``warnings`` False: add the errors only (KGA127)."""
    unset = [d for d in unset_thresholds(program) if warnings or d.is_error]
    unread = unread and warnings
    places = {(d.loc.path, d.loc.line, d.loc.col) for d in unset}
    kept = [d for d in diags if not (d.code == "KGA106" and (d.loc.path, d.loc.line, d.loc.col) in places)]
    return kept + unset + (unread_thresholds(program) if unread else [])


def with_thresholds(program: Any, values: Mapping[str, float]) -> Any:
    """A copy of ``program`` whose ``threshold(Name, _)`` facts carry ``values`` instead.

    Raises InputError KGA480 for a name no rule file sets (the names they set are listed)."""
    from kgagent.rules.ast import Const

    require_thresholds(program, values)
    clauses = []
    for clause in program.clauses:
        head = clause.head
        if clause.is_fact and head.pred == THRESHOLD and len(head.args) == 2 \
                and getattr(head.args[0], "value", None) in values:
            value = values[head.args[0].value]
            new_arg = Const(value, loc=getattr(head.args[1], "loc", None))
            clause = dataclasses.replace(clause, head=dataclasses.replace(head, args=(head.args[0], new_arg)))
        clauses.append(clause)
    return dataclasses.replace(program, clauses=clauses)


def require_thresholds(program: Any, names: Iterable[str]) -> dict[str, float]:
    """The rule files' values of ``names``; InputError KGA480 for a name no rule file sets (the
    names they set are listed)."""
    import difflib

    known = threshold_values(program)
    unknown = sorted(set(names) - set(known))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise InputError(f"no rule file sets threshold {unknown[0]!r}{hint}; they set: "
                         f"{', '.join(sorted(known)) or 'none'}", code="KGA480")
    return {n: known[n] for n in names}
