"""Word pieces stay aligned to words: unicode, very long words, empty sentences, long sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from kgagent.encoder.pieces import SHAPES, PieceEncoder, collate, word_shape


@pytest.fixture(scope="module")
def pieces(tiny_base: Path) -> PieceEncoder:
    from transformers import AutoTokenizer

    return PieceEncoder(AutoTokenizer.from_pretrained(str(tiny_base), local_files_only=True), max_pieces_per_word=8,
                        max_length=32)


def _decode(pe: PieceEncoder, ids: list[int]) -> str:
    return "".join(t[2:] if t.startswith("##") else t for t in pe.tokenizer.convert_ids_to_tokens(ids))


@pytest.mark.parametrize("word,shape", [("the", "lower"), ("Paris", "title"), ("NATO", "upper"), ("A", "title"),
                                        ("McDonald", "mixed"), ("1994", "digit"), ("F-16", "alnum"), ("--", "punct"),
                                        ("Zürich", "title"), ("北京", "mixed"), ("\u200b", "other")])
def test_word_shape(word: str, shape: str) -> None:
    # CJK letters are neither upper nor lower case: "mixed" is the honest answer
    assert SHAPES[word_shape(word)] == shape


def test_each_word_owns_its_pieces(pieces: PieceEncoder) -> None:
    words = ["John", "Smith", "works", "for", "Acme", "Corp", "."]
    enc = pieces.encode(words)
    assert enc.input_ids[0] == pieces.cls_id and enc.input_ids[-1] == pieces.sep_id
    assert enc.n_words == len(words)
    for w, f, l in zip(words, enc.word_first, enc.word_last):
        assert 1 <= f <= l < len(enc.input_ids) - 1
        assert _decode(pieces, enc.input_ids[f:l + 1]) == w.lower()
    # words are contiguous and in order: no piece is shared or skipped
    assert all(enc.word_first[i + 1] == enc.word_last[i] + 1 for i in range(len(words) - 1))
    assert enc.shapes[enc.word_first[0]] == word_shape("John") and enc.shapes[0] == 0


def test_tricky_tokens_unicode_long_invisible(pieces: PieceEncoder) -> None:
    long_word = "a" + "z9" * 40  # far more than 8 pieces
    words = ["Zürich", "北京", "\u200b", long_word, "naïve", "x"]
    enc = pieces.encode(words)
    assert enc.n_words == len(words)
    spans = [enc.input_ids[f:l + 1] for f, l in zip(enc.word_first, enc.word_last)]
    assert all(len(s) >= 1 for s in spans)  # a word never vanishes
    assert spans[2] == [pieces.unk_id]  # invisible character -> [UNK], not zero pieces
    assert len(spans[3]) == 8  # capped at max_pieces_per_word, first pieces kept
    assert _decode(pieces, spans[0]) == "zurich"  # the uncased tokenizer strips the accent
    assert _decode(pieces, spans[5]) == "x"


def test_empty_sentence(pieces: PieceEncoder) -> None:
    enc = pieces.encode([])
    assert enc.input_ids == [pieces.cls_id, pieces.sep_id] and enc.n_words == 0
    batch = collate([enc, pieces.encode(["Paris"])])
    assert batch.word_mask.tolist() == [[False], [True]]
    assert batch.n_words.tolist() == [0, 1]


def test_collate_piece_positions(pieces: PieceEncoder) -> None:
    a, b = pieces.encode(["Smith", "works"]), pieces.encode(["a" + "z9" * 3])
    batch = collate([a, b])
    assert batch.input_ids.shape[0] == 2 and batch.attention_mask[0].sum() == len(a.input_ids)
    for row, enc in enumerate((a, b)):
        for w in range(enc.n_words):
            pos = batch.word_pieces[row, w][batch.word_piece_mask[row, w]].tolist()
            assert pos == list(range(enc.word_first[w], enc.word_last[w] + 1))
    assert not batch.word_piece_mask[1, 1:].any()


def test_windows_cover_long_sentences(pieces: PieceEncoder) -> None:
    words = ["Paris", "the", "smith"] * 20  # more pieces than the 32-piece window
    wins = pieces.windows(words)
    assert wins[0][0] == 0 and wins[-1][1] == len(words)
    assert all(a < b for a, b in wins) and all(wins[i][1] == wins[i + 1][0] for i in range(len(wins) - 1))
    for a, b in wins:
        assert len(pieces.encode(words[a:b]).input_ids) <= 32
    assert pieces.windows([]) == [(0, 0)]
    assert isinstance(collate([pieces.encode(words[a:b]) for a, b in wins]).input_ids, torch.Tensor)
