"""A JSON Lines document whose "text" or "id" is of the wrong kind is told what it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.corpus import read_corpus
from kgagent.errors import InputError


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "text": 42}', '"text" is a number, not a string'),
    ('{"id": "a", "text": null}', '"text" is null, not a string'),
    ('{"id": "a", "text": ["one", "two"]}', '"text" is a list, not a string'),
    ('{"id": "a"}', 'the object has no "text" (keys: id)'),
    ('{"ID": "a", "Text": "t"}', 'the object has no "text" (keys: ID, Text)'),
    ('{"id": null, "text": "t"}', '"id" must be a non-empty string or an integer, not null'),
    ('{"id": 1.5, "text": "t"}', '"id" must be a non-empty string or an integer, not a number'),
    ('{"id": "  ", "text": "t"}', '"id" must be a non-empty string or an integer, not a blank string'),
])
def test_a_field_of_the_wrong_kind_is_named_with_what_it_is(tmp_path: Path, line: str, message: str) -> None:
    """Before: '"text": 42', '"text": null' and a missing text were all 'the object has no "text"
    string'; a "Text" key (another case) was not pointed at; an id of null or 1.5 was not named."""
    p = tmp_path / "c.jsonl"
    p.write_text('{"id": "ok", "text": "Fine."}\n' + line + "\n")
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert err.value.code == "KGA404" and str(err.value.location) == f"{p}:2"
    assert err.value.message == message
