"""Metadata you can trust: what the page declares, checked and cleaned; pure.

    read_facts(tree)            on the intact tree, before the pre-pass: declared language, canonical
                                link, JSON-LD objects, dated meta tags, declared authors, byline spots
    choose_authors(raw, facts)  trafilatura's names cleaned ("By", roles, dates, handles gone), minus
                                names that only appear in related-post cards
    choose_date(found, facts)   the first trustworthy date and where it came from
    choose_language(...)        declared, unless the text is plainly another; else detected from the
                                text, else from title+description; and which of the two it is
    body_paragraphs(raw)        a declared JSON-LD `articleBody` as the paragraphs a reader reads

trafilatura finds authors with XPaths over the whole page (first `.author` wins), so a byline of
a "Related posts" card can become the story's author; a name is kept when JSON-LD or a meta tag
declares it, or when a byline outside such cards carries it. Dates must never lie in the future
of the fetch, nor before 1990 unless JSON-LD or a meta tag states it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper import dom
from scraper.dates import http_date, iso_day
from scraper.extract.authors import (
    Byline,
    _objects,
    bylines,
    clean_authors,
    declared_authors,
    listed,
    publisher_names,
)
from scraper.urls import join_http

# A date of 1989 or earlier must be stated plainly (JSON-LD, meta tag): the web barely existed.
EARLIEST = date(1990, 1, 1)
# Pages are dated in their local time; UTC+14 is as far ahead of the fetch as "today" can be.
_AHEAD = timedelta(hours=14)
PLAIN_SOURCES = frozenset({"json-ld", "meta"})

# "und"efined, "mul"tiple and "zxx" (no linguistic content) are codes, but not languages.
_NOT_LANGUAGES = frozenset({"und", "mul", "zxx", "mis"})
UNDETERMINED = "und"
# Below this many letters of extracted text, the title and description are added to the sample.
_MIN_LETTERS_TO_DETECT = 20
# Fewer words than this (text, title and description) have no language to tell: a one-word page
# ("Hello", "Home", "OK") came out Breton or Serbian, the detector's guess at a word it half knows.
_MIN_WORDS_TO_DETECT = 2
# The detector reads the start of the text; it is as sure after 1,200 characters as after all (over
# the 3,137 texts of ../shared/datasets, 1,500 and 3,000 characters gave the same language but on
# one page, an English story that 3,000 characters of its readers' Spanish replies made Spanish;
# 1,200 and 1,500 the same on every page, 1,000 not on two: a German story under an English
# notice read as English). Its cost is in proportion: 1.17 -> 0.70 -> 0.57 ms a page.
_DETECTION_SAMPLE = 1200
# A declared language gives way only to a detector this sure, on this much text.
_MIN_LETTERS_TO_OVERRULE = 400
_OVERRULE_PROBABILITY = 0.99
# Latin detected on a page that declares a language is placeholder text ("Lorem ipsum"), not Latin.
_NEVER_OVERRULES = ("la",)


# the schema.org types of a product (a page declaring one at its top is a product page)
PRODUCT_TYPES = frozenset({"Product", "ProductGroup", "IndividualProduct", "ProductModel"})


@dataclass(frozen=True, slots=True)
class DatedClaim:
    """One date the page states, and the kind of place it was found (json-ld, meta, url, text)."""

    day: date
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFacts:
    """Metadata the page declares, read once on the intact tree."""

    language: str | None
    canonical: str | None
    schema_types: frozenset[str]
    # a Review naming what it reviews (`itemReviewed`): the page is a review of it (an expert's);
    # the customer reviews listed inside a Product do not name it
    reviews_item: bool = False
    # a Product of its own (top-level JSON-LD, or a microdata item inside no other): a product
    # page; a shop's category lists its products inside an ItemList, or declares none
    own_product: bool = False
    og_type: str
    description: str
    dates: tuple[DatedClaim, ...]
    declared_authors: tuple[str, ...]
    bylines: tuple[Byline, ...]
    # the site's and its publisher's names, and the labels of its host name (squeezed: `_squeezed`):
    # never an author's (a one-word "author" named like the host is the site: "CyberCook")
    publishers: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()
    # the distinct `articleBody` strings of its JSON-LD (a property of an Article and its kinds
    # alone), as declared: a page drawn by script may hold its story only there
    article_bodies: tuple[str, ...] = ()


def read_facts(tree: LexborHTMLParser, page_url: str | None, *, search: bool = True) -> PageFacts:
    """Everything `choose_*` and `classify` need from the page, before the pre-pass changes it.

    Without `search` (`[extract] metadata = "stated"`) only what the page states is read: no
    byline spots and no `<time>` elements are looked for in its body.
    """
    objects = list(json_ld(tree))
    canonical = canonical_url(tree, page_url)
    return PageFacts(
        language=declared_language(tree, objects),
        canonical=canonical,
        schema_types=frozenset(_schema_types(tree, objects)),
        reviews_item=_reviews_item(tree, objects),
        own_product=_own_product(tree, objects),
        og_type=_meta_content(tree, 'meta[property="og:type"]').lower(),
        description=_meta_content(tree, 'meta[name="description" i], meta[property="og:description"]'),
        dates=tuple(_dated_claims(tree, objects, page_url, search=search)),
        declared_authors=clean_authors(list(declared_authors(tree, objects))),
        bylines=tuple(bylines(tree)) if search else (),
        publishers=frozenset(n for n in map(_squeezed, publisher_names(tree, objects)) if len(n) >= 3),
        hosts=_host_names(canonical or page_url),
        article_bodies=tuple(dict.fromkeys(_article_bodies(objects))),
    )


# -- language --------------------------------------------------------------------------------


def normalise_language(value: str | None) -> str | None:
    """The lowercase primary subtag of a language tag ("en-US", "en_GB" -> "en"), or None if not one."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if not (2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha()):
        return None
    return None if primary in _NOT_LANGUAGES else primary


def declared_language(tree: LexborHTMLParser, objects: list[Any] | None = None) -> str | None:
    """The first valid language the page declares, in order of how often each source is right
    (`objects`: the page's JSON-LD documents, when they were read already)."""
    return next(filter(None, map(normalise_language, _language_declarations(tree, objects))), None)


def detect_language(text: str, *fallback: str | None) -> str:
    """py3langid's guess from `text`, topped up with the `fallback` texts when it is short; "und" if empty."""
    sample = text[:_DETECTION_SAMPLE]
    if sum(c.isalpha() for c in sample) < _MIN_LETTERS_TO_DETECT:
        sample = " ".join(filter(None, (sample, *fallback)))
    if _letter_words(sample, _MIN_WORDS_TO_DETECT) < _MIN_WORDS_TO_DETECT:
        return UNDETERMINED
    language, _probability = _identifier().classify(sample)
    return normalise_language(str(language)) or UNDETERMINED


def _letter_words(text: str, most: int) -> int:
    """The distinct words of `text` (`dom.WORD`: a character in Chinese or Japanese) holding a
    letter, case aside ("Home" in the text and the title is one), counted no further than `most`."""
    seen: set[str] = set()
    for match in dom.WORD.finditer(text):
        word = match.group().casefold()
        if any(c.isalpha() for c in word):
            seen.add(word)
            if len(seen) >= most:
                break
    return len(seen)


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    """The page's language and where it came from: `declared` by the page, `detected` in its
    text (no declaration, or one the text plainly contradicts), None when there is no language."""

    language: str
    source: str | None


NO_LANGUAGE = LanguageChoice(UNDETERMINED, None)


def choose_language(declared: str | None, text: str, *fallback: str | None) -> LanguageChoice:
    """The declared language, unless the detector is sure the text is in another one (a page
    declaring `lang="en-US"` whose story is plainly German is German); else the detected one."""
    if declared is None:
        detected = detect_language(text, *fallback)
        return LanguageChoice(detected, None if detected == UNDETERMINED else "detected")
    sample = text[:_DETECTION_SAMPLE]
    if sum(c.isalpha() for c in sample) >= _MIN_LETTERS_TO_OVERRULE:
        language, probability = _identifier().classify(sample)
        other = normalise_language(str(language))
        if other not in (None, declared, *_NEVER_OVERRULES) and probability >= _OVERRULE_PROBABILITY:
            return LanguageChoice(other, "detected")
    return LanguageChoice(declared, "declared")


def _identifier() -> Any:
    """py3langid's model with probabilities normalised (softmax at a temperature of the text's
    length), loaded once per process, on first use (mapped from the user's cache: langid.py)."""
    from scraper.langid import shared  # noqa: PLC0415  # numpy: on first use

    return shared()


def _language_declarations(tree: LexborHTMLParser, objects: list[Any] | None) -> Iterator[str]:
    root = tree.css_first("html")
    if root is not None:
        yield root.attributes.get("lang") or ""
    yield _meta_content(tree, 'meta[property="og:locale"]')
    for data in json_ld(tree) if objects is None else objects:
        yield from _find_key(data, "inLanguage")
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "content-language":
            # the header form allows a list ("en, fr"); the first is the primary audience
            yield (meta.attributes.get("content") or "").split(",", 1)[0]


# -- JSON-LD and meta tags -------------------------------------------------------------------


# The values (objects, lists, strings, numbers) read of one JSON-LD document, and of a page's
# documents together, in document order: the CV pages' largest document holds about 700, and a
# page stating 300,000 authors was 7 s of reading them (cleaning names, looking for publishers)
# before these bounds. A document has its own bound, so that a shop's long product list does not
# hide the article's own document after it; the page's bound caps a page of many of them.
MAX_JSON_VALUES = 10_000
MAX_PAGE_JSON_VALUES = 3 * MAX_JSON_VALUES


def json_ld(tree: LexborHTMLParser) -> Iterator[Any]:
    """Every parseable JSON-LD document of the page (broken ones are common and declare nothing),
    each read up to `MAX_JSON_VALUES` values, and all together up to `MAX_PAGE_JSON_VALUES`
    (`_bounded`): what lies past a bound is not read, as if the page had not written it.

    A document nested deeper than the JSON parser's recursion limit is as broken as a malformed
    one; `_objects` does not look below `MAX_JSON_DEPTH` levels of the others.
    """
    left = MAX_PAGE_JSON_VALUES
    for script in tree.css('script[type="application/ld+json" i]'):
        if left <= 0:
            return
        try:
            data = json.loads(script.text(deep=True))
        except (ValueError, RecursionError):
            left -= 1  # a broken one costs its parse too
            continue
        budget = min(MAX_JSON_VALUES, left)
        data, unused = _bounded(data, budget)
        left -= budget - unused
        yield data


def within_bound(text: str) -> str:
    """A JSON document's text as far as `json_ld` reads one: itself when it cannot hold more than
    `MAX_JSON_VALUES` values (every value is a character at least, so a shorter text is never
    parsed here) or is no JSON, else its first `MAX_JSON_VALUES` values written out again. For
    the readers of the page's JSON that are not ours (trafilatura's `extract_meta_json`, whose
    cost grows faster than the authors a document lists: 300,000 of them were 20 s)."""
    if _most_values(text) <= MAX_JSON_VALUES:  # no parse: a long articleBody was parsed twice
        return text
    try:
        data = json.loads(text, strict=False)  # strict as trafilatura reads it: control characters pass
    except (ValueError, RecursionError):
        return text
    bounded, left = _bounded(data, MAX_JSON_VALUES)
    return text if left > 0 else json.dumps(bounded, ensure_ascii=False)


def _most_values(text: str) -> int:
    """The most values a JSON text can hold, without parsing it: each value but the first follows
    a `[`, a `,` or a `:` (counted inside strings too, so never fewer)."""
    return 1 + text.count(",") + text.count("[") + text.count(":")


_CUT = object()  # an object's member whose value the budget did not reach


def _bounded(data: Any, budget: int) -> tuple[Any, int]:
    """`data` (a parsed JSON document) as far as its first `budget` values, and the budget left:
    a copy whose lists and objects end where the budget did, the values within them shared.
    Document order, but an object's plain members (strings, numbers) come before its lists and
    objects: a NewsArticle listing 20,000 authors before its `datePublished` lost the date. The
    members keep their order. Iterative: a document of any depth is a bounded walk."""
    holder: list[Any] = []
    copies: list[dict[str, Any]] = []
    # a value and where its copy goes: appended to a list, or set under its key in an object
    stack: list[tuple[Any, Callable[[Any], None]]] = [(data, holder.append)]
    while stack and budget > 0:
        value, put = stack.pop()
        budget -= 1
        children: list[tuple[Any, Callable[[Any], None]]] = []
        if isinstance(value, dict):
            plain = [key for key, member in value.items() if not isinstance(member, dict | list)]
            nested = [key for key, member in value.items() if isinstance(member, dict | list)]
            taken = (plain + nested)[:budget]
            kept = set(taken)
            copy: Any = {key: _CUT for key in value if key in kept}  # in the document's order
            copies.append(copy)
            children = [(value[key], functools.partial(copy.__setitem__, key)) for key in taken]
        elif isinstance(value, list):
            copy = []
            children = [(v, copy.append) for v in value[:budget]]
        else:
            copy = value
        put(copy)
        stack.extend(reversed(children))
    for copy in copies:
        for key in [key for key, member in copy.items() if member is _CUT]:
            del copy[key]
    return holder[0], budget


def _article_bodies(objects: list[Any]) -> Iterator[str]:
    """The `articleBody` strings of the JSON-LD `objects` (anywhere: @graph, lists), not blank."""
    for data in objects:
        for obj in _objects(data):
            body = obj.get("articleBody")
            if isinstance(body, str) and not body.isspace() and body:
                yield body.strip()


# the elements of an `articleBody` written as HTML that end a paragraph
_BODY_BREAKS = ", ".join(sorted(dom.BLOCK_ELEMENTS | {"br"}))


def body_paragraphs(raw: str) -> list[str]:
    """A declared `articleBody` as its paragraphs: split where it breaks its lines or where its
    HTML (some sites write it in the body) has a block or a <br>; tags and entities read as a
    browser reads them (selectolax), what no reader sees dropped (`dom.UNSEEN`), white space
    folded. Bounded as the page is before lexbor reads it (`dom.bounded_html`): the body is the
    page's to write, and an element of it with thousands of attributes would be as quadratic a
    parse as one in the page.
    A page's body is parsed once (`_paragraphs`): the pipeline asks for it twice, to split
    trafilatura's one-line fallback (`_as_the_page_reads`) and to weigh it (`_declared_body`)."""
    return list(_paragraphs(raw))


@functools.lru_cache(maxsize=2)  # the page in hand's bodies, not a corpus's
def _paragraphs(raw: str) -> tuple[str, ...]:
    tree = LexborHTMLParser(dom.bounded_html(f"<html><body>{raw}</body></html>"))
    body = tree.body
    if body is None:
        return ()
    tree.strip_tags(list(dom.UNSEEN))
    for node in body.css(_BODY_BREAKS):
        node.insert_before("\n")
        node.insert_after("\n")
    lines = (" ".join(line.split()) for line in body.text(deep=True).splitlines())
    return tuple(line for line in lines if line)


# Words a declared body has at least to be the story, not a description or a summary of it (those
# run one to three sentences, under 60 words)
STORY_WORDS = 120


def declared_story(bodies: Iterable[str]) -> list[str] | None:
    """The paragraphs (`body_paragraphs`) of the one `articleBody` a page declares (its `bodies`)
    when it is of a story's length, `STORY_WORDS` words or more; None when the page declares none,
    several, or a summary. What the pipeline may give as a story page's text (`_declared_body`),
    and what makes a page that shows nothing but an app root no shell (`classify`)."""
    declared = list(bodies)
    if len(declared) != 1:
        return None
    paragraphs = body_paragraphs(declared[0])
    return paragraphs if sum(len(dom.WORD.findall(line)) for line in paragraphs) >= STORY_WORDS else None


def _find_key(data: Any, key: str) -> Iterator[str]:
    """Every string value of `key` anywhere in a JSON document (the Language object form included)."""
    for obj in _objects(data):
        value = obj.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict) and isinstance(value.get("name"), str):
            yield value["name"]


def _types(obj: dict[str, Any]) -> list[str]:
    return [k.rsplit("/", 1)[-1] for k in listed(obj.get("@type")) if isinstance(k, str)]


def _schema_types(tree: LexborHTMLParser, objects: list[Any]) -> Iterator[str]:
    """JSON-LD @types and microdata itemtypes, without the schema.org prefix."""
    for data in objects:
        for obj in _objects(data):
            yield from _types(obj)
    for node in tree.css("[itemtype]"):
        yield from _itemtypes(node)


def _itemtypes(node: LexborNode) -> list[str]:
    """A microdata item's types without the schema.org prefix: its `itemtype` is a list of URLs
    parted by white space ("https://schema.org/Product https://schema.org/Car")."""
    return [url.rstrip("/").rsplit("/", 1)[-1] for url in (node.attributes.get("itemtype") or "").split()]


def _roots(objects: list[Any]) -> list[Any]:
    """The top-level objects of the JSON-LD documents `objects`: each document's own, and those of
    its @graph; not the objects nested in them (a Product's customer Reviews, an ItemList's items)."""
    roots = [r for data in objects for r in listed(data)]
    return [*roots, *(g for r in roots if isinstance(r, dict) for g in listed(r.get("@graph")))]


def _reviews_item(tree: LexborHTMLParser, objects: list[Any]) -> bool:
    """Whether the page declares itself a Review of something: a top-level JSON-LD Review (a
    document's own object, or one of its @graph) naming its `itemReviewed`, or a microdata Review
    whose item is not inside another. The customer reviews inside a Product are nested in it."""
    if any(isinstance(r, dict) and "Review" in _types(r) and "itemReviewed" in r for r in _roots(objects)):
        return True
    return any(
        "Review" in _itemtypes(node) and node.css_first('[itemprop~="itemReviewed"]') is not None
        for node in tree.css("[itemtype]:not([itemprop])")
    )


def _own_product(tree: LexborHTMLParser, objects: list[Any]) -> bool:
    """Whether the page declares a product of its own: a top-level JSON-LD Product (or one of its
    kinds, `PRODUCT_TYPES`), or a microdata one whose item is not inside another. The products a
    category lists sit inside its ItemList, and a shop's grid declares none."""
    if any(isinstance(r, dict) and set(_types(r)) & PRODUCT_TYPES for r in _roots(objects)):
        return True
    items = tree.css("[itemtype]:not([itemprop])")
    return any(PRODUCT_TYPES.intersection(_itemtypes(node)) for node in items)


def _meta_content(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    return " ".join((node.attributes.get("content") or "").split()) if node is not None else ""


def canonical_url(tree: LexborHTMLParser, page_url: str | None) -> str | None:
    """The `<link rel=canonical>` target made absolute against the page (and its `<base>`)."""
    base = dom.base_url(tree, page_url or "")
    for link in tree.css("link[rel][href]"):
        rels = (link.attributes.get("rel") or "").lower().split()
        href = (link.attributes.get("href") or "").strip()
        if "canonical" in rels and href:
            return _absolute_http_url(href, base)
    return None


def _absolute_http_url(href: str, base: str) -> str | None:
    """`href` resolved against `base`, kept only if the result is an http(s) URL with a host."""
    return join_http(base, href)


# -- dates -----------------------------------------------------------------------------------

# meta tags (name, property or itemprop, lowercased) that state when the page was published
_DATE_META = frozenset(
    {
        "article:published_time", "og:published_time", "og:article:published_time", "published_time",
        "article.published", "datepublished", "pubdate", "publishdate", "publish-date", "publish_date",
        "date", "dc.date", "dc.date.issued", "dc.date.created", "dcterms.date", "dcterms.created",
        "dcterms.issued", "citation_publication_date", "citation_date", "sailthru.date",
        "parsely-pub-date", "originalpublicationdate", "release_date", "article_date_original",
    }
)  # fmt: skip
_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|[-_]|$)")


def _dated_claims(
    tree: LexborHTMLParser, objects: list[Any], page_url: str | None, *, search: bool
) -> Iterator[DatedClaim]:
    """Publication dates the page states, most plainly stated first; with `search`, its `<time>`
    elements too."""
    for data in objects:
        for value in _find_key(data, "datePublished"):
            if day := iso_day(value):
                yield DatedClaim(day, "json-ld")
    for meta in tree.css("meta[content]"):
        attrs = meta.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in _DATE_META and (day := iso_day(attrs.get("content") or "")):
            yield DatedClaim(day, "meta")
    found = _URL_DAY.search(urlsplit(page_url).path) if page_url else None
    if found and (day := iso_day(f"{found[1]}-{found[2]}-{found[3]}")):
        yield DatedClaim(day, "url")
    for node in tree.css("time[datetime]") if search else ():
        if day := iso_day(node.attributes.get("datetime") or ""):
            yield DatedClaim(day, "text")


# The elements htmldate's search of the markup reads for a date (`htmldate.core.date_candidates`
# without its extensive search): its fast tags and footers, cued by their first id or class (or
# an itemprop) as a date, a time, a byline, a post's details
_DATED_TAGS = "div, h2, h3, h4, li, p, span, time, ul, footer, small"
_UNCUED_TAGS = frozenset({"footer", "small"})
_DATE_CUES = re.compile("[Mm]eta|time|publish|footer")
_DATE_CLASS_CUES = re.compile(
    "info|post_detail|block-content|byline|subline|posted|submitted|created-post|"
    "publication|author|autor|field-content|fa-clock-o|fa-calendar|fecha|parution"
)
# More date elements than this are a calendar or an archive's list, not a page's date: htmldate
# reads none of them (its `MAX_POSSIBLE_CANDIDATES`), and each is a read of its text
_MOST_DATE_ELEMENTS = 1000
# htmldate's earliest date, as `find_date` is called (`set_date_params`)
_HTMLDATE_EARLIEST = datetime(1995, 1, 1)  # noqa: DTZ001  # htmldate compares naive datetimes


def marked_date(tree: LexborHTMLParser) -> str | None:
    """The day the page's date elements write (`metadata = "markup"`): the first element that
    htmldate's search of the markup would read (`_DATED_TAGS`, `_dated_element`) whose text or
    title htmldate's regular expressions read as a day, in document order, on our own parse of
    the intact page. No dateparser and no second parse: the cheap half of htmldate's markup
    search, which finds most of its dates (a `<p class="post-date">March 5, 2019</p>`). None on
    a page of more than `_MOST_DATE_ELEMENTS` of them, as htmldate."""
    from htmldate.core import examine_text  # noqa: PLC0415  # htmldate: with the extractor
    from htmldate.utils import Extractor  # noqa: PLC0415

    options = Extractor(False, datetime.now(), _HTMLDATE_EARLIEST, True, "%Y-%m-%d")  # noqa: DTZ005
    body = tree.body
    nodes = body.css(_DATED_TAGS) if body is not None else []
    dated = [node for node in nodes if node.tag in _UNCUED_TAGS or _dated_element(node.attributes)]
    if len(dated) > _MOST_DATE_ELEMENTS:
        return None
    for node in dated:
        for text in (node.text(deep=True), node.attributes.get("title") or ""):
            if text and (found := examine_text(text, options)):
                return str(found)
    return None


def _dated_element(attrs: dict[str, str | None]) -> bool:
    """htmldate's test of an element's attributes (`is_date_candidate`): its first id or class,
    or its itemprop, says "date" or "datum"; or that first id or class is cued as a time or a
    post's details (`_DATE_CUES`), or its class as a byline or the like (`_DATE_CLASS_CUES`)."""
    first = next((value or "" for key, value in attrs.items() if key in ("id", "class")), None)
    for cue in (first, attrs.get("itemprop")):
        if cue and ("date" in cue.replace("D", "d") or "datum" in cue):
            return True
    if not first:
        return False
    return (
        _DATE_CUES.search(first) is not None or _DATE_CLASS_CUES.search(attrs.get("class") or "") is not None
    )


def _http_day(value: str) -> date | None:
    when = http_date(value)  # a malformed header states nothing
    return when.date() if when is not None else None


def _plausible(claim: DatedClaim, fetched_at: datetime) -> bool:
    """Not in the future of the fetch, and not before 1990 unless JSON-LD or a meta tag states it."""
    latest = (fetched_at.astimezone(UTC) + _AHEAD).date()
    return claim.day <= latest and (claim.day >= EARLIEST or claim.source in PLAIN_SOURCES)


def stated_date(facts: PageFacts, *, fetched_at: datetime) -> DatedClaim | None:
    """The date JSON-LD or a meta tag states, when one is plausible: no other source outranks it."""
    return next((c for c in facts.dates if c.source in PLAIN_SOURCES and _plausible(c, fetched_at)), None)


@dataclass(frozen=True, slots=True)
class DateChoice:
    """The chosen publication date (ISO day) and where it came from, or both None."""

    date: str | None
    source: str | None


def choose_date(
    found: str | None, facts: PageFacts, *, fetched_at: datetime, last_modified: str | None
) -> DateChoice:
    """The first trustworthy date: JSON-LD or meta, then htmldate's, the URL, <time>, Last-Modified.

    htmldate's date (`found`: its search of the intact page) is labelled "url" when the URL says
    the same day and "text" otherwise. A candidate in the future of `fetched_at` is never taken;
    one before 1990 only from JSON-LD or a meta tag.
    """

    def ok(claim: DatedClaim) -> bool:
        return _plausible(claim, fetched_at)

    claims = [c for c in facts.dates if ok(c)]
    plain = [c for c in claims if c.source in PLAIN_SOURCES]
    ordered = list(plain)
    if found and (day := iso_day(found)):
        same_url = any(c.source == "url" and c.day == day for c in claims)
        ordered.append(DatedClaim(day, "url" if same_url else "text"))
    ordered += [c for c in claims if c.source == "url"] + [c for c in claims if c.source == "text"]
    if last_modified and (day := _http_day(last_modified)):
        ordered.append(DatedClaim(day, "http-header"))
    choice = next((c for c in ordered if ok(c)), None)
    return DateChoice(choice.day.isoformat(), choice.source) if choice else DateChoice(None, None)


# -- authors ---------------------------------------------------------------------------------


def choose_authors(raw: str | None, facts: PageFacts) -> tuple[str, ...]:
    """trafilatura's authors, cleaned, without names only found in related-post cards and sidebars,
    and without the site's or its publisher's name."""
    names = _people(clean_authors(raw), facts)
    declared = {n.casefold() for n in facts.declared_authors}
    kept = tuple(n for n in names if n.casefold() in declared or not _only_in_cards(n, facts.bylines))
    if not kept:
        # nothing, cruft or another story's byline (or the pre-pass took the byline away before
        # trafilatura looked): what the page declares, else its own byline on the intact page
        main = (_people(clean_authors(b.text), facts) for b in facts.bylines if not b.in_card)
        return _people(facts.declared_authors, facts) or next((names for names in main if names), ())
    return kept


def _people(names: tuple[str, ...], facts: PageFacts) -> tuple[str, ...]:
    """The names that are not the site's or its publisher's."""
    return tuple(n for n in names if not _masthead(n, facts))


def _masthead(name: str, facts: PageFacts) -> bool:
    squeezed = _squeezed(name)
    return squeezed in facts.publishers or (" " not in name and squeezed in facts.hosts)


def _squeezed(name: str) -> str:
    """Letters and digits only, lowercase: "Lecker.De", "lecker.de" and "LECKER DE" are one name."""
    return "".join(c for c in name.casefold() if c.isalnum())


def _host_names(url: str | None) -> frozenset[str]:
    """The labels of the URL's host and the host itself, squeezed: cybercook.com.br gives
    "cybercook", "com" and "cybercookcombr"; "www" and the last label alone are left out."""
    labels = [label for label in ((urlsplit(url).hostname or "") if url else "").split(".") if label != "www"]
    return frozenset(n for n in (*map(_squeezed, labels[:-1]), _squeezed("".join(labels))) if len(n) >= 3)


def _only_in_cards(name: str, bylines: Iterable[Byline]) -> bool:
    where = [b.in_card for b in bylines if name.casefold() in b.text.casefold()]
    return bool(where) and all(where)
