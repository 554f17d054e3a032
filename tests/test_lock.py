"""The crawl lock: one crawl per store at a time, released however the holder ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.crawl.lock import crawl_lock, lock_path
from scraper.errors import LockedError


def test_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    """While the lock is held, taking it again fails at once, naming the holder."""
    db = tmp_path / "store.db"
    with crawl_lock(db):
        assert lock_path(db).read_text().strip() == str(os.getpid())
        refused = rf"another crawl holds the lock on .*store\.db \(pid {os.getpid()}\)"
        with pytest.raises(LockedError, match=refused), crawl_lock(db):
            pass
    with crawl_lock(db):  # released on exit
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    """The operating system drops the lock of a process killed with SIGKILL."""
    db = tmp_path / "store.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from scraper.crawl.lock import crawl_lock\n"
            f"with crawl_lock({str(db)!r}):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError), crawl_lock(db):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    with crawl_lock(db):
        pass
