"""Regression: `kgagent extract DIR --engine ray` left a corpus folder's empty .txt files out
without a word in its summary.json (``empty_files: []``), while the local engine lists them
there (commit 6f1c50c). The Ray workers now pass the empty files they leave out back to the
driver, in reading order: both engines write the same ``empty_files`` and the command gives the
same warnings and the same "N empty files left out" line."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from typer.testing import CliRunner

from support.agent_fakes import RULES
from support.engine_fakes import fake_agent


def _folder(tmp_path: Path) -> Path:
    """a (text), b (empty), c (text), d (white space only): with one document a group, b comes
    between two groups and d after the last one."""
    d = tmp_path / "c"
    d.mkdir()
    (d / "a.txt").write_text("Richard Parsons works for Time Warner.\n")
    (d / "b.txt").write_bytes(b"")
    (d / "c.txt").write_text("Cor van der Klugt heads Philips.\n")
    (d / "d.txt").write_text("\n  \n")
    return d


def test_the_ray_engine_lists_and_warns_of_empty_files_as_the_local_engine(ray_cluster, graph_dir, tmp_path,
                                                                         monkeypatch) -> None:
    from kgagent import ray_engine
    from kgagent_cli.main import app

    d = _folder(tmp_path)
    empty = [str(d / "b.txt"), str(d / "d.txt")]
    kw = {"kg": str(graph_dir), "rules": str(RULES), "batch_size": 1}
    local = fake_agent(**kw).extract_to([str(d)], tmp_path / "local")
    assert local.empty_files == empty
    summary = ray_engine.run_ray_extraction(kw, [d], tmp_path / "ray", workers=1, agent_factory=fake_agent)
    assert summary.empty_files == empty and summary.documents == summary.processed == 2 and not summary.failed
    written = json.loads((tmp_path / "ray" / "summary.json").read_text())
    assert written["empty_files"] == json.loads((tmp_path / "local" / "summary.json").read_text())["empty_files"]
    assert (tmp_path / "ray" / "decisions.jsonl").read_bytes() == (tmp_path / "local" / "decisions.jsonl").read_bytes()

    # the command: the same warnings, each once, and the same line in the summary table
    monkeypatch.setattr(ray_engine, "run_ray_extraction",
                        functools.partial(ray_engine.run_ray_extraction, agent_factory=fake_agent))
    out = tmp_path / "cli"
    r = CliRunner().invoke(app, ["extract", str(d), "--engine", "ray", "--workers", "1", "--out", str(out),
                                 "--graph", str(graph_dir), "-q"])
    assert r.exit_code == 0, r.output
    assert [x for x in r.stderr.splitlines() if x.startswith("warning:")] == [
        f"warning: {f}: KGA403 empty file, left out (no text in it)" for f in empty]
    assert "2 empty files left out" in r.stdout
    assert json.loads((out / "summary.json").read_text())["empty_files"] == empty
