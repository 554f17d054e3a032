"""A bounded same-site crawl over an injected fetcher, store and extraction pool.

Fetching runs on the event loop (I/O-bound, paced per host by the fetcher's gate);
extraction runs in a process pool (CPU-bound). The number of fetch workers bounds how many
pages are in flight, so memory stays flat however large the frontier grows.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from courlan.filters import extension_filter

from scraper.config import ExtractSettings, Settings
from scraper.errors import FetchError, NoMainContent, PermanentFetchError, ScraperError
from scraper.extract import extract
from scraper.fetch import Fetcher
from scraper.links import extract_links, host_key, normalise
from scraper.models import CrawlReport, Document, FetchedPage, Outcome, utc_now
from scraper.store import Store

log = logging.getLogger("scraper.crawl")


@dataclass(frozen=True, slots=True)
class Processed:
    """What a worker process makes of one page: a document (or why not) and its links."""

    document: Document | None
    error: ScraperError | None
    links: tuple[str, ...]


def process_page(page: FetchedPage, settings: ExtractSettings) -> Processed:
    """Extract the document and the outgoing links of one page; pure, runs in a worker."""
    links = tuple(extract_links(page.html, page.final_url or page.url or ""))
    try:
        return Processed(extract(page, settings), None, links)
    except ScraperError as exc:
        return Processed(None, exc, links)


def new_run_id() -> str:
    """Sortable and unique: UTC time of the start plus a random suffix."""
    return f"{utc_now():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class _Task:
    url: str
    depth: int


class Crawler:
    """One crawl run: start URLs in, a `CrawlReport` out, documents in the store."""

    def __init__(
        self,
        settings: Settings,
        *,
        fetcher: Fetcher,
        store: Store,
        executor: Executor | None = None,
        run_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.store = store
        self.executor = executor
        self.report = CrawlReport(run_id=run_id or new_run_id())
        self._queue: asyncio.Queue[_Task] = asyncio.Queue()
        self._seen: set[str] = set()
        self._hosts: set[str] = set()
        self._scheduled = 0

    async def run(self, start_urls: Sequence[str]) -> CrawlReport:
        for url in start_urls:
            normal = normalise(url)
            if normal is None:
                self.report.failed[url] = "not an http(s) URL"
                continue
            self._hosts.add(host_key(normal))
            self._enqueue(normal, 0)
        for site in self.settings.sites:
            self._hosts.update(site.all_hosts)
        workers = [asyncio.create_task(self._worker()) for _ in range(self._worker_count())]
        try:
            await self._queue.join()
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        self.report.finished_at = utc_now()
        return self.report

    def _worker_count(self) -> int:
        fetch = self.settings.fetch
        return max(1, min(fetch.max_connections, fetch.per_host_concurrency * max(1, len(self._hosts))))

    def _enqueue(self, url: str, depth: int) -> None:
        if url in self._seen:
            return
        self._seen.add(url)
        self._queue.put_nowait(_Task(url, depth))

    def _in_scope(self, url: str) -> bool:
        parts_host = host_key(url)
        return parts_host in self._hosts or parts_host.split(":")[0] in self._hosts

    async def _worker(self) -> None:
        while True:
            task = await self._queue.get()
            try:
                if self._scheduled >= self.settings.crawl.max_pages:
                    self.report.skipped[task.url] = "page limit reached"
                    continue
                self._scheduled += 1
                await self._visit(task)
            finally:
                self._queue.task_done()

    async def _visit(self, task: _Task) -> None:
        try:
            page = await self.fetcher.fetch(task.url)
        except PermanentFetchError as exc:
            # a link to a PDF or image is not a failure of the crawl: only start URLs must be HTML
            if task.depth > 0 and exc.reason.startswith("not HTML"):
                self.report.skipped[task.url] = exc.reason
            else:
                self.report.failed[task.url] = exc.reason
            return
        except FetchError as exc:
            self.report.failed[task.url] = exc.reason
            return
        self.report.fetched += 1
        processed = await self._process(page)
        self._follow(processed.links, task.depth)
        if isinstance(processed.error, NoMainContent):
            # hub and index pages have links but no story: worth crawling, not worth storing
            self.report.skipped[task.url] = processed.error.reason
            return
        if processed.error is not None:
            self.report.failed[task.url] = _reason(processed.error)
            return
        assert processed.document is not None
        outcome = self.store.save(processed.document, html_hash=page.html_hash, run_id=self.report.run_id)
        self.report.count(outcome.outcome)
        log.info("%s %s", outcome.outcome.value, task.url)

    async def _process(self, page: FetchedPage) -> Processed:
        settings = self.settings.extract_for(page.final_url or page.url)
        if self.executor is None:
            return process_page(page, settings)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, process_page, page, settings)

    def _follow(self, links: tuple[str, ...], depth: int) -> None:
        if not self.settings.crawl.follow_links or depth >= self.settings.crawl.max_depth:
            return
        for link in links:
            if self._in_scope(link) and extension_filter(link):
                self._enqueue(link, depth + 1)


def _reason(error: ScraperError) -> str:
    return str(getattr(error, "reason", error))


__all__ = ["Crawler", "Outcome", "Processed", "new_run_id", "process_page"]
