"""Facts files: a directory of ``<predicate>.facts``, tab-separated, one fact a line (Soufflé).

Values. A field is read as a number when it is written exactly like a number literal of the
rule language: ``-?[0-9]+`` is an int, ``-?[0-9]+.[0-9]+`` (optionally with an exponent) or
``-?[0-9]+e[0-9]+`` is a float; every other field is a string, taken verbatim (no quotes, no
escapes). So ``score.facts`` holding ``r1<TAB>0.91`` gives ``score("r1", 0.91)``, which a rule
compares with ``S >= 0.5`` exactly as if the fact had been written ``score(r1, 0.91).`` in a
rule file. A string that looks like a number (``"42"``) cannot be told apart in this format;
keep such values in rule files, or make them non-numeric (``id42``).
Empty lines are skipped; a line with the wrong number of fields is an error naming the file
and the line. Writing refuses strings holding a tab or a line break (they cannot be read back).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from kgagent.errors import Location, RuleError
from kgagent.rules.symbols import INT_TEXT, LONG_NUMBER, out_of_range, parse_field

E_FACTS = "KGA112"
_BLANK_LINE = re.compile(r"^[ \r]*$", re.M)


@dataclass
class TextColumns:
    """One facts file read column-wise, fields still text (the engine interns them in bulk)."""

    pred: str
    path: str
    arity: int
    n: int
    flat: list[str]  # the fields row by row: row i is flat[i * arity : (i + 1) * arity]

    @property
    def columns(self) -> list[list[str]]:
        return [self.flat[i :: self.arity] for i in range(self.arity)]

    def rows(self) -> list[tuple]:
        return [tuple(parse_field(v) for v in row) for row in zip(*self.columns)]


def read_facts_file(path: str | Path, pred: str | None = None, arity: int | None = None) -> TextColumns:
    """Read one ``.facts`` file column-wise; ``arity`` (if known) is checked on every line."""
    path = str(path)
    pred = pred or Path(path).stem
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise RuleError("not valid UTF-8", code=E_FACTS, location=Location(path, line)) from None
    text = text.removeprefix("\ufeff")  # a byte order mark (some editors write one) is no part of the first field
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    for m in LONG_NUMBER.finditer(text):
        if wrong := out_of_range(m.group(1)):
            raise RuleError(f"{pred}: {wrong}", code=E_FACTS,
                            location=Location(path, text.count("\n", 0, m.start(1)) + 1))
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return TextColumns(pred, path, arity or 0, 0, [])
    width = lines[0].count("\t") + 1 if arity is None else arity
    if not _uniform(lines, width) or (width == 1 and _has_blank_line(text)):
        lines = _checked_lines(lines, arity, pred, path)
        if not lines:
            return TextColumns(pred, path, arity or 0, 0, [])
        width = lines[0].count("\t") + 1
    flat = lines if width == 1 else "\t".join(lines).split("\t")
    return TextColumns(pred, path, width, len(lines), flat)


def _uniform(lines: list[str], width: int) -> bool:
    """Does every line hold ``width - 1`` tabs? (one C-speed pass, no per-line Python code)"""
    return set(map(str.count, lines, repeat("\t", len(lines)))) == {width - 1}


def _has_blank_line(text: str) -> bool:
    return _BLANK_LINE.search(text, 0, len(text) - 1 if text.endswith("\n") else len(text)) is not None


def _checked_lines(lines: list[str], arity: int | None, pred: str, path: str) -> list[str]:
    """The non-blank lines (only spaces or ``\\r``), each checked for the same number of fields
    (``arity``, else the first line's); raises KGA112 naming the first bad line."""
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip(" \r")]
    if not numbered:
        return []
    width = numbered[0][1].count("\t") + 1 if arity is None else arity
    for line, text in numbered:
        found = text.count("\t") + 1
        if found != width:
            raise RuleError(
                f"{pred}: expected {width} tab-separated fields, found {found}",
                code=E_FACTS,
                location=Location(path, line),
            )
    return [ln for _, ln in numbered]


def read_facts_columns(path: str | Path, arities: Mapping[str, int] | None = None) -> dict[str, TextColumns]:
    """Every ``<pred>.facts`` of a directory, column-wise (fast path for the engine)."""
    root = os.fspath(Path(path))
    names = os.listdir(root)  # FileNotFoundError / NotADirectoryError; no glob (a regex to compile)
    out = {}
    for name in sorted(n for n in names if n.endswith(".facts")):
        pred = name[: -len(".facts")]
        out[pred] = read_facts_file(os.path.join(root, name), pred, (arities or {}).get(pred))
    return out


def read_facts_dir(path: str | Path) -> dict[str, list[tuple]]:
    """``{pred: [tuple, ...]}`` from every ``<pred>.facts`` in a directory (values as above)."""
    return {p: cols.rows() for p, cols in read_facts_columns(path).items()}


def _field(pred: str, v) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise RuleError(f"{pred}: cannot write {v!r} to a facts file", code=E_FACTS)
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    if "\t" in s or "\n" in s or "\r" in s:
        raise RuleError(f"{pred}: value {s!r} holds a tab or a line break", code=E_FACTS)
    return s


def write_facts_dir(relations: Mapping[str, Iterable[tuple]], path: str | Path) -> None:
    """Write ``<pred>.facts`` per relation (sorted lines, so output is deterministic)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for pred, rows in relations.items():
        lines = sorted("\t".join(_field(pred, v) for v in row) for row in rows)
        tmp = path / f".{pred}.facts.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for ln in lines:
                f.write(ln)
                f.write("\n")
        os.replace(tmp, path / f"{pred}.facts")


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_FACT_TOKEN = re.compile(
    r'\s*(?:(?P<num>-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)|(?P<str>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<name>[a-z][A-Za-z0-9_]*)|(?P<punct>[(),.]))"
)


def parse_fact(text: str) -> tuple[str, tuple]:
    """A ground fact as written in a rule file, e.g. ``reject(r2, "no type")`` (a final ``.``
    is allowed) -> ``("reject", ("r2", "no type"))``. Raises RuleError (KGA112) otherwise."""
    toks = []
    pos = 0
    src = text.strip()
    while pos < len(src):
        m = _FACT_TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise RuleError(f"cannot read a fact at column {pos + 1} of {text!r}", code=E_FACTS)
        toks.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
        while pos < len(src) and src[pos].isspace():
            pos += 1
    if toks and toks[-1] == ("punct", "."):
        toks.pop()
    if not toks or toks[0][0] != "name":
        raise RuleError(f"a fact starts with a lower-case predicate name: {text!r}", code=E_FACTS)
    pred = toks[0][1]
    if len(toks) == 1:
        return pred, ()
    args: list = []
    i = 1
    if toks[i] != ("punct", "(") or toks[-1] != ("punct", ")"):
        raise RuleError(f"expected pred(arg, ...): {text!r}", code=E_FACTS)
    i += 1
    while i < len(toks) - 1:
        kind, val = toks[i]
        if kind == "num":
            if wrong := out_of_range(val):
                raise RuleError(f"{wrong}, in {text!r}", code=E_FACTS)
            args.append(int(val) if INT_TEXT.match(val) else float(val))
        elif kind == "str":
            args.append(_unescape(val[1:-1], text))
        elif kind == "name":
            args.append(val)
        else:
            raise RuleError(f"expected a constant, found {val!r} in {text!r}", code=E_FACTS)
        i += 1
        if i < len(toks) - 1:
            if toks[i] != ("punct", ","):
                raise RuleError(f"expected ',' between arguments in {text!r}", code=E_FACTS)
            i += 1
            if i == len(toks) - 1:
                raise RuleError(f"missing argument after ',' in {text!r}", code=E_FACTS)
    return pred, tuple(args)


def _unescape(s: str, text: str) -> str:
    """A quoted string's body with its escapes read, as a rule file reads them (KGA112 for another)."""
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt not in _ESCAPES:
                raise RuleError(f"unknown escape '\\{nxt}' in {text!r}; the escapes are \\\" \\\\ \\n and \\t",
                                code=E_FACTS)
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)
