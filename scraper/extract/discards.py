"""Whether trafilatura's own rules would remove an element, asked of one element at a time; pure.

    discarded(tag, attributes) -> bool

trafilatura removes, before it looks for the main text, every element of a tag its tree cleaning
drops (`MANUALLY_CLEANED`: nav, footer, aside, figure, form, time, label, ...) and every element
its discard expressions match by class, id, role or style (`OVERALL_DISCARD_XPATH`: bylines,
ratings, related links, share bars, meta lines, hidden parts; `TEASER_DISCARD_XPATH`; and, as
images are not kept, `DISCARD_IMAGE_ELEMENTS`: captions). The block walk (blocks.py) asks this of
every element to give each block the share of its text inside one: trafilatura's vote on the
block, known before trafilatura runs, which the cascade's first model reads.

The expressions are trafilatura's, read from its pinned version: its token groups are joined as
it joins them, and the few literal patterns are written as it writes them. lxml's XPath would
cost about 27 µs an element; this costs about one, once per distinct tag and attributes.
tests/extract/test_discards.py checks that the two agree.
"""

from __future__ import annotations

import functools
import re

from trafilatura import xpaths
from trafilatura.settings import MANUALLY_CLEANED

# the tags the discard expressions of the first kind test (trafilatura's TEI `item` and `list`
# are HTML's li and ul after its conversion, which happens later: in the page they are custom tags)
_SECTIONS = frozenset({"div", "item", "list", "p", "section", "span"})
_CLEANED = frozenset(MANUALLY_CLEANED)
# the attributes any expression reads: an element with none of them is never discarded by them
ATTRIBUTES = ("id", "class", "style", "role", "aria-hidden", "data-component", "data-lp-replacement-content")
# OVERALL_DISCARD_XPATH, first expression (div, p, section, span)
_COOKIE = re.compile(xpaths._alt(xpaths._CONSENT_ID_CLASS_TOKENS))
_BOTH = xpaths._OVERALL_DISCARD_BOTH_TOKENS
_BY_ID = re.compile(xpaths._alt(_BOTH + xpaths._OVERALL_DISCARD_ID_TOKENS))
_BY_CLASS = re.compile(xpaths._alt(_BOTH + xpaths._OVERALL_DISCARD_CLASS_TOKENS))
# OVERALL_DISCARD_XPATH, second expression (any element)
_HIDDEN = re.compile("hidden")
_COMMENT_ID = re.compile("reader-comments|akismet")
_COMMENT_CLASS = re.compile(
    "^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print| hidden| hide"
    "|noprint|notloaded"
)


def discarded(tag: str, attributes: tuple[tuple[str, str], ...]) -> bool:
    """Whether trafilatura's tree cleaning or discard expressions remove an element of `tag` with
    these `attributes` (those of ATTRIBUTES it has, in the page's order: trafilatura's `@id|@class`
    reads whichever comes first)."""
    return tag in _CLEANED or (bool(attributes) and _by_attributes(tag, attributes))


def discarded_element(tag: str, attributes: dict[str, str | None]) -> bool:
    """`discarded` of an element read as the parser gives it: its tag and all its attributes."""
    if not attributes:
        return discarded(tag, ())
    return discarded(tag, tuple((k, v or "") for k, v in attributes.items() if k in ATTRIBUTES))


@functools.lru_cache(maxsize=16384)
def _by_attributes(tag: str, attributes: tuple[tuple[str, str], ...]) -> bool:
    values = dict(attributes)
    ident, names, style = values.get("id", ""), values.get("class", ""), values.get("style", "")
    id_or_class = next((v for k, v in attributes if k in ("id", "class")), "")
    id_or_style = next((v for k, v in attributes if k in ("id", "style")), "")
    if tag in _SECTIONS and (
        "data-lp-replacement-content" in values
        or "nav" in values.get("role", "").replace("N", "n")
        or "MostPopularStories" in values.get("data-component", "")
        or _COOKIE.search(id_or_class)
        or _BY_ID.search(ident)
        or _BY_CLASS.search(names)
        or "teaser" in ident.replace("T", "t")  # TEASER_DISCARD_XPATH
        or "teaser" in names.replace("T", "t")
        or "caption" in ident  # DISCARD_IMAGE_ELEMENTS
        or "caption" in names
    ):
        return True
    return bool(
        names == "comments-title"
        or id_or_class.startswith("reply-")
        or _HIDDEN.search(id_or_style)
        or "display:none" in style
        or "display: none" in style
        or _COMMENT_ID.search(ident)
        or _COMMENT_CLASS.search(names)
        or values.get("aria-hidden") == "true"
    )
