"""Every `kgagent` command in README.md's shell blocks runs (Typer habit), with a fake encoder.

Run in a scratch directory holding copies of examples/ and rules/, in README order; the shell
lines between them (cp, sed) run too. Skipped: `kgagent train` and what needs its model (the
encoder's own tests cover training; it takes minutes).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from support.agent_fakes import REPO
from kgagent_cli.main import app

#: commands the README says fail on purpose, with their exit code
EXPECTED_EXIT = {"kgagent rules test my-rules/": 1}


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("make "):
                lines.append(line)
    return lines


def test_readme_has_the_tour() -> None:
    cmds = readme_commands()
    for word in ("kgagent extract", "kgagent explain", "kgagent rules test", "kgagent train", "kgagent kg query"):
        assert any(c.startswith(word) for c in cmds), word


def test_readme_commands_run(fake_cli, tmp_path, monkeypatch) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    ran = 0
    for cmd in readme_commands():
        if not cmd.startswith("kgagent "):
            subprocess.run(cmd, shell=True, check=True, cwd=tmp_path)
            continue
        if cmd.startswith("kgagent train") or "model-2" in cmd:
            continue
        args = shlex.split(cmd)[1:]
        if args[:2] == ["feedback", "export-reviews"]:
            _answer_one(tmp_path / "out")  # the README's reviewer answered on the page before this
        result = CliRunner().invoke(app, args)
        want = EXPECTED_EXIT.get(cmd, 0)
        assert result.exit_code == want, f"{cmd}\n{result.output}"
        assert "Traceback" not in result.output
        ran += 1
    assert ran >= 8
    assert (tmp_path / "out" / "decisions.jsonl").stat().st_size > 0
    assert (tmp_path / "out-strict" / "decisions.jsonl").read_bytes() != (tmp_path / "out" / "decisions.jsonl").read_bytes()


def _answer_one(out) -> None:
    """A reviewer's answer to the first decision of ``out``, as `kgagent review` stores it."""
    from kgagent.review.items import ReviewSet
    from kgagent.review.store import DB_NAME, ReviewStore

    rs = ReviewSet.load(out)
    first = rs.decisions[0]
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        store.add(first["id"], "ana", "accept", verdict=first["verdict"])
