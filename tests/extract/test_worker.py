"""scraper.extract.worker: the extraction pool's limits, and what each way of failing comes to.

The functions below run in real worker processes (forkserver), so they live at module level.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper import extract
from scraper.config import ExtractSettings
from scraper.errors import ExtractionError, NoMainContent
from scraper.extract.worker import COLLECT_AFTER, SETTLE_EVERY, ExtractionPool, _alive, _start_time

LIMITS = ExtractSettings(timeout=1.0, max_memory=768 * 1024**2)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _allocate(size: int) -> int:
    return len(bytearray(size))


def _recurse(depth: int = 0) -> int:
    return _recurse(depth + 1)


def _no_story() -> None:
    raise NoMainContent("page.html", "the extractor found no main text block")


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractionPool]:
    with ExtractionPool(2, LIMITS) as running:
        yield running


def test_a_result_comes_back(pool: ExtractionPool) -> None:
    """A function that finishes in time returns its value through the future."""
    assert pool.submit("page", _sleep, 0.0).result() == "slept"


def _parsed_depth(depth: int) -> int:
    """In a worker: how deep the innermost <p> of a page of `depth` nested <div>s sits once parsed."""
    from scraper.dom import parse_html  # noqa: PLC0415  # the parse a worker's extraction runs

    html = "<body>" + "<div>" * depth + "<p>words</p>" + "</div>" * depth + "</body>"
    node, levels = parse_html(html, "deep").css_first("p"), 0
    while node is not None:
        node, levels = node.parent, levels + 1
    return levels


def test_a_page_nested_a_hundred_thousand_deep_is_flattened_in_a_worker_too(pool: ExtractionPool) -> None:
    """100,000 nested <div>s: lexbor's parse of them as written is minutes of one C call, so a
    worker (serve, clean of many pages, crawls) failed over its time limit where `clean` of the
    one page, flattened in its own process, gave the text. A worker's parse is flattened too."""
    from scraper.dom import MAX_NESTING  # noqa: PLC0415  # the bound the depth stays within

    # as written: about a minute of parse; flattened, a second (the flattening's own pass, loaded)
    assert pool.submit("deep", _parsed_depth, 100_000, timeout=20).result() < MAX_NESTING + 10


def _extractor_frozen() -> bool:
    """In a worker: whether the extractor, imported by the forkserver, is out of every collected
    generation (`gc.get_objects` lists those; frozen objects are in none)."""
    from scraper.extract import pipeline  # noqa: PLC0415  # imported by the forkserver's preload

    return gc.get_freeze_count() > 0 and all(obj is not pipeline.extract for obj in gc.get_objects())


def test_what_the_forkserver_loaded_is_frozen_in_the_workers(pool: ExtractionPool) -> None:
    """The extractor, loaded once by the forkserver, is out of the workers' collections (gc.freeze)."""
    assert pool.submit("page", _extractor_frozen).result() is True


class _Cycle:
    """An object that refers to itself: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


_LEFT: list[weakref.ref[_Cycle]] = []


def _leave_a_cycle() -> None:
    """In a worker: leave a cycle behind as garbage, with the collector's own runs off."""
    gc.disable()
    _LEFT.append(weakref.ref(_Cycle()))


def _frozen_and_left() -> tuple[int, int]:
    """In a worker: how many objects are frozen, and how many cycles left behind still live."""
    return gc.get_freeze_count(), sum(ref() is not None for ref in _LEFT)


def test_a_worker_collects_its_young_objects_less_often(pool: ExtractionPool) -> None:
    """A worker's collector waits for COLLECT_AFTER's new objects, not Python's 700 (most of a
    page's objects are freed by reference counting, so most young collections freed nothing)."""
    assert COLLECT_AFTER[0] > gc.get_threshold()[0]
    assert pool.submit("page", gc.get_threshold).result() == COLLECT_AFTER


def test_a_worker_collects_then_freezes_what_outlives_its_pages() -> None:
    """Every SETTLE_EVERY tasks a worker collects its garbage and freezes what lives on (its
    caches), so its full collections stop walking them; a cycle a page left is collected, not
    frozen."""
    with ExtractionPool(1, LIMITS) as alone:
        alone.submit("page", _leave_a_cycle).result()
        start, left = alone.submit("page", _frozen_and_left).result()
        assert left == 1
        answers = [alone.submit("page", _frozen_and_left).result() for _ in range(SETTLE_EVERY)]
    assert max(frozen for frozen, _ in answers) > start
    assert answers[-1][1] == 0


def test_errors_of_the_tree_pass_through_unchanged(pool: ExtractionPool) -> None:
    """A ScraperError the function raises reaches the caller as it was raised."""
    with pytest.raises(NoMainContent, match="no main text block"):
        pool.submit("page.html", _no_story).result()


def test_over_time_the_worker_is_stopped_and_replaced(pool: ExtractionPool) -> None:
    """A task over `timeout` fails with that reason, and the pool goes on with a fresh worker."""
    started = time.monotonic()
    with pytest.raises(
        ExtractionError, match=r"slow\.html: extraction took longer than 1 s \(extract\.timeout\)"
    ):
        pool.submit("slow.html", _sleep, 60).result()
    assert time.monotonic() - started < 10
    assert pool.submit("next", _sleep, 0.0).result() == "slept"


def test_a_killed_worker_fails_its_page_only(pool: ExtractionPool) -> None:
    """A worker killed mid-page (the OOM killer's SIGKILL) fails that page; the others are unharmed."""
    others = [pool.submit(f"page-{i}", _sleep, 0.2) for i in range(3)]
    with pytest.raises(ExtractionError, match=r"worker died \(killed by SIGKILL\)"):
        pool.submit("doomed.html", _die).result()
    assert [f.result() for f in others] == ["slept"] * 3
    assert pool.submit("next", _sleep, 0.0).result() == "slept"


def test_over_memory_is_the_pages_failure(pool: ExtractionPool) -> None:
    """Allocating past `max_memory` fails the page with the limit named, and the worker goes on."""
    with pytest.raises(
        ExtractionError, match=r"needed more than 0\.75 GiB of memory \(extract\.max_memory\)"
    ):
        pool.submit("big.html", _allocate, 1024**3).result()
    assert pool.submit("next", _allocate, 1024).result() == 1024


def test_a_bug_is_an_internal_error_naming_where(pool: ExtractionPool) -> None:
    """An exception outside the error tree becomes `internal error: <type> in <function>`."""
    with pytest.raises(
        ExtractionError, match=r"internal error: RecursionError in tests\.extract\.test_worker\._recurse"
    ):
        pool.submit("deep.html", _recurse).result()


def test_cancelling_stops_the_running_worker(pool: ExtractionPool) -> None:
    """Cancelling a running task (a crawl's deadline) frees its worker within seconds."""
    running = pool.submit("slow.html", _sleep, 60)
    time.sleep(0.5)  # let a worker pick it up
    started = time.monotonic()
    assert running.cancel()
    assert pool.submit("next", _sleep, 0.0).result() == "slept"
    assert pool.submit("next", _sleep, 0.0).result() == "slept"  # both workers are free
    assert time.monotonic() - started < 8


def test_a_zombie_owner_counts_as_gone() -> None:
    """The workers' watchdog sees a pool owner that was killed but not yet reaped (a zombie) as gone:
    `kill(pid, 0)` still succeeds on a zombie, so a parent reading the workers' pipes would hang."""
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = _start_time(owner.pid)
        assert _alive(owner.pid, started)
        os.kill(owner.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _proc_state(owner.pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _proc_state(owner.pid) == "Z"  # killed, and not reaped: a zombie
        assert not _alive(owner.pid, started)
    finally:
        owner.kill()
        owner.wait()


def test_a_reused_pid_counts_as_gone() -> None:
    """A live process under the owner's pid but started at another time is not the owner."""
    assert _alive(os.getpid(), _start_time(os.getpid()))
    assert not _alive(os.getpid(), "0")


def _proc_state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]


def test_workers_are_stopped_before_their_channel_is_unlinked() -> None:
    """pebble's join unlinks the task channel's named semaphores, then stops the workers: a worker
    it had just forked to replace a timed-out one, still unpickling that channel in the forkserver,
    printed a FileNotFoundError traceback (SemLock._rebuild) on `clean`'s stderr, about one run in
    three. Closing stops the workers first, so none is alive, or starting, when the channel goes."""
    pool = ExtractionPool(2, ExtractSettings(timeout=0.2))
    manager: Any = pool._pool._pool_manager.worker_manager  # pebble's internals, unannotated
    alive_at_unlink: list[int] = []
    close_channels = manager.close_channels

    def watched() -> None:
        alive_at_unlink.extend(pid for pid, worker in manager.workers.items() if worker.is_alive())
        close_channels()

    manager.close_channels = watched
    assert isinstance(pool.submit("slow", time.sleep, 5).exception(), ExtractionError)  # replaced
    pool.close()
    assert alive_at_unlink == []


def test_a_closed_pool_cancels_late_work_instead_of_starting_again() -> None:
    """Work submitted after `close` (a fetch that finished while `clean URL... | head` was closing)
    is cancelled: it started a new pool, whose forkserver printed a traceback as the process ended."""
    pool = ExtractionPool(1, LIMITS)
    pool.close()
    late = pool.submit("late", _sleep, 0.0)
    assert late.cancelled()
    assert not pool._pool.active  # no new pool was started


def test_the_pool_starts_when_its_workers_must_import_the_extractor_themselves(tmp_path: Path) -> None:
    """Starting the pool is not held to the page limit: in a process whose forkserver other code
    started first (without the extractor), each worker imports the extractor in its warm-up,
    which takes longer than a short page limit; the pool still starts and extracts."""
    script = tmp_path / "start.py"
    script.write_text(
        "import multiprocessing\n"
        "server_first = multiprocessing.get_context('forkserver').Process(target=len, args=((),))\n"
        "server_first.start(); server_first.join()\n"
        "from scraper.config import ExtractSettings\n"
        "from scraper.extract.worker import ExtractionPool\n"
        "with ExtractionPool(1, ExtractSettings(timeout=0.2)) as pool:\n"
        "    print(pool.submit('page', len, 'abc').result())\n"
    )
    command = [sys.executable, str(script)]
    environ = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}  # this checkout's
    done = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "3"


def test_the_workers_import_nothing_from_the_folder_the_run_started_in(tmp_path: Path) -> None:
    """The forkserver is started as `python -c`, which puts the working directory first on its
    path: a `numpy.py` in the folder `scraper clean` ran in was imported by it (and broke the pool),
    where a `scraper/` folder would have run as the extractor. It starts with the safe path."""
    folder = tmp_path / "run"
    folder.mkdir()
    marker = tmp_path / "imported"
    (folder / "numpy.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise ImportError('not numpy')\n")
    script = tmp_path / "start.py"  # not in the folder: the script's own folder is on its path
    script.write_text(
        "import os\n"
        "from scraper.config import ExtractSettings\n"
        "from scraper.extract.worker import ExtractionPool\n"
        "with ExtractionPool(1, ExtractSettings()) as pool:\n"
        "    print(pool.submit('page', os.getpid).result() != os.getpid())\n"
        "print(os.environ.get('PYTHONSAFEPATH'))\n"
    )
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    environ["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])  # this checkout's scraper
    done = subprocess.run(
        [sys.executable, str(script)], cwd=folder, env=environ, capture_output=True, text=True,
        timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "None"]  # a worker ran it; the caller's environment unchanged
    assert not marker.exists()


def test_a_pool_without_a_size_has_a_worker_per_core_this_process_may_use() -> None:
    """`cores` (clean's --jobs, serve's --workers and a crawl's workers where none is given) counts
    the cores of this process's CPU affinity, as the CLI and the API each counted them."""
    assert extract.cores() == len(os.sched_getaffinity(0)) >= 1
