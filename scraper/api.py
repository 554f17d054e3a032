"""The Python API: clean HTML you have, fetch-and-clean one URL, and a whole crawl run.

    clean_html(html, url=...)         -> Document   (str or bytes; bounded in this process)
    fetch_and_clean(url)              -> Document   (sync)
    await fetch_and_clean_async(url)  -> Document   (async, inside your event loop)
    run_crawl(settings, sites)        -> CrawlReport (what `scraper crawl` runs; run_crawl_async too)

Both fetch under the CLI's rules: robots.txt (the page and every redirect target), per-host
pacing, the `[fetch]` size, time and retry limits. "No article" has one shape everywhere: a
`Document` with empty `text` and a `skip_reason` (junk pages, and pages without main content,
`page_type` "empty"); `NoMainContent` is never raised. A page that cannot be fetched raises a
`FetchError` (robots.txt refusals included). HTML, or a 200 response, of nothing but white space
is no page: `SourceError` ("empty input", "empty response"), as `clean` and `serve` fail it.

Limits are the CLI's: HTML longer than `[fetch] max_bytes` is refused (`SourceError`), and
extraction runs in this process under `[extract] timeout` and `max_memory`, failing with the
pool's `ExtractionError` (scraper/extract/inprocess.py). Wrong arguments raise `TypeError` (None,
a dict for settings, one string for a list of URLs) or `ValueError` (a URL that is no http(s)
URL), naming the argument, before anything runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

from scraper.config import ExtractSettings, FetchSettings, Settings, Site
from scraper.corpus import ArchivingFetcher, WarcArchive, blank
from scraper.crawl import WORKER_MODULES, Crawler, crawl_sites
from scraper.errors import SourceError
from scraper.extract import ExtractionPool, cores, extract_document, run_bounded
from scraper.extract import clean_html as pipeline_clean_html
from scraper.fetch import Fetcher, Politeness, fetch_politely
from scraper.models import CrawlProgress, CrawlReport, Document
from scraper.store import Store, crawl_lock
from scraper.urls import url_flaw

__all__ = ["clean_html", "fetch_and_clean", "fetch_and_clean_async", "run_crawl", "run_crawl_async"]


def clean_html(
    html: str | bytes,
    *,
    url: str | None = None,
    settings: Settings | ExtractSettings | None = None,
    source: str | None = None,
) -> Document:
    """Extract a `Document` from HTML you already have.

    `bytes` (or a `bytearray`) are decoded as a saved file is (BOM, `<meta>` charset, else
    detection); a `str` is taken as it is. `url` is the page's address (links, site
    selectors); `settings` a `Settings` (its `[fetch] max_bytes` and the extraction settings for
    `url`) or an `ExtractSettings`. `source` names the input in the record and in errors: by
    default `url`, else "html", as `serve` names HTML it is sent (never "-", which is stdin). A
    page without a story comes back as a `Document` with empty `text` and a `skip_reason`.
    Limits and argument errors: see the module docstring.
    """
    body = _html_argument(html)
    if url is not None:
        _url_argument(url, "url")
    if source is None:  # "-: empty input" named stdin, which the caller never gave
        source = url or "html"
    if not isinstance(source, str):
        raise TypeError(f"clean_html: source must be a str naming the input, not {_kind(source)}")
    if settings is None or isinstance(settings, ExtractSettings):
        max_bytes, extract_settings = FetchSettings().max_bytes, settings or ExtractSettings()
    elif isinstance(settings, Settings):
        max_bytes, extract_settings = settings.fetch.max_bytes, settings.extract_for(url)
    else:
        raise TypeError(
            f"clean_html: settings must be scraper.Settings or scraper.ExtractSettings, not "
            f"{_kind(settings)} (load_settings(path), or ExtractSettings(favor_precision=True, ...))"
        )
    data = body.encode("utf-8", errors="surrogatepass") if isinstance(body, str) else bytes(body)
    if len(data) > max_bytes:  # what `clean FILE` and stdin refuse (fetch.max_bytes)
        raise SourceError(source, f"larger than {max_bytes} bytes (fetch.max_bytes)")
    if blank(data):  # as `clean` and `serve` fail an empty file, stdin or html: nothing was cleaned
        raise SourceError(source, "empty input")
    return run_bounded(source, extract_settings, _clean_html, body, url, extract_settings, source)


def _clean_html(html: str | bytes, url: str | None, settings: ExtractSettings, source: str) -> Document:
    return pipeline_clean_html(html, url=url, settings=settings, source=source)


async def fetch_and_clean_async(url: str, settings: Settings | None = None) -> Document:
    """Fetch `url` politely and extract its document (see the module docstring); the extraction
    runs in a thread, so your event loop goes on meanwhile."""
    _url_argument(url, "url")
    settings = _settings_argument(settings, "fetch_and_clean")
    # the URL the caller named may be private (a local server); where it redirects to may not
    async with Fetcher(settings.fetch, trusted=[url], sites=settings.sites) as fetcher:
        politeness = Politeness(fetcher, settings, gate=fetcher.gate, on_robots=lambda _host, _answer: None)
        page = await fetch_politely(fetcher, politeness, url)
    if blank(page.body):  # as `clean URL` and `serve` fail an empty 200
        raise SourceError(url, "empty response")
    extract_settings = settings.extract_for(page.final_url or page.url)
    return await asyncio.to_thread(
        run_bounded, url, extract_settings, extract_document, page, extract_settings
    )


def fetch_and_clean(url: str, settings: Settings | None = None) -> Document:
    """`fetch_and_clean_async` for code without an event loop."""
    _outside_a_loop("fetch_and_clean")
    return asyncio.run(fetch_and_clean_async(url, settings))


def _outside_a_loop(name: str) -> None:
    """Raise `RuntimeError` naming `name`'s async twin when called inside a running event loop,
    before any coroutine is made: asyncio.run refuses to nest, and the coroutine it was handed
    then warns that it was never awaited."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name} cannot run inside an event loop: await {name}_async(...) instead")


async def run_crawl_async(
    settings: Settings,
    sites: Sequence[Site | str],
    *,
    progress: Callable[[CrawlProgress], None] | None = None,
    workers: int | None = None,
    on_start: Callable[[Crawler], None] | None = None,
) -> CrawlReport:
    """One crawl run over `sites` into the store at `settings.store.path`, as `scraper crawl`
    does it: the store's crawl lock held (`LockedError` if another run has it), extraction in
    `workers` processes (default: the cores), an unfinished run of the same sites resumed.
    `on_start(crawler)` is called once the crawler exists (the CLI uses it to stop the run on
    SIGINT/SIGTERM: `crawler.stop(...)`). Store and configuration errors raise; every per-URL
    problem is in the report. `sites` may also name start URLs (strings), as `scraper crawl URL`
    does."""
    settings = _settings_argument(settings, "run_crawl")
    sites = _sites_argument(settings, sites)
    with (
        crawl_lock(settings.store.path),
        Store(settings.store.path) as store,
        ExtractionPool(workers or cores(), settings.extract, preload=WORKER_MODULES) as pool,
    ):
        async with _crawl_fetcher(settings) as fetcher:
            crawler = Crawler(settings, fetcher=fetcher, store=store, pool=pool, progress=progress)
            if on_start is not None:
                on_start(crawler)
            return await crawler.run(sites)


def run_crawl(
    settings: Settings,
    sites: Sequence[Site | str],
    *,
    progress: Callable[[CrawlProgress], None] | None = None,
    workers: int | None = None,
) -> CrawlReport:
    """`run_crawl_async` for code without an event loop: what `scraper crawl` runs."""
    _outside_a_loop("run_crawl")
    return asyncio.run(run_crawl_async(settings, sites, progress=progress, workers=workers))


def _kind(value: object) -> str:
    return "None" if value is None else type(value).__name__


def _html_argument(html: object) -> str | bytes:
    if isinstance(html, str | bytes):
        return html
    if isinstance(html, bytearray | memoryview):
        return bytes(html)
    raise TypeError(f"clean_html: html must be str or bytes, not {_kind(html)}")


def _url_argument(url: object, name: str) -> None:
    if not isinstance(url, str):
        raise TypeError(f"{name} must be a str (an http or https URL), not {_kind(url)}")
    problem = url_flaw(url)
    if problem is not None:
        raise ValueError(f"{name}: {problem}")


def _settings_argument(settings: object, function: str) -> Settings:
    if settings is None:
        return Settings()
    if not isinstance(settings, Settings):
        raise TypeError(
            f"{function}: settings must be scraper.Settings (load_settings(path), or Settings()), "
            f"not {_kind(settings)}"
        )
    return settings


def _sites_argument(settings: Settings, sites: object) -> tuple[Site, ...]:
    """`sites` as Sites: each a `Site`, or a start URL made into one as `scraper crawl URL` does."""
    if isinstance(sites, str | bytes) or not isinstance(sites, Iterable):
        raise TypeError(
            f"run_crawl: sites must be a list of scraper.Site or start URLs, not {_kind(sites)}"
            + (" (put the one URL in a list)" if isinstance(sites, str) else "")
        )
    given, urls = [], []
    for item in sites:
        if isinstance(item, Site):
            given.append(item)
        elif isinstance(item, str):
            _url_argument(item, "run_crawl: start URL")
            urls.append(item)
        else:
            raise TypeError(f"run_crawl: each site must be a scraper.Site or a start URL, not {_kind(item)}")
    found = (*given, *crawl_sites(settings, urls)) if urls else tuple(given)
    if not found:
        raise ValueError("run_crawl: no sites to crawl (settings.sites is empty and no start URL was given)")
    return found


def _crawl_fetcher(settings: Settings) -> Fetcher:
    """The crawl's fetcher: one that also archives every response when `[crawl] warc_dir` is set."""
    if settings.crawl.warc_dir is None:
        return Fetcher(settings.fetch, sites=settings.sites)
    archive = WarcArchive(
        settings.crawl.warc_dir, max_bytes=settings.crawl.warc_max_bytes, user_agent=settings.fetch.user_agent
    )
    return ArchivingFetcher(settings, archive)
