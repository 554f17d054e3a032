"""One frontier URL in, one `Visit` out: robots.txt, the fetch, extraction, and what it came to.

No scheduling and no writes (scraper/crawl/engine.py does both): a `Visitor` reads what earlier runs
learned of a page (validators, links) from the crawl state, and says what happened:

    page     set aside? allowed? lastmod older than our last visit? -> conditional GET ->
             304: unchanged (its stored links followed) | 200: extract in the pool -> document
             (the save decides new, changed or unchanged), or no main content (links followed)
             | 404/410 of a page we had: gone | 404/410 of a URL found on a page, sitemap or feed:
             dead link | not HTML below a start URL: skipped | else failed
    sitemap  fetch (any type, gzip welcome) -> parse in the pool -> pages in scope and child sitemaps
    feed     fetch -> parse in the pool -> pages in scope

Redirect targets pass robots.txt before they are requested. Extraction and parsing run in the
extraction pool when there is one: they are CPU-bound, `process_page` / `parse_source` are pure,
and the pool bounds them in time and memory (a page over a limit fails with that reason).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from courlan.filters import extension_filter

from scraper.charset import decided
from scraper.config import ExtractSettings, Settings
from scraper.crawl.discover import Sitemap, feed_links, parse_feed, parse_sitemap
from scraper.crawl.frontier import Scope, SourceBudget
from scraper.crawl.links import extract_links
from scraper.errors import (
    DiscoveryError,
    ExtractionError,
    FetchError,
    NoMainContent,
    PermanentFetchError,
    ScraperError,
    TransientFetchError,
)
from scraper.extract import ExtractionPool, extract
from scraper.fetch import ANY_TYPE, Fetcher, Politeness
from scraper.models import Document, FetchedPage, FrontierItem, Kind, Via, Visit, VisitOutcome
from scraper.store import CrawlState, PageState
from scraper.urls import host_key
from scraper.verdict import judge_document

__all__ = ["Processed", "Visitor", "parse_source", "process_page"]

T = TypeVar("T")

# URLs the crawl found (not ones the user named, nor known pages revisited): one that answers
# 404 or 410 when first asked is a dead link
_DISCOVERED = frozenset({Via.LINK, Via.SITEMAP, Via.FEED})


@dataclass(frozen=True, slots=True)
class Processed:
    """What a worker process makes of one page: a document (or why not), its links and feeds."""

    document: Document | None
    error: ScraperError | None
    links: tuple[str, ...]
    feeds: tuple[str, ...] = ()


def process_page(
    page: FetchedPage,
    settings: ExtractSettings,
    *,
    extract_text: bool = True,
    find_feeds: bool = False,
    max_links: int = 10_000,
) -> Processed:
    """Extract the document, the outgoing links and (if asked) the advertised feeds of one page.

    Pure; runs in a worker process, where the page's charset is decided too. Without
    `extract_text` only the links are looked for. A page refused (not text, too complex, over a
    limit: any error but `NoMainContent`) gives no links: what could not be read is not followed.
    At most `max_links` links are kept, the first in document order.
    """
    document: Document | None = None
    error: NoMainContent | None = None
    try:
        page = decided(page)
        document = extract(page, settings) if extract_text else None
    except NoMainContent as exc:  # a hub or index page: no story, but its links are worth following
        error = exc
    except ScraperError as exc:
        return Processed(None, exc, ())
    base = page.final_url or page.url or ""
    html = page.html
    links = tuple(extract_links(html, base, limit=max_links))
    feeds = feed_links(html, base_url=base) if find_feeds else ()
    return Processed(document, error, links, feeds)


def parse_source(kind: Kind, body: bytes, source: str, max_urls: int) -> Sitemap:
    """Read a sitemap or a feed into the pages (and child sitemaps) it lists; runs in a worker."""
    if kind is Kind.FEED:
        return Sitemap(urls=parse_feed(body, source=source)[:max_urls])
    return parse_sitemap(body, source=source, max_urls=max_urls)


class Visitor:
    """Visits frontier URLs for one run.

    `requested` counts the page requests made (against `[crawl] max_pages`) and `sitemap_urls`
    the pages sitemaps listed (against `max_sitemap_urls`); a resumed run starts them from its
    store, and `budget` (sitemaps and feeds per site) from its frontier. `on_set_aside(host,
    reason)` is told when failures make a host be given up on.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        fetcher: Fetcher,
        politeness: Politeness,
        state: CrawlState,
        scope: Scope,
        pool: ExtractionPool | None,
        on_set_aside: Callable[[str, str], None],
        run_id: str = "",
    ) -> None:
        self._settings = settings
        self._run_id = run_id
        self._fetcher = fetcher
        self._politeness = politeness
        self._state = state
        self._scope = scope
        self._pool = pool
        self._on_set_aside = on_set_aside
        self.requested = 0
        self.sitemap_urls = 0
        crawl = settings.crawl
        self.budget = SourceBudget(
            scope,
            per_run=crawl.max_discovery_requests,
            per_host=crawl.max_discovery_per_host,
            hosts=crawl.max_discovery_hosts,
            max_depth=crawl.max_sitemap_depth,
        )

    def out_of_pages(self) -> bool:
        return self.requested >= self._settings.crawl.max_pages

    async def visit(self, item: FrontierItem) -> Visit | None:
        """Visit one frontier URL; None leaves it pending (the page limit was reached)."""
        aside = self._politeness.set_aside_reason(item.url)
        rules = await self._politeness.rules(item.url) if aside is None else None
        aside = self._politeness.set_aside_reason(item.url)  # reading robots.txt may have set it aside
        if aside is not None:
            return Visit(
                url=item.url, kind=item.kind, outcome=VisitOutcome.SKIPPED, reason=f"host set aside: {aside}"
            )
        if rules is not None and not rules.allowed(item.url):
            return Visit(
                url=item.url,
                kind=item.kind,
                outcome=VisitOutcome.SKIPPED_ROBOTS,
                reason="disallowed by robots.txt",
            )
        if item.kind is Kind.PAGE:
            return await self._visit_page(item)
        return await self._read_source(item)

    async def _visit_page(self, item: FrontierItem) -> Visit | None:
        url, crawl = item.url, self._settings.crawl
        prior = self._state.page(url)  # its validators are sent whether or not pages are extracted
        current = prior if prior is not None and prior.known and prior.gone_at is None else None
        # ... but a body only fetched for its links never went through extraction: ask in full
        ask = current if current is not None and (current.extracted or not crawl.extract) else None
        last_seen = ask.last_seen if ask is not None else None
        if last_seen is not None and item.lastmod is not None and item.lastmod <= last_seen:
            reason = "not modified since the last visit (lastmod)"
            links = self._follow(item, self._state.links(url))
            return Visit(url=url, outcome=VisitOutcome.UNCHANGED, reason=reason, found=links)
        if self.out_of_pages():
            return None
        self.requested += 1
        guard = _RedirectGuard(url, self._politeness, answered=self._answered)
        try:
            page = await self._fetcher.fetch(
                url,
                etag=ask.etag if ask else None,
                last_modified=ask.last_modified if ask else None,
                validated=ask.validated_url if ask else None,
                check_redirect=guard.check,
            )
        except FetchError as exc:
            return self._page_failed(item, prior, exc, guard=guard)
        except ExtractionError as exc:  # the body is not text
            self._politeness.succeeded(url)
            outcome = VisitOutcome.FAILED if item.via is Via.SEED else VisitOutcome.SKIPPED
            return Visit(url=url, outcome=outcome, status=200, reason=exc.reason)
        self._politeness.succeeded(url)
        if page.status == 304:
            links = self._follow(item, self._state.links(url))
            return Visit(url=url, outcome=VisitOutcome.UNCHANGED, status=304, page=page, found=links)
        return await self._page_fetched(item, page)

    async def _page_fetched(self, item: FrontierItem, page: FetchedPage) -> Visit:
        crawl = self._settings.crawl
        find_feeds = crawl.feeds and item.via is Via.SEED
        try:
            processed = await self._in_pool(
                item.url,
                functools.partial(
                    process_page,
                    page,
                    self._settings.extract_for(page.final_url or page.url),
                    extract_text=crawl.extract,
                    find_feeds=find_feeds,
                    max_links=crawl.max_links_per_page,
                ),
            )
        except ExtractionError as exc:  # over a limit, its worker died, or a bug: this page failed
            return Visit(url=item.url, outcome=VisitOutcome.FAILED, status=page.status, reason=exc.reason)
        feeds, _ = self.budget.take(
            FrontierItem(url=url, kind=Kind.FEED, via=Via.LINK) for url in processed.feeds
        )
        found = self._follow(item, processed.links) + feeds
        url, status = item.url, page.status
        if processed.error is not None and not isinstance(processed.error, NoMainContent):
            # refused (not text, too complex, over a limit): its links are not followed either
            reason = str(getattr(processed.error, "reason", processed.error))
            return Visit(url=url, outcome=VisitOutcome.FAILED, status=status, reason=reason)
        if not crawl.extract:
            return Visit(
                url=url,
                outcome=VisitOutcome.FETCHED,
                status=status,
                page=page,
                links=processed.links,
                found=found,
            )
        if isinstance(processed.error, NoMainContent):
            # hub and index pages have links but no story: worth crawling, not worth storing
            return Visit(
                url=url,
                outcome=VisitOutcome.SKIPPED,
                status=status,
                reason=processed.error.reason,
                page=page,
                links=processed.links,
                found=found,
            )
        assert processed.document is not None
        verdict = judge_document(
            processed.document, min_quality=crawl.min_quality, page_types=crawl.store_page_types
        )
        if not verdict.kept:
            # junk (block, consent, soft 404, login), low-quality pages and pages of types not in
            # store_page_types (listings, by default) are not stored, but they are where the links
            # are: follow them
            return Visit(
                url=url,
                outcome=VisitOutcome.SKIPPED,
                status=status,
                reason=verdict.reason,
                page=page,
                links=processed.links,
                found=found,
            )
        return Visit(
            url=url,
            outcome=VisitOutcome.NEW,  # the save decides: new, changed or unchanged
            status=status,
            page=page,
            document=processed.document,
            links=processed.links,
            found=found,
        )

    def _page_failed(
        self, item: FrontierItem, prior: PageState | None, exc: FetchError, *, guard: _RedirectGuard
    ) -> Visit:
        url, status, reason = item.url, exc.status, exc.reason
        if guard.refused or guard.answered_target is not None:
            # a target robots.txt disallows, or one fetched (or revalidated) in this run already
            outcome = VisitOutcome.SKIPPED_ROBOTS if guard.refused else VisitOutcome.SKIPPED
            return Visit(url=url, outcome=outcome, reason=reason)
        if isinstance(exc, TransientFetchError):
            self._host_failed(url, exc)
            return Visit(url=url, outcome=VisitOutcome.FAILED, status=status, reason=reason)
        if status is not None:
            self._politeness.succeeded(url)
        if status in (404, 410) and (missing := _not_found(item, prior, status, reason)) is not None:
            return missing
        if item.via is not Via.SEED and reason.startswith("not HTML"):
            # a link to a PDF or an image is not a failure of the crawl: only start URLs must be HTML
            return Visit(url=url, outcome=VisitOutcome.SKIPPED, status=status, reason=reason)
        return Visit(url=url, outcome=VisitOutcome.FAILED, status=status, reason=reason)

    def _host_failed(self, url: str, exc: TransientFetchError) -> None:
        reason = self._politeness.failed(url, exc)
        if reason is not None:
            self._on_set_aside(host_key(url), reason)

    async def _read_source(self, item: FrontierItem) -> Visit | None:
        """Read a sitemap or a feed, queueing the pages (and child sitemaps) it lists.

        None leaves it pending: the page limit was reached, so discovery stops too.
        """
        url, kind, crawl = item.url, item.kind, self._settings.crawl
        if self.out_of_pages():
            return None
        limited = self._source_limit(item)
        if limited is not None:
            return Visit(url=url, kind=kind, outcome=VisitOutcome.SKIPPED_LIMITS, reason=limited)
        room = crawl.max_sitemap_urls - self.sitemap_urls
        guard = _RedirectGuard(url, self._politeness)
        prior = self._state.page(url)  # read in an earlier run: its own validators are sent
        known = prior if prior is not None and prior.kind is kind and prior.gone_at is None else None
        try:
            page = await self._fetcher.fetch(
                url,
                accept=ANY_TYPE,
                check_redirect=guard.check,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
                validated=known.validated_url if known else None,
            )
        except FetchError as exc:
            return self._source_failed(item, exc, robots=guard.refused)
        self._politeness.succeeded(url)
        if page.status == 304:  # read to its end last time, and unchanged since
            return Visit(url=url, kind=kind, outcome=VisitOutcome.READ, status=304, page=page)
        limit = room if kind is Kind.SITEMAP else crawl.max_pages
        try:
            listed = await self._in_pool(url, functools.partial(parse_source, kind, page.body, url, limit))
        except (DiscoveryError, ExtractionError) as exc:
            return Visit(
                url=url, kind=kind, outcome=VisitOutcome.SKIPPED, status=page.status, reason=exc.reason
            )
        via = Via.SITEMAP if kind is Kind.SITEMAP else Via.FEED
        pages = self._scope.pages(
            FrontierItem(url=link.url, via=via, lastmod=link.lastmod, referrer=url) for link in listed.urls
        )
        if kind is Kind.SITEMAP:
            self.sitemap_urls += len(pages)
        children, left_out = self.budget.take(
            FrontierItem(url=child, kind=Kind.SITEMAP, via=Via.SITEMAP, depth=item.depth + 1)
            for child in listed.sitemaps
        )
        outcome = VisitOutcome.READ if left_out is None else VisitOutcome.PARTIAL
        return Visit(
            url=url,
            kind=kind,
            outcome=outcome,
            status=page.status,
            reason=left_out,
            page=page,
            found=pages + children,
        )

    def _source_limit(self, item: FrontierItem) -> str | None:
        """Why a sitemap or feed is not read in this run, if a limit says so."""
        crawl = self._settings.crawl
        if item.kind is Kind.SITEMAP and self.sitemap_urls >= crawl.max_sitemap_urls:
            return f"sitemap URL limit reached (max_sitemap_urls = {crawl.max_sitemap_urls})"
        need = crawl.max_pages - self.requested
        from_index = item.via is Via.SITEMAP or (item.via is Via.REVISIT and item.kind is Kind.SITEMAP)
        if from_index and self._state.pending_new_pages(self._run_id, up_to=need) >= need:
            # an index's children are read while the run still lacks new pages: a small run of a
            # site with thousands of sitemaps reads a few, a later run goes on with the others
            return f"enough new pages queued for this run (max_pages = {crawl.max_pages})"
        return None

    def _source_failed(self, item: FrontierItem, exc: FetchError, *, robots: bool) -> Visit:
        url, kind = item.url, item.kind
        if robots:
            return Visit(url=url, kind=kind, outcome=VisitOutcome.SKIPPED_ROBOTS, reason=exc.reason)
        if isinstance(exc, TransientFetchError):
            self._host_failed(url, exc)
        elif item.via is Via.GUESS and exc.status is not None and 400 <= exc.status < 500:
            # /sitemap.xml was only a guess: its absence is no problem worth reporting
            return Visit(url=url, kind=kind, outcome=VisitOutcome.READ, status=exc.status, reason=exc.reason)
        return Visit(url=url, kind=kind, outcome=VisitOutcome.SKIPPED, status=exc.status, reason=exc.reason)

    def _follow(self, item: FrontierItem, links: Sequence[str]) -> tuple[FrontierItem, ...]:
        """The links of a page worth queueing: same site, within depth, patterns, not files."""
        crawl = self._settings.crawl
        site = self._scope.site_of(item.url)
        if not crawl.follow_links or item.depth >= crawl.max_depth or site is None:
            return ()
        candidates = (
            FrontierItem(url=link, via=Via.LINK, depth=item.depth + 1, referrer=item.url)
            for link in links[: crawl.max_links_per_page]  # links stored by an older version too
            if extension_filter(link)
        )
        return self._scope.pages(candidates, within=site)

    def _answered(self, url: str) -> bool:
        """Whether `url` answered (200 or 304) in this run already: a redirect to it is not followed."""
        return self._state.answered(self._run_id, url)

    async def _in_pool(self, source: str, work: Callable[[], T]) -> T:
        """`work()` in the extraction pool; cancelling the visit (the run's deadline) stops its worker."""
        if self._pool is None:
            return work()
        return await asyncio.wrap_future(self._pool.submit(source, work))


def _not_found(item: FrontierItem, prior: PageState | None, status: int, reason: str) -> Visit | None:
    """What a 404 or 410 means: a page we had is gone (or still gone); a URL the crawl found
    is a dead link, a fact about the page linking to it; a start URL's is a failure (None)."""
    if prior is not None and prior.known:
        if prior.gone_at is not None:
            return Visit(
                url=item.url, outcome=VisitOutcome.UNCHANGED, status=status, reason=f"still gone: {reason}"
            )
        return Visit(url=item.url, outcome=VisitOutcome.GONE, status=status, reason=reason)
    if item.via in _DISCOVERED:
        return Visit(url=item.url, outcome=VisitOutcome.DEAD_LINK, status=status, reason=reason)
    return None


class _RedirectGuard:
    """Refuses, before it is requested, a redirect target robots.txt disallows, and remembers it;
    with `answered`, also one this run fetched already (it is not fetched in full twice)."""

    def __init__(
        self, url: str, politeness: Politeness, *, answered: Callable[[str], bool] | None = None
    ) -> None:
        self._url = url
        self._politeness = politeness
        self._answered = answered
        self.refused = False
        self.answered_target: str | None = None

    async def check(self, target: str) -> None:
        if self._answered is not None and self._answered(target):
            self.answered_target = target
            raise PermanentFetchError(self._url, f"redirects to {target}, already fetched in this run")
        if not await self._politeness.allowed(target):
            self.refused = True
            raise PermanentFetchError(self._url, f"redirect to {target} disallowed by robots.txt")
