"""``kgagent rules ...``: check, run, explain, test rule files."""

from __future__ import annotations

import typer

app = typer.Typer(help="Check, run and explain rule files.", no_args_is_help=True)
