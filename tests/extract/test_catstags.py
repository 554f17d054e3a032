"""Tests for scraper.extract.catstags: trafilatura's category and tag search, at less cost, same answers."""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path

import pytest
from trafilatura.metadata import extract_catstags
from trafilatura.xpaths import CATEGORIES_XPATHS, TAGS_XPATHS

from scraper.dom import parse_html
from scraper.extract import catstags
from tests.factories import PARAGRAPH, metadata_page, trafilatura_tree

LINKS = '<a href="/category/harbour/">Harbour</a> <a href="/tag/ferries/">Ferries</a>'

# every test of trafilatura's expressions (CATEGORIES_XPATHS, TAGS_XPATHS) in an element holding
# links to a category and a tag: each finds them, and only that expression can
SHAPES = (
    '<div class="postinfo-top">{}</div>',
    '<div class="post-info">{}</div>',
    '<div class="postmeta-line">{}</div>',
    '<div class="post-meta">{}</div>',
    '<div class="meta">{}</div>',
    '<div class="entry-meta-bar">{}</div>',
    '<div class="entry-info">{}</div>',
    '<div class="entry-utility">{}</div>',
    '<div id="postpath-1">{}</div>',
    '<p class="postmeta-under">{}</p>',
    '<p class="entry-categories">{}</p>',
    '<p class="postinfo">{}</p>',
    '<p id="filedunder">{}</p>',
    '<footer class="entry-meta">{}</footer>',
    '<footer class="entry-footer-links">{}</footer>',
    '<li class="post-category">{}</li>',
    '<span class="postcategory">{}</span>',
    '<li class="entry-category">{}</li>',
    '<span class="the-cat-links">{}</span>',
    '<header class="entry-header">{}</header>',
    '<div class="row">{}</div>',
    '<div class="tags">{}</div>',
    '<p class="entry-tags-list">{}</p>',
    '<div class="jp-relatedposts">{}</div>',
    '<div class="tagcloud">{}</div>',
    '<section class="entry-meta">{}</section>',
    '<section class="hot-topics">{}</section>',
    '<span class="tags-links">{}</span>',
)


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_trafilatura_finds_is_found(shape: str) -> None:
    """Where one of trafilatura's expressions finds a category or a tag, the search finds the same."""
    html = metadata_page(shape.format(LINKS) + PARAGRAPH)
    found = [
        (catstags.search(kind, trafilatura_tree(html)), extract_catstags(kind, trafilatura_tree(html)))
        for kind in ("category", "tag")
    ]
    assert any(theirs for _, theirs in found)
    assert all(ours == theirs for ours, theirs in found)


def test_no_expression_runs_where_no_class_or_id_can_match() -> None:
    """On a page whose class and id values meet none of the expressions' needs, none runs, and the
    answer is trafilatura's: its fallback for categories (the head's meta tags), no tags."""
    head = '<meta property="article:section" content=" Harbour  news ">'
    head += '<meta name="subject" content="Harbour news">'
    html = metadata_page(f'<div class="story">{LINKS}{PARAGRAPH}</div>', head)
    names = catstags.Names.of(trafilatura_tree(html))
    assert not any(
        need.met(names.values, names.joined) for needs in catstags._NEEDS.values() for need in needs
    )
    assert (
        catstags.search("category", trafilatura_tree(html))
        == extract_catstags("category", trafilatura_tree(html))
        == ["Harbour news"]
    )
    assert (
        catstags.search("tag", trafilatura_tree(html))
        == extract_catstags("tag", trafilatura_tree(html))
        == []
    )


def test_the_needs_hold_on_every_fixture_page() -> None:
    """On every fixture page and every shape's page, as sent and as lexbor writes it, an expression
    whose need is not met finds nothing, and the search gives trafilatura's categories and tags."""
    fixtures = sorted((Path(__file__).parents[1] / "fixtures" / "html").glob("*.html"))
    pages = [path.read_bytes().decode("utf-8", errors="replace") for path in fixtures]
    assert len(pages) > 20
    pages += [metadata_page(shape.format(LINKS) + PARAGRAPH) for shape in SHAPES]
    pages += [parse_html(page, "fixture").html or "" for page in pages]
    for page in pages:
        names = catstags.Names.of(trafilatura_tree(page))
        for kind, expressions in (("category", CATEGORIES_XPATHS), ("tag", TAGS_XPATHS)):
            for expression, need in zip(expressions, catstags._NEEDS[kind], strict=True):
                assert need.met(names.values, names.joined) or not expression(trafilatura_tree(page))
            assert catstags.search(kind, trafilatura_tree(page)) == extract_catstags(
                kind, trafilatura_tree(page)
            )


def test_the_needs_are_read_from_the_xpaths_trafilatura_has() -> None:
    """`_NEEDS` were read from trafilatura's expressions, and `search` follows its steps, as these
    are: a trafilatura whose XPaths or `extract_catstags` changed needs them read again (this digest
    fails first)."""
    paths = "\n".join(" ".join(xpath.path.split()) for xpath in (*CATEGORIES_XPATHS, *TAGS_XPATHS))
    paths += inspect.getsource(extract_catstags)
    assert hashlib.sha256(paths.encode()).hexdigest()[:16] == "946fdb55c7d8ffa1"
