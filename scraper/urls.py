"""Joining a URL a page provides (`href`, `<base href>`, `rel=canonical`) onto the page's own: guarded.

Pages carry template placeholders (`https://[site_url]/x`), bad ports and other strings
`urllib.parse` refuses with `ValueError`. Every join of a page-provided URL goes through
`join_url`, so a broken link is one link skipped, never a crashed page.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

__all__ = ["join_url"]


def join_url(base: str, href: str) -> str | None:
    """`href` resolved against `base`; None when either is not a URL `urllib.parse` can take apart."""
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in 0-65535
    except ValueError:
        return None
    return url
