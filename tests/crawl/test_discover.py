"""Sitemaps, feeds and feed autodiscovery: URLs and dates out of XML, gzip, text and HTML."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime

import pytest

from scraper.crawl.discover import (
    MAX_DECOMPRESSED_BYTES,
    Link,
    Sitemap,
    feed_links,
    parse_feed,
    parse_sitemap,
)
from scraper.errors import DiscoveryError
from scraper.fetch import is_gzip

SOURCE = "https://site.example/sitemap.xml"

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>
      https://site.example/a
    </loc>
    <lastmod>2024-05-01T10:00:00+02:00</lastmod>
    <image:image><image:loc>https://img.example/a.jpg</image:loc></image:image>
    <xhtml:link rel="alternate" hreflang="de" href="https://site.example/de/a"/>
  </url>
  <url><loc>https://site.example/b</loc><lastmod>2024-05-02</lastmod></url>
  <url><loc>https://site.example/c</loc><lastmod>2023</lastmod></url>
  <url><loc>https://site.example/d</loc><lastmod>last tuesday</lastmod></url>
  <url><loc>https://site.example/e</loc></url>
  <url><loc>https://site.example/a</loc><lastmod>2020-01-01</lastmod></url>
</urlset>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://site.example/posts.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>/pages.xml</loc></sitemap>
</sitemapindex>
"""


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def urls(links: tuple[Link, ...]) -> list[str]:
    return [link.url for link in links]


# --- sitemaps -------------------------------------------------------------------------------


def test_urlset_entries_with_lastmod() -> None:
    """<url> entries give stripped, deduplicated URLs with aware UTC lastmod (None when unreadable)."""
    sitemap = parse_sitemap(URLSET, source=SOURCE)
    assert sitemap.sitemaps == ()
    assert sitemap.urls == (
        Link("https://site.example/a", utc(2024, 5, 1, 8)),
        Link("https://site.example/b", utc(2024, 5, 2)),
        Link("https://site.example/c", utc(2023, 1, 1)),
        Link("https://site.example/d", None),
        Link("https://site.example/e", None),
    )


def test_image_and_hreflang_extensions_are_not_pages() -> None:
    """Google's image:loc and xhtml:link alternates inside <url> are not taken as page URLs."""
    assert "https://img.example/a.jpg" not in urls(parse_sitemap(URLSET, source=SOURCE).urls)


def test_sitemap_index_lists_child_sitemaps() -> None:
    """A <sitemapindex> yields its child sitemaps, relative ones resolved, and no page URLs."""
    assert parse_sitemap(INDEX, source=SOURCE) == Sitemap(
        urls=(), sitemaps=("https://site.example/posts.xml.gz", "https://site.example/pages.xml")
    )


def test_sitemap_without_namespace() -> None:
    """Sitemaps that forget the sitemaps.org namespace are read on local names."""
    body = b"<urlset><url><loc>https://site.example/x</loc><lastmod>2024-01-02</lastmod></url></urlset>"
    assert parse_sitemap(body, source=SOURCE).urls == (Link("https://site.example/x", utc(2024, 1, 2)),)


def test_sitemap_with_another_namespace() -> None:
    """Old Google namespaces (0.84) are read the same way as sitemaps.org 0.9."""
    body = b"""<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">
    <url><loc>https://site.example/old</loc></url></urlset>"""
    assert urls(parse_sitemap(body, source=SOURCE).urls) == ["https://site.example/old"]


def test_unusable_entries_are_skipped() -> None:
    """Relative locs resolve against the source; mailto:, javascript:, empty and broken ones are dropped."""
    body = b"""<urlset>
      <url><loc>/relative/page</loc></url>
      <url><loc>mailto:someone@site.example</loc></url>
      <url><loc>javascript:alert(1)</loc></url>
      <url><loc>   </loc></url>
      <url><lastmod>2024-01-01</lastmod></url>
      <url><loc>http://[::1</loc></url>
      <url><loc>ftp://site.example/file</loc></url>
      <url><loc>https://site.example/ok</loc></url>
    </urlset>"""
    assert urls(parse_sitemap(body, source=SOURCE).urls) == [
        "https://site.example/relative/page",
        "https://site.example/ok",
    ]


def test_gzipped_sitemap() -> None:
    """A gzipped urlset is inflated and read like the plain one."""
    plain = parse_sitemap(URLSET, source=SOURCE)
    assert parse_sitemap(gzip.compress(URLSET), source="https://site.example/sitemap.xml.gz") == plain


def test_gzipped_index_is_detected_by_magic_bytes() -> None:
    """Gzip is recognised by its magic bytes even when the URL does not end in .gz."""
    body = gzip.compress(INDEX)
    assert is_gzip(body) and not is_gzip(INDEX)
    assert len(parse_sitemap(body, source="https://site.example/sitemap_index").sitemaps) == 2


def test_already_inflated_gz_sitemap_is_read_as_is() -> None:
    """A .xml.gz body that the HTTP client already inflated is parsed without a second gunzip."""
    assert len(parse_sitemap(URLSET, source="https://site.example/sitemap.xml.gz").urls) == 5


def test_multi_member_gzip() -> None:
    """Concatenated gzip members are all inflated, as gzip(1) does."""
    half = len(URLSET) // 2
    body = gzip.compress(URLSET[:half]) + gzip.compress(URLSET[half:])
    assert len(parse_sitemap(body, source=SOURCE).urls) == 5


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\x1f\x8b\x08\x00garbage that is not deflate", "invalid gzip"),
        (gzip.compress(URLSET)[:-12], "truncated gzip"),
    ],
    ids=["wrong", "truncated"],
)
def test_broken_gzip_raises(body: bytes, reason: str) -> None:
    """Gzip magic followed by junk, or a cut-off stream, raises DiscoveryError naming the problem."""
    with pytest.raises(DiscoveryError, match=reason) as info:
        parse_sitemap(body, source=SOURCE)
    assert info.value.source == SOURCE


def test_gzip_bomb_raises() -> None:
    """A small gzip that inflates past the cap is refused instead of filling memory."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1024 * 1024)
    bomb = b"".join(deflater.compress(chunk) for _ in range(MAX_DECOMPRESSED_BYTES // len(chunk) + 10))
    bomb += deflater.flush()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(DiscoveryError, match="inflates past 50 MiB"):
        parse_sitemap(bomb, source="https://site.example/bomb.xml.gz")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b" \r\n\t", "empty body"),
        (b"<urlset><url><loc>https://site.example/a</loc></url>", "invalid XML"),
        (b"<urlset><url><loc>a</url></urlset>", "invalid XML"),
        (b"<html><body><p>Not found</p></body></html>", "root element is <html>"),
        (b"<!doctype html><html><body><p>Not found<br></body></html>", "invalid XML"),
        (b"Sorry, nothing here.\nTry again later.\n", "neither XML nor a list of URLs"),
        (bytes(range(256)) * 4, "neither XML nor a list of URLs"),
    ],
    ids=["empty", "blank", "unclosed", "mismatched", "xhtml", "html", "prose", "binary"],
)
def test_unreadable_sitemaps_raise(body: bytes, reason: str) -> None:
    """Empty bodies, broken XML, HTML pages and random bytes raise DiscoveryError with a clear reason."""
    with pytest.raises(DiscoveryError, match=reason):
        parse_sitemap(body, source=SOURCE)


def test_entities_are_not_expanded() -> None:
    """External and nested entities are neither fetched nor expanded; entries using them are dropped."""
    body = b"""<?xml version="1.0"?>
    <!DOCTYPE urlset [
      <!ENTITY secret SYSTEM "file:///etc/passwd">
      <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
      <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
    ]>
    <urlset>
      <url><loc>https://site.example/&secret;</loc></url>
      <url><loc>https://site.example/&b;</loc></url>
      <url><loc>https://site.example/plain?a=1&amp;b=2</loc></url>
    </urlset>"""
    assert urls(parse_sitemap(body, source=SOURCE).urls) == ["https://site.example/plain?a=1&b=2"]


def test_text_sitemap() -> None:
    """A plain-text sitemap gives one URL per line; blank and non-URL lines are skipped."""
    body = b"\xef\xbb\xbfhttps://site.example/1\r\n\nhttps://site.example/2  \n# a comment\nhttps://site.example/1\n"
    assert parse_sitemap(body, source="https://site.example/sitemap.txt") == Sitemap(
        urls=(Link("https://site.example/1"), Link("https://site.example/2"))
    )


def test_gzipped_text_sitemap() -> None:
    """A gzipped plain-text sitemap is inflated, then read line by line."""
    body = gzip.compress(b"https://site.example/1\nhttps://site.example/2\n")
    assert len(parse_sitemap(body, source="https://site.example/sitemap.txt.gz").urls) == 2


def test_max_urls_caps_the_entries() -> None:
    """Only the first max_urls page URLs are returned, in document order."""
    body = b"<urlset>" + b"".join(b"<url><loc>https://site.example/%d</loc></url>" % i for i in range(50))
    body += b"</urlset>"
    assert urls(parse_sitemap(body, source=SOURCE, max_urls=3).urls) == [
        "https://site.example/0",
        "https://site.example/1",
        "https://site.example/2",
    ]
    text = b"\n".join(b"https://site.example/%d" % i for i in range(50))
    assert len(parse_sitemap(text, source=SOURCE, max_urls=7).urls) == 7
    assert parse_sitemap(body, source=SOURCE, max_urls=0).urls == ()


def test_parsing_stops_at_max_urls() -> None:
    """Once max_urls entries are in, the rest of the document is not read (a bad tail does not matter)."""
    body = b"<urlset>" + b"".join(b"<url><loc>https://site.example/%d</loc></url>" % i for i in range(10))
    body += b"<url><loc>broken"  # truncated, as a download cut at the size limit would be
    assert len(parse_sitemap(body, source=SOURCE, max_urls=5).urls) == 5
    with pytest.raises(DiscoveryError, match="invalid XML"):
        parse_sitemap(body, source=SOURCE, max_urls=50)


def test_large_sitemap_stops_at_the_protocol_limit() -> None:
    """A sitemap over 50,000 entries is read up to the default max_urls of 50,000, in order."""
    entries = b"".join(b"<url><loc>https://site.example/%d</loc></url>" % i for i in range(50_001))
    sitemap = parse_sitemap(b"<urlset>" + entries + b"</urlset>", source=SOURCE)
    assert len(sitemap.urls) == 50_000 and sitemap.urls[-1].url == "https://site.example/49999"


def test_feed_given_as_sitemap() -> None:
    """An RSS or Atom feed listed as a sitemap (the protocol allows it) yields its entries."""
    assert urls(parse_sitemap(RSS, source="https://news.example/sitemap.xml", max_urls=2).urls) == [
        "https://news.example/a",
        "https://news.example/b",
    ]


# --- feeds ----------------------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>News</title><link>https://news.example/</link>
  <atom:link href="https://news.example/feed" rel="self" type="application/rss+xml"/>
  <item><title>A</title><link>https://news.example/a</link>
        <pubDate>Tue, 07 May 2024 10:00:00 +0200</pubDate></item>
  <item><title>B</title><link>/b</link><dc:date>2024-05-08T00:00:00Z</dc:date></item>
  <item><title>C</title><guid>https://news.example/c</guid>
        <pubDate>Wed, 08 May 2024 10:00:00 GMT</pubDate></item>
  <item><title>D</title><guid isPermaLink="false">https://news.example/d</guid></item>
  <item><title>E</title><link>mailto:editor@news.example</link></item>
  <item><title>F</title><link>javascript:void(0)</link></item>
  <item><title>G</title><link>https://news.example/g</link><pubDate>yesterday</pubDate></item>
  <item><title>A again</title><link>https://news.example/a</link></item>
</channel>
</rss>
"""


def test_rss2_items() -> None:
    """RSS 2.0 items give their link (or permalink guid) and pubDate / dc:date, not the channel link."""
    assert parse_feed(RSS, source="https://news.example/feed") == (
        Link("https://news.example/a", utc(2024, 5, 7, 8)),
        Link("https://news.example/b", utc(2024, 5, 8)),
        Link("https://news.example/c", utc(2024, 5, 8, 10)),
        Link("https://news.example/g", None),
    )


def test_atom_entries_use_the_alternate_link() -> None:
    """Atom entries give their rel=alternate (or rel-less) link under xml:base, never rel=self or edit."""
    body = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/posts/">
      <title>Blog</title><link rel="self" href="https://blog.example/atom.xml"/>
      <link href="https://blog.example/"/>
      <entry>
        <id>tag:blog.example,2024:1</id>
        <link rel="self" href="https://blog.example/api/1"/>
        <link rel="alternate" type="text/html" href="one.html"/>
        <updated>2024-05-01T12:00:00+01:00</updated><published>2024-04-01T00:00:00Z</published>
      </entry>
      <entry><id>tag:blog.example,2024:2</id><link href="/two"/><published>2024-04-02</published></entry>
      <entry><id>tag:blog.example,2024:3</id><link rel="edit" href="/edit/3"/></entry>
      <entry><id>https://blog.example/four</id><link rel="replies" href="/four#comments"/></entry>
    </feed>"""
    assert parse_feed(body, source="https://blog.example/atom.xml") == (
        Link("https://blog.example/posts/one.html", utc(2024, 5, 1, 11)),
        Link("https://blog.example/two", utc(2024, 4, 2)),
        Link("https://blog.example/four", None),
    )


def test_rdf_rss1_items() -> None:
    """RSS 1.0 (RDF) items give their <link>, or their rdf:about, dated by dc:date."""
    body = b"""<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://rdf.example/"><title>R</title><link>https://rdf.example/</link></channel>
      <item rdf:about="https://rdf.example/1"><link>https://rdf.example/1</link>
        <dc:date>2024-03-01T00:00:00+00:00</dc:date></item>
      <item rdf:about="https://rdf.example/2"><title>no link</title></item>
    </rdf:RDF>"""
    assert parse_feed(body, source="https://rdf.example/index.rdf") == (
        Link("https://rdf.example/1", utc(2024, 3, 1)),
        Link("https://rdf.example/2", None),
    )


def test_broken_feed_is_recovered() -> None:
    """A feed with a stray &, an HTML entity and a missing end is recovered rather than rejected."""
    body = b"""<rss version="2.0"><channel><title>Caf&eacute; & co</title>
      <item><title>x & y</title><link>https://b.example/1</link>
      <pubDate>Tue, 07 May 2024 10:00:00 -0000</pubDate></item>
      <item><link>https://b.example/2</link>"""
    assert parse_feed(body, source="https://b.example/feed") == (
        Link("https://b.example/1", utc(2024, 5, 7, 10)),
        Link("https://b.example/2", None),
    )


def test_gzipped_feed() -> None:
    """A gzipped feed body is inflated first."""
    assert len(parse_feed(gzip.compress(RSS), source="https://news.example/feed.gz")) == 4


def test_json_feed() -> None:
    """A JSON Feed gives its items' url, dated by date_modified or date_published."""
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
      {"id": "1", "url": "/one", "date_published": "2024-01-01T00:00:00Z"},
      {"id": "2", "url": "https://j.example/two", "date_modified": "2024-02-01T00:00:00+01:00"},
      {"id": "3", "content_text": "no url"}, "not an object"]}"""
    assert parse_feed(body, source="https://j.example/feed.json") == (
        Link("https://j.example/one", utc(2024, 1, 1)),
        Link("https://j.example/two", utc(2024, 1, 31, 23)),
    )


def test_empty_feed_is_not_an_error() -> None:
    """A well-formed feed with no items yields no links and no error."""
    assert parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', source="s") == ()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"<html><body><p>Page not found</p></body></html>", "not a feed"),
        (b"<html><body><p>Page not found", "nothing recoverable"),
        (b"\x00\x01\x02 binary", "nothing recoverable"),
        (b"<urlset><url><loc>https://s.example/</loc></url></urlset>", "not a feed"),
        (b"{not json", "invalid JSON feed"),
        (b'{"title": "no items"}', "not a JSON feed"),
    ],
    ids=["empty", "xhtml", "html", "binary", "sitemap", "bad-json", "json-without-items"],
)
def test_unreadable_feeds_raise(body: bytes, reason: str) -> None:
    """Documents that are no feed, even after recovery, raise DiscoveryError with a clear reason."""
    with pytest.raises(DiscoveryError, match=reason):
        parse_feed(body, source="https://site.example/feed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", utc(2024, 1, 1)),
        ("2024-05", utc(2024, 5, 1)),
        ("2024-05-06", utc(2024, 5, 6)),
        ("2024-05-06T07:08Z", utc(2024, 5, 6, 7, 8)),
        ("2024-05-06T07:08:09.123456-05:00", datetime(2024, 5, 6, 12, 8, 9, 123456, tzinfo=UTC)),
        ("2024-05-06T07:08:09", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("Mon, 06 May 2024 07:08:09 GMT", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("Mon, 06 May 2024 07:08:09 +0100", datetime(2024, 5, 6, 6, 8, 9, tzinfo=UTC)),
        ("2024-13-01", None),
        ("0000", None),
        ("soon", None),
    ],
)
def test_lastmod_formats(text: str, expected: datetime | None) -> None:
    """W3C datetimes and RFC 822 dates become aware UTC datetimes; anything else becomes None."""
    body = f"<urlset><url><loc>https://s.example/</loc><lastmod>{text}</lastmod></url></urlset>"
    (link,) = parse_sitemap(body.encode(), source=SOURCE).urls
    assert link.lastmod == expected
    assert link.lastmod is None or link.lastmod.tzinfo is UTC


# --- autodiscovery --------------------------------------------------------------------------


def test_feed_links_from_html() -> None:
    """<link rel=alternate> with a feed type is found, absolute, deduplicated, in document order."""
    html = """<html><head>
      <link rel="alternate" type="application/rss+xml" title="Posts" href="/feed.xml">
      <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">
      <link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">
      <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
      <link rel="alternate" hreflang="de" href="/de/">
      <link rel="stylesheet" type="text/css" href="/style.css">
      <link rel="alternate" type="application/rss+xml" href="/feed.xml#again">
      <link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
    </head><body><p>Hi</p></body></html>"""
    assert feed_links(html, base_url="https://site.example/blog/post") == (
        "https://site.example/feed.xml",
        "https://site.example/blog/atom.xml",
        "https://cdn.example/feed.json",
    )


def test_feed_links_honour_base_href() -> None:
    """A <base href> changes what relative feed links resolve against."""
    html = """<head><base href="https://other.example/root/">
      <link rel="alternate" type="application/rss+xml" href="rss"></head>"""
    assert feed_links(html, base_url="https://site.example/") == ("https://other.example/root/rss",)


def test_page_without_feeds() -> None:
    """A page that advertises no feed gives an empty tuple, as does an empty document."""
    assert feed_links("<html><head><title>x</title></head></html>", base_url="https://s.example/") == ()
    assert feed_links("", base_url="https://s.example/") == ()
