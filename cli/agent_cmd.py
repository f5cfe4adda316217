"""``kgagent extract`` and ``kgagent explain``: the agent."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the agent's commands to the main app."""
