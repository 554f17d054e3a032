"""TOML configuration -> frozen settings records.

Defaults live only in the dataclass fields below. Precedence: field defaults < TOML < CLI flags
(the CLI applies its flags with `dataclasses.replace`). Unknown keys and bad values raise
`ConfigError` naming the key path, e.g. `fetch.max_bytes: must be > 0`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scraper.errors import ConfigError

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


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings:
    """Network limits, retries and per-host politeness."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_redirects: int = 10
    max_bytes: int = 10 * 1024 * 1024
    max_decoded_bytes: int = 50 * 1024 * 1024
    max_attempts: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    max_total_wait: float = 120.0
    max_retry_after: float = 300.0
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    max_connections: int = 32
    # hosts (or IP networks, "10.0.0.0/8") that may be reached at private addresses, besides
    # the hosts of the START_URLs and [[sites]]: the SSRF guard (scraper/fetch/guard.py)
    allow_private: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout", "max_bytes", "max_decoded_bytes"):
            _require(getattr(self, name) > 0, name, "must be > 0")
        for name in ("max_attempts", "per_host_concurrency", "max_connections"):
            _require(getattr(self, name) >= 1, name, "must be >= 1")
        for name in ("max_redirects", "backoff_initial", "backoff_max", "max_total_wait", "max_retry_after"):
            _require(getattr(self, name) >= 0, name, "must be >= 0")
        _require(self.per_host_delay >= 0, "per_host_delay", "must be >= 0")
        _require(bool(self.user_agent.strip()), "user_agent", "must not be empty")
        for entry in self.allow_private:
            _require(
                (bool(entry.strip()) and not any(c in entry for c in " /?#@")) or _is_network(entry),
                "allow_private",
                f"not a host name, address or network: {entry!r}",
            )


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
    prepass: bool = True
    remove: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    timeout: float = 20.0  # seconds one page may take in a worker
    max_memory: int = 2 * 1024**3  # bytes of address space a worker may map (RLIMIT_AS)

    def __post_init__(self) -> None:
        _require(self.timeout > 0, "timeout", "must be > 0")
        # a worker maps about 350 MB of libraries before it reads a page
        _require(self.max_memory >= 512 * 1024**2, "max_memory", "must be >= 536870912 (512 MiB)")
        _require(
            not (self.favor_precision and self.favor_recall),
            "favor_precision",
            "cannot be combined with favor_recall",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreSettings:
    """Where documents are kept."""

    path: str = "data/scraper.db"


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlSettings:
    """Bounds of one crawl run."""

    max_pages: int = 1000
    max_depth: int = 3
    follow_links: bool = True
    sitemaps: bool = True
    feeds: bool = True
    extract: bool = True
    max_sitemap_urls: int = 50_000
    max_discovery_requests: int = 100  # sitemaps and feeds requested per site per run
    max_sitemap_depth: int = 3  # index levels below a sitemap named by robots.txt or the config
    max_crawl_delay: float = 30.0
    host_failure_limit: int = 5
    max_duration: float | None = None
    min_quality: float = 0.0
    revisit: int = 100  # known pages not found again, asked for again per run (oldest first)
    warc_dir: str | None = None  # every fetched response also written here as WARC (off: None)
    warc_max_bytes: int = 1 << 30  # a WARC file is closed and a new one begun past this size

    def __post_init__(self) -> None:
        _require(self.max_pages >= 1, "max_pages", "must be >= 1")
        _require(self.max_depth >= 0, "max_depth", "must be >= 0")
        _require(self.max_sitemap_urls >= 0, "max_sitemap_urls", "must be >= 0")
        _require(self.max_discovery_requests >= 0, "max_discovery_requests", "must be >= 0")
        _require(self.max_sitemap_depth >= 0, "max_sitemap_depth", "must be >= 0")
        _require(self.max_crawl_delay >= 0, "max_crawl_delay", "must be >= 0")
        _require(self.host_failure_limit >= 1, "host_failure_limit", "must be >= 1")
        _require(self.max_duration is None or self.max_duration > 0, "max_duration", "must be > 0")
        _require(0.0 <= self.min_quality <= 1.0, "min_quality", "must be between 0 and 1")
        _require(self.revisit >= 0, "revisit", "must be >= 0")


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """One site to crawl: where to start, what to follow, and site-specific extraction selectors.

    `include` / `exclude` are regular expressions searched in discovered URLs: a URL is followed
    when it matches some `include` (or there are none) and no `exclude`. `feeds` and `sitemaps`
    add to what robots.txt, /sitemap.xml and `<link rel="alternate">` reveal.
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

    def __post_init__(self) -> None:
        _require(bool(self.start_urls), "start_urls", "must list at least one URL")
        for key in ("include", "exclude"):
            for pattern in getattr(self, key):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(key, f"invalid regular expression {pattern!r}: {exc}") from None
        for url in self.start_urls:
            parts = urlsplit(url)
            _require(
                parts.scheme in ("http", "https") and bool(parts.hostname),
                "start_urls",
                f"not an http(s) URL: {url!r}",
            )

    @property
    def all_hosts(self) -> frozenset[str]:
        """The hostnames (ports ignored) whose pages belong to this site."""
        own = {h.lower() for h in self.hosts}
        own.update((urlsplit(u).hostname or "").lower() for u in self.start_urls)
        return frozenset(own - {""})


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything a run needs, read once by the CLI and passed down."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    sites: tuple[Site, ...] = ()

    def site_for(self, url: str | None) -> Site | None:
        host = (urlsplit(url).hostname or "").lower() if url else ""
        return next((s for s in self.sites if host in s.all_hosts), None)

    def extract_for(self, url: str | None) -> ExtractSettings:
        """Extraction settings for one page: the global ones plus its site's selectors."""
        site = self.site_for(url)
        if site is None:
            return self.extract
        return dataclasses.replace(
            self.extract, remove=self.extract.remove + site.remove, keep=self.extract.keep + site.keep
        )


_TABLES: dict[str, type[Any]] = {
    "fetch": FetchSettings,
    "extract": ExtractSettings,
    "store": StoreSettings,
    "crawl": CrawlSettings,
}


def load_settings(path: str | Path | None) -> Settings:
    """Read a TOML file into `Settings`; `None` gives the defaults."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file") from None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"invalid TOML: {exc}") from exc
    return settings_from_dict(raw)


def settings_from_dict(raw: dict[str, Any]) -> Settings:
    """Build `Settings` from parsed TOML, checking every key and value."""
    unknown = set(raw) - set(_TABLES) - {"sites"}
    if unknown:
        raise ConfigError(sorted(unknown)[0], "unknown key")
    tables = {name: _build(cls, raw.get(name, {}), name) for name, cls in _TABLES.items()}
    sites_raw = raw.get("sites", [])
    if not isinstance(sites_raw, list):
        raise ConfigError("sites", "must be an array of tables ([[sites]])")
    sites = tuple(_build(Site, entry, f"sites[{i}]") for i, entry in enumerate(sites_raw))
    return Settings(sites=sites, **tables)


def _build(cls: type[Any], table: object, path: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in names:
            raise ConfigError(f"{path}.{key}", "unknown key")
        values[key] = _coerce(value, hints[key], f"{path}.{key}")
    try:
        return cls(**values)
    except ConfigError as exc:
        raise ConfigError(f"{path}.{exc.key}", exc.reason) from None
    except TypeError as exc:  # a required field is missing
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in values]
        raise ConfigError(f"{path}.{missing[0] if missing else ''}", "is required") from exc


def _coerce(value: object, hint: Any, key: str) -> object:
    """Check one TOML value against a field's type; TOML ints are accepted where floats are."""
    origin = typing.get_origin(hint)
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
