"""Crawl state in the store: runs and resume, the frontier, per-URL state, one-transaction visits, reports."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scraper.errors import WriteError
from scraper.models import (
    CrawlReport,
    Document,
    FetchedPage,
    FrontierItem,
    Kind,
    RunStatus,
    Via,
    Visit,
    VisitOutcome,
)
from scraper.store.documents import Store
from scraper.store.schema import MIGRATIONS
from scraper.store.state import REPORT_LIST_LIMIT, CrawlState, RunStart
from tests.clock import Clock
from tests.factories import fetched_page

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
A = "http://a.test/"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with Store(db) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock[datetime]:
    return Clock(NOW)


@pytest.fixture
def state(store: Store, clock: Clock[datetime]) -> CrawlState:
    return CrawlState(store, clock=clock)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def page(url: str, *, status: int = 200, etag: str | None = None, modified: str | None = None) -> FetchedPage:
    body = b"" if status == 304 else b"<html>x</html>"
    return fetched_page(body, url=url, status=status, fetched_at=NOW, etag=etag, last_modified=modified)


def document(url: str, text: str = "Some text.") -> Document:
    return Document(
        url=url,
        final_url=url,
        canonical_url=None,
        source=url,
        title="T",
        authors=(),
        date=None,
        sitename=None,
        description=None,
        language="en",
        categories=(),
        tags=(),
        image=None,
        text=text,
        fetched_at=NOW,
        status=200,
    )


def stored(
    url: str, *, text: str = "Some text.", etag: str | None = None, links: tuple[str, ...] = ()
) -> Visit:
    return Visit(
        url=url,
        outcome=VisitOutcome.NEW,
        status=200,
        page=page(url, etag=etag),
        document=document(url, text),
        links=links,
    )


def test_begin_starts_a_new_run_then_resumes_it_until_it_finishes(state: CrawlState) -> None:
    """An unfinished run (running or stopped) with the same parameters is resumed; a finished one is not."""
    first = state.begin("params", new_run_id="run-1")
    assert (first.run_id, first.resumed) == ("run-1", False)
    again = state.begin("params", new_run_id="run-2")
    assert (again.run_id, again.resumed, again.started_at) == ("run-1", True, NOW)
    state.finish(state.report(again, status=RunStatus.STOPPED))
    assert state.begin("params", new_run_id="run-3").run_id == "run-1"
    state.finish(state.report(again, status=RunStatus.FINISHED))
    assert state.begin("params", new_run_id="run-4") == RunStart(
        run_id="run-4", resumed=False, started_at=NOW
    )


def test_other_parameters_start_their_own_run(state: CrawlState) -> None:
    """A different command never resumes another's run."""
    state.begin("crawl A", new_run_id="run-a")
    assert state.begin("crawl B", new_run_id="run-b").run_id == "run-b"
    assert state.begin("crawl A", new_run_id="run-c").run_id == "run-a"


def test_a_new_run_drops_the_frontiers_of_finished_runs(state: CrawlState, db: Path) -> None:
    """Finished runs keep their report, not their frontier, so the store does not grow with every run."""
    run = state.begin("p", new_run_id="run-1")
    state.add(run.run_id, [FrontierItem(url=A)])
    state.finish(state.report(run, status=RunStatus.FINISHED))
    state.begin("p", new_run_id="run-2")
    assert rows(db, "SELECT run_id FROM frontier") == []
    assert rows(db, "SELECT id, status FROM runs ORDER BY id") == [
        ("run-1", "finished"),
        ("run-2", "running"),
    ]


def test_frontier_holds_each_url_once_per_run(state: CrawlState) -> None:
    """Adding a URL the run already has does nothing; another run has its own frontier."""
    state.begin("p", new_run_id="run-1")
    assert state.add("run-1", [FrontierItem(url=A), FrontierItem(url=A + "x")]) == 2
    assert state.add("run-1", [FrontierItem(url=A, via=Via.LINK, depth=2)]) == 0
    assert [item.url for item in state.pending("run-1", "a.test:80", limit=10)] == [A, A + "x"]
    state.begin("q", new_run_id="run-2")
    assert state.add("run-2", [FrontierItem(url=A)]) == 1


def test_pending_order_documents_first_then_new_pages_by_depth(state: CrawlState) -> None:
    """Sitemaps and feeds come first, then pages by depth, pages never fetched before known ones."""
    state.begin("p", new_run_id="run-0")
    state.record("run-0", stored(A + "known"))
    state.begin("q", new_run_id="run-1")
    state.add(
        "run-1",
        [
            FrontierItem(url=A + "deep", via=Via.LINK, depth=2),
            FrontierItem(url=A + "known", via=Via.LINK, depth=1),
            FrontierItem(url=A + "fresh", via=Via.LINK, depth=1),
            FrontierItem(url=A + "sitemap.xml", kind=Kind.SITEMAP, via=Via.GUESS),
            FrontierItem(url="http://b.test/", depth=0),
        ],
    )
    pending = state.pending("run-1", "a.test:80", limit=10)
    assert [p.url.removeprefix(A) for p in pending] == ["sitemap.xml", "fresh", "known", "deep"]
    assert pending[0].kind is Kind.SITEMAP and pending[0].via is Via.GUESS
    assert [p.url for p in state.pending("run-1", "a.test:80", limit=2, exclude={A + "sitemap.xml"})] == [
        A + "fresh",
        A + "known",
    ]
    assert sorted(state.pending_hosts("run-1")) == ["a.test:80", "b.test:80"]


def test_pulling_pending_urls_reads_the_index_without_sorting(store: Store) -> None:
    """However long the frontier, a host's next URLs come straight off an index (no temp B-tree)."""
    with store.reading("plan") as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT url FROM frontier WHERE run_id = ? AND host = ? AND state = 'pending' "
            "AND url NOT IN (?, ?) ORDER BY priority, rowid LIMIT 16",
            ("r", "h", "a", "b"),
        ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "frontier_pending" in details
    assert "TEMP B-TREE" not in details


def test_record_stores_document_page_state_found_urls_and_outcome_together(
    state: CrawlState, db: Path
) -> None:
    """One visit: a document version, the page's validators, new frontier URLs, the row marked done."""
    run = state.begin("p", new_run_id="run-1")
    state.add(run.run_id, [FrontierItem(url=A)])
    visit = Visit(
        url=A,
        outcome=VisitOutcome.NEW,
        status=200,
        page=page(A, etag='"v1"', modified="Mon, 05 Jan 2026 10:00:00 GMT"),
        document=document(A),
        links=(A + "next",),
        found=(FrontierItem(url=A + "next", via=Via.LINK, depth=1),),
    )
    recorded = state.record(run.run_id, visit)
    assert (recorded.outcome, recorded.added) == (VisitOutcome.NEW, 1)
    assert rows(db, "SELECT url, state, outcome, status FROM frontier ORDER BY url") == [
        (A, "done", "new", 200),
        (A + "next", "pending", None, None),
    ]
    known = state.page(A)
    assert known is not None
    assert (known.etag, known.last_modified, known.last_status, known.failures) == (
        '"v1"',
        "Mon, 05 Jan 2026 10:00:00 GMT",
        200,
        0,
    )
    assert known.first_seen == known.last_seen == known.last_changed == NOW
    assert known.content_hash == document(A).content_hash
    assert state.links(A) == (A + "next",)
    assert rows(db, "SELECT key, version, run_id FROM documents") == [(A, 1, "run-1")]


def test_a_failed_record_leaves_nothing_behind(state: CrawlState, db: Path) -> None:
    """If any part of a visit's transaction fails, neither the document nor the page state is kept."""
    run = state.begin("p", new_run_id="run-1")
    state.add(run.run_id, [FrontierItem(url=A)])
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TRIGGER fail BEFORE UPDATE ON frontier WHEN NEW.state = 'done' "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    conn.commit()
    conn.close()
    with pytest.raises(WriteError, match="disk on fire"):
        state.record(run.run_id, stored(A))
    assert rows(db, "SELECT COUNT(*) FROM documents") == [(0,)]
    assert state.page(A) is None
    assert rows(db, "SELECT state FROM frontier") == [("pending",)]


def test_unchanged_text_and_304_keep_the_history(state: CrawlState, clock: Clock[datetime]) -> None:
    """Same text stores no version; a 304 keeps validators it does not repeat; a 200 replaces them."""
    run = state.begin("p", new_run_id="run-1")
    state.record(run.run_id, stored(A, etag='"v1"', links=(A + "x",)))
    clock.now = NOW + timedelta(days=1)
    assert state.record(run.run_id, stored(A)).outcome is VisitOutcome.UNCHANGED
    seen = state.page(A)
    assert seen is not None and seen.etag is None  # the new 200 came without an ETag
    state.record(run.run_id, stored(A, etag='"v2"'))
    clock.now = NOW + timedelta(days=2)
    state.record(
        run.run_id, Visit(url=A, outcome=VisitOutcome.UNCHANGED, status=304, page=page(A, status=304))
    )
    after = state.page(A)
    assert after is not None
    assert (after.etag, after.last_status, after.last_seen, after.last_changed) == (
        '"v2"',
        304,
        NOW + timedelta(days=2),
        NOW,
    )
    assert state.links(A) == ()  # the last 200 had no links; the 304 kept them as they were


def test_gone_and_failures(state: CrawlState, clock: Clock[datetime]) -> None:
    """404/410 sets gone_at once (the document stays); failures count up until the page answers."""
    run = state.begin("p", new_run_id="run-1")
    state.record(run.run_id, stored(A))
    clock.now = NOW + timedelta(hours=1)
    state.record(run.run_id, Visit(url=A, outcome=VisitOutcome.GONE, status=404))
    clock.now = NOW + timedelta(hours=2)
    state.record(run.run_id, Visit(url=A, outcome=VisitOutcome.GONE, status=410))
    gone = state.page(A)
    assert gone is not None and (gone.gone_at, gone.last_status) == (NOW + timedelta(hours=1), 410)
    for _ in range(2):
        state.record(
            run.run_id, Visit(url=A + "flaky", outcome=VisitOutcome.FAILED, status=503, reason="HTTP 503")
        )
    flaky = state.page(A + "flaky")
    assert flaky is not None and (flaky.failures, flaky.known) == (2, False)
    state.record(run.run_id, stored(A))
    back = state.page(A)
    assert back is not None and back.gone_at is None


def test_set_aside_skips_the_host_pending_urls_and_is_remembered(state: CrawlState) -> None:
    """Setting a host aside closes its pending URLs with the reason and is kept for a resumed run."""
    run = state.begin("p", new_run_id="run-1")
    state.add(
        run.run_id, [FrontierItem(url=A), FrontierItem(url=A + "x"), FrontierItem(url="http://b.test/")]
    )
    assert state.set_aside(run.run_id, "a.test:80", "5 failures in a row") == 2
    assert state.pending(run.run_id, "a.test:80", limit=10) == []
    assert state.hosts_set_aside(run.run_id) == {"a.test:80": "5 failures in a row"}
    report = state.report(run, status=RunStatus.FINISHED)
    assert report.skipped == {"host set aside": 2}
    assert report.set_aside == {"a.test:80": "5 failures in a row"}


def test_report_counts_the_frontier(state: CrawlState) -> None:
    """The report counts outcomes of pages, groups reasons before their first colon, lists problems."""
    run = state.begin("p", new_run_id="run-1")
    urls = [f"{A}{i}" for i in range(REPORT_LIST_LIMIT + 5)]
    state.add(run.run_id, [FrontierItem(url=u) for u in [*urls, A + "new", A + "later"]])
    state.record(run.run_id, stored(A + "new"))
    for url in urls:
        state.record(
            run.run_id, Visit(url=url, outcome=VisitOutcome.FAILED, reason="cannot connect: refused")
        )
    state.record(run.run_id, Visit(url=A + "r", outcome=VisitOutcome.SKIPPED_ROBOTS, reason="disallowed"))
    state.record(
        run.run_id,
        Visit(
            url=A + "s.xml",
            kind=Kind.SITEMAP,
            outcome=VisitOutcome.SKIPPED,
            status=200,
            reason="invalid XML: x",
        ),
    )
    state.record(
        run.run_id, Visit(url=A + "robots.txt", kind=Kind.ROBOTS, outcome=VisitOutcome.READ, status=404)
    )
    assert state.close_pending(run.run_id, VisitOutcome.SKIPPED_LIMITS, "page limit reached") == 1

    report = state.report(run, status=RunStatus.FINISHED, finished_at=NOW)

    assert (report.discovered, report.fetched, report.new, report.stored) == (len(urls) + 3, 1, 1, 1)
    assert report.failed == {"cannot connect": len(urls)}
    assert len(report.failures) == REPORT_LIST_LIMIT
    assert (report.skipped_robots, report.skipped_limits) == (1, 1)
    assert report.skipped == {"sitemap: invalid XML": 1}
    assert [p.url for p in report.problems] == [A + "s.xml"]
    assert not report.ok
    assert report.to_json()["failed"] == {"cannot connect": len(urls)}


def test_migration_makes_known_pages_of_stored_documents(tmp_path: Path) -> None:
    """A store from before the crawl state gets a pages row per stored URL: a re-crawl can find it gone."""
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    values = (
        A,
        1,
        A,
        A,
        "[]",
        "[]",
        "[]",
        "text",
        "2025-01-01T00:00:00.000000Z",
        "article",
        1.0,
        "",
        "h",
        "h",
        "2025-01-01T00:00:01.000000Z",
    )
    conn.execute(
        "INSERT INTO documents (key, version, url, source, authors, categories, tags, text, fetched_at, "
        "page_type, quality, markdown, content_hash, html_hash, stored_at) VALUES "
        f"({', '.join('?' * len(values))})",
        values,
    )
    conn.commit()
    conn.close()
    with Store(db) as store:
        known = CrawlState(store).page(A)
    assert known is not None and known.known and known.content_hash == "h"


def test_an_interrupted_run_is_resumed(state: CrawlState) -> None:
    """A run interrupted by SIGINT / SIGTERM is resumed by the next run with the same parameters."""
    run = state.begin("params", new_run_id="run-1")
    state.finish(state.report(run, status=RunStatus.INTERRUPTED, stopped_early=True))
    assert state.begin("params", new_run_id="run-2") == RunStart(run_id="run-1", resumed=True, started_at=NOW)


@pytest.mark.parametrize(
    ("failed", "requested", "ratio", "why"),
    [
        (1, 2, 0.5, None),  # exactly the ratio: not more
        (2, 3, 0.5, "2 of 3 requested pages failed, more than max_failure_ratio 0.5"),
        (1, 100, 0.0, "1 of 100 requested pages failed, more than max_failure_ratio 0"),
        (5, 5, 1.0, None),  # a ratio of 1 never fails a run by its share of failures
        (0, 0, 0.0, None),
    ],
)
def test_a_run_fails_on_its_share_of_failed_pages(
    failed: int, requested: int, ratio: float, why: str | None
) -> None:
    """A run fails when more than max_failure_ratio of the pages it requested failed."""
    assert CrawlReport(failed_pages=failed, requested=requested).failure(ratio) == why


def test_a_run_fails_when_every_host_was_set_aside(state: CrawlState) -> None:
    """Every host of the run's pages set aside fails the run; one host of two does not."""
    run = state.begin("params", new_run_id="run-1")
    state.add(run.run_id, [FrontierItem(url="https://a.example/"), FrontierItem(url="https://b.example/")])
    state.set_aside(run.run_id, "a.example:443", "robots.txt unreachable")
    report = state.report(run, status=RunStatus.FINISHED)
    assert (report.every_host_set_aside, report.failure(0.5)) == (False, None)
    state.set_aside(run.run_id, "b.example:443", "robots.txt unreachable")
    report = state.report(run, status=RunStatus.FINISHED)
    assert (report.every_host_set_aside, report.failure(0.5)) == (True, "every host was set aside")
