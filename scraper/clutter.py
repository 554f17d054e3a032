"""The selectolax pre-pass: clutter taken out of the page before trafilatura sees it.

trafilatura is good at finding the main block, but lets through what sits inside or right
next to it: share bars, author bio boxes, "Related articles" teasers, "Source link" trailers,
cookie and newsletter boxes. Each is recognised here by structure and generic signals
(element kinds, whole class/id tokens, short label texts), never by rules for one site.

    explicit selectors   keep (extract only from matches), then remove   always applied
    RULES                named generic rules, in order                   if settings.prepass

Rules only mark nodes on the intact tree; one sweep then removes the outermost marked ones, so
the first rule that claims an element names its `Removal`. A guard keeps every guarded rule
away from the main content: <html>/<body>/<main>/<article>, the container holding the most
paragraph text and its ancestors, and any element holding half the page's paragraph text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from scraper.config import ExtractSettings
from scraper.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Removal:
    """One element the pre-pass took out: the rule that claimed it, its tag and the start of its text."""

    rule: str
    tag: str
    snippet: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A named way of spotting clutter; `guarded` rules never touch the main content."""

    name: str
    description: str
    find: Callable[[_Page], Iterable[LexborNode]]
    guarded: bool = True


def strip_clutter(tree: LexborHTMLParser, settings: ExtractSettings) -> list[Removal]:
    """Remove clutter from `tree` in place and return what went, in the order it was decided.

    `settings.keep` and `settings.remove` are the user's explicit choice and always apply;
    the generic `RULES` run only when `settings.prepass` is on. Raises `ConfigError` for a
    selector that does not parse.
    """
    removals: list[Removal] = []
    kept: set[int] = set()
    if settings.keep:
        removals += _keep_only(tree, settings.keep, kept)
    if settings.remove:
        removals += _sweep((node, "remove-selector") for node in _select(tree, settings.remove, "remove"))
    if settings.prepass and tree.body is not None:
        page = _Page.scan(tree, tree.body, kept)
        marked = (
            (node, rule.name)
            for rule in RULES
            for node in rule.find(page)
            if not rule.guarded or page.removable(node)
        )
        removals += _sweep(marked)
    return removals


# -- explicit selectors ---------------------------------------------------------------------


def _select(tree: LexborHTMLParser, selectors: Iterable[str], key: str) -> list[LexborNode]:
    nodes: list[LexborNode] = []
    for selector in selectors:
        try:
            nodes += tree.css(selector)
        except SelectolaxError as exc:
            raise ConfigError(f"extract.{key}", f"invalid CSS selector {selector!r}") from exc
    return nodes


def _keep_only(tree: LexborHTMLParser, selectors: Iterable[str], kept: set[int]) -> list[Removal]:
    """Reduce <body> to the elements matching `selectors` and the wrappers leading to them.

    The head stays whole, so metadata is still found; if nothing matches, nothing changes
    (a site's layout drifting must not empty every page). Kept elements and their ancestors
    are recorded in `kept` so the generic rules leave them alone.
    """
    body = tree.body
    matched = [n for n in _select(tree, selectors, "keep") if body is not None and _within(n, body)]
    if body is None or not matched:
        return []
    spine: set[int] = set()
    for node in matched:
        spine.update(_ancestry(node))
    kept.update(spine)
    keep_ids = {n.mem_id for n in matched}
    doomed: list[tuple[LexborNode, str]] = []
    stack = [body]
    while stack:
        for child in stack.pop().iter(include_text=True):
            if child.mem_id in keep_ids:
                continue
            if child.mem_id in spine:
                stack.append(child)
            else:
                doomed.append((child, "keep-selector"))
    return [r for r in _sweep(doomed) if r.snippet]


# -- the guard ------------------------------------------------------------------------------

_NEVER_REMOVED = frozenset({"html", "head", "body", "main", "article"})
# Below this much paragraph text the page is not written in <p>s; measure all text instead.
_MIN_PARAGRAPH_TEXT = 200
# Less text than this is never protected as "the main content" (trafilatura's own threshold
# for a plausible extraction is 250 characters).
_MIN_MAIN_TEXT = 250


@dataclass(slots=True)
class _Page:
    """What every rule needs to know about the page, measured once on the intact tree."""

    tree: LexborHTMLParser
    body: LexborNode
    protected: set[int]
    total: int
    by_paragraphs: bool
    classed: list[tuple[LexborNode, frozenset[str]]]
    texts: list[tuple[LexborNode, str]]

    @classmethod
    def scan(cls, tree: LexborHTMLParser, body: LexborNode, kept: set[int]) -> _Page:
        per_parent: dict[int, int] = {}
        parents: dict[int, LexborNode] = {}
        total = 0
        for paragraph in body.css("p"):
            size = len(_text(paragraph))
            total += size
            if (parent := paragraph.parent) is not None:
                per_parent[parent.mem_id] = per_parent.get(parent.mem_id, 0) + size
                parents[parent.mem_id] = parent
        protected = set(kept)
        densest = max(per_parent, key=per_parent.__getitem__, default=None)
        # the densest paragraph container is the best cheap guess at the main content, unless it
        # is too short to be a story (then it is a cookie notice on a page without one)
        if densest is not None and per_parent[densest] >= _MIN_MAIN_TEXT:
            protected.update(_ancestry(parents[densest]))
        by_paragraphs = total >= _MIN_PARAGRAPH_TEXT
        return cls(
            tree=tree,
            body=body,
            protected=protected,
            total=total if by_paragraphs else len(_text(body)),
            by_paragraphs=by_paragraphs,
            classed=[(n, _tokens(n)) for n in body.css("[class], [id]")],
            texts=[
                (n, n.text_content or "")
                for n in body.traverse(include_text=True, skip_empty=True)
                if n.is_text_node
            ],
        )

    def weight(self, node: LexborNode) -> int:
        if self.by_paragraphs:
            return sum(len(_text(p)) for p in node.css("p"))
        return len(_text(node))

    def removable(self, node: LexborNode) -> bool:
        if node.is_text_node:
            return True
        if node.tag in _NEVER_REMOVED or node.mem_id in self.protected:
            return False
        weight = self.weight(node)
        return weight * 2 <= self.total or weight < _MIN_MAIN_TEXT


# -- the generic rules ----------------------------------------------------------------------

_Finder = Callable[[_Page], Iterator[LexborNode]]


def _non_content(page: _Page) -> Iterator[LexborNode]:
    for node in page.tree.css("script, style, noscript, template, iframe"):
        # JSON-LD is where trafilatura finds authors and dates; it is never visible text anyway
        if node.tag != "script" or (node.attributes.get("type") or "").lower() != "application/ld+json":
            yield node


def _chrome_tags(page: _Page) -> Iterator[LexborNode]:
    yield from page.body.css(
        "nav, aside, footer, form, dialog, [role=navigation], [role=complementary],"
        " [role=contentinfo], [role=dialog], [role=alertdialog]"
    )
    # a <header> may hold an article's title and lede; only a link-dense one is the site banner
    for header in page.body.css("header, [role=banner]"):
        if _link_density(header) >= 0.5:
            yield header


def _by_tokens(words: Iterable[str], *, link_dense: bool = False) -> _Finder:
    """Elements whose class or id has one of `words` as a whole token (or "a-b" token pair)."""
    wanted = frozenset(words)

    def find(page: _Page) -> Iterator[LexborNode]:
        for node, tokens in page.classed:
            if tokens & wanted and (not link_dense or _link_density(node) >= 0.5 or not _text(node)):
                yield node

    return find


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# a teaser block is lists or cards; a paragraph or the next heading ends it
_STOP_TAGS = _HEADING_TAGS | {"p"}
_TEASER_HEADINGS = frozenset(
    {
        "related", "recent posts", "recent articles", "recent stories", "recent news", "latest posts",
        "latest articles", "latest news", "latest stories", "read more", "read next", "read also",
        "also read", "more to read", "keep reading", "recommended", "recommended for you",
        "recommended articles", "recommended stories", "more stories", "more articles", "more news",
        "more posts", "popular posts", "popular articles", "most popular", "most read", "trending",
        "trending now", "don't miss", "editor's picks", "top stories",
    }
)  # fmt: skip
_TEASER_PREFIXES = ("related ", "more from ", "you may ", "you might ")


def _teaser_sections(page: _Page) -> Iterator[LexborNode]:
    """A "Related articles"-style heading plus the teaser block it heads."""
    for node in page.body.css("h1, h2, h3, h4, h5, h6, [class*=title], [class*=heading]"):
        if node.tag not in _HEADING_TAGS and not _tokens(node) & {"title", "heading", "headline"}:
            continue
        text = _norm(_text(node))
        if text in _TEASER_HEADINGS or text.startswith(_TEASER_PREFIXES):
            yield from _section_of(page, node, text)


def _section_of(page: _Page, heading: LexborNode, text: str) -> list[LexborNode]:
    unit = heading  # climb wrappers holding nothing but the heading text
    while (parent := unit.parent) is not None and parent.tag not in _NEVER_REMOVED:
        if _norm(_text(parent)) != text:
            break
        unit = parent
    parent = unit.parent
    if parent is None:
        return []
    first = next((c for c in parent.iter(include_text=True) if _text(c)), None)
    if first is not None and first.mem_id == unit.mem_id and parent.css_first("a[href]") is not None:
        if page.removable(parent):
            return [parent]  # the heading opens its own section: the section is the teaser block
    # the heading sits inside other content: take it and the link-dense lists right after it
    doomed = [unit]
    sibling = unit.next
    while sibling is not None:
        if sibling.is_element_node:
            if sibling.tag in _STOP_TAGS or (_text(sibling) and _link_density(sibling) < 0.5):
                break
            doomed.append(sibling)
        sibling = sibling.next
    return doomed if len(doomed) > 1 else []


def _teaser_cards(page: _Page) -> Iterator[LexborNode]:
    """A container of three or more short cards, each with a heading that links elsewhere."""
    cards: dict[int, dict[int, LexborNode]] = {}
    containers: dict[int, LexborNode] = {}
    for heading in page.body.css("h2, h3, h4, h5, h6"):
        if heading.css_first("a[href]") is None:
            continue
        child = heading
        for _ in range(4):  # cards nest their heading a few wrappers deep, not more
            parent = child.parent
            if parent is None or parent.tag in _NEVER_REMOVED:
                break
            cards.setdefault(parent.mem_id, {})[child.mem_id] = child
            containers[parent.mem_id] = parent
            child = parent
    for key, members in cards.items():
        container = containers[key]
        siblings = sum(1 for _ in container.iter())
        if len(members) >= 3 and 3 * len(members) >= 2 * siblings:
            if all(len(_text(card)) <= 300 for card in members.values()):
                yield container


_TRAILER_PREFIXES = (
    "source:", "sources:", "source link", "via ", "via:", "originally published", "originally appeared",
    "original article", "original source", "read the original", "read the full story",
    "read the full article", "read full article", "read full story", "continue reading",
    "first published", "republished from", "reprinted from", "this article originally",
    "this story originally", "this post originally", "this article was originally",
    "this story was originally", "this post was originally", "this article first", "this story first",
)  # fmt: skip
_BLOCK_TAGS = frozenset({"p", "div", "section", "li", "dd", "blockquote", "figure", "header", "footer"})


def _source_trailers(page: _Page) -> Iterator[LexborNode]:
    """A short block whose whole text is a source/via credit carrying a link."""
    for node, raw in page.texts:
        if not _is_trailer(_norm(raw)):
            continue
        block = _enclosing(node, _BLOCK_TAGS)
        if block is not None and block.css_first("a[href]") is not None:
            whole = _norm(_text(block))
            if len(whole) <= 100 and _is_trailer(whole):
                yield block


def _is_trailer(text: str) -> bool:
    return text in ("source", "via") or text.startswith(_TRAILER_PREFIXES)


_LABELS = frozenset(
    {
        "date", "dated", "published", "published on", "posted", "posted on", "updated", "updated on",
        "last updated", "share", "share post", "share this", "share this post", "share this article",
        "share this story", "share on", "share via", "share article",
    }
)  # fmt: skip
_TEASER_LABELS = frozenset(
    {"related", "read more", "read also", "also read", "read next", "see also", "more", "recommended"}
)
_INLINE_TAGS = frozenset({"span", "strong", "b", "em", "i", "label", "small", "time", "a", "font", "dt"})


def _label_blocks(page: _Page) -> Iterator[LexborNode]:
    """A short meta line led by a "Date:" / "Share post:" label."""
    for node, line in _labelled_lines(page, _LABELS):
        if len(_text(line)) > 80:
            continue  # a paragraph that happens to open with "Updated:" is content
        # htmldate reads <time datetime>: keep it and drop only the label
        yield node if line.css_first("time[datetime]") is not None else line


def _teaser_links(page: _Page) -> Iterator[LexborNode]:
    """A short line like "Related: <a>Another story</a>" dropped into the middle of the text."""
    for _, line in _labelled_lines(page, _TEASER_LABELS):
        text = _text(line)
        if len(text) <= 200 and _link_density(line) >= 0.5:
            yield line


def _labelled_lines(page: _Page, labels: frozenset[str]) -> Iterator[tuple[LexborNode, LexborNode]]:
    """(label text node, the block-level line it opens) for every "<label>:" in `labels`."""
    for node, raw in page.texts:
        label, colon, _ = " ".join(raw.split()).lower().partition(":")
        if not colon or label not in labels or node.parent is None:
            continue
        line = node.parent
        while line.tag in _INLINE_TAGS and line.parent is not None:
            line = line.parent
        yield node, line


_SHARE = ("share", "shares", "sharing", "social", "socials", "sharedaddy", "addtoany", "addthis", "sharethis")
_AUTHOR_BIO = (
    "author-box", "author-bio", "author-about", "author-card", "author-profile", "author-description",
    "about-author", "authorbox", "authorbio", "bio", "biography",
)  # fmt: skip
_CONSENT = ("cookie", "cookies", "consent", "gdpr", "onetrust", "cmp")
_NEWSLETTER = ("newsletter", "subscribe", "subscription", "signup", "sign-up", "optin", "opt-in", "mailchimp")
_RELATED = ("related", "recommended", "recommendations", "outbrain", "taboola", "trending")
_NAVIGATION = ("nav", "navbar", "navigation", "menu", "pagination", "pager")
_BREADCRUMBS = ("breadcrumb", "breadcrumbs", "crumbs")
_SITE_CHROME = ("footer", "sidebar", "copyright")

RULES: tuple[Rule, ...] = (  # specific rules first: the first rule to claim an element names it
    Rule("non-content", "script, style, noscript, template, iframe", _non_content, guarded=False),
    Rule("share-bar", "share / social buttons", _by_tokens(_SHARE)),
    Rule("author-bio", "author bio boxes", _by_tokens(_AUTHOR_BIO)),
    Rule("consent-box", "cookie / consent banners", _by_tokens(_CONSENT)),
    Rule("newsletter-box", "newsletter / subscribe boxes", _by_tokens(_NEWSLETTER)),
    Rule("related-block", "blocks classed related / recommended", _by_tokens(_RELATED)),
    Rule("breadcrumbs", "breadcrumb trails", _by_tokens(_BREADCRUMBS)),
    Rule("teaser-section", 'a "Related articles"-style heading and what it heads', _teaser_sections),
    Rule("teaser-cards", "lists of short cards with linked headings", _teaser_cards),
    Rule("source-trailer", 'a short "Source link" / "Via" credit block', _source_trailers),
    Rule("label-block", 'a short "Date:" / "Share post:" meta line', _label_blocks),
    Rule("teaser-link", 'a short "Related: <link>" line inside the text', _teaser_links),
    Rule("navigation", "link-dense menus and pagers", _by_tokens(_NAVIGATION, link_dense=True)),
    Rule(
        "page-chrome", "nav, aside, footer, form, dialog, link-dense header; their ARIA roles", _chrome_tags
    ),
    Rule("site-chrome", "blocks classed footer / sidebar / copyright", _by_tokens(_SITE_CHROME)),
)


# -- helpers --------------------------------------------------------------------------------

_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")  # over attribute values, not HTML


def _tokens(node: LexborNode) -> frozenset[str]:
    """Lowercase class/id tokens plus adjacent pairs ("author-box"), so "tdb-author-box" matches."""
    out: set[str] = set()
    attrs = node.attributes
    for name in f"{attrs.get('class') or ''} {attrs.get('id') or ''}".split():
        parts = [p.lower() for p in _TOKEN_SPLIT.split(name) if p]
        out.update(parts)
        out.update(f"{a}-{b}" for a, b in zip(parts, parts[1:], strict=False))
    return frozenset(out)


def _text(node: LexborNode) -> str:
    return node.text(deep=True, separator=" ", strip=True)


def _norm(text: str) -> str:
    """Heading/label text for comparison: one-spaced, lowercase, curly quotes and trim marks gone."""
    return (
        " ".join(text.split())
        .lower()
        .replace("\u2019", "'")
        .strip(" :.\u2026\u00bb\u203a\u2192>|-\u2013\u2014")
    )


def _link_density(node: LexborNode) -> float:
    size = len(_text(node))
    return sum(len(_text(a)) for a in node.css("a")) / size if size else 0.0


def _ancestry(node: LexborNode) -> Iterator[int]:
    current: LexborNode | None = node
    while current is not None:
        yield current.mem_id
        current = current.parent


def _within(node: LexborNode, ancestor: LexborNode) -> bool:
    return ancestor.mem_id in set(_ancestry(node))


def _enclosing(node: LexborNode, tags: frozenset[str]) -> LexborNode | None:
    current = node.parent
    while current is not None and current.tag not in tags:
        current = current.parent
    return current


def _snippet(node: LexborNode) -> str:
    if node.tag in ("script", "style", "template"):
        return ""
    raw = (node.text_content or "") if node.is_text_node else _text(node)
    return " ".join(raw.split())[:80]


def _sweep(marked: Iterable[tuple[LexborNode, str]]) -> list[Removal]:
    """Remove the outermost marked nodes; the first rule to mark a node names its removal."""
    chosen: dict[int, tuple[LexborNode, str]] = {}
    for node, rule in marked:
        chosen.setdefault(node.mem_id, (node, rule))
    # decide everything before decomposing anything: a freed node must never be touched again
    outermost = [
        (node, rule)
        for node, rule in chosen.values()
        if not any(m in chosen for m in _ancestry(node) if m != node.mem_id)
    ]
    removals = [Removal(rule, node.tag or "", _snippet(node)) for node, rule in outermost]
    for node, _ in outermost:
        node.decompose()
    return removals
