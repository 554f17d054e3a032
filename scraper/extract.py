"""The extraction stage: one fetched page in, one clean `Document` out; pure.

    FetchedPage.html -> LexborHTMLParser (parsed once) -> declared language, canonical URL
                     -> strip_clutter (clutter.py, in place)
                     -> trafilatura.bare_extraction (called once) -> markdown, metadata, body tree
                     -> plain text from the same body tree -> Document

This module is the single adapter around trafilatura: no other module imports it. It also
holds the metadata lookups trafilatura does not do for us (declared language, canonical link)
and the normalising of what it does (authors). A page without main text raises
`NoMainContent` with the reason; `None` is never an answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import py3langid
import trafilatura
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import Document as _Extracted
from trafilatura.xml import xmltotxt

from scraper.clutter import strip_clutter
from scraper.config import ExtractSettings
from scraper.errors import NoMainContent
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
    # read before the pre-pass, which may drop what declares them
    declared, canonical = declared_language(tree), canonical_url(tree, page_url)
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
        canonical_url=canonical or _clean(found.url),
        source=page.source,
        title=_clean(found.title),
        authors=clean_authors(found.author),
        date=_clean(found.date),
        sitename=_clean(found.sitename),
        description=_clean(found.description),
        language=declared or _detect_language(text),
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


# Below this many letters a language guess is noise ("OK" is not Norwegian).
_MIN_LETTERS_TO_DETECT = 20


def _detect_language(text: str) -> str | None:
    if sum(c.isalpha() for c in text) < _MIN_LETTERS_TO_DETECT:
        return None
    language, _score = py3langid.classify(text)
    return str(language) or None


def _clean(value: str | None) -> str | None:
    """Whitespace-normalised, or None when nothing is left."""
    return " ".join((value or "").split()) or None


def _clean_list(values: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (_clean(v) for v in values or ()) if v))


# -- metadata the page declares (read with selectolax, before the pre-pass) -------------------

# "und"efined, "mul"tiple and "zxx" (no linguistic content) are codes, but not languages.
_NOT_LANGUAGES = frozenset({"und", "mul", "zxx", "mis"})
# The word a byline opens with ("By Jane Doe", "Par Claire Dubois"), never part of a name.
_BYLINE_WORDS = frozenset({"by", "par", "por"})


def normalise_language(value: str | None) -> str | None:
    """The lowercase primary subtag of a language tag ("en-US", "en_GB" -> "en"), or None if not one."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if not (2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha()):
        return None
    return None if primary in _NOT_LANGUAGES else primary


def declared_language(tree: LexborHTMLParser) -> str | None:
    """The first valid language the page declares, in order of how often each source is right."""
    return next(filter(None, map(normalise_language, _language_declarations(tree))), None)


def _language_declarations(tree: LexborHTMLParser) -> Iterator[str]:
    root = tree.css_first("html")
    if root is not None:
        yield root.attributes.get("lang") or ""
    locale = tree.css_first('meta[property="og:locale"]')
    if locale is not None:
        yield locale.attributes.get("content") or ""
    yield from _json_ld_languages(tree)
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "content-language":
            # the header form allows a list ("en, fr"); the first is the primary audience
            yield (meta.attributes.get("content") or "").split(",", 1)[0]


def _json_ld_languages(tree: LexborHTMLParser) -> Iterator[str]:
    for script in tree.css('script[type="application/ld+json" i]'):
        try:
            data = json.loads(script.text(deep=True))
        except ValueError:  # broken JSON-LD is common; it just declares nothing
            continue
        yield from _find_key(data, "inLanguage")


def _find_key(data: object, key: str) -> Iterator[str]:
    """Every string value of `key` anywhere in a JSON document (JSON-LD nests freely, e.g. @graph)."""
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict) and isinstance(value.get("name"), str):
            yield value["name"]  # the schema.org Language object form
        for child in data.values():
            yield from _find_key(child, key)
    elif isinstance(data, list):
        for child in data:
            yield from _find_key(child, key)


def canonical_url(tree: LexborHTMLParser, page_url: str | None) -> str | None:
    """The `<link rel=canonical>` target made absolute against the page (and its `<base>`)."""
    base = page_url or ""
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = urljoin(base, (base_tag.attributes.get("href") or "").strip())
    for link in tree.css("link[rel][href]"):
        rels = (link.attributes.get("rel") or "").lower().split()
        href = (link.attributes.get("href") or "").strip()
        if "canonical" in rels and href:
            return _absolute_http_url(href, base)
    return None


def _absolute_http_url(href: str, base: str) -> str | None:
    """`href` resolved against `base`, kept only if the result is an http(s) URL with a host."""
    url = urljoin(base, href)
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def clean_authors(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    """Author names from trafilatura's "A; B" string: split, "By " dropped, blanks and repeats gone.

    trafilatura strips English and German byline words but not French or Spanish ones.
    """
    if raw is None:
        return ()
    parts = raw.split(";") if isinstance(raw, str) else [p for r in raw for p in r.split(";")]
    seen: set[str] = set()
    names: list[str] = []
    for part in parts:
        name = " ".join(part.split())
        head, _, rest = name.partition(" ")
        if head.lower() in _BYLINE_WORDS:
            name = rest.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return tuple(names)
