"""Regression: a decisions.jsonl holding bytes that are not UTF-8 (a hand-edited file saved in
Latin-1, a line cut by a full disk) made `kgagent review` and `feedback export-reviews` end in a
UnicodeDecodeError traceback. It is now KGA470 naming the file, line and column."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app


def _spoil(out: Path) -> int:
    path = out / "decisions.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(2, b'{"id": "d:x", "kind": "entity", "text": "Z\xfcrich"}\n')
    path.write_bytes(b"".join(lines))
    return 3


def test_review_names_the_line(out: Path) -> None:
    line = _spoil(out)
    res = CliRunner().invoke(app, ["review", str(out), "--port", "0"])
    assert res.exit_code == 2, res.output
    assert f"decisions.jsonl:{line}: not UTF-8 text (byte 0xfc at column 43)" in " ".join(res.output.split())
    assert "Traceback" not in res.output


def test_export_names_the_line(out: Path) -> None:
    line = _spoil(out)
    res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out)])
    assert res.exit_code == 2, res.output
    assert f"decisions.jsonl:{line}: not UTF-8 text" in " ".join(res.output.split())
    assert not (out / "review_feedback.jsonl").exists()
