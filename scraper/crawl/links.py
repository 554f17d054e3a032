"""Outgoing links of a page: absolute, normalised, http(s) only. Pure."""

from __future__ import annotations

from scraper import dom
from scraper.dom import parse_html
from scraper.urls import join_url, normalise

_SKIPPED_REL = {"nofollow", "ugc", "sponsored"}


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
