"""Sitemaps and feeds -> discovered URLs. Pure: bytes in, records out; no network.

- `parse_sitemap`: a `<urlset>` or `<sitemapindex>` (any namespace: sitemaps.org 0.9, none,
  Google's variants), gzipped or not, or a plain-text sitemap (one URL per line). An RSS / Atom
  feed given as a sitemap, as the sitemaps protocol allows, is read with `parse_feed`.
- `parse_feed`: RSS 2.0, RSS 1.0 (RDF), Atom and JSON Feed; item / entry links with their dates.
- `feed_links`: the feeds an HTML page advertises with `<link rel="alternate">`.

Entries are resolved against `source` (and Atom's `xml:base`), normalised with
`scraper.links.normalise`, deduplicated in document order; non-http(s) and broken URLs are left
out silently. Unreadable documents raise `DiscoveryError(source, reason)`.

XML is parsed without resolving entities, without network access and within libxml2's default
size limits; gzip is inflated by the one bounded inflater (scraper/fetch/decompress.py) and given up
past `MAX_DECOMPRESSED_BYTES`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from scraper import dom
from scraper.dates import parse_datetime
from scraper.dom import parse_html
from scraper.errors import DiscoveryError
from scraper.fetch import InflateError, inflate, is_gzip
from scraper.urls import join_url, normalise

MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_INDEX_ENTRIES = 50_000  # child sitemaps per index: the sitemaps protocol's own limit

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CHUNK = 64 * 1024
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
# Most specific first: lastmod is when the entry last changed, else when it appeared.
_DATE_TAGS = ("lastmod", "updated", "modified", "pubDate", "date", "published", "issued")


@dataclass(frozen=True, slots=True)
class Link:
    """A discovered URL, absolute and normalised, with when it last changed if the source says."""

    url: str
    lastmod: datetime | None = None  # aware UTC


@dataclass(frozen=True, slots=True)
class Sitemap:
    """One sitemap document: page URLs (`<urlset>`, text) or child sitemaps (`<sitemapindex>`)."""

    urls: tuple[Link, ...] = ()
    sitemaps: tuple[str, ...] = ()


def parse_sitemap(body: bytes, *, source: str, max_urls: int = 50_000) -> Sitemap:
    """Read a sitemap (XML, gzipped XML or plain text) fetched from `source`.

    At most `max_urls` page URLs are kept (parsing stops there) and at most `MAX_INDEX_ENTRIES`
    child sitemaps. A `.xml.gz` body without the gzip magic is read as is: HTTP clients
    commonly inflate it already (`Content-Encoding: gzip`).
    """
    data = _prepare(body, source)
    if not data.startswith(b"<") and not data.startswith(_UTF16_BOMS):
        return Sitemap(urls=_text_sitemap(data, source, max_urls))
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False, recover=False
    )
    try:
        return _xml_sitemap(parser, data, source, max_urls)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(source, f"invalid XML: {exc}") from exc


def parse_feed(body: bytes, *, source: str) -> tuple[Link, ...]:
    """The item / entry links of an RSS 2.0, RSS 1.0 (RDF), Atom or JSON feed fetched from `source`.

    `lastmod` comes from the entry's updated / pubDate / dc:date / published date. Slightly
    broken XML is recovered when possible; a document that yields no feed raises.
    """
    data = _prepare(body, source)
    if data.startswith(b"{"):
        return _json_feed(data, source)
    try:
        root = _parse_xml(data, source, recover=False)
    except etree.XMLSyntaxError as exc:
        try:
            root = _parse_xml(data, source, recover=True)
        except etree.XMLSyntaxError:
            root = None
        links = _feed_entries(root, source) if root is not None and _local(root) in _FEED_ROOTS else ()
        if not links:
            raise DiscoveryError(source, f"invalid XML, nothing recoverable: {exc}") from exc
        return links
    if _local(root) not in _FEED_ROOTS:
        raise DiscoveryError(source, f"not a feed: root element is <{_local(root)}>")
    return _feed_entries(root, source)


def feed_links(html: str, *, base_url: str) -> tuple[str, ...]:
    """The RSS / Atom / JSON feeds a page advertises with `<link rel="alternate" type=...>`.

    `<base href>` is honoured; the result is absolute, normalised and in document order.
    """
    tree = parse_html(html, base_url)
    base_url = dom.base_url(tree, base_url)
    found: dict[str, None] = {}
    for node in tree.css("link[rel][href][type]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        mime = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and mime in _FEED_TYPES:
            url = _join(base_url, node.attributes.get("href") or "")
            if url is not None:
                found.setdefault(url, None)
    return tuple(found)


# --- bytes ----------------------------------------------------------------------------------


def _prepare(body: bytes, source: str) -> bytes:
    """Inflate gzip, drop a UTF-8 BOM and leading whitespace; an empty result raises."""
    if is_gzip(body):
        body = _gunzip(body, source)
    data = body.removeprefix(_UTF8_BOM).lstrip()
    if not data:
        raise DiscoveryError(source, "empty body")
    return data


def _gunzip(body: bytes, source: str) -> bytes:
    """Inflate every gzip member of `body`, refusing to go past MAX_DECOMPRESSED_BYTES."""
    try:
        return inflate(body, limit=MAX_DECOMPRESSED_BYTES)
    except InflateError as exc:
        if exc.too_large:
            reason = f"gzip data inflates past {MAX_DECOMPRESSED_BYTES // (1024 * 1024)} MiB"
        else:
            reason = "truncated gzip data" if exc.truncated else f"invalid gzip data: {exc.reason}"
        raise DiscoveryError(source, reason) from exc


# --- sitemaps -------------------------------------------------------------------------------


def _text_sitemap(data: bytes, source: str, max_urls: int) -> tuple[Link, ...]:
    """Lines that are absolute http(s) URLs; other lines are skipped, but some must be URLs."""
    lines = data.decode("utf-8", "replace").splitlines()
    candidates = [line.strip() for line in lines]
    urls = [c for c in candidates if c[:8].lower().startswith(("http://", "https://"))]
    if not urls:
        raise DiscoveryError(source, "neither XML nor a list of URLs")
    return _dedupe((_resolve(source, url), None) for url in urls)[:max_urls]


def _xml_sitemap(parser: Any, data: bytes, source: str, max_urls: int) -> Sitemap:
    """Stream `data` through `parser`, stopping as soon as `max_urls` page URLs are in."""
    urls: dict[str, Link] = {}
    children: dict[str, None] = {}
    root: Any = None
    for start in range(0, len(data), _CHUNK):
        parser.feed(data[start : start + _CHUNK])
        for event, element in parser.read_events():
            if root is None:
                root = element
                if _local(root) in _FEED_ROOTS:  # a feed used as a sitemap
                    return Sitemap(urls=parse_feed(data, source=source)[:max_urls])
                if _local(root) not in ("urlset", "sitemapindex"):
                    raise DiscoveryError(
                        source,
                        f"not a sitemap: root element is <{_local(root)}>, not <urlset> or <sitemapindex>",
                    )
            if event != "end" or element.getparent() is not root:
                continue
            _take_entry(element, source, urls, children)
            _drop_done(element)
            if len(urls) >= max_urls or len(children) >= MAX_INDEX_ENTRIES:
                return _sitemap(urls, children, max_urls)
    parser.close()
    return _sitemap(urls, children, max_urls)


def _take_entry(element: Any, source: str, urls: dict[str, Link], children: dict[str, None]) -> None:
    """Record one `<url>` or `<sitemap>` entry: its `<loc>`, and `<lastmod>` for pages."""
    kind = _local(element)
    if kind not in ("url", "sitemap"):
        return
    fields: dict[str, Any] = {}
    for child in element:
        fields.setdefault(_local(child), child)  # the first <loc> counts, as for feeds
    loc = fields.get("loc")
    url = _resolve(source, _text(loc)) if loc is not None else None
    if url is None:
        return
    if kind == "sitemap":
        children.setdefault(url, None)
    elif url not in urls:
        lastmod = fields.get("lastmod")
        urls[url] = Link(url, parse_datetime(_text(lastmod)) if lastmod is not None else None)


def _drop_done(element: Any) -> None:
    """Free entries already read, so memory stays flat over a 50,000-entry sitemap."""
    element.clear()
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]


def _sitemap(urls: dict[str, Link], children: dict[str, None], max_urls: int) -> Sitemap:
    return Sitemap(urls=tuple(urls.values())[:max_urls], sitemaps=tuple(children)[:MAX_INDEX_ENTRIES])


# --- feeds ----------------------------------------------------------------------------------


def _parse_xml(data: bytes, source: str, *, recover: bool) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=recover)
    return etree.fromstring(data, parser, base_url=source)


def _feed_entries(root: Any, source: str) -> tuple[Link, ...]:
    """Links of every RSS `<item>` / Atom `<entry>` below `root`, with their dates."""
    found: list[tuple[str | None, datetime | None]] = []
    for element in root.iter(tag=etree.Element):
        if _local(element) not in ("item", "entry"):
            continue
        fields: dict[str, Any] = {}
        for child in element:
            fields.setdefault(_local(child), child)
        href = _entry_href(element, fields)
        dates = (parse_datetime(_text(fields[tag])) for tag in _DATE_TAGS if tag in fields)
        found.append((_resolve(element.base or source, href), next((d for d in dates if d), None)))
    return _dedupe(found)


def _entry_href(element: Any, fields: dict[str, Any]) -> str | None:
    """The page an entry points to: Atom rel=alternate, RSS <link>, permalink <guid>, rdf:about."""
    for link in element:
        if _local(link) == "link" and link.get("href") is not None:
            if link.get("rel", "alternate").strip().lower() == "alternate":
                return str(link.get("href"))
        elif _local(link) == "link" and _text(link):
            return _text(link)
    guid = fields.get("guid")
    if guid is not None and guid.get("isPermaLink", "true").strip().lower() != "false":
        return _text(guid)
    about = next((v for k, v in element.attrib.items() if _local_name(k) == "about"), None)
    if about is not None:
        return str(about)
    entry_id = fields.get("id")  # an Atom id is often the permalink; tag: URIs are dropped later
    return _text(entry_id) if entry_id is not None else None


def _json_feed(data: bytes, source: str) -> tuple[Link, ...]:
    """A JSON Feed (jsonfeed.org 1.x): items' `url`, dated by date_modified or date_published."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise DiscoveryError(source, f"invalid JSON feed: {exc}") from exc
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise DiscoveryError(source, "not a JSON feed: no items list")
    found: list[tuple[str | None, datetime | None]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = item.get("url") or item.get("external_url")
        date = item.get("date_modified") or item.get("date_published")
        found.append(
            (
                _resolve(source, url) if isinstance(url, str) else None,
                parse_datetime(date) if isinstance(date, str) else None,
            )
        )
    return _dedupe(found)


# --- shared helpers -------------------------------------------------------------------------


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _local(element: Any) -> str:
    """An element's name without its namespace; "" for comments, PIs and entities."""
    tag = element.tag
    return _local_name(tag) if isinstance(tag, str) else ""


def _text(element: Any) -> str | None:
    """Stripped text of an element; None when empty or when it holds an unresolved entity."""
    if len(element) == 0:  # the common case: text only
        text = (element.text or "").strip()
        return text or None
    if any(child.tag is etree.Entity for child in element):
        return None  # entities are not expanded: "http://x/&e;" would read as "http://x/"
    text = "".join(element.itertext()).strip()
    return text or None


def _join(base: str, href: str) -> str | None:
    href = href.strip()
    if not href[:8].lower().startswith(("http://", "https://")):  # absolute ones skip urljoin's cost
        joined = join_url(base, href)  # None for a malformed one ("https://[site_url]/"): skipped
        if joined is None:
            return None
        href = joined
    return normalise(href)


def _resolve(base: str, href: str | None) -> str | None:
    return _join(base, href) if href else None


def _dedupe(found: Iterable[tuple[str | None, datetime | None]]) -> tuple[Link, ...]:
    """Links in first-seen order, one per URL; entries without a usable URL are dropped."""
    links: dict[str, Link] = {}
    for url, lastmod in found:
        if url is not None and url not in links:
            links[url] = Link(url, lastmod)
    return tuple(links.values())
