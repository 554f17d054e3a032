"""The one exception tree of `scraper`.

    ScraperError
    ├── ConfigError              bad configuration: names the key path
    ├── SourceError              a `clean` input that cannot be read (missing file, bad gzip, ...)
    ├── FetchError               carries `url` and `reason`
    │   ├── TransientFetchError  timeout, connection reset, 429, 5xx: maybe later (may carry `retry_after`)
    │   └── PermanentFetchError  other 4xx, too large, not HTML, redirect loop, refused by robots.txt
    ├── ExtractionError          carries `source` and `reason`
    │   └── NoMainContent        the page has no story to extract (empty, malformed, only clutter)
    ├── DiscoveryError           a robots.txt, sitemap or feed that cannot be used (carries `source`)
    ├── WriteError               the store or an export file could not be written
    └── LockedError              another run holds the store's crawl lock

Foreign exceptions (httpx, sqlite3, OSError, ...) are mapped onto this tree once, at the
module that owns the boundary. Every error pickles, so it can cross a process pool.
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base of every error `scraper` raises on purpose."""


class ConfigError(ScraperError):
    """The configuration is invalid; the message names the offending key."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(key, reason)
        self.key = key
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}" if self.key else self.reason


class _SourcedError(ScraperError):
    """An error about one input, printed as `source: reason` (not part of the public tree)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(source, reason)
        self.source = source
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class SourceError(_SourcedError):
    """A local input (file, folder, stdin) could not be read."""


class FetchError(ScraperError):
    """A URL could not be fetched."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(url, reason, status)
        self.url = url
        self.reason = reason
        self.status = status

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class TransientFetchError(FetchError):
    """A failure worth retrying later: the server or network may recover."""

    def __init__(
        self, url: str, reason: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(url, reason, status)
        self.args = (url, reason, status, retry_after)
        self.retry_after = retry_after


class PermanentFetchError(FetchError):
    """A failure that retrying will not fix."""


class ExtractionError(_SourcedError):
    """A page was fetched or read but no document could be made from it."""


class NoMainContent(ExtractionError):
    """The page holds no main text (empty, malformed, or clutter only)."""


class DiscoveryError(_SourcedError):
    """A robots.txt, sitemap or feed could not be read (invalid XML, bad gzip, too large...)."""


class WriteError(ScraperError):
    """The store or an export target could not be written."""


class LockedError(ScraperError):
    """Another crawl holds the lock on this store."""


def internal_error(exc: BaseException) -> str:
    """The reason recorded for an input whose handling raised something outside this tree: a bug.

    "internal error: RecursionError in scraper.extract.classify._Visible._walk": the exception's
    type and the innermost function of `scraper` it passed through below the one that caught it
    (the innermost one of all when none is ours). The traceback goes to the debug log, not the
    report.
    """
    package = __name__.split(".", 1)[0]
    innermost = ours = None
    traceback = exc.__traceback__
    if traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next  # the outermost frame is the one that caught it: not where
    while traceback is not None:
        frame = traceback.tb_frame
        module = str(frame.f_globals.get("__name__", "?"))
        innermost = f"{module}.{frame.f_code.co_qualname}"
        if module.split(".", 1)[0] == package:
            ours = innermost
        traceback = traceback.tb_next
    where = ours or innermost
    return f"internal error: {type(exc).__name__}" + (f" in {where}" if where else "")
