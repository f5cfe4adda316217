"""``kgagent kg import OUT`` where OUT holds reviewers' answers that cannot be applied, found by
fuzzing: a reviews.sqlite beside no decisions.jsonl, or a reviews.sqlite that is a folder, was
passed over without a word and every fact came in, those the reviewers rejected included. Now
KGA470 / KGA522 (exit 1) naming what is wrong and --ignore-reviews; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.kg import KnowledgeGraph
from kgagent.schema import Provenance
from kgagent_cli.main import app


def _out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    kg = KnowledgeGraph()
    kg.add_entity("Jean Dupont", ["person"], provenance=Provenance("d1", 0, 0, 4, 0.9))
    kg.save(out / "graph.nq")
    (out / ".kgagent.lock").unlink(missing_ok=True)
    return out


@pytest.mark.parametrize("case", ["no-decisions", "db-folder"])
@pytest.mark.parametrize("given", ["dir", "file"])
def test_reviews_that_cannot_be_applied_stop_the_import(tmp_path: Path, case: str, given: str) -> None:
    out = _out(tmp_path)
    if case == "no-decisions":
        (out / "reviews.sqlite").write_bytes(b"")
    else:
        (out / "decisions.jsonl").write_text("")
        (out / "reviews.sqlite").mkdir()
    target = tmp_path / "g"
    source = out if given == "dir" else out / "graph.nq"
    r = CliRunner().invoke(app, ["kg", "import", str(source), "--graph", str(target), "--no-align"])
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    line = r.output.strip().splitlines()[-1]
    if case == "no-decisions":
        assert line == (f"error: KGA470 {out} has reviewers' answers (reviews.sqlite) but no decisions.jsonl: the "
                        "facts they rejected cannot be found; restore it, or read the graph without its reviews "
                        "(kg import --ignore-reviews) to take every fact")
    else:
        assert line == (f"error: KGA522 {out / 'reviews.sqlite'} is not a review database (a folder): the reviewers' "
                        "rejections cannot be read; read the graph without its reviews (kg import --ignore-reviews) "
                        "to take every fact")
    assert not target.exists()
    r = CliRunner().invoke(app, ["kg", "import", str(source), "--graph", str(target), "--no-align",
                                 "--ignore-reviews"])
    assert r.exit_code == 0, r.output
    assert len(list(KnowledgeGraph.load(target).entities())) == 1


def test_an_output_without_reviews_imports_as_before(tmp_path: Path) -> None:
    out = _out(tmp_path)
    r = CliRunner().invoke(app, ["kg", "import", str(out), "--graph", str(tmp_path / "g"), "--no-align"])
    assert r.exit_code == 0, r.output


def test_the_library_merge_stops_before_the_graph_changes(tmp_path: Path) -> None:
    """validate --with and Agent.add_graphs merge through merge_graph_files, which passed such an
    output over without a word (only kg import checked it)."""
    from kgagent.errors import InputError
    from kgagent.graph_merge import merge_graph_files

    out = _out(tmp_path)
    (out / "reviews.sqlite").write_bytes(b"")
    kg = KnowledgeGraph()
    kg.add_entity("Anne Martin", ["person"], provenance=Provenance("d0", 0, 0, 4, 0.9))
    before = len(kg)
    with pytest.raises(InputError) as err:
        merge_graph_files(kg, [out / "graph.nq"], align=False)
    assert err.value.code == "KGA470" and len(kg) == before
    report = merge_graph_files(kg, [out / "graph.nq"], align=False, reviews=False)
    assert report.added > 0
