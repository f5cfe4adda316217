"""Read-only SPARQL: reject updates, SERVICE, LOAD and FROM; run with a time limit.

rdflib would happily fetch a remote endpoint (SERVICE) or a remote graph (FROM <url>); a
query typed by a user must never reach the network or change the graph.
"""

from __future__ import annotations

import ctypes
import math
import numbers
import re
import threading
import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, TypeVar

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.sparql import Query

from kgagent.errors import GraphError, Location, undecodable

T = TypeVar("T")


class _QueryTimeout(BaseException):
    """Raised inside the worker thread to stop a query that ran past its time limit."""


#: prefixes every query may use without declaring them
PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "ont": "https://w3id.org/kgagent/ont/",
    "kga": "https://w3id.org/kgagent/meta/",
    "ent": "https://w3id.org/kgagent/entity/",
    "doc": "https://w3id.org/kgagent/doc/",
    "stmt": "https://w3id.org/kgagent/stmt/",
}


class QuerySyntaxError(GraphError):
    """KGA206 for a query that is no SPARQL, at line ``line``, column ``col`` (1-based, in
    characters) of the query text: ``reason`` says what is wrong there. :meth:`at` gives the
    error located in the file the query was read from."""

    def __init__(self, reason: str, line: int, col: int):
        super().__init__(f"SPARQL syntax error at line {line}, column {col}: {reason}", code="KGA206")
        self.reason, self.line, self.col = reason, line, col

    def at(self, name: str) -> GraphError:
        """The same error at ``name``:line:col (a query file's name)."""
        return GraphError(f"SPARQL syntax error: {self.reason}", code="KGA206",
                          location=Location(name, self.line, self.col))


#: Oxigraph's syntax errors: "error at LINE:COL: expected one of A, B, ..." where an item is a
#: token ("(", DESCRIBE), a character class ([_], ['0' ..= '9' | ...]) or its own words
#: ("SELECT * is not authorized with GROUP BY")
_OX_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_OX_CLASS = re.compile(r"\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]")
_OX_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|[^,]+')


def ox_syntax_error(err: SyntaxError, sparql: str) -> GraphError:
    """Oxigraph's SyntaxError on ``sparql`` as kgagent says it (:class:`QuerySyntaxError`): the
    words it gives, else the tokens it expected (never its character classes, a screenful of
    Unicode ranges), and the query's text there.

    >>> import pyoxigraph
    >>> q = "SELECT * WHERE { ?x ?p ?o }\\nGROUP BY ?x"
    >>> try:
    ...     pyoxigraph.Store().query(q)
    ... except SyntaxError as err:
    ...     print(ox_syntax_error(err, q))
    KGA206 SPARQL syntax error at line 2, column 12: SELECT * is not authorized with GROUP BY (near 'GROUP BY ?x')
    """
    text = " ".join(str(err).split())
    m = _OX_ERROR.match(str(err))
    if m is None:
        return GraphError(f"SPARQL syntax error: {text}", code="KGA206")
    line, col = int(m.group(1)), int(m.group(2))
    rest = re.sub(r"^expected (one of )?", "", " ".join(m.group(3).split()))
    rest = _OX_CLASS.sub("", rest)
    items = [i.strip() for i in _OX_ITEM.findall(rest) if i.strip()]
    words = [i for i in items if " " in i and not i.startswith('"')]
    tokens = [i for i in items if i not in words]
    if words:
        reason = "; ".join(words)
    elif tokens:
        shown = ", ".join(tokens[:12]) + (", ..." if len(tokens) > 12 else "")
        reason = f"expected {'one of ' if len(tokens) > 1 else ''}{shown}"
    else:
        reason = "the query cannot go on here"
    lines = sparql.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    near = here[max(0, col - 16):col + 15].strip()
    return QuerySyntaxError(reason + (f" (near {near!r})" if near else " (at the end of the query)"), line, col)


def decode_query(data: bytes, name: str) -> str:
    """A query file's (or standard input's) bytes as text; GraphError KGA206 naming ``name``,
    the line and the column for bytes that are not UTF-8.

    >>> decode_query(b"SELECT * WHERE {\\n ?s ?p \\xff }", "q.rq")
    Traceback (most recent call last):
    kgagent.errors.GraphError: q.rq:2:8: KGA206 the query is not UTF-8 text: byte 0xff
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, col, byte = undecodable(data, err)
        raise GraphError(f"the query is not UTF-8 text: byte {byte}", code="KGA206",
                         location=Location(name, line, col)) from None


#: what a read-only query may not hold, and why (GraphError KGA204)
_UPDATE = "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ...) are not allowed: kg query is read-only"
_FROM = ("FROM / FROM NAMED is not allowed (it may fetch remote graphs); use GRAPH <iri> { ... } to address "
         "a named graph")
_SERVICE = "SERVICE is not allowed: kg query never calls remote endpoints"


def _refused(why: str) -> GraphError:
    return GraphError(why, code="KGA204")


def prepare_read_only(sparql: str) -> Query | None:
    """Parse ``sparql`` as a read-only query; GraphError KGA204 (not allowed) or KGA206 (no
    query at all: empty, or nothing but comments; a query that is no string; a syntax error is
    a :class:`QuerySyntaxError`, with its line and column).

    rdflib's parser recurses once per triple pattern and bracket: a query of 100 patterns, or
    brackets 30 deep, passes Python's recursion limit; and rdflib cannot translate some valid
    queries (``DESCRIBE * WHERE ...``). Such a query is checked with Oxigraph's parser and read
    for SERVICE, FROM and update keywords instead, and None is returned (no rdflib query:
    Oxigraph runs it)."""
    if not isinstance(sparql, str):
        hint = ": decode it to a string first" if isinstance(sparql, (bytes, bytearray)) else ""
        raise GraphError(f"the query must be a string, not {type(sparql).__name__}{hint}", code="KGA206")
    if not any(ln.strip() and not ln.lstrip().startswith("#") for ln in sparql.splitlines()):
        raise GraphError("the query is empty" + (" (nothing but comments)" if sparql.strip() else "") +
                         ": give a SELECT, ASK, CONSTRUCT or DESCRIBE query", code="KGA206")
    if _too_big_for_rdflib(sparql):  # rdflib's parser would fail on it, seconds later
        _check_without_rdflib(sparql)
        return None
    try:
        parsed = parseQuery(sparql)
    except RecursionError:
        _check_without_rdflib(sparql)
        return None
    except ParseException as err:
        try:
            parseUpdate(sparql)
        except ParseException:
            raise QuerySyntaxError(err.msg, err.lineno, err.col) from None
        except RecursionError:  # an update too long for rdflib's parser: its first keyword says
            _check_without_rdflib(sparql)
            raise QuerySyntaxError(err.msg, err.lineno, err.col) from None
        raise _refused(_UPDATE) from None
    except Exception as err:  # noqa: BLE001 - rdflib raises assorted errors on odd input
        raise GraphError(f"SPARQL syntax error: {err}", code="KGA206") from None
    body = parsed[1]
    if "datasetClause" in body.keys():
        raise _refused(_FROM)
    try:
        query = translateQuery(parsed, initNs=PREFIXES)
        service = _has_service(query.algebra)
    except Exception:  # noqa: BLE001 - too deep for rdflib, or a form it lacks (DESCRIBE *): Oxigraph's parser decides
        _check_without_rdflib(sparql)
        return None
    if service:
        raise _refused(_SERVICE)
    _ox_parse(sparql, iris=False)  # rdflib takes some queries SPARQL forbids, and answers them wrongly
    return query


def _ox_parse(sparql: str, iris: bool = True) -> None:
    """Oxigraph's parser over ``sparql`` (:class:`QuerySyntaxError` for a query it refuses;
    nothing is evaluated: an empty store). rdflib's parser takes queries the SPARQL grammar
    forbids and answers them with no row or an arbitrary one (``SELECT * ... GROUP BY ?x``:
    nothing; ``SELECT (COUNT(*) AS ?n) ?x``: any ?x): each engine now refuses them alike. With
    ``iris=False`` an IRI that RFC 3987 forbids is let through: rdflib reads it, and a graph
    rdflib read may hold it (``<urn:a[1]>``; Oxigraph cannot hold such a graph)."""
    import pyoxigraph as ox

    try:
        ox.Store().query(sparql, prefixes=PREFIXES)
    except SyntaxError as err:
        if iris or "IRI parsing failed" not in str(err):
            raise ox_syntax_error(err, sparql) from None


#: SPARQL's tokens, as far as telling keywords from names, strings, IRIs and comments goes
_TOKENS = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z_][\w.-]*)?:[\w.:%-]*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<char>\S)
""", re.VERBOSE | re.DOTALL)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def _too_big_for_rdflib(sparql: str) -> bool:
    """Whether rdflib's parser would pass Python's recursion limit on ``sparql`` (it fails at
    about 100 triple patterns or 30 nested brackets, after seconds of recursing): more than 60
    pattern separators (``.``, ``;``, ``,``) or brackets more than 20 deep."""
    separators = depth = deepest = 0
    for m in _TOKENS.finditer(sparql):
        if m.lastgroup != "char":
            continue
        c = m.group()
        if c in ".;,":
            separators += 1
        elif c in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")}]":
            depth -= 1
    return separators > 60 or deepest > 20


def _check_without_rdflib(sparql: str) -> None:
    """The read-only check of a query rdflib's parser cannot take (too long or deeply nested):
    its keywords read from its tokens (GraphError KGA204 for an update, SERVICE or FROM), its
    syntax checked by Oxigraph's parser (KGA206), nothing evaluated."""
    words = [m.group().upper() for m in _TOKENS.finditer(sparql) if m.lastgroup == "word"]
    body = [w for w in words if w not in ("PREFIX", "BASE")]
    if body and body[0] in _UPDATE_WORDS:
        raise _refused(_UPDATE)
    if "FROM" in words:
        raise _refused(_FROM)
    if "SERVICE" in words:
        raise _refused(_SERVICE)
    _ox_parse(sparql)


def query_columns(sparql: str) -> list[str]:
    """The names of the columns a query's result has, read from the query alone (Oxigraph's
    parser; nothing is evaluated): a SELECT's variables in their order, ``subject``,
    ``predicate``, ``object`` for a CONSTRUCT or DESCRIBE, none for an ASK or a query Oxigraph
    cannot parse. What heads a table of no rows.

    >>> query_columns("SELECT ?name (COUNT(*) AS ?n) WHERE { ?x rdfs:label ?name } GROUP BY ?name")
    ['name', 'n']
    >>> query_columns("DESCRIBE ent:x")
    ['subject', 'predicate', 'object']
    """
    import pyoxigraph as ox

    try:
        res = ox.Store().query(sparql, prefixes=PREFIXES)  # an empty store: nothing to compute
    except (SyntaxError, ValueError, TypeError):
        return []
    if isinstance(res, ox.QuerySolutions):
        return [v.value for v in res.variables]
    return [] if isinstance(res, ox.QueryBoolean) else ["subject", "predicate", "object"]


def _has_service(node: Any, seen: set[int] | None = None) -> bool:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return False
    seen.add(id(node))
    name = getattr(node, "name", None)
    if name == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_has_service(v, seen) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_service(v, seen) for v in node)
    return False


#: the longest time limit a query may be given, in seconds: a query runs (and holds what it
#: computes in memory) at most this long
MAX_QUERY_SECONDS = 3600.0


def check_timeout(timeout: Any) -> float | None:
    """The time limit to wait for, in seconds (None: no limit, for ``None``, which only a program
    can give); GraphError KGA211 for anything but a number above 0, KGA220 for infinity or more
    than :data:`MAX_QUERY_SECONDS` (a query without end can fill memory without end).

    >>> check_timeout(2)
    2.0
    >>> check_timeout(0)
    Traceback (most recent call last):
    kgagent.errors.GraphError: KGA211 a query time limit must be a number of seconds above 0, not 0
    >>> check_timeout(float("inf"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kgagent.errors.GraphError: KGA220 a query time limit must be finite, at most 3600 seconds, not inf: ...
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise GraphError(f"a query time limit must be a number of seconds, not {type(timeout).__name__}",
                         code="KGA211")
    try:
        value = float(timeout)
    except OverflowError:  # an int past a float's range
        value = math.inf
    if math.isnan(value) or value <= 0:
        raise GraphError(f"a query time limit must be a number of seconds above 0, not {timeout!r}",
                         code="KGA211")
    if value > MAX_QUERY_SECONDS:
        shown = "inf" if math.isinf(value) else f"{value:g}"
        raise GraphError(f"a query time limit must be finite, at most {MAX_QUERY_SECONDS:g} seconds, not {shown}: "
                         "a query without end can fill memory without end", code="KGA220")
    return value


def run_with_timeout(fn: Callable[[], T], timeout: float | None) -> T:
    """Run ``fn`` in a worker thread; GraphError KGA205 if it runs past ``timeout`` seconds
    (None: no limit; KGA211 for a limit that is not a number above 0, KGA220 for one past
    :data:`MAX_QUERY_SECONDS`).

    The worker is stopped by an asynchronous exception, which takes effect at the next Python
    bytecode (rdflib's evaluator is pure Python, so this is prompt), raised again for up to a
    second while the worker has not taken it (one that lands where Python ignores exceptions is
    lost). A worker in a native call that does not return (Oxigraph computing an aggregate)
    cannot be stopped: the KGA205 then says that it goes on in the background.
    """
    limit = check_timeout(timeout)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            try:
                box["value"] = fn()
            except _QueryTimeout:
                box["timeout"] = True
            except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = err
        except _QueryTimeout:  # a repeated stop that came while the first was handled
            box["timeout"] = True

    worker = threading.Thread(target=target, name="kgagent-sparql", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        # raised again until the worker ends: one that lands where Python ignores exceptions (a
        # __del__ the collector runs, a generator's close) is lost, and the worker went on
        deadline = time.monotonic() + 1.0
        while worker.is_alive() and not box and time.monotonic() < deadline:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident or 0),
                                                       ctypes.py_object(_QueryTimeout))
            worker.join(0.05)
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():  # in native code that takes no exception: it goes on, and says so
            raise GraphError(f"SPARQL query ran past its time limit of {timeout:g} s and cannot be stopped: Oxigraph "
                             "computes it (an aggregate, ORDER BY) in one native call, which goes on in the "
                             "background, holding a CPU core, until it ends or this process exits; engine='rdflib' "
                             "stops a query on time",
                             code="KGA205")
        raise GraphError(f"SPARQL query ran past its time limit of {timeout:g} s and was stopped",
                         code="KGA205")
    if "error" in box:
        err = box["error"]
        if isinstance(err, GraphError):
            raise err
        raise GraphError(f"SPARQL evaluation failed: {type(err).__name__}: {err}", code="KGA206") from None
    if box.get("timeout"):
        raise GraphError(f"SPARQL query ran past its time limit of {timeout:g} s", code="KGA205")
    return box["value"]


def graph_result(dataset: Any, query: Query) -> Iterator[tuple[Any, Any, Any]]:
    """The triples of a CONSTRUCT or DESCRIBE query ``query`` (from :func:`prepare_read_only`)
    over the rdflib ``dataset``, each once, built as they are read.

    rdflib's own evaluation builds the whole result graph before its first triple can be read
    (on the default graph, 116,054 quads, ``CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }`` took
    4.2 s for 10 triples); here the pattern's solutions are read one at a time, as a SELECT's
    are: the template filled for each (CONSTRUCT), or each resource described when first bound
    (DESCRIBE, its concise bounded description). What is read past the triples a caller takes
    is never computed; the triples given so far are held to give each once. The triples come
    in the order of the solutions (an ORDER BY holds), the same set as rdflib's graph."""
    from rdflib import Graph, URIRef
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.evalutils import _fillTemplate
    from rdflib.plugins.sparql.sparql import QueryContext

    main = query.algebra
    ctx = QueryContext(dataset, initBindings={}, datasetClause=main.datasetClause)
    ctx.prologue = query.prologue
    seen: set[tuple[Any, Any, Any]] = set()
    if main.name == "ConstructQuery":
        template = main.template or _where_triples(main.p)  # CONSTRUCT WHERE: the pattern is the template
        for solution in evalPart(ctx, main.p):
            for triple in _fillTemplate(template, solution):
                if triple not in seen:
                    seen.add(triple)
                    yield triple
        return
    if main.name != "DescribeQuery":
        raise GraphError(f"not a CONSTRUCT or DESCRIBE query: {main.name}", code="KGA206")
    described: set[Any] = set()

    def resources() -> Iterator[Any]:
        yield from (iri for iri in main.PV if isinstance(iri, URIRef))
        if main.p is not None:
            for binding in evalPart(ctx, main.p):
                yield from binding.values()

    for resource in resources():
        if resource in described:
            continue
        described.add(resource)
        for triple in ctx.graph.cbd(resource, target_graph=Graph()):  # type: ignore[union-attr]
            if triple not in seen:
                seen.add(triple)
                yield triple


def _where_triples(node: Any) -> list[Any]:
    """The triple patterns of a ``CONSTRUCT WHERE``'s pattern, under its solution modifiers
    (rdflib reads them one level down only: with LIMIT or ORDER BY its evaluation failed)."""
    while node is not None and getattr(node, "name", None) != "BGP":
        node = node.get("p")
    return list(node.triples) if node is not None else []


def ox_result(res: Any, raw: bool = False, max_rows: int | None = None) -> Any:
    """A pyoxigraph query result as kgagent returns it (see ``KnowledgeGraph.query``): at most
    ``max_rows`` rows or triples (None: all), the rest never read."""
    import pyoxigraph as ox

    if isinstance(res, ox.QueryBoolean):
        return bool(res)
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        return [{n: _ox_term(sol[i], raw) for i, n in enumerate(names)} for sol in islice(res, max_rows)]
    return [(_ox_term(t.subject, raw), _ox_term(t.predicate, raw), _ox_term(t.object, raw))
            for t in islice(res, max_rows)]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _ox_term(term: Any, raw: bool) -> Any:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value) if raw else term.value
    if isinstance(term, ox.BlankNode):
        return BNode(term.value) if raw else f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language:
            lit = Literal(term.value, lang=term.language)
        elif term.datatype.value == _XSD_STRING:
            lit = Literal(term.value)
        else:
            lit = Literal(term.value, datatype=URIRef(term.datatype.value))
        if raw:
            return lit
        v = lit.toPython()
        return str(v) if isinstance(v, Literal) else v
    return str(term)
