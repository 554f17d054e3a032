"""Run locks: one crawl at a time per store, one `clean -o` run at a time per corpus folder,
even when cron starts the next tick early.

An exclusive, non-blocking `flock` on a lock file, held for the whole run: `<db>.lock` next to
the resolved path of the store (so symlinks lead to the same lock), `DIR/.lock` in a corpus
folder. The operating system releases it when the process ends however it ends (SIGKILL
included), so a stale lock never blocks the next run. The file holds the holder's pid, for the
message of the one refused.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from scraper.errors import LockedError, WriteError

__all__ = ["FolderLock", "crawl_lock", "lock_path"]


def lock_path(db: str | Path) -> Path:
    """`<db>.lock` beside the file the path leads to: a symlink or `..` in the path must not
    give the same store a second lock."""
    real = Path(db).resolve()
    return real.with_name(real.name + ".lock")


def _acquire(path: Path, refused: str) -> tuple[int, bool]:
    """Take the lock on `path` and write our pid in it; the open descriptor holds it, and whether
    this call made the file comes with it. Raises `LockedError` (`refused` and the holder's pid)
    at once if another process has it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd, made = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644), True
        except FileExistsError:
            fd, made = os.open(path, os.O_RDWR | os.O_CREAT, 0o644), False
    except OSError as exc:
        raise WriteError(f"{path}: cannot open the lock file: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise LockedError(f"{refused} (pid {holder})") from None
    with suppress(OSError):  # a full disk: the pid is only for the message of the one refused
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd, made


def _release(fd: int, path: Path | None = None) -> None:
    """Let the lock go; with `path`, remove the lock file first, still held (a run that failed
    leaves no file it made for nothing: `crawl --db notes.txt` refused the file but left
    `notes.txt.lock`). Only on failure: a process that opened the file before it went and takes
    the lock after could hold it beside one that makes the file anew, which on a refused store or
    folder is refused the same way."""
    if path is not None:
        with suppress(OSError):
            path.unlink()
    with suppress(OSError):
        os.ftruncate(fd, 0)
    os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def crawl_lock(db: str | Path) -> Iterator[None]:
    """Hold the crawl lock of the store at `db`; raises `LockedError` at once if another has it.
    A run that raises removes the lock file if it made it (`_release`)."""
    path = lock_path(db)
    fd, made = _acquire(path, f"another crawl holds the lock on {db}")
    try:
        yield
    except BaseException:
        _release(fd, path if made else None)
        raise
    _release(fd)


class FolderLock:
    """The lock of a corpus folder (`DIR/.lock`), held from creation to `release`: a second
    `clean -o DIR` is refused with `LockedError` instead of writing the same folder."""

    NAME = ".lock"

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.NAME
        fd, self._made = _acquire(self.path, f"another run holds this folder: {folder}")
        self._fd: int | None = fd

    def release(self, *, failed: bool = False) -> None:
        """Let the folder go; calling it again does nothing. `failed`: the run refused the folder
        or failed, and a lock file it made goes too (`_release`)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _release(fd, self.path if failed and self._made else None)
