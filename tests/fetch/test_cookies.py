"""The cookie policy against real servers: no cookies across sites by default, a bounded jar per
site that asks for one (scraper/fetch/cookies.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

from scraper.config import Site
from tests.crawl.test_engine import crawl, make_settings
from tests.factories import article
from tests.httpserver import LocalServer, Request, Route

PAGES = 20


def _cookie_site(server: LocalServer) -> None:
    """Every answer sets a new 4 KB cookie; the home page links to PAGES stories."""
    counter = itertools.count()

    def page(title: str, links: tuple[str, ...] = ()) -> object:
        def answer(_request: Request) -> Route:
            headers = {
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": f"c{next(counter)}={'x' * 4096}; Path=/",
            }
            return Route(body=article(title, links=links), headers=headers)

        return answer

    stories = tuple(f"/s{i}" for i in range(PAGES))
    server.routes["/"] = page("Home", stories)  # type: ignore[assignment]
    server.routes.update({path: page(f"Story {path}") for path in stories})  # type: ignore[misc]


def _cookie_headers(server: LocalServer) -> list[str]:
    return [r.headers.get("cookie", "") for r in server.requests]


def test_no_cookie_is_kept_or_sent_by_default(tmp_path: Path, server: LocalServer) -> None:
    """A site without `cookies = true` never gets a cookie back, however many it sets."""
    _cookie_site(server)
    settings = make_settings(tmp_path)

    report = crawl(settings, server.url("/"))

    assert report.new == PAGES + 1
    assert not any(_cookie_headers(server))


def test_a_site_jar_stays_within_its_bounds(tmp_path: Path, server: LocalServer) -> None:
    """With `cookies = true` the site's cookies come back, but the Cookie header never passes
    `max_cookie_bytes` (plus its separators), and only the newest cookies are kept."""
    _cookie_site(server)
    settings = make_settings(tmp_path, fetch={"max_cookie_bytes": 10_000, "max_cookies": 50})
    site = Site(name="cookies", start_urls=(server.url("/"),), cookies=True)

    report = crawl(settings, sites=(site,))

    assert report.new == PAGES + 1
    sent = _cookie_headers(server)
    assert sum(bool(h) for h in sent) >= PAGES  # the jar is used...
    assert max(len(h) for h in sent) <= 10_000 + 2 * 50  # ... and bounded
    assert all(h.count("=") <= 2 for h in sent)  # 2 cookies of 4 KB fit in 10,000 bytes, 3 do not


def test_cookies_of_one_site_are_not_sent_to_another(tmp_path: Path) -> None:
    """Two sites on one machine (two ports): the first's cookies never reach the second, even when
    the second keeps cookies of its own."""
    with LocalServer() as a, LocalServer() as b:
        _cookie_site(a)
        b.routes["/"] = Route(body=article("B home"))
        settings = make_settings(tmp_path)
        sites = (
            Site(name="a", start_urls=(a.url("/"),), cookies=True),
            Site(name="b", start_urls=(b.url("/"),), cookies=True),
        )

        crawl(settings, sites=sites)

        assert any(_cookie_headers(a))
        assert not any(_cookie_headers(b))
