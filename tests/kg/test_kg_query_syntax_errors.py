"""Regression: a query rdflib's parser accepts but Oxigraph's (the default engine) refuses was
one error line of Unicode ranges ("expected one of "$", "(", ..., SELECT * is not authorized
with GROUP BY, TZ, ['0' ..= '9' | '\\u{00B7}' | ...") without the query file's name; and
``DESCRIBE * WHERE ...``, valid SPARQL that Oxigraph runs, was "KGA206 SPARQL error: 'NoneType'
object is not iterable" (rdflib cannot translate it). Now the reason, where, and the text there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent.kg.sparql import QuerySyntaxError
from kgagent_cli.main import app

GROUP_STAR = "SELECT * WHERE { ?x ?p ?y }\nGROUP BY ?x"


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


@pytest.mark.parametrize(("query", "line", "col", "words"), [
    (GROUP_STAR, 2, 12, "SELECT * is not authorized with GROUP BY (near 'GROUP BY ?x')"),
    ("SELECT (COUNT(*) AS ?n) ?x WHERE { ?x ?p ?y }", 1, 46, "The SELECT contains a variable that is unbound"),
    ("SELECT * WHERE { VALUES (?y ?z) { (1) } }", 1, 42, "expected UNDEF (near"),
    ("SELECT ?x WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }", 1, 48, "the query cannot go on here (near 'BIND(2 AS ?x) }')"),
])
def test_oxigraphs_syntax_error_says_why_and_where(tiny: KnowledgeGraph, query: str, line: int, col: int,
                                                   words: str) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        tiny.query(query)
    e = err.value
    assert isinstance(e, GraphError) and e.code == "KGA206" and (e.line, e.col) == (line, col)
    assert e.message.startswith(f"SPARQL syntax error at line {line}, column {col}: ") and words in e.message
    assert "\\u{" not in e.message and "['" not in e.message and "[_]" not in e.message and len(e.message) < 200


def test_describe_star_runs_on_oxigraph_and_rdflib_says_to_use_it(tiny: KnowledgeGraph) -> None:
    q = "DESCRIBE * WHERE { ?x a ont:organization }"
    assert tiny.query(q) == tiny.query("DESCRIBE ?x WHERE { ?x a ont:organization }") != []
    with pytest.raises(GraphError, match="of a form rdflib lacks \\(such as DESCRIBE \\*\\); run it with "
                                         "engine='oxigraph'"):
        tiny.query(q, engine="rdflib")


def test_a_query_files_syntax_error_names_the_file_line_and_column(tiny_dir: Path, tmp_path: Path) -> None:
    for text, where, words in [
        (GROUP_STAR + " LIMIT 3\n", "3:1", "SELECT * is not authorized with GROUP BY (at the end of the query)"),
        ("PREFIX x: <urn:>\nSELECT ?x WHERE {\n  ?x ?p ?y .\n  FILTER(?x = )\n}\n", "4:3", "Expected SelectQuery"),
    ]:
        q = tmp_path / "q.rq"
        q.write_text(text)
        r = run("query", q, "--graph", tiny_dir)
        assert r.exit_code == 1 and r.output.startswith(f"error: {q}:{where}: KGA206 SPARQL syntax error: {words}"), \
            r.output
        assert len(r.output.strip().splitlines()) == 1
    r = run("query", GROUP_STAR, "--graph", tiny_dir)  # typed in: the line and column in words
    assert r.exit_code == 1 and r.output.startswith("error: KGA206 SPARQL syntax error at line 2, column 12: SELECT *")
    r = run("query", "DESCRIBE * WHERE { ?x a ont:organization }", "--graph", tiny_dir, "-f", "tsv")
    assert r.exit_code == 0 and r.output.splitlines()[0] == "subject\tpredicate\tobject", r.output
    assert "https://w3id.org/kgagent/entity/acme\thttp://www.w3.org/2000/01/rdf-schema#label\tAcme Corporation" \
        in r.output.splitlines()


@pytest.mark.parametrize(("query", "words"), [
    (GROUP_STAR, "SELECT * is not authorized with GROUP BY"),  # rdflib: no row
    ("SELECT (COUNT(*) AS ?n) ?x WHERE { ?x ?p ?y }", "The SELECT contains a variable that is unbound"),  # any ?x
])
def test_the_rdflib_engine_refuses_what_sparql_forbids(tiny: KnowledgeGraph, query: str, words: str) -> None:
    """rdflib's parser took these and answered them wrongly (no row; one arbitrary ?x beside the
    count), silently: on the rdflib engine, or on a graph Oxigraph cannot hold, where kg query
    uses it. Both engines now refuse them alike."""
    for engine in ("rdflib", "oxigraph"):
        with pytest.raises(QuerySyntaxError, match=re.escape(words)):
            tiny.query(query, engine=engine)


def test_an_iri_rfc_3987_forbids_is_still_read_on_a_graph_that_holds_one(tmp_path: Path) -> None:
    """Oxigraph's parser refuses ``<urn:a[1]>``, which rdflib reads: such a graph is queried with
    rdflib, and a query naming that IRI still runs there."""
    g = tmp_path / "odd.ttl"
    g.write_text('<urn:a[1]> <urn:p> <urn:b> .\n<urn:b> <urn:p> "x" .\n')
    kg = KnowledgeGraph.load(g)
    assert kg.query("SELECT ?o WHERE { <urn:a[1]> <urn:p> ?o }") == [{"o": "urn:b"}]
    with pytest.raises(QuerySyntaxError, match="SELECT \\* is not authorized with GROUP BY"):
        kg.query(GROUP_STAR)
