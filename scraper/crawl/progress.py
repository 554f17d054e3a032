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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scraper.models import CrawlProgress

__all__ = ["LogProgress", "progress_display"]

log = logging.getLogger("scraper.progress")


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
