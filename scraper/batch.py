"""One-off cleaning: URLs, files, folders or stdin in, documents out, nothing stored.

Local files are read and extracted in a process pool (extraction is CPU-bound); URLs are
fetched concurrently on one event loop. Results come back in the order of the inputs, one
`Cleaned` per input, carrying either a document or the error that stopped it, and with
`explain=True` the `Explanation` of what extraction removed. A junk page (block, consent wall,
soft 404, login wall, listing) is a document with a `skip_reason`, not an error.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from scraper.config import ExtractSettings, Settings
from scraper.errors import ScraperError, SourceError
from scraper.extract.explain import Explanation, explain
from scraper.extract.pipeline import extract
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
    """Clean every source in `args`, yielding results in input order as they are ready."""
    items = list(expand(args))
    inputs = [item for item in items if isinstance(item, Input)]
    fetched = asyncio.run(_fetch_all([i.source for i in inputs if i.kind == "url"], settings))
    files = [i.source for i in inputs if i.kind == "file"]
    local = _clean_files(files, settings, jobs=jobs, url=url, explained=explained)
    for item in items:
        if isinstance(item, SourceError):
            yield Cleaned(item.source, error=item)
        elif item.kind == "file":
            yield next(local)
        elif item.kind == "url":
            page = fetched[item.source]
            yield (
                page
                if isinstance(page, Cleaned)
                else _clean_page(page, settings.extract_for(page.final_url), explained)
            )
        else:
            yield _clean_stdin(stdin, settings, url=url, explained=explained)


def _clean_page(page: FetchedPage, settings: ExtractSettings, explained: bool = False) -> Cleaned:
    try:
        if not explained:
            return Cleaned(page.source, document=extract(page, settings))
        why = explain(page, settings)
        return Cleaned(page.source, document=why.document, error=why.error, explanation=why)
    except ScraperError as exc:
        return Cleaned(page.source, error=exc)


def _clean_stdin(stdin: BinaryIO | None, settings: Settings, *, url: str | None, explained: bool) -> Cleaned:
    if stdin is None:
        return Cleaned("-", error=SourceError("-", "no standard input"))
    try:
        body = stdin.read(settings.fetch.max_bytes + 1)
        if len(body) > settings.fetch.max_bytes:
            raise SourceError("-", f"larger than {settings.fetch.max_bytes} bytes")
        page = page_from_bytes(body, source="-", url=url)
    except ScraperError as exc:
        return Cleaned("-", error=exc)
    return _clean_page(page, settings.extract_for(url), explained)


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
    files: list[str], settings: Settings, *, jobs: int, url: str | None, explained: bool
) -> Iterator[Cleaned]:
    extract_settings = settings.extract_for(url)
    max_bytes = settings.fetch.max_bytes
    if jobs <= 1 or len(files) <= 1:
        yield from (clean_file(f, url, extract_settings, max_bytes, explained) for f in files)
        return
    with extraction_pool(min(jobs, len(files))) as pool:
        yield from pool.map(
            clean_file,
            files,
            [url] * len(files),
            [extract_settings] * len(files),
            [max_bytes] * len(files),
            [explained] * len(files),
            chunksize=max(1, min(16, len(files) // (jobs * 4))),
        )


def extraction_pool(workers: int) -> Executor:
    """A process pool for CPU-bound extraction.

    forkserver, not fork: the parent may be running an event loop and threads, which a plain
    fork would copy half-way; the server preloads the extractor so workers start warm.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["scraper.extract.pipeline"])
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
    )
    # Start the forkserver (about a second of imports) now, while nothing is in flight, rather
    # than on the first page, where it would stall a crawl's event loop and its pacing.
    pool.submit(os.getpid).result()
    return pool


def _exit_with(owner: int) -> None:
    """Pool initializer: end this worker once the process that made the pool is gone.

    A worker holds both ends of its task pipe, so it never sees the pool's owner die; a crawl
    killed with SIGKILL (cron's `timeout -s KILL`, the OOM killer) would otherwise leave its
    workers, the forkserver and the resource tracker behind for good.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # the pid was reused by another user's process: ours is gone
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-owner", daemon=True).start()


async def _fetch_all(urls: list[str], settings: Settings) -> dict[str, FetchedPage | Cleaned]:
    if not urls:
        return {}
    # the URLs the user named may be private (a local server); where they redirect to may not
    async with Fetcher(settings.fetch, trusted=urls) as fetcher:

        async def one(url: str) -> FetchedPage | Cleaned:
            try:
                return await fetcher.fetch(url)
            except ScraperError as exc:
                return Cleaned(url, error=exc)

        results = await asyncio.gather(*(one(u) for u in urls))
    return dict(zip(urls, results, strict=True))
