"""Politeness of one run: robots.txt by outcome, Crawl-delay into the gate, backoff, hosts set aside."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import httpx
import pytest

from scraper.config import CrawlSettings, FetchSettings, Settings
from scraper.errors import TransientFetchError
from scraper.fetch.client import Fetcher
from scraper.fetch.gate import HostGate
from scraper.fetch.politeness import Politeness, RobotsAnswer, read_robots, robots_url
from scraper.models import Kind, VisitOutcome
from tests.clock import FakeTime

SETTINGS = Settings(
    fetch=FetchSettings(per_host_delay=0.5, max_attempts=1, backoff_initial=2.0, backoff_max=10.0),
    crawl=CrawlSettings(max_crawl_delay=20.0, host_failure_limit=3),
)


def answering(
    status: int, body: bytes = b"", content_type: str = "text/plain"
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, content=body, headers={"Content-Type": content_type})


def fetcher_for(handler: Callable[[httpx.Request], httpx.Response], fake: FakeTime) -> Fetcher:
    gate = HostGate(1, SETTINGS.fetch.per_host_delay, fake.clock, fake.sleep)
    return Fetcher(SETTINGS.fetch, transport=httpx.MockTransport(handler), sleep=fake.sleep, gate=gate)


def read(handler: Callable[[httpx.Request], httpx.Response]) -> RobotsAnswer:
    async def go() -> RobotsAnswer:
        async with fetcher_for(handler, FakeTime()) as fetcher:
            return await read_robots(fetcher, "http://a.test/robots.txt", agent="scraper")

    return asyncio.run(go())


def test_robots_url() -> None:
    """robots.txt lives at the root of the URL's scheme, host and port."""
    assert robots_url("https://a.test:8443/x/y?z=1#f") == "https://a.test:8443/robots.txt"


def test_robots_rules_are_read_from_a_200() -> None:
    """A 200 gives the rules for our agent and a visit to record."""
    answer = read(answering(200, b"User-agent: scraper\nDisallow: /private\nCrawl-delay: 4\n"))
    assert not answer.rules.allowed("http://a.test/private/x")
    assert answer.rules.allowed("http://a.test/public")
    assert answer.rules.crawl_delay == 4.0
    assert (answer.visit.kind, answer.visit.outcome, answer.set_aside) == (
        Kind.ROBOTS,
        VisitOutcome.READ,
        None,
    )


def test_missing_robots_allows_everything() -> None:
    """A 404 (RFC 9309 "unavailable") allows every URL and is not a problem."""
    answer = read(answering(404))
    assert answer.rules.allowed("http://a.test/anything")
    assert (answer.visit.outcome, answer.visit.status, answer.set_aside) == (VisitOutcome.READ, 404, None)


def test_unreachable_robots_disallows_everything_and_sets_the_host_aside() -> None:
    """A 5xx (RFC 9309 "unreachable") disallows every URL and gives up on the host."""
    answer = read(answering(503))
    assert not answer.rules.allowed("http://a.test/")
    assert answer.visit.outcome is VisitOutcome.FAILED
    assert answer.set_aside == "robots.txt unreachable: HTTP 503"


def test_binary_robots_is_junk_not_a_crash() -> None:
    """Bytes that are no robots.txt at all are read as no rules."""
    answer = read(answering(200, b"\x00\x01\x02\xff" * 100, "application/octet-stream"))
    assert answer.rules.allowed("http://a.test/x")


def politeness(
    handler: Callable[[httpx.Request], httpx.Response], fake: FakeTime
) -> tuple[Politeness, Fetcher, list[str]]:
    seen: list[str] = []
    fetcher = fetcher_for(handler, fake)
    polite = Politeness(fetcher, SETTINGS, gate=fetcher.gate, on_robots=lambda host, _: seen.append(host))
    return polite, fetcher, seen


def test_robots_is_read_once_per_host_and_crawl_delay_goes_to_the_gate() -> None:
    """Concurrent first URLs of a host share one robots.txt request; its capped Crawl-delay paces the host."""
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, text="User-agent: *\nCrawl-delay: 60\nDisallow: /no\n")

    fake = FakeTime()
    polite, fetcher, seen = politeness(handler, fake)

    async def go() -> list[bool]:
        async with fetcher:
            return await asyncio.gather(*(polite.allowed(f"http://a.test/{p}") for p in ("yes", "no", "x")))

    assert asyncio.run(go()) == [True, False, True]
    assert asked == ["http://a.test/robots.txt"]
    assert seen == ["a.test:80"]
    assert fetcher.gate.delay_for("http://a.test/") == 20.0  # 60 asked, max_crawl_delay 20
    assert fetcher.gate.delay_for("http://b.test/") == 0.5


def test_failures_back_off_then_set_the_host_aside() -> None:
    """Each failure in a row doubles the host's pause; the limit sets it aside; an answer resets the count."""
    fake = FakeTime()
    polite, fetcher, _ = politeness(answering(200), fake)
    error = TransientFetchError("http://a.test/x", "HTTP 500", status=500)
    assert polite.failed("http://a.test/x", error) is None
    assert fetcher.gate.paused_for("http://a.test/") == 2.0
    polite.succeeded("http://a.test/y")
    assert polite.failed("http://a.test/x", error) is None
    assert polite.failed("http://a.test/x", error) is None
    assert fetcher.gate.paused_for("http://a.test/") == 4.0
    assert polite.failed("http://a.test/x", error) == "3 failures in a row, the last: HTTP 500"
    assert polite.set_aside_reason("http://a.test/anything") == "3 failures in a row, the last: HTTP 500"
    assert polite.set_aside_reason("http://b.test/") is None


def test_a_host_paused_longer_than_max_retry_after_is_set_aside_at_its_first_failure() -> None:
    """A failure while the host's Retry-After pause is longer than `max_retry_after` sets it aside
    at once with that failure's reason (the fetcher would give up on each of its URLs until then);
    a pause within it, or one of our own backoff, only counts the failure."""
    fake = FakeTime()
    polite, fetcher, _ = politeness(answering(200), fake)
    cap = SETTINGS.fetch.max_retry_after
    fetcher.gate.pause("http://a.test/", cap, asked=True)
    error = TransientFetchError("http://a.test/x", "HTTP 503", status=503, retry_after=cap)
    assert polite.failed("http://a.test/x", error) is None
    fetcher.gate.pause("http://a.test/", cap + 100)  # a backoff of ours: only counted
    assert polite.failed("http://a.test/x", error) is None
    fetcher.gate.pause("http://a.test/", cap + 1, asked=True)
    asked = TransientFetchError("http://a.test/y", "HTTP 503 asking to retry after ...", status=503)
    assert polite.failed("http://a.test/y", asked) == "HTTP 503 asking to retry after ..."
    assert polite.set_aside_reason("http://a.test/z") == "HTTP 503 asking to retry after ..."
    assert polite.set_aside_reason("http://b.test/") is None


def test_a_host_paused_within_our_own_backoff_is_not_set_aside_whatever_max_retry_after() -> None:
    """With `max_retry_after = 0`, a failure under a `Retry-After: 1` pause set its host aside for
    the run: a pause the host asked for no longer than `backoff_max` only counts the failure."""
    fake = FakeTime()
    settings = dataclasses.replace(SETTINGS, fetch=dataclasses.replace(SETTINGS.fetch, max_retry_after=0.0))
    fetcher = fetcher_for(answering(200), fake)
    polite = Politeness(fetcher, settings, gate=fetcher.gate, on_robots=lambda host, _: None)
    error = TransientFetchError("http://a.test/x", "HTTP 503", status=503, retry_after=1.0)
    fetcher.gate.pause("http://a.test/", 1.0, asked=True)
    assert polite.failed("http://a.test/x", error) is None
    fetcher.gate.pause("http://a.test/", settings.fetch.backoff_max + 1, asked=True)
    assert polite.failed("http://a.test/x", error) == "HTTP 503"


@pytest.mark.parametrize("named", ["a.test:80", "http://a.test/page"])
def test_set_aside_by_host_or_url(named: str) -> None:
    """A resumed run restores hosts by `host:port`; the crawl sets them aside by URL."""
    polite, _, _ = politeness(answering(200), FakeTime())
    polite.set_aside(named, "why")
    assert polite.set_aside_reason("http://a.test/other") == "why"
