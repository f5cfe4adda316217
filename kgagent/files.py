"""Writing files so that a crash never leaves half of one: the one atomic-write helper
(temp file in the same directory, fsync, rename, fsync the directory) and the fsynced append
that resumable outputs use.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(d / "a.json", '{"ok": true}'); (d / "a.json").read_text()
'{"ok": true}'
"""

from __future__ import annotations

import contextlib
import gzip
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kgagent.errors import StorageError


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_path(path: Path) -> Path:
    """A fresh temp name beside ``path`` (``.NAME.tmp-PID-NS``: a killed writer's leftovers are
    recognisable and never collide)."""
    return path.parent / f".{path.name}.tmp-{os.getpid()}-{time.monotonic_ns()}"


@contextlib.contextmanager
def atomic_writer(path: str | Path, gz: bool = False) -> Iterator[IO[bytes]]:
    """A binary file object whose content replaces ``path`` atomically when the block ends
    (gzip-compressed, reproducibly, with ``gz``); on an exception ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    ok = False
    try:
        with os.fdopen(fd, "wb") as raw:
            if gz:
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as zf:
                    yield zf  # type: ignore[misc]
            else:
                yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
        ok = True
        _fsync_dir(path.parent)
    finally:
        if not ok:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically; StorageError KGA551 if it cannot."""
    try:
        with atomic_writer(path) as fh:
            fh.write(text.encode("utf-8"))
    except OSError as err:
        raise StorageError(f"cannot write {path}: {err.strerror or err}", code="KGA551") from None


def atomic_write_with(path: str | Path, write: Callable[[str], None]) -> None:
    """Replace ``path`` atomically with what ``write(temp_path)`` writes (for libraries that
    write to a file name themselves, such as safetensors' ``save_file``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        write(str(tmp))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def fsync_append(path: str | Path, data: bytes) -> int:
    """Append ``data`` to ``path`` and fsync it; returns the file's new size."""
    with open(path, "ab") as fh:
        if data:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return fh.tell()
