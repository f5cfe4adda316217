"""Regression: a NUL character (U+0000) was refused in a corpus file and a claims file (KGA402,
KGA404, KGA411: 0674252) but not where the same text comes another way:

- ``Agent.extract(Document(text="a\\x00b"))`` (and ``extract_to``, ``iter_extract``, a plain
  string, a Document id) extracted it; a lone surrogate there was KGA410 naming the document and
  the character, and so is a NUL now;
- the decisions file of ``--memory`` (``TypeMemory.load``) took a NUL, and a lone surrogate, in
  an accepted entity's text, type or doc as votes; now both are KGA414 at the file's line, naming
  the field and the character (``TypeMemory.from_decisions``: naming the decision's position).

``Agent.validate`` with a claim given in Python already refused one (parse_claim, KGA411): a guard.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.memory import TypeMemory
from kgagent.schema import Document
from kgagent_cli.main import app

TEXT = "Richard Parsons works for Time Warner."


@pytest.mark.parametrize("data, words", [
    (Document(id="d1", text="Richard Parsons\x00 works for Time Warner."),
     "document 'd1': its text holds a NUL character (U+0000) at character 15, which is no text (binary data?)"),
    ("Richard\x00 Parsons works for Time Warner.",
     "document 'doc-1': its text holds a NUL character (U+0000) at character 7, which is no text (binary data?)"),
    (Document(id="d\x001", text=TEXT),
     "a Document's id must be a non-empty string; 'd\\x001' holds a NUL character (U+0000) at character 1, "
     "which is no text"),
])
def test_extract_refuses_a_nul_as_it_refuses_a_lone_surrogate(agent, data, words: str) -> None:
    with pytest.raises(InputError) as err:
        agent.extract(data)
    assert err.value.code == "KGA410" and err.value.message == words
    with pytest.raises(InputError) as err:  # the streaming API: when the document is reached (a string: doc-2)
        list(agent.iter_extract([Document(id="ok", text=TEXT), data]))
    assert err.value.code == "KGA410" and err.value.message == words.replace("'doc-1'", "'doc-2'")


def test_extract_to_refuses_a_nul_document(agent, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        agent.extract_to([Document(id="a", text="Boston\x00 is a city.")], tmp_path / "out")
    assert err.value.code == "KGA410" and "its text holds a NUL character (U+0000) at character 6" in err.value.message
    decisions = tmp_path / "out" / "decisions.jsonl"
    assert not decisions.exists() or "\\u0000" not in decisions.read_text()


@pytest.mark.parametrize("claim, field", [
    ({"head": "Richard\x00 Parsons", "predicate": "work_for", "tail": "Time Warner"}, "head"),
    (("Richard Parsons", "work_for", "Time\x00 Warner"), "tail"),
    ({"head": "Richard Parsons", "predicate": "work_for", "tail": "Time Warner", "tail_type": "org\x00"}, "tail_type"),
])
def test_validate_refuses_a_claim_with_a_nul_given_in_python(agent, claim, field: str) -> None:
    with pytest.raises(InputError) as err:
        agent.validate([claim])
    assert err.value.code == "KGA411" and err.value.message.startswith(f"claim 1: {field} holds a NUL character")


def _decisions(path: Path, **entity: str) -> Path:
    good = {"id": "d:1", "kind": "entity", "verdict": "accept", "text": "Yukos", "type": "organization", "doc": "a"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "d:2", "doc": "b", **entity}) + "\n")
    return path


@pytest.mark.parametrize("entity, words", [
    ({"text": "Yukos\x00"}, '"text" holds a NUL character (U+0000) at character 5, which is no text'),
    ({"type": "organ\x00ization"}, '"type" holds a NUL character (U+0000) at character 5, which is no text'),
    ({"doc": "b\x00"}, '"doc" holds a NUL character (U+0000) at character 1, which is no text'),
    ({"text": "Yu\ud800kos"}, '"text" holds a lone surrogate (\\ud800) at character 2, which is no text'),
])
def test_a_memory_decision_with_a_nul_is_refused_at_its_line(tmp_path: Path, entity: dict, words: str) -> None:
    f = _decisions(tmp_path / "decisions.jsonl", **entity)
    assert "\\u0000" in f.read_text() or "\\ud800" in f.read_text()  # JSON's escapes: no NUL byte in the file
    with pytest.raises(InputError) as err:
        TypeMemory.load(f)
    assert err.value.code == "KGA414" and str(err.value.location) == f"{f}:2"
    assert err.value.message == f"cannot read the memory's decisions: {words}"
    records = [json.loads(x) for x in f.read_text().splitlines()]
    with pytest.raises(InputError) as err:
        TypeMemory.from_decisions(records)
    assert err.value.code == "KGA414" and err.value.message == f"decision 2: {words}"
    # a decision that does not vote (rejected) is not read by the memory: not refused
    records[1]["verdict"] = "reject"
    assert TypeMemory.from_decisions(records).votes_for("yukos") == {"organization": 1}


def test_extract_with_such_a_memory_says_so_in_one_line(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text(TEXT + "\n")
    mem = _decisions(tmp_path / "decisions.jsonl", text="Richard\x00 Parsons", type="person")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["extract", str(corpus), "--out", str(out), "--graph", str(graph_dir),
                                 "--memory", str(mem), "-q"])
    assert r.exit_code == 2 and r.stderr.strip() == (
        f"error: {mem}:2: KGA414 cannot read the memory's decisions: \"text\" holds a NUL character (U+0000) at "
        "character 7, which is no text"), r.output
    assert not out.exists()
