"""The crawl lock: one crawl at a time per store, even when cron starts the next tick early.

An exclusive, non-blocking `flock` on `<db>.lock` (next to the resolved path of the store, so
symlinks lead to the same lock), held for the whole crawl. The operating
system releases it when the process ends however it ends (SIGKILL included), so a stale lock
never blocks the next run. The file holds the holder's pid, for the message of the one refused.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scraper.errors import LockedError, WriteError

__all__ = ["crawl_lock", "lock_path"]


def lock_path(db: str | Path) -> Path:
    """`<db>.lock` beside the file the path leads to: a symlink or `..` in the path must not
    give the same store a second lock."""
    real = Path(db).resolve()
    return real.with_name(real.name + ".lock")


@contextmanager
def crawl_lock(db: str | Path) -> Iterator[None]:
    """Hold the crawl lock of the store at `db`; raises `LockedError` at once if another has it."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteError(f"{path}: cannot open the lock file: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise LockedError(f"another crawl holds the lock on {db} (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock
