"""Local Hugging Face model directories, loaded without printing.

transformers' ``from_pretrained`` draws a "Loading weights" progress bar on stderr, and its only
off switch is process-wide (``transformers.utils.logging.disable_progress_bar`` or the
``HF_HUB_DISABLE_PROGRESS_BARS`` variable read at import): a library may neither print nor flip
a program's switches. So a directory whose weights are one ``model.safetensors`` named as the
model's own parameters (what ``save_pretrained`` writes; the packaged MiniLM) is built from its
config and its tensors copied in directly: the same weights, no bar, and the random numbers of
the caller's seed untouched (as ``from_pretrained`` leaves them). Any other directory
(sharded weights, an old checkpoint whose names or dtypes need converting) goes through
``from_pretrained`` as before, bar included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WEIGHTS = "model.safetensors"


def load_transformer(path: Path) -> Any:
    """The transformer of a local Hugging Face directory, in eval mode, without a progress bar
    where its weights allow (see the module). Nothing is downloaded (``local_files_only``);
    transformers' own OSError / ValueError pass through for the caller to word."""
    import torch
    from transformers import AutoConfig, AutoModel
    from transformers.initialization import no_init_weights

    weights = Path(path) / WEIGHTS
    if weights.is_file():
        config = AutoConfig.from_pretrained(str(path), local_files_only=True)
        # no random first weights (the file's replace them all; from_pretrained skips them so too),
        # and the caller's random numbers left alone
        with no_init_weights(), torch.random.fork_rng(devices=[]):
            model = AutoModel.from_config(config)
        state = fitting_state(model, weights)
        if state is not None:
            model.load_state_dict(state, strict=False)
            return model.eval()
    return AutoModel.from_pretrained(str(path), local_files_only=True).eval()


def fitting_state(model: Any, weights: Path) -> dict[str, Any] | None:
    """The file's tensors when they are exactly the model's parameters and buffers (names, shapes,
    dtypes; a buffer the model no longer saves, such as BERT's position ids, may be left over);
    None when transformers would have to convert them."""
    from safetensors.torch import load_file

    try:
        state = load_file(str(weights))
    except Exception:  # noqa: BLE001 - safetensors' own errors: let from_pretrained report them
        return None
    own = model.state_dict()
    buffers = {name for name, _ in model.named_buffers()}
    if set(own) - set(state) or set(state) - set(own) - buffers:
        return None
    for name, tensor in own.items():
        if state[name].shape != tensor.shape or state[name].dtype != tensor.dtype:
            return None
    return {name: state[name] for name in own}
