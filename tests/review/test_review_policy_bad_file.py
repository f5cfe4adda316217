"""``kgagent review OUT --policy p.json`` with a file that is no saved policy, found by fuzzing: a
JSON list used to end in AttributeError (policy.py); a NaN alpha was taken. Now KGA475 naming the
file (and the line of a JSON error), exit 2, and the server never starts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.review.policy import LinUCBPolicy
from kgagent_cli.main import app

EXTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "review" / "extract"


@pytest.mark.parametrize("text, where, words", [
    ("[]", "p.json: ", "KGA475 not a saved review policy: the file holds a list, not a JSON object"),
    ("5\n", "p.json: ", "the file holds a number, not a JSON object"),
    ('{"policy": "linucb"\n', "p.json:2:1: ", "KGA475 not a saved review policy: malformed JSON"),
])
def test_a_policy_file_that_is_no_policy_is_named(tmp_path: Path, text: str, where: str, words: str) -> None:
    shutil.copytree(EXTRACT, tmp_path / "out")
    p = tmp_path / "p.json"
    p.write_text(text)
    r = CliRunner().invoke(app, ["review", str(tmp_path / "out"), "--policy", str(p)])
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {tmp_path}/{where}") and words in last, last


@pytest.mark.parametrize("key, value, words", [
    ("alpha", float("nan"), "alpha must be a finite number, not NaN"),
    ("ridge", "1", 'ridge must be a finite number, not "1"'),
    ("A", {"x": 1}, "not a saved review policy"),
    ("updates", -1, "updates must be a count"),
])
def test_settings_and_state_that_are_no_numbers(tmp_path: Path, key: str, value, words: str) -> None:
    p = tmp_path / "p.json"
    LinUCBPolicy().save(p)
    state = json.loads(p.read_text())
    state[key] = value
    p.write_text(json.dumps(state))
    with pytest.raises(InputError, match="KGA475") as err:
        LinUCBPolicy.load(p)
    assert words in str(err.value) and err.value.location.path == str(p)
    del state[key]
    p.write_text(json.dumps(state))
    if key != "updates":
        with pytest.raises(InputError, match=f"'{key}' is missing"):
            LinUCBPolicy.load(p)
