"""The page cut into paragraph-level blocks, each described by numbers the block model reads; pure.

    page_blocks(body, kept_text) -> list[Block]    in document order, with `features` filled in

A *block* is the text an element holds itself: every visible text node belongs to its nearest
ancestor that is not inline (p, li, h1-h6, pre, td, blockquote, dd, a div with text of its own,
...), so the blocks partition the visible text. Inline elements (a, span, em, code, ...) pass
their text up to their block, links counted apart.

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

import functools
import math
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from scraper.dom import BLOCK_ELEMENTS, class_tokens

# Elements whose text belongs to the block around them.
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
})  # fmt: skip
_INVISIBLE = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "select", "option", "head",
    "textarea", "button", "object", "canvas", "math",
})  # fmt: skip
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
# A line break among a block's pieces, for a <br> or a nested block (no text node holds a NUL:
# the HTML parser drops it)
_BR = "\0"


@dataclass(slots=True)
class Block:
    """One block: its tag, its text, and what the walk saw around it (mutable while it is built)."""

    tag: str
    depth: int
    landmarks: int  # bit i: inside an element of _LANDMARKS[i]
    own_words: int  # bit i: VOCABULARY[i] in the block element's class/id
    outer_words: int  # bit i: VOCABULARY[i] in an ancestor's class/id
    repeated: int = 0  # siblings shaped like the block or its nearest repeated ancestor (teasers, posts)
    pieces: list[str] = field(default_factory=list)
    link_chars: int = 0
    links: int = 0
    text: str = ""
    kept: float = 0.0  # share of the block trafilatura kept
    features: list[float] = field(default_factory=list)


@functools.lru_cache(maxsize=16384)
def _vocabulary_mask(words: frozenset[str]) -> int:
    # a word is in one of the tokens when it is in all of them joined by a character no word
    # holds: one substring test per word, not one per word and token (a new site's classes miss
    # the cache, and this ran a million times over 200 pages of a corpus)
    joined = "\0".join(words)
    mask = 0
    for i, word in enumerate(VOCABULARY):
        if word in joined:
            mask |= 1 << i
    return mask


def _words_mask(node: LexborNode) -> int:
    words = class_tokens(node)
    return _vocabulary_mask(words) if words else 0


@functools.lru_cache(maxsize=1024)
def _landmark_mask(tag: str) -> int:
    return sum(1 << i for i, tags in enumerate(_LANDMARKS) if tag in tags)


@dataclass(slots=True)
class _Frame:
    block: Block
    in_link: bool
    depth: int
    landmarks: int
    outer_words: int
    repeated: int = 0


def _walk(body: LexborNode) -> list[Block]:
    """The blocks of `body` in document order (iterative: hostile pages nest thousands deep).

    A block's text is its text nodes joined as the page renders them: inline elements add no
    space of their own ("<a>report</a>, which" reads "report, which"); a <br> is a line break,
    and so is a nested block in the text around it, as a browser lays it out ("with a <pre>+</pre>."
    reads "with a" and "." on lines of their own, never "with a ."); an element the browser runs
    inline but that is a block here (an unknown tag) is a word boundary."""
    root = Block("body", 0, 0, 0, 0)
    blocks = [root]
    top = _Frame(root, False, 0, 0, _words_mask(body))
    # mem_id -> how many of its parent's element children share its tag and class
    shapes: dict[int, int] = {}
    stack: list[tuple[LexborNode, _Frame]] = [(c, top) for c in _children(body, shapes)]
    while stack:
        node, parent = stack.pop()  # pre-order: document order
        if node.is_text_node:
            text = node.text_content or ""
            parent.block.pieces.append(text)  # blank ones too: the line breaks of <pre>
            if parent.in_link:
                parent.block.link_chars += len(text.strip())
            continue
        tag = node.tag or ""
        if tag in _INVISIBLE or tag.startswith("-"):  # -comment, -doctype
            continue
        landmarks = parent.landmarks | _landmark_mask(tag)
        if tag in _INLINE:
            if tag == "a":
                parent.block.links += 1
            elif tag == "br":
                parent.block.pieces.append(_BR)
            frame = _Frame(parent.block, parent.in_link or tag == "a", parent.depth + 1, landmarks,
                           parent.outer_words, parent.repeated)  # fmt: skip
        else:
            words = _words_mask(node)
            repeated = max(parent.repeated, shapes.get(node.mem_id, 0))
            block = Block(tag, parent.depth + 1, landmarks, words, parent.outer_words, repeated)
            blocks.append(block)
            # the text around a nested block is on lines of its own, as a browser lays it out; an
            # element it runs inline (an unknown tag) is a word boundary
            parent.block.pieces.append(_BR if tag in BLOCK_ELEMENTS else " ")
            frame = _Frame(block, False, parent.depth + 1, landmarks, parent.outer_words | words, repeated)
        stack += [(c, frame) for c in _children(node, shapes)]
    return blocks


def _children(node: LexborNode, shapes: dict[int, int]) -> list[LexborNode]:
    """The child nodes, text included, last first (for a stack); the element children that share
    a shape (tag and class) with their siblings are counted into `shapes` on the way."""
    children = list(node.iter(include_text=True))
    if len(children) >= 2:
        alike: dict[tuple[str, str], list[int]] = {}
        for child in children:
            if not child.is_text_node and child.tag not in _INLINE:
                alike.setdefault((child.tag or "", child.attributes.get("class") or ""), []).append(
                    child.mem_id
                )
        for ids in alike.values():
            if len(ids) >= 2:
                shapes.update(dict.fromkeys(ids, len(ids)))
    children.reverse()
    return children


PAGE_TYPES = ("article", "forum", "product", "documentation", "service", "collection")


def page_features(
    page_type: str, teasers: int, posts: int, code_blocks: int, teaser_share: float = 0.0
) -> list[float]:
    """What the whole page looks like, given to each of its blocks: its type as judged before
    extraction (classify.py), its teaser blocks, repeated posts and code blocks, and the share of
    its visible text in teaser blocks (high on a listing, low on a story with a rail of links)."""
    kinds = [float(page_type == kind) for kind in PAGE_TYPES]
    return [*kinds, math.log1p(teasers), math.log1p(posts), math.log1p(code_blocks), teaser_share]


def page_blocks(body: LexborNode, kept_text: str, page: list[float]) -> list[Block]:
    """The text blocks of the page body in document order, their features filled in (`page`: the
    page's own features, from `page_features`)."""
    blocks = [b for b in _walk(body) if b.pieces]
    for block in blocks:
        if block.tag == "pre":  # code keeps its lines and indentation
            code = "".join(block.pieces).replace(_BR, "\n").strip("\n")
            block.text = "\n".join(line.rstrip() for line in code.splitlines())
        else:  # a <br> is a line break, any other run of whitespace one space
            lines = "".join(block.pieces).split(_BR) if _BR in block.pieces else ["".join(block.pieces)]
            block.text = "\n".join(filter(None, (" ".join(line.split()) for line in lines)))
    blocks = [b for b in blocks if b.text]
    kept_tokens = _WORD.findall(kept_text.lower())
    kept_unigrams = set(kept_tokens)
    kept_trigrams = set(zip(kept_tokens, kept_tokens[1:], kept_tokens[2:], strict=False))
    for block in blocks:
        block.kept = overlap(block.text, kept_unigrams, kept_trigrams)
    _describe(blocks, page)
    return blocks


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
    total = sum(len(b.text) for b in blocks) or 1
    kept_total = sum(len(b.text) * b.kept for b in blocks) / total
    count = len(blocks)
    seen = 0
    for i, block in enumerate(blocks):
        text = block.text
        size = len(text)
        tokens = _WORD.findall(text)
        lowered = [t.lower() for t in tokens]
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
            sum(map(_STOP_WORDS.__contains__, lowered)) / words,
            sum(map(len, tokens)) / words,
            sum(t[:1].isupper() for t in tokens) / words,
            len(_DIGIT.findall(text)) / size,
            block.kept,
            previous.kept if previous else -1.0,
            following.kept if following else -1.0,
            min(1.0, previous.link_chars / len(previous.text)) if previous else -1.0,
            min(1.0, following.link_chars / len(following.text)) if following else -1.0,
            math.log1p(len(previous.text)) if previous else -1.0,
            math.log1p(len(following.text)) if following else -1.0,
            kept_total,
            math.log1p(count),
            math.log1p(total),
            math.log1p(block.repeated),
        ]
        features += [float(block.tag == tag) for tag in _OWN_TAGS]
        features += [float(block.landmarks >> j & 1) for j in range(len(_LANDMARKS))]
        features += _bits(block.own_words)
        features += _bits(block.outer_words)
        features += page
        block.features = features
        seen += size


@functools.lru_cache(maxsize=4096)
def _bits(mask: int) -> tuple[float, ...]:
    return tuple(float(mask >> j & 1) for j in range(len(VOCABULARY)))


FEATURE_COUNT = 25 + len(PAGE_TYPES) + 4 + len(_OWN_TAGS) + len(_LANDMARKS) + 2 * len(VOCABULARY)
