"""A folder unpacked from a Mac's zip file: its ._ twins (AppleDouble) are named, with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.corpus import read_corpus
from kgagent.errors import InputError


def _twin(path: Path) -> Path:
    header = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((header + b"\x00" * 4096)[:4096])  # mostly zeros: no UTF-16 either
    return path


def test_an_appledouble_twin_is_named_with_how_to_remove_it(tmp_path: Path) -> None:
    """Before: 'KGA402 binary file (NUL bytes), not text' for __MACOSX/._a.txt, a file the user
    never made and may not see (Finder hides it)."""
    twin = _twin(tmp_path / "__MACOSX" / "._a.txt")
    with pytest.raises(InputError) as err:
        list(read_corpus(twin))
    assert err.value.code == "KGA402" and err.value.location.path == str(twin)
    assert err.value.message == ("a macOS AppleDouble file (the ._ twin a Mac writes beside a file on other disks "
                                 "and in zip files), not text: delete the ._ files (find DIR -name '._*' -delete) "
                                 "and __MACOSX folders")


def test_a_folder_leaves_out_hidden_files_and_folders(tmp_path: Path) -> None:
    """A folder read as a corpus read its ._ twins (refused: KGA402) and a notebook's
    .ipynb_checkpoints/ copies of its documents (each extracted twice, under another id). Names
    with a leading dot are hidden, and left out as `ls` leaves them."""
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("Alpha.\n")
    (d / "sub" / "b.txt").write_text("Beta.\n")
    _twin(d / "__MACOSX" / "._a.txt")
    _twin(d / "sub" / "._b.txt")
    (d / ".ipynb_checkpoints").mkdir()
    (d / ".ipynb_checkpoints" / "a-checkpoint.txt").write_text("Alpha.\n")
    (d / ".notes.txt").write_text("mine\n")
    assert [(doc.id, doc.text) for doc in read_corpus(d)] == [("a", "Alpha."), ("sub/b", "Beta.")]


def test_one_file_read_twice_is_refused(tmp_path: Path) -> None:
    """`kgagent extract d d/a.txt` extracted a.txt twice, as "a" and as "a#1": its facts twice in
    the graph. A file reached by two paths (a folder and a file in it, a link) is KGA406."""
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.txt").write_text("Alpha.\n")
    (tmp_path / "link.txt").symlink_to(d / "a.txt")
    for paths in ([d, d / "a.txt"], [d / "a.txt", tmp_path / "link.txt"]):
        with pytest.raises(InputError) as err:
            list(read_corpus(paths))
        assert err.value.code == "KGA406" and err.value.location.path == str(paths[1])
        assert err.value.message.startswith(f"the file is read twice, also as {d / 'a.txt'}")
