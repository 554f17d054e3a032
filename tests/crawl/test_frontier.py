"""What a crawl may visit: sites from the command line, scope by host and port, patterns, run identity."""

from __future__ import annotations

import dataclasses

import pytest

from scraper.config import CrawlSettings, Settings, Site
from scraper.crawl.frontier import Scope, crawl_sites, run_params, seeds
from scraper.errors import ConfigError
from scraper.models import FrontierItem, Kind, Via

NEWS = Site(
    name="news",
    start_urls=("https://news.example/",),
    hosts=("cdn.news.example",),
    feeds=("https://news.example/feed.xml",),
    include=(r"/20\d\d/",),
    exclude=(r"/tag/",),
)


def test_without_start_urls_the_configured_sites_are_crawled() -> None:
    """No START_URL: the [[sites]] of the configuration."""
    settings = Settings(sites=(NEWS,))
    assert crawl_sites(settings, ()) == (NEWS,)


def test_start_urls_become_sites() -> None:
    """Each START_URL host is a site (URLs on one host share it); a configured host keeps its settings."""
    settings = Settings(sites=(NEWS,))
    sites = crawl_sites(
        settings,
        [
            "http://127.0.0.1:8001/",
            "http://127.0.0.1:8001/b",
            "http://127.0.0.1:8002/",
            "https://news.example/2025/",
        ],
    )
    assert [s.start_urls for s in sites] == [
        ("http://127.0.0.1:8001/", "http://127.0.0.1:8001/b"),
        ("http://127.0.0.1:8002/",),
        ("https://news.example/2025/",),
    ]
    assert sites[2].feeds == NEWS.feeds and sites[2].include == NEWS.include


def test_a_bad_start_url_is_a_config_error() -> None:
    """A START_URL that is not http(s) is refused before anything runs."""
    with pytest.raises(ConfigError, match="not an http"):
        crawl_sites(Settings(), ["ftp://files.example/"])


def test_scope_tells_ports_apart_but_not_schemes() -> None:
    """An explicit port is another host; http and https of one host are one site; `hosts` match any port."""
    local = Site(name="local", start_urls=("http://127.0.0.1:8001/",))
    scope = Scope((local, NEWS))
    assert scope.site_of("http://127.0.0.1:8001/x") is local
    assert scope.site_of("http://127.0.0.1:8002/x") is None
    assert scope.site_of("http://news.example/2025/a") is NEWS
    assert scope.site_of("https://cdn.news.example:8443/img") is NEWS
    assert scope.seed_hosts == frozenset({"127.0.0.1:8001", "news.example:443"})


def test_patterns_and_same_site_links() -> None:
    """Discovered pages must match an include and no exclude, and links stay on their page's site."""
    local = Site(name="local", start_urls=("http://127.0.0.1:8001/",))
    scope = Scope((local, NEWS))
    items = [
        FrontierItem(url=url, via=Via.LINK, depth=1)
        for url in (
            "https://news.example/2025/story",
            "https://news.example/about",
            "https://news.example/2025/tag/x",
            "http://127.0.0.1:8001/page",
            "http://elsewhere.example/",
        )
    ]
    assert [i.url for i in scope.pages(items)] == [
        "https://news.example/2025/story",
        "http://127.0.0.1:8001/page",
    ]
    assert [i.url for i in scope.pages(items, within=local)] == ["http://127.0.0.1:8001/page"]


def test_seeds_are_start_urls_and_configured_sitemaps_and_feeds() -> None:
    """The first frontier holds the start pages and the documents the configuration names."""
    site = dataclasses.replace(NEWS, sitemaps=("https://news.example/map.xml",))
    assert seeds([site]) == [
        FrontierItem(url="https://news.example/", kind=Kind.PAGE, via=Via.SEED),
        FrontierItem(url="https://news.example/map.xml", kind=Kind.SITEMAP, via=Via.SEED),
        FrontierItem(url="https://news.example/feed.xml", kind=Kind.FEED, via=Via.SEED),
    ]


def test_run_params_ignore_the_time_limit() -> None:
    """The same sites and bounds make the same run; a time limit does not, other bounds do."""
    base = Settings(crawl=CrawlSettings(max_pages=10))
    timed = Settings(crawl=CrawlSettings(max_pages=10, max_duration=60.0))
    assert run_params(base, (NEWS,)) == run_params(timed, (NEWS,))
    assert run_params(base, (NEWS,)) != run_params(Settings(crawl=CrawlSettings(max_pages=11)), (NEWS,))
    assert run_params(base, (NEWS,)) != run_params(base, (dataclasses.replace(NEWS, exclude=()),))
