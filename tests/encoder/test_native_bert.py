"""Prediction on kgagent.bert: a plain BERT and its tokenizer.json without importing transformers
(~3.4 s of every process that loads a model), computing exactly what transformers' BertModel and
fast tokenizer compute; anything else is left to transformers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from kgagent.bert import BertModel, load_bert, load_tokenizer
from kgagent.encoder.model import ModelConfig
from kgagent.encoder.pretrained import Encoder, build_model

WORDS = ["Boston", "Zürich", "São", "naïve", "don't", "U.S.", "co-operate", "New", "York", "the", "\u00a0x",
         "東京", "lawyer", "Acme", "Corp", "!", "1990s", "e-mail", "ITAR-Tass", ""]


def _transformers(path: Path):
    from transformers import AutoModel, AutoTokenizer

    return (AutoModel.from_pretrained(str(path), local_files_only=True).eval(),
            AutoTokenizer.from_pretrained(str(path), local_files_only=True))


def test_the_same_hidden_states_as_transformers(tiny_base: Path) -> None:
    native = load_bert(tiny_base)
    assert isinstance(native, BertModel)
    reference, _ = _transformers(tiny_base)
    gen = torch.Generator().manual_seed(0)
    for length, padded in ((5, False), (17, True), (40, True)):
        ids = torch.randint(5, native.config.vocab_size, (3, length), generator=gen)
        mask = torch.ones_like(ids)
        if padded:
            mask[1, length // 2:] = 0
            mask[2, 1:] = 0
        for bf16 in (False, True):
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                want = reference(input_ids=ids, attention_mask=mask).last_hidden_state
                got = native(input_ids=ids, attention_mask=mask).last_hidden_state
                emb = native.get_input_embeddings()(ids) + 0.5  # as the encoder adds its case embedding
                want_e = reference(inputs_embeds=emb, attention_mask=mask).last_hidden_state
                got_e = native(inputs_embeds=emb, attention_mask=mask).last_hidden_state
            assert torch.equal(got, want) and torch.equal(got_e, want_e), (length, padded, bf16)


def test_the_same_pieces_as_transformers_fast_tokenizer(tiny_base: Path) -> None:
    ours = load_tokenizer(tiny_base)
    _, theirs = _transformers(tiny_base)
    assert ours is not None
    want = [list(x) for x in theirs(WORDS, add_special_tokens=False)["input_ids"]]
    assert ours(WORDS, add_special_tokens=False)["input_ids"] == want
    for name in ("cls_token_id", "sep_token_id", "unk_token_id", "pad_token_id", "bos_token_id", "eos_token_id"):
        assert getattr(ours, name) == getattr(theirs, name), name
    texts = [" ".join(WORDS[i:]) for i in range(len(WORDS))]
    got = ours(texts, padding=True, truncation="longest_first", max_length=8, return_tensors="pt")
    want = theirs(texts, padding=True, truncation="longest_first", max_length=8, return_tensors="pt")
    assert all(torch.equal(got[k], want[k]) for k in want)
    # a padded call leaves the next one unpadded
    assert [len(x) for x in ours(["a", "a b c"], add_special_tokens=False)["input_ids"]] == \
           [len(x) for x in theirs(["a", "a b c"], add_special_tokens=False)["input_ids"]]


def _copy(tiny_base: Path, tmp_path: Path) -> Path:
    out = tmp_path / "base"
    shutil.copytree(tiny_base, out)
    return out


@pytest.mark.parametrize("change", [{"hidden_act": "relu"}, {"model_type": "roberta"},
                                    {"position_embedding_type": "relative_key"}, {"is_decoder": True},
                                    {"attn_implementation": "eager"}])
def test_other_settings_are_left_to_transformers(tiny_base: Path, tmp_path: Path, change: dict) -> None:
    base = _copy(tiny_base, tmp_path)
    cfg = json.loads((base / "config.json").read_text(encoding="utf-8"))
    (base / "config.json").write_text(json.dumps({**cfg, **change}), encoding="utf-8")
    assert load_bert(base) is None


def test_weights_that_do_not_fit_or_no_tokenizer_json_are_left_to_transformers(tiny_base: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file

    base = _copy(tiny_base, tmp_path)
    state = load_file(str(base / "model.safetensors"))
    save_file({k: v for k, v in state.items() if "pooler" not in k}, str(base / "model.safetensors"))
    assert load_bert(base) is None
    save_file({**state, "extra.weight": torch.zeros(2)}, str(base / "model.safetensors"))
    assert load_bert(base) is None
    save_file({k: v.half() for k, v in state.items()}, str(base / "model.safetensors"))
    assert load_bert(base) is None
    (base / "tokenizer.json").unlink()
    assert load_tokenizer(base) is None


@pytest.mark.parametrize("change", [{"do_lower_case": False}, {"strip_accents": True},
                                    {"tokenize_chinese_chars": False}, {"tokenizer_class": "XLMRobertaTokenizer"}])
def test_a_tokenizer_config_that_normalises_otherwise_is_left_to_transformers(tiny_base: Path, tmp_path: Path,
                                                                            change: dict) -> None:
    """transformers rebuilds the tokenizer from tokenizer_config.json where it disagrees with
    tokenizer.json ("Boston" is [UNK] to an uncased vocabulary read without lower-casing)."""
    base = _copy(tiny_base, tmp_path)
    assert load_tokenizer(base) is not None
    cfg = json.loads((base / "tokenizer_config.json").read_text(encoding="utf-8"))
    (base / "tokenizer_config.json").write_text(json.dumps({**cfg, **change}), encoding="utf-8")
    assert load_tokenizer(base) is None


@pytest.fixture(scope="module")
def compact_model(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compact fine-tuning (the encoder saved without its word embeddings) of the tiny base."""
    torch.manual_seed(0)
    cfg = ModelConfig(base=str(tiny_base), entity_labels=["Loc", "Org", "Peop"], relation_labels=["Work_For"],
                      lora=False, frozen_word_embeddings=True)
    model, tok = build_model(cfg, tiny_base)
    with torch.no_grad():  # not the base's own weights any more
        for p in model.encoder.parameters():
            p.add_(0.01 * torch.randn_like(p))
    out = tmp_path_factory.mktemp("compact")
    Encoder(model, tok, cfg).save_pretrained(out, encoder_dtype=torch.float32)
    return out


def test_a_compact_model_predicts_on_it_as_on_transformers(compact_model: Path) -> None:
    native = Encoder.from_pretrained(compact_model)  # to predict
    reference = Encoder.from_pretrained(compact_model, merge=False)  # to train on: transformers'
    assert isinstance(native.model.encoder, BertModel)
    assert not isinstance(reference.model.encoder, BertModel)
    sentences = [["John", "Smith", "works", "for", "Acme", "in", "Boston", "."], ["Zürich", "!"]]
    assert native.predict_tokens(sentences) == reference.predict_tokens(sentences)
    state = reference.model.encoder.state_dict()
    assert native.model.encoder.state_dict().keys() == state.keys()
    assert all(torch.equal(v, state[k]) for k, v in native.model.encoder.state_dict().items())


def test_it_quantises_as_the_transformers_module_does(compact_model: Path) -> None:
    enc = Encoder.from_pretrained(compact_model, quantize=True)
    kinds = {type(m) for m in enc.model.encoder.modules()}
    assert torch.nn.Linear not in kinds  # every linear layer swapped for its int8 form
    assert torch.ao.nn.quantized.dynamic.Linear in kinds
    assert enc.predict_tokens([["John", "works", "in", "Boston"]])


def test_predicting_imports_no_transformers(compact_model: Path) -> None:
    code = ("import sys\nfrom kgagent.encoder.pretrained import Encoder\n"
            f"enc = Encoder.from_pretrained({str(compact_model)!r})\n"
            "enc.predict_tokens([['John', 'works', 'in', 'Boston']])\n"
            "print('transformers' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
