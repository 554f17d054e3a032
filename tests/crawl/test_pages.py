"""What a crawl makes of pages that are not stories: JavaScript shells, bare link pages, dead links.

Against a real loopback server (tests/httpserver.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scraper.cli import cli
from scraper.store.documents import Store
from tests.crawl.test_engine import crawl, make_settings
from tests.factories import article
from tests.httpserver import LocalServer, Route

SHELL = (
    "<html><head><title>Harbour News</title><script src='/static/app.js'></script></head><body>"
    "<noscript>You need to enable JavaScript to run this app.</noscript><div id='root'></div></body></html>"
)


def bare_links(count: int) -> str:
    items = "".join(f"<p><a href='/s/{i}'>Section {i}</a></p>" for i in range(count))
    return f"<html><head><title>Index</title></head><body>{items}</body></html>"


def stored_urls(path: str) -> set[str]:
    with Store(path) as store:
        return {d.url for d in store.latest() if d.url}


def test_a_javascript_shell_is_reported_not_stored(tmp_path: Path, server: LocalServer) -> None:
    """A client-rendered page is skipped as 'needs JavaScript'; its links (none) and the rest go on."""
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/app",))),
            "/app": Route(200, SHELL),
        }
    )
    settings = make_settings(tmp_path)
    report = crawl(settings, server.url("/"))
    assert report.skipped == {"needs JavaScript": 1}
    assert report.new == 1
    assert stored_urls(settings.store.path) == {server.url("/")}


def test_a_page_of_bare_links_is_a_listing_not_an_article(tmp_path: Path, server: LocalServer) -> None:
    """Eight links and no prose: crawled through for its links, not stored as an article."""
    links = {f"/s/{i}": Route(200, article(f"Story {i}")) for i in range(8)}
    server.routes.update({"/robots.txt": Route(404), "/": Route(200, bare_links(8)), **links})
    settings = make_settings(tmp_path)
    report = crawl(settings, server.url("/"))
    assert report.skipped == {"page type listing not in store_page_types": 1}
    assert report.new == 8
    assert server.url("/") not in stored_urls(settings.store.path)


def test_dead_links_are_counted_by_referrer_not_failed(tmp_path: Path, server: LocalServer) -> None:
    """Links answering 404/410 are dead links, named with the page linking to them; the run exits 0
    even with max_failure_ratio 0, and the log lists at most 10 of them."""
    dead = tuple(f"/gone/{i}" for i in range(12))
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/story", "/removed"))),
            "/story": Route(200, article("Story", links=dead)),
            "/removed": Route(410, b"gone"),
        }
    )
    config = tmp_path / "scraper.toml"
    config.write_text(
        f'[fetch]\nper_host_delay = 0\n[crawl]\nmax_failure_ratio = 0\n[store]\npath = "{tmp_path / "db"}"\n'
    )
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli, ["crawl", "--config", str(config), "--report", str(report_path), server.url("/")]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert report["dead_links"] == 13 and report["failed"] == {} and report["failed_pages"] == 0
    by_page = {d["url"]: d["linked_from"] for d in report["dead_link_list"]}
    assert by_page[server.url("/removed")] == server.url("/")
    assert by_page[server.url("/gone/3")] == server.url("/story")
    assert result.output.count("  dead link ") == 10
    assert "... 3 more dead links" in result.output


def test_a_dead_start_url_is_still_a_failure_and_a_known_page_is_gone(
    tmp_path: Path, server: LocalServer
) -> None:
    """A start URL answering 404 fails the run; a page stored before that now answers 404 is gone."""
    server.routes.update({"/robots.txt": Route(404), "/start": Route(404, b"no")})
    settings = make_settings(tmp_path)
    report = crawl(settings, server.url("/start"))
    assert report.failed == {"HTTP 404": 1} and report.dead_links == 0
    server.routes.update(
        {"/": Route(200, article("Home", links=("/story",))), "/story": Route(200, article("Story"))}
    )
    assert crawl(settings, server.url("/")).new == 2
    server.routes["/story"] = Route(404, b"no")
    again = crawl(settings, server.url("/"))
    assert again.gone == 1 and again.dead_links == 0
