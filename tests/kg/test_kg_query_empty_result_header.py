"""Regression: `kg query -f tsv` of a query no row matches printed an empty line where the header
goes (the columns were read from the first row), so a pipe could not tell the columns of an empty
answer from a broken one; the table had no columns. The header now comes from the query itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app


@pytest.mark.parametrize(("query", "header"), [
    ('SELECT ?e ?name WHERE { ?e rdfs:label ?name FILTER(?name = "nowhere") }', "e\tname"),
    ('SELECT ?name (COUNT(*) AS ?n) WHERE { ?e rdfs:label ?name FILTER(?name = "nowhere") } GROUP BY ?name',
     "name\tn"),
    ("CONSTRUCT { ?e ont:x ?y } WHERE { ?e ont:nothing ?y }", "subject\tpredicate\tobject"),
    ("DESCRIBE <urn:nobody>", "subject\tpredicate\tobject"),
])
def test_no_row_still_has_its_header(tiny_dir: Path, query: str, header: str) -> None:
    r = CliRunner().invoke(app, ["kg", "query", query, "--graph", str(tiny_dir), "-f", "tsv"])
    assert r.exit_code == 0, r.output
    assert r.stdout == header + "\n"
    table = CliRunner().invoke(app, ["kg", "query", query, "--graph", str(tiny_dir)])
    assert all(c in table.stdout for c in header.split("\t")) and "0 row(s)" in table.stdout


def test_the_header_of_rows_is_the_header_of_no_row(tiny_dir: Path) -> None:
    """``SELECT *``: the columns in the order the rows give them, whether or not there are rows."""
    some = CliRunner().invoke(app, ["kg", "query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--graph", str(tiny_dir),
                                    "-f", "tsv"])
    none = CliRunner().invoke(app, ["kg", "query", "SELECT * WHERE { ?s ?p ?o FILTER(false) }", "--graph",
                                    str(tiny_dir), "-f", "tsv"])
    assert some.stdout.splitlines()[0] == none.stdout.strip() and sorted(none.stdout.split()) == ["o", "p", "s"]
