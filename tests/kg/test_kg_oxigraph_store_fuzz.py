"""``--store oxigraph`` (``KnowledgeGraph.load(store="oxigraph")``) beside an ``oxigraph`` path that
is no store, found by fuzzing: an empty folder gave an empty graph without a word (kg stats: 0
triples), a file named oxigraph a NotADirectoryError traceback, a corrupt store a RuntimeError
traceback, and a store another graph file of the directory built was called "another version"
of this one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


def _error(r) -> str:
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    return r.output.strip().splitlines()[-1]


def test_an_empty_oxigraph_folder_is_built_into_not_read_as_an_empty_graph(tiny_dir: Path) -> None:
    (tiny_dir / "oxigraph").mkdir()
    r = run("stats", "--graph", tiny_dir, "--store", "oxigraph", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["triples"] == len(KnowledgeGraph.load(tiny_dir))


def test_a_file_named_oxigraph_is_kga203(tiny_dir: Path) -> None:
    (tiny_dir / "oxigraph").write_text("mine")
    line = _error(run("stats", "--graph", tiny_dir, "--store", "oxigraph"))
    assert line == (f"error: KGA203 cannot open Oxigraph store {tiny_dir / 'oxigraph'}: it is a file, not a store "
                    "directory (move it away to build the store there)")
    assert (tiny_dir / "oxigraph").read_text() == "mine"


def test_a_folder_that_holds_no_store_is_kga203_and_left_alone(tiny_dir: Path) -> None:
    (tiny_dir / "oxigraph").mkdir()
    (tiny_dir / "oxigraph" / "notes.txt").write_text("mine")
    with pytest.raises(GraphError, match="holds no Oxigraph store") as err:
        KnowledgeGraph.load(tiny_dir, store="oxigraph")
    assert err.value.code == "KGA203"
    assert (tiny_dir / "oxigraph" / "notes.txt").read_text() == "mine"


def test_a_corrupt_store_is_kga203_saying_how_to_rebuild(tiny_dir: Path) -> None:
    KnowledgeGraph.load(tiny_dir, store="oxigraph").close()
    (tiny_dir / "oxigraph" / "CURRENT").write_text("junk")
    line = _error(run("query", "ASK { ?s ?p ?o }", "--graph", tiny_dir, "--store", "oxigraph"))
    assert line.startswith(f"error: KGA203 cannot open Oxigraph store {tiny_dir / 'oxigraph'}: ")
    assert line.endswith(f"remove {tiny_dir / 'oxigraph'} to rebuild it from the graph file")
    shutil.rmtree(tiny_dir / "oxigraph")
    r = run("query", "ASK { ?s ?p ?o }", "--graph", tiny_dir, "--store", "oxigraph")
    assert r.exit_code == 0 and r.stdout.strip() == "yes", r.output


def test_a_store_built_from_another_file_of_the_directory_names_that_file(tiny_dir: Path) -> None:
    other = tiny_dir / "other.nt"
    other.write_text("<urn:a> <urn:b> <urn:c> .\n")
    KnowledgeGraph.load(tiny_dir / "graph.ttl", store="oxigraph").close()
    line = _error(run("stats", "--graph", other, "--store", "oxigraph"))
    assert line == (f"error: KGA210 the Oxigraph store {tiny_dir / 'oxigraph'} was built from graph.ttl, not "
                    f"other.nt (one store per directory); remove {tiny_dir / 'oxigraph'} to rebuild it from other.nt")
