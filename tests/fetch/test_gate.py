"""Tests for scraper.fetch.gate: per-host pacing on a fake clock that never really sleeps."""

from __future__ import annotations

import asyncio
import time

import pytest

from scraper.fetch.gate import HostGate, Paused
from scraper.urls import host_key, origin
from tests.clock import FakeTime


def make_gate(concurrency: int = 1, delay: float = 1.0) -> tuple[HostGate, FakeTime]:
    fake = FakeTime()
    return HostGate(concurrency, delay, fake.clock, fake.sleep), fake


async def enter(gate: HostGate, url: str, starts: list[float], fake: FakeTime) -> None:
    async with gate.slot(url):
        starts.append(fake.now)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("http://Example.COM/a?b", "example.com:80"),
        ("https://example.com/", "example.com:443"),
        ("http://example.com:8080/x", "example.com:8080"),
        ("HTTP://[::1]:81/", "::1:81"),
        ("Example.com:8443", "example.com:8443"),
    ],
)
def test_host_key(value: str, key: str) -> None:
    """Hosts are keyed by lowercased hostname and port, the port implied by the scheme if absent."""
    assert host_key(value) == key


@pytest.mark.parametrize("value", ["example.com", "http:///path", "ftp://example.com/"])
def test_host_key_needs_host_and_port(value: str) -> None:
    """Without a hostname, or a port that the scheme could imply, there is no key."""
    with pytest.raises(ValueError, match="cannot tell host and port"):
        host_key(value)


def test_delay_between_request_starts_to_one_host() -> None:
    """Successive requests to one host start `delay` seconds apart."""
    gate, fake = make_gate(delay=2.0)
    starts: list[float] = []

    async def scenario() -> None:
        for path in ("a", "b", "c"):
            await enter(gate, f"http://example.com/{path}", starts, fake)

    asyncio.run(scenario())
    assert starts == [1000.0, 1002.0, 1004.0]
    assert fake.sleeps == [2.0, 2.0]


def test_no_wait_once_the_delay_has_passed() -> None:
    """A request that comes after the delay has already passed starts at once."""
    gate, fake = make_gate(delay=1.0)
    starts: list[float] = []

    async def scenario() -> None:
        await enter(gate, "http://example.com/a", starts, fake)
        fake.now += 5
        await enter(gate, "http://example.com/b", starts, fake)

    asyncio.run(scenario())
    assert fake.sleeps == []


def test_hosts_do_not_wait_for_each_other() -> None:
    """Requests to different hosts, or to two ports of one hostname, are not spaced."""
    gate, fake = make_gate(delay=10.0)
    starts: list[float] = []

    async def scenario() -> None:
        for url in ("http://a.example/", "http://b.example/", "http://a.example:8080/", "https://a.example/"):
            await enter(gate, url, starts, fake)

    asyncio.run(scenario())
    assert fake.sleeps == []
    assert starts == [1000.0] * 4


def test_host_match_ignores_case_and_default_port() -> None:
    """`HTTP://A.EXAMPLE/` and `http://a.example:80/` are one host and share its delay."""
    gate, fake = make_gate(delay=3.0)
    starts: list[float] = []

    async def scenario() -> None:
        await enter(gate, "HTTP://A.EXAMPLE/", starts, fake)
        await enter(gate, "http://a.example:80/x", starts, fake)

    asyncio.run(scenario())
    assert fake.sleeps == [3.0]


async def enter_real(gate: HostGate, url: str, starts: list[float]) -> None:
    async with gate.slot(url):
        starts.append(time.monotonic())


def spaced_from(origin: float, starts: list[float], delay: float) -> bool:
    """The i-th start is at least i delays after `origin`.

    Checked against a fixed origin, not between neighbours: on a busy machine one task may
    wake late and the next on time, which shrinks one gap without any burst happening.
    """
    return all(start - origin >= i * delay - 0.002 for i, start in enumerate(sorted(starts)))


# The fake clock cannot model several tasks sleeping at once, so the two tests below use the
# real clock with delays of a few hundredths of a second.
def test_concurrent_waiters_are_spaced() -> None:
    """Requests arriving together start `delay` apart, not all at the same moment."""
    gate = HostGate(3, 0.04)
    starts: list[float] = []

    origin = time.monotonic()

    async def scenario() -> None:
        await asyncio.gather(*(enter_real(gate, f"http://example.com/{i}", starts) for i in range(3)))

    asyncio.run(scenario())
    assert spaced_from(origin, starts, 0.04)


def test_concurrency_cap_per_host() -> None:
    """No more than `concurrency` requests to one host hold a slot at once; other hosts are free."""
    gate = HostGate(2, 0.0)
    active: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def request(host: str) -> None:
        async with gate.slot(f"http://{host}.example/"):
            active[host] += 1
            peak[host] = max(peak[host], active[host])
            for _ in range(3):
                await asyncio.sleep(0)
            active[host] -= 1

    async def scenario() -> None:
        await asyncio.gather(*(request(h) for h in "aaaaab"))

    asyncio.run(scenario())
    assert peak == {"a": 2, "b": 1}


def test_pause_holds_back_the_host_only() -> None:
    """A paused host waits until the pause is over; other hosts go on at once."""
    gate, fake = make_gate(delay=0.0)
    starts: list[float] = []
    gate.pause("http://slow.example/page", 30)

    async def scenario() -> None:
        await enter(gate, "http://fast.example/", starts, fake)
        await enter(gate, "http://slow.example/other", starts, fake)

    asyncio.run(scenario())
    assert starts == [1000.0, 1030.0]
    assert fake.sleeps == [30.0]


def test_pause_by_host_key() -> None:
    """`pause` accepts a `host:port` as well as a URL."""
    gate, _ = make_gate()
    gate.pause("example.com:443", 12)
    assert gate.paused_for("https://example.com/x") == 12.0
    assert gate.paused_for("http://example.com/x") == 0.0


def test_pause_never_shortens_a_longer_pause() -> None:
    """A shorter pause leaves a longer one in place; a longer one extends it."""
    gate, fake = make_gate()
    gate.pause("http://example.com/", 60)
    gate.pause("http://example.com/", 5)
    assert gate.paused_for("http://example.com/") == 60.0
    fake.now += 10
    gate.pause("http://example.com/", 90)
    assert gate.paused_for("http://example.com/") == 90.0


def test_pause_arriving_while_waiting_for_the_delay() -> None:
    """A request already waiting for its turn also waits out a pause that starts meanwhile."""
    gate, fake = make_gate(delay=1.0)
    starts: list[float] = []

    def pause_once() -> None:
        fake.on_sleep = None
        gate.pause("http://example.com/", 20)

    async def scenario() -> None:
        await enter(gate, "http://example.com/a", starts, fake)
        fake.on_sleep = pause_once
        await enter(gate, "http://example.com/b", starts, fake)

    asyncio.run(scenario())
    assert starts == [1000.0, 1021.0]
    assert fake.sleeps == [1.0, 20.0]


def test_a_pause_the_host_asked_for_longer_than_the_callers_patience_is_raised_not_waited() -> None:
    """`slot(url, patience)` waits out a pause the host asked for (a Retry-After) of `patience`
    seconds or less; a longer one, also one that starts while the request waits its turn, raises
    `Paused` with the seconds left, at once: nothing slept, the slot free again. A pause of our own
    (an error backoff) is waited out whatever the patience."""
    gate, fake = make_gate(delay=1.0)
    starts: list[float] = []

    async def scenario() -> None:
        gate.pause("http://example.com/", 30, asked=True)
        async with gate.slot("http://example.com/a", patience=30):
            starts.append(fake.now)
        fake.on_sleep = lambda: gate.pause("http://example.com/", 100, asked=True)  # while it waits its gap
        with pytest.raises(Paused) as info:
            async with gate.slot("http://example.com/b", patience=30):
                starts.append(fake.now)
        assert info.value.left == 100.0
        fake.on_sleep = None
        with pytest.raises(Paused):
            async with gate.slot("http://example.com/c", patience=99):
                starts.append(fake.now)
        async with gate.slot("http://example.com/d"):  # no patience given: waited out
            starts.append(fake.now)
        gate.pause("http://example.com/", 60)  # a backoff of ours, past the patience: waited
        async with gate.slot("http://example.com/e", patience=30):
            starts.append(fake.now)

    asyncio.run(scenario())
    assert starts == [1030.0, 1131.0, 1191.0]
    assert fake.sleeps == [30.0, 1.0, 100.0, 60.0]
    assert gate.asked_for("http://example.com/") == 0.0


def test_waiters_queued_behind_a_pause_stay_spaced() -> None:
    """Requests held by a pause start after it and `delay` apart, not in a burst."""
    gate = HostGate(3, 0.04)
    starts: list[float] = []

    async def scenario() -> None:
        gate.pause("http://example.com/", 0.06)
        paused_at = time.monotonic()
        await asyncio.gather(*(enter_real(gate, f"http://example.com/{i}", starts) for i in range(3)))
        assert min(starts) - paused_at >= 0.06 - 0.002
        assert spaced_from(paused_at + 0.06, starts, 0.04)

    asyncio.run(scenario())


def test_invalid_settings_are_refused() -> None:
    """A gate needs at least one slot per host and a non-negative delay."""
    with pytest.raises(ValueError, match="concurrency"):
        HostGate(0, 1.0)
    with pytest.raises(ValueError, match="delay"):
        HostGate(1, -1.0)


def test_set_delay_spaces_one_host_only() -> None:
    """A host given its own delay (robots.txt Crawl-delay) is spaced by it; other hosts keep the default."""
    gate, fake = make_gate(concurrency=1, delay=0.5)
    gate.set_delay("http://slow.test/", 3.0)
    slow: list[float] = []
    fast: list[float] = []

    async def main() -> None:
        for _ in range(2):
            await enter(gate, "http://slow.test/a", slow, fake)
        for _ in range(2):
            await enter(gate, "http://fast.test/a", fast, fake)

    asyncio.run(main())
    assert slow[1] - slow[0] == 3.0
    assert fast[1] - fast[0] == 0.5
    assert gate.delay_for("http://slow.test/x") == 3.0
    assert gate.delay_for("http://other.test/") == 0.5


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.test:81/x/y?q#f", "http://a.test:81"),
        ("https://a.test?q=/x", "https://a.test"),
        ("http://[::1]:8/#x", "http://[::1]:8"),
        ("http://a.test", "http://a.test"),
    ],
)
def test_origin_ends_where_urlsplit_ends_the_netloc(url: str, expected: str) -> None:
    """The scheme://netloc prefix host keys are computed from, cut at the first / ? or #."""
    assert origin(url) == expected


def test_a_request_woken_late_pushes_the_next_one_back() -> None:
    """Gaps are kept between actual starts: oversleeping one request delays the next, never bunches them."""
    gate, fake = make_gate(concurrency=3, delay=1.0)
    starts: list[float] = []
    overslept = False

    def oversleep_once() -> None:
        nonlocal overslept
        if not overslept:
            overslept = True
            fake.now += 0.7  # the event loop woke this task late

    async def scenario() -> None:
        await enter(gate, "http://a.example/0", starts, fake)
        fake.on_sleep = oversleep_once
        await asyncio.gather(*(enter(gate, f"http://a.example/{i}", starts, fake) for i in (1, 2)))

    asyncio.run(scenario())
    assert starts == [1000.0, 1001.7, 1002.7]
