"""Tests for scraper.extract.prepass, the selectolax pre-pass."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper import dom
from scraper.config import ExtractSettings
from scraper.extract import rules
from scraper.extract.prepass import RULES, Removal, strip_clutter

STORY = (
    "<p>The harbour board met on Tuesday to agree the summer timetable for the ferries, which will"
    " add two early crossings on weekdays and a late one on Saturdays.</p>"
    "<p>Board members said the extra sailings respond to a survey in which shift workers asked for"
    " a way to reach the hospital before seven in the morning.</p>"
    "<p>The new timetable starts on the first Monday of June and will be reviewed in September.</p>"
)


def _strip(
    body: str, head: str = "", body_attrs: str = "", page_type: str = "article", **settings: Any
) -> tuple[str, list[Removal]]:
    tree = LexborHTMLParser(f"<html><head>{head}</head><body{body_attrs}>{body}</body></html>")
    removals = strip_clutter(tree, ExtractSettings(**settings), page_type)
    return tree.html or "", removals


def _rules(removals: list[Removal]) -> set[str]:
    return {r.rule for r in removals}


def test_rule_names_are_unique_and_described() -> None:
    """Every rule has its own name and a description for `--explain`."""
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.description for rule in RULES)


def test_share_bar_is_removed() -> None:
    """A block classed as a share bar goes, recorded under the share-bar rule."""
    html, removals = _strip(
        f"<div class='content'>{STORY}"
        "<ul class='td-post-sharing'><li><a href='/f'>Facebook</a></li></ul></div>"
    )
    assert "Facebook" not in html
    assert "The harbour board met" in html
    assert Removal("share-bar", "ul", "Facebook") in removals


def test_guard_keeps_content_with_clutter_tokens() -> None:
    """A content container or <body> whose classes look like clutter is never removed."""
    html, removals = _strip(
        f"<div class='entry-content share-enabled related-posts'>{STORY}</div>",
        body_attrs=" class='single-post social-enabled'",
    )
    assert "The harbour board met" in html
    assert removals == []


def test_tokens_match_whole_words_only() -> None:
    """ "shared-calendar" or "sharepoint" are not share bars: tokens must match whole."""
    html, removals = _strip(
        f"{STORY}<div class='shared-calendar'>Calendar</div><div id='sharepoint'>Files</div>"
    )
    assert "Calendar" in html and "Files" in html
    assert removals == []


def test_camel_case_and_pair_tokens() -> None:
    """ "authorBio" and "tdb-author-box" both read as author bio boxes."""
    html, removals = _strip(
        f"{STORY}<div class='authorBio'>Jane writes about ferries.</div>"
        "<div class='tdb-author-box'>John writes about trains.</div>"
    )
    assert "Jane writes" not in html and "John writes" not in html
    assert _rules(removals) == {"author-bio"}


def test_a_section_anchored_to_itself_is_not_named_by_its_id() -> None:
    """Documentation links each heading to itself: `<section id="cookies">` whose heading links to
    "#cookies" is the text's section on cookies, and `<h3 id="social-benefits">` a heading, not a
    consent box or a share bar. Their class still counts, and an id nothing inside links to is
    still read as a role."""
    section = (
        "<section id='cookies'><h2>Cookies<a class='headerlink' href='#cookies'>#</a></h2>"
        "<p>To access cookies you can use the cookies attribute of the request object.</p></section>"
    )
    heading = "<h3 id='social-benefits'>Social Benefits<a href='#social-benefits'>#</a></h3>"
    html, removals = _strip(f"<div role='main'>{STORY}{section}{heading}<p>Teams meet more.</p></div>")
    assert "To access cookies" in html and "Social Benefits" in html
    assert removals == []
    html, removals = _strip(
        f"{STORY}<div id='cookies'><p>We use cookies. <a href='#cookies-more'>More</a></p></div>"
        "<div class='social-share' id='share'><a href='#share'>Share</a></div>"
        "<div id='cookie-banner'><a href='#cookie-banner'>Close</a> This site uses cookies.</div>"
        "<div id='menu'><a href='#menu'>Close</a><a href='/a'>Ferries</a><a href='/b'>Trains</a></div>"
    )
    assert "We use cookies" not in html and "Share" not in html
    assert "This site uses" not in html and "Trains" not in html  # a close button is no permalink
    assert _rules(removals) == {"consent-box", "share-bar", "navigation"}


def test_a_percent_encoded_permalink_names_its_section() -> None:
    """A heading's link to its section names the id as a browser finds it: percent-decoded as UTF-8
    ("#cookies-f%C3%BCr-entwickler" for id="cookies-für-entwickler", as heading-id generators write
    it), so the section is still read by what it says, not as a consent box."""
    for fragment in ("cookies-f%C3%BCr-entwickler", "cookies-für-entwickler"):
        section = (
            f"<section id='cookies-für-entwickler'><h2>Cookies für Entwickler<a href='#{fragment}'>#</a></h2>"
            "<p>To access cookies you can use the cookies attribute of the request object.</p></section>"
        )
        html, removals = _strip(f"<div role='main'>{STORY}{section}</div>")
        assert "To access cookies" in html, fragment
        assert removals == [], fragment


def test_self_links_are_read_once_a_page_not_once_an_element(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether an id is a permalink is found from the links in headings, one climb each: nested
    elements named "menu" each holding the same fifty self-links outside any heading were each
    climbed from every link (seconds on a hostile page of a few thousand such elements), for the
    same answer: ids no heading links to still count."""
    steps = 0
    climb = dom.ancestors

    def counted(node: Any, **kwargs: Any) -> Any:
        nonlocal steps
        for above in climb(node, **kwargs):
            steps += 1
            yield above

    monkeypatch.setattr(dom, "ancestors", counted)
    nested = "<div id='menu'>" * 30 + "<a href='#menu'>Close</a> " * 50 + "</div>" * 30
    section = (
        "<section id='cookies'><h2>Cookies<a href='#cookies'>#</a></h2><p>Cookies attribute.</p></section>"
    )
    html, removals = _strip(f"<div role='main'>{STORY}{section}</div>{nested}")
    assert "Cookies attribute" in html and "Close" not in html
    assert _rules(removals) == {"navigation"}
    assert steps < 100  # the one heading link's climb (twice: the bare page, the scanned one)


def test_a_links_text_is_read_once_while_the_rules_mark(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules ask a link's text for every container around it (is it link-dense, what prose
    does it hold): while they mark (`dom.unchanged`), each node's text is read from the tree once,
    not once for each of thirty nested menus around fifty links (1,500 reads of them), and the
    menus still go."""
    reads: dict[int, int] = {}
    read = dom._text

    def counted(node: Any) -> str:
        reads[node.mem_id] = reads.get(node.mem_id, 0) + 1
        return str(read(node))

    monkeypatch.setattr(dom, "_text", counted)
    nested = "<div class='menu'>" * 30 + "<a href='/elsewhere'>Somewhere else</a> " * 50 + "</div>" * 30
    html, removals = _strip(f"<div role='main'>{STORY}</div>{nested}")
    assert "Somewhere else" not in html and "harbour board" in html
    assert _rules(removals) == {"navigation"}
    assert max(reads.values()) <= 2  # the unguarded rules' sweep, the guarded ones'


def test_consent_and_newsletter_boxes_are_removed() -> None:
    """Cookie banners and newsletter boxes go under their own rule names."""
    html, removals = _strip(
        "<div id='cookie-notice'>We use cookies. <button>Accept</button></div>"
        f"<div class='post'>{STORY}"
        "<div class='newsletter-signup'><p>Get our newsletter every week.</p></div></div>"
    )
    assert "We use cookies" not in html and "Get our newsletter" not in html
    assert {"consent-box", "newsletter-box"} <= _rules(removals)


def test_short_consent_text_is_not_protected() -> None:
    """On a page without a story the cookie notice is not mistaken for the main content."""
    html, _ = _strip(
        "<div class='cookie-consent'><p>This site uses cookies to measure traffic and to personalise"
        " content; you can change your choices at any time.</p></div><p>Hello</p>"
    )
    assert "This site uses cookies" not in html


def test_a_consent_centre_longer_than_a_listing_is_removed() -> None:
    """A consent box holding more prose than the page's teasers (their text is links) goes, though
    the guard would keep it as the main content; one holding the page's title stays."""
    teasers = "".join(
        f"<li><a href='/r/{i}'>Recipe number {i} for a quick dinner</a></li>" for i in range(20)
    )
    centre = "<p>These cookies allow us to count visits and traffic sources so we can measure them.</p>" * 8
    html, removals = _strip(
        f"<h1>Dinner recipes</h1><ul class='cards'>{teasers}</ul><div id='onetrust-pc-sdk'>{centre}</div>"
    )
    assert "These cookies" not in html and "Recipe number 3" in html
    assert "consent-box" in _rules(removals)
    html, _ = _strip(f"<div class='cookies-accepted'><h1>Dinner</h1>{STORY}</div>")
    assert "The harbour board met" in html


def test_the_guard_weighs_the_page_without_its_consent_centre() -> None:
    """A thread shorter than the consent centre beside it is still the page's main content to the
    guard: forum software that wraps its posts in a <form> keeps them."""
    posts = "".join(
        f"<div class='post'><p>Reply {i}: the bottom panel mount is for the intake fans, as the manual"
        " shows on its last page.</p></div>"
        for i in range(3)
    )
    centre = "<p>These cookies allow us to count visits and traffic sources so we can measure them.</p>" * 30
    html, removals = _strip(f"<form action='/quote'>{posts}</form><div id='onetrust-pc-sdk'>{centre}</div>")
    assert "Reply 2: the bottom panel" in html and "These cookies" not in html
    assert _rules(removals) == {"consent-box"}


_PRODUCT = (
    "<h1>Trail 25 Pack</h1><div class='product-description'><p>Ripstop nylon main body with a durable"
    " water repellent finish, a padded back panel and a removable hipbelt for day hikes.</p></div>"
)
_REVIEWS = (
    "<div id='product-reviews-accordion'><h2>Reviews</h2>"
    + "".join(
        f"<div class='review-card'><p>Review {i}: comfortable straps and room for a full day of supplies,"
        " though the side pockets are a little tight for big bottles.</p></div>"
        for i in range(3)
    )
    + "</div>"
)


def _comment_list(tag: str = "ol", attrs: str = "class='commentlist'", count: int = 12) -> str:
    items = "".join(
        f"<li class='comment' id='comment-{k}'><div class='comment-author'><cite>Reader {k}</cite> says:"
        f"</div><p>Comment {k}: I took the early ferry for years and the new timetable suits shift"
        " workers far better than the old one, though the late Saturday sailing is what I wanted.</p></li>"
        for k in range(count)
    )
    return f"<h3 id='comments'>{count} Responses</h3><{tag} {attrs}>{items}</{tag}>"


def test_an_articles_list_of_reader_comments_goes_unless_comments_are_wanted() -> None:
    """A list classed or named a list of comments ("commentlist", "comment-list", "comment_list",
    "dsq-comments") under the story goes when comments are not wanted, even when the thread is
    longer than the story; it stays when they are wanted, on a page typed forum, and where the
    page's densest paragraphs are the comments themselves (no story outside the list)."""
    story = f"<article><h1>Ferries</h1>{STORY}</article>"
    for tag, attrs in [
        ("ol", "class='commentlist'"),
        ("ol", "class='comment-list'"),
        ("ul", "id='comment_list'"),
        ("ul", "id='dsq-comments'"),
    ]:
        html, removals = _strip(story + _comment_list(tag, attrs))
        assert "Comment 3:" not in html and "The harbour board met" in html, attrs
        assert _rules(removals) == {"comment-list"}
    html, removals = _strip(story + _comment_list(), include_comments=True)
    assert "Comment 3:" in html and removals == []
    html, removals = _strip(story + _comment_list(), page_type="forum")
    assert "Comment 3:" in html and removals == []
    html, _ = _strip("<h1>Ferries</h1><p>A short note.</p>" + _comment_list(count=4))
    assert "Comment 3:" in html  # the comments are the page's densest paragraphs: no story apart


def test_a_list_of_testimonials_is_no_thread_of_comments() -> None:
    """A list classed a list of comments that is what the business chose to show of its clients'
    words ("client-comments", or any list inside "testimonials") stays: the page's own, not a
    thread of readers under the story; a readers' "comments" list beside it still goes."""
    story = f"<article><h1>Ferries</h1>{STORY}</article>"
    for shown in (
        _comment_list("ul", "class='client-comments'"),
        f"<section class='testimonials'>{_comment_list('ul', 'class=comments')}</section>",
    ):
        html, removals = _strip(story + shown)
        assert "Comment 3:" in html and removals == [], shown[:60]
    html, removals = _strip(story + _comment_list("ul", "class='client-comments'", 2) + _comment_list())
    assert "Comment 1:" in html and "Comment 11:" not in html and _rules(removals) == {"comment-list"}


def test_a_thread_of_comments_inside_an_editorial_wrapper_still_goes() -> None:
    """A news site's story and its readers' comments often share a wrapper classed "editorial"
    (the page's section, or the body's class): the list of comments under the story still goes;
    only a testimonials wrapper keeps a list classed comments (rules._comment_lists)."""
    story = f"<article><h1>Ferries</h1>{STORY}</article>"
    for wrapped in (
        f"<main class='editorial'>{story}{_comment_list()}</main>",
        f"<div class='editorial-page'>{story}{_comment_list('ul', 'class=comments')}</div>",
    ):
        html, removals = _strip(wrapped)
        assert "Comment 3:" not in html and "The harbour board met" in html, wrapped[:40]
        assert _rules(removals) == {"comment-list"}
    html, removals = _strip(story + _comment_list(), body_attrs=" class='single editorial'")
    assert "Comment 3:" not in html and _rules(removals) == {"comment-list"}


def test_a_product_pages_customer_reviews_are_comments() -> None:
    """On a product page, customer reviews (an element classed review/reviews: "product-reviews",
    "jdgm-review-widget", "customerReviews") are its comments: they go unless comments are wanted.
    Its "editorial reviews" (the publisher's description) and testimonials (quotes it chose to show)
    stay, and so do a review wrapper holding the page's title, an expert's review that is the
    page's story ("mainReview" > "reviewBody") and a rating badge; on an article (a review is
    often the story) nothing goes."""
    html, removals = _strip(_PRODUCT + _REVIEWS, page_type="product")
    assert "Review 1: comfortable" not in html and "Ripstop nylon" in html
    assert _rules(removals) == {"review-section"}
    html, removals = _strip(_PRODUCT + _REVIEWS, page_type="product", include_comments=True)
    assert "Review 1: comfortable" in html and removals == []
    html, removals = _strip(_PRODUCT + _REVIEWS, page_type="article")
    assert "Review 1: comfortable" in html and removals == []
    editorial = "<div id='editorialReviews_feature_div'><p>From the publisher: a guide to habits.</p></div>"
    html, _ = _strip(_PRODUCT + editorial, page_type="product")
    assert "From the publisher" in html
    html, _ = _strip(f"<div class='review-layout'>{_PRODUCT}</div>", page_type="product")
    assert "Ripstop nylon" in html
    expert = f"<div id='mainReview'><h2>Our verdict</h2><div class='reviewBody'>{STORY}</div></div>"
    html, _ = _strip(_PRODUCT + expert, page_type="product")
    assert "The harbour board met" in html
    editorial = (  # longer than a rating badge: only its class words keep it
        "<div id='editorialReviews_feature_div'><p>From the publisher: a guide to the small habits that"
        " add up, with worked examples from a decade of coaching.</p></div>"
    )
    html, _ = _strip(_PRODUCT + editorial + _REVIEWS, page_type="product")
    assert "From the publisher" in html and "Review 1: comfortable" not in html
    summary = "<div class='review-content'><p>" + "What the maker says about the pack. " * 4 + "</p></div>"
    html, _ = _strip(_PRODUCT + summary + _REVIEWS, page_type="product")
    assert "What the maker says" in html
    quotes = (
        "<div class='testimonials'><div class='review-card'><p>We had ants in the kitchen for weeks, and"
        " one visit from the team got rid of them for good, with no smell and no mess left behind.</p>"
        "</div></div>"
    )
    html, _ = _strip(_PRODUCT + quotes, page_type="product")
    assert "We had ants" in html
    badge = "<span class='product-reviews-badge'>4.7 (64 reviews)</span>"
    html, _ = _strip(_PRODUCT + badge + _REVIEWS, page_type="product")
    assert "4.7 (64 reviews)" in html and "Review 1: comfortable" not in html


def test_source_link_trailer_is_removed() -> None:
    """A short block that is only a source/via credit link goes; a real sentence about sources stays."""
    sentence = (
        "<p>Sources close to the board said the vote was unanimous, according to <a href='/r'>the minutes</a>"
        " published later that evening on the council website for anyone to read.</p>"
    )
    html, removals = _strip(
        f"<div>{STORY}{sentence}<p><a href='https://t.example/x'>Source link</a></p>"
        "<p>Via <a href='https://v.example'>The Verge</a></p></div>"
    )
    assert "Source link" not in html and "The Verge" not in html
    assert "Sources close to the board" in html
    assert _rules(removals) == {"source-trailer"}


def test_an_affiliate_disclosure_goes() -> None:
    """A block classed as a disclosure or disclaimer ("editorial-disclosure", "aawp-disclaimer":
    "This post contains references to products from our advertisers") goes; the story stays."""
    html, removals = _strip(
        "<div class='content'><section class='editorial-disclosure'><p>This post contains references to"
        " products from one or more of our advertisers.</p></section>"
        f"{STORY}<p class='aawp-disclaimer'>Bei den Verlinkungen handelt es sich um Affiliate Links</p></div>"
    )
    assert "advertisers" not in html and "Affiliate" not in html and "The harbour board met" in html
    assert _rules(removals) == {"disclosure"}


def test_a_roundups_via_lines_are_its_text() -> None:
    """A blog post that lists links, each with its "via <source>" line, keeps those lines: three
    list items or more with a credit each are a roundup's items, not a story's closing credit."""
    items = "".join(
        f"<li><p><a href='https://n.example/{i}'>Story number {i} of the week</a></p>"
        f"<p>via netzpolitik.org <a href='https://netzpolitik.org'>https://netzpolitik.org</a></p></li>"
        for i in range(3)
    )
    html, removals = _strip(f"<div><h1>Links of the week</h1><ul>{items}</ul></div>")
    assert html.count("via netzpolitik.org") == 3
    assert "source-trailer" not in _rules(removals)
    # as many credits outside a list (a chart's "Source:" line each) are each a trailer
    charts = "".join(
        f"<p>Chart {i}</p><p>Source: <a href='https://s.example/{i}'>s.example</a></p>" for i in range(3)
    )
    html, removals = _strip(f"<div>{STORY}{charts}</div>")
    assert "s.example" not in html and _rules(removals) == {"source-trailer"}
    # and a call to read on in each item of a list is a call all the same
    calls = "".join(
        f"<li><p>Story {i}</p><p><a href='/s{i}'>Read the full story</a></p></li>" for i in range(3)
    )
    html, removals = _strip(f"<div>{STORY}<ul>{calls}</ul></div>")
    assert "Read the full story" not in html and _rules(removals) == {"source-trailer"}


def test_teaser_section_with_its_own_container() -> None:
    """A "Recent posts" heading opening its own block takes the whole block with it."""
    html, removals = _strip(
        f"<div class='main'>{STORY}</div><div class='widget'><h4><span>Recent posts</span></h4>"
        "<div><a href='/a'>Another story</a><div>An excerpt of another story...</div></div></div>"
    )
    assert "Recent posts" not in html and "Another story" not in html
    assert (
        Removal("teaser-section", "div", "Recent posts Another story An excerpt of another story...")
        in removals
    )


@pytest.mark.parametrize(
    "heading",
    ["Mehr zum Thema", "Veja também:", "Zobacz również", "À lire aussi", "Lo más leído", "Lees ook"],
)
def test_teaser_section_headings_in_other_languages(heading: str) -> None:
    """The heading of a rail of other stories, in the languages the teaser-link labels cover, opens a
    teaser section as "Related articles" does; the same words inside a sentence are the story's."""
    html, removals = _strip(
        f"<div class='main'>{STORY}<p>{heading} the board's minutes, published on Friday.</p></div>"
        f"<div class='widget'><h3>{heading}</h3><ul><li><a href='/a'>Another story</a></li>"
        "<li><a href='/b'>A third story</a></li></ul></div>"
    )
    assert "Another story" not in html and "A third story" not in html
    assert "the board's minutes" in html
    assert _rules(removals) == {"teaser-section"}


@pytest.mark.parametrize(
    "heading",
    ["Ähnliche Beiträge", "Mehr aus der Sendung", "Weitere Artikel zum Thema", "Otras noticias de Economía",
     "Autres articles de la rubrique", "Gerelateerde berichten", "Relaterte artikler"],
)  # fmt: skip
def test_teaser_headings_that_name_what_the_rail_holds(heading: str) -> None:
    """A heading that opens by naming the rail's kind ("Ähnliche Beiträge", WordPress's German
    "Related posts"; "Mehr aus der Sendung", "More from the show") opens a teaser section as "More
    from ..." does, in the languages the teaser-link labels cover."""
    html, removals = _strip(
        f"<div class='main'>{STORY}</div>"
        f"<div class='widget'><h3>{heading}</h3><ul><li><a href='/a'>Another story</a></li>"
        "<li><a href='/b'>A third story</a></li></ul></div>"
    )
    assert "Another story" not in html and "A third story" not in html
    assert _rules(removals) == {"teaser-section"}


@pytest.mark.parametrize("heading", ["Mehr von allem", "More from the interview"])
def test_a_section_named_by_a_teaser_opening_wants_two_links(heading: str) -> None:
    """A section of the story whose heading only opens as a rail's does ("More from the interview",
    "Mehr von allem") and which holds one link in its prose is the story's: it stays (redteam9's
    finding), and so does one whose one paragraph of prose holds two (redteam10's). The same section
    with a second paragraph that is a link, or blurbs of a link each, is a rail and goes."""
    part = (
        f"<section><h2>{heading}</h2><p>The captain, asked about the winter, said the crossings would"
        " run as long as the ice allowed, and pointed to <a href='/x'>last year's schedule</a> as a guide"
        " for the crews who work the early boats{inline}.</p>{more}</section>"
    )
    for inline in ("", " and to <a href='/w'>the harbour's notice</a>"):
        html, removals = _strip(
            f"<article><h1>Ferries</h1><div class='text'>{STORY}</div>"
            f"{part.format(inline=inline, more='')}</article>"
        )
        assert "asked about the winter" in html
        assert "teaser-section" not in _rules(removals)
    rail = part.format(inline="", more="<p><a href='/y'>Another story</a></p>")
    html, removals = _strip(f"<article><h1>Ferries</h1><div class='text'>{STORY}</div>{rail}</article>")
    assert "asked about the winter" not in html
    assert _rules(removals) == {"teaser-section"}
    blurbs = "".join(
        f"<p>Read how <a href='/b{i}'>the crossing number {i}</a> changed the island's winter.</p>"
        for i in range(3)
    )
    rail = f"<section><h2>{heading}</h2>{blurbs}</section>"
    html, removals = _strip(f"<article><h1>Ferries</h1><div class='text'>{STORY}</div>{rail}</article>")
    assert "the crossing number 1" not in html
    assert _rules(removals) == {"teaser-section"}


def test_a_teaser_heading_in_any_element_heads_the_lists_after_it() -> None:
    """A rail's heading the page sets in a styled <span> ("Zobacz również" in a header bar) heads the
    link-dense list right after it as an <h3> would, not what follows the list (the match's facts,
    links mostly); the same words over prose stay, and so does a list under a "Related:" paragraph
    (a paragraph is no heading: a story's own list of links may follow one)."""
    rail = (
        "<span class='headerbar'>Zobacz również</span><ul><li><img src='/a.jpg'><span><a href='/a'>"
        "Another story of the league</a></span></li><li><span><a href='/b'>A third story</a></span></li></ul>"
        "<div><a href='/l'>PGE Ekstraliga</a> <a href='/s'>Stadion im. Alfreda Smoczyka</a> 57:33</div>"
    )
    prose = (
        "<p><span>Related</span></p><p>The ferry ran late on Sunday, the third time this month.</p>"
        "<p>Related:</p><ul><li><a href='/t'>The summer timetable</a></li><li><a href='/f'>Fare</a></li></ul>"
    )
    html, removals = _strip(f"<div class='main'><h1>Ferries</h1>{STORY}{rail}{prose}</div>")
    assert "Zobacz również" not in html and "Another story" not in html and "Stadion im." in html
    assert "Related" in html and "The ferry ran late" in html and "The summer timetable" in html
    assert _rules(removals) == {"teaser-section"}


@pytest.mark.parametrize("heading", ["À lire aussi", "Läs också", "Zobacz również"])
def test_a_decomposed_teaser_heading_is_the_heading(heading: str) -> None:
    """A heading whose accents the page writes as combining marks (NFD) is the same heading."""
    html, removals = _strip(
        f"<div class='main'>{STORY}</div><div class='widget'><h3>{unicodedata.normalize('NFD', heading)}</h3>"
        "<ul><li><a href='/a'>Another story</a></li><li><a href='/b'>A third story</a></li></ul></div>"
    )
    assert "Another story" not in html
    assert _rules(removals) == {"teaser-section"}


def _rail(items: int) -> str:
    """A "Recommended for You" rail of teasers, each a linked headline and a summary paragraph."""
    return (
        "<div class='applet'><div class='hd'><h2>Recommended for You</h2></div><ul>"
        + "".join(
            f"<li><h3><a href='/s{i}'>Another headline number {i}</a></h3><p>A summary of story {i}, long"
            " enough to read as prose: the council said on Monday that the plan would go ahead.</p></li>"
            for i in range(items)
        )
        + "</ul></div>"
    )


def test_teaser_section_longer_than_the_story_is_removed() -> None:
    """A rail under a teaser heading goes even when its summaries outweigh the story: the story's own
    container is elsewhere, and the heading names the rail. The weight guard alone kept it."""
    html, removals = _strip(f"<article><h1>Ferries</h1><div class='text'>{STORY}</div></article>{_rail(8)}")
    assert "Another headline" not in html and "A summary of story" not in html
    assert "The harbour board met" in html
    assert _rules(removals) == {"teaser-section"}


def test_teaser_section_on_a_page_without_a_story_is_weighed() -> None:
    """Without a story-length paragraph container elsewhere, the weight guard decides: a rail that is
    most of the page's prose may be the page (a listing), so it stays."""
    html, removals = _strip(f"<h1>Ferries</h1><p>Timetables.</p>{_rail(8)}")
    assert "A summary of story 7" in html
    assert "teaser-section" not in _rules(removals)


def test_teaser_section_under_the_title_with_the_story_is_weighed() -> None:
    """A list under a teaser heading inside the block that holds the title and the story's text (a
    section front: its title, an intro, then "Latest news") is the page's own: the weight guard
    decides there, so a list outweighing the intro stays. Outside that block, it goes."""
    for wrapper in ("main", "div"):
        page = f"<{wrapper}><h1>Harbour news</h1><div class='intro'>{STORY}</div>{_rail(8)}</{wrapper}>"
        html, removals = _strip(page)
        assert "A summary of story 7" in html, wrapper
        assert "teaser-section" not in _rules(removals), wrapper
    html, removals = _strip(f"<main><h1>Harbour news</h1><div class='intro'>{STORY}</div></main>{_rail(8)}")
    assert "A summary of story" not in html
    assert _rules(removals) == {"teaser-section"}


def test_the_storys_titled_block_is_found_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The climb from the story's container to its titled block reads a subtree at each step (up to
    the depth cap times the page's elements): made only on a page where a teaser heading asks."""
    climbs = 0
    holds = rules.holds_story

    def counted(node: Any) -> bool:
        nonlocal climbs
        climbs += 1
        return holds(node)

    monkeypatch.setattr(rules, "holds_story", counted)
    _strip(f"<main><h1>Ferries</h1><div class='text'>{STORY}</div></main>")
    assert climbs == 0
    _strip(f"<main><h1>Ferries</h1><div class='text'>{STORY}</div></main>{_rail(8)}")
    assert climbs > 0


def test_teaser_heading_inside_the_text() -> None:
    """A "Related articles" heading inside the text takes its link list but not the paragraph after it."""
    html, removals = _strip(
        f"<div class='body'>{STORY}<h3>Related articles:</h3><ul><li><a href='/a'>Story A</a></li>"
        "<li><a href='/b'>Story B</a></li></ul><p>A closing paragraph that belongs to the story.</p></div>"
    )
    assert "Related articles" not in html and "Story A" not in html
    assert "A closing paragraph" in html
    assert _rules(removals) == {"teaser-section"}


def test_ordinary_heading_is_kept() -> None:
    """A heading that merely mentions a teaser word is content."""
    html, removals = _strip(f"<div>{STORY}<h2>Related costs rise</h2><p>Fuel costs rose too.</p></div>")
    assert "Related costs rise" in html
    assert removals == []


def test_teaser_cards_are_removed() -> None:
    """Three or more short cards with linked headings are a teaser list."""
    cards = "".join(
        f"<div class='c'><img src='{i}.jpg'><h3><a href='/{i}'>Card story {i}</a></h3>"
        f"<p>Excerpt {i}</p></div>"
        for i in range(4)
    )
    html, removals = _strip(f"<div class='story'>{STORY}</div><div class='grid'>{cards}</div>")
    assert "Card story" not in html
    assert "teaser-cards" in _rules(removals)


def _wrapped_cards(count: int) -> str:
    return "".join(
        f"<li class='c'><a href='/{i}'><div class='face'><h3>Card story {i}</h3>"
        f"<p>Excerpt {i}</p></div></a></li>"
        for i in range(count)
    )


def test_teaser_cards_whose_link_wraps_the_heading_are_removed() -> None:
    """Cards whose whole face is their link (<a href><h3>..</h3><p>..</p></a>) beside an article's
    story are teasers too."""
    html, removals = _strip(f"<div class='story'>{STORY * 3}</div><ul class='grid'>{_wrapped_cards(4)}</ul>")
    assert "Card story" not in html and "Excerpt 3" not in html
    assert "harbour board" in html
    assert "teaser-cards" in _rules(removals)


@pytest.mark.parametrize(("story", "page_type"), [(STORY, "article"), (STORY * 3, "listing")])
def test_cards_whose_link_wraps_the_heading_under_a_short_intro_or_on_a_listing_are_kept(
    story: str, page_type: str
) -> None:
    """The same cards under an intro shorter than a story (an award's honourees, a shop's grid), or
    on a page that is not an article, are the page's own items."""
    html, removals = _strip(
        f"<div class='intro'>{story}</div><ul class='grid'>{_wrapped_cards(4)}</ul>", page_type=page_type
    )
    assert "Card story 3" in html and "Excerpt 3" in html
    assert "teaser-cards" not in _rules(removals)


def test_headings_far_below_a_link_are_not_cards() -> None:
    """A link wrapping a whole section, headings and all, a few wrappers up, makes no cards of them."""
    parts = "".join(
        f"<div><div><div><h3>Part {i}</h3><p>Step {i} of the guide.</p></div></div></div>" for i in range(4)
    )
    html, removals = _strip(f"<div class='story'>{STORY * 3}</div><a href='/guide'>{parts}</a>")
    assert "Part 3" in html
    assert "teaser-cards" not in _rules(removals)


def test_teaser_cards_that_are_the_main_content_are_kept() -> None:
    """Cards holding most of the page's <main> are the page (a documentation index), not a rail."""
    cards = "".join(
        f"<div class='c'><h3><a href='/{i}'>Guide {i}</a></h3><p>What guide {i} explains.</p></div>"
        for i in range(4)
    )
    html, removals = _strip(
        f"<nav>{'<a href=/x>Section</a>' * 40}</nav><main><h1>Writing workflows</h1>"
        f"<div class='grid'>{cards}</div></main>"
    )
    assert "Guide 3" in html and "What guide 3 explains." in html
    assert "teaser-cards" not in _rules(removals)


def test_teaser_link_line_is_removed() -> None:
    """A "Related: <link>" line is removed, a paragraph that opens with "Related:" and goes on is not."""
    prose = "<p>Related: the board also discussed the cost of fuel, which rose by a fifth this year.</p>"
    html, removals = _strip(
        f"<div>{STORY}<p><strong>Related:</strong> <a href='/x'>Night bus cuts leave workers stranded</a></p>"
        f"{prose}</div>"
    )
    assert "Night bus cuts" not in html
    assert "the board also discussed the cost of fuel" in html
    assert _rules(removals) == {"teaser-link"}


@pytest.mark.parametrize("label", ["Mire", "Dowiedz się więcej"])
def test_teaser_link_line_in_spanish_and_polish_is_removed(label: str) -> None:
    """ "Mire: <link>" (Spanish, the formal "Mira") and "Dowiedz się więcej: <link>" (Polish, "Find
    out more") put a link to another story into the text, as "Related: <link>" does."""
    html, removals = _strip(
        f"<div>{STORY}<h6><strong>{label}: </strong>"
        "<a href='/x'>Night bus cuts leave workers stranded</a></h6></div>"
    )
    assert "Night bus cuts" not in html and "harbour board" in html
    assert _rules(removals) == {"teaser-link"}


def test_a_teaser_label_alone_on_its_line_goes_with_the_link_after_it() -> None:
    """ "<p><strong>Lue myös:</strong></p>" over a line that is one link to another story is the
    same teaser as "Related: <link>" on one line: both go. A label over a paragraph of prose, or
    over a long line, stays, as does the paragraph."""
    prose = "<p>Read also the board's own words, which it published on Friday for every rider to see.</p>"
    html, removals = _strip(
        f"<div>{STORY}<p><strong>Lue myös:</strong></p>"
        "<div><div><a href='/x'>Night bus cuts leave workers stranded</a></div></div>"
        f"<p>Read also:</p>{prose}</div>"
    )
    assert "Lue myös" not in html and "Night bus cuts" not in html
    assert "Read also:" in html and "the board's own words" in html
    assert _rules(removals) == {"teaser-link"}


def test_a_comment_between_a_teaser_label_and_its_link_is_passed_over() -> None:
    """A markup comment between the label's line and the link's ("<!-- teaser -->") is no text a
    reader sees: the label and the link go as they do without it, as every sibling walk of the
    rules reads past comments (`rules._next_element`)."""
    html, removals = _strip(
        f"<div>{STORY}<p><strong>Lue myös:</strong></p> <!-- related story -->"
        "<div><a href='/x'>Night bus cuts leave workers stranded</a></div></div>"
    )
    assert "Lue myös" not in html and "Night bus cuts" not in html
    assert _rules(removals) == {"teaser-link"}


def test_a_manuals_see_also_is_its_text() -> None:
    """On a documentation page "See also: <a>os.open()</a>", on one line or the label over the link,
    is the manual's cross-reference to another of its entries, which its readers follow: it stays.
    A "Read also:" teaser there still goes, and on an article both go."""
    lines = (
        "<p>See also: <a href='/os#open'>os.open() and its flags</a></p>"
        "<p>Siehe auch:</p><p><a href='/os#fdopen'>os.fdopen()</a></p>"
        "<p>Read also: <a href='/blog/x'>Night bus cuts leave workers stranded</a></p>"
    )
    manual, removals = _strip(f"<div>{STORY}{lines}</div>", page_type="documentation")
    assert "os.open()" in manual and "Siehe auch" in manual and "os.fdopen()" in manual
    assert "Night bus cuts" not in manual and _rules(removals) == {"teaser-link"}
    story, _ = _strip(f"<div>{STORY}{lines}</div>")
    assert "os.open()" not in story and "os.fdopen()" not in story


def test_an_encyclopedias_pointer_to_a_main_article_goes() -> None:
    """ "Main article: <a>Ferry</a>" and "Hauptartikel: <a>Fähre</a>" under a section's heading point
    to another article by a short name, as a teaser line links another story: they go. A line
    whose words after the label are mostly not linked stays."""
    prose = "<div>Further information: the board's report, <a href='/r'>online</a>, lists every fare.</div>"
    html, removals = _strip(
        f"<div>{STORY}<h2>Ferries</h2><div role='note'>Main article: <a href='/f'>Ferry</a></div>"
        f"<div>Hauptartikel: <a href='/g'>Fähre</a></div>{prose}</div>"
    )
    assert "Main article" not in html and "Hauptartikel" not in html
    assert "lists every fare" in html
    assert _rules(removals) == {"teaser-link"}


def test_further_information_over_a_contact_is_no_pointer() -> None:
    """ "Further information: <a>ferries@harbour.example</a>" closing a story or a service's page
    names whom to ask, not another article: the line stays, with or without a bold label."""
    html, removals = _strip(
        f"<div>{STORY}<p><strong>Further information:</strong> <a href='mailto:ferries@harbour.example'>"
        "ferries@harbour.example</a></p>"
        "<p>Further information: <a href='/contact'>Harbour office</a></p></div>",
        page_type="service",
    )
    assert "ferries@harbour.example" in html and "Harbour office" in html
    assert "teaser-link" not in _rules(removals)


def test_a_label_whose_colon_follows_its_element_is_a_label() -> None:
    """ "<em>Read more</em>: <a>...</a>" is the same teaser line as "Read more: <a>...</a>", and
    "<b>Published</b>: 30 January 2017" the same meta line; a paragraph that opens with the words
    and no colon is prose."""
    prose = "<p><em>Read more</em> about the timetable in <a href='/r'>the board's report</a> online.</p>"
    html, removals = _strip(
        f"<div>{STORY}<p><em>Read more</em>: <a href='/x'>Night bus cuts leave workers stranded</a></p>"
        f"<p><b>Published</b>: 30 January 2017</p>{prose}</div>"
    )
    assert "Night bus cuts" not in html and "30 January" not in html
    assert "about the timetable" in html
    assert _rules(removals) == {"teaser-link", "label-block"}


def test_a_label_without_its_colon_reads_only_the_opening_of_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether the colon follows a label's element is read from the opening of its line: a rail of
    three hundred "More" links directly in one wrapper had the wrapper's whole text folded for
    each (a page of a few thousand took seconds), for the same answer."""
    folded = 0
    fold = rules._folded

    def counted(text: str) -> str:
        nonlocal folded
        folded += len(text)
        return fold(text)

    monkeypatch.setattr(rules, "_folded", counted)
    rail = "<div>" + "<span>More</span> from the rail: <a href='/r'>Ferry fares</a><br>" * 300 + "</div>"
    teaser = "<p><em>Read more</em>: <a href='/x'>Night bus cuts leave workers stranded</a></p>"
    html, removals = _strip(f"<div>{STORY}{teaser}</div>{rail}")
    assert "Night bus cuts" not in html and "The harbour board met" in html
    assert "teaser-link" in _rules(removals)
    page_text = len(LexborHTMLParser(html).text())
    assert folded < 3 * (page_text + len(rail))  # each text node once, not the rail's text per "More"


def test_an_arrow_after_a_teaser_label_is_its_colon() -> None:
    """ "<strong>À lire aussi »</strong> <a>...</a>" and "Lesen Sie auch → <a>...</a>" lead the same
    teaser line as "À lire aussi: <a>...</a>"; a line that opens with the words and no mark is prose."""
    prose = "<p>Lesen Sie auch <a href='/r'>den Bericht</a> des Hafenamts, der am Freitag erschien.</p>"
    html, removals = _strip(
        f"<div>{STORY}<p><strong>À lire aussi »</strong> <a href='/x'>Ballonnements : quel profil ?</a></p>"
        f"<p>Lesen Sie auch → <a href='/y'>Die Nachtfähre fährt wieder</a></p>{prose}</div>"
    )
    assert "Ballonnements" not in html and "Nachtfähre" not in html
    assert "des Hafenamts" in html
    assert _rules(removals) == {"teaser-link"}


def test_teaser_labels_of_other_languages() -> None:
    """ "Lesen Sie auch:", "Lea también:", "Czytaj też:" lead the same teaser line as "Related:"."""
    lines = "".join(
        f"<p>{label}: <a href='/x{i}'>Night bus cuts leave workers stranded</a></p>"
        for i, label in enumerate(("Lesen Sie auch", "Lea también", "Czytaj też", "À lire aussi"))
    )
    html, removals = _strip(f"<div>{STORY}{lines}</div>")
    assert "Night bus" not in html and "The harbour board met" in html
    assert _rules(removals) == {"teaser-link"}


def test_spanish_newsrooms_teaser_labels() -> None:
    """Spanish newsrooms lead a link to another story with "Lea más:", "VEA TAMBIÉN:", "Puedes
    ver:" or "Le puede interesar:" as others with "Lea también:": the same teaser line; a
    paragraph that opens so and goes on in prose stays."""
    labels = ("Lea más", "VEA TAMBIÉN", "Puedes ver", "Le puede interesar", "Te recomendamos")
    lines = "".join(
        f"<p><strong>{label}:</strong> <a href='/x{i}'>Night bus cuts leave workers stranded</a></p>"
        for i, label in enumerate(labels)
    )
    prose = "<p>Puedes ver: el puerto abrirá dos nuevas salidas cada mañana desde el mes que viene.</p>"
    html, removals = _strip(f"<div>{STORY}{lines}{prose}</div>")
    assert "Night bus" not in html and "The harbour board met" in html and "el puerto abrirá" in html
    assert _rules(removals) == {"teaser-link"}


def test_meta_labels_of_other_languages() -> None:
    """ "Veröffentlicht am:", "Publié le:", "Teilen:" lead the same meta lines as "Published on:" and
    "Share:"; "Data:" opens an English line of content and stays."""
    html, removals = _strip(
        f"<div>{STORY}<p>Veröffentlicht am: 6. August 2009</p><p>Publié le: 3 mars 2021</p>"
        "<div>Teilen: <a href='/f'>Facebook</a></div><p>Data: home sales by county</p></div>"
    )
    assert "August 2009" not in html and "mars 2021" not in html and "Facebook" not in html
    assert "home sales by county" in html
    assert _rules(removals) == {"label-block"}


def test_date_label_keeps_the_time_element() -> None:
    """A "Date:" label goes but a <time datetime> beside it stays for date extraction."""
    html, removals = _strip(
        "<div class='meta'><span>Date:</span><time datetime='2025-01-19'>January 19, 2025</time></div>"
        + STORY
    )
    assert "Date:" not in html
    assert '<time datetime="2025-01-19">' in html
    assert removals == [Removal("label-block", "#text", "Date:")]


def test_share_label_line_is_removed() -> None:
    """A short "Share post:" line goes whole; a long paragraph opening with "Updated:" stays."""
    long_update = (
        "<p>Updated: the board later confirmed that the extra sailings will also run during the school"
        " holidays, when demand from visitors is highest.</p>"
    )
    html, _ = _strip(f"<div>{STORY}{long_update}<p>Share post: <a href='/f'>Facebook</a></p></div>")
    assert "Share post" not in html
    assert "Updated: the board later confirmed" in html


def test_page_chrome_is_removed() -> None:
    """nav, aside, footer and forms go as page chrome, a link-dense <header> as the site header."""
    html, removals = _strip(
        "<header><a href='/'>Site</a> <a href='/news'>News</a></header><nav><a href='/'>Home</a></nav>"
        f"<div>{STORY}</div><aside>Side note</aside><form><input></form><footer>Footer text</footer>"
    )
    for gone in ("<nav", "Side note", "<form", "Footer text", "<header"):
        assert gone not in html
    assert _rules(removals) == {"page-chrome", "site-header"}


def test_header_with_title_and_lede_is_kept() -> None:
    """An article header with a title and a lede is not a site banner."""
    html, _ = _strip(f"<article><header><h1>Ferry timetable</h1><p>A lede.</p></header>{STORY}</article>")
    assert "Ferry timetable" in html and "A lede." in html


def test_form_wrapping_the_page_is_kept() -> None:
    """A <form> around the whole page (ASP.NET style) holds the main content and stays."""
    html, _ = _strip(f"<form id='aspnetForm'><div class='content'>{STORY}</div></form>")
    assert "The harbour board met" in html


def test_form_around_a_tables_rows_is_kept() -> None:
    """A <form> that asks the reader for nothing (hidden fields, buttons, a checkbox per row) around
    a table of rows is a list's bulk actions, and its rows stay beside a longer text; a search box
    or a sign-up form beside them still goes."""
    rows = "".join(
        f"<tr><td><input type='checkbox'><a href='/p{i}'>Paper {i} on tidal ferries</a>"
        f"<div>A Author, B Author</div><div>Journal of Harbours {i}, 2012</div></td><td>{i}0</td></tr>"
        for i in range(1, 5)
    )
    html, removals = _strip(
        f"<div>{STORY}</div><form><input type='hidden' name='s'><button>Export</button>"
        f"<table>{rows}</table></form>"
        "<form><input type='text' name='q'><table><tr><td>Search</td></tr><tr><td>in</td></tr>"
        "<tr><td>titles</td></tr></table></form>"
        "<form><input type='email'><button>Sign up</button></form>"
    )
    assert "Journal of Harbours 4" in html
    assert "Search" not in html and "Sign up" not in html
    assert "page-chrome" in _rules(removals)


def test_form_of_unlinked_rows_asking_nothing_is_chrome() -> None:
    """A form of hidden fields and buttons around a table whose rows link nowhere is no list of
    items: a loan calculator's figures or a cookie table with a toggle per row still go."""
    figures = "".join(f"<tr><td>{m} months</td><td>{m * 41} EUR a month</td></tr>" for m in (12, 24, 36, 48))
    cookies = "".join(
        f"<tr><td>cookie_{n}</td><td>Analytics and tracking {n}</td><td><input type='checkbox'></td></tr>"
        for n in range(1, 5)
    )
    html, removals = _strip(
        f"<div>{STORY}</div><form><input type='hidden' name='loan'><table>{figures}</table>"
        "<button>Apply</button></form>"
        f"<form><table>{cookies}</table><button>Save preferences</button></form>"
    )
    assert "24 months" not in html and "cookie_3" not in html
    assert "page-chrome" in _rules(removals)


def test_modal_dialog_without_its_role_goes() -> None:
    """A dialog written as a <div> classed modal or popup, with no role to say so, is what the page
    shows only when asked (a shop's privacy policy behind a footer link, a login box): it goes,
    beside a story; an element holding the story whatever it is classed (a body "modal-open"), and
    a link or a name that opens a popup, stay."""
    policy = "".join(
        f"<p>{n}. We may share personal information with vendors and service providers who help us"
        " run the shop, and with advisers where the law asks us to.</p>"
        for n in range(1, 4)
    )
    html, removals = _strip(
        f"<main><h1>Ferries</h1>{STORY}</main><footer><h1>Help</h1>"
        f"<div class='z-50 fixed' id='modal-privacy-policy'><h2>Privacy policy</h2>{policy}</div></footer>"
        "<div class='login-popup hidden'><p>Sign in to keep your basket between visits.</p></div>"
        "<p>Read <a class='popup' href='/rules'>the harbour rules</a> by <span class='attach_user_popup'>"
        "Ann Writer</span> before boarding.</p>",
        body_attrs=" class='modal-open'",
    )
    assert "The harbour board met" in html and "the harbour rules" in html and "Ann Writer" in html
    assert "vendors and service providers" not in html and "keep your basket" not in html
    assert "modal" in _rules(removals)


def test_section_named_modal_is_the_pages_own() -> None:
    """Only a <div> is a dialog by its name: a <section> (or a paragraph, a list) so named is part of
    the page's flow, as a site builder's section whose anchor is "pop-up-modal" holding the page's
    own account of what it covers: it stays."""
    covers = "".join(
        f"<h2>Coverage {when}</h2><p>Your insurance covers injuries and damage {when}, up to the limits"
        " your state sets for every driver.</p>"
        for when in ("when you are offline", "during a trip")
    )
    html, removals = _strip(
        f"<main><h1>Insurance for drivers</h1>{STORY}</main>"
        f"<div><section data-baseweb='block' id='pop-up-modal'>{covers}</section></div>"
    )
    assert "Coverage during a trip" in html and "up to the limits" in html
    assert "modal" not in _rules(removals)


def test_what_opens_a_dialog_is_not_one() -> None:
    """A box named for what opens or closes a dialog ("trigger_modal_get_started" around a button,
    "comments-popup-link", "hero__modal-trigger") is a button or a link beside the text, not the
    dialog: it stays, and the dialog beside it goes."""
    html, removals = _strip(
        f"<main><h1>Ferries</h1>{STORY}"
        "<div class='wp-block-button trigger_modal_get_started'>"
        "<a href='#call'>Schedule a free call</a></div>"
        "<div class='comments_popup_link'><a href='#comments'>3 Comments</a></div>"
        "<div class='hero__modal-trigger'>Curious about our crossings? <a href='#more'>Learn more</a></div>"
        "</main><div class='modal fade' id='callModal'>"
        "<p>Leave your number and we will call you back.</p></div>"
    )
    assert "Schedule a free call" in html and "3 Comments" in html and "Curious about our crossings" in html
    assert "we will call you back" not in html and "modal" in _rules(removals)


def test_product_pages_panels_are_its_own() -> None:
    """On a page typed product, a panel classed modal is the product's own details, opened by a
    button beside its price ("Product details", "Measurements"): it stays."""
    html, removals = _strip(
        f"<main><h1>Shelving unit</h1>{STORY}</main>"
        "<div class='product-details-modal'><h2>Product details</h2><p>The simple design with clean lines"
        " makes the unit easy to use standing or lying.</p></div>"
        "<div class='measurements-modal'><p>Width: 30 inches. Depth: 15 inches.</p>"
        "<p>Max load per shelf: 29 lb.</p></div>",
        page_type="product",
    )
    assert "simple design with clean lines" in html and "Max load per shelf" in html
    assert "modal" not in _rules(removals)


def test_product_newsletter_box_is_still_a_newsletter_box() -> None:
    """An element also classed product is spared only when a shared word ("subscription") names it:
    a "product-updates-signup" box or a "product-newsletter" box is a newsletter box."""
    html, removals = _strip(
        f"<article>{STORY}</article>"
        "<div class='product-updates-signup'><p>Get product updates in your inbox.</p></div>"
        "<section id='product-newsletter' class='newsletter'><p>Join for 10% off.</p></section>"
    )
    assert "product updates" not in html and "10% off" not in html
    assert "newsletter-box" in _rules(removals)


def test_product_card_one_may_subscribe_to_is_no_newsletter_box() -> None:
    """A shop's card classed for its subscribe-and-save offer ("subscription-eligible") is a product
    of the grid and stays; a newsletter box beside it still goes."""
    cards = "".join(
        f"<div class='card-wrapper product-card-wrapper subscription-eligible'><h3>Roast {i}</h3>"
        f"<p>Whole bean coffee, {i} lb bag</p><span>$19.99</span></div>"
        for i in range(1, 4)
    )
    html, removals = _strip(
        f"<div>{STORY}</div><div class='grid'>{cards}</div>"
        "<div class='newsletter-signup'>Sign up for our newsletter and save</div>"
    )
    assert "Whole bean coffee, 3 lb bag" in html
    assert "Sign up for our newsletter" not in html
    assert "newsletter-box" in _rules(removals)


def test_scripts_go_but_json_ld_stays() -> None:
    """script/style/iframe and a short noscript are removed, except JSON-LD metadata."""
    ld = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    html, removals = _strip(
        "<script>track()</script><style>p{}</style><noscript>Enable JS</noscript>"
        f"<iframe src='/ad'></iframe>{STORY}",
        head=ld + "<script src='/app.js'></script>",
    )
    assert (
        "track()" not in html and "Enable JS" not in html and "<iframe" not in html and "app.js" not in html
    )
    assert "NewsArticle" in html
    assert _rules(removals) == {"non-content"}


def test_noscript_holding_the_story_is_unwrapped() -> None:
    """A <noscript> with most of the page's prose (a JavaScript app's crawler view) is kept, unwrapped."""
    html, removals = _strip(f"<div id='app'></div><noscript><div class='posts'>{STORY}</div></noscript>")
    assert "The harbour board met" in html
    assert "<noscript" not in html
    assert removals == []


def test_small_noscript_next_to_the_story_goes() -> None:
    """A <noscript> with a short notice or a tracking pixel is removed as non-content."""
    html, removals = _strip(f"{STORY}<noscript>Please enable JavaScript to comment.</noscript>")
    assert "enable JavaScript" not in html
    assert _rules(removals) == {"non-content"}


def test_a_noscript_of_prose_goes_after_a_tracking_pixel_beside_a_longer_story() -> None:
    """A <noscript> with some prose (a teaser list for crawlers) but under half the page's goes as
    non-content, after a tracking pixel's, which is weighed before the page's prose is (`visible`
    is weighed only when a <noscript> holds enough prose to ask); the story's stays."""
    teaser = " ".join(f"Read the council's report number {i} on the ferry timetable." for i in range(6))
    html, removals = _strip(
        f"<noscript><img src='/pixel.gif'></noscript>{STORY * 3}<noscript><p>{teaser}</p></noscript>"
    )
    assert "council's report number 5" not in html and "pixel.gif" not in html
    assert html.count("The harbour board met") == 3
    assert [r.rule for r in removals] == ["non-content", "non-content"]


def test_a_noscript_notice_goes_on_a_page_whose_head_is_heavy_with_scripts() -> None:
    """The page's visible prose a <noscript> is weighed against is the body's text less the body's
    own scripts and styles: the <head>'s are not in it. A consent wall in a <noscript> beside a
    longer story goes on a page whose <head> holds more script than the body holds text (they
    were subtracted too, which left no visible prose, and the notice was kept as the story)."""
    notice = (
        "<noscript><div class='fullscreen'><p>For full functionality, it is necessary to enable"
        " JavaScript.</p><p>The Harbour Times would like to process and share personal data and data"
        " about your use of our site with our third party partners, and to store them for a year.</p>"
        "<p>By clicking accept below, you acknowledge and grant your consent for these activities"
        " unless and until you withdraw your consent using our rights request form.</p></div></noscript>"
    )
    head = "<script>" + "var tracking = {};" * 400 + "</script>"
    html, removals = _strip(f"{notice}<article>{STORY * 2}</article>", head=head)
    assert "grant your consent" not in html and html.count("The harbour board met") == 2
    assert _rules(removals) == {"non-content"}


def test_only_the_outermost_marked_elements_are_removed_and_recorded() -> None:
    """Marked elements inside a marked one go with it and are not recorded apart; marked siblings
    under unmarked wrappers each are (their shared ancestors climbed once)."""
    bar = "<div class='share'><a href='/f'>Facebook {}</a></div>"
    html, removals = _strip(
        f"<div class='a'><div class='b'>{STORY}{bar.format(1)}{bar.format(2)}</div></div>"
        f"<footer><div class='c'>{bar.format(3)}{bar.format(4)}</div></footer>{bar.format(5)}"
    )
    assert "Facebook" not in html and "The harbour board met" in html
    assert [(r.rule, r.snippet) for r in removals] == [
        ("share-bar", "Facebook 1"), ("share-bar", "Facebook 2"), ("share-bar", "Facebook 5"),
        ("page-chrome", "Facebook 3 Facebook 4"),
    ]  # fmt: skip


def test_guard_weighs_prose_not_paragraphs() -> None:
    """Posts written without <p> are still the main content: their "withSidebar" wrapper stays."""
    posts = "".join(
        f"<div class='message'>{sentence}<br>{sentence}</div>"
        for sentence in (
            "Since the update the fan runs at full speed even in eco mode and it is loud at night.",
            "Turning off the new altitude option fixed it for me; the update switches it on by default.",
            "That was it, the fan is back to a whisper and the picture looks exactly the same as before.",
        )
    )
    html, _ = _strip(
        "<div class='cookie'><p>We use cookies to count visits and keep you signed in here.</p></div>"
        f"<div class='p-body-main p-body-main--withSidebar'>{posts}</div>"
    )
    assert "eco mode" in html
    assert "We use cookies" not in html


def test_heading_slug_ids_are_not_roles() -> None:
    """An id made from a heading ("sharing-with-a-single-developer") does not make a section a share bar."""
    html, removals = _strip(
        f"<div class='section' id='sharing-with-a-single-developer'>{STORY}</div>"
        "<div class='section' id='publishing-and-sharing-repositories-safely'>"
        "<p>Publishing a repository makes its history readable by everyone with the link.</p></div>"
    )
    assert "Publishing a repository" in html
    assert removals == []


def test_repeated_posts_lose_their_class_names() -> None:
    """Three or more like siblings holding most of the prose lose class and id: none is "the post"."""
    posts = "".join(
        f"<div class='post'><span class='meta'>user{i}</span><p>{text}</p></div>"
        for i, text in enumerate(
            (
                "I carry two children to school on a cargo bike and the towpath freezes most mornings.",
                "I ran studded tyres on a front-loader for three winters; drop the pressure a little.",
                "Thanks, that is reassuring. I will fit them in late November and swap back in March.",
            )
        )
    )
    html, _ = _strip(f"<div id='thread'>{posts}</div><div class='footer-note'>Forum rules</div>")
    assert "class='post'" not in html and 'class="post"' not in html and 'class="meta"' not in html
    assert 'id="thread"' in html


def test_a_run_of_posts_between_other_siblings_loses_its_class_names() -> None:
    """The posts of a run need not be adjacent: a rule, an advert and a classless block between them
    (and before the first) still leave a run of three like siblings; the advert keeps its class."""
    texts = (
        "I carry two children to school on a cargo bike and the towpath freezes most mornings.",
        "I ran studded tyres on a front-loader for three winters; drop the pressure a little.",
        "Thanks, that is reassuring. I will fit them in late November and swap back in March.",
    )
    post = "<div class='post'><p>{}</p></div>"
    html, _ = _strip(
        f"<div id='thread'><div>Thread</div>{post.format(texts[0])}<hr><div class='ad'>Advert</div>"
        f"{post.format(texts[1])}<div>Page 2</div>{post.format(texts[2])}</div>"
    )
    assert 'class="post"' not in html and 'class="ad"' in html


def test_a_few_classed_siblings_keep_their_names() -> None:
    """Like siblings that hold little of the page's prose (share buttons, tags) keep their classes."""
    html, _ = _strip(
        f"{STORY}<a class='tag' href='/a'>a</a><a class='tag' href='/b'>b</a><a class='tag' href='/c'>c</a>"
    )
    assert 'class="tag"' in html


def test_navigation_tokens_need_links() -> None:
    """A block classed "menu" goes only when it is mostly links (a restaurant menu stays)."""
    html, _ = _strip(
        f"{STORY}<div class='main-menu'><a href='/'>Home</a> <a href='/about'>About</a></div>"
        "<div class='menu-of-the-day'>Grilled mackerel with new potatoes and a green salad.</div>"
    )
    assert "About" not in html
    assert "Grilled mackerel" in html


def test_remove_selectors() -> None:
    """settings.remove deletes every match, recorded as remove-selector."""
    html, removals = _strip(f"{STORY}<div class='promo'>Buy now</div>", remove=(".promo",), prepass=False)
    assert "Buy now" not in html
    assert removals == [Removal("remove-selector", "div", "Buy now")]


def test_keep_selectors_rebuild_the_page() -> None:
    """settings.keep leaves only the matches and their wrappers; the head stays for metadata."""
    html, removals = _strip(
        f"<div class='intro'>Intro text</div><div class='wrap'><div class='related story'>{STORY}</div>"
        "<div class='other'>Other text</div></div>",
        head="<title>Kept title</title>",
        keep=(".story",),
    )
    assert "Intro text" not in html and "Other text" not in html
    assert "Kept title" in html
    assert "The harbour board met" in html
    assert {r.rule for r in removals} == {"keep-selector"}


def test_prepass_off_removes_nothing_generic() -> None:
    """With prepass off and no selectors the tree is left exactly as parsed."""
    body = f"<nav><a href='/'>Home</a></nav><div class='share'>Share</div>{STORY}"
    tree = LexborHTMLParser(f"<html><head></head><body>{body}</body></html>")
    before = tree.html
    assert strip_clutter(tree, ExtractSettings(prepass=False)) == []
    assert tree.html == before


def test_removals_carry_short_snippets() -> None:
    """Each removal names its rule and tag and carries at most 80 characters of its text."""
    _, removals = _strip(
        f"<div class='share'>{'<a href=/s>Share this story with everyone you know.</a> ' * 10}</div>{STORY}"
    )
    assert [(r.rule, r.tag, len(r.snippet) <= 80) for r in removals] == [("share-bar", "div", True)]


@pytest.mark.parametrize(
    ("html", "dense"),
    [
        ("<div>a <a href=x>bc</a></div>", True),  # "a bc": 2 of 4, half exactly
        ("<div>ab <a href=x>cd</a></div>", False),  # "ab cd": 2 of 5
        ("<div><a href=x>ab</a> <a href=x>cd</a> efghi</div>", False),  # "ab  cd efghi": 4 of 12
        ("<div><a href=x>ab</a> <a href=x>cd</a> <a href=x>efg</a> hi</div>", True),  # 7 of 14
        ("<div><a href=x>abcdefgh</a> <a href=x>cd</a> xy</div>", True),  # the first link holds half
        ("<div></div>", True),  # no text: nothing but links, as a menu of icons
    ],
)
def test_link_dense_is_half_the_text_or_more_in_links(html: str, dense: bool) -> None:
    """Half the text or more in links, counted until the links hold half of it."""
    div = LexborHTMLParser(html).css_first("div")
    assert div is not None
    assert rules._is_link_dense(div) is dense


def _slides(whole: int, sep: str = "/") -> str:
    """A slideshow of `whole` captioned photos, each numbered against the whole ("3/5")."""
    return "".join(
        f"<li><h2><span class='counter'>{i}{sep}{whole}</span> Markets in week {i}</h2><p>Shares in"
        f" the harbour company fell for the {i}th week running as the board argued over the timetable"
        " and the council asked for a review of the fares.</p><p>Getty</p></li>"
        for i in range(1, whole + 1)
    )


@pytest.mark.parametrize("sep", ["/", " / ", " of ", " von "])
def test_a_slideshow_beside_the_story_goes_with_its_title(sep: str) -> None:
    """A gallery of other news set in the story ("Business in pictures", its captions numbered
    "1/12", "2/12", ...), longer than the story, goes with its title; the story stays, and so
    does a story's list whose items are numbered without the whole ("1.", "2.")."""
    gallery = f"<div class='widget'><h2>Business in pictures</h2><ul>{_slides(12, sep)}</ul></div>"
    listed = "<ol><li>1. Take the early boat</li><li>2. Buy a return</li><li>3. Sit upstairs</li></ol>"
    html, removals = _strip(
        f"<article><h1>Ferries</h1><div class='text'>{STORY * 3}{listed}{gallery}</div></article>"
    )
    assert "Business in pictures" not in html and "Markets in week" not in html
    assert "The harbour board met" in html and "Take the early boat" in html
    assert _rules(removals) == {"slideshow"}


def test_a_slideshow_that_is_the_page_stays() -> None:
    """A page that is a slideshow (a paragraph of intro above its numbered captions) keeps it: it
    goes only where the story stands without it; and so does one under a story too short to. A
    story's ratings out of five ("5/5", "3/5", "4/5": no slideshow counts from its first) stay."""
    for intro in ("<p>Our pick of the week.</p>", STORY):
        html, removals = _strip(
            f"<article><h1>The week in pictures</h1>{intro}<ul>{_slides(6)}</ul></article>"
        )
        assert "Markets in week 4" in html and "slideshow" not in _rules(removals)
    ratings = "".join(f"<li><b>{n}/5</b> A fine crossing, said reader {n}.</li>" for n in (5, 3, 4, 1, 5))
    html, removals = _strip(f"<article><h1>Ferries</h1><div>{STORY * 3}</div><ul>{ratings}</ul></article>")
    assert "said reader 3" in html and "slideshow" not in _rules(removals)


def test_slideshows_are_measured_against_the_story_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each slideshow read the text of every paragraph of the story to know whether the story
    stands without it: hundreds of small galleries over a story of thousands of paragraphs took
    18 s (900 x 8,000), past `[extract] timeout`. Each paragraph's text is read once, and so is
    each element's a slideshow climbs through (counted, not timed); each gallery still goes."""
    read: list[int] = []
    text_of = dom.text_of

    def counted(node: Any) -> str:
        read.append(node.mem_id)
        return text_of(node)

    caption = " A caption of the gallery's photo, of other news than the story's." * 7
    galleries = "".join(
        "<div class='g'>" + "".join(f"<span>{i}/{n}</span>{caption}" for i in range(1, n + 1)) + "</div>"
        for n in range(3, 23)
    )
    tree = LexborHTMLParser(
        f"<html><body><article><h1>Ferries</h1>{STORY * 3}{galleries}</article></body></html>"
    )
    assert tree.body is not None
    page = rules.Page.scan(tree, tree.body, set(), page_type="article", comments=False)
    monkeypatch.setattr(rules, "text_of", counted)
    found = list(rules._slideshows(page))
    assert len(found) == 20  # every gallery
    assert len(read) == len(set(read))  # each element read once: 20 x 9 paragraphs before


def test_a_footers_fine_print_is_no_story_to_guard() -> None:
    """A landing page tells its story in short paragraph groups, one per section; its footer's
    footnotes are one longer group. That group is not the story the guard keeps: the footer goes
    (page-chrome) and the sections stay."""
    sections = "".join(
        f"<section class='feature'><h2>{title}</h2><p>{text}</p><p>{text}</p></section>"
        for title, text in (
            (
                "Light",
                "The frame weighs under a kilo and folds flat, so it fits in a cabin bag, under a desk"
                " or on the shelf of a small hall cupboard.",
            ),
            (
                "Quiet",
                "The motor stays below forty decibels at full speed, quieter than a conversation at home"
                " and quiet enough for a sleeping baby.",
            ),
            (
                "Lasting",
                "Every part can be replaced with a screwdriver, and spares are sold for ten years after"
                " the last unit of the model is made.",
            ),
        )
    )
    notes = "".join(
        f"<p>{n}. Testing conducted in January on preproduction units; results vary with use.</p>"
        for n in range(1, 5)
    )
    html, removals = _strip(f"<main>{sections}</main><footer><div class='notes'>{notes}</div></footer>")
    assert "Testing conducted" not in html
    assert "page-chrome" in _rules(removals)
    assert "The frame weighs under a kilo" in html and "spares are sold" in html


def test_an_announcement_bar_goes() -> None:
    """A shop's announcement bar over the page ("Free shipping on orders over $50", one slide per
    country) is no part of its story: classed announcement-bar or promoBar, it goes."""
    bars = (
        "<div class='announcement-bar'><p>Free shipping on orders over $50. For rates and times"
        " see our shipping page.</p></div>"
        "<div class='promoBar'><span>Livraison gratuite dès 60 €.</span></div>"
    )
    html, removals = _strip(f"{bars}<div class='content'>{STORY}</div>")
    assert "Free shipping" not in html and "Livraison" not in html
    assert _rules(removals) == {"promo-bar"}
    assert "The harbour board met" in html


def test_a_storys_own_numbered_steps_and_dates_are_no_slideshow() -> None:
    """A how-to's steps counted "1/4" ... "4/4", shorter than the story around them, are the
    story's own; and so is a schedule whose dates ("1/12", "2/12", "3/12", "5/12", French) miss
    numbers of their whole: no slideshow captions each of its slides. Both went as slideshows."""
    steps = "".join(
        f"<li><span class='step'>{i}/4</span><h3>Step {word}</h3><div>Ease the plant out and {word}"
        " the roots gently before you go on.</div></li>"
        for i, word in enumerate(("lift", "soak", "trim", "set"), start=1)
    )
    html, removals = _strip(f"<article><h1>Repotting</h1><div>{STORY * 3}<ol>{steps}</ol></div></article>")
    assert "Step soak" in html and "slideshow" not in _rules(removals)
    dates = "".join(
        f"<tr><td>{day}/12</td><td>Concert illuminé sur les quais, soirée numéro {day} du festival"
        " des lumières avec l'orchestre national et les chœurs de la ville</td></tr>"
        for day in (1, 2, 3, 5, 8, 9, 10, 11)
    )
    table = f"<table>{dates}</table>"
    html, removals = _strip(f"<article><h1>Festival</h1><div>{STORY * 3}{table}</div></article>")
    assert "soirée numéro 2 " in html and "slideshow" not in _rules(removals)


def test_a_listicle_its_title_counts_is_the_pages() -> None:
    """A listicle set as a slideshow ("1/8" ... "8/8") under an intro of a story's length is the
    page's own where its title counts the slides ("Die 8 schönsten Hafenwochen", in <h1> or
    <title>); the same slides under a title that counts nothing go, as a gallery beside a story."""
    for title, kept in (("Die 8 schönsten Hafenwochen", True), ("Der Hafen im Frühjahr", False)):
        html, removals = _strip(
            f"<article><h1>{title}</h1><div>{STORY * 3}<ul>{_slides(8)}</ul></div></article>"
        )
        assert ("Markets in week 4" in html) is kept and ("slideshow" in _rules(removals)) is not kept
    html, removals = _strip(
        f"<article><h1>Hafen</h1><div>{STORY * 3}<ul>{_slides(8)}</ul></div></article>",
        head="<title>8 Wochen am Hafen</title>",
    )
    assert "Markets in week 4" in html


def test_a_threads_signatures_go() -> None:
    """Each post's signature (classed signature, signaturecontainer, message-signature: the poster's
    footer under all their posts, their hardware or their shop's links) goes and the posts stay, on
    a page typed forum or where three posts or more are signed (an old thread typed article). One
    element classed signature on an article is the story's byline ("par Florence Audier, le 15
    septembre 2009") and stays; so do a post's own line ("post-signature": who answered it, when)
    and a wrapper so classed that holds the page's title."""
    posts = "".join(
        f"<div class='post'><div class='author'>member{i}</div><div class='content'><p>Post {i}: the"
        " second drive in the array started to click after the firmware update, so I rolled it back"
        " and the rebuild finished overnight without errors.</p></div>"
        f"<div class='{cls}'><span class='signature'>Home setup: Bifrost 2 &gt; V281 &gt; HD 650</span>"
        " | www.example-hosting.test</div>"
        "<div class='post-signature'>answered Feb 4, 2014 at 13:27 by member{i}</div></div>"
        for i, cls in enumerate(("signature", "signaturecontainer", "message-signature"))
    )
    thread = f"<main><h1>Drive clicks after update</h1>{posts}</main>"
    for page_type in ("forum", "article"):
        html, removals = _strip(thread, page_type=page_type)
        assert "Bifrost" not in html and "Post 2: the second drive" in html
        assert "answered Feb 4, 2014" in html
        assert _rules(removals) == {"signature"} and len(removals) == 3
    byline = "<div class='signature'>par Florence Audier, le 15 septembre 2009</div>"
    html, removals = _strip(f"<article><h1>Universités</h1>{byline}<div>{STORY}</div></article>")
    assert "Florence Audier" in html and "signature" not in _rules(removals)
    html, _ = _strip(f"<div class='has-signature'>{thread}</div>", page_type="forum")
    assert "Drive clicks after update" in html and "Post 0: the second drive" in html


def test_a_threads_signatures_stay_out_of_the_second_call() -> None:
    """A thread's signatures take no landmark trafilatura needs: on the page read again with the
    safe rules only (pipeline's second trafilatura call, where the first found too little of a
    thread of table rows), they still go and the posts stay."""
    posts = "".join(
        f"<tr><td class='msg'><div class='msg_body'>Post {i}: the patch fixed the archers for me,"
        " though the paired units still stall at the river crossing on the second map.</div>"
        f"<div class='signature'>Currently playing: Balatro, Hell Let Loose ({i})</div></td></tr>"
        for i in range(3)
    )
    tree = LexborHTMLParser(f"<html><body><h1>Patch notes</h1><table>{posts}</table></body></html>")
    removals = strip_clutter(tree, ExtractSettings(), "article", safe_only=True)
    html = tree.html or ""
    assert "Currently playing" not in html and "Post 2: the patch" in html
    assert _rules(removals) == {"signature"}


@pytest.mark.parametrize("page_type", ["article", "forum"])
def test_a_letters_signed_paragraph_stays(page_type: str) -> None:
    """Letters to the editor each close on their writer's name in a paragraph classed signature
    ("<p class='signature'>Jane Roe, Leeds</p>" after the letter's own paragraphs): a sign-off of
    the text above it, not a poster's footer, so it stays however many letters the page holds. A
    thread's footer in its own element after the post's container still goes."""
    letters = "".join(
        f"<div class='letter'><h3>Letter {i}</h3><p>Your report on the bypass left out the residents"
        " who have waited twelve years for the crossing the council promised them in its plan.</p>"
        f"<p>They deserve an answer before the next budget.</p><p class='signature'>Writer {i}, Leeds</p>"
        "</div>"
        for i in range(4)
    )
    html, removals = _strip(f"<main><h1>Letters</h1>{letters}</main>", page_type=page_type)
    assert "Writer 3, Leeds" in html and "signature" not in _rules(removals)
    posts = "".join(
        f"<div class='post'><div class='content'><p>Post {i}: the second drive in the array started to"
        " click after the firmware update.</p></div><div class='signature'><p>Home setup: Bifrost 2</p>"
        "</div></div>"
        for i in range(3)
    )
    html, removals = _strip(f"<main><h1>Drive clicks</h1>{posts}</main>", page_type=page_type)
    assert "Bifrost" not in html and "Post 2: the second drive" in html
    # a poster's footer in a paragraph right after the post's own links out, and goes (review18)
    posts = "".join(
        f"<div class='post'><p>Post {i}: the second drive in the array started to click after the"
        " firmware update.</p><p class='signature'>My rig: Bifrost 2, <a href='/shop'>my shop</a></p></div>"
        for i in range(3)
    )
    html, removals = _strip(f"<main><h1>Drive clicks</h1>{posts}</main>", page_type=page_type)
    assert "Bifrost" not in html and "Post 2: the second drive" in html


@pytest.mark.parametrize("page_type", ["article", "forum"])
def test_signature_classed_cards_side_by_side_stay(page_type: str) -> None:
    """Three cards classed "signature-dish" (a restaurant's signature dishes, the page's text) went
    as three posts' signatures: signatures side by side are one list's cards and stay. A thread
    whose posts and signatures alternate in one container still loses its signatures."""
    dishes = "".join(
        f"<div class='signature-dish'><h3>Dish {i}</h3><p>Haddock smoked over oak in our own smokehouse,"
        " simmered with leeks, potatoes and cream, served with soda bread baked each morning.</p></div>"
        for i in range(3)
    )
    html, removals = _strip(
        f"<article><h1>Our menu</h1>{STORY}<h2>Signature dishes</h2>{dishes}</article>", page_type=page_type
    )
    assert "Dish 2" in html and "signature" not in _rules(removals)
    flat = "".join(
        f"<div class='postbody'><p>Post {i}: the second drive in the array started to click after the"
        " firmware update, so I rolled it back.</p></div><div class='signature'>Home setup: Bifrost 2</div>"
        for i in range(3)
    )
    html, removals = _strip(
        f"<main><h1>Drive clicks</h1><div class='posts'>{flat}</div></main>", page_type=page_type
    )
    assert "Bifrost" not in html and "Post 2: the second drive" in html and _rules(removals) == {"signature"}


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("Las ocho semanas más bonitas del puerto", True),
        ("Eight weeks at the harbour", True),
        ("Les huit plus belles semaines du port", True),
        ("Die acht schönsten Hafenwochen", True),
        ("De acht mooiste havenweken", True),
        ("Las siete semanas del puerto", False),  # it counts seven: not these eight slides
        ("Der Hafen im Frühjahr", False),
    ],
)
def test_a_listicle_its_title_counts_in_words_is_the_pages(title: str, kept: bool) -> None:
    """A title that spells its count ("Las ocho semanas", "Eight weeks") counts the slides as one
    in figures does: the listicle stays (it went as a slideshow beside a story: only figures were
    read); a title counting another number, or none, does not keep them."""
    slides = _slides(8, " de ")
    html, removals = _strip(f"<article><h1>{title}</h1><div>{STORY * 3}<ul>{slides}</ul></div></article>")
    assert ("Markets in week 4" in html) is kept and ("slideshow" in _rules(removals)) is not kept


@pytest.mark.parametrize(
    ("title", "slides", "kept"),
    [
        ("Harbour board meets Sept 12", 7, False),
        ("Rentrée au port le 12 sept.", 7, False),
        ("Le Pont Neuf en travaux", 9, False),
        ("Quoi de neuf au port ?", 9, False),
        ("Sei pronto per il porto?", 6, False),
        ("Quoi de neuf dans les ports ?", 9, False),  # the next word ends so and is no noun
        ("Pont Neuf : les travaux du port", 9, False),
        ("Sei già pronto per il porto?", 6, False),
        ("Les sept merveilles du port", 7, True),
        ("Le port en neuf photos", 9, True),
        ("Le sei spiagge più belle", 6, True),
        ("", 7, False),  # a title of no words counts nothing (and is no error)
        ("!", 9, False),
    ],
)
def test_sept_neuf_and_sei_count_only_before_a_plural(title: str, slides: int, kept: bool) -> None:
    """French "sept" and "neuf" and Italian "sei" count a title's slides only before a plural, a
    count's noun ("sept merveilles", "sei spiagge"): bare they are as often September ("Sept 12"),
    new ("Pont Neuf") or "you are" ("Sei pronto?"), and kept a gallery of that many slides beside a
    story as the page's own (a story just over `_STORY_APART`, so that six slides outweigh it)."""
    story = STORY * 2 + (
        "<p>The council will publish the fares for the new crossings in May, after the board has heard"
        " the unions, the hospital and the shops on the quay, and it will ask the ferry company for a"
        " winter timetable and a crossing for the festival.</p>"
    )
    html, removals = _strip(
        f"<article><h1>{title}</h1><div>{story}<ul>{_slides(slides)}</ul></div></article>"
    )
    assert ("Markets in week 4" in html) is kept and ("slideshow" in _rules(removals)) is not kept


def test_an_apis_member_signatures_stay() -> None:
    """An API's reference classes each member's declaration signature (a Javadoc
    "member-signature" under its method's heading, a TypeDoc "tsd-signature" first in the list
    under its heading, a JSDoc "signature" inside its heading): the page's text, not a poster's
    footer, however many there are and whatever the page's type."""
    javadoc = "".join(
        f"<section class='detail'><h3>valueOf{i}</h3><div class='member-signature'><span>public static"
        f"</span> String <span>valueOf{i}</span>(int i)</div><div class='block'>Returns the string"
        " representation of the argument, as the radix ten conversion gives it.</div></section>"
        for i in range(4)
    )
    typedoc = "".join(
        f"<section><h3>parse{i}</h3><ul class='tsd-signatures'><li class='tsd-signature'>parse{i}"
        "<span class='tsd-signature-symbol'>(</span>input<span class='tsd-signature-symbol'>: </span>"
        "string<span class='tsd-signature-symbol'>)</span></li></ul><p>Parses the input.</p></section>"
        for i in range(4)
    )
    jsdoc = "".join(
        f"<h4 class='name'>render{i}<span class='signature'>(node, options)</span></h4><p>Renders.</p>"
        for i in range(4)
    )
    for page_type in ("documentation", "article"):
        for members, declared in ((javadoc, "(int i)"), (typedoc, "string<span"), (jsdoc, "(node, options)")):
            html, removals = _strip(f"<main><h1>Reference</h1>{members}</main>", page_type=page_type)
            assert "signature" not in _rules(removals) and html.count(declared) == 4, (page_type, declared)


def test_a_signature_after_its_posts_text_and_a_comment_goes() -> None:
    """A signature that follows its post's text past a comment and white space (`text <!-- -->
    <div class=signature>`) closes that post and goes: only the raw sibling before it was read,
    white space, so the test climbed to the post, found the post's heading before it and took the
    footer for an API member's signature under its heading."""
    posts = "".join(
        f"<h3>Re: drive clicks ({i})</h3><div class='post'>Post {i}: the second drive in the array"
        " started to click after the firmware update, so I rolled it back.<!-- signature -->\n"
        "<div class='signature'>My rig: Ryzen 5 | 32 GB</div></div>"
        for i in range(3)
    )
    html, removals = _strip(f"<main><h1>Drive clicks</h1>{posts}</main>", page_type="forum")
    assert "Post 2: the second drive" in html and "My rig" not in html
    assert _rules(removals) == {"signature"} and len(removals) == 3


def test_a_post_classed_as_signed_is_the_post() -> None:
    """A forum post classed for the signature it holds ("post has-signature") is the post: its
    signature goes, its text stays."""
    posts = "".join(
        f"<div class='post has-signature'><div class='author'>member{i}</div><div class='content'>Post {i}:"
        " the second drive in the array started to click after the firmware update, so I rolled it"
        " back.</div><div class='signature'>My rig: Ryzen 5 | 32 GB</div></div>"
        for i in range(3)
    )
    html, removals = _strip(f"<div class='thread'><h1>Drive clicks</h1></div>{posts}", page_type="forum")
    assert "Post 1: the second drive" in html and "My rig" not in html
    assert _rules(removals) == {"signature"} and len(removals) == 3


@pytest.mark.parametrize(
    ("title", "slides"),
    [
        ("Once upon a time at the harbour", 11),
        ("Onze mooiste havenweken", 11),
        ("Elf on the shelf: our harbour", 11),
        ("Otto and the harbour board", 8),
        ("Hafenfest am 3. Dez", 10),
    ],
)
def test_a_word_read_otherwise_counts_no_slides(title: str, slides: int) -> None:
    """A title's word that is a number in one language and more often another word ("Once upon a
    time", "Elf on the shelf", Dutch "onze", our; the name Otto; "Dez.", December) counts nothing: a
    gallery of that many slides beside a story still goes as a slideshow."""
    shown = _slides(slides)
    html, removals = _strip(f"<article><h1>{title}</h1><div>{STORY * 3}<ul>{shown}</ul></div></article>")
    assert "slideshow" in _rules(removals) and "Markets in week 4" not in html


def test_a_table_cells_words_for_screen_readers_stay() -> None:
    """A comparison table's cell whose only text is for screen readers ("Yes" beside a check
    mark's icon, "No" beside a cross) keeps it: the words are the cell's value. A hint for screen
    readers beside a cell's own text still goes."""
    rows = "".join(
        f"<tr><th>Crossing {k}<span class='sr-only'>(a hint)</span></th><td>\n  <i aria-hidden='true'></i>\n"
        f"  <span class='sr-only'>{'Yes' if k % 2 else 'No'}</span>\n</td></tr>"
        for k in range(4)
    )
    html, removals = _strip(f"<article><h1>Ferries</h1>{STORY}<table>{rows}</table></article>")
    assert html.count(">Yes<") == 2 and html.count(">No<") == 2
    assert "(a hint)" not in html and _rules(removals) == {"screen-reader"} and len(removals) == 4


def _thread(wrapper: str, item: str = "div", count: int = 6) -> str:
    items = "".join(
        f"<{item} class='comment even depth-1' id='comment-{k}'><p>Comment {k}: I took the early ferry for"
        " years and the new timetable suits shift workers far better than the old one did.</p>"
        f"<p class='comment-meta'>by Reader {k} on May 2 at 9:59 am. <a href='#comment-{k}'>Reply</a></p>"
        f"</{item}>"
        for k in range(count)
    )
    return f"<{wrapper}><h2>{count} comments</h2>{items}</{wrapper}>"


def test_a_thread_of_elements_classed_comment_goes_unless_comments_are_wanted() -> None:
    """A thread not named a list of comments goes as one that is: an element of which two or more
    children are classed "comment" (a class of its own: WordPress's `<div class="comment even">`
    under an unnamed `<div>`, an unclassed `<ol>`); not when comments are wanted, on a forum, where
    the comments are the page's densest paragraphs, or where one child alone is so classed (an
    editor's comment box inside the story)."""
    story = f"<article><h1>Ferries</h1>{STORY}</article>"
    for wrapper, item in [("div class='post-comments'", "div"), ("ol", "li"), ("dl", "dd")]:
        html, removals = _strip(story + _thread(wrapper, item))
        assert "Comment 3:" not in html and "The harbour board met" in html, wrapper
        assert _rules(removals) == {"comment-list"}
    html, removals = _strip(story + _thread("div"), include_comments=True)
    assert "Comment 3:" in html and removals == []
    html, removals = _strip(story + _thread("div"), page_type="forum")
    assert "Comment 3:" in html and removals == []
    html, _ = _strip("<h1>Ferries</h1><p>A short note.</p>" + _thread("div", count=3))
    assert "Comment 2:" in html
    html, removals = _strip(story + _thread("div", count=1))
    assert "Comment 0:" in html and removals == []
    html, removals = _strip(story + f"<section class='testimonials'>{_thread('div')}</section>")
    assert "Comment 3:" in html and removals == []


def test_notes_classed_comment_inside_the_story_are_no_thread() -> None:
    """Boxes classed "comment" inside the story's own container with the story's paragraphs going
    on after them, no list naming them a thread of comments, are the story's notes (a reviewer's
    notes beside a quoted clause) and stay with what they annotate; the same boxes after the
    story's last paragraph, in its container or after it, go."""
    notes = "".join(
        f"<div class='comment'><p>Note {k}: the clause does not say who pays for the repairs it asks of"
        " the tenant, so ask the landlord for a schedule of condition before signing.</p></div>"
        for k in range(2)
    )
    clause = f"<div class='clause'><p>The tenant shall keep the premises in good repair.</p>{notes}</div>"
    html, removals = _strip(
        f"<article><h1>Ferries</h1>{STORY}{clause}<p>Most notes are settled by one call.</p></article>"
    )
    assert "Note 1:" in html and "keep the premises" in html and removals == []
    for page in (
        f"<article><h1>Ferries</h1>{STORY}</article>{clause}",
        f"<article><h1>Ferries</h1>{STORY}{clause}</article>",
    ):
        html, removals = _strip(page)
        assert "Note 1:" not in html and _rules(removals) == {"comment-list"}


def test_a_code_samples_highlighted_comments_are_no_thread() -> None:
    """A code sample beside the story whose highlighter classes its comments "comment" (`<span
    class="token comment">`) stays: a thread's comments are boxes (`<div>`, `<li>`...), not spans."""
    code = (
        "<div class='example'><pre><code class='language-js'>"
        "<span class='token comment'>// open the timetable</span>\nconst t = load();\n"
        "<span class='token comment'>// the early crossings</span>\nt.early();</code></pre></div>"
    )
    html, removals = _strip(f"<article><h1>Ferries</h1>{STORY}</article>{code}")
    assert "the early crossings" in html and removals == []


def test_text_for_screen_readers_only_goes() -> None:
    """Text a page's stylesheet shows to screen readers only (Bootstrap's and Tailwind's
    "sr-only", "visually-hidden", WordPress's "screen-reader-text": a swatch's variant spelt out,
    "(opens in a new window)", a badge read aloud beside the one shown) goes, and the grid's cards
    stay; also on the page read again with the safe rules only. A wrapper so classed that holds
    the page's title is the page and stays; a class merely holding those words is no such text."""
    cards = "".join(
        f"<li class='card'><a href='/p/{i}'>UPPLAND Sofa {i}</a><span>New</span>"
        f"<span class='sr-only'>New</span><p>Deep seat, rolled arms, a washable cover.</p>"
        f"<fieldset><legend>More options</legend><a href='/p/{i}b'><span class='visually-hidden'>"
        f"Option: UPPLAND, Sofa, light beige {i}</span><img alt=''></a></fieldset>"
        "<a href='/help' target='_blank'>Help<span class='screen-reader-text'>(opens in a new"
        " window)</span></a></li>"
        for i in range(3)
    )
    page = f"<main><h1>Sofas</h1><ul>{cards}</ul></main>"
    html, removals = _strip(page)
    assert "Option: UPPLAND" not in html and "opens in a new window" not in html
    assert "UPPLAND Sofa 2" in html and "Deep seat" in html and html.count(">New<") == 3
    assert _rules(removals) == {"screen-reader"} and len(removals) == 9
    tree = LexborHTMLParser(f"<html><body>{page}</body></html>")
    removals = strip_clutter(tree, ExtractSettings(), "collection", safe_only=True)
    assert "Option: UPPLAND" not in (tree.html or "") and _rules(removals) == {"screen-reader"}
    html, removals = _strip(f"<div class='visually-hidden'><h1>Ferries</h1>{STORY}</div>")
    assert "The harbour board met" in html and not removals
    html, removals = _strip(f"<div class='sr-only-focusable-wrapper'><p>Skip this</p></div>{STORY}")
    assert "Skip this" in html and not removals


def test_a_thread_of_comments_written_as_articles_still_goes() -> None:
    """WordPress writes each comment as `<article class="comment-body">`: a thread holding such
    articles holds no story and goes as any other; one holding an article of its own (a story
    teaser, not a comment) or the page's title stays."""
    story = f"<article><h1>Ferries</h1>{STORY}</article>"
    items = "".join(
        f"<li class='comment even depth-1' id='comment-{k}'>"
        f"<article id='div-comment-{k}' class='comment-body'>"
        f"<p>Comment {k}: I took the early ferry for years and the new timetable suits shift workers.</p>"
        "</article></li>"
        for k in range(4)
    )
    html, removals = _strip(f"{story}<ol class='comment-list'>{items}</ol>")
    assert "Comment 3:" not in html and "The harbour board met" in html
    assert _rules(removals) == {"comment-list"}
    teaser = "<li><article>A story</article></li>"
    html, removals = _strip(f"{story}<ol class='comment-list'>{items}{teaser}</ol>")
    assert "Comment 3:" in html and removals == []
    html, removals = _strip(f"{story}<ol class='comment-list'>{items}<li><h1>Ferries</h1></li></ol>")
    assert "Comment 3:" in html and removals == []


def test_a_formula_is_spelled_out_for_trafilatura_unless_hidden() -> None:
    """A MathML formula a reader sees is put in the page as its token elements' text, without its
    annotations (trafilatura drops <math> whole); one inside an element trafilatura's rules remove
    (MediaWiki's hidden copy beside the formula's image) stays <math>."""
    html, _ = _strip(
        "<p>Solve <math><semantics><mrow><mi>x</mi><mo>+</mo><mn>1</mn></mrow>"
        "<annotation encoding='application/x-tex'>x+1</annotation></semantics></math> now.</p>"
        "<p>Given <span style='display: none'><math><mi>N</mi></math></span> objects.</p>"
    )
    assert "<p>Solve x+1 now.</p>" in html
    assert "<math><mi>N</mi></math>" in html and "annotation" not in html
