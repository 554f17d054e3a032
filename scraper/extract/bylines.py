"""trafilatura's byline search over the whole page (`extract_author`), at less cost; pure.

    search(tree, html) -> str | None     what trafilatura.metadata.extract_author(tree) gives

trafilatura looks for a byline with XPaths (its AUTHOR_XPATHS) on a copy of the page pruned of
comments, dates and figures (AUTHOR_DISCARD_XPATHS). Their regular expressions over a class or an
id (`re:test(@class, '...')`) call back into Python for every element they are asked of, with
that attribute or without it: about a millisecond per expression on a news page. The same
expressions, each such test asked only of the elements that have the attribute (`_guarded`),
find the same elements; and on a page whose markup holds none of the words they test for
(`may_name_author`), they find nothing, so they are not run. tests/extract/test_bylines.py checks
both against trafilatura's own search.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_metainfo
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS, REGEXP_NS

# What an element trafilatura's byline XPaths match (AUTHOR_XPATHS, trafilatura 2.3) holds in its
# tag or in the attribute its test reads, lowercase: each of their tests names one of these
# ("author-?name", "AuthorCard", "[Bb]yline", class="BBL", a child <rel>, ...). A character
# reference may spell a word the markup does not show ("&#97;uthor"); no other escape can (HTML
# names no entity for an ASCII letter or "-"), and a page lexbor wrote has none. Nor may a
# character XML does not allow (`_DROPPED`: C0 controls but tab, line feed and carriage return,
# U+FFFE, U+FFFF), which lxml drops as it parses: class="auth\x0cor" is read "author".
BYLINE_WORDS = ("author", "byl", "bbl", "username", "screenname", "writer", "zuozhe", "bianji", "xiaobian",
                "channel-name", "submitted-by", "posted-by", "journalist-name", "<rel")  # fmt: skip
_DROPPED = (*map(chr, (*range(9), 11, 12, *range(14, 32))), "\ufffe", "\uffff")


def may_name_author(html: str) -> bool:
    """Whether trafilatura's byline search can find anything in the page `html`: not when its
    markup holds none of `BYLINE_WORDS` in any case, nor a character reference or one lxml drops.
    Most pages that declare no author name none in their markup either (a third of the bench's
    sample)."""
    if "&#" in html:
        return True
    lowered = html.lower()
    # the dropped characters looked for only where no word is: the markup read once more, not 31 times
    return any(word in lowered for word in BYLINE_WORDS) or any(c in html for c in _DROPPED)


# a regular expression test of one attribute, as trafilatura writes them
_ATTRIBUTE_TEST = re.compile(r"re:test\((@[\w-]+), '([^']*)'\)")


def _guarded(xpath: XPath) -> XPath:
    """`xpath` with each `re:test(@name, 'pattern')` asked only of an element that has the
    attribute (`(@name and re:test(...))`): without it the test reads "", which none of the
    patterns match (a pattern that matches "" is left as it is), so the same elements are found."""

    def guard(test: re.Match[str]) -> str:
        name, pattern = test[1], test[2]
        return test[0] if re.search(pattern, "") else f"({name} and {test[0]})"

    return XPath(_ATTRIBUTE_TEST.sub(guard, xpath.path), namespaces={"re": REGEXP_NS}, smart_strings=False)


_AUTHORS = [_guarded(xpath) for xpath in AUTHOR_XPATHS]
_DISCARDS = [_guarded(xpath) for xpath in AUTHOR_DISCARD_XPATHS]


def search(tree: HtmlElement, html: str | None = None, *, last: bool = False) -> str | None:
    """trafilatura's byline of the page `tree` (`extract_author`, step by step: the same
    expressions, guarded), None at once when `html`, the markup `tree` was parsed from, cannot
    name one (`may_name_author`). `last`: nothing reads `tree` after this search, which then prunes
    it in place instead of a copy (the copy of a page's tree costs about as much as the pruning)."""
    if html is not None and not may_name_author(html):
        return None
    pruned = prune_unwanted_nodes(tree if last else deepcopy(tree), _DISCARDS)
    author = extract_metainfo(pruned, _AUTHORS, len_limit=120)
    return normalize_authors(None, author) if author else None
