"""Hostile servers never stop a run: bad redirects, cut bodies, odd encodings, huge robots.txt,
endless sitemaps, and addresses a crawl must not reach (the SSRF guard).

Network behaviour is tested against real servers on loopback addresses (tests/httpserver.py).
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from pathlib import Path

import httpx
import pytest

from scraper.config import FetchSettings
from scraper.errors import PermanentFetchError, TransientFetchError
from scraper.fetch import InflateError, Inflater, inflate
from scraper.fetch.client import Fetcher
from scraper.models import FetchedPage
from tests.httpserver import LocalServer, Route
from tests.test_crawl import article, crawl, make_settings

TEXT = {"Content-Type": "text/plain"}
FAST = FetchSettings(
    per_host_delay=0.0, max_attempts=3, backoff_initial=0.01, backoff_max=0.02, read_timeout=5.0
)


def raw_deflate(data: bytes) -> bytes:
    squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return squeezer.compress(data) + squeezer.flush()


def get(
    url: str, *, settings: FetchSettings = FAST, transport: httpx.AsyncBaseTransport | None = None
) -> FetchedPage:
    async def go() -> FetchedPage:
        async with Fetcher(settings, transport=transport) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


# --- the bounded inflater -------------------------------------------------------------------

PLAIN = b"<p>The harbour committee met on Tuesday.</p>" * 200


@pytest.mark.parametrize(
    ("coding", "packed"),
    [
        ("gzip", gzip.compress(PLAIN)),
        ("deflate", zlib.compress(PLAIN)),
        ("deflate", raw_deflate(PLAIN)),
        ("gzip", gzip.compress(PLAIN[:100]) + gzip.compress(PLAIN[100:]) + b"\0\0"),
    ],
    ids=["gzip", "zlib", "raw-deflate", "gzip-members"],
)
def test_inflater_reads_every_coding_in_any_chunking(coding: str, packed: bytes) -> None:
    """gzip (several members too), zlib and raw deflate inflate the same, whole or byte by byte."""
    assert inflate(packed, limit=len(PLAIN), coding=coding) == PLAIN
    inflater = Inflater(coding, len(PLAIN))
    assert b"".join(inflater.feed(packed[i : i + 1]) for i in range(len(packed))) == PLAIN
    inflater.finish()


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_inflater_stops_a_bomb_at_the_limit(coding: str) -> None:
    """20 MB of zeros packed into a few KB is refused one byte past the limit."""
    packed = gzip.compress(b"\0" * 20_000_000) if coding == "gzip" else raw_deflate(b"\0" * 20_000_000)
    with pytest.raises(InflateError, match="larger than 1000 bytes") as info:
        inflate(packed, limit=1000, coding=coding)
    assert info.value.too_large


def test_inflater_truncates_on_request() -> None:
    """With truncate, output stops at the limit without an error, and `full` says so."""
    inflater = Inflater("gzip", 10, truncate=True)
    assert inflater.feed(gzip.compress(PLAIN)) == PLAIN[:10]
    assert inflater.full
    inflater.finish()


@pytest.mark.parametrize(
    ("packed", "flag"),
    [(gzip.compress(PLAIN)[:-9], "truncated"), (b"\x1f\x8b\x08\x00junk that is not deflate", "corrupt")],
)
def test_inflater_names_cut_and_corrupt_data(packed: bytes, flag: str) -> None:
    """A stream cut before its end, or junk after a gzip header, raises with a reason."""
    with pytest.raises(InflateError, match="cut short" if flag == "truncated" else "corrupt") as info:
        inflate(packed, limit=10**6)
    assert info.value.truncated is (flag == "truncated")


# --- redirects whose Location is no URL -----------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "http://[::1/x",
        "https://[site_url]/x",
        "http://xn--/",
        "http://example.test:abc/",
        "http://exa\x01mple/",
    ],
)
def test_malformed_redirect_is_a_permanent_failure_of_that_url(location: str) -> None:
    """A Location that is not a URL fails the page once, with a reason; it is not retried."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(302, headers=[(b"location", location.encode("latin-1"))])

    with pytest.raises(PermanentFetchError, match=r"malformed redirect|redirect to malformed URL"):
        get("http://site.test/", transport=httpx.MockTransport(handler))
    assert len(requests) == 1


def test_crawl_goes_on_past_a_malformed_redirect(tmp_path: Path, server: LocalServer) -> None:
    """A page redirecting to a broken Location is one failure; its sibling is stored."""
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/bad", "/good"))),
            "/bad": Route(302, b"", {"Location": "http://xn--/"}),
            "/good": Route(200, article("Good")),
        }
    )
    report = crawl(make_settings(tmp_path), server.url("/"))
    (reason,) = report.failed
    assert "malformed URL" in reason and report.failed[reason] == 1
    assert report.new == 2


# --- bodies cut short, raw deflate ----------------------------------------------------------


def test_body_cut_short_is_retried_then_reported(server: LocalServer) -> None:
    """A body shorter than its Content-Length is retried like a reset, then fails as cut short."""
    cut = {"Content-Type": "text/html", "Content-Length": "50000", "Connection": "close"}
    server.routes["/page"] = Route(200, article("Cut"), cut)
    with pytest.raises(TransientFetchError, match="body cut short"):
        get(server.url("/page"))
    assert len(server.hits("/page")) == 3


def test_body_cut_short_once_succeeds_on_the_retry(server: LocalServer) -> None:
    """The second attempt gets the whole body."""
    answers = iter([Route(200, article("Cut"), {"Content-Length": "50000", "Connection": "close"})])
    server.routes["/page"] = lambda request: next(answers, Route(200, article("Whole")))
    assert "Whole" in get(server.url("/page")).html
    assert len(server.hits("/page")) == 2


def test_gzip_stream_cut_short_is_retried(server: LocalServer) -> None:
    """A gzip body whose stream stops early (framing intact) is not taken as a whole page."""
    packed = gzip.compress(article("Cut").encode())[:-40]
    server.routes["/page"] = Route(200, packed, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    with pytest.raises(TransientFetchError, match="body cut short: gzip data cut short"):
        get(server.url("/page"))
    assert len(server.hits("/page")) == 3


def test_raw_deflate_body_is_accepted(server: LocalServer) -> None:
    """Content-Encoding: deflate without the zlib header is read as raw deflate, as httpx does."""
    body = article("Deflated").encode()
    server.routes["/page"] = Route(
        200, raw_deflate(body), {"Content-Type": "text/html", "Content-Encoding": "deflate"}
    )
    assert get(server.url("/page")).body == body


# --- robots.txt over the size limit ---------------------------------------------------------


def test_robots_over_the_limit_is_read_up_to_the_limit(tmp_path: Path, server: LocalServer) -> None:
    """An 11 MiB robots.txt is parsed for its first 512 KiB: a Disallow there holds, one after it not."""
    filler = "# a long robots.txt keeps going with comments\n" * (600 * 1024 // 46)
    robots = "User-agent: *\nDisallow: /private\n" + filler + "Disallow: /late\n" + filler * 18
    server.routes.update(
        {
            "/robots.txt": Route(200, robots, TEXT),
            "/": Route(200, article("Home", links=("/private/x", "/late/y"))),
            "/private/x": Route(200, article("Private")),
            "/late/y": Route(200, article("Late")),
        }
    )
    report = crawl(make_settings(tmp_path), server.url("/"))
    assert len(robots) > 10 * 1024 * 1024
    assert server.hits("/private/x") == [] and len(server.hits("/late/y")) == 1
    assert report.skipped_robots == 1 and report.problems == ()
