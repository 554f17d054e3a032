"""The extraction stage: one fetched page in, one clean `Document` out; pure.

    FetchedPage.html --LexborHTMLParser (once)--> tree --read_head_meta--> declared language, canonical
                                                   |
                                     strip_clutter (clutter.py, in place)
                                                   |
                          trafilatura.bare_extraction (once) --> body tree --> markdown + plain text
                                                   |
                                               Document

This module is the single adapter around trafilatura: no other module imports it. A page
without main text raises `NoMainContent` with the reason; `None` is never an answer.
"""

from __future__ import annotations

import py3langid
import trafilatura
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import Document as _Extracted
from trafilatura.xml import xmltotxt

from scraper.clutter import strip_clutter
from scraper.config import ExtractSettings
from scraper.errors import NoMainContent
from scraper.metadata import clean_authors, read_head_meta
from scraper.models import Document, FetchedPage, utc_now


def extract(page: FetchedPage, settings: ExtractSettings) -> Document:
    """Turn a fetched page into a `Document`, or raise `NoMainContent` saying why there is none."""
    html = page.html
    if not html.strip():
        raise NoMainContent(page.source, "empty document: nothing to extract")
    tree = LexborHTMLParser(html)
    if tree.body is None or not tree.body.text(strip=True):
        raise NoMainContent(page.source, "no text in the page body")
    page_url = page.final_url or page.url
    head = read_head_meta(tree, page_url)  # before the pre-pass, which may drop what declares it
    removals = strip_clutter(tree, settings)
    if tree.body is None or not tree.body.text(strip=True):
        raise NoMainContent(
            page.source, f"only clutter: the pre-pass removed all text ({len(removals)} blocks)"
        )

    found = _run_trafilatura(tree.html or "", page_url, settings, page.source)
    markdown = _tidy_markdown(found.text or "")
    text = _plain_text(found.body)
    if settings.include_comments and found.commentsbody is not None:
        markdown = "\n\n".join(filter(None, (markdown, _tidy_markdown(found.comments or ""))))
        text = "\n".join(filter(None, (text, _plain_text(found.commentsbody))))
    if not text:
        raise NoMainContent(page.source, "the main text block is empty")
    if not _readable(text):
        raise NoMainContent(page.source, "no readable text: the main block is mostly symbols or binary junk")

    return Document(
        url=page.url,
        final_url=page.final_url,
        canonical_url=head.canonical_url or _clean(found.url),
        source=page.source,
        title=_clean(found.title),
        authors=clean_authors(found.author),
        date=_clean(found.date),
        sitename=_clean(found.sitename),
        description=_clean(found.description),
        language=head.language or _detect_language(text),
        categories=_clean_list(found.categories),
        tags=_clean_list(found.tags),
        image=_clean(found.image),
        text=text,
        fetched_at=page.fetched_at,
        status=page.status,
        markdown=markdown,
    )


def clean_html(
    html: str,
    *,
    url: str | None = None,
    settings: ExtractSettings | None = None,
    source: str = "-",
) -> Document:
    """Extract a `Document` from an HTML string: the Python API's shortcut around `extract`."""
    page = FetchedPage(
        source=source,
        url=url,
        final_url=url,
        status=None,
        content_type="text/html",
        body=html.encode("utf-8", errors="surrogatepass"),
        encoding="utf-8",
        fetched_at=utc_now(),
    )
    return extract(page, settings or ExtractSettings())


def _run_trafilatura(html: str, url: str | None, settings: ExtractSettings, source: str) -> _Extracted:
    """The one trafilatura call per page: markdown, metadata and the body tree in one pass."""
    found = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_formatting=True,
        include_links=True,
        include_comments=settings.include_comments,
        include_tables=settings.include_tables,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
    )
    # trafilatura reports "nothing found" (too short, unparsable, ...) by returning None
    if not isinstance(found, _Extracted) or found.body is None:
        raise NoMainContent(source, "the extractor found no main text block")
    return found


def _plain_text(body: object) -> str:
    """One paragraph per line, no Markdown.

    trafilatura writes links as [text](url) even without formatting, so the <ref> wrappers are
    stripped first; this mutates the extracted tree, which is ours and whose markdown is done.
    """
    etree.strip_tags(body, "ref")
    lines = (" ".join(line.split()) for line in xmltotxt(body, False).splitlines())
    return "\n".join(line for line in lines if line)


def _tidy_markdown(markdown: str) -> str:
    return "\n".join(line.rstrip() for line in markdown.strip().splitlines())


def _readable(text: str) -> bool:
    """Whether at least half the visible characters are letters or digits, as in any written language."""
    visible = [c for c in text if not c.isspace()]
    return sum(c.isalnum() for c in visible) * 2 >= len(visible)


def _detect_language(text: str) -> str | None:
    language, _score = py3langid.classify(text)
    return str(language) or None


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _clean_list(values: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (_clean(v) for v in values or ()) if v))
