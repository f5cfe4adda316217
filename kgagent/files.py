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
import shutil
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


#: beside a directory DEST being replaced: the new one written whole (``DEST.tmp-<pid>``), and the
#: old one while the two are swapped (``DEST.old-<pid>``)
SWAP_NEW, SWAP_OLD = ".tmp-", ".old-"


def swap_parts(dest: str | Path) -> tuple[list[Path], list[Path]]:
    """What swaps into ``dest`` (:func:`swapping_in`) that were cut short left beside it: the
    new folders (``DEST.tmp-*``, whole or not) and the old ones set aside (``DEST.old-*``)."""
    dest = Path(dest)
    if not dest.parent.is_dir():
        return [], []
    new = sorted(p for p in dest.parent.glob(dest.name + SWAP_NEW + "*") if p.is_dir())
    old = sorted(p for p in dest.parent.glob(dest.name + SWAP_OLD + "*") if p.is_dir())
    return new, old


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def swapping_in(dest: str | Path) -> Iterator[Path]:
    """A fresh folder beside the directory ``dest`` (``DEST.tmp-<pid>``) to write whole; when the
    block ends it takes ``dest``'s place by renames: the old ``dest`` is renamed aside
    (``DEST.old-<pid>``), the new folder renamed in, the old one removed. An exception in the
    block removes the new folder and leaves ``dest`` as it was; a kill between the two renames
    leaves no ``dest`` but both folders, which :func:`recover_swap` puts right.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> with swapping_in(d) as new:
    ...     _ = (new / "config.json").write_text("{}")
    >>> sorted(p.name for p in d.parent.iterdir()), (d / "config.json").is_file()
    (['model'], True)
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    new = dest.with_name(f"{dest.name}{SWAP_NEW}{os.getpid()}")
    _remove(new)
    new.mkdir()
    try:
        yield new
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if dest.exists() or dest.is_symlink():
        old = dest.with_name(f"{dest.name}{SWAP_OLD}{os.getpid()}")
        _remove(old)
        os.replace(dest, old)  # from here to the next rename there is no `dest`: see recover_swap
        os.replace(new, dest)
        _fsync_dir(dest.parent)
        _remove(old)
    else:
        os.replace(new, dest)
        _fsync_dir(dest.parent)


def swap_leftover(dest: str | Path, marker: str) -> Path | None:
    """The folder a swap into ``dest`` that was cut short left to take ``dest``'s place, when
    there is no ``dest``: the newest whole new one (``DEST.tmp-*`` holding ``marker``, the file a
    whole copy holds, written last), else the newest whole old one set aside (``DEST.old-*``);
    None when ``dest`` is there or nothing whole is left."""
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        return None
    new, old = swap_parts(dest)
    whole = [p for p in new if (p / marker).is_file()] or [p for p in old if (p / marker).is_file()]
    return max(whole, key=lambda p: (p / marker).stat().st_mtime_ns) if whole else None


def recover_swap(dest: str | Path, marker: str) -> Path:
    """``dest`` after what swaps into it (:func:`swapping_in`) that were cut short left. Killed
    between the two renames (or before the new folder's rename, where there was no ``dest``),
    there is no ``dest``: :func:`swap_leftover` is put in its place (the new copy, written whole,
    else the old one). The other leftovers (a half-written new folder, a set-aside old one) are
    removed. Returns ``dest``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> for name in ("model.old-1", "model.tmp-1"):
    ...     (d.parent / name).mkdir(); _ = (d.parent / name / "config.json").write_text(name)
    >>> (recover_swap(d, "config.json") / "config.json").read_text(), sorted(p.name for p in d.parent.iterdir())
    ('model.tmp-1', ['model'])
    """
    dest = Path(dest)
    new, old = swap_parts(dest)
    keep = swap_leftover(dest, marker)
    if keep is not None:
        os.replace(keep, dest)
        _fsync_dir(dest.parent)
    for leftover in new + old:
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)
    return dest


class DirectoryLock:
    """An exclusive lock on a directory for one writer (``fcntl.flock`` on ``directory/name``).

    The OS drops the lock when the process dies, so a crash never leaves a stale lock; the file
    names the holder (pid and time). ``acquire`` waits up to ``timeout`` seconds, then raises
    what ``busy(holder)`` returns (a StorageError KGA512 here; the graph's says KGA203).
    """

    def __init__(self, directory: str | Path, name: str = ".lock", timeout: float = 0.0):
        self.directory = Path(directory)
        self.name = name
        self.timeout = timeout
        self._fh: IO[str] | None = None

    @property
    def path(self) -> Path:
        return self.directory / self.name

    def busy(self, holder: str) -> Exception:
        return StorageError(f"{self.directory} is in use by another kgagent run ({holder})", code="KGA512")

    def acquire(self) -> "DirectoryLock":
        import fcntl

        if self._fh is not None:
            return self
        self.directory.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown process"
                    fh.close()
                    raise self.busy(holder) from None
                time.sleep(0.05)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S')}")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        import fcntl

        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def __enter__(self) -> "DirectoryLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def file_in_the_way(path: str | Path, *, directory: bool) -> Path | None:
    """The file that keeps ``path`` from being made: ``path`` itself when it is a file and a
    directory is wanted, else the nearest existing folder above it when that is a file
    (``tiny.ttl/x.nq``); None when nothing is in the way. Commands say so (KGA510, KGA640)
    before any work, instead of the OS's FileExistsError or NotADirectoryError after it.
    """
    path = Path(path)
    if directory and path.exists() and not path.is_dir():
        return path
    for folder in path.parents:
        if folder.exists():
            return None if folder.is_dir() else folder
    return None
