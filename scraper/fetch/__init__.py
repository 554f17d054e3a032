"""Fetch stage: URL in, `FetchedPage` out, politely and within limits. The only network code.

    client.py    `Fetcher`: one httpx client per run, the tenacity retry policy, size and time limits
    gate.py      `HostGate`: per-host concurrency, gaps between request starts, pauses
    politeness.py  robots.txt per host, Crawl-delay, error backoff, hosts set aside: for the
                 crawl, `clean` URLs and the API alike
    robots.py    robots.txt text -> rules (protego)
    guard.py     the SSRF guard: private addresses only for the hosts the user named
    decompress.py  the one bounded decompressor (gzip, zlib, raw deflate) for bodies, sitemaps, files

Other stages import from here; the modules inside are private to the stage.
"""

from typing import TYPE_CHECKING

from scraper._lazy import exports

if TYPE_CHECKING:
    from scraper.fetch.client import (
        HTML_TYPES as HTML_TYPES,
    )
    from scraper.fetch.client import (
        Fetcher as Fetcher,
    )
    from scraper.fetch.client import (
        parse_retry_after as parse_retry_after,
    )
    from scraper.fetch.cookies import SiteJars as SiteJars
    from scraper.fetch.decompress import (
        InflateError as InflateError,
    )
    from scraper.fetch.decompress import (
        Inflater as Inflater,
    )
    from scraper.fetch.decompress import (
        inflate as inflate,
    )
    from scraper.fetch.decompress import (
        is_gzip as is_gzip,
    )
    from scraper.fetch.gate import HostGate as HostGate
    from scraper.fetch.politeness import (
        ANY_TYPE as ANY_TYPE,
    )
    from scraper.fetch.politeness import (
        Politeness as Politeness,
    )
    from scraper.fetch.politeness import (
        RobotsAnswer as RobotsAnswer,
    )
    from scraper.fetch.politeness import (
        fetch_politely as fetch_politely,
    )

_EXPORTS = {
    "HTML_TYPES": "scraper.fetch.client",
    "Fetcher": "scraper.fetch.client",
    "parse_retry_after": "scraper.fetch.client",
    "SiteJars": "scraper.fetch.cookies",
    "HostGate": "scraper.fetch.gate",
    "InflateError": "scraper.fetch.decompress",
    "Inflater": "scraper.fetch.decompress",
    "inflate": "scraper.fetch.decompress",
    "is_gzip": "scraper.fetch.decompress",
    "ANY_TYPE": "scraper.fetch.politeness",
    "Politeness": "scraper.fetch.politeness",
    "RobotsAnswer": "scraper.fetch.politeness",
    "fetch_politely": "scraper.fetch.politeness",
}
__all__ = [
    "ANY_TYPE",
    "HTML_TYPES",
    "Fetcher",
    "HostGate",
    "InflateError",
    "Inflater",
    "Politeness",
    "RobotsAnswer",
    "SiteJars",
    "fetch_politely",
    "inflate",
    "is_gzip",
    "parse_retry_after",
]
if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = exports(__name__, _EXPORTS)
