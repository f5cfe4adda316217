"""Training on several data sets at once: manifests, per-source label sets (partial labels),
no relation negatives from a source without relations, and scoring through a data set's scheme."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from kgagent.encoder.data import EntitySpan, Example, RelationSpan
from kgagent.encoder.sources import Source, allowed_labels, load_sources, mark_scheme, read_manifest
from kgagent.encoder.train import TrainConfig, _EpochPlan, batch_loss, make_sample, train
from kgagent.errors import EncoderError
from kgagent.evaluate import evaluate, merge, unmarked
from kgagent_cli.main import app

runner = CliRunner()
LABELS = ["location", "misc", "organization", "other", "person"]


def _a(n: int) -> list[Example]:
    """Source A: marks people, organisations and "other" (here: the word president) + relations."""
    s = ["the", "president", "said", "john", "smith", "works", "for", "acme", "corp", "."]
    return [Example(list(s), [EntitySpan(1, 2, "other"), EntitySpan(3, 5, "person"), EntitySpan(7, 9, "organization")],
                    [RelationSpan(1, 2, "work_for")]) for _ in range(n)]


def _b(n: int) -> list[Example]:
    """Source B: marks people, places and misc, never "other", and no relation."""
    s = ["the", "president", "said", "mary", "jones", "was", "born", "in", "paris", "."]
    return [Example(list(s), [EntitySpan(3, 5, "person"), EntitySpan(8, 9, "location")]) for _ in range(n)] + \
        [Example(["france", "is", "new", "."], [EntitySpan(0, 1, "misc")]) for _ in range(n)]


def _two_sources(scheme: bool) -> list[Example]:
    a, b = _a(3), _b(6)
    if scheme:
        mark_scheme(a, "a", ["other", "person", "organization"], True)
        mark_scheme(b, "b", ["person", "location", "misc"], False)
    return a + b


def test_allowed_labels_under_a_scheme() -> None:
    assert allowed_labels("other", {"other", "person"}, LABELS) == ["other"]  # as marked, not a narrower misc
    assert allowed_labels("person", {"other", "person"}, LABELS) == ["person"]
    assert allowed_labels(None, {"other", "person"}, LABELS) == [None, "location", "misc", "organization"]
    assert allowed_labels(None, set(LABELS), LABELS) == [None]


def test_source_without_relations_gives_no_relation_negatives() -> None:
    cfg = TrainConfig(neg_relations=100)
    enc_b = _fake_encoded(10)
    ei = {t: i for i, t in enumerate(LABELS)}
    ex = _b(1)[0]
    mark_scheme([ex], "b", ["person", "location", "misc"], False)
    sample = make_sample(enc_b, ex, ei, {"work_for": 0}, cfg, random.Random(0))
    assert sample.pairs == []
    unmarked = ex.entities  # mary jones, paris are gold; "president" (1, 2) is unmarked
    assert len(unmarked) == 2
    opts = dict(((s, e), o) for (s, e, _t, _w), o in zip(sample.spans, sample.span_options or []))
    none_or_unused = 1 | 1 << (ei["organization"] + 1) | 1 << (ei["other"] + 1)
    assert opts[(1, 2)] == none_or_unused  # may be nothing, or a class B never marks
    assert opts[(3, 5)] == 1 << (ei["person"] + 1)
    plain = make_sample(enc_b, _b(1)[0], ei, {"work_for": 0}, cfg, random.Random(0))
    assert plain.span_options is None and plain.pairs  # without a scheme: every pair a negative


def test_judged_only_examples_teach_nothing_about_the_rest_of_the_sentence() -> None:
    """A reviewer's answer (kgagent.review.export): one accepted entity, one rejected relation;
    nothing else in the sentence is a negative."""
    ei = {t: i for i, t in enumerate(LABELS)}
    ex = Example(["the", "president", "said", "john", "smith", "works", "for", "acme", "corp", "."],
                 [EntitySpan(3, 5, "person"), EntitySpan(7, 9, "organization")],
                 negative_relations=[RelationSpan(0, 1, "work_for")],
                 meta={"annotates": {"entities": [], "relations": "judged"}})
    sample = make_sample(_fake_encoded(10), ex, ei, {"work_for": 0}, TrainConfig(), random.Random(0))
    assert sample.pairs == [(0, 1)] and sample.rel_targets == [[0.0]]  # the judged pair only
    opts = dict(((s, e), o) for (s, e, _t, _w), o in zip(sample.spans, sample.span_options or []))
    assert opts[(3, 5)] == 1 << (ei["person"] + 1) and (1, 2) not in opts  # unjudged: no loss, not computed
    assert set(opts) == {(3, 5), (7, 9)}


def _fake_encoded(n: int) -> object:
    class _E:
        n_words = n
    return _E()


def test_partial_label_loss_is_cross_entropy_when_one_label_is_open(tiny_base: Path) -> None:
    cfg = TrainConfig(base=str(tiny_base), lora=False, epochs=1, batch_size=4, num_threads=1, device="cpu", seed=3)
    model_enc, _ = train(cfg, _two_sources(False), None)
    model = model_enc.model.train(False)
    ei = {t: i for i, t in enumerate(model_enc.config.entity_labels)}
    ri = {t: i for i, t in enumerate(model_enc.config.relation_labels)}
    ex = _a(1)[0]
    encd = model_enc.pieces.encode(ex.tokens)
    plain = make_sample(encd, ex, ei, ri, cfg, random.Random(0))
    every = _a(1)[0]
    mark_scheme([every], "a", model_enc.config.entity_labels, True)  # marks every label: nothing is open
    full = make_sample(encd, every, ei, ri, cfg, random.Random(0))
    assert full.span_options is None
    part = _a(1)[0]
    mark_scheme([part], "a", ["person"], True)
    partial = make_sample(encd, part, ei, ri, cfg, random.Random(0))
    with torch.no_grad():
        l_plain, _ = batch_loss(model, [plain], 0, torch.device("cpu"))
        l_full, _ = batch_loss(model, [full], 0, torch.device("cpu"))
        l_part, p = batch_loss(model, [partial], 0, torch.device("cpu"))
    assert float(l_full) == pytest.approx(float(l_plain))
    assert p["entity_loss"] < float(l_plain)  # more classes allowed: never a larger loss


def test_scheme_stops_one_data_set_teaching_the_other_wrong_negatives(tiny_base: Path) -> None:
    """B never marks "other"; merged naively it teaches that "president" is no entity and the
    model forgets A's label; under per-source schemes the model keeps it on B's sentences."""
    cfg = TrainConfig(base=str(tiny_base), lora=False, epochs=40, lr=5e-3, head_lr=5e-3, batch_size=6,
                      num_threads=1, device="cpu", seed=11, patience=100, calibrate=False)
    probe = _b(1)[:1]

    def president(examples: list[Example]) -> str | None:
        enc, _ = train(cfg, examples, None)
        (pred,) = enc.predict_examples(probe)
        return next((e.type for e in pred.entities if (e.start, e.end) == (1, 2)), None)

    assert president(_two_sources(scheme=True)) == "other"
    assert president(_two_sources(scheme=False)) is None


def test_epoch_plan_repeats_and_samples_per_source() -> None:
    exs = _two_sources(True)  # 3 of a, 12 of b
    plan = _EpochPlan(exs, {"a": 2, "b": 0.5})
    assert plan.size == 6 + 6
    one = plan.indexes(random.Random(1))
    assert len(one) == 12 and sum(1 for i in one if i < 3) == 6
    assert one == plan.indexes(random.Random(1))  # seeded
    assert _EpochPlan(exs, {}).indexes(random.Random(0)) == list(range(15))


def test_classes_a_data_set_never_marks_are_not_scored_but_their_relations_are() -> None:
    gold = [Example(["x", "y", "z"], [EntitySpan(1, 2, "other"), EntitySpan(2, 3, "person")], [RelationSpan(1, 0, "r")])]
    pred = [Example(["x", "y", "z"], [EntitySpan(0, 1, "misc"), EntitySpan(1, 2, "other"), EntitySpan(2, 3, "person")],
                    [RelationSpan(2, 1, "r"), RelationSpan(2, 0, "r")])]
    skip = unmarked(gold, pred)
    assert skip == {"misc": 1}
    m = evaluate(gold, pred, unscored=set(skip))
    assert m["entity"]["micro"]["pred"] == 2 and m["entity"]["f1"] == 100.0  # misc: not CoNLL04's to judge
    assert m["relation_strict"]["micro"]["pred"] == 2 and m["relation_strict"]["micro"]["correct"] == 1
    assert evaluate(gold, pred)["entity"]["micro"]["pred"] == 3


def test_merge_adds_counts_per_type() -> None:
    a = evaluate([Example(["x"], [EntitySpan(0, 1, "p")])], [Example(["x"], [EntitySpan(0, 1, "p")])])
    b = evaluate([Example(["y"], [EntitySpan(0, 1, "q")])], [Example(["y"], [])])
    m = merge([a, b])
    assert m["entity"]["micro"]["gold"] == 2 and m["entity"]["micro"]["correct"] == 1 and m["sentences"] == 2
    assert set(m["entity"]["per_type"]) == {"p", "q"}


# ------------------------------------------------------------------ manifests and the CLI


def _write_sources(tmp: Path) -> Path:
    (tmp / "a.json").write_text(json.dumps([{"tokens": ex.tokens, "entities": [
        {"type": {"other": "Other", "person": "Peop", "organization": "Org"}[e.type], "start": e.start, "end": e.end}
        for e in ex.entities], "relations": [{"type": "Work_For", "head": 1, "tail": 2}]} for ex in _a(2)]))
    (tmp / "b.conll").write_text("Mary B-PER\nJones I-PER\nwas O\nborn O\nin O\nParis B-LOC\n. O\n\n"
                                 "France B-MISC\nis O\nnew O\n. O\n")
    m = tmp / "data.toml"
    m.write_text('[[source]]\nname = "conll04"\ntrain = "a.json"\ndev = "a.json"\nrepeat = 2\n\n'
                 '[[source]]\nname = "conll2003"\ntrain = "b.conll"\ndev = "b.conll"\nrepeat = 0.5\n')
    return m


def test_manifest_reads_sources_relative_to_itself(tmp_path: Path) -> None:
    m = _write_sources(tmp_path)
    sources = read_manifest(m)
    assert [(s.name, s.train.name, s.repeat) for s in sources] == [("conll04", "a.json", 2.0),
                                                                   ("conll2003", "b.conll", 0.5)]
    train_ex, dev_ex = load_sources(sources, lambda lab: {"Peop": "person", "PER": "person"}.get(lab, lab.lower()))
    assert train_ex[0].meta["annotates"] == {"entities": ["org", "other", "person"], "relations": True}
    assert train_ex[-1].meta["annotates"] == {"entities": ["loc", "misc", "person"], "relations": False}
    assert {ex.meta["dataset"] for ex in dev_ex} == {"conll04", "conll2003"}


def test_a_source_may_train_on_several_files_of_its_data_set(tmp_path: Path) -> None:
    """A train+dev model: ``train`` lists the data set's files; one scheme, read in order."""
    _write_sources(tmp_path)
    m = tmp_path / "both.toml"
    m.write_text('[[source]]\nname = "conll04"\ntrain = ["a.json", "a.json"]\nrepeat = 3\n')
    (src,) = read_manifest(m)
    assert [f.name for f in src.train_files] == ["a.json", "a.json"] and src.dev is None and src.repeat == 3.0
    once, _ = load_sources(read_manifest(_write_sources(tmp_path))[:1])
    twice, _ = load_sources([src])
    assert len(twice) == 2 * len(once) and [ex.tokens for ex in twice] == [ex.tokens for ex in once] * 2
    assert {ex.meta["dataset"] for ex in twice} == {"conll04"}
    assert twice[-1].meta["annotates"] == once[0].meta["annotates"]


@pytest.mark.parametrize("body, says", [
    ('[[source]]\ntrain = "missing.json"\n', "does not exist"),
    ('[[source]]\ntrain = ["a.json", "gone.json"]\n', "train file 'gone.json' does not exist"),
    ('[[source]]\ntrain = 3\n', "needs train = \"PATH\" (or a list of paths)"),
    ('[[source]]\ntrain = "a.json"\nrepeat = -1\n', "repeat must be a number"),
    ('[[source]]\ntrain = "a.json"\nweight = 2\n', "unknown key 'weight'"),
    ('[[source]]\ntrain = "a.json"\n\n[[source]]\ntrain = "a.json"\n', "two sources share this name"),
    ('name = "x"\n', "one [[source]] table"),
])
def test_bad_manifest_names_file_and_line(tmp_path: Path, body: str, says: str) -> None:
    _write_sources(tmp_path)
    m = tmp_path / "bad.toml"
    m.write_text(body)
    with pytest.raises(EncoderError) as err:
        read_manifest(m)
    assert says in str(err.value) and err.value.code == "KGA312" and "bad.toml:" in str(err.value)


def test_cli_trains_one_model_on_two_data_sets(tiny_base: Path, tmp_path: Path) -> None:
    m = _write_sources(tmp_path)
    out = tmp_path / "model"
    res = runner.invoke(app, ["train", str(m), "--base", str(tiny_base), "--full", "--epochs", "2", "--out", str(out),
                              "--threads", "1", "--device", "cpu"])
    assert res.exit_code == 0, res.output
    assert "dev conll04:" in res.output and "dev conll2003:" in res.output
    cfg = json.loads((out / "config.json").read_text())
    # one class per meaning: CoNLL04's Peop and CoNLL-2003's PER are the domain's person
    assert cfg["entity_labels"] == ["location", "misc", "organization", "other", "person"]
    assert cfg["relation_labels"] == ["work_for"]
    report = json.loads((out / "train_report.json").read_text())
    assert set(report["dev_by_source"]) == {"conll04", "conll2003"}


def test_cli_refuses_a_label_the_domain_does_not_know(tiny_base: Path, tmp_path: Path) -> None:
    m = _write_sources(tmp_path)
    (tmp_path / "b.conll").write_text("Mary B-PER\nJones I-PER\n\nWow B-EVENT\n")
    res = runner.invoke(app, ["train", str(m), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(tmp_path / "model"), "--threads", "1", "--device", "cpu"])
    assert res.exit_code != 0
    assert "EVENT" in res.output and "b.conll:4" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "model").exists()  # nothing trained


def test_cli_broken_conll_line_in_a_manifest_names_file_and_line(tiny_base: Path, tmp_path: Path) -> None:
    m = _write_sources(tmp_path)
    (tmp_path / "b.conll").write_text("Mary B-PER\nJones I-PER\n\nParis X-LOC\n")
    res = runner.invoke(app, ["train", str(m), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(tmp_path / "model"), "--threads", "1", "--device", "cpu"])
    assert res.exit_code != 0 and "KGA311" in res.output and "b.conll:4" in res.output and "X-LOC" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "model").exists()


def test_cli_bad_manifest_is_one_line(tmp_path: Path) -> None:
    m = tmp_path / "data.toml"
    m.write_text('[[source]]\nname = "x"\ntrain = "nowhere.json"\n')
    res = runner.invoke(app, ["train", str(m), "--out", str(tmp_path / "model")])
    assert res.exit_code != 0 and "KGA312" in res.output and "data.toml:1" in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_selection_sample_is_the_same_every_epoch(tiny_base: Path) -> None:
    from kgagent.encoder.train import _dev_scores

    cfg = TrainConfig(base=str(tiny_base), lora=False, epochs=1, batch_size=4, num_threads=1, device="cpu", seed=3,
                      calibrate=False)
    enc, _ = train(cfg, _two_sources(True), None)
    dev = _two_sources(True)
    full, _, _ = _dev_scores(enc, dev, cfg)
    one, _, by = _dev_scores(enc, dev, cfg, sample=2)
    two, _, _ = _dev_scores(enc, dev, cfg, sample=2)
    assert full["sentences"] == 15 and one["sentences"] == 4 and one == two and set(by) == {"a", "b"}


def test_source_dataclass_defaults() -> None:
    s = Source("x", Path("x.json"))
    assert s.dev is None and s.repeat == 1.0
