"""trafilatura's discard rules asked of one element (discards.py) agree with its own expressions."""

from __future__ import annotations

import itertools

from lxml import etree
from trafilatura import xpaths
from trafilatura.settings import MANUALLY_CLEANED

from scraper.extract.discards import discarded

_EXPRESSIONS = (*xpaths.OVERALL_DISCARD_XPATH, *xpaths.TEASER_DISCARD_XPATH, *xpaths.DISCARD_IMAGE_ELEMENTS)


def _by_trafilatura(tag: str, attributes: tuple[tuple[str, str], ...]) -> bool:
    """trafilatura's verdict: its cleaned tags, and its XPath expressions run on the element."""
    root = etree.Element("body")
    element = etree.SubElement(root, tag)
    for name, value in attributes:  # in the page's order, as the parser keeps them
        element.set(name, value)
    return tag in MANUALLY_CLEANED or any(expression(root) for expression in _EXPRESSIONS)


_TOKENS = sorted({
    token.strip("^()?:").replace("(?:", "").replace("-?", "-")
    for token in xpaths._OVERALL_DISCARD_BOTH_TOKENS + xpaths._OVERALL_DISCARD_ID_TOKENS
    + xpaths._OVERALL_DISCARD_CLASS_TOKENS
})  # fmt: skip
_VALUES = (
    "", "content", "story-meta", "byline", "post-byline author", "entry-content", "article-body", "rating",
    "Teaser", "photo-caption", "hide-mobile", "is hidden", "comments-title", "reply-42", "sidebar-left",
    "main ad-slot", "a ad b", "x-reply-y", "hidden", "navbar", "related-posts", "share-bar", "cookie-box",
    *_TOKENS,
)  # fmt: skip
_STYLES = ("", "display:none", "color: red", "visibility: hidden")
_TAGS = ("div", "p", "span", "section", "li", "h2", "a", "article", "footer", "figure", "time")


Case = tuple[str, tuple[tuple[str, str], ...]]


def _cases() -> list[Case]:
    cases: list[Case] = []
    for tag, value in itertools.product(_TAGS, _VALUES):
        cases += [(tag, (("class", value),)), (tag, (("id", value),))]
        cases.append((tag, (("id", value), ("class", "content"))))
        cases.append((tag, (("class", "content"), ("id", value))))
    for tag, style in itertools.product(("div", "span", "li"), _STYLES):
        cases += [(tag, (("style", style),)), (tag, (("id", "x"), ("style", style)))]
    for tag, (name, value) in itertools.product(
        ("div", "span", "a"),
        (("role", "navigation"), ("role", "Navigation"), ("role", "main"), ("aria-hidden", "true"),
         ("aria-hidden", "false"), ("data-component", "MostPopularStories"),
         ("data-lp-replacement-content", "")),
    ):  # fmt: skip
        cases.append((tag, ((name, value),)))
    return cases


def test_discarded_agrees_with_trafilatura() -> None:
    """The mirror gives trafilatura's own verdict on every element of the grid (its tokens, its
    literal patterns, attribute order, styles, roles): a new trafilatura that changes them fails
    here. The grid holds elements trafilatura removes and elements it keeps."""
    cases = _cases()
    assert {_by_trafilatura(*case) for case in cases} == {True, False}
    assert [case for case in cases if discarded(*case) != _by_trafilatura(*case)] == []
