"""Tiny random BERT bases built in the tests (no download, no packaged model)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "encoder"


def make_tiny_base(path: Path, seed: int = 0) -> Path:
    """A 2-layer, hidden-32 random BERT with the fixture WordPiece vocab, saved to ``path``."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    torch.manual_seed(seed)
    words = (FIXTURES / "vocab.txt").read_text(encoding="utf-8").split()
    tok = BertTokenizer(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)  # a fast (Rust) tokenizer
    cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    BertModel(cfg).save_pretrained(str(path), safe_serialization=True)
    tok.save_pretrained(str(path))
    return path



def tiny_train_config(base: Path, **kw: object):  # type: ignore[no-untyped-def]
    """A quick, seeded, one-thread CPU training of the tiny ``base`` (full fine-tuning, 2 epochs,
    batches of 3, no early stop); ``kw`` overrides."""
    from kgagent.encoder.train import TrainConfig

    opts = dict(base=str(base), lora=False, epochs=2, lr=5e-3, head_lr=5e-3, batch_size=3, patience=100,
                seed=7, num_threads=1, device="cpu")
    opts.update(kw)
    return TrainConfig(**opts)  # type: ignore[arg-type]
