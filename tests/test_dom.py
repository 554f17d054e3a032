"""Tests for scraper.dom: the one reading of text, tokens, ancestors, link density and <base href>."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from scraper import dom
from scraper.crawl.discover import feed_links
from scraper.crawl.links import extract_links
from scraper.dom import MAX_ATTRIBUTES, MAX_NESTING, parse_html
from scraper.errors import ExtractionError
from scraper.extract.metadata import canonical_url


def node(html: str, selector: str) -> LexborNode:
    found = LexborHTMLParser(html).css_first(selector)
    assert found is not None
    return found


def test_text_of_joins_stripped_text_nodes_and_words_of_folds_space() -> None:
    """Text nodes are stripped and joined by one space; words_of also folds inner runs of space."""
    div = node("<div> Hello <b>brave</b>\n\n new   world </div>", "div")
    assert dom.text_of(div) == "Hello brave new   world"
    assert dom.words_of(div) == "Hello brave new world"


_BODY_PIECES = st.sampled_from([
    "<p>", "</p>", "<b>", "</b>", "<div>", "</div>", "<script>", "</script>", "<template>", "</template>",
    "<!-- note -->", "<br>", " ", "\n", "\xa0", "\u2003", "\u3000", "word", " two words ", "é",
    "<pre>", "</pre>",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_BODY_PIECES, max_size=40), st.integers(0, 60))
@example(["<p>", " a ", "</p>", "  ", "<script>", " x ", "</script>", "<b>", "b", "</b>", "c "], 5)
def test_text_start_is_the_start_of_text_of(pieces: list[str], size: int) -> None:
    """`text_start(node, size)` is `text_of(node)[:size]` (each text node stripped, white space alone
    as "", joined by one space), though it reads only the text nodes it needs."""
    body = LexborHTMLParser(f"<body>{''.join(pieces)}</body>").body
    assert body is not None
    assert dom.text_start(body, size) == dom.text_of(body)[:size]


def test_link_density_is_the_linked_share_of_the_text() -> None:
    """Linked characters over all of `text_of` (separators included); no text is zero, not an error."""
    assert dom.link_density(node("<p>abcd<a href=x>efgh</a></p>", "p")) == 4 / len("abcd efgh")
    assert dom.link_text_length(node("<p>abcd<a href=x>efgh</a></p>", "p")) == 4
    assert dom.link_density(node("<p></p>", "p")) == 0.0


@given(st.lists(st.integers(0, 6), max_size=6), st.integers(0, 30))
def test_link_text_length_counted_to_a_bound_compares_as_the_whole_count(sizes: list[int], most: int) -> None:
    """Counted no further than `most`, the links' text compares with `most` as the whole count does,
    and is the whole count below it."""
    p = node("<p>" + " ".join(f"<a href=x>{'w' * size}</a>" for size in sizes) + "</p>", "p")
    whole, bounded = dom.link_text_length(p), dom.link_text_length(p, most=most)
    assert whole == sum(sizes)
    assert (bounded >= most) == (whole >= most)
    assert bounded == whole or bounded >= most


def test_class_tokens_give_values_parts_camel_case_and_pairs_but_not_id_slugs() -> None:
    """Whole values, their parts (dashes, underscores, camelCase) and adjacent pairs; no long id slug."""
    tokens = dom.class_tokens(node('<div class="tdb-author_box shareBar" id="main-col"></div>', "div"))
    assert tokens == {
        "tdb-author_box", "tdb", "author", "box", "tdb-author", "author-box",
        "sharebar", "share", "bar", "share-bar",
        "main-col", "main", "col",
    }  # fmt: skip
    slug = node('<h2 id="sharing-with-a-single-developer" class="x"></h2>', "h2")
    assert dom.class_tokens(slug) == {"x"}


def test_class_tokens_match_hyphenated_words_inside_longer_values() -> None:
    """A word list entry like "more-stories" matches "related-more-stories" and "moreStories"."""
    for markup in ('<div class="related-more-stories"></div>', '<div class="moreStories"></div>'):
        assert "more-stories" in dom.class_tokens(node(markup, "div"))


def test_ancestors_walk_up_to_the_document() -> None:
    """Parents first, nearest first; the node itself only when asked."""
    em = node("<html><body><main><p><em>x</em></p></main></body></html>", "em")
    assert [a.tag for a in dom.ancestors(em)][:4] == ["p", "main", "body", "html"]
    assert next(dom.ancestors(em, include_self=True)).tag == "em"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("", "https://site.test/a/page.html"),
        ('<base href="/b/">', "https://site.test/b/"),
        ('<base href="https://cdn.test/c/">', "https://cdn.test/c/"),
        ('<base href="  https://cdn.test/d/  ">', "https://cdn.test/d/"),
        ('<base href="http://[::1">', "https://site.test/a/page.html"),  # malformed IPv6: urljoin raises
        ('<base href="javascript:void(0)">', "https://site.test/a/page.html"),
        ('<base href="mailto:someone@site.test">', "https://site.test/a/page.html"),
    ],
)
def test_base_url_honours_base_href_and_falls_back_on_unusable_ones(head: str, expected: str) -> None:
    """<base href> is resolved against the page; one that gives no http(s) URL leaves the page's own."""
    tree = LexborHTMLParser(f"<html><head>{head}</head><body></body></html>")
    assert dom.base_url(tree, "https://site.test/a/page.html") == expected


def test_every_stage_survives_a_malformed_base_href() -> None:
    """Links, feeds and the canonical URL all resolve against the page when <base href> is broken."""
    html = (
        '<html><head><base href="http://[::1"><link rel="canonical" href="/story">'
        '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
        '<body><a href="next.html">next</a></body></html>'
    )
    page = "https://site.test/a/page.html"
    assert extract_links(html, page) == ["https://site.test/a/next.html"]
    assert feed_links(html, base_url=page) == ("https://site.test/feed.xml",)
    assert canonical_url(LexborHTMLParser(html), page) == "https://site.test/story"


def test_a_parser_that_gives_up_is_the_pages_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """lexbor failing to allocate (SelectolaxError) is an ExtractionError about the page."""

    def fail(html: str) -> LexborHTMLParser:
        raise SelectolaxError("Can't parse HTML.")

    monkeypatch.setattr(dom, "LexborHTMLParser", fail)
    with pytest.raises(ExtractionError, match=r"page\.html: the HTML parser gave up \(out of memory\)"):
        dom.parse_html("<p>x</p>", "page.html")


def test_class_words_are_the_class_tokens_among_the_words() -> None:
    """`class_words` gives `class_tokens & words`, pairs across camelCase and dashes included."""
    words = frozenset({"cc-window", "author-box", "menu", "post"})
    for markup in (
        '<div class="ccWindow"></div>',
        '<div class="tdb-author_box shareBar" id="main-menu"></div>',
        '<div class="AUTHOR-BOX" id="sharing-with-a-single-post"></div>',
        '<div class="postbody"></div>',
        '<div class="x"></div>',
        "<div></div>",
    ):
        element = node(markup, "div")
        assert dom.class_words(element, words) == dom.class_tokens(element) & words
    assert dom.class_words(node('<div class="ccWindow"></div>', "div"), words) == {"cc-window"}


_NAMED_WORDS = frozenset({"cookie", "cookies", "consent", "gdpr", "sign-up", "menu"})
# class and id values of pieces of the words, in any case, with the characters that lower into
# ASCII letters ("\u212a" into "k") and the separators tokens are split on
_PIECES = [
    "co",
    "okie",
    "OK",
    "ie",
    "\u212aie",
    "s",
    "cons",
    "ENT",
    "GD",
    "pr",
    "sign",
    "up",
    "me",
    "nu",
    "\u0130",
]
_NAMES = st.lists(st.sampled_from([*_PIECES, "i", "-", "_", " ", "x"]), max_size=12).map("".join)


@given(names=_NAMES, ident=_NAMES)
@example(names="CoOkie-Bar", ident="")
@example(names="x", ident="GDPR")
@settings(max_examples=300, deadline=None)
def test_named_selector_finds_every_element_class_words_names(names: str, ident: str) -> None:
    """Every element whose class or id holds one of the words (`class_words`) matches
    `named_selector`, whatever the case, and whichever character lowers into the word's letters."""
    page = LexborHTMLParser("<div></div>")
    element = page.css_first("div")
    assert element is not None
    element.attrs["class"], element.attrs["id"] = names, ident
    if dom.class_words(element, _NAMED_WORDS):
        assert page.css_first(dom.named_selector(_NAMED_WORDS)) is not None


def test_named_selector_finds_a_kelvin_sign() -> None:
    """A class spelling "cookie" with a Kelvin sign (which lowers into "k") is found."""
    page = LexborHTMLParser('<p class="a"></p><div class="COO\u212aIE-bar"></div>')
    assert dom.class_words(node(page.html or "", "div"), _NAMED_WORDS) == {"cookie"}
    assert [n.tag for n in page.css(dom.named_selector(_NAMED_WORDS))] == ["div"]


def test_class_text_holds_every_class_token_but_an_id_slug() -> None:
    """Each class token is inside `class_text`, or two adjacent pieces of it joined by a dash."""
    element = node('<div class="tdb-author_box shareBar" id="main-col"></div>', "div")
    text = dom.class_text(element)
    assert text == "tdb-author_box sharebar main-col"
    assert all(all(piece in text for piece in token.split("-")) for token in dom.class_tokens(element))
    slug = node('<h2 id="sharing-with-a-single-developer" class="x"></h2>', "h2")
    assert dom.class_text(slug).split() == ["x"]
    assert dom.class_text(node("<div></div>", "div")) == ""


@pytest.mark.parametrize(
    "pieces", [{"author", "authorbox", "about", "bio"}, {"a", "ab", "abc", "b"}, {"x.y", "x*"}, {""}, set()]
)
def test_prefix_tree_matches_exactly_its_pieces(pieces: set[str]) -> None:
    """The shared-prefix pattern matches each piece, and no other string."""
    pattern = re.compile(dom._prefix_tree(pieces))
    for text in [*pieces, "", "a", "abcd", "aut", "authorb", "bi", "x", "xy", "x.y", "x*", "xz"]:
        assert bool(pattern.fullmatch(text)) == (text in pieces), text


def test_the_mark_spans_hold_every_combining_mark_of_the_basic_plane() -> None:
    """`dom.WORD` joins a word's marks to it from `_MARK_SPANS`: none of the plane's marks is left out."""
    marks = [c for c in range(0x10000) if unicodedata.category(chr(c))[0] == "M"]
    assert all(any(a <= c <= b for a, b in dom._MARK_SPANS) for c in marks)
    assert all(dom.WORD.fullmatch(f"a{chr(c)}b") for c in marks if not "\u3040" <= chr(c) <= "\u30ff")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
@example("a_b 12 x-y\tZ9 | ! _ __init__")
def test_ascii_word_finds_the_words_of_word_in_a_text_of_ascii(text: str) -> None:
    """In a text of ASCII alone, `dom.ASCII_WORD` finds exactly `dom.WORD`'s words, where they
    are: no mark nor unspaced character is ASCII, and `\\w` is [A-Za-z0-9_] there."""
    assert dom.ASCII_WORD.findall(text) == dom.WORD.findall(text)
    assert [m.span() for m in dom.ASCII_WORD.finditer(text)] == [m.span() for m in dom.WORD.finditer(text)]


def test_nesting_past_the_bound_is_flattened_before_every_parse() -> None:
    """The start tags of elements nested past MAX_NESTING are left out, with as many end tags; the
    text stays. A page nested less is parsed as written. Every parse is bounded so: it was only
    within extraction in this process, and a pool worker (serve, clean of many pages) parsed the
    page as written, over its time limit."""
    deep = MAX_NESTING + 500
    html = "<body>" + '<div class="a">' * deep + "<p>words</p>" + "</div>" * deep + "<p>after</p></body>"

    def depth(tree: LexborHTMLParser) -> int:
        node, levels = tree.css_first("p"), 0
        while node is not None:
            node, levels = node.parent, levels + 1
        return levels

    flat = parse_html(html, "deep")
    shallow = "<body>" + "<section>" * 100 + "<p>words</p>" + "</section>" * 100 + "</body>"
    assert parse_html(shallow, "ok").html == LexborHTMLParser(shallow).html
    assert MAX_NESTING < depth(flat) < MAX_NESTING + 10
    assert [p.text() for p in flat.css("p")] == ["words", "after"]
    first = flat.css_first("p")
    assert first is not None and first.parent is not None and first.parent.tag == "div"


@pytest.mark.parametrize(
    "attributes",
    [
        " ".join(f"a{i}=x" for i in range(30_000)),  # plain
        " ".join(f'a{i}=">"' for i in range(30_000)),  # a quoted value may hold ">"
        "".join(f'a{i}=""' for i in range(30_000)),  # no white space after a quoted value
        "/".join(f"a{i}" for i in range(30_000)),  # "/" parts names too
        " ".join(f"<a{i}" for i in range(30_000)),  # a name may start with "<" or "="
        " ".join(f"=a{i}" for i in range(30_000)),
    ],
)
def test_an_element_past_the_attribute_bound_loses_the_rest_before_every_parse(attributes: str) -> None:
    """An element keeps its first MAX_ATTRIBUTES attributes however they are written (lexbor's
    parse, quadratic in an element's attributes, cannot be stopped); the text stays, and raw text
    and comments are not read as tags. In every process, as nesting is bounded."""
    script = "<script>if (a <b " + " ".join(f"c{i}" for i in range(400)) + ") {}</script>"
    comment = "<!-- <i " + " ".join(f"c{i}" for i in range(400)) + "> -->"
    html = f"<html><body>{script}{comment}<div {attributes}><p>words</p></div><p>after</p></body></html>"
    tree = parse_html(html, "crowded")
    assert dom.bounded_html(html).startswith(f"<html><body>{script}{comment}<div ")
    div = tree.css_first("div")
    assert div is not None and len(div.attributes) == MAX_ATTRIBUTES
    assert [p.text() for p in tree.css("p")] == ["words", "after"]
    plain = "<body><div " + " ".join(f"a{i}" for i in range(MAX_ATTRIBUTES)) + "><p>x</p></div></body>"
    assert dom.bounded_html(plain) == plain


def test_text_of_reads_a_node_once_while_the_trees_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Within `unchanged()` a node's text is read from the tree once and then given again; outside
    it, and after it (the tree may have changed), each call reads the tree."""
    reads: list[str] = []
    read = dom._text

    def counted(found: LexborNode) -> str:
        reads.append(found.tag or "")
        return read(found)

    monkeypatch.setattr(dom, "_text", counted)
    tree = LexborHTMLParser("<div><p>One <a href=x>link</a></p><p>Two</p></div>")
    div, link = tree.css_first("div"), tree.css_first("a")
    assert div is not None and link is not None
    with dom.unchanged():
        texts = [dom.text_of(div), dom.text_of(link), dom.text_of(div)]
        assert texts == ["One link Two", "link", "One link Two"]
        assert dom.link_text_length(div) == 4 and dom.link_text_length(div) == 4
    assert reads == ["div", "a"]
    link.decompose()
    assert dom.text_of(div) == "One Two" and dom.text_of(div) == "One Two"
    assert reads == ["div", "a", "div", "div"]


@pytest.mark.parametrize(
    ("text", "read"),
    [("a \x07 b", "a b"), ("\x07 b", "b"), ("a \x07", "a"), ("a\x07b", "ab"), ("x\n\x1b y", "x\ny"),
     ("tab\tand\r\nbreak", "tab\tand\r\nbreak"), ("\u00e2\x80\x94", "\u00e2\x80\x94"),
     ("\x7f\ufffe\ud800", ""), ("zwnj\u200cand zwj\u200d", "zwnj\u200cand zwj\u200d")],
)  # fmt: skip
def test_without_controls_drops_what_no_text_holds(text: str, read: str) -> None:
    """The C0 controls but tab, line feed and carriage return, DEL, U+FFFE, U+FFFF and lone
    surrogates go, a run between two spaces leaving one; the C1 controls and the joiners stay."""
    assert dom.without_controls(text) == read
    assert dom.composed(text) == unicodedata.normalize("NFC", read)


@given(st.text())
def test_without_controls_leaves_text_xml_can_hold(text: str) -> None:
    """What `without_controls` leaves can be an lxml element's text (XML's characters)."""
    etree.Element("p").text = dom.without_controls(text)


def _flattened_as_written(html: str) -> str:
    """`dom._flattened`'s rule as a loop over the tags: a start tag met `MAX_NESTING` deep or deeper
    goes, and an end tag while one that went is open; each to its first ">" (the page's end)."""
    if html.count("<") <= dom.MAX_NESTING:
        return html
    parts, kept, depth, over = [], 0, 0, 0
    for match in dom._NESTING.finditer(html):
        if not match.group(1):
            if depth < dom.MAX_NESTING:
                depth += 1
                continue
            over += 1
        elif over:
            over -= 1
        else:
            depth = max(depth - 1, 0)
            continue
        end = html.find(">", match.end())
        parts.append(html[kept : match.start()])
        kept = len(html) if end < 0 else end + 1
    parts.append(html[kept:])
    return "".join(parts)


_TAGS = ["<div>", "</div>", "<DIV class='a'>", "</Div >", "<section>", "</section>", "<dl>", "</dl>",
         "<div ", "</div", ">", "<ul/>", "<divx>", "<p>", "x", " ", '"', "<", "<div a='>'>"]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_TAGS), max_size=40), st.integers(1, 4))
def test_flattening_leaves_out_what_a_loop_over_the_tags_leaves_out(pieces: list[str], bound: int) -> None:
    """`_flattened`, walked by C's loops, leaves out the tags a loop over them does, with a bound of
    a few tags: an end tag with none open, a tag missing its ">" (which runs over the next ones)."""
    html = "".join(pieces)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(dom, "MAX_NESTING", bound)
        assert dom._flattened(html) == _flattened_as_written(html)


def test_a_page_nested_far_too_deep_is_flattened_without_a_python_loop_over_its_tags() -> None:
    """100,000 nested <div>s were flattened by a Python loop over their 200,000 tags (0.75 s on a
    loaded machine, where the parse of the result takes 0.08); now by C's loops: the lines of
    Python run do not grow with the tags."""

    def lines(deep: int) -> int:
        html = "<body>" + "<div>" * deep + "words" + "</div>" * deep + "</body>"
        count = 0

        def trace(frame, event, arg):  # type: ignore[no-untyped-def]
            nonlocal count
            if frame.f_code is dom._flattened.__code__ and event == "line":
                count += 1
            return trace

        sys.settrace(trace)
        try:
            flat = dom._flattened(html)
        finally:
            sys.settrace(None)
        assert flat.count("<div>") == MAX_NESTING
        return count

    assert lines(MAX_NESTING + 20_000) == lines(MAX_NESTING + 100)


def test_the_nesting_pattern_reads_the_names_of_nesting_names_and_no_other() -> None:
    """`dom._NESTING` writes `_NESTING_NAMES` out by their shared starts (a third faster to cut a
    page at than their plain alternation): both say the same names, a start tag's and an end tag's,
    and no name that merely begins or ends like one."""
    others = ["a", "abbr", "d", "details2", "divx", "dt", "dd", "figures", "head", "headers", "li", "mainx",
              "p", "s", "sect", "span", "table", "u", "ulx"]  # fmt: skip
    for name in dom._NESTING_NAMES:
        for tag in (f"<{name}>", f"</{name} >", f"<{name.upper()}/>"):
            assert dom._NESTING.match(tag), tag
    for name in others:
        assert dom._NESTING.match(f"<{name}>") is None, name
