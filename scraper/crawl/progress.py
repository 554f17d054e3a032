"""How a running crawl shows progress: a rich bar on a terminal, plain log lines otherwise.

Both are callables taking a `CrawlProgress`, which is what `Crawler(progress=...)` expects.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from scraper.models import CleanProgress, CrawlProgress, counted, iso_utc, utc_now

__all__ = ["LogProgress", "announce_run", "clean_progress", "progress_display"]

log = logging.getLogger("scraper.progress")


def announce_run(run_id: str, *, resumed: bool) -> None:
    """The line a cron log starts a run with: which run, and whether it goes on with an earlier one."""
    log.info("run %s %s", run_id, "resumed" if resumed else "started")


class LogProgress:
    """One INFO log line at most every `interval` seconds."""

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._next = clock() + interval

    def __call__(self, progress: CrawlProgress) -> None:
        now = self._clock()
        if now < self._next:
            return
        self._next = now + self._interval
        log.info("%d of %d URLs done: %s", progress.done, progress.discovered, progress.counts())


@contextmanager
def progress_display(stream: TextIO) -> Iterator[Callable[[CrawlProgress], None]]:
    """A progress bar on `stream` when it is a terminal, else periodic log lines."""
    if not stream.isatty():
        yield LogProgress()
        return
    columns = (
        TextColumn("crawling"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("crawl", total=None, counts=CrawlProgress().counts())

        def update(progress: CrawlProgress) -> None:
            bar.update(task, completed=progress.done, total=progress.discovered, counts=progress.counts())

        yield update


class _CleanLines:
    """`clean -o` without a terminal: a timestamped line at most every `interval` seconds, with the
    time left when the run reads local input (reckoned from the bytes read)."""

    def __init__(
        self, stream: TextIO, total: int, total_bytes: int, interval: float, clock: Callable[[], float]
    ) -> None:
        self._stream, self._total, self._bytes = stream, total, total_bytes
        self._interval, self._clock = interval, clock
        self._start = clock()
        self._next = self._start + interval
        self._first_read: int | None = None  # what a resumed run had read before it started

    def __call__(self, progress: CleanProgress) -> None:
        if self._first_read is None:
            self._first_read = progress.read
        now = self._clock()
        if now < self._next:
            return
        self._next = now + self._interval
        elapsed = max(now - self._start, 1e-9)
        line = (
            f"{iso_utc(utc_now())} cleaned {counted(progress.pages, 'page')} "
            f"({progress.pages / elapsed:.1f} pages/s), {progress.inputs} of {counted(self._total, 'input')}"
        )
        if self._bytes:
            line += f", {_bytes_read(progress.read, self._bytes)} read"
            speed = (progress.read - self._first_read) / elapsed
            if speed > 0:
                left = max(self._bytes - progress.read, 0) / speed
                line += f", {int(left) // 3600}:{int(left) % 3600 // 60:02d}:{int(left) % 60:02d} left"
        self._stream.write(f"{line}\n")
        self._stream.flush()


def _bytes_read(count: int, total: int) -> str:
    """`count` of `total` bytes in the unit of the total ("10.0 of 50.0 MB", "512 of 2,048 bytes"),
    so a small input does not read "0.0 of 0.0 MB"."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if total >= size:
            return f"{count / size:.1f} of {total / size:.1f} {unit}"
    return f"{count:,} of {total:,} bytes"


@contextmanager
def clean_progress(
    stream: TextIO,
    total: int,
    *,
    total_bytes: int = 0,
    interval: float = 10.0,
    clock: Callable[[], float] = time.monotonic,
    shown: bool = True,
) -> Iterator[Callable[[CleanProgress], None]]:
    """A `CleanProgress` callable for `clean -o`: a rich bar with pages/s and the time left on a
    terminal, else a timestamped line every `interval` s; nothing when not `shown` (--quiet). The
    bar and the time left follow the bytes read of `total_bytes` (the local inputs' sizes), so a
    single large web archive shows its progress; without local input, the `total` inputs."""
    if not shown:
        yield lambda _progress: None
        return
    if not stream.isatty():
        yield _CleanLines(stream, total, total_bytes, interval, clock)
        return
    done = DownloadColumn() if total_bytes else MofNCompleteColumn()
    columns = (
        TextColumn("cleaning"),
        BarColumn(),
        done,
        TextColumn(
            "{task.fields[inputs]} of " + str(total) + " inputs, {task.fields[pages]} pages, "
            "{task.fields[rate]:.1f} pages/s"
        ),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    start = clock()
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("clean", total=total_bytes or total, pages=0, inputs=0, rate=0.0)

        def update(progress: CleanProgress) -> None:
            rate = progress.pages / max(clock() - start, 1e-9)
            completed = progress.read if total_bytes else progress.inputs
            bar.update(task, completed=completed, pages=progress.pages, inputs=progress.inputs, rate=rate)

        yield update
