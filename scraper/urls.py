"""The URL rules every stage shares: joining a URL a page provides (`href`, `<base href>`,
`rel=canonical`) onto the page's own, guarded; whether a URL or its host is one at all
(`url_flaw`, `host_flaw`); a URL's origin and site key; and which site a URL belongs to
(`SiteIndex`), for the crawl's scope and the per-site settings alike.

Pages carry template placeholders (`https://[site_url]/x`), bad ports and other strings
`urllib.parse` refuses with `ValueError`. Every join of a page-provided URL goes through
`join_url`, so a broken link is one link skipped, never a crashed page.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from typing import Generic, TypeVar, overload
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

__all__ = [
    "SiteIndex",
    "default_port",
    "host_flaw",
    "host_key",
    "host_origin",
    "is_http_url",
    "is_safe_link",
    "join_http",
    "join_url",
    "normalise",
    "origin",
    "redacted",
    "site_key",
    "url_flaw",
]

T = TypeVar("T")
_MAX_ORIGINS = 10_000  # scheme://netloc lookups a SiteIndex remembers (links to other sites are many)

# C0 controls and DEL: no URL holds one unescaped (WHATWG's parser strips or refuses them)
_CONTROLS = frozenset(map(chr, [*range(0x20), 0x7F]))
_A_CONTROL = re.compile(f"[{re.escape(''.join(sorted(_CONTROLS)))}]")  # one of them, to escape
# The URL standard's forbidden domain code points (WHATWG URL, "host parsing"): no host name
# contains them, though `urllib.parse` hands back "exa mple.com" as a hostname all the same.
_FORBIDDEN_IN_HOST = frozenset(" #%/:<>?@[\\]^|") | _CONTROLS


def url_flaw(url: str) -> str | None:
    """Why `url` is no usable http(s) URL (a user's START_URL, a URL given to `clean`), or None.
    A control character (a line break, a NUL) is in no URL: `urlsplit` drops tabs and line breaks,
    so "http://a.example/\n" passed and a record's `url` carried the line break as given."""
    controls = sorted(set(url) & _CONTROLS)
    if controls:
        return f"not a valid URL: {url!r} (contains {', '.join(map(repr, controls))})"
    try:
        parts = urlsplit(url)
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        return f"not a valid URL: {url!r} ({exc})"
    if not is_http_url(url):
        return f"not an http(s) URL: {url!r}"
    flaw = host_flaw(parts.hostname or "")
    return f"not a valid URL: {url!r} ({flaw})" if flaw else None


def is_http_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host: the one test of it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


# A link target's scheme, as a browser reads it: C0 controls and spaces around it stripped, tabs and
# line breaks anywhere removed (WHATWG URL parsing), so "  JaVa\tScRiPt:" is javascript:
_LINK_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_C0_OR_SPACE = "".join(map(chr, range(0x21)))  # what a browser strips around a URL


def is_safe_link(target: str) -> bool:
    """Whether a page's link target may be written into our output (HTML, Markdown, XML, TEI):
    a relative URL, a fragment, or an http(s) or mailto URL. A `javascript:`, `vbscript:` or
    `data:` link is script a reader of the output runs on a click, wherever the page put it."""
    read = re.sub(r"[\t\n\r]", "", target).strip(_C0_OR_SPACE)
    scheme = _LINK_SCHEME.match(read)
    return scheme is None or scheme[1].lower() in _SAFE_LINK_SCHEMES


def join_http(base: str, href: str) -> str | None:
    """`href` resolved against `base`, kept only if the result is an absolute http(s) URL; read as
    a browser's URL parser reads it (WHATWG URL): the C0 controls and spaces around it dropped, and
    the controls inside it percent-encoded (a BEL in "/ab": "/a%07b"), None where its host holds one.
    A page's canonical link or <base href> so gives a record no control character (a BEL, an
    escape sequence), as its text holds none (`dom.without_controls`)."""
    url = join_url(base, href.strip(_C0_OR_SPACE))
    if url is None or not is_http_url(url):
        return None
    if _CONTROLS.isdisjoint(url):
        return url
    if host_flaw(urlsplit(url).hostname or ""):
        return None
    return _A_CONTROL.sub(lambda found: f"%{ord(found[0]):02X}", url)


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
        from courlan import normalize_url  # noqa: PLC0415  # courlan loads only where links are read

        normal = str(normalize_url(_without_session(url), strict=False))
        urlsplit(normal).port  # noqa: B018 - and courlan's spelling of it
    except ValueError:
        return None
    return normal


# Session ids that servers put in URLs: one page under a new URL per visitor. courlan drops
# "session..." and tracking parameters already; these are the other well-known names. (Any other
# spelling still stores its text once: the crawl state keeps one copy of a text per site.)
_SESSION_PARAMS = frozenset(
    {"phpsessid", "jsessionid", "aspsessionid", "sessid", "sessionid", "session_id", "zenid", "oscsid"}
)


def _without_session(url: str) -> str:
    """`url` without session-id query parameters or `;jsessionid=` path parameters."""
    parts = urlsplit(url)
    path, query = parts.path, parts.query
    if ";" in path:
        head, *params = path.split(";")
        path = ";".join([head, *(p for p in params if p.split("=", 1)[0].lower() not in _SESSION_PARAMS)])
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(name, value) for name, value in pairs if name.lower() not in _SESSION_PARAMS]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    if (path, query) == (parts.path, parts.query):
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


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


def origin(url: str) -> str:
    """`scheme://netloc` of a URL, cut where `urlsplit` ends the netloc (the first / ? or #)."""
    start = url.find("://") + 3
    end = len(url)
    for mark in "/?#":
        found = url.find(mark, start, end)
        if found >= 0:
            end = found
    return url[:end]


def host_origin(key: str) -> str:
    """The origin a `host:port` key stands for (`https://` for 443, `http://` else), so a host
    key finds its site as a URL of that host does."""
    host, _, port = key.rpartition(":")
    host = f"[{host}]" if ":" in host else host
    return (
        f"https://{host}" if port == "443" else f"http://{host}" if port == "80" else f"http://{host}:{port}"
    )


def host_key(host_or_url: str) -> str:
    """`hostname:port` (lowercased) of a URL, or of a bare `host:port`: how politeness, the
    frontier and the store key hosts (two servers on one machine are two hosts).

    Raises ValueError when there is no hostname, or no port and no scheme to imply one.
    """
    if "://" in host_or_url:
        # only `scheme://netloc` matters, and a crawl meets few of them: parse each once
        return _host_key(origin(host_or_url))
    return _host_key(host_or_url)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def default_port(scheme: str) -> int | None:
    """The port a URL of `scheme` (any case) names when it names none: 80 or 443; None for others."""
    return _DEFAULT_PORTS.get(scheme.lower())


@functools.lru_cache(maxsize=4096)
def _host_key(host_or_url: str) -> str:
    is_url = "://" in host_or_url
    parts = urlsplit(host_or_url if is_url else f"//{host_or_url}")
    port = parts.port or default_port(parts.scheme)
    if not parts.hostname or port is None:
        raise ValueError(f"cannot tell host and port of {host_or_url!r}")
    return f"{parts.hostname.lower()}:{port}"


def site_key(url: str) -> str:
    """The lowercased hostname, plus the port only when the URL names one: how sites are named.

    Politeness keys hosts with the port always filled in (`host_key`); a site name keeps the
    URL's own spelling, so `example.com` stays `example.com`. Raises ValueError for a bad port.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


class SiteIndex(Generic[T]):
    """Which site a URL belongs to: the one rule, for the crawl's scope and the per-site settings.

    A URL belongs to a site when its `site_key` is the key of one of the site's start URLs (an
    explicit port makes another site: two servers on one machine are two sites), or when its
    hostname is one of the site's `hosts` (any port). The first site listed wins.
    """

    def __init__(self, sites: Iterable[tuple[T, Iterable[str], Iterable[str]]]) -> None:
        """`sites`: (site, its start URLs, its host names)."""
        self._by_key: dict[str, T] = {}
        self._by_name: dict[str, T] = {}
        self._seen: dict[str, T | None] = {}  # scheme://netloc -> its site
        for site, start_urls, hosts in sites:
            for url in start_urls:
                try:
                    self._by_key.setdefault(site_key(url), site)
                except ValueError:  # a start URL too broken to name a site names none
                    continue
            for host in hosts:
                self._by_name.setdefault(host.lower(), site)

    def site_of(self, url: str) -> T | None:
        """The site `url` belongs to, or None (also for what is no URL)."""
        # a sitemap lists thousands of URLs on a handful of hosts: look each scheme://netloc up once
        start = origin(url)
        if start not in self._seen:
            if len(self._seen) > _MAX_ORIGINS:
                self._seen.clear()
            self._seen[start] = self._lookup(start)
        return self._seen[start]

    def _lookup(self, start: str) -> T | None:
        try:
            key, host = site_key(start), (urlsplit(start).hostname or "").lower()
        except ValueError:
            return None
        return self._by_key.get(key) or self._by_name.get(host)


# the authority of a URL written in a text, after its "://": up to the path, query, fragment, a
# space or a quote. Found from the "://" on, never from a scheme's start: a search from every
# letter that might start a scheme read "a.a.a.a..." (a 900 KB URL a server sent) in square time
_AUTHORITY = re.compile(r"""://([^\s/?#"'<>]*)""")


@overload
def redacted(text: str) -> str: ...
@overload
def redacted(text: None) -> None: ...
def redacted(text: str | None) -> str | None:
    """`text` with the password of every URL in it replaced by `***` ("https://user:***@host/"):
    the one rule for what the scraper shows or writes of a URL it was given (error lines, logs,
    reports, records). The user name stays, to tell which account was used."""
    return _AUTHORITY.sub(_without_password, text) if text and "@" in text else text


def _without_password(found: re.Match[str]) -> str:
    """An authority with its password as `***`: the user info is up to its last "@" (a raw "@"
    in a password is read so by urlsplit too), the password after the user name's ":"."""
    user, at, host = found.group(1).rpartition("@")
    if not at or ":" not in user:
        return found.group(0)
    return f"://{user.split(':', 1)[0]}:***@{host}"
