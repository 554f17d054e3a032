"""The Python API beyond `clean_html`: fetch-and-clean one URL, and a whole crawl run.

    fetch_and_clean(url)              -> Document   (sync)
    await fetch_and_clean_async(url)  -> Document   (async, inside your event loop)
    run_crawl(settings, sites)        -> CrawlReport (what `scraper crawl` runs; run_crawl_async too)

Both fetch under the CLI's rules: robots.txt (the page and every redirect target), per-host
pacing, the `[fetch]` size, time and retry limits. "No article" has one shape everywhere: a
`Document` with empty `text` and a `skip_reason` (junk pages, and pages without main content,
`page_type` "empty"); `NoMainContent` is never raised. A page that cannot be fetched raises a
`FetchError` (robots.txt refusals included).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence

from scraper.config import Settings, Site
from scraper.corpus import ArchivingFetcher, WarcArchive
from scraper.crawl import WORKER_MODULES, Crawler, crawl_lock
from scraper.extract import ExtractionPool, extract_document
from scraper.fetch import Fetcher, Politeness, fetch_politely
from scraper.models import CrawlProgress, CrawlReport, Document
from scraper.store import Store

__all__ = ["fetch_and_clean", "fetch_and_clean_async", "run_crawl", "run_crawl_async"]


async def fetch_and_clean_async(url: str, settings: Settings | None = None) -> Document:
    """Fetch `url` politely and extract its document (see the module docstring)."""
    settings = settings or Settings()
    # the URL the caller named may be private (a local server); where it redirects to may not
    async with Fetcher(settings.fetch, trusted=[url], sites=settings.sites) as fetcher:
        politeness = Politeness(fetcher, settings, gate=fetcher.gate, on_robots=lambda _host, _answer: None)
        page = await fetch_politely(fetcher, politeness, url)
    return extract_document(page, settings.extract_for(page.final_url or page.url))


def fetch_and_clean(url: str, settings: Settings | None = None) -> Document:
    """`fetch_and_clean_async` for code without an event loop."""
    return asyncio.run(fetch_and_clean_async(url, settings))


async def run_crawl_async(
    settings: Settings,
    sites: Sequence[Site],
    *,
    progress: Callable[[CrawlProgress], None] | None = None,
    workers: int | None = None,
    on_start: Callable[[Crawler], None] | None = None,
) -> CrawlReport:
    """One crawl run over `sites` into the store at `settings.store.path`, as `scraper crawl`
    does it: the store's crawl lock held (`LockedError` if another run has it), extraction in
    `workers` processes (default: the cores), an unfinished run of the same sites resumed.
    `on_start(crawler)` is called once the crawler exists (the CLI uses it to stop the run on
    SIGINT/SIGTERM: `crawler.stop(...)`). Store and configuration errors raise; every per-URL
    problem is in the report."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    with (
        crawl_lock(settings.store.path),
        Store(settings.store.path) as store,
        ExtractionPool(workers or cores, settings.extract, preload=WORKER_MODULES) as pool,
    ):
        async with _crawl_fetcher(settings) as fetcher:
            crawler = Crawler(settings, fetcher=fetcher, store=store, pool=pool, progress=progress)
            if on_start is not None:
                on_start(crawler)
            return await crawler.run(sites)


def run_crawl(
    settings: Settings,
    sites: Sequence[Site],
    *,
    progress: Callable[[CrawlProgress], None] | None = None,
    workers: int | None = None,
) -> CrawlReport:
    """`run_crawl_async` for code without an event loop: what `scraper crawl` runs."""
    return asyncio.run(run_crawl_async(settings, sites, progress=progress, workers=workers))


def _crawl_fetcher(settings: Settings) -> Fetcher:
    """The crawl's fetcher: one that also archives every response when `[crawl] warc_dir` is set."""
    if settings.crawl.warc_dir is None:
        return Fetcher(settings.fetch, sites=settings.sites)
    archive = WarcArchive(
        settings.crawl.warc_dir, max_bytes=settings.crawl.warc_max_bytes, user_agent=settings.fetch.user_agent
    )
    return ArchivingFetcher(settings, archive)
