"""Outgoing links of a page: absolute, normalised, http(s) only. Pure."""

from __future__ import annotations

from urllib.parse import urldefrag, urlsplit

from courlan import normalize_url

from scraper import dom
from scraper.extract import parse_html
from scraper.urls import host_flaw, join_url

_SKIPPED_REL = {"nofollow", "ugc", "sponsored"}


def normalise(url: str) -> str | None:
    """A canonical spelling of an http(s) URL (courlan), or None when it is not one.

    Never raises: a URL a server sent may be anything ("http://[::1/", "http://host:99999/").
    """
    try:  # urllib raises ValueError for what is no URL ("https://[site_url]/", bad ports)
        url = urldefrag(url.strip())[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or host_flaw(parts.hostname):
            return None
        parts.port  # noqa: B018 - reading the port is what validates it
        normal = str(normalize_url(url, strict=False))
        urlsplit(normal).port  # noqa: B018 - and courlan's spelling of it
    except ValueError:
        return None
    return normal


def extract_links(html: str, base_url: str, *, limit: int | None = None) -> list[str]:
    """Every followable link of the page (the first `limit` of them), in document order, without duplicates.

    `<base href>` is honoured; `rel=nofollow` links and non-http(s) schemes (mailto:,
    javascript:, tel:, data:) are left out. Raises `ExtractionError` if the parser gives up.
    """
    tree = parse_html(html, base_url)
    base_url = dom.base_url(tree, base_url)
    seen: dict[str, None] = {}
    for node in tree.css("a[href], area[href]"):
        rel = set((node.attributes.get("rel") or "").lower().split())
        if rel & _SKIPPED_REL:
            continue
        href = node.attributes.get("href") or ""
        absolute = join_url(base_url, href)  # None for a broken link: skipped, not fatal
        url = normalise(absolute) if absolute is not None else None
        if url is not None:
            seen.setdefault(url, None)
            if limit is not None and len(seen) >= limit:
                break
    return list(seen)
