"""Tests for scraper.extract.classify: junk verdicts, page types and the quality score."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.dom import UNSEEN
from scraper.extract import blocks, rendered
from scraper.extract import classify as classifying
from scraper.extract.classify import (
    _NTH_TEASER,
    Classification,
    PageSignals,
    _parents_of,
    classify,
    measure,
    quality,
)
from scraper.extract.metadata import read_facts

STORY = (
    "<p>The harbour board met on Tuesday to agree the summer timetable for the ferries, which will"
    " add two early crossings on weekdays and a late one on Saturdays.</p>"
    "<p>Board members said the extra sailings respond to a survey in which shift workers asked for"
    " a way to reach the hospital before seven in the morning.</p>"
    "<p>The new timetable starts on the first Monday of June and will be reviewed in September by"
    " the board, the operator and the unions together.</p>"
    "<p>Passengers can comment on the plan at the ferry office until the end of April.</p>"
    "<p>The operator expects the early boats to carry about two hundred people a day once the"
    " hospital changes its own shift pattern in the autumn.</p>"
)


def _page(body: str, title: str = "Ferry timetable", head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


def _signals(html: str) -> PageSignals:
    tree = LexborHTMLParser(html)
    return measure(tree, read_facts(tree, "https://news.example/a"))


def _judge(html: str, text: str | None = None, status: int | None = 200) -> Classification:
    return classify(_signals(html), text, status)


def _visible(html: str) -> str:
    """What an extractor finds on a junk page: its few visible lines."""
    body = LexborHTMLParser(html).body
    assert body is not None
    return body.text(separator="\n", strip=True)


def _teasers(count: int) -> str:
    return "".join(
        f"<li class='teaser'><h3><a href='/s/{i}'>Story number {i} about the harbour and the town</a></h3>"
        f"<p>A short summary of story {i}.</p></li>"
        for i in range(count)
    )


@pytest.mark.parametrize(
    ("html", "page_type"),
    [
        (
            _page("<h1>Checking your browser</h1><div class='cf-turnstile'></div>", "Just a moment..."),
            "block",
        ),
        (_page("<p>Access to this page has been denied.</p>", "Access denied"), "block"),
        (
            _page(
                "<p>Please verify you are human by completing the action below.</p>"
                "<div id='px-captcha'></div>"
            ),
            "block",
        ),
        (
            _page(
                "<h1>Sign in</h1><form><input type='email'><input type='password'><button>Go</button></form>"
            ),
            "login",
        ),
        (_page("<h1>Members only</h1><p>Please sign in to continue.</p>", "Sign in to continue"), "login"),
        (
            _page(
                "<div class='cookie-consent'><p>We and our partners use cookies to store and access"
                " information"
                " on your device for personalised ads and content, ad and content measurement and audience"
                " insights.</p><button>Accept all</button><button>Reject all</button></div>"
            ),
            "consent",
        ),
        (_page("<h1>Page not found</h1><p>Sorry, that page has moved.</p>", "Oops"), "not_found"),
        (_page("<h1>Error</h1><p>Try the search.</p>", "404 | The Harbour Gazette"), "not_found"),
    ],
)
def test_junk_pages_are_skipped(html: str, page_type: str) -> None:
    """Block, login, consent and soft-404 pages get their type, a skip reason and quality 0."""
    verdict = _judge(html, text=_visible(html))
    assert verdict.page_type == page_type
    assert verdict.skip_reason
    assert verdict.quality == 0.0


def test_a_listing_keeps_its_teasers() -> None:
    """An index page of teasers is typed "listing" and kept: its teasers are its text."""
    html = _page("<h1>News</h1><ul class='feed'>" + _teasers(8) + "</ul>", "News")
    verdict = _judge(html, text=_visible(html))
    assert verdict.page_type == "listing"
    assert verdict.skip_reason is None
    assert verdict.quality > 0.0


@pytest.mark.parametrize(
    "html",
    [
        _page(
            "<header><a href='/login'>Sign in</a></header><article><h1>Ferries</h1>" + STORY + "</article>"
        ),
        _page(
            "<header><form><input type='password'></form></header><article>" + STORY + "</article>",
        ),
        _page(
            "<article><p>The 404 bus now runs hourly: page not found errors on the site are fixed.</p>"
            + STORY
            + "</article>"
        ),
        _page("<article>" + STORY + "</article><aside><div class='g-recaptcha'></div></aside>"),
        _page(
            "<article>" + STORY + "</article><div class='cookie-banner'><p>We use cookies to improve"
            " the site and measure traffic; by browsing you agree to their use.</p></div>"
        ),
        _page("<article>" + STORY + "</article><ul class='related'>" + _teasers(8) + "</ul>"),
        _page("<article>" + STORY + "</article>", "Why your 404 page matters"),
    ],
)
def test_real_articles_are_not_junk(html: str) -> None:
    """Login links, header password forms, "404" in the text, captchas, banners and teasers keep articles."""
    verdict = _judge(html, text=None)
    assert (verdict.page_type, verdict.skip_reason) == ("article", None)


def test_a_short_post_that_loads_a_captcha_library_is_not_a_block_page() -> None:
    """A captcha script for a comment form, on a post shorter than LITTLE_PROSE, is no bot check."""
    post = "<p>Check out the homepage today: our old house, featuring prints and custom lampshades.</p>"
    html = _page(
        f"<h1>On the homepage today</h1>{post}<script src='https://www.google.com/recaptcha/api.js'></script>"
        "<p>The comments to this entry are closed.</p>",
        "On the homepage today",
    )
    assert _judge(html, text=_visible(html)).skip_reason is None


def test_extracted_text_decides_a_soft_404_behind_a_big_template() -> None:
    """A "not found" title with long sidebar prose is judged on the short text the extractor found."""
    html = _page("<h1>Not found</h1><div class='widget'>" + STORY + "</div>", "Page not found")
    assert _judge(html, text=None).skip_reason is None
    assert _judge(html, text="Sorry, nothing here.").page_type == "not_found"


def test_hidden_pages_are_judged_on_the_extracted_text() -> None:
    """A page whose content sits in <noscript> is not judged before extraction, then by its extracted text."""
    html = _page("<form><input type='password'></form><noscript>" + STORY * 3 + "</noscript>")
    assert _judge(html, text=None).skip_reason is None
    assert _judge(html, text="x" * 2000).skip_reason is None


def test_status_codes_count_as_signals() -> None:
    """A 404 or 410 status with little text is a not-found page whatever the title says."""
    assert _judge(_page("<p>Gone.</p>", "Harbour"), text="Gone.", status=410).page_type == "not_found"


def test_only_block_pages_are_judged_before_extraction() -> None:
    """Login, consent, not-found and listing verdicts wait for the extracted text; block pages do not."""
    login = _page("<h1>Members only</h1><p>Please sign in to continue.</p>", "Sign in to continue")
    assert _judge(login, text=None).skip_reason is None
    blocked = _page("<p>Access to this page has been denied.</p>", "Access denied")
    assert _judge(blocked, text=None).page_type == "block"


def test_a_long_cookie_dialog_beside_a_story_is_not_a_consent_wall() -> None:
    """A consent box longer than the story does not make a real article junk."""
    dialog = "<p>We and our 312 partners store and access information on your device. </p>" * 30
    html = _page("<article>" + STORY + "</article><div id='cookie-consent'>" + dialog + "</div>")
    assert _judge(html, text=LexborHTMLParser(STORY).text()).skip_reason is None


def test_a_long_cookie_dialog_beside_a_listing_is_not_a_consent_wall() -> None:
    """A listing's teasers are what it says: a consent box longer than their prose does not make it junk."""
    dialog = "<p>We and our 312 partners store and access information on your device. </p>" * 30
    html = _page(
        "<h1>Dinner recipes</h1><ul class='feed'>" + _teasers(30) + "</ul>"
        "<div id='cookie-consent'>" + dialog + "</div>",
        "Dinner recipes",
    )
    teasers = _visible(_page("<ul>" + _teasers(30) + "</ul>"))
    verdict = _judge(html, text=teasers)
    assert (verdict.page_type, verdict.skip_reason) == ("listing", None)


@pytest.mark.parametrize(
    "box",
    [
        "<div class='sidebar'>",
        "<div class='col Right-Sidebar'>",
        "<div id='siteMenu'>",
        "<div class='menu_top'>",
        "<section id='cookie-notice'>",
        "<div class='CookieConsent'>",
    ],
)
def test_text_in_a_box_classed_as_chrome_or_consent_is_not_prose(box: str) -> None:
    """A sidebar, a menu or a consent box is known by a word of its class or id, whatever its case
    or separators ("siteMenu", "menu_top", "Right-Sidebar"): its text is not the page's prose."""
    tag = box[1 : box.index(" ")]
    aside = box + "<p>" + "Five more stories you may have missed this week, and what they mean. " * 20
    story = _signals(_page(STORY))
    assert _signals(_page(STORY + aside + f"</p></{tag}>")).prose_length == story.prose_length


@pytest.mark.parametrize(
    ("aside", "sentences"),
    [
        (
            "<div class='cookie-consent'>"
            + "<p>We and our 312 partners store and access information on your device. </p>" * 30
            + "</div>",
            10,
        ),
        (
            "<div class='modal'><form><input type='text'><input type='password'><button>Log in</button>"
            "</form></div>",
            5,
        ),
    ],
)
def test_a_story_in_a_layout_wrapper_named_for_its_sidebar_is_prose(aside: str, sentences: int) -> None:
    """A wrapper classed like "sidebar-right" (the layout has one) that holds the story is not a
    sidebar: its text is the page's prose, so a long cookie dialog beside a story, or a login form
    beside a short post, does not make the page junk."""
    sentence = "The author talks about her novel, its setting and the years she spent on it. "
    post = "<p>" + sentence * sentences + "</p>"
    html = _page(
        "<div class='post-wrap sidebar-right'><article><h1>An interview</h1>" + post + "</article></div>"
        "<div class='sidebar'><ul><li><a href='/a'>Archive</a></li></ul></div>" + aside
    )
    verdict = _judge(html, text=LexborHTMLParser(post).text())
    assert (verdict.page_type, verdict.skip_reason) == ("article", None)


def test_a_password_form_beside_a_long_extracted_story_is_not_a_login_wall() -> None:
    """When the extractor finds a long story the prose measure missed, a password form does not win."""
    table_story = "<table><tr><td>" + "A sentence of the story in a table cell. " * 40 + "</td></tr></table>"
    html = _page("<form><input type='password'></form>" + table_story)
    assert _judge(html, text="A sentence of the story in a table cell. " * 40).skip_reason is None


@pytest.mark.parametrize(
    ("head", "body", "page_type"),
    [
        ('<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>', STORY, "forum"),
        ('<script type="application/ld+json">{"@graph": [{"@type": "Product"}]}</script>', STORY, "product"),
        ('<meta property="og:type" content="product">', STORY, "product"),
        (  # a buyer's guide declares the products it reviews beside its own story type
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle"},'
            ' {"@type": "ItemList", "itemListElement": [{"@type": "Product"}]}]}</script>',
            STORY,
            "article",
        ),
        (  # a product page's customer reviews are Reviews inside its Product: still a product
            '<script type="application/ld+json">'
            '{"@type": "Product", "review": [{"@type": "Review"}]}</script>',
            STORY,
            "product",
        ),
        (  # an expert's review article: a Review naming the Product it reviews
            '<script type="application/ld+json">{"@type": "Review", "itemReviewed": {"@type": "Product"}}'
            "</script>",
            STORY,
            "article",
        ),
        (  # customer reviews that name the product, inside it: still a product
            '<script type="application/ld+json">{"@type": "Product", "review": [{"@type": "Review",'
            ' "itemReviewed": {"name": "Trail pack"}}]}</script>',
            STORY,
            "product",
        ),
        (  # the same review article in microdata
            "",
            "<div itemscope itemtype='https://schema.org/Review'><div itemprop='itemReviewed' itemscope"
            " itemtype='https://schema.org/Product'><span itemprop='name'>Trail pack</span></div>"
            + STORY
            + "</div>",
            "article",
        ),
        ('<script type="application/ld+json">{"@type": "TechArticle"}</script>', STORY, "documentation"),
        (  # a page's FAQ section declares its Questions: no thread, the page keeps its own type
            '<script type="application/ld+json">{"@graph": [{"@type": "LocalBusiness"}, {"@type": "FAQPage",'
            ' "mainEntity": [{"@type": "Question", "acceptedAnswer": {"@type": "Answer"}}]}]}</script>',
            STORY,
            "service",
        ),
        (
            '<script type="application/ld+json">{"@type": "FAQPage", "mainEntity": [{"@type": "Question",'
            ' "acceptedAnswer": {"@type": "Answer"}}]}</script>',
            STORY,
            "article",
        ),
        (  # a Q&A page's Question is its thread
            '<script type="application/ld+json">{"@type": "QAPage", "mainEntity": {"@type": "Question",'
            ' "acceptedAnswer": {"@type": "Answer"}}}</script>',
            STORY,
            "forum",
        ),
        ('<script type="application/ld+json">{"@type": "NewsArticle"}</script>', STORY, "article"),
        ('<script type="application/ld+json">{"@type": "LocalBusiness"}</script>', STORY, "service"),
        ("", "<div itemscope itemtype='https://schema.org/CollectionPage'>" + STORY + "</div>", "collection"),
        (
            "",
            "".join(f"<div class='post'><p>Reply {i}: " + "words " * 20 + "</p></div>" for i in range(4)),
            "forum",
        ),
        (  # one story's parts classed "post-..." are not three posts
            "",
            "".join(
                f"<div class='post-{part}'><p>" + "words " * 20 + "</p></div>"
                for part in ("header", "content", "footer")
            ),
            "article",
        ),
        (
            "",
            "".join(
                f"<div class='post post-{i}'><p>Reply {i}: " + "words " * 20 + "</p></div>" for i in range(3)
            ),
            "forum",
        ),
        (  # reader comments under a blog post, classed as comments and replies, are not a forum
            "",
            "<article>"
            + STORY
            + "</article><div class='comments-content'>"
            + "".join(
                f"<div class='comment comment-reply'><p>Comment {i}: " + "words " * 20 + "</p></div>"
                for i in range(4)
            )
            + "</div>",
            "article",
        ),
        (  # nor are they when each comment is classed as a post
            "",
            "<article>"
            + STORY
            + "</article><div class='comment-text'>"
            + "".join(
                f"<ul class='single-post'><li>Reader {i}</li><li>" + "words " * 20 + "</li></ul>"
                for i in range(4)
            )
            + "</div>",
            "article",
        ),
        (  # nor posts in a container named a list of comments, as the comment-list rule names one
            "",
            "<div class='commentlist'>"
            + "".join(f"<div class='post'><p>Comment {i}: " + "words " * 20 + "</p></div>" for i in range(3))
            + "</div>",
            "article",
        ),
        (  # a "related posts" run under a story of the page's own is not a thread
            "",
            "<article><h1>Ferry timetable</h1>"
            + STORY
            + "</article><div class='related'>"
            + "".join(f"<div class='post'><p>News {i}: " + "words " * 20 + "</p></div>" for i in range(4))
            + "</div>",
            "article",
        ),
        (  # a thread's opening post, classed apart from the replies beside it ("post-opening"), is no story
            "",
            "<div class='thread'><div class='post post-opening'>"
            + STORY
            + "</div>"
            + "".join(f"<div class='post'><p>Reply {i}: " + "words " * 20 + "</p></div>" for i in range(3))
            + "</div>",
            "forum",
        ),
        (  # paragraphs in the site's chrome before a thread (a forum's rules in its sidebar) are no story
            "",
            "<aside>"
            + STORY
            + "</aside><div class='thread'>"
            + "".join(f"<div class='post'><p>Reply {i}: " + "words " * 20 + "</p></div>" for i in range(3))
            + "</div>",
            "forum",
        ),
        (  # answers under a long question are a Q&A page's posts: the question is no story
            "",
            "<div class='question'><h1>Which ferry takes bikes?</h1>"
            + STORY
            + "</div><div class='answers'>"
            + "".join(f"<div class='answer'><p>Answer {i}: " + "words " * 20 + "</p></div>" for i in range(3))
            + "</div>",
            "forum",
        ),
        (  # answers in a comments container are a Q&A page's posts
            "",
            "<div class='comments'>"
            + "".join(f"<div class='answer'><p>Answer {i}: " + "words " * 20 + "</p></div>" for i in range(3))
            + "</div>",
            "forum",
        ),
        ("", STORY + "<pre>a</pre><pre>b</pre><pre>c</pre>", "documentation"),
        ("", STORY + "<span itemprop='price'>9.99</span>", "product"),
        ("", STORY, "article"),
    ],
)
def test_page_types(head: str, body: str, page_type: str) -> None:
    """Kept pages are typed by JSON-LD/microdata/og:type first, then by structure, else article."""
    assert _judge(_page(body, head=head)).page_type == page_type


def test_quality_is_bounded_and_rises_with_each_signal() -> None:
    """Quality stays in [0, 1], is 0 for no text, and grows with length, paragraphs and prose shape."""
    sentence = "The ferry will run at night from May, the harbour board said on Tuesday evening."
    assert quality("") == 0.0
    short, longer = quality(sentence), quality("\n".join([sentence] * 6))
    assert 0.0 < short < longer <= 1.0
    assert quality("Home\nNews\nSport\nContact") < short
    linked = quality(sentence, markdown=f"[{sentence}](https://x.example)")
    assert linked < short


def test_classification_of_text_sets_quality() -> None:
    """A kept page's classification carries the quality of its extracted text."""
    text = "\n".join(["A long enough sentence about the harbour board and its ferry timetable today."] * 5)
    assert _judge(_page("<article>" + STORY + "</article>"), text=text).quality == quality(text)


# -- JavaScript shells and link-only pages --------------------------------------------------

_BUNDLE = "<script src='/static/js/main.3f9a.js'></script>"
SHELLS = {
    "react": _page(
        "<noscript>You need to enable JavaScript to run this app.</noscript><div id='root'></div>" + _BUNDLE
    ),
    "next-loading": _page("<div id='__next'><p>Loading...</p></div>" + _BUNDLE),
    "angular": _page("<app-root></app-root>" + _BUNDLE),
    "inline-app": _page("<div id='app'></div><script>" + "var a=1;" * 1000 + "</script>"),
    "noscript-warning": _page(
        "<div class='shell'></div><noscript>Please enable JavaScript.</noscript>" + _BUNDLE
    ),
}


@pytest.mark.parametrize("html", SHELLS.values(), ids=SHELLS.keys())
def test_client_rendered_shells_need_javascript(html: str) -> None:
    """A shell (scripts, an app root or a noscript warning, nothing to read) is js_shell at once."""
    verdict = _judge(html)
    assert verdict == Classification("js_shell", 0.0, "needs JavaScript")


NOT_SHELLS = {
    # a server-rendered Next.js page: the story is in the app root
    "ssr": _page(f"<div id='__next'><h1>Ferry timetable</h1>{STORY}</div>" + _BUNDLE),
    # a short page without scripts or an app root
    "plain-short": _page("<p>Closed today.</p>"),
    # the whole story inside <noscript> is a page that has one
    "noscript-story": _page(f"<div id='root'></div><noscript>{STORY * 3}</noscript>" + _BUNDLE),
    # an app root and scripts, but a story beside them
    "widget": _page(f"<article><h1>Ferry</h1>{STORY}</article><div id='app'></div>" + _BUNDLE),
}


@pytest.mark.parametrize("html", NOT_SHELLS.values(), ids=NOT_SHELLS.keys())
def test_pages_with_their_text_are_not_shells(html: str) -> None:
    """Rendered apps, short plain pages and stories in noscript are not JavaScript shells."""
    assert _judge(html).page_type != "js_shell"
    assert _judge(html, _visible(html) or "x").page_type != "js_shell"


def test_a_product_page_showing_only_its_header_needs_javascript() -> None:
    """A page declared a product whose extracted text is its site's name and search box (a few
    words, no number; no price or cart markup) is a shell whose product a script writes, scripts
    or not (a saved page may have lost them). A product showing its name and price, or its name
    and a line about it, one with a price in its markup, and an article of a few words stay."""
    product = '<meta property="og:type" content="product">'
    nav = "".join(f"<a href='/c/{i}'>Category {i}</a>" for i in range(12))
    html = _page(f"<header>{nav}<h1>Shopmart</h1><input placeholder='I am shopping for...'></header>",
                 "Shopmart", product)  # fmt: skip
    shell = Classification("js_shell", 0.0, "needs JavaScript")
    assert _judge(html, "Shopmart\nI'm shopping for...") == shell
    assert _judge(html, "Blue enamel mug\n$12.00").page_type == "product"  # a name and a price
    described = "Linen shirt\nA loose summer shirt of washed linen, cut long in the back"
    assert _judge(html, described).page_type == "product"  # a name and words about it
    priced = html.replace("<h1>", "<span itemprop='price'>12</span><h1>")
    assert _judge(priced, "Shopmart\nI'm shopping for...").page_type == "product"
    article = _page(f"<header>{nav}</header><h1>Closed today</h1>")
    assert _judge(article, "Closed today").page_type != "js_shell"
    assert _judge(html, "").page_type == "product"  # nothing extracted: no story, as before


def test_a_page_showing_only_what_its_scripts_fill_needs_javascript() -> None:
    """A shop's category whose grid a script writes: its extracted text is the header and the
    interface, one line of it a template's unfilled placeholder or a loading notice alone. It is
    a shell whatever its type. A story with a loading line beside its text, a tutorial quoting a
    placeholder, and a short page without either stay what they are."""
    html = _page("<header><a href='/'>Skip to content</a><a href='/cart'>Cart</a></header>", "Jackets")
    shell = Classification("js_shell", 0.0, "needs JavaScript")
    assert _judge(html, "Skip to content\nCart\nOpens in a new window.\n${{amount_no_decimals}}") == shell
    assert _judge(html, "Free shipping over $50!\nReturn Policy\nSort :\nRelevance\nLoading") == shell
    assert _judge(html, "Support\nChargement…") == shell
    assert _judge(html, "{% for product in collection.products %}") == shell
    story = _page("<article><h1>Ferry</h1>" + STORY + "</article>")
    assert _judge(story, _visible(story) + "\nLoading...").page_type == "article"
    assert _judge(html, "Write {{ name }} in the template to show the name.").page_type != "js_shell"
    assert _judge(html, "Skip to content\nCart\nJackets").page_type != "js_shell"


def test_a_short_page_that_says_a_placeholder_or_loading_line_is_no_shell() -> None:
    """A loading line or a placeholder makes a shell only beside a header and an interface: a
    short news brief whose sentence stands beside a comment box's "Loading...", a tutorial that
    quotes a template's placeholder in its code, and a glossary's entry headed "Loading" keep
    their type and their text."""
    brief = _page(
        "<article><h1>Ferry cancelled</h1><p>The early ferry to the island is cancelled today"
        " because of the storm, and services resume tomorrow.</p><p>Loading...</p></article>"
    )
    assert _judge(brief, _visible(brief)).page_type == "article"
    tutorial = _page(
        "<article><h1>Showing a name</h1><p>Write this in your template:</p>"
        "<pre>{{ user.name }}</pre></article>"
    )
    assert _judge(tutorial, _visible(tutorial)).page_type == "article"  # one code block
    entry = _page("<article><h1>Loading</h1><p>Putting cargo aboard a ship.</p></article>", "Glossary")
    assert _judge(entry, _visible(entry)).page_type == "article"
    chargement = _page("<header><a href='/'>Accueil</a></header><h1>Vestes</h1>", "Vestes")
    assert _judge(chargement, "Accueil\nVestes\nChargement…").skip_reason == "needs JavaScript"


def test_a_chinese_or_japanese_product_description_is_no_shell() -> None:
    """A product page's description in a script written without spaces between its words (and no
    number in it) is many words, not the few of a shell's header: each character counts as one."""
    product = '<meta property="og:type" content="product">'
    html = _page("<h1>樫のテーブル</h1><p>手作りの樫の木のテーブルです</p>", "樫のテーブル", product)
    described = (
        "樫のダイニングテーブル\n職人が一つずつ手作りした、丈夫な樫の木のテーブルです。"
        "天板は厚く、脚はしっかりとしていて、家族みんなで毎日使えます。"
    )
    assert _judge(html, described).page_type == "product"
    assert _judge(html, "樫の店\n検索").page_type == "js_shell"  # a shop's name and its search box


def _bare_links(count: int) -> str:
    return "<ul>" + "".join(f"<li><a href='/p/{i}'>Page {i}</a></li>" for i in range(count)) + "</ul>"


def test_a_page_of_bare_links_is_a_listing() -> None:
    """Eight links and no prose: a listing by its shape, not an article."""
    html = _page(_bare_links(8), "Index")
    assert _judge(html, _visible(html)).page_type == "listing"


def test_a_few_links_or_a_story_with_links_stay_articles() -> None:
    """Three links are no listing; a story beside a link list is an article."""
    few = _page(_bare_links(3) + "<p>Back soon.</p>")
    assert _judge(few, _visible(few)).page_type == "article"
    story = _page(_bare_links(8) + STORY)
    assert _judge(story, _visible(story)).page_type == "article"


def test_a_product_of_links_stays_a_product() -> None:
    """Link-only shape does not override a type the page declares by its markup."""
    html = _page(_bare_links(8) + "<span itemprop='price'>12</span>", "Rug")
    assert _judge(html, _visible(html)).page_type == "product"


FIXTURES = Path(__file__).parent.parent / "fixtures" / "html"

# a tree of elements and text: a tag, then its children (text, comments and elements)
_TREES = st.recursive(
    st.sampled_from(["text", "<!-- note -->", " "]),
    lambda children: st.tuples(
        st.sampled_from(["div", "li", "p", "span", "ul", "a"]), st.lists(children, max_size=9)
    ),
    max_leaves=60,
)


def _markup(tree: object) -> str:
    if isinstance(tree, str):
        return tree
    assert isinstance(tree, tuple)
    tag, children = tree
    return f"<{tag}>{''.join(map(_markup, children))}</{tag}>"


def _fifth_children_alike(html: str) -> None:
    body = LexborHTMLParser(html).body
    assert body is not None
    parents = [p.mem_id for p in _parents_of(body, _NTH_TEASER)]
    assert parents == [p.mem_id for p in _parents_of(body, ":nth-child(5)")]


@settings(max_examples=300, deadline=None)
@given(trees=st.lists(_TREES, max_size=8))
def test_the_teaser_search_looks_where_nth_child_finds_a_fifth_child(trees: list[object]) -> None:
    """The elements with five or more element children, where teaser groups are looked for, are
    those `:nth-child(5)` finds a child of, in the same order: text, comments and white space
    between elements count for neither."""
    _fifth_children_alike(_page("".join(map(_markup, trees))))


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
def test_the_teaser_search_on_real_pages(path: Path) -> None:
    """The same elements as `:nth-child(5)` on the fixture pages."""
    _fifth_children_alike(path.read_bytes().decode("latin-1"))  # the markup, whatever the charset


def test_a_class_strings_names_are_sorted_once_a_class_string() -> None:
    """Siblings classed alike in any order have one shape (`_signature`); a class string's sorted
    names are found once and then looked up, as a page's teasers repeat their class strings."""
    from scraper.extract import classify as signals  # noqa: PLC0415  # its private helper

    signals._class_set.cache_clear()
    assert signals._class_set("card big") == signals._class_set(" big  card") == "big card"
    assert signals._class_set("card big") == "big card"
    assert signals._class_set.cache_info().hits == 1


def test_what_no_reader_sees_has_one_home() -> None:
    """`dom.UNSEEN` (scripts, styles, noscript, templates, drawings) is what page typing, the blocks
    and the shown text each skip, besides what each adds of its own."""
    assert set(UNSEEN) <= classifying._UNSEEN
    assert set(UNSEEN) <= blocks._INVISIBLE
    assert rendered._INVISIBLE.startswith(", ".join(UNSEEN))
