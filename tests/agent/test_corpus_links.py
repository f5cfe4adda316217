"""A corpus directory's symbolic links: followed to files and folders alike, a link to nothing named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kgagent.corpus import read_corpus
from kgagent.errors import InputError


def _tree(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("Alpha.\n")
    (d / "sub" / "b.txt").write_text("Beta.\n")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "c.txt").write_text("Gamma.\n")
    (tmp_path / "single.txt").write_text("Delta.\n")
    os.symlink(other, d / "more")  # a folder kept elsewhere, linked in
    os.symlink(tmp_path / "single.txt", d / "one.txt")
    return d


def test_a_linked_folder_is_read_as_a_linked_file_is(tmp_path: Path) -> None:
    """Before: a link to a folder was passed over without a word (Path.rglob follows no links),
    while a link to a file was read: corpus/more/c.txt was lost."""
    d = _tree(tmp_path)
    assert [(x.id, x.text) for x in read_corpus(d)] == [
        ("a", "Alpha."), ("more/c", "Gamma."), ("one", "Delta."), ("sub/b", "Beta.")]


def test_a_link_back_up_is_no_loop_and_reads_nothing_twice(tmp_path: Path) -> None:
    d = _tree(tmp_path)
    os.symlink("..", d / "sub" / "up")
    os.symlink(d / "more", d / "other")  # the same real folder by a second way (read by the first)
    assert [x.id for x in read_corpus(d)] == ["a", "more/c", "one", "sub/b"]


def test_a_txt_link_to_nothing_is_named_not_passed_over(tmp_path: Path) -> None:
    """Before: a .txt link whose target was gone was left out without a word."""
    d = _tree(tmp_path)
    os.symlink(tmp_path / "gone.txt", d / "lost.txt")
    with pytest.raises(InputError) as err:
        list(read_corpus(d))
    assert err.value.code == "KGA407" and err.value.location.path == str(d / "lost.txt")
    assert f"a symbolic link to nothing (to {tmp_path / 'gone.txt'})" in err.value.message


def test_a_folder_without_links_reads_as_before(tmp_path: Path) -> None:
    d = tmp_path / "c"
    (d / "x" / "y").mkdir(parents=True)
    for name in ("b.txt", "a.TXT", "x/z.txt", "x/y/a.txt", "x.txt", "n.md"):
        (d / name).write_text(name + "\n")
    assert [x.id for x in read_corpus(d)] == ["a", "b", "x/y/a", "x/z", "x"]  # sorted as paths
