"""``kgagent kg query`` / ``kg export`` on bad input, found by fuzzing: a query file that is not
UTF-8 used to end in a UnicodeDecodeError traceback, an empty query was called a forbidden SPARQL
update (KGA204), and an export path under a file (``tiny.ttl/x.nq``) ended in FileExistsError.
Now: KGA206 naming the file, line and column; KGA206 "the query is empty"; KGA510, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import StorageError
from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app


def run(*args, stdin=None):
    return CliRunner().invoke(app, ["kg", *map(str, args)], input=stdin)


def _one_error(r, code: int = 1) -> str:
    assert isinstance(r.exception, SystemExit) and r.exit_code == code, r.output
    assert "Traceback" not in r.output
    return r.output.strip().splitlines()[-1]


def test_a_query_file_that_is_not_utf8_is_named_with_line_and_column(tiny_dir: Path, tmp_path: Path) -> None:
    q = tmp_path / "junk.rq"
    q.write_bytes(b"SELECT ?s WHERE {\n  ?s ?p \xff\xfe }\n")
    line = _one_error(run("query", q, "--graph", tiny_dir))
    assert line == f"error: {q}:2:9: KGA206 the query is not UTF-8 text: byte 0xff"


def test_a_query_on_stdin_that_is_not_utf8(tiny_dir: Path) -> None:
    line = _one_error(run("query", "-", "--graph", tiny_dir, stdin=b"\xc5\x00binary"))
    assert line.startswith("error: <stdin>:1:1: KGA206 the query is not UTF-8 text")


@pytest.mark.parametrize("how", ["argument", "stdin", "file", "comments"])
def test_an_empty_query_is_called_empty_not_an_update(tiny_dir: Path, tmp_path: Path, how: str) -> None:
    q = tmp_path / "q.rq"
    q.write_text("# nothing yet\n\n" if how == "comments" else "")
    args = {"argument": ("",), "stdin": ("-",), "file": (q,), "comments": (q,)}[how]
    line = _one_error(run("query", *args, "--graph", tiny_dir, stdin=""))
    assert "KGA206 the query is empty" in line and "KGA204" not in line and "update" not in line, line
    if how in ("file", "comments"):
        assert line.startswith(f"error: {q}: ")


def test_an_update_is_still_refused(tiny_dir: Path) -> None:
    line = _one_error(run("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "--graph", tiny_dir))
    assert "KGA204 SPARQL updates" in line


@pytest.mark.parametrize("under", ["x.nq", "a/b/x.trig", "dir"])
def test_export_under_a_file_is_kga510(tiny_dir: Path, under: str) -> None:
    graph = tiny_dir / "graph.ttl"
    before = graph.read_bytes()
    line = _one_error(run("export", graph / under, "--graph", graph), code=2)
    assert line == f"error: KGA510 cannot write {graph / under}: {graph} is a file, not a directory", line
    assert graph.read_bytes() == before


def test_saving_a_graph_under_a_file_is_a_storage_error(tiny_dir: Path) -> None:
    graph = tiny_dir / "graph.ttl"
    kg = KnowledgeGraph.load(graph)
    with pytest.raises(StorageError, match=f"KGA510 cannot write {graph}/x.nq: {graph} is a file"):
        kg.save(graph / "x.nq")


@pytest.mark.parametrize("mentions", [[""], ["Boston", "  "]])
def test_an_empty_mention_to_link_is_a_usage_error(tiny_dir: Path, mentions: list[str]) -> None:
    """`kg link "$NAME"` with NAME unset answered "NIL (new entity)", as if a name had been looked
    up and not found; it is said, before the graph loads."""
    line = _one_error(run("link", *mentions, "--graph", tiny_dir / "nowhere"), code=2)
    assert line == f"error: KGA478 mention {len(mentions)} of {len(mentions)} is empty: give the text to link"
