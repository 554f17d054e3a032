"""Per-host politeness: a concurrency cap, a minimum gap between request starts, and pauses.

The gap is the host's base delay (the gate's `delay`, or the one `limits` gives the host: a
`[[sites]] per_host_delay`) unless `set_delay` gave the host a longer one (a robots.txt
Crawl-delay); a pause (Retry-After, error backoff) holds the host back whatever the gap.
Hosts are keyed by lowercased `hostname:port`, so two sites on one machine are paced apart
and one host's wait never holds up another. A caller may say how long it would wait for a pause
the host asked for (`pause(..., asked=True)`: a Retry-After; `slot(url, patience)`): a longer one
is not waited out but raised (`Paused`). Clock and sleep are injected so tests run on a fake clock
and never really sleep.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from scraper.urls import host_key

__all__ = ["HostGate", "Paused"]


class Paused(Exception):
    """The pause a host asked for would hold a request longer than its caller's `patience`: `left` seconds."""

    def __init__(self, left: float) -> None:
        super().__init__(f"host paused for {left:.0f}s more")
        self.left = left


@dataclass(slots=True)
class _Host:
    semaphore: asyncio.Semaphore
    base_delay: float
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # one waiter at a time times its start
    last_start: float = float("-inf")  # clock() when the last request to this host actually started
    paused_until: float = float("-inf")
    asked_until: float = float("-inf")  # the part of the pause the host asked for (Retry-After)
    delay: float | None = None  # this host's own gap between request starts (robots.txt Crawl-delay)


class HostGate:
    """Paces requests per host; `async with gate.slot(url):` around every request.

    `sleep` must let `clock` advance by the time asked (asyncio.sleep with time.monotonic, or
    a fake pair in tests). `limits(host)` gives a host (`host_key` form) its own concurrency
    and delay instead of the gate's (a site's own politeness).
    """

    def __init__(
        self,
        concurrency: int,
        delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        limits: Callable[[str], tuple[int, float]] | None = None,
    ) -> None:
        if concurrency < 1 or delay < 0:
            raise ValueError("HostGate needs concurrency >= 1 and delay >= 0")
        self.concurrency = concurrency
        self.delay = delay
        self.clock = clock
        self.sleep = sleep
        self._limits = limits or (lambda _host: (concurrency, delay))
        self._hosts: dict[str, _Host] = {}

    @asynccontextmanager
    async def slot(self, url: str, patience: float = math.inf) -> AsyncIterator[None]:
        """Hold one of the host's slots, entered no sooner than its delay and pause allow; a pause
        the host asked for with more than `patience` seconds left when its turn comes raises
        `Paused` instead."""
        host = self._host(host_key(url))
        async with host.semaphore:
            await self._wait_turn(host, patience)
            yield

    def pause(self, host_or_url: str, seconds: float, *, asked: bool = False) -> None:
        """Hold back every later request to this host for `seconds` (never shortens a pause);
        `asked`: the host asked for it (a Retry-After), which a `slot`'s patience is measured against."""
        host = self._host(host_key(host_or_url))
        until = self.clock() + max(0.0, seconds)
        host.paused_until = max(host.paused_until, until)
        if asked:
            host.asked_until = max(host.asked_until, until)

    def set_delay(self, host_or_url: str, seconds: float) -> None:
        """Space this host's request starts `seconds` apart instead of the gate's default delay."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        self._host(host_key(host_or_url)).delay = seconds

    def delay_for(self, host_or_url: str) -> float:
        """The gap kept between two request starts to this host."""
        key = host_key(host_or_url)
        host = self._hosts.get(key)
        return self._limits(key)[1] if host is None else self._gap(host)

    def concurrency_for(self, host_or_url: str) -> int:
        """How many requests to this host may be in flight at once."""
        return self._limits(host_key(host_or_url))[0]

    def paused_for(self, host_or_url: str) -> float:
        """Seconds left of this host's pause (0 when it is not paused)."""
        host = self._hosts.get(host_key(host_or_url))
        return max(0.0, host.paused_until - self.clock()) if host else 0.0

    def asked_for(self, host_or_url: str) -> float:
        """Seconds left of the pause this host asked for (0 when it asked for none)."""
        host = self._hosts.get(host_key(host_or_url))
        return max(0.0, host.asked_until - self.clock()) if host else 0.0

    def _host(self, key: str) -> _Host:
        if key not in self._hosts:
            concurrency, delay = self._limits(key)
            self._hosts[key] = _Host(asyncio.Semaphore(concurrency), delay)
        return self._hosts[key]

    async def _wait_turn(self, host: _Host, patience: float) -> None:
        # Waiters take turns (asyncio.Lock is FIFO) and each times its start from the previous
        # request's *actual* start: a task the event loop wakes late pushes the next one back,
        # instead of both going out together as they would with start times booked in advance.
        async with host.turn:
            while (now := self.clock()) < (
                start := max(host.last_start + self._gap(host), host.paused_until)
            ):
                if host.asked_until - now > patience:
                    raise Paused(host.asked_until - now)
                await self.sleep(start - now)
            host.last_start = self.clock()

    def _gap(self, host: _Host) -> float:
        return host.base_delay if host.delay is None else host.delay
