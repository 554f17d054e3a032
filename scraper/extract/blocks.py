"""The page cut into paragraph-level blocks, each described by numbers the block model reads; pure.

    page_blocks(body, kept_text) -> list[Block]    in document order, with `features` filled in

A *block* is the text an element holds itself: every visible text node belongs to its nearest
ancestor that a browser lays out as a block (dom.BLOCK_ELEMENTS: p, li, h1-h6, pre, td,
blockquote, dd, a div with text of its own, ...), so the blocks partition the visible text. Any
other element (a, span, em, code, and an unknown or custom one such as `<relative-time>` or
`<as-footnote>`) runs inline and passes its text up to its block, links counted apart.

The features say what a reader sees, never who published it:

- structure: length, link density, number of links, depth, position in the page, the block's
  own tag, the landmark tags around it (article/main, nav/header/footer/aside, list, table, form);
- class/id words, matched against a fixed vocabulary of generic layout words (content, comment,
  sidebar, share, ...), for the block itself and for its ancestors: no site name, URL or id;
- text: punctuation, sentence ends, stop words (a few languages), word length, capitals, digits;
- the page: its type as judged before extraction, its teaser blocks, posts and code blocks;
- and how much of the block trafilatura kept (`kept_text`: its plain text), for the block and
  its neighbours, plus the share of the page it kept.
"""

from __future__ import annotations

import bisect
import functools
import math
import operator
import re
from dataclasses import dataclass, field, replace

from selectolax.lexbor import LexborNode

from scraper.dom import (
    BLOCK_ELEMENTS,
    HEADINGS,
    MATH_ANNOTATIONS,
    RUBY_ANNOTATIONS,
    UNSEEN,
    attributes_class_text,
)
from scraper.extract.discards import discarded_element

_INVISIBLE = frozenset({
    *UNSEEN, "iframe", "select", "option", "head",
    "textarea", "button", "object", "canvas",
}) | RUBY_ANNOTATIONS | MATH_ANNOTATIONS  # fmt: skip
_OWN_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "td", "th", "blockquote", "dd", "dt",
             "div", "section", "figcaption", "caption")  # fmt: skip
_LANDMARKS = (
    frozenset({"article", "main"}),
    frozenset({"nav"}),
    frozenset({"header"}),
    frozenset({"footer"}),
    frozenset({"aside"}),
    frozenset({"ul", "ol", "dl"}),
    frozenset({"table"}),
    frozenset({"form"}),
    frozenset({"blockquote"}),
    frozenset({"pre", "code"}),
)
# Generic layout words; a class or id word containing one sets its flag.
VOCABULARY = (
    "content", "article", "post", "entry", "body", "text", "main", "story", "prose", "markdown",
    "comment", "reply", "answer", "question", "thread", "message", "forum", "review",
    "sidebar", "widget", "nav", "menu", "footer", "header", "related", "recommend", "popular",
    "share", "social", "ad", "sponsor", "promo", "banner", "newsletter", "subscribe", "signup",
    "cookie", "consent", "modal", "popup", "breadcrumb", "tag", "categor", "meta", "author",
    "date", "byline", "caption", "title", "teaser", "card", "list", "item", "product", "price",
    "desc", "code", "highlight", "toc", "footnote", "hidden", "login", "search", "pagination",
    "discuss", "respon", "avatar", "vote", "latest", "more", "headline", "user",
)  # fmt: skip
# The words of VOCABULARY read on the block's nearest ancestors too (`_NEAR` levels up): a
# comment's own container says "comment", where a page's <body class="comments-open"> says it
# of every block
_NEAR_WORDS = (
    "content", "article", "post", "entry", "body", "text", "story", "comment", "reply", "answer",
    "thread", "message", "review", "discuss", "respon", "avatar", "vote", "user", "author", "date",
    "byline", "meta", "related", "recommend", "popular", "latest", "more", "teaser", "card", "list",
    "item", "sidebar", "widget", "share", "social", "headline", "title",
)  # fmt: skip
_NEAR = 3
_NEAR_MASK = sum(1 << VOCABULARY.index(w) for w in _NEAR_WORDS)
# Words of the section headings (h1-h6) a block sits under, as a reader sees them: a comment
# section's "12 Comments" or "Leave a reply", a rail's "Related posts" or "Most popular"
HEADING_WORDS = (
    "comment", "koment", "komment", "comenta", "repl", "respon", "reacti", "discuss", "related",
    "popular", "latest", "recent", "more", "recommend", "read", "also", "similar", "trend", "top",
    "newsletter", "subscribe", "share", "follow", "tag", "categor", "about", "advert", "sponsor",
)  # fmt: skip
_STOP_WORDS = frozenset(  # a list literal of 150 words would fill 150 lines
    """
the a an and or of to in on for with is are was were be been it this that as at by from not but
have has had will would can could which who what their there they we you he she his her its our
der die das und ist nicht mit von zu den ein eine auf für sich dem des im als auch es
le la les et est un une des du pour dans que qui pas sur au avec ce il elle ne se
el los las y es un una del que en por con para no se lo su al
il di che e non per una sono della con si gli le
o os as um uma não do da em que com para
de het een en van is dat op te niet zijn met voor
""".split()  # noqa: SIM905
)
_WORD = re.compile(r"\w+")  # over extracted text, never HTML
_SENTENCE_END = ".!?。！？"
_SENTENCE_ENDS = re.compile(r"[.!?。！？]")
_PUNCTUATION = re.compile(r"[.,;:!?\"'()\[\]«»“”‘’\-–—…/|·•]")
_DIGIT = re.compile(r"\d")
_FIRST = operator.itemgetter(0)  # a word's first character (each word of _WORD has one)
# A line break among a block's pieces, for a <br> or a nested block (no text node holds a NUL:
# the HTML parser drops it)
_BR = "\0"
# The most characters of text a link holding block elements has for them to be its text, to follow
# (Block.linked): a card's link (headline and summary) holds at most about 1,300 on the CV pages of
# the datasets, most under 300; a story a page sets inside one link holds more
LINK_MOST = 2000


@dataclass(slots=True)
class Block:
    """One block: its tag, its text, and what the walk saw around it (mutable while it is built)."""

    tag: str
    depth: int
    landmarks: int  # bit i: inside an element of _LANDMARKS[i]
    own_words: int  # bit i: VOCABULARY[i] in the block element's class/id
    outer_words: int  # bit i: VOCABULARY[i] in an ancestor's class/id
    repeated: int = 0  # siblings shaped like the block or its nearest repeated ancestor (teasers, posts)
    near_words: int = 0  # bit i: VOCABULARY[i] in the class/id of an ancestor at most _NEAR levels up
    times: int = 0  # <time> elements in its text (a post's or a comment's date)
    discarded: int = 0  # characters of its text inside an element trafilatura's rules remove (discards.py)
    pieces: list[str] = field(default_factory=list)
    link_chars: int = 0
    links: int = 0
    linked: bool = False  # inside a link as a whole (<a href><h2>): a reader follows its whole text
    text: str = ""
    kept: float = 0.0  # share of the block trafilatura kept
    features: list[float] = field(default_factory=list)
    # where it sits in the walk (`reading_order`): its index among the walk's blocks, the index of
    # the first block after those nested in it, and the blocks nested in it with the count of its
    # pieces before each (its text after a nested block reads after that block)
    seq: int = 0
    end: int = 0
    nests: list[tuple[int, Block]] = field(default_factory=list, compare=False, repr=False)
    # siblings sharing the tag and the first class name without a digit of the block or its nearest
    # such ancestor (a blog's teasers, each also classed by its own post, category and tags): read
    # by the rules (`model.items`), not by the models, whose `repeated` compares whole class strings
    alike: int = 0


@functools.lru_cache(maxsize=16384)
def _vocabulary_mask(text: str) -> int:
    """The vocabulary words inside `text`. No word holds a dash or a space, so the words inside a
    node's class tokens are the words inside its `class_text`: the tokens need not be made (a new
    site's classes miss every cache, and this ran a million times over 200 pages of a corpus)."""
    mask = 0
    for i, word in enumerate(VOCABULARY):
        if word in text:
            mask |= 1 << i
    return mask


def _words_mask(attributes: dict[str, str | None]) -> int:
    """The vocabulary words in the class and id of an element with these `attributes`."""
    text = attributes_class_text(attributes)
    return _vocabulary_mask(text) if text else 0


@functools.lru_cache(maxsize=4096)
def _tag_words(tag: str) -> int:
    """The vocabulary in a custom element's name (`<comment-list>`, `<story-card>`): the page's
    author named it, as a class."""
    return _vocabulary_mask(tag) if "-" in tag else 0


@functools.lru_cache(maxsize=16384)
def _heading_mask(text: str) -> int:
    lowered = text.lower()
    return sum(1 << i for i, word in enumerate(HEADING_WORDS) if word in lowered)


@functools.lru_cache(maxsize=1024)
def _landmark_mask(tag: str) -> int:
    return sum(1 << i for i, tags in enumerate(_LANDMARKS) if tag in tags)


def inside(block: Block, tag: str) -> bool:
    """Whether the block is inside an element of the landmark kind of `tag` ("table": a table)."""
    return bool(block.landmarks & _landmark_mask(tag))


@dataclass(slots=True)
class _Frame:
    block: Block
    in_link: bool
    depth: int
    landmarks: int
    outer_words: int
    repeated: int = 0
    near: tuple[int, ...] = ()  # the class/id words of the _NEAR nearest ancestors, the nearest last
    discarded: bool = False  # inside an element trafilatura's rules remove (discards.py)
    # inside an <a href> (a link a reader follows; <a name=...> is a placeholder), across the block
    # elements in it: the characters of its text, counted as the walk reads them (Block.linked)
    link: list[int] | None = None
    alike: int = 0  # as Block.alike


def _walk(body: LexborNode) -> list[Block]:
    """The blocks of `body` in document order (iterative: hostile pages nest thousands deep).

    A block's text is its text nodes joined as the page renders them: inline elements add no
    space of their own ("<a>report</a>, which" reads "report, which"; "<relative-time>May
    3</relative-time>, 2024" reads "May 3, 2024"); a <br> is a line break, and so is a nested
    block in the text around it, as a browser lays it out ("with a <pre>+</pre>." reads "with a"
    and "." on lines of their own, never "with a .").

    Each node's tag and attributes are read once (`_children`: lexbor builds a new string and a
    new dict at each read, most of this walk's cost), and passed down with it."""
    root = Block("body", 0, 0, 0, 0)
    blocks = [root]
    linked: list[tuple[Block, list[int] | None]] = []  # each block, and the link it is inside
    top = _Frame(root, False, 0, 0, _words_mask(body.attributes))
    stack: list[tuple[_Child, _Frame]] = [(c, top) for c in _children(body)]
    while stack:
        (node, tag, attributes, shape, loose), parent = stack.pop()  # pre-order: document order
        if attributes is None:  # a text node
            text = node.text_content or ""
            parent.block.pieces.append(text)  # blank ones too: the line breaks of <pre>
            if parent.in_link:
                parent.block.link_chars += len(text.strip())
            if parent.discarded:
                parent.block.discarded += len(text.strip())
            if parent.link is not None:
                parent.link[0] += len(text.strip())
            continue
        # -comment, -doctype; a formula hidden as trafilatura's rules hide it (beside its image)
        if tag in _INVISIBLE or tag.startswith("-") or (tag == "math" and parent.discarded):
            continue
        landmarks = parent.landmarks | _landmark_mask(tag)
        # a repeated inline element (a custom <story-card>) makes the blocks inside it repeated
        repeated = max(parent.repeated, shape)
        alike = max(parent.alike, loose)
        words = _words_mask(attributes) | _tag_words(tag)
        near = (*parent.near[1 - _NEAR :], words & _NEAR_MASK)
        gone = parent.discarded or discarded_element(tag, attributes)
        if tag not in BLOCK_ELEMENTS:
            if tag == "a":
                parent.block.links += 1
            elif tag == "br":
                parent.block.pieces.append(_BR)
            elif tag == "time":
                parent.block.times += 1
            link = [0] if parent.link is None and tag == "a" and "href" in attributes else parent.link
            frame = _Frame(parent.block, parent.in_link or tag == "a", parent.depth + 1, landmarks,
                           parent.outer_words | words, repeated, near, gone, link, alike)  # fmt: skip
        else:
            block = Block(tag, parent.depth + 1, landmarks, words, parent.outer_words, repeated,
                          functools.reduce(int.__or__, parent.near, 0))  # fmt: skip
            block.alike = alike
            linked.append((block, parent.link))
            block.seq = len(blocks)
            blocks.append(block)
            parent.block.nests.append((len(parent.block.pieces), block))
            parent.block.pieces.append(_BR)  # the text around a nested block is on lines of its own
            frame = _Frame(
                block, False, parent.depth + 1, landmarks, parent.outer_words | words, repeated, near, gone,
                parent.link, alike,
            )  # fmt: skip
        stack += [(c, frame) for c in _children(node)]
    for block, link in linked:  # a link around a whole story is no headline nor card to follow
        block.linked = link is not None and link[0] <= LINK_MOST
    _ends(root, len(blocks))
    return blocks


def _ends(root: Block, count: int) -> None:
    """Each block's `end`: the index of the first block of the walk after those nested in it
    (`count`, the walk's blocks, after the last)."""
    stack = [(root, count)]
    while stack:
        block, end = stack.pop()
        block.end = end
        if block.nests:
            after = [child.seq for _, child in block.nests[1:]] + [end]
            stack += [(child, nxt) for (_, child), nxt in zip(block.nests, after, strict=True)]


def _lines(pieces: list[str]) -> str:
    """A block's text from its pieces: a <br> or a nested block is a line break, any other run of
    whitespace one space."""
    lines = "".join(pieces).split(_BR) if _BR in pieces else ["".join(pieces)]
    return "\n".join(filter(None, (" ".join(line.split()) for line in lines)))


def reading_order(chosen: list[Block]) -> list[Block]:
    """The `chosen` blocks (in the walk's order) as a reader reads them: a block's text after a
    block nested in it comes after that block and those inside it, not before them ("<div><p>One.</p>
    <p>Two.</p>Three.</div>" reads One, Two, Three: the div's own text is one block, which the walk
    meets first). Each part is a block of the chosen one's tag; a block whose text was changed
    since the walk (`text` no longer its pieces') or is code stays whole."""
    units: list[tuple[tuple[int, int, int], Block]] = []
    for block in chosen:
        parts = _parts(block)
        if parts is None:
            units.append(((block.seq, 1, 0), block))
            continue
        if parts[0]:
            units.append(((block.seq, 1, 0), replace(block, text=parts[0])))
        for (_, child), part in zip(block.nests, parts[1:], strict=True):
            if part:  # before the block after the nested one, after any deeper block's own part
                units.append(((child.end, 0, -block.depth), replace(block, text=part)))
    return [block for _, block in sorted(units, key=lambda unit: unit[0])]


def reaches(blocks: list[Block]) -> list[int]:
    """For each of `blocks` (the walk's, in its order), the index of the last of them its text
    reads after (`reading_order`): its own where it has no text after a block nested in it; a
    <div>'s text after the <h2> nested in it reaches past the <h2>, which heads that text."""
    seqs = [b.seq for b in blocks]
    found = list(range(len(blocks)))
    for i, block in enumerate(blocks):
        parts = _parts(block)
        if parts is not None:
            last = max(child.end for (_, child), part in zip(block.nests, parts[1:], strict=True) if part)
            found[i] = max(i, bisect.bisect_left(seqs, last) - 1)
    return found


def _parts(block: Block) -> list[str] | None:
    """A block's text in parts, cut where a block nested in it is (its first part, then its text
    after each); None when there is nothing after one, or its text is not its pieces'."""
    if not block.nests or block.tag == "pre":
        return None
    cuts = [at for at, _ in block.nests]
    parts = [_lines(block.pieces[a:b]) for a, b in zip([0, *cuts], [*cuts, len(block.pieces)], strict=True)]
    if not any(parts[1:]) or "\n".join(filter(None, parts)) != block.text:
        return None
    return parts


# A child node as the walk reads it: the node, its tag, its attributes (None: a text node), how
# many of its parent's element children share its tag and class (0 when none does but itself), and
# how many classed ones share its tag and first class name without a digit (`_kind`; 0 likewise)
_Child = tuple[LexborNode, str, "dict[str, str | None] | None", int, int]


@functools.lru_cache(maxsize=16384)
def _kind(names: str) -> str:
    """The first class name of `names` without a digit: what a run of cards or teasers has in
    common where each is also classed by its own id, category and tags ("post-41 post
    category-news tag-ferries" is "post"). Cached: a page's class strings repeat (0.5 ms a page
    of the walk, as much as its reading of the class names)."""
    return next((name for name in names.split() if not any(c.isdigit() for c in name)), "")


def _children(node: LexborNode) -> list[_Child]:
    """The child nodes, text included, last first (for a stack), each with its tag, attributes,
    shape count (how many of the element children share its tag and class, when two or more do)
    and kind count (how many classed ones share its tag and `_kind`, when two or more do: those
    whose every class name holds a digit are of one kind, "col-md-6")."""
    read: list[tuple[LexborNode, str, dict[str, str | None] | None, tuple[str, str], tuple[str, str]]] = []
    alike: dict[tuple[str, str], int] = {}
    kinds: dict[tuple[str, str], int] = {}
    for child in node.iter(include_text=True):
        if child.is_text_node:
            read.append((child, "", None, ("", ""), ("", "")))
            continue
        tag = child.tag or ""
        attributes = child.attributes
        names = attributes.get("class") or ""
        shape, kind = (tag, names), ((tag, _kind(names)) if names else ("", ""))
        alike[shape] = alike.get(shape, 0) + 1
        kinds[kind] = kinds.get(kind, 0) + 1
        read.append((child, tag, attributes, shape, kind))
    read.reverse()
    return [
        (
            child, tag, attributes,
            0 if attributes is None or (count := alike[shape]) < 2 else count,
            0 if attributes is None or not kind[0] or (same := kinds[kind]) < 2 else same,
        )
        for child, tag, attributes, shape, kind in read
    ]  # fmt: skip


PAGE_TYPES = ("article", "forum", "product", "documentation", "service", "collection")


def page_features(
    page_type: str, teasers: int, posts: int, code_blocks: int, teaser_share: float = 0.0
) -> list[float]:
    """What the whole page looks like, given to each of its blocks: its type as judged before
    extraction (classify.py), its teaser blocks, repeated posts and code blocks, and the share of
    its visible text in teaser blocks (high on a listing, low on a story with a rail of links)."""
    kinds = [float(page_type == kind) for kind in PAGE_TYPES]
    return [*kinds, math.log1p(teasers), math.log1p(posts), math.log1p(code_blocks), teaser_share]


def page_blocks(body: LexborNode, kept_text: str | None, page: list[float]) -> list[Block]:
    """The text blocks of the page body in document order, their features filled in (`page`: the
    page's own features, from `page_features`). With `kept_text` None (trafilatura not run yet),
    the features read from trafilatura's output (TRAFILATURA_FEATURES) are left at 0 until
    `judge_kept` fills them in; the others are final."""
    blocks = [b for b in _walk(body) if b.pieces]
    for block in blocks:
        if block.tag == "pre":  # code keeps its lines and indentation
            code = "".join(block.pieces).replace(_BR, "\n").strip("\n")
            block.text = "\n".join(line.rstrip() for line in code.splitlines())
        else:  # a <br> is a line break, any other run of whitespace one space
            block.text = _lines(block.pieces)
    blocks = [b for b in blocks if b.text]
    _describe(blocks, page)
    if kept_text is not None:
        judge_kept(blocks, kept_text)
    return blocks


def judge_kept(blocks: list[Block], kept_text: str) -> None:
    """How much of each block trafilatura kept (`kept_text`: its plain text), and the features
    read from that (TRAFILATURA_FEATURES), in place: the block, its neighbours, the page's share,
    and the kept text before and after the block."""
    kept_tokens = _WORD.findall(kept_text.lower())
    kept_unigrams = set(kept_tokens)
    kept_trigrams = set(zip(kept_tokens, kept_tokens[1:], kept_tokens[2:], strict=False))
    for block in blocks:
        block.kept = overlap(block.text, kept_unigrams, kept_trigrams)
    total = sum(len(b.text) for b in blocks) or 1
    kept_chars = sum(len(b.text) * b.kept for b in blocks)
    kept_total = kept_chars / total
    kept_chars = kept_chars or 1.0
    kept_seen = 0.0  # trafilatura's kept text before the block: none after its story's end
    count = len(blocks)
    for i, block in enumerate(blocks):
        size = len(block.text)
        features = block.features
        features[_KEPT] = block.kept
        features[_PREVIOUS_KEPT] = blocks[i - 1].kept if i else -1.0
        features[_NEXT_KEPT] = blocks[i + 1].kept if i + 1 < count else -1.0
        features[_PAGE_KEPT_SHARE] = kept_total
        features[_KEPT_BEFORE] = kept_seen / kept_chars
        features[_KEPT_AFTER] = (kept_chars - kept_seen - size * block.kept) / kept_chars
        kept_seen += size * block.kept


def overlap(text: str, unigrams: set[str], trigrams: set[tuple[str, str, str]]) -> float:
    """Share of the text's word trigrams (its words, when it has fewer than three) in the sets."""
    tokens = _WORD.findall(text.lower())
    if not tokens:
        return 0.0
    if len(tokens) < 3:
        return sum(map(unigrams.__contains__, tokens)) / len(tokens)
    grams = zip(tokens, tokens[1:], tokens[2:], strict=False)
    return sum(map(trigrams.__contains__, grams)) / (len(tokens) - 2)


def _describe(blocks: list[Block], page: list[float]) -> None:
    """Every feature but those read from trafilatura's output (`judge_kept`: 0 until then)."""
    total = sum(len(b.text) for b in blocks) or 1
    count = len(blocks)
    seen = 0
    sections = [0] * len(HEADINGS)  # the heading words of the open section at each level
    for i, block in enumerate(blocks):
        if block.tag in HEADINGS:  # a heading opens a section and closes those at its level and below
            level = HEADINGS.index(block.tag)
            sections[level:] = [_heading_mask(block.text)] + [0] * (len(HEADINGS) - level - 1)
        section = functools.reduce(int.__or__, sections)
        text = block.text
        size = len(text)
        tokens = _WORD.findall(text)
        words = len(tokens) or 1
        previous = blocks[i - 1] if i else None
        following = blocks[i + 1] if i + 1 < count else None
        features = [
            math.log1p(size),
            math.log1p(len(tokens)),
            min(1.0, block.link_chars / size),
            float(block.links),
            float(block.depth),
            i / count,
            seen / total,
            len(_PUNCTUATION.findall(text)) / size,
            float(text[-1] in _SENTENCE_END),
            float(len(_SENTENCE_ENDS.findall(text))),
            sum(map(_STOP_WORDS.__contains__, map(str.lower, tokens))) / words,
            sum(map(len, tokens)) / words,
            sum(map(str.isupper, map(_FIRST, tokens))) / words,
            len(_DIGIT.findall(text)) / size,
            0.0,  # kept, previous_kept, next_kept: judge_kept
            0.0,
            0.0,
            min(1.0, previous.link_chars / len(previous.text)) if previous else -1.0,
            min(1.0, following.link_chars / len(following.text)) if following else -1.0,
            math.log1p(len(previous.text)) if previous else -1.0,
            math.log1p(len(following.text)) if following else -1.0,
            0.0,  # page_kept_share: judge_kept
            math.log1p(count),
            math.log1p(total),
            math.log1p(block.repeated),
            0.0,  # kept_before, kept_after: judge_kept
            0.0,
            float(block.times),
            float(previous.times) if previous else -1.0,
            min(1.0, block.discarded / size),
            min(1.0, previous.discarded / len(previous.text)) if previous else -1.0,
            min(1.0, following.discarded / len(following.text)) if following else -1.0,
        ]
        features += _tag_bits(block.tag)
        features += _landmark_bits(block.landmarks)
        features += _bits(block.own_words)
        features += _bits(block.outer_words)
        features += _near_bits(block.near_words)
        features += _heading_bits(section)
        features += page
        block.features = features
        seen += size


@functools.lru_cache(maxsize=1024)
def _tag_bits(tag: str) -> tuple[float, ...]:
    return tuple(float(tag == own) for own in _OWN_TAGS)


@functools.lru_cache(maxsize=1024)
def _landmark_bits(mask: int) -> tuple[float, ...]:
    return tuple(float(mask >> j & 1) for j in range(len(_LANDMARKS)))


@functools.lru_cache(maxsize=4096)
def _bits(mask: int) -> tuple[float, ...]:
    return tuple(float(mask >> j & 1) for j in range(len(VOCABULARY)))


_NEAR_INDEXES = tuple(VOCABULARY.index(w) for w in _NEAR_WORDS)


@functools.lru_cache(maxsize=4096)
def _near_bits(mask: int) -> tuple[float, ...]:
    return tuple(float(mask >> j & 1) for j in _NEAR_INDEXES)


@functools.lru_cache(maxsize=1024)
def _heading_bits(mask: int) -> tuple[float, ...]:
    return tuple(float(mask >> j & 1) for j in range(len(HEADING_WORDS)))


# The name of each feature, in the order `_describe` and `page_features` give them: the model's
# manifest records them and their digest, so an artifact trained on other features is not used.
_STRUCTURE = (
    "log_chars", "log_words", "link_share", "links", "depth", "block_position", "text_position",
    "punctuation_share", "ends_sentence", "sentence_ends", "stop_word_share", "mean_word_length",
    "capitalised_share", "digit_share", "kept", "previous_kept", "next_kept", "previous_link_share",
    "next_link_share", "previous_log_chars", "next_log_chars", "page_kept_share", "log_blocks",
    "log_page_chars", "log_repeated", "kept_before", "kept_after", "times", "previous_times",
    "discarded", "previous_discarded", "next_discarded",
)  # fmt: skip
FEATURE_NAMES = (
    *_STRUCTURE,
    *(f"tag:{tag}" for tag in _OWN_TAGS),
    *(f"inside:{'/'.join(sorted(tags))}" for tags in _LANDMARKS),
    *(f"class:{word}" for word in VOCABULARY),
    *(f"outer_class:{word}" for word in VOCABULARY),
    *(f"near_class:{word}" for word in _NEAR_WORDS),
    *(f"heading:{word}" for word in HEADING_WORDS),
    *(f"page:{kind}" for kind in PAGE_TYPES),
    "page:log_teasers", "page:log_posts", "page:log_code_blocks", "page:teaser_share",
)  # fmt: skip
FEATURE_COUNT = len(FEATURE_NAMES)
# The features read from trafilatura's output (`judge_kept`); the first model of the cascade
# (model.py) reads every other one, so it can judge a page before trafilatura runs.
TRAFILATURA_FEATURES = ("kept", "previous_kept", "next_kept", "page_kept_share", "kept_before", "kept_after")
_KEPT, _PREVIOUS_KEPT, _NEXT_KEPT, _PAGE_KEPT_SHARE, _KEPT_BEFORE, _KEPT_AFTER = (
    FEATURE_NAMES.index(name) for name in TRAFILATURA_FEATURES
)
# the share of a block's text trafilatura's own rules remove (discards.py), and its neighbours':
# the cascade's vote on a block its first model is unsure of (model.sure), read by neither model
# (as model features they lost on the block CV of blocks collected afresh, while the vote gains:
# docs/model.md)
VOTE_FEATURES = ("discarded", "previous_discarded", "next_discarded")
DISCARDED = FEATURE_NAMES.index("discarded")
# what the main model reads, and where each stands among a block's `features`
MAIN_FEATURE_NAMES = tuple(name for name in FEATURE_NAMES if name not in VOTE_FEATURES)
MAIN_FEATURES = tuple(FEATURE_NAMES.index(name) for name in MAIN_FEATURE_NAMES)
FIRST_FEATURE_NAMES = tuple(name for name in MAIN_FEATURE_NAMES if name not in TRAFILATURA_FEATURES)
# where each of them stands among a block's `features`
FIRST_FEATURES = tuple(FEATURE_NAMES.index(name) for name in FIRST_FEATURE_NAMES)
