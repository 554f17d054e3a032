"""Tests for scraper.fetch.client: MockTransport routes first, then the real local server.

No test really sleeps for retries or pacing: sleep and clock are a fake pair that records waits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import logging
import socket
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from scraper.charset import decided
from scraper.config import FetchSettings
from scraper.errors import ExtractionError, PermanentFetchError, TransientFetchError
from scraper.fetch.client import HTML_TYPES, Fetcher, parse_retry_after
from scraper.fetch.gate import HostGate
from scraper.models import FetchedPage, utc_now
from tests.clock import FakeTime
from tests.httpserver import LocalServer, Request, Route, closed_port

BASE = "http://example.test"
HTML = "<html><head><title>Hi</title></head><body><p>Hello, world.</p></body></html>"
CP1252_BODY = b"<html><body><p>\x93Quoted\x94 and \x80 5</p></body></html>"
CP1252_TEXT = "\u201cQuoted\u201d and \u20ac 5"
SETTINGS = FetchSettings(
    per_host_delay=0.0,
    max_attempts=3,
    backoff_initial=0.5,
    backoff_max=4.0,
    max_total_wait=60.0,
    max_retry_after=120.0,
)

Responder = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class Site:
    """A MockTransport handler routing on path (404 otherwise) and recording every request."""

    def __init__(self, routes: dict[str, Responder]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        responder = self.routes.get(request.url.path)
        if responder is None:
            return httpx.Response(404, text="not found")
        response = responder(request)
        return response if isinstance(response, httpx.Response) else await response

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path == path)


def html(body: str | bytes = HTML, status: int = 200, headers: dict[str, str] | None = None) -> Responder:
    """A response streamed like one off the wire (httpx would pre-read plain bytes content)."""
    content = body.encode() if isinstance(body, str) else body
    merged = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    return lambda request: httpx.Response(status, headers=merged, content=body_stream([content], []))


def redirect(location: str, status: int = 301) -> Responder:
    return lambda request: httpx.Response(status, headers={"Location": location})


def sequence(*responders: Responder) -> Responder:
    """Answer with each responder in turn, repeating the last one."""
    calls = iter(range(len(responders)))

    def respond(request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        return responders[min(next(calls, len(responders) - 1), len(responders) - 1)](request)

    return respond


def raising(exc_type: type[httpx.TransportError], message: str) -> Responder:
    def respond(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return respond


def fetch(
    site: Site,
    url: str = f"{BASE}/page",
    *,
    settings: FetchSettings = SETTINGS,
    fake: FakeTime | None = None,
    gate: HostGate | None = None,
    **kwargs: Any,
) -> FetchedPage:
    fake = fake or FakeTime()

    async def go() -> FetchedPage:
        transport = httpx.MockTransport(site)
        async with Fetcher(settings, transport=transport, sleep=fake.sleep, clock=fake.clock, gate=gate) as f:
            return await f.fetch(url, **kwargs)

    return asyncio.run(go())


def settings(**changes: Any) -> FetchSettings:
    return dataclasses.replace(SETTINGS, **changes)


async def body_stream(chunks: list[bytes], pulled: list[int], pause: float = 0.0) -> AsyncIterator[bytes]:
    """Yield `chunks`, counting in `pulled` how many the client actually asked for."""
    for chunk in chunks:
        pulled.append(1)
        if pause:
            await asyncio.sleep(pause)
        yield chunk


# --- success and redirects -------------------------------------------------------------------


def test_ok_page() -> None:
    """A 200 HTML response becomes a FetchedPage with its status, type, body, encoding and validators."""
    site = Site({"/page": html(headers={"ETag": '"abc"', "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"})})
    page = fetch(site)
    assert page.status == 200
    assert page.source == page.url == page.final_url == f"{BASE}/page"
    assert page.redirects == ()
    assert page.content_type == "text/html; charset=utf-8"
    assert page.encoding is None  # decided in the extraction worker, not on the event loop
    assert decided(page).encoding == "utf-8"
    assert decided(page).html == HTML
    assert page.etag == '"abc"'
    assert page.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert page.fetched_at.tzinfo is not None


def test_redirect_chain_is_followed_and_recorded() -> None:
    """301 -> 302 -> 200 ends at the last URL and records the hop in between."""
    site = Site({"/start": redirect("middle"), "/middle": redirect(f"{BASE}/end", 302), "/end": html()})
    page = fetch(site, f"{BASE}/start")
    assert page.url == f"{BASE}/start"
    assert page.final_url == f"{BASE}/end"
    assert page.redirects == (f"{BASE}/middle",)
    assert page.status == 200
    assert [r.url.path for r in site.requests] == ["/start", "/middle", "/end"]


def test_redirect_loop_is_refused() -> None:
    """A redirect back to a URL already in the chain fails, naming the loop."""
    site = Site({"/a": redirect("/b"), "/b": redirect("/a")})
    with pytest.raises(PermanentFetchError) as info:
        fetch(site, f"{BASE}/a")
    assert info.value.reason == f"redirect loop: {BASE}/a -> {BASE}/b -> {BASE}/a"
    assert info.value.url == f"{BASE}/a"


def test_too_many_redirects() -> None:
    """More than `max_redirects` hops fail without requesting the next one."""
    site = Site({f"/r{i}": redirect(f"/r{i + 1}") for i in range(10)})
    with pytest.raises(PermanentFetchError, match=r"too many redirects \(3\)"):
        fetch(site, f"{BASE}/r0", settings=settings(max_redirects=3))
    assert len(site.requests) == 4


def test_redirect_to_another_scheme_is_refused() -> None:
    """A redirect to a non-http(s) URL is not followed."""
    site = Site({"/page": redirect("ftp://example.test/file")})
    with pytest.raises(PermanentFetchError, match="redirect to unsupported scheme 'ftp'"):
        fetch(site)


def test_check_redirect_can_refuse_a_target() -> None:
    """`check_redirect` sees each absolute target first and may refuse it with a FetchError."""
    site = Site({"/page": redirect("/private"), "/private": html()})
    seen: list[str] = []

    async def check(target: str) -> None:
        seen.append(target)
        raise PermanentFetchError(target, "disallowed by robots.txt")

    with pytest.raises(PermanentFetchError, match=r"robots\.txt"):
        fetch(site, check_redirect=check)
    assert seen == [f"{BASE}/private"]
    assert site.hits("/private") == 0


def test_redirect_without_location_fails() -> None:
    """A 3xx without a Location header is a permanent failure."""
    site = Site({"/page": lambda request: httpx.Response(302)})
    with pytest.raises(PermanentFetchError, match="without a Location"):
        fetch(site)


# --- statuses, retries and Retry-After ---------------------------------------------------------


def test_404_is_not_retried() -> None:
    """A 404 fails at once as a PermanentFetchError carrying the status."""
    site, fake = Site({}), FakeTime()
    with pytest.raises(PermanentFetchError) as info:
        fetch(site, fake=fake)
    assert (info.value.status, info.value.reason) == (404, "HTTP 404")
    assert len(site.requests) == 1
    assert fake.sleeps == []


def test_429_waits_for_retry_after_seconds() -> None:
    """A 429 with `Retry-After: 7` waits exactly 7 seconds, then succeeds."""
    site, fake = Site({"/page": sequence(html("", 429, headers={"Retry-After": "7"}), html())}), FakeTime()
    page = fetch(site, fake=fake)
    assert page.status == 200
    assert fake.sleeps == [7.0]
    assert site.hits("/page") == 2


def test_429_waits_for_retry_after_http_date() -> None:
    """A Retry-After given as an HTTP-date waits until that moment."""
    when = format_datetime(utc_now() + timedelta(seconds=30), usegmt=True)
    site, fake = Site({"/page": sequence(html("", 429, headers={"Retry-After": when}), html())}), FakeTime()
    fetch(site, fake=fake)
    assert len(fake.sleeps) == 1
    assert 28.0 <= fake.sleeps[0] <= 30.0


def test_retry_after_pauses_the_whole_host() -> None:
    """A 429 or 503 with Retry-After pauses every URL of that host in the gate, not others."""
    fake = FakeTime()
    gate = HostGate(1, 0.0, fake.clock, fake.sleep)
    site = Site({"/page": html("", 503, headers={"Retry-After": "45"})})
    with pytest.raises(TransientFetchError):
        fetch(site, fake=fake, gate=gate, settings=settings(max_attempts=1))
    assert gate.paused_for(f"{BASE}/other") == 45.0
    assert gate.paused_for("http://elsewhere.test/") == 0.0


def test_retry_after_above_maximum_gives_up_without_sleeping() -> None:
    """When the server asks for more than max_retry_after, fetch stops at once and says why."""
    fake = FakeTime()
    gate = HostGate(1, 0.0, fake.clock, fake.sleep)
    site = Site({"/page": html("", 429, headers={"Retry-After": "600"})})
    with pytest.raises(TransientFetchError) as info:
        fetch(site, fake=fake, gate=gate)
    assert info.value.status == 429
    assert info.value.retry_after == 600.0
    assert "longer than max_retry_after (120s): giving up" in info.value.reason
    assert fake.sleeps == []
    assert site.hits("/page") == 1
    assert gate.paused_for(f"{BASE}/page") == 600.0  # the host waits as asked


def test_a_host_asked_to_wait_longer_than_max_retry_after_fails_its_next_urls_at_once() -> None:
    """After a 503 asking the whole host to wait longer than max_retry_after, its other URLs are
    given up on at once, with that reason, no request sent and nothing slept: they waited out a
    pause of max_retry_after each (300 s by default, silent), and then asked again. A pause within
    max_retry_after is still waited out, and a day is the longest one answer pauses a host."""
    fake = FakeTime()
    gate = HostGate(1, 0.0, fake.clock, fake.sleep)
    site = Site({"/page": html("", 503, headers={"Retry-After": "100000"}), "/other": html()})
    with pytest.raises(TransientFetchError):
        fetch(site, fake=fake, gate=gate)
    assert gate.paused_for(f"{BASE}/other") == 86_400.0
    fake.now += 400
    with pytest.raises(TransientFetchError) as info:
        fetch(site, f"{BASE}/other", fake=fake, gate=gate)
    assert info.value.reason == (
        "its host asked to wait 86000s more, longer than max_retry_after (120s): giving up"
    )
    assert (site.hits("/other"), fake.sleeps) == (0, [])
    assert fetch(site, "http://elsewhere.test/other", fake=fake, gate=gate).status == 200  # another host
    fake.now += 86_000 - 100
    assert fetch(site, f"{BASE}/other", fake=fake, gate=gate).status == 200
    assert fake.sleeps == [100.0]


def test_a_retry_after_within_our_own_backoff_is_waited_out_whatever_max_retry_after() -> None:
    """`max_retry_after = 0` gave up on a `Retry-After: 1` (and a crawl set its host aside): a
    server asking for no longer than our own backoff after a 503 without Retry-After
    (`backoff_max`) is waited out, URL and host; a longer one is given up on, naming backoff_max."""
    fake = FakeTime()
    gate = HostGate(1, 0.0, fake.clock, fake.sleep)
    limits = settings(max_retry_after=0.0, backoff_max=4.0)
    site = Site({"/page": sequence(html("", 429, headers={"Retry-After": "1"}), html()), "/other": html()})
    assert fetch(site, fake=fake, gate=gate, settings=limits).status == 200
    assert fake.sleeps == [1.0]
    site = Site({"/page": html("", 503, headers={"Retry-After": "3"}), "/other": html()})
    with pytest.raises(TransientFetchError):
        fetch(
            site,
            fake=fake,
            gate=gate,
            settings=settings(max_retry_after=0.0, backoff_max=4.0, max_attempts=1),
        )
    assert fetch(site, f"{BASE}/other", fake=fake, gate=gate, settings=limits).status == 200  # waited
    assert fake.sleeps == [1.0, 3.0]
    site = Site({"/page": html("", 429, headers={"Retry-After": "5"})})
    with pytest.raises(TransientFetchError) as info:
        fetch(site, fake=fake, gate=gate, settings=limits)
    assert info.value.reason == "HTTP 429 asking to retry after 5s, longer than backoff_max (4s): giving up"


def test_503_then_200_succeeds_on_second_attempt() -> None:
    """A 503 without Retry-After is retried after a jittered backoff."""
    site, fake = Site({"/page": sequence(html("", 503), html())}), FakeTime()
    page = fetch(site, fake=fake)
    assert page.status == 200
    assert site.hits("/page") == 2
    assert len(fake.sleeps) == 1
    assert 0.0 <= fake.sleeps[0] <= SETTINGS.backoff_initial


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_attempts_are_capped(status: int) -> None:
    """A server that keeps failing is tried max_attempts times with growing, capped backoff."""
    site, fake = Site({"/page": html("", status)}), FakeTime()
    with pytest.raises(TransientFetchError) as info:
        fetch(site, fake=fake, settings=settings(max_attempts=4, backoff_initial=1.0, backoff_max=3.0))
    assert info.value.status == status
    assert site.hits("/page") == 4
    assert len(fake.sleeps) == 3
    assert all(0.0 <= wait <= bound for wait, bound in zip(fake.sleeps, [1.0, 2.0, 3.0], strict=True))


def test_total_waiting_is_capped() -> None:
    """Retries stop before the waits between attempts would add up past max_total_wait."""
    site, fake = Site({"/page": html("", 503, headers={"Retry-After": "4"})}), FakeTime()
    with pytest.raises(TransientFetchError):
        fetch(site, fake=fake, settings=settings(max_attempts=10, max_total_wait=10.0))
    assert fake.sleeps == [4.0, 4.0]
    assert site.hits("/page") == 3


def test_retries_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Each retry logs one line on the `scraper.fetch.client` logger."""
    site = Site({"/page": sequence(html("", 502), html())})
    with caplog.at_level(logging.INFO, logger="scraper.fetch"):
        fetch(site)
    assert [r.name for r in caplog.records] == ["scraper.fetch"]
    assert "HTTP 502" in caplog.records[0].getMessage()
    assert "retrying in" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (" 3 ", 3.0), ("-5", 0.0), ("soon", None), ("", None), (None, None), ("nan", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Retry-After delta-seconds parse to seconds, negative to 0, junk to None."""
    assert parse_retry_after(value) == expected


def test_parse_retry_after_past_date_is_zero() -> None:
    """An HTTP-date already past means no wait."""
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# --- network errors and timeouts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc_type", "reason", "attempts"),
    [
        (httpx.ConnectTimeout, "timed out (connect)", SETTINGS.max_attempts),
        (httpx.PoolTimeout, "timed out (waiting for a free connection)", SETTINGS.max_attempts),
        # the server took the request and then said nothing: another attempt would wait as long
        (httpx.ReadTimeout, "timed out (read)", 1),
        (httpx.WriteTimeout, "timed out (write)", 1),
    ],
)
def test_timeouts_end_as_a_transient_error_naming_the_phase(
    exc_type: type[httpx.TransportError], reason: str, attempts: int
) -> None:
    """httpx timeouts end as a TransientFetchError naming the phase; one before the request
    reached the server is retried, a silent server is not."""
    site, fake = Site({"/page": raising(exc_type, "timed out")}), FakeTime()
    with pytest.raises(TransientFetchError) as info:
        fetch(site, fake=fake)
    assert info.value.reason == reason
    assert isinstance(info.value.__cause__, exc_type)
    assert site.hits("/page") == attempts
    assert len(fake.sleeps) == attempts - 1


def test_connect_error_names_the_reason() -> None:
    """A refused or unresolvable connection says why it could not connect."""
    site = Site({"/page": raising(httpx.ConnectError, "[Errno 111] Connection refused")})
    with pytest.raises(TransientFetchError) as info:
        fetch(site)
    assert info.value.reason == "cannot connect: [Errno 111] Connection refused"
    assert site.hits("/page") == SETTINGS.max_attempts


def test_dns_failure_names_the_lookup() -> None:
    """A failed DNS lookup reads as such, not as a generic connection error."""

    def unresolvable(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except OSError as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc

    with pytest.raises(TransientFetchError) as info:
        fetch(Site({"/page": unresolvable}))
    assert info.value.reason == "cannot connect: DNS lookup failed (Name or service not known)"


def test_broken_connection_is_transient() -> None:
    """A server hanging up mid-response is a retried TransientFetchError."""
    site = Site({"/page": sequence(raising(httpx.RemoteProtocolError, "peer closed connection"), html())})
    assert fetch(site).status == 200


def test_slow_server_is_cut_off_by_total_timeout() -> None:
    """A response that trickles bytes forever is abandoned after total_timeout."""
    pulled: list[int] = []

    def trickle(request: httpx.Request) -> httpx.Response:
        chunks = [b"<p>" + b"x" * 10] * 10_000
        return httpx.Response(
            200, headers={"Content-Type": "text/html"}, content=body_stream(chunks, pulled, 0.01)
        )

    site = Site({"/page": trickle})
    with pytest.raises(TransientFetchError, match=r"timed out \(total 0.1s\)"):
        fetch(site, settings=settings(total_timeout=0.1, max_attempts=1))
    assert 0 < len(pulled) < 100


# --- size limits ---------------------------------------------------------------------------------


def test_body_refused_early_by_content_length() -> None:
    """A Content-Length above max_bytes is refused before any of the body is read."""
    pulled: list[int] = []

    def big(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "text/html", "Content-Length": "5000"}
        return httpx.Response(200, headers=headers, content=body_stream([b"x" * 1000] * 5, pulled))

    site = Site({"/page": big})
    with pytest.raises(PermanentFetchError, match="body larger than 1000 bytes"):
        fetch(site, settings=settings(max_bytes=1000))
    assert pulled == []
    assert site.hits("/page") == 1


def test_streamed_body_cut_off_at_max_bytes() -> None:
    """Without Content-Length, the download stops as soon as max_bytes is passed."""
    pulled: list[int] = []

    def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Type": "text/html"}, content=body_stream([b"x" * 100] * 50, pulled)
        )

    site = Site({"/page": endless})
    with pytest.raises(PermanentFetchError, match="body larger than 250 bytes"):
        fetch(site, settings=settings(max_bytes=250))
    assert len(pulled) == 3


def test_gzip_body_is_decompressed() -> None:
    """A gzip- or deflate-encoded body arrives decompressed."""
    site = Site(
        {
            "/gz": html(gzip.compress(HTML.encode()), headers={"Content-Encoding": "gzip"}),
            "/zz": html(zlib.compress(HTML.encode()), headers={"Content-Encoding": "deflate"}),
        }
    )
    assert decided(fetch(site, f"{BASE}/gz")).html == HTML
    assert decided(fetch(site, f"{BASE}/zz")).html == HTML


def test_gzip_bomb_is_stopped_without_inflating_it() -> None:
    """Decompressed output above max_decoded_bytes is refused while the bomb is still arriving."""
    pulled: list[int] = []

    async def megabytes_of_zeros(count: int) -> AsyncIterator[bytes]:
        squeezer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        for _ in range(count):  # about 1 KB on the wire for each MB inflated
            pulled.append(1)
            yield squeezer.compress(b"\0" * 1_000_000) + squeezer.flush(zlib.Z_SYNC_FLUSH)

    def bomb(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        return httpx.Response(200, headers=headers, content=megabytes_of_zeros(500))

    site = Site({"/page": bomb})
    with pytest.raises(PermanentFetchError, match="larger than 2000000 bytes once decompressed"):
        fetch(site, settings=settings(max_decoded_bytes=2_000_000))
    assert len(pulled) <= 3


def test_gzip_bomb_in_one_chunk_stays_small_in_memory() -> None:
    """One wire chunk that would inflate to 20 MB is unpacked only up to the limit."""
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=1)
    site = Site({"/page": html(bomb, headers={"Content-Encoding": "gzip"})})
    tracemalloc.start()
    try:
        with pytest.raises(PermanentFetchError, match="once decompressed"):
            fetch(site, settings=settings(max_decoded_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_unsupported_content_encoding_is_refused() -> None:
    """A Content-Encoding we cannot undo (zstd) is refused with its name."""
    site = Site({"/page": html(b"\x28\xb5\x2f\xfd", headers={"Content-Encoding": "zstd"})})
    with pytest.raises(PermanentFetchError, match="unsupported Content-Encoding: zstd"):
        fetch(site)


# --- content types and charsets --------------------------------------------------------------------


def test_non_html_is_refused() -> None:
    """A PDF is refused by media type, once, without downloading or retrying."""
    site = Site({"/page": html(b"%PDF-1.7", headers={"Content-Type": "application/pdf"})})
    with pytest.raises(PermanentFetchError) as info:
        fetch(site)
    assert info.value.reason == "not HTML: application/pdf"
    assert site.hits("/page") == 1


def test_media_type_ignores_case_and_parameters() -> None:
    """`Application/XHTML+XML; charset=UTF-8` counts as HTML."""
    site = Site({"/page": html(headers={"Content-Type": "Application/XHTML+XML; charset=UTF-8"})})
    assert fetch(site).status == 200


def test_other_accept_set_says_unexpected_type() -> None:
    """With a non-HTML accept set, a mismatch is an unexpected content type."""
    site = Site({"/robots.txt": html()})
    with pytest.raises(PermanentFetchError, match="unexpected content type: text/html"):
        fetch(site, f"{BASE}/robots.txt", accept=frozenset({"text/plain"}))
    assert site.requests[0].headers["accept"].startswith("text/plain")


def test_empty_accept_takes_any_type() -> None:
    """`accept=frozenset()` accepts whatever the server sends."""
    site = Site({"/data": html('{"a": 1}', headers={"Content-Type": "application/json"})})
    page = fetch(site, f"{BASE}/data", accept=frozenset())
    assert page.body == b'{"a": 1}'
    assert site.requests[0].headers["accept"] == "*/*"


def test_any_type_keeps_a_binary_body() -> None:
    """With `accept=frozenset()` a body that is not text (a gzipped sitemap) is handed over as bytes."""
    packed = gzip.compress(b"<urlset></urlset>", mtime=0)
    site = Site({"/s.xml.gz": html(packed, headers={"Content-Type": "application/x-gzip"})})
    assert fetch(site, f"{BASE}/s.xml.gz", accept=frozenset()).body == packed
    with pytest.raises(ExtractionError, match="binary"):
        fetch(site, f"{BASE}/s.xml.gz", accept=frozenset({"application/x-gzip"}))


def test_missing_content_type_is_accepted() -> None:
    """Without a Content-Type the page is kept; the extractor judges the bytes."""
    site = Site({"/page": lambda request: httpx.Response(200, content=HTML.encode())})
    page = decided(fetch(site))
    assert page.content_type is None
    assert page.html == HTML


def test_windows_1252_served_as_iso_8859_1() -> None:
    """A windows-1252 page labelled iso-8859-1 keeps its curly quotes and euro sign."""
    site = Site({"/page": html(CP1252_BODY, headers={"Content-Type": "text/html; charset=iso-8859-1"})})
    page = decided(fetch(site))
    assert page.encoding == "cp1252"
    assert CP1252_TEXT in page.html


def test_windows_1252_declared_by_meta() -> None:
    """Without a charset in the header, the meta tag decides the encoding."""
    body = b'<html><head><meta charset="iso-8859-1"></head>' + CP1252_BODY[6:]
    site = Site({"/page": html(body, headers={"Content-Type": "text/html"})})
    page = decided(fetch(site))
    assert page.encoding == "cp1252"
    assert CP1252_TEXT in page.html


# --- request headers and conditional requests -------------------------------------------------------


def test_user_agent_and_accept_headers_are_sent() -> None:
    """Requests carry the configured User-Agent, an HTML Accept and only encodings we can bound."""
    site = Site({"/page": html()})
    fetch(site, settings=settings(user_agent="test-bot/1.0 (+https://example.test/bot)"))
    headers = site.requests[0].headers
    assert headers["user-agent"] == "test-bot/1.0 (+https://example.test/bot)"
    assert headers["accept-encoding"] == "gzip, deflate"
    assert all(t in headers["accept"] for t in HTML_TYPES)
    assert "if-none-match" not in headers
    assert "if-modified-since" not in headers


def test_conditional_request_and_304() -> None:
    """ETag and Last-Modified are sent as validators and a 304 comes back as an empty page."""
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def conditional(request: httpx.Request) -> httpx.Response:
        if (
            request.headers.get("if-none-match") == '"v1"'
            and request.headers.get("if-modified-since") == stamp
        ):
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, html=HTML)

    page = fetch(Site({"/page": conditional}), etag='"v1"', last_modified=stamp)
    assert (page.status, page.body, page.etag) == (304, b"", '"v1"')


def test_a_304_to_a_request_that_was_not_conditional_fails() -> None:
    """A 304 answers a conditional request only: to a GET without validators (a broken cache in
    front of the site) it had come back as an empty page, which a crawl counted as unchanged
    (a page never stored, every run, without a word) and `clean` skipped as "no main content"."""
    site = Site({"/page": lambda request: httpx.Response(304)})
    with pytest.raises(PermanentFetchError) as info:
        fetch(site)
    assert (info.value.status, info.value.reason) == (304, "HTTP 304 to a request that was not conditional")
    assert fetch(site, last_modified="Wed, 21 Oct 2015 07:28:00 GMT").status == 304


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.test/file", "unsupported scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("example.test/page", "unsupported scheme '(none)'"),
        ("http:///path", "no host"),
        ("http://[::1/page", "malformed URL"),
        ("http://example.test:99999/", "malformed URL"),
    ],
)
def test_bad_urls_are_refused_without_a_request(url: str, reason: str) -> None:
    """Only well-formed http(s) URLs are fetched."""
    site = Site({})
    with pytest.raises(PermanentFetchError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        fetch(site, url)
    assert site.requests == []


def test_fetch_needs_an_open_fetcher() -> None:
    """Fetching outside `async with` is a programming error."""
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(Fetcher(SETTINGS).fetch(f"{BASE}/page"))


# --- politeness -----------------------------------------------------------------------------------


def test_every_attempt_and_hop_passes_the_host_gate() -> None:
    """Retries and redirect hops to one host are each spaced by per_host_delay."""
    site = Site({"/page": sequence(html("", 503), redirect("/next")), "/next": html()})
    fake = FakeTime()
    page = fetch(site, fake=fake, settings=settings(per_host_delay=2.0, backoff_initial=0.0))
    assert page.final_url == f"{BASE}/next"
    # tenacity's zero backoff, then the gate's 2 s for the retry, then 2 s for the hop
    assert fake.sleeps == [0.0, 2.0, 2.0]


# --- against a real HTTP server -------------------------------------------------------------------


def live(server: LocalServer, path: str, *, fake: FakeTime | None = None, **changes: Any) -> FetchedPage:
    fake = fake or FakeTime()
    options = {"connect_timeout": 2.0, "read_timeout": 2.0, "total_timeout": 5.0, **changes}

    async def go() -> FetchedPage:
        async with Fetcher(
            settings(**options), sleep=fake.sleep, clock=fake.clock, trusted=[server.base]
        ) as fetcher:
            return await fetcher.fetch(server.url(path))

    return asyncio.run(go())


def test_live_ok(server: LocalServer) -> None:
    """A real 200 response is fetched with our User-Agent."""
    server.routes["/page"] = Route(body=HTML)
    page = live(server, "/page")
    assert (page.status, decided(page).html, decided(page).encoding) == (200, HTML, "utf-8")
    assert server.hits("/page")[0].headers["user-agent"] == SETTINGS.user_agent


def test_live_redirect_chain(server: LocalServer) -> None:
    """Real 301 and 302 responses are followed hop by hop."""
    server.routes["/a"] = Route(301, headers={"Location": "/b"})
    server.routes["/b"] = Route(302, headers={"Location": server.url("/c")})
    server.routes["/c"] = Route(body=HTML)
    page = live(server, "/a")
    assert page.final_url == server.url("/c")
    assert page.redirects == (server.url("/b"),)


def test_live_404(server: LocalServer) -> None:
    """A real 404 fails once, without retries."""
    with pytest.raises(PermanentFetchError, match="HTTP 404"):
        live(server, "/missing")
    assert len(server.hits("/missing")) == 1


def test_live_429_then_200(server: LocalServer) -> None:
    """A real 429 with Retry-After is waited out, then the page is fetched."""
    answers = iter([Route(429, headers={"Retry-After": "3"}), Route(body=HTML)])

    def once_busy(request: Request) -> Route:
        return next(answers)

    server.routes["/page"] = once_busy
    fake = FakeTime()
    page = live(server, "/page", fake=fake)
    assert page.status == 200
    assert fake.sleeps == [3.0]
    assert len(server.hits("/page")) == 2


def test_live_read_timeout(server: LocalServer) -> None:
    """A server slower than read_timeout gives a TransientFetchError."""
    server.routes["/slow"] = Route(body=HTML, delay=0.4)
    with pytest.raises(TransientFetchError, match=r"timed out \(read\)"):
        live(server, "/slow", read_timeout=0.2, max_attempts=1)


def test_live_oversize_body(server: LocalServer) -> None:
    """A real body above max_bytes is refused."""
    server.routes["/big"] = Route(body=b"<p>" + b"x" * 5000)
    with pytest.raises(PermanentFetchError, match="body larger than 1000 bytes"):
        live(server, "/big", max_bytes=1000)


def test_live_connection_refused() -> None:
    """A port nobody listens on gives a clear 'cannot connect' reason."""
    url = f"http://127.0.0.1:{closed_port()}/page"

    async def go() -> FetchedPage:
        fake = FakeTime()
        async with Fetcher(settings(max_attempts=1), sleep=fake.sleep, clock=fake.clock, trusted=[url]) as f:
            return await f.fetch(url)

    with pytest.raises(TransientFetchError, match=r"cannot connect: Connection refused$"):
        asyncio.run(go())
