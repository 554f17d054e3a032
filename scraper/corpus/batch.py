"""`scraper clean`'s engine: inputs (URLs, files, folders, web archives, stdin) in, a stream of
outcomes out, in input order, as they are ready; nothing stored.

    inputs -> jobs (one per page: a file, a fetched URL, a WARC/ARC response record)
           -> extraction in a process pool (URLs are fetched first, on an event loop thread,
              under robots.txt and per-host pacing)
           -> a bounded window, read in order: `Cleaned` per page, `InputDone` per input

The window holds at most a few pages per worker, so memory stays flat however many inputs or
records there are, and results stream: the first page is printed while the others are still
being fetched or extracted. One `Cleaned` per page carries a document, the error that stopped it
(`failed`), or why a record is no page (`skipped`: a WARC request, an image). "No article" is a
document with a `skip_reason` (junk pages, and pages without main content), never an error.
`resume` tells, per input, how many of its pages an earlier run already did: those are not
extracted again (corpus/shards.py keeps that count).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from scraper.config import ExtractSettings, Settings
from scraper.corpus.sources import Input, blank, expand, load_file, mapped_url, page_from_bytes
from scraper.corpus.warc import ARCHIVE_START, ArchivedResponse, ArchivePosition, ArchiveSkip, read_archive
from scraper.errors import NoMainContent, ScraperError, SourceError, internal_error
from scraper.extract import ExtractionPool, InProcess
from scraper.models import Document, FetchedPage

if TYPE_CHECKING:
    from scraper.extract import Explanation
    from scraper.fetch import Fetcher

log = logging.getLogger("scraper.extract")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The outcome for one page: a document, the error naming why there is none, or why a web
    archive record is no page at all (`skipped`). `input` is the argument it came from."""

    source: str
    document: Document | None = None
    error: ScraperError | None = None
    explanation: Explanation | None = None
    skipped: str | None = None
    input: str = ""
    unusable: bool = False  # the input itself could not be used (a missing path, a bad URL): no page

    @property
    def origin(self) -> str:
        return self.input or self.source


@dataclass(frozen=True, slots=True)
class InputDone:
    """Every page of `input` has been yielded; `pages` counts them (with those of a resumed run)."""

    input: str
    pages: int


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """A web archive's HTML response, to be cleaned with the settings of its site."""

    record: ArchivedResponse
    settings: ExtractSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanOptions:
    """How to run a batch: workers, URLs for local input, --explain, stdin, what is done already.

    `url` is one address for all local input; `url_map` gives one per file (keys from
    `sources.path_key`; for a bad row, its error); `resume(input)` answers None for an input
    already done, else how many of its pages are.
    """

    jobs: int = 1
    url: str | None = None
    url_map: Mapping[str, str | SourceError] = field(default_factory=dict)
    explained: bool = False
    stdin: BinaryIO | None = None
    resume: Callable[[str], int | None] = lambda _: 0
    # False (`clean --no-robots`): URLs are fetched without reading robots.txt; the pacing and
    # the address guard still apply. For pages the user may fetch; `crawl` has no such switch
    robots: bool = True


def clean_sources(
    args: Iterable[str],
    settings: Settings,
    *,
    jobs: int,
    url: str | None = None,
    stdin: BinaryIO | None = None,
    explained: bool = False,
) -> Iterator[Cleaned]:
    """Clean every source in `args`, yielding one `Cleaned` per page in input order."""
    options = CleanOptions(jobs=jobs, url=url, stdin=stdin, explained=explained)
    for event in clean_stream(expand(args), settings, options):
        if isinstance(event, Cleaned):
            yield event


def clean_stream(
    inputs: Iterable[Input | SourceError], settings: Settings, options: CleanOptions
) -> Iterator[Cleaned | InputDone]:
    """The pages of `inputs`, cleaned, in order, as they are ready; `InputDone` after each input.

    Every page is extracted in the worker pool, under `[extract] timeout` and `max_memory`:
    whatever goes wrong with one page (a limit, a worker dying, a bug) is that page's error.
    """
    with ExitStack() as stack:
        jobs = _Jobs(settings, options, stack, many=isinstance(inputs, Sized) and len(inputs) > HANDFUL)
        yield from _in_order(jobs.all(inputs), window=max(16, 4 * options.jobs))


# -- where pages are extracted: here for a handful, in the pool beyond --------------------------

HANDFUL = 4  # pages extracted in this process before the pool is started for the rest


class Extraction:
    """The batch's extraction: the first `handful` pages in this process (`run_bounded`, under the
    pool's time and memory limits), so one page or a few cost no pool start (a forkserver and a
    second of imports); past them the pool starts in a background thread and, once warm, takes
    every page that follows, the pages meanwhile still extracted here.

    `handful=0` is for a batch known to hold more pages than a handful (a web archive, more inputs
    than that): the pool starts at once, in the background, and every page waits for it, so the
    extractor is loaded once, in the pool's forkserver, and not here as well (2-3 CPU seconds of
    imports and models, a tenth of what a 200-page archive costs).
    """

    def __init__(self, workers: int, settings: ExtractSettings, *, handful: int = HANDFUL) -> None:
        self._workers = workers
        self._settings = settings
        self._handful = handful
        self._here = InProcess(settings)
        self._lock = threading.Lock()
        self._pages = 0
        self._pool: ExtractionPool | None = None
        self._starting: threading.Thread | None = None
        if handful == 0:
            self._begin()

    @property
    def pool_started(self) -> bool:
        return self._starting is not None

    def submit(self, source: str, fn: Callable[..., Cleaned], /, *args: object) -> Future[Cleaned]:
        with self._lock:
            self._pages += 1
            if self._starting is None and self._pages > self._handful:
                self._begin()
            starting = self._starting
        if self._handful == 0 and starting is not None:
            starting.join()  # nothing is extracted here: the pool takes every page, once warm
        with self._lock:
            if self._pool is not None:
                return self._pool.submit(source, fn, *args)
        return self._here.submit(source, fn, *args)

    def _begin(self) -> None:
        self._starting = threading.Thread(target=self._start_pool, name="extract-pool-start")
        self._starting.start()

    def _start_pool(self) -> None:
        try:
            pool = ExtractionPool(self._workers, self._settings, preload=(__name__,))
        except Exception as exc:  # the pages are still extracted, here: slower, not lost
            log.warning("extraction pool did not start (%s); extracting in this process", exc)
            return
        with self._lock:
            self._pool = pool

    def close(self) -> None:
        if self._starting is not None:
            self._starting.join()
        if self._pool is not None:
            self._pool.close()

    def __enter__(self) -> Extraction:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- jobs: one future per page ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pending:
    """A page in the pool (or being fetched): its result, or the error that stopped it, is its outcome."""

    source: str
    input: str
    future: Future[Cleaned]

    def outcome(self) -> Cleaned:
        try:
            return self.future.result()
        except ScraperError as exc:
            return Cleaned(self.source, error=exc, input=self.input)


Job = _Pending | Cleaned | InputDone


class _Jobs:
    def __init__(self, settings: Settings, options: CleanOptions, stack: ExitStack, *, many: bool) -> None:
        """`many`: more pages than a handful are known to come (`Extraction`'s `handful=0`); a
        web archive met before the first page says so too."""
        self.settings = settings
        self.options = options
        self._stack = stack
        self._many = many
        self._extraction: Extraction | None = None
        self._fetching: _Fetching | None = None

    def submit(self, source: str, origin: str, fn: Callable[..., Cleaned], *args: object) -> _Pending:
        return _Pending(source, origin, self._extract().submit(source, fn, *args))

    def _extract(self) -> Extraction:
        """The batch's extraction, made at the first page: a run of bad arguments costs nothing."""
        if self._extraction is None:
            handful = 0 if self._many else HANDFUL
            extraction = Extraction(self.options.jobs, self.settings.extract, handful=handful)
            self._extraction = self._stack.enter_context(extraction)
        return self._extraction

    def all(self, inputs: Iterable[Input | SourceError]) -> Iterator[Job]:
        for item in inputs:
            name = item.source
            done = self.options.resume(name)
            if done is None:
                continue
            if isinstance(item, SourceError):
                yield Cleaned(name, error=item, input=name, unusable=True)
                yield InputDone(name, 1)
            elif item.kind == "archive":
                yield from self._archive(name, done)
            else:
                if done == 0:
                    yield self._one(item)
                yield InputDone(name, 1)

    def _one(self, item: Input) -> _Pending | Cleaned:
        options = self.options
        if item.kind == "url":
            return self._url(item.source)
        if item.kind == "stdin":
            return self._stdin()
        try:
            url = mapped_url(options.url_map, item.source, options.url)
        except SourceError as exc:
            return Cleaned(item.source, error=exc, input=item.source)
        return self.submit(
            item.source,
            item.source,
            clean_file,
            item.source,
            url,
            self.settings.extract_for(url),
            self.settings.fetch.max_bytes,
            options.explained,
        )

    def _stdin(self) -> _Pending | Cleaned:
        stdin, settings, url = self.options.stdin, self.settings, self.options.url
        if stdin is None:
            return Cleaned("-", error=SourceError("-", "no standard input"))
        try:
            body = stdin.read(settings.fetch.max_bytes + 1)
            if len(body) > settings.fetch.max_bytes:
                raise SourceError("-", f"larger than {settings.fetch.max_bytes} bytes")
            page = page_from_bytes(body, source="-", url=url)
        except ScraperError as exc:
            return Cleaned("-", error=exc)
        return self.submit(
            "-", "-", _clean_page, page, settings.extract_for(url), self.options.explained, "-"
        )

    def _archive(self, path: str, done: int) -> Iterator[Job]:
        """The records of one web archive, each its own job (`archive_work`)."""
        self._many = True  # records are many: the pool starts at the first, if it is the batch's first page
        for work in archive_work(path, self.settings, done=done):
            if isinstance(work, ArchivePage):
                record = work.record
                explained = self.options.explained
                yield self.submit(record.source, path, clean_response, record, path, work.settings, explained)
            else:
                yield work

    def _url(self, url: str) -> _Pending:
        if self._fetching is None:
            self._fetching = self._stack.enter_context(_Fetching(self.settings, robots=self.options.robots))
        if self._many:  # the pool starts while the first pages are fetched, not on the fetch thread
            self._extract()
        outer: Future[Cleaned] = Future()

        def fetched(future: Future[FetchedPage]) -> None:
            if future.cancelled():  # the batch is closing: nobody reads this page
                outer.cancel()
                return
            error = future.exception()
            if error is not None:  # a ScraperError is the page's outcome; anything else, a bug, surfaces
                outer.set_exception(error)
                return
            page = future.result()
            if blank(page.body):  # as an empty file is: nothing was cleaned, never a quiet success
                outer.set_result(Cleaned(url, error=SourceError(url, "empty response"), input=url))
                return
            settings = self.settings.extract_for(page.final_url or page.url)
            inner = self.submit(url, url, _clean_page, page, settings, self.options.explained, url).future
            inner.add_done_callback(lambda done: _settle(outer, done))

        self._fetching.submit(url).add_done_callback(fetched)
        return _Pending(url, url, outer)


def _settle(outer: Future[Cleaned], inner: Future[Cleaned]) -> None:
    if inner.cancelled():
        outer.cancel()
        return
    error = inner.exception()
    if error is not None:
        outer.set_exception(error)
    else:
        outer.set_result(inner.result())


# -- web archives: the one reading loop of both engines -------------------------------------------


def archive_work(
    name: str,
    settings: Settings,
    *,
    path: str | None = None,
    done: int = 0,
    first: int = 0,
    end: int | None = None,
    start: ArchivePosition = ARCHIVE_START,
) -> Iterator[ArchivePage | Cleaned | InputDone]:
    """What each record of web archive `name` gives, in order, for the local engine and the Ray
    engine alike: a page to clean, or the record's outcome (a skip, damage, a failure).

    Records are numbered from 1; reading starts at `start`, where record `first` + 1 comes first
    (a Ray task's slice: the driver found its position), reads `path` (default `name`), passes
    over the records numbered up to `done` (a resumed run has them) and stops after record `end`
    (None: at the archive's end). It ends with `InputDone` and the number of the last record
    read, but only when the reading got there: a bug that breaks it off is one failure and no
    `InputDone`, so a resumed `-o` run comes back to the records after that point.
    """
    count = first
    try:
        for record in read_archive(path or name, max_bytes=settings.fetch.max_bytes, start=start):
            count += 1
            if count > done:
                yield _archive_work(record, name, settings)
            if count == end:
                break
    except SourceError as exc:  # the archive cannot be opened: its one failure
        count += 1
        yield Cleaned(name, error=exc, input=name)
    except Exception as exc:  # a bug met on this archive is its failure (scraper.errors.internal_error)
        yield Cleaned(f"{name}#{count + 1}", error=SourceError(name, internal_error(exc)), input=name)
        return
    yield InputDone(name, count)


def _archive_work(
    record: ArchivedResponse | ArchiveSkip, name: str, settings: Settings
) -> ArchivePage | Cleaned:
    if isinstance(record, ArchiveSkip):
        return archive_skip(record, name)
    try:
        extract_settings = settings.extract_for(record.url)
    except Exception as exc:  # a bug met on one record is that record's failure, not the archive's
        return Cleaned(record.source, error=SourceError(record.source, internal_error(exc)), input=name)
    return ArchivePage(record, extract_settings)


def archive_skip(record: ArchiveSkip, path: str) -> Cleaned:
    if record.damaged:
        return Cleaned(record.source, error=SourceError(record.source, record.reason), input=path)
    return Cleaned(record.source, skipped=record.reason, input=path)


def _in_order(jobs: Iterator[Job], *, window: int) -> Iterator[Cleaned | InputDone]:
    """Jobs' results in job order: at most `window` pages in flight, finished heads yielded early."""
    pending: deque[Job] = deque()
    in_flight = 0
    for job in jobs:
        pending.append(job)
        in_flight += isinstance(job, _Pending)
        while pending and (in_flight > window or _finished(pending[0])):
            head = pending.popleft()
            in_flight -= isinstance(head, _Pending)
            yield head.outcome() if isinstance(head, _Pending) else head
    while pending:
        head = pending.popleft()
        yield head.outcome() if isinstance(head, _Pending) else head


def _finished(job: Job) -> bool:
    return not isinstance(job, _Pending) or job.future.done()


# -- work done in the pool: plain arguments, picklable results ------------------------------------


def _clean_page(
    page: FetchedPage, settings: ExtractSettings, explained: bool = False, origin: str = ""
) -> Cleaned:
    # the extractor (trafilatura, htmldate, the models: half a CPU second and 70 MB) where pages
    # are extracted: preloaded in the workers; a run of many pages never imports it in its parent
    from scraper.extract import explain, extract_document, no_article  # noqa: PLC0415

    try:
        if not explained:
            return Cleaned(page.source, document=extract_document(page, settings), input=origin)
        why = explain(page, settings)
        if isinstance(why.error, NoMainContent):  # "no article" has one shape: a document saying so
            return Cleaned(
                page.source, document=no_article(page, why.error, settings), explanation=why, input=origin
            )
        return Cleaned(page.source, document=why.document, error=why.error, explanation=why, input=origin)
    except ScraperError as exc:
        return Cleaned(page.source, error=exc, input=origin)


def clean_file(
    path: str, url: str | None, settings: ExtractSettings, max_bytes: int, explained: bool = False
) -> Cleaned:
    """Read and extract one local file; runs in a worker process, so it takes plain arguments."""
    try:
        page = load_file(path, url=url, max_bytes=max_bytes)
    except ScraperError as exc:
        return Cleaned(path, error=exc, input=path)
    return _clean_page(page, settings, explained, path)


def clean_response(
    record: ArchivedResponse, path: str, settings: ExtractSettings, explained: bool
) -> Cleaned:
    """Decode and extract one web archive response record; runs in a worker process."""
    try:
        page = record.page()
    except ScraperError as exc:
        return Cleaned(record.source, error=exc, input=path)
    return _clean_page(page, settings, explained, path)


# -- URLs: fetched on an event loop thread ---------------------------------------------------------


class _Fetching:
    """One `Fetcher` on an event loop in a background thread: the batch's URLs are fetched
    concurrently (per-host limits and pacing apply) while the caller reads results in order."""

    def __init__(self, settings: Settings, *, robots: bool = True) -> None:
        # the HTTP client (httpx, tenacity) only when there are URLs: a cold `clean file.html` skips it
        from scraper.fetch import Fetcher, Politeness  # noqa: PLC0415

        self._settings = settings
        self._robots = robots
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="clean-fetch", daemon=True)
        self._fetcher: Fetcher = Fetcher(settings.fetch, sites=settings.sites)
        self._politeness = Politeness(
            self._fetcher, settings, gate=self._fetcher.gate, on_robots=lambda _host, _answer: None
        )

    def __enter__(self) -> _Fetching:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._fetcher.__aenter__(), self._loop).result()
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _close(self) -> None:
        """Cancel the fetches nobody will read (the reader stopped early: `clean URL... | head`),
        then close the client. Left pending on a closed loop, they were "destroyed but pending"."""
        this = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not this]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self._fetcher.__aexit__(None, None, None)

    def submit(self, url: str) -> Future[FetchedPage]:
        return asyncio.run_coroutine_threadsafe(self._fetch(url), self._loop)

    async def _fetch(self, url: str) -> FetchedPage:
        # the URLs the user named may be private (a local server); where they redirect to may not
        self._fetcher.policy.trust([url])
        if not self._robots:
            return await self._fetcher.fetch(url)
        from scraper.fetch import fetch_politely  # noqa: PLC0415  # loaded with the Fetcher

        return await fetch_politely(self._fetcher, self._politeness, url)
