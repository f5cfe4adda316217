"""What ``precision="auto"`` picks: bfloat16 only where the hardware makes it the faster."""

from __future__ import annotations

import pytest
import torch

from kgagent.encoder.precision import cpu_has_bfloat16
from kgagent.encoder.pretrained import native_bfloat16


@pytest.mark.parametrize("amx", [True, False])
def test_a_cpu_takes_bfloat16_only_with_amx(monkeypatch: pytest.MonkeyPatch, amx: bool) -> None:
    # oneDNN says bfloat16 is supported on any AVX-512 CPU; there (no AMX) the encoder ran 1.6x
    # slower than in float32, and auto had chosen it
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx, raising=False)
    assert native_bfloat16(torch.device("cpu")) is amx
    assert cpu_has_bfloat16() is amx


def test_a_torch_that_cannot_tell_means_float32(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported", raising=False)
    assert native_bfloat16(torch.device("cpu")) is False
