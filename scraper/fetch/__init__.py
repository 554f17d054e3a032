"""Fetch stage: URL in, `FetchedPage` out, politely and within limits. The only network code.

    client.py    `Fetcher`: one httpx client per run, the tenacity retry policy, size and time limits
    gate.py      `HostGate`: per-host concurrency, gaps between request starts, pauses
    politeness.py  robots.txt per host, Crawl-delay, error backoff, hosts set aside: for the
                 crawl, `clean` URLs and the API alike
    robots.py    robots.txt text -> rules (protego)
    guard.py     the SSRF guard: private addresses only for the hosts the user named
    inflate.py   the one bounded decompressor (gzip, zlib, raw deflate) for bodies, sitemaps, files

Other stages import from here; the modules inside are private to the stage.
"""

from scraper.fetch.client import HTML_TYPES, Fetcher, parse_retry_after
from scraper.fetch.gate import HostGate
from scraper.fetch.inflate import InflateError, Inflater, inflate, is_gzip

__all__ = [
    "HTML_TYPES",
    "Fetcher",
    "HostGate",
    "InflateError",
    "Inflater",
    "inflate",
    "is_gzip",
    "parse_retry_after",
]
