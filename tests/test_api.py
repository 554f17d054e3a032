"""The Python API: clean_html on bytes or str, fetch_and_clean (sync and async), one "no article" shape."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import scraper
from scraper import FetchError, FetchSettings, Settings, clean_html, fetch_and_clean, fetch_and_clean_async
from tests.httpserver import Handler, LocalServer, Route

HTML = Path(__file__).parent / "fixtures" / "html"
FAST = Settings(fetch=FetchSettings(per_host_delay=0))


def test_clean_html_decides_the_charset_of_bytes_as_for_files() -> None:
    """cp1252 bytes declared by a meta tag come out with their umlauts, as `clean FILE` reads them."""
    body = (HTML / "german-cp1252.html").read_bytes()
    from_bytes = clean_html(body)
    assert "ü" in from_bytes.text or "ä" in from_bytes.text
    assert "\ufffd" not in from_bytes.text
    assert clean_html(body.decode("cp1252")).text == from_bytes.text


def test_no_main_content_is_a_document_not_an_exception() -> None:
    """A page without a story comes back with empty text, page_type empty and a skip_reason."""
    doc = clean_html(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert (doc.text, doc.page_type, doc.quality) == ("", "empty", 0.0)
    assert doc.skip_reason is not None and doc.skip_reason.startswith("no main content: ")


def test_fetch_and_clean_sync_and_async_give_the_same_document() -> None:
    """Both forms fetch from a local server and extract; status and final URL are the fetch's."""
    with LocalServer({"/story": Route(body=(HTML / "news-article.html").read_bytes())}) as server:
        url = server.url("/story")
        sync = fetch_and_clean(url, FAST)
        asynchronous = asyncio.run(fetch_and_clean_async(url, FAST))
    assert sync.status == 200 and sync.final_url == url
    assert sync.text and sync.text == asynchronous.text


def test_fetch_and_clean_obeys_robots_txt() -> None:
    """A URL robots.txt disallows is never requested: FetchError says why."""
    routes: dict[str, Handler] = {
        "/robots.txt": Route(
            body="User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"}
        ),
        "/private/story": Route(body=(HTML / "news-article.html").read_bytes()),
    }
    with LocalServer(routes) as server:
        with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
            fetch_and_clean(server.url("/private/story"), FAST)
        assert [r.path for r in server.requests] == ["/robots.txt"]


def test_version_is_exported() -> None:
    """scraper.__version__ is a version string."""
    assert scraper.__version__[0].isdigit()
