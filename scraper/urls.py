"""Joining a URL a page provides (`href`, `<base href>`, `rel=canonical`) onto the page's own: guarded;
and telling whether a URL's host is one at all (`host_flaw`).

Pages carry template placeholders (`https://[site_url]/x`), bad ports and other strings
`urllib.parse` refuses with `ValueError`. Every join of a page-provided URL goes through
`join_url`, so a broken link is one link skipped, never a crashed page.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urljoin, urlsplit

__all__ = ["host_flaw", "join_url", "url_flaw"]

# The URL standard's forbidden domain code points (WHATWG URL, "host parsing"): no host name
# contains them, though `urllib.parse` hands back "exa mple.com" as a hostname all the same.
_FORBIDDEN_IN_HOST = frozenset(" #%/:<>?@[\\]^|\x7f") | {chr(c) for c in range(0x20)}


def url_flaw(url: str) -> str | None:
    """Why `url` is no usable http(s) URL (a user's START_URL, a URL given to `clean`), or None."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        return f"not a valid URL: {url!r} ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url!r}"
    flaw = host_flaw(parts.hostname)
    return f"not a valid URL: {url!r} ({flaw})" if flaw else None


def join_url(base: str, href: str) -> str | None:
    """`href` resolved against `base`; None when either is not a URL `urllib.parse` can take apart."""
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in 0-65535
    except ValueError:
        return None
    return url


def host_flaw(host: str) -> str | None:
    """Why `host` (a URL's hostname as `urlsplit` gives it) names no host, or None when it may."""
    if ":" in host:  # only an IPv6 literal has colons (urlsplit drops its brackets)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return f"{host!r} is not an IPv6 address"
        return None
    bad = sorted(set(host) & _FORBIDDEN_IN_HOST)
    return f"the host {host!r} contains {', '.join(map(repr, bad))}" if bad else None
