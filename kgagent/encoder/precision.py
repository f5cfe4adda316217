"""The arithmetic the encoder and the linker's embedder may run in, named without loading torch
(``Agent.load`` checks ``precision`` before anything needs torch: ``kgagent validate`` and
``kgagent facts`` may never load it)."""

from __future__ import annotations

__all__ = ["PRECISIONS"]

#: auto = bfloat16 where the hardware has it natively, else float32
PRECISIONS = ("auto", "float32", "bfloat16")
