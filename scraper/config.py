"""TOML configuration -> frozen settings records.

Defaults live only in the dataclass fields below. Precedence: field defaults < TOML < CLI flags
(the CLI applies its flags with `dataclasses.replace`). Unknown keys and bad values raise
`ConfigError` naming the key path, e.g. `fetch.max_bytes: must be > 0`.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import ipaddress
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scraper.errors import ConfigError
from scraper.urls import SiteIndex, is_http_url, url_flaw

DEFAULT_USER_AGENT = "scraper/0.1 (+https://github.com/scraper-project/scraper)"


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return False
    return True


def _require(ok: bool, key: str, reason: str) -> None:
    if not ok:
        raise ConfigError(key, reason)


_N = TypeVar("_N", int, float, float | None, int | None)
_DAY = 86_400.0
_GIB = 1024**3


def _bounded(default: _N, low: float, high: float, *, above: bool = False) -> _N:
    """A numeric setting: its default and the range it must lie in, `low` excluded when `above`.

    Every numeric key has an upper bound: a typo such as `per_host_concurrency = 100000` must
    stop at load (exit 2), not take the machine's memory or file descriptors.
    """
    return field(default=default, metadata={"bounds": (low, high, above)})


def _check_bounds(settings: object) -> None:
    for item in dataclasses.fields(settings):  # type: ignore[arg-type]
        if "bounds" not in item.metadata:
            continue
        value = getattr(settings, item.name)
        low, high, above = item.metadata["bounds"]
        if value is None:
            continue
        # written as "not inside" so that nan (valid TOML, false in every comparison) is refused
        if not ((low < value if above else low <= value) and value <= high):
            first = f"> {_number(low)}" if above else f">= {_number(low)}"
            raise ConfigError(item.name, f"must be {first} and <= {_number(high)}, got {_number(value)}")


def _number(value: float) -> str:
    """A bound or a value as written: 3600 for 3600.0, 1e+308 for 1e308 (not its 309 digits)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e16 else str(value)


@functools.lru_cache(maxsize=256)
def _selector_problem(selector: str) -> str | None:
    """Why lexbor (the engine that applies `remove` / `keep`) cannot compile `selector`, if it cannot."""
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError  # noqa: PLC0415  # only with selectors

    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError as exc:
        return str(exc).rstrip(".")
    return None


def _check_selectors(key: str, selectors: tuple[str, ...]) -> None:
    for selector in selectors:
        problem = _selector_problem(selector)
        _require(problem is None, key, f"invalid CSS selector {selector!r}: {problem}")


def _check_header_value(key: str, value: str) -> None:
    """HTTP field values: printable ASCII only (no line breaks, which would split the header)."""
    bad = next((c for c in value if not " " <= c <= "~"), None)
    _require(bad is None, key, f"must be printable ASCII for an HTTP header, found {bad!r}")


class Secret(str):
    """A string that must not be shown: a credential, or any value read from `${ENV_NAME}`.

    It is the value itself wherever it is used (a header, a proxy URL), but its `repr` (in a
    dataclass repr, a log of the settings) is masked, and `secrets_in` finds it so that error
    lines and logs can be scrubbed of it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


def secrets_in(settings: object) -> frozenset[str]:
    """Every secret a settings record holds (and a proxy URL's password), for scrubbing output."""
    found: set[str] = set()
    stack: list[object] = [settings]
    while stack:
        value = stack.pop()
        if isinstance(value, Secret):
            found.add(str.__str__(value))
        if isinstance(value, str):
            password = _url_password(value)
            if password:
                found.add(password)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            stack.extend(getattr(value, f.name) for f in dataclasses.fields(value))
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, tuple):
            stack.extend(value)
    return frozenset(s for s in found if len(s) >= 3)  # "a" would scrub every line


def scrub(text: str, secrets: frozenset[str]) -> str:
    """`text` with every secret replaced by `***` (the longest first: one may contain another)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _url_password(value: str) -> str | None:
    if "://" not in value or "@" not in value:
        return None
    try:
        return urlsplit(value).password
    except ValueError:
        return None


# Headers the fetcher owns or that name the connection, not the request: refused in `headers`.
_REFUSED_HEADERS = {
    "host": "is taken from the URL",
    "connection": "is a hop-by-hop header",
    "keep-alive": "is a hop-by-hop header",
    "proxy-connection": "is a hop-by-hop header",
    "proxy-authenticate": "is a hop-by-hop header",
    "proxy-authorization": "is a hop-by-hop header (put credentials in the proxy URL)",
    "te": "is a hop-by-hop header",
    "trailer": "is a hop-by-hop header",
    "transfer-encoding": "is a hop-by-hop header",
    "upgrade": "is a hop-by-hop header",
    "content-length": "is set by the client",
    "accept-encoding": "is set by the fetcher (only what it can decompress within limits)",
    "user-agent": "has its own key: user_agent",
    "cookie": 'has its own key: cookie = { name = "value" }',
    "authorization": 'has its own key: auth = { bearer = "..." } or { user = "...", password = "..." }',
}
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 field names and cookie names


def _check_headers(key: str, headers: Mapping[str, str]) -> None:
    for name, value in headers.items():
        _require(bool(_TOKEN.fullmatch(name)), f"{key}.{name}", "not a valid header name")
        refused = _REFUSED_HEADERS.get(name.lower())
        _require(refused is None, f"{key}.{name}", f"refused: {refused}")
        _check_header_value(f"{key}.{name}", value)


def _check_cookie(key: str, cookie: Mapping[str, str]) -> None:
    for name, value in cookie.items():
        _require(bool(_TOKEN.fullmatch(name)), f"{key}.{name}", "not a valid cookie name")
        bad = next((c for c in value if not " " < c <= "~" or c in ';,"\\'), None)
        _require(bad is None, f"{key}.{name}", f"a cookie value cannot hold {bad!r}")


def _check_fetch_options(owner: FetchSettings | Site) -> None:
    """The options a `[[sites]]` entry may set as `[fetch]` does, checked alike in both places
    (a site's user_agent may be unset: it then takes [fetch]'s)."""
    if owner.user_agent is not None:
        _require(bool(owner.user_agent.strip()), "user_agent", "must not be empty")
        _check_header_value("user_agent", owner.user_agent)
    _check_proxy("proxy", owner.proxy)
    _check_headers("headers", owner.headers)
    _check_cookie("cookie", owner.cookie)
    _check_auth("auth", owner.auth)


def _check_auth(key: str, auth: Mapping[str, str]) -> None:
    if not auth:
        return
    _require(
        set(auth) in ({"bearer"}, {"user", "password"}),
        key,
        'must be { bearer = "TOKEN" } or { user = "NAME", password = "SECRET" }',
    )
    for name, value in auth.items():
        _check_header_value(f"{key}.{name}", value)
    _require(":" not in auth.get("user", ""), f"{key}.user", "cannot hold ':' (basic auth)")


def _check_proxy(key: str, proxy: str | None) -> None:
    if proxy is None:
        return
    try:
        parts = urlsplit(proxy)
        parts.port  # noqa: B018 - reading the port is what validates it
    except ValueError as exc:
        raise ConfigError(key, f"not a proxy URL: {exc}") from None
    _require(
        is_http_url(proxy),
        key,
        "must be an http:// or https:// proxy URL with a host, e.g. http://proxy.example:3128",
    )


RENDER_EXTRA = "render = true needs the render extra: pip install 'storyscraper[render]'"


def render_available() -> bool:
    """Whether the `render` extra (Playwright) is installed."""
    return importlib.util.find_spec("playwright") is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings:
    """Network limits, retries, per-host politeness, and what every request carries.

    `proxy` routes every request through an HTTP(S) forward proxy (without it, `trust_env`
    reads HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY); `headers`, `cookie` and `auth` are
    sent with every request to a host the user named (`Fetcher._named`). `[[sites]]` may set
    each of them (and `user_agent`, `per_host_delay`, `per_host_concurrency`) for their own
    hosts: see `Settings.fetch_for`.
    """

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = _bounded(10.0, 0, 600, above=True)
    read_timeout: float = _bounded(30.0, 0, 3600, above=True)
    total_timeout: float = _bounded(60.0, 0, 3600, above=True)
    # seconds one URL may take in all: every attempt, redirect hop and wait between attempts
    url_budget: float = _bounded(120.0, 0, _DAY, above=True)
    max_redirects: int = _bounded(10, 0, 30)
    max_bytes: int = _bounded(10 * 1024 * 1024, 0, _GIB, above=True)
    max_decoded_bytes: int = _bounded(50 * 1024 * 1024, 0, 2 * _GIB, above=True)
    max_attempts: int = _bounded(4, 1, 20)
    backoff_initial: float = _bounded(1.0, 0, 3600)
    backoff_max: float = _bounded(30.0, 0, _DAY)
    max_total_wait: float = _bounded(120.0, 0, _DAY)
    max_retry_after: float = _bounded(300.0, 0, _DAY)
    per_host_concurrency: int = _bounded(2, 1, 64)
    per_host_delay: float = _bounded(1.0, 0, 3600)
    max_connections: int = _bounded(32, 1, 512)
    # the jar of a site with `cookies = true` (scraper/fetch/cookies.py): at most this many
    # cookies, and this many bytes of names and values in all; the oldest set go first
    max_cookies: int = _bounded(50, 1, 10_000)
    max_cookie_bytes: int = _bounded(16 * 1024, 64, 1024 * 1024)
    # hosts (or IP networks, "10.0.0.0/8") that may be reached at private addresses, besides
    # the hosts of the START_URLs and [[sites]]: the SSRF guard (scraper/fetch/guard.py)
    allow_private: tuple[str, ...] = ()
    proxy: str | None = None
    trust_env: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    cookie: Mapping[str, str] = field(default_factory=dict)  # static cookies: name = "value"
    auth: Mapping[str, str] = field(default_factory=dict)  # { bearer = ... } or { user, password }
    # rendering ([[sites]] render = true, clean --render): pages are fetched as always, then their
    # scripts run in headless Chromium (scraper/fetch/render.py); the browser, and a page's limits
    render: bool = False
    browser: str = "/usr/bin/chromium"
    render_timeout: float = _bounded(30.0, 0, 600, above=True)
    render_max_memory: int = _bounded(512, 64, 16384)  # MiB of JavaScript heap a page may use

    @property
    def retry_after_limit(self) -> float:
        """The longest Retry-After honoured: `max_retry_after`, never less than `backoff_max`. A
        server asking for no longer than our own backoff would wait after an answer without
        Retry-After is waited out: asking never costs a host more than not asking (with
        `max_retry_after = 0`, a `Retry-After: 1` failed its URL and set its host aside)."""
        return max(self.max_retry_after, self.backoff_max)

    def __post_init__(self) -> None:
        _check_bounds(self)
        _check_fetch_options(self)
        _require(not self.render or render_available(), "render", RENDER_EXTRA)
        for entry in self.allow_private:
            _require(
                (bool(entry.strip()) and not any(c in entry for c in " /?#@")) or _is_network(entry),
                "allow_private",
                f"not a host name, address or network: {entry!r}",
            )


# `[extract] metadata`: the whole page searched as well (the default); the same but a date only
# where the markup states it (no htmldate search); or only what the page states
METADATA_MODES = ("full", "markup", "stated")
# the renderings of the main content a Document can carry besides its text (`Document.markdown`
# and `Document.xml`, which the xml, TEI and html outputs are built from)
FORMS = frozenset({"markdown", "xml"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractSettings:
    """How the main text is told apart from clutter.

    `remove` selectors are deleted before extraction; when a `keep` selector matches, only the
    matching elements are extracted from. Both come from `[extract]` (every page) merged with
    the `[[sites]]` entry whose host matches the page.
    """

    include_comments: bool = False
    include_tables: bool = True
    favor_precision: bool = False
    favor_recall: bool = False
    # what the Markdown and XML keep besides the text, as trafilatura's flags of the same names:
    # links with their targets, images (src and alt), emphasis (bold, italic, ...); the plain
    # text is the same either way
    include_links: bool = False
    include_images: bool = False
    include_formatting: bool = False
    # trafilatura without its fallback extractors (readability, jusText) and no date search in the
    # page text (trafilatura's `fast`); with the block model, the fallbacks are skipped anyway
    fast: bool = False
    # the cascade: the block model's first pass judges the page before trafilatura, whose
    # extraction runs only where that model is unsure (its metadata is read either way)
    cascade: bool = True
    # which metadata is read: "full" searches the whole page as well (htmldate's date search,
    # trafilatura's byline, title, category and tag searches); "markup" searches as "full" does
    # but for a date, read only where the markup states one (JSON-LD, meta tags, the URL, `<time
    # datetime>`): no htmldate; "stated" reads only what the page states (JSON-LD, meta tags,
    # <title>, the canonical link, a date in the URL), for corpora
    metadata: str = "full"
    prepass: bool = True
    remove: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    timeout: float = _bounded(20.0, 0, 3600, above=True)  # seconds one page may take in a worker
    # bytes of address space a worker may map (RLIMIT_AS); a worker maps about 350 MB of
    # libraries before it reads a page, hence the 512 MiB floor
    max_memory: int = _bounded(2 * _GIB, 512 * 1024**2, 64 * _GIB)
    # which of `FORMS` are built: what the run's outputs read (corpus.forms_needed: none for
    # JSON lines and Parquet, both for the store and the Python API); not a key of the file
    forms: frozenset[str] = field(default=FORMS, metadata={"toml": False})

    def __post_init__(self) -> None:
        _check_bounds(self)
        _require(self.forms <= FORMS, "forms", f"unknown form {sorted(self.forms - FORMS)[:1]}")
        _require(
            not (self.favor_precision and self.favor_recall),
            "favor_precision",
            "cannot be combined with favor_recall",
        )
        _check_selectors("remove", self.remove)
        _check_selectors("keep", self.keep)
        _require(self.metadata in METADATA_MODES, "metadata", f"must be one of {list(METADATA_MODES)}")

    @property
    def searches_page(self) -> bool:
        """Whether metadata is also searched for over the whole page (`metadata = "full"` or
        "markup": bylines, titles, categories, `<time>` elements), or only read from what the page
        states ("stated")."""
        return self.metadata != "stated"

    @property
    def searches_date(self) -> bool:
        """Whether htmldate searches the page for a date it does not state (`metadata = "full"`):
        "markup" and "stated" take only the dates the markup states."""
        return self.metadata == "full"


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreSettings:
    """Where documents are kept."""

    path: str = "data/scraper.db"

    def __post_init__(self) -> None:
        _require_path("path", self.path)


def _require_path(key: str, path: str | None) -> None:
    """A path key is never blank: `Path("")` is ".", so `path = ""` named the working folder as
    the store ("cannot open: ."), and `warc_dir = ""` wrote the crawl's WARC files there."""
    _require(path is None or bool(path.strip()), key, "empty path")


# The types a kept (not junk) page can have (scraper/extract/classify.py assigns them).
PAGE_TYPES = ("article", "forum", "product", "documentation", "service", "collection", "listing")


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlSettings:
    """Bounds of one crawl run."""

    max_pages: int = _bounded(1000, 1, 100_000_000)
    max_depth: int = _bounded(3, 0, 1000)
    follow_links: bool = True
    sitemaps: bool = True
    feeds: bool = True
    extract: bool = True
    max_sitemap_urls: int = _bounded(50_000, 0, 10_000_000)
    # links taken from one page (the first, in document order), and URLs one run may queue
    max_links_per_page: int = _bounded(1000, 0, 1_000_000)
    max_frontier_urls: int = _bounded(500_000, 1, 100_000_000)
    # sitemaps and feeds requested per run, per host, and the hosts they may be on
    max_discovery_requests: int = _bounded(1000, 0, 1_000_000)
    max_discovery_per_host: int = _bounded(100, 0, 100_000)
    max_discovery_hosts: int = _bounded(50, 0, 10_000)
    max_sitemap_depth: int = _bounded(
        3, 0, 20
    )  # index levels below a sitemap named by robots.txt or the config
    max_crawl_delay: float = _bounded(30.0, 0, _DAY)
    host_failure_limit: int = _bounded(5, 1, 1_000_000)
    max_duration: float | None = _bounded(None, 0, 30 * _DAY, above=True)
    min_quality: float = _bounded(0.0, 0, 1)
    # known pages not found again, asked for again per run (oldest first)
    revisit: int = _bounded(100, 0, 10_000_000)
    # exit code 1 when more than this share of the run's requested pages failed (0: any failure)
    max_failure_ratio: float = _bounded(0.5, 0, 1)
    warc_dir: str | None = None  # every fetched response also written here as WARC (off: None)
    # a WARC file is closed and a new one begun past this size
    warc_max_bytes: int = _bounded(1 << 30, 0, 1 << 36, above=True)
    # kept pages of these types are stored; the others are only crawled through for their links
    store_page_types: tuple[str, ...] = tuple(t for t in PAGE_TYPES if t != "listing")

    def __post_init__(self) -> None:
        _check_bounds(self)
        _require_path("warc_dir", self.warc_dir)
        unknown = sorted(set(self.store_page_types) - set(PAGE_TYPES))
        _require(
            not unknown, "store_page_types", f"unknown page type {unknown[:1]}: one of {list(PAGE_TYPES)}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """One site to crawl: where to start, what to follow, and site-specific extraction selectors.

    `include` / `exclude` are regular expressions searched in discovered URLs: a URL is followed
    when it matches some `include` (or there are none) and no `exclude`. `feeds` and `sitemaps`
    add to what robots.txt, /sitemap.xml and `<link rel="alternate">` reveal. The fetch keys
    (`proxy` ... `per_host_concurrency`) override `[fetch]` for the site's hosts; `render`
    fetches its pages through headless Chromium (the `render` extra).
    """

    name: str
    start_urls: tuple[str, ...]
    hosts: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    cookies: bool = False  # keep the cookies this site sets, in a bounded jar of its own
    proxy: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    cookie: Mapping[str, str] = field(default_factory=dict)
    auth: Mapping[str, str] = field(default_factory=dict)
    user_agent: str | None = None
    per_host_delay: float | None = _bounded(None, 0, 3600)
    per_host_concurrency: int | None = _bounded(None, 1, 64)
    render: bool | None = None

    def __post_init__(self) -> None:
        _check_bounds(self)
        _require(bool(self.start_urls), "start_urls", "must list at least one URL")
        _require(not self.render or render_available(), "render", RENDER_EXTRA)
        _check_fetch_options(self)
        for key in ("include", "exclude"):
            for pattern in getattr(self, key):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(key, f"invalid regular expression {pattern!r}: {exc}") from None
        _check_selectors("remove", self.remove)
        _check_selectors("keep", self.keep)
        for url in self.start_urls:
            check_start_url(url)


def site_for(sites: tuple[Site, ...], url: str | None) -> Site | None:
    """The configured site `url` belongs to: the crawl's own rule (`urls.SiteIndex`)."""
    return _site_index(sites).site_of(url) if url and sites else None


_SITE_INDEXES: dict[int, tuple[tuple[Site, ...], SiteIndex[Site]]] = {}  # by id: Site holds dicts


def _site_index(sites: tuple[Site, ...]) -> SiteIndex[Site]:
    held = _SITE_INDEXES.get(id(sites))
    if held is None or held[0] is not sites:
        if len(_SITE_INDEXES) >= 16:
            _SITE_INDEXES.clear()
        held = _SITE_INDEXES[id(sites)] = (sites, SiteIndex((s, s.start_urls, s.hosts) for s in sites))
    return held[1]


def check_start_url(url: str) -> None:
    """Raise `ConfigError` (key `start_urls`) unless `url` is a well-formed http(s) URL."""
    problem = url_flaw(url)
    if problem:  # "http://exa mple.com/" would otherwise fail later, as a DNS error
        raise ConfigError("start_urls", problem)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything a run needs, read once by the CLI and passed down."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    sites: tuple[Site, ...] = ()

    def site_for(self, url: str | None) -> Site | None:
        return site_for(self.sites, url)

    def fetch_for(self, url: str | None) -> FetchSettings:
        """Fetch settings for one URL: the global ones with its site's fetch keys over them."""
        return site_fetch(self.fetch, self.site_for(url))

    def extract_for(self, url: str | None) -> ExtractSettings:
        """Extraction settings for one page: the global ones plus its site's selectors."""
        site = self.site_for(url)
        if site is None:
            return self.extract
        return dataclasses.replace(
            self.extract, remove=self.extract.remove + site.remove, keep=self.extract.keep + site.keep
        )


_SITE_FETCH_KEYS = ("proxy", "user_agent", "per_host_delay", "per_host_concurrency", "render")


def site_fetch(fetch: FetchSettings, site: Site | None) -> FetchSettings:
    """`fetch` as it applies to `site`'s hosts: the keys the site sets win; `headers` and
    `cookie` are merged (the site's names over the global ones), `auth` is replaced."""
    if site is None:
        return fetch
    changes: dict[str, Any] = {k: getattr(site, k) for k in _SITE_FETCH_KEYS if getattr(site, k) is not None}
    if site.headers:
        own = {name.lower() for name in site.headers}
        changes["headers"] = {
            **{k: v for k, v in fetch.headers.items() if k.lower() not in own},
            **site.headers,
        }
    if site.cookie:
        changes["cookie"] = {**fetch.cookie, **site.cookie}
    if site.auth:
        changes["auth"] = site.auth
    return dataclasses.replace(fetch, **changes) if changes else fetch


_TABLES: dict[str, type[Any]] = {
    "fetch": FetchSettings,
    "extract": ExtractSettings,
    "store": StoreSettings,
    "crawl": CrawlSettings,
}


_MAX_CONFIG_BYTES = 4 * 1024 * 1024  # a configuration of ten thousand sites is a few hundred KiB


def load_settings(path: str | Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read a TOML file into `Settings`; `None` gives the defaults.

    `${NAME}` in a `proxy`, `headers`, `cookie` or `auth` value is replaced by the environment
    variable NAME (`environ`, else the process environment); one that is not set is an error.
    A `ConfigError` names the file, and the key where one is at fault (`PATH: fetch.max_byts`).
    """
    if path is None:
        return Settings()
    path = Path(path)
    try:
        with path.open("rb") as fh:  # bounded: `--config /dev/zero` read until memory ran out
            data = fh.read(_MAX_CONFIG_BYTES + 1)
        if len(data) > _MAX_CONFIG_BYTES:
            raise ConfigError(str(path), f"larger than {_MAX_CONFIG_BYTES} bytes: not a configuration")
        raw = tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file") from None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"invalid TOML: {exc}") from exc
    try:
        return settings_from_dict(raw, environ)
    except ConfigError as exc:  # the key alone: which of the user's files held it was left to guess
        raise ConfigError(f"{path}: {exc.key}" if exc.key else str(path), exc.reason) from None


def settings_from_dict(raw: dict[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
    """Build `Settings` from parsed TOML, checking every key and value."""
    env = os.environ if environ is None else environ
    unknown = set(raw) - set(_TABLES) - {"sites"}
    if unknown:
        raise ConfigError(sorted(unknown)[0], "unknown key")
    tables = {name: _build(cls, raw.get(name, {}), name, env) for name, cls in _TABLES.items()}
    sites_raw = raw.get("sites", [])
    if not isinstance(sites_raw, list):
        raise ConfigError("sites", "must be an array of tables ([[sites]])")
    sites = tuple(_build(Site, entry, f"sites[{i}]", env) for i, entry in enumerate(sites_raw))
    return Settings(sites=sites, **tables)


# keys whose values may name environment variables, and those whose values are always secret
_ENV_KEYS = frozenset({"proxy", "headers", "cookie", "auth"})
_SECRET_KEYS = frozenset({"cookie", "auth"})
_ENV_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand(value: str, key: str, env: Mapping[str, str], *, secret: bool) -> str:
    """`${NAME}` replaced by the variable's value; the result is a `Secret` if any was, or if
    the key holds secrets anyway."""
    missing = next((m[1] for m in _ENV_NAME.finditer(value) if m[1] not in env), None)
    if missing is not None:
        raise ConfigError(key, f"environment variable {missing} is not set")
    expanded = _ENV_NAME.sub(lambda m: env[m[1]], value)
    return Secret(expanded) if secret or expanded != value else expanded


def _build(cls: type[Any], table: object, path: str, env: Mapping[str, str] | None = None) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.metadata.get("toml", True)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in names:
            raise ConfigError(f"{path}.{key}", "unknown key")
        values[key] = _coerce(value, hints[key], f"{path}.{key}")
        if key in _ENV_KEYS and env is not None:
            values[key] = _expand_all(values[key], f"{path}.{key}", env, secret=key in _SECRET_KEYS)
    try:
        return cls(**values)
    except ConfigError as exc:
        raise ConfigError(f"{path}.{exc.key}", exc.reason) from None
    except TypeError as exc:  # a required field is missing
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in values]
        raise ConfigError(f"{path}.{missing[0] if missing else ''}", "is required") from exc


def _expand_all(value: object, key: str, env: Mapping[str, str], *, secret: bool) -> object:
    if isinstance(value, str):
        return _expand(value, key, env, secret=secret)
    if isinstance(value, dict):
        return {k: _expand(v, f"{key}.{k}", env, secret=secret) for k, v in value.items()}
    return value


def _coerce(value: object, hint: Any, key: str) -> object:
    """Check one TOML value against a field's type; TOML ints are accepted where floats are."""
    origin = typing.get_origin(hint)
    if origin is Mapping:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(key, 'must be a table of strings, e.g. { name = "value" }')
        return dict(value)
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(key, "must be a list of strings")
        return tuple(value)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value  # type: ignore[arg-type]
    else:
        ok = isinstance(value, hint)
    if not ok:
        raise ConfigError(key, f"must be {getattr(hint, '__name__', hint)}, got {type(value).__name__}")
    return value
