"""Crawl state, in the store's SQLite file and through its connection: runs, frontiers, pages.

    runs      status (running | stopped | interrupted | finished), the start parameters, hosts set aside
    frontier  one row per URL per run, pending or done with its outcome: "fetched once per
              run", resume and the run report all come from here, and memory stays flat
              however many URLs a run discovers (hosts pull their next URLs in small batches)
    pages     one row per URL ever fetched: ETag, Last-Modified, content hash, first and last
              seen, last changed, last status, consecutive failures, when it went, its links

A visit is recorded in one transaction: the document version (if any), the page's row, the
URLs the visit found and its frontier row marked done. A run killed at any point loses only
the visits in flight, which the resumed run makes again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from scraper.dates import utc_timestamp
from scraper.models import (
    CrawlProgress,
    CrawlReport,
    DeadLink,
    Document,
    FrontierItem,
    Kind,
    RunStatus,
    UrlProblem,
    Via,
    Visit,
    VisitOutcome,
    utc_now,
)
from scraper.store.documents import Store, document_key, timestamp
from scraper.urls import host_key

__all__ = ["CrawlState", "PageState", "Recorded", "RunStart", "RunSummary"]

REPORT_LIST_LIMIT = 100  # failed URLs and discovery problems listed in a report
_RESUMABLE = (RunStatus.RUNNING.value, RunStatus.STOPPED.value, RunStatus.INTERRUPTED.value)

# Lower priorities are pulled first: sitemaps and feeds (0), then pages by depth; within a
# depth, pages never fetched before come before known ones, so a run cut short by max_pages
# or --max-duration reaches new pages first. The index on (run_id, host, state, priority)
# hands them out in that order without sorting.
_INSERT = """
    INSERT OR IGNORE INTO frontier (run_id, url, host, kind, via, depth, priority, lastmod, referrer)
    VALUES (?, ?, ?, ?, ?, ?, ? + EXISTS (SELECT 1 FROM pages WHERE url = ? AND last_seen IS NOT NULL), ?, ?)
"""
_DONE = """
    INSERT INTO frontier (run_id, url, host, kind, via, depth, priority, state, outcome, status, reason)
    VALUES (?, ?, ?, ?, 'seed', 0, 0, 'done', ?, ?, ?)
    ON CONFLICT (run_id, url) DO UPDATE SET
        state = 'done', outcome = excluded.outcome, status = excluded.status, reason = excluded.reason
"""
# A 304 keeps the validators it does not repeat; a 200 replaces them (a page may drop its ETag).
_SEEN = """
    INSERT INTO pages (url, etag, last_modified, content_hash, first_seen, last_seen, last_changed,
                       last_status, failures, gone_at, links, extracted, validated_url, kind)
    VALUES (:url, :etag, :last_modified, :content_hash, :now, :now, :changed, :status, 0, NULL, :links,
            :extracted, :validated_url, :kind)
    ON CONFLICT (url) DO UPDATE SET
        kind = excluded.kind,
        validated_url = excluded.validated_url,
        extracted = CASE WHEN excluded.last_status = 304 THEN extracted ELSE excluded.extracted END,
        etag = CASE WHEN excluded.last_status = 304 THEN coalesce(excluded.etag, etag) ELSE excluded.etag END,
        last_modified = CASE WHEN excluded.last_status = 304
                             THEN coalesce(excluded.last_modified, last_modified)
                             ELSE excluded.last_modified END,
        content_hash = coalesce(excluded.content_hash, content_hash),
        last_seen = excluded.last_seen,
        last_changed = coalesce(excluded.last_changed, last_changed),
        last_status = excluded.last_status,
        failures = 0,
        gone_at = NULL,
        links = coalesce(excluded.links, links)
"""
_FAILED = """
    INSERT INTO pages (url, first_seen, last_status, failures) VALUES (?, ?, ?, 1)
    ON CONFLICT (url) DO UPDATE SET failures = failures + 1, last_status = excluded.last_status
"""
# A sitemap or feed read before that now answers 404 or 410 is not asked for again by later runs.
_SOURCE_GONE = "UPDATE pages SET gone_at = coalesce(gone_at, ?), last_status = ? WHERE url = ? AND kind = ?"
_PAGE_HOSTS = "SELECT DISTINCT host FROM frontier WHERE run_id = ? AND kind = 'page'"
_GONE = "UPDATE pages SET gone_at = coalesce(gone_at, ?), last_status = ?, failures = 0 WHERE url = ?"
# "HTTP 404", "cannot connect: Connection refused" -> "HTTP 404", "cannot connect"
_CATEGORY = (
    "CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1) "
    "ELSE coalesce(reason, 'unknown') END"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStart:
    """The run a crawl goes on with: a new one, or the unfinished one it resumes."""

    run_id: str
    resumed: bool
    started_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSummary:
    """One line of `scraper runs`: a run, when it ran, how it ended, and its report's counts."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, int]  # discovered, fetched, new, changed, gone, dead_links, failed, skipped


_COUNTED = ("discovered", "fetched", "new", "changed", "unchanged", "gone", "dead_links")


def _counts(report: dict[str, object]) -> dict[str, int]:
    counts = {key: int(report.get(key) or 0) for key in _COUNTED}  # type: ignore[call-overload]
    for key in ("failed", "skipped"):
        value = report.get(key)
        counts[key] = sum(value.values()) if isinstance(value, dict) else 0
    return counts


_SQLITE_MAX_INT = 2**63 - 1


def _latest_offset(ref: str) -> int | None:
    """`latest` -> 0, `latest~2` -> 2; None for anything else (a run id)."""
    head, tilde, back = ref.partition("~")
    if head != "latest":
        return None
    if not tilde:
        return 0
    return int(back) if back.isascii() and back.isdigit() else None  # '²' is a digit to isdigit


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    outcome: VisitOutcome
    added: int  # URLs found that were new to the frontier


@dataclass(frozen=True, slots=True, kw_only=True)
class PageState:
    """What earlier runs learned about one URL."""

    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    first_seen: datetime
    last_seen: datetime | None  # last 200 or 304; None if it never answered one
    last_changed: datetime | None
    last_status: int | None
    failures: int
    gone_at: datetime | None
    extracted: bool = True  # False: its last body was fetched for its links only (extract = false)
    validated_url: str | None = None  # the URL that answered with the validators (a redirect's target)
    kind: Kind = Kind.PAGE

    @property
    def known(self) -> bool:
        """Whether the URL ever answered with a page (so a 404 now means it is gone)."""
        return self.last_seen is not None


class CrawlState:
    """Runs, frontiers and per-URL state of crawls, through the connection of `store`."""

    def __init__(
        self, store: Store, *, clock: Callable[[], datetime] = utc_now, max_frontier: int | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self._max_frontier = max_frontier  # rows one run's frontier may hold ([crawl] max_frontier_urls)
        self._rows: dict[str, int] = {}  # rows of each run's frontier, counted once then kept
        self.left_out = 0  # URLs not queued because the frontier was full

    # -- runs ------------------------------------------------------------------------------

    def begin(self, params: str, *, new_run_id: str) -> RunStart:
        """Resume the last run started with `params` if it did not finish, else start `new_run_id`."""
        now = self._clock()
        with self._store.transaction("start a run") as conn:
            row = conn.execute(
                "SELECT id, status, started_at FROM runs WHERE params = ? ORDER BY started_at DESC LIMIT 1",
                (params,),
            ).fetchone()
            if row is not None and row[1] in _RESUMABLE:
                conn.execute("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?", (row[0],))
                return RunStart(run_id=row[0], resumed=True, started_at=_time(row[2]))
            # the frontiers of finished runs are not needed any more (their reports are kept)
            conn.execute(
                "DELETE FROM frontier WHERE run_id IN (SELECT id FROM runs WHERE status = 'finished')"
            )
            conn.execute(
                "INSERT INTO runs (id, started_at, status, params) VALUES (?, ?, 'running', ?)",
                (new_run_id, timestamp(now), params),
            )
        return RunStart(run_id=new_run_id, resumed=False, started_at=now)

    def set_aside(self, run_id: str, host: str, reason: str) -> int:
        """Give up on `host` for the rest of the run: its pending URLs are skipped with `reason`."""
        with self._store.transaction("set aside " + host) as conn:
            (raw,) = conn.execute("SELECT set_aside FROM runs WHERE id = ?", (run_id,)).fetchone()
            hosts = json.loads(raw)
            hosts[host] = reason
            conn.execute("UPDATE runs SET set_aside = ? WHERE id = ?", (json.dumps(hosts), run_id))
            return conn.execute(
                "UPDATE frontier SET state = 'done', outcome = 'skipped', reason = ? "
                "WHERE run_id = ? AND host = ? AND state = 'pending'",
                (f"host set aside: {reason}", run_id, host),
            ).rowcount

    def runs(self, *, limit: int | None = None) -> list[RunSummary]:
        """The runs in the store, newest first, with the counts of their reports."""
        with self._store.reading("list runs") as conn:
            rows = conn.execute(
                "SELECT id, started_at, finished_at, status, report FROM runs "
                "ORDER BY started_at DESC, id DESC LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [
            RunSummary(
                run_id=run_id,
                started_at=_time(started),
                finished_at=_time(finished) if finished else None,
                status=status,
                counts=_counts(json.loads(report)) if report else {},
            )
            for run_id, started, finished, status, report in rows
        ]

    def resolve_run(self, ref: str) -> str | None:
        """The run `ref` names: an id, `latest` (the newest run) or `latest~N` (N runs before it);
        None when there is no such run."""
        ref = ref.strip()
        back = _latest_offset(ref)
        if back is None:
            return ref if self.has_run(ref) else None
        if back > _SQLITE_MAX_INT:  # no store holds that many runs, and SQLite cannot take it
            return None
        with self._store.reading("find run " + ref) as conn:
            row = conn.execute(
                "SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?", (back,)
            ).fetchone()
        return str(row[0]) if row else None

    def has_run(self, run_id: str) -> bool:
        with self._store.reading("read run " + run_id) as conn:
            return conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None

    def hosts_set_aside(self, run_id: str) -> dict[str, str]:
        with self._store.reading("read run " + run_id) as conn:
            row = conn.execute("SELECT set_aside FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    # -- frontier --------------------------------------------------------------------------

    def add(self, run_id: str, items: Iterable[FrontierItem]) -> int:
        """Queue URLs not yet in the run's frontier; returns how many were new to it."""
        with self._store.transaction("add to the frontier") as conn:
            return self._add(conn, run_id, items)

    def pending(
        self, run_id: str, host: str, *, limit: int, exclude: Collection[str] = ()
    ) -> list[FrontierItem]:
        """The next pending URLs of one host (`host_key` form), first priorities first."""
        skip = f"AND url NOT IN ({', '.join('?' * len(exclude))})" if exclude else ""
        query = (
            "SELECT url, kind, via, depth, lastmod, referrer FROM frontier "
            f"WHERE run_id = ? AND host = ? AND state = 'pending' {skip} ORDER BY priority, rowid LIMIT ?"
        )
        with self._store.reading("read the frontier") as conn:
            rows = conn.execute(query, (run_id, host, *exclude, limit)).fetchall()
        return [
            FrontierItem(
                url=url,
                kind=Kind(kind),
                via=Via(via),
                depth=depth,
                lastmod=_time(lastmod) if lastmod else None,
                referrer=referrer,
            )
            for url, kind, via, depth, lastmod, referrer in rows
        ]

    def pending_hosts(self, run_id: str) -> list[str]:
        with self._store.reading("read the frontier") as conn:
            rows = conn.execute(
                "SELECT DISTINCT host FROM frontier WHERE run_id = ? AND state = 'pending'", (run_id,)
            ).fetchall()
        return [host for (host,) in rows]

    def close_pending(self, run_id: str, outcome: VisitOutcome, reason: str) -> int:
        """Mark every URL still pending as done with `outcome` (the page limit was reached)."""
        with self._store.transaction("close the frontier") as conn:
            return conn.execute(
                "UPDATE frontier SET state = 'done', outcome = ?, reason = ? "
                "WHERE run_id = ? AND state = 'pending'",
                (outcome.value, reason, run_id),
            ).rowcount

    def count(self, run_id: str, *, via: Via | None = None, requested: bool = False) -> int:
        """Page URLs of the run: all of them, those found `via`, or those requested so far."""
        where = ["run_id = ?", "kind = 'page'"]
        params: list[str] = [run_id]
        if via is not None:
            where.append("via = ?")
            params.append(via.value)
        if requested:
            where.append("state = 'done' AND (status IS NOT NULL OR outcome = 'failed')")
        with self._store.reading("count the frontier") as conn:
            return int(
                conn.execute(f"SELECT COUNT(*) FROM frontier WHERE {' AND '.join(where)}", params).fetchone()[
                    0
                ]
            )

    def sources(self, run_id: str) -> list[str]:
        """The sitemaps and feeds in the run's frontier, pending or done."""
        with self._store.reading("read the frontier") as conn:
            rows = conn.execute(
                "SELECT url FROM frontier WHERE run_id = ? AND kind IN ('sitemap', 'feed')", (run_id,)
            ).fetchall()
        return [url for (url,) in rows]

    def pending_new_pages(self, run_id: str, *, up_to: int) -> int:
        """How many pages never fetched before wait in the run's frontier, counting up to `up_to`."""
        with self._store.reading("count the frontier") as conn:
            (count,) = conn.execute(
                # an odd priority is a page no earlier run fetched (see _INSERT)
                "SELECT COUNT(*) FROM (SELECT 1 FROM frontier WHERE run_id = ? AND state = 'pending' "
                "AND kind = 'page' AND priority % 2 = 1 LIMIT ?)",
                (run_id, up_to),
            ).fetchone()
        return int(count)

    def answered(self, run_id: str, url: str) -> bool:
        """Whether `url` answered (200 or 304) in the run already."""
        with self._store.reading("read the frontier") as conn:
            row = conn.execute(
                "SELECT 1 FROM frontier WHERE run_id = ? AND url = ? AND state = 'done' "
                "AND status IN (200, 304)",
                (run_id, url),
            ).fetchone()
        return row is not None

    def known_sources(
        self, *, kinds: Collection[Kind], wanted: Callable[[str], bool], limit: int
    ) -> list[FrontierItem]:
        """Up to `limit` sitemaps and feeds of `kinds` earlier runs read (and not gone), least
        recently read first, among those `wanted` accepts: each run reads them again."""
        found: list[FrontierItem] = []
        if limit <= 0 or not kinds:
            return found
        marks = ", ".join("?" * len(kinds))
        with self._store.reading("read pages") as conn:
            rows = conn.execute(
                f"SELECT url, kind FROM pages WHERE kind IN ({marks}) AND last_seen IS NOT NULL "
                "AND gone_at IS NULL ORDER BY last_seen",
                [kind.value for kind in kinds],
            )
            for url, kind in rows:
                if wanted(url):
                    found.append(FrontierItem(url=url, kind=Kind(kind), via=Via.REVISIT))
                    if len(found) >= limit:
                        break
        return found

    def unvisited_known(self, run_id: str, *, wanted: Callable[[str], bool], limit: int) -> list[str]:
        """Up to `limit` pages earlier runs fetched (and not gone) that are not in this run's
        frontier, least recently seen first, among those `wanted` accepts."""
        found: list[str] = []
        if limit <= 0:
            return found
        with self._store.reading("read pages") as conn:
            rows = conn.execute(
                "SELECT url FROM pages AS p WHERE kind = 'page' AND last_seen IS NOT NULL "
                "AND gone_at IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM frontier AS f WHERE f.run_id = ? AND f.url = p.url) ORDER BY last_seen",
                (run_id,),
            )
            for (url,) in rows:
                if wanted(url):
                    found.append(url)
                    if len(found) >= limit:
                        break
        return found

    def record(self, run_id: str, visit: Visit) -> Recorded:
        """Record a visit in one transaction: its outcome (from the save, for a document) and
        how many of the URLs it found were new to the run's frontier."""
        now = timestamp(self._clock())
        with self._store.transaction("record " + visit.url) as conn:
            outcome = visit.outcome
            twin = _twin(conn, visit.document) if visit.document is not None else None
            if twin is not None:  # session ids, tracking parameters, print views: one text, many URLs
                reason = f"duplicate: the same text is stored as {twin}"
                visit = dataclasses.replace(visit, outcome=VisitOutcome.SKIPPED, reason=reason, document=None)
                outcome = visit.outcome
            if visit.document is not None:
                html_hash = visit.page.html_hash if visit.page is not None else ""
                saved = self._store.save_within(conn, visit.document, html_hash=html_hash, run_id=run_id)
                outcome = VisitOutcome(saved.outcome.value)
            elif outcome is VisitOutcome.GONE:  # downstream learns of it from a tombstone version
                self._store.tombstone_within(conn, visit.url, run_id=run_id)
            if visit.kind is Kind.PAGE:
                _update_page(conn, visit, outcome, now)
            elif visit.kind in (Kind.SITEMAP, Kind.FEED):
                _update_source(conn, visit, outcome, now)
            added = self._add(conn, run_id, visit.found)
            done = (run_id, visit.url, host_key(visit.url), visit.kind.value, outcome.value)
            conn.execute(_DONE, (*done, visit.status, visit.reason))
            if visit.kind is Kind.ROBOTS and run_id in self._rows:  # read once per host: a new row
                self._rows[run_id] += 1
        return Recorded(outcome=outcome, added=added)

    def progress(self, run_id: str) -> CrawlProgress:
        """Where a run stands, for a resumed run's progress display: robots.txt visits count
        among the failed (as in the report) but not among the URLs discovered and done."""
        with self._store.reading("count the frontier") as conn:
            row = conn.execute(
                "SELECT SUM(kind != 'robots'), SUM(kind != 'robots' AND state = 'done'), "
                "SUM(kind = 'page' AND status IS NOT NULL), "
                "SUM(kind != 'robots' AND outcome IN ('new', 'changed')), SUM(outcome = 'failed'), "
                "SUM(kind = 'page' AND state = 'done' AND status IS NULL AND outcome != 'failed'), "
                "SUM(kind IN ('sitemap', 'feed') AND state = 'done') "
                "FROM frontier WHERE run_id = ?",
                (run_id,),
            ).fetchone()
        discovered, done, fetched, stored, failed, unasked, listings = (int(n or 0) for n in row)
        return CrawlProgress(
            discovered=discovered,
            done=done,
            fetched=fetched,
            stored=stored,
            failed=failed,
            unasked=unasked,
            listings=listings,
        )

    # -- pages -----------------------------------------------------------------------------

    def page(self, url: str) -> PageState | None:
        with self._store.reading("read page " + url) as conn:
            row = conn.execute(
                "SELECT url, etag, last_modified, content_hash, first_seen, last_seen, last_changed, "
                "last_status, failures, gone_at, extracted, validated_url, kind FROM pages WHERE url = ?",
                (url,),
            ).fetchone()
        if row is None:
            return None
        (
            url,
            etag,
            modified,
            content_hash,
            first,
            last,
            changed,
            status,
            failures,
            gone,
            extracted,
            validated,
            kind,
        ) = row
        return PageState(
            url=url,
            etag=etag,
            last_modified=modified,
            content_hash=content_hash,
            first_seen=_time(first),
            last_seen=_time(last) if last else None,
            last_changed=_time(changed) if changed else None,
            last_status=status,
            failures=failures,
            gone_at=_time(gone) if gone else None,
            extracted=bool(extracted),
            validated_url=validated,
            kind=Kind(kind),
        )

    def links(self, url: str) -> tuple[str, ...]:
        """The links the page had when last fetched with a body (followed again after a 304)."""
        with self._store.reading("read page " + url) as conn:
            row = conn.execute("SELECT links FROM pages WHERE url = ?", (url,)).fetchone()
        text = zlib.decompress(row[0]).decode("utf-8") if row is not None and row[0] else ""
        return tuple(text.split("\n")) if text else ()

    # -- report ----------------------------------------------------------------------------

    def report(
        self,
        run: RunStart,
        *,
        status: RunStatus,
        stopped_early: bool = False,
        finished_at: datetime | None = None,
    ) -> CrawlReport:
        """The report of a run so far, counted from its frontier (so it spans resumed runs)."""
        counts: dict[str, int] = {}
        failed: dict[str, int] = {}
        skipped: dict[str, int] = {}
        fetched = 0
        with self._store.reading("report run " + run.run_id) as conn:
            rows = conn.execute(
                f"SELECT kind, outcome, {_CATEGORY}, COUNT(*), SUM(status IS NOT NULL) FROM frontier "
                "WHERE run_id = ? AND state = 'done' GROUP BY kind, outcome, 3",
                (run.run_id,),
            ).fetchall()
            discovered = self.count(run.run_id)
            requested = self.count(run.run_id, requested=True)
            hosts = {h for (h,) in conn.execute(_PAGE_HOSTS, (run.run_id,))}
            failures = _problems(conn, run.run_id, "outcome = 'failed'")
            problems = _problems(
                conn, run.run_id, "kind != 'page' AND outcome IN ('failed', 'skipped', 'partial')"
            )
            dead = conn.execute(
                "SELECT url, referrer, status FROM frontier WHERE run_id = ? AND outcome = 'dead_link' "
                "ORDER BY referrer, rowid LIMIT ?",
                (run.run_id, REPORT_LIST_LIMIT),
            ).fetchall()
        failed_pages = 0
        for kind, outcome, category, n, answered in rows:
            label = category if kind == Kind.PAGE.value else f"{kind}: {category}"
            if outcome == VisitOutcome.FAILED.value:
                failed[label] = failed.get(label, 0) + n
                failed_pages += n if kind == Kind.PAGE.value else 0
            elif outcome in (VisitOutcome.SKIPPED.value, VisitOutcome.PARTIAL.value):
                skipped[label] = skipped.get(label, 0) + n
            elif kind == Kind.PAGE.value or outcome.startswith("skipped_"):
                counts[outcome] = counts.get(outcome, 0) + n
            if kind == Kind.PAGE.value:
                fetched += answered
        set_aside = self.hosts_set_aside(run.run_id)
        return CrawlReport(
            run_id=run.run_id,
            status=status,
            resumed=run.resumed,
            stopped_early=stopped_early,
            started_at=run.started_at,
            finished_at=finished_at,
            discovered=discovered,
            fetched=fetched,
            new=counts.get(VisitOutcome.NEW.value, 0),
            changed=counts.get(VisitOutcome.CHANGED.value, 0),
            unchanged=counts.get(VisitOutcome.UNCHANGED.value, 0),
            gone=counts.get(VisitOutcome.GONE.value, 0),
            dead_links=counts.get(VisitOutcome.DEAD_LINK.value, 0),
            dead_link_list=tuple(DeadLink(url=u, linked_from=r, status=s) for u, r, s in dead),
            failed=failed,
            failures=failures,
            skipped_robots=counts.get(VisitOutcome.SKIPPED_ROBOTS.value, 0),
            skipped_limits=counts.get(VisitOutcome.SKIPPED_LIMITS.value, 0),
            skipped=skipped,
            problems=problems,
            set_aside=set_aside,
            requested=requested,
            failed_pages=failed_pages,
            every_host_set_aside=bool(hosts) and hosts <= set_aside.keys(),
        )

    def finish(self, report: CrawlReport) -> None:
        """Keep the final report and status of a run."""
        self._store.record_run(report)

    def _add(self, conn: sqlite3.Connection, run_id: str, items: Iterable[FrontierItem]) -> int:
        """Insert what is new to the run's frontier, while it has room (`max_frontier` rows)."""
        if run_id not in self._rows:
            (count,) = conn.execute("SELECT COUNT(*) FROM frontier WHERE run_id = ?", (run_id,)).fetchone()
            self._rows[run_id] = int(count)
        room = None if self._max_frontier is None else self._max_frontier - self._rows[run_id]
        before = conn.total_changes
        left_out = 0

        def rows() -> Iterator[tuple[object, ...]]:
            nonlocal left_out
            for item in items:
                # executemany pulls rows one at a time: total_changes counts the inserts so far
                if room is not None and conn.total_changes - before >= room:
                    left_out += 1
                    continue
                yield (
                    run_id,
                    item.url,
                    host_key(item.url),
                    item.kind.value,
                    item.via.value,
                    item.depth,
                    1 + 2 * item.depth if item.kind is Kind.PAGE else 0,
                    item.url,
                    timestamp(item.lastmod) if item.lastmod else None,
                    item.referrer,
                )

        conn.executemany(_INSERT, rows())
        added = conn.total_changes - before
        self._rows[run_id] += added
        self.left_out += left_out
        return added


def _twin(conn: sqlite3.Connection, document: Document) -> str | None:
    """Another URL of the same host under which this very text is stored, if there is one.

    The one rule against duplicate URLs, whatever makes them (session ids, tracking parameters,
    sort orders, print views): a text is stored once per site. The URL's own versions do not count.
    """
    key = document_key(document)
    try:
        host = host_key(key)
    except ValueError:
        return None
    rows = conn.execute(
        "SELECT DISTINCT key FROM documents WHERE content_hash = ? AND key != ? AND change != 'gone' "
        "LIMIT 50",
        (document.content_hash, key),
    )
    for (other,) in rows:
        with contextlib.suppress(ValueError):
            if host_key(other) == host:
                return str(other)
    return None


def _update_page(conn: sqlite3.Connection, visit: Visit, outcome: VisitOutcome, now: str) -> None:
    if outcome is VisitOutcome.GONE:
        conn.execute(_GONE, (now, visit.status, visit.url))
    elif outcome is VisitOutcome.FAILED:
        conn.execute(_FAILED, (visit.url, now, visit.status))
    elif visit.page is not None and outcome in (
        VisitOutcome.NEW,
        VisitOutcome.CHANGED,
        VisitOutcome.UNCHANGED,
        VisitOutcome.SKIPPED,  # a page without main content (a hub), or junk: its links still count
        VisitOutcome.FETCHED,  # fetched for its links only: its validators spare the next download
    ):
        page = visit.page
        fresh = page.status != 304
        conn.execute(
            _SEEN,
            {
                "url": visit.url,
                "etag": page.etag,
                "last_modified": page.last_modified,
                "content_hash": visit.document.content_hash if visit.document is not None else None,
                "now": now,
                "changed": now if outcome in (VisitOutcome.NEW, VisitOutcome.CHANGED) else None,
                "status": page.status,
                "links": zlib.compress("\n".join(visit.links).encode("utf-8")) if fresh else None,
                "extracted": outcome is not VisitOutcome.FETCHED,
                "validated_url": page.final_url if page.final_url != visit.url else None,
                "kind": Kind.PAGE.value,
            },
        )


def _update_source(conn: sqlite3.Connection, visit: Visit, outcome: VisitOutcome, now: str) -> None:
    """Keep a sitemap or feed that was read, so later runs read it again (with its validators,
    kept only when it was read to its end: a partial read is asked for in full next time)."""
    page = visit.page
    if page is not None and outcome is VisitOutcome.READ:
        conn.execute(
            _SEEN,
            {
                "url": visit.url,
                "etag": page.etag,
                "last_modified": page.last_modified,
                "content_hash": None,
                "now": now,
                "changed": None,
                "status": page.status,
                "links": None,
                "extracted": True,
                "validated_url": page.final_url if page.final_url != visit.url else None,
                "kind": visit.kind.value,
            },
        )
    elif page is not None and outcome is VisitOutcome.PARTIAL:
        conn.execute(
            _SEEN,
            {**_NO_VALIDATORS, "url": visit.url, "now": now, "status": page.status, "kind": visit.kind.value},
        )
    elif visit.status in (404, 410):
        conn.execute(_SOURCE_GONE, (now, visit.status, visit.url, visit.kind.value))


_NO_VALIDATORS: dict[str, object] = {
    "etag": None,
    "last_modified": None,
    "content_hash": None,
    "changed": None,
    "links": None,
    "extracted": True,
    "validated_url": None,
}


def _problems(conn: sqlite3.Connection, run_id: str, where: str) -> tuple[UrlProblem, ...]:
    rows = conn.execute(
        f"SELECT url, reason FROM frontier WHERE run_id = ? AND state = 'done' AND {where} "
        "ORDER BY rowid LIMIT ?",
        (run_id, REPORT_LIST_LIMIT),
    ).fetchall()
    return tuple(UrlProblem(url=url, reason=reason or "") for url, reason in rows)


def _time(value: str) -> datetime:
    return utc_timestamp(value)
