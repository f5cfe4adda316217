"""Regression: a NUL character (U+0000) was refused in a corpus and a claims file (0674252) but a
feedback file (`kgagent train --feedback`, `feedback prune`), a SpERT JSON file and a CoNLL file
(`kgagent.encoder.data.read_examples`) took it into a token or a label, and training went on with
it. A lone surrogate there was KGA310 at the file and line, naming the token; a NUL is now too
(a CoNLL line, whose file cannot hold a lone surrogate, is told at its line and column)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.encoder.data import read_examples, read_feedback
from kgagent.errors import KGAError
from kgagent_cli.main import app

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"
GOOD = {"tokens": ["Mary", "lives", "in", "Paris", "."], "entities": [{"type": "Peop", "start": 0, "end": 1}]}


def _feedback(path: Path, record: dict) -> Path:
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(record) + "\n")
    assert "\\u0000" in path.read_text()  # JSON's escape: no NUL byte in the file
    return path


@pytest.mark.parametrize("record, words", [
    ({"tokens": ["Bob\u0000", "lives"], "entities": []},
     "feedback record: tokens[0] holds a NUL character (U+0000) at character 3 ('Bob\\x00'), which is not text"),
    ({"tokens": ["Bob", "lives"], "entities": [{"type": "Pe\u0000op", "start": 0, "end": 1}]},
     "feedback record: entities[0] 'type' holds a NUL character (U+0000) at character 2 ('Pe\\x00op'), "
     "which is not text"),
    ({"tokens": ["Bob", "met", "Ann"], "entities": [{"type": "Peop", "start": 0, "end": 1},
                                                    {"type": "Peop", "start": 2, "end": 3}],
      "negative_relations": [{"type": "Kill\u0000", "head": 0, "tail": 1}]},
     "feedback record: negative_relations[0] 'type' holds a NUL character (U+0000) at character 4 ('Kill\\x00'), "
     "which is not text"),
])
def test_a_feedback_line_with_a_nul_is_refused_at_its_line(tmp_path: Path, record: dict, words: str) -> None:
    f = _feedback(tmp_path / "feedback.jsonl", record)
    for read in (read_feedback, read_examples):
        with pytest.raises(KGAError) as err:
            read(f)
        assert err.value.code == "KGA310" and str(err.value.location) == f"{f}:2" and err.value.message == words


def test_a_spert_record_with_a_nul_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "data.json"
    f.write_text(json.dumps([GOOD, {"tokens": ["Bob", "\u0000"], "entities": []}], indent=1))
    with pytest.raises(KGAError) as err:
        read_examples(f)
    assert err.value.code == "KGA310" and err.value.message == (
        "record 1: tokens[1] holds a NUL character (U+0000) at character 0 ('\\x00'), which is not text")


def test_a_conll_line_with_a_nul_byte_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "data.conll"
    f.write_bytes(b"Mary B-Peop\nlives O\n\nBob\x00 B-Peop\n")
    with pytest.raises(KGAError) as err:
        read_examples(f)
    assert err.value.code == "KGA310" and str(err.value.location) == f"{f}:4"
    assert err.value.message == "a NUL character (U+0000) at column 4, which is not text (binary data?)"


def test_train_feedback_says_so_in_one_line_before_any_model_is_read(tmp_path: Path) -> None:
    f = _feedback(tmp_path / "feedback.jsonl", {"tokens": ["Bob\u0000", "lives"], "entities": []})
    r = CliRunner().invoke(app, ["train", "--feedback", str(f), "--dev", str(FIX / "gold.json"),
                                 "--model", str(tmp_path / "no-model"), "--out", str(tmp_path / "m")])
    assert r.exit_code != 0 and r.stderr.strip() == (
        f"error: {f}:2: KGA310 feedback record: tokens[0] holds a NUL character (U+0000) at character 3 "
        "('Bob\\x00'), which is not text"), r.output
    assert not (tmp_path / "m").exists()
