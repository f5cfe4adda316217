"""The span model on tiny random BERT bases: overfitting, save/load, determinism, resume, weights."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from kgagent.encoder.data import EntitySpan, Example, read_spert_json
from kgagent.encoder.model import pool_range
from kgagent.encoder.pretrained import Encoder
from kgagent.encoder.train import TrainConfig, batch_loss, make_sample, train
from kgagent.errors import EncoderError
from kgagent.evaluate import evaluate
from support.encoder_fakes import tiny_train_config


def _cfg(base: Path, **kw: object) -> TrainConfig:
    return tiny_train_config(base, **kw)


@pytest.fixture(scope="module")
def data(fixtures: Path) -> list[Example]:
    return read_spert_json(fixtures / "tiny_train.json")


@pytest.fixture(scope="module")
def overfit(tiny_base: Path, data: list[Example], tmp_path_factory: pytest.TempPathFactory) -> tuple[Encoder, Path]:
    out = tmp_path_factory.mktemp("overfit")
    enc, _ = train(_cfg(tiny_base, epochs=60, batch_size=6), data, data, out_dir=out)
    return enc, out


def test_pool_range_matches_a_plain_loop() -> None:
    g = torch.Generator().manual_seed(0)
    words = torch.randn(2, 7, 5, generator=g)
    start = torch.tensor([[0, 2, 5, 3], [1, 6, 0, 4]])
    end = torch.tensor([[1, 5, 7, 3], [4, 7, 7, 2]])  # includes empty ranges (3,3) and (4,2)
    got = pool_range(words, start, end)
    for b in range(2):
        for s in range(4):
            a, e = int(start[b, s]), int(end[b, s])
            want = words[b, a:e].max(0).values if e > a else torch.zeros(5)
            assert torch.allclose(got[b, s], want)


def test_tiny_model_overfits_to_f1_1(overfit: tuple[Encoder, Path], data: list[Example]) -> None:
    enc, _ = overfit
    m = evaluate(data, enc.predict_examples(data))
    assert m["entity"]["f1"] == pytest.approx(100.0)
    assert m["relation_strict"]["f1"] == pytest.approx(100.0)


def test_save_load_round_trip_identical(overfit: tuple[Encoder, Path], data: list[Example]) -> None:
    enc, out = overfit
    again = Encoder.from_pretrained(out)
    assert again.entity_labels == enc.entity_labels and again.relation_labels == enc.relation_labels
    a, b = enc.predict_examples(data), again.predict_examples(data)
    assert [(x.entities, x.relations) for x in a] == [(y.entities, y.relations) for y in b]
    sents = ["John Smith works for Acme Corp.", "", "Mary Jones lives in Paris."]
    assert [p.to_dict() for p in enc.propose(sents)] == [p.to_dict() for p in again.propose(sents)]
    assert not list(out.glob("*.bin")) and not list(out.glob("**/*.pt"))  # safetensors only


def test_propose_offsets_scores_and_windows(overfit: tuple[Encoder, Path]) -> None:
    enc, _ = overfit
    text = "Mary Jones lives in Paris."
    (props,) = enc.propose([text])
    assert [(e.text, e.label) for e in props.entities] == [("Mary Jones", "Peop"), ("Paris", "Loc")]
    for e in props.entities:
        assert text[e.start:e.end] == e.text and 0.0 < e.score <= 1.0
    assert [(r.head, r.tail, r.label) for r in props.relations] == [(0, 1, "Live_In")]
    empty = enc.propose(["", "   "])
    assert [(p.entities, p.relations) for p in empty] == [([], []), ([], [])]
    # a sentence longer than the tiny base's 128 positions is cut into windows, not crashed on
    long = " ".join(["Mary Jones lives in Paris ."] * 40)
    (lp,) = enc.propose([long])
    assert lp.entities and all(long[e.start:e.end] == e.text for e in lp.entities)
    assert all(lp.entities[i].end <= lp.entities[i + 1].start for i in range(len(lp.entities) - 1))


def test_a_mention_never_ends_with_a_stop_of_its_own(overfit: tuple[Encoder, Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A model trained on CoNLL04 (which counts the stop of "Minn ." in the place) proposes "Minn
    ." and "Dec. 18 ."; the proposal ends before that stop, which ends the sentence, unless the
    stop is an abbreviation's too, and then ends with it ("Colo."; kgagent.text.name_end)."""
    enc, _ = overfit
    loc = enc.config.entity_labels.index("Loc")
    row = tuple(0.8 if k == loc else 0.0 for k in range(len(enc.config.entity_labels)))
    ents = [(5, 6, loc, 0.8, row), (7, 9, loc, 0.8, row)]  # words 5 and 7-8 (8: the stop)
    monkeypatch.setattr(enc, "predict_tokens", lambda toks, *a, **k: [(ents, [(0, 1, 0, 0.9)], [], ents[1:])
                                                                      for _ in toks])
    spaced, glued = "He is a native of Chisholm , Minn .", "He is a native of Boulder , Colo."
    props, props2 = enc.propose([spaced, glued], near_miss_floor=0.5)
    assert [(e.text, e.start, e.end) for e in props.entities] == [("Chisholm", 18, 26), ("Minn", 29, 33)]
    assert [e.text for e in props.near_misses] == ["Minn"]  # near misses alike
    assert [(r.head, r.tail) for r in props.relations] == [(0, 1)]
    assert [e.text for e in props2.entities] == ["Boulder", "Colo."]
    ents[1] = (7, 8, loc, 0.8, row)  # the model left out a stop the abbreviation keeps: the name has it
    props, props2 = enc.propose([spaced, glued])
    assert [e.text for e in props.entities] == ["Chisholm", "Minn"]
    assert [e.text for e in props2.entities] == ["Boulder", "Colo."]


def test_lora_saves_only_adapter_and_heads(tiny_base: Path, data: list[Example], tmp_path: Path) -> None:
    enc, _ = train(_cfg(tiny_base, lora=True, epochs=1, lora_r=4), data, None, out_dir=tmp_path)
    saved = load_file(str(tmp_path / "heads.safetensors"))
    enc_keys = [k for k in saved if k.startswith("encoder.")]
    assert enc_keys and all("lora_" in k for k in enc_keys)
    assert "case.weight" in saved and not (tmp_path / "encoder").exists()
    sents = ["John Smith works for Acme Corp in London."]
    unmerged = Encoder.from_pretrained(tmp_path, merge=False)
    merged = Encoder.from_pretrained(tmp_path)
    w1 = unmerged.predict_tokens([s.split() for s in sents])
    w2 = merged.predict_tokens([s.split() for s in sents])
    assert [[x[:3] for x in ents] for ents, _ in w1] == [[x[:3] for x in ents] for ents, _ in w2]
    assert enc.predict_tokens([s.split() for s in sents]) == w1


def test_same_seed_same_weights(tiny_base: Path, data: list[Example], tmp_path: Path) -> None:
    train(_cfg(tiny_base), data, data[:2], out_dir=tmp_path / "a")
    train(_cfg(tiny_base), data, data[:2], out_dir=tmp_path / "b")
    train(_cfg(tiny_base, seed=8), data, data[:2], out_dir=tmp_path / "c")
    a, b, c = (load_file(str(tmp_path / d / "heads.safetensors")) for d in "abc")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_resume_equals_uninterrupted_run(tiny_base: Path, data: list[Example], tmp_path: Path) -> None:
    train(_cfg(tiny_base, epochs=3, calibrate=False), data, None, out_dir=tmp_path / "straight")

    def crash_after_epoch_2(event: dict) -> None:
        if event["event"] == "epoch" and event["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(_cfg(tiny_base, epochs=3, calibrate=False), data, None, out_dir=tmp_path / "resumed",
              progress=crash_after_epoch_2)
    assert not (tmp_path / "resumed" / "heads.safetensors").exists()
    train(_cfg(tiny_base, epochs=3, calibrate=False), data, None, out_dir=tmp_path / "resumed", resume=True)
    for name in ("heads.safetensors", "encoder.safetensors"):  # heads and the fine-tuned encoder
        a = load_file(str(tmp_path / "straight" / name))
        b = load_file(str(tmp_path / "resumed" / name))
        assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_example_weight_and_negatives_in_the_loss(overfit: tuple[Encoder, Path], data: list[Example]) -> None:
    enc, _ = overfit
    model = enc.model.eval()
    cfg = TrainConfig()
    ei = {t: i for i, t in enumerate(enc.entity_labels)}
    ri = {t: i for i, t in enumerate(enc.relation_labels)}
    ex = data[1]
    heavy = Example(ex.tokens, ex.entities, ex.relations, meta={"weight": 1.0})
    light = Example(ex.tokens, ex.entities, ex.relations, meta={"weight": 0.25})
    encd = enc.pieces.encode(ex.tokens)
    with torch.no_grad():
        l1, _ = batch_loss(model, [make_sample(encd, heavy, ei, ri, cfg, random.Random(0))], 0, torch.device("cpu"))
        l2, _ = batch_loss(model, [make_sample(encd, light, ei, ri, cfg, random.Random(0))], 0, torch.device("cpu"))
    assert float(l2) == pytest.approx(0.25 * float(l1), rel=1e-5)
    # "Mary Jones is NOT a person" contradicts what the model learnt: the loss rises
    neg = Example(ex.tokens, ex.entities, ex.relations, negative_entities=[EntitySpan(0, 2, "Peop", 1.0)])
    l3, _ = batch_loss(model, [make_sample(encd, neg, ei, ri, cfg, random.Random(0))], 0, torch.device("cpu"))
    assert l3.item() > l1.item() + 0.05  # one large term -log(1 - p(Peop)) joins the averaged span terms


def test_missing_and_corrupt_models(tmp_path: Path, overfit: tuple[Encoder, Path]) -> None:
    with pytest.raises(EncoderError) as err:
        Encoder.from_pretrained(tmp_path / "nowhere")
    assert err.value.code == "KGA304"
    _, out = overfit
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((out / "config.json").read_text())
    (broken / "heads.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(EncoderError) as err:
        Encoder.from_pretrained(broken)
    assert err.value.code == "KGA305"
    (broken / "config.json").write_text("{not json")
    with pytest.raises(EncoderError, match="corrupt model config"):
        Encoder.from_pretrained(broken)


def test_feedback_labels_must_be_the_models_own(overfit: tuple[Encoder, Path], data: list[Example]) -> None:
    _, out = overfit
    odd = [Example(["a", "b"], [EntitySpan(0, 1, "Weapon")])]
    with pytest.raises(EncoderError, match="Weapon"):
        train(TrainConfig(init=str(out), epochs=1, device="cpu"), odd, None)


def test_all_span_logits_equal_per_span_logits(overfit: tuple[Encoder, Path]) -> None:
    enc, _ = overfit
    from kgagent.encoder.pieces import collate

    model = enc.model.eval()
    batch = collate([enc.pieces.encode(["Mary", "Jones", "lives", "in", "Paris", "."]), enc.pieces.encode(["Paris"])])
    with torch.no_grad():
        words, cls = model.words(batch)
        fast, start, end, valid = model.all_span_logits(words, cls, batch.n_words)
        slow = model.span_logits(words, cls, start, end, valid)
    assert torch.allclose(fast[valid], slow[valid], atol=1e-5)


def test_relation_logits_equal_the_plain_concatenation(overfit: tuple[Encoder, Path]) -> None:
    """The relation head projects each entity once and gathers per pair: the same logits as
    its first layer applied to [head span; tail span; context; head type; tail type]."""
    enc, _ = overfit
    from kgagent.encoder.model import _gather_rows
    from kgagent.encoder.pieces import collate

    model = enc.model.eval()
    batch = collate([enc.pieces.encode(["John", "Smith", "works", "for", "Acme", "Corp", "in", "Paris", "."]),
                     enc.pieces.encode(["Mary", "lives", "in", "Rome", "."])])
    e_start = torch.tensor([[0, 4, 7], [0, 3, 0]])
    e_end = torch.tensor([[2, 6, 8], [1, 4, 1]])
    n_types = len(enc.config.entity_labels) + 1  # type ids 1.. (0 = unknown)
    e_type = torch.tensor([[1, 2, 1], [2, 1, 0]]) % n_types
    e_valid = torch.tensor([[True, True, True], [True, True, False]])
    pairs = torch.tensor([[[0, 1], [1, 0], [0, 2], [2, 1], [1, 2], [2, 0]]] * 2)
    p_valid = e_valid.gather(1, pairs[..., 0]) & e_valid.gather(1, pairs[..., 1])
    with torch.no_grad():
        words, _cls = model.words(batch)
        fast = model.relation_logits(words, e_start, e_end, e_type, e_valid, pairs, p_valid)
        rep = model.span_repr(words, e_start, e_end, e_valid)
        head, tail = pairs[..., 0], pairs[..., 1]
        hs, he, ts, te = (x.gather(1, i) for x, i in ((e_start, head), (e_end, head), (e_start, tail), (e_end, tail)))
        ctx = pool_range(words, torch.minimum(he, te), torch.maximum(hs, ts), p_valid)
        etype = model.etype(e_type)
        plain = model.rel_head(torch.cat([_gather_rows(rep, head), _gather_rows(rep, tail), ctx,
                                          _gather_rows(etype, head), _gather_rows(etype, tail)], dim=-1))
    assert torch.allclose(fast[p_valid], plain[p_valid], atol=1e-5)


def test_int8_quantised_model_takes_the_plain_head_path(overfit: tuple[Encoder, Path], data: list[Example]) -> None:
    """Quantised linear layers cannot be split by columns: both heads fall back to the plain
    concatenation and still predict (close to) what the float model predicts."""
    _enc, out = overfit
    f32 = Encoder.from_pretrained(out, precision="float32")
    q8 = Encoder.from_pretrained(out, quantize=True)
    assert q8.quantized and type(q8.model.span_head[0]) is not torch.nn.Linear
    a, b = f32.predict_examples(data), q8.predict_examples(data)
    assert evaluate(data, a)["entity"]["f1"] == 100.0  # the tiny model overfits its data
    assert evaluate(data, b)["entity"]["f1"] >= 90.0
    assert sum(len(x.relations) for x in b) > 0


def test_pool_range_on_random_long_ranges_and_gradients() -> None:
    """The sparse-table range max equals a plain loop on ranges of every length, and its
    gradient reaches exactly the arg-max words."""
    g = torch.Generator().manual_seed(1)
    words = torch.randn(3, 37, 4, generator=g, requires_grad=True)
    start = torch.randint(0, 37, (3, 50), generator=g)
    end = (start + torch.randint(0, 38, (3, 50), generator=g)).clamp(max=37)
    valid = torch.rand(3, 50, generator=g) > 0.1
    got = pool_range(words, start, end, valid)
    for b in range(3):
        for s in range(50):
            a, e = int(start[b, s]), int(end[b, s])
            want = words[b, a:e].max(0).values if e > a and valid[b, s] else torch.zeros(4)
            assert torch.equal(got[b, s], want)
    got[0, 0].sum().backward()
    a, e = int(start[0, 0]), int(end[0, 0])
    if e > a and valid[0, 0]:
        grad = words.grad[0]
        assert grad.sum() == pytest.approx(4.0) and grad[:a].abs().sum() == 0 and grad[e:].abs().sum() == 0


def test_full_fine_tuning_saves_a_compact_float16_encoder(tiny_base: Path, data: list[Example],
                                                           tmp_path: Path) -> None:
    """--full keeps the base's word embeddings (frozen, not saved) and stores the rest of the
    encoder as float16; the model in memory is the saved one, so a reload predicts identically."""
    base_state = load_file(str(tiny_base / "model.safetensors"))
    enc, _ = train(_cfg(tiny_base, epochs=2), data, data[:2], out_dir=tmp_path / "m")
    saved = load_file(str(tmp_path / "m" / "encoder.safetensors"))
    assert not any("word_embeddings" in k for k in saved)
    assert saved and all(v.dtype == torch.float16 for v in saved.values() if v.is_floating_point())
    assert not (tmp_path / "m" / "encoder").exists()
    word = enc.model.encoder.get_input_embeddings().weight
    base_word = next(v for k, v in base_state.items() if "word_embeddings" in k)
    assert torch.equal(word, base_word)  # frozen during training
    moved = [k for k, v in saved.items() if k in base_state and v.dtype == torch.float16
             and not torch.allclose(v.float(), base_state[k].half().float())]
    assert moved  # the rest of the encoder was trained
    again = Encoder.from_pretrained(tmp_path / "m")
    sents = [["John", "Smith", "works", "for", "Acme", "Corp", "."], ["Mary", "Jones", "lives", "in", "Paris", "."]]
    assert enc.predict_tokens(sents) == again.predict_tokens(sents)
    # --train-word-embeddings: the whole encoder as a Hugging Face directory, embeddings trained
    enc2, _ = train(_cfg(tiny_base, epochs=1, train_word_embeddings=True), data, None, out_dir=tmp_path / "w")
    assert (tmp_path / "w" / "encoder" / "config.json").is_file() and not (tmp_path / "w" / "encoder.safetensors").exists()
    assert not torch.equal(enc2.model.encoder.get_input_embeddings().weight, base_word)


def test_compact_encoder_file_errors(tiny_base: Path, data: list[Example], tmp_path: Path) -> None:
    train(_cfg(tiny_base, epochs=1), data, None, out_dir=tmp_path / "m")
    (tmp_path / "m" / "encoder.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(EncoderError, match="KGA305|corrupt"):
        Encoder.from_pretrained(tmp_path / "m")
    (tmp_path / "m" / "encoder.safetensors").unlink()
    with pytest.raises(EncoderError, match="missing"):
        Encoder.from_pretrained(tmp_path / "m")


def test_precision_bfloat16_predicts_like_float32(overfit: tuple[Encoder, Path], data: list[Example]) -> None:
    _enc, out = overfit
    f32 = Encoder.from_pretrained(out, precision="float32")
    bf16 = Encoder.from_pretrained(out, precision="bfloat16")
    assert f32.effective_precision() == "float32" and bf16.effective_precision() == "bfloat16"
    a, b = f32.predict_examples(data), bf16.predict_examples(data)
    assert evaluate(data, b)["entity"]["f1"] == pytest.approx(evaluate(data, a)["entity"]["f1"], abs=1e-6)
    for x, y in zip(a, b):  # same decisions, scores within bfloat16 rounding
        assert [(e.start, e.end, e.type) for e in x.entities] == [(e.start, e.end, e.type) for e in y.entities]
        assert all(abs(e.weight - f.weight) < 0.05 for e, f in zip(x.entities, y.entities))
    assert Encoder.from_pretrained(out).effective_precision() in ("float32", "bfloat16")  # auto
    with pytest.raises(EncoderError, match="KGA307|precision"):
        Encoder.from_pretrained(out, precision="float8")


def test_relation_threshold_per_call_leaves_the_model_alone(overfit: tuple[Encoder, Path]) -> None:
    enc, _ = overfit
    own = enc.config.relation_threshold
    sents = ["John Smith works for Acme Corp in London .", "Mary Jones lives in Paris ."]
    default = enc.propose(sents)
    everything = enc.propose(sents, relation_threshold=0.0)
    nothing = enc.propose(sents, relation_threshold=1.01)
    assert enc.config.relation_threshold == own
    assert sum(len(p.relations) for p in everything) >= sum(len(p.relations) for p in default) > 0
    assert all(not p.relations for p in nothing)
    assert [p.entities for p in everything] == [p.entities for p in default]  # entities do not depend on it


def test_near_misses_are_the_unproposed_spans_whose_best_type_reaches_the_floor(overfit: tuple[Encoder, Path]) -> None:
    """``near_miss_floor``: the spans "no entity" won but a type scored at least the floor, the
    likeliest first, overlapping no proposed entity nor each other; the proposals do not change."""
    enc, _ = overfit
    sents = ["John Smith works for Acme Corp in London .", "Mary Jones lives in Paris and Rome ."]
    plain = enc.propose(sents)
    low = enc.propose(sents, near_miss_floor=0.0)
    assert [(p.entities, p.relations, p.pairs) for p in low] == [(p.entities, p.relations, p.pairs) for p in plain]
    assert all(not p.near_misses for p in plain)
    assert sum(len(p.near_misses) for p in low) > 0
    for text, p in zip(sents, low):
        spans = [(e.start, e.end) for e in p.entities + p.near_misses]
        assert all(a[1] <= b[0] or b[1] <= a[0] for i, a in enumerate(spans) for b in spans[i + 1:])
        for e in p.near_misses:
            assert text[e.start:e.end] == e.text
            assert e.scores[0] == (e.label, e.score)  # its best type is its label
            assert 1.0 - sum(s for _, s in e.scores) > e.score - 1e-6  # "no entity" scored higher
    floor = sorted(e.score for p in low for e in p.near_misses)[-1]  # the best near miss alone reaches it
    high = enc.propose(sents, near_miss_floor=floor)
    assert [e.score for p in high for e in p.near_misses] == [floor]
    assert all(not p.near_misses for p in enc.propose(sents, near_miss_floor=1.01))
    # the token view: a fourth list per sentence only when asked for
    toks = [s.split() for s in sents]
    assert all(len(r) == 3 for r in enc.predict_tokens(toks, details=True))
    assert all(len(r) == 4 for r in enc.predict_tokens(toks, details=True, near_miss_floor=0.5))


def test_training_leaves_the_callers_random_state_as_it_was(tiny_base: Path, data: list[Example],
                                                            tmp_path: Path) -> None:
    """train() seeds torch (torch.manual_seed): the caller's own generator was reset to the
    training seed, process-wide state a library must not set."""
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train(_cfg(tiny_base, calibrate=False), data, None, out_dir=tmp_path / "m")
    assert torch.equal(torch.rand(3), expected)
