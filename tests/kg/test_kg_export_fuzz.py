"""``kgagent kg export`` / ``KnowledgeGraph.load`` and ``save`` misused, found by fuzzing: each
case used to write a file that cannot be read back, change a value silently, or end in a
traceback; now one error line with its code."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


def _one_error(r, code: int = 1) -> str:
    assert isinstance(r.exception, SystemExit) and r.exit_code == code, r.output
    assert "Traceback" not in r.output
    return r.output.strip().splitlines()[-1]


@pytest.mark.parametrize(("char", "shown"), [("\\u0000", "U+0000"), ("\\u0001", "U+0001"), ("\\u001F", "U+001F")])
def test_export_to_rdf_xml_refuses_a_control_character(tmp_path: Path, char: str, shown: str) -> None:
    """A literal holding NUL or another control character was written into RDF/XML as it is:
    "wrote x.rdf", a file no XML parser reads back ("not well-formed")."""
    g = tmp_path / "graph.nt"
    g.write_text(f'<urn:a> <urn:b> "one{char}two" .\n', encoding="utf-8")
    out = tmp_path / "x.rdf"
    line = _one_error(run("export", out, "--graph", g))
    assert line.startswith(f"error: KGA202 {out}: format xml cannot hold the character {shown} of 'one")
    assert "(subject 'urn:a'); save as .nq, .ttl or .jsonld" in line
    assert not out.exists()
    r = run("export", tmp_path / "x.ttl", "--graph", g)  # Turtle holds it
    assert r.exit_code == 0, r.output
    assert KnowledgeGraph.load(tmp_path / "x.ttl").query("ASK { ?s ?p ?o }") is True


def test_rdf_xml_export_of_ordinary_text_still_works(tmp_path: Path) -> None:
    g = tmp_path / "graph.nt"
    g.write_text('<urn:a> <urn:b> "tab\\there\\nnewline é" .\n', encoding="utf-8")
    r = run("export", tmp_path / "x.rdf", "--graph", g)
    assert r.exit_code == 0, r.output
    back = KnowledgeGraph.load(tmp_path / "x.rdf")
    assert back.query("SELECT ?o WHERE { ?s ?p ?o }") == [{"o": "tab\there\nnewline é"}]


@pytest.mark.parametrize(("name", "text", "line"), [
    ("g.nt", '<urn:a> <urn:b> "ok" .\n<urn:a> <urn:b> "x\\uD800y" .\n', 2),
    ("g.ttl", '@prefix x: <urn:> .\nx:a x:b "x\\uDC00y" .\n', 2),
    ("g.jsonld", '{"@id": "urn:a", "urn:p": "fine \\ud83d\\ude00",\n "urn:q": "x\\ud800y"}\n', 2),
])
def test_a_lone_surrogate_escape_in_a_graph_file_is_malformed(tmp_path: Path, name: str, text: str,
                                                              line: int) -> None:
    """"\\uD800" (half of a UTF-16 pair) was read by rdflib into a string that is not text:
    exporting it to N-Triples was a UnicodeEncodeError traceback, to N-Quads it became "?"."""
    g = tmp_path / name
    g.write_text(text, encoding="utf-8")
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(g)
    assert err.value.code == "KGA201" and str(err.value.location) == f"{g}:{line}"
    assert "lone surrogate" in err.value.message
    out = _one_error(run("export", tmp_path / "out.nt", "--graph", g))
    assert out.startswith(f"error: {g}:{line}: KGA201 malformed ") and "is not text" in out
    assert not (tmp_path / "out.nt").exists()


def test_a_surrogate_pair_escape_is_text(tmp_path: Path) -> None:
    g = tmp_path / "g.jsonld"
    g.write_text('{"@id": "urn:a", "urn:p": "smile \\ud83d\\ude00"}\n', encoding="utf-8")
    assert KnowledgeGraph.load(g).query("SELECT ?o WHERE { ?s ?p ?o }") == [{"o": "smile \U0001F600"}]


def test_a_graph_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    """It said "not UTF-8 text (byte 0)": the offset, read as the byte's value."""
    g = tmp_path / "g.nq"
    g.write_bytes(b'<urn:a> <urn:b> "ok" .\n<urn:a> <urn:b> "caf\xe9" .\n')
    line = _one_error(run("stats", "--graph", g))
    assert line == f"error: {g}:2:21: KGA201 not UTF-8 text (byte 0xe9); save the file as UTF-8"


def test_a_malformed_line_is_quoted_without_its_control_characters(tmp_path: Path) -> None:
    """The malformed line was quoted as it is in the error: a raw ESC sequence on the terminal."""
    g = tmp_path / "g.nt"
    g.write_bytes(b'<urn:a> <urn:b> "x\x1b[2J" bad .\n')
    line = _one_error(run("stats", "--graph", g))
    assert "\x1b" not in line and line.endswith('<urn:a> <urn:b> "x\\x1b[2J" bad .'), line
    assert line.startswith(f"error: {g}:1: KGA201 malformed nt graph: ")


def test_export_format_that_contradicts_the_suffix_is_refused(tiny_dir: Path, tmp_path: Path) -> None:
    """kg export x.nq --format turtle wrote Turtle into x.nq: "wrote x.nq", a file kg stats then
    read as N-Quads ("malformed nquads graph" at line 1)."""
    out = tmp_path / "x.nq"
    line = _one_error(run("export", out, "--graph", tiny_dir, "--format", "turtle"))
    assert line == (f"error: KGA202 {out} is a nquads file by its name; format turtle would write turtle under that "
                    "name, which is read back as nquads: give the file a turtle suffix or leave the format out")
    assert not out.exists()
    for name, fmt in (("x.ttl.gz", "turtle"), ("x.nt", "ntriples"), ("x.dat", "nt")):
        r = run("export", tmp_path / name, "--graph", tiny_dir, "--format", fmt)
        assert r.exit_code == 0, r.output


def test_export_to_a_new_directory_with_a_format_names_the_file_after_it(tiny_dir: Path, tmp_path: Path) -> None:
    """kg export DIR --format turtle wrote Turtle into DIR/graph.nq.gz, which loading DIR read
    as N-Quads. The file is now DIR/graph.ttl; RDF/XML, which no graph directory file holds, is
    refused."""
    r = run("export", tmp_path / "new", "--graph", tiny_dir, "--format", "turtle")
    assert r.exit_code == 0, r.output
    assert [p.name for p in (tmp_path / "new").iterdir() if not p.name.startswith(".")] == ["graph.ttl"]
    assert len(KnowledgeGraph.load(tmp_path / "new")) == len(KnowledgeGraph.load(tiny_dir))
    line = _one_error(run("export", tmp_path / "other", "--graph", tiny_dir, "--format", "xml"))
    assert line.startswith("error: KGA202 a graph directory holds no xml file")


def test_an_empty_gz_graph_file_is_not_an_empty_graph(tmp_path: Path) -> None:
    """A graph.nq.gz cut to 0 bytes (a full disk, a copy stopped) was read as an empty graph:
    kg stats said 0 triples without a word. A gzip file is never empty: KGA201."""
    d = tmp_path / "graph"
    d.mkdir()
    (d / "graph.nq.gz").write_bytes(b"")
    line = _one_error(run("stats", "--graph", d))
    assert line == (f"error: {d / 'graph.nq.gz'}: KGA201 cannot read {d / 'graph.nq.gz'}: an empty file is no gzip "
                    "file (cut short?)")
