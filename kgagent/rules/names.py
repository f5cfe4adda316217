"""Class and relation names written in rules, against a domain's ontology.

A rule that names a class or a relation where the vocabulary puts one (``mention(M, metrc, _)``,
``relation(R, usedfor, _, _)``) matches only facts of that name; the agent gives its facts in
the ontology's names (the label map translates the model's labels), so a name the ontology
does not have is a rule that never fires. :func:`unknown_names` finds them.

A domain's rule that derives one of the shared rules' own helper predicates (``accept_from(0.2).``
written to lower the relation band, ``trusted_link(M, E) :- link(M, E, _).``) adds to what the
shared rules derive, for every rule that reads it: it never replaces them. :func:`extends_shared`
warns about them, but not about the predicates a domain's rules are there to derive (verdicts,
what the agent reads, ``graph_holds``).

>>> from kgagent.rules import parse_rules
>>> p = parse_rules('bad(R) :- relation(R, usedfor, H, _), mention(H, metric, _).', "x.rules")
>>> (d,) = unknown_names(p, {"metric", "method"}, {"used_for"})
>>> d.code, d.loc.line, d.loc.col, d.message.split(":")[0]
('KGA653', 1, 23, "relation 'usedfor' is not in the domain's ontology (did you mean used_for?)")
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from typing import Any

from kgagent.rules.diagnostics import WARNING, Diagnostic

#: a rule names a class or a relation the domain's ontology does not have
W_UNKNOWN_NAME = "KGA653"
#: a domain's rule adds to a predicate the shared rules derive for themselves
W_EXTENDS_SHARED = "KGA654"
#: how rule files of the shared rules are named in diagnostics (kgagent.domain.rule_display_name)
SHARED_PREFIX = "shared/"
#: the predicates a domain's rules may derive beside the shared rules: the verdicts, what the
#: agent reads besides them (rules/README.md, "Vocabulary"), and ``graph_holds`` (a domain may
#: know more ways the graph holds a relation: namesakes)
OPEN_PREDICATES = frozenset({"accept", "repair", "reject", "review", "type_of", "predicate_of", "unlink", "relink",
                             "same_entity", "new_entity_in", "retype", "relabel", "graph_holds"})

#: where the rule vocabulary (rules/README.md) puts a class ("class") or a relation ("relation"):
#: predicate -> argument position -> which. The graph's ``type`` and ``triple`` are left out: a
#: graph may know classes and predicates the ontology does not
POSITIONS: dict[str, dict[int, str]] = {
    "mention": {1: "class"}, "relation": {1: "relation"}, "signature": {0: "relation", 1: "class", 2: "class"},
    "subclass": {0: "class", 1: "class"}, "disjoint": {0: "class", 1: "class"}, "core": {0: "class"},
    "untyped": {0: "class"}, "functional": {0: "relation"}, "symmetric": {0: "relation"},
    "asymmetric": {0: "relation"}, "class_score": {1: "class"}, "near_miss": {1: "class"},
    "predicate_score": {2: "relation"}, "joint_type": {1: "class"}, "joint_predicate": {1: "relation"},
    "name_type": {1: "class"}, "short_name": {0: "class"}, "type_votes": {1: "class"}, "type_of": {1: "class"},
    "predicate_of": {1: "relation"}, "kind": {1: "class"}, "retype": {1: "class"}, "relabel": {1: "relation"}}


def unknown_names(program: Any, classes: Collection[str], relations: Collection[str]) -> list[Any]:
    """Warnings (rule Diagnostics, KGA653), one per atom and name: a constant where the rule
    vocabulary puts a class (a relation) that is not one of ``classes`` (``relations``), with the
    closest name the ontology has. Heads and bodies, ``not`` atoms too; facts are left out (a
    rule file's own facts may be of its own predicates' names)."""
    names = {"class": set(classes), "relation": set(relations)}
    out: list[Any] = []
    for clause in program.clauses:
        if getattr(clause, "is_fact", False):
            continue
        for atom in (clause.head, *clause.body):
            where = POSITIONS.get(getattr(atom, "pred", ""), {})
            args = getattr(atom, "args", ())
            for i, what in where.items():
                value = getattr(args[i], "value", None) if i < len(args) else None
                if not isinstance(value, str) or value in names[what]:
                    continue
                close = difflib.get_close_matches(value, sorted(names[what]), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]}?)" if close else ""
                loc = getattr(args[i], "loc", None) or getattr(atom, "loc", None) or clause.loc
                out.append(Diagnostic(W_UNKNOWN_NAME, WARNING, f"{what} '{value}' is not in the domain's ontology"
                                      f"{hint}: this atom matches no fact, so the rule never fires; fix the name, or "
                                      f"add the {what} to ontology.toml", loc, len(value)))
    return out


def extends_shared(program: Any) -> list[Any]:
    """Warnings (rule Diagnostics, KGA654), one per predicate and file: a clause of a file that is
    not a shared rule's (its path does not start with :data:`SHARED_PREFIX`) whose head is a
    predicate the shared rules derive, other than :data:`OPEN_PREDICATES`."""
    shared: dict[str, Any] = {}
    for clause in program.clauses:
        loc = clause.loc
        if loc is not None and loc.path.startswith(SHARED_PREFIX):
            shared.setdefault(clause.head.pred, clause)
    out: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for clause in program.clauses:
        loc, pred = clause.loc, clause.head.pred
        if loc is None or loc.path.startswith(SHARED_PREFIX) or pred not in shared or pred in OPEN_PREDICATES \
                or (loc.path, pred) in seen:
            continue
        seen.add((loc.path, pred))
        first = shared[pred]
        out.append(Diagnostic(W_EXTENDS_SHARED, WARNING, f"'{pred}' is derived by the shared rules ({first.rule_id}); "
                              "this adds to what they derive, for every shared rule that reads it, and replaces "
                              "nothing (to change a band or a trust level, change its threshold); name your own "
                              "predicate if it is meant for your rules only", loc, len(pred)))
    return out
