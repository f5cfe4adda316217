"""The graph tests' helpers: a tiny deterministic embedding, a tiny random sentence-transformer."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kg"


def trigram_embed(texts, dim: int = 128) -> np.ndarray:
    """Hashed character-trigram counts, L2-normalised: similar spellings -> similar vectors."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, t in enumerate(texts):
        s = f"  {t.lower()} "
        for j in range(len(s) - 2):
            out[i, int(hashlib.md5(s[j:j + 3].encode()).hexdigest(), 16) % dim] += 1.0
        n = np.linalg.norm(out[i])
        if n:
            out[i] /= n
    return out


def build_tiny_sentence_transformer(out: Path, dim: int = 16) -> Path:
    """A tiny random BERT sentence-transformer (character vocabulary), saved to ``out``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + list("abcdefghijklmnopqrstuvwxyz") + \
        ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"]
    (out / "tok").mkdir(parents=True)
    (out / "tok" / "vocab.txt").write_text("\n".join(vocab))
    tok = BertTokenizerFast(str(out / "tok" / "vocab.txt"))
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=dim, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=2 * dim, max_position_embeddings=64)
    torch.manual_seed(0)
    BertModel(cfg).save_pretrained(out / "bert")
    tok.save_pretrained(out / "bert")
    word = Transformer(str(out / "bert"), max_seq_length=32)
    st = SentenceTransformer(modules=[word, Pooling(dim, "mean")], device="cpu")
    st.save(str(out / "st"))
    return out / "st"


ENT = "https://w3id.org/kgagent/entity/"
