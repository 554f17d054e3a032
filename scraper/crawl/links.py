"""Outgoing links of a page: absolute, normalised, http(s) only. Pure."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from courlan import normalize_url
from selectolax.lexbor import LexborHTMLParser

_SKIPPED_REL = {"nofollow", "ugc", "sponsored"}


def normalise(url: str) -> str | None:
    """A canonical spelling of an http(s) URL (courlan), or None when it is not one.

    Never raises: a URL a server sent may be anything ("http://[::1/", "http://host:99999/").
    """
    try:
        url = urldefrag(url.strip())[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        parts.port  # noqa: B018 - reading the port is what validates it
        normal = str(normalize_url(url, strict=False))
        urlsplit(normal).port  # noqa: B018 - and courlan's spelling of it
    except ValueError:
        return None
    return normal


def site_key(url: str) -> str:
    """The lowercased hostname, plus the port only when the URL names one: how sites are named.

    Politeness keys hosts with the port always filled in (`hosts.host_key`); a site name keeps
    the URL's own spelling, so `example.com` stays `example.com`.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def extract_links(html: str, base_url: str) -> list[str]:
    """Every followable link of the page, in document order, without duplicates.

    `<base href>` is honoured; `rel=nofollow` links and non-http(s) schemes (mailto:,
    javascript:, tel:, data:) are left out.
    """
    tree = LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base_url = urljoin(base_url, base_node.attributes.get("href") or "")
    seen: dict[str, None] = {}
    for node in tree.css("a[href], area[href]"):
        rel = set((node.attributes.get("rel") or "").lower().split())
        if rel & _SKIPPED_REL:
            continue
        href = node.attributes.get("href") or ""
        try:
            absolute = urljoin(base_url, href)
        except ValueError:  # e.g. a malformed IPv6 literal: a broken link is skipped, not fatal
            continue
        url = normalise(absolute)
        if url is not None:
            seen.setdefault(url, None)
    return list(seen)
