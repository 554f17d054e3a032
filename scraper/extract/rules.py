"""What the pre-pass counts as clutter: named rules over facts measured once per page.

Each `Rule` finds candidate elements by structure and generic signals (element kinds, whole
class/id tokens, short label texts), never by rules for one site; `prepass.strip_clutter`
applies them. Guarded rules only get elements `Page.removable` allows: never
<html>/<body>/<main>/<article>, the container with the most paragraph text or its ancestors,
nor an element holding half the page's paragraph text, unless that text is too short to be a
story. Consent boxes are taken before the guard weighs the page, wherever they hold none of the
story (h1, main, article): a consent centre can hold more prose than a listing's teasers or a
forum thread, and the guard would protect it and not them. Rules run in order and the first to
claim an element names its removal, so the specific rules come first and the broad page-chrome
ones last.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dom import (
    HEADINGS,
    SCREEN_READER_ONLY,
    ancestors,
    class_tokens,
    class_words,
    composed,
    link_density,
    link_text_length,
    named_selector,
    permalinks,
    role_words,
    text_of,
)


@dataclass(frozen=True, slots=True)
class Rule:
    """A named way of spotting clutter; `guarded` rules never touch the main content. A `safe`
    rule takes no landmark trafilatura needs to find the story: it still applies when the page is
    read again without the others (pipeline's second trafilatura call), so what it removed does
    not come back."""

    name: str
    description: str
    find: Callable[[Page], Iterable[LexborNode]]
    guarded: bool = True
    safe: bool = False
    # guarded by `Page.beside_story`, not by weight alone: what it finds names itself clutter
    # ("Recommended for you" over a rail of teasers longer than the story), so outside the story's
    # titled block only the story's own container is kept from it
    named: bool = False
    # guarded by its own measure of the story, which what it finds may outweigh (a slideshow of
    # fifty captions inside a story of ten paragraphs): it yields only what the story stands without
    weighs_story: bool = False


# -- page facts and the guard --------------------------------------------------------------

_NEVER_REMOVED = frozenset({"html", "head", "body", "main", "article"})
# where a page's story is: an element holding one is a wrapper of the page, never a consent box
# or a sidebar, whatever its class says ("cookies-accepted", "has-sidebar-right")
STORY = "h1, main, article"
# Less text than this is never protected as "the main content" (trafilatura's own threshold
# for a plausible extraction is 250 characters).
_MIN_MAIN_TEXT = 250


@dataclass(slots=True)
class Page:
    """What every rule needs to know about the page, measured once on the intact tree.

    Weights are in characters of prose: visible text outside links (scripts and styles are gone
    by the time the page is scanned). Forum posts, product blurbs and docs often hold no <p> at
    all, so prose, not paragraph text, is what the guard protects.
    """

    tree: LexborHTMLParser
    body: LexborNode
    protected: set[int]  # the elements the user's keep selectors matched, their ancestors, the main guess
    total: int
    classed: list[tuple[LexborNode, frozenset[str]]]
    texts: list[tuple[LexborNode, str]]  # each text node, one-spaced and lowercase (_folded)
    # prose weights already measured, by node id (the tree does not change while rules mark)
    weights: dict[int, int] = field(default_factory=dict)
    kept: set[int] = field(default_factory=set)  # the user's keep selectors' elements and ancestors
    # the page's type as judged before extraction (classify.py), and whether comments are wanted
    # (`include_comments`): a product page's customer reviews are its comments
    page_type: str = "article"
    comments: bool = False
    # the elements a heading's link names by their id (dom.permalinks), found when first asked
    permalinked: frozenset[int] | None = None
    # the densest paragraph container when it is long enough to be a story (it is then protected)
    story: LexborNode | None = None
    # the story's titled block (`titled_block`), found when first asked: the nearest element around
    # the story's container holding the page's title or main element (`holds_story`), 0 for none
    titled: int | None = None

    @classmethod
    def bare(cls, tree: LexborHTMLParser, body: LexborNode, kept: set[int]) -> Page:
        """The page before any measuring: enough for the unguarded rules, which only select."""
        return cls(tree=tree, body=body, kept=kept, protected=set(kept), total=0, classed=[], texts=[])

    @classmethod
    def scan(
        cls, tree: LexborHTMLParser, body: LexborNode, kept: set[int], *, page_type: str, comments: bool
    ) -> Page:
        per_parent: dict[int, int] = {}
        parents: dict[int, LexborNode] = {}
        for paragraph in body.css("p"):
            size = len(text_of(paragraph))
            if (parent := paragraph.parent) is not None:
                per_parent[parent.mem_id] = per_parent.get(parent.mem_id, 0) + size
                parents[parent.mem_id] = parent
        protected = set(kept)
        permalinked = permalinks(body)
        densest = _densest(per_parent, parents)
        # the densest paragraph container is the best cheap guess at the main content, unless it
        # is too short to be a story (then it is a cookie notice on a page without one)
        story = parents[densest] if densest is not None and per_parent[densest] >= _MIN_MAIN_TEXT else None
        if story is not None:
            protected.update(ancestry(story))
        return cls(
            tree=tree,
            body=body,
            kept=kept,
            page_type=page_type,
            comments=comments,
            protected=protected,
            permalinked=permalinked,
            story=story,
            total=prose_weight(body),
            # each element once (one with a class and an id matches both selectors), in page order
            classed=list(
                {
                    n.mem_id: (n, tokens)
                    for n in body.css("[class], [id]")
                    if (tokens := role_words(n, _rule_words(), permalinked))
                }.values()
            ),
            texts=[
                (n, _folded(n.text_content or ""))
                for n in body.traverse(include_text=True, skip_empty=True)
                if n.is_text_node
            ],
        )

    def role_words(self, node: LexborNode, words: frozenset[str]) -> frozenset[str]:
        """`dom.role_words` of `node`, the page's permalinks found once."""
        if self.permalinked is None:
            self.permalinked = permalinks(self.body)
        return role_words(node, words, self.permalinked)

    def removable(self, node: LexborNode) -> bool:
        """Whether a guarded rule may take `node` without risking the main content."""
        if node.is_text_node:
            return True
        if not self._unprotected(node):
            return False
        weight = self.weights.get(node.mem_id)
        if weight is None:
            # its prose is at most its text: a short text settles it without counting link text
            size = len(text_of(node))
            if size * 2 <= self.total or size < _MIN_MAIN_TEXT:
                return True
            weight = self.weights[node.mem_id] = max(0, size - link_text_length(node))
        return weight * 2 <= self.total or weight < _MIN_MAIN_TEXT

    def titled_block(self) -> int:
        """The id of the story's titled block, 0 for none (`titled`): the climb reads subtrees, so it
        is made only on a page where a rule asks (`beside_story`), once."""
        if self.titled is None:
            around = () if self.story is None else ancestors(self.story, include_self=True)
            self.titled = next((node.mem_id for node in around if holds_story(node)), 0)
        return self.titled

    def beside_story(self, node: LexborNode) -> bool:
        """Whether `node` may go because the page's story is elsewhere, however long `node` is: the
        densest paragraph container is a story's length, `node` holds none of it and is outside
        the story's titled block (`removable` asks for less text than half the page instead).
        Inside that block, or without one, the weight decides: a list under the title and an
        intro (a section front's "Latest news") is the page's own."""
        if self.story is None or not (titled := self.titled_block()) or titled in ancestry(node):
            return self.removable(node)
        return node.is_text_node or self._unprotected(node)

    def _unprotected(self, node: LexborNode) -> bool:
        """Whether `node` is neither a landmark no rule removes nor `protected` (the user's keep
        selectors' elements, the story's container and their ancestors): what every guard asks
        first."""
        return node.tag not in _NEVER_REMOVED and node.mem_id not in self.protected


def _densest(per_parent: dict[int, int], parents: dict[int, LexborNode]) -> int | None:
    """The id of the paragraph container with the most paragraph text (`per_parent`), leaving out
    those inside a `<footer>` or `[role=contentinfo]` where one outside holds a story's length
    (`_MIN_MAIN_TEXT`): a landing page's story is many short paragraph groups, and its footnotes'
    one long group ("Testing conducted by...", "Offer valid...") is no story to guard (the guard
    would keep the whole footer for it)."""
    densest = max(per_parent, key=per_parent.__getitem__, default=None)
    if densest is None or not _in_footer(parents[densest]):
        return densest
    for mem_id in sorted(per_parent, key=per_parent.__getitem__, reverse=True):
        if per_parent[mem_id] < _MIN_MAIN_TEXT:
            break
        if not _in_footer(parents[mem_id]):
            return mem_id
    return densest


def _in_footer(node: LexborNode) -> bool:
    return any(
        a.tag == "footer" or a.attributes.get("role") == "contentinfo"
        for a in ancestors(node, include_self=True)
    )


def holds_story(node: LexborNode) -> bool:
    """Whether `node` holds the page's title or main element (`STORY`)."""
    return node.css_first(STORY) is not None


def prose_weight(node: LexborNode) -> int:
    """Characters of text in `node` outside links: what a reader would read as prose."""
    return max(0, len(text_of(node)) - link_text_length(node))


# -- the generic rules ----------------------------------------------------------------------

_Finder = Callable[[Page], Iterator[LexborNode]]


def _by_css(selector: str, *, link_dense: bool = False) -> _Finder:
    """Elements matching `selector` anywhere in the document (optionally only link-dense ones)."""

    def find(page: Page) -> Iterator[LexborNode]:
        return (n for n in page.tree.css(selector) if not link_dense or _is_link_dense(n))

    return find


# Every word a `_by_tokens` rule looks for, filled as RULES is built: a class string that cannot
# hold one of them (most of a page's) is never split into tokens at all (dom.class_words).
_RULE_WORDS: set[str] = set()


def _by_tokens(words: str, *, link_dense: bool = False, shared: str = "", unless: str = "") -> _Finder:
    """Elements whose class or id has one of the space-separated `words` as a whole token or pair,
    or one of the `shared` words but none of the words of `unless`: a shared word names the role
    and other things too, which `unless` tells apart (a shop's product card "subscription-eligible"
    is a product one may subscribe to, not a newsletter box; a "product-newsletter" box is one)."""
    wanted, weak, spared = frozenset(words.split()), frozenset(shared.split()), frozenset(unless.split())
    _RULE_WORDS.update(wanted | weak | spared)

    def find(page: Page) -> Iterator[LexborNode]:
        return (
            n
            for n, tokens in page.classed
            if (tokens & wanted or (tokens & weak and not tokens & spared))
            and (not link_dense or _is_link_dense(n))
        )

    return find


# JSON-LD is where trafilatura finds authors and dates, and it is never visible text anyway
_NON_CONTENT = 'script:not([type="application/ld+json" i]), style, template, iframe'


def _non_content(page: Page) -> Iterator[LexborNode]:
    """Scripts, styles, frames, and every <noscript> except one holding the page's story.

    Some sites (Discourse forums, for one) render the story with JavaScript and put the whole
    text in a <noscript> for crawlers; that one is unwrapped by `prepass.reveal_noscript`.
    """
    hidden = list(page.tree.css(_NON_CONTENT))
    yield from hidden
    visible = -1  # the page's visible prose, weighed when a <noscript> first holds enough to ask
    for node in page.tree.css("noscript"):
        weight = prose_weight(node)
        if weight >= _MIN_MAIN_TEXT and visible < 0:  # most hold a tracking pixel: no need
            # the body's text less its own scripts and styles: those of the <head> are not in it
            # (subtracted, they left a page heavy with them no visible prose, and every <noscript>
            # of some prose, a consent wall or a "please enable JavaScript" notice, was kept)
            visible = prose_weight(page.body) - sum(len(text_of(n)) for n in page.body.css(_NON_CONTENT))
        if weight < _MIN_MAIN_TEXT or weight * 2 < visible:
            yield node


def _screen_reader_only(page: Page) -> Iterator[LexborNode]:
    """Text for screen readers only (`dom.SCREEN_READER_ONLY`), which the page's stylesheet hides
    from every other reader: a swatch's "Option: Sofa, light beige", "(opens in a new window)", a
    price or a "New" badge read aloud beside the one shown. Not an element holding the page's
    title or main element (`holds_story`): a wrapper so classed by mistake is the page. Nor the
    whole text of a table's cell (`_cell_value`): a comparison table's check mark and cross are
    icons whose words ("Yes", "No") are the cell's value."""
    return (
        node for node in page.tree.css(SCREEN_READER_ONLY) if not holds_story(node) and not _cell_value(node)
    )


def _cell_value(node: LexborNode) -> bool:
    """Whether `node`'s words are all the words of the table cell (<td>, <th>) it is in."""
    cell = next((a for a in ancestors(node) if a.tag in ("td", "th", "table")), None)
    if cell is None or cell.tag == "table":
        return False
    return text_of(cell).split() == text_of(node).split()


# the class/id words of a cookie or consent box the pre-pass removes (classify.py measures a
# consent wall by these and its consent platforms' names)
CONSENT_WORDS = frozenset({"cookie", "cookies", "consent", "gdpr", "onetrust"})


def _consent_boxes(page: Page) -> Iterator[LexborNode]:
    """Elements classed cookie/consent that hold none of the story (`holds_story`): a wrapper
    classed "cookies-accepted" around the page holds its title or main element and stays. Only the
    elements whose class or id may name one are looked at (`named_selector`)."""
    for node in page.body.css(named_selector(CONSENT_WORDS)):
        if (
            page.role_words(node, CONSENT_WORDS)
            and node.tag not in _NEVER_REMOVED
            and node.mem_id not in page.kept
            and not holds_story(node)
        ):
            yield node


# the class/id words of a product page's customer reviews ("product-reviews", "jdgm-review-widget",
# "customerReviews"); not a review that is the page's story ("mainReview", "reviewBody
# article_content": an expert's review of the product), nor one inside what the seller chose to
# show: its "editorial reviews" (the publisher's description) or its testimonials
# ("testimonial-card" > "review-card")
REVIEW_WORDS = frozenset({"review", "reviews"})
_STORY_WORDS = frozenset({"main", "body", "content", "article", "story", "text"})
_TESTIMONIAL_WORDS = frozenset({"testimonial", "testimonials"})
_CHOSEN_WORDS = _TESTIMONIAL_WORDS | {"editorial"}
# a rating badge ("4.7 (64 reviews)") is a fact about the product, not its reviews
_MIN_REVIEWS = 100
_RULE_WORDS.update(REVIEW_WORDS | _STORY_WORDS | _CHOSEN_WORDS)  # read from the page's classed elements


def _review_sections(page: Page) -> Iterator[LexborNode]:
    """A product page's customer reviews, when comments are not wanted: they are its comments, as
    reader comments are an article's (`include_comments` returns them). Elements classed review
    with some text (not a rating badge) that hold none of the story (`holds_story`). On other pages
    a "review" is often the story itself (a review article, a product widget in a buyer's guide),
    so only a product page's are taken; the guard keeps an expert's review there, which holds the
    page's paragraphs."""
    if page.page_type != "product" or page.comments:
        return
    for node, tokens in page.classed:
        if (
            tokens & REVIEW_WORDS
            and not tokens & (_STORY_WORDS | _CHOSEN_WORDS)
            and len(text_of(node)) >= _MIN_REVIEWS
            and not holds_story(node)
            and not any(class_words(a, _CHOSEN_WORDS) for a in ancestors(node))
        ):
            yield node


# -- reader comments: the one home of the words that name them ------------------------------
# The class word of one reader's comment: its own box, classed "comment" as a class of its own
# (WordPress's `<li class="comment even depth-1">`, `_threads`), or a part of one by its tokens
# ("comment-body", "comment-text": `_holds_title`)
COMMENT = "comment"
COMMENT_WORDS = frozenset({COMMENT})
# the class/id words of a list of reader comments ("commentlist" and "comment-list" as blogs write
# it, "comment_list", "comments", "dsq-comments"): a list each of whose items is a reader's comment
COMMENT_LIST_WORDS = frozenset({"commentlist", "comment-list", "comments", "commentslist", "comments-list"})
# what names a container of reader comments, one comment's or a thread's: whatever sits in it is a
# comment, however it is classed ("comments" > "comment-reply post", "comment-text" > "single-post";
# classify's repeated posts)
IN_COMMENTS_WORDS = COMMENT_WORDS | COMMENT_LIST_WORDS
_LIST_TAGS = frozenset({"ol", "ul"})
# the class/id words of what a business chose to show of its clients' words ("client-comments",
# "clients-comments", inside "testimonials"): the page's own, not a thread of readers. Not
# "editorial": a news site's story and its readers' comments often share an "editorial" wrapper
_SHOWN_WORDS = _TESTIMONIAL_WORDS | {"client", "clients"}
_RULE_WORDS.update(COMMENT_LIST_WORDS | _SHOWN_WORDS)


def _comment_lists(page: Page) -> Iterator[LexborNode]:
    """A thread of reader comments, when comments are not wanted: a list (<ol>, <ul>) classed or
    named a list of comments, of list items, or any element of which `COMMENT_ITEMS` or more
    children are each classed "comment", a class of its own (`_threads`: WordPress's `<div
    class="comment even depth-1">` under an unnamed `<div>`, a `<dl>`'s `<dt>`/`<dd>` pairs, an
    unclassed `<ol>`). Its items are readers' comments under the story, which `include_comments`
    returns after it, as trafilatura does. A thread of comments may be longer than the story: it
    goes whatever its length where the page's story (its densest paragraph container, of a story's
    length) is outside it (and, for a thread no list names, no paragraph of the story follows it),
    and it holds neither the page's title nor its main element
    (`holds_story`) nor what the user keeps. Not on a page typed forum (a thread's or a Q&A page's
    replies are its content), nor a thread of testimonials (`_SHOWN_WORDS` in its class, or
    testimonial(s) in an ancestor's: "client-comments" is what the business chose to show of its
    clients)."""
    if page.comments or page.page_type == "forum" or page.story is None:
        return
    story = set(ancestry(page.story))
    listed = (
        node
        for node, tokens in page.classed
        if node.tag in _LIST_TAGS
        and tokens & COMMENT_LIST_WORDS
        and not tokens & _SHOWN_WORDS
        and any(child.tag == "li" for child in node.iter())
    )
    # a thread no list names is one of reader comments only under the story: boxes classed
    # "comment" that the story's paragraphs go on after are its own notes (a reviewer's notes on a
    # quoted clause)
    unnamed = [node for node in _threads(page.body) if not _story_goes_on(page.story, node)]
    for node in _outermost([*listed, *unnamed]):
        if (
            node.mem_id not in story
            and node.mem_id not in page.protected
            and not _holds_title(node)
            and not any(class_words(a, _TESTIMONIAL_WORDS) for a in ancestors(node, include_self=True))
            and not class_words(node, _SHOWN_WORDS)
        ):
            yield node


def _holds_title(thread: LexborNode) -> bool:
    """Whether a thread holds the page's title or main element (`holds_story`), an `<article>`
    that is one of its comments aside (WordPress writes each as `<article class="comment-body">`)."""
    if thread.css_first("h1, main") is not None:
        return True
    return any(not class_words(article, COMMENT_WORDS) for article in thread.css("article"))


# children classed "comment" (the whole class, not "comment-body") of one element: its thread
COMMENT_ITEMS = 2
# what a thread's comment is laid out as: a box of its own, never a span of text (a code sample's
# highlighted comments are `<span class="token comment">`)
_COMMENT_ITEM_TAGS = frozenset({"li", "div", "article", "section", "dd", "dt", "tr"})
_COMMENT_BOXES = f'[class~="{COMMENT}" i]'  # a whole class name, not one of its parts ("comment-meta")


def _threads(body: LexborNode) -> list[LexborNode]:
    """The elements of which `COMMENT_ITEMS` or more children are boxes (`_COMMENT_ITEM_TAGS`)
    classed `COMMENT` (a class of its own: `[class~=comment]`), in page order, each once."""
    counts: dict[int, int] = {}
    parents: dict[int, LexborNode] = {}
    for item in body.css(_COMMENT_BOXES):
        if item.tag in _COMMENT_ITEM_TAGS and (parent := item.parent) is not None:
            counts[parent.mem_id] = counts.get(parent.mem_id, 0) + 1
            parents[parent.mem_id] = parent
    return [parents[key] for key, count in counts.items() if count >= COMMENT_ITEMS]


def _story_goes_on(story: LexborNode, node: LexborNode) -> bool:
    """Whether `node` is inside the `story`'s container with a paragraph of the story after it."""
    top = next(
        (
            a
            for a in ancestors(node, include_self=True)
            if a.parent is not None and a.parent.mem_id == story.mem_id
        ),
        None,
    )
    after = top.next if top is not None else None
    while after is not None:
        if after.tag == "p" and text_of(after):
            return True
        after = after.next
    return False


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """`nodes` without those inside another of them (a reply's thread inside the page's), each once."""
    ids = {node.mem_id for node in nodes}
    seen: set[int] = set()
    found = []
    for node in nodes:
        if node.mem_id not in seen and not any(a.mem_id in ids for a in ancestors(node)):
            seen.add(node.mem_id)
            found.append(node)
    return found


# the class/id word of a forum post's signature ("signature", "signaturecontainer", "message-signature",
# "ipsEntry__signature", "forum-signature__outer-wrapper"): the poster's own footer under each of
# their posts (their hardware, a motto, their shop's links), the same under every post they make.
# A "post-signature" is the post's own line (who asked or answered it, when, their reputation):
# the posts are told apart by it, and it stays
SIGNATURE_WORDS = frozenset({"signature", "signaturecontainer"})
_POST_LINE = frozenset({"post-signature"})
_SIGNED_POSTS = 3  # signatures on a page not typed forum: a thread's, not an article's byline
_RULE_WORDS.update(SIGNATURE_WORDS | _POST_LINE)


def _signatures(page: Page) -> Iterator[LexborNode]:
    """The signatures under a thread's posts: on a page typed forum, or where `_SIGNED_POSTS` or
    more are found (an old thread typed article). One element classed signature on an article is
    most often the story's byline ("par Florence Audier, le 15 septembre 2009", a dateline), which
    stays; so do one holding the page's title or main element (a wrapper "has-signature") and a
    paragraph signing the text above it (`_signs_off`: letters to the editor)."""
    marked = {
        node.mem_id: node
        for node, tokens in page.classed
        if tokens & SIGNATURE_WORDS and not tokens & _POST_LINE
    }
    cleared: set[int] = set()  # a signature's own parts are no more signatures (`inside_marked`)
    outermost = [node for node in marked.values() if not inside_marked(node, marked, cleared)]
    found = [
        signature
        for node in outermost
        if not holds_story(node) and not _names_a_member(node)
        for signature in _signed(node, marked)
        if (signature is node or not _names_a_member(signature)) and not _signs_off(signature)
    ]
    # each post holds its own signature, its text between one and the next; signatures side by
    # side are one list's cards ("signature-dish": a restaurant's signature dishes), which stay
    ids = {node.mem_id for node in found}
    found = [
        node
        for node in found
        if not any(
            n is not None and n.mem_id in ids
            for n in (_next_element(node, "next"), _next_element(node, "prev"))
        )
    ]
    if page.page_type == "forum" or len(found) >= _SIGNED_POSTS:
        yield from found


def _signed(node: LexborNode, marked: dict[int, LexborNode]) -> list[LexborNode]:
    """The signatures `node`, an outermost element classed signature, stands for: itself, or where
    it holds signatures of its own and more text beside them than in them, those (a post classed
    "has-signature" around its text and its footer is the post, not its footer)."""
    inner = {n.mem_id: n for n in node.traverse() if n.mem_id in marked and n.mem_id != node.mem_id}
    if not inner:
        return [node]
    cleared = {node.mem_id}  # the climb of an inner one stops at `node`
    held = [n for n in inner.values() if not inside_marked(n, inner, cleared)]
    return held if len(text_of(node)) > 2 * sum(len(text_of(n)) for n in held) else [node]


def _signs_off(node: LexborNode) -> bool:
    """Whether `node` is a text's sign-off rather than a poster's footer: a paragraph (`<p>`) right
    after a paragraph of its own container (a letter to the editor's "Jane Roe, Leeds" under its
    text), naming its writer without a link. A forum's footer sits in an element of its own after
    the post's container, or links out (the poster's shop, their site: review18)."""
    before = _next_element(node, "prev")
    return node.tag == "p" and before is not None and before.tag == "p" and node.css_first("a[href]") is None


def _names_a_member(node: LexborNode) -> bool:
    """Whether `node` is an API's signature of a member rather than a poster's footer: it is or sits
    in a heading or a definition term (`<h4>parse<span class="signature">(input)</span></h4>`), or
    opens what a heading heads (a Javadoc "member-signature" under its method's `<h3>`, a TypeDoc
    "tsd-signature" first in the list under its `<h3>`). A footer closes a post: it follows its text."""
    # a few levels each: a climb to the top from each would cost a deep page its depth
    nearest = itertools.islice(ancestors(node, include_self=True), _MEMBER_DEPTH)
    if any(a.tag in _MEMBER_HEADS for a in nearest):
        return True
    current: LexborNode | None = node
    for _ in range(_MEMBER_DEPTH):
        if current is None or current.tag in _NEVER_REMOVED:
            return False
        before = _beside(current, "prev")
        if before is not None:
            # what comes first under a heading, or after other text
            return before.is_element_node and before.tag in HEADINGS
        current = current.parent
    return False


_MEMBER_HEADS = frozenset((*HEADINGS, "dt"))
_MEMBER_DEPTH = 3


def _beside(node: LexborNode, way: str) -> LexborNode | None:
    """What stands just after (`way` "next") or before ("prev") `node` among its siblings, past
    white space and comments (`text <!-- --> <div>`: the raw sibling is the white space): an
    element, a text node holding text, or None."""
    sibling: LexborNode | None = getattr(node, way)
    while sibling is not None and not sibling.is_element_node and not (sibling.text_content or "").strip():
        sibling = getattr(sibling, way)
    return sibling


def _next_element(node: LexborNode, way: str) -> LexborNode | None:
    """The element just after (`way` "next") or before ("prev") `node` among its siblings, past
    white space and comments (`_beside`); None where text or nothing stands there."""
    sibling = _beside(node, way)
    return sibling if sibling is not None and sibling.is_element_node else None


_CHROME = (
    "nav, aside, footer, form, dialog, [role=navigation], [role=complementary], [role=contentinfo],"
    " [role=dialog], [role=alertdialog]"
)
# what a reader fills in a form: a text box, a choice; not a hidden field, a button or a row's
# checkbox, which a list's bulk actions wrap around its rows (a citations table, a mail archive)
_FILLED = (
    "textarea, select, input:not([type=hidden i]):not([type=submit i]):not([type=button i])"
    ":not([type=checkbox i]):not([type=image i]):not([type=reset i])"
)
_LIST_ROWS = 3  # a list's table: three rows or more that each link to their item


def _linked_rows(node: LexborNode) -> bool:
    """Whether `node` holds `_LIST_ROWS` table rows that each hold a link: a list of items (papers,
    messages, products), not a table of figures, a month's days or a cookie table."""
    rows = 0
    for row in node.css("tr"):
        if row.css_first("a[href]") is not None:
            rows += 1
            if rows >= _LIST_ROWS:
                return True
    return False


def _page_chrome(page: Page) -> Iterator[LexborNode]:
    """Navigation, asides, footers, dialogs and forms (`_CHROME`), but a form that asks the reader
    for nothing and holds a table of three rows or more that each link (`_linked_rows`): that form
    is a list's actions around its rows (select, export, delete), and the rows are the page's. A
    form of unlinked rows that asks nothing (a loan calculator, a cookie table) is chrome."""
    for node in page.tree.css(_CHROME):
        if node.tag == "form" and node.css_first(_FILLED) is None and _linked_rows(node):
            continue
        yield node


_MODAL_WORDS = _by_tokens("modal modals popup popups")
# what names the element that opens (or closes) a dialog, not the dialog: "hero__modal-trigger",
# "comments-popup-link", "trigger_modal_get_started" on a button's box, "vjs-menu-button-popup"
_OPENERS = frozenset({"trigger", "link", "button", "btn", "toggle", "open", "opener"})


def _modals(page: Page) -> Iterator[LexborNode]:
    """A dialog written as a `<div>` without its role (`_CHROME` takes `<dialog>` and
    `[role=dialog]`), classed modal or popup: what the page shows only when the reader asks, a
    shop's privacy policy behind its footer link, a login box, a sign-up or a flash-sale popup.
    Only a `<div>`: a `<section>`, a paragraph or a list item so named is a part of the page's own
    flow (a section whose anchor a site builder named "pop-up-modal", holding the page's text), and
    a link or a name in the text that opens one (`<a class="popup">`, `<span
    class="attach_user_popup">`) is not a box. Nor a box named for opening one (`_OPENERS`: the
    button that says "Schedule a call", the "1 Comment" link). Not on a page typed product, whose
    panels are its own details (the product's details, measurements or size guide opened by a
    button beside the price)."""
    if page.page_type == "product":
        return
    for node in _MODAL_WORDS(page):
        if node.tag == "div" and not page.role_words(node, _OPENERS):
            yield node


# a <header> may hold an article's title and lede; only a link-dense one is the site banner
_SITE_HEADER = "header, [role=banner]"


# a teaser block is lists or cards; a paragraph or the next heading ends it
_STOP_TAGS = frozenset((*HEADINGS, "p"))
_LISTS = frozenset({"ul", "ol"})
_UNHEADING = frozenset({"p", "a"})  # a label in these heads no list (`_section_of` without `own`)
# "Related", "Read also" in the languages of most of the web's news: what heads a rail of other
# stories and what a newsroom's CMS puts before a link to one inside the text (_TEASER_LABELS)
_READ_ALSO = frozenset(
    {
        "related", "read more", "read also", "also read", "read next", "recommended",
        "lesen sie auch", "auch interessant", "mehr zum thema", "das könnte sie auch interessieren",  # German
        "lire aussi", "à lire aussi", "a lire aussi",  # French
        "leggi anche",  # Italian
        "leia também", "veja também",  # Portuguese
        "lees ook",  # Dutch
        "czytaj też", "czytaj także", "zobacz też", "zobacz także",  # Polish
        "läs också", "les også", "læs også", "lue myös",  # Nordic
    }
)  # fmt: skip
_TEASER_HEADINGS = _READ_ALSO | frozenset(
    {
        "recent posts", "recent articles", "recent stories", "recent news", "latest posts",
        "latest articles", "latest news", "latest stories", "more to read", "keep reading",
        "recommended for you", "recommended articles", "recommended stories", "more stories",
        "more articles", "more news", "more posts", "popular posts", "popular articles", "most popular",
        "most read", "trending", "trending now", "don't miss", "editor's picks", "top stories",
        "weitere artikel", "weitere nachrichten", "zum weiterlesen", "meistgelesen", "meistgelesene artikel",
        "ähnliche artikel", "verwandte artikel", "neueste artikel", "aktuelle nachrichten",  # German
        "à lire également", "sur le même sujet", "articles similaires", "articles liés", "les plus lus",
        "derniers articles", "vous aimerez aussi",  # French
        "noticias relacionadas", "artículos relacionados", "te puede interesar", "le puede interesar",
        "también te puede interesar", "lo más leído", "lo último", "más noticias",
        "últimas noticias",  # Spanish
        "notícias relacionadas", "mais lidas", "últimas notícias",  # Portuguese
        "articoli correlati", "potrebbe interessarti", "ti potrebbe interessare", "i più letti",
        "ultime notizie",  # Italian
        "gerelateerde artikelen", "meest gelezen", "meer nieuws", "laatste nieuws",  # Dutch
        "zobacz również", "najczęściej czytane",  # Polish
        "relaterade artiklar", "mest läst", "mest lest", "mest læste", "luetuimmat",  # Nordic
    }
)  # fmt: skip
# the openings of such headings that name what the rail holds or where it is from ("Related posts",
# "Ähnliche Beiträge", WordPress's own; "Mehr aus der Sendung", "Weitere Artikel zum Thema")
_TEASER_PREFIXES = (
    "related ", "more from ", "you may ", "you might ",
    "ähnliche beiträge", "ähnliche artikel", "ähnliche themen", "ähnliche news", "ähnliche nachrichten",
    "verwandte artikel", "verwandte beiträge", "verwandte themen", "verwandte inhalte", "weitere artikel",
    "weitere beiträge", "mehr von ", "mehr vom ", "mehr aus ",  # German
    "articles similaires", "d'autres articles", "autres articles",  # French
    "otras noticias", "más artículos", "artículos relacionados",  # Spanish
    "altri articoli", "articoli correlati",  # Italian
    "outras notícias", "artigos relacionados",  # Portuguese
    "gerelateerde ", "meer van ",  # Dutch
    "podobne artykuły", "powiązane artykuły",  # Polish
    "relaterade ", "relaterte ", "relaterede ",  # Nordic
)  # fmt: skip


# what a closing box asking the reader on to more of the site says as its heading ("Want More?" over
# a push-notification widget or a rail the pre-pass took): a rail's heading only where the text
# closes on it (`closing_rails`); inside the story ("Want more? The paid plans add ...") it heads a part
_CLOSING_ASKS = frozenset(
    {
        "want more", "hungry for more", "craving more", "lust auf mehr", "noch mehr", "mehr davon",
        "envie d'en savoir plus", "envie d'en lire plus", "quieres más", "vuoi saperne di più",
        "zin in meer", "chcesz więcej",
    }
)  # fmt: skip
_LONGEST_HEADING = max(map(len, _TEASER_HEADINGS)) + 8  # and the marks around it ("» Related «")


_RAIL_HEADING_WORDS = 8  # a rail's heading is short: "Related posts on the plan were read by ..." is not one


def names_rail(text: str) -> bool:
    """Whether a block's whole text is a rail's heading (`_TEASER_HEADINGS`: "Related", "Most
    popular"; or opening as one, `_TEASER_PREFIXES`: "Related posts", "You may also like"), of at
    most `_RAIL_HEADING_WORDS` words, its marks aside ("Related Posts:", "More articles...")."""
    if len(text) > 20 * _RAIL_HEADING_WORDS:
        return False
    name = _norm(text).rstrip("?!").strip(_TRIM)
    return len(name.split()) <= _RAIL_HEADING_WORDS and (
        name in _TEASER_HEADINGS or name.startswith(_TEASER_PREFIXES)
    )


def closing_rails(texts: Sequence[str]) -> int:
    """How many of `texts` (a text's blocks, in order) close it as rails' headings (`names_rail`:
    "Related Posts", "You may also like", over a rail that is not in the text; or `_CLOSING_ASKS`:
    "Want More?", "Lust auf mehr?"); none when every one does (no text before them). The one home
    of that reading for the blocks' verdicts (model._unasked) and for trafilatura's text
    (formats.remove_closing_rails)."""
    closing = sum(1 for _ in itertools.takewhile(_closes, reversed(texts)))
    return closing if closing < len(texts) else 0


# a label with a count in brackets after it: a shop's filter ("Down (132)"), an archive's month
# ("November (5)"), a category ("Power Banks (158)", "露營全紀錄 (4)")
_COUNTED_LABEL = re.compile(r"[^()]{1,40} \((\d[\d,.]*)\)")
_COUNT_RUN = 3  # counted labels in a row that make a list of them (`count_lists`)
# a year in brackets: a list whose every "count" is one names works or events with their years
# ("The Godfather (1972)", "Casablanca (1942)": a film critic's list, a discography), no counts
_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")


def count_lists(texts: Sequence[str], linked: Sequence[bool]) -> list[int]:
    """The indices of `texts` (a text's blocks, in order) in runs of `_COUNT_RUN` or more in a row
    that are each a link's label with a count after it (`_COUNTED_LABEL`, mostly a link's text:
    `linked`): a shop's filters, a blog's archive or categories, which say where else to go and how
    much is there, not what this page says (a story's list of results, "Germany (3)", links
    nowhere); not a run whose every count reads as a year (`_YEAR`: a critic's list of films, each
    with its year); none where those runs hold half the text's words or more (a category page whose
    text is its subcategories, each with its count). The one home of that reading for the blocks'
    verdicts (model._unasked) and for trafilatura's text (formats.remove_count_lists)."""
    found: list[int] = []
    run: list[int] = []
    years = True  # whether each count of the run reads as a year (`_YEAR`)
    for i, (text, link) in enumerate(zip((*texts, ""), (*linked, False), strict=True)):
        if link and (counted := _COUNTED_LABEL.fullmatch(" ".join(text.split()))):
            run.append(i)
            years = years and _YEAR.fullmatch(counted.group(1)) is not None
            continue
        if len(run) >= _COUNT_RUN and not years:
            found += run
        run, years = [], True
    listed = sum(len(texts[i].split()) for i in found)
    return found if 2 * listed < sum(len(text.split()) for text in texts) else []


_NOT_ALNUM = re.compile(r"[\W_]+")  # over extracted text, never HTML
_ASCII = re.compile(r"[\x00-\x7f]+")
_ASCII_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())


def readable(text: str) -> bool:
    """Whether at least half the visible characters are letters or digits, as in any written language."""
    visible = len("".join(text.split()))
    return _alnum(text) * 2 >= visible


def _alnum(text: str) -> int:
    """How many characters of `text` are letters or digits (str.isalnum), in every script: CJK,
    Cyrillic, Arabic, ... (a word character of the pattern is one, or "_"). Its ASCII characters
    are counted as bytes (bytes.translate), the others with the pattern: five times quicker over
    a story than the pattern over all of it, and the same count."""
    ascii_part = text.encode("ascii", "ignore")
    return len(ascii_part.translate(None, _ASCII_NOT_ALNUM)) + len(_NOT_ALNUM.sub("", _ASCII.sub("", text)))


def unreadable(texts: Sequence[str]) -> list[int]:
    """The indices of `texts` (the blocks of a page's text, in order) that make it unreadable: where
    together they are not `readable`, those that are not, when one of the others is (a paragraph of
    100,000 "&" beside a story made the page "mostly symbols", skipped); else none. The one home of
    that reading for the blocks the model keeps (pipeline._judged) and for trafilatura's text
    (formats.remove_unreadable)."""
    if readable("\n".join(texts)):
        return []
    junk = [i for i, text in enumerate(texts) if not readable(text)]
    return junk if len(junk) < len(texts) else []


def _closes(text: str) -> bool:
    """Whether a block the text closes on is a rail's heading (`names_rail`) or asks the reader on
    to more (`_CLOSING_ASKS`, its marks aside: "¿Quieres más?")."""
    if names_rail(text):
        return True
    return len(text) <= _LONGEST_HEADING and _norm(text).strip(_TRIM + "?!¿¡") in _CLOSING_ASKS


def _teaser_sections(page: Page) -> Iterator[LexborNode]:
    """A "Related articles"-style heading plus the teaser block it heads; and an element of any
    tag whose whole text is such a heading (`_TEASER_HEADINGS`, not an opening: "Zobacz również" in
    a styled <span>) with the link-dense lists right after it."""
    headings: set[int] = set()
    for node in page.body.css("h1, h2, h3, h4, h5, h6, [class*=title], [class*=heading]"):
        if node.tag not in HEADINGS and not class_tokens(node) & {"title", "heading", "headline"}:
            continue
        headings.add(node.mem_id)
        text = _norm(text_of(node))
        if text in _TEASER_HEADINGS:
            yield from _section_of(page, node, text)
        elif text.startswith(_TEASER_PREFIXES):  # "More from the interview" may head the story's own part
            yield from _section_of(page, node, text, links=2)
    for node, folded in page.texts:
        label = node.parent
        if len(folded) > _LONGEST_HEADING or label is None or label.mem_id in headings:
            continue  # most of a page's texts are longer than any such heading: read no further
        if (text := _norm(folded)) not in _TEASER_HEADINGS:
            continue
        if _norm(text_of(label)) == text and not any(a.mem_id in headings for a in ancestors(label)):
            yield from _section_of(page, label, text, own=False)


def _section_of(
    page: Page, heading: LexborNode, text: str, *, links: int = 1, own: bool = True
) -> list[LexborNode]:
    """The teaser block `heading` (its text `text`) heads: the section it opens when that holds
    `links` links or more and sits beside the story (with `own`: a heading's), else the heading
    and the link-dense lists right after it (none when there are none). A heading named only by
    its opening ("More from ...") asks two links of its section, a paragraph of prose counting
    one (`_holds_links`): a part of the story under "More from the interview" links from its
    sentences. Without `own` (a label of any tag) a paragraph or a link is no heading
    ("<p>Related:</p>" over a list of the story's own links; a "More stories" link)."""
    unit, tags = heading, {heading.tag}  # climb wrappers holding nothing but the heading text
    while (parent := unit.parent) is not None and parent.tag not in _NEVER_REMOVED:
        if _norm(text_of(parent)) != text:
            break
        unit = parent
        tags.add(unit.tag)
    parent = unit.parent
    if parent is None or (not own and tags & _UNHEADING):
        return []
    first = next((c for c in parent.iter(include_text=True) if text_of(c)), None)
    opens = first is not None and first.mem_id == unit.mem_id
    if own and opens and _holds_links(parent, links) and page.beside_story(parent):
        return [parent]  # the heading opens its own section: the section is the teaser block
    # the heading sits inside other content: take it and the link-dense lists right after it
    # (a label not a heading heads lists alone, not the rest of its line: "<em>Read more</em>: <a>")
    doomed = [unit]
    sibling = unit.next
    while sibling is not None:
        if sibling.is_element_node:
            if (
                sibling.tag in _STOP_TAGS
                or not _is_link_dense(sibling)
                or (not own and sibling.tag not in _LISTS)
            ):
                break
            doomed.append(sibling)
        elif not own and text_of(sibling).strip():
            break
        sibling = sibling.next
    return doomed if len(doomed) > 1 else []


def _holds_links(section: LexborNode, links: int) -> bool:
    """Whether `section` holds `links` links or more, where a paragraph of prose (a <p> not
    link-dense) counts as one however many it holds: a part of the story under "More from the
    interview" may link twice from one sentence; a rail's links are each an item's (its headline,
    or a blurb's one link)."""
    found = 0
    counted: dict[int, bool] = {}  # each paragraph met: whether it counts one for all its links
    for link in section.css("a[href]"):
        paragraph = next(a for a in ancestors(link) if a.tag == "p" or a.mem_id == section.mem_id)
        if paragraph.tag == "p" and paragraph.mem_id != section.mem_id:
            if paragraph.mem_id in counted:
                if counted[paragraph.mem_id]:
                    continue
            else:
                counted[paragraph.mem_id] = not _is_link_dense(paragraph)
        found += 1
        if found >= links:
            return True
    return False


# a slideshow's counter, the whole of a text node: "3/50", "3 of 50", "3 von 50", "3 sur 50"
_COUNTER = re.compile(r"(\d{1,3}) ?(?:/|of|von|sur|de|di|van|z|av|af) ?(\d{1,3})")
SLIDES = 3  # a slideshow's first counters, all there: what makes one
_SLIDESHOW_TITLE = 12  # words a slideshow's wrappers may add to its captions: its title ("In pictures")
_STORY_APART = 1000  # characters of the story's paragraphs outside a slideshow that make it a story
# a title's count spelled out ("Las cinco calas", "The seven wonders", "Die zehn schönsten"), from
# SLIDES up, in English, German, French, Spanish, Italian, Portuguese and Dutch
# number words a title more often holds as another word: "Once upon a time", "Elf on the shelf",
# Dutch "onze" (our), the name Otto, German "Dez." (December): counted, they kept a gallery of
# eleven, eight or ten slides beside a story as the page's own
_READ_OTHERWISE = frozenset({"once", "elf", "onze", "otto", "dez"})
_NUMBER_WORDS = {
    word: number
    for words in (
        "three four five six seven eight nine ten eleven twelve",
        "drei vier fünf sechs sieben acht neun zehn elf zwölf",
        "trois quatre cinq six sept huit neuf dix onze douze",
        "tres cuatro cinco seis siete ocho nueve diez once doce",
        "tre quattro cinque sei sette otto nove dieci undici dodici",
        "três quatro cinco seis sete oito nove dez onze doze",
        "drie vier vijf zes zeven acht negen tien elf twaalf",
    )
    for number, word in enumerate(words.split(), start=SLIDES)
    if word not in _READ_OTHERWISE
}
# number words as often another word, which count only before a plural (a count's noun): French
# "sept" (also English "Sept." before its day) and "neuf" (new: "Pont Neuf", "quoi de neuf"),
# plural in -s or -x ("sept merveilles", "neuf mois"); Italian "sei" (you are: "Sei pronto?"),
# plural in -i, -e or an accent ("sei spiagge", "sei città"). Read bare, they kept a gallery of
# seven, nine or six slides beside a story as the page's own
_COUNTS_BEFORE = {"sept": ("s", "x"), "neuf": ("s", "x"), "sei": ("i", "e", "à", "ù")}
# the words after them that end so and are no noun (`_count_noun`): French articles and
# prepositions ("Quoi de neuf dans les musées", "Pont Neuf : les travaux", "le 12 sept. dans la
# ville"), Italian adverbs and articles ("Sei già pronto?", "Sei qui?")
_NO_COUNT_NOUN = frozenset(
    {
        "les", "des", "aux", "dans", "sous", "vers", "après", "très", "plus", "mais", "dès", "ces",
        "ses", "mes", "tes", "nos", "vos", "leurs", "lors", "depuis", "alors", "puis", "sans",
        "qui", "già", "più", "così", "giù", "che", "mai", "poi", "lei", "lui", "noi", "voi", "gli",
        "nei", "dei", "dai", "sui", "coi", "agli", "delle", "degli", "nelle", "sulle", "anche",
        "come", "dove", "sempre", "forse", "bene",
    }
)  # fmt: skip


def _counted_in_words(title: str) -> set[int]:
    """The counts `title` spells out in words (`_NUMBER_WORDS`, `_COUNTS_BEFORE`)."""
    words = re.findall(r"\w+", title.lower())
    return {
        _NUMBER_WORDS[word]
        for word, after in itertools.zip_longest(words, words[1:], fillvalue="")
        if word in _NUMBER_WORDS and (word not in _COUNTS_BEFORE or _count_noun(after, _COUNTS_BEFORE[word]))
    }


def _count_noun(word: str, endings: tuple[str, ...]) -> bool:
    """Whether `word`, after "sept", "neuf" or "sei", may be a count's plural noun: it ends as
    one does (`endings`) and is no article, preposition nor adverb (`_NO_COUNT_NOUN`)."""
    return word.endswith(endings) and word not in _NO_COUNT_NOUN


def _slideshows(page: Page) -> Iterator[LexborNode]:
    """A slideshow's captions, each numbered against the whole ("1/50", "2 of 50": `_COUNTER`;
    of one whole, every one of them there), with the title its wrappers add: a gallery of other
    news set in or beside the story, longer than it. Only where the page's story stands without
    it (`_STORY_APART` characters of its paragraphs outside it) and the gallery outweighs that:
    a page that is a slideshow keeps it; a story's own figures are numbered without the whole; a
    schedule's dates ("1/12", "2/12", "3/12", "5/12") miss numbers of their whole; a story's own
    numbered steps ("1/5" ... "5/5") shorter than the rest of it are the story's; a listicle whose
    title counts its slides ("Las 5 calas más bonitas": 1 de 5 ... 5 de 5) is the page's."""
    if page.story is None:
        return
    slideshows: dict[str, dict[int, LexborNode]] = {}
    for node, folded in page.texts:
        if len(folded) > 12 or (counter := _COUNTER.fullmatch(folded)) is None or node.parent is None:
            continue
        if 1 <= int(counter[1]) <= int(counter[2]) and int(counter[2]) >= SLIDES:
            slideshows.setdefault(counter[2], {}).setdefault(int(counter[1]), node.parent)
    # the page's titles: a slideshow they count ("Las 5 calas", "The ten best beaches") is the page's
    heads = (page.tree.css_first("title"), page.body.css_first("h1"))
    titles = [text_of(node) for node in heads if node is not None]
    counted = {int(number) for title in titles for number in re.findall(r"\d+", title)}
    counted |= {number for title in titles for number in _counted_in_words(title)}
    # each measured once, however many slideshows ask: hundreds of them over a story of thousands
    # of paragraphs were each read against all of its paragraphs (900 x 8,000: 18 s, over
    # `[extract] timeout`)
    paragraphs = {p.mem_id: len(text_of(p)) for p in page.story.css("p")}
    story = sum(paragraphs.values())
    measured: dict[int, tuple[int, int]] = {}

    def measure(node: LexborNode) -> tuple[int, int]:  # its characters and its words
        if node.mem_id not in measured:
            text = text_of(node)
            measured[node.mem_id] = (len(text), len(text.split()))
        return measured[node.mem_id]

    def size(node: LexborNode) -> int:
        return measure(node)[1]

    for whole, slides in slideshows.items():
        if len(slides) < int(whole) or int(whole) in counted:
            continue  # a slideshow numbers each slide ("5/5", "3/5", "4/5" are ratings; dates skip)
        unit = _common(list(slides.values()))
        captions = size(unit)
        while (parent := unit.parent) is not None and parent.tag not in _NEVER_REMOVED:
            if parent.mem_id in page.protected or size(parent) - captions > _SLIDESHOW_TITLE:
                break
            unit = parent
        # the story's paragraphs outside it: all of them but those it holds (itself, if one)
        apart = story - sum(paragraphs.get(p.mem_id, 0) for p in unit.css("p"))
        if unit.mem_id not in page.protected and apart >= _STORY_APART and measure(unit)[0] > apart:
            yield unit


def _common(nodes: list[LexborNode]) -> LexborNode:
    """The nearest element holding all of `nodes` (or the node itself, when one)."""
    path = list(ancestors(nodes[0], include_self=True))
    for other in nodes[1:]:
        held = set(ancestry(other))
        path = path[next(i for i, a in enumerate(path) if a.mem_id in held) :]
    return path[0]


def _teaser_cards(page: Page) -> Iterator[LexborNode]:
    """A container of three or more short cards, each with a heading that links elsewhere; not
    when it holds half or more of the text of the page's main element (`<main>`, an `<article>`):
    there the cards are the page (an index, a documentation landing page), not a rail beside it.
    A heading also links when the card's link wraps it (`_in_link`), on an article page whose story
    is a story's length (`_STORY_APART`): there such cards are a rail of other stories. On a
    listing, a collection or a service page, and on a page of a short intro over a grid (a page the
    classifier took for an article), they are the page's own items: an award's honourees, a shop's
    products, a service's offers."""
    cards: dict[int, dict[int, LexborNode]] = {}
    containers: dict[int, LexborNode] = {}
    wrapped = (
        page.page_type == "article" and page.story is not None and len(text_of(page.story)) >= _STORY_APART
    )
    for heading in page.body.css("h2, h3, h4, h5, h6"):
        if heading.css_first("a[href]") is None and not (wrapped and _in_link(heading)):
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
        if len(members) < 3:  # most wrappers of a heading hold one or two: nothing to count
            continue
        container = containers[key]
        siblings = sum(1 for _ in container.iter())
        short = all(len(text_of(card)) <= 300 for card in members.values())
        if 3 * len(members) >= 2 * siblings and short and not _is_main(container):
            yield container


_LINK_WRAPS = 3  # wrappers a card's link may put around its heading (<a href><div><h3>)


def _in_link(heading: LexborNode) -> bool:
    """Whether a link wraps `heading` a few wrappers up (`_LINK_WRAPS`): a card whose whole face is
    its link (<a href><h3>Title</h3><p>Excerpt</p></a>), as HTML5 lets a link hold blocks."""
    for node in itertools.islice(ancestors(heading), _LINK_WRAPS):
        if node.tag in _NEVER_REMOVED:
            return False
        if node.tag == "a" and "href" in node.attributes:
            return True
    return False


_MAIN = frozenset({"main", "article"})


def _is_main(node: LexborNode) -> bool:
    """Whether `node` holds half or more of the text of its nearest main element (`<main>`, an
    `<article>`, `role=main`)."""
    main = next((a for a in ancestors(node) if a.tag in _MAIN or a.attributes.get("role") == "main"), None)
    return main is not None and 2 * len(text_of(node)) >= len(text_of(main))


_TRAILER_PREFIXES = (
    "source:", "sources:", "source link", "via ", "via:", "originally published", "originally appeared",
    "original article", "original source", "read the original", "read the full story",
    "read the full article", "read full article", "read full story", "continue reading",
    "first published", "republished from", "reprinted from", "this article originally",
    "this story originally", "this post originally", "this article was originally",
    "this story was originally", "this post was originally", "this article first", "this story first",
)  # fmt: skip
_BLOCK_TAGS = frozenset({"p", "div", "section", "li", "dd", "blockquote", "figure", "header", "footer"})


def _source_trailers(page: Page) -> Iterator[LexborNode]:
    """A short block whose whole text is a source/via credit carrying a link; not the credits
    (`_CREDITS`) inside list items where `_ROUNDUP` items or more hold one: there each credits an
    item of a list of links (a blog's link roundup, "<li><a>Story</a> via netzpolitik.org</li>"),
    the page's text. A "Read the full story" in each item is a call all the same."""
    found: list[LexborNode] = []
    for node, folded in page.texts:
        if not _is_trailer(_unquoted(folded)):
            continue
        block = _enclosing(node, _BLOCK_TAGS)
        if block is not None and block.css_first("a[href]") is not None:
            whole = _norm(text_of(block))
            if len(whole) <= 100 and _is_trailer(whole):
                found.append(block)
    listed = {
        block.mem_id: item.mem_id
        for block in found
        if _norm(text_of(block)).startswith(_CREDITS)
        and (item := _enclosing(block, _ITEMS, include_self=True))
    }
    roundup = len(set(listed.values())) >= _ROUNDUP
    yield from (b for b in found if not (roundup and b.mem_id in listed))


_ROUNDUP = 3
_ITEMS = frozenset({"li"})
_CREDITS = ("via", "source")  # a trailer naming where the item is from, not a "Continue reading" call


def _is_trailer(text: str) -> bool:
    return text in ("source", "via") or text.startswith(_TRAILER_PREFIXES)


# "Date:" / "Share post:" meta lines, in the languages of most of the web's news ("data", the
# Italian and Polish date, is left out: an English "Data:" line is content)
_LABELS = frozenset(
    {
        "date", "dated", "published", "published on", "posted", "posted on", "updated", "updated on",
        "last updated", "share", "share post", "share this", "share this post", "share this article",
        "share this story", "share on", "share via", "share article",
        "datum", "veröffentlicht", "veröffentlicht am", "erschienen", "erschienen am", "aktualisiert",
        "aktualisiert am", "stand", "teilen", "artikel teilen", "diesen artikel teilen",  # German
        "publié", "publié le", "mis à jour", "mis à jour le", "partager", "partager cet article",  # French
        "fecha", "publicado", "publicado el", "actualizado", "compartir", "compartir en",  # Spanish
        "pubblicato", "aggiornato", "condividi",  # Italian
        "publicado em", "atualizado", "compartilhar", "partilhar",  # Portuguese
        "gepubliceerd", "bijgewerkt", "delen",  # Dutch
        "opublikowano", "zaktualizowano", "udostępnij",  # Polish
        "publicerad", "uppdaterad", "publisert", "oppdatert", "julkaistu", "päivitetty",  # Nordic
    }
)  # fmt: skip
# "See also: <a>os.open()</a>": a cross-reference, which a manual's entries make to each other
# (its text: the documentation truths keep such lines) as a newsroom's CMS makes to other stories
_SEE_ALSO = frozenset(
    {
        "see also", "siehe auch", "voir aussi", "ver también", "vea también", "vedi anche", "zie ook",
        "se også",
    }
)  # fmt: skip
# "Related: <a>Another story</a>": the words a newsroom's CMS puts before a link to another of its
# stories inside the text (_READ_ALSO, _SEE_ALSO and these, too short or too plain to head a rail
# alone); on a documentation page, not _SEE_ALSO (`_teaser_links`)
_TEASER_LABELS = _READ_ALSO | _SEE_ALSO | frozenset(
    {
        "more",
        "lesen sie mehr",  # German
        "lea", "lea también", "lee también", "lea además", "lea más", "lee más", "mira", "mire", "puedes ver",
        "te puede interesar", "le puede interesar", "te recomendamos",  # Spanish
        "leia mais",  # Portuguese
        "dowiedz się więcej", "czytaj więcej",  # Polish
    }
)  # fmt: skip
_MANUAL_TEASER_LABELS = _TEASER_LABELS - _SEE_ALSO
# "Main article: <a>Firefox</a>": an encyclopedia's pointer from a section to the article of its
# own (a "hatnote"), the name of a topic where a teaser names a story: a short link, so the line is
# read as linked when what follows its label is (`_pointers`). Only labels that name an article:
# "Further information: <a>office@...</a>" is how a service's page or a story names whom to ask
_POINTER_LABELS = frozenset(
    {
        "main article", "main articles",
        "hauptartikel",  # German
        "article détaillé", "articles détaillés",  # French
        "artículo principal", "artículos principales",  # Spanish
        "voce principale",  # Italian
        "artigo principal",  # Portuguese
        "hoofdartikel",  # Dutch
        "osobny artykuł",  # Polish
        "huvudartikel",  # Swedish
    }
)  # fmt: skip
_ARROWS = ("\u00bb", "\u203a", "\u2192", ">")  # », ›, →, >
_INLINE_TAGS = frozenset({"span", "strong", "b", "em", "i", "label", "small", "time", "a", "font", "dt"})


def _label_blocks(page: Page) -> Iterator[LexborNode]:
    """A short meta line led by a "Date:" / "Share post:" label."""
    for node, line in _labelled_lines(page, _LABELS):
        if len(text_of(line)) > 80:
            continue  # a paragraph that happens to open with "Updated:" is content
        # htmldate reads <time datetime>: keep it and drop only the label
        yield node if line.css_first("time[datetime]") is not None else line


def _teaser_links(page: Page) -> Iterator[LexborNode]:
    """A short line like "Related: <a>Another story</a>" dropped into the middle of the text; or
    the label alone on its line ("<p><strong>Read also:</strong></p>") with the link on the line
    after it (`_labelled_link`), both. On a documentation page a "See also:" line is the manual's
    cross-reference, its text (`_MANUAL_TEASER_LABELS`)."""
    labels = _MANUAL_TEASER_LABELS if page.page_type == "documentation" else _TEASER_LABELS
    for _, line in _labelled_lines(page, labels):
        text = text_of(line)
        if len(text) <= _TEASER_LINE and link_density(line) >= 0.5:
            yield line
        elif (link := _labelled_link(line, labels)) is not None:
            yield line
            yield link
    yield from _pointers(page)


_TEASER_LINE = 200  # the most characters of a teaser's line (its label, if it has it, and its link)


def _pointers(page: Page) -> Iterator[LexborNode]:
    """A short line like "Main article: <a>Firefox</a>" (`_POINTER_LABELS`) whose text after its
    label is mostly linked: a pointer to another article, as a teaser line is a link to another
    story (read by `_teaser_links`' rule)."""
    for node, line in _labelled_lines(page, _POINTER_LABELS):
        rest = len(text := text_of(line)) - len((node.text_content or "").strip())
        if len(text) <= _TEASER_LINE and rest > 0 and 2 * link_text_length(line) >= rest:
            yield line


def _labelled_link(line: LexborNode, labels: frozenset[str]) -> LexborNode | None:
    """The line after `line` when `line` holds a teaser label and nothing else ("Read also:",
    "Lue myös »") and that line is one short link (`_TEASER_LINE`, mostly linked text); not a list,
    nor a line of several links: a story's own list of links may follow a "Related:" paragraph."""
    if _norm(text_of(line)) not in labels:
        return None
    after = _next_element(line, "next")
    if after is None or after.tag in _INLINE_TAGS or after.tag in _LISTS:
        return None
    if len(after.css("a")) != 1:
        return None
    text = text_of(after)
    return after if text and len(text) <= _TEASER_LINE and link_density(after) >= 0.5 else None


def _labelled_lines(page: Page, labels: frozenset[str]) -> Iterator[tuple[LexborNode, LexborNode]]:
    """(label text node, the block-level line it opens) for every "<label>:" in `labels`. The
    colon may follow the label's element ("<em>Read more</em>: <a>...</a>"): then the line's text
    opens with the label and the colon. An arrow closing the label's own text is its colon
    ("<strong>À lire aussi »</strong> <a>...</a>")."""
    size = max(map(len, labels), default=0) + 1
    openings: dict[int, str] = {}  # each line's opening, read once however many labels it holds
    for node, folded in page.texts:
        label, colon, _ = folded.partition(":")
        if not colon and folded.endswith(_ARROWS):
            label, colon = folded.rstrip("".join(_ARROWS)).rstrip(), ":"
        if label not in labels or node.parent is None:
            continue
        line = node.parent
        while line.tag in _INLINE_TAGS and line.parent is not None:
            line = line.parent
        if not colon:
            if line.mem_id not in openings:
                openings[line.mem_id] = _opening(line, size)
            if not openings[line.mem_id].startswith(f"{label}:"):
                continue
        yield node, line


def _opening(line: LexborNode, size: int) -> str:
    """The first `size` characters of `_folded(line.text())`, read from as few of the line's text
    nodes as hold them: a "More" without a colon sits in a rail's or a page's wrapper as often as
    in a line, and the whole text of the wrapper, read for each, made a page of a few thousand
    "More" links take seconds."""
    text = ""  # the text so far, each run of white space one space
    for node in line.traverse(include_text=True):
        if node.is_text_node and (piece := node.text_content):
            text = " ".join(f"{text}{piece}".split()) + (" " if piece[-1].isspace() else "")
            if len(opening := text.strip().lower()) >= size:
                return opening[:size]
    return text.strip().lower()


RULES: tuple[Rule, ...] = (  # specific rules first: the first rule to claim an element names it
    Rule(
        "non-content",
        "script (not JSON-LD), style, iframe, a <noscript> without the story",
        _non_content,
        guarded=False,
        safe=True,
    ),
    Rule(
        "screen-reader",
        "text for screen readers only, which the page hides from every other reader",
        _screen_reader_only,
        safe=True,
    ),
    Rule(
        "share-bar",
        "share / social buttons",
        _by_tokens("share shares sharing social socials sharedaddy addtoany addthis sharethis"),
        safe=True,
    ),
    Rule(
        "author-bio",
        "author bio boxes",
        _by_tokens(
            "author-box author-bio author-about author-card author-profile author-description"
            " about-author authorbox authorbio bio biography"
        ),
    ),
    Rule("consent-box", "cookie / consent banners and centres", _consent_boxes, guarded=False, safe=True),
    Rule(
        "newsletter-box",
        "newsletter / subscribe boxes",
        _by_tokens(
            "newsletter signup sign-up optin opt-in mailchimp",
            shared="subscribe subscription",
            unless="product",
        ),
    ),
    Rule(
        "promo-bar",
        "a shop's announcement / promo bar over the page",
        _by_tokens("announcement-bar announcementbar promo-bar promobar"),
    ),
    Rule(
        "disclosure",
        "advertising / affiliate disclosures and disclaimers",
        _by_tokens("disclosure disclosures disclaimer disclaimers"),
    ),
    Rule(
        "related-block",
        "blocks classed related / recommended",
        _by_tokens("related recommended recommendations outbrain taboola trending"),
    ),
    Rule("breadcrumbs", "breadcrumb trails", _by_tokens("breadcrumb breadcrumbs crumbs")),
    Rule(
        "review-section",
        "a product page's customer reviews, unless comments are wanted",
        _review_sections,
        safe=True,
    ),
    Rule(
        "comment-list",
        "a thread of reader comments under the story (a list named so, or boxes classed comment), unless"
        " comments are wanted or the page is a thread",
        _comment_lists,
        safe=True,
        weighs_story=True,
    ),
    Rule("signature", "the signatures under a thread's posts", _signatures, safe=True),
    Rule(
        "teaser-section", 'a "Related articles"-style heading and what it heads', _teaser_sections, named=True
    ),
    Rule(
        "slideshow",
        "a slideshow's numbered captions (1/50, 2/50, ...) and its title, beside a story",
        _slideshows,
        weighs_story=True,
    ),
    Rule("teaser-cards", "lists of short cards with linked headings", _teaser_cards),
    Rule("source-trailer", 'a short "Source link" / "Via" credit block', _source_trailers),
    Rule("label-block", 'a short "Date:" / "Share post:" meta line', _label_blocks),
    Rule("teaser-link", 'a short "Related: <link>" line inside the text', _teaser_links),
    Rule(
        "navigation",
        "link-dense menus and pagers",
        _by_tokens("nav navbar navigation menu pagination pager", link_dense=True),
    ),
    Rule("page-chrome", "nav, aside, footer, form, dialog and their ARIA roles", _page_chrome),
    Rule("modal", "a <div> dialog classed modal or popup (not on a product page)", _modals),
    Rule("site-header", "a link-dense <header>, not a title", _by_css(_SITE_HEADER, link_dense=True)),
    Rule(
        "site-chrome", "blocks classed footer / sidebar / copyright", _by_tokens("footer sidebar copyright")
    ),
)


# -- helpers --------------------------------------------------------------------------------


@functools.cache
def _rule_words() -> frozenset[str]:
    """The words of every `_by_tokens` rule (RULES is built by the time a page is scanned)."""
    return frozenset(_RULE_WORDS)


_TRIM = " :.\u2026\u00bb\u203a\u2192>|-\u2013\u2014"  # punctuation and arrows around labels


def _norm(text: str) -> str:
    """Heading/label text for comparison: one-spaced, lowercase, curly quotes and trim marks gone,
    composed (NFC: "À lire aussi" written as "A" + U+0300 is the heading the list spells)."""
    return composed(_unquoted(_folded(text)))


def _folded(text: str) -> str:
    return " ".join(text.split()).lower()


def _unquoted(folded: str) -> str:
    return folded.replace("\u2019", "'").strip(_TRIM)


def _is_link_dense(node: LexborNode) -> bool:
    """Whether half the node's text or more is in links, or it has none (`link_density`, its text
    read once; its links' read until they hold half of it: a menu's first half answers)."""
    size = len(text_of(node))
    half = (size + 1) // 2
    return not size or link_text_length(node, most=half) >= half


def ancestry(node: LexborNode) -> Iterator[int]:
    """Ids of the node and its ancestors."""
    return (n.mem_id for n in ancestors(node, include_self=True))


def inside_marked(node: LexborNode, marked: Container[int], cleared: set[int]) -> bool:
    """Whether an ancestor of `node` is `marked`. The climb stops at a marked ancestor, or at one
    in `cleared` (neither it nor any above it is marked: an earlier climb passed it and reached the
    document), to which the ancestors passed are added; so marked siblings (a menu's items, a
    teaser rail's cards) climb their shared ancestors once, not once each."""
    passed = []
    current = node.parent
    while current is not None and (key := current.mem_id) not in cleared:
        if key in marked:
            return True
        passed.append(key)
        current = current.parent
    cleared.update(passed)
    return False


def _enclosing(node: LexborNode, tags: frozenset[str], *, include_self: bool = False) -> LexborNode | None:
    """The nearest ancestor of `node` (or, with `include_self`, `node` itself) of one of `tags`."""
    return next((a for a in ancestors(node, include_self=include_self) if a.tag in tags), None)
