"""Progress display: log lines at a steady pace when stderr is not a terminal."""

from __future__ import annotations

import io
import logging

import pytest

from scraper.crawl.progress import LogProgress, progress_display
from scraper.models import CrawlProgress
from tests.clock import Clock


def test_log_lines_at_most_every_interval(caplog: pytest.LogCaptureFixture) -> None:
    """Updates between two intervals are folded into the next line."""
    clock = Clock(0.0)
    show = LogProgress(interval=10.0, clock=clock)
    caplog.set_level(logging.INFO, logger="scraper.progress")
    for second in (1, 5, 11, 12, 25):
        clock.now = second
        show(CrawlProgress(discovered=40, done=second, fetched=second, stored=1, failed=0))
    assert [r.getMessage() for r in caplog.records] == [
        "11 of 40 URLs done: fetched 11, stored 1, failed 0",
        "25 of 40 URLs done: fetched 25, stored 1, failed 0",
    ]


def test_the_log_line_names_sitemaps_and_pages_not_requested(caplog: pytest.LogCaptureFixture) -> None:
    """A URL done that is a sitemap, or a page robots.txt kept us from, is said as such: "1 of 2
    URLs done: fetched 0" read as a stall."""
    clock = Clock(0.0)
    show = LogProgress(interval=10.0, clock=clock)
    caplog.set_level(logging.INFO, logger="scraper.progress")
    clock.now = 11
    show(CrawlProgress(discovered=2, done=1, listings=1))
    clock.now = 22
    show(CrawlProgress(discovered=4, done=3, fetched=1, stored=1, unasked=1, listings=1))
    assert [r.getMessage() for r in caplog.records] == [
        "1 of 2 URLs done: fetched 0, stored 0, failed 0, sitemaps and feeds read 1",
        "3 of 4 URLs done: fetched 1, stored 1, failed 0, not requested 1, sitemaps and feeds read 1",
    ]


def test_no_terminal_means_log_lines() -> None:
    """A stream that is not a terminal gets log lines, never bar redraws."""
    stream = io.StringIO()
    with progress_display(stream) as show:
        assert isinstance(show, LogProgress)
        show(CrawlProgress(discovered=1, done=1))
    assert stream.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar() -> None:
    """On a terminal, progress is a rich bar of URLs done out of URLs found."""
    stream = Terminal()
    with progress_display(stream) as show:
        assert not isinstance(show, LogProgress)
        show(CrawlProgress(discovered=8, done=3, fetched=3, stored=2, failed=1))
    assert "crawling" in stream.getvalue()


def test_one_more_counts_a_done_url_without_changing_the_original() -> None:
    """Each finished URL adds to done and to the counters its outcome names; records stay frozen."""
    start = CrawlProgress(discovered=3, done=1, fetched=1, stored=1, failed=0)
    after = start.one_more(added=2, fetched=True, stored=False, failed=True)
    assert after == CrawlProgress(discovered=5, done=2, fetched=2, stored=1, failed=1)
    assert start.done == 1
