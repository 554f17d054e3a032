"""Hostile input never stops a run: a site and a folder of pages built to break extraction.

Each page below once crashed `crawl` (traceback, exit 1, run left "running") or lost every file
after it in `clean DIR`, or ran without a bound. Now every good page is stored or printed, each
bad one is listed with its reason, and a second run does the same. The crawls run through the
real extraction pool against a real server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scraper.config import ExtractSettings, Settings
from scraper.crawl import visit
from scraper.crawl.engine import Crawler
from scraper.crawl.frontier import crawl_sites
from scraper.extract import ExtractionPool
from scraper.fetch.client import Fetcher
from scraper.models import CrawlReport, RunStatus
from scraper.store.documents import Store
from tests.crawl.test_engine import make_settings
from tests.factories import article
from tests.httpserver import LocalServer, Route

PROSE = "The harbour committee met on Tuesday evening to discuss the dredging plans and the ferry timetable. "
ROOT = Path(__file__).resolve().parents[1]


def hostile_pages() -> dict[str, bytes]:
    """Path -> body of every page that used to break a run, plus two good ones around them."""
    deep_json = '{"@type": "NewsArticle", "x": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    posts = "".join(f'<div class="post"><p>Post {i} of the thread: {PROSE}</p>' for i in range(1000))
    cells = (
        "<table>" + "".join("<tr>" + "<td>cellvalue</td>" * 20 + "</tr>" for _ in range(1500)) + "</table>"
    )
    pages = {
        "/a-good": article("Good morning"),
        "/deep-nesting": f"<html><head><title>Thread</title></head><body><h1>Thread</h1>{posts}</body>",
        "/deep-json-ld": article(
            "Deep JSON-LD", head=f'<script type="application/ld+json">{deep_json}</script>'
        ),
        "/placeholder-canonical": article(
            "Canonical", head='<link rel="canonical" href="https://[site_url]/x">'
        ),
        "/placeholder-base": article(
            "Base", head='<base href="https://[site_url]/"><link rel="canonical" href="/x">'
        ),
        "/quadratic-table": article("Big table", body=cells),
        "/too-many-elements": article("Huge", body="<div>" + "<span>x</span>" * 45_000 + "</div>"),
        "/z-good": article("Good evening"),
    }
    encoded = {path: html.encode() for path, html in pages.items()}
    encoded["/nul-byte"] = article("Nul").encode().replace(b"<head>", b"<head>\x00", 1)
    return encoded


STORED = {"/a-good", "/deep-nesting", "/deep-json-ld", "/placeholder-canonical", "/placeholder-base"}
STORED |= {"/quadratic-table", "/nul-byte", "/z-good", "/"}
FAILED = {"/too-many-elements": "page too complex: 45,0"}


def _serve(server: LocalServer, pages: dict[str, bytes]) -> None:
    server.routes["/"] = Route(body=article("Home", links=tuple(pages)))
    server.routes.update({path: Route(body=body) for path, body in pages.items()})


def _crawl(settings: Settings, url: str, pool: ExtractionPool | None) -> CrawlReport:
    async def go() -> CrawlReport:
        with Store(settings.store.path) as store:
            async with Fetcher(settings.fetch) as fetcher:
                crawler = Crawler(settings, fetcher=fetcher, store=store, pool=pool)
                return await crawler.run(crawl_sites(settings, (url,)))

    return asyncio.run(go())


def _stored(settings: Settings, server: LocalServer) -> dict[str, Any]:
    with Store(settings.store.path) as store:
        return {(doc.url or "").removeprefix(server.base): doc for doc in store.latest()}


def _failed(report: CrawlReport, server: LocalServer) -> dict[str, str]:
    return {f.url.removeprefix(server.base): f.reason for f in report.failures}


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractionPool]:
    """The real extraction pool with its default limits."""
    with ExtractionPool(2, ExtractSettings()) as running:
        yield running


def test_a_site_of_hostile_pages_is_crawled_to_the_end(
    tmp_path: Path, server: LocalServer, pool: ExtractionPool
) -> None:
    """Deep nesting, deep JSON-LD, placeholder URLs, a NUL byte and a huge table are stored; a page
    with too many elements fails with its reason; the second run finishes the same way."""
    _serve(server, hostile_pages())
    settings = make_settings(tmp_path)

    reports = [_crawl(settings, server.url("/"), pool) for _ in range(2)]

    for report in reports:
        assert report.status is RunStatus.FINISHED
        failed = _failed(report, server)
        assert set(failed) == set(FAILED)
        assert all(failed[path].startswith(reason) for path, reason in FAILED.items())
    assert reports[1].new == 0
    stored = _stored(settings, server)
    assert set(stored) == STORED
    assert "Post 0 of the thread" in stored["/deep-nesting"].text
    assert "Post 999 of the thread" in stored["/deep-nesting"].text
    # a placeholder is no URL: no canonical link, and no <base> (relative links use the page's URL)
    assert stored["/placeholder-canonical"].canonical_url == server.url("/placeholder-canonical")
    assert stored["/placeholder-base"].canonical_url == server.url("/x")
    assert "cellvalue" not in stored["/quadratic-table"].text  # the oversized table was dropped
    assert "Big table, part 3" in stored["/quadratic-table"].text


def test_a_bug_fails_its_url_and_the_run_goes_on(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any exception while visiting one URL is that URL's failure, named `internal error`, and the
    crawl (extracting inline here) stores the rest, in this run and the next."""
    real = visit.process_page

    def buggy(page: Any, *args: Any, **kwargs: Any) -> visit.Processed:
        if (page.url or "").endswith("/buggy"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(page, *args, **kwargs)

    monkeypatch.setattr(visit, "process_page", buggy)
    _serve(server, {"/a-good": article("Good").encode(), "/buggy": article("Bug").encode()})
    settings = make_settings(tmp_path)

    reports = [_crawl(settings, server.url("/"), None) for _ in range(2)]

    for report in reports:
        assert report.status is RunStatus.FINISHED
        assert _failed(report, server) == {
            "/buggy": "internal error: RecursionError in scraper.crawl.visit.Visitor._in_pool"
        }
    assert set(_stored(settings, server)) == {"/", "/a-good"}


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _HookedPool(ExtractionPool):
    """The real pool, except that the pages named in `hooks` run the hook instead of extraction."""

    def __init__(self, workers: int, settings: ExtractSettings, hooks: dict[str, Callable[..., Any]]) -> None:
        self.hooks = hooks
        super().__init__(workers, settings)

    def submit(
        self, source: str, fn: Callable[..., Any], /, *args: Any, timeout: float | None = None
    ) -> Future[Any]:
        hook = next((h for path, h in self.hooks.items() if source.endswith(path)), None)
        if hook is not None:
            return super().submit(source, hook, timeout=timeout)
        return super().submit(source, fn, *args, timeout=timeout)


def test_worker_time_limits_and_deaths_fail_only_their_pages(tmp_path: Path, server: LocalServer) -> None:
    """A page over the time limit, one whose parse runs out of memory (lexbor cannot allocate) and
    one whose worker is killed fail with those reasons; the workers are replaced and the good pages
    stored, twice. (The time limit on a real slow page: test_clean_fails_a_file_over_the_time_limit.)"""
    misnested = "<html><body><p>Intro.</p><table>" + ("<b>word</b> " * 20 + "\n") * 6000
    _serve(
        server,
        {
            "/a-good": article("Good").encode(),
            "/slow": article("Slow").encode(),
            "/memory": misnested.encode(),
            "/killed": article("Killed").encode(),
            "/z-good": article("Later").encode(),
        },
    )
    # a limit a normal page keeps on a loaded machine (a fresh worker's first page included),
    # while the slow page sleeps 600 s, far beyond it
    limits = ExtractSettings(timeout=8.0, max_memory=512 * 1024**2)
    settings = replace(make_settings(tmp_path), extract=limits)
    with _HookedPool(2, settings.extract, {"/slow": _sleep_long, "/killed": _die}) as pool:
        reports = [_crawl(settings, server.url("/"), pool) for _ in range(2)]

    for report in reports:
        assert report.status is RunStatus.FINISHED
        assert _failed(report, server) == {
            "/slow": "extraction took longer than 8 s (extract.timeout)",
            "/memory": "the HTML parser gave up (out of memory)",
            "/killed": "extraction worker died (killed by SIGKILL)",
        }
    assert set(_stored(settings, server)) == {"/", "/a-good", "/z-good"}


def test_max_duration_abandons_extraction_in_flight(tmp_path: Path, server: LocalServer) -> None:
    """At --max-duration a page stuck in extraction is abandoned (its worker stopped) within seconds."""
    _serve(server, {"/stuck": article("Stuck").encode()})
    settings = make_settings(tmp_path, max_duration=1.5)
    with _HookedPool(1, settings.extract, {"/stuck": _sleep_long}) as pool:
        started = time.monotonic()
        report = _crawl(settings, server.url("/"), pool)
        elapsed = time.monotonic() - started
        assert pool.submit("after", _sleep, 0.0).result() is None  # the stuck worker was replaced

    assert (report.status, report.stopped_early) == (RunStatus.STOPPED, True)
    assert elapsed < 8


def _sleep_long() -> None:
    time.sleep(600)


def _clean(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`scraper clean ARGS` as a user runs it: its own process, its own stderr."""
    command = [sys.executable, "-m", "scraper", "clean", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


def test_clean_dir_reports_each_bad_file_and_prints_every_good_one(tmp_path: Path) -> None:
    """`scraper clean DIR` prints a record for every good file and one stderr line for the bad one,
    with no library noise (trafilatura warns about the deep JSON-LD), and exits 1. `clean` keeps
    no state, so a second run is this one again."""
    for path, body in hostile_pages().items():
        (tmp_path / f"{path.strip('/')}.html").write_bytes(body)

    done = _clean(tmp_path, "--format", "jsonl", "--jobs", "2")

    printed = {Path(json.loads(line)["source"]).stem for line in done.stdout.splitlines()}
    assert printed == {p.strip("/") for p in STORED - {"/"}}
    assert done.stderr.splitlines() == [
        f"scraper: {tmp_path / 'too-many-elements.html'}: page too complex: 45,011 elements (limit 40,000)"
    ]
    assert done.returncode == 1


def test_clean_fails_a_file_over_the_time_limit_and_goes_on(tmp_path: Path) -> None:
    """With a tiny `[extract] timeout` a slow file fails with that reason and the file after it is printed.
    The slow file is 38,000 paragraphs (under the 40,000-element limit): about 5 s of work on a
    loaded machine, five times the limit (25,000 <span>s took under 2 s once extraction got faster;
    38,000 unclosed <div>s once lexbor's parse was flattened in this process; 15,000 list items
    once drop_copies stopped counting every text in all the others)."""
    (tmp_path / "a-slow.html").write_text(article("Slow", body="<p>word and more words here</p>" * 38_000))
    (tmp_path / "b-good.html").write_text(article("Good"))
    config = tmp_path / "tiny-timeout.toml"
    config.write_text("[extract]\ntimeout = 1.0\n")

    # its own process, as a user runs it: two files are extracted in that process, not in the pool
    done = _clean(tmp_path, "--config", config, "--format", "jsonl")

    assert [Path(json.loads(line)["source"]).name for line in done.stdout.splitlines()] == ["b-good.html"]
    assert done.stderr.splitlines() == [
        f"scraper: {tmp_path / 'a-slow.html'}: extraction took longer than 1 s (extract.timeout)"
    ]
    assert done.returncode == 1
