"""bench/gate.py: a page whose worker raises is named in the gate's report, whatever it raised.

The checks run in real worker processes, so the functions they call live at module level. They
are spawned, not forked by the forkserver as the gate's are: the forkserver is one per process,
and its preload is set by whoever starts it first. Started here without the extractor's modules,
every extraction pool of the tests after these in the same process got workers that import the
extractor in their warm-up task, under the page time limit (under `make coverage`, 20 s was too
little for it).
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

import gate
from fidelity import NO_FAULTS


class NotUnpicklable(Exception):  # named for what it does to the pool
    """An exception whose constructor wants two arguments: pickled, it comes back with one."""

    def __init__(self, page: str, code: int) -> None:
        super().__init__(f"{page} failed with code {code}")


def check_or_raise(task: tuple[str, str]) -> gate.Checked:
    name, _path = task
    if name == "broken":
        raise NotUnpicklable(name, 7)
    return name, f"the text of {name}", NO_FAULTS


def test_a_page_whose_worker_raises_an_unpicklable_exception_is_reported() -> None:
    """The other pages' results come back, and the page that raised is one line naming it."""
    tasks = [("first", "a.html"), ("broken", "b.html"), ("last", "c.html")]
    with ProcessPoolExecutor(2, multiprocessing.get_context("spawn")) as pool:
        results, errors = gate.check_pages(pool, tasks, check_or_raise)
    assert [(name, text) for name, text, _ in results] == [
        ("first", "the text of first"),
        ("broken", ""),
        ("last", "the text of last"),
    ]
    assert errors == ["broken: NotUnpicklable: broken failed with code 7"]


def test_without_the_guard_the_same_exception_breaks_the_pool() -> None:
    """What check_pages guards against: mapped bare, the exception does not come back as itself."""
    with (
        ProcessPoolExecutor(1, multiprocessing.get_context("spawn")) as pool,
        pytest.raises((BrokenProcessPool, TypeError)),
    ):
        list(pool.map(check_or_raise, [("broken", "b.html")]))
