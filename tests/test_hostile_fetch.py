"""Hostile servers never stop a run: bad redirects, cut bodies, odd encodings, huge robots.txt,
endless sitemaps, and addresses a crawl must not reach (the SSRF guard).

Network behaviour is tested against real servers on loopback addresses (tests/httpserver.py).
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpcore
import httpx
import pytest
from click.testing import CliRunner

from scraper.charset import decided
from scraper.cli import cli
from scraper.config import FetchSettings, Site, settings_from_dict
from scraper.crawl.discover import feed_links, parse_feed, parse_sitemap
from scraper.errors import ConfigError, PermanentFetchError, TransientFetchError
from scraper.fetch import InflateError, Inflater, inflate
from scraper.fetch.client import Fetcher
from scraper.fetch.guard import AddressPolicy, BlockedAddress, GuardedBackend, address_kind
from scraper.fetch.robots import parse_robots
from scraper.models import FetchedPage, RunStatus
from scraper.urls import host_key
from tests.crawl.test_engine import crawl, make_settings
from tests.factories import article
from tests.httpserver import LocalServer, Request, Route

TEXT = {"Content-Type": "text/plain"}
XML = {"Content-Type": "application/xml"}
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(*urls: str) -> str:
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return f"<urlset xmlns='{SITEMAP_NS}'>{entries}</urlset>"


def sitemap_index(*urls: str) -> str:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return f"<sitemapindex xmlns='{SITEMAP_NS}'>{entries}</sitemapindex>"


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
        async with Fetcher(settings, transport=transport, trusted=[url]) as fetcher:
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
    [
        (gzip.compress(PLAIN, mtime=0)[:-9], "truncated"),
        (b"\x1f\x8b\x08\x00junk that is not deflate", "corrupt"),
    ],
    ids=["truncated", "corrupt"],  # stable ids: every xdist worker must collect the same tests
)
def test_inflater_names_cut_and_corrupt_data(packed: bytes, flag: str) -> None:
    """A stream cut before its end, or junk after a gzip header, raises with a reason."""
    with pytest.raises(InflateError, match="cut short" if flag == "truncated" else "corrupt") as info:
        inflate(packed, limit=10**6)
    assert info.value.truncated is (flag == "truncated")


def test_inflater_reads_brotli_bounded() -> None:
    """br (which warcio cannot undo) inflates whole or byte by byte; a few bytes that make 20 MB
    stop one byte past the limit; a cut stream and junk raise with a reason."""
    brotli = pytest.importorskip("brotli")
    packed = brotli.compress(PLAIN)
    assert inflate(packed, limit=len(PLAIN), coding="br") == PLAIN
    inflater = Inflater("br", len(PLAIN))
    assert b"".join(inflater.feed(packed[i : i + 1]) for i in range(len(packed))) == PLAIN
    inflater.finish()
    with pytest.raises(InflateError, match="larger than 1000 bytes") as info:
        inflate(brotli.compress(b"\0" * 20_000_000), limit=1000, coding="br")
    assert info.value.too_large
    noise = brotli.compress(bytes(range(256)) * 64 + PLAIN, quality=0)
    with pytest.raises(InflateError, match="br data cut short"):
        inflate(noise[: len(noise) // 2], limit=10**6, coding="br")
    with pytest.raises(InflateError, match="corrupt br data"):
        inflate(b"<p>not brotli at all</p>", limit=10**6, coding="br")


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

    with pytest.raises(PermanentFetchError, match="redirect to malformed URL"):
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
    assert report.failed == {"redirect to malformed URL": 1}
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
    assert "Whole" in decided(get(server.url("/page"))).html
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


# --- the SSRF guard -------------------------------------------------------------------------


@pytest.fixture
def inner() -> Iterator[LocalServer]:
    """A server on another loopback address: an internal host no one named."""
    with LocalServer({"/secret": Route(200, article("Internal secret"))}, host="127.0.0.2") as srv:
        yield srv


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.2", "loopback"),
        ("10.1.2.3", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "non-public"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:192.168.0.1", "private"),
        ("2002:7f00:1::1", "loopback"),
        ("fd00::1", "private"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    """Loopback, private, link-local, shared and reserved addresses (also inside IPv6) are not public."""
    assert address_kind(ipaddress.ip_address(address)) == kind


def test_guard_connects_to_the_address_it_checked() -> None:
    """The host is resolved once and the checked address is what is connected to (no rebinding)."""
    connected: list[str] = []

    class Recorder(httpcore.AsyncNetworkBackend):
        async def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.AsyncNetworkStream:
            connected.append(host)
            raise httpcore.ConnectError("recorded")

    backend = GuardedBackend(AddressPolicy(["127.0.0.0/8"]), Recorder())
    with pytest.raises(httpcore.ConnectError):
        asyncio.run(backend.connect_tcp("localhost", 80))
    assert connected and all(ipaddress.ip_address(host).is_loopback for host in connected)
    with pytest.raises(BlockedAddress, match=r"localhost is (127.0.0.1|::1) a loopback"):
        asyncio.run(GuardedBackend(AddressPolicy(), Recorder()).connect_tcp("localhost", 80))


def test_redirect_to_another_private_host_is_refused(
    tmp_path: Path, server: LocalServer, inner: LocalServer
) -> None:
    """A start host may be local; its redirects to other private hosts are refused, unrequested."""
    port = inner.base.rsplit(":", 1)[1]
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/to-inner", "/to-localhost", "/own"))),
            "/to-inner": Route(302, b"", {"Location": inner.url("/secret")}),
            "/to-localhost": Route(302, b"", {"Location": f"http://localhost:{port}/secret"}),
            "/own": Route(302, b"", {"Location": server.url("/story")}),
            "/story": Route(200, article("Story")),
        }
    )
    report = crawl(make_settings(tmp_path), server.url("/"))
    assert inner.requests == []
    assert report.failed == {"private address refused": 2}
    assert {f.url for f in report.failures} == {server.url("/to-inner"), server.url("/to-localhost")}
    assert report.new == 2  # the home page and the story its own host redirected to


def test_sitemaps_pointing_at_internal_hosts_are_refused(
    tmp_path: Path, server: LocalServer, inner: LocalServer
) -> None:
    """`Sitemap:` lines and sitemap children on an internal host are never requested: they are not
    in the crawl's scope, so they are left out before the SSRF guard would refuse them."""
    inner.routes["/sitemap.xml"] = Route(200, urlset(inner.url("/secret")), XML)
    server.routes.update(
        {
            "/robots.txt": Route(200, f"Sitemap: {inner.url('/sitemap.xml')}\n", TEXT),
            "/": Route(200, article("Home")),
            "/sitemap.xml": Route(200, sitemap_index(inner.url("/child.xml")), XML),
        }
    )
    report = crawl(make_settings(tmp_path), server.url("/"))
    assert inner.requests == []
    left_out = {p.url for p in report.problems if "not in the crawl's scope" in p.reason}
    assert left_out == {server.url("/robots.txt"), server.url("/sitemap.xml")}


def test_allow_private_and_named_sites_reach_private_hosts(
    tmp_path: Path, server: LocalServer, inner: LocalServer
) -> None:
    """Hosts in [fetch] allow_private may be redirected to (an address: any port); so may the
    host and port of a URL a [[sites]] entry names."""
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/to-inner",))),
            "/to-inner": Route(302, b"", {"Location": inner.url("/secret")}),
        }
    )
    allowed = make_settings(tmp_path, fetch={"allow_private": ("127.0.0.2",)})
    assert crawl(allowed, server.url("/")).new == 2
    site = Site(name="both", start_urls=(server.url("/"), inner.url("/")), hosts=("127.0.0.2",))
    inner.routes["/"] = Route(200, article("Inner home"))
    assert crawl(make_settings(tmp_path / "b"), sites=(site,)).new == 3
    assert len(inner.hits("/secret")) == 2


def test_clean_fetches_the_named_url_but_not_its_private_redirect(
    server: LocalServer, inner: LocalServer
) -> None:
    """`scraper clean URL`: the URL the user names may be local; a redirect to an internal host is not."""
    server.routes["/story"] = Route(200, article("Story"))
    server.routes["/go"] = Route(302, b"", {"Location": inner.url("/secret")})
    result = CliRunner().invoke(cli, ["clean", "--jobs", "1", server.url("/story"), server.url("/go")])
    assert "Story, part 0" in result.stdout
    assert "private address refused" in result.stderr and inner.requests == []
    assert result.exit_code == 1
    # the line names the URL the user gave; where it led is part of the reason
    line = f"{server.url('/go')}: private address refused: "
    assert line in result.stderr and f"(after a redirect to {inner.url('/secret')})" in result.stderr
    assert f"{inner.url('/secret')}: " not in result.stderr


# --- sitemap and feed requests are bounded --------------------------------------------------


def sitemap_requests(server: LocalServer) -> list[str]:
    return [r.path for r in server.requests if r.path.endswith(".xml")]


def test_chained_sitemap_indexes_stop_at_the_depth_limit(tmp_path: Path, server: LocalServer) -> None:
    """An index leading to an index, and so on without end, is read max_sitemap_depth levels deep."""

    def chain(request: Request) -> Route:
        level = int(request.path.removeprefix("/chain-").removesuffix(".xml"))
        return Route(200, sitemap_index(server.url(f"/chain-{level + 1}.xml")), XML)

    server.routes.update({f"/chain-{i}.xml": chain for i in range(50)})
    server.routes.update(
        {"/robots.txt": Route(200, "Sitemap: /chain-0.xml\n", TEXT), "/": Route(200, article("Home"))}
    )
    report = crawl(make_settings(tmp_path, max_sitemap_depth=3), server.url("/"))
    read = ["/chain-0.xml", "/chain-1.xml", "/chain-2.xml", "/chain-3.xml", "/sitemap.xml"]
    assert sorted(sitemap_requests(server)) == read
    assert report.skipped == {"sitemap: sitemaps and feeds left out": 1}
    assert "max_sitemap_depth = 3" in report.problems[0].reason


def test_sitemap_cycles_are_read_once(tmp_path: Path, server: LocalServer) -> None:
    """Indexes listing each other (and themselves) are each requested once."""
    server.routes.update(
        {
            "/robots.txt": Route(200, "Sitemap: /a.xml\n", TEXT),
            "/": Route(200, article("Home")),
            "/a.xml": Route(200, sitemap_index(server.url("/b.xml"), server.url("/a.xml")), XML),
            "/b.xml": Route(200, sitemap_index(server.url("/a.xml"), server.url("/c.xml")), XML),
            "/c.xml": Route(200, urlset(server.url("/story")), XML),
            "/story": Route(200, article("Story")),
        }
    )
    report = crawl(make_settings(tmp_path), server.url("/"))
    assert sorted(sitemap_requests(server)) == ["/a.xml", "/b.xml", "/c.xml", "/sitemap.xml"]
    assert report.new == 2 and report.problems == ()


def test_a_huge_sitemap_index_is_read_within_the_budget(tmp_path: Path, server: LocalServer) -> None:
    """5,000 child sitemaps and --max-pages 5: a few requests, a finished run, and the rest reported."""
    children = [server.url(f"/child-{i}.xml") for i in range(5_000)]
    server.routes.update(
        {
            "/robots.txt": Route(200, "Sitemap: /index.xml\n", TEXT),
            "/": Route(200, article("Home")),
            "/index.xml": Route(200, sitemap_index(*children), XML),
        }
    )

    def child(request: Request) -> Route:
        number = request.path.removeprefix("/child-").removesuffix(".xml")
        return Route(200, urlset(server.url(f"/story-{number}")), XML)

    server.routes.update({f"/child-{i}.xml": child for i in range(5_000)})
    server.routes.update({f"/story-{i}": Route(200, article(f"Story {i}")) for i in range(20)})
    settings = make_settings(
        tmp_path, max_pages=5, max_discovery_requests=20, fetch={"per_host_concurrency": 1}
    )
    report = crawl(settings, server.url("/"))
    assert report.status is RunStatus.FINISHED and report.fetched == 5
    assert len(sitemap_requests(server)) <= 6  # the index, then children until 4 new pages wait
    (problem,) = report.problems
    assert problem.url == server.url("/index.xml")
    assert problem.reason.startswith("sitemaps and feeds left out: 4982 of 5000 listed")
    assert report.skipped_limits >= 14  # children queued but not needed for 5 pages


def test_discovery_stops_once_the_pages_are_found(tmp_path: Path, server: LocalServer) -> None:
    """An index's children are read only until max_pages new pages wait, none once it is reached."""
    children = [server.url(f"/sm-{i}.xml") for i in range(10)]
    server.routes.update(
        {
            "/robots.txt": Route(200, "Sitemap: /index.xml\n", TEXT),
            "/": Route(200, article("Home")),
            "/index.xml": Route(200, sitemap_index(*children), XML),
        }
    )
    for i in range(10):
        server.routes[f"/sm-{i}.xml"] = Route(200, urlset(*(server.url(f"/s{i}-{j}") for j in range(3))), XML)
        server.routes.update({f"/s{i}-{j}": Route(200, article(f"Story {i} {j}")) for j in range(3)})
    settings = make_settings(tmp_path, max_pages=3, fetch={"per_host_concurrency": 1})
    report = crawl(settings, server.url("/"))
    assert report.fetched == 3
    assert sorted(sitemap_requests(server)) == ["/index.xml", "/sitemap.xml", "/sm-0.xml"]
    assert report.skipped_limits == 9 + 1  # nine child sitemaps, and the story max_pages left


# --- gone pages are found; validators for every page fetched --------------------------------


def test_pages_no_longer_linked_are_revisited_and_found_gone(tmp_path: Path, server: LocalServer) -> None:
    """Pages deleted along with every link to them are asked for again and marked gone."""
    stories = {f"/a{i}": Route(200, article(f"Story {i}")) for i in range(6)}
    server.routes.update(
        {"/robots.txt": Route(404), "/": Route(200, article("Home", links=tuple(stories))), **stories}
    )
    settings = make_settings(tmp_path)
    assert crawl(settings, server.url("/")).new == 7
    server.routes["/"] = Route(200, article("Home", links=("/a0", "/a1", "/a2")))
    server.routes.update({f"/a{i}": Route(404) for i in range(3, 6)})

    second = crawl(settings, server.url("/"))

    assert second.gone == 3 and second.failed == {}
    assert all(len(server.hits(f"/a{i}")) == 2 for i in range(6))
    with sqlite3.connect(settings.store.path) as db:
        gone = {url for (url,) in db.execute("SELECT url FROM pages WHERE gone_at IS NOT NULL")}
    assert gone == {server.url(f"/a{i}") for i in range(3, 6)}


def test_revisits_are_budgeted_oldest_first(tmp_path: Path, server: LocalServer) -> None:
    """[crawl] revisit caps the revisits of a run; the page seen longest ago goes first."""
    stories = {f"/a{i}": Route(200, article(f"Story {i}")) for i in range(4)}
    server.routes.update(
        {"/robots.txt": Route(404), "/": Route(200, article("Home", links=tuple(stories))), **stories}
    )
    crawl(make_settings(tmp_path), server.url("/"))
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute(
            "UPDATE pages SET last_seen = '2001-01-01T00:00:00+00:00' WHERE url = ?", (server.url("/a2"),)
        )
    server.routes["/"] = Route(200, article("Home"))

    report = crawl(make_settings(tmp_path, revisit=1), server.url("/"))

    assert [len(server.hits(f"/a{i}")) for i in range(4)] == [1, 1, 2, 1]
    assert report.unchanged == 2  # the home page and the revisited story


def test_validators_are_kept_when_pages_are_only_fetched(tmp_path: Path, server: LocalServer) -> None:
    """With extract = false, the next run asks conditionally too, and a 304 still follows the links."""
    etagged = {"Content-Type": "text/html", "ETag": '"v1"'}

    def conditional(body: str) -> Callable[[Request], Route]:
        def answer(request: Request) -> Route:
            if request.headers.get("if-none-match") == '"v1"':
                return Route(304, b"", {"ETag": '"v1"'})
            return Route(200, body, etagged)

        return answer

    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": conditional(article("Home", links=("/hub",))),
            "/hub": conditional("<html><body><a href='/story'>story</a></body></html>"),
            "/story": Route(200, article("Story")),
        }
    )
    settings = make_settings(tmp_path, extract=False)
    crawl(settings, server.url("/"))
    second = crawl(settings, server.url("/"))
    assert [r.headers.get("if-none-match") for r in server.hits("/hub")] == [None, '"v1"']
    assert second.unchanged == 2 and len(server.hits("/story")) == 2


# --- every URL a server sends is parsed without raising -------------------------------------

BROKEN_URLS = [
    "http://[::1/x",
    "https://[site_url]/x",
    "http://site.example:abc/",
    "http://site.example:99999/",
]


@pytest.mark.parametrize("broken", BROKEN_URLS)
def test_broken_urls_in_discovery_documents_are_dropped(broken: str) -> None:
    """Sitemap <loc>s, feed links, advertised feeds and Sitemap: lines with broken URLs are left out."""
    source = "https://site.example/doc"
    found = [
        *(link.url for link in parse_sitemap(urlset(broken, "/ok").encode(), source=source).urls),
        *parse_sitemap(sitemap_index(broken, "/ok.xml").encode(), source=source).sitemaps,
        *(
            link.url
            for link in parse_feed(f"<rss><item><link>{broken}</link></item></rss>".encode(), source=source)
        ),
        *feed_links(f"<link rel=alternate type=application/rss+xml href='{broken}'>", base_url=source),
        *parse_robots(f"Sitemap: {broken}\nSitemap: /ok.xml\n", agent="scraper", base_url=source).sitemaps,
    ]
    assert found == ["https://site.example/ok", "https://site.example/ok.xml", "https://site.example/ok.xml"]
    assert [host_key(url) for url in found] == ["site.example:443"] * 3


def test_crawl_goes_on_past_broken_urls_in_a_sitemap(tmp_path: Path, server: LocalServer) -> None:
    """A sitemap listing URLs with broken ports and hosts next to a good one: the good one is stored."""
    server.routes.update(
        {
            "/robots.txt": Route(200, "Sitemap: /sitemap.xml\n", TEXT),
            "/": Route(200, article("Home")),
            "/sitemap.xml": Route(200, urlset(*BROKEN_URLS, server.url("/story")), XML),
            "/story": Route(200, article("Story")),
        }
    )
    report = crawl(make_settings(tmp_path), server.url("/"))
    assert report.new == 2 and report.failed == {} and report.problems == ()


# --- all of it at once ----------------------------------------------------------------------


def test_a_site_serving_every_fetch_trigger_is_crawled_twice_to_the_end(
    tmp_path: Path, server: LocalServer, inner: LocalServer
) -> None:
    """Every hostile response above on one site: both runs finish, good pages stored, each bad one
    listed with its reason."""
    endless = {
        f"/chain-{i}.xml": Route(200, sitemap_index(server.url(f"/chain-{i + 1}.xml")), XML)
        for i in range(20)
    }
    bad = {
        "/bad-location": Route(302, b"", {"Location": "http://xn--/"}),
        "/cut": Route(200, article("Cut"), {"Content-Length": "90000", "Connection": "close"}),
        "/to-inner": Route(302, b"", {"Location": inner.url("/secret")}),
    }
    server.routes.update(
        {
            "/robots.txt": Route(200, "Sitemap: /chain-0.xml\nSitemap: /ports.xml\n" + "#" * 600_000, TEXT),
            "/": Route(200, article("Home", links=(*bad, "/deflated"))),
            "/deflated": Route(
                200,
                raw_deflate(article("Deflated").encode()),
                {"Content-Type": "text/html", "Content-Encoding": "deflate"},
            ),
            "/ports.xml": Route(200, urlset(*BROKEN_URLS, server.url("/story")), XML),
            "/story": Route(200, article("Story")),
            **endless,
            **bad,
        }
    )
    settings = make_settings(tmp_path, max_sitemap_depth=2)
    for run in range(2):
        report = crawl(settings, server.url("/"))
        assert report.status is RunStatus.FINISHED
        assert report.new + report.unchanged == 3  # home, deflated, story
        assert report.failed == {
            "redirect to malformed URL": 1,
            "body cut short": 1,
            "private address refused": 1,
        }, f"run {run + 1}"
        assert report.skipped == {
            "sitemap: sitemaps and feeds left out": 1,
            "robots: private address refused": 1,  # the redirect target's robots.txt, not requested either
        }
    assert inner.requests == []


@pytest.mark.parametrize(
    ("entry", "ok"),
    [
        ("intranet.example", True),
        ("10.0.0.0/8", True),
        ("fd00::/8", True),
        ("127.0.0.2", True),
        ("http://x/", False),
        ("", False),
    ],
)
def test_allow_private_entries_are_checked_at_load(entry: str, ok: bool) -> None:
    """[fetch] allow_private takes host names, addresses and networks; anything else names the key."""
    raw = {"fetch": {"allow_private": [entry]}}
    if ok:
        assert settings_from_dict(raw).fetch.allow_private == (entry,)
    else:
        with pytest.raises(ConfigError, match=r"fetch\.allow_private"):
            settings_from_dict(raw)


def test_pages_only_fetched_are_extracted_in_full_by_an_extracting_run(
    tmp_path: Path, server: LocalServer
) -> None:
    """Validators of a body fetched for its links only are not used once pages are extracted."""
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/story",)), {"Content-Type": "text/html", "ETag": '"h"'}),
            "/story": Route(200, article("Story"), {"Content-Type": "text/html", "ETag": '"s"'}),
        }
    )
    crawl(make_settings(tmp_path, extract=False), server.url("/"))
    report = crawl(make_settings(tmp_path), server.url("/"))
    assert report.new == 2
    assert [r.headers.get("if-none-match") for r in server.hits("/story")] == [None, None]
    assert crawl(make_settings(tmp_path), server.url("/")).unchanged == 2
    assert server.hits("/story")[-1].headers.get("if-none-match") == '"s"'


# --- answers that are no HTTP ---------------------------------------------------------------


def _raw_server(answer: bytes) -> tuple[str, Callable[[], int]]:
    """A loopback server that answers every connection with `answer` and closes; its URL and how
    many connections it took."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(10)
    taken: list[int] = []

    def serve() -> None:
        with listener:
            for _ in range(5):
                try:
                    conn, _address = listener.accept()
                except OSError:
                    return
                with conn:
                    taken.append(1)
                    conn.recv(65536)
                    conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/page", lambda: len(taken)


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (b"\x00\x01garbage, no status line\r\n\r\n", "not a valid HTTP response: illegal status line"),
        (
            b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\nContent-Length: 0\r\n\r\n",
            "not a valid HTTP response: headers too large",
        ),
    ],
)
def test_an_answer_that_is_no_http_says_so_once(answer: bytes, said: str) -> None:
    """An answer h11 cannot read was "connection failed: illegal status line: bytearray(b'...')"
    (the server's bytes echoed) or "connection failed: Receive buffer too long", and retried as
    a broken connection: it is the server's answer every time, said once, in words."""
    url, connections = _raw_server(answer)
    with pytest.raises(PermanentFetchError) as refused:
        get(url)
    assert refused.value.reason == said
    assert connections() == 1
