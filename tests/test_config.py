"""Configuration: TOML into frozen settings, every bad key named."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from scraper.config import (
    CrawlSettings,
    ExtractSettings,
    FetchSettings,
    Settings,
    load_settings,
    settings_from_dict,
)
from scraper.crawl import Scope
from scraper.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_without_a_file() -> None:
    """No config file gives the dataclass defaults."""
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.fetch.max_bytes == 10 * 1024 * 1024
    assert settings.fetch.per_host_concurrency == 2
    assert settings.fetch.per_host_delay == 1.0
    assert settings.store.path == "data/scraper.db"


@pytest.mark.parametrize("name", ["scraper.toml", "demo.toml"])
def test_bundled_configs_load(name: str) -> None:
    """The committed example configurations are valid."""
    settings = load_settings(ROOT / "config" / name)
    assert settings.sites


def test_toml_values_override_defaults(tmp_path: Path) -> None:
    """Keys present in the file replace defaults; ints are accepted for float keys."""
    path = tmp_path / "c.toml"
    path.write_text("[fetch]\nper_host_delay = 2\nmax_attempts = 7\n[crawl]\nmax_pages = 5\n")
    settings = load_settings(path)
    assert settings.fetch.per_host_delay == 2.0
    assert settings.fetch.max_attempts == 7
    assert settings.crawl.max_pages == 5
    assert settings.fetch.read_timeout == FetchSettings().read_timeout


def test_metadata_is_full_unless_stated(tmp_path: Path) -> None:
    """`[extract] metadata` is "full" by default, and "stated" when the file says so."""
    path = tmp_path / "c.toml"
    path.write_text('[extract]\nmetadata = "stated"\n')
    assert load_settings(None).extract.metadata == "full"
    assert load_settings(path).extract.metadata == "stated"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"fetchh": {}}, "fetchh"),
        ({"fetch": {"max_byte": 1}}, "fetch.max_byte"),
        ({"fetch": {"max_bytes": "big"}}, "fetch.max_bytes"),
        ({"fetch": {"max_bytes": -1}}, "fetch.max_bytes"),
        ({"fetch": {"max_attempts": True}}, "fetch.max_attempts"),
        ({"extract": {"remove": "nav"}}, "extract.remove"),
        ({"extract": {"favor_precision": True, "favor_recall": True}}, "extract.favor_precision"),
        ({"extract": {"metadata": "some"}}, "extract.metadata"),
        ({"extract": {"metadata": True}}, "extract.metadata"),
        ({"extract": {"forms": ["xml"]}}, "extract.forms"),
        ({"crawl": {"max_pages": 0}}, "crawl.max_pages"),
        ({"crawl": {"store_page_types": ["article", "blog"]}}, "crawl.store_page_types"),
        ({"sites": [{"name": "a"}]}, "sites[0].start_urls"),
        ({"sites": [{"name": "a", "start_urls": ["ftp://x/"]}]}, "sites[0].start_urls"),
        ({"sites": [{"name": "a", "start_urls": ["http://a/"], "colour": 1}]}, "sites[0].colour"),
        ({"sites": {"name": "a"}}, "sites"),
        ({"store": 3}, "store"),
    ],
)
def test_bad_keys_and_values_name_the_key(raw: dict[str, object], key: str) -> None:
    """Every invalid key or value raises ConfigError whose key is the offending path."""
    with pytest.raises(ConfigError) as info:
        settings_from_dict(raw)
    assert info.value.key == key
    assert key in str(info.value)


@pytest.mark.parametrize("endless", [False, True], ids=["huge-file", "dev-zero"])
def test_a_config_is_read_bounded(tmp_path: Path, endless: bool) -> None:
    """`--config /dev/zero` (or a huge file named by mistake, a log, a dump) was read whole into
    memory until the process was killed: a configuration is read to 4 MiB, and more is a
    ConfigError naming the file."""
    if endless:
        path = Path("/dev/zero")
        if not path.exists():
            pytest.skip("no /dev/zero here")
    else:
        path = tmp_path / "huge.toml"
        path.write_bytes(b"# padding\n" * (512 * 1024))
    with pytest.raises(ConfigError, match="larger than 4194304 bytes") as info:
        load_settings(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[fetch]\nper_host_delay = "x"\n', "fetch.per_host_delay: must be float, got str"),
        ("[fetch]\nmax_byts = 1\n", "fetch.max_byts: unknown key"),
        (
            '[[sites]]\nname = "a"\nstart_urls = ["http://a/"]\nremove = ["div["]\n',
            "sites[0].remove: invalid",
        ),
        ('[fetch]\nauth = { bearer = "${NOT_SET_ANYWHERE}" }\n', "fetch.auth.bearer: environment variable"),
    ],
)
def test_a_bad_key_in_a_file_names_the_file_and_the_key(tmp_path: Path, text: str, says: str) -> None:
    """An error in a file's keys named the key alone (`config fetch.per_host_delay: ...`), which
    of several configurations held it left to guess: the file comes first, then the key."""
    path = tmp_path / "site.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert str(info.value).startswith(f"{path}: {says}")


def test_missing_file_and_invalid_toml(tmp_path: Path) -> None:
    """A missing file or broken TOML is a ConfigError naming the file."""
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[fetch\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(bad)


def test_site_selectors_merge_into_extract_settings() -> None:
    """A page of a configured site gets the global selectors plus its site's, matched by host."""
    settings = settings_from_dict(
        {
            "extract": {"remove": [".ad"]},
            "sites": [
                {
                    "name": "n",
                    "start_urls": ["https://news.example/"],
                    "remove": [".promo"],
                    "keep": ["article"],
                }
            ],
        }
    )
    merged = settings.extract_for("https://NEWS.example/story")
    assert merged.remove == (".ad", ".promo")
    assert merged.keep == ("article",)
    assert settings.extract_for("https://other.example/").remove == (".ad",)
    assert settings.extract_for(None).remove == (".ad",)


def test_two_sites_on_one_host_each_get_their_own_selectors() -> None:
    """The crawl's site-of rule decides the selectors too: an explicit port makes another site,
    a configured `hosts` name matches any port (site b's pages got site a's `remove` before)."""
    settings = settings_from_dict(
        {
            "sites": [
                {"name": "a", "start_urls": ["http://127.0.0.1:8001/"], "remove": [".a-only"]},
                {"name": "b", "start_urls": ["http://127.0.0.1:8002/"], "remove": [".b-only"]},
                {"name": "c", "start_urls": ["https://c.example/"], "hosts": ["cdn.example"]},
            ]
        }
    )
    assert settings.extract_for("http://127.0.0.1:8002/story").remove == (".b-only",)
    assert settings.extract_for("http://127.0.0.1:8001/story").remove == (".a-only",)
    assert settings.site_for("http://127.0.0.1:8003/") is None
    assert settings.site_for("http://cdn.example:8080/x") is settings.sites[2]
    assert settings.site_for("https://c.example:8443/x") is None
    scope = Scope(settings.sites)
    for url in ("http://127.0.0.1:8002/s", "http://127.0.0.1:8003/", "http://cdn.example:8080/x", "ftp://x"):
        assert scope.site_of(url) is settings.site_for(url), url


def test_settings_are_frozen() -> None:
    """Settings cannot be changed after loading; the CLI uses dataclasses.replace."""
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.fetch.max_bytes = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        ({"extract": {"remove": ["div["]}}, "extract.remove", "invalid CSS selector 'div['"),
        ({"extract": {"keep": ["article", "p::before"]}}, "extract.keep", "invalid CSS selector 'p::before'"),
        (
            {"sites": [{"name": "a", "start_urls": ["http://a/"], "remove": [".ok", "#"]}]},
            "sites[0].remove",
            "invalid CSS selector '#'",
        ),
        ({"sites": [{"name": "a", "start_urls": ["http://a/"], "keep": [">>>"]}]}, "sites[0].keep", "'>>>'"),
    ],
)
def test_css_selectors_are_compiled_at_load(raw: dict[str, object], key: str, reason: str) -> None:
    """A selector lexbor cannot compile stops the load, naming its key, instead of failing every page."""
    with pytest.raises(ConfigError) as info:
        settings_from_dict(raw)
    assert info.value.key == key
    assert reason in info.value.reason


@pytest.mark.parametrize("agent", ["scrapér/1.0", "bot/1\r\nX-Injected: 1", "bot/1\nx", "bot\x00", "bot\t1"])
def test_user_agent_must_be_a_valid_header_value(agent: str) -> None:
    """A non-ASCII or control character (CR, LF, NUL, tab) in user_agent is refused at load."""
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"fetch": {"user_agent": agent}})
    assert info.value.key == "fetch.user_agent"
    assert "printable ASCII" in info.value.reason


def _numeric_keys() -> list[tuple[str, str]]:
    keys = []
    for table, cls in (("fetch", FetchSettings), ("extract", ExtractSettings), ("crawl", CrawlSettings)):
        hints = typing.get_type_hints(cls)
        for item in dataclasses.fields(cls):
            hint = hints[item.name]
            if hint in (int, float, float | None, int | None):
                keys.append((table, item.name))
    return keys


@pytest.mark.parametrize(("table", "name"), _numeric_keys())
def test_every_numeric_key_has_an_upper_bound(table: str, name: str) -> None:
    """An absurd value for any numeric key is refused at load with its key named (no 100000 connections)."""
    with pytest.raises(ConfigError) as info:
        settings_from_dict({table: {name: 10**12}})
    assert info.value.key == f"{table}.{name}"
    assert "<=" in info.value.reason


def test_the_per_host_concurrency_of_the_report_is_refused() -> None:
    """`per_host_concurrency = 100000` (739 MB when it was accepted) stops at load; the bound is accepted."""
    with pytest.raises(ConfigError, match=r"fetch.per_host_concurrency: must be >= 1 and <= 64, got 100000"):
        settings_from_dict({"fetch": {"per_host_concurrency": 100_000}})
    assert settings_from_dict({"fetch": {"per_host_concurrency": 64}}).fetch.per_host_concurrency == 64


@pytest.mark.parametrize("ratio", [-0.1, 1.5])
def test_max_failure_ratio_is_a_share(ratio: float) -> None:
    """[crawl] max_failure_ratio is between 0 and 1 (default 0.5)."""
    assert CrawlSettings().max_failure_ratio == 0.5
    with pytest.raises(ConfigError, match=r"crawl\.max_failure_ratio"):
        settings_from_dict({"crawl": {"max_failure_ratio": ratio}})


def _float_keys() -> list[tuple[str, str]]:
    return [
        (table, name)
        for table, name in _numeric_keys()
        if float in typing.get_args(_hint(table, name)) or _hint(table, name) is float
    ]


def _hint(table: str, name: str) -> object:
    cls = {"fetch": FetchSettings, "extract": ExtractSettings, "crawl": CrawlSettings}[table]
    return typing.get_type_hints(cls)[name]


@pytest.mark.parametrize(("table", "name"), _float_keys())
def test_nan_is_refused_for_every_float_key(table: str, name: str) -> None:
    """TOML's `nan` compares false with both bounds: `per_host_delay = nan` was accepted, and
    `max_duration = nan` ended every crawl at once with exit 0."""
    with pytest.raises(ConfigError) as info:
        settings_from_dict({table: {name: float("nan")}})
    assert info.value.key == f"{table}.{name}"
    assert "got nan" in info.value.reason


@pytest.mark.parametrize(
    "proxy", ["http://proxy.example:3128", "HTTP://proxy.example:3128", "https://p.example"]
)
def test_a_proxy_is_an_http_url_by_the_one_test_of_it(proxy: str) -> None:
    """A proxy URL is checked by `urls.is_http_url`, as every http(s) URL is: either scheme, in any
    case (httpx takes `HTTP://`), and a host."""
    assert FetchSettings(proxy=proxy).proxy == proxy


@pytest.mark.parametrize("proxy", ["socks5://proxy.example:1080", "http://", "proxy.example:3128"])
def test_a_proxy_that_is_no_http_url_is_refused(proxy: str) -> None:
    """Anything else is one configuration error naming the key."""
    with pytest.raises(ConfigError, match="must be an http:// or https:// proxy URL"):
        FetchSettings(proxy=proxy)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"store": {"path": ""}}, "store.path"),
        ({"store": {"path": "   "}}, "store.path"),
        ({"crawl": {"warc_dir": ""}}, "crawl.warc_dir"),
    ],
)
def test_an_empty_path_key_is_refused(raw: dict[str, object], key: str) -> None:
    """`Path("")` is ".": `[store] path = ""` named the working folder as the store ("cannot open:
    ."; blank, "no store at    "), and `[crawl] warc_dir = ""` wrote the crawl's WARC files into
    the working folder. Each is the key's error, "empty path"."""
    with pytest.raises(ConfigError, match="empty path") as info:
        settings_from_dict(raw)
    assert info.value.key == key


@pytest.mark.parametrize(("value", "written"), [(1e308, "1e+308"), (-1e20, "-1e+20"), (7200.0, "7200")])
def test_an_out_of_range_float_is_quoted_as_written(value: float, written: str) -> None:
    """`timeout = 1e308` was refused as "got 1000000...", all 309 digits of it."""
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"extract": {"timeout": value}})
    assert info.value.reason.endswith(f"got {written}")
