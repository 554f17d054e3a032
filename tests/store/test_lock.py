"""The crawl lock: one crawl per store at a time, released however the holder ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.errors import LockedError
from scraper.store.lock import crawl_lock, lock_path


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
            "import sys, time; from scraper.store.lock import crawl_lock\n"
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


@pytest.mark.parametrize("through", ["symlink", "dotdot", "symlinked folder"])
def test_the_lock_is_taken_on_the_resolved_path(tmp_path: Path, through: str) -> None:
    """A store reached through a symlink, a `..` or a symlinked folder has the same lock: two
    crawls cannot share one store by naming it differently."""
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "store.db"
    real.touch()
    if through == "symlink":
        other = tmp_path / "link.db"
        other.symlink_to(real)
    elif through == "dotdot":
        other = tmp_path / "data" / ".." / "data" / "store.db"
    else:
        (tmp_path / "alias").symlink_to(tmp_path / "data")
        other = tmp_path / "alias" / "store.db"
    with (
        crawl_lock(real),
        pytest.raises(LockedError, match=r"another crawl holds the lock"),
        crawl_lock(other),
    ):
        pass
    assert lock_path(other) == lock_path(real) == real.with_name("store.db.lock")


def test_a_run_that_fails_removes_only_a_lock_file_it_made(tmp_path: Path) -> None:
    """A run that raises leaves no lock file it made for nothing; one that was there stays, and a
    run that ends well keeps its lock file (removing it could let two runs hold the store)."""
    db = tmp_path / "store.db"
    with pytest.raises(RuntimeError), crawl_lock(db):
        raise RuntimeError("refused")
    assert not lock_path(db).exists()
    with crawl_lock(db):
        pass
    assert lock_path(db).exists()
    with pytest.raises(RuntimeError), crawl_lock(db):
        raise RuntimeError("refused")
    assert lock_path(db).exists()


def test_a_crawl_refusing_a_file_that_is_no_store_leaves_no_lock_file(tmp_path: Path) -> None:
    """`crawl --db notes.txt` refuses the file (exit 2, one line naming it) and leaves no
    `notes.txt.lock` beside it."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    done = CliRunner().invoke(cli, ["crawl", "https://a.example/", "--db", str(notes)])
    assert done.exit_code == 2
    assert done.stderr.strip().endswith("notes.txt: cannot open: file is not a database")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert notes.read_text() == "my notes\n"


def test_a_store_path_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    """`crawl --db PIPE` (as `--db /dev/null`) is one line naming it, exit 2, and leaves nothing
    beside it: SQLite left a `-journal` there and said "cannot rollback - no transaction is active"."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    done = CliRunner().invoke(cli, ["crawl", "https://a.example/", "--db", str(pipe)])
    assert done.exit_code == 2
    assert done.stderr.strip().endswith(
        f"{pipe}: not a regular file (a device, a pipe or a socket): a store is a file"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]
