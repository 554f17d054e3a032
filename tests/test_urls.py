"""scraper.urls: joining page-provided URLs without letting a malformed one crash the page."""

from __future__ import annotations

import pytest

from scraper.urls import join_url


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
