"""trafilatura's byline search over the whole page (`extract_author`), at less cost; pure.

    search(tree, html) -> str | None     what trafilatura.metadata.extract_author(tree) gives

trafilatura looks for a byline with XPaths (its AUTHOR_XPATHS) on a copy of the page pruned of
comments, dates and figures (AUTHOR_DISCARD_XPATHS). Their regular expressions over a class or an
id (`re:test(@class, '...')`) call back into Python for every element they are asked of, with
that attribute or without it: about a millisecond per expression on a news page. The same
expressions, each such test asked only of the elements that have the attribute (`_guarded`),
find the same elements; and on a page whose markup holds none of the words they test for
(`may_name_author`), they find nothing, so they are not run. Nor is an expression on a page whose
attributes hold none of the values it tests for (`may_find`: the attributes read in one pass).
tests/extract/test_bylines.py checks these against trafilatura's own search.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_metainfo
from trafilatura.utils import trim
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

# A test of an attribute's value in trafilatura's XPaths: equal to a string, containing one, or
# searched by a regular expression (in that order in the match's groups)
_VALUE_TEST = re.compile(
    r"@([\w-]+)='([^']*)'|contains\(@([\w-]+), '([^']*)'\)|re:test\(@([\w-]+), '([^']*)'\)"
)
# what else an expression may be made of for `_mentions` to stand for it: `//*`, tag tests, `or`,
# brackets (no `and`, no `not()`: a page can hold one of its tests and yet none of its elements)
_STRUCTURE = re.compile(r"(?:\s|//\*|self::\w+|\bor\b|[\[\]()])*")
# a pattern as trafilatura writes them, which finds in values joined by line breaks (multiline)
# whatever it finds in one of them: letters, classes, alternatives, `?`, `^`, groups `(?:...)` (no
# `\A` or `$`, no lookaround, no inline flag)
_JOINABLE = re.compile(r"(?:[\w \-|?^\[\])]|\(\?:)*")
# the elements an expression names besides its tests of attributes: its union with `//author`,
# and `rel='me'` (a child <rel> whose text is "me")
_ELEMENT_TESTS = (("|//author", "author"), ("rel='me'", "rel"))


def _mentions(path: str) -> tuple[re.Pattern[str], frozenset[str], frozenset[str]] | None:
    """What a page must hold for the XPath `path` to find an element in it: (a pattern that finds
    one of the strings its tests of attribute values look for, among the values of the page's
    attributes joined by line breaks; the names of those attributes; the elements it names), or
    None where `path` is not only tests of tags, attributes and elements joined by `or`. Where
    neither the values nor the elements are in the page, the expression finds nothing there."""
    pieces: list[str] = []
    names: set[str] = set()

    def test(match: re.Match[str]) -> str:
        name, value = next((match[i], match[i + 1]) for i in (1, 3, 5) if match[i])
        if match[5] and not _JOINABLE.fullmatch(value):
            raise ValueError(value)
        names.add(name)
        pieces.append(value if match[5] else re.escape(value))
        return " "

    try:
        rest = _VALUE_TEST.sub(test, path)
    except ValueError:
        return None
    elements = set()
    for written, tag in _ELEMENT_TESTS:
        if written in rest:
            rest = rest.replace(written, " ")
            elements.add(tag)
    if not pieces or not _STRUCTURE.fullmatch(rest):
        return None
    pattern = re.compile("|".join(f"(?:{p})" for p in pieces), re.MULTILINE)
    return pattern, frozenset(names), frozenset(elements)


_MENTIONS = [_mentions(xpath.path) for xpath in AUTHOR_XPATHS]
# the values of the attributes the expressions test and the elements they name, in one pass of
# the page (about half an XPath's cost: each of these tests every element with a dozen tests)
_NAMED = XPath(
    " | ".join(
        [f"//@{name}" for name in sorted({n for m in _MENTIONS if m for n in m[1]})]
        + [f"//{tag}" for tag in sorted({t for m in _MENTIONS if m for t in m[2]})]
    ),
    smart_strings=False,
)


_DISCARDS = [_guarded(xpath) for xpath in AUTHOR_DISCARD_XPATHS]
# an element the discard expressions prune, itself or with an ancestor: each expression's steps
# from the document (`.//*[...]`, `//time`) asked of the element's ancestors and itself instead
_STEP = re.compile(r"\.?//")
_PRUNED_WITH = XPath(
    " | ".join(_STEP.sub("ancestor-or-self::", xpath.path) for xpath in _DISCARDS),
    namespaces={"re": REGEXP_NS},
    smart_strings=False,
)
_LEN_LIMIT = 120  # trafilatura's extract_author: a longer "byline" is some other text
# a <rel> element: AUTHOR_XPATHS read a child <rel>'s text (`rel='me'`), which pruning may change
_REL_ELEMENT = re.compile("<rel", re.IGNORECASE)


def search(tree: HtmlElement, html: str | None = None, *, last: bool = False) -> str | None:
    """trafilatura's byline of the page `tree` (`extract_author`, step by step: the same
    expressions, guarded), None at once when `html`, the markup `tree` was parsed from, cannot
    name one (`may_name_author`).

    trafilatura prunes the page (AUTHOR_DISCARD_XPATHS), then takes the first element its XPaths
    find (in their order, each in page order) whose text is a byline's length. The XPaths test an
    element's tag and attributes alone, which pruning leaves as they are: on the page unpruned
    they find the same elements, and those pruned besides. So each is asked in turn whether it
    was pruned (`_PRUNED_WITH`), and only its own copy is pruned to read its text: the whole
    page's pruning (about 1.5 ms on a news page) and its copy are not made. On a page `html` with
    a <rel> element, whose text one XPath reads, without `html`, or when `tree` is not the whole
    of its document (`_whole`: the XPaths, from the document, read all of it, the copy and some
    of the pruning only `tree`), the page is
    pruned as trafilatura prunes it: in place when `last` (nothing reads `tree` after this
    search), else a copy."""
    if html is not None and not may_name_author(html):
        return None
    if html is None or _REL_ELEMENT.search(html) or not _whole(tree):
        pruned = prune_unwanted_nodes(tree if last else deepcopy(tree), _DISCARDS)
        author = extract_metainfo(pruned, _AUTHORS, len_limit=_LEN_LIMIT)
    else:
        author = _first_byline(tree)
    return normalize_authors(None, author) if author else None


def _whole(tree: HtmlElement) -> bool:
    """Whether `tree` is its document's one top-level node (lxml parses a page of several
    top-level elements, a second <html> among them, into a document that holds them side by side)."""
    return tree is tree.getroottree().getroot() and tree.getprevious() is None and tree.getnext() is None


def may_find(tree: HtmlElement) -> list[bool]:
    """For each of the byline XPaths (`_AUTHORS`), whether the page `tree` holds what it looks for
    (`_MENTIONS`): where it does not, the expression finds no element there."""
    found = _NAMED(tree)
    values = "\n".join(v for v in found if isinstance(v, str))
    elements = {e.tag for e in found if not isinstance(e, str)}
    return [m is None or m[0].search(values) is not None or bool(elements & m[2]) for m in _MENTIONS]


def _first_byline(tree: HtmlElement) -> str | None:
    """`extract_metainfo(pruned tree, _AUTHORS, len_limit=120)`, read from the unpruned `tree`.
    An expression is asked only of a page that holds what it looks for (`_MENTIONS`, read from
    the tree once): most find nothing, and each costs a pass of the tree with a dozen tests."""
    for expression, asked in zip(_AUTHORS, may_find(tree), strict=True):
        if not asked:
            continue
        for element in expression(tree):
            if _PRUNED_WITH(element):
                continue
            own = prune_unwanted_nodes(deepcopy(element), _DISCARDS)  # its descendants as pruned
            content = trim(" ".join(own.itertext()))
            if content and 2 < len(content) < _LEN_LIMIT:
                return content
    return None
