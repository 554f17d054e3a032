"""What tests build, built once: pages (HTML), fetched pages and documents.

article(title, ...)   an HTML news page whose story is long enough to be extracted
story(number)         an HTML article page (bytes) whose text is unique to `number`
fetched_page(body)    a FetchedPage of that HTML, changed by keyword
metadata_page(body)   a page whose <article> holds `body` and PARAGRAPH (trafilatura's searches' input)
trafilatura_tree(html)  HTML parsed as trafilatura parses it
make_doc(...)         a complete Document with every field set, changed by keyword
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from lxml.html import HtmlElement
from trafilatura.utils import load_html

from scraper.models import Document, FetchedPage

FETCHED_AT = datetime(2025, 1, 19, tzinfo=UTC)
# one paragraph of a story, beside the markup a test of a metadata search puts on the page
PARAGRAPH = (
    "<p>The harbour board met on Tuesday to agree the summer timetable for the ferries, which will"
    " add two early crossings on weekdays and a late one on Saturdays.</p>"
)


def article(
    title: str, *, links: tuple[str, ...] = (), head: str = "", extra: str = "", body: str = ""
) -> str:
    """A page with a story long enough to be extracted: `title` as its title and heading, four
    paragraphs (each ending with `extra`), then `body`; `links` (if any) in a nav list before the
    story, `head` in its <head>."""
    paragraphs = "".join(
        f"<p>{title}, part {i}: the harbour committee met on Tuesday evening to discuss the dredging "
        f"plans, the ferry timetable and the cost of repairs to the old pier. {extra}</p>"
        for i in range(4)
    )
    anchors = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    nav = f"<nav><ul>{anchors}</ul></nav>" if links else ""
    return (
        f"<html lang='en'><head><title>{title}</title>{head}</head><body>{nav}"
        f"<article><h1>{title}</h1>{paragraphs}{body}</article></body></html>"
    )


def metadata_page(body: str, head: str = "") -> str:
    """A page titled "Ferries" whose <article> holds `body` (`head` in its <head>): what a test of
    one of trafilatura's metadata searches (bylines, categories and tags) reads."""
    return (
        f"<!doctype html><html><head><title>Ferries</title>{head}</head>"
        f"<body><article>{body}</article></body></html>"
    )


def trafilatura_tree(html: str) -> HtmlElement:
    """`html` parsed as trafilatura parses it (`load_html`), which these pages always parse into."""
    tree = load_html(html)
    assert tree is not None
    return tree


def story(number: int, extra: str = "") -> bytes:
    """A small article page whose text is unique to `number` (no two are duplicates, near or exact)."""
    words = ["harbour", "ferries", "council", "timetable", "crews", "fares", "routes", "islands"]
    paragraphs = "".join(
        f"<p>Story {number}, part {k}: the {words[(number + k) % 8]} and the {words[(number * 3 + k) % 8]} "
        f"were discussed at length by {number + k} residents who came to the town hall on a wet evening.</p>"
        for k in range(6)
    )
    return (
        f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number}</h1>"
        f"{paragraphs}{extra}</article></body></html>"
    ).encode()


def fetched_page(
    html: str | bytes, *, url: str | None = "https://example.com/news/story", **changes: Any
) -> FetchedPage:
    """A page as the fetcher returns it: 200, text/html, `html` (a str is encoded with the
    page's `encoding`, utf-8 unless changed); keyword arguments replace fields."""
    encoding = changes.pop("encoding", "utf-8")
    page = FetchedPage(
        source=url or "test-page",
        url=url,
        final_url=url,
        status=200,
        content_type="text/html",
        body=html.encode(encoding) if isinstance(html, str) else html,
        encoding=encoding,
        fetched_at=FETCHED_AT,
    )
    return dataclasses.replace(page, **changes)


def make_doc(**changes: Any) -> Document:
    """A complete document; keyword arguments replace fields."""
    doc = Document(
        url="https://example.com/news/story",
        final_url="https://example.com/news/story/",
        canonical_url="https://example.com/news/story",
        source="https://example.com/news/story",
        title="A “quoted” story: part 1",
        authors=("Ada Lovelace", "Émile Zola"),
        date="2025-01-18",
        sitename="Example News",
        description="What happened",
        language="en",
        language_source="declared",
        categories=("News",),
        tags=("science", "history"),
        image="https://example.com/story.jpg",
        text="First paragraph.\n\nSecond paragraph, naïve café.",
        fetched_at=FETCHED_AT,
        status=200,
        markdown="# A story\n\nFirst paragraph.",
    )
    return dataclasses.replace(doc, **changes)


def unversioned(doc: Document | None) -> Document | None:
    """A document read from the store without what the store set (version, stored_at, change, ...)."""
    if doc is None:
        return None
    return dataclasses.replace(doc, version=None, run_id=None, stored_at=None, change=None, gone_at=None)
