"""The tests' fake time: a clock a test sets by hand, and a clock that moves only when slept on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Clock(Generic[T]):
    """A clock that reads whatever the test last set `now` to (a `datetime` or monotonic seconds)."""

    def __init__(self, now: T) -> None:
        self.now = now

    def __call__(self) -> T:
        return self.now


class FakeTime:
    """A monotonic clock that moves only when `sleep` is awaited, recording every wait.

    `clock` and `sleep` are the pair the fetcher and the host gate take; no test really sleeps.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []  # rounded to the microsecond, so sums of floats compare equal
        self.on_sleep: Callable[[], None] | None = None

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep()
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would
