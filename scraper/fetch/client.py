"""The only network code: URL in, `FetchedPage` out, politely and within limits.

One `httpx.AsyncClient` per run (`async with Fetcher(settings) as fetcher:`). Every request,
each retry and each redirect hop, passes the per-host `HostGate`, the one tenacity retry
policy and the SSRF guard (scraper/fetch/guard.py: only the hosts the user named, `trust()`,
and `[fetch] allow_private` may be reached at private addresses). httpx and asyncio errors are
mapped onto `FetchError`s here and nowhere else.

What a request carries and how it travels is decided per URL, each redirect hop anew, from
`[fetch]` and the `[[sites]]` entry of the URL's host (`config.site_fetch`): the User-Agent,
`headers`, `cookie`, `auth` (so a site's credentials never follow a redirect to another
host; the global `headers`, `cookie` and `auth` go only to the hosts the user named, `Fetcher._named`),
the pacing of its host, and the proxy (`proxy`, else with `trust_env` the HTTP(S)_PROXY /
ALL_PROXY / NO_PROXY variables). Secrets never reach an error reason.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import os
import re
import socket
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from scraper.charset import HTML_TYPES, check_text
from scraper.config import FetchSettings, Site, scrub, secrets_in, site_fetch, site_for
from scraper.dates import http_date
from scraper.errors import FetchError, PermanentFetchError, TransientFetchError
from scraper.fetch.cookies import SiteJars, no_cookies
from scraper.fetch.decompress import InflateError, Inflater
from scraper.fetch.gate import HostGate, Paused
from scraper.fetch.guard import AddressPolicy, BlockedAddress, GuardedProxy, guarded_transport
from scraper.fetch.render import Renderer
from scraper.models import FetchedPage, utc_now
from scraper.urls import host_origin, join_url, origin

__all__ = ["HTML_TYPES", "Fetcher", "parse_retry_after"]


_log = logging.getLogger("scraper.fetch")
_SCHEMES = ("http", "https")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRYABLE = frozenset({429, 500, 502, 503, 504})
_PAUSES_HOST = frozenset({429, 503})
_LONGEST_PAUSE = 86_400.0  # seconds a host's Retry-After may pause it
# the headers that make a request conditional: only these may be answered 304 (RFC 9110 15.4.5)
_CONDITIONS = frozenset({"if-none-match", "if-modified-since"})
# Only what `Inflater` can undo, so the decompressed size stays bounded chunk by chunk.
_ACCEPT_ENCODING = "gzip, deflate"
_LOCATION = "scraper.location"  # where `_keep_location` puts a redirect's Location header


@dataclass(slots=True)
class _Spent:
    """What one URL has used of `[fetch] url_budget`: time in requests (every attempt, every
    redirect hop) and in waits between attempts. Waiting for the host's turn is not counted:
    politeness is the gate's, and bounded there."""

    budget: float
    requesting: float = 0.0
    waiting: float = 0.0

    def left(self) -> float:
        return self.budget - self.requesting - self.waiting

    def reason(self) -> str:
        return f"timed out (url_budget: {self.budget:g}s across all attempts)"


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one response said: either a page's parts or where it redirects to."""

    status: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    body: bytes = b""
    location: str | None = None


class Fetcher:
    """Fetches pages over HTTP(S) with retries, redirects, size limits and per-host pacing."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        gate: HostGate | None = None,
        clock: Callable[[], float] = time.monotonic,
        trusted: Iterable[str] = (),
        sites: tuple[Site, ...] = (),
    ) -> None:
        self.settings = settings
        self.sites = sites
        self._by_host: dict[str, FetchSettings] = {}
        self.gate = gate or HostGate(
            settings.per_host_concurrency, settings.per_host_delay, clock, sleep, limits=self._host_limits
        )
        self.policy = AddressPolicy(settings.allow_private)
        self.policy.trust(trusted)
        self.secrets = secrets_in((settings, sites))
        # read once, when the run starts; only consulted with trust_env
        self._env_proxies = urllib.request.getproxies_environment()
        self._transport = transport
        # no cookies unless a site asks for its own bounded jar (scraper/fetch/cookies.py)
        self.cookies = SiteJars(lambda _url: None, max_cookies=0, max_bytes=0)
        self._client: httpx.AsyncClient | None = None
        self._renderer: Renderer | None = None  # started with the first page to render
        self._sleep = sleep
        self._retrying = self._build_retrying(sleep)

    def settings_for(self, url: str) -> FetchSettings:
        """`[fetch]` as it applies to the host of `url` (its `[[sites]]` keys over the global ones)."""
        start = origin(url) if "://" in url else host_origin(url)  # a URL, or a gate's host_key
        found = self._by_host.get(start)
        if found is None:
            found = self._by_host[start] = site_fetch(self.settings, site_for(self.sites, start))
        return found

    def _add_static_cookie(self, request: httpx.Request) -> None:
        """The configured `cookie` values, after those the site's jar sent (if it keeps one)."""
        static = self.settings_for(str(request.url)).cookie
        if static and self._named(str(request.url)):
            pairs = "; ".join(f"{name}={value}" for name, value in static.items())
            kept = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{kept}; {pairs}" if kept else pairs

    def _host_limits(self, host: str) -> tuple[int, float]:
        own = self.settings_for(host)
        return own.per_host_concurrency, own.per_host_delay

    def proxy_for(self, url: str) -> str | None:
        """The proxy a request to `url` goes through, or None for a direct connection."""
        own = self.settings_for(url)
        if own.proxy is not None:
            return own.proxy
        if not own.trust_env:
            return None
        proxies = self._env_proxies
        parts = urlsplit(url)
        # stdlib, documented in its source but missing from typeshed
        if urllib.request.proxy_bypass_environment(parts.netloc, proxies):  # type: ignore[attr-defined]
            return None
        return proxies.get(parts.scheme.lower()) or proxies.get("all")

    def _headers_for(self, url: str) -> dict[str, str]:
        """What every request to `url` carries besides the fetcher's own headers."""
        own = self.settings_for(url)
        if not self._named(url):  # a host no one named gets the User-Agent alone
            return {"User-Agent": own.user_agent}
        headers = {"User-Agent": own.user_agent, **own.headers}
        auth = own.auth
        if "bearer" in auth:
            headers["Authorization"] = f"Bearer {auth['bearer']}"
        elif auth:
            pair = f"{auth['user']}:{auth['password']}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return headers

    def _named(self, url: str) -> bool:
        """Whether the user named `url`'s host: one of a `[[sites]]` entry's, or one given for the
        run (a URL to clean, a start URL: `trust()`). `headers`, `auth` and `cookie` go to these
        only: the global `[fetch] auth` went to any host, a redirect's to another host included,
        and every URL a `serve` client sent, and so did `headers` (a `${NAME}` secret in one too)."""
        return site_for(self.sites, origin(url)) is not None or self.policy.names(url)

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        limits = httpx.Limits(max_connections=s.max_connections)
        self._client = httpx.AsyncClient(
            transport=self._transport or _Router(self, limits),
            # a free pooled connection should come as quickly as a new one would connect
            timeout=httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=s.connect_timeout
            ),
            limits=limits,
            headers={"Accept-Encoding": _ACCEPT_ENCODING},
            follow_redirects=False,
            trust_env=False,
            cookies=no_cookies(),
            event_hooks={"response": [_keep_location]},
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._renderer is not None:
            await self._renderer.close()
            self._renderer = None

    def trust(self, hosts_or_urls: Iterable[str]) -> None:
        """Let these hosts (the ones the user named) be reached at private addresses too."""
        self.policy.trust(hosts_or_urls)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        validated: str | None = None,
        accept: frozenset[str] = HTML_TYPES,
        check_redirect: Callable[[str], Awaitable[None]] | None = None,
        head: int | None = None,
    ) -> FetchedPage:
        """GET `url`, following redirects; a 304 comes back as a page with status 304 and no body.

        `etag` and `last_modified` are sent only to the URL they belong to: `validated` (by
        default `url`), the URL that answered with them, wherever `url` redirects now. All
        attempts and hops together get `[fetch] url_budget` seconds.

        `accept` lists the media types wanted (empty: any). `check_redirect(target)` may refuse
        a redirect target by raising a `FetchError`. `redirects` on the page holds the URLs
        between `url` and `final_url`. Raises `FetchError`, or `ExtractionError` when the body
        arrived but is not text (see `charset.resolve_encoding`) and `accept` is not empty.
        With `head`, only the first `head` bytes of the body are read and kept, however long it
        is (robots.txt: RFC 9309 reads the first 500 KiB); `max_bytes` does not apply then.
        """
        if self._client is None:
            raise RuntimeError("Fetcher is not open: use `async with Fetcher(settings) as fetcher:`")
        _require_http(url, url)
        plain = {"Accept": (", ".join(sorted(accept)) + ", */*;q=0.1") if accept else "*/*"}
        conditional = dict(plain)
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        spent = _Spent(self.settings.url_budget)
        retrying = self._retrying.copy(stop=self._stop_within(spent), sleep=self._sleep_within(spent))
        chain = [url]
        while True:
            headers = conditional if chain[-1] == (validated or url) else plain
            try:
                answer: _Answer = await retrying(self._attempt, chain[-1], headers, accept, head, spent)
            except FetchError as exc:
                if len(chain) == 1:
                    raise
                raise _after_redirect(url, chain[-1], exc) from exc
            if answer.location is None:
                break
            target = self._next_hop(chain, answer.location)
            if check_redirect is not None:
                await check_redirect(target)
            chain.append(target)
        page = FetchedPage(
            source=url,
            url=url,
            final_url=chain[-1],
            status=answer.status,
            content_type=answer.content_type,
            body=answer.body,
            encoding=None,  # decided where the page is read, in the extraction worker (charset.decided)
            fetched_at=utc_now(),
            etag=answer.etag,
            last_modified=answer.last_modified,
            redirects=tuple(chain[1:-1]),
        )
        if accept == HTML_TYPES and page.status == 200 and self.settings_for(chain[-1]).render:
            return await self._render(page)
        return page

    async def _render(self, page: FetchedPage) -> FetchedPage:
        """The page as headless Chromium shows it once its scripts ran (scraper/fetch/render.py)."""
        if self._renderer is None:
            self._renderer = Renderer(
                self.settings, self.policy, headers_for=self._headers_for, proxy_for=self.proxy_for
            )
        return await self._renderer.render(page)

    def _next_hop(self, chain: list[str], location: str) -> str:
        target = join_url(chain[-1], location)
        if target is None:  # "http://[::1/x": the Location is no URL at all
            raise PermanentFetchError(chain[0], f"redirect to malformed URL: {location!r}")
        if target in chain:
            raise PermanentFetchError(chain[0], "redirect loop: " + " -> ".join([*chain, target]))
        if len(chain) > self.settings.max_redirects:
            raise PermanentFetchError(chain[0], f"too many redirects ({self.settings.max_redirects})")
        _require_http(chain[0], target, what="redirect to ")
        return target

    async def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        accept: frozenset[str],
        head: int | None,
        spent: _Spent,
    ) -> _Answer:
        """One request inside the host's slot, cut off after `total_timeout` or what is left of
        the URL's `url_budget`, whichever comes first."""
        client = self._client
        if client is None:
            raise RuntimeError("Fetcher is not open: use `async with Fetcher(settings) as fetcher:`")
        headers = {**self._headers_for(url), **headers}
        async with self._turn(url):
            left = spent.left()
            if left <= 0:
                raise TransientFetchError(url, spent.reason())
            limit = min(self.settings.total_timeout, left)
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                async with asyncio.timeout(limit):
                    request = client.build_request("GET", url, headers=headers)
                    self.cookies.add_header(request)
                    self._add_static_cookie(request)
                    response = await client.send(request, stream=True)
                    try:
                        self.cookies.extract(response)
                        return await self._answer(url, response, accept, head)
                    finally:
                        await response.aclose()
            except TimeoutError as exc:
                if limit < self.settings.total_timeout:
                    raise TransientFetchError(url, spent.reason()) from exc
                raise TransientFetchError(url, f"timed out (total {self.settings.total_timeout:g}s)") from exc
            except httpx.InvalidURL as exc:
                raise PermanentFetchError(url, f"malformed URL: {exc}") from exc
            except BlockedAddress as exc:
                raise PermanentFetchError(url, exc.reason) from exc
            except httpx.TransportError as exc:
                raise _transport_error(url, exc, self.secrets, self.proxy_for(url)) from exc
            finally:
                spent.requesting += loop.time() - started

    @asynccontextmanager
    async def _turn(self, url: str) -> AsyncIterator[None]:
        """The host's slot in the gate; at once a `TransientFetchError` instead where a 429 or 503
        asked the whole host to wait longer than `max_retry_after` (`_retryable_status`)."""
        cap = self.settings.retry_after_limit
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(self.gate.slot(url, patience=cap))
            except Paused as exc:
                reason = f"its host asked to wait {exc.left:.0f}s more, {_beyond(self.settings)}: giving up"
                raise TransientFetchError(url, reason, retry_after=exc.left) from exc
            yield

    async def _answer(
        self, url: str, response: httpx.Response, accept: frozenset[str], head: int | None
    ) -> _Answer:
        status, headers = response.status_code, response.headers
        answer = _Answer(
            status, headers.get("content-type"), headers.get("etag"), headers.get("last-modified")
        )
        if status in _REDIRECTS:
            location = response.extensions.get(_LOCATION)
            if not location:
                raise PermanentFetchError(url, f"HTTP {status} without a Location header", status=status)
            return replace(answer, location=location)
        if status == 304:
            if not _CONDITIONS & response.request.headers.keys():  # nothing was asked "if" of it
                reason = "HTTP 304 to a request that was not conditional"
                raise PermanentFetchError(url, reason, status=status)
            return answer
        if status in _RETRYABLE:
            raise self._retryable_status(url, response)
        if not 200 <= status < 300:
            raise PermanentFetchError(url, f"HTTP {status}", status=status)
        media_type = (answer.content_type or "").split(";", 1)[0].strip().lower()
        if media_type and accept and media_type not in accept:
            label = "not HTML" if accept <= HTML_TYPES else "unexpected content type"
            raise PermanentFetchError(url, f"{label}: {media_type}", status=status)
        body = await self._read_body(url, response, head)
        if accept:  # a body that is not text is refused only when specific types were asked
            check_text(body, answer.content_type, source=url)
        return replace(answer, body=body)

    def _retryable_status(self, url: str, response: httpx.Response) -> TransientFetchError:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        reason = f"HTTP {status}"
        if retry_after is not None:
            if status in _PAUSES_HOST:
                # the whole host waits, not only this URL, for the time asked (at most a day, so one
                # answer cannot shut a host out of a long-lived service); a request that would wait
                # longer than max_retry_after is given up on at once (`_turn`), not sent then
                self.gate.pause(url, min(retry_after, _LONGEST_PAUSE), asked=True)
            if retry_after > self.settings.retry_after_limit:
                reason += f" asking to retry after {retry_after:g}s, {_beyond(self.settings)}: giving up"
        return TransientFetchError(url, reason, status=status, retry_after=retry_after)

    async def _read_body(self, url: str, response: httpx.Response, head: int | None) -> bytes:
        """The body, inflated; with `head`, only its first `head` bytes (the rest is not read)."""
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "").strip()
        if head is None and declared.isdigit() and int(declared) > limit:
            raise PermanentFetchError(url, f"body larger than {limit} bytes (Content-Length {declared})")
        coding = response.headers.get("content-encoding", "")
        # aiter_raw: count bytes as they come off the wire and inflate them ourselves, capped.
        # A transport may hand over a response already read and decoded (httpx.MockTransport).
        chunks = response.aiter_bytes() if response.is_stream_consumed else response.aiter_raw()
        received = 0
        parts: list[bytes] = []
        try:
            inflater = Inflater(
                "" if response.is_stream_consumed else coding,
                self.settings.max_decoded_bytes if head is None else head,
                truncate=head is not None,
            )
            async for chunk in chunks:
                received += len(chunk)
                if received > limit and head is None:
                    raise PermanentFetchError(url, f"body larger than {limit} bytes")
                parts.append(inflater.feed(chunk))
                if inflater.full or received > limit:  # only with `head`: the rest is not wanted
                    return b"".join(parts)
            inflater.finish()
        except InflateError as exc:
            if exc.truncated:
                raise TransientFetchError(url, f"body cut short: {exc.reason}") from exc
            raise PermanentFetchError(url, f"body {exc.reason}" if exc.too_large else exc.reason) from exc
        except httpx.RemoteProtocolError as exc:  # the server hung up before the end of the body
            raise TransientFetchError(url, f"body cut short: {exc}") from exc
        return b"".join(parts)

    def _stop_within(self, spent: _Spent) -> Callable[[RetryCallState], bool]:
        """The retry policy's stop, and stop too when the next wait would pass the URL's budget."""

        def stop(state: RetryCallState) -> bool:
            return self._stop(state) or spent.left() - state.upcoming_sleep <= 0

        return stop

    def _sleep_within(self, spent: _Spent) -> Callable[[float], Awaitable[None]]:
        async def sleep(seconds: float) -> None:
            spent.waiting += seconds
            await self._sleep(seconds)

        return sleep

    def _build_retrying(self, sleep: Callable[[float], Awaitable[None]]) -> AsyncRetrying:
        s = self.settings
        attempts = stop_after_attempt(s.max_attempts)
        backoff = wait_random_exponential(multiplier=s.backoff_initial, max=s.backoff_max)

        def wait(state: RetryCallState) -> float:
            asked = _retry_after(state)
            return backoff(state) if asked is None else asked

        def stop(state: RetryCallState) -> bool:
            asked = _retry_after(state)
            return (
                attempts(state)
                # never retry sooner than the server asked: give up when it asks too much
                or (asked is not None and asked > s.retry_after_limit)
                # the waits themselves, not wall time, so a fake sleep in tests meets the same cap
                or state.idle_for + state.upcoming_sleep > s.max_total_wait
            )

        self._stop = stop
        return AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception(_worth_retrying),
            before_sleep=_log_retry,
            sleep=sleep,
            reraise=True,
        )


def _beyond(settings: FetchSettings) -> str:
    """The words "longer than max_retry_after (300s)": the key that sets `retry_after_limit`."""
    key = "max_retry_after" if settings.max_retry_after >= settings.backoff_max else "backoff_max"
    return f"longer than {key} ({settings.retry_after_limit:g}s)"


class _Router(httpx.AsyncBaseTransport):
    """The fetcher's transport: each request goes direct (through the guarded connection pool)
    or through its proxy (`Fetcher.proxy_for`), with one pool per proxy, made when first used."""

    def __init__(self, fetcher: Fetcher, limits: httpx.Limits) -> None:
        self._fetcher = fetcher
        self._limits = limits
        self._routes: dict[str | None, httpx.AsyncBaseTransport] = {}

    def _route(self, proxy: str | None) -> httpx.AsyncBaseTransport:
        route = self._routes.get(proxy)
        if route is None:
            policy = self._fetcher.policy
            if proxy is None:
                route = guarded_transport(policy, self._limits)
            else:
                inner = httpx.AsyncHTTPTransport(proxy=proxy, limits=self._limits, trust_env=False)
                route = GuardedProxy(policy, inner, self._fetcher.settings.connect_timeout)
            self._routes[proxy] = route
        return route

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._route(self._fetcher.proxy_for(str(request.url))).handle_async_request(request)

    async def aclose(self) -> None:
        for route in self._routes.values():
            await route.aclose()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if absent or bad."""
    text = (value or "").strip()
    try:
        seconds = float(text)
    except ValueError:
        if (when := http_date(text)) is None:  # also an empty or missing header
            return None
        seconds = (when - utc_now()).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _worth_retrying(exc: BaseException) -> bool:
    """The one retry rule: a transient failure is tried again, unless the server took the
    request and then answered too slowly (nothing for `read_timeout`, or no whole answer within
    `total_timeout`): another attempt would wait as long again, so a slow URL costs one
    attempt's timeout, not `url_budget`. A connect timeout, a reset, 429 and 5xx are retried."""
    if not isinstance(exc, TransientFetchError):
        return False
    return not isinstance(exc.__cause__, TimeoutError | httpx.ReadTimeout | httpx.WriteTimeout)


def _retry_after(state: RetryCallState) -> float | None:
    exc = state.outcome.exception() if state.outcome is not None else None
    return exc.retry_after if isinstance(exc, TransientFetchError) else None


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    _log.info("attempt %d failed (%s); retrying in %.1fs", state.attempt_number, exc, state.upcoming_sleep)


async def _keep_location(response: httpx.Response) -> None:
    """Response hook: move Location out of httpx's reach, into `response.extensions`.

    `fetch` follows redirects itself, hop by hop, but httpx parses the Location of every
    redirect even when not following it, and a bad one ("http://xn--/") raises outside its own
    error tree. Taken out here, it is parsed by `_next_hop`, where a bad one is a reason.
    """
    if response.status_code in _REDIRECTS and "location" in response.headers:
        response.extensions[_LOCATION] = response.headers["location"]
        del response.headers["location"]


def _after_redirect(url: str, target: str, exc: FetchError) -> FetchError:
    """A failure at a redirect target, as the failure of `url` (the URL asked for): the
    error names the source, its reason says where the redirect led. The reason keeps its
    own head ("private address refused: ...") so reports still group it by kind."""
    reason = f"{exc.reason} (after a redirect to {target})"
    if isinstance(exc, TransientFetchError):
        return TransientFetchError(url, reason, exc.status, exc.retry_after)
    return PermanentFetchError(url, reason, exc.status)


def _require_http(source: str, url: str, *, what: str = "") -> None:
    """Refuse anything but a well-formed http(s) URL; `what` prefixes the reason ("redirect to ")."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port is what validates it
        httpx.URL(url).host  # noqa: B018 - what the request will parse: IDNA labels, characters
    except (ValueError, httpx.InvalidURL) as exc:
        raise PermanentFetchError(source, f"{what}malformed URL: {url!r} ({exc})") from exc
    if parts.scheme.lower() not in _SCHEMES:
        raise PermanentFetchError(source, f"{what}unsupported scheme {parts.scheme or '(none)'!r}: {url}")
    if not parts.hostname:
        raise PermanentFetchError(source, f"{what}malformed URL: {url!r} (no host)")


def _transport_error(
    url: str, exc: httpx.TransportError, secrets: frozenset[str], proxy: str | None = None
) -> FetchError:
    detail = scrub(str(exc) or type(exc).__name__, secrets)  # a proxy's error may quote its URL
    if isinstance(exc, httpx.ProxyError) or (
        proxy is not None and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    ):
        return _proxy_failed(url, exc, detail, proxy, secrets)
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connect",
            httpx.ReadTimeout: "read",
            httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "timeout")
        return TransientFetchError(url, f"timed out ({phase})")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return PermanentFetchError(url, f"unsupported scheme: {detail}")
    if isinstance(exc, httpx.ConnectError):
        return TransientFetchError(url, f"cannot connect: {scrub(_connect_reason(exc, detail), secrets)}")
    if isinstance(exc, httpx.LocalProtocolError):
        return PermanentFetchError(url, f"invalid request: {detail}")
    return _broken(url, exc, detail)


# h11's words for an answer that is no HTTP (the server's, every time: not retried), and the bytes
# it quotes after them ("illegal status line: bytearray(b'...')"), which are never echoed
_MALFORMED = ("illegal ", "malformed", "continuation line", "bad content-length",
              "conflicting content-length", "multiple transfer-encoding", "only transfer-encoding",
              "receive buffer too long")  # fmt: skip
_QUOTED = re.compile(r":\s*(?:bytearray\()?b['\"].*", re.DOTALL)


def _broken(url: str, exc: httpx.TransportError, detail: str) -> FetchError:
    """RemoteProtocolError, ReadError, WriteError: the connection broke mid-way (maybe later), or
    the answer is no HTTP h11 can read ("not a valid HTTP response: illegal status line", "...:
    headers too large"), where it was "connection failed: illegal status line: bytearray(...)"."""
    lowered = detail.lower()
    if not isinstance(exc, httpx.RemoteProtocolError) or not lowered.startswith(_MALFORMED):
        return TransientFetchError(url, f"connection failed: {detail}")
    what = "headers too large" if lowered.startswith("receive buffer too long") else _QUOTED.sub("", detail)
    return PermanentFetchError(url, f"not a valid HTTP response: {what}")


def _proxy_failed(
    url: str, exc: httpx.TransportError, detail: str, proxy: str | None, secrets: frozenset[str]
) -> TransientFetchError:
    """The proxy failed, not the site: it refused the tunnel, or it could not be reached at all
    (then the connection that failed is the proxy's, named by host and port, never its password)."""
    if isinstance(exc, httpx.ProxyError) or proxy is None:
        return TransientFetchError(url, f"proxy failed: {detail}")
    where = urlsplit(proxy).netloc.rpartition("@")[2]
    why = "timed out" if isinstance(exc, httpx.TimeoutException) else _connect_reason(exc, detail)
    return TransientFetchError(url, f"proxy failed: cannot connect to {where} ({scrub(why, secrets)})")


def _connect_reason(exc: BaseException, detail: str) -> str:
    """The root cause of a failed connection ("Connection refused", "DNS lookup failed (...)")."""
    cause = exc.__cause__ or exc.__context__
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed ({cause.strerror})"
        # anyio words a refused connection as "All connection attempts failed"; the errno is clearer
        if isinstance(cause, OSError) and not isinstance(cause, ssl.SSLError) and (cause.errno or 0) > 0:
            detail = os.strerror(cause.errno or 0)
        cause = cause.__cause__ or cause.__context__
    return detail
