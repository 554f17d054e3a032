"""Shared fixtures: a clean environment and paths to the bundled fixtures."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from tests.httpserver import LocalServer, QuietServer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxy and SSL variables from the developer's shell never leak into a test."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 with routes the test defines; stopped afterwards."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def demo_site() -> Iterator[str]:
    """The bundled demo site (demo/site) served on 127.0.0.1; yields its base URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    root = Path(__file__).resolve().parents[1] / "demo" / "site"
    httpd = QuietServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fast_config(tmp_path: Path) -> Path:
    """A config with politeness relaxed for loopback servers and a store under tmp_path."""
    path = tmp_path / "fast.toml"
    path.write_text(
        "[fetch]\nper_host_delay = 0.0\nper_host_concurrency = 4\nmax_attempts = 2\n"
        "backoff_initial = 0.01\nbackoff_max = 0.05\nread_timeout = 5.0\n"
        f'[store]\npath = "{tmp_path / "store.db"}"\n'
        "[crawl]\nmax_pages = 50\nmax_depth = 3\n",
        encoding="utf-8",
    )
    return path
