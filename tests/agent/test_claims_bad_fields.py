"""Claims with fields of the wrong type, found by fuzzing ``kgagent validate``: each used to give
a traceback (``'int' object has no attribute 'strip'``, an unhashable list, a lone surrogate in
the tokenizer) or was silently read through ``str()`` (``"head": null`` became an entity called
'None', ``"predicate": ["capital"]`` the predicate "['capital']") and got a verdict. Now each is
KGA411 naming the file, the line and the field; a .json file holding one JSON array of claims is
told to be JSON Lines instead of being read as one claim of dicts as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.claims import parse_claim, read_claims
from kgagent.errors import InputError
from kgagent_cli.main import app

CLAIM = '"head": "Paris", "predicate": "capital", "tail": "France"'


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("line, words", [
    ('{"head": null, "predicate": "capital", "tail": "France"}', "KGA411 head must be a non-empty string, not null"),
    ('{"head": "Paris", "predicate": null, "tail": "France"}', "KGA411 predicate must be a non-empty string, not null"),
    ('{"head": "Paris", "predicate": "capital", "tail": {"a": 1}}', "tail must be a non-empty string, not an object"),
    ('{"head": "Paris", "predicate": ["capital"], "tail": "France"}', "predicate must be a non-empty string, not a list"),
    ('{"head": 7, "predicate": "capital", "tail": "France"}', "head must be a non-empty string, not a number (7)"),
    ('{"head": "Paris", "predicate": "", "tail": "France"}', "a claim needs a non-empty predicate"),
    ("{" + CLAIM + ', "head_type": 5}', "head_type must be a class name (a non-empty string) or null, not a number"),
    ("{" + CLAIM + ', "tail_type": ["a"]}', "tail_type must be a class name (a non-empty string) or null, not a list"),
    ("{" + CLAIM + ', "tail_type": ""}', "tail_type must be a class name"),
    ("{" + CLAIM + ', "head_type": "spaceship"}', "head_type 'spaceship' is no class of the ontology (it has "),
    ('{"head": "\\ud800", "predicate": "capital", "tail": "France"}', "head holds a lone surrogate (\\ud800)"),
    ("{" + CLAIM + ', "score": "0.5"}', "score must be a number in [0, 1], not the string '0.5'"),
    ("{" + CLAIM + ', "score": true}', "score must be a number in [0, 1], not true"),
    ('["Paris", null, "France"]', "predicate must be a non-empty string, not null"),
    ("[{" + CLAIM + "}, {" + CLAIM + "}]", "a JSON array of 2 claims; claims in a .json/.jsonl file are JSON Lines"),
])
def test_a_claim_field_of_the_wrong_type_is_named_with_file_and_line(fake_cli, graph_dir: Path, tmp_path: Path,
                                                                     line: str, words: str) -> None:
    f = tmp_path / "claims.jsonl"
    f.write_text('{"head": "Boston", "predicate": "located_in", "tail": "Massachusetts"}\n' + line + "\n")
    r = run("validate", f, "--graph", graph_dir)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {f}:2: ") and words in last, last
    assert "Traceback" not in r.output and "verdict" not in r.output


@pytest.mark.parametrize("text, where, words", [
    ("[\n {" + CLAIM + "}\n]\n", ":1:2:", "KGA404 malformed JSON: Expecting value (column 2); claims in a "
                                         ".json/.jsonl file are JSON Lines"),
    ("{\n" + CLAIM + "\n}\n", ":1:2:", "one claim (an object or a list) per line"),
])
def test_a_pretty_printed_json_file_is_told_to_be_json_lines(fake_cli, graph_dir: Path, tmp_path: Path,
                                                             text: str, where: str, words: str) -> None:
    f = tmp_path / "a.json"
    f.write_text(text)
    r = run("validate", f, "--graph", graph_dir)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {f}{where}") and words in last, last


@pytest.mark.parametrize("text, words", [
    ("Paris\t\tFrance\n", "KGA411 a claim needs a non-empty predicate"),
    ("\tcapital\tFrance\n", "KGA411 a claim needs non-empty head and tail"),
    ("Paris\tcapital\tFrance\tnan\n", "KGA411 a claim's score must lie in [0, 1]"),
])
def test_empty_tab_separated_fields_are_named(tmp_path: Path, text: str, words: str) -> None:
    f = tmp_path / "claims.tsv"
    f.write_text("Boston\tlocated_in\tMassachusetts\n" + text)
    with pytest.raises(InputError) as err:
        list(read_claims(f))
    assert str(err.value).startswith(f"{f}:2: ") and words in str(err.value)


def test_the_library_refuses_what_it_used_to_turn_into_text() -> None:
    for claim in [(None, "capital", "France"), ("Paris", ["capital"], "France"), ("Paris", "capital", 3),
                  {"head": "Paris", "predicate": "capital", "tail": "France", "head_type": 5}]:
        with pytest.raises(InputError, match="KGA411 .*must be"):
            parse_claim(claim, str)
    assert parse_claim({"head": " Paris ", "predicate": "capital", "tail": "France", "score": 1, "tail_type": None},
                       str) == ("Paris", "capital", "France", 1.0, None, None)


def test_validate_out_under_a_file_is_kga510(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """``validate --out`` under a file used to end in FileExistsError; now KGA510 and exit 2."""
    f = tmp_path / "claims.tsv"
    f.write_text("Boston\tlocated_in\tMassachusetts\n")
    out = f / "checked.jsonl"
    r = run("validate", f, "--graph", graph_dir, "--out", out)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1] == f"error: KGA510 cannot write to --out {out}: {f} is a file, not a directory"


@pytest.mark.parametrize("extra, words", [
    (', "socre": 0.1', "KGA411 a claim has no key 'socre' (did you mean 'score'?); its keys are head, predicate, "
                       "tail, score, head_type, tail_type"),
    (', "tail_typ": "person"', "KGA411 a claim has no key 'tail_typ' (did you mean 'tail_type'?)"),
    (', "source": "llm"', "KGA411 a claim has no key 'source'; its keys are"),
])
def test_a_key_no_claim_has_is_named(fake_cli, graph_dir: Path, tmp_path: Path, extra: str, words: str) -> None:
    """Before: an unknown key was ignored, so a misspelt score or type was silently no score or no
    type and the claim got a verdict without it."""
    f = tmp_path / "claims.jsonl"
    f.write_text("{" + CLAIM + extra + "}\n")
    r = run("validate", f, "--graph", graph_dir)
    assert r.exit_code == 1, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {f}:1: ") and words in last, last
    with pytest.raises(InputError, match="has no key"):  # the library's own check (Agent.validate's)
        parse_claim({"head": "Paris", "predicate": "capital", "tail": "France", "tail_typ": "city"}, str)


@pytest.mark.parametrize("value, words", [
    ("9" * 5000, "KGA404 JSON that cannot be read: Exceeds the limit (4300 digits)"),
    ("[" * 100_000 + "]" * 100_000, "KGA404 JSON nested deeper than Python's parser can read"),
])
def test_json_python_cannot_hold_is_named_by_line(fake_cli, graph_dir: Path, tmp_path: Path, value: str,
                                                  words: str) -> None:
    """Before: a traceback (ValueError of the int-to-string limit, RecursionError)."""
    f = tmp_path / "claims.jsonl"
    f.write_text("{" + CLAIM + "}\n{" + CLAIM + ', "score": ' + value + "}\n")
    r = run("validate", f, "--graph", graph_dir)
    assert r.exit_code == 1, r.output
    assert r.output.strip().splitlines()[-1].startswith(f"error: {f}:2: {words}")
