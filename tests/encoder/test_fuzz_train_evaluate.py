"""`kgagent train` and `kgagent evaluate` misused: each case found by fuzzing is one clear line
with its code (and file:line where there is one), the documented exit code, never a traceback,
never a run that silently drops its input or trains nothing."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.encoder.data import read_examples
from kgagent.encoder.train import MAX_SEED, TrainConfig, _EpochPlan, check_settings
from kgagent.errors import EncoderError
from kgagent_cli.main import app

runner = CliRunner()
FAST = ["--threads", "1", "--device", "cpu"]
TOKENS = ["John", "Smith", "works", "for", "Acme", "."]


def record(**kw: object) -> dict[str, object]:
    rec: dict[str, object] = {"tokens": TOKENS, "entities": [{"type": "Peop", "start": 0, "end": 2},
                                                              {"type": "Org", "start": 4, "end": 5}],
                              "relations": [{"type": "Work_For", "head": 0, "tail": 1}]}
    rec.update(kw)
    return rec


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps(records))
    return path


@pytest.fixture(scope="module")
def model(tiny_base: Path, fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fuzz_model")
    data = fixtures / "tiny_train.json"
    res = runner.invoke(app, ["train", str(data), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(out), *FAST])
    assert res.exit_code == 0, res.output
    return out


def one_line(res, code: str, exit_code: int, *parts: str) -> None:  # type: ignore[no-untyped-def]
    assert res.exit_code == exit_code, res.output
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    line = next(ln for ln in res.output.splitlines() if ln.startswith("error: "))
    assert code in line, line
    for part in parts:
        assert part in line, (part, line)


# ----------------------------------------------------------------------------- the readers


def test_a_token_with_a_lone_surrogate_is_kga310_not_a_typeerror(tmp_path: Path, model: Path) -> None:
    data = tmp_path / "gold.json"
    data.write_text(json.dumps([record(), record(tokens=["John", "\ud800", "works", "for", "Acme", "."])]))
    with pytest.raises(EncoderError) as err:
        read_examples(data)
    assert err.value.code == "KGA310" and "tokens[1]" in err.value.message and "lone surrogate" in err.value.message
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(model), "--threads", "1"])
    one_line(res, "KGA310", 1, f"{data}:1", "record 1", "lone surrogate")


def test_json_nested_too_deep_is_kga310_not_a_recursionerror(tmp_path: Path, model: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    res = runner.invoke(app, ["evaluate", str(deep), "--model", str(model), "--threads", "1"])
    one_line(res, "KGA310", 1, f"{deep}:1", "nested deeper")
    feedback = tmp_path / "deep.jsonl"
    feedback.write_text(json.dumps(record()) + "\n" + '{"tokens": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    with pytest.raises(EncoderError) as err:
        read_examples(feedback)
    assert err.value.code == "KGA310" and err.value.location.line == 2


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    spert = tmp_path / "bom.json"
    spert.write_bytes(b"\xef\xbb\xbf" + json.dumps([record()]).encode())
    conll = tmp_path / "bom.conll"
    conll.write_bytes(b"\xef\xbb\xbfJohn B-PER\nSmith I-PER\n")
    sniffed = tmp_path / "bom.txt"
    sniffed.write_bytes(b"\xef\xbb\xbf" + json.dumps([record()]).encode())
    feedback = tmp_path / "bom.jsonl"
    feedback.write_bytes(b"\xef\xbb\xbf" + json.dumps(record()).encode() + b"\n")
    for path in (spert, sniffed, feedback):
        assert read_examples(path)[0].tokens == TOKENS
    assert read_examples(conll)[0].tokens == ["John", "Smith"]  # not "\ufeffJohn"


def test_evaluate_on_no_sentences_is_kga331_not_a_table_of_zeros(tmp_path: Path, model: Path) -> None:
    for name, text in (("empty.json", "[]"), ("blank.conll", "\n\n"), ("blank.jsonl", "\n")):
        data = tmp_path / name
        data.write_text(text)
        res = runner.invoke(app, ["evaluate", str(data), "--model", str(model), "--threads", "1"])
        one_line(res, "KGA331", 1, f"{data}:1", "no sentences")


# ----------------------------------------------------------------------------- training settings


@pytest.mark.parametrize("extra, words", [
    (["--lr", "-1"], "lr (learning rate)"),
    (["--lr", "nan"], "lr (learning rate)"),
    (["--lr", "inf"], "lr (learning rate)"),
    (["--head-lr", "-0.5"], "head_lr (learning rate)"),
    (["--lr", "0", "--head-lr", "0"], "nothing would be trained"),
    (["--seed", str(MAX_SEED + 1)], "seed must be a whole number from 0"),
    (["--seed", "99999999999999999999999"], "seed must be a whole number from 0"),
    (["--seed", "-1"], "seed must be a whole number from 0"),
    (["--patience", "0"], "patience must be a whole number of at least 1"),
    (["--patience", "-2"], "patience must be a whole number of at least 1"),
    (["--max-minutes", "nan"], "max_minutes must be a finite number above 0"),
    (["--max-minutes", "-1"], "max_minutes must be a finite number above 0"),
    (["--select-sample", "-4"], "select_sample must be a whole number of at least 0"),
], ids=["lr-negative", "lr-nan", "lr-inf", "head-lr-negative", "both-lr-zero", "seed-2^32", "seed-huge",
        "seed-negative", "patience-0", "patience-negative", "max-minutes-nan", "max-minutes-negative",
        "select-sample-negative"])
def test_training_settings_no_training_can_use_are_exit_2_before_anything_is_read(
        tmp_path: Path, extra: list[str], words: str) -> None:
    data = tmp_path / "missing.json"  # never read: the settings are refused first
    out = tmp_path / "m"
    res = runner.invoke(app, ["train", str(data), "--dev", str(data), "--out", str(out), *FAST, *extra])
    one_line(res, "KGA340", 2, words)
    assert not out.exists()


def test_more_threads_than_cores_is_exit_2_not_a_thread_exhaustion_crash(tmp_path: Path, model: Path) -> None:
    data = tmp_path / "t.json"
    write(data, [record()])
    res = runner.invoke(app, ["train", str(data), "--out", str(tmp_path / "m"), "--threads", "100000"])
    one_line(res, "KGA340", 2, "--threads must be a whole number from 0", "100000")
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(model), "--threads", "100000"])
    one_line(res, "KGA340", 2, "--threads")


def test_the_library_refuses_the_same_settings() -> None:
    for bad in (dict(lr=-1.0), dict(lr=float("nan")), dict(head_lr=float("inf")), dict(lr=0.0, head_lr=0.0),
                dict(seed=2**63), dict(seed=True), dict(patience=0), dict(max_minutes=0.0),
                dict(select_sample=-1), dict(num_threads=10**6)):
        with pytest.raises(EncoderError) as err:
            check_settings(TrainConfig(**bad))  # type: ignore[arg-type]
        assert err.value.code == "KGA340", bad
    check_settings(TrainConfig(lr=0.0))  # the heads alone (a frozen encoder) is a training


def test_a_learning_rate_that_ruins_the_weights_is_kga333_and_nothing_is_saved(
        tmp_path: Path, tiny_base: Path) -> None:
    data = write(tmp_path / "t.json", [record()])
    out = tmp_path / "m"
    res = runner.invoke(app, ["train", str(data), "--dev", str(data), "--base", str(tiny_base), "--full",
                              "--epochs", "1", "--lr", "1e308", "--out", str(out), *FAST])
    one_line(res, "KGA333", 1, "weights stopped being finite", "not saved")
    assert not (out / "config.json").exists()


# ----------------------------------------------------------------------------- dev and feedback


def test_an_empty_dev_file_is_kga331_not_silently_dropped(tmp_path: Path, tiny_base: Path, model: Path) -> None:
    data = write(tmp_path / "t.json", [record()])
    dev = tmp_path / "dev.json"
    dev.write_text("[]")
    res = runner.invoke(app, ["train", str(data), "--dev", str(dev), "--base", str(tiny_base), "--full",
                              "--epochs", "1", "--out", str(tmp_path / "m"), *FAST])
    one_line(res, "KGA331", 1, f"{dev}:1", "--dev file has no sentences")
    assert not (tmp_path / "m" / "config.json").exists()
    fb = tmp_path / "fb.jsonl"
    fb.write_text(json.dumps(record()) + "\n")
    res = runner.invoke(app, ["train", "--feedback", str(fb), "--model", str(model), "--dev", str(dev),
                              "--epochs", "1", "--out", str(tmp_path / "f"), *FAST])
    one_line(res, "KGA331", 1, f"{dev}:1")
    write(dev, [record(entities=[], relations=[])])  # sentences, but no entity: every F1 0
    res = runner.invoke(app, ["train", str(data), "--dev", str(dev), "--base", str(tiny_base), "--full",
                              "--epochs", "1", "--out", str(tmp_path / "m"), *FAST])
    one_line(res, "KGA331", 1, f"{dev}:1", "--dev file marks no entity")


def test_feedback_with_base_or_resume_is_refused_not_ignored(tmp_path: Path, tiny_base: Path, model: Path) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text(json.dumps(record()) + "\n")
    common = ["train", "--feedback", str(fb), "--model", str(model), "--dev", str(fb), "--out", str(tmp_path / "f"),
              *FAST]
    res = runner.invoke(app, [*common, "--base", str(tiny_base)])
    one_line(res, "KGA340", 2, "--base does not go with --feedback")
    res = runner.invoke(app, [*common, "--resume"])
    one_line(res, "KGA340", 2, "--resume does not go with --feedback")
    res = runner.invoke(app, [*common, "--full", "--no-case", "--select-sample", "5"])
    one_line(res, "KGA340", 2, "--full, --no-case and --select-sample do not go with --feedback")
    res = runner.invoke(app, ["train", "--feedback", str(fb), "--model", str(model), "--dev", str(fb), *FAST])
    one_line(res, "KGA340", 2, "--feedback needs --out")


def test_kga330_names_the_file_and_line_of_the_label_the_model_lacks(tmp_path: Path, model: Path) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text(json.dumps(record()) + "\n" + json.dumps(record(relations=[{"type": "Eats", "head": 0,
                                                                             "tail": 1}])) + "\n")
    gold = write(tmp_path / "gold.json", [record()])
    res = runner.invoke(app, ["train", "--feedback", str(fb), "--gold", str(gold), "--model", str(model),
                              "--dev", str(gold), "--epochs", "1", "--out", str(tmp_path / "f"), *FAST])
    one_line(res, "KGA330", 1, f"{fb}:2", "'Eats'", "Work_For")


# ----------------------------------------------------------------------------- manifests


def manifest(tmp_path: Path, body: str) -> Path:
    write(tmp_path / "t.json", [record(), record(tokens=["Mary", "Jones", "works", "for", "IBM", "."])])
    (tmp_path / "empty.json").write_text("[]")
    path = tmp_path / "data.toml"
    path.write_text(body)
    return path


@pytest.mark.parametrize("body, code, words", [
    ('[[source]]\nname = "a"\ntrain = "t.json"\ndev = 5\n', "KGA312", "dev must be one path"),
    ('[[source]]\nname = "a"\ntrain = "t.json"\ndev = ["t.json"]\n', "KGA312", "dev must be one path"),
    ('[[source]]\nname = "a"\ntrain = "t.json"\n[[source]]\nname = "b"\ntrain = "empty.json"\n', "KGA331",
     "source b: the training file has no sentences"),
    ('[[source]]\nname = "a"\ntrain = "t.json"\ndev = "empty.json"\n', "KGA331",
     "source a: the dev file has no sentences"),
    ('[[source]]\nname = "a"\ntrain = "."\n', "KGA312", "is a directory, not a file"),
], ids=["dev-number", "dev-list", "empty-train", "empty-dev", "train-directory"])
def test_a_manifest_source_that_would_be_dropped_is_refused(tmp_path: Path, body: str, code: str,
                                                           words: str) -> None:
    path = manifest(tmp_path, body)
    res = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m"), *FAST])
    one_line(res, code, 1, words)
    assert not (tmp_path / "m" / "config.json").exists()


def test_a_manifest_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "data.toml"
    path.write_bytes(b'[[source]]\nname = "caf\xe9"\n')
    res = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m"), *FAST])
    one_line(res, "KGA312", 1, f"{path}:2", "not UTF-8", "0xe9")


def test_a_repeat_that_rounds_to_no_sentence_still_trains_on_one() -> None:
    from kgagent.encoder.data import Example

    examples = [Example(["a"], meta={"dataset": "a"}) for _ in range(6)]
    plan = _EpochPlan(examples, {"a": 0.05})  # 0.3 of a sentence: it rounded to none, no step at all
    assert plan.size == 1 and len(plan.indexes(random.Random(0))) == 1
    assert _EpochPlan(examples, {"a": 0.5}).size == 3 and _EpochPlan(examples, {"a": 2}).size == 12


def test_a_manifest_with_a_tiny_repeat_trains(tmp_path: Path, tiny_base: Path) -> None:
    path = manifest(tmp_path, '[[source]]\nname = "a"\ntrain = "t.json"\ndev = "t.json"\nrepeat = 0.05\n')
    out = tmp_path / "m"
    res = runner.invoke(app, ["train", str(path), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(out), *FAST])
    assert res.exit_code == 0, res.output
    history = json.loads((out / "train_report.json").read_text())["history"]
    assert history[0]["loss"] > 0  # a step was taken (the loss of no batch was 0.0)


# ----------------------------------------------------------------------------- printing


def test_paths_with_brackets_and_colons_are_printed_as_written(tmp_path: Path, tiny_base: Path) -> None:
    folder = tmp_path / "[red]"
    folder.mkdir()
    data = write(folder / "t[x].json", [record()])
    out = tmp_path / "[/bold] :b:"
    res = runner.invoke(app, ["train", str(data), "--dev", str(data), "--base", str(tiny_base), "--full",
                              "--epochs", "1", "--out", str(out), *FAST])
    assert res.exit_code == 0, res.output  # was a rich MarkupError traceback after training
    assert f"model saved to {out}" in res.output and str(data) in res.output
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(out), "--threads", "1"])
    assert res.exit_code == 0, res.output
    assert str(data) in res.output


def test_lr_0_is_taken_not_replaced_by_the_default(tmp_path: Path, tiny_base: Path) -> None:
    data = write(tmp_path / "t.json", [record()])
    out = tmp_path / "m"
    res = runner.invoke(app, ["train", str(data), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--lr", "0", "--out", str(out), *FAST])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "train_report.json").read_text())["config"]["lr"] == 0.0  # was 1e-4


@pytest.fixture(scope="module")
def checkpointed(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ckpt") / "m"
    data = write(out.parent / "t.json", [record()])
    res = runner.invoke(app, ["train", str(data), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(out), *FAST])
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.parametrize("damage, words", [
    (lambda c: (c / "trainer_state.json").write_text("{bad"), "not JSON"),
    (lambda c: (c / "trainer_state.json").write_text("[]"), "not a JSON object"),
    (lambda c: (c / "trainer_state.json").write_text('{"epoch": 1}'), "no 'step'"),
    (lambda c: (c / "optimizer.safetensors").unlink(), "optimizer.safetensors is missing"),
    (lambda c: (c / "optimizer.safetensors").write_text("junk"), "optimizer state cannot be read"),
    (lambda c: (c / "trainer_state.json").write_text(
        (c / "trainer_state.json").read_text().replace('"lr": ', '"lr": -')), "its settings: lr (learning rate)"),
], ids=["not-json", "a-list", "keys-missing", "no-optimizer", "corrupt-optimizer", "negative-lr"])
def test_resume_from_a_damaged_checkpoint_is_kga332_not_a_traceback(checkpointed: Path, tmp_path: Path,
                                                                    tiny_base: Path, damage, words: str) -> None:
    import shutil

    out = tmp_path / "m"
    shutil.copytree(checkpointed, out)
    damage(out / "checkpoint")
    data = write(tmp_path / "t.json", [record()])
    res = runner.invoke(app, ["train", str(data), "--base", str(tiny_base), "--full", "--epochs", "2",
                              "--out", str(out), "--resume", *FAST])
    one_line(res, "KGA332", 1, str(out / "checkpoint"), words)


def test_a_sentence_longer_than_the_window_is_trained_on_every_window(tmp_path: Path, tiny_base: Path) -> None:
    from kgagent.encoder.data import EntitySpan, Example, RelationSpan
    from kgagent.encoder.train import window_examples

    ex = Example(["a", "b", "c", "d", "e"], [EntitySpan(0, 1, "P"), EntitySpan(3, 4, "P"), EntitySpan(4, 5, "L"),
                                              EntitySpan(1, 4, "X")],
                 [RelationSpan(1, 2, "in"), RelationSpan(0, 2, "in")], [EntitySpan(4, 5, "P")],
                 [RelationSpan(2, 1, "in")], meta={"dataset": "d"})
    first, second = window_examples(ex, [(0, 3), (3, 5)])
    assert first.tokens == ["a", "b", "c"] and [(e.start, e.end) for e in first.entities] == [(0, 1)]
    assert second.tokens == ["d", "e"] and [(e.start, e.end, e.type) for e in second.entities] == [(0, 1, "P"),
                                                                                                (1, 2, "L")]
    assert [(r.head, r.tail) for r in second.relations] == [(0, 1)]  # the pair across windows is gone
    assert [(e.start, e.end) for e in second.negative_entities] == [(1, 2)]
    assert [(r.head, r.tail) for r in second.negative_relations] == [(1, 0)]
    assert second.meta["dataset"] == "d" and window_examples(ex, [(0, 5)]) == [ex]
    # through the trainer: the tiny base's window is 128 pieces; the labels past it were dropped
    tokens = ["John"] * 300 + ["Mary", "Jones", "lives", "in", "Paris", "."]
    data = write(tmp_path / "long.json", [{"tokens": tokens, "entities": [
        {"type": "Peop", "start": 0, "end": 1}, {"type": "Peop", "start": 300, "end": 302},
        {"type": "Loc", "start": 304, "end": 305}], "relations": [{"type": "Live_In", "head": 1, "tail": 2}]}])
    out = tmp_path / "m"
    res = runner.invoke(app, ["train", str(data), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(out), *FAST])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "train_report.json").read_text())
    assert report["examples"] == 1 and report["windows"] >= 2


@pytest.mark.parametrize("key, meant", [("entites", "entities"), ("Relations", "relations"), ("entity", "entities"),
                                        ("negative_entity", "negative_entities")])
def test_a_misspelt_label_key_is_kga310_not_a_sentence_without_labels(tmp_path: Path, model: Path, key: str,
                                                                      meant: str) -> None:
    rec = record()
    rec[key] = rec.pop(meant) if meant in rec else []
    data = tmp_path / "gold.json"
    data.write_text(json.dumps([record(), rec]))
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(model), "--threads", "1"])
    one_line(res, "KGA310", 1, f"{data}:1", "record 1", f"unknown key {key!r} (did you mean {meant!r}?)")
    ok = tmp_path / "ok.json"  # a data set's own keys are no near miss
    ok.write_text(json.dumps([record(orig_id=3, doc_key="x", sentences=1, ltokens=[], id=1)]))
    assert read_examples(ok)[0].entities


def test_entities_wider_than_the_span_limit_are_counted_not_dropped_silently(tmp_path: Path,
                                                                             tiny_base: Path) -> None:
    tokens = ["the", "International", "Business", "Machines", "Corporation", "of", "New", "York", "and", "its",
              "friends", "works", "."]
    data = write(tmp_path / "wide.json", [record(), {"tokens": tokens, "entities": [
        {"type": "Org", "start": 0, "end": 11}, {"type": "Loc", "start": 6, "end": 8}], "relations": []}])
    out = tmp_path / "m"
    res = runner.invoke(app, ["train", str(data), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(out), *FAST])
    assert res.exit_code == 0, res.output
    assert "note: 1 entit(y/ies) wider than 10 words not trained on" in res.output
    assert json.loads((out / "train_report.json").read_text())["too_wide"] == 1


def test_the_same_file_as_train_and_dev_is_said(tmp_path: Path, tiny_base: Path) -> None:
    data = write(tmp_path / "t.json", [record()])
    res = runner.invoke(app, ["train", str(data), "--dev", str(tmp_path / "." / "t.json"), "--base", str(tiny_base),
                              "--full", "--epochs", "1", "--out", str(tmp_path / "m"), *FAST])
    assert res.exit_code == 0, res.output
    assert f"note: the dev file {tmp_path / '.' / 't.json'} is the training file itself" in res.output.replace("\n", " ")


def test_train_without_out_is_said_before_any_file_is_read(tmp_path: Path) -> None:
    res = runner.invoke(app, ["train", str(tmp_path / "missing.json"), *FAST])
    one_line(res, "KGA340", 2, "give --out DIR")


def test_a_manifest_given_where_a_data_file_belongs_is_said(tmp_path: Path, model: Path) -> None:
    path = manifest(tmp_path, '[[source]]\nname = "a"\ntrain = "t.json"\n')
    res = runner.invoke(app, ["evaluate", str(path), "--model", str(model), "--threads", "1"])
    one_line(res, "KGA310", 1, f"{path}:1", "a data manifest (.toml) is read by `kgagent train MANIFEST` alone")


def test_training_data_without_entities_names_its_file(tmp_path: Path, tiny_base: Path) -> None:
    data = tmp_path / "all_o.conll"
    data.write_text("a O\nb O\n\nc O\n")
    res = runner.invoke(app, ["train", str(data), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(tmp_path / "m"), *FAST])
    one_line(res, "KGA331", 1, f"{data}: KGA331 the training data has no entities")


@pytest.mark.parametrize("extra, words", [
    (["--unlabelled", "texts.txt"], "--unlabelled only goes with --rounds K"),
    (["--rules", "r/", "--graph", "g/"], "--rules, --graph only go with --rounds K"),
    (["--threshold", "0.5"], "--threshold only goes with --rounds K"),
    (["--gold", "g.json"], "--gold only goes with --feedback FILE"),
    (["--model", "m/"], "--model only goes with --feedback FILE"),
    (["--feedback-weight", "3"], "--feedback-weight only goes with --feedback FILE"),
    (["--rounds", "-1"], "--rounds must be 0 (plain training) or more, not -1"),
], ids=["unlabelled", "rules-graph", "threshold", "gold", "model", "feedback-weight", "rounds-negative"])
def test_an_option_of_another_way_of_training_is_refused_not_ignored(tmp_path: Path, extra: list[str],
                                                                     words: str) -> None:
    res = runner.invoke(app, ["train", str(tmp_path / "t.json"), "--out", str(tmp_path / "m"), *FAST, *extra])
    one_line(res, "KGA340", 2, words)


def test_evaluate_says_which_gold_labels_the_model_cannot_predict(tmp_path: Path, model: Path) -> None:
    data = write(tmp_path / "gold.json", [record(entities=[{"type": "Alien", "start": 0, "end": 2},
                                                           {"type": "Org", "start": 4, "end": 5}],
                                                 relations=[{"type": "Eats", "head": 0, "tail": 1}])])
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(model), "--threads", "1"])
    assert res.exit_code == 0, res.output
    assert "note: gold labels the model does not have (each one scored as missed): Alien, Eats" in res.output
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(model), "--threads", "1", "--json"])
    assert json.loads(res.stdout)["labels_model_lacks"] == ["Alien", "Eats"]
    res = runner.invoke(app, ["evaluate", str(write(tmp_path / "ok.json", [record()])), "--model", str(model),
                              "--threads", "1"])
    assert "note: gold labels" not in res.output


def test_train_says_which_dev_labels_no_training_sentence_has(tmp_path: Path, tiny_base: Path) -> None:
    data = write(tmp_path / "t.json", [record()])
    dev = write(tmp_path / "dev.json", [record(entities=[{"type": "Alien", "start": 0, "end": 2},
                                                         {"type": "Org", "start": 4, "end": 5}], relations=[])])
    res = runner.invoke(app, ["train", str(data), "--dev", str(dev), "--base", str(tiny_base), "--full",
                              "--epochs", "1", "--out", str(tmp_path / "m"), *FAST])
    assert res.exit_code == 0, res.output
    assert "note: dev labels no training sentence has" in res.output and "missed): Alien" in res.output


def test_a_sentence_with_thousands_of_entities_does_not_list_millions_of_pairs() -> None:
    import kgagent.encoder.train as trainer
    from kgagent.encoder.data import EntitySpan, Example, RelationSpan

    class Encoded:
        n_words = 120

    ents = [EntitySpan(s, s + w, "P") for s in range(120) for w in range(1, 11) if s + w <= 120]
    ex = Example(["john"] * 120, ents, [RelationSpan(0, 1, "R")])
    cfg = TrainConfig(neg_relations=50)
    sample = trainer.make_sample(Encoded(), ex, {"P": 0}, {"R": 0}, cfg, random.Random(0))  # type: ignore[arg-type]
    assert len(ents) ** 2 > trainer.MAX_LISTED_PAIRS  # ~1,100 entities: 1.2M pairs were listed (4,000: 1.5 GB)
    assert len(sample.pairs) == 51 and len(set(sample.pairs)) == 51 and (0, 1) in sample.pairs
    assert all(h != t for h, t in sample.pairs)
    again = trainer.make_sample(Encoded(), ex, {"P": 0}, {"R": 0}, cfg, random.Random(0))  # type: ignore[arg-type]
    assert again.pairs == sample.pairs  # seeded


def test_resume_with_options_the_checkpoint_overrides_is_refused(checkpointed: Path, tmp_path: Path,
                                                                tiny_base: Path) -> None:
    import shutil

    out = tmp_path / "m"
    shutil.copytree(checkpointed, out)
    data = write(tmp_path / "t.json", [record()])
    common = ["train", str(data), "--base", str(tiny_base), "--epochs", "2", "--out", str(out), "--resume", *FAST]
    res = runner.invoke(app, [*common, "--full", "--lr", "0.01", "--seed", "7"])
    one_line(res, "KGA340", 2, "--resume continues", "--lr 0.01 (the checkpoint's: 0.0001)",
             "--seed 7 (the checkpoint's: 42)", "drop --resume to train anew")
    res = runner.invoke(app, common)  # --lora by default, but not given: the checkpoint's --full goes on
    assert res.exit_code == 0, res.output
    assert json.loads((out / "train_report.json").read_text())["config"]["lora"] is False


def test_out_in_the_base_models_own_directory_is_refused(tmp_path: Path, tiny_base: Path) -> None:
    import shutil

    base = tmp_path / "base"
    shutil.copytree(tiny_base, base)
    before = (base / "config.json").read_text()
    data = write(tmp_path / "t.json", [record()])
    res = runner.invoke(app, ["train", str(data), "--base", str(base), "--full", "--epochs", "1",
                              "--out", str(tmp_path / "." / "base"), *FAST])
    one_line(res, "KGA510", 2, "is the --base model's own", "choose another --out")
    assert (base / "config.json").read_text() == before  # the base's config.json was overwritten: both lost


@pytest.mark.parametrize("scheme, words", [
    ("x", 'meta.annotates must be an object (entities, relations), not "x"'),
    ([1], "meta.annotates must be an object"),
    ({"entities": 5}, "meta.annotates.entities must be a list of label names, not 5"),
    ({"relations": "maybe"}, 'meta.annotates.relations must be true, false or "judged", not "maybe"'),
    ({"entity": []}, "meta.annotates: unknown key 'entity'"),
], ids=["string", "list", "entities-number", "relations-word", "unknown-key"])
def test_a_bad_annotation_scheme_is_kga310_not_a_traceback_in_training(tmp_path: Path, tiny_base: Path,
                                                                       scheme: object, words: str) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text(json.dumps(record()) + "\n" + json.dumps(record(meta={"annotates": scheme})) + "\n")
    res = runner.invoke(app, ["train", str(fb), "--base", str(tiny_base), "--full", "--epochs", "1",
                              "--out", str(tmp_path / "m"), *FAST])
    one_line(res, "KGA310", 1, f"{fb}:2", words)


def test_the_schemes_kgagent_writes_are_read(tmp_path: Path) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text("".join(json.dumps(record(meta={"annotates": s})) + "\n" for s in (
        {"entities": [], "relations": "judged"}, {"entities": ["Org", "Peop"], "relations": False}, None)))
    assert len(read_examples(fb)) == 3
