"""``kgagent kg ...``: the knowledge graph and entity linking."""

from __future__ import annotations

import typer

app = typer.Typer(help="Inspect, query, import and export the knowledge graph.", no_args_is_help=True)
