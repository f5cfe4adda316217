"""`kgagent init --force` over an earlier init's folder: it left the earlier domain's leftovers
there, read with the new one (rule and case files, graph files, the old graph's index, a model
trained on the old labels). Now the folder reads as a fresh init's; what init did not write and
the new domain would read stops it, named (KGA650), and nothing is deleted that init did not make."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.domain import Domain
from kgagent.domain_init import init_domain
from kgagent.errors import DomainError
from kgagent_cli.main import app
from support.agent_fakes import REPO
from support.domain_fakes import chemicals_train

FIX = REPO / "tests" / "fixtures" / "domain"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _files(root: Path) -> dict[str, bytes]:
    """Each file under ``root`` (relative path -> content; a gzip file's content unpacked)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            out[p.relative_to(root).as_posix()] = gzip.decompress(data) if p.suffix == ".gz" else data
    return out


def test_init_force_over_an_earlier_init_reads_as_a_fresh_init(tmp_path) -> None:
    d, fresh = tmp_path / "drugs", tmp_path / "fresh" / "drugs"
    assert run("init", d, "--from-data", FIX / "drugs_train.json").exit_code == 0
    (d / "graph" / "index").mkdir()  # the old graph's entity index, as extract leaves it
    (d / "graph" / "index" / "meta.json").write_text("{}")
    (d / "graph" / ".graph.nq.gz.tmp-123").write_text("a killed writer's")
    (d / "README.md").write_text("my notes\n")  # neither written nor read by init: kept
    (d / ".git").mkdir()
    (d / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    chem = chemicals_train(tmp_path)
    r = run("init", d, "--from-data", chem, "--force")
    assert r.exit_code == 0, r.output
    assert ("over an earlier init: wrote again domain.toml, explain.toml, graph/.gitignore, graph/graph.nq.gz, "
            "labels.toml, ontology.toml, rules/tests/cases.yaml, rules/thresholds.rules; removed "
            "graph/.graph.nq.gz.tmp-123, graph/index/ (made from the old graph)") in r.output
    assert "kept as they were (init does not write or read them): .git/, README.md" in r.output
    assert run("init", fresh, "--from-data", chem).exit_code == 0
    got = _files(d)
    assert got.pop("README.md") == b"my notes\n" and got.pop(".git/HEAD") == b"ref: refs/heads/main\n"
    assert got == _files(fresh)
    assert set(Domain.load(d).ontology.classes) == {"chemical", "disease"}
    r = run("rules", "test", "--domain", d)
    assert r.exit_code == 0 and "0 failed" in r.output, r.output


def test_init_force_names_what_the_new_domain_would_read_and_writes_nothing(tmp_path) -> None:
    """An old rule file (in the old names), case file, graph file and model stayed beside the new
    domain's files: the rules kept being read, the model was trained on the old labels."""
    d = tmp_path / "drugs"
    assert run("init", d, "--from-data", FIX / "drugs_train.json").exit_code == 0
    (d / "rules" / "old.rules").write_text('reject(M, "an old rule") :- mention(M, drug, _).\n')
    (d / "rules" / "tests" / "old.yaml").write_text("cases: []\n")
    (d / "graph" / "extra.ttl").write_text("")
    (d / "model").mkdir()
    (d / "model" / "config.json").write_text('{"entity_labels": ["Drug"], "relation_labels": []}')
    before = _files(d)
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.strip() == (
        f"error: {d}: KGA650 --force writes over what init wrote, but the folder also holds what init did not write "
        "and the new domain would read: graph/extra.ttl, model/, rules/old.rules, rules/tests/old.yaml; move these "
        "out of the folder (or delete them) and run init again, or choose a new folder")
    assert _files(d) == before  # nothing read or written: the old domain as it was
    with pytest.raises(DomainError) as err:
        init_domain(d, FIX / "drugs_train.json", force=True)
    assert err.value.code == "KGA650" and err.value.location.path == str(d)


def test_init_force_never_writes_through_a_link(tmp_path) -> None:
    """ontology.toml linked to a file elsewhere was written over there."""
    d = tmp_path / "drugs"
    assert run("init", d, "--from-data", FIX / "drugs_train.json").exit_code == 0
    elsewhere = tmp_path / "shared_ontology.toml"
    elsewhere.write_text((d / "ontology.toml").read_text())
    (d / "ontology.toml").unlink()
    (d / "ontology.toml").symlink_to(elsewhere)
    (d / "rules" / "team.rules").symlink_to(tmp_path / "nowhere.rules")
    r = run("init", d, "--from-data", chemicals_train(tmp_path), "--force")
    assert r.exit_code == 2 and "KGA650" in r.output
    assert ("would read: ontology.toml (a symbolic link), rules/team.rules (a symbolic link); move these" in
            r.output)
    assert "chemical" not in elsewhere.read_text()


def test_init_force_into_an_empty_or_missing_folder_says_nothing_of_an_earlier_one(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    for d in (tmp_path / "empty", tmp_path / "new"):
        r = run("init", d, "--from-data", FIX / "drugs_train.json", "--force")
        assert r.exit_code == 0 and "earlier init" not in r.output and "kept" not in r.output, r.output
