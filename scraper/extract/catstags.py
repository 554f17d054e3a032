"""trafilatura's search of the whole page for categories and tags (`extract_catstags`), at less
cost; pure.

    search(kind, tree) -> list[str]     what trafilatura.metadata.extract_catstags(kind, tree) gives

trafilatura tries its XPaths (CATEGORIES_XPATHS, TAGS_XPATHS) in turn, each a walk of the whole
tree (about 0.2 ms on a news page, 2 ms for the ten), until one finds a link whose address names
the kind. Each expression tests only the class and id of the element it looks for (`@class='row'`,
`starts-with(@class, 'entry-meta')`, `re:test(@class, '^(?:tag|...)')`, ...): on a page none of
whose class and id values passes one of those tests (`_NEEDS`: a value it may equal, begin with or
hold), the expression finds nothing, and it is not run. The class and id values are read in one
walk. tests/extract/test_catstags.py checks the answers against trafilatura's own search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.baseline import block_text
from trafilatura.utils import line_processing
from trafilatura.xpaths import CATEGORIES_XPATHS, TAGS_XPATHS


@dataclass(frozen=True, slots=True)
class _Need:
    """What one of the page's class or id values must be for an expression to find anything: one
    of `equals`, or begin with one of `starts`, or hold one of `holds`."""

    equals: frozenset[str] = frozenset()
    starts: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()

    def met(self, values: frozenset[str], joined: str) -> bool:
        return (
            not self.equals.isdisjoint(values)
            or (bool(self.starts) and any(value.startswith(self.starts) for value in values))
            or any(part in joined for part in self.holds)
        )


# Read from trafilatura's expressions (2.3), in their order; a test pins their text. An expression
# names the attribute it tests (@class or @id); a need reads both, which can only run it more often.
_NEEDS = {
    "category": (
        # re:test(@class, '^(?:post-?info|post-?meta|meta|entry-meta|entry-info|entry-utility)'),
        # starts-with(@id, 'postpath')
        _Need(
            starts=(
                "postinfo",
                "post-info",
                "postmeta",
                "post-meta",
                "meta",
                "entry-meta",
                "entry-info",
                "entry-utility",
                "postpath",
            )
        ),
        _Need(equals=frozenset({"postinfo", "filedunder"}), starts=("postmeta", "entry-categories")),
        _Need(starts=("entry-meta", "entry-footer")),
        _Need(equals=frozenset({"post-category", "postcategory", "entry-category"}), holds=("cat-links",)),
        _Need(equals=frozenset({"entry-header"})),
        _Need(equals=frozenset({"row", "tags"})),
    ),
    "tag": (
        _Need(equals=frozenset({"tags"})),
        _Need(starts=("entry-tags",)),
        # @class='row' or 'jp-relatedposts' or 'entry-utility', re:test(@class, '^(?:tag|postmeta|meta)')
        _Need(
            equals=frozenset({"row", "jp-relatedposts", "entry-utility"}), starts=("tag", "postmeta", "meta")
        ),
        _Need(equals=frozenset({"entry-meta"}), holds=("topics", "tags-links")),
    ),
}
_EXPRESSIONS = {"category": CATEGORIES_XPATHS, "tag": TAGS_XPATHS}
_VALUES = XPath("//@class | //@id", smart_strings=False)
# trafilatura's fallback for categories: the sections the head's meta tags state
STATED_SECTIONS = './/head//meta[@property="article:section" or contains(@name, "subject")][@content]'


@dataclass(frozen=True, slots=True)
class Names:
    """The class and id values of one page, read once for both searches."""

    values: frozenset[str]
    joined: str  # the values joined by NUL, which no attribute value holds

    @classmethod
    def of(cls, tree: HtmlElement) -> Names:
        values = frozenset(_VALUES(tree))
        return cls(values, "\0".join(values))


def search(kind: str, tree: HtmlElement, names: Names | None = None) -> list[str]:
    """trafilatura's categories (`kind` "category") or tags ("tag") of the page `tree`
    (`extract_catstags`, step by step), each expression run only where the page's class and id
    values (`names`, read here when not given) let it find something."""
    names = names if names is not None else Names.of(tree)
    results: list[str] = []
    pattern = "/" + kind.rstrip("y") + "(?:y|ies|s)?/"
    for expression, need in zip(_EXPRESSIONS[kind], _NEEDS[kind], strict=True):
        if not need.met(names.values, names.joined):
            continue
        results.extend(block_text(e) for e in expression(tree) if re.search(pattern, e.attrib["href"]))
        if results:
            break
    if kind == "category" and not results:
        results.extend(element.attrib["content"] for element in tree.xpath(STATED_SECTIONS))
    return [r for r in dict.fromkeys(line_processing(x) for x in results if x) if r]
