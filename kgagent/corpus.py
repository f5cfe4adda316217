"""Reading a corpus, streamed: plain text, JSON Lines, or a directory of .txt files.

Formats (chosen per path):

- a **directory**: every ``*.txt`` file below it (sorted; ``.TXT`` too; symbolic links to files
  and folders followed, each real folder read once; hidden ones, named with a leading dot, left
  out) is one document; its id is the path
  relative to the directory without ``.txt`` (``business/001``); an empty one (nothing but white
  space in it) is left out, told to ``on_empty``: one empty file among a thousand does not stop
  the run, and the other files keep their ids (an empty file named on its own is KGA403, and so
  is a corpus whose every file is empty);
- a file ending in ``.jsonl`` / ``.ndjson`` / ``.json``: one JSON object per line with ``text``
  and optionally ``id`` (string or integer; default ``<file stem>#<line>``);
- any other file (or ``-`` for standard input): plain text, documents separated by one or more
  blank lines (white space and zero-width characters only); ids are ``<file stem>#<n>`` with
  ``n`` the 1-based document number.

Lines end at LF, CRLF or a lone CR; a byte-order mark is dropped (in JSON Lines, one at the head
of any line too: files joined with ``cat``). A document's text, which decision spans index, is
what the file holds: a JSON ``text`` as given, a plain-text document or ``.txt`` file its lines
joined by LF, leading whitespace kept and trailing whitespace dropped (so a span in a
document's first line is that line's column). A pipe or FIFO (``<(zcat corpus.gz)``) is read
once, as a file is.

Everything is a generator: one document is in memory at a time, whatever the corpus size.
Bad input raises :class:`~kgagent.errors.InputError` naming the file and line:
KGA401 not UTF-8, KGA402 binary file, KGA403 empty file, KGA404 malformed JSON line,
KGA405 document too long, KGA406 duplicate document id (or one file read twice), KGA407 no
such file or no .txt files, KGA424 JSON Lines in a plain-text file.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "news.txt"
>>> _ = p.write_text("First story.\\nStill first.\\n\\nSecond story.\\n")
>>> [(d.id, d.text) for d in read_corpus([p])]
[('news#1', 'First story.\\nStill first.'), ('news#2', 'Second story.')]
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from kgagent.errors import InputError, Location, binary_hint, json_kind, not_text, undecodable, visible
from kgagent.schema import Document

#: a document longer than this (characters) is refused: split it with blank lines
MAX_DOC_CHARS = 5_000_000
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_SNIFF = 8192


def read_corpus(paths: str | Path | Iterable[str | Path], *, max_doc_chars: int = MAX_DOC_CHARS,
                on_empty: Callable[[str], None] | None = None) -> Iterator[Document]:
    """Yield the documents of every path in order (see the module docstring for formats).

    Document ids are unique across all paths (KGA406 otherwise). One path alone (a str or Path)
    is that path, never the characters of its name.

    Empty files: an empty ``.txt`` file found in a folder (nothing but white space in it) is left
    out and its path, as found, given to ``on_empty`` when the reading reaches it; when every file
    read was such a one, nothing is left to extract: KGA403 (an empty file named on its own is
    KGA403 too). ``on_empty`` is the only way to learn which files were left out: with the
    default, None, they are left out without a word (the library prints nothing and issues no
    warning). A caller that must tell its user (``kgagent extract`` and ``kgagent train
    --rounds`` warn on stderr; :meth:`Agent.extract_to` lists them in its summary's
    ``empty_files``) passes a callable, e.g. a list's ``append``; anything else is KGA419.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Some text."), (d / "b.txt").write_text("  ")
    >>> left_out = []
    >>> [doc.id for doc in read_corpus(d, on_empty=left_out.append)], [pathlib.Path(f).name for f in left_out]
    (['a'], ['b.txt'])
    """
    if type(max_doc_chars) is not int or max_doc_chars < 1:  # nan, 1.5, True or 0 is no length
        raise InputError(f"max_doc_chars must be a whole number of characters, at least 1, not {max_doc_chars!r}",
                         code="KGA419")
    if on_empty is not None and not callable(on_empty):  # a list given for its append: it would fail at the file
        raise InputError(f"on_empty must be a function on_empty(path) or None, not {on_empty!r}", code="KGA419")
    seen: dict[str, str] = {}
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if sum(str(p) == "-" for p in paths) > 1:  # standard input reads once: a second "-" would find it empty
        raise InputError("standard input (-) given twice; it can be read once", code="KGA407",
                         location=Location("<stdin>"))
    files: dict[str, tuple[int, str]] = {}  # a file's real path -> (the argument, the path) it was first read by
    reals: dict[str, str] = {}  # a path as shown -> its real path (a JSON Lines file's documents share one)
    empty: list[str] = []

    def left_out(name: str) -> None:
        empty.append(name)
        if on_empty is not None:
            on_empty(name)

    for k, path in enumerate(paths):
        for doc in _read_one(path, max_doc_chars, left_out):
            where = _loc_of(doc.source)
            if where is not None and where.path != "<stdin>":  # one file reached twice ("d" and "d/a.txt")
                shown = str(where.path)
                real = reals.get(shown) or reals.setdefault(shown, os.path.realpath(shown))
                arg, first_path = files.setdefault(real, (k, shown))
                if arg != k:
                    raise InputError(f"the file is read twice, also as {first_path} (a folder and a file in it, "
                                     "or a link): give it once", code="KGA406", location=Location(str(where.path)))
            first = seen.get(doc.id)
            if first is not None:
                raise InputError(f"duplicate document id {doc.id!r} (first at {first}){_same_name(doc, first)}",
                                 code="KGA406", location=_loc_of(doc.source))
            seen[doc.id] = doc.source
            yield doc
    if empty and not seen:
        shown = ", ".join(empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
        raise InputError(f"nothing to extract: every .txt file found is empty ({shown})", code="KGA403",
                         location=Location(str(paths[0])) if len(paths) == 1 else None)


def _same_name(doc: Document, first: str) -> str:
    """What to do when ``doc``'s id is the one its file's name gives (``news#2``) and the document
    first at ``first`` came from another file of that name (``a/news.txt``, ``b/news.txt``)."""
    here, there = _loc_of(doc.source), _loc_of(first)
    if here is None or there is None or here.path == there.path:
        return ""
    stem = Path(here.path).stem
    if Path(there.path).stem != stem or not re.fullmatch(rf"{re.escape(stem)}#\d+", doc.id):
        return ""
    return (f": documents without an id are named after their file ({stem}#<n>), and {there.path} and "
            f"{here.path} have one name; give one of them another name")


def count_documents(paths: str | Path | Iterable[str | Path], *, max_doc_chars: int = MAX_DOC_CHARS,
                    on_empty: Callable[[str], None] | None = None) -> int:
    """Read the whole corpus once, checking it, and return how many documents it has.

    Raises the same errors as :func:`read_corpus`, before any work is done on the corpus; the
    empty files it leaves out (not counted) go to ``on_empty``, and without one they are left out
    without a word, as :func:`read_corpus` says.
    """
    return sum(1 for _ in read_corpus(paths, max_doc_chars=max_doc_chars, on_empty=on_empty))


def _loc_of(source: str) -> Location | None:
    return Location.parse(source) if source else None


def _read_one(path: str | Path, max_doc_chars: int, on_empty: Callable[[str], None]) -> Iterator[Document]:
    if str(path) == "-":
        yield from _plain(sys.stdin.buffer, "<stdin>", "stdin", max_doc_chars)
        return
    p = Path(path)
    if p.is_dir():
        files = txt_files(p)
        if not files:
            raise InputError("directory has no .txt files", code="KGA407", location=Location(str(p)))
        for f in files:
            doc_id = f.relative_to(p).with_suffix("").as_posix()
            try:
                text = _whole_file(f, max_doc_chars)
            except InputError as err:
                if err.code != "KGA403":
                    raise
                text = ""
            if _blank(text):  # an empty file among the folder's: left out, the others' ids unchanged
                on_empty(str(f))
                continue
            yield Document(id=doc_id, text=text, source=f"{f}:1")
        return
    if not p.exists():
        raise InputError("no such file or directory", code="KGA407", location=Location(str(p)))
    with open(p, "rb") as fh:
        if p.suffix.lower() in JSONL_SUFFIXES:
            yield from _jsonl(fh, str(p), p.stem, max_doc_chars)
        else:
            yield from _plain(fh, str(p), p.stem, max_doc_chars)


def txt_files(folder: Path) -> list[Path]:
    """The ``.txt`` files (``NOTES.TXT`` too) below ``folder``, sorted, by the paths that reach them:
    symbolic links to files and to folders are followed (each real folder read once, so a link
    back up is no loop); InputError KGA407 for a ``.txt`` link to nothing. Files and folders whose
    names begin with a dot are hidden and left out, as ``ls`` leaves them (a notebook's
    ``.ipynb_checkpoints/`` copies of the documents, a Mac's ``._`` twins)."""
    files: list[Path] = []
    seen: set[str] = set()
    for top, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:  # reached again through a link: read once
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            f = Path(top) / name
            if f.suffix.lower() != ".txt" or name.startswith("."):
                continue
            if f.is_symlink() and not f.exists():
                raise InputError(f"a symbolic link to nothing (to {os.readlink(f)})", code="KGA407",
                                 location=Location(str(f)))
            if f.is_file():
                files.append(f)
    return sorted(files)


def text_lines(fh: BinaryIO, name: str, what: str = "documents", *, lone_cr: bool = True,
               max_chars: int = MAX_DOC_CHARS) -> Iterator[tuple[int, str]]:
    """The lines of a text file, numbered from 1 and decoded as :func:`decode_line` does; a line
    ends at LF, CRLF or (``lone_cr``) a lone CR. JSON Lines pass ``lone_cr=False``: their lines
    end at LF alone, and a CR inside is the JSON's (white space, or a control character a string
    may not hold). ``fh`` is read once and never rewound, so a pipe or FIFO (``<(zcat
    corpus.gz)``) reads as a file does. KGA403 for a file with nothing in it (no ``what``),
    KGA402 for a binary one (a NUL byte in its head), KGA405 for a line longer than
    ``max_chars`` characters, told before more than its first 4 x ``max_chars`` bytes are read (a
    file of gigabytes without a line break is not read into memory)."""
    head = fh.read(_SNIFF)
    for magic, kind, hint in _PACKED:  # first: an AppleDouble file's zeros would read as UTF-16
        if magic.match(head):
            raise InputError(f"{kind}, not text: {hint}", code="KGA402", location=Location(name))
    if (wide := _utf16_or_32(head)) is not None:
        raise InputError(f"{wide} text, not UTF-8: convert it (iconv -f {wide} -t UTF-8 FILE > NEW)", code="KGA401",
                         location=Location(name))
    if b"\x00" in head:
        raise InputError("binary file (NUL bytes), not text", code="KGA402", location=Location(name))
    if not head.strip() and len(head) < _SNIFF:  # the whole file is blank
        raise InputError(f"empty file: no {what} in it", code="KGA403", location=Location(name))
    lineno = 0
    try:
        for raw in _raw_lines(head, fh, 4 * max_chars + 2):  # UTF-8: at most 4 bytes a character
            for piece in _cr_split(raw) if lone_cr else [raw]:
                lineno += 1
                yield lineno, decode_line(piece, name, lineno)
    except _LineTooLong:
        raise InputError(f"a line longer than {max_chars} characters (no line break in it)", code="KGA405",
                         location=Location(name, lineno + 1)) from None


#: files that are packed text, what they are and how to read them (a pipe or FIFO reads as a file)
_PACKED = tuple((re.compile(magic, re.DOTALL), kind, hint) for magic, kind, hint in (
    (rb"\x1f\x8b", "a gzip-compressed file", "give <(zcat FILE) instead, or unpack it"),
    (rb"BZh[1-9]1AY&SY", "a bzip2-compressed file", "give <(bzcat FILE) instead, or unpack it"),
    (rb"\xfd7zXZ\x00", "an xz-compressed file", "give <(xzcat FILE) instead, or unpack it"),
    (rb"PK\x03\x04", "a zip archive", "unpack it and give its text files or their folder"),
    (rb"%PDF-\d\.\d\s*[\r\n]", "a PDF document", "give its text (pdftotext FILE), not the PDF"),
    (rb"\x00\x05\x16\x07", "a macOS AppleDouble file (the ._ twin a Mac writes beside a file on other disks and in "
     "zip files)", "delete the ._ files (find DIR -name '._*' -delete) and __MACOSX folders")))


def _utf16_or_32(head: bytes) -> str | None:
    """The encoding ("UTF-16", "UTF-16LE", "UTF-32", ...) when the head of a file is text in UTF-16
    or UTF-32 (a byte-order mark, or ASCII text with a NUL byte beside every character: what
    Windows tools such as PowerShell's ``>`` often write), else None."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = head[:1024]
    if len(sample) >= 8 and b"\x00" in sample:
        if sample[1::2].count(0) >= 0.9 * len(sample[1::2]):
            return "UTF-16LE"
        if sample[0::2].count(0) >= 0.9 * len(sample[0::2]):
            return "UTF-16BE"
    return None


class _LineTooLong(Exception):
    """A line of more bytes than :func:`_raw_lines` may hold."""


def _raw_lines(head: bytes, fh: BinaryIO, cap: int) -> Iterator[bytes]:
    """The LF-ended lines of ``head`` followed by the rest of ``fh``; _LineTooLong for a line of
    more than ``cap`` bytes, read no further than that."""
    pending = b""
    for raw in io.BytesIO(head):
        if raw.endswith(b"\n"):
            yield raw
        else:
            pending = raw
    while raw := fh.readline(cap + 1):
        if pending:
            raw, pending = pending + raw, b""
        if len(raw) > cap:
            raise _LineTooLong
        yield raw
    if pending:
        yield pending


def _cr_split(raw: bytes) -> list[bytes]:
    """One LF-ended line of bytes as the lines a lone CR (old Mac line break) ends within it
    (the byte 0x0D never occurs inside a UTF-8 character)."""
    body = raw[:-1] if raw.endswith(b"\n") else raw
    if body.endswith(b"\r"):  # CRLF, or a CR ending the file's last line
        body = body[:-1]
    return body.split(b"\r") if b"\r" in body else [body]


def decode_line(raw: bytes, name: str, lineno: int) -> str:
    """One line of a text file as text (its line break and a first line's byte-order mark
    dropped); KGA401 naming the column for bytes that are not UTF-8, KGA402 for a NUL byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        _, col, byte = undecodable(raw, err)
        raise InputError(f"not UTF-8 text: byte {byte} at column {col}{_code_page_hint(raw)}", code="KGA401",
                         location=Location(name, lineno, col)) from None
    if "\x00" in text:
        raise InputError("binary data (NUL byte) in a text file", code="KGA402", location=Location(name, lineno))
    if lineno == 1 and text.startswith("\ufeff"):
        text = text[1:]
    return text.removesuffix("\n").removesuffix("\r")


def _code_page_hint(raw: bytes) -> str:
    """How to convert a line that is not UTF-8 when it reads as Windows-1252 (which Latin-1 text
    also reads as, but for its C1 controls), else nothing."""
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return "; it reads as Windows-1252 (Latin-1): convert it (iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW)"


def json_line(line: str, name: str, lineno: int) -> Any:
    """One line of a JSON Lines file, parsed; KGA404 naming the file, line (and column) for
    malformed JSON, and for JSON that Python's parser cannot hold: nested too deep, or a number
    of more digits than Python converts (4300)."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(f"malformed JSON: {err.msg} (column {err.colno})", code="KGA404",
                         location=Location(name, lineno, err.colno)) from None
    except RecursionError:
        raise InputError("JSON nested deeper than Python's parser can read", code="KGA404",
                         location=Location(name, lineno)) from None
    except ValueError as err:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise InputError(f"JSON that cannot be read: {str(err).split(';')[0]}", code="KGA404",
                         location=Location(name, lineno)) from None


#: how a .json / .jsonl corpus is laid out (the hint of an error that shows it is not)
JSON_LINES_CORPUS = ('a .json/.jsonl corpus is JSON Lines: one object {"text": ...} per line, not one JSON '
                     "document (convert an array with: jq -c '.[]' FILE.json > FILE.jsonl)")


def _whole_json_hint(line: str) -> str:
    """``"; " + JSON_LINES_CORPUS`` when ``line`` opens a JSON array or a pretty-printed object,
    else nothing."""
    compact = "".join(line.split())
    return f"; {JSON_LINES_CORPUS}" if compact in ("[", "{") or compact.startswith(("[{", "[[")) else ""


def _whole_file(f: Path, max_doc_chars: int) -> str:
    with open(f, "rb") as fh:
        parts = []
        size = 0
        for lineno, line in text_lines(fh, str(f), max_chars=max_doc_chars):
            size += len(line) + 1
            if size > max_doc_chars:
                raise InputError(f"document longer than {max_doc_chars} characters; split it into several files",
                                 code="KGA405", location=Location(str(f), lineno))
            parts.append(line)
    return "\n".join(parts).rstrip()


#: characters that show nothing: a line of them and white space looks blank, and is
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _blank(line: str) -> bool:
    """Whether a line of a plain-text corpus is blank to the eye (white space and zero-width
    characters only): such lines separate documents."""
    return not line.translate(_INVISIBLE).strip()


def _plain(fh: BinaryIO, name: str, stem: str, max_doc_chars: int) -> Iterator[Document]:
    lines: list[str] = []
    size = 0
    start = 0
    n = 0
    for lineno, line in text_lines(fh, name, max_chars=max_doc_chars):
        if _blank(line):
            if lines:
                n += 1
                yield Document(id=f"{stem}#{n}", text="\n".join(lines).rstrip(), source=f"{name}:{start}")
                lines, size = [], 0
            continue
        if not lines:
            start = lineno
            if n == 0 and _json_lines_record(line):
                fix = "give it as a .jsonl file" if name == "<stdin>" else "name the file .jsonl"
                raise InputError(f'JSON Lines ({{"text": ...}} per line) read as plain text: {fix} (a plain-text '
                                 "corpus is documents separated by blank lines)", code="KGA424",
                                 location=Location(name, lineno))
        size += len(line) + 1
        if size > max_doc_chars:
            raise InputError(f"document longer than {max_doc_chars} characters; separate documents with a blank line",
                             code="KGA405", location=Location(name, lineno))
        lines.append(line)
    if lines:
        n += 1
        yield Document(id=f"{stem}#{n}", text="\n".join(lines).rstrip(), source=f"{name}:{start}")
    if n == 0:
        raise InputError("empty file: no documents in it", code="KGA403", location=Location(name))


def _json_lines_record(line: str) -> bool:
    """Whether the first line of a plain-text corpus is a JSON Lines document ``{"text": ...}``."""
    if not line.lstrip().startswith("{"):
        return False
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(obj, dict) and isinstance(obj.get("text"), str)


def _jsonl(fh: BinaryIO, name: str, stem: str, max_doc_chars: int) -> Iterator[Document]:
    n = 0
    for lineno, line in text_lines(fh, name, lone_cr=False, max_chars=max_doc_chars + 1000):
        line = line.removeprefix("\ufeff")  # files joined with cat: the second one's byte-order mark
        if not line.strip():
            continue
        if len(line) > max_doc_chars + 1000:
            raise InputError(f"document longer than {max_doc_chars} characters", code="KGA405",
                             location=Location(name, lineno))
        try:
            obj = json_line(line, name, lineno)
        except InputError as err:  # the first line of a whole JSON document: say how the file is read
            raise InputError(err.message + _whole_json_hint(line), code=err.code, location=err.location) from None
        if not isinstance(obj, dict):
            kind = "an array" if isinstance(obj, list) else type(obj).__name__
            raise InputError(f"expected one JSON object per line with \"text\", got {kind}"
                             + _whole_json_hint(line), code="KGA404", location=Location(name, lineno))
        text = obj.get("text")
        if not isinstance(text, str):
            keys = ", ".join(visible(k) for k in list(obj)[:10]) + (", ..." if len(obj) > 10 else "")
            problem = (f'"text" is {json_kind(text)}, not a string' if "text" in obj
                       else f'the object has no "text" (keys: {keys or "none"})')
            raise InputError(problem, code="KGA404", location=Location(name, lineno))
        doc_id = obj.get("id", f"{stem}#{lineno}")
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or not str(doc_id).strip():
            what = "a blank string" if isinstance(doc_id, str) else json_kind(doc_id)
            raise InputError(f'"id" must be a non-empty string or an integer, not {what}', code="KGA404",
                             location=Location(name, lineno))
        for key, value in (("id", str(doc_id)), ("text", text)):
            if (why := not_text(value)) is not None:  # "\ud800" and "\u0000" are JSON, but no text
                raise InputError(f'"{key}" holds {why}, which is no text{binary_hint(why)}', code="KGA404",
                                 location=Location(name, lineno))
        n += 1
        yield Document(id=str(doc_id), text=text, source=f"{name}:{lineno}")
    if n == 0:
        raise InputError("empty file: no documents in it", code="KGA403", location=Location(name))
