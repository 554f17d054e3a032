"""scraper: fetch pages politely, keep only the story, store it with its metadata.

The small Python API::

    from scraper import clean_html
    doc = clean_html(html, url="https://example.com/story")
    doc.text, doc.title, doc.to_record()
"""

from importlib.metadata import PackageNotFoundError, version

from scraper.config import ExtractSettings, FetchSettings, Settings, load_settings
from scraper.errors import (
    ConfigError,
    ExtractionError,
    FetchError,
    NoMainContent,
    ScraperError,
    SourceError,
    WriteError,
)
from scraper.extract import clean_html
from scraper.models import Document, FetchedPage
from scraper.store import Store

try:
    __version__ = version("storyscraper")  # the distribution's name; the import name is scraper
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"

__all__ = [
    "ConfigError",
    "Document",
    "ExtractSettings",
    "ExtractionError",
    "FetchError",
    "FetchSettings",
    "FetchedPage",
    "NoMainContent",
    "ScraperError",
    "Settings",
    "SourceError",
    "Store",
    "WriteError",
    "clean_html",
    "load_settings",
]
