"""The cookie policy: none across sites; per site, a bounded jar when the site asks for one.

httpx keeps every cookie any server sets for the whole life of a client and sends it back on
every matching request; a server that sets a new 4 KB cookie on every answer makes each request
larger than the last, until it is refused. So the client's own jar refuses everything
(`no_cookies`), and cookies live only in `SiteJars`:

    a site without `cookies = true`   no cookie is kept or sent (the default)
    a site with `cookies = true`      one `http.cookiejar` jar of its own (RFC 6265 domain,
                                      path, expiry and `Secure` rules), holding at most
                                      `max_cookies` cookies of at most `max_cookie_bytes` in
                                      all; past either, the oldest set go first

A jar never sends one site's cookies to another: each site has its own, and the jar itself
only returns cookies to the domains that set them. Static `Cookie` headers a user configures
are not cookies kept here: they are headers, and sit beside this.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from http.cookiejar import Cookie, CookieJar, CookiePolicy

import httpx

__all__ = ["SiteJars", "no_cookies"]


class _RefuseAll(CookiePolicy):
    """A cookie policy that neither keeps nor returns any cookie."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: Cookie, request: object) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: object) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: object) -> bool:
        return False

    def path_return_ok(self, path: str, request: object) -> bool:
        return False


def no_cookies() -> CookieJar:
    """A jar for the httpx client that keeps nothing: cookies are `SiteJars`' business only.

    A `CookieJar`, not `httpx.Cookies`: the client copies an `httpx.Cookies` into a new jar of
    the default policy, which keeps everything."""
    return CookieJar(policy=_RefuseAll())


_Key = tuple[str, str, str]  # domain, path, name


class _BoundedJar:
    """One site's cookies: at most `max_cookies`, at most `max_bytes` of names and values in all."""

    def __init__(self, max_cookies: int, max_bytes: int) -> None:
        self._cookies = httpx.Cookies()
        self._max_cookies = max_cookies
        self._max_bytes = max_bytes
        self._order: dict[_Key, tuple[int, str | None]] = {}  # when each was (re)set, and to what
        self._clock = itertools.count()

    def add_header(self, request: httpx.Request) -> None:
        self._cookies.set_cookie_header(request)

    def extract(self, response: httpx.Response) -> None:
        self._cookies.extract_cookies(response)
        jar = self._cookies.jar
        held = {(c.domain, c.path, c.name): c for c in jar}
        for key, cookie in held.items():
            seen = self._order.get(key)
            if seen is None or seen[1] != cookie.value:
                self._order[key] = (next(self._clock), cookie.value)
        for key in set(self._order) - set(held):  # expired or deleted by the server
            del self._order[key]
        for key, cookie in held.items():
            if _size(cookie) > self._max_bytes:  # never fits: refused outright, the others stay
                del self._order[key]
                jar.clear(*key)
        held = {key: held[key] for key in self._order}
        size = sum(_size(c) for c in held.values())
        for key in sorted(self._order, key=lambda k: self._order[k][0]):  # oldest first
            if len(self._order) <= self._max_cookies and size <= self._max_bytes:
                break
            size -= _size(held[key])
            del self._order[key]
            jar.clear(*key)

    def __len__(self) -> int:
        return len(self._order)


def _size(cookie: Cookie) -> int:
    return len(cookie.name) + len(cookie.value or "")


class SiteJars:
    """The cookie jars of one run, one per site that keeps cookies.

    `site_of(url)` names the site whose jar a URL uses, or None when cookies are off for it.
    """

    def __init__(self, site_of: Callable[[str], str | None], *, max_cookies: int, max_bytes: int) -> None:
        self._site_of = site_of
        self._max_cookies = max_cookies
        self._max_bytes = max_bytes
        self._jars: dict[str, _BoundedJar] = {}

    def _jar(self, url: str) -> _BoundedJar | None:
        site = self._site_of(url)
        if site is None:
            return None
        jar = self._jars.get(site)
        if jar is None:
            jar = self._jars[site] = _BoundedJar(self._max_cookies, self._max_bytes)
        return jar

    def add_header(self, request: httpx.Request) -> None:
        """Put the site's cookies for this request in its `Cookie` header (none when off)."""
        jar = self._jar(str(request.url))
        if jar is not None:
            jar.add_header(request)

    def extract(self, response: httpx.Response) -> None:
        """Keep what the response's `Set-Cookie` headers set, within the site's bounds."""
        jar = self._jar(str(response.request.url))
        if jar is not None:
            jar.extract(response)

    def held(self, url: str) -> int:
        """How many cookies the jar of `url`'s site holds."""
        jar = self._jars.get(self._site_of(url) or "")
        return len(jar) if jar is not None else 0
