"""What a request carries and how it travels: proxies, headers, cookies, auth, per-site politeness.

Against real loopback servers and a real forward proxy (tests/proxy.py) that records what it forwarded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import FetchSettings, Settings, Site, settings_from_dict
from scraper.errors import ConfigError, FetchError, PermanentFetchError
from scraper.fetch.client import Fetcher
from scraper.fetch.gate import HostGate
from scraper.fetch.politeness import Politeness
from scraper.models import FetchedPage
from tests.crawl.test_engine import crawl, make_settings
from tests.factories import article
from tests.httpserver import LocalServer, Route
from tests.proxy import LocalProxy

FAST = {"per_host_delay": 0.0, "max_attempts": 1, "read_timeout": 5.0}


@pytest.fixture
def inner() -> Iterator[LocalServer]:
    """A server on another loopback address: a host no one named."""
    with LocalServer(host="127.0.0.2") as srv:
        yield srv


@pytest.fixture
def proxy() -> Iterator[LocalProxy]:
    with LocalProxy() as running:
        yield running


def fetch(settings: Settings, url: str, *, trusted: tuple[str, ...] = ()) -> FetchedPage:
    async def go() -> FetchedPage:
        async with Fetcher(settings.fetch, sites=settings.sites, trusted=trusted or (url,)) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


def settings(
    fetch: dict[str, object] | None = None, sites: list[dict[str, object]] | None = None
) -> Settings:
    return settings_from_dict({"fetch": {**FAST, **(fetch or {})}, "sites": sites or []}, environ={})


# --- proxies --------------------------------------------------------------------------------


def test_requests_go_through_the_configured_proxy(server: LocalServer, proxy: LocalProxy) -> None:
    """With [fetch] proxy, the page is asked of the proxy, which forwards it to the server."""
    server.routes["/page"] = Route(200, article("Through"))
    page = fetch(settings({"proxy": proxy.url}), server.url("/page"))
    assert page.status == 200 and b"Through" in page.body
    assert [(f.method, f.target) for f in proxy.seen] == [("GET", server.url("/page"))]
    assert len(server.hits("/page")) == 1


def test_proxy_credentials_come_from_its_url(server: LocalServer) -> None:
    """user:password in the proxy URL becomes Proxy-Authorization; a proxy that wants them gets them."""
    server.routes["/page"] = Route(200, article("Member"))
    with LocalProxy(credentials="me:s3cret-pw") as guarded:
        url = guarded.url.replace("http://", "http://me:s3cret-pw@")
        assert fetch(settings({"proxy": url}), server.url("/page")).status == 200
        with pytest.raises(FetchError, match="HTTP 407") as refused:
            fetch(settings({"proxy": guarded.url}), server.url("/page"))
    assert "s3cret-pw" not in refused.value.reason


def test_a_proxy_that_is_down_is_named_in_the_reason(server: LocalServer) -> None:
    """A proxy that refuses connections fails the page as the proxy's failure, naming its host and
    port (never its password), not as the site's 'cannot connect'."""
    server.routes["/page"] = Route(200, article("Unreached"))
    with socket.socket() as closed:  # a port nothing listens on once the socket is closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(FetchError) as refused:
        fetch(settings({"proxy": f"http://me:s3cret-pw@127.0.0.1:{port}"}), server.url("/page"))
    assert refused.value.reason == f"proxy failed: cannot connect to 127.0.0.1:{port} (Connection refused)"
    assert server.hits("/page") == []


def test_a_site_has_its_own_proxy(server: LocalServer, inner: LocalServer, proxy: LocalProxy) -> None:
    """[[sites]] proxy applies to that site's hosts only; others go direct."""
    server.routes["/a"] = Route(200, article("Proxied"))
    inner.routes["/b"] = Route(200, article("Direct"))
    chosen = settings(sites=[{"name": "p", "start_urls": [server.url("/a")], "proxy": proxy.url}])
    fetch(chosen, server.url("/a"))
    fetch(chosen, inner.url("/b"))
    assert [f.target for f in proxy.seen] == [server.url("/a")]
    assert len(inner.hits("/b")) == 1


def test_environment_proxies_only_with_trust_env(
    server: LocalServer, proxy: LocalProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is used when trust_env = true, not otherwise; NO_PROXY bypasses it."""
    server.routes["/page"] = Route(200, article("Env"))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    fetch(settings(), server.url("/page"))
    assert proxy.seen == []
    fetch(settings({"trust_env": True}), server.url("/page"))
    assert [f.target for f in proxy.seen] == [server.url("/page")]
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    fetch(settings({"trust_env": True}), server.url("/page"))
    assert len(proxy.seen) == 1 and len(server.hits("/page")) == 3


def test_the_ssrf_guard_holds_through_a_proxy(
    server: LocalServer, inner: LocalServer, proxy: LocalProxy
) -> None:
    """A redirect to a private host the user did not name is refused before the proxy is asked."""
    inner.routes["/secret"] = Route(200, article("Secret"))
    server.routes["/go"] = Route(302, b"", {"Location": inner.url("/secret")})
    with pytest.raises(PermanentFetchError, match="private address refused"):
        fetch(settings({"proxy": proxy.url}), server.url("/go"), trusted=(server.url("/"),))
    assert [f.target for f in proxy.seen] == [server.url("/go")]
    assert inner.requests == []


def test_crawl_through_a_proxy(tmp_path: Path, server: LocalServer, proxy: LocalProxy) -> None:
    """A whole crawl (robots.txt, pages) goes through the proxy."""
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/story",))),
            "/story": Route(200, article("Story")),
        }
    )
    report = crawl(make_settings(tmp_path, fetch={"proxy": proxy.url}), server.url("/"))
    assert report.new == 2
    assert {server.url("/"), server.url("/story"), server.url("/robots.txt")} <= {
        f.target for f in proxy.seen
    }


# --- headers, cookies, auth -----------------------------------------------------------------


def test_headers_cookie_and_auth_are_sent_to_the_site_only(server: LocalServer, inner: LocalServer) -> None:
    """A site's headers, cookie and bearer token go to its host, not to the host it redirects to."""
    server.routes["/go"] = Route(302, b"", {"Location": inner.url("/elsewhere")})
    server.routes["/page"] = Route(200, article("Members"))
    inner.routes["/elsewhere"] = Route(200, article("Elsewhere"))
    chosen = settings(
        {"headers": {"Accept-Language": "de"}},
        [
            {
                "name": "members",
                "start_urls": [server.url("/")],
                "headers": {"X-Team": "news"},
                "cookie": {"session": "abc123"},
                "auth": {"bearer": "tok-123456"},
                "user_agent": "memberbot/1.0",
            }
        ],
    )
    fetch(chosen, server.url("/page"))
    fetch(chosen, server.url("/go"), trusted=(server.url("/"), inner.url("/")))
    sent = server.hits("/page")[0].headers
    assert sent["x-team"] == "news" and sent["accept-language"] == "de"
    assert sent["cookie"] == "session=abc123"
    assert sent["authorization"] == "Bearer tok-123456"
    assert sent["user-agent"] == "memberbot/1.0"
    elsewhere = inner.hits("/elsewhere")[0].headers
    assert "authorization" not in elsewhere and "cookie" not in elsewhere and "x-team" not in elsewhere
    assert elsewhere["accept-language"] == "de"  # [fetch] headers: that host is named too (trusted)
    assert elsewhere["user-agent"].startswith("scraper/")


def test_the_global_headers_auth_and_cookie_go_only_to_the_hosts_named(
    server: LocalServer, inner: LocalServer
) -> None:
    """[fetch] headers, auth and cookie go to the hosts the user named, never to a host a redirect
    leads to (they did, as curl and requests never send them). A header holding a `${NAME}` secret
    (an API key) went to every host, the way auth did before it was scoped."""
    server.routes["/go"] = Route(302, b"", {"Location": inner.url("/elsewhere")})
    inner.routes["/elsewhere"] = Route(200, article("Elsewhere"))
    chosen = settings_from_dict(
        {
            "fetch": {
                **FAST,
                "allow_private": ["127.0.0.2"],  # reachable, yet not named
                "auth": {"user": "ann", "password": "pw-1234"},
                "cookie": {"session": "abc123"},
                "headers": {"Accept-Language": "de", "X-Api-Key": "${API_KEY}"},
            }
        },
        environ={"API_KEY": "key-98765"},
    )
    fetch(chosen, server.url("/go"))
    sent = server.hits("/go")[0].headers
    assert sent["authorization"] == "Basic YW5uOnB3LTEyMzQ=" and sent["cookie"] == "session=abc123"
    assert sent["x-api-key"] == "key-98765" and sent["accept-language"] == "de"
    elsewhere = inner.hits("/elsewhere")[0].headers
    assert "authorization" not in elsewhere and "cookie" not in elsewhere
    assert "x-api-key" not in elsewhere and "accept-language" not in elsewhere
    assert elsewhere["user-agent"].startswith("scraper/")


def test_basic_auth(server: LocalServer) -> None:
    """auth = { user, password } is sent as HTTP Basic."""
    server.routes["/page"] = Route(200, article("Basic"))
    fetch(settings({"auth": {"user": "ann", "password": "pw-1234"}}), server.url("/page"))
    assert server.hits("/page")[0].headers["authorization"] == "Basic YW5uOnB3LTEyMzQ="


@pytest.mark.parametrize(
    ("table", "key", "reason"),
    [
        ({"fetch": {"headers": {"Host": "example.com"}}}, "fetch.headers.Host", "taken from the URL"),
        ({"fetch": {"headers": {"Connection": "close"}}}, "fetch.headers.Connection", "hop-by-hop"),
        ({"fetch": {"headers": {"Transfer-Encoding": "x"}}}, "fetch.headers.Transfer-Encoding", "hop-by-hop"),
        ({"fetch": {"headers": {"X-A": "a\nb"}}}, "fetch.headers.X-A", "printable ASCII"),
        ({"fetch": {"auth": {"bearer": "x", "user": "y"}}}, "fetch.auth", "must be"),
        ({"fetch": {"cookie": {"a": "b;c"}}}, "fetch.cookie.a", "cannot hold"),
        ({"fetch": {"proxy": "socks9://x"}}, "fetch.proxy", "http://"),
        (
            {"fetch": {"auth": {"bearer": "${NOT_SET_ANYWHERE}"}}},
            "fetch.auth.bearer",
            "NOT_SET_ANYWHERE is not set",
        ),
        (
            {"sites": [{"name": "a", "start_urls": ["http://a/"], "per_host_delay": -1}]},
            "sites[0].per_host_delay",
            ">= 0",
        ),
        (
            {"sites": [{"name": "a", "start_urls": ["http://a/"], "per_host_concurrency": 1000}]},
            "sites[0].per_host_concurrency",
            "<= 64",
        ),
        (
            {"sites": [{"name": "a", "start_urls": ["http://a/"], "headers": {"Host": "b"}}]},
            "sites[0].headers.Host",
            "taken",
        ),
    ],
)
def test_bad_fetch_options_are_config_errors_naming_the_key(
    table: dict[str, object], key: str, reason: str
) -> None:
    """Hop-by-hop and Host headers, bad auth, cookies, proxies, unset variables and bounds stop at load."""
    with pytest.raises(ConfigError) as error:
        settings_from_dict(table, environ={})
    assert error.value.key == key and reason in error.value.reason


def test_a_bad_header_is_exit_2_naming_the_key(tmp_path: Path) -> None:
    """The CLI says which key is wrong and exits 2."""
    config = tmp_path / "scraper.toml"
    config.write_text('[fetch]\nheaders = { Host = "example.com" }\n')
    result = CliRunner().invoke(cli, ["crawl", "--config", str(config), "http://example.com/"])
    assert result.exit_code == 2
    assert "fetch.headers.Host" in result.output


def test_environment_values_are_secrets() -> None:
    """${NAME} is read from the environment; the value is used but masked in any repr."""
    loaded = settings_from_dict(
        {"fetch": {"headers": {"X-Key": "k-${KEY}"}, "proxy": "http://u:${PW}@proxy:3128"}},
        environ={"KEY": "abc-secret", "PW": "proxy-pw"},
    )
    assert loaded.fetch.headers["X-Key"] == "k-abc-secret"
    assert loaded.fetch.proxy == "http://u:proxy-pw@proxy:3128"
    assert "abc-secret" not in repr(loaded) and "proxy-pw" not in repr(loaded)


def test_secrets_never_reach_output_logs_or_reports(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl at -vv with a bearer token, a cookie and a proxy password from the environment,
    then clean --explain of a failing page: none of them appears on stdout, stderr or in the
    report, even where requests fail."""
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/missing", "/broken"))),
            "/broken": Route(500, b"oops"),
        }
    )
    monkeypatch.setenv("TOKEN", "tok-very-secret")
    monkeypatch.setenv("SESSION", "cookie-very-secret")
    monkeypatch.setenv("PROXY_PW", "proxy-very-secret")
    config = tmp_path / "scraper.toml"
    config.write_text(
        f'[fetch]\nper_host_delay = 0\nmax_attempts = 1\n[store]\npath = "{tmp_path / "db.sqlite"}"\n'
        f'[[sites]]\nname = "s"\nstart_urls = ["{server.url("/")}"]\n'
        'auth = { bearer = "${TOKEN}" }\ncookie = { session = "${SESSION}" }\n'
        # a proxy that is not there: its connection fails for the second site
        f'[[sites]]\nname = "t"\nstart_urls = ["http://127.0.0.9:9/"]\n'
        'proxy = "http://me:${PROXY_PW}@127.0.0.1:9"\n'
    )
    report = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["-vv", "crawl", "--config", str(config), "--report", str(report)])
    assert server.hits("/")[0].headers["authorization"] == "Bearer tok-very-secret"
    seen = result.output + report.read_text()
    for secret in ("tok-very-secret", "cookie-very-secret", "proxy-very-secret"):
        assert secret not in seen
    assert "127.0.0.9" in json.dumps(json.loads(report.read_text())["failures"])
    explained = CliRunner().invoke(
        cli, ["-vv", "clean", "--explain", "--config", str(config), server.url("/broken")]
    )
    assert server.hits("/broken")[-1].headers["authorization"] == "Bearer tok-very-secret"
    assert explained.exit_code == 1 and "HTTP 500" in explained.output
    assert not any(s in explained.output for s in ("tok-very-secret", "cookie-very-secret"))


# --- per-site politeness --------------------------------------------------------------------


def test_sites_have_their_own_pacing() -> None:
    """[[sites]] per_host_delay / per_host_concurrency pace its hosts; other hosts keep [fetch]'s."""
    chosen = settings(
        {"per_host_delay": 1.0, "per_host_concurrency": 2},
        [
            {
                "name": "slow",
                "start_urls": ["http://slow.test/"],
                "per_host_delay": 5,
                "per_host_concurrency": 1,
            }
        ],
    )
    fetcher = Fetcher(chosen.fetch, sites=chosen.sites)
    assert fetcher.gate.delay_for("http://slow.test/a") == 5.0
    assert fetcher.gate.concurrency_for("http://slow.test/b") == 1
    assert fetcher.gate.concurrency_for("http://slow.test:8080/a") == 2  # another port, another site
    assert fetcher.gate.delay_for("http://other.test/a") == 1.0
    assert fetcher.gate.concurrency_for("http://other.test/a") == 2


@pytest.mark.parametrize(("own", "kept"), [(5.0, 5.0), (1.0, 3.0)])
def test_the_stricter_of_crawl_delay_and_site_delay_wins(
    server: LocalServer, own: float, kept: float
) -> None:
    """robots.txt asks 3 s: a site's 5 s stays 5 s, a site's 1 s becomes 3 s."""
    server.routes["/robots.txt"] = Route(
        200, "User-agent: *\nCrawl-delay: 3\n", {"Content-Type": "text/plain"}
    )
    chosen = settings(sites=[{"name": "s", "start_urls": [server.url("/")], "per_host_delay": own}])

    async def go() -> float:
        async with Fetcher(chosen.fetch, sites=chosen.sites, trusted=(server.url("/"),)) as fetcher:
            politeness = Politeness(fetcher, chosen, gate=fetcher.gate, on_robots=lambda _h, _a: None)
            await politeness.rules(server.url("/a"))
            return fetcher.gate.delay_for(server.url("/a"))

    assert asyncio.run(go()) == kept


def test_per_site_delay_spaces_real_requests(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site's per_host_delay holds between request starts against a real server."""
    server.routes.update(
        {
            "/robots.txt": Route(404),
            "/": Route(200, article("Home", links=("/a", "/b"))),
            "/a": Route(200, article("A")),
            "/b": Route(200, article("B")),
        }
    )
    site = Site(name="slow", start_urls=(server.url("/"),), per_host_delay=0.5, per_host_concurrency=1)
    base = make_settings(tmp_path)
    chosen = Settings(fetch=base.fetch, store=base.store, crawl=base.crawl, sites=(site,))
    starts: list[float] = []  # when the gate let each request go (the server's clock: monotonic)
    wait_turn = HostGate._wait_turn

    async def recorded(gate: HostGate, host: Any, patience: float) -> None:
        await wait_turn(gate, host, patience)
        starts.append(host.last_start)

    monkeypatch.setattr(HostGate, "_wait_turn", recorded)
    crawl(chosen, sites=(site,))
    # The gaps are measured where the gate keeps them: arrival times at the server jitter by the
    # machine's load (a late arrival shortens the next gap). Each request is tied to its start: it
    # arrived after the gate let it go and before the next one was let go (one at a time).
    arrivals = sorted(r.at for r in server.requests)
    assert len(starts) == len(arrivals) == 5  # robots.txt, /, /sitemap.xml, /a, /b
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.5
    assert all(start <= at for start, at in zip(starts, arrivals, strict=True))
    assert all(at <= start for at, start in zip(arrivals, starts[1:], strict=False))


def test_fetch_settings_defaults_carry_nothing() -> None:
    """Without options a request carries no cookie, no auth and goes direct."""
    fetcher = Fetcher(FetchSettings())
    assert fetcher.proxy_for("http://example.com/") is None
    assert "Authorization" not in fetcher._headers_for("http://example.com/")


# --- rendering without its extra -------------------------------------------------------------


def test_render_without_the_extra_is_a_config_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render = true (a site's, or clean --render) without Playwright installed: exit 2 naming the extra."""
    monkeypatch.setitem(sys.modules, "playwright", None)  # as if the extra were not installed
    with pytest.raises(ConfigError, match=r"storyscraper\[render\]") as error:
        settings_from_dict({"sites": [{"name": "a", "start_urls": ["http://a.test/"], "render": True}]})
    assert error.value.key == "sites[0].render"
    config = tmp_path / "scraper.toml"
    config.write_text('[[sites]]\nname = "a"\nstart_urls = ["http://a.test/"]\nrender = true\n')
    result = CliRunner().invoke(cli, ["crawl", "--config", str(config)])
    assert result.exit_code == 2 and "sites[0].render" in result.output and "[render]" in result.output
    flag = CliRunner().invoke(cli, ["clean", "--render", "http://a.test/"])
    assert flag.exit_code == 2 and "--render" in flag.output and "storyscraper[render]" in flag.output


def test_one_off_flags_reach_the_request(server: LocalServer, proxy: LocalProxy) -> None:
    """clean --proxy --header: the page goes through the proxy with the header; a bad header is exit 2."""
    server.routes["/page"] = Route(200, article("Flags"))
    result = CliRunner().invoke(
        cli, ["clean", "--proxy", proxy.url, "--header", "X-Team: news", server.url("/page")]
    )
    assert result.exit_code == 0, result.output
    assert [f.target for f in proxy.seen if f.target.endswith("/page")] == [server.url("/page")]
    assert server.hits("/page")[0].headers["x-team"] == "news"
    bad = CliRunner().invoke(cli, ["clean", "--header", "Host: x", server.url("/page")])
    assert bad.exit_code == 2 and "--header" in bad.output and "Host" in bad.output
