"""`kgagent init DIR --from-data F --force` over an earlier init's folder:

- when the folder held both files init did not write (KGA650) and init's own files changed since
  (KGA651), the two were reported in two runs, each only after the data file had been read (slow
  on a large one). Now one refusal names both, before the data is read.
- it removed the graph's index and Oxigraph store without the graph's writer lock
  (.kgagent.lock), under a concurrent `kgagent extract` saving that graph. Now it holds the lock
  from the removal to the new graph's file, and refuses a folder another run holds (KGA652).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kgagent.domain_init as domain_init
from kgagent.domain_init import init_domain
from kgagent.errors import DomainError, GraphError
from kgagent.kg import KnowledgeGraph
from kgagent.kg.fileio import DirectoryLock
from kgagent_cli.main import app
from support.agent_fakes import REPO
from support.domain_fakes import chemicals_train

DRUGS = REPO / "tests" / "fixtures" / "domain" / "drugs_train.json"
GRAPH = "graph/graph.nq.gz"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _earlier(tmp_path: Path) -> Path:
    d = tmp_path / "drugs"
    assert run("init", d, "--from-data", DRUGS).exit_code == 0
    return d


def _unreadable_data(tmp_path: Path) -> Path:
    """A data file that cannot be read: a refusal that names it was made after reading it."""
    bad = tmp_path / "big_train.json"
    bad.write_text('[{"tokens": ["never", "read"')
    return bad


def test_foreign_and_changed_files_are_named_in_one_run_before_the_data_is_read(tmp_path) -> None:
    d = _earlier(tmp_path)
    (d / "rules" / "old.rules").write_text('reject(M, "old") :- mention(M, drug, _).\n')  # KGA650
    (d / "model").mkdir()
    (d / "model" / "config.json").write_text("{}")
    kg = KnowledgeGraph.load(d / "graph")  # KGA651: the graph filled since
    kg.add_entity("Aspirin", ["drug"])
    kg.save()
    kg.close()
    with open(d / "ontology.toml", "a", encoding="utf-8") as fh:  # KGA651: an expert's edit
        fh.write("# reviewed\n")
    before = _bytes(d)
    r = run("init", d, "--from-data", _unreadable_data(tmp_path), "--force")
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert r.output.strip() == (
        f"error: {d}: KGA650 --force writes over what init wrote, but the folder also holds what init did not write "
        f"and the new domain would read: model/, rules/old.rules; and init's own files changed since it wrote them "
        f"(KGA651): {GRAPH}, ontology.toml; nothing was written: move these out of the folder (or delete them) and "
        "run init again, or choose a new folder")
    assert _bytes(d) == before
    with pytest.raises(DomainError) as err:  # the library, the same: before the data
        init_domain(d, tmp_path / "no_such_train.json", force=True)
    assert err.value.code == "KGA650" and "model/, rules/old.rules" in err.value.message
    assert f"(KGA651): {GRAPH}, ontology.toml;" in err.value.message


@pytest.mark.parametrize("what", ["changed", "foreign"])
def test_one_kind_alone_is_refused_before_the_data_is_read(tmp_path, what) -> None:
    d = _earlier(tmp_path)
    if what == "changed":  # a label map the expert edited: decided by init's record, not the data
        with open(d / "labels.toml", "a", encoding="utf-8") as fh:
            fh.write("# reviewed\n")
    else:
        (d / "graph" / "extra.ttl").write_text("")
    r = run("init", d, "--from-data", _unreadable_data(tmp_path), "--force")
    code = "KGA651" if what == "changed" else "KGA650"
    assert r.exit_code == 2 and f"{d}: {code} --force writes" in r.output, r.output
    assert ("changed since: labels.toml; nothing was written" if what == "changed" else
            "would read: graph/extra.ttl; move these") in r.output


def test_a_folder_without_init_s_record_is_refused_once_with_every_file(tmp_path) -> None:
    """Without the record, what the data makes decides: the refusal waits for the data rather than
    naming a part of the files first, and the rest in a second run."""
    d = _earlier(tmp_path)
    (d / ".kgagent-init.json").unlink()
    (d / "rules" / "old.rules").write_text("")
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 2, r.output
    assert ("would read: rules/old.rules; and init's own files changed since it wrote them (KGA651) (the folder "
            "holds no .kgagent-init.json") in r.output
    assert r.output.rstrip().split("what this init writes): ")[1].startswith(
        "domain.toml, labels.toml, ontology.toml, rules/tests/cases.yaml; nothing was written"), r.output


def test_init_force_refuses_a_graph_another_run_holds(tmp_path) -> None:
    d = _earlier(tmp_path)
    (d / "graph" / "index").mkdir()
    (d / "graph" / "index" / "meta.json").write_text("{}")
    before = _bytes(d)
    with DirectoryLock(d / "graph"):  # a `kgagent extract` saving this graph
        r = run("init", d, "--from-data", _unreadable_data(tmp_path), "--force")
        assert r.exit_code == 2 and "Traceback" not in r.output, r.output
        assert r.output.startswith(f"error: {d / 'graph'}: KGA652 the graph folder {d / 'graph'} is in use by "
                                   "another kgagent run (pid "), r.output
        assert "nothing was written: wait for the run to end" in r.output
        with pytest.raises(DomainError) as err:
            init_domain(d, chemicals_train(tmp_path), force=True)
        assert err.value.code == "KGA652"
    after = _bytes(d)
    after.pop("graph/.kgagent.lock"), before.pop("graph/.kgagent.lock")  # the holder's note, written and cleared
    assert after == before  # the index and everything else as they were
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 0 and "graph/index/" in r.output, r.output


def test_init_force_holds_the_graph_lock_while_it_removes_and_writes(tmp_path, monkeypatch) -> None:
    d = _earlier(tmp_path)
    (d / "graph" / "oxigraph").mkdir()
    seen = []

    def tries_the_lock(where: str):
        try:
            DirectoryLock(d / "graph").acquire().release()
            seen.append((where, "free"))
        except GraphError as err:
            seen.append((where, err.code))

    clear, write = domain_init._clear_earlier_init, domain_init._write_domain

    def clear_spy(*a, **k):
        tries_the_lock("remove")
        return clear(*a, **k)

    def write_spy(report, root, texts, onto, kg):
        out = write(report, root, texts, onto, kg)
        tries_the_lock("written")
        return out

    monkeypatch.setattr(domain_init, "_clear_earlier_init", clear_spy)
    monkeypatch.setattr(domain_init, "_write_domain", write_spy)
    report = init_domain(d, chemicals_train(tmp_path), force=True)
    assert seen == [("remove", "KGA203"), ("written", "KGA203")]
    assert report.removed == ["graph/oxigraph/"] and not (d / "graph" / "oxigraph").exists()
    DirectoryLock(d / "graph").acquire().release()  # released when init is done
    assert b"chemical" in gzip.decompress((d / GRAPH).read_bytes())
