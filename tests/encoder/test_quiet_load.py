"""Loading a model prints nothing: transformers' "Loading weights" bar stays off the library's
stderr without flipping transformers' process-wide switch (kgagent.hf)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from kgagent.encoder.pretrained import load_base
from kgagent.bert import load_bert
from kgagent.hf import load_transformer


@pytest.fixture
def bars_on() -> Iterator[None]:
    """transformers' progress bars on, as in a program that never set HF_HUB_DISABLE_PROGRESS_BARS."""
    from transformers.utils import logging

    was = logging.is_progress_bar_enabled()
    logging.enable_progress_bar()
    yield
    if not was:
        logging.disable_progress_bar()


def _reference(path: Path) -> dict[str, torch.Tensor]:
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(path), local_files_only=True).state_dict()


def test_the_base_loads_without_a_bar_and_with_its_own_weights(tiny_base: Path, bars_on: None,
                                                              capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    model, tokenizer, hidden = load_base(tiny_base)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert not model.training and hidden == 32 and tokenizer.is_fast
    from transformers.utils import logging

    assert logging.is_progress_bar_enabled()  # the program's switch is left as it was
    reference = _reference(tiny_base)
    state = model.state_dict()
    assert set(state) == set(reference)
    assert all(torch.equal(state[k], reference[k]) for k in reference)
    # the buffers a save leaves out (position and token type ids) too
    from transformers import AutoModel

    theirs = dict(AutoModel.from_pretrained(str(tiny_base), local_files_only=True).named_buffers())
    ours = dict(model.named_buffers())
    assert set(ours) == set(theirs) and all(torch.equal(ours[k], theirs[k]) for k in theirs)


def test_weights_that_need_converting_go_through_from_pretrained(tiny_base: Path, tmp_path: Path) -> None:
    """A float16 checkpoint (transformers converts its dtype) and sharded weights (no
    model.safetensors) still load, as from_pretrained loads them."""
    from transformers import AutoModel

    half = tmp_path / "half"
    shutil.copytree(tiny_base, half)
    AutoModel.from_pretrained(str(tiny_base)).half().save_pretrained(str(half), safe_serialization=True)
    model = load_transformer(half)
    reference = _reference(half)
    assert all(torch.equal(model.state_dict()[k], reference[k]) for k in reference)
    assert not model.training

    sharded = tmp_path / "sharded"
    shutil.copytree(tiny_base, sharded)
    (sharded / "model.safetensors").unlink()
    AutoModel.from_pretrained(str(tiny_base)).save_pretrained(str(sharded), max_shard_size="20KB")
    assert not (sharded / "model.safetensors").exists()
    model = load_transformer(sharded)
    reference = _reference(tiny_base)
    assert all(torch.equal(model.state_dict()[k], reference[k]) for k in reference)


@pytest.mark.parametrize("load", [load_transformer, load_bert], ids=["transformers", "kgagent.bert"])
def test_loading_leaves_the_callers_random_numbers_alone(tiny_base: Path, load) -> None:
    """Training after a load draws what it drew before (a seed's run stays the same run)."""
    torch.manual_seed(7)
    want = torch.rand(3)
    torch.manual_seed(7)
    assert load(tiny_base) is not None
    assert torch.equal(torch.rand(3), want)
