"""Rendering through a real headless Chromium (Debian's, driven by Playwright): `make test-render`.

A local site whose story only exists once a script has written it: rendered, the crawl stores
the story; fetched plainly, it is a JavaScript shell. The browser's own requests pass the SSRF
guard; a page that never finishes, or is disallowed by robots.txt, fails or is skipped alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import FetchSettings, Settings, Site
from scraper.errors import ConfigError
from scraper.fetch.client import Fetcher
from scraper.store.documents import Store
from tests.crawl.test_engine import crawl, make_settings
from tests.httpserver import LocalServer, Route
from tests.proxy import LocalProxy

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium"),
]
pytest.importorskip("playwright")

STORY = "The harbour committee met on Tuesday evening to agree the dredging plans and the ferry timetable."
SCRIPT = """
const root = document.getElementById('root');
fetch('/api/story').then(r => r.json()).then(story => {
  root.innerHTML = '<article><h1>' + story.title + '</h1>' +
    story.paragraphs.map(p => '<p>' + p + '</p>').join('') + '</article>';
  new Image().src = '{SECRET}';
});
"""
SHELL = (
    "<html><head><title>Harbour News</title><script src='/app.js' defer></script></head><body>"
    "<noscript>You need to enable JavaScript to run this app.</noscript><div id='root'></div>"
    "<a href='/private'>Members</a></body></html>"
)
API = (
    '{"title": "Dredging plans agreed", "paragraphs": ['
    + ", ".join(f'"{STORY} Part {i} of the story, with more detail on the costs."' for i in range(5))
    + "]}"
)


@pytest.fixture
def inner() -> Iterator[LocalServer]:
    """A host no one named, on another loopback address: the page's script must not reach it."""
    with LocalServer({"/secret": Route(200, b"secret")}, host="127.0.0.2") as srv:
        yield srv


@pytest.fixture
def site(server: LocalServer, inner: LocalServer) -> LocalServer:
    server.routes.update(
        {
            "/robots.txt": Route(200, "User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"}),
            "/": Route(200, SHELL),
            "/private": Route(200, SHELL),
            "/app.js": Route(
                200, SCRIPT.replace("{SECRET}", inner.url("/secret")), {"Content-Type": "text/javascript"}
            ),
            "/api/story": Route(200, API, {"Content-Type": "application/json"}),
        }
    )
    return server


def _settings(tmp_path: Path, server: LocalServer, **site: object) -> Settings:
    base = make_settings(tmp_path, fetch={"render_timeout": 20.0})
    chosen = Site(name="js", start_urls=(server.url("/"),), **site)  # type: ignore[arg-type]
    return Settings(fetch=base.fetch, store=base.store, crawl=base.crawl, sites=(chosen,))


def _texts(settings: Settings) -> dict[str, str]:
    with Store(settings.store.path) as store:
        return {d.url or "": d.text for d in store.latest()}


def test_rendering_gets_the_story_the_plain_fetch_calls_a_shell(
    tmp_path: Path, site: LocalServer, inner: LocalServer
) -> None:
    """render = true stores the story the script wrote; without it the page is 'needs JavaScript';
    the script's request to a private host no one named never leaves the browser."""
    plain = _settings(tmp_path / "plain", site)
    report = crawl(plain, sites=plain.sites)
    assert report.skipped == {"needs JavaScript": 1} and report.new == 0
    rendered = _settings(tmp_path / "rendered", site, render=True)
    report = crawl(rendered, sites=rendered.sites)
    assert report.new == 1, report
    assert report.skipped_robots == 1  # its link to /private, disallowed
    assert STORY in _texts(rendered)[site.url("/")]
    assert len(site.hits("/api/story")) == 1  # the browser's own request, through the guard
    assert inner.requests == []
    assert site.hits("/private") == []  # robots.txt holds for rendered sites too


def test_a_page_that_never_settles_fails_alone(tmp_path: Path, site: LocalServer) -> None:
    """A script that spins forever fails its page at render_timeout; the crawl goes on."""
    site.routes["/"] = Route(200, SHELL.replace("</body>", "<a href='/spin'>spin</a></body>"))
    site.routes["/spin"] = Route(200, "<html><body><script>while (true) {}</script></body></html>")
    base = _settings(tmp_path, site, render=True)
    settings = dataclasses.replace(base, fetch=dataclasses.replace(base.fetch, render_timeout=4.0))
    report = crawl(settings, sites=settings.sites)
    assert report.new == 1
    assert report.failed == {"render failed": 1}
    assert any("render_timeout" in f.reason for f in report.failures)


def test_clean_render_through_a_proxy(site: LocalServer) -> None:
    """clean --render --proxy: the page and the requests its script makes go through the proxy."""
    with LocalProxy() as proxy:
        result = CliRunner().invoke(cli, ["clean", "--render", "--proxy", proxy.url, site.url("/")])
    assert result.exit_code == 0, result.output
    assert STORY in result.output
    forwarded = {f.target for f in proxy.seen}
    assert site.url("/") in forwarded  # the page, fetched by the fetcher
    assert site.url("/api/story") in forwarded  # and the browser's own request


def test_a_browser_that_cannot_start_is_a_configuration_error(server: LocalServer) -> None:
    """A wrong [fetch] browser path ends the run with a config error naming the key."""
    server.routes["/"] = Route(200, SHELL)
    settings = FetchSettings(render=True, browser="/nonexistent/chromium", per_host_delay=0)

    async def go() -> None:
        async with Fetcher(settings, trusted=[server.url("/")]) as fetcher:
            await fetcher.fetch(server.url("/"))

    with pytest.raises(ConfigError, match=r"fetch\.browser"):
        asyncio.run(go())
