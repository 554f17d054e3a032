"""One crawl run over injected collaborators: a fetcher, a store, an extraction pool, a progress sink.

    seeds -> frontier (in the store) -> one task per host -> visit -> record (one transaction)

- Hosts are independent. Each host with pending URLs gets its own task, which pulls the host's
  next URLs from the frontier in small batches and keeps at most `per_host_concurrency` visits
  in flight, paced by the fetcher's HostGate; `max_connections` caps visits overall. A paused
  or slow host holds up nobody else.
- A visit (scraper/crawl/visit.py) checks the host and robots.txt (scraper/fetch/politeness.py), fetches
  with the page's ETag / Last-Modified and extracts in the process pool; the crawler records
  the document, the page's state, the URLs found and the outcome in one transaction
  (scraper/store/state.py), and wakes the hosts of the URLs found.
- Once the frontier is empty, known pages the run did not find again are revisited, oldest
  first, up to `[crawl] revisit`: a page deleted along with every link to it is found gone.
- One way to end a run early, `Crawler.stop(status, grace=...)`: no new URL is taken, the
  visits in flight get `grace` seconds, then are cancelled (fetches, and extraction: the pool
  stops the workers of cancelled pages) and stay pending. `[crawl] max_duration` calls it with
  no grace and leaves the run `stopped`; the CLI calls it on SIGINT / SIGTERM and the run is
  `interrupted`. Either way the report is written, and the next run with the same parameters
  resumes the frontier in the store. So does a run that was killed.

Anything a visit raises is that URL's outcome (a bug: `internal error: <type> in <function>`),
counted in the report; only store and configuration errors end the run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from collections.abc import Callable, Sequence

from scraper.config import Settings, Site
from scraper.crawl.frontier import Scope, cookie_jars, named_hosts, run_params, seeds
from scraper.crawl.progress import announce_run
from scraper.crawl.visit import Visitor
from scraper.errors import ConfigError, LockedError, WriteError, internal_error
from scraper.extract import ExtractionPool
from scraper.fetch import Fetcher, Politeness, RobotsAnswer
from scraper.models import (
    CrawlProgress,
    CrawlReport,
    FrontierItem,
    Kind,
    RunStatus,
    Via,
    Visit,
    VisitOutcome,
    utc_now,
)
from scraper.store import CrawlState, RunStart, Store
from scraper.urls import host_key, normalise

__all__ = ["Crawler", "new_run_id"]

log = logging.getLogger("scraper.crawl")

_BATCH = 16  # frontier rows a host pulls at a time: memory stays flat however long the frontier


def new_run_id() -> str:
    """Sortable and unique: UTC time of the start plus a random suffix."""
    return f"{utc_now():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


class Crawler:
    """One crawl run: sites in, a `CrawlReport` out, documents and crawl state in the store.

    `pool` extracts pages in worker processes under the `[extract]` time and memory limits;
    without one (tests, the Python API) pages are extracted inline. `progress` is called with a
    `CrawlProgress` after every URL. `run_id` names the run if a
    new one starts (a resumed run keeps its own id).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        fetcher: Fetcher,
        store: Store,
        pool: ExtractionPool | None = None,
        progress: Callable[[CrawlProgress], None] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.state = CrawlState(store, max_frontier=settings.crawl.max_frontier_urls)
        self.pool = pool
        self._progress = progress or (lambda _: None)
        self._new_run_id = run_id or new_run_id()
        self._politeness = Politeness(fetcher, settings, gate=fetcher.gate, on_robots=self._robots_read)
        self._scope = Scope(())
        self._run = RunStart(run_id="", resumed=False, started_at=utc_now())
        self._hosts: dict[str, asyncio.Event] = {}  # hosts with a running task, and how to wake it
        self._group: asyncio.TaskGroup | None = None
        self._connections = asyncio.Semaphore(settings.fetch.max_connections)
        self._done = CrawlProgress()
        self._visitor = self._make_visitor(Scope(()))
        self._stop_status: RunStatus | None = None  # set by stop(): the run ends early
        self._stop_at: float | None = None  # loop time when what is in flight is abandoned
        self._deadline: asyncio.Timeout | None = None  # cancels the run's tasks at _stop_at

    def stop(self, status: RunStatus = RunStatus.INTERRUPTED, *, grace: float = 0.0) -> None:
        """End the run early with `status`: no new URL is taken from now on, and the visits in
        flight get `grace` seconds to finish before they are abandoned (left pending, so the next
        run makes them). Call it on the loop (e.g. from a signal handler); a later call can only
        shorten the grace, and the first status stays. Before `run`, the run stops at its start.
        """
        if self._stop_status is None:
            self._stop_status = status
            log.info("stopping the run (%s), %.1f s for the visits in flight", status.value, grace)
        when = asyncio.get_running_loop().time() + grace
        self._stop_at = when if self._stop_at is None else min(self._stop_at, when)
        if self._deadline is not None:
            self._deadline.reschedule(self._stop_at)
        for wake in self._hosts.values():
            wake.set()  # idle host loops see the stop and end

    async def run(self, sites: Sequence[Site]) -> CrawlReport:
        """Crawl `sites` (resuming the unfinished run of the same parameters, if there is one)."""
        self._scope = Scope(sites)
        self.fetcher.trust(named_hosts(sites))  # the SSRF guard lets the user's own hosts be private
        self.fetcher.cookies = cookie_jars(self._scope, self.settings.fetch)
        run = self._run = self.state.begin(run_params(self.settings, sites), new_run_id=self._new_run_id)
        self._visitor = self._make_visitor(self._scope)
        announce_run(run.run_id, resumed=run.resumed)
        if not run.resumed:
            self.state.add(run.run_id, seeds(sites))
            self.state.add(run.run_id, self._known_sources())
        self._visitor.budget.load(self.state.sources(run.run_id))
        for host, reason in self.state.hosts_set_aside(run.run_id).items():
            self._politeness.set_aside(host, reason)
        self._done = self.state.progress(run.run_id)
        self._visitor.requested = self.state.count(run.run_id, requested=True)
        self._visitor.sitemap_urls = self.state.count(run.run_id, via=Via.SITEMAP)
        limit = self.settings.crawl.max_duration
        loop = asyncio.get_running_loop()
        timer = None if limit is None else loop.call_later(limit, self.stop, RunStatus.STOPPED)
        deadline = self._deadline = asyncio.timeout(None)
        try:
            async with deadline:
                deadline.reschedule(self._stop_at)  # a stop that came before the run began
                await self._crawl()
                if self._queue_revisits():
                    await self._crawl()
        except TimeoutError:
            if not deadline.expired():
                raise
        finally:
            self._deadline = None
            if timer is not None:
                timer.cancel()
        status = self._stop_status or RunStatus.FINISHED
        if status is RunStatus.FINISHED:  # what is still pending was left by the page limit
            self.state.close_pending(
                run.run_id, VisitOutcome.SKIPPED_LIMITS, "page limit reached (max_pages)"
            )
        stopped = status is not RunStatus.FINISHED
        report = self.state.report(run, status=status, stopped_early=stopped, finished_at=utc_now())
        if self.state.left_out:
            limit = self.settings.crawl.max_frontier_urls
            label = f"URLs left out: frontier full (max_frontier_urls = {limit})"
            report = dataclasses.replace(report, skipped={**report.skipped, label: self.state.left_out})
        self.state.finish(report)
        return report

    def _known_sources(self) -> list[FrontierItem]:
        """The sitemaps and feeds earlier runs discovered in this crawl's scope: read again every
        run with their own validators, whatever the page that led to them answers now (a home page
        answering 304 does not hide the story its feed lists). They count against discovery."""
        crawl = self.settings.crawl
        kinds = [kind for kind, on in ((Kind.SITEMAP, crawl.sitemaps), (Kind.FEED, crawl.feeds)) if on]
        scope = self._scope
        return self.state.known_sources(
            kinds=kinds, wanted=lambda url: scope.site_of(url) is not None, limit=crawl.max_discovery_requests
        )

    def _queue_revisits(self) -> bool:
        """Queue known pages this run did not find again, oldest first, so deletions show.

        At most `[crawl] revisit` per run (counting those a resumed run already queued), within
        `max_pages`; their links are not followed. Returns whether any were queued.
        """
        run_id, crawl = self._run.run_id, self.settings.crawl
        if self._visitor.out_of_pages() or self._stop_status is not None:
            return False
        room = crawl.revisit - self.state.count(run_id, via=Via.REVISIT)
        scope = self._scope

        def wanted(url: str) -> bool:
            site = scope.site_of(url)
            return site is not None and scope.admits(url, site)

        urls = self.state.unvisited_known(run_id, wanted=wanted, limit=room)
        added = self.state.add(
            run_id, (FrontierItem(url=u, via=Via.REVISIT, depth=crawl.max_depth) for u in urls)
        )
        self._queued(added)
        return bool(urls)

    # -- scheduling ------------------------------------------------------------------------

    async def _crawl(self) -> None:
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                for host in self.state.pending_hosts(self._run.run_id):
                    self._wake(host)
        except BaseExceptionGroup as group:
            raise _first_leaf(group) from None  # a WriteError stays a WriteError for the CLI
        finally:
            self._group = None
            self._hosts.clear()

    def _wake(self, host: str) -> None:
        """Make sure `host` has a task looking at its pending URLs."""
        event = self._hosts.get(host)
        if event is not None:
            event.set()
        elif self._group is not None and self._stop_status is None:
            event = self._hosts[host] = asyncio.Event()
            self._group.create_task(self._host_loop(host, event))

    async def _host_loop(self, host: str, wake: asyncio.Event) -> None:
        slots = asyncio.Semaphore(self.fetcher.gate.concurrency_for(host))  # the site's own, or [fetch]'s
        claimed: set[str] = set()
        async with asyncio.TaskGroup() as group:
            while True:
                wake.clear()
                stopping = self._stop_status is not None or self._visitor.out_of_pages()
                batch = [] if stopping else self._pending(host, claimed)
                if not batch:
                    if not claimed:
                        del self._hosts[host]  # no await since the query: nothing slipped in between
                        return
                    await wake.wait()
                    continue
                claimed.update(item.url for item in batch)
                for index, item in enumerate(batch):
                    await slots.acquire()
                    if self._stop_status is not None:  # the rest of the batch stays pending
                        slots.release()
                        claimed.difference_update(left.url for left in batch[index:])
                        break
                    group.create_task(self._visit_in_slot(item, slots, claimed, wake))

    def _pending(self, host: str, claimed: set[str]) -> list[FrontierItem]:
        return self.state.pending(self._run.run_id, host, limit=_BATCH, exclude=claimed)

    async def _visit_in_slot(
        self, item: FrontierItem, slots: asyncio.Semaphore, claimed: set[str], wake: asyncio.Event
    ) -> None:
        try:
            async with self._connections:
                visit = await self._isolated_visit(item)
            if visit is not None and not self._shutdown_casualty(visit):
                self._record(visit)
        finally:
            slots.release()
            claimed.discard(item.url)
            wake.set()

    def _shutdown_casualty(self, visit: Visit) -> bool:
        """A visit that failed after a stop is left pending, not recorded: its failure may be the
        shutdown's own (systemd's SIGTERM to the whole service kills the extraction workers), and
        the next run makes it again."""
        if self._stop_status is not RunStatus.INTERRUPTED or visit.outcome is not VisitOutcome.FAILED:
            return False
        log.info("left for the next run: %s (%s)", visit.url, visit.reason)
        return True

    async def _isolated_visit(self, item: FrontierItem) -> Visit | None:
        """The one place a URL's trouble becomes its outcome: anything a visit raises fails that URL.

        Only store and configuration errors end the run (and cancellation, which is not an
        Exception). A bug is recorded as `internal error: <type> in <function>`, its traceback
        logged at debug level, and the URL is done like any failed one.
        """
        try:
            return await self._visitor.visit(item)
        except (WriteError, ConfigError, LockedError):
            raise
        except Exception as exc:
            reason = getattr(exc, "reason", None) or internal_error(exc)
            log.debug("%s failed: %s", item.url, reason, exc_info=exc)
            return Visit(url=item.url, kind=item.kind, outcome=VisitOutcome.FAILED, reason=str(reason))

    def _record(self, visit: Visit) -> None:
        recorded = self.state.record(self._run.run_id, visit)
        for host in {host_key(found.url) for found in visit.found}:
            self._wake(host)
        self._done = self._done.one_more(
            added=recorded.added,
            fetched=visit.kind is Kind.PAGE and visit.status is not None,
            stored=recorded.outcome in (VisitOutcome.NEW, VisitOutcome.CHANGED),
            failed=recorded.outcome is VisitOutcome.FAILED,
            unasked=visit.kind is Kind.PAGE
            and visit.status is None
            and recorded.outcome is not VisitOutcome.FAILED,
            listing=visit.kind in (Kind.SITEMAP, Kind.FEED),
        )
        log.debug("%s %s%s", recorded.outcome.value, visit.url, f" ({visit.reason})" if visit.reason else "")
        self._progress(self._done)

    def _queued(self, added: int) -> None:
        """Count URLs queued outside a page's visit (revisits, a robots.txt's sitemaps) as
        discovered, as the frontier does: else the progress line ends at "128 of 125 URLs done"."""
        self._done = dataclasses.replace(self._done, discovered=self._done.discovered + added)

    def _set_aside(self, host: str, reason: str) -> None:
        log.info("setting host %s aside: %s", host, reason)
        self.state.set_aside(self._run.run_id, host, reason)

    def _robots_read(self, host: str, answer: RobotsAnswer) -> None:
        """Record a host's robots.txt, with the sitemaps it leads to when it is a start host."""
        visit = answer.visit
        if answer.set_aside is None and host in self._scope.seed_hosts and self.settings.crawl.sitemaps:
            guess = normalise(visit.url.removesuffix("/robots.txt") + "/sitemap.xml")
            listed = [
                FrontierItem(url=url, kind=Kind.SITEMAP, via=Via.ROBOTS) for url in answer.rules.sitemaps
            ]
            listed += [FrontierItem(url=guess, kind=Kind.SITEMAP, via=Via.GUESS)] if guess else []
            found, left_out = self._visitor.budget.take(listed)
            visit = dataclasses.replace(visit, found=found)
            if left_out is not None and visit.outcome is VisitOutcome.READ:
                visit = dataclasses.replace(visit, outcome=VisitOutcome.PARTIAL, reason=left_out)
        self._queued(self.state.record(self._run.run_id, visit).added)
        if visit.outcome is VisitOutcome.FAILED:  # the report counts it: so does the progress line
            self._done = dataclasses.replace(self._done, failed=self._done.failed + 1)
            self._progress(self._done)
        if answer.set_aside is not None:
            self._set_aside(host, answer.set_aside)
        for sitemap_host in {host_key(item.url) for item in visit.found}:
            self._wake(sitemap_host)

    def _make_visitor(self, scope: Scope) -> Visitor:
        return Visitor(
            self.settings,
            fetcher=self.fetcher,
            politeness=self._politeness,
            state=self.state,
            scope=scope,
            pool=self.pool,
            on_set_aside=self._set_aside,
            run_id=self._run.run_id,
        )


def _first_leaf(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
