"""The one atomic writer and the one directory lock (kgagent.files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.errors import GraphError, StorageError
from kgagent.files import DirectoryLock, atomic_write_text, atomic_writer


def test_an_interrupted_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as fh:
            fh.write(b"half of the ne")
            raise RuntimeError("killed")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_an_unwritable_place_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError) as err:
        atomic_write_text(tmp_path / "file" / "below.txt", "y")
    assert err.value.code == "KGA551"


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    from kgagent.kg.fileio import DirectoryLock as GraphLock
    from kgagent.output import _lock

    with DirectoryLock(tmp_path, ".lock"):
        with pytest.raises(StorageError) as err:
            _lock(tmp_path)
        assert err.value.code == "KGA512" and "pid" in str(err.value)
    _lock(tmp_path).release()  # free again once the first is released
    with GraphLock(tmp_path):
        with pytest.raises(GraphError) as gerr:
            GraphLock(tmp_path).acquire()
        assert gerr.value.code == "KGA203"
