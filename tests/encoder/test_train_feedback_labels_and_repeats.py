"""`kgagent train --feedback F`: what a feedback file holds is checked before any training.

Regressions:
- a label the model does not have (a hand-edited "Person" for "Peop") was told only after the
  model was loaded and the dev set scored with it (minutes with the shipped model), after the
  command had printed "fine-tuning ... on N feedback"; now it is KGA330 naming the file, the line,
  the label, a "did you mean" and the model's labels, before the model is loaded;
- a repeated line (an export appended twice, the file given as --gold too) was trained twice;
  now it trains once and the command says how many lines it dropped, and where;
- the same sentence with other labels (the agent's feedback line and a reviewer's export of it)
  was trained both ways; now it is KGA493 naming both lines, before any training.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kgagent.encoder.data import read_spert_json
from kgagent.encoder.train import train
from kgagent_cli.main import app
from support.encoder_fakes import tiny_train_config

runner = CliRunner()
FAST = ["--threads", "1", "--device", "cpu", "--epochs", "1", "--batch-size", "4"]


def line(tokens: list[str], ents: list[tuple[str, int, int]], rels: list[tuple[str, int, int]] = (),
         doc: str = "d1", sentence: int = 0) -> str:
    return json.dumps({"tokens": tokens, "entities": [{"type": t, "start": s, "end": e} for t, s, e in ents],
                       "relations": [{"type": t, "head": h, "tail": x} for t, h, x in rels],
                       "meta": {"doc": doc, "sentence": sentence, "source": "feedback"}}) + "\n"


JOHN = line(["John", "Smith", "works", "for", "Acme", "Corp", "."], [("Peop", 0, 2), ("Org", 4, 6)],
            [("Work_For", 0, 1)])
MARY = line(["Mary", "lives", "in", "Paris", "."], [("Peop", 0, 1), ("Loc", 3, 4)], doc="d2")


@pytest.fixture(scope="module")
def model(tiny_base: Path, fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = read_spert_json(fixtures / "tiny_train.json")
    out = tmp_path_factory.mktemp("fb_model") / "model"
    train(tiny_train_config(tiny_base, epochs=1, calibrate=False), data, data[:2], out_dir=out)
    return out


class _Stopped(Exception):
    pass


def _stop(seen: list[int]) -> Any:
    """A trainer that records how many examples it was given and stops there."""
    def trainer(cfg: Any, examples: list[Any], *a: Any, **k: Any) -> Any:
        seen.append(len(examples))
        raise _Stopped

    return trainer


def _run(fb: Path, model: Path, dev: Path, out: Path, *more: str) -> Any:
    return runner.invoke(app, ["train", "--feedback", str(fb), "--model", str(model), "--dev", str(dev),
                               "--out", str(out), *FAST, *more])


def test_a_label_the_model_lacks_is_told_before_the_model_is_loaded(model: Path, fixtures: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text(JOHN + line(["Mary", "lives", "in", "Paris", "."], [("Person", 0, 1), ("Loc", 3, 4)], doc="d2"))

    def no_load(*a: object, **k: object) -> None:
        raise AssertionError("the model was loaded before the labels were checked")

    monkeypatch.setattr("kgagent.encoder.pretrained.Encoder.from_pretrained", no_load)
    res = _run(fb, model, fixtures / "tiny_train.json", tmp_path / "out")
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    text = " ".join(res.output.split())
    assert text.startswith(f"error: {fb}:2: KGA330 label(s) 'Person' are not the model's own "
                           "('Person': did you mean 'Peop'?);"), text
    assert "knows Loc, Org, Peop, Kill" in text and "feedback + " not in text  # (no "fine-tuning M on N feedback")
    assert not (tmp_path / "out").exists()


def test_a_repeated_line_trains_once_and_is_told(model: Path, fixtures: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text(JOHN + MARY + JOHN + MARY)  # the export appended twice
    seen: list[int] = []
    import kgagent.encoder.train as trainer

    real = trainer.train

    def counting(cfg: Any, examples: list[Any], *a: Any, **k: Any) -> Any:
        seen.append(len(examples))
        return real(cfg, examples, *a, **k)

    monkeypatch.setattr(trainer, "train", counting)
    res = _run(fb, model, fixtures / "tiny_train.json", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert seen == [2]
    text = " ".join(res.output.split())
    assert f"dropped 2 repeated feedback line(s), trained once ({fb}:3 repeats {fb}:1; {fb}:4 repeats {fb}:2)" \
        in text, text
    assert "on 2 feedback + 0 gold examples" in text


def test_the_feedback_file_given_as_gold_too_trains_once(model: Path, fixtures: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text(JOHN + MARY)
    seen: list[int] = []
    monkeypatch.setattr("kgagent.encoder.train.train", _stop(seen))
    res = _run(fb, model, fixtures / "tiny_train.json", tmp_path / "out", "--gold", str(fb))
    assert seen == [2], res.output
    assert "dropped 2 repeated feedback line(s)" in " ".join(res.output.split())


def test_the_same_sentence_labelled_two_ways_names_both_lines(model: Path, fixtures: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fb = tmp_path / "fb.jsonl"
    other = line(["John", "Smith", "works", "for", "Acme", "Corp", "."], [("Peop", 0, 2), ("Loc", 4, 6)])
    fb.write_text(JOHN + MARY + other)
    monkeypatch.setattr("kgagent.encoder.pretrained.Encoder.from_pretrained", _stop([]))
    res = _run(fb, model, fixtures / "tiny_train.json", tmp_path / "out")
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    text = " ".join(res.output.split())
    assert text.startswith(f"error: {fb}:3: KGA493 labels the sentence 'John Smith works for Acme Corp .' "
                           f"otherwise than {fb}:1 does"), text
    assert "keep one of the two lines" in text


def test_the_same_words_in_two_documents_are_two_sentences(model: Path, fixtures: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fb = tmp_path / "fb.jsonl"
    fb.write_text(MARY + MARY.replace('"d2"', '"d3"'))
    seen: list[int] = []
    monkeypatch.setattr("kgagent.encoder.train.train", _stop(seen))
    res = _run(fb, model, fixtures / "tiny_train.json", tmp_path / "out")
    assert seen == [2], res.output
    assert "repeated" not in res.output
