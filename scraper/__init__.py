"""scraper: fetch pages politely, keep only the story, store it with its metadata.

The Python API::

    from scraper import clean_html, fetch_and_clean
    doc = clean_html(html_bytes_or_str, url="https://example.com/story")
    doc = fetch_and_clean("https://example.com/story")     # or: await fetch_and_clean_async(url)
    doc.text, doc.title, doc.skip_reason, doc.to_record()
    report = run_crawl(load_settings("config/scraper.toml"), sites)

"No article" is a `Document` with empty text and a `skip_reason`; it is never an exception.
"""

from importlib.metadata import PackageNotFoundError, version

from scraper.api import clean_html, fetch_and_clean, fetch_and_clean_async, run_crawl, run_crawl_async
from scraper.config import ExtractSettings, FetchSettings, Settings, Site, load_settings
from scraper.errors import (
    ConfigError,
    ExtractionError,
    FetchError,
    NoMainContent,
    ScraperError,
    SourceError,
    WriteError,
)
from scraper.models import CrawlReport, Document, FetchedPage
from scraper.store import Store

try:
    __version__ = version("storyscraper")  # the distribution's name; the import name is scraper
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"

__all__ = [
    "ConfigError",
    "CrawlReport",
    "Document",
    "ExtractSettings",
    "ExtractionError",
    "FetchError",
    "FetchSettings",
    "FetchedPage",
    "NoMainContent",
    "ScraperError",
    "Settings",
    "Site",
    "SourceError",
    "Store",
    "WriteError",
    "clean_html",
    "fetch_and_clean",
    "fetch_and_clean_async",
    "load_settings",
    "run_crawl",
    "run_crawl_async",
]
