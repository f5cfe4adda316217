"""Reading and writing graph files: formats, parse errors with file and line, atomic save, lock.

Formats are chosen by file suffix (``.gz`` adds gzip): see ``FORMATS``. Saving writes a
temporary file in the same directory, fsyncs it, renames it over the old file and fsyncs the
directory, so a crash leaves either the old graph or the new one, never half of one. A lock
file in the graph directory (``fcntl.flock``, released by the OS when a process dies) keeps a
second writer out with a clear KGA203 error.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
from pathlib import Path
from collections.abc import Iterator
from typing import IO

from rdflib import Dataset

from kgagent.errors import GraphError, Location, StorageError, lone_surrogate, undecodable, visible
from kgagent.files import DirectoryLock as _DirectoryLock
from kgagent.files import atomic_writer  # noqa: F401 - the graph writes with the one atomic writer
from kgagent.files import file_in_the_way
from kgagent.graph_files import DEFAULT_GRAPH_FILE, FORMATS, GRAPH_FILE_NAMES, format_suffix, formats_help  # noqa: F401

#: formats that can hold named graphs (the provenance of extracted facts)
QUAD_FORMATS = {"nquads", "trig", "json-ld"}
#: rdflib format names accepted in ``format=`` arguments, with friendly synonyms
FORMAT_NAMES: dict[str, str] = {
    "turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "nquads": "nquads", "nq": "nquads", "n-quads": "nquads", "trig": "trig",
    "json-ld": "json-ld", "jsonld": "json-ld", "xml": "xml", "rdf/xml": "xml",
}
LOCK_NAME = ".kgagent.lock"


def format_for(path: Path, fmt: str | None = None) -> tuple[str, bool]:
    """(rdflib format, gzipped?) for ``path``; GraphError KGA202 listing the formats if unknown."""
    gz = path.suffix == ".gz"
    if fmt is not None:
        if not isinstance(fmt, str):
            raise GraphError(f"a graph format must be a string such as 'nquads', not {type(fmt).__name__}",
                             code="KGA211")
        name = FORMAT_NAMES.get(fmt.lower())
        if name is None:
            raise GraphError(f"unknown graph format {fmt!r}; formats: {', '.join(sorted(set(FORMAT_NAMES)))}",
                             code="KGA202")
        return name, gz
    suffix = format_suffix(path)
    name = FORMATS.get(suffix.lower())
    if name is None:
        raise GraphError(f"unknown graph format for {path} (suffix {suffix or 'none'!r}); "
                         f"formats: {formats_help()}", code="KGA202")
    return name, gz


def graph_file_name(fmt: str | None = None) -> str:
    """The name of the graph file a graph directory gets (``graph.nq.gz``; for another ``fmt``
    the first of ``GRAPH_FILE_NAMES`` in it, so that loading the directory reads it back);
    GraphError KGA202 for a format no graph directory file has (RDF/XML)."""
    if fmt is None:
        return DEFAULT_GRAPH_FILE
    name, _ = format_for(Path(DEFAULT_GRAPH_FILE), fmt)
    for file in GRAPH_FILE_NAMES:
        if format_for(Path(file))[0] == name:
            return file
    raise GraphError(f"a graph directory holds no {name} file (its files: {', '.join(GRAPH_FILE_NAMES)}); "
                     f"give a file name instead", code="KGA202")


def check_suffix_agrees(path: Path, fmt: str) -> None:
    """GraphError KGA202 when ``path``'s suffix names another format than ``fmt`` (``x.nq`` with
    format turtle): the file would hold Turtle under an N-Quads name, which no command reads back
    by its name."""
    try:
        named, _ = format_for(path)
    except GraphError:
        return  # a suffix of no format (.dat): the name says nothing
    if named != fmt:
        raise GraphError(f"{path} is a {named} file by its name; format {fmt} would write {fmt} under that name, "
                         f"which is read back as {named}: give the file a {fmt} suffix or leave the format out",
                         code="KGA202")


def resolve_graph_file(path: Path) -> Path:
    """The graph file for ``path``: the path itself, or the graph file inside a directory (the
    first of :data:`GRAPH_FILE_NAMES` there: ``graph.nq.gz``, which kgagent writes, before
    the others; `kg import` into a directory loaded from a graph.ttl writes graph.nq.gz beside it)."""
    if path.is_dir():
        for name in GRAPH_FILE_NAMES:
            if (path / name).is_file():
                return path / name
        raise GraphError(f"no graph file in directory {path} (looked for {', '.join(GRAPH_FILE_NAMES)})",
                         code="KGA201")
    if not path.exists():
        raise GraphError(f"graph file not found: {path}", code="KGA201")
    return path


def graph_files_around(target: Path) -> tuple[list[Path], list[Path]]:
    """The other graph files in ``target``'s directory: (those a graph directory reads before
    ``target``, those it reads after it). Both empty when ``target``'s name is no graph
    directory's file name (``x.ttl``): loading the directory never reads it."""
    if target.name not in GRAPH_FILE_NAMES or not target.parent.is_dir():
        return [], []
    here = GRAPH_FILE_NAMES.index(target.name)
    present = [(i, target.parent / name) for i, name in enumerate(GRAPH_FILE_NAMES)
               if i != here and (target.parent / name).is_file()]
    return [f for i, f in present if i < here], [f for i, f in present if i > here]


def check_not_shadowed(target: Path) -> None:
    """GraphError KGA212 when a graph directory gets ``target`` but reads another of its files
    first (``kg export DIR --format turtle`` beside a graph.nq.gz): loading the directory would
    read the old graph, not the one written."""
    before, _ = graph_files_around(target)
    if before:
        raise GraphError(f"{target.parent} holds {before[0].name}, which a graph directory reads before "
                         f"{target.name}: loading {target.parent} would not read what this writes; give the file "
                         f"name ({target}) to write it anyway, or write to another directory",
                         code="KGA212", location=Location(str(target.parent)))


def read_text(path: Path, gz: bool) -> str:
    """The file's text (UTF-8), with a clear error for binary garbage or bad gzip."""
    try:
        raw = path.read_bytes()
        if gz and not raw:  # gzip.decompress(b"") is b"": a file cut to nothing read as an empty graph
            raise EOFError("an empty file is no gzip file (cut short?)")
        raw = gzip.decompress(raw) if gz else raw
    except (OSError, EOFError) as err:
        raise GraphError(f"cannot read {path}: {err}", code="KGA201", location=Location(str(path))) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col, byte = undecodable(raw, err)
        raise GraphError(f"not UTF-8 text (byte {byte}); save the file as UTF-8", code="KGA201",
                         location=Location(str(path), line, col)) from None


def parse_into(ds: Dataset, text: str, fmt: str, path: Path, publicID: str | None = None) -> None:
    """Parse ``text`` into ``ds``; a syntax error becomes GraphError KGA201 with file and line.

    N-Triples, N-Quads, Turtle, TriG and RDF/XML are parsed by Oxigraph (Rust, about twice as
    fast in all; linear where rdflib's RDF/XML parser is quadratic in the pieces of a literal);
    anything it refuses is parsed again by rdflib, whose errors name the line.
    """
    if fmt == "xml":
        _check_xml_entities(text, path)
    if fmt == "json-ld":
        _check_local_contexts(text, path)
    if fmt in _OX_FORMATS and publicID is None:
        try:
            _fast_parse(ds, text, fmt)
            return
        except MemoryError as err:
            if (too_long := term_too_long(err, text, fmt, path)) is not None:
                raise too_long from None  # rdflib would take minutes over such a line, then hold it
        except SyntaxError as err:  # rdflib parses it again and says where it is wrong, unless a line
            if _has_long_line(text):  # is too long for rdflib (quadratic: 29 s for 1.5 MB): Oxigraph says
                raise GraphError(f"malformed {fmt} graph: {one_line(str(err))}", code="KGA201",
                                 location=Location(str(path), _ox_error_line(err))) from None
        except Exception:  # noqa: BLE001 - rdflib parses it again and says where it is wrong
            pass
    try:
        if fmt in ("nt", "nquads"):
            _parse_lines(ds, text, fmt, path)
        else:
            ds.parse(data=text, format=fmt, publicID=publicID)
    except GraphError:
        raise
    except Exception as err:  # rdflib raises many kinds; each carries its line differently
        line, msg = _error_line(err, text, fmt)
        col = err.colno if isinstance(err, json.JSONDecodeError) else 0  # a JSON-LD file is often one long line
        raise GraphError(f"malformed {fmt} graph: {one_line(msg)}", code="KGA201",
                         location=Location(str(path), line, col)) from None
    _check_text_terms(ds, text, fmt, path)


#: a ``\uD800``-``\uDFFF`` escape (N-Triples, Turtle, JSON): half of a UTF-16 pair
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _check_text_terms(ds: Dataset, text: str, fmt: str, path: Path) -> None:
    """GraphError KGA201 for a term rdflib read from an escape that is half of a UTF-16 pair
    (``"\\uD800"``: a lone surrogate, which no file can hold: saving it failed or wrote "?").
    Oxigraph refuses such escapes itself; this checks what rdflib parsed."""
    if not _SURROGATE_ESCAPE.search(text):
        return
    for quad in ds.quads((None, None, None, None)):
        for term in quad[:3]:
            if term is not None and (at := lone_surrogate(str(term))) is not None:
                m = re.search(rf"\\u{ord(str(term)[at]):04x}", text, re.IGNORECASE)
                line = text.count("\n", 0, m.start()) + 1 if m else 0
                raise GraphError(f"malformed {fmt} graph: {str(term)[at]!r} (an escape of half a UTF-16 pair, "
                                 "a lone surrogate) is not text", code="KGA201",
                                 location=Location(str(path), line))


#: the longest term Oxigraph reads (its parser's buffer): 16 MiB
MAX_TERM_BYTES = 16 * 1024 * 1024


#: a line longer than this is not handed to rdflib's parsers (quadratic in a line's length)
LONG_LINE = 256 * 1024


def _has_long_line(text: str) -> bool:
    start = 0
    while (end := text.find("\n", start)) >= 0:
        if end - start > LONG_LINE:
            return True
        start = end + 1
    return len(text) - start > LONG_LINE


def _ox_error_line(err: Exception) -> int:
    """The line an Oxigraph parse error names ("Parser error at line 2 between columns ...")."""
    m = re.search(r"line (\d+)", str(err)) or re.search(r"(\d+):\d+", str(err))
    return int(m.group(1)) if m else 0


def term_too_long(err: BaseException, text: str, fmt: str, path: Path) -> GraphError | None:
    """GraphError KGA201 naming the line, for Oxigraph's "Reached the buffer maximal size" (a
    literal or IRI over 16 MiB); None for any other error."""
    if "buffer maximal size" not in str(err):
        return None
    line = 0
    for i, row in enumerate(text.split("\n"), 1):
        if len(row) * 4 > MAX_TERM_BYTES and len(row.encode("utf-8")) > MAX_TERM_BYTES:
            line = i
            break
    return GraphError(f"malformed {fmt} graph: a literal or IRI longer than {MAX_TERM_BYTES // 2**20} MiB, the "
                      "longest a graph file may hold", code="KGA201", location=Location(str(path), line))


_OX_FORMATS = {"nt": "N_TRIPLES", "nquads": "N_QUADS", "turtle": "TURTLE", "trig": "TRIG", "xml": "RDF_XML"}

#: an XML entity declared with another entity in its value: how an "entity expansion bomb" (a few
#: hundred bytes that expand to gigabytes) is made; ``&#38;``-style character references are fine
_NESTED_ENTITY = re.compile(r"""<!ENTITY\s+%?\s*[^\s>]+\s+("[^"]*&[^#"][^"]*"|'[^']*&[^#'][^']*')""")


def _remote_contexts(node: object) -> Iterator[str]:
    """The URLs a JSON-LD document would fetch: ``"@context"`` given as a string (or a list holding
    one) and ``"@import"`` inside a context, anywhere in the document."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for key, value in n.items():
                if key == "@context":
                    for c in value if isinstance(value, list) else [value]:
                        if isinstance(c, str):
                            yield c
                        elif isinstance(c, dict) and isinstance(c.get("@import"), str):
                            yield c["@import"]
                stack.append(value)
        elif isinstance(n, list):
            stack.extend(n)


def _check_local_contexts(text: str, path: Path) -> None:
    """GraphError KGA201 for a JSON-LD file whose ``@context`` names another document (a URL):
    rdflib would fetch it from the network (reading a file must never reach out)."""
    if "@context" not in text:
        return
    try:
        doc = json.loads(text)
    except ValueError:
        return  # rdflib's parse says where the JSON is malformed
    for url in _remote_contexts(doc):
        at = text.find(json.dumps(url)[1:-1])
        raise GraphError(f"malformed json-ld graph: the @context {url!r} names a document to fetch, and "
                         "kgagent never fetches one; put the context itself in the file", code="KGA201",
                         location=Location(str(path), text.count("\n", 0, at) + 1 if at >= 0 else 0))


def _check_xml_entities(text: str, path: Path) -> None:
    """GraphError KGA201 for an RDF/XML file whose DTD declares an entity made of other entities
    (the expansion bomb: rdflib's parser took minutes on 600 bytes); plain entities, such as
    OWL files' ``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``, are read."""
    head = text[:text.find("]>") + 2] if "<!DOCTYPE" in text[:4096] else ""
    if (m := _NESTED_ENTITY.search(head)) is not None:
        raise GraphError("malformed xml graph: an entity declared with other entities in its value (an entity "
                         "expansion bomb?) is not read", code="KGA201",
                         location=Location(str(path), text.count("\n", 0, m.start()) + 1))


def _fast_parse(ds: Dataset, text: str, fmt: str) -> None:
    """Parse with pyoxigraph and add the quads to ``ds`` in one batch (all or nothing).

    Each distinct IRI, blank node and literal becomes one rdflib term (terms are immutable values),
    and the quads go to the store directly: they are made here, so ``Dataset.addN``'s per-quad
    checks would only repeat them (the two: the default graph's parse 2.67 -> 2.27 s, median of 6).
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    iris: dict[str, URIRef] = {}
    bnodes: dict[str, BNode] = {}
    literals: dict[tuple[str, str | None, str | None], Literal] = {}
    xsd_string = "http://www.w3.org/2001/XMLSchema#string"

    def conv(term: object) -> object:
        if isinstance(term, ox.NamedNode):
            v = iris.get(term.value)
            if v is None:
                v = iris[term.value] = URIRef(term.value)
            return v
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            key = (term.value, term.language, None if term.language or dt == xsd_string else dt)
            lit = literals.get(key)
            if lit is None:
                lit = literals[key] = (Literal(term.value, lang=term.language) if term.language
                                       else Literal(term.value) if key[2] is None
                                       else Literal(term.value, datatype=conv(term.datatype)))
            return lit
        if isinstance(term, ox.BlankNode):
            b = bnodes.get(term.value)
            if b is None:
                b = bnodes[term.value] = BNode()
            return b
        raise ValueError(f"unsupported term {term!r}")  # RDF-star triples: let rdflib decide

    contexts: dict[object, object] = {}
    quads = []
    for q in ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, _OX_FORMATS[fmt])):
        g = q.graph_name
        gid = DATASET_DEFAULT_GRAPH_ID if isinstance(g, ox.DefaultGraph) else conv(g)
        ctx = contexts.get(gid)
        if ctx is None:
            ctx = contexts[gid] = ds.default_graph if gid == DATASET_DEFAULT_GRAPH_ID else ds.graph(gid)
        quads.append((conv(q.subject), conv(q.predicate), conv(q.object), ctx))
    ds.store.addN(quads)


def _parse_lines(ds: Dataset, text: str, fmt: str, path: Path) -> None:
    """N-Triples / N-Quads: parse whole (fast); on error find the offending line."""
    try:
        ds.parse(data=text, format=fmt)
    except Exception as err:
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                Dataset().parse(data=line + "\n", format=fmt)
            except Exception as line_err:
                raise GraphError(f"malformed {fmt} graph: {one_line(_short(line_err))}: {one_line(line, 120)}",
                                 code="KGA201", location=Location(str(path), i)) from None
        raise err


def _short(err: Exception) -> str:
    msg = str(err).strip().splitlines()
    return msg[0][:200] if msg else type(err).__name__


def _error_line(err: Exception, text: str, fmt: str) -> tuple[int, str]:
    lines = getattr(err, "lines", None)  # notation3 BadSyntax: 0-based line
    if isinstance(lines, int):
        return lines + 1, one_line(_badsyntax_msg(err))
    if isinstance(err, json.JSONDecodeError):
        return err.lineno, err.msg
    getline = getattr(err, "getLineNumber", None)  # SAX (RDF/XML)
    if callable(getline):
        with contextlib.suppress(Exception):
            return int(getline()), _short(err)
    m = re.search(r"line (\d+)", str(err))
    if m:
        return int(m.group(1)), _short(err)
    return 0, _short(err)


def one_line(msg: object, limit: int = 200) -> str:
    """``msg`` on one line, cut at ``limit``, its control characters (a file's ESC or NUL, quoted
    by a parser) made :func:`~kgagent.errors.visible`: an error line never acts on the terminal."""
    return visible(" ".join(str(msg).split())[:limit])


def _badsyntax_msg(err: Exception) -> str:
    args = getattr(err, "args", ())
    return str(args[-1]) if args else _short(err)


def check_writable_place(target: Path) -> None:
    """StorageError KGA510 when ``target`` cannot be made because a folder it lies in is a file
    (``tiny.ttl/x.nq``): said before anything is written, instead of the OS's FileExistsError."""
    if (folder := file_in_the_way(target, directory=False)) is not None:
        raise StorageError(f"cannot write {target}: {folder} is a file, not a directory", code="KGA510")


def remove_stale_temps(directory: Path, name: str) -> int:
    """Remove temp files a killed writer left behind (only when holding the lock)."""
    n = 0
    for p in directory.glob(f".{name}.tmp-*"):
        with contextlib.suppress(OSError):
            p.unlink()
            n += 1
    return n


class DirectoryLock(_DirectoryLock):
    """An exclusive writer lock on a graph directory (``.kgagent.lock``); GraphError KGA203
    naming the holder when another process has it (``kgagent.files.DirectoryLock``)."""

    def __init__(self, directory: Path, timeout: float = 0.0):
        super().__init__(directory, LOCK_NAME, timeout=timeout)

    def busy(self, holder: str) -> Exception:
        return GraphError(f"graph directory {self.directory} is locked by another writer ({holder}); "
                          "wait for it to finish (the lock is released when that process ends)", code="KGA203")


def text_writer(binary: IO[bytes]) -> io.TextIOWrapper:
    """A UTF-8 text view of a binary stream (left open)."""
    return io.TextIOWrapper(binary, encoding="utf-8", newline="\n", write_through=True)
