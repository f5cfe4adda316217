"""Regression: `kgagent kg export -` made a folder called "-" and wrote "-/graph.nq.gz" in it
("wrote -/graph.nq.gz"), where - means standard output everywhere else (kg query -, validate -,
validate --out -). It now writes the graph to standard output: N-Quads, or --format."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app

NQ = ('<urn:a> <urn:p> "x"@en .\n'
      '<urn:a> <urn:p> <urn:b> <https://w3id.org/kgagent/doc/d1> .\n')


def run(*args, cwd: Path):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, ["kg", *map(str, args)])
    finally:
        os.chdir(old)


def test_export_dash_writes_the_graph_to_stdout(tiny_dir: Path, tmp_path: Path) -> None:
    r = run("export", "-", "--graph", tiny_dir, cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "-").exists()
    back = tmp_path / "back.nq"
    back.write_text(r.stdout)
    assert len(KnowledgeGraph.load(back)) == len(KnowledgeGraph.load(tiny_dir)) > 0
    ttl = run("export", "-", "--graph", tiny_dir, "--format", "turtle", cwd=tmp_path)
    assert ttl.exit_code == 0 and "@prefix" in ttl.stdout


def test_export_dash_keeps_the_provenance_or_says_why_not(tmp_path: Path) -> None:
    g = tmp_path / "g.nq"
    g.write_text(NQ)
    r = run("export", "-", "--graph", g, cwd=tmp_path)
    assert r.exit_code == 0 and "<https://w3id.org/kgagent/doc/d1>" in r.stdout
    r = run("export", "-", "--graph", g, "--format", "nt", cwd=tmp_path)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.output.strip() == ("error: KGA202 format nt cannot hold the 1 per-document provenance graphs; "
                                "write nquads, trig or json-ld")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.nq"]


def test_the_help_example_runs(tmp_path: Path) -> None:
    """`kgagent kg export - --format nt | grep Boston`, as the help shows it, on the shipped graph."""
    r = run("export", "-", "--format", "nt", cwd=tmp_path)
    assert r.exit_code == 0, r.output[-500:]
    assert any(line.split(" ", 1)[1].rstrip(" .") == '<http://www.w3.org/2000/01/rdf-schema#label> "Boston"'
               for line in r.stdout.splitlines() if "Boston" in line)


def test_write_takes_a_binary_stream(tiny: KnowledgeGraph) -> None:
    """KnowledgeGraph.write(sys.stdout) was a TypeError from inside rdflib's serializer."""
    import io

    import pytest

    from kgagent.errors import GraphError

    for wrong, words in ((io.StringIO(), "not a text stream"), (None, "not NoneType")):
        with pytest.raises(GraphError, match=words) as err:
            tiny.write(wrong)
        assert err.value.code == "KGA211" and "binary stream (sys.stdout.buffer" in err.value.message
    buf = io.BytesIO()
    tiny.write(buf, format="nt")
    assert buf.getvalue().count(b"\n") == len(tiny)
