"""The encoder: a joint span model proposing entity mentions and relations (see DESIGN.md).

``Encoder`` is imported lazily so that ``kgagent.encoder.data`` works without loading torch.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Encoder", "TrainConfig"]


def __getattr__(name: str) -> Any:
    if name == "Encoder":
        from kgagent.encoder.pretrained import Encoder

        return Encoder
    if name == "TrainConfig":
        from kgagent.encoder.train import TrainConfig

        return TrainConfig
    raise AttributeError(name)
