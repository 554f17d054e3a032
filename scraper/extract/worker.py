"""Extraction in worker processes, bounded in time and memory: one page's trouble is that page's failure.

    pool = ExtractionPool(workers, settings)      a pebble ProcessPool on forkserver, started warm
    future = pool.submit(source, fn, *args)       a concurrent.futures.Future of fn(*args)

The future holds the function's result, or a `ScraperError`, never anything else:

    fn raised a ScraperError (NoMainContent, DiscoveryError, ...)   that error, as raised
    fn ran longer than `[extract] timeout`                           ExtractionError: took longer than ...
    fn hit the address-space limit `[extract] max_memory`             ExtractionError: needed more than ...
    the worker died (OOM killer, SIGKILL, a crash in C)              ExtractionError: worker died (...)
    fn raised anything else (a bug)                                  ExtractionError: internal error: ...

A worker that timed out or died is replaced; cancelling the future (a crawl's deadline)
stops its worker at once. The traceback of a bug is logged at debug level.

Why pebble rather than the stdlib's ProcessPoolExecutor: pebble gives each task a timeout that
terminates its worker, cancels running tasks the same way, and replaces a worker that died,
failing only that worker's task. The stdlib pool has no per-task timeout, cannot stop a running
task, and breaks as a whole (BrokenProcessPool, every pending task lost) when one worker dies.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import logging
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, InvalidStateError
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, resource_tracker, spawn, util
from types import TracebackType
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool
from pebble.common.process import stop_process

from scraper.config import ExtractSettings
from scraper.errors import ConfigError, ExtractionError, ScraperError, internal_error
from scraper.extract.inprocess import memory_reason, timeout_reason

__all__ = ["ExtractionPool", "cores", "quiet_libraries"]

T = TypeVar("T")

log = logging.getLogger("scraper.extract")

# Loggers of the libraries extraction runs, and of the web archive reader (warcio: "Replacing
# spaces in invalid WARC-Target-URI", quoting the archive): their warnings ("discarding data",
# "empty HTML tree") are about pages we already report on, so they show only at debug level (-vv).
_LIBRARY_LOGGERS = (
    "trafilatura",
    "htmldate",
    "courlan",
    "justext",
    "charset_normalizer",
    "warcio",
    "py.warnings",
)


def cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count): how many
    workers extract where no number is asked for (`clean --jobs`, `serve --workers`, a crawl's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def quiet_libraries(level: int = logging.CRITICAL) -> None:
    """Route third-party `warnings` through logging and show library log lines only from `level` up.

    The levels are set on the libraries' loggers, and the handlers configured now (the CLI's)
    also drop a library's lines below `level`: a library imported later may set its own level
    again (trafilatura's metadata module sets htmldate's to WARNING on import, and extraction is
    imported lazily, after the CLI has set the levels)."""
    logging.captureWarnings(True)
    for name in _LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, _LibraryFloor)]:
            handler.removeFilter(old)
        handler.addFilter(_LibraryFloor(level))


class _LibraryFloor(logging.Filter):
    """Drops the log records of `_LIBRARY_LOGGERS` (and their children) below a level."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        library = record.name.partition(".")[0] in _LIBRARY_LOGGERS or record.name == "py.warnings"
        return not library or record.levelno >= self.level


# Starting the pool (the forkserver's imports, a first worker) is not a page: on a loaded machine,
# or in a process whose forkserver was started by other code without the extractor (the workers
# then import it in their warm-up), it can take longer than a page may. It has a limit of its own.
START_BUDGET = 300.0


class ExtractionPool:
    """Worker processes that run pure extraction functions under `settings.timeout` and `max_memory`."""

    def __init__(self, workers: int, settings: ExtractSettings, *, preload: Sequence[str] = ()) -> None:
        """`preload`: the caller's modules whose functions run in the workers, imported once in
        the forkserver (besides the extractor's own, `extract/preload.py`)."""
        self._workers = max(1, workers)
        dates = ["scraper.extract.preload_dates"] if settings.searches_date else []
        self._preload = ["scraper.extract.preload", *dates, *preload]
        self._timeout = settings.timeout
        self._max_memory = settings.max_memory
        self._lock = threading.Lock()
        self._closed = False
        # Ctrl-C reaches the whole process group. The forkserver, and through it every worker,
        # starts with SIGINT blocked (the mask is inherited and survives exec), so none dies of
        # it while still importing; this process gets a Ctrl-C as soon as the pool is up. This
        # is how multiprocessing starts its resource tracker (bpo-33613), which is started first
        # here because it unblocks the signal when it is done.
        resource_tracker.ensure_running()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._pool = self._start()
            # Start the forkserver and a worker (about a second of imports) now, while nothing is
            # in flight, rather than on the first page, where it would stall a crawl's event loop.
            # Workers that cannot start end the run with one line, not a traceback per worker.
            try:
                self.submit("warm-up", _ready, timeout=max(self._timeout, START_BUDGET)).result()
            except (ScraperError, BrokenProcessPool, OSError, EOFError) as exc:
                self.close()
                reason = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"
                raise ConfigError("", f"cannot start the extraction workers: {reason}") from exc
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def submit(
        self, source: str, fn: Callable[..., T], /, *args: Any, timeout: float | None = None
    ) -> Future[T]:
        """Run `fn(*args)` in a worker within `timeout` seconds (the page limit, `settings.timeout`,
        by default); the future's exception, if any, is a `ScraperError` about `source`."""
        limit = self._timeout if timeout is None else timeout
        outcome: Future[T] = Future()
        with self._lock:
            if self._closed:  # a late caller (a fetch that finished while the batch was closing)
                outcome.cancel()  # must not start a new pool: nobody reads this page
                return outcome
            if not self._pool.active:  # the pool broke (a worker died mid-message): start afresh
                log.warning("extraction pool broke; starting a new one")
                self._pool.stop()  # type: ignore[no-untyped-call]  # pebble leaves these unannotated
                self._pool = self._start()
            task = self._pool.schedule(_guarded, args=(source, fn, *args), timeout=limit)
        # a cancelled outcome (the crawl's deadline) stops the worker running the task
        outcome.add_done_callback(
            lambda done: task.cancel() if done.cancelled() else None  # type: ignore[no-untyped-call]
        )
        task.add_done_callback(lambda done: self._settle(source, done, outcome, limit))
        return outcome

    def close(self) -> None:
        """Stop every worker now; anything still running is abandoned, anything submitted later
        is cancelled."""
        with self._lock:
            self._closed = True
        self._pool.stop()  # type: ignore[no-untyped-call]
        _stop_workers(self._pool)
        self._pool.join()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _start(self) -> ProcessPool:
        # forkserver, not fork: the parent runs an event loop and threads (pebble's own among
        # them), which a plain fork would copy half-way; the server preloads the extractor
        context = _WorkerContext()
        context.set_forkserver_preload(self._preload)
        _start_forkserver()
        return ProcessPool(
            max_workers=self._workers,
            initializer=_init_worker,
            initargs=(os.getpid(), self._max_memory),
            context=context,
        )

    def _settle(self, source: str, task: Future[T], outcome: Future[T], limit: float) -> None:
        try:
            try:
                outcome.set_result(task.result())
            except CancelledError:
                outcome.cancel()
            except ScraperError as exc:
                if isinstance(exc, _Crash):  # its cause carries the worker's traceback
                    log.debug("%s", exc, exc_info=exc)
                outcome.set_exception(exc)
            except Exception as exc:  # every other outcome is mapped onto the error tree here
                outcome.set_exception(ExtractionError(source, _reason(exc, limit)))
        except InvalidStateError:
            pass  # the outcome was cancelled meanwhile: nobody waits for it


def _start_forkserver() -> None:
    """Start multiprocessing's forkserver, if it is not running, with Python's safe path
    (`-P`, here PYTHONSAFEPATH for the one process started). It is started as `python -c`, which
    puts the working directory first on its `sys.path`, and Python 3.11 does not give it the
    caller's path: it imported what it preloads (the extractor, numpy, lxml) from the folder the
    run was started in, where a `numpy.py` broke the pool and a `scraper/` folder would have been
    run by every worker. A forkserver already running (other code started it) is left as it is."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = before


class _WorkerPopen(popen_forkserver.Popen):
    """The forkserver's Popen, less the caller's `__main__`: a worker is told nothing of it.

    multiprocessing has every new process run the parent's main script again (as `__mp_main__`),
    so that functions defined there can be unpickled. Our workers only run scraper's functions,
    and running the script again is harmful: a user's script without an `if __name__ ==
    "__main__":` guard (the docs' `run_crawl` example saved as a file) starts its crawl
    again in every worker, which cannot start processes while it is being made, so the pool
    broke. This is the stdlib's `_launch` (the same in Python 3.11 to 3.13), with the two
    keys that name the main module left out of the preparation data.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        for key in ("init_main_from_name", "init_main_from_path"):
            prep_data.pop(key, None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        # a duplicate of the data pipe's write end: the child's sentinel of this process
        parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))  # type: ignore[attr-defined]
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _WorkerProcess(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _WorkerPopen:  # the name multiprocessing calls
        return _WorkerPopen(process_obj)


class _WorkerContext(mp_context.ForkServerContext):
    """The forkserver start method, with `_WorkerPopen`: what pebble starts each worker with."""

    Process = _WorkerProcess


def _stop_workers(pool: ProcessPool) -> None:
    """Stop a stopped pool's workers before its `join` unlinks their channel's semaphores.

    pebble's join ends the thread that replaces workers, then closes the task channel (which
    unlinks its named semaphores) and only then stops the workers. A worker forked a moment
    before to replace a timed-out one may still be unpickling that channel in the forkserver:
    it found the semaphores gone and printed a FileNotFoundError traceback (SemLock._rebuild).
    So the replacing thread is let end here and the workers are stopped while the channel is
    whole; `join` then finds them gone. pebble offers no public hook for either step: these are
    its private attributes (pebble 5.x, pinned in constraints.txt), each looked up defensively.
    """
    replacing = getattr(pool, "_pool_manager_loop", None)
    if replacing is not None:
        replacing.join()
    manager = getattr(getattr(pool, "_pool_manager", None), "worker_manager", None)
    for worker in tuple(getattr(manager, "workers", {}).values()):
        stop_process(worker)


def _reason(exc: Exception, limit: float) -> str:
    """Why a task failed, for an exception raised outside the error tree (`limit`: its time limit)."""
    if isinstance(exc, TimeoutError):
        return timeout_reason(limit)
    if isinstance(exc, ProcessExpired):
        return f"extraction worker died ({_death(exc.exitcode)})"
    if isinstance(exc, BrokenProcessPool):
        return "extraction pool broke while the page was in it"
    log.debug("extraction failed", exc_info=exc)
    return internal_error(exc)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-exitcode).name}"
    return f"exit code {exitcode}"


def _ready() -> int:
    """The warm-up task, in a worker: its pid, or why it cannot work (its server's preload failed)."""
    from scraper.extract import preload  # noqa: PLC0415  # loaded in the server already; heavy elsewhere

    if preload.UNREADY is not None:
        raise ExtractionError("warm-up", preload.UNREADY)
    return os.getpid()


class _Crash(ExtractionError):
    """A bug met in a worker: the reason names it (`internal_error`), the pool logs its traceback."""


# Every this many tasks, a worker collects its garbage and freezes what outlives it (`settle`).
SETTLE_EVERY = 25
# A worker's collector thresholds (gc.set_threshold), set before its first task: the youngest
# generation is collected after 10,000 new objects rather than Python's 700. A page allocates
# hundreds of thousands of objects (nodes, strings, tuples of its blocks' features), nearly all
# freed by reference counting as the page ends, so most young collections found nothing to free
# and walked every live object of the page under way: over 150 pages of bench-corpus's sample
# (`--metadata stated`), 967 collections and 1.3 CPU ms a page in them, against 16 and 0.55 ms
# (settle's included), and 1.3-1.9 ms a page less in all (two runs each, alternated). What a page
# leaves in cycles waits for 10,000 allocations more at most, and `settle` collects everything.
COLLECT_AFTER = (10_000, 10, 10)
_tasks = itertools.count(1)


def settle() -> None:
    """Before a worker's first task, its collector's thresholds (`COLLECT_AFTER`); every
    `SETTLE_EVERY`th task, before it runs (in this pool's workers, and per page on Ray's,
    ray_engine._pages): collect every generation, then freeze what
    is left (gc.freeze), as `_init_worker` froze what the forkserver loaded.

    What outlives a page in a worker is the extractor's caches: the class words, tokens and
    discard rules of every class string met (dom.py, discards.py: tens of thousands of small
    tuples and frozensets, which the collector tracks), filling as the worker meets new sites.
    Each full collection walked all of them again. On bench-corpus's 600 pages (`--metadata
    stated`), a worker spent 2.0 CPU s of its 35 in full collections, 0.5 s with this, and
    about 1 s less in all (three runs each, alternated). The collection first finds the garbage
    the last pages left (cycles included), so nothing frozen is garbage; a frozen object is
    still freed when its last reference goes (an entry a cache drops). This runs before a task,
    not after one: the last task's result and any exception of it are gone by then."""
    count = next(_tasks)
    if count == 1:
        gc.set_threshold(*COLLECT_AFTER)
    if count % SETTLE_EVERY == 0:
        gc.collect()
        gc.freeze()


def _guarded(source: str, fn: Callable[..., T], *args: Any) -> T:
    """In the worker: `fn(*args)`, anything raised outside the error tree turned into an ExtractionError."""
    settle()
    try:
        return fn(*args)
    except ScraperError:
        raise
    except MemoryError as exc:
        raise ExtractionError(source, memory_reason(resource.getrlimit(resource.RLIMIT_AS)[0])) from exc
    except Exception as exc:
        raise _Crash(source, internal_error(exc)) from exc


def _init_worker(owner: int, max_memory: int) -> None:
    """Pool initializer: freeze what the forkserver loaded, cap the worker's address space, quiet
    the libraries, and watch the owner.

    Frozen (`gc.freeze`, as the gc docs advise after a fork): the extractor, its models and
    dateparser's locales live as long as the worker, so no collection walks them (half of a
    worker's time in the garbage collector, about 2% of its CPU) nor writes to the pages it
    shares with the server and the other workers.

    SIGINT is ignored: Ctrl-C reaches the whole process group, but stopping is the owner's call
    (a crawl lets the pages in flight finish, then writes its report). SIGTERM is left alone:
    the pool stops a timed-out worker with it.
    """
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    quiet_libraries()
    threading.Thread(target=_exit_with, args=(owner,), name="exit-with-owner", daemon=True).start()


def _exit_with(owner: int) -> None:
    """End this worker once the process that made the pool is gone (or a zombie nobody reaps).

    A worker never sees its owner die through its pipes (the forkserver holds them too): a crawl
    killed with SIGKILL (cron's `timeout -s KILL`, the OOM killer) would otherwise leave its
    workers, the forkserver and the resource tracker behind for good. A killed owner whose own
    parent has not reaped it yet is a zombie: `kill(pid, 0)` still succeeds on it, so /proc is
    read where there is one.
    """
    started = _start_time(owner)
    while True:
        time.sleep(1.0)
        if not _alive(owner, started):
            os._exit(0)


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the pid now belongs to another user
        return False
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc: kill(pid, 0) is all we can tell
    state, start = stat
    return state not in ("Z", "X") and start == started


def _start_time(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return stat[1] if stat is not None else None


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) from /proc/PID/stat; None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            raw = fh.read()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces: split after its ")"
    fields = raw[raw.rfind(")") + 2 :].split()
    return (fields[0], fields[19]) if len(fields) > 19 else None
