"""Claims given to check (``Agent.validate``): how a claim is read, and its verdict.

A file of claims (:func:`read_claims`, ``kgagent validate``) holds one claim per line: in a
``.jsonl`` / ``.ndjson`` / ``.json`` file a JSON object (``head``, ``predicate``, ``tail``;
optionally ``score``, ``head_type``, ``tail_type``) or a list ``[head, predicate, tail(, score)]``;
in any other file (``-``: standard input) the parts separated by tabs,
``head<TAB>predicate<TAB>tail`` and optionally ``<TAB>score`` (left empty: no score). Blank lines,
and lines beginning with ``#`` in a tab-separated file, are skipped, as is its first line when it
is the header ``head<TAB>predicate<TAB>tail[<TAB>score]``. Bad input raises
:class:`~kgagent.errors.InputError` naming the file and line: KGA401 not UTF-8, KGA402 binary,
KGA403 empty, KGA404 malformed JSON, KGA407 no such file, KGA411 not a claim (a part missing, empty,
not a string, or holding a NUL character, ``"\\u0000"`` in JSON; a score that is no number in
[0, 1], a key that is none of the six, a whole JSON array of claims on one line). A ``.json`` file too is read as JSON Lines, never as one JSON array:
each claim keeps its own line number, the file is read as it streams, and one format means one set
of errors.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "claims.tsv"
>>> _ = p.write_text("# head, predicate, tail, confidence\\naspirin\\ttreats\\theadache\\nBayer\\tmakes\\taspirin\\t0.4\\n")
>>> [(c, str(where)) for c, where in read_claims(p)]  # doctest: +ELLIPSIS
[(('aspirin', 'treats', 'headache'), '...claims.tsv:2'), (('Bayer', 'makes', 'aspirin', 0.4), '...claims.tsv:3')]
"""

from __future__ import annotations

import json
import numbers
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.corpus import JSONL_SUFFIXES, json_line, text_lines
from kgagent.decisions import Decision, MentionResult
from kgagent.domain.tomlfile import near_miss
from kgagent.errors import InputError, Location, json_kind, not_text
from kgagent.schema import ProofNode


@dataclass
class ClaimResult:
    """The verdict on one claim given to :meth:`Agent.validate`."""

    claim: tuple[str, str, str]
    id: str
    verdict: str
    reason: str
    rule: str | None
    proof: ProofNode | None
    head: MentionResult
    tail: MentionResult
    predicate: str
    others: list[dict[str, str]] = field(default_factory=list)
    score: float | None = None  # the caller's confidence, if given
    relation: str = ""  # the id the rules gave the claimed relation (its proof's subject)

    @property
    def decision(self) -> Decision:
        """The claim as a relation decision (what ``kgagent.explain`` renders)."""
        return Decision(id=self.id, doc="claim", sentence=0, kind="relation", subject=self.relation or self.id,
                        verdict=self.verdict, reason=self.reason, rule=self.rule, proof=self.proof,
                        score=self.score if self.score is not None else 1.0, label=self.predicate,
                        model_label=self.predicate, head=self.head, tail=self.tail, others=self.others,
                        sentence_text=" ".join(self.claim))

    def explain(self) -> str:
        """The proof in words (see :func:`kgagent.explain.explain_decision`)."""
        from kgagent.explain import explain_decision

        return explain_decision(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The claim's decision as decisions.jsonl writes one, with the claim and its score."""
        out = self.decision.to_dict()
        out["claim"] = list(self.claim)
        out["claim_score"] = self.score  # None: the caller gave no confidence
        return out


def parse_claim(c: Any, normalize: Callable[[str], str]) -> tuple[str, str, str, float | None, str | None, str | None]:
    """A claim as (head, predicate, tail, score, head type, tail type), the predicate and the
    types in ontology names (``normalize``): from ``(head, predicate, tail[, score])`` or a dict
    with ``head``, ``predicate``, ``tail`` and optionally ``score``, ``head_type``, ``tail_type``.
    Raises InputError KGA411 naming what is wrong (a missing part, a part that is no text or is
    empty, a score that is no number in [0, 1], a key of the dict that is none of these).
    Nothing is converted: ``"head": null`` is no claim about an entity called "None".

    >>> parse_claim({"head": None, "predicate": "capital", "tail": "France"}, str)
    Traceback (most recent call last):
    kgagent.errors.InputError: KGA411 head must be a non-empty string, not null
    """
    if isinstance(c, dict):
        if unknown := [k for k in c if k not in CLAIM_KEYS]:
            raise InputError(_unknown_key(unknown[0]), code="KGA411")
        try:
            head, pred, tail = (c[k] for k in ("head", "predicate", "tail"))
        except KeyError as err:
            raise InputError(f"a claim needs head, predicate and tail; missing {err}", code="KGA411") from None
        score = c.get("score")
        ht, tt = _claim_type(c.get("head_type"), "head_type"), _claim_type(c.get("tail_type"), "tail_type")
    elif isinstance(c, (tuple, list)) and len(c) in (3, 4):
        head, pred, tail = c[0], c[1], c[2]
        score = c[3] if len(c) == 4 else None
        ht = tt = None
    else:
        raise InputError(f"a claim is (head, predicate, tail[, score]) or a dict, got {c!r}", code="KGA411")
    head, pred, tail = (_claim_text(v, what) for v, what in ((head, "head"), (pred, "predicate"), (tail, "tail")))
    if not head.strip() or not tail.strip():
        raise InputError(f"a claim needs non-empty head and tail: {c!r}", code="KGA411")
    if not pred.strip():
        raise InputError(f"a claim needs a non-empty predicate: {c!r}", code="KGA411")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, numbers.Real):
            raise InputError(f"score must be a number in [0, 1], not {_json_kind(score)}", code="KGA411")
        try:
            score = float(score)
        except OverflowError:  # an int past a float's range: no score in [0, 1]
            raise InputError("a claim's score must lie in [0, 1], not a number too large for a float",
                             code="KGA411") from None
        if not 0.0 <= score <= 1.0:
            raise InputError(f"a claim's score must lie in [0, 1]: {c!r}", code="KGA411")
    return (head.strip(), normalize(pred), tail.strip(), score, normalize(ht) if ht else None,
            normalize(tt) if tt else None)


#: the keys of a claim given as a dict (a JSON object)
CLAIM_KEYS = ("head", "predicate", "tail", "score", "head_type", "tail_type")


def _unknown_key(key: Any) -> str:
    """The message for a key no claim has, with the key it may have meant: a misspelt ``score``
    or ``tail_type`` is never read as no score or no type."""
    return f"a claim has no key {key!r}{near_miss(str(key), CLAIM_KEYS)}; its keys are {', '.join(CLAIM_KEYS)}"


def _json_kind(v: Any) -> str:
    """:func:`kgagent.errors.json_kind`, with a number's or a string's value ("the string '0.5'")."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"a number ({v!r})"
    if isinstance(v, str):
        return "an empty string" if not v.strip() else f"the string {v!r}"
    return json_kind(v)


def _claim_text(v: Any, what: str) -> str:
    """A claim's head, predicate or tail: a string that is text (KGA411 otherwise)."""
    if not isinstance(v, str):
        raise InputError(f"{what} must be a non-empty string, not {_json_kind(v)}", code="KGA411")
    if (why := not_text(v)) is not None:  # "\ud800" or "\u0000" in JSON: never a name the graph or rules hold
        raise InputError(f"{what} holds {why}, which is no text", code="KGA411")
    return v


def _claim_type(v: Any, what: str) -> str | None:
    """A claim's ``head_type`` / ``tail_type``: absent or null = none given, else a class name."""
    if v is None:
        return None
    if not isinstance(v, str) or not v.strip():
        raise InputError(f"{what} must be a class name (a non-empty string) or null, not {_json_kind(v)}",
                         code="KGA411")
    return _claim_text(v, what).strip()


def check_claim_classes(claim: tuple[str, str, str, float | None, str | None, str | None],
                        classes: Collection[str]) -> None:
    """InputError KGA411 for a claim (as :func:`parse_claim` returns it) whose ``head_type`` or
    ``tail_type`` is no class of ``classes`` (the ontology's)."""
    head, pred, tail, _, head_type, tail_type = claim
    for what, given in (("head_type", head_type), ("tail_type", tail_type)):
        if given is not None and given not in classes:
            raise InputError(f"{what} {given!r} is no class of the ontology (it has {', '.join(sorted(classes))}): "
                             f"{(head, pred, tail)!r}", code="KGA411")


def read_claims(path: str | Path, classes: Collection[str] | None = None,
                normalize: Callable[[str], str] = str) -> Iterator[tuple[Any, Location]]:
    """The claims of a file (``-``: standard input), each with where it stands, streamed: a
    tuple ``(head, predicate, tail[, score])`` or a dict, as :meth:`Agent.validate` takes them.
    Each is checked as :func:`parse_claim` reads it (with ``normalize``, the label map's), and
    with ``classes`` its ``head_type`` / ``tail_type`` as :func:`check_claim_classes` does; see
    the module docstring for the formats and the errors."""
    if str(path) == "-":
        yield from _claim_lines(text_lines(sys.stdin.buffer, "<stdin>", what="claims"), "<stdin>", json_lines=False,
                                classes=classes, normalize=normalize)
        return
    p = Path(path)
    if p.is_dir() or not p.exists():  # a pipe or FIFO is read as a file is
        why = "a directory, not a file of claims" if p.is_dir() else "no such file of claims"
        raise InputError(why, code="KGA407", location=Location(str(p)))
    with open(p, "rb") as fh:
        json_lines = p.suffix.lower() in JSONL_SUFFIXES
        yield from _claim_lines(text_lines(fh, str(p), what="claims", lone_cr=not json_lines), str(p),
                                json_lines=json_lines, classes=classes, normalize=normalize)


def _claim_lines(lines: Iterator[tuple[int, str]], name: str, json_lines: bool, classes: Collection[str] | None,
                 normalize: Callable[[str], str]) -> Iterator[tuple[Any, Location]]:
    first, found = True, False
    for lineno, line in lines:
        where = Location(name, lineno)
        if not line.strip() or (not json_lines and line.lstrip().startswith("#")):
            continue
        if first and not json_lines and [x.strip().lower() for x in line.split("\t")] in _HEADERS:
            first = False
            continue  # a header row names the columns: no claim about an entity called "head"
        first = False
        claim = _json_claim(line, where) if json_lines else _tab_claim(line, where)
        try:
            parsed = parse_claim(claim, normalize)
            if classes is not None:
                check_claim_classes(parsed, classes)
        except (InputError, ValueError, TypeError) as err:
            raise InputError(getattr(err, "message", str(err)), code="KGA411", location=where) from None
        found = True
        yield claim, where
    if not found:  # comments, blank lines or a header alone: as empty as an empty file (KGA403)
        raise InputError("no claims in it, only comments, blank lines or a header row", code="KGA403",
                         location=Location(name))


def _json_claim(line: str, where: Location) -> Any:
    try:
        claim = json.loads(line)
    except json.JSONDecodeError as err:
        compact = "".join(line.split())  # a pretty-printed array or object shows in its first line
        hint = (f"; {_ARRAY}" if compact == "[" or compact.startswith(("[{", "[[")) else
                f"; {JSON_LINES}" if compact == "{" else "")
        raise InputError(f"malformed JSON: {err.msg} (column {err.colno}){hint}", code="KGA404",
                         location=Location(where.path, where.line, err.colno)) from None
    except (RecursionError, ValueError):  # nested too deep, a number too long: json_line's words
        claim = json_line(line, str(where.path), where.line or 0)
    if isinstance(claim, list):
        if claim and all(isinstance(x, (dict, list)) for x in claim):
            raise InputError(f"a JSON array of {len(claim)} claim{'' if len(claim) == 1 else 's'}; {_ARRAY}",
                             code="KGA411", location=where)
        return tuple(claim)
    if not isinstance(claim, dict):
        raise InputError("a claim is an object (head, predicate, tail, optionally score, head_type, tail_type) "
                         f"or a list [head, predicate, tail(, score)], not {type(claim).__name__}",
                         code="KGA411", location=where)
    return claim


#: how a .json / .jsonl file of claims is laid out (the hint of an error that shows it is not)
JSON_LINES = "claims in a .json/.jsonl file are JSON Lines: one claim (an object or a list) per line"
_ARRAY = (JSON_LINES + ", not one JSON array (convert it with: jq -c '.[]' FILE.json > FILE.jsonl)")


#: the header rows a tab-separated file of claims may begin with (skipped)
_HEADERS = (["head", "predicate", "tail"], ["head", "predicate", "tail", "score"])


def _tab_claim(line: str, where: Location) -> tuple[Any, ...]:
    parts = [x.strip() for x in line.split("\t")]
    if len(parts) not in (3, 4):
        json_hint = ("; JSON claims are read from a .json/.jsonl file (a tab-separated file and - are read as "
                     "tab-separated)" if line.lstrip().startswith(("{", "[")) else "")
        raise InputError(f"expected head, predicate and tail (and optionally a score) separated by tabs; found "
                         f"{len(parts)} part{'s' if len(parts) != 1 else ''}{json_hint}", code="KGA411",
                         location=where)
    if len(parts) == 3 or not parts[3]:  # an empty score column (a spreadsheet's trailing tab): no score
        return tuple(parts[:3])
    try:
        score = float(parts[3])
    except ValueError:
        raise InputError(f"the score {parts[3]!r} is not a number", code="KGA411", location=where) from None
    return (*parts[:3], score)


__all__ = ["ClaimResult", "parse_claim", "read_claims"]
