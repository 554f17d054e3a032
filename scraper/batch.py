"""One-off cleaning: URLs, files, folders or stdin in, documents out, nothing stored.

Every page is extracted in the worker pool (scraper/extract/worker.py: CPU-bound work, bounded in
time and memory), local files are read there too; URLs are fetched concurrently on one event loop
in a thread, a few ahead, and each page is extracted as soon as it is in. Results come back in the
order of the inputs, one `Cleaned` per input, carrying either a document or the error that stopped
it, and with `explain=True` the `Explanation` of what extraction removed. A junk page (block,
consent wall, soft 404, login wall, listing) is a document with a `skip_reason`, not an error.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import BinaryIO

from scraper.config import ExtractSettings, Settings
from scraper.errors import ScraperError, SourceError
from scraper.extract.explain import Explanation, explain
from scraper.extract.pipeline import extract
from scraper.extract.worker import ExtractionPool
from scraper.fetch.client import Fetcher
from scraper.models import Document, FetchedPage
from scraper.sources import Input, expand, load_file, page_from_bytes


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The outcome for one input: a document, or the error naming why there is none."""

    source: str
    document: Document | None = None
    error: ScraperError | None = None
    explanation: Explanation | None = None


def clean_sources(
    args: Iterable[str],
    settings: Settings,
    *,
    jobs: int,
    url: str | None = None,
    stdin: BinaryIO | None = None,
    explained: bool = False,
) -> Iterator[Cleaned]:
    """Clean every source in `args`, yielding results in input order as they are ready.

    Every page is extracted in the worker pool, under `[extract] timeout` and `max_memory`:
    whatever goes wrong with one input (a limit, a worker dying, a bug) is that input's error.
    """
    items = list(expand(args))
    inputs = [item for item in items if isinstance(item, Input)]
    if not inputs:
        yield from (Cleaned(item.source, error=item) for item in items if isinstance(item, SourceError))
        return
    urls = [i.source for i in inputs if i.kind == "url"]
    files = [i.source for i in inputs if i.kind == "file"]
    ahead = 4 * max(1, jobs)
    with ExtractionPool(min(jobs, len(inputs)), settings.extract) as pool:
        local = _clean_files(files, pool, settings, url=url, explained=explained, ahead=ahead)
        fetched = _fetch_ahead(urls, settings, ahead)
        for item in items:
            if isinstance(item, SourceError):
                yield Cleaned(item.source, error=item)
            elif item.kind == "file":
                yield next(local)
            elif item.kind == "url":
                page = next(fetched)
                if isinstance(page, Cleaned):
                    yield page
                else:
                    page_settings = settings.extract_for(page.final_url)
                    yield _outcome(
                        page.source, pool.submit(page.source, _clean_page, page, page_settings, explained)
                    )
            else:
                yield _clean_stdin(stdin, pool, settings, url=url, explained=explained)


def _clean_page(page: FetchedPage, settings: ExtractSettings, explained: bool = False) -> Cleaned:
    if not explained:
        return Cleaned(page.source, document=extract(page, settings))
    why = explain(page, settings)
    return Cleaned(page.source, document=why.document, error=why.error, explanation=why)


def _clean_stdin(
    stdin: BinaryIO | None, pool: ExtractionPool, settings: Settings, *, url: str | None, explained: bool
) -> Cleaned:
    if stdin is None:
        return Cleaned("-", error=SourceError("-", "no standard input"))
    try:
        body = stdin.read(settings.fetch.max_bytes + 1)
        if len(body) > settings.fetch.max_bytes:
            raise SourceError("-", f"larger than {settings.fetch.max_bytes} bytes")
        page = page_from_bytes(body, source="-", url=url)
    except ScraperError as exc:
        return Cleaned("-", error=exc)
    return _outcome("-", pool.submit("-", _clean_page, page, settings.extract_for(url), explained))


def clean_file(
    path: str, url: str | None, settings: ExtractSettings, max_bytes: int, explained: bool = False
) -> Cleaned:
    """Read and extract one local file; runs in a worker process, so it takes plain arguments."""
    try:
        page = load_file(path, url=url, max_bytes=max_bytes)
    except ScraperError as exc:
        return Cleaned(path, error=exc)
    return _clean_page(page, settings, explained)


def _clean_files(
    files: list[str],
    pool: ExtractionPool,
    settings: Settings,
    *,
    url: str | None,
    explained: bool,
    ahead: int,
) -> Iterator[Cleaned]:
    """One result per file, in order, with at most `ahead` files submitted and not yet yielded."""
    extract_settings = settings.extract_for(url)
    max_bytes = settings.fetch.max_bytes
    window: deque[tuple[str, Future[Cleaned]]] = deque()
    for path in files:
        window.append(
            (path, pool.submit(path, clean_file, path, url, extract_settings, max_bytes, explained))
        )
        if len(window) >= ahead:
            yield _outcome(*window.popleft())
    while window:
        yield _outcome(*window.popleft())


def _outcome(source: str, future: Future[Cleaned]) -> Cleaned:
    """The one place an input's result is taken: whatever stopped it is its error, the run goes on."""
    try:
        return future.result()
    except ScraperError as exc:
        return Cleaned(source, error=exc)


def _fetch_ahead(urls: list[str], settings: Settings, ahead: int) -> Iterator[FetchedPage | Cleaned]:
    """The fetched page (or the error) of each URL, in order, as soon as it is in.

    The fetches run concurrently on an event loop in a thread of their own, at most `ahead`
    beyond the one being taken, so the first page is extracted and printed while later ones
    are still downloading, and at most `ahead` bodies are held at once (100 pages of 9.5 MB
    took 1.1 GB when every body was fetched before any was extracted).
    """
    if not urls:
        return
    results: dict[int, Future[FetchedPage | Cleaned]] = {i: Future() for i in range(len(urls))}
    loop = asyncio.new_event_loop()
    slots = asyncio.Semaphore(ahead)

    async def fetch_all() -> None:
        # the URLs the user named may be private (a local server); where they redirect to may not
        async with Fetcher(settings.fetch, trusted=urls) as fetcher:

            async def one(url: str, result: Future[FetchedPage | Cleaned]) -> None:
                try:
                    result.set_result(await fetcher.fetch(url))
                except ScraperError as exc:
                    result.set_result(Cleaned(url, error=exc))

            async with asyncio.TaskGroup() as group:
                for i, url in enumerate(urls):
                    await slots.acquire()
                    group.create_task(one(url, results[i]))

    def run() -> None:
        try:
            loop.run_until_complete(fetch_all())
        except BaseException as exc:  # a bug, or cancelled: raised where each result is taken
            for result in list(results.values()):
                if not result.done():
                    result.set_exception(exc)

    thread = threading.Thread(target=run, name="clean-fetch", daemon=True)
    thread.start()
    try:
        for i in range(len(urls)):
            page = results[i].result()
            del results[i]  # hold no body once it is handed on
            loop.call_soon_threadsafe(slots.release)
            yield page
    finally:  # done, or the consumer stopped early (a closed stdout, Ctrl-C): stop fetching
        if thread.is_alive():
            loop.call_soon_threadsafe(_cancel_all, loop)
        thread.join()
        loop.close()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()
