"""A graph directory with several graph files: a save it would not read back is refused, and
the files a save leaves unread are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent.kg.fileio import graph_files_around
from kgagent_cli.main import app

OLD = '<urn:a> <urn:p> <urn:old> .\n'
NEW = '<urn:a> <urn:p> <urn:new> .\n'


def _graph(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if name.endswith(".gz"):
        import gzip

        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_export_as_turtle_beside_a_graph_read_first_is_kga212(tmp_path: Path) -> None:
    """`kg export DIR --format turtle` beside DIR/graph.nq.gz wrote DIR/graph.ttl, which `--graph
    DIR` never read: the next command read the old graph without a word."""
    src = _graph(tmp_path / "src", "graph.nt", NEW)
    out = tmp_path / "out"
    _graph(out, "graph.nq.gz", OLD)
    r = CliRunner().invoke(app, ["kg", "export", str(out), "--format", "turtle", "--graph", str(src)])
    assert r.exit_code == 1, r.output
    assert f"KGA212 {out} holds graph.nq.gz, which a graph directory reads before graph.ttl" in r.output
    assert not (out / "graph.ttl").exists()
    # the file name says what is meant: written as asked
    r = CliRunner().invoke(app, ["kg", "export", str(out / "graph.ttl"), "--graph", str(src)])
    assert r.exit_code == 0, r.output
    assert {str(o) for o in KnowledgeGraph.load(out / "graph.ttl").dataset.objects()} == {"urn:new"}


def test_save_into_a_directory_refuses_a_file_it_would_not_read(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load(_graph(tmp_path / "src", "graph.nt", NEW))
    _graph(tmp_path / "d", "graph.nq", OLD)
    with pytest.raises(GraphError) as err:
        kg.save(tmp_path / "d", format="nt")
    assert err.value.code == "KGA212" and "holds graph.nq" in err.value.message
    # a file read after the one written is no obstacle: the directory reads the new one
    written = kg.save(tmp_path / "d")
    assert written.name == "graph.nq.gz"
    assert {str(o) for o in KnowledgeGraph.load(tmp_path / "d").dataset.objects()} == {"urn:new"}


def test_graph_files_around_orders_as_a_directory_reads(tmp_path: Path) -> None:
    d = tmp_path / "d"
    for name in ("graph.nq.gz", "graph.ttl", "graph.nt"):
        _graph(d, name, OLD)
    assert graph_files_around(d / "graph.ttl") == ([d / "graph.nq.gz"], [d / "graph.nt"])
    assert graph_files_around(d / "graph.nq.gz") == ([], [d / "graph.ttl", d / "graph.nt"])
    assert graph_files_around(d / "mine.ttl") == ([], [])


def test_import_into_a_turtle_directory_names_the_file_it_leaves_unread(tmp_path: Path) -> None:
    """`kg import X --graph DIR` into a DIR loaded from graph.ttl writes graph.nq.gz beside it (Turtle
    holds no provenance); the Turtle file stayed without a word, and a later look at DIR found two
    graphs."""
    d = tmp_path / "d"
    _graph(d, "graph.ttl", OLD)
    add = _graph(tmp_path / "add", "graph.nt", NEW)
    r = CliRunner().invoke(app, ["kg", "import", str(add), "--graph", str(d), "--no-align"])
    assert r.exit_code == 0, r.output
    assert f"note: {d / 'graph.ttl'} stays as it was but is no longer read: {d} reads graph.nq.gz first" in r.output
    assert (d / "graph.ttl").read_text() == OLD
    objects = {str(o) for o in KnowledgeGraph.load(d).dataset.objects()}
    assert objects == {"urn:old", "urn:new"}
    # removed, nothing is left unread: no note
    (d / "graph.ttl").unlink()
    r = CliRunner().invoke(app, ["kg", "import", str(add), "--graph", str(d), "--no-align"])
    assert r.exit_code == 0 and "note:" not in r.output, r.output
