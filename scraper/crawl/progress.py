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
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from scraper.models import CrawlProgress, iso_utc, utc_now

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
        log.info(
            "%d of %d URLs done: fetched %d, stored %d, failed %d",
            progress.done,
            progress.discovered,
            progress.fetched,
            progress.stored,
            progress.failed,
        )


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
        TextColumn(
            "fetched {task.fields[fetched]}, stored {task.fields[stored]}, failed {task.fields[failed]}"
        ),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("crawl", total=None, fetched=0, stored=0, failed=0)

        def update(progress: CrawlProgress) -> None:
            bar.update(
                task,
                completed=progress.done,
                total=progress.discovered,
                fetched=progress.fetched,
                stored=progress.stored,
                failed=progress.failed,
            )

        yield update


class _CleanLines:
    """`clean -o` without a terminal: a timestamped line at most every `interval` seconds."""

    def __init__(self, stream: TextIO, total: int, interval: float, clock: Callable[[], float]) -> None:
        self._stream, self._total, self._interval, self._clock = stream, total, interval, clock
        self._start = clock()
        self._next = self._start + interval

    def __call__(self, pages: int, inputs: int) -> None:
        now = self._clock()
        if now < self._next:
            return
        self._next = now + self._interval
        rate = pages / max(now - self._start, 1e-9)
        stamp = iso_utc(utc_now())
        line = f"{stamp} cleaned {pages} pages ({rate:.1f} pages/s), {inputs} of {self._total} inputs"
        self._stream.write(f"{line}\n")
        self._stream.flush()


@contextmanager
def clean_progress(
    stream: TextIO,
    total: int,
    *,
    interval: float = 10.0,
    clock: Callable[[], float] = time.monotonic,
    shown: bool = True,
) -> Iterator[Callable[[int, int], None]]:
    """A `(pages, inputs)` progress callable for `clean -o`: a rich bar with pages/s and the time
    left (from inputs done of `total`) on a terminal, else a timestamped line every `interval` s;
    nothing when not `shown` (--quiet)."""
    if not shown:
        yield lambda _pages, _inputs: None
        return
    if not stream.isatty():
        yield _CleanLines(stream, total, interval, clock)
        return
    columns = (
        TextColumn("cleaning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("inputs, {task.fields[pages]} pages, {task.fields[rate]:.1f} pages/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    start = clock()
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("clean", total=total, pages=0, rate=0.0)

        def update(pages: int, inputs: int) -> None:
            rate = pages / max(clock() - start, 1e-9)
            bar.update(task, completed=inputs, pages=pages, rate=rate)

        yield update
