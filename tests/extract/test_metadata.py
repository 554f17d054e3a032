"""Tests for scraper.extract.metadata: authors, dates and languages you can trust."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.authors import Byline, clean_authors
from scraper.extract.metadata import (
    MAX_JSON_VALUES,
    MAX_PAGE_JSON_VALUES,
    DateChoice,
    DatedClaim,
    PageFacts,
    body_paragraphs,
    choose_authors,
    choose_date,
    detect_language,
    read_facts,
    within_bound,
)

FETCHED = datetime(2025, 1, 20, 12, 0, tzinfo=UTC)


def _facts(html: str, url: str | None = "https://news.example/story") -> PageFacts:
    return read_facts(LexborHTMLParser(html), url)


def _date(found: str | None, facts: PageFacts, last_modified: str | None = None) -> DateChoice:
    return choose_date(found, facts, fetched_at=FETCHED, last_modified=last_modified)


# -- authors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe", ("Jane Doe",)),
        ("Par Claire Dubois", ("Claire Dubois",)),
        ("Von Hans Peter Müller", ("Hans Peter Müller",)),
        ("Von Miller", ("Von Miller",)),
        ("Posted by Jane Doe", ("Jane Doe",)),
        ("By Jane Doe Email the author", ("Jane Doe",)),
        ("Jane Doe, Staff Writer", ("Jane Doe",)),
        ("Jane Doe - Senior Reporter", ("Jane Doe",)),
        ("Ann Writer", ("Ann Writer",)),  # a surname that is also a role: was "Ann"
        ("Tom Chief", ("Tom Chief",)),
        ('Ann "\\ Writer', ("Ann Writer",)),  # a stray mark between the words: was 'Ann "\\'
        ("Ann \\ Writer", ("Ann Writer",)),
        ('Ann " Writer', ("Ann Writer",)),  # was "Ann"
        ("Jane Doe — Writer", ("Jane Doe",)),
        ("Ann Writer, Staff Writer", ("Ann Writer",)),
        ("Senior Editor", ()),  # a title of two role words is no name
        ("Contributing Writer", ()),
        ("Guest Contributor", ()),
        ("Jane Doe Writer", ("Jane Doe",)),
        ("Reuters Staff", ("Reuters",)),
        ("jane writer", ("Jane",)),
        ("Jane DoeMarch 3, 2024", ("Jane Doe",)),
        ("Jane Doe 12/03/2024 10:32", ("Jane Doe",)),
        ("Jane Doe Updated on", ("Jane Doe",)),
        ("Jane Doe (@janedoe)", ("Jane Doe",)),
        ("jane@example.com", ()),
        ("https://twitter.com/janedoe", ()),
        ("Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("By Jane Doe, Sam Lee & Ann Roe", ("Jane Doe", "Sam Lee", "Ann Roe")),
        ("Doe, Jane", ("Doe, Jane",)),
        ("Theresa May 2019", ("Theresa May",)),
        ("Bynum Smith", ("Bynum Smith",)),
        ("admin", ()),
        (["A B; C D", "c d"], ("A B", "C D")),
        ("Vom Krimiblogger", ("Krimiblogger",)),
        ("Von Roland Brockmann und Sebastian Drescher", ("Roland Brockmann", "Sebastian Drescher")),
        ("Por María López", ("María López",)),
        ("Przez Jan Kowalski", ("Jan Kowalski",)),
        ("Hans Meier, Redakteur", ("Hans Meier",)),
        ("Redaktion", ()),
        ("Redaktion MSM", ()),
        ("Redacción El Comercio", ()),
        ("Staff Writers", ()),
        ("From Haje Jan Kamps", ("Haje Jan Kamps",)),
        ("Jan Fleischhauer, deutscher Journalist, Kolumnist", ("Jan Fleischhauer",)),
        ("Home", ()),
        ("Name *", ()),
        ("Your name:", ()),
        ("Art Edwards says", ()),
        ("Art Edwards says:", ()),
        ("Publiziert", ()),
        ("FAIL", ()),
        ("OZ", ("OZ",)),
        ("HENRY STEINHAU", ("HENRY STEINHAU",)),
    ],
)
def test_clean_authors_strips_byline_cruft(raw: str | list[str], expected: tuple[str, ...]) -> None:
    """Bylines lose their "By", roles, dates, handles and e-mails, and split into one name each."""
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Ann Lee / Bob Smith",
        "Ann Lee + Bob Smith",
        "Ann Lee • Bob Smith",
        "Ann Lee ／ Bob Smith",
        "Ann Lee » Politics",
    ],
)
def test_a_mark_between_two_names_does_not_make_them_one(raw: str) -> None:
    """A stray quote or backslash between the words of a name is no word of it ('Ann "\\ Writer' is
    Ann Writer); a mark that parts two names or a name and a section is not stray: dropped, it made
    one name of them ("Ann Lee Bob Smith", "Ann Lee Politics"), a name no page wrote."""
    names = clean_authors(raw)
    assert all(name not in ("Ann Lee Bob Smith", "Ann Lee Politics") for name in names), names


SIDEBAR = (
    "<html><body><div class='related-posts'><div class='card'><a href='/x'>Other story</a>"
    "<span class='author'>Mark Sidebar</span></div></div>"
    "<main><p class='byline'>By Jane Doe</p><p>Story text.</p></main></body></html>"
)


def test_sidebar_byline_is_dropped_for_the_story_byline() -> None:
    """A name found only in a related-post card is replaced by the byline in the main content."""
    assert choose_authors("Mark Sidebar", _facts(SIDEBAR)) == ("Jane Doe",)


def test_declared_author_is_kept_even_if_it_also_sits_in_a_card() -> None:
    """A name that JSON-LD or a meta tag declares is trusted wherever else it appears."""
    html = SIDEBAR.replace("<html>", "<html><head><meta name='author' content='Mark Sidebar'></head>")
    assert choose_authors("Mark Sidebar", _facts(html)) == ("Mark Sidebar",)


def test_json_ld_authors_are_read() -> None:
    """JSON-LD author objects and lists count as declared authors."""
    html = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": [{"@type": "Person",'
        ' "name": "Ana Lima"}, {"name": "By Ben Ortiz"}]}</script>'
    )
    assert _facts(html).declared_authors == ("Ana Lima", "Ben Ortiz")


def test_unknown_names_are_kept() -> None:
    """A name trafilatura found somewhere we did not look is kept rather than second-guessed."""
    facts = dataclasses.replace(_facts("<p>x</p>"), bylines=(Byline("By Someone Else", in_card=True),))
    assert choose_authors("Jane Doe", facts) == ("Jane Doe",)


# -- dates -----------------------------------------------------------------------------------


def test_json_ld_date_wins_and_keeps_its_local_day() -> None:
    """JSON-LD datePublished comes first, and its day is the page's own (not shifted to UTC)."""
    html = '<script type="application/ld+json">{"datePublished": "2024-03-14T23:30:00-05:00"}</script>'
    assert _date("2024-03-10", _facts(html)) == DateChoice("2024-03-14", "json-ld")


def test_meta_date_is_plain() -> None:
    """article:published_time is a plainly stated date."""
    html = '<meta property="article:published_time" content="2023-11-02T08:00:00Z">'
    assert _date(None, _facts(html)) == DateChoice("2023-11-02", "meta")


def test_future_dates_are_never_taken() -> None:
    """A date after the fetch is skipped in favour of the next candidate (here the URL)."""
    html = '<meta property="article:published_time" content="2031-01-01">'
    facts = _facts(html, "https://news.example/2024/12/30/story")
    assert _date("2031-01-01", facts) == DateChoice("2024-12-30", "url")


def test_a_date_of_the_fetch_day_in_a_zone_ahead_of_utc_is_allowed() -> None:
    """Tomorrow by UTC is still today somewhere east, so the next day is not the future."""
    assert _date("2025-01-21", _facts("<p>x</p>")) == DateChoice("2025-01-21", "text")


def test_old_dates_need_a_plain_statement() -> None:
    """A 1985 date is taken from JSON-LD, but not from the text or the URL."""
    plain = _facts('<script type="application/ld+json">{"datePublished": "1985-06-01"}</script>')
    assert _date(None, plain) == DateChoice("1985-06-01", "json-ld")
    facts = _facts("<time datetime='1985-06-01'>1 June 1985</time>", "https://a.example/1985/06/01/x")
    assert _date("1985-06-01", facts) == DateChoice(None, None)


def test_trafilatura_date_is_labelled_by_where_it_matches() -> None:
    """trafilatura's date is "url" when the URL carries the same day, "text" otherwise."""
    facts = _facts("<p>x</p>", "https://a.example/2024/05/21/story")
    assert _date("2024-05-21", facts) == DateChoice("2024-05-21", "url")
    assert _date("2024-05-20", facts) == DateChoice("2024-05-20", "text")


def test_time_element_then_http_header() -> None:
    """Without other dates, <time datetime> counts as text, then Last-Modified as the http header."""
    assert _date(None, _facts("<time datetime='2024-02-01T10:00'>Feb 1</time>")) == DateChoice(
        "2024-02-01", "text"
    )
    header = "Wed, 21 Aug 2024 07:28:00 GMT"
    assert _date(None, _facts("<p>x</p>"), header) == DateChoice("2024-08-21", "http-header")
    assert _date(None, _facts("<p>x</p>"), "not a date") == DateChoice(None, None)


def test_dated_claims_are_ordered_plainest_first() -> None:
    """JSON-LD, then meta, then the URL, then <time> elements."""
    html = (
        '<head><meta name="date" content="2024-01-02"><script type="application/ld+json">'
        '{"datePublished": "2024-01-01"}</script></head><body><time datetime="2024-01-04"></time></body>'
    )
    facts = _facts(html, "https://a.example/2024/01/03/x")
    assert [c.source for c in facts.dates] == ["json-ld", "meta", "url", "text"]
    assert facts.dates[0] == DatedClaim(datetime(2024, 1, 1, tzinfo=UTC).date(), "json-ld")


# -- language --------------------------------------------------------------------------------


def test_language_detected_from_title_when_text_is_short() -> None:
    """Short text is topped up with the title and description before detection."""
    assert detect_language("OK", "Die Fähre fährt ab Mai auch nachts über den Hafen") == "de"


def test_language_is_und_without_two_words_of_text() -> None:
    """Without two words holding a letter (text, title and description) the language is "und": a
    one-word page came out Breton ("Hello") or Serbian ("Home"), the detector's guess at a word.
    Two words get a code, and so do a few characters of Japanese (a word each)."""
    assert detect_language("", None, "") == "und"
    assert detect_language("12 34") == "und"
    for word in ("Hello", "Home", "OK", "Danke!", "Wikipedia", "Stockholm"):
        assert detect_language(word, None, word) == "und", word
    assert detect_language("Hello", "Welcome") != "und"  # two words, with the title's
    assert detect_language("The ferry runs at night.") == "en"
    assert detect_language("\u3053\u3093\u306b\u3061\u306f") == "ja"


def test_an_organization_author_is_the_publisher_not_a_byline() -> None:
    """JSON-LD naming an Organization as author declares no person; its name is never an author."""
    html = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Organization",'
        ' "name": "Harbour News"}, "publisher": {"@type": "NewsMediaOrganization", "name": "Harbour Media"}}'
        "</script>"
    )
    facts = _facts(html)
    assert facts.declared_authors == ()
    assert choose_authors("Harbour News", facts) == ()
    assert choose_authors("Harbour Media; Jane Doe", facts) == ("Jane Doe",)


def test_the_site_name_is_no_author() -> None:
    """og:site_name, or a one-word name spelled like the host, is the masthead; people stay."""
    html = '<meta property="og:site_name" content="Lecker.de"><link rel="canonical" href="https://cybercook.example/x">'
    facts = _facts(html)
    assert choose_authors("Lecker.De", facts) == ()
    assert choose_authors("CyberCook", facts) == ()
    assert choose_authors("Cyber Cook", facts) == ("Cyber Cook",)


def test_the_json_ld_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's JSON-LD documents are parsed once for all the facts read from them: the
    language they declare (here the only one the page declares) among them."""
    parsed: list[str] = []
    loads = json.loads

    def counted(text: str) -> Any:
        parsed.append(text)
        return loads(text)

    monkeypatch.setattr(json, "loads", counted)
    facts = _facts(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "inLanguage": "es",'
        ' "datePublished": "2024-06-02", "author": {"@type": "Person", "name": "Ana Lima"}}</script>'
        "</head><body><p>Hola</p></body></html>"
    )
    assert (facts.language, facts.declared_authors, len(parsed)) == ("es", ("Ana Lima",), 1)


def _name(i: int) -> str:
    """A distinct two-word name for each number, of letters only."""
    letters = "".join(chr(ord("a") + int(d)) for d in str(i))
    return f"Ana {letters.title()}"


def test_json_ld_is_read_up_to_a_bound_of_values() -> None:
    """A document stating twice MAX_JSON_VALUES authors is read as far as that many values (their
    reading once took 7 s on 300,000); the page's own document after it is still read whole: a
    shop's long list does not hide the article's date and author."""
    authors = [{"@type": "Person", "name": _name(i)} for i in range(2 * MAX_JSON_VALUES)]
    script = '<script type="application/ld+json">{}</script>'
    html = script.format(json.dumps({"@type": "NewsArticle", "author": authors})) + script.format(
        json.dumps({"@type": "NewsArticle", "datePublished": "2024-06-02"})
    )
    facts = _facts(html)
    assert _name(0) in facts.declared_authors
    assert len(facts.declared_authors) < MAX_JSON_VALUES
    assert [str(d.day) for d in facts.dates if d.source == "json-ld"] == ["2024-06-02"]


def test_a_long_author_list_does_not_hide_the_date_after_it() -> None:
    """A document listing more authors than the bound before its `datePublished` keeps the date:
    an object's plain members are read before its lists (the date was past the bound, lost); the
    cut document handed to trafilatura's reader keeps it too, its members in their order."""
    authors = [{"@type": "Person", "name": _name(i)} for i in range(2 * MAX_JSON_VALUES)]
    document = {
        "@type": "NewsArticle",
        "author": authors,
        "headline": "Harbour",
        "datePublished": "2024-06-02",
    }
    html = f'<script type="application/ld+json">{json.dumps(document)}</script>'
    facts = _facts(html)
    assert [str(d.day) for d in facts.dates if d.source == "json-ld"] == ["2024-06-02"]
    assert _name(0) in facts.declared_authors
    cut = json.loads(within_bound(json.dumps(document)))
    assert list(cut) == ["@type", "author", "headline", "datePublished"]
    assert cut["datePublished"] == "2024-06-02" and 0 < len(cut["author"]) < MAX_JSON_VALUES // 2


def test_within_bound_hands_on_a_long_text_of_few_values_unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document longer than MAX_JSON_VALUES characters but of few values (a long articleBody) is
    handed on as written without a parse: it was parsed a second time only to find it in bounds."""
    document = json.dumps({"@type": "NewsArticle", "articleBody": "The ferry, late again. " * 2000})

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(json, "loads", no_parse)
    assert within_bound(document) is document


def test_a_long_item_list_does_not_hide_the_articles_document() -> None:
    """review20's page: an ItemList of 1,500 products (10,500 values), then the NewsArticle's own document."""
    items = [
        {"@type": "ListItem", "position": i, "item": {"@type": "Product", "name": f"p{i}", "sku": str(i)}}
        for i in range(1500)
    ]
    script = '<script type="application/ld+json">{}</script>'
    article = {"@type": "NewsArticle", "author": {"name": "Ana Lima"}, "datePublished": "2024-06-02"}
    html = script.format(json.dumps({"@type": "ItemList", "itemListElement": items}))
    facts = _facts(html + script.format(json.dumps(article)))
    assert facts.declared_authors == ("Ana Lima",)
    assert [str(d.day) for d in facts.dates if d.source == "json-ld"] == ["2024-06-02"]


def test_a_product_of_its_own_is_one_the_page_declares_at_its_top() -> None:
    """A Product at the top of the JSON-LD (a document's own object, or one of its @graph), or a
    microdata Product inside no other item, is the page's own: a product page. The Products a
    category's ItemList holds, the item a Review reviews, and a microdata Product that is an
    item of a list are not, nor is a page that declares none (a shop's grid of cards)."""
    script = '<script type="application/ld+json">{}</script>'
    product = {"@type": "Product", "name": "Oak desk", "offers": {"price": "199"}}
    listed = {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": product}]}
    review = {"@type": "Review", "itemReviewed": product}
    assert _facts(script.format(json.dumps(product))).own_product
    assert _facts(script.format(json.dumps({"@graph": [{"@type": "WebPage"}, product]}))).own_product
    assert _facts(script.format(json.dumps({**product, "@type": ["Product", "Thing"]}))).own_product
    assert not _facts(script.format(json.dumps(listed))).own_product
    assert not _facts(script.format(json.dumps(review))).own_product
    assert not _facts("<p>Oak desk $199</p>").own_product
    microdata = (
        '<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Oak desk</span></div>'
    )
    assert _facts(microdata).own_product
    inside = (
        '<ul itemscope itemtype="https://schema.org/ItemList"><li itemprop="itemListElement" itemscope'
        ' itemtype="https://schema.org/Product"><span itemprop="name">Oak desk</span></li></ul>'
    )
    assert not _facts(inside).own_product


def test_a_microdata_items_types_are_each_of_its_itemtype_urls() -> None:
    """An `itemtype` lists its types parted by white space: an item typed "Product Car", or a
    "Review" with a trailing slash before another type, is a product page's own Product or an
    expert's Review, as `schema_types` reads each of the types; a shop's grid declares none."""
    two = '<div itemscope itemtype="https://schema.org/Product https://schema.org/Car"><b>Oak</b></div>'
    assert _facts(two).own_product and {"Product", "Car"} <= _facts(two).schema_types
    spaced = '<div itemscope itemtype=" https://schema.org/Product "><b itemprop="name">Oak</b></div>'
    assert _facts(spaced).own_product
    review = (
        '<div itemscope itemtype="https://schema.org/Review/ https://schema.org/CreativeWork">'
        '<span itemprop="itemReviewed" itemscope itemtype="https://schema.org/Product">Oak desk</span></div>'
    )
    assert _facts(review).reviews_item and not _facts(review).own_product
    assert not _facts('<div itemscope itemtype="https://schema.org/ProductList"><b>Oak</b></div>').own_product


def test_a_declared_bodys_unseen_elements_are_not_its_text() -> None:
    """A declared `articleBody` written as HTML drops what no reader sees as text (`dom.UNSEEN`):
    a <noscript> notice and an <svg> icon's title, as it drops a script."""
    body = (
        "<p>The ferry ran late.</p><noscript>Enable JavaScript</noscript><svg><title>Map icon</title></svg>"
        "<script>track()</script><p>Then it sank.</p>"
    )
    assert body_paragraphs(body) == ["The ferry ran late.", "Then it sank."]


def test_json_ld_of_a_page_is_read_up_to_its_own_bound() -> None:
    """Documents each at their bound are read until the page's: one past it is not read at all."""
    filler = {"@type": "ItemList", "itemListElement": list(range(2 * MAX_JSON_VALUES))}
    script = '<script type="application/ld+json">{}</script>'
    fillers = MAX_PAGE_JSON_VALUES // MAX_JSON_VALUES
    html = script.format(json.dumps(filler)) * fillers + script.format(
        json.dumps({"@type": "NewsArticle", "datePublished": "2024-06-02"})
    )
    assert [d for d in _facts(html).dates if d.source == "json-ld"] == []


def test_json_ld_within_the_bound_is_read_whole() -> None:
    """Documents smaller than the bound, however many, lose nothing (in order, nested)."""
    documents = [{"@graph": [{"@type": "NewsArticle", "author": {"name": _name(i)}}]} for i in range(50)]
    html = "".join(f'<script type="application/ld+json">{json.dumps(d)}</script>' for d in documents)
    assert _facts(html).declared_authors == tuple(_name(i) for i in range(50))


def test_within_bound_cuts_a_document_where_json_ld_stops_reading() -> None:
    """A document of more than MAX_JSON_VALUES values is written out again as far as those values
    (for trafilatura's reader, which read 300,000 authors in 20 s); a smaller one, or broken JSON,
    is handed on as it is written."""
    authors = [{"@type": "Person", "name": _name(i)} for i in range(MAX_JSON_VALUES)]
    cut = json.loads(within_bound(json.dumps({"@type": "NewsArticle", "author": authors})))
    assert cut["@type"] == "NewsArticle" and cut["author"][0] == authors[0]
    assert 0 < len(cut["author"]) < MAX_JSON_VALUES // 2
    small = json.dumps({"@type": "NewsArticle", "author": authors[:10]}, indent=2)
    broken = "{" + " " * MAX_JSON_VALUES
    assert within_bound(small) is small and within_bound(broken) is broken


def test_the_date_elements_of_a_page_give_its_date_and_a_calendar_none() -> None:
    """`marked_date` reads the first element cued as a date (its class, id or itemprop) whose text
    is a day; a page of more than 1,000 of them (a calendar, an archive's list) states no date of
    its own, as htmldate's search of the markup reads none there, and their texts are not read."""
    from scraper.extract.metadata import marked_date  # noqa: PLC0415

    story = "<p>Harbour news</p><div class='entry-meta'><span class='post-date'>March 5, 2019</span></div>"
    assert marked_date(LexborHTMLParser(f"<html><body>{story}</body></html>")) == "2019-03-05"
    days = "".join(f"<li class='date'>March {1 + i % 28}, 2019</li>" for i in range(1001))
    assert marked_date(LexborHTMLParser(f"<html><body><ul>{days}</ul></body></html>")) is None
