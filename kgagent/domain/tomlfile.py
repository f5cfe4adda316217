"""Reading the domain's TOML files with the line of every table and key (for file:line errors).

``tomllib`` (standard library) parses; a small line scanner remembers where each table header
and each ``key =`` line is, so a problem found after parsing (an unknown class in a signature)
is still reported at its line.

>>> doc = read_toml_text('[classes.person]\\nlabel = "person"\\n', "ontology.toml")
>>> doc.data["classes"]["person"]["label"], doc.line("classes", "person"), doc.line("classes", "person", "label")
('person', 1, 2)

An array of tables' n-th entry (from 0) is the table ``(name, "n")``:

>>> read_toml_text('[[source]]\\nname = "a"\\n\\n[[source]]\\nname = "b"\\n', "data.toml").line("source", "1")
4
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.errors import DomainError, Location, undecodable

#: one part of a key: bare, "basic" (with escapes) or 'literal'
_PART = r"""(?:[A-Za-z0-9_\-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_ERR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def toml_string(text: str) -> str:
    r"""``text`` as a TOML basic string: quotes, backslashes and control characters escaped, so
    that any text a data set holds writes a file that reads back as that text.

    >>> print(toml_string('Dr"ug\\x\n'), tomllib.loads("k = " + toml_string('Dr"ug\\x\n\x7f'))["k"] == 'Dr"ug\\x\n\x7f')
    "Dr\"ug\\x\n" True
    """
    return '"' + "".join(_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
                         for ch in text) + '"'


def toml_key(text: str) -> str:
    """``text`` as a TOML key: bare when TOML allows it (letters, digits, ``_``, ``-``), else quoted.

    >>> toml_key("Adverse-Effect"), toml_key("Médicament"), toml_key("a.b")
    ('Adverse-Effect', '"Médicament"', '"a.b"')
    """
    return text if _BARE_KEY.fullmatch(text) else toml_string(text)


def _parts(dotted: str) -> tuple[str, ...]:
    """The keys of a dotted key as TOML reads them (``'a"b'.c`` -> ``('a"b', 'c')``)."""
    return tuple(tomllib.loads(f"k = {m.group()}")["k"] if m.group()[0] in "\"'" else m.group()
                 for m in re.finditer(_PART, dotted))


@dataclass
class TomlDoc:
    """A parsed TOML file: its data, its path and the line of each table and key."""

    path: str
    data: dict[str, Any]
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    def line(self, *keys: str) -> int:
        """The 1-based line of a table (``classes``, ``person``) or a key in it; 0 if unknown."""
        k = tuple(keys)
        while k:
            if k in self.lines:
                return self.lines[k]
            k = k[:-1]
        return 0

    def where(self, *keys: str) -> Location:
        """``Location`` of a table or key (for errors)."""
        return Location(self.path, self.line(*keys))


def near_miss(key: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the known key ``key`` is nearly, else "": a misspelt key
    (``shared_rule``) is named with what it meant.

    >>> near_miss("shared_rule", ["shared_rules", "rules"]), near_miss("colour", ["name"])
    (" (did you mean 'shared_rules'?)", '')
    """
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _deepest_line(text: str) -> int:
    """The 1-based line where ``text``'s arrays and inline tables nest deepest (strings and
    comments aside): where a value nested too deeply for the parser is."""
    depth = best = 0
    line = best_line = 1
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            line += 1
            quote = quote if quote in ('"""', "'''") else ""
        elif quote:
            if ch == "\\" and quote.startswith('"'):
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch == "#":
            end = text.find("\n", i)
            i = (end if end >= 0 else len(text)) - 1
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        elif ch in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in "]}":
            depth -= 1
        i += 1
    return best_line


def read_toml_text(text: str, path: str) -> TomlDoc:
    """Parse TOML ``text`` (named ``path`` in errors); DomainError KGA601 with line and column.
    A byte order mark before the text is read as nothing (editors on Windows write one)."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise DomainError("not valid TOML: arrays or inline tables nested too deeply to read (write the value "
                          "flatter)", code="KGA601", location=Location(path, _deepest_line(text))) from None
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        m = _ERR_AT.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        msg = _ERR_AT.sub("", msg).strip()
        if msg.startswith("Cannot overwrite a value") or msg.startswith("Cannot declare"):
            msg += ": a key or table is written twice (each table, and each key of a table, is written once)"
        raise DomainError(f"not valid TOML: {msg}", code="KGA601", location=Location(path, line, col)) from None
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    arrays: dict[tuple[str, ...], int] = {}  # array of tables -> entries seen
    for no, raw in enumerate(text.splitlines(), 1):
        if raw.lstrip().startswith("#"):
            continue
        a = _ARRAY_HEADER.match(raw)
        if a:  # [[source]]: its n-th entry is the table ("source", "n"), counted from 0
            name = _parts(a.group(1))
            arrays[name] = arrays.get(name, -1) + 1
            table = (*name, str(arrays[name]))
            for n in range(1, len(table) + 1):  # [[source]] declares the array source too
                lines.setdefault(table[:n], no)
            continue
        h = _HEADER.match(raw)
        if h:
            table = _parts(h.group(1))
            for n in range(1, len(table) + 1):  # [class.pill] declares the table [class] too
                lines.setdefault(table[:n], no)
            continue
        k = _KEY.match(raw)
        if k:
            key = (*table, *_parts(k.group(1)))
            for n in range(len(table) + 1, len(key) + 1):  # a.b = 1 declares the table a too
                lines.setdefault(key[:n], no)
    return TomlDoc(path=path, data=data, lines=lines)


def read_toml(path: str | Path) -> TomlDoc:
    """Read and parse a TOML file; DomainError KGA601 (syntax) or KGA602 (missing, unreadable,
    not UTF-8: with the line and the byte)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise DomainError("no such file", code="KGA602", location=Location(str(p))) from None
    except OSError as err:
        raise DomainError(f"cannot read the file: {err}", code="KGA602", location=Location(str(p))) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column, byte = undecodable(data, err)
        raise DomainError(f"not UTF-8 text: byte {byte} at column {column} (save the file as UTF-8)",
                          code="KGA602", location=Location(str(p), line)) from None
    return read_toml_text(text, str(p))
