"""Tests for scraper.extract.bylines: trafilatura's byline search, at less cost, same answers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from scraper.dom import parse_html
from scraper.extract import bylines
from tests.factories import PARAGRAPH, metadata_page, trafilatura_tree

# every shape of byline trafilatura's XPaths (AUTHOR_XPATHS) test for, in one element each
BYLINES = (
    '<a rel="author" href="/jane">Jane Doe</a>',
    '<span class="author-name">Jane Doe</span>',
    '<div data-testid="AuthorCard">Jane Doe</div>',
    '<p itemprop="author name">Jane Doe</p>',
    "<author>Jane Doe</author>",
    '<span class="BBL">Jane Doe</span>',
    '<div class="username">Jane Doe</div>',
    '<h4 id="zuozhe">Jane Doe</h4>',
    '<span class="submitted-by">Jane Doe</span>',
    '<em data-component="Byline">Jane Doe</em>',
    '<em class="screenname">Jane Doe</em>',
    '<em class="staff-writer">Jane Doe</em>',
    '<em class="post-Byline">Jane Doe</em>',
    "<div><rel>me</rel>Jane Doe</div>",
    '<span class="&#97;uthor">Jane Doe</span>',  # "author", spelt by a character reference
    '<span class="auth\x0cor">Jane Doe</span>',  # "author": lxml drops the form feed, no XML character
    "<auth\x01or>Jane Doe</auth\x01or>",
    '<span class="channel-name">Jane Doe</span>',
    '<span class="posted-by">Jane Doe</span>',
    '<span class="journalist-name">Jane Doe</span>',
    '<span id="xiaobian">Jane Doe</span>',
    '<span class="bianji">Jane Doe</span>',
)


@pytest.mark.parametrize("byline", BYLINES)
def test_every_byline_trafilatura_finds_is_found(byline: str) -> None:
    """Each byline trafilatura's search finds, the guarded search finds too, and the check of the
    markup (`may_name_author`) lets it run."""
    html = metadata_page(f"{byline}{PARAGRAPH}")
    assert extract_author(trafilatura_tree(html)) is not None
    assert bylines.may_name_author(html)
    assert bylines.search(trafilatura_tree(html), html) == extract_author(trafilatura_tree(html))


def test_the_search_is_skipped_where_the_markup_names_no_byline() -> None:
    """A page whose markup holds none of the XPaths' words has no byline they find: None, as
    trafilatura's search says."""
    html = metadata_page(f"<div class='story'><span class='by'>Jane Doe</span>{PARAGRAPH}</div>")
    assert not bylines.may_name_author(html)
    assert bylines.search(trafilatura_tree(html), html) is None is extract_author(trafilatura_tree(html))


def test_pruned_parts_hold_no_byline() -> None:
    """The guarded discard expressions prune what trafilatura's prune: a byline in the comments, a
    date or a figure is not the page's; one in the story is."""
    pruned = metadata_page(
        "<div id='comments'><span class='author'>A Reader</span></div>"
        "<figure><span class='author'>A Photographer</span></figure>"
        f"<div class='sidebar'><a rel='author'>Another</a></div>{PARAGRAPH}"
    )
    kept = pruned.replace("</article>", "<p class='byline'>By Jane Doe</p></article>")
    assert (
        bylines.search(trafilatura_tree(pruned), pruned) is None is extract_author(trafilatura_tree(pruned))
    )
    assert (
        bylines.search(trafilatura_tree(kept), kept) == extract_author(trafilatura_tree(kept)) == "Jane Doe"
    )


def test_the_guarded_expressions_find_what_trafilaturas_find() -> None:
    """On every fixture page, as sent and as lexbor writes it, each guarded expression finds the
    elements trafilatura's finds, in the same order, and the search gives its byline."""
    fixtures = sorted((Path(__file__).parents[1] / "fixtures" / "html").glob("*.html"))
    pages = [path.read_bytes().decode("utf-8", errors="replace") for path in fixtures]
    assert len(pages) > 20
    pages += [parse_html(page, "fixture").html or "" for page in pages] + [
        metadata_page(f"{b}{PARAGRAPH}") for b in BYLINES
    ]
    for page in pages:
        tree = trafilatura_tree(page)
        for theirs, ours in zip(
            AUTHOR_XPATHS + AUTHOR_DISCARD_XPATHS, bylines._AUTHORS + bylines._DISCARDS, strict=True
        ):
            assert ours(tree) == theirs(tree)
        assert bylines.search(trafilatura_tree(page), page) == extract_author(trafilatura_tree(page))
        # an expression not asked of the page (`may_find`) finds nothing in it
        for asked, expression in zip(bylines.may_find(tree), AUTHOR_XPATHS, strict=True):
            assert asked or not expression(tree)


def test_an_expression_is_asked_only_of_a_page_holding_what_it_looks_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page whose only byline is classed "byline" holds none of the first expression's values
    ("author", "AuthorCard", ...) nor an <author>: the search asks the second alone, which finds it.
    Each of trafilatura's expressions is read (`_mentions`), none is asked of every page."""
    assert all(mentions is not None for mentions in bylines._MENTIONS)
    asked: list[int] = []

    def counted(i: int, expression: XPath) -> Callable[[HtmlElement], Any]:
        def find(tree: HtmlElement) -> Any:
            asked.append(i)
            return expression(tree)

        return find

    monkeypatch.setattr(bylines, "_AUTHORS", [counted(i, x) for i, x in enumerate(bylines._AUTHORS)])
    html = metadata_page(f"<p class='byline'>Jane Doe</p>{PARAGRAPH}")
    found = bylines.search(trafilatura_tree(html), html)
    assert found == extract_author(trafilatura_tree(html)) == "Jane Doe"
    assert asked == [1]


def test_the_words_are_read_from_the_xpaths_trafilatura_has() -> None:
    """`BYLINE_WORDS` were read from trafilatura's AUTHOR_XPATHS as these are: a trafilatura whose
    XPaths changed needs them read again (this digest fails first)."""
    paths = "\n".join(" ".join(xpath.path.split()) for xpath in AUTHOR_XPATHS)
    assert hashlib.sha256(paths.encode()).hexdigest()[:16] == "52b3a4d1177c18bb"


def test_the_search_prunes_no_tree_where_the_xpaths_read_attributes_alone() -> None:
    """The search asks each element the XPaths find whether trafilatura's pruning would take it,
    and prunes only its copy to read its text: the page's tree is left whole, `last` or not, and
    the byline is trafilatura's (not the figure's, nor the date inside the byline)."""
    html = metadata_page(
        "<figure><span class='author'>A Photographer</span></figure>"
        f"<article><p class='byline'>By Jane Doe<time>May 3</time></p>{PARAGRAPH}</article>"
    )
    for last in (False, True):
        tree = trafilatura_tree(html)
        assert bylines.search(tree, html, last=last) == extract_author(trafilatura_tree(html)) == "Jane Doe"
        assert tree.find(".//figure") is not None


def test_the_last_search_prunes_the_tree_it_is_given() -> None:
    """Where an XPath reads more than attributes (a child <rel>'s text, which pruning may change),
    the page is pruned as trafilatura prunes it. `last`: the search prunes the page's tree itself,
    not a copy, and finds what trafilatura's search finds; without it the tree is left whole, for
    the steps that read it after."""
    html = metadata_page(
        "<figure><span class='author'>A Photographer</span></figure>"
        f"<article><p class='byline'>By Jane Doe</p><div><rel>you</rel></div>{PARAGRAPH}</article>"
    )
    kept, pruned = trafilatura_tree(html), trafilatura_tree(html)
    assert bylines.search(kept, html) == extract_author(trafilatura_tree(html)) == "Jane Doe"
    assert kept.find(".//figure") is not None
    assert bylines.search(pruned, html, last=True) == "Jane Doe"
    assert pruned.find(".//figure") is None


def test_a_page_of_two_top_level_elements_is_searched_as_trafilatura_searches_it() -> None:
    """lxml reads a page with a second <html> into a document of two top-level elements, and
    gives the first: trafilatura's XPaths read both, its copy only the first. The search is its
    own there, `last` or not: a byline in the second element counts only when the tree is pruned
    in place."""
    html = (
        metadata_page(PARAGRAPH)
        + "<html><body><div id='author'><h3>By</h3><h5>Jane Doe</h5></div></body></html>"
    )
    tree = trafilatura_tree(html)
    assert tree.getnext() is not None
    assert bylines.search(trafilatura_tree(html), html) is None is extract_author(trafilatura_tree(html))
    assert bylines.search(trafilatura_tree(html), html, last=True) == "Jane Doe"
