"""``kgagent train`` and ``kgagent evaluate``: the encoder."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the encoder's commands to the main app."""
