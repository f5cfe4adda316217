"""Words -> word pieces with exact alignment, and word shapes (the casing the uncased base lost).

Each word is tokenised on its own (batched through the fast tokenizer, cached), so every
piece belongs to exactly one word; a word's vector is later pooled from its own pieces. There is
no label-per-piece padding anywhere: labels live on words and spans of words.

A word that yields no piece (an invisible or stripped character) becomes ``[UNK]``; a word with
more than ``max_pieces_per_word`` pieces keeps its first ones (its vector pools those). A
sentence longer than the encoder's window is cut into windows of whole words
(:func:`windows`), each encoded on its own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

import torch

from kgagent.text import model_word

# Word shapes: the casing and character classes the uncased base lowercases away.
SHAPES = ("special", "lower", "title", "upper", "mixed", "digit", "alnum", "punct", "other")
SHAPE_INDEX = {name: i for i, name in enumerate(SHAPES)}


def word_shape(word: str) -> int:
    """The shape id of a word: lower, Title, UPPER, mixed, digit, alnum, punct, other.

    >>> [SHAPES[word_shape(w)] for w in ["the", "Paris", "NATO", "iPhone", "1994", "F-16", ",", ""]]
    ['lower', 'title', 'upper', 'mixed', 'digit', 'alnum', 'punct', 'other']
    """
    letters = [c for c in word if c.isalpha()]
    has_digit = any(c.isdigit() for c in word)
    if not word:
        return SHAPE_INDEX["other"]
    if not letters:
        if has_digit:
            return SHAPE_INDEX["digit"]
        if all(unicodedata.category(c).startswith(("P", "S")) for c in word):
            return SHAPE_INDEX["punct"]
        return SHAPE_INDEX["other"]
    if has_digit:
        return SHAPE_INDEX["alnum"]
    if all(c.islower() for c in letters):
        return SHAPE_INDEX["lower"]
    if all(c.isupper() for c in letters):
        return SHAPE_INDEX["upper" if len(letters) > 1 else "title"]
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return SHAPE_INDEX["title"]
    return SHAPE_INDEX["mixed"]


@dataclass
class Encoded:
    """One sentence as word pieces: ``input_ids`` with [CLS]/[SEP], each piece's word shape,
    and for each word the ``[first, last]`` piece positions (inclusive) inside ``input_ids``."""

    input_ids: list[int]
    shapes: list[int]
    word_first: list[int]
    word_last: list[int]

    @property
    def n_words(self) -> int:
        return len(self.word_first)


class PieceEncoder:
    """Tokenises words into pieces with a (fast) Hugging Face tokenizer, caching per word."""

    def __init__(self, tokenizer: Any, max_pieces_per_word: int = 8, max_length: int = 512):
        self.tokenizer = tokenizer
        self.max_pieces_per_word = max_pieces_per_word
        self.max_length = max_length
        self.cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
        self.sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
        self.unk_id = tokenizer.unk_token_id if tokenizer.unk_token_id is not None else 0
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self._cache: dict[str, list[int]] = {}

    def pieces(self, words: Sequence[str]) -> list[list[int]]:
        """The piece ids of each word (never empty, at most ``max_pieces_per_word``), typographic
        quotes read as the data sets write them (:func:`kgagent.text.model_word`)."""
        return self._form_pieces([model_word(w) for w in words])

    def _form_pieces(self, forms: list[str]) -> list[list[int]]:
        """:meth:`pieces` of words already in their model form."""
        missing = sorted({w for w in forms if w not in self._cache})
        if missing:
            ids = self.tokenizer(missing, add_special_tokens=False)["input_ids"]
            for w, p in zip(missing, ids):
                p = list(p)[: self.max_pieces_per_word] or [self.unk_id]
                self._cache[w] = p
            if len(self._cache) > 200_000:  # bound memory on huge corpora
                self._cache.clear()
                return self._form_pieces(forms)
        return [self._cache[w] for w in forms]

    def encode(self, words: Sequence[str]) -> Encoded:
        """Encode one sentence (it must fit: see :meth:`windows`)."""
        ids, shapes, first, last = [self.cls_id], [0], [], []
        forms = [model_word(w) for w in words]  # "-LRB-" is "(", in its pieces and its shape
        for w, p in zip(forms, self._form_pieces(forms)):
            first.append(len(ids))
            ids.extend(p)
            shapes.extend([word_shape(w)] * len(p))
            last.append(len(ids) - 1)
        ids.append(self.sep_id)
        shapes.append(0)
        return Encoded(ids, shapes, first, last)

    def windows(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """Word ranges ``[start, end)`` each of which fits the encoder's window (one if it fits)."""
        budget = self.max_length - 2
        out, start, used = [], 0, 0
        for i, p in enumerate(self.pieces(words)):
            if used + len(p) > budget and i > start:
                out.append((start, i))
                start, used = i, 0
            used += len(p)
        out.append((start, len(words)))
        return out


@dataclass
class PieceBatch:
    """Padded tensors for a batch of encoded sentences."""

    input_ids: torch.Tensor  # (B, P)
    attention_mask: torch.Tensor  # (B, P)
    shapes: torch.Tensor  # (B, P)
    word_pieces: torch.Tensor  # (B, W, K) piece positions of each word (padded with 0)
    word_piece_mask: torch.Tensor  # (B, W, K) bool
    word_mask: torch.Tensor  # (B, W) bool
    n_words: torch.Tensor  # (B,)

    def to(self, device: torch.device | str) -> "PieceBatch":
        """The same batch on ``device``."""
        return PieceBatch(*(getattr(self, f).to(device) for f in self.__dataclass_fields__))


def collate(encoded: Sequence[Encoded], pad_id: int = 0) -> PieceBatch:
    """Pad a batch; words keep the positions of all their pieces for max-pooling."""
    b = len(encoded)
    p = max(len(e.input_ids) for e in encoded)
    w = max(max(e.n_words for e in encoded), 1)
    k = max([l - f + 1 for e in encoded for f, l in zip(e.word_first, e.word_last)] or [1])
    input_ids = torch.full((b, p), pad_id, dtype=torch.long)
    attention = torch.zeros((b, p), dtype=torch.long)
    shapes = torch.zeros((b, p), dtype=torch.long)
    first = torch.zeros((b, w), dtype=torch.long)
    count = torch.zeros((b, w), dtype=torch.long)
    for i, e in enumerate(encoded):
        n = len(e.input_ids)
        input_ids[i, :n] = torch.tensor(e.input_ids)
        attention[i, :n] = 1
        shapes[i, :n] = torch.tensor(e.shapes)
        if e.n_words:
            first[i, : e.n_words] = torch.tensor(e.word_first)
            count[i, : e.n_words] = torch.tensor(e.word_last) - torch.tensor(e.word_first) + 1
    offs = torch.arange(k)
    word_piece_mask = offs[None, None, :] < count[:, :, None]
    word_pieces = torch.where(word_piece_mask, first[:, :, None] + offs[None, None, :], torch.zeros(()).long())
    n_words = torch.tensor([e.n_words for e in encoded], dtype=torch.long)
    word_mask = torch.arange(w)[None, :] < n_words[:, None]
    return PieceBatch(input_ids, attention, shapes, word_pieces, word_piece_mask, word_mask, n_words)
