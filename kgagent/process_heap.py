"""Python's cyclic garbage collector around a load, for a process kgagent owns.

The agent's load makes millions of long-lived objects (graph, alias tables, index, model). While
loading, the collector's full passes walk a heap that only grows (1-2 s of a 12 s start of
`kgagent extract`); afterwards, as extraction adds facts, they would scan the whole loaded heap
every so often (that doubled the rules' time per document: examples x10 1.8 -> 1.0 s with the
freeze). :func:`loaded_heap` pauses the collector while loading, then moves what was loaded out
of its scans (``gc.freeze``).

That is process-wide state, so the library never uses it on its caller's process: only the
processes kgagent starts and owns do, the CLI's commands and each Ray actor
(:class:`kgagent.ray_engine.AgentWorker`). A program embedding kgagent may do the same around
its own ``Agent.load``.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def loaded_heap() -> Iterator[None]:
    """Pause the cyclic collector for the block, then collect once and freeze what is left (the
    loaded objects); the collector is enabled again only if it was before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()  # what loading left as garbage is not kept for ever
        gc.freeze()
        if enabled:
            gc.enable()
