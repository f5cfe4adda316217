"""A decision's proof in words a domain expert reads.

>>> d = {"id": "d:1", "kind": "relation", "predicate": "treats", "verdict": "reject",
...      "reason": "the tail is not a disease", "rule": "rules/relations.rules:12",
...      "head": {"id": "m:1", "text": "aspirin"},
...      "tail": {"id": "m:2", "text": "Bayer", "entity": "ent:bayer", "entity_label": "Bayer"},
...      "proof": {"fact": 'reject(r:1, "the tail is not a disease")', "rule": "rules/relations.rules:12",
...                "premises": [{"fact": "relation(r:1, treats, m:1, m:2)", "source": "encoder"},
...                             {"fact": "link(m:2, ent:bayer, 1.0)", "source": "linker"},
...                             {"fact": "type(ent:bayer, company)", "source": "graph"},
...                             {"fact": "signature(treats, drug, disease)", "source": "graph"}]}}
>>> print(summary_line(d))
rejected: the tail is not a disease; 'Bayer' is linked to the graph entity Bayer (similarity 1.0); Bayer is a company in the graph; treats needs a drug as head and a disease as tail; rule rules/relations.rules:12
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from kgagent.decisions import VERDICTS, relation_name
from kgagent.errors import InputError, Location, json_kind, visible
from kgagent.proofs import fact as fact_of
from kgagent.proofs import premises, split_fact, walk

VERDICT_WORDS = {"accept": "accepted", "reject": "rejected", "review": "sent to review",
                 "repair": "repaired (accepted with a corrected label)"}
#: facts whose words go into the one-line summary (the rest only appear in the tree)
SUMMARY_PREDICATES = ("type", "signature", "triple", "link", "candidate", "nil", "functional", "threshold", "claim",
                      "joint_type", "joint_predicate", "joint_margin", "type_votes", "name_type")

def _a(cls: str) -> str:
    return ("an " if str(cls)[:1].lower() in "aeiou" else "a ") + str(cls)


@functools.lru_cache(maxsize=1)
def default_wording() -> dict[str, str]:
    """The wording of the default domain's helper predicates (shared rules' and its own)."""
    from kgagent.domain import Domain
    from kgagent.errors import KGAError

    try:
        return dict(Domain.load().wording)
    except KGAError:  # a broken default domain still explains, in the rule language
        return {}


class _Names:
    """Readable names for mention ids ('Boston') and entity IRIs (their label), and the
    domain's wording of helper predicates (``"name/arity": template``)."""

    def __init__(self, decision: dict[str, Any], wording: dict[str, str] | None = None):
        self.wording = wording if wording is not None else default_wording()
        self.mentions: dict[str, str] = {}
        self.entities: dict[str, str] = {}
        self.relations: dict[str, str] = {}
        for key in ("head", "tail"):
            part = decision.get(key)
            if isinstance(part, dict) and part.get("id"):
                self.mentions[part["id"]] = part.get("text", "")
                if part.get("entity") and part.get("entity_label"):
                    self.entities[part["entity"]] = part["entity_label"]
        if decision.get("kind") == "relation" and decision.get("subject"):
            h = (decision.get("head") or {}).get("text", "?")
            t = (decision.get("tail") or {}).get("text", "?")
            self.relations = {decision["subject"]: relation_name(str(decision.get("predicate")), h, t)}
        if decision.get("kind") == "entity" and decision.get("subject"):
            self.mentions[decision["subject"]] = decision.get("text", "")
            if decision.get("entity") and decision.get("entity_label"):
                self.entities[decision["entity"]] = decision["entity_label"]
        for iri, name in (decision.get("labels") or {}).items():  # the other mentions, relations, entities
            (self.mentions if str(iri).startswith("m:") else self.entities).setdefault(str(iri), str(name))
        #: what the decision is about: its own score needs no name, another relation's does
        self.subject = str(decision.get("subject") or "")
        #: a claim given to check (Agent.validate): its relation was stated, not proposed by the encoder
        self.claim = "claim" in decision
        self._collect(decision.get("proof"))

    def _collect(self, node: Any) -> None:
        for n in walk(node if isinstance(node, dict) else None):
            pred, args = split_fact(fact_of(n))
            if pred == "text" and len(args) == 2:
                self.mentions.setdefault(str(args[0]), str(args[1]))
            elif pred == "label" and len(args) == 2:
                self.entities.setdefault(str(args[0]), str(args[1]))

    def __call__(self, x: Any) -> str:
        s = str(x)
        if s in self.mentions:
            return f"'{self.mentions[s]}'"
        if s in self.relations:
            return f"the relation {self.relations[s]}"
        if s in self.entities:
            return self.entities[s]
        if "://" in s:
            return s.rstrip("/").rsplit("/", 1)[-1]
        return s


def fact_words(fact: str, name: _Names) -> str:
    """One fact of the rule vocabulary in words."""
    pred, a = split_fact(fact)
    n = len(a)
    if pred == "mention" and n == 3:
        return f"{name(a[0])} was tagged {a[1]} by the encoder (score {a[2]})"
    if pred == "relation" and n == 4:
        who = "the claim states" if name.claim and str(a[0]) == name.subject else "the encoder proposed"
        return f"{who} {a[1]}({name(a[2])}, {name(a[3])})"
    if pred == "score" and n == 2:
        if str(a[0]) != name.subject and str(a[0]) in name.entities:  # a relation the decision names (labels)
            return f"the encoder's score of {name(a[0])} is {a[1]}"
        return f"the encoder's score is {a[1]}"
    if pred == "text" and n == 2:
        return f"the mention reads '{a[1]}'"
    if pred == "link" and n == 3:
        return f"{name(a[0])} is linked to the graph entity {name(a[1])} (similarity {a[2]})"
    if pred == "candidate" and n == 3:
        return f"{name(a[0])} may also name the graph entity {name(a[1])} (score {a[2]})"
    if pred == "nil" and n == 1:
        return f"{name(a[0])} is not in the graph (a new entity)"
    if pred == "type" and n == 2:
        return f"{name(a[0])} is {_a(a[1])} in the graph"
    if pred == "subclass" and n == 2:
        return f"{_a(a[0])} is {_a(a[1])}" if a[0] != a[1] else f"{a[0]} is its own class"
    if pred == "signature" and n == 3:
        return f"{a[0]} needs {_a(a[1])} as head and {_a(a[2])} as tail"
    if pred == "functional" and n == 1:
        return f"{a[0]} has at most one value per subject"
    if pred == "triple" and n == 3:
        return f"the graph says {name(a[0])} {a[1]} {name(a[2])}"
    if pred == "label" and n == 2:
        return f"{name(a[0])} is called '{a[1]}'"
    if pred == "threshold" and n == 2:
        return f"the threshold {a[0]} is {a[1]}"
    if pred == "claim" and n == 1:
        return "it is a claim given to check, not something read in a text"
    if pred in ("in_doc", "in_sentence") and n >= 2:
        return f"{name(a[0])} is in document {a[1]}" + (f", sentence {a[2]}" if n > 2 else "")
    if pred == "accept" and n == 1:
        return f"{name(a[0])} is accepted"
    if pred in ("reject", "review") and n == 2:
        return f"{name(a[0])} is {VERDICT_WORDS[pred]}: {a[1]}"
    if pred == "model_threshold" and n == 2:
        return f"the encoder's own {a[0]} threshold is {a[1]}"
    if pred == "class_score" and n == 3:
        return f"the encoder scores {name(a[0])} as {_a(a[1])} at {a[2]}"
    if pred == "predicate_score" and n == 4:
        return f"the encoder scores {a[2]}({name(a[0])}, {name(a[1])}) at {a[3]}"
    if pred == "joint_type" and n == 3:
        return f"the joint decision makes {name(a[0])} {_a(a[1])} (the encoder's score of {a[1]}: {a[2]})"
    if pred == "joint_predicate" and n == 3:
        return f"the joint decision gives {name(a[0])} the predicate {a[1]} (the encoder's score of it: {a[2]})"
    if pred == "joint_margin" and n == 2:
        return (f"the joint choice for {name(a[0])} beats keeping the encoder's label by {a[1]} "
                "(log-score, with the signatures the sentence's relations need)")
    if pred == "type_votes" and n == 3:
        return f"the name of {name(a[0])} was accepted as {_a(a[1])} {a[2]} times in other documents"
    if pred == "name_type" and n == 3:
        return (f"the other mentions of the name of {name(a[0])} in the document (and the full names it shortens) "
                f"score {a[1]} at {a[2]} on average")
    if pred == "name_part" and n == 3:
        if a[2] == "initials":
            return f"{name(a[0])} is the initials of {name(a[1])}, in the same document"
        if a[2] == "stem":
            return (f"{name(a[0])} is {name(a[1])} without the words that end it (the ontology's name_suffixes), "
                    "in the same document")
        return f"the words of {name(a[0])} are the {a[2]} words of {name(a[1])}, in the same document"
    if pred == "short_name" and n == 2:
        part = {"initials": "its initials", "stem": "its full name without the name_suffixes that end it"
                }.get(a[1], f"the {a[1]} words of its full name")
        return f"{_a(a[0])} may be named by {part}"
    if pred == "derived_word" and n == 2:
        return f"{name(a[0])} is a word made of a name and '{a[1]}' (the ontology's derived_suffixes)"
    if pred == "cue" and n == 4:
        return (f"between the mentions of {name(a[0])}, {a[3]} words apart, the text says '{a[2]}' "
                f"(the ontology's {a[1]} cue)")
    if pred == "repair" and n == 2:
        return f"{name(a[0])} is repaired: {a[1]}"
    # helper predicates of the rules, in the domain's words (explain.toml); else as written
    template = name.wording.get(f"{pred}/{n}")
    if isinstance(template, str):
        from kgagent.domain import render_wording

        worded = render_wording(template, a, name, _a)
        if worded is not None:  # a malformed template (a wording given from Python): as written
            return worded
    shown = ", ".join(f'"{x}"' if isinstance(x, str) and " " in x else name(x) for x in a)
    return f"{pred}({shown})"


def _entity_change(decision: dict[str, Any], wording: dict[str, str] | None, change: dict[str, Any],
                   headline: str, why: str) -> list[str]:
    """The lines of a change the rules made to which entity a mention is (``unlink``, ``relink``,
    ``same_as``): the headline with its reason and rule, then its proof under ``why``."""
    rule = f"; rule {change['rule']}" if change.get("rule") else ""
    lines = [f"{headline}: {change.get('reason')}{rule}"]
    if isinstance(change.get("proof"), dict):
        lines += [why] + ["  " + line for line in proof_tree(decision, wording, change["proof"])]
    return lines


def _scores_clause(scores: list[tuple[str, str]]) -> str:
    """The encoder's scores a decision read, (whose, score) in proof order: one as a sentence,
    several (a rule that compares relations) as one list.

    >>> _scores_clause([("this relation", "0.9")])
    "the encoder's score is 0.9"
    >>> _scores_clause([("this relation", "0.9"), ("kill('A', 'B')", "0.3")])
    "the encoder's scores: this relation 0.9, kill('A', 'B') 0.3"
    """
    if len(scores) > 1:
        return "the encoder's scores: " + ", ".join(f"{who} {score}" for who, score in scores)
    who, score = scores[0]
    return f"the encoder's score is {score}" if who.startswith("this ") else f"the encoder's score of {who} is {score}"


def summary_line(decision: dict[str, Any], wording: dict[str, str] | None = None) -> str:
    """``rejected: <reason>; <the graph and ontology facts it rests on>; rule <id>`` (the rule's
    ``file:name``, or ``file:line``)."""
    name = _Names(decision, wording)
    verdict = str(decision.get("verdict", "review"))
    parts = [VERDICT_WORDS.get(verdict, verdict) + (f": {decision['reason']}" if decision.get("reason") else "")]
    proof = decision.get("proof")
    seen: set[str] = set()
    scores: list[tuple[str, str]] = []  # (whose, score) of the encoder's scores the rule read
    scores_at = 0  # where in the line they go: where the first of them stands in the proof
    if isinstance(proof, dict):
        direct = {str(p.get("fact")) for p in proof.get("premises", []) if isinstance(p, dict)}
        for n in walk(proof):
            pred, args = split_fact(fact_of(n))
            if pred in ("score", "mention", "nil", "accept_from") and str(n.get("fact")) in direct:
                pass  # the encoder's score decided: say which
            elif pred not in SUMMARY_PREDICATES or (pred == "subclass" and len(args) == 2 and args[0] == args[1]):
                continue
            if pred == "threshold" and str(n.get("fact")) not in direct:
                continue  # thresholds deep in the proof (link_trusted) are detail, not the reason
            words = fact_words(str(n["fact"]), name)
            if words not in seen:
                seen.add(words)
                if pred == "score" and len(args) == 2:
                    scores_at = scores_at if scores else len(parts)
                    own = str(args[0]) == name.subject or str(args[0]) not in name.entities
                    scores.append((f"this {decision.get('kind', 'one')}" if own else name(args[0]), str(args[1])))
                    continue
                parts.append(words)
    if scores:
        parts.insert(scores_at, _scores_clause(scores))
    if decision.get("rule"):
        parts.append(f"rule {decision['rule']}")
    elif verdict == "review" and not proof:
        parts.append("no rule decided")
    return "; ".join(parts)


#: levels of a proof indented: past them a line says its level instead (a chain of 50,000 places
#: indented would be gigabytes of blanks)
INDENT_LEVELS = 40


def _indent(depth: int) -> str:
    if depth <= INDENT_LEVELS:
        return "  " * depth + ("- " if depth else "")
    return "  " * INDENT_LEVELS + f"- [level {depth}] "


def proof_tree(decision: dict[str, Any], wording: dict[str, str] | None = None,
               proof: dict[str, Any] | None = None) -> list[str]:
    """The proof (the decision's own, or ``proof``) as indented lines, each fact in words with
    the rule or source behind it. A derived fact the proof uses twice is proved once: its second
    line says "(proved above)" instead of repeating the branch below it."""
    name = _Names(decision, wording)
    proof = decision.get("proof") if proof is None else proof
    if not isinstance(proof, dict):
        return ["(no proof: no rule derived a verdict for this candidate)"]
    lines: list[str] = []
    proved: set[str] = set()
    stack: list[tuple[dict[str, Any], int]] = [(proof, 0)]
    while stack:
        n, depth = stack.pop()
        fact = str(n.get("fact", ""))
        words = fact_words(fact, name)
        below = premises(n)
        if n.get("rule"):
            why = f"  [rule {n['rule']}]" if below else f"  [written in {n['rule']}]"
        else:
            why = f"  [{n.get('source', 'given')}]"
        lead = _indent(depth) + words
        if n.get("proved_above") or (below and fact in proved):
            lines.append(lead + "  (proved above)")
            continue
        if below:
            proved.add(fact)
        lines.append(lead + why)
        stack.extend((p, depth + 1) for p in reversed(below))
    return lines


#: the fields of a decision that, when present, hold a JSON value of this kind (None: null too)
_FIELD_KINDS: dict[str, tuple[type, ...]] = {
    "proof": (dict, type(None)), "labels": (dict,), "others": (list,), "scores": (dict,), "notes": (list,),
    "repair": (dict, type(None)), "unlink": (dict, type(None)), "relink": (dict, type(None)),
    "same_as": (dict, type(None)), "head": (dict, type(None)), "tail": (dict, type(None)), "subject": (str,),
}
_KIND_WORDS = {dict: "an object", list: "a list", str: "a string"}


def decision_problem(decision: Any) -> str | None:
    """What makes ``decision`` (a line of decisions.jsonl, read back) one kgagent does not write,
    in words naming the field, or None: a verdict that is none of :data:`VERDICTS` or missing, a
    kind other than entity or relation, a field of the wrong JSON kind (``proof`` not an object,
    ``others`` not a list, ...). Checks the shape only: what kgagent wrote always passes.

    >>> decision_problem({"id": "d:1", "kind": "entity", "verdict": "maybe"})
    "its 'verdict' is 'maybe', not one of reject, review, repair, accept"
    >>> decision_problem({"id": "d:1", "kind": "entity", "verdict": "accept", "proof": "accept(m:1)"})
    "its 'proof' is a string, not an object (or null)"
    """
    if not isinstance(decision, dict):
        return f"it is {json_kind(decision)}, not an object"
    verdict = decision.get("verdict")
    if "verdict" not in decision:
        return "it has no 'verdict'"
    if verdict not in VERDICTS:
        return f"its 'verdict' is {visible(repr(verdict))}, not one of {', '.join(VERDICTS)}"
    if "kind" in decision and decision["kind"] not in ("entity", "relation"):
        return f"its 'kind' is {visible(repr(decision['kind']))}, not entity or relation"
    for key, kinds in _FIELD_KINDS.items():
        if key in decision and not isinstance(decision[key], kinds):
            want = " or ".join(_KIND_WORDS[k] for k in kinds if k in _KIND_WORDS)
            return (f"its {key!r} is {json_kind(decision[key])}, not {want}"
                    + (" (or null)" if type(None) in kinds else ""))
    for key in ("others", "notes"):
        for item in decision.get(key) or []:
            if not isinstance(item, dict if key == "others" else str):
                return f"its {key!r} holds {json_kind(item)}, not {'objects' if key == 'others' else 'strings'}"
    return None


def _not_written(decision: Any, why: str, where: Location | None) -> InputError:
    did = decision.get("id") if isinstance(decision, dict) else None
    return InputError(f"decision {visible(repr(did))} is not one kgagent writes ({why}); was the file edited?",
                      code="KGA451", location=where)


def check_decision(decision: Any, where: Location | None = None) -> None:
    """InputError KGA451, located at ``where`` (the decision's file and line), when
    :func:`decision_problem` finds ``decision`` is not one kgagent writes."""
    if (why := decision_problem(decision)) is not None:
        raise _not_written(decision, why, where)


#: what `kgagent explain --out` reads, said when it is given something else
EXTRACTION_OUTPUT = ("give the folder `kgagent extract --out DIR` wrote (DIR/decisions.jsonl in it), or that "
                     "decisions.jsonl")
#: the files of an extraction's folder other than its decisions: the folder is what to give
_RUN_FILES = ("graph.nq", "feedback.jsonl", "progress.jsonl", "run.json", "summary.json")


def check_extraction_output(out: str | Path) -> Path:
    """The decisions file of ``out``, an extraction's output: the folder ``kgagent extract --out``
    wrote (its decisions.jsonl), or a file of decisions itself. InputError KGA450 saying that
    ``out`` is not an extraction's output, and what is expected, for a folder without
    decisions.jsonl, and for a file (other than one named decisions.jsonl, whose lines are judged
    one by one, KGA451) whose first line is not a decision: a corpus, a file of claims, a graph,
    another file of the run's folder, or anything else. Reads the first line only.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "claims.jsonl"
    >>> _ = f.write_text('{"head": "aspirin", "predicate": "treats", "tail": "headache"}\\n')
    >>> check_extraction_output(f)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kgagent.errors.InputError: .../claims.jsonl: KGA450 not an extraction's output: its line 1 is a claim (a file of claims for `kgagent validate`), not a decision; give the folder ...
    """
    path = Path(out)
    if path.is_dir():
        if not (path / "decisions.jsonl").exists():
            raise InputError(f"not an extraction's output: the folder has no decisions.jsonl; {EXTRACTION_OUTPUT}",
                             code="KGA450", location=Location(str(path)))
        return path / "decisions.jsonl"
    if not path.exists():
        raise InputError(f"no such file or folder; {EXTRACTION_OUTPUT}", code="KGA450", location=Location(str(path)))
    if path.name == "decisions.jsonl":
        return path
    why = _not_decisions(path)
    if why is not None:
        raise InputError(f"not an extraction's output: {why}; {EXTRACTION_OUTPUT}", code="KGA450",
                         location=Location(str(path)))
    return path


def _not_decisions(path: Path) -> str | None:
    """Why the file ``path`` is no file of decisions, judged by its first non-blank line (None
    when that line is a decision: a JSON object with an "id", a "kind" and a "verdict")."""
    if path.name in _RUN_FILES:
        return f"{path.name} is a file of an extraction's folder, not its decisions"
    try:
        with open(path, "rb") as fh:
            lineno, raw = 0, b""
            while not raw.strip():
                raw = fh.readline(1 << 24)
                lineno += 1
                if not raw:
                    return "the file is empty"
    except OSError as err:
        return f"it cannot be read ({err.strerror or err})"
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "it is not text (not UTF-8)"
    except (ValueError, RecursionError):
        return f"its line {lineno} is not JSON (a decision is one JSON object a line)"
    if isinstance(obj, dict) and "id" in obj and "kind" in obj and "verdict" in obj:
        return None
    if isinstance(obj, dict) and {"head", "predicate", "tail"} <= set(obj) or (
            isinstance(obj, list) and len(obj) in (3, 4) and all(isinstance(x, str) for x in obj[:3])):
        looks = "a claim (a file of claims for `kgagent validate`)"
    elif isinstance(obj, dict) and "text" in obj:
        looks = "a document (a corpus for `kgagent extract`)"
    elif isinstance(obj, dict) and "tokens" in obj or isinstance(obj, list):
        looks = "training data or another JSON file"
    else:
        looks = f"{json_kind(obj)} without the id, kind and verdict of a decision"
        return f"its line {lineno} is {looks}"
    return f"its line {lineno} is {looks}, not a decision"


def explain_decision(decision: dict[str, Any], wording: dict[str, str] | None = None,
                     where: Location | None = None) -> str:
    """The whole explanation: what was decided about what, the summary line, the proof tree.

    ``wording``: the domain's words for its helper predicates (``Domain.wording``; None = the
    default domain's). Control characters of the texts quoted are written as ``\\x1b``.
    InputError KGA451 for a decision kgagent did not write (a hand-edited one whose fields are of
    the wrong kind), located at ``where`` (the decision's file and line) when given.
    """
    try:
        return _explain(decision, wording)
    except (AttributeError, TypeError, KeyError, ValueError, IndexError) as err:
        raise _not_written(decision, decision_problem(decision) or f"a field of the wrong kind: {err}",
                           where) from None


def _explain(decision: dict[str, Any], wording: dict[str, str] | None) -> str:
    if decision.get("kind") == "relation":
        head = (decision.get("head") or {}).get("text", "?")
        tail = (decision.get("tail") or {}).get("text", "?")
        what = f"relation {decision.get('predicate')}('{head}', '{tail}')"
    else:
        what = f"entity '{decision.get('text', '?')}' as {decision.get('type')}"
    if "claim" in decision:  # a claim given to check (Agent.validate), not a reading of a text
        given = decision.get("claim_score")
        lines = [f"{decision.get('id')}: {what}, a claim given to check ("
                 + (f"confidence {given})" if given is not None else "no confidence given)")]
    else:
        where = f"document {decision.get('doc')}, sentence {decision.get('sentence')}"
        lines = [f"{decision.get('id')}: {what} in {where} (model score {decision.get('score')})"]
    if decision.get("sentence_text"):
        lines.append(f"  \"{decision['sentence_text']}\"")
    repair = decision.get("repair")
    if isinstance(repair, dict):
        what = "retyped" if repair.get("kind") == "retype" else "relabelled"
        margin = f", margin {repair['margin']}" if repair.get("margin") is not None else ""
        lines.append(f"{what} from {repair.get('from')} to {repair.get('to')} by the joint decision{margin}")
    for note in decision.get("notes") or []:
        lines.append(f"note: {note}")
    for part in ("head", "tail"):
        m = decision.get(part)
        if isinstance(m, dict) and m.get("repaired_from"):
            lines.append(f"its {part} '{m.get('text')}' was retyped from {m['repaired_from']} to {m.get('type')}")
        if isinstance(m, dict) and isinstance(m.get("unlinked_from"), dict):
            lines.append(f"its {part} '{m.get('text')}' is a new entity, not the graph's "
                         f"{m['unlinked_from'].get('label')} (the rules took that link away)")
        if isinstance(m, dict) and isinstance(m.get("short_for"), dict):
            lines.append(f"its {part} '{m.get('text')}' is the entity of '{m['short_for'].get('text')}', "
                         "whose name it shortens")
        if isinstance(m, dict) and isinstance(m.get("relinked_from"), dict):
            lines.append(f"its {part} '{m.get('text')}' is the graph's {m.get('entity_label')}, not "
                         f"{m['relinked_from'].get('label')}: the rules chose the place of its name")
    lines.append(summary_line(decision, wording))
    others = decision.get("others") or []
    if others:
        lines.append("also derived (weaker verdicts lose: reject > review > repair > accept): " + "; ".join(
            VERDICT_WORDS.get(o.get("verdict"), o.get("verdict", "")) + (f": {o['reason']}" if o.get("reason") else "")
            for o in others))
    scores = decision.get("scores")
    if isinstance(scores, dict) and len(scores) > 1:  # the alternatives the encoder weighed
        lines.append("the encoder's scores: " + ", ".join(f"{label} {score}" for label, score in scores.items()))
    lines.append("why:")
    lines += ["  " + line for line in proof_tree(decision, wording)]
    unlink, relink, same = decision.get("unlink"), decision.get("relink"), decision.get("same_as")
    if isinstance(unlink, dict):
        lines += _entity_change(decision, wording, unlink, f"not linked to the graph's {unlink.get('label')}",
                                "why not linked:")
    if isinstance(relink, dict):
        was = (relink.get("from") or {}).get("label")
        lines += _entity_change(decision, wording, relink, f"linked to the graph's {relink.get('label')}, not {was}",
                                "why this entity:")
    if isinstance(same, dict):
        was = (same.get("from") or {}).get("label")
        lines += _entity_change(decision, wording, same, f"the same entity as '{same.get('text')}'"
                                + (f", not the graph's {was}" if was else ""), "why the same entity:")
    # text read from a corpus may hold control characters (ESC, BEL): shown, never acted on by a
    # terminal; a line break inside a sentence or mention is a space, so each line stays one
    return "\n".join(visible(line.replace("\r\n", " ").replace("\n", " "), keep="\t") for line in lines)
