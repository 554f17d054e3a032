"""Per-host politeness of one run: robots.txt, Crawl-delay, error backoff, hosts set aside.

- robots.txt is fetched once per host per run (the first URL of a host waits for it, the
  others share the answer), its first 512 KiB only however long it is, and picked by outcome
  as RFC 9309 says (see scraper/fetch/robots.py):
  200 -> its rules; 4xx -> allow all; 5xx or unreachable -> disallow all, and the host is set
  aside, since nothing of it may be fetched.
- Its Crawl-delay (capped by `[crawl] max_crawl_delay`) becomes the host's gap in the
  fetcher's `HostGate` when it is longer than `[fetch] per_host_delay`.
- Consecutive failures (after the fetcher's own retries) pause the host with an exponential
  backoff; `[crawl] host_failure_limit` of them in a row set the host aside for the run.

Pacing itself (concurrency, gaps, Retry-After pauses) is the gate's job; this module only
tells it more. Hosts are `urls.host_key` strings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from scraper.config import Settings
from scraper.errors import ExtractionError, FetchError, PermanentFetchError, TransientFetchError
from scraper.fetch.client import Fetcher
from scraper.fetch.gate import HostGate
from scraper.fetch.robots import (
    ALLOW_ALL,
    DISALLOW_ALL,
    MAX_ROBOTS_BYTES,
    RobotsRules,
    agent_token,
    parse_robots,
)
from scraper.models import FetchedPage, Kind, Visit, VisitOutcome
from scraper.urls import host_key

__all__ = ["Politeness", "RobotsAnswer", "fetch_politely", "read_robots", "robots_url"]

ANY_TYPE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class RobotsAnswer:
    """The rules read for one host, the visit to record, and why to set the host aside (if so)."""

    rules: RobotsRules
    visit: Visit
    set_aside: str | None = None


def robots_url(url: str) -> str:
    """The robots.txt governing `url`: same scheme, host and port."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


async def read_robots(fetcher: Fetcher, url: str, *, agent: str) -> RobotsAnswer:
    """Fetch and parse the robots.txt at `url`; never raises for what the server does."""
    try:
        # one byte more than is parsed, so the parser sees the file was longer and drops the cut line
        page = await fetcher.fetch(url, accept=ANY_TYPE, head=MAX_ROBOTS_BYTES + 1)
    except TransientFetchError as exc:  # 5xx, 429 or the network, after retries: "unreachable"
        visit = Visit(
            url=url, kind=Kind.ROBOTS, outcome=VisitOutcome.FAILED, status=exc.status, reason=exc.reason
        )
        return RobotsAnswer(
            rules=DISALLOW_ALL, visit=visit, set_aside=f"robots.txt unreachable: {exc.reason}"
        )
    except FetchError as exc:
        if exc.status is not None and 400 <= exc.status < 500:  # "unavailable": no rules at all
            visit = Visit(
                url=url, kind=Kind.ROBOTS, outcome=VisitOutcome.READ, status=exc.status, reason=exc.reason
            )
        else:  # too large, a redirect loop...: read as unavailable, and reported
            visit = Visit(url=url, kind=Kind.ROBOTS, outcome=VisitOutcome.SKIPPED, reason=exc.reason)
        return RobotsAnswer(rules=ALLOW_ALL, visit=visit)
    except ExtractionError as exc:  # cannot happen with ANY_TYPE, but a body is never worth a crash
        visit = Visit(url=url, kind=Kind.ROBOTS, outcome=VisitOutcome.SKIPPED, reason=exc.reason)
        return RobotsAnswer(rules=ALLOW_ALL, visit=visit)
    # RFC 9309 2.2: robots.txt is UTF-8; never detected (a whole-body guess on the event loop)
    text = page.body[: MAX_ROBOTS_BYTES + 1].decode("utf-8", "replace")
    rules = parse_robots(text, agent=agent, base_url=page.final_url or url)
    visit = Visit(url=url, kind=Kind.ROBOTS, outcome=VisitOutcome.READ, status=page.status)
    return RobotsAnswer(rules=rules, visit=visit)


@dataclass(slots=True)
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    rules: RobotsRules | None = None
    failures: int = 0
    set_aside: str | None = None


class Politeness:
    """What one run knows about each host's rules and health.

    `on_robots(host, answer)` is called once per host, when its robots.txt has been read, so
    the crawl can record the visit, queue the sitemaps it lists, and set the host aside.
    `gate` is the host gate that paces `fetcher`: Crawl-delays and backoff pauses go to it.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        settings: Settings,
        *,
        gate: HostGate,
        on_robots: Callable[[str, RobotsAnswer], None],
    ) -> None:
        self._fetcher = fetcher
        self._gate = gate
        self._settings = settings
        self._on_robots = on_robots
        self._hosts: dict[str, _Host] = {}

    def _host(self, url_or_host: str) -> _Host:
        return self._hosts.setdefault(host_key(url_or_host), _Host())

    async def rules(self, url: str) -> RobotsRules:
        """The robots.txt rules for the host of `url`, read the first time they are asked for."""
        host = self._host(url)
        if host.rules is None:
            async with host.lock:
                if host.rules is None:
                    # the rules for the user agent this site is fetched with ([[sites]] user_agent)
                    agent = agent_token(self._settings.fetch_for(url).user_agent)
                    answer = await read_robots(self._fetcher, robots_url(url), agent=agent)
                    self._apply(url, answer)
                    host.rules = answer.rules
        return host.rules

    async def allowed(self, url: str) -> bool:
        return (await self.rules(url)).allowed(url)

    def _apply(self, url: str, answer: RobotsAnswer) -> None:
        delay = answer.rules.crawl_delay
        gate = self._gate
        if delay is not None:
            capped = min(delay, self._settings.crawl.max_crawl_delay)
            gate.set_delay(url, max(gate.delay_for(url), capped))  # the stricter of the two wins
        if answer.set_aside is not None:
            self.set_aside(url, answer.set_aside)
        self._on_robots(host_key(url), answer)

    def set_aside_reason(self, url: str) -> str | None:
        """Why the host of `url` was given up on, or None while it is still crawled."""
        host = self._hosts.get(host_key(url))
        return host.set_aside if host is not None else None

    def set_aside(self, url_or_host: str, reason: str) -> None:
        """Give up on a host, named by a URL or `host:port` (a resumed run restores its own)."""
        host = self._host(url_or_host)
        if host.set_aside is None:
            host.set_aside = reason

    def succeeded(self, url: str) -> None:
        """The host answered: its run of failures is over."""
        self._host(url).failures = 0

    def failed(self, url: str, error: TransientFetchError) -> str | None:
        """Count a failure against the host; returns the reason when it is now set aside.

        Below the limit, the host is paused for `backoff_initial * 2 ** (failures - 1)` seconds,
        at most `backoff_max` (a Retry-After pause the fetcher already set may be longer). A host
        whose Retry-After paused it longer than `max_retry_after` is set aside at once: the fetcher
        would give up on each of its URLs until then (a site down for the day, asked again and
        again once every `max_retry_after` until the failures reached the limit).
        """
        host = self._host(url)
        host.failures += 1
        if self._gate.asked_for(url) > self._settings.fetch.retry_after_limit and host.set_aside is None:
            host.set_aside = error.reason
            return host.set_aside
        limit = self._settings.crawl.host_failure_limit
        if host.failures >= limit and host.set_aside is None:
            host.set_aside = f"{host.failures} failures in a row, the last: {error.reason}"
            return host.set_aside
        fetch = self._settings.fetch
        self._gate.pause(url, min(fetch.backoff_max, fetch.backoff_initial * 2 ** (host.failures - 1)))
        return None


async def fetch_politely(fetcher: Fetcher, politeness: Politeness, url: str) -> FetchedPage:
    """GET `url` if robots.txt allows it (and each redirect target), paced per host by the fetcher."""
    if not await politeness.allowed(url):
        raise PermanentFetchError(url, _refusal(politeness, url))

    async def check_redirect(target: str) -> None:
        if not await politeness.allowed(target):
            raise PermanentFetchError(url, f"redirect to {target} {_refusal(politeness, target)}")

    return await fetcher.fetch(url, check_redirect=check_redirect)


def _refusal(politeness: Politeness, url: str) -> str:
    """Why `url` may not be fetched: its host's robots.txt, or the host being set aside (a dead
    server's unreachable robots.txt disallows everything, RFC 9309: say that, not "disallowed")."""
    aside = politeness.set_aside_reason(url)
    return f"host set aside: {aside}" if aside else "disallowed by robots.txt"
