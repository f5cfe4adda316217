"""Graph files built to hurt, found by fuzzing: RDF/XML whose DTD makes an entity of entities
(600 bytes that expand to 100 MB: rdflib's parser ran for minutes), an RDF/XML literal of many
small pieces (quadratic in rdflib: seconds for a megabyte), and JSON-LD whose @context is a URL
(rdflib fetched it from the network)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app

RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex:"'


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


def _rdf(tmp_path: Path, doctype: str, body: str, name: str = "g.rdf") -> Path:
    f = tmp_path / name
    f.write_text(f'<?xml version="1.0"?>\n{doctype}\n<rdf:RDF {RDF}>\n'
                 f'<rdf:Description rdf:about="urn:a"><ex:p>{body}</ex:p></rdf:Description>\n</rdf:RDF>\n')
    return f


def test_an_rdf_xml_entity_expansion_bomb_is_refused_at_once(tmp_path: Path) -> None:
    levels = ['<!ENTITY a "aaaaaaaaaa">'] + [
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefg", "bcdefgh")]
    g = _rdf(tmp_path, "<!DOCTYPE rdf:RDF [" + "".join(levels) + "]>", "&h;")
    start = time.monotonic()
    r = run("stats", "--graph", g)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    assert r.output.strip().splitlines()[-1] == (
        f"error: {g}:2: KGA201 malformed xml graph: an entity declared with other entities in its value "
        "(an entity expansion bomb?) is not read")
    assert time.monotonic() - start < 10


def test_plain_entities_of_an_owl_file_are_read(tmp_path: Path) -> None:
    g = _rdf(tmp_path, '<!DOCTYPE rdf:RDF [\n <!ENTITY owl "http://www.w3.org/2002/07/owl#" >\n'
                       ' <!ENTITY amp2 "&#38;" >\n]>', "&owl;Thing &amp; &amp2;")
    assert KnowledgeGraph.load(g).query("SELECT ?o WHERE { ?s ?p ?o }") == [
        {"o": "http://www.w3.org/2002/07/owl#Thing & &"}]


def test_an_rdf_xml_literal_of_many_pieces_loads_in_linear_time(tmp_path: Path) -> None:
    g = _rdf(tmp_path, "", "x&amp;" * 400_000)  # 2.4 MB: about 15 s with rdflib's parser
    start = time.monotonic()
    kg = KnowledgeGraph.load(g)
    assert time.monotonic() - start < 5
    assert kg.query("SELECT (STRLEN(?o) AS ?n) WHERE { ?s ?p ?o }") == [{"n": 800_000}]


@pytest.mark.parametrize(("text", "url", "line"), [
    ('{"@context": "http://schema.org/", "@id": "urn:a", "name": "x"}', "http://schema.org/", 1),
    ('{"@context": {"@vocab": "urn:v/"},\n "@graph": [{"@id": "urn:a", "@context": ["https://x.org/c"]}]}',
     "https://x.org/c", 2),
    ('{"@context": {"@import": "https://x.org/i", "n": "urn:n"}, "@id": "urn:a", "n": "x"}', "https://x.org/i", 1),
])
def test_a_json_ld_context_given_as_a_url_is_never_fetched(tmp_path: Path, text: str, url: str, line: int) -> None:
    g = tmp_path / "g.jsonld"
    g.write_text(text)
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(g)
    assert err.value.code == "KGA201" and str(err.value.location) == f"{g}:{line}"
    assert err.value.message == (f"malformed json-ld graph: the @context {url!r} names a document to fetch, and "
                                 "kgagent never fetches one; put the context itself in the file")


def test_a_json_ld_context_in_the_file_is_read(tmp_path: Path) -> None:
    g = tmp_path / "g.jsonld"
    g.write_text('{"@context": {"name": "urn:name"}, "@id": "urn:a", "name": "x"}')
    assert KnowledgeGraph.load(g).query("SELECT ?p ?o WHERE { ?s ?p ?o }") == [{"p": "urn:name", "o": "x"}]


def test_a_literal_over_16_mib_is_refused_naming_its_line(tmp_path: Path) -> None:
    """Oxigraph's parser stops at 16 MiB a term; rdflib then took minutes over the line
    (quadratic: 25 s for 2 MB, a 50 MB literal ran past two minutes). Now KGA201 at once."""
    g = tmp_path / "g.nt"
    g.write_text('<urn:a> <urn:b> "ok" .\n<urn:a> <urn:c> "' + "x" * (17 * 2**20) + '" .\n')
    start = time.monotonic()
    r = run("stats", "--graph", g)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output[-300:]
    assert r.output.strip().splitlines()[-1] == (f"error: {g}:2: KGA201 malformed nt graph: a literal or IRI "
                                                 "longer than 16 MiB, the longest a graph file may hold")
    assert time.monotonic() - start < 20


def test_a_long_literal_under_the_limit_loads(tmp_path: Path) -> None:
    g = tmp_path / "g.nq"
    g.write_text('<urn:a> <urn:c> "' + "é" * 2_000_000 + '" <urn:g> .\n')
    assert KnowledgeGraph.load(g).query("SELECT (STRLEN(?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == [
        {"n": 2_000_000}]


@pytest.mark.parametrize(("name", "text", "line"), [
    ("g.nt", '<urn:a> <urn:c> "' + "x" * 1_500_000 + '" .\n<urn:a> <urn:b> "unterminated .\n', 2),
    ("g.ttl", '@prefix x: <urn:> .\nx:a x:b "' + "y" * 400_000 + '" .\nx:a x:b x:c x:d .\n', 3),
])
def test_a_malformed_file_with_a_long_line_is_told_at_once(tmp_path: Path, name: str, text: str, line: int) -> None:
    """A syntax error in a file with a 1.5 MB line took 29 s to report: rdflib parsed the file
    again to find the line, quadratic in the long line. Oxigraph's error (with its line) is now
    reported for such files."""
    g = tmp_path / name
    g.write_text(text)
    start = time.monotonic()
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(g)
    assert time.monotonic() - start < 5
    assert err.value.code == "KGA201" and str(err.value.location) == f"{g}:{line}"
    assert err.value.message.startswith(f"malformed {'nt' if name.endswith('nt') else 'turtle'} graph: Parser error")
