"""The decisions of an extraction's output directory, as review items.

Reads ``OUT/decisions.jsonl`` once into memory, indexes decisions by id and by sentence, and
works out what the page shows: each mention's offsets in its sentence, the choices of types and
predicates (read from the decisions themselves, never a fixed schema) and the extraction's
fingerprint (``OUT/run.json``: model, rules, graph), which every answer is stamped with.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.errors import InputError, StorageError

VERDICT_ORDER = {"review": 0, "repair": 1, "reject": 2, "accept": 3}  # doubtful first; a repair changed the model's label


@dataclass(frozen=True)
class Filters:
    """Which decisions a queue holds (None: any)."""

    verdict: str | None = None
    kind: str | None = None
    label: str | None = None  # type or predicate
    rule: str | None = None
    doc: str | None = None
    min_score: float | None = None
    max_score: float | None = None

    def match(self, d: dict[str, Any]) -> bool:
        """Whether the decision passes every filter that is set."""
        score = float(d.get("score") or 0.0)
        return ((self.verdict is None or d.get("verdict") == self.verdict)
                and (self.kind is None or d.get("kind") == self.kind)
                and (self.label is None or label_of(d) == self.label)
                and (self.rule is None or d.get("rule") == self.rule)
                and (self.doc is None or d.get("doc") == self.doc)
                and (self.min_score is None or score >= self.min_score)
                and (self.max_score is None or score <= self.max_score))


def label_of(d: dict[str, Any]) -> str:
    """The decision's type (entity) or predicate (relation)."""
    return str(d.get("predicate") if d.get("kind") == "relation" else d.get("type") or "")


def uncertainty(d: dict[str, Any], threshold: float = 0.5) -> float:
    """How close the model's score is to the threshold: 1 at the threshold, 0 at 0 or 1."""
    score = float(d.get("score") or 0.0)
    return 1.0 - min(1.0, abs(score - threshold) / max(threshold, 1.0 - threshold))


def accept_boundaries(decisions: Iterable[dict[str, Any]], default: float = 0.5, min_each: int = 10
                      ) -> dict[str, float]:
    """Per kind, the score at which the agent's verdicts turn to accept.

    The rules accept against thresholds of their own (a domain's entity band, the encoder's
    calibrated relation threshold, 0.3 for one model and 0.7 for another), so 0.5 is rarely
    where a decision is close. This fits the cut between two distinct scores that leaves the
    fewest decisions on the wrong side (accepts below it, others above), taking the lowest such
    cut, and returns the midpoint of the scores around it. A kind with fewer than ``min_each``
    accepts or fewer than ``min_each`` other verdicts (too few to place a boundary) gets
    ``default``.

    >>> ds = [{"kind": "relation", "verdict": v, "score": s}
    ...       for v, s in [("reject", 0.1), ("review", 0.25), ("accept", 0.35), ("accept", 0.8), ("reject", 0.9)]]
    >>> accept_boundaries(ds, min_each=1)
    {'relation': 0.3}
    >>> accept_boundaries(ds)
    {'relation': 0.5}
    """
    by_kind: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for d in decisions:
        by_kind[str(d.get("kind"))].append((float(d.get("score") or 0.0), d.get("verdict") == "accept"))
    out: dict[str, float] = {}
    for kind, rows in sorted(by_kind.items()):
        rows.sort()
        n_accept = sum(a for _, a in rows)
        if min(n_accept, len(rows) - n_accept) < max(min_each, 1):
            out[kind] = default
            continue
        best, cut = len(rows) - n_accept, 0  # a cut before rows[i]: accepts below it + others from it on
        accepts_below = 0
        for i in range(1, len(rows) + 1):
            accepts_below += rows[i - 1][1]
            if i < len(rows) and rows[i][0] == rows[i - 1][0]:
                continue  # no cut between equal scores
            wrong = accepts_below + (len(rows) - i - (n_accept - accepts_below))
            if wrong < best:
                best, cut = wrong, i
        if cut in (0, len(rows)):
            out[kind] = default
        else:
            out[kind] = round((rows[cut - 1][0] + rows[cut][0]) / 2, 6)
    return out


def closeness(decisions: list[dict[str, Any]], threshold: float | None = None) -> Callable[[dict[str, Any]], float]:
    """``uncertainty`` of each of ``decisions`` from its kind's accept boundary, fitted on
    ``decisions`` (:func:`accept_boundaries`), or from ``threshold`` when one is given."""
    if threshold is not None:
        return lambda d: uncertainty(d, threshold)
    cut = accept_boundaries(decisions)  # every kind of ``decisions`` has one
    return lambda d: uncertainty(d, cut[str(d.get("kind"))])


def extraction_fingerprint(out: Path, run: dict[str, Any] | None = None) -> tuple[str, dict[str, str]]:
    """The fingerprint of the extraction in ``out`` and its parts (model, rules, graph...).

    From ``run.json`` (``run``, when the caller has read it already) when the run wrote one;
    otherwise from the first decision line, which a resumed run of the same extraction never
    changes.
    """
    parts: dict[str, str] = {}
    fp = (read_run_json(out) if run is None else run).get("fingerprint")
    if isinstance(fp, dict):
        parts = {str(k): str(v) for k, v in fp.items()}
    if not parts:
        with open(out / "decisions.jsonl", "rb") as fh:
            parts = {"first_decision": hashlib.sha1(fh.readline()).hexdigest()[:16]}
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16], parts


def read_run_json(out: Path) -> dict[str, Any]:
    """``out/run.json`` as a dict; empty when there is none (an older run). One that is there
    but no JSON object (not UTF-8, cut short, edited) is InputError KGA470 naming it: read as
    absent, it gave the extraction another fingerprint, and the answers made on it were refused
    as another extraction's (KGA471)."""
    path = out / "run.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise StorageError(f"cannot read {path}: {err.strerror or err}", code="KGA550") from None
    try:
        run = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); "
                         "extract again or restore it", code="KGA470") from None
    except ValueError as err:
        raise InputError(f"{path}: not JSON ({err}); extract again or restore it", code="KGA470") from None
    if not isinstance(run, dict):
        raise InputError(f"{path}: not a JSON object (a run.json holds the run's fingerprint and labels); "
                         "extract again or restore it", code="KGA470")
    return run


def run_labels(run: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The "labels" of a run.json (:func:`read_run_json`: kind -> ontology name -> the model's
    label); empty when the run wrote none (an older run) or it is not of that shape."""
    labels = run.get("labels")
    if not isinstance(labels, dict):
        return {}
    return {str(kind): {str(k): str(v) for k, v in names.items()}
            for kind, names in labels.items() if kind in ("entity", "relation") and isinstance(names, dict)}


@dataclass
class ReviewSet:
    """Every decision of one extraction, indexed for the review page."""

    out: Path
    decisions: list[dict[str, Any]]
    fingerprint: str
    fingerprint_parts: dict[str, str]
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_sentence: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    #: the encoder's labels by ontology name and kind, as the run recorded them (run.json "labels")
    run_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    sentence_offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    #: (inode, size, mtime in ns) of decisions.jsonl as read; None for a set not read from a file
    source_stat: tuple[int, int, int] | None = None
    _labels: dict[str, list[str]] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, out: str | Path) -> "ReviewSet":
        """Read ``out/decisions.jsonl`` (KGA470 when ``out`` is not an extraction's output, or when
        one decision id is on two lines with different content; an identical copy is read once)."""
        out = Path(out)
        path = out / "decisions.jsonl"
        if not out.is_dir() or not path.is_file():
            raise InputError(f"{out} is not the output of an extraction (no decisions.jsonl; "
                             "run `kgagent extract --out DIR` first)", code="KGA470")
        decisions: list[dict[str, Any]] = []
        first_line: dict[str, tuple[dict[str, Any], int]] = {}
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                source_stat = (st.st_ino, st.st_size, st.st_mtime_ns)
                for lineno, raw in enumerate(fh, 1):
                    try:
                        line = raw.decode("utf-8")
                    except UnicodeDecodeError as err:
                        raise InputError(f"{path}:{lineno}: not UTF-8 text (byte 0x{raw[err.start]:02x} at "
                                         f"column {err.start + 1})", code="KGA470") from None
                    if not line.strip():
                        continue
                    try:
                        d = json.loads(line)
                    except ValueError:
                        raise InputError(f"{path}:{lineno}: not a JSON line", code="KGA470") from None
                    if not isinstance(d, dict) or not d.get("id") or d.get("kind") not in ("entity", "relation"):
                        raise InputError(f"{path}:{lineno}: not a decision (needs an id and a kind)",
                                         code="KGA470")
                    did = str(d["id"])
                    if did in first_line:  # ids are content hashes: a second line is a copy or a clash
                        earlier, at = first_line[did]
                        if earlier == d:
                            continue  # the same decision written twice: one item, counted once
                        raise InputError(f"{path}:{lineno}: decision {did} is also on line {at} with other "
                                         "content; which one a reviewer saw could not be told (an edited or "
                                         "merged file? extract again with --overwrite)", code="KGA470")
                    first_line[did] = (d, lineno)
                    decisions.append(d)
        except OSError as err:
            raise StorageError(f"cannot read {path}: {err.strerror or err}", code="KGA550") from None
        if not decisions:
            raise InputError(f"{path} holds no decisions", code="KGA474")
        run = read_run_json(out)
        fp, parts = extraction_fingerprint(out, run)
        rs = cls(out, decisions, fp, parts, run_labels=run_labels(run), source_stat=source_stat)
        rs._index()
        return rs

    @property
    def stamp(self) -> str:
        """Which decisions.jsonl this set was read from ("inode-size-mtime"; "" when not from a
        file): the page sends it back with each answer, so one opened on an earlier file is told."""
        return "-".join(str(x) for x in self.source_stat) if self.source_stat is not None else ""

    def changed_on_disk(self) -> bool:
        """Whether ``out/decisions.jsonl`` is no longer the file this set was read from (an
        extraction re-run or resumed in ``out`` since): another inode, size or modification time."""
        if self.source_stat is None:
            return False
        try:
            st = os.stat(self.out / "decisions.jsonl")
        except OSError:
            return True
        return (st.st_ino, st.st_size, st.st_mtime_ns) != self.source_stat

    def _index(self) -> None:
        groups: dict[tuple[str, int], list[str]] = defaultdict(list)
        for d in self.decisions:
            self.by_id.setdefault(str(d["id"]), d)
            groups[(str(d.get("doc", "")), int(d.get("sentence") or 0))].append(str(d["id"]))
        self.by_sentence = dict(groups)
        for key, ids in groups.items():
            self.sentence_offsets[key] = _sentence_offset([self.by_id[i] for i in ids])

    # ------------------------------------------------------------------ choices
    def labels(self) -> dict[str, list[str]]:
        """The types (entity) and predicates (relation) a reviewer may choose, sorted: those the
        decisions use and every label of the encoder the run recorded (a class no decision took
        is still a right answer). Worked out once: the page asks for every item and answer, and
        the decisions do not change (100,000 of them take 0.09 s)."""
        if self._labels is not None:
            return self._labels
        out: dict[str, set[str]] = {"entity": set(), "relation": set()}
        for kind in out:
            out[kind].update(self.run_labels.get(kind, {}))
        for d in self.decisions:
            if label_of(d):
                out[str(d["kind"])].add(label_of(d))
            if d.get("kind") == "relation":
                for arg in (d.get("head"), d.get("tail")):
                    if isinstance(arg, dict) and arg.get("type"):
                        out["entity"].add(str(arg["type"]))
        self._labels = {k: sorted(v) for k, v in out.items()}
        return self._labels

    def model_labels(self) -> dict[tuple[str, str], str]:
        """(kind, normalised label) -> the model's own label, as the decisions pair them."""
        out: dict[tuple[str, str], str] = {}
        for d in self.decisions:
            if d.get("model_label") and label_of(d):
                out.setdefault((str(d["kind"]), label_of(d)), str(d["model_label"]))
            for arg in (d.get("head"), d.get("tail")) if d.get("kind") == "relation" else ():
                if isinstance(arg, dict) and arg.get("model_label") and arg.get("type"):
                    out.setdefault(("entity", str(arg["type"])), str(arg["model_label"]))
        for kind, names in self.run_labels.items():
            for name, model_label in names.items():
                out.setdefault((kind, name), model_label)
        return out

    def rules(self) -> list[str]:
        return sorted({str(d["rule"]) for d in self.decisions if d.get("rule")})

    def docs(self) -> list[str]:
        return sorted({str(d.get("doc", "")) for d in self.decisions})

    # ------------------------------------------------------------------ one decision
    def get(self, decision_id: str) -> dict[str, Any]:
        """The decision with this id (KGA472 if there is none: a request named something unknown)."""
        d = self.by_id.get(decision_id)
        if d is None:
            raise InputError(f"no decision {decision_id!r} in this extraction", code="KGA472")
        return d

    def sentence_key(self, d: dict[str, Any]) -> tuple[str, int]:
        return str(d.get("doc", "")), int(d.get("sentence") or 0)

    def siblings(self, d: dict[str, Any]) -> list[dict[str, Any]]:
        """Every decision of the same sentence (the decision itself included), in file order."""
        return [self.by_id[i] for i in self.by_sentence.get(self.sentence_key(d), [])]

    def local_span(self, d: dict[str, Any], span: Any) -> tuple[int, int] | None:
        """A document span of ``d``'s sentence as offsets into the sentence text (None if unknown)."""
        if not isinstance(span, list | tuple) or len(span) != 2:
            return None
        base = self.sentence_offsets.get(self.sentence_key(d))
        if base is None:
            return None
        s, e = int(span[0]) - base, int(span[1]) - base
        text = str(d.get("sentence_text") or "")
        return (s, e) if 0 <= s < e <= len(text) else None

    def sentence_base(self, d: dict[str, Any]) -> int | None:
        """Where ``d``'s sentence starts in its document (None if it cannot be told)."""
        return self.sentence_offsets.get(self.sentence_key(d))


def mentions_of(d: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The decision's mentions as (role, mention dict): ("mention", d) or head and tail."""
    if d.get("kind") == "relation":
        return [(role, d[role]) for role in ("head", "tail") if isinstance(d.get(role), dict)]
    return [("mention", d)]


def _sentence_offset(decisions: list[dict[str, Any]]) -> int | None:
    """The sentence's start in its document: the one offset every mention's text agrees with."""
    candidates: set[int] | None = None
    for d in decisions:
        text = str(d.get("sentence_text") or "")
        for _, m in mentions_of(d):
            surface, span = str(m.get("text") or ""), m.get("span")
            if not surface or not isinstance(span, list) or len(span) != 2:
                continue
            found = {int(span[0]) - i for i in _occurrences(text, surface)}
            candidates = found if candidates is None else candidates & found
    if not candidates:
        return None
    return min(candidates)


def _occurrences(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out
