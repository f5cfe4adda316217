"""The feedback loop's commands: ``kgagent feedback prune`` and ``kgagent rules stats``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``feedback`` command group to the main app."""


def register_rules(app: typer.Typer) -> None:
    """Add ``stats`` to the ``rules`` app."""
