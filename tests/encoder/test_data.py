"""Readers: SpERT JSON, CoNLL columns (IOB2, IOB1, -DOCSTART-), feedback JSONL; errors name file+line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.encoder.data import (EntitySpan, RelationSpan, labels_of, read_conll, read_examples, read_feedback,
                                  read_spert_json)
from kgagent.errors import EncoderError, StorageError


def test_spert_json_fixture(fixtures: Path) -> None:
    exs = read_spert_json(fixtures / "tiny_train.json")
    assert len(exs) == 6
    assert exs[0].tokens[:2] == ["John", "Smith"]
    assert exs[0].entities == [EntitySpan(0, 2, "Peop"), EntitySpan(4, 6, "Org")]
    assert exs[0].relations == [RelationSpan(0, 1, "Work_For")]
    assert exs[0].meta["orig_id"] == 1
    assert labels_of(exs) == (["Loc", "Org", "Peop"], ["Kill", "Live_In", "Located_In", "OrgBased_In", "Work_For"])


def test_spert_json_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[\n{"tokens": ["a", "b"], "entities": [], "relations": []},\n'
                   '{"tokens": ["a"], "entities": [{"type": "Loc", "start": 0, "end": 3}], "relations": []}\n]\n')
    with pytest.raises(EncoderError) as err:
        read_spert_json(bad)
    assert f"{bad}:3" in str(err.value) and "out of range" in str(err.value)
    assert err.value.code.startswith("KGA3")


def test_spert_json_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "syntax.json"
    bad.write_text('[\n{"tokens": ["a"],\n "entities": [}\n]')
    with pytest.raises(EncoderError, match=rf"{bad}:3.*invalid JSON"):
        read_spert_json(bad)


def test_relation_must_index_entities(tmp_path: Path) -> None:
    bad = tmp_path / "rel.json"
    bad.write_text(json.dumps([{"tokens": ["a", "b"], "entities": [{"type": "X", "start": 0, "end": 1}],
                                "relations": [{"type": "R", "head": 0, "tail": 1}]}]))
    with pytest.raises(EncoderError, match="must index the 1 entities"):
        read_spert_json(bad)


def test_conll_iob2_and_docstart(fixtures: Path) -> None:
    exs = read_conll(fixtures / "tiny.conll")
    assert [len(e.tokens) for e in exs] == [7, 5, 7]
    assert exs[0].entities == [EntitySpan(0, 2, "PER"), EntitySpan(4, 6, "ORG")]
    assert exs[1].entities == [EntitySpan(0, 1, "LOC"), EntitySpan(3, 4, "LOC")]
    assert exs[2].entities == [EntitySpan(0, 2, "PER"), EntitySpan(4, 6, "LOC")]
    assert [e.meta["doc"] for e in exs] == [1, 1, 2]


def test_conll_iob1_and_adjacent_entities(tmp_path: Path) -> None:
    f = tmp_path / "iob1.txt"
    # IOB1: I- starts an entity; B- only separates two adjacent entities of one type
    f.write_text("Real I-ORG\nMadrid I-ORG\nBarcelona B-ORG\nbeat O\nU.S. I-LOC\nteam I-MISC\n")
    (ex,) = read_conll(f)
    assert ex.entities == [EntitySpan(0, 2, "ORG"), EntitySpan(2, 3, "ORG"), EntitySpan(4, 5, "LOC"),
                           EntitySpan(5, 6, "MISC")]


def test_conll_bad_tag_names_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.conll"
    f.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP X-FOO\n")
    with pytest.raises(EncoderError, match=rf"{f}:4: KGA311 bad NER tag 'X-FOO'"):
        read_conll(f)
    g = tmp_path / "onecol.conll"
    g.write_text("EU B-ORG\nrejects\n")
    with pytest.raises(EncoderError, match=rf"{g}:2"):
        read_conll(g)


def test_feedback_weights_and_negatives(tmp_path: Path) -> None:
    f = tmp_path / "feedback.jsonl"
    rec = {"tokens": ["Richard", "Parsons", "works", "for", "TimeWarner", "."],
           "entities": [{"type": "Peop", "start": 0, "end": 2, "weight": 0.9, "proof": "d:3f9a"},
                        {"type": "Org", "start": 4, "end": 5, "weight": 1.0, "proof": "d:1"}],
           "relations": [{"type": "Work_For", "head": 0, "tail": 1, "weight": 1.0, "proof": "d:77aa"}],
           "negative_entities": [{"type": "Loc", "start": 4, "end": 5, "weight": 0.5, "proof": "d:2"}],
           "negative_relations": [{"type": "Live_In", "head": 0, "tail": 1, "weight": 1.0, "proof": "d:3"}],
           "meta": {"doc": "doc-1", "sentence": 3, "text": "...", "source": "feedback"}}
    f.write_text(json.dumps(rec) + "\n\n" + json.dumps(rec) + "\n")
    exs = read_feedback(f)
    assert len(exs) == 2
    ex = exs[0]
    assert ex.entities[0] == EntitySpan(0, 2, "Peop", 0.9)
    assert ex.negative_entities == [EntitySpan(4, 5, "Loc", 0.5)]
    assert ex.negative_relations == [RelationSpan(0, 1, "Live_In", 1.0)]
    assert ex.meta["doc"] == "doc-1" and ex.meta["source"] == "feedback"
    assert read_examples(f)[1].tokens == ex.tokens


@pytest.mark.parametrize("weight", [0, 1.5, "high", -0.1])
def test_feedback_bad_weight(tmp_path: Path, weight: object) -> None:
    f = tmp_path / "fb.jsonl"
    ok = {"tokens": ["a"], "entities": [{"type": "X", "start": 0, "end": 1}]}
    bad = {"tokens": ["a"], "entities": [{"type": "X", "start": 0, "end": 1, "weight": weight}]}
    f.write_text(json.dumps(ok) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(EncoderError, match=rf"{f}:2.*weight must be a number in \(0, 1\]"):
        read_feedback(f)


def test_feedback_bad_json_line(tmp_path: Path) -> None:
    f = tmp_path / "fb.jsonl"
    f.write_text('{"tokens": []}\n{"tokens": [}\n')
    with pytest.raises(EncoderError, match=rf"{f}:2.*invalid JSON"):
        read_feedback(f)


def test_read_examples_sniffs_content(tmp_path: Path, fixtures: Path) -> None:
    a = tmp_path / "data.txt"
    a.write_text((fixtures / "tiny_train.json").read_text())
    assert len(read_examples(a)) == 6
    b = tmp_path / "cols.dat"
    b.write_text((fixtures / "tiny.conll").read_text())
    assert len(read_examples(b)) == 3
    with pytest.raises(StorageError, match="KGA503"):
        read_examples(tmp_path)


@pytest.mark.parametrize("name, data, where", [
    ("l.conll", b"Paris B-LOC\nCaf\xe9 B-LOC\n", (2, 4)),
    ("l.txt", b"Paris B-LOC\nCaf\xe9 B-LOC\n", (2, 4)),  # sniffed as CoNLL first: once a UnicodeDecodeError
    ("l.json", b'[{"tokens": ["Caf\xe9"], "entities": [], "relations": []}]', (1, 18)),
])
def test_a_data_file_that_is_not_utf8_is_named_with_line_and_column(tmp_path, name, data, where) -> None:
    """A Latin-1 file was a UnicodeDecodeError traceback in train, evaluate, init and rules tune."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(EncoderError) as err:
        read_examples(path)
    assert err.value.code == "KGA310" and err.value.location.line == where[0]
    assert f"byte 0xe9 at column {where[1]}" in str(err.value)


@pytest.mark.parametrize("reader", ["read_examples", "read_spert_json", "read_conll", "read_feedback"])
@pytest.mark.parametrize("what", ["missing", "directory"])
def test_a_data_file_that_is_not_there_is_a_storage_error(reader: str, what: str, tmp_path: Path) -> None:
    """The readers raised FileNotFoundError / IsADirectoryError: a program that catches KGAError,
    as the docs say, got a bare OSError instead."""
    import kgagent.encoder.data as data

    path = tmp_path / "train.json"
    if what == "directory":
        path.mkdir()
    with pytest.raises(StorageError) as err:
        getattr(data, reader)(path)
    expected = (f"KGA503 is a directory, expected a file: {path}" if what == "directory"
                else f"KGA502 no such file or directory: {path}")
    assert str(err.value) == expected


def test_the_cli_exits_2_for_a_data_file_that_is_not_there(tmp_path: Path) -> None:
    """The library's KGA502 reads as the OSError it replaced did: a usage error, exit 2."""
    from typer.testing import CliRunner

    from kgagent_cli.main import app

    r = CliRunner().invoke(app, ["train", str(tmp_path / "nope.json"), "--out", str(tmp_path / "m")])
    assert r.exit_code == 2 and f"error: KGA502 no such file or directory: {tmp_path / 'nope.json'}" in r.output, r.output


def test_one_span_with_two_types_is_kga310_naming_both(tmp_path: Path) -> None:
    """An entity repeated at one span with another type was read as two entities: training kept
    the last type (one class a span), scoring counted both."""
    rec = {"tokens": ["Acme", "rose"], "entities": [{"start": 0, "end": 1, "type": "Org"},
                                                   {"start": 0, "end": 1, "type": "Loc"}], "relations": []}
    path = tmp_path / "d.json"
    path.write_text(json.dumps([rec]))
    with pytest.raises(EncoderError) as err:
        read_examples(path)
    assert err.value.code == "KGA310" and err.value.location.line == 1
    assert err.value.message == ("record 0: entities[1] gives span [0, 1) the type 'Loc', but entities[0] gives it "
                                 "'Org': a span has one type")
    # the same type twice is one entity told twice; two "not" types of one span are both kept
    rec["entities"][1]["type"] = "Org"
    rec["negative_entities"] = [{"start": 1, "end": 2, "type": "Org"}, {"start": 1, "end": 2, "type": "Loc"}]
    path.write_text(json.dumps([rec]))
    (ex,) = read_examples(path)
    assert [e.type for e in ex.negative_entities] == ["Org", "Loc"]
