"""`kgagent explain --out X` read whatever X was as a decisions file: a random file gave
"KGA451 not a JSON line" or, for an id, "KGA415 no decision 'd:12' in notes.txt"; a corpus or
a claims file "no decision with verdict accept in claims.jsonl", as if it were an extraction
with no such decision. Now a --out that is not an extraction's output (a folder without
decisions.jsonl, a file whose first line is not a decision) is KGA450 saying so, what the file
looks like, and what explain reads; exit 2, one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kgagent.errors import InputError
from kgagent.explain import check_extraction_output
from support.cli import run

EXPECTED = "give the folder `kgagent extract --out DIR` wrote (DIR/decisions.jsonl in it), or that decisions.jsonl"


@pytest.mark.parametrize("name, content, why", [
    ("notes.txt", "hello\n", "its line 1 is not JSON (a decision is one JSON object a line)"),
    ("claims.jsonl", '\n{"head": "Boston", "predicate": "located_in", "tail": "Texas"}\n',
     "its line 2 is a claim (a file of claims for `kgagent validate`), not a decision"),
    ("claims.json", '["Boston", "located_in", "Texas"]\n',
     "its line 1 is a claim (a file of claims for `kgagent validate`), not a decision"),
    ("corpus.jsonl", '{"id": "a", "text": "Boston lies in Texas."}\n',
     "its line 1 is a document (a corpus for `kgagent extract`), not a decision"),
    ("empty.jsonl", "", "the file is empty"),
    ("blob.bin", b"\xff\xfe\x00junk\n", "it is not text (not UTF-8)"),
])
def test_a_file_that_is_no_extraction_is_said_to_be_none(extracted: Path, tmp_path: Path, name: str,
                                                          content: str | bytes, why: str) -> None:
    f = tmp_path / name
    f.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(InputError) as err:
        check_extraction_output(f)
    assert err.value.code == "KGA450" and err.value.message == f"not an extraction's output: {why}; {EXPECTED}"
    decision = (extracted / "decisions.jsonl").read_text().split('"id": "', 1)[1][:12]
    for args in (["--verdict", "accept"], [decision]):
        r = run("explain", *args, "--out", f)
        assert r.exit_code == 2 and r.stderr == f"error: {f}: KGA450 not an extraction's output: {why}; {EXPECTED}\n", \
            r.output


def test_a_folder_without_decisions_and_a_run_file_are_named(extracted: Path, tmp_path: Path) -> None:
    empty = tmp_path / "not_a_run"
    empty.mkdir()
    r = run("explain", "--verdict", "accept", "--out", empty)
    assert r.exit_code == 2 and r.stderr == (f"error: {empty}: KGA450 not an extraction's output: the folder has no "
                                             f"decisions.jsonl; {EXPECTED}\n"), r.output
    for name in ("graph.nq", "summary.json", "progress.jsonl"):
        r = run("explain", "--verdict", "accept", "--out", extracted / name)
        assert r.exit_code == 2 and r.stderr == (
            f"error: {extracted / name}: KGA450 not an extraction's output: {name} is a file of an extraction's "
            f"folder, not its decisions; {EXPECTED}\n"), r.output


def test_an_extractions_folder_its_decisions_and_a_copy_still_explain(extracted: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run1.jsonl"
    shutil.copy(extracted / "decisions.jsonl", copy)
    outputs = []
    for out in (extracted, extracted / "decisions.jsonl", copy):
        assert check_extraction_output(out).name in ("decisions.jsonl", "run1.jsonl")
        r = run("explain", "--verdict", "accept", "--out", out)
        assert r.exit_code == 0 and " is accepted" in r.stdout, r.output
        outputs.append(r.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
