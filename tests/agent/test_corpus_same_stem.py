"""Two corpus files of one name in two folders: their documents' ids (named after the file) collide."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.corpus import read_corpus
from kgagent.errors import InputError


@pytest.mark.parametrize("name, line", [("news.txt", "Alpha.\n"), ("news.jsonl", '{"text": "Alpha."}\n')])
def test_files_of_one_name_are_told_to_be_renamed(tmp_path: Path, name: str, line: str) -> None:
    """Before: 'KGA406 duplicate document id 'news#1' (first at a/news.txt:1)' and nothing on why two
    files' documents share an id, nor what to do."""
    a, b = tmp_path / "a" / name, tmp_path / "b" / name
    for p in (a, b):
        p.parent.mkdir()
        p.write_text(line)
    with pytest.raises(InputError) as err:
        list(read_corpus([a, b]))
    assert err.value.code == "KGA406" and str(err.value.location) == f"{b}:1"
    assert err.value.message == (f"duplicate document id 'news#1' (first at {a}:1): documents without an id are "
                                 f"named after their file (news#<n>), and {a} and {b} have one name; give one "
                                 "of them another name")
