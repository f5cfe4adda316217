"""``kgagent feedback prune`` on a hand-edited feedback file, found by fuzzing: ``"entities": "x"``
used to end in AttributeError (loop.py, no line number); ``"rules": "x"`` was read letter by
letter. Now KGA463 naming the file, the line and what is wrong, and nothing is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.loop import prune_feedback
from kgagent_cli.main import app

EXTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "loop" / "extract"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    shutil.copytree(EXTRACT, tmp_path / "out")
    return tmp_path / "out"


def _edit_line_2(path: Path, edit) -> str:
    lines = path.read_text().splitlines()
    obj = json.loads(lines[1])
    edit(obj)
    lines[1] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n")
    return path.read_text()


@pytest.mark.parametrize("edit, words", [
    (lambda o: o.update(entities="x"), "feedback line: 'entities' must be a list"),
    (lambda o: o.update(relations=[5]), "feedback line: relations[0] must be an object"),
    (lambda o: o["entities"][0].update(start="0"), "entities[0] needs integer 'start' and 'end'"),
    (lambda o: o["entities"][0].update(rules="types.rules:3"), "entities[0] 'rules' must be a list of rule ids"),
    (lambda o: o["entities"][0].update(proof={"id": "d:e5"}), "entities[0] 'proof' must be a decision id"),
])
def test_a_hand_edited_feedback_line_is_named(out: Path, edit, words: str) -> None:
    fb = out / "feedback.jsonl"
    before = _edit_line_2(fb, edit)
    r = CliRunner().invoke(app, ["feedback", "prune", str(fb), "--rule", "rules/types.rules:3"])
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {fb}:2: KGA463 ") and words in last, last
    assert fb.read_text() == before


def test_the_library_raises_with_the_location(out: Path) -> None:
    fb = out / "feedback.jsonl"
    _edit_line_2(fb, lambda o: o.update(entities="x"))
    with pytest.raises(InputError) as err:
        prune_feedback(fb, "rules/types.rules:3")
    assert err.value.code == "KGA463" and err.value.location.path == str(fb) and err.value.location.line == 2
