"""``kgagent rules check``: output (location, source line, caret, summary) and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app

ROOT = Path(__file__).resolve().parent.parent.parent
FIX = ROOT / "tests" / "fixtures" / "rules"


def invoke(*args):
    return CliRunner().invoke(app, ["rules", "check", *map(str, args)])


def test_clean_directory_exits_0():
    res = invoke(FIX / "clean")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "no problems in 2 files"


def test_errors_exit_1_with_every_diagnostic_source_line_and_caret():
    res = invoke(FIX / "errors")
    assert res.exit_code == 1
    out = res.output
    a, b = FIX / "errors" / "a.rules", FIX / "errors" / "b.rules"
    assert f"{a}:3:25: KGA101 expected ',' or '.' after the atom 'edge(X, Y)', found 'path' on line 4" in out
    assert f"{a}:5:26: KGA101" in out and f"{a}:6:11: KGA102 variable W in the head is not bound" in out
    assert f"{b}:2:23: KGA103 negation cycle win -> win: win needs not win ({b}:2)" in out
    assert f"{b}:4:1: KGA104 'move' has 3 arguments here but 2 arguments" in out
    lines = out.splitlines()
    i = lines.index(next(ln for ln in lines if ln.startswith(f"{a}:6:11:")))
    assert lines[i + 1] == "  lonely(X, W) :- edge(X, _)."
    assert lines[i + 2] == "            ^"
    assert lines[-1] == f"5 errors, 0 warnings in 2 files: {a} (3 errors), {b} (2 errors)"
    assert "Traceback" not in out


def test_warnings_exit_0_unless_strict():
    res = invoke(FIX / "warnings")
    assert res.exit_code == 0
    assert "KGA105 warning: variable Y is used only once" in res.output
    assert "KGA106 warning: 'lnk' is used" in res.output
    w = FIX / "warnings" / "w.rules"
    assert res.output.strip().splitlines()[-1] == f"0 errors, 2 warnings in 1 file: {w} (2 warnings)"
    strict = invoke(FIX / "warnings", "--strict")
    assert strict.exit_code == 1 and strict.output == res.output


def test_single_file_and_quiet():
    """--quiet prints the summary alone, which names the files with problems."""
    b = FIX / "errors" / "b.rules"
    res = invoke(b, "--quiet")
    assert res.exit_code == 1
    assert res.output.strip() == f"2 errors, 0 warnings in 1 file: {b} (2 errors)"
    both = invoke(FIX / "errors", "--quiet")
    assert both.output.strip() == f"5 errors, 0 warnings in 2 files: {FIX / 'errors' / 'a.rules'} (3 errors), {b} (2 errors)"


def test_json_output_lists_every_diagnostic():
    res = invoke(FIX / "errors", "--json")
    assert res.exit_code == 1
    rows = json.loads(res.output)
    assert [(Path(r["path"]).name, r["line"], r["col"], r["code"], r["severity"]) for r in rows][:3] == [
        ("a.rules", 3, 25, "KGA101", "error"),
        ("a.rules", 5, 26, "KGA101", "error"),
        ("a.rules", 6, 11, "KGA102", "error"),
    ]
    assert len(rows) == 5 and rows[3]["message"].startswith("negation cycle win -> win")
    assert invoke(FIX / "warnings", "--json").exit_code == 0
    assert invoke(FIX / "warnings", "--json", "--strict").exit_code == 1


def test_missing_path_exits_2(tmp_path):
    res = invoke(tmp_path / "nope")
    assert res.exit_code == 2
    assert f"{tmp_path / 'nope'}: KGA107 no such rule file or directory" in res.output


def test_directory_without_rule_files_exits_2(tmp_path):
    res = invoke(tmp_path)
    assert res.exit_code == 2 and "KGA107 no *.rules files" in res.output


def test_file_that_is_not_utf8_exits_2(tmp_path):
    f = tmp_path / "x.rules"
    f.write_bytes(b"p(\xff).\n")
    res = invoke(f)
    assert res.exit_code == 2 and f"{f}:1:3: KGA107 not UTF-8" in res.output


def test_unreadable_file_exits_2(tmp_path, monkeypatch):
    f = tmp_path / "x.rules"
    f.write_text("p(a).\n")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)  # root could read a chmod 0 file
    res = invoke(f, "--alone")
    assert res.exit_code == 2 and f"{f}: KGA107 permission denied" in res.output


def test_usage_error_exits_2():
    assert CliRunner().invoke(app, ["rules", "check", str(FIX / "nope")]).exit_code == 2
    assert CliRunner().invoke(app, ["rules", "check", str(FIX / "clean"), "--bogus"]).exit_code == 2


def test_readme_console_example(tmp_path, monkeypatch):
    """The example at the top of README "Checking rules" runs and prints what it shows."""
    readme = (ROOT / "rules" / "README.md").read_text()
    block = re.search(r"```console\n\$ kgagent rules check rules/\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "relations.rules").write_text(
        "% decisions on relations\n"
        "#base score(Relation, Score).\n"
        "accept(R) :- scores(R, S), S > 0.5.\n"
        "review(R, Why) :- score(R, S), S < 0.5.\n"
    )
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["rules", "check", "rules/"])
    assert res.exit_code == 1
    assert res.output.rstrip("\n") == block.rstrip("\n")


def test_shipped_default_rules_have_no_errors():
    res = invoke(ROOT / "rules")
    assert res.exit_code == 0, res.output
