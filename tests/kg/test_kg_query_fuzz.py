"""``kgagent kg query`` misused, found by fuzzing: each case used to end in a traceback or a
wrong answer; now one error line with its code, or the right answer."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app


def run(*args, stdin=None):
    return CliRunner().invoke(app, ["kg", *map(str, args)], input=stdin)


def _graph(tmp_path: Path, text: str, name: str = "graph.nt") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


@pytest.mark.parametrize("value", ["nan", "0", "-1"])
def test_query_timeout_nan_zero_or_negative_is_a_usage_error(tiny_dir: Path, value: str) -> None:
    """--timeout nan was a ValueError traceback from threading; 0 and -1 were "ran past its
    time limit of 0 s" (KGA205) though the query never got to run."""
    r = run("query", "ASK {}", "--graph", tiny_dir, "--timeout", value)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "Traceback" not in r.output and "KGA205" not in r.output
    assert "--timeout" in r.output and "KGA211" in r.output and "above 0" in r.output


@pytest.mark.parametrize(("value", "shown"), [("inf", "inf"), ("1e400", "inf"), ("1e300", "1e+300"),
                                              ("3600.5", "3600.5")])
def test_query_timeout_inf_or_huge_is_a_usage_error(tiny_dir: Path, value: str, shown: str) -> None:
    """--timeout inf was an OverflowError traceback (timestamp out of range); then it meant no
    limit, and a query without end grew its memory without end (a cross product under ORDER BY
    until the machine ran out). Now a time limit is finite and at most an hour: exit 2, KGA220."""
    r = run("query", "ASK { ?s ?p ?o }", "--graph", tiny_dir, "--timeout", value)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "Traceback" not in r.output and "--timeout" in r.output
    assert (f"KGA220 a query time limit must be finite, at most 3600 seconds, not {shown}: a query without end "
            "can fill memory without end") in " ".join(r.output.replace("│", " ").split()), r.output
    assert run("query", "ASK { ?s ?p ?o }", "--graph", tiny_dir, "--timeout", "3600").stdout.strip() == "yes"


@pytest.mark.parametrize(("timeout", "words"), [
    (math.nan, "above 0, not nan"), (0, "above 0, not 0"), (-2.5, "above 0, not -2.5"),
    ("10", "a number of seconds, not str"), (True, "a number of seconds, not bool"),
])
def test_query_timeout_of_the_wrong_kind_is_kga211(tiny: KnowledgeGraph, timeout, words: str) -> None:
    for engine in ("oxigraph", "rdflib"):
        with pytest.raises(GraphError, match=words) as err:
            tiny.query("ASK { ?s ?p ?o }", timeout=timeout, engine=engine)
        assert err.value.code == "KGA211"


def test_query_timeout_none_is_no_limit_but_inf_is_kga220(tiny: KnowledgeGraph) -> None:
    """None (which only a program gives) is no limit; infinity, or more than an hour, is refused."""
    assert tiny.query("ASK { ?s ?p ?o }", timeout=None) is True
    for engine in ("oxigraph", "rdflib"):
        for timeout in (math.inf, 3601, 10**400):
            with pytest.raises(GraphError, match="must be finite, at most 3600 seconds") as err:
                tiny.query("ASK { ?s ?p ?o }", timeout=timeout, engine=engine)
            assert err.value.code == "KGA220"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_rows_are_capped_by_max_rows(tiny: KnowledgeGraph, engine: str) -> None:
    """Before: every row of a query was held in memory, however many (a cross product of the graph
    with itself, millions of rows); max_rows reads that many and leaves the rest unread."""
    every = tiny.query("SELECT ?s ?o WHERE { ?s ?p ?o }", engine=engine)
    assert len(every) > 3
    assert tiny.query("SELECT ?s ?o WHERE { ?s ?p ?o }", engine=engine, max_rows=3) == every[:3]
    assert len(tiny.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", engine=engine, max_rows=2)) == 2
    for bad, words in ((0, "at least 1"), (2.5, "whole number"), (True, "whole number")):
        with pytest.raises(GraphError, match=words) as err:
            tiny.query("ASK { ?s ?p ?o }", engine=engine, max_rows=bad)
        assert err.value.code == "KGA211"


@pytest.mark.parametrize("fmt", ["table", "json", "tsv"])
def test_query_limit_cuts_the_rows_and_says_so(tiny: KnowledgeGraph, tiny_dir: Path, fmt: str) -> None:
    """kg query reads at most --limit rows (default 10,000) and says on stderr when the query had
    more; stdout holds the rows alone."""
    import json

    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    every = len(tiny.query(q))
    r = run("query", q, "--graph", tiny_dir, "--format", fmt, "--limit", "2")
    assert r.exit_code == 0, r.output
    assert f"note: the query has more than 2 row(s); these are the first 2 (raise --limit, or narrow the query)" \
        in r.stderr and "note" not in r.stdout
    if fmt == "json":
        assert len(json.loads(r.stdout)) == 2
    elif fmt == "tsv":
        assert len(r.stdout.splitlines()) == 3  # the header and two rows
    else:
        assert "2 row(s)" in r.stdout
    r = run("query", q, "--graph", tiny_dir, "--format", "json", "--limit", str(every))
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == every and "note" not in r.stderr
    r = run("query", q, "--graph", tiny_dir, "--limit", "0")
    assert r.exit_code == 2 and "--limit" in r.output


MARKUP = ('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "[/]" .\n'
          '<urn:a> <urn:says> "[/bold] [red]x" .\n'
          '<urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:t/[/x]> .\n')


def test_query_table_prints_values_that_look_like_rich_markup(tmp_path: Path) -> None:
    """A literal "[/bold]" in a table cell was a rich MarkupError traceback."""
    g = _graph(tmp_path, MARKUP)
    r = run("query", "SELECT ?o WHERE { <urn:a> <urn:says> ?o }", "--graph", g)
    assert r.exit_code == 0, r.output
    assert "[/bold] [red]x" in r.stdout and "1 row(s)" in r.stdout


def test_stats_prints_a_type_that_looks_like_rich_markup(tmp_path: Path) -> None:
    r = run("stats", "--graph", _graph(tmp_path, MARKUP))
    assert r.exit_code == 0, r.output
    assert "urn:t/[/x]" in r.stdout


def test_link_prints_a_mention_and_label_that_look_like_rich_markup(tmp_path: Path, tiny_st: Path) -> None:
    r = run("link", "[/]", "[/bold]", "--graph", _graph(tmp_path, MARKUP), "--embedder", tiny_st)
    assert r.exit_code == 0, r.output
    assert "[/] -> urn:a" in r.stdout and "[/bold] -> NIL" in r.stdout


def test_query_over_an_iri_oxigraph_refuses_answers_with_rdflib(tmp_path: Path) -> None:
    """rdflib reads <urn:t/[/x]> (N-Triples allows '['), Oxigraph's snapshot of the graph refused
    it: every query was a SyntaxError traceback. Now the query runs on rdflib."""
    g = _graph(tmp_path, MARKUP)
    r = run("query", "SELECT ?t WHERE { ?s a ?t }", "--graph", g, "--format", "tsv")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["t", "urn:t/[/x]"]
    kg = KnowledgeGraph.load(g)
    assert kg.query("ASK { <urn:a> a <urn:t/[/x]> }") is True


ODD_LITERALS = ('<urn:a> <urn:n> "big"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
                '<urn:a> <urn:d> "2020-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
                '<urn:a> <urn:f> "1e99999"^^<http://www.w3.org/2001/XMLSchema#double> .\n'
                '<urn:a> <urn:g> "-1e99999"^^<http://www.w3.org/2001/XMLSchema#double> .\n'
                '<urn:a> <urn:t> "tab\\there\\nnext\\rline\\\\end" .\n')


@pytest.mark.parametrize("command", ["stats", "query"])
def test_ill_typed_literals_print_no_rdflib_traceback(tmp_path: Path, command: str, caplog) -> None:
    """"big"^^xsd:integer made rdflib log "Failed to convert Literal lexical form to value" with a
    whole traceback on stderr, at every load and every query row; RDF allows such literals."""
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.NOTSET)  # as in a fresh process
    g = _graph(tmp_path, ODD_LITERALS)
    args = ("query", "SELECT ?o WHERE { ?s ?p ?o }", "--format", "json") if command == "query" else ("stats",)
    r = run(*args, "--graph", g)
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output and "Failed to convert" not in r.output, r.output
    assert not [rec for rec in caplog.records if rec.name.startswith("rdflib")]  # logged: printed on stderr


def test_query_json_has_no_infinity(tmp_path: Path) -> None:
    """An xsd:double "1e99999" came out as Infinity, which is not JSON; now "INF" / "-INF"."""
    import json

    r = run("query", "SELECT ?p ?o WHERE { <urn:a> ?p ?o }", "--graph", _graph(tmp_path, ODD_LITERALS),
            "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    values = {row["p"]: row["o"] for row in rows}
    assert values["urn:f"] == "INF" and values["urn:g"] == "-INF" and values["urn:n"] == "big"


def test_query_tsv_escapes_tab_newline_cr_and_backslash(tmp_path: Path) -> None:
    """A literal with a tab or newline split its TSV row into two rows or an extra column."""
    r = run("query", "SELECT ?o ?x WHERE { <urn:a> <urn:t> ?o BIND(1 AS ?x) }", "--graph",
            _graph(tmp_path, ODD_LITERALS), "--format", "tsv")
    assert r.exit_code == 0, r.output
    assert r.stdout.split("\n") == ["o\tx", "tab\\there\\nnext\\rline\\\\end\t1", ""]


def test_query_argument_naming_a_directory_is_kga503(tiny_dir: Path, tmp_path: Path) -> None:
    """A directory given as the query was parsed as SPARQL: "syntax error at line 1, column 1"."""
    r = run("query", tmp_path, "--graph", tiny_dir)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == f"error: KGA503 is a directory, expected a query file: {tmp_path}"


@pytest.mark.parametrize("arg", ["missing.rq", "queries/who.sparql", "q/x"])
def test_query_argument_naming_a_missing_file_says_so(tiny_dir: Path, arg: str) -> None:
    """A query file that is not there was parsed as SPARQL: a bare syntax error at column 1."""
    r = run("query", arg, "--graph", tiny_dir)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    line = r.output.strip().splitlines()[-1]
    assert line.startswith(f"error: KGA502 no such query file: {arg} (nor is it a query: SPARQL syntax error")


@pytest.mark.parametrize("query", ["SELEC ?s WHERE { ?s ?p ?o }", "ASK{<http://x.org/y>?p?o"])
def test_a_malformed_query_is_still_a_syntax_error(tiny_dir: Path, query: str) -> None:
    r = run("query", query, "--graph", tiny_dir)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    assert "KGA206 SPARQL syntax error" in r.output and "KGA502" not in r.output


def test_import_into_a_graph_under_a_file_is_a_usage_error(tiny_dir: Path, tmp_path: Path) -> None:
    """kg import --graph FILE/sub said KGA510 with exit 1 after loading every file; kg export
    says it with exit 2 before loading, and now so does import."""
    blocker = tmp_path / "afile"
    blocker.write_text("")
    r = run("import", tiny_dir / "graph.ttl", "--graph", blocker / "sub", "--no-align")
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == (f"error: KGA510 cannot write {blocker / 'sub'}: {blocker} "
                                                 "is a file, not a directory")
    assert blocker.read_text() == ""


def test_table_stats_and_link_never_print_terminal_control_characters(tmp_path: Path, tiny_st: Path) -> None:
    """A literal of a graph file holding ESC sequences ("\\x1b]0;pwned\\x07", "\\x1b[2J") went to the
    terminal as it is in kg query's table, kg stats and kg link: it could retitle the window or
    clear the screen. They are now written visibly as \\x1b; JSON and TSV keep the exact value."""
    g = _graph(tmp_path, '<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "evil\\u001B[2J\\u0007" .\n'
                         '<urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:t> .\n'
                         '<urn:a> <urn:n> "two\\nlines\\ttab" .\n')
    r = run("query", "SELECT ?o WHERE { <urn:a> ?p ?o }", "--graph", g)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "evil\\x1b[2J\\x07" in r.stdout and "two" in r.stdout and "lines" in r.stdout
    r = run("link", "evil\x1b[2J\x07", "\x1b]0;x\x07", "--graph", g, "--embedder", tiny_st)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "evil\\x1b[2J\\x07 -> urn:a" in r.stdout and "\\x1b]0;x\\x07 ->" in r.stdout
    r = run("query", "SELECT ?o WHERE { <urn:a> <http://www.w3.org/2000/01/rdf-schema#label> ?o }", "--graph", g,
            "--format", "json")
    assert '"evil\\u001b[2J\\u0007"' in r.stdout


def test_a_huge_result_in_the_table_shows_its_first_rows_and_says_so(tmp_path: Path, monkeypatch) -> None:
    """SELECT * over the news graph (116,054 rows) took 66 s and 700 MB to lay out as a rich table
    after the query itself was done in 5 s (the time limit does not cover printing). The table now
    shows its first TABLE_ROWS rows and says how to see them all."""
    from kgagent_cli import kg_cmd

    monkeypatch.setattr(kg_cmd, "TABLE_ROWS", 3)
    g = _graph(tmp_path, "".join(f"<urn:s{i}> <urn:p> {i} .\n" for i in range(5)), name="graph.ttl")
    r = run("query", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o", "--graph", g)
    assert r.exit_code == 0, r.output
    assert "urn:s2" in r.stdout and "urn:s3" not in r.stdout
    assert r.stdout.strip().splitlines()[-1] == ("5 row(s); the table shows the first 3: --format tsv or json "
                                                 "prints them all")
    r = run("query", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o", "--graph", g, "--format", "tsv")
    assert r.stdout.split() == ["s", *(f"urn:s{i}" for i in range(5))]
    r = run("query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "--graph", g)
    assert r.stdout.strip().splitlines()[-1] == "3 row(s)"


LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
MANY = " ".join(f"?s {LABEL} ?l ." for _ in range(100))  # 100 patterns: rdflib's parser recurses per pattern
DEEP = "(" * 40 + "1" + ")" * 40  # 40 brackets deep: so does it per bracket


def test_a_long_or_deeply_nested_query_runs(tiny: KnowledgeGraph, tiny_dir: Path, tmp_path: Path) -> None:
    """rdflib's SPARQL parser passed Python's recursion limit on 100 triple patterns or 30 nested
    brackets: a valid query was "KGA206 SPARQL syntax error: maximum recursion depth exceeded"."""
    one = tiny.query(f"SELECT ?s ?l WHERE {{ ?s {LABEL} ?l }} ORDER BY ?s ?l")
    assert tiny.query(f"SELECT ?x WHERE {{ BIND({DEEP} AS ?x) }}") == [{"x": 1}]
    q = tmp_path / "long.rq"
    q.write_text(f"SELECT (COUNT(*) AS ?n) WHERE {{ {MANY} }}")
    r = run("query", q, "--graph", tiny_dir, "--format", "tsv")
    assert r.exit_code == 0 and r.stdout.split() == ["n", str(len(one))], r.output


@pytest.mark.parametrize(("query", "code", "words"), [
    (f"INSERT {{ ?s ?p ?o }} WHERE {{ {MANY} }}", "KGA204", "SPARQL updates"),
    (f"PREFIX ex: <urn:ex:> DELETE WHERE {{ {MANY} }}", "KGA204", "SPARQL updates"),
    (f"SELECT * FROM <http://x.org/g> WHERE {{ {MANY} }}", "KGA204", "FROM / FROM NAMED is not allowed"),
    (f"SELECT * WHERE {{ SERVICE <http://x.org/sparql> {{ {MANY} }} }}", "KGA204", "SERVICE is not allowed"),
    (f"SELECT * WHERE {{ {MANY} FILTER( }}", "KGA206", "SPARQL syntax error"),
])
def test_a_long_query_is_still_read_only(tiny: KnowledgeGraph, query: str, code: str, words: str) -> None:
    with pytest.raises(GraphError) as err:
        tiny.query(query)
    assert err.value.code == code and words in err.value.message


def test_a_long_query_with_keywords_in_names_and_strings_is_no_update(tiny: KnowledgeGraph) -> None:
    q = (f"PREFIX service: <urn:s:> SELECT ?from WHERE {{ ?s {LABEL} ?l "
         f'OPTIONAL {{ ?s service:from "FROM SERVICE"@from }} # INSERT FROM SERVICE\n BIND({DEEP} AS ?from) }}')
    assert len(tiny.query(q)) == len(tiny.query(f"SELECT ?s ?l WHERE {{ ?s {LABEL} ?l }}"))


def test_a_long_query_on_the_rdflib_engine_says_to_use_oxigraph(tiny: KnowledgeGraph) -> None:
    with pytest.raises(GraphError, match="too long or too deeply nested for rdflib's SPARQL parser.*; run it with "
                                         "engine='oxigraph'"):
        tiny.query(f"SELECT ?x WHERE {{ BIND({DEEP} AS ?x) }}", engine="rdflib")


def test_ill_typed_literals_print_no_rdflib_traceback_outside_kg_commands(tmp_path: Path, caplog) -> None:
    """The kg group silenced rdflib's per-literal tracebacks for its own commands only: `kgagent
    facts --graph G` (and extract, validate --with) still printed them. The root command does it."""
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.NOTSET)  # as in a fresh process
    g = _graph(tmp_path, ODD_LITERALS + '<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "Acme" .\n')
    r = CliRunner().invoke(app, ["facts", "--head", "Acme", "--graph", str(g)])
    assert r.exit_code == 0, r.output
    assert "head 'Acme' -> Acme (urn:a" in r.output
    assert "Traceback" not in r.output and "Failed to convert" not in r.output, r.output
    assert not [rec for rec in caplog.records if rec.name.startswith("rdflib")]
