"""Fetch stage: URL in, `FetchedPage` out, politely and within limits. The only network code.

    client.py    `Fetcher`: one httpx client per run, the tenacity retry policy, size and time limits
    gate.py      `HostGate`: per-host concurrency, gaps between request starts, pauses; `host_key`
    charset.py   bytes to text the way browsers decide (BOM, header, meta, detection)
    guard.py     the SSRF guard: private addresses only for the hosts the user named
    inflate.py   the one bounded decompressor (gzip, zlib, raw deflate) for bodies, sitemaps, files

Other stages import from here; the modules inside are private to the stage.
"""

from scraper.fetch.charset import charset_from_content_type, check_text, decided, resolve_encoding
from scraper.fetch.client import HTML_TYPES, Fetcher, parse_retry_after
from scraper.fetch.gate import HostGate, host_key, origin
from scraper.fetch.inflate import InflateError, Inflater, inflate, is_gzip

__all__ = [
    "HTML_TYPES",
    "Fetcher",
    "HostGate",
    "InflateError",
    "Inflater",
    "charset_from_content_type",
    "check_text",
    "decided",
    "host_key",
    "inflate",
    "is_gzip",
    "origin",
    "parse_retry_after",
    "resolve_encoding",
]
