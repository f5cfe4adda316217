"""``kgagent rules run --out`` that is a file, or lies under one, found by fuzzing: it used to
end in a FileExistsError traceback after the whole evaluation. Now KGA510 (as extract's --out),
exit 2, before anything is evaluated or written."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "rules_engine"


def test_out_that_is_a_facts_file_is_kga510(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(FIX / "facts", facts)
    target = facts / "located_in.facts"
    before = target.read_bytes()
    r = CliRunner().invoke(app, ["rules", "run", str(FIX / "rules"), "--facts", str(facts), "--out", str(target)])
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == f"error: KGA510 --out {target} exists and is not a directory"
    assert target.read_bytes() == before


def test_out_under_a_file_is_kga510(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    out = tmp_path / "notes.txt" / "derived"
    r = CliRunner().invoke(app, ["rules", "run", str(FIX / "rules"), "--facts", str(FIX / "facts"), "--out", str(out)])
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert r.output.strip().splitlines()[-1] == (f"error: KGA510 cannot write to --out {out}: "
                                                 f"{tmp_path / 'notes.txt'} is a file, not a directory")
