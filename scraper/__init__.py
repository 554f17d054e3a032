"""scraper: fetch pages politely, keep only the story, store it with its metadata.

The Python API::

    from scraper import clean_html, fetch_and_clean
    doc = clean_html(html_bytes_or_str, url="https://example.com/story")
    doc = fetch_and_clean("https://example.com/story")     # or: await fetch_and_clean_async(url)
    doc.text, doc.title, doc.skip_reason, doc.to_record()
    report = run_crawl(load_settings("config/scraper.toml"), sites)

"No article" is a `Document` with empty text and a `skip_reason`; it is never an exception.
"""

from typing import TYPE_CHECKING, Any

from scraper._lazy import exports

if TYPE_CHECKING:
    from scraper.api import (
        clean_html as clean_html,
    )
    from scraper.api import (
        fetch_and_clean as fetch_and_clean,
    )
    from scraper.api import (
        fetch_and_clean_async as fetch_and_clean_async,
    )
    from scraper.api import (
        run_crawl as run_crawl,
    )
    from scraper.api import (
        run_crawl_async as run_crawl_async,
    )
    from scraper.config import (
        ExtractSettings as ExtractSettings,
    )
    from scraper.config import (
        FetchSettings as FetchSettings,
    )
    from scraper.config import (
        Settings as Settings,
    )
    from scraper.config import (
        Site as Site,
    )
    from scraper.config import (
        load_settings as load_settings,
    )
    from scraper.errors import (
        ConfigError as ConfigError,
    )
    from scraper.errors import (
        ExtractionError as ExtractionError,
    )
    from scraper.errors import (
        FetchError as FetchError,
    )
    from scraper.errors import (
        NoMainContent as NoMainContent,
    )
    from scraper.errors import (
        ScraperError as ScraperError,
    )
    from scraper.errors import (
        SourceError as SourceError,
    )
    from scraper.errors import (
        WriteError as WriteError,
    )
    from scraper.models import CrawlReport as CrawlReport
    from scraper.models import Document as Document
    from scraper.models import FetchedPage as FetchedPage
    from scraper.store import Store as Store

    __version__: str

_EXPORTS = {
    "clean_html": "scraper.api",
    "fetch_and_clean": "scraper.api",
    "fetch_and_clean_async": "scraper.api",
    "run_crawl": "scraper.api",
    "run_crawl_async": "scraper.api",
    "ExtractSettings": "scraper.config",
    "FetchSettings": "scraper.config",
    "Settings": "scraper.config",
    "Site": "scraper.config",
    "load_settings": "scraper.config",
    "ConfigError": "scraper.errors",
    "ExtractionError": "scraper.errors",
    "FetchError": "scraper.errors",
    "NoMainContent": "scraper.errors",
    "ScraperError": "scraper.errors",
    "SourceError": "scraper.errors",
    "WriteError": "scraper.errors",
    "CrawlReport": "scraper.models",
    "Document": "scraper.models",
    "FetchedPage": "scraper.models",
    "Store": "scraper.store",
}
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
if not TYPE_CHECKING:  # type checkers read the imports above
    _exported, __dir__ = exports(__name__, _EXPORTS)

    def __getattr__(name: str) -> Any:
        """An exported name, or `__version__`, read from the installed distribution on first use
        (importlib.metadata costs more than the rest of `import scraper`)."""
        if name != "__version__":
            return _exported(name)
        from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415  # on first use

        try:
            found = version("storyscraper")  # the distribution's name; the import name is scraper
        except PackageNotFoundError:  # a source tree on sys.path that was never installed
            found = "0+unknown"
        globals()["__version__"] = found
        return found
