"""What a crawl may visit: its sites, their scope and URL patterns, its seeds, and its identity.

Pure: no network, no database. A URL belongs to a site when its host is the host of one of the
site's start URLs (an explicit port makes a different host: two servers on one machine are two
sites) or one of its configured `hosts` (any port). Discovered URLs must then pass the site's
`include` / `exclude` patterns; start URLs and configured sitemaps and feeds always do.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from scraper.config import FetchSettings, Settings, Site
from scraper.fetch import SiteJars
from scraper.models import FrontierItem, Kind, Via
from scraper.urls import SiteIndex, host_key, normalise, site_key

__all__ = ["Scope", "SourceBudget", "cookie_jars", "crawl_sites", "named_hosts", "run_params", "seeds"]


def crawl_sites(settings: Settings, start_urls: Sequence[str]) -> tuple[Site, ...]:
    """The sites of a run: the configured `[[sites]]`, or one per START_URL argument.

    A START_URL whose host a configured site covers keeps that site's feeds, sitemaps and
    patterns (with the START_URLs as its start); any other is a site of its own, whose
    robots.txt, sitemaps and feeds are discovered. Raises `ConfigError` for a bad URL.
    """
    if not start_urls:
        return settings.sites
    chosen: dict[str, tuple[Site, list[str]]] = {}
    for url in start_urls:
        # start URLs on one host make one site, so each follows the links of the others' pages
        site = settings.site_for(url) or Site(name=site_key(url), start_urls=(url,))
        _, urls = chosen.setdefault(site.name, (site, []))
        if url not in urls:
            urls.append(url)
    return tuple(dataclasses.replace(site, start_urls=tuple(urls)) for site, urls in chosen.values())


def run_params(settings: Settings, sites: Sequence[Site]) -> str:
    """What makes two crawl commands "the same", as canonical JSON: a run left unfinished by
    one is resumed by the other. Time limits, the exit-code threshold and the store path are
    not part of it."""
    crawl = dataclasses.asdict(settings.crawl)
    crawl.pop("max_duration")
    crawl.pop("max_failure_ratio")
    shown = [
        {
            key: list(getattr(site, key))
            for key in ("start_urls", "hosts", "feeds", "sitemaps", "include", "exclude")
        }
        for site in sites
    ]
    return json.dumps({"crawl": crawl, "sites": shown}, sort_keys=True, separators=(",", ":"))


def named_hosts(sites: Iterable[Site]) -> frozenset[str]:
    """What the user named: the URLs of start pages, configured feeds and sitemaps, and `hosts`.

    The SSRF guard lets these be reached at private addresses (a crawl of a local site works),
    each on its own port: a URL's, or 80 and 443 for a bare name in `hosts`.
    """
    named = {host.lower() for site in sites for host in site.hosts}
    named.update(url for site in sites for url in (*site.start_urls, *site.feeds, *site.sitemaps))
    return frozenset(named - {""})


def cookie_jars(scope: Scope, fetch: FetchSettings) -> SiteJars:
    """The run's cookie jars: one for each site with `cookies = true`, none for anything else."""

    def site_of(url: str) -> str | None:
        site = scope.site_of(url)
        return site.name if site is not None and site.cookies else None

    return SiteJars(site_of, max_cookies=fetch.max_cookies, max_bytes=fetch.max_cookie_bytes)


def seeds(sites: Iterable[Site]) -> list[FrontierItem]:
    """The first frontier of a run: start URLs, and the sitemaps and feeds the sites name."""
    found: list[FrontierItem] = []
    for site in sites:
        for urls, kind in (
            (site.start_urls, Kind.PAGE),
            (site.sitemaps, Kind.SITEMAP),
            (site.feeds, Kind.FEED),
        ):
            for url in urls:
                normal = normalise(url)
                if normal is not None:
                    found.append(FrontierItem(url=normal, kind=kind, via=Via.SEED))
    return found


class Scope:
    """Which site a URL belongs to, and whether a discovered URL is worth queueing."""

    def __init__(self, sites: Sequence[Site]) -> None:
        self.sites = tuple(sites)
        self._index = SiteIndex((site, site.start_urls, site.hosts) for site in self.sites)
        self._patterns: dict[str, tuple[list[re.Pattern[str]], list[re.Pattern[str]]]] = {}
        self.seed_hosts: frozenset[str] = frozenset(
            host_key(url) for site in self.sites for url in site.start_urls
        )
        for site in self.sites:
            self._patterns[site.name] = (
                [re.compile(p) for p in site.include],
                [re.compile(p) for p in site.exclude],
            )

    def site_of(self, url: str) -> Site | None:
        """The site `url` belongs to, or None when it is out of every site's scope (`SiteIndex`)."""
        return self._index.site_of(url)

    def admits(self, url: str, site: Site) -> bool:
        """Whether a discovered URL passes its site's include / exclude patterns."""
        include, exclude = self._patterns[site.name]
        if include and not any(p.search(url) for p in include):
            return False
        return not any(p.search(url) for p in exclude)

    def pages(self, items: Iterable[FrontierItem], *, within: Site | None = None) -> tuple[FrontierItem, ...]:
        """The discovered pages in scope (of site `within`, when given) that its patterns admit."""
        kept: list[FrontierItem] = []
        for item in items:
            site = self.site_of(item.url)
            if site is None or (within is not None and site is not within):
                continue
            if self.admits(item.url, site):
                kept.append(item)
        return tuple(kept)


class SourceBudget:
    """Sitemap and feed requests of one run, each charged once against three budgets.

    A discovered sitemap or feed is queued only when it is in the crawl's scope (a `Scope` site:
    an index or a robots.txt cannot aim the crawl at other hosts), not deeper than `max_depth`
    index levels, and while the run has requests left: `per_run` in all, `per_host` per host,
    on at most `hosts` hosts. A URL is charged once, however often it is listed, so an index
    listing itself or its parent (a cycle) costs nothing more and is never read twice. Pages
    pass through untouched (the scope filters them elsewhere).
    """

    def __init__(self, scope: Scope, *, per_run: int, per_host: int, hosts: int, max_depth: int) -> None:
        self._scope = scope
        self.per_run = per_run
        self.per_host = per_host
        self.hosts = hosts
        self.max_depth = max_depth
        self.used = 0
        self._per_host: Counter[str] = Counter()
        self._seen: set[str] = set()

    def load(self, urls: Iterable[str]) -> None:
        """Charge the sitemaps and feeds already in the frontier (a new run's seeds, a resumed run's)."""
        for url in urls:
            if url not in self._seen:
                self._charge(url)

    def take(self, items: Iterable[FrontierItem]) -> tuple[tuple[FrontierItem, ...], str | None]:
        """The items to queue, and what was left out and why (None when nothing was)."""
        kept: list[FrontierItem] = []
        listed = 0
        why: Counter[str] = Counter()
        for item in items:
            if item.kind is Kind.PAGE or item.url in self._seen:
                kept.append(item)
                continue
            listed += 1
            limit = self._limit(item)
            if limit is not None:
                why[limit] += 1
                continue
            self._charge(item.url)
            kept.append(item)
        if not why:
            return tuple(kept), None
        reasons = ", ".join(why)
        return tuple(kept), f"sitemaps and feeds left out: {why.total()} of {listed} listed ({reasons})"

    def _limit(self, item: FrontierItem) -> str | None:
        """Which rule leaves a discovered sitemap or feed out, or None when it may be read."""
        if self._scope.site_of(item.url) is None:
            return "not in the crawl's scope"
        if item.kind is Kind.SITEMAP and item.depth > self.max_depth:
            return f"max_sitemap_depth = {self.max_depth}"
        host = host_key(item.url)
        if self.used >= self.per_run:
            return f"max_discovery_requests = {self.per_run} per run"
        if self._per_host[host] >= self.per_host:
            return f"max_discovery_per_host = {self.per_host}"
        if host not in self._per_host and len(self._per_host) >= self.hosts:
            return f"max_discovery_hosts = {self.hosts}"
        return None

    def _charge(self, url: str) -> None:
        self._seen.add(url)
        self.used += 1
        self._per_host[host_key(url)] += 1
