"""`kgagent init --force` wrote its files again over what the user changed since init wrote
them: the graph after `kg import` filled it (the entities lost), a hand-edited ontology, label map
or thresholds file (an expert's work). Now init records what it wrote (.kgagent-init.json) and
--force writes again only what is as init wrote it (or what it would write now); anything else is
refused, named, before anything is written (KGA651)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.domain import Domain
from kgagent.domain_init import MANIFEST, init_domain
from kgagent.errors import DomainError
from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app
from support.agent_fakes import REPO
from support.domain_fakes import chemicals_train

FIX = REPO / "tests" / "fixtures" / "domain"
DRUGS = FIX / "drugs_train.json"
GRAPH = "graph/graph.nq.gz"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _bytes(root: Path) -> dict[str, bytes]:
    """Each file under ``root``: relative path -> its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _init(d: Path, data: Path = DRUGS) -> None:
    r = run("init", d, "--from-data", data)
    assert r.exit_code == 0, r.output


def _fill_graph(d: Path) -> None:
    """What `kgagent kg import ... --graph DIR/graph` does: entities added, the file saved."""
    kg = KnowledgeGraph.load(d / "graph")
    kg.add_entity("Aspirin", ["drug"], aliases=["acetylsalicylic acid"])
    kg.save()
    kg.close()


def test_init_records_what_it_wrote_and_the_domain_reads_past_it(tmp_path) -> None:
    d = tmp_path / "drugs"
    report = init_domain(d, DRUGS)
    assert report.files[-1] == str(d / MANIFEST)  # written last
    record = json.loads((d / MANIFEST).read_text())
    assert record["written_by"] == "kgagent init" and record["kgagent"]
    assert sorted(record["files"]) == sorted(["domain.toml", "ontology.toml", "labels.toml", "explain.toml",
                                             "rules/thresholds.rules", "rules/tests/cases.yaml", GRAPH,
                                             "graph/.gitignore"])
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "is sound" in r.output and "warning" not in r.output.lower(), r.output
    assert MANIFEST not in (d / "graph" / ".gitignore").read_text()
    assert set(Domain.load(d).ontology.classes) == {"drug", "adverse_effect"}


def test_init_force_keeps_a_graph_filled_since(tmp_path) -> None:
    d = tmp_path / "drugs"
    _init(d)
    _fill_graph(d)
    before = _bytes(d)
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert r.output.strip() == (
        f"error: {d}: KGA651 --force writes init's files again only as init wrote them, but these were changed "
        f"since: {GRAPH}; nothing was written: move them out of the folder (or delete them) and run init again, or "
        "choose a new folder")
    assert _bytes(d) == before  # the graph's entity, and everything else, as it was
    with pytest.raises(DomainError) as err:  # the same data again: the graph still holds more than init's
        init_domain(d, DRUGS, force=True)
    assert err.value.code == "KGA651" and GRAPH in err.value.message and err.value.location.path == str(d)
    assert _bytes(d) == before
    kg = KnowledgeGraph.load(d / "graph")
    assert any(kg.entity(e).label == "Aspirin" for e in kg.entities())
    kg.close()


@pytest.mark.parametrize("rel", ["ontology.toml", "labels.toml", "rules/thresholds.rules"])
def test_init_force_keeps_an_edited_file(tmp_path, rel) -> None:
    d = tmp_path / "drugs"
    _init(d)
    with open(d / rel, "a", encoding="utf-8") as fh:
        fh.write("# reviewed by the expert\n")
    before = _bytes(d)
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 2 and "KGA651" in r.output, r.output
    assert f"changed since: {rel}; nothing was written" in r.output  # only it: the graph is as init wrote it
    assert _bytes(d) == before


def test_init_force_over_an_untouched_init_reads_as_a_fresh_init(tmp_path) -> None:
    d, fresh = tmp_path / "drugs", tmp_path / "fresh" / "drugs"
    _init(d)
    kg = KnowledgeGraph.load(d / "graph")  # used, not changed: the lock stays, the file is as it was
    kg.close()
    chem = chemicals_train(tmp_path)
    r = run("init", d, "--from-data", chem, "--force")
    assert r.exit_code == 0, r.output
    _init(fresh, chem)
    got, want = _bytes(d), _bytes(fresh)
    got.pop("graph/.kgagent.lock", None)
    want.pop("graph/.kgagent.lock", None)
    assert got == want and MANIFEST in got  # the record is the new init's
    # and again: the record it left lets the next --force through
    assert run("init", d, "--from-data", DRUGS, "--force").exit_code == 0


def test_init_force_takes_a_graph_saved_again_unchanged(tmp_path) -> None:
    """Other bytes (compressed anew), the same triples: nothing to lose."""
    d = tmp_path / "drugs"
    _init(d)
    path = d / GRAPH
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()), compresslevel=1))
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 0, r.output


def test_init_force_with_an_unreadable_record_counts_what_differs_as_changed(tmp_path) -> None:
    d = tmp_path / "drugs"
    _init(d)
    (d / MANIFEST).write_text("{not json")
    before = _bytes(d)
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 2 and "KGA651" in r.output, r.output
    assert f"init's record of what it wrote, {MANIFEST}, is unreadable" in r.output
    shown = r.output.split("changed since (", 1)[1].split("; nothing was written")[0]
    # what the chemicals init writes otherwise; not the graph, which holds only the folder's ontology
    assert shown.endswith("): domain.toml, labels.toml, ontology.toml, rules/tests/cases.yaml"), shown
    assert _bytes(d) == before
    r = run("init", d, "--from-data", DRUGS, "--force")  # what it would write now: nothing to lose
    assert r.exit_code == 0, r.output
    assert json.loads((d / MANIFEST).read_text())["written_by"] == "kgagent init"


def test_init_force_without_a_record_takes_untouched_files_and_keeps_a_filled_graph(tmp_path) -> None:
    """A folder an older kgagent wrote: no record."""
    d, fresh = tmp_path / "drugs", tmp_path / "fresh" / "drugs"
    _init(d)
    (d / MANIFEST).unlink()
    r = run("init", d, "--from-data", DRUGS, "--force")
    assert r.exit_code == 0, r.output
    _init(fresh)
    assert _bytes(d) == _bytes(fresh)
    (d / MANIFEST).unlink()
    _fill_graph(d)
    before = _bytes(d)
    r = run("init", d, "--from-data", DRUGS, "--force")
    assert r.exit_code == 2, r.output
    assert (f"changed since (the folder holds no {MANIFEST}, init's record of what it wrote (an older kgagent's "
            f"folder or one made otherwise), so a file of init's counts as changed unless it holds what this init "
            f"writes): {GRAPH}; nothing was written") in r.output
    assert _bytes(d) == before
