"""Traps a hostile site sets for a crawl, one at a time, against real servers on 127.0.0.1.

Each test here once kept a crawl running past its limits, grew it without bound, or aimed it at
other people's servers (issue 14). Every trap now ends with a recorded outcome, within
`--max-duration` (overshooting by at most 5 s) and within the run's request budgets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.config import ExtractSettings, Settings
from scraper.crawl.engine import Crawler
from scraper.crawl.frontier import crawl_sites
from scraper.extract import ExtractionPool
from scraper.fetch.client import Fetcher
from scraper.models import CrawlReport, RunStatus
from scraper.store.documents import Store
from tests.crawl.test_engine import article, crawl, db_rows, make_settings
from tests.httpserver import LocalServer, Route

# Python's punycode codec is worse than quadratic on a long run after the last "-": this payload
# takes about a minute to decode (0.7 s for 64 KB), a browser would never try
PUNYCODE_PAYLOAD = b"-" + b"abcdefgh" * 62_500  # 500 KB
OVERSHOOT = 5.0  # seconds a run may go past --max-duration
PROSE = "The committee met on Tuesday evening to discuss the dredging plans and the ferry timetable."


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractionPool]:
    """The real extraction pool with its default limits."""
    with ExtractionPool(2, ExtractSettings()) as running:
        yield running


def run_crawl(settings: Settings, url: str, pool: ExtractionPool | None) -> tuple[CrawlReport, float]:
    """One crawl through the real pool; the report and how long the run took."""

    async def go() -> CrawlReport:
        with Store(settings.store.path) as store:
            async with Fetcher(settings.fetch) as fetcher:
                crawler = Crawler(settings, fetcher=fetcher, store=store, pool=pool)
                return await crawler.run(crawl_sites(settings, (url,)))

    started = time.monotonic()
    report = asyncio.run(go())
    return report, time.monotonic() - started


def rows(settings: Settings) -> int:
    """Rows in the store's frontier table (every run's)."""
    ((count,),) = db_rows(settings, "SELECT COUNT(*) FROM frontier")
    assert isinstance(count, int)
    return count


def punycode_page(title: str) -> bytes:
    """A story declaring `punycode` in a meta tag, the payload hidden in a script."""
    head = b'<meta charset="punycode"><script>var a = "' + PUNYCODE_PAYLOAD + b'";</script>'
    return head + article(title).encode()


def test_a_punycode_charset_does_not_stall_the_crawl(
    tmp_path: Path, server: LocalServer, pool: ExtractionPool
) -> None:
    """robots.txt and pages declaring `punycode` (header or meta, 500 KB each) are read as UTF-8, a
    label no browser knows being unknown: the stories are stored and the run ends well within
    --max-duration (before: robots.txt decoded on the event loop for a minute, 81 s for a 15 s run)."""
    punycode = {"Content-Type": "text/html; charset=punycode"}
    server.routes.update(
        {
            "/robots.txt": Route(
                body=b"User-agent: *\nAllow: /\n#" + PUNYCODE_PAYLOAD,
                headers={"Content-Type": "text/plain; charset=punycode"},
            ),
            "/": Route(body=article("Home", links=("/meta", "/header"))),
            "/meta": Route(
                body=punycode_page("Declared in a meta tag"), headers={"Content-Type": "text/html"}
            ),
            "/header": Route(body=punycode_page("Declared in the header"), headers=punycode),
        }
    )
    settings = make_settings(tmp_path, max_duration=20.0)

    report, elapsed = run_crawl(settings, server.url("/"), pool)

    assert report.status is RunStatus.FINISHED
    assert (report.new, report.failed) == (3, {})
    assert elapsed < 10


def _links_page(title: str, count: int, *, prefix: str) -> str:
    return article(title, links=tuple(f"{prefix}{i}" for i in range(count)))


def test_links_taken_per_page_are_capped(tmp_path: Path, server: LocalServer) -> None:
    """A page of 5,000 links queues only the first `max_links_per_page` of them."""
    server.routes["/"] = Route(body=_links_page("Home", 5000, prefix="/p"))
    settings = make_settings(tmp_path, max_links_per_page=100, max_pages=1)

    report = crawl(settings, server.url("/"))

    assert report.discovered == 1 + 100
    assert rows(settings) == 3 + 100  # robots.txt, /sitemap.xml, the page, its first 100 links


def test_a_refused_page_queues_none_of_its_links(tmp_path: Path, server: LocalServer) -> None:
    """A page refused as too complex fails, and none of its 2,000 links is queued (before: all of them)."""
    anchors = "".join(f'<a href="/p{i}">{i}</a>' for i in range(2000))
    server.routes["/"] = Route(body=article("Home", extra="<span>x</span>" * 45_000 + anchors))
    settings = make_settings(tmp_path)

    report = crawl(settings, server.url("/"))

    assert [f.reason.split(":")[0] for f in report.failures] == ["page too complex"]
    assert report.discovered == 1
    assert rows(settings) == 3  # robots.txt, /sitemap.xml and the page


def test_the_frontier_of_a_run_is_capped(tmp_path: Path, server: LocalServer) -> None:
    """20 pages of 1,000 links each fill a frontier of `max_frontier_urls` rows and no more; the
    report says how many URLs were left out."""
    hubs = tuple(f"/hub{i}" for i in range(20))
    server.routes["/"] = Route(body=article("Home", links=hubs))
    for i, hub in enumerate(hubs):
        server.routes[hub] = Route(body=_links_page(f"Hub {i}", 1000, prefix=f"/h{i}/p"))
    settings = make_settings(tmp_path, max_frontier_urls=300, max_pages=21, max_links_per_page=1000)

    report = crawl(settings, server.url("/"))

    assert rows(settings) <= 300
    (label, left_out), *_ = report.skipped.items()
    assert label == "URLs left out: frontier full (max_frontier_urls = 300)"
    assert left_out > 10_000


def test_json_served_as_html_is_not_stored_as_an_article(tmp_path: Path, server: LocalServer) -> None:
    """An API answer served as text/html is skipped as "not HTML" (before: an article, quality 1.0)."""
    items = ", ".join(
        f'{{"id": {i}, "title": "Harbour committee item {i}", "body": "{PROSE}"}}' for i in range(30)
    )
    server.routes["/"] = Route(body=article("Home", links=("/api",)))
    server.routes["/api"] = Route(body=f'{{"items": [{items}]}}')
    settings = make_settings(tmp_path)

    report = crawl(settings, server.url("/"))

    assert report.new == 1
    assert report.skipped == {"not HTML": 1}
