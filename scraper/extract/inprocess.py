"""Extraction in this process, under the worker pool's limits: for a handful of pages, where
starting the pool (a forkserver and its imports) would cost more than the pages themselves.

    run_bounded(source, settings, fn, *args)   fn(*args), or a `ScraperError` about `source`
    InProcess(settings).submit(source, fn, *args)   the same, as a finished Future (the pool's shape)

The outcomes are the pool's (scraper/extract/worker.py), with the same reasons:

    fn raised a ScraperError                      that error, as raised
    fn ran longer than `[extract] timeout`        ExtractionError: took longer than ... (extract.timeout)
    fn needed more than `[extract] max_memory`    ExtractionError: needed more than ... (extract.max_memory)
    fn raised anything else (a bug)               ExtractionError: internal error: ...

Time: a watchdog thread raises an exception in the extracting thread when the limit passes
(`PyThreadState_SetAsyncExc`; it works on any thread, so the Python API may be called from
threads and event loops), and again every 50 ms until the thread has left, since Python drops
one that lands in a `__del__` or a gc callback. A call that returns after the limit all the
same (each exception dropped, or the watchdog not run in time on a loaded machine) fails as over
time too, as a pool worker past its limit is stopped. The exception is raised between two steps of
Python code: a single C call (one regex, one parse) finishes first. The inputs that could make
one C call long are bounded before it (`[fetch] max_bytes` on the input; element, depth and
table caps in bounds.py; nesting, or an element's attributes, that would make the parse
quadratic: dom.bounded_html, in every process).

The exception can land in any Python code the extracting thread runs, threading's own included,
and under a tracer (coverage, a debugger, a profiler) also on the return from a `__enter__` that
has just taken a lock. So the watchdog raises only while the thread is armed, under a C lock
that the thread takes with `with` (no Python step between taking it and the block), and it waits
on a C lock too: neither side ever holds a lock of threading's Python code while the other can
need it. A pending exception is taken back by replacing it with one raised and caught at once,
never by `PyThreadState_SetAsyncExc(thread, NULL)`: on Python 3.11 that leaves the interpreter's
async-exception signal on with nothing to deliver, and under a tracer every thread then spins at
the entry of its next Python function, for ever (the hang of `make coverage`).

Memory: for the duration of the call the process's address space (`RLIMIT_AS`) may grow by
`max_memory` at most over what it maps when the first concurrent call starts, so an
allocation beyond that fails with MemoryError inside the extraction, not in the OOM killer.
The limit is the process's: it is raised back when the last call ends. Where the platform has
no /proc (macOS), only the time limit applies.

What extraction loads on first use (the language and block models) is loaded once, before the
first page's limits start, as the pool's forkserver does before any page.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

from scraper.config import ExtractSettings
from scraper.errors import ConfigError, ExtractionError, ScraperError, internal_error

__all__ = ["InProcess", "memory_reason", "run_bounded", "timeout_reason"]

T = TypeVar("T")

log = logging.getLogger("scraper.extract")


def timeout_reason(seconds: float) -> str:
    """The reason of a page over the time limit, in the pool and in this process alike."""
    return f"extraction took longer than {seconds:g} s (extract.timeout)"


def memory_reason(size: int) -> str:
    """The reason of a page over the memory limit, in the pool and in this process alike."""
    limit = f"{size / 1024**3:g} GiB" if size >= 0 else "its memory limit"
    return f"extraction needed more than {limit} of memory (extract.max_memory)"


def run_bounded(source: str, settings: ExtractSettings, fn: Callable[..., T], /, *args: Any) -> T:
    """`fn(*args)` in this thread under `settings.timeout` and `max_memory` (see the module docstring).
    `ConfigError` when extraction cannot work at all (the language model cannot be loaded)."""
    _warm_up()
    watchdog = _Watchdog(settings.timeout)
    try:
        with _headroom(settings.max_memory):
            try:
                started = time.monotonic()
                watchdog.start()
                result = fn(*args)
            finally:
                watchdog.stop()
            # past the limit, whether the watchdog's exception reached it or not: every one dropped
            # (a gc callback, a C callback that cannot raise) or the watchdog not run in time (load)
            if time.monotonic() - started > settings.timeout:
                raise _Overtime
            return result
    except ScraperError:
        raise
    except _Overtime:
        watchdog.stop()  # again: an `_Overtime` that landed before the first stop() began left it armed
        raise ExtractionError(source, timeout_reason(settings.timeout)) from None
    except MemoryError as exc:
        raise ExtractionError(source, memory_reason(settings.max_memory)) from exc
    except Exception as exc:  # a bug: this input's failure, its traceback at debug level (-vv)
        log.debug("extraction failed", exc_info=exc)
        raise ExtractionError(source, internal_error(exc)) from exc


_warm = threading.Lock()
_warmed = False


def _warm_up() -> None:
    """Load what extraction loads on first use, once per process and outside any page's limit, as
    the pool's forkserver and workers do: the modules of preload.py (with the language model) and
    the block model. Its second or two, under load, is no page's time; a page stopped half-way
    through loading a model would also leave the next page to load it again."""
    global _warmed  # noqa: PLW0603  # once per process, like the imports it stands for
    with _warm:
        if not _warmed:
            preload = importlib.import_module("scraper.extract.preload")
            if preload.UNREADY is not None:  # as the pool's warm-up says it: the run's error, once
                raise ConfigError("", f"cannot start the extraction: {preload.UNREADY}")
            from scraper.extract import model  # noqa: PLC0415  # the extractor: imported when used

            model.available()
            _quiet_dropped_overtime()
            _warmed = True


class InProcess:
    """`run_bounded` behind the pool's `submit`: the future is finished when `submit` returns."""

    def __init__(self, settings: ExtractSettings) -> None:
        self._settings = settings

    def submit(self, source: str, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        """Raises `ConfigError` when extraction cannot work at all (the run's error, not the page's)."""
        _warm_up()
        outcome: Future[T] = Future()
        try:
            outcome.set_result(run_bounded(source, self._settings, fn, *args))
        except ScraperError as exc:
            outcome.set_exception(exc)
        return outcome


class _Overtime(BaseException):
    """Raised by the watchdog in the extracting thread; a BaseException, so no `except Exception`
    in the libraries under extraction swallows it."""


class _Withdrawn(BaseException):
    """Put in place of a pending `_Overtime` by `_Watchdog.stop`, which raises and catches it."""


def _set_async_exc(thread: int, exc: type[BaseException]) -> int:
    """Make `exc` raised in `thread` at its next step of Python code, in place of any pending one."""
    return int(ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exc)))


def _step() -> None:
    """A step of Python code: a pending exception of this thread is raised at its entry at the latest."""


def _withdraw() -> None:
    """Leave no exception pending for this thread: one pending (or none) is replaced by `_Withdrawn`,
    raised here at the next step and caught. Delivered, it also turns the interpreter's
    async-exception signal off, as taking it back with NULL does not on 3.11 (module docstring).
    The watchdog must be disarmed first, so that none comes after."""
    try:
        _set_async_exc(threading.get_ident(), _Withdrawn)
        _step()
    except _Withdrawn:
        pass


_REFIRE = 0.05  # seconds between two raises, should one be dropped


def _quiet_dropped_overtime() -> None:
    """Have Python drop, without a word, the watchdog's exceptions it cannot raise: one that lands in
    a `__del__` or a gc callback (regex's compiled groups, say) goes to `sys.unraisablehook`, which
    prints "Exception ignored in ..." and its traceback under the page's one error line; the
    watchdog raises it again 50 ms later. Anything else goes on to the hook that was there."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        kind = unraisable.exc_type
        if isinstance(kind, type) and issubclass(kind, (_Overtime, _Withdrawn)):
            return
        previous(unraisable)

    sys.unraisablehook = hook


class _Watchdog:
    """Raise `_Overtime` in the thread that started it, once `seconds` pass before `stop()`.

    It raises only while armed (from the end of `start()` to `stop()`) and only holding `_gate`,
    a C lock: once `stop()` has taken `_gate` and disarmed, nothing more comes. It waits on
    `_leave`, a C lock that `stop()` releases."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._target = threading.get_ident()
        self._gate = threading.Lock()
        self._armed = False
        self._fired = False
        self._leave = threading.Lock()
        self._leave.acquire()
        self._left = False
        self._thread = threading.Thread(target=self._watch, name="extract-watchdog", daemon=True)

    def start(self) -> None:
        """Armed only once the thread has started: `Thread.start` waits on threading's own locks,
        which an exception landing in them could leave held."""
        self._thread.start()
        with self._gate:
            self._armed = True

    def stop(self) -> None:
        """No exception from this watchdog after this returns, none pending; it may raise one itself
        while it disarms (the page's `_Overtime`), which the loop takes and disarms again. It may
        be called again (run_bounded does, should an `_Overtime` land before the first call ran)."""
        while True:
            try:
                with self._gate:
                    self._armed = False
                break
            except _Overtime:
                continue
        if self._fired:
            _withdraw()
        if not self._left:
            self._left = True
            self._leave.release()
            if self._thread.ident is not None:
                self._thread.join()

    def _watch(self) -> None:
        wait = self._seconds
        # again and again until the thread leaves: an exception that lands in a `__del__` or a gc
        # callback is printed and dropped by Python ("Exception ignored in ..."), not raised
        while not self._leave.acquire(timeout=wait):
            with self._gate:
                if self._armed:
                    self._fired = _set_async_exc(self._target, _Overtime) == 1 or self._fired
            wait = _REFIRE


class _Headroom:
    """`RLIMIT_AS` lowered to what the process maps plus `max_memory` while calls are in it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: tuple[int, int] | None = None

    def enter(self, max_memory: int) -> None:
        with self._lock:
            self._users += 1
            if self._users > 1:
                return
            mapped = _mapped_bytes()
            if mapped is None:
                return
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = mapped + max_memory
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            if soft != resource.RLIM_INFINITY and soft <= limit:
                return  # already as tight: leave it
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            self._saved = (soft, hard)

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._saved is not None:
                resource.setrlimit(resource.RLIMIT_AS, self._saved)
                self._saved = None


_HEADROOM = _Headroom()


@contextmanager
def _headroom(max_memory: int) -> Iterator[None]:
    _HEADROOM.enter(max_memory)
    try:
        yield
    finally:
        _HEADROOM.leave()


def _mapped_bytes() -> int | None:
    """The address space this process maps now (/proc/self/statm), or None without /proc."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
