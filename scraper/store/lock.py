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


def _acquire(path: Path, refused: str) -> int:
    """Take the lock on `path` and write our pid in it; the open descriptor holds it. Raises
    `LockedError` (`refused` and the holder's pid) at once if another process has it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
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
    return fd


def _release(fd: int) -> None:
    with suppress(OSError):
        os.ftruncate(fd, 0)
    os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def crawl_lock(db: str | Path) -> Iterator[None]:
    """Hold the crawl lock of the store at `db`; raises `LockedError` at once if another has it."""
    fd = _acquire(lock_path(db), f"another crawl holds the lock on {db}")
    try:
        yield
    finally:
        _release(fd)


class FolderLock:
    """The lock of a corpus folder (`DIR/.lock`), held from creation to `release`: a second
    `clean -o DIR` is refused with `LockedError` instead of writing the same folder."""

    NAME = ".lock"

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.NAME
        self._fd: int | None = _acquire(self.path, f"another run holds this folder: {folder}")

    def release(self) -> None:
        """Let the folder go; calling it again does nothing."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _release(fd)
