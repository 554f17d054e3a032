"""Link extraction: absolute, normalised, http(s) only."""

from __future__ import annotations

from scraper.crawl.links import extract_links
from scraper.urls import normalise, site_key


def test_links_are_absolute_normalised_and_unique() -> None:
    """Relative links resolve against the page; fragments and duplicates go."""
    html = """<a href="/a">A</a><a href="b.html#top">B</a><a href="/a#x">A again</a>
    <a href="HTTP://Other.example:80/c">C</a>"""
    assert extract_links(html, "http://site.example/dir/page.html") == [
        "http://site.example/a",
        "http://site.example/dir/b.html",
        "http://other.example/c",
    ]


def test_unfollowable_links_are_skipped() -> None:
    """mailto:, javascript:, tel:, nofollow and broken links never reach the frontier."""
    html = """<a href="mailto:x@y.z">m</a><a href="javascript:void(0)">j</a><a href="tel:123">t</a>
    <a href="/ok">ok</a><a rel="nofollow" href="/nf">nf</a><a href="http://[::1">broken</a><a>no href</a>"""
    assert extract_links(html, "https://s.example/") == ["https://s.example/ok"]


def test_base_href_is_honoured() -> None:
    """A <base href> changes what relative links resolve against."""
    html = '<head><base href="https://cdn.example/root/"></head><a href="x">x</a>'
    assert extract_links(html, "https://s.example/") == ["https://cdn.example/root/x"]


def test_normalise_and_site_key() -> None:
    """Normalisation drops fragments and default ports; host keys keep explicit ports."""
    assert normalise("https://S.example:443/p#f") == "https://s.example/p"
    assert normalise("ftp://s.example/") is None
    for no_host in ("http://exa mple.com/", "http://exa%20mple.com/", "http://a<b.example/", "http://a|b/"):
        assert normalise(no_host) is None, no_host
    assert normalise("http://[::1]:8080/x") == "http://[::1]:8080/x"
    assert normalise("http://bücher.example/") is not None
    assert site_key("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert site_key("https://S.example/x") == "s.example"
