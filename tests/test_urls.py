"""scraper.urls: joining page-provided URLs without letting a malformed one crash the page."""

from __future__ import annotations

import time

import pytest

from scraper.urls import join_http, join_url, redacted, url_flaw


def test_relative_links_resolve_against_the_base() -> None:
    """A relative href is made absolute the way a browser would."""
    assert join_url("https://example.com/news/a.html", "../b.html") == "https://example.com/b.html"


@pytest.mark.parametrize(
    ("base", "href"),
    [
        ("https://example.com/", "https://[site_url]/x"),  # a template placeholder left in the page
        ("https://[site_url]/", "/x"),  # the same in <base href>
        ("https://example.com/", "http://example.com:99999/"),  # a port out of range
        ("https://example.com/", "http://example.com:8o/"),  # a port that is no number
    ],
)
def test_malformed_urls_give_none(base: str, href: str) -> None:
    """What urllib refuses with ValueError is no URL: None, never an exception."""
    assert join_url(base, href) is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("http://user:pw1@127.0.0.1:9/x: cannot connect", "http://user:***@127.0.0.1:9/x: cannot connect"),
        ("https://u:p@ss@host/a@b", "https://u:***@host/a@b"),  # urlsplit's password: "p@ss"
        ("'HTTPS://:token@H' and ftp://a:b@c/", "'HTTPS://:***@H' and ftp://a:***@c/"),
        ('{"url":"http://a:b@c/","to":"d@e"}', '{"url":"http://a:***@c/","to":"d@e"}'),
        (
            "https://name@host/ mailto:a@b.c http://h/?q=a:b@c",
            "https://name@host/ mailto:a@b.c http://h/?q=a:b@c",
        ),
    ],
)
def test_redacted_hides_the_password_of_every_url_in_a_text(text: str, shown: str) -> None:
    """The password of a URL's user info is `***` wherever the URL stands in a text; a user name
    alone, an address and a query are no password."""
    assert redacted(text) == shown
    assert redacted(None) is None


def test_redacted_reads_a_hostile_text_in_linear_time() -> None:
    """A 200,000-character text that starts a scheme at every other letter, or holds "://" and ":"
    without end, is read in linear time: a scan from every possible scheme start ran for minutes."""
    for text in ("a." * 100_000 + "@", "x://a:" * 30_000 + "@", ("x://a:" + "b" * 1000) * 200 + "@"):
        started = time.monotonic()
        assert redacted(text).count("***") <= text.count("://")
        assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    "url",
    [
        "http://a.example/\n",
        "http://a.example/a\tb",
        "\x00http://a.example/",
        "http://a.example/\x7f",
        "http://a.example/?q=\r\n",
    ],
)
def test_a_url_with_a_control_character_is_flawed(url: str) -> None:
    """`urlsplit` drops tabs and line breaks before it parses, so such a URL passed, and the
    record of `clean --url` or of serve's `url` carried the line break as given."""
    assert (url_flaw(url) or "").startswith(f"not a valid URL: {url!r} (contains ")


@pytest.mark.parametrize(
    ("href", "joined"),
    [
        ("/a\x07b?q=\x1b[31m#f\x7f", "https://news.example/a%07b?q=%1B[31m#f%7F"),
        ("\x00 https://other.example/x\x08 ", "https://other.example/x"),
        ("https://ex\x07ample.com/a", None),
    ],
)
def test_a_page_provided_url_holds_no_control_character(href: str, joined: str | None) -> None:
    """A control character in a page's canonical link or <base href> was kept as the page wrote it,
    in the record's `canonical_url` (a BEL, an escape sequence): a browser's URL parser drops those
    around the URL and percent-encodes those inside it, and a host holding one is no host."""
    assert join_http("https://news.example/a/b", href) == joined
