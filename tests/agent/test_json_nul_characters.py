"""A NUL character written as JSON's "\\u0000" went through silently: a JSON Lines corpus document
was extracted with it in its text (and its spans), a claim was checked with it in its head; a
NUL byte in a plain-text corpus or a tab-separated claims file was always refused (KGA402). Now
every JSON input of extract and validate refuses one too, naming the file, the line and the field:
KGA404 in a corpus (as a lone surrogate is), KGA411 in a claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.claims import parse_claim, read_claims
from kgagent.corpus import read_corpus
from kgagent.errors import InputError
from support.cli import run


@pytest.mark.parametrize("record, words", [
    ({"id": "a", "text": "Bob Dole\u0000 lives in Kansas."},
     '"text" holds a NUL character (U+0000) at character 8, which is no text (binary data?)'),
    ({"id": "a\u0000b", "text": "Bob Dole lives in Kansas."},
     '"id" holds a NUL character (U+0000) at character 1, which is no text (binary data?)'),
])
def test_a_corpus_json_line_with_a_nul_is_refused_at_its_line(tmp_path: Path, record: dict, words: str) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps({"id": "ok", "text": "Fine."}) + "\n" + json.dumps(record) + "\n")
    assert "\\u0000" in f.read_text()  # JSON's escape: no NUL byte in the file
    with pytest.raises(InputError) as err:
        list(read_corpus(f))
    assert err.value.code == "KGA404" and str(err.value.location) == f"{f}:2" and err.value.message == words


@pytest.mark.parametrize("line, field", [
    ('{"head": "Bob\\u0000", "predicate": "live_in", "tail": "Kansas"}', "head"),
    ('["Bob", "live_in", "Kan\\u0000sas", 0.5]', "tail"),
    ('{"head": "Bob", "predicate": "\\u0000", "tail": "Kansas"}', "predicate"),
    ('{"head": "Bob", "predicate": "live_in", "tail": "Kansas", "tail_type": "loc\\u0000"}', "tail_type"),
])
def test_a_claims_json_line_with_a_nul_is_refused_at_its_line(tmp_path: Path, line: str, field: str) -> None:
    f = tmp_path / "claims.jsonl"
    f.write_text(line + "\n")
    with pytest.raises(InputError) as err:
        list(read_claims(f))
    assert err.value.code == "KGA411" and str(err.value.location) == f"{f}:1"
    assert f"{field} holds a NUL character (U+0000) at character " in err.value.message


def test_a_claim_given_in_a_program_with_a_nul_is_refused() -> None:
    with pytest.raises(InputError) as err:
        parse_claim(("Bob\x00", "live_in", "Kansas"), str)
    assert err.value.code == "KGA411" and err.value.message == (
        "head holds a NUL character (U+0000) at character 3, which is no text")


def test_extract_and_validate_say_so_in_one_line(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "x", "text": "Bob Dole\\u0000 lives in Kansas."}\n')
    out = tmp_path / "out"
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1 and r.stderr.strip() == (
        f'error: {corpus}:1: KGA404 "text" holds a NUL character (U+0000) at character 8, which is no text '
        "(binary data?)"), r.output
    assert not out.exists()
    claims = tmp_path / "claims.jsonl"
    claims.write_text('{"head": "Boston\\u0000", "predicate": "located_in", "tail": "Massachusetts"}\n')
    r = run("validate", claims, "--graph", graph_dir)
    assert r.exit_code == 1 and r.stderr.strip() == (
        f"error: {claims}:1: KGA411 head holds a NUL character (U+0000) at character 6, which is no text"), r.output
