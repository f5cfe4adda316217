"""The error catalogue: every error kgagent raises carries a stable code.

Code ranges: KGA1xx rules, KGA2xx knowledge graph, KGA3xx encoder and data readers,
KGA4xx agent and corpus input, KGA5xx files and I/O shared by all parts, KGA6xx domain folders
(ontology, label map, domain.toml).
The library raises these; only the CLI prints them (one line, no traceback).
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Any


def json_kind(value: Any) -> str:
    """What a value read from JSON is, in JSON's words, for messages ("not null", "not a list").

    >>> [json_kind(v) for v in (None, True, 3, "x", [1], {})]
    ['null', 'true', 'a number', 'a string', 'a list', 'an object']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_text(value: Any) -> bool:
    """Whether ``value`` is a string that UTF-8 can hold (JSON's ``"\\ud800"``, a lone surrogate,
    reads as a Python string that is not)."""
    return isinstance(value, str) and lone_surrogate(value) is None


#: control characters (C0, DEL, C1): a terminal acts on them (ESC moves the cursor, BEL rings);
#: and the bidirectional overrides and isolates, which make what follows them display reversed
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: object, keep: str = "") -> str:
    r"""``text`` with its control characters but those in ``keep`` written as ``\x1b``: a value
    from a file, quoted in a message or printed, never acts on the terminal (nor reorders the
    line: a right-to-left override is written ``\u202e``; right-to-left letters stay).

    >>> print(visible("a\x1b[2Jb"), visible("a\tb", keep="\t") == "a\tb", visible("x\u202eyz שלום"))
    a\x1b[2Jb True x\u202eyz שלום
    """
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else
                        f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        str(text))


def not_text(text: str) -> str | None:
    """What makes ``text`` no text a document or a name may hold, said as "a lone surrogate
    (\\ud800) at character 2" or "a NUL character (U+0000) at character 5" (JSON may write
    either as an escape; a file's NUL byte is refused as binary data), or None.

    >>> print(not_text("ab" + chr(0xD800)))
    a lone surrogate (\\ud800) at character 2
    >>> not_text("Yukos" + chr(0)), not_text("Yukos")
    ('a NUL character (U+0000) at character 5', None)
    """
    if (at := lone_surrogate(text)) is not None:
        return f"a lone surrogate (\\u{ord(text[at]):04x}) at character {at}"
    if (at := text.find("\x00")) >= 0:
        return f"a NUL character (U+0000) at character {at}"
    return None


def binary_hint(why: str) -> str:
    """" (binary data?)" after a :func:`not_text` answer that is a NUL character, else ""."""
    return " (binary data?)" if why.startswith("a NUL") else ""


def lone_surrogate(text: str) -> int | None:
    """Where the first lone surrogate of ``text`` stands (what makes :func:`is_text` false), or None.

    >>> lone_surrogate("ab" + chr(0xD800) + "c"), lone_surrogate("abc")
    (2, None)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start
    return None


def undecodable(data: bytes, err: UnicodeDecodeError) -> tuple[int, int, str]:
    """Where the byte that is not UTF-8 stands in ``data``: (1-based line, 1-based column in
    characters, the byte as ``0xff``), for the readers' "not UTF-8 text" errors.

    >>> undecodable(b"ok\\nCaf\\xe9", UnicodeDecodeError("utf-8", b"ok\\nCaf\\xe9", 6, 7, "invalid"))
    (2, 4, '0xe9')
    """
    start = data.rfind(b"\n", 0, err.start) + 1
    column = len(data[start:err.start].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, err.start) + 1, column, f"0x{data[err.start]:02x}"


@dataclass(frozen=True)
class Location:
    """Where in a file a problem is (1-based line and column; 0 = unknown)."""

    path: str
    line: int = 0
    col: int = 0

    @classmethod
    def parse(cls, where: str) -> "Location":
        """The location a ``"file:line"`` string names (an example's ``meta["source_file"]``);
        a string without a line is a file.

        >>> Location.parse("data/train.json:12"), Location.parse("stdin")
        (Location(path='data/train.json', line=12, col=0), Location(path='stdin', line=0, col=0))
        """
        path, _, line = where.rpartition(":")
        return cls(path, int(line)) if path and line.isdigit() else cls(where)

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


class KGAError(Exception):
    """Base of all kgagent errors: a code, a message and optionally a location."""

    code: str = "KGA000"

    def __init__(self, message: str, *, code: str | None = None, location: Location | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.location = location

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.code} {self.message}"


class RuleError(KGAError):
    """A problem in rule files or rule facts (KGA1xx)."""

    code = "KGA100"


class GraphError(KGAError):
    """A problem with the knowledge graph or entity index (KGA2xx)."""

    code = "KGA200"


class EncoderError(KGAError):
    """A problem with a model, its files or training data (KGA3xx)."""

    code = "KGA300"


class InputError(KGAError):
    """A problem with the corpus or other user input to the agent (KGA4xx)."""

    code = "KGA400"


class StorageError(KGAError):
    """A problem reading or writing files: permissions, locks, atomic replace (KGA5xx)."""

    code = "KGA500"


class DomainError(KGAError):
    """A problem in a domain folder: ontology, label map, domain.toml, wording (KGA6xx)."""

    code = "KGA600"


#: the codes of operating-system errors on a path (see :func:`path_error`)
PATH_CODES = frozenset({"KGA501", "KGA502", "KGA503", "KGA504", "KGA550"})


def path_error(err: OSError, path: object = None) -> StorageError:
    """The StorageError for an operating-system error on a path, in the words every command uses:
    KGA501 permission denied, KGA502 no such file or directory, KGA503 a directory where a file
    is expected, KGA504 a file among the folders, else KGA550 with the system's words."""
    where = err.filename if err.filename is not None else path if path is not None else err
    if isinstance(err, PermissionError):
        return StorageError(f"permission denied: {where}", code="KGA501")
    if isinstance(err, FileNotFoundError):
        return StorageError(f"no such file or directory: {where}", code="KGA502")
    if isinstance(err, IsADirectoryError):
        return StorageError(f"is a directory, expected a file: {where}", code="KGA503")
    if isinstance(err, NotADirectoryError):
        return StorageError(f"not a directory: a part of {where} is a file", code="KGA504")
    if err.filename is None and path is None:
        return StorageError(str(err), code="KGA550")
    return StorageError(f"{err.strerror or err}: {where}", code="KGA550")
