"""scraper.extract.inprocess: extraction in this process under the pool's time and memory limits,
and the batch's choice of where a page is extracted (here for a handful, the pool beyond)."""

from __future__ import annotations

import itertools
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.config import ExtractSettings, Settings
from scraper.corpus.batch import HANDFUL, Cleaned, CleanOptions, Extraction, clean_file, clean_stream
from scraper.corpus.sources import Input
from scraper.errors import ExtractionError, NoMainContent
from scraper.extract.inprocess import InProcess, run_bounded
from tests.archives import Exchange, warc_bytes, write
from tests.factories import story

SEED = Path(__file__).parents[1] / "fixtures" / "seed-article" / "page.html"
QUICK = ExtractSettings(timeout=0.5, max_memory=768 * 1024**2)


def _spin() -> None:
    while True:
        pass


def _swallow_everything() -> str:
    """Library code that catches every Exception must not swallow the time limit."""
    try:
        _spin()
    except Exception:
        return "swallowed"
    return "unreachable"


def _no_story() -> None:
    raise NoMainContent("page.html", "the extractor found no main text block")


def test_a_result_comes_back() -> None:
    """A function that finishes in time returns its value."""
    assert run_bounded("page", QUICK, sum, [1, 2, 3]) == 6


@pytest.mark.parametrize("fn", [_spin, _swallow_everything])
def test_over_time_is_the_pages_error(fn: Callable[[], object]) -> None:
    """A page over `timeout` fails with the pool's reason, whatever its code catches, and soon."""
    run_bounded("page", QUICK, sum, [])  # the models load first, outside any page's time
    started = time.monotonic()
    reason = r"slow\.html: extraction took longer than 0\.5 s \(extract\.timeout\)"
    with pytest.raises(ExtractionError, match=reason):
        run_bounded("slow.html", QUICK, fn)
    assert time.monotonic() - started < 5


def test_a_call_past_the_limit_fails_though_no_exception_reached_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call that returns after the limit fails as over time, as the pool's worker would, even
    when none of the watchdog's exceptions reached it (each dropped in a gc callback, or the
    watchdog not run in time on a loaded machine: the flaky test_api bound at load 10)."""
    run_bounded("page", QUICK, sum, [])  # the models load first, outside any page's time
    monkeypatch.setattr("scraper.extract.inprocess._set_async_exc", lambda thread, exc: 0)
    reason = r"late\.html: extraction took longer than 0\.01 s \(extract\.timeout\)"
    with pytest.raises(ExtractionError, match=reason):
        run_bounded("late.html", ExtractSettings(timeout=0.01), time.sleep, 0.1)
    assert run_bounded("quick.html", ExtractSettings(timeout=5), sum, [1, 2]) == 3


def test_over_memory_is_the_pages_error_and_the_limit_is_lifted_after() -> None:
    """An allocation past `max_memory` fails the page with MemoryError's reason; the process's
    own limit is as it was afterwards, so the caller can allocate again."""
    before = resource.getrlimit(resource.RLIMIT_AS)
    reason = r"big\.html: extraction needed more than .* \(extract\.max_memory\)"
    with pytest.raises(ExtractionError, match=reason):
        run_bounded("big.html", QUICK, bytearray, 4 * 1024**3)
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_errors_of_the_tree_pass_and_bugs_are_named() -> None:
    """A ScraperError passes as raised; anything else is an internal error naming its type."""
    with pytest.raises(NoMainContent, match="no main text block"):
        run_bounded("page.html", QUICK, _no_story)
    with pytest.raises(ExtractionError, match=r"page\.html: internal error: ZeroDivisionError"):
        run_bounded("page.html", QUICK, divmod, 1, 0)


def test_the_limit_holds_in_a_thread_and_leaves_no_stray_exception() -> None:
    """From a thread too (an event loop's executor); calls ending right at the limit leave no
    exception pending for whatever the thread runs next."""
    outcomes: list[str] = []

    def many() -> None:
        for _ in range(200):
            try:
                run_bounded("p", ExtractSettings(timeout=0.001), time.sleep, 0.001)
                outcomes.append("done")
            except ExtractionError:
                outcomes.append("late")
            time.sleep(0.0002)  # a pending exception would surface here and end the thread
        outcomes.append("end")

    thread = threading.Thread(target=many)
    thread.start()
    thread.join(timeout=30)
    assert outcomes[-1] == "end" and len(outcomes) == 201


def test_in_process_futures_are_finished() -> None:
    """`InProcess.submit` has the pool's shape: a Future, finished, holding the result or the error."""
    here = InProcess(QUICK)
    assert here.submit("p", sum, [2, 2]).result(timeout=0) == 4
    assert isinstance(here.submit("slow", _spin).exception(timeout=0), ExtractionError)


_UNDER_A_TRACER = """
import sys, threading
from scraper.config import ExtractSettings
from scraper.errors import ExtractionError
from scraper.extract import inprocess

inprocess._warmed = True  # loading the models under a tracer takes long, and is not the point

def tracer(frame, event, arg):
    return tracer

def spin():
    while True:
        pass

def page():
    try:
        inprocess.run_bounded("slow.html", ExtractSettings(timeout=0.2), spin)
    except ExtractionError as exc:
        print(exc, flush=True)

for _ in range(3):
    sys.settrace(tracer)  # set again: an exception that lands in the tracer itself removes it
    threading.settrace(tracer)
    page()
worker = threading.Thread(target=page)
worker.start()
worker.join()
print("after", flush=True)
"""


def test_over_time_under_a_tracer_does_not_hang() -> None:
    """Under a tracer (coverage's, a debugger's, a profiler's) a page over its time fails as without
    one, and the process goes on: taking back the watchdog's pending exception once left Python
    3.11 spinning at the entry of the next function called, for ever."""
    done = subprocess.run(
        [sys.executable, "-c", _UNDER_A_TRACER], capture_output=True, text=True, timeout=30, check=True
    )
    over = "slow.html: extraction took longer than 0.2 s (extract.timeout)"
    assert done.stdout.splitlines() == [over] * 4 + ["after"]


_IN_A_FINALISER = """
import time
from scraper.errors import ExtractionError
from scraper.extract import inprocess

inprocess._warmed = False  # the real warm-up: it sets the process up as for any page

def busy(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass

class Pattern:
    def __del__(self):
        busy(0.0002)  # most of the page's time is spent in finalisers, as regex's groups can take

def page():
    while True:
        Pattern()
        busy(0.0001)

for _ in range(8):  # each time limit lands in a finaliser first more often than not
    try:
        inprocess.run_bounded("slow.html", inprocess.ExtractSettings(timeout=0.2), page)
    except ExtractionError as exc:
        print(exc, flush=True)
"""


def test_over_time_in_a_finaliser_prints_nothing_but_the_pages_error() -> None:
    """A time limit that lands in a `__del__` is dropped by Python, which prints "Exception ignored
    in ..." and a traceback; the watchdog raises it again, and nothing of it reaches stderr."""
    done = subprocess.run(
        [sys.executable, "-c", _IN_A_FINALISER], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == ["slow.html: extraction took longer than 0.2 s (extract.timeout)"] * 8
    assert done.stderr == ""


def _clean(extraction: Extraction, count: int) -> list[Cleaned]:
    futures = [
        extraction.submit(str(SEED), clean_file, str(SEED), None, ExtractSettings(), 10 * 1024**2)
        for _ in range(count)
    ]
    return [future.result(timeout=60) for future in futures]


def test_a_handful_of_pages_starts_no_pool() -> None:
    """Up to `handful` pages are extracted in this process: no worker pool is started for them."""
    with Extraction(2, ExtractSettings(), handful=3) as extraction:
        results = _clean(extraction, 3)
        assert not extraction.pool_started
    assert all(r.document is not None and "Rotherham" in r.document.text for r in results)


@pytest.mark.slow
def test_more_pages_start_the_pool_and_all_come_back() -> None:
    """Past the handful the pool starts; every page comes back with the same text, wherever it ran."""
    with Extraction(2, ExtractSettings(), handful=1) as extraction:
        results = _clean(extraction, 6)
        assert extraction.pool_started
    assert len({r.document.text for r in results if r.document is not None}) == 1
    assert all(r.error is None for r in results)


def _here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources extracted in this process from now on."""
    seen: list[str] = []
    real = InProcess.submit

    def spy(self: InProcess, source: str, fn: Callable[..., object], /, *args: object) -> object:
        seen.append(source)
        return real(self, source, fn, *args)

    monkeypatch.setattr(InProcess, "submit", spy)
    return seen


@pytest.mark.slow
def test_a_web_archive_is_extracted_in_the_pool_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A web archive's records are many pages: the first ones go to the pool too, so the extractor
    is loaded once, in the pool's forkserver, and not also in this process."""
    pages = [Exchange(f"https://example.com/{n}", story(n)) for n in range(2)]
    archive = write(tmp_path / "a.warc.gz", warc_bytes(pages))
    here = _here(monkeypatch)
    cleaned = list(clean_stream([Input(str(archive), "archive")], Settings(), CleanOptions(jobs=1)))
    assert here == []
    documents = [e.document for e in cleaned if isinstance(e, Cleaned) and e.document is not None]
    assert [d.title for d in documents] == ["Story 0", "Story 1"]


@pytest.mark.slow
def test_more_inputs_than_a_handful_go_to_the_pool_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More files than a handful: none is extracted here; a handful of files: all of them are."""
    files = [tmp_path / f"{n}.html" for n in range(HANDFUL + 1)]
    for n, path in enumerate(files):
        path.write_bytes(story(n))
    here = _here(monkeypatch)
    many = list(clean_stream([Input(str(p), "file") for p in files], Settings(), CleanOptions(jobs=1)))
    assert here == []
    assert [e.document.title for e in many if isinstance(e, Cleaned) and e.document] == [
        f"Story {n}" for n in range(HANDFUL + 1)
    ]
    few = files[:HANDFUL]
    list(clean_stream([Input(str(p), "file") for p in few], Settings(), CleanOptions(jobs=1)))
    assert here == [str(p) for p in few]


@pytest.mark.parametrize("tag", ["div", "b"])
def test_a_page_nested_tens_of_thousands_deep_is_cleaned_in_linear_work(
    tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40,000 nested <div>s (440 KB) made lexbor's parse one C call of 9 s that no watchdog stops
    (200,000: ten minutes, SIGTERM unheard), and 40,000 nested <b>s made bounds.simplify unwrap
    them outermost first, in quadratic time: `scraper clean` of one such page failed over time
    or hung. In this process the deepest nesting is flattened before the parse, and unwrapped
    innermost first: the page's text comes back. The work is counted, not timed (the machines
    are shared): the parse is given no block nested deeper than `dom.MAX_NESTING` (lexbor's cost
    is that depth squared), and no element unwrapped holds more than its own text and one
    element (lexbor's unwrap walks what it holds)."""
    from scraper import dom  # noqa: PLC0415  # the parse to watch
    from scraper.api import clean_html  # noqa: PLC0415  # the user's way in, through run_bounded
    from scraper.extract import bounds  # noqa: PLC0415  # the unwraps to watch

    parsed: list[str] = []
    held: list[int] = []

    def parser(html: str) -> Any:
        parsed.append(html)
        return real_parser(html)

    class Unwrapping:
        def __init__(self, node: Any) -> None:
            self._node = node

        def __getattr__(self, name: str) -> Any:
            return getattr(self._node, name)

        def unwrap(self) -> None:
            held.append(sum(1 for _ in itertools.islice(self._node.traverse(include_text=True), 8)))
            self._node.unwrap()

    class Shape(bounds._Shape):
        def __init__(self, tree: Any) -> None:
            super().__init__(tree)
            self.too_deep = [cast(Any, Unwrapping(node)) for node in self.too_deep]

    real_parser = LexborHTMLParser
    monkeypatch.setattr("scraper.dom.LexborHTMLParser", parser)
    monkeypatch.setattr(bounds, "_Shape", Shape)
    story_text = "The committee met on Tuesday evening to discuss the dredging plans and the ferry timetable."
    html = f"<html><body>{f'<{tag}>' * 40_000}<p>{story_text}</p>{f'</{tag}>' * 40_000}</body></html>"
    document = clean_html(html)
    assert story_text in document.text
    assert parsed
    assert max(page.count("<div>") for page in parsed) <= dom.MAX_NESTING  # 40,000 before
    assert len(held) > 30_000 if tag == "b" else len(held) > 3_000  # every one too deep, unwrapped
    assert max(held) <= 3  # outermost first: the first one held the whole chain (8 or more)
