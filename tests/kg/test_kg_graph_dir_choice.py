"""Which file of a graph directory is the graph: one, or an error naming them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app

NT = '<urn:a> <urn:p> <urn:b> .\n'


def test_a_directory_with_several_graph_files_is_kga201_naming_them(tmp_path: Path) -> None:
    """KnowledgeGraph.load(DIR) read the first of graph.nq.gz, graph.nq, ... it found and left the
    rest out without a word (`kg export DIR --format turtle` beside a graph.nq.gz, then `--graph
    DIR`, read the old graph)."""
    (tmp_path / "graph.nt").write_text(NT)
    assert len(KnowledgeGraph.load(tmp_path)) == 1
    (tmp_path / "graph.ttl").write_text("<urn:a> <urn:p> <urn:c> .\n")
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(tmp_path)
    assert err.value.code == "KGA201" and "holds several graph files (graph.ttl, graph.nt)" in err.value.message
    r = CliRunner().invoke(app, ["kg", "stats", "--graph", str(tmp_path)])
    assert r.exit_code != 0 and "KGA201" in r.output and "several graph files" in r.output
    assert KnowledgeGraph.load(tmp_path / "graph.nt").stats()["triples"] == 1  # the file itself: fine


@pytest.mark.parametrize("command", [["stats"], ["query", "ASK { ?s ?p ?o }"]])
def test_an_unknown_store_is_a_usage_error(command: list[str], tmp_path: Path) -> None:
    """--store foo exited 1 (as for a bad graph) instead of 2 (a bad option)."""
    (tmp_path / "graph.nt").write_text(NT)
    r = CliRunner().invoke(app, ["kg", *command, "--store", "foo", "--graph", str(tmp_path)])
    assert r.exit_code == 2 and "KGA202 unknown store 'foo'" in r.output, r.output
