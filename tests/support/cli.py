"""The CLI tests' helpers: run a command in this process, read what an extraction wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result


def run(*args: object, stdin: str | bytes | None = None) -> Result:
    """``kgagent ARGS`` run in this process (each argument as its ``str``), its output captured."""
    from kgagent_cli.main import app

    return CliRunner().invoke(app, [str(a) for a in args], input=stdin)


def decisions(out: Path) -> list[dict[str, Any]]:
    """The records of ``OUT/decisions.jsonl``, a dict a line."""
    return [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]
