"""The arithmetic the encoder and the linker's embedder may run in, and the devices training may
run on, named without loading torch (``Agent.load`` checks ``precision`` before anything needs
torch: ``kgagent validate`` and ``kgagent facts`` may never load it; the CLI checks ``--device``)."""

from __future__ import annotations

__all__ = ["DEVICES", "PRECISIONS", "cpu_has_bfloat16"]

#: auto = bfloat16 where the hardware makes it the faster (a GPU with bf16, a CPU with AMX), else
#: float32
PRECISIONS = ("auto", "float32", "bfloat16")
#: where training runs: auto = cuda when torch sees a CUDA device, else cpu
DEVICES = ("auto", "cpu", "cuda")


def cpu_has_bfloat16() -> bool:
    """Whether this machine's CPU multiplies bfloat16 faster than float32 (loads torch; what
    ``auto`` means for the linker's embedder, asked on its first embedding)."""
    import torch

    from kgagent.encoder.pretrained import native_bfloat16

    return native_bfloat16(torch.device("cpu"))
