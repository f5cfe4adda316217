"""Training and evaluation data: examples with token-offset spans, and their readers.

Three formats are read, each into the same :class:`Example`:

- SpERT JSON (CoNLL04 style): one JSON list of ``{"tokens", "entities", "relations"}``;
- CoNLL column files (CoNLL-2003 style): ``token ... NER`` per line, blank line between
  sentences, ``-DOCSTART-`` lines skipped; IOB2 (BIO) and IOB1 tags are both understood;
- feedback JSONL written by the agent (the SpERT shape, one object a line, with per-span
  weights, negatives and provenance).

Every malformed input raises :class:`kgagent.errors.EncoderError` naming file and line.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.errors import EncoderError, Location, lone_surrogate, path_error, undecodable


@dataclass(frozen=True)
class EntitySpan:
    """An entity mention: token offsets ``[start, end)`` and a type label."""

    start: int
    end: int
    type: str
    weight: float = 1.0


@dataclass(frozen=True)
class RelationSpan:
    """A relation between two entities of the same example (indexes into ``entities``)."""

    head: int
    tail: int
    type: str
    weight: float = 1.0


@dataclass
class Example:
    """One sentence with its annotation (gold, predicted or validated feedback).

    ``negative_entities`` / ``negative_relations`` say "this span / pair is NOT this type"
    (relations index ``entities``, as positives do). ``meta`` carries provenance; an optional
    ``meta["weight"]`` (a number in (0, 10], checked by the readers) scales the whole example in
    the training loss.
    """

    tokens: list[str]
    entities: list[EntitySpan] = field(default_factory=list)
    relations: list[RelationSpan] = field(default_factory=list)
    negative_entities: list[EntitySpan] = field(default_factory=list)
    negative_relations: list[RelationSpan] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The SpERT / feedback JSON shape of this example."""
        def ents(items: Iterable[EntitySpan]) -> list[dict[str, Any]]:
            return [{"type": e.type, "start": e.start, "end": e.end, "weight": e.weight} for e in items]

        def rels(items: Iterable[RelationSpan]) -> list[dict[str, Any]]:
            return [{"type": r.type, "head": r.head, "tail": r.tail, "weight": r.weight} for r in items]

        return {"tokens": list(self.tokens), "entities": ents(self.entities), "relations": rels(self.relations),
                "negative_entities": ents(self.negative_entities),
                "negative_relations": rels(self.negative_relations), "meta": dict(self.meta)}


def _err(path: Path | str, line: int, message: str, code: str = "KGA310") -> EncoderError:
    return EncoderError(message, code=code, location=Location(str(path), line))


#: the largest ``meta["weight"]`` an example may carry: it multiplies every loss term of the
#: example (its labels' own weights lie in (0, 1]), as ``kgagent train --feedback-weight`` and the
#: loop's ``feedback_weight`` do, and takes the same range (0, 10]
MAX_EXAMPLE_WEIGHT = 10.0


def example_weight_problem(value: Any, maximum: float | None = MAX_EXAMPLE_WEIGHT) -> str | None:
    """Why ``value`` is no usable ``meta["weight"]`` (None when it is one): it must be a finite
    number above 0 and at most ``maximum`` (None: no upper bound)."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) and value > 0
          and (maximum is None or value <= maximum))
    if ok:
        return None
    limit = f"in (0, {maximum:g}]" if maximum is not None else "finite and above 0"
    return f"meta.weight must be a number {limit}, not {value!r}"


def scheme_problem(scheme: Any) -> str | None:
    """Why ``scheme`` is no ``meta["annotates"]`` (None when it is one): an object with at most
    ``entities`` (a list of label names) and ``relations`` (true, false or "judged"), as
    kgagent.encoder.sources writes it; the trainer reads it as the source's annotation scheme."""
    if not isinstance(scheme, dict):
        return f"meta.annotates must be an object (entities, relations), not {json.dumps(scheme)}"
    unknown = sorted(set(scheme) - {"entities", "relations"})
    if unknown:
        return f"meta.annotates: unknown key {unknown[0]!r} (keys: entities, relations)"
    ents = scheme.get("entities", [])
    if not isinstance(ents, list) or not all(isinstance(e, str) and e for e in ents):
        return f"meta.annotates.entities must be a list of label names, not {json.dumps(ents)}"
    if scheme.get("relations", True) not in (True, False, "judged"):
        return f"meta.annotates.relations must be true, false or \"judged\", not {json.dumps(scheme['relations'])}"
    return None


# --------------------------------------------------------------------------- JSON records


#: the keys of a record that hold its words and labels (a near miss of one is refused, not ignored)
_RECORD_KEYS = ("tokens", "entities", "relations", "negative_entities", "negative_relations")


def _misspelt_key(rec: dict[str, Any]) -> tuple[str, str] | None:
    """(key, the record key it was meant to be) for a key of ``rec`` that is a near miss of an
    absent label key ("entites", "Relations", "entity"), else None: other keys (``orig_id``,
    ``meta``, a data set's own) are kept as they are."""
    missing = tuple(k for k in _RECORD_KEYS if k not in rec)
    if not missing:
        return None
    for key in rec:
        if isinstance(key, str) and key not in _RECORD_KEYS and (meant := _meant_key(key, missing)) is not None:
            return key, meant
    return None


@functools.lru_cache(maxsize=256)
def _meant_key(key: str, missing: tuple[str, ...]) -> str | None:
    """The absent record key ``key`` is a near miss of (its singular, another case, a typo), or
    None; asked once per key and absent keys, not once per record (a data set repeats its keys)."""
    low = key.lower()
    singular = {k[:-3] + "y" if k.endswith("ies") else k[:-1]: k for k in missing}
    return singular.get(low) or next(iter(difflib.get_close_matches(low, missing, n=1, cutoff=0.8)), None)


def record_to_example(rec: Any, path: Path | str, line: int, *, what: str) -> Example:
    """Validate one SpERT/feedback record (a dict) and build its Example; EncoderError KGA310 naming
    ``path`` and ``line`` and saying what (``what``: "record 3", "feedback line") is wrong."""
    if not isinstance(rec, dict):
        raise _err(path, line, f"{what} must be a JSON object, got {type(rec).__name__}")
    if (slip := _misspelt_key(rec)) is not None:
        raise _err(path, line, f"{what}: unknown key {slip[0]!r} (did you mean {slip[1]!r}?): its labels would be "
                               "ignored, the sentence read as having none")
    tokens = rec.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise _err(path, line, f"{what}: 'tokens' must be a list of strings")
    for i, tok in enumerate(tokens):  # a "\ud800" escape: no tokenizer can read it
        if lone_surrogate(tok) is not None:
            raise _err(path, line, f"{what}: tokens[{i}] holds a lone surrogate ({tok!r}), which is not text")
        if (at := tok.find("\x00")) >= 0:  # a "\u0000" escape: a corpus refuses it too (KGA402, KGA404)
            raise _err(path, line, f"{what}: tokens[{i}] holds a NUL character (U+0000) at character {at} ({tok!r}), "
                                   "which is not text")
    n = len(tokens)

    def weight(obj: dict[str, Any], where: str) -> float:
        w = obj.get("weight", 1.0)
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or not 0 < w <= 1:
            raise _err(path, line, f"{what}: {where} weight must be a number in (0, 1], got {w!r}")
        return float(w)

    def entity_list(key: str) -> list[EntitySpan]:
        items = rec.get(key, [])
        if not isinstance(items, list):
            raise _err(path, line, f"{what}: '{key}' must be a list")
        out = []
        typed: dict[tuple[int, int], tuple[int, str]] = {}  # span -> (its first entity, type)
        for i, e in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(e, dict):
                raise _err(path, line, f"{what}: {where} must be an object")
            s, t, typ = e.get("start"), e.get("end"), e.get("type")
            if not isinstance(typ, str) or not typ or lone_surrogate(typ) is not None:
                raise _err(path, line, f"{what}: {where} needs a non-empty string 'type'")
            if (at := typ.find("\x00")) >= 0:
                raise _err(path, line, f"{what}: {where} 'type' holds a NUL character (U+0000) at character {at} "
                                       f"({typ!r}), which is not text")
            if not (isinstance(s, int) and isinstance(t, int)) or isinstance(s, bool) or isinstance(t, bool):
                raise _err(path, line, f"{what}: {where} needs integer 'start' and 'end'")
            if not 0 <= s < t <= n:
                raise _err(path, line, f"{what}: {where} span [{s}, {t}) out of range for {n} tokens")
            first, first_type = typed.setdefault((s, t), (i, typ))
            if first_type != typ and key == "entities":  # a span has one class (not two "not"s, though)
                raise _err(path, line, f"{what}: {where} gives span [{s}, {t}) the type {typ!r}, but {key}[{first}] "
                                       f"gives it {first_type!r}: a span has one type")
            out.append(EntitySpan(s, t, typ, weight(e, where)))
        return out

    def relation_list(key: str, n_ent: int) -> list[RelationSpan]:
        items = rec.get(key, [])
        if not isinstance(items, list):
            raise _err(path, line, f"{what}: '{key}' must be a list")
        out = []
        for i, r in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(r, dict):
                raise _err(path, line, f"{what}: {where} must be an object")
            h, t, typ = r.get("head"), r.get("tail"), r.get("type")
            if not isinstance(typ, str) or not typ or lone_surrogate(typ) is not None:
                raise _err(path, line, f"{what}: {where} needs a non-empty string 'type'")
            if (at := typ.find("\x00")) >= 0:
                raise _err(path, line, f"{what}: {where} 'type' holds a NUL character (U+0000) at character {at} "
                                       f"({typ!r}), which is not text")
            if not (isinstance(h, int) and isinstance(t, int)) or isinstance(h, bool) or isinstance(t, bool):
                raise _err(path, line, f"{what}: {where} needs integer 'head' and 'tail'")
            if not (0 <= h < n_ent and 0 <= t < n_ent):
                raise _err(path, line, f"{what}: {where} head/tail ({h}, {t}) must index the {n_ent} entities")
            if h == t:
                raise _err(path, line, f"{what}: {where} relates entity {h} to itself")
            out.append(RelationSpan(h, t, typ, weight(r, where)))
        return out

    entities = entity_list("entities")
    relations = relation_list("relations", len(entities))
    neg_entities = entity_list("negative_entities")
    neg_relations = relation_list("negative_relations", len(entities))
    meta = rec.get("meta", {})
    if not isinstance(meta, dict):
        raise _err(path, line, f"{what}: 'meta' must be an object")
    if "weight" in meta and (problem := example_weight_problem(meta["weight"])):
        raise _err(path, line, f"{what}: {problem}")
    if meta.get("annotates") is not None and (problem := scheme_problem(meta["annotates"])):
        raise _err(path, line, f"{what}: {problem}")
    meta = dict(meta)
    if "orig_id" in rec:
        meta.setdefault("orig_id", rec["orig_id"])
    meta.setdefault("source_file", f"{path}:{line}")
    return Example(list(tokens), entities, relations, neg_entities, neg_relations, meta)


def _bytes(path: Path, limit: int = -1) -> bytes:
    """A data file's bytes (the first ``limit`` of them when given); a StorageError
    (:func:`kgagent.errors.path_error`: KGA502 not there, KGA503 a directory, ...), not a bare
    OSError."""
    try:
        with path.open("rb") as fh:
            return fh.read(limit)
    except OSError as err:
        raise path_error(err, path) from None


def _text(path: Path) -> str:
    """A data file's text; EncoderError KGA310 naming the line and column of the first byte that
    is not UTF-8 (a Latin-1 file, say), not a UnicodeDecodeError."""
    data = _bytes(path)
    try:  # a byte-order mark (Windows editors write one) is no part of the data
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line, column, byte = undecodable(data, err)
        raise _err(path, line, f"not UTF-8 text: byte {byte} at column {column} (save the file as UTF-8)") from None


def read_spert_json(path: str | Path) -> list[Example]:
    """Read a SpERT JSON file (a list of sentence records, CoNLL04 style)."""
    path = Path(path)
    text = _text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _err(path, err.lineno, f"invalid JSON: {err.msg} (column {err.colno})") from None
    except RecursionError:
        raise _err(path, 1, f"JSON nested deeper than {_DEPTH_WORDS}") from None
    if not isinstance(data, list):
        raise _err(path, 1, "a SpERT JSON file must hold a list of sentence records")
    return check_spert_records(data, text, path)


#: what a RecursionError of the JSON parser means to the user (no record nests that deep)
_DEPTH_WORDS = "Python's parser can read (no sentence record nests so deep)"


def check_spert_records(data: list[Any], text: str, path: str | Path) -> list[Example]:
    """The parsed records ``data`` of the SpERT JSON ``text`` (read from ``path``) as Examples,
    each checked (EncoderError KGA310 naming the file and the line of the first bad record)."""
    lines = _record_lines(text, len(data))
    return [record_to_example(rec, path, lines[i], what=f"record {i}") for i, rec in enumerate(data)]


def _record_lines(text: str, count: int) -> list[int]:
    """Best-effort line number where each top-level record of a JSON list starts."""
    out, depth, line, in_str, esc = [], 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "[{":
            if depth == 1:
                out.append(line)
            depth += 1
        elif ch in "]}":
            depth -= 1
    out += [1] * (count - len(out))
    return out


# --------------------------------------------------------------------------- the feedback format
# One JSON object a line: SpERT's record shape (``tokens``, ``entities`` with token ``start``
# / ``end``, ``relations`` indexing them) plus ``negative_entities`` / ``negative_relations``,
# a ``weight`` per label and ``meta``; labels the agent wrote cite their decision (``proof``).
# Written by the agent (kgagent.feedback builds the records), the self-training loop and the
# review export, all through ``write_feedback``; read by ``iter_feedback`` / ``read_feedback``.

FEEDBACK_LABEL_KEYS = ("entities", "relations", "negative_entities", "negative_relations")


def iter_feedback(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of each non-empty line of a feedback file, as written (unknown
    fields kept); EncoderError KGA310 naming the file and line for a line that is no record."""
    path = Path(path)
    _bytes(path, 0)  # KGA502 / KGA503 for a file that is not there or is a directory
    with path.open("rb") as fh:
        for lineno, data in enumerate(fh, 1):
            try:
                raw = data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise _err(path, lineno, f"not UTF-8 text (byte {err.start} of the line)") from None
            if lineno == 1:  # a byte-order mark (Windows editors write one) is no part of the data
                raw = raw.removeprefix("\ufeff")
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError as err:
                raise _err(path, lineno, f"invalid JSON: {err.msg} (column {err.colno})") from None
            except RecursionError:
                raise _err(path, lineno, f"JSON nested deeper than {_DEPTH_WORDS}") from None
            if not isinstance(rec, dict) or not isinstance(rec.get("tokens"), list):
                raise _err(path, lineno, 'a feedback line must be an object with "tokens"')
            yield lineno, rec


def read_feedback(path: str | Path) -> list[Example]:
    """Read a feedback JSONL file (one SpERT-shaped object a line, with weights and negatives)."""
    out = []
    for lineno, rec in iter_feedback(path):
        ex = record_to_example(rec, path, lineno, what="feedback record")
        ex.meta.setdefault("source", "feedback")
        out.append(ex)
    return out


def _where(ex: Example, i: int) -> str:
    return str(ex.meta.get("source_file") or f"example {i}") if isinstance(ex.meta, dict) else f"example {i}"


def drop_repeated(examples: Sequence[Example], after: int = 0) -> tuple[list[Example], list[tuple[str, str]]]:
    """The examples without exact repeats, and ``(repeat, first)`` ("file:line" of each) for each
    one dropped: a feedback file exported or appended twice trained every sentence twice.
    ``examples[:after]`` (gold data given beside feedback) are all kept, their own repeats too;
    the later ones are checked against them and against each other.

    A repeat is the same sentence (its tokens and, where the record says them, ``meta`` "doc"
    and "sentence") with the same labels and weights (and ``meta`` "weight" and "annotates",
    which the trainer reads; provenance may differ); the first keeps its place. The same
    sentence with *other* labels (an agent's feedback line and a reviewer's export of that
    sentence, or two exports that disagree) is InputError KGA493 naming both lines: training on
    both would teach both answers, so one must go. The same words in two documents are two
    sentences, both kept.

    >>> a = Example(["Acme", "hired", "Ann"], [EntitySpan(0, 1, "Org")], meta={"source_file": "f:1"})
    >>> b = Example(["Acme", "hired", "Ann"], [EntitySpan(0, 1, "Org")], meta={"source_file": "f:2"})
    >>> kept, dropped = drop_repeated([a, b])
    >>> len(kept), dropped
    (1, [('f:2', 'f:1')])
    """
    from kgagent.errors import InputError

    def meta_of(ex: Example) -> dict[str, Any]:
        return ex.meta if isinstance(ex.meta, dict) else {}

    first: dict[str, tuple[int, str]] = {}  # the sentence -> (index of its first example, its labels)
    kept: list[Example] = []
    dropped: list[tuple[str, str]] = []
    for i, ex in enumerate(examples):
        meta = meta_of(ex)
        sentence = json.dumps([ex.tokens, meta.get("doc"), meta.get("sentence")], sort_keys=True, default=str)
        content = json.dumps([[dataclasses.astuple(x) for x in part] for part in (
            ex.entities, ex.relations, ex.negative_entities, ex.negative_relations)] + [
            {k: meta.get(k) for k in ("weight", "annotates")}], sort_keys=True, default=str)
        if i < after or sentence not in first:
            first.setdefault(sentence, (i, content))
            kept.append(ex)
            continue
        j, seen = first[sentence]
        if content == seen:
            dropped.append((_where(ex, i), _where(examples[j], j)))
            continue
        where = Location.parse(_where(ex, i))
        text = " ".join(ex.tokens)
        text = text if len(text) <= 60 else text[:57] + "..."
        raise InputError(f"labels the sentence {text!r} otherwise than {_where(examples[j], j)} does (the same "
                         "sentence with other labels: a reviewer's export and the agent's feedback of it, or two "
                         "exports that disagree?): training on both would teach both; keep one of the two lines",
                         code="KGA493", location=where)
    return kept, dropped


def example_record(ex: Example) -> dict[str, Any]:
    """An Example as one feedback record (what ``read_feedback`` reads back)."""
    def spans(items: Iterable[Any], kind: str) -> list[dict[str, Any]]:
        out = []
        for it in items or []:
            d: dict[str, Any] = {"type": it.type, "weight": it.weight}
            d.update({"start": it.start, "end": it.end} if kind == "e" else {"head": it.head, "tail": it.tail})
            out.append(d)
        return out

    return {"tokens": ex.tokens, "entities": spans(ex.entities, "e"), "relations": spans(ex.relations, "r"),
            "negative_entities": spans(ex.negative_entities, "e"),
            "negative_relations": spans(ex.negative_relations, "r"), "meta": ex.meta}


def feedback_lines(records: Iterable[dict[str, Any]]) -> str:
    """Feedback records as the file's text (one JSON object a line)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_feedback(records: Iterable[dict[str, Any]], path: str | Path) -> None:
    """Write feedback records to ``path`` atomically (``example_record`` makes them from Examples)."""
    from kgagent.files import atomic_write_text

    atomic_write_text(path, feedback_lines(records))


# --------------------------------------------------------------------------- CoNLL columns


def read_conll(path: str | Path) -> list[Example]:
    """Read a CoNLL column file (first column token, last column NER tag; IOB2 or IOB1).

    ``-DOCSTART-`` lines are skipped; ``meta["doc"]`` counts documents. Tags: ``O``,
    ``B-X``, ``I-X`` (an ``I-X`` that does not continue an ``X`` entity starts one, as IOB1
    says), also ``E-``/``S-`` of BIOES.
    """
    path = Path(path)
    out: list[Example] = []
    tokens: list[str] = []
    tags: list[tuple[str, str, int]] = []
    doc, start_line = 0, 0

    def flush() -> None:
        if tokens:
            ents = _tags_to_spans(tags, path)
            out.append(Example(list(tokens), ents, meta={"doc": doc, "source_file": f"{path}:{start_line}"}))
        tokens.clear()
        tags.clear()

    for lineno, raw in enumerate(_text(path).split("\n"), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if (at := raw.find("\x00")) >= 0:  # valid UTF-8, but binary data: no token holds one
            raise _err(path, lineno, f"a NUL character (U+0000) at column {at + 1}, which is not text (binary data?)")
        cols = line.split()
        if cols[0] == "-DOCSTART-":
            flush()
            doc += 1
            continue
        if len(cols) < 2:
            raise _err(path, lineno, f"expected 'token ... TAG' columns, got {line!r}", "KGA311")
        tag = cols[-1]
        if tag != "O" and (len(tag) < 3 or tag[1] != "-" or tag[0] not in "BIES"):
            raise _err(path, lineno, f"bad NER tag {tag!r} (expected O, B-X, I-X, E-X or S-X)", "KGA311")
        if not tokens:
            start_line = lineno
        tokens.append(cols[0])
        tags.append((tag[0], tag[2:] if tag != "O" else "", lineno))
    flush()
    return out


def _tags_to_spans(tags: list[tuple[str, str, int]], path: Path) -> list[EntitySpan]:
    spans: list[EntitySpan] = []
    cur_type, cur_start = "", -1
    for i, (bio, typ, _line) in enumerate(tags):
        if bio == "O":
            if cur_type:
                spans.append(EntitySpan(cur_start, i, cur_type))
            cur_type = ""
            continue
        continues = bio in "IE" and cur_type == typ
        if not continues:
            if cur_type:
                spans.append(EntitySpan(cur_start, i, cur_type))
            cur_type, cur_start = typ, i
        if bio in "ES":
            spans.append(EntitySpan(cur_start, i + 1, cur_type))
            cur_type = ""
    if cur_type:
        spans.append(EntitySpan(cur_start, len(tags), cur_type))
    return spans


# --------------------------------------------------------------------------- dispatch


def file_format(path: str | Path) -> str:
    """``"spert"``, ``"feedback"`` or ``"conll"``: by extension, then by content.

    ``.json`` -> SpERT JSON; ``.jsonl`` -> feedback; ``.txt``/``.conll``/others -> sniffed:
    a file starting with ``[`` is SpERT JSON, ``{`` feedback JSONL, else CoNLL columns.
    """
    path = Path(path)
    if path.is_dir():
        _bytes(path)  # KGA503 names it
    suffix = path.suffix.lower()
    if suffix == ".toml":  # it starts with "[[source]]": read as SpERT JSON it was "invalid JSON"
        raise _err(path, 1, "a data manifest (.toml) is read by `kgagent train MANIFEST` alone; give a SpERT JSON, "
                            "CoNLL or feedback JSONL file here")
    if suffix in (".json", ".jsonl"):
        return "spert" if suffix == ".json" else "feedback"
    # the first character tells; the reader names a byte that is not UTF-8
    head = _bytes(path, 4096).decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    return "spert" if head.startswith("[") else "feedback" if head.startswith("{") else "conll"


def read_examples(path: str | Path) -> list[Example]:
    """Read examples from any supported file, as :func:`file_format` tells them apart."""
    readers = {"spert": read_spert_json, "feedback": read_feedback, "conll": read_conll}
    return readers[file_format(path)](path)


def relabel(examples: Iterable[Example], normalize: Callable[[str], str]) -> list[Example]:
    """Copies of ``examples`` with every entity and relation label put through ``normalize``
    (a domain's label map: two data sets' names for one class become that class's name)."""
    out = []
    for ex in examples:
        out.append(dataclasses.replace(
            ex, entities=[dataclasses.replace(e, type=normalize(e.type)) for e in ex.entities],
            relations=[dataclasses.replace(r, type=normalize(r.type)) for r in ex.relations],
            negative_entities=[dataclasses.replace(e, type=normalize(e.type)) for e in ex.negative_entities],
            negative_relations=[dataclasses.replace(r, type=normalize(r.type)) for r in ex.negative_relations]))
    return out


def symmetric_once(examples: Iterable[Example], symmetric: set[str] | frozenset[str]) -> list[Example]:
    """Copies of ``examples`` whose relations of a ``symmetric`` type have their head before their
    tail (by token span) and appear once: a symmetric relation is scored once per pair."""
    out = []
    for ex in examples:
        seen: set[tuple[str, int, int]] = set()
        rels = []
        for r in ex.relations:
            h, t = r.head, r.tail
            if r.type in symmetric:
                eh, et = ex.entities[h], ex.entities[t]
                if (et.start, et.end) < (eh.start, eh.end):
                    h, t = t, h
                if (r.type, h, t) in seen:
                    continue
                seen.add((r.type, h, t))
            rels.append(dataclasses.replace(r, head=h, tail=t))
        out.append(dataclasses.replace(ex, relations=rels))
    return out


def labels_of(examples: Iterable[Example]) -> tuple[list[str], list[str]]:
    """Sorted entity and relation labels used by the examples (positives and negatives)."""
    ents, rels = set(), set()
    for ex in examples:
        ents.update(e.type for e in ex.entities)
        ents.update(e.type for e in ex.negative_entities)
        rels.update(r.type for r in ex.relations)
        rels.update(r.type for r in ex.negative_relations)
    return sorted(ents), sorted(rels)
