"""The one home for parsing a page and reading it (selectolax/lexbor): `parse_html`, text,
class/id tokens, ancestors, link density and the base URL. Pure functions over nodes; they
never change the tree.

Every stage that looks at HTML (the extractor's pre-pass, rules, classifier and author finder,
the crawler's link and feed discovery) reads it through these, so a guard added here (a
malformed `<base href>`, say) holds everywhere.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from scraper.errors import ExtractionError
from scraper.urls import join_http

# The elements a browser lays out as blocks (HTML's default style sheet): each starts a line of
# its own. Any other element, an unknown one included ("mkdir <dirname>" parsed as a tag), runs
# inline with the text around it.
BLOCK_ELEMENTS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "legend", "li", "listing", "main", "menu", "nav", "ol", "p",
    "plaintext", "pre", "search", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "xmp",
})  # fmt: skip

# the spans of the Basic Multilingual Plane that hold its combining marks (Unicode's category M: a
# Hindi or Bengali vowel sign, an Arabic vowel mark, an accent written apart from its letter)
_MARK_SPANS = ((0x0300, 0x1DFF), (0x20D0, 0x20FF), (0x2CEF, 0x2DFF), (0x302A, 0x309A), (0xA66F, 0xABED),
               (0xFB1E, 0xFB1E), (0xFE00, 0xFE2F))  # fmt: skip


def _marks() -> str:
    """The combining marks of `_MARK_SPANS`, as the ranges of a regular expression's class."""
    ranges: list[list[int]] = []
    for code in (c for a, b in _MARK_SPANS for c in range(a, b + 1)):
        if unicodedata.category(chr(code))[0] != "M":
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if b > a else f"\\u{a:04x}" for a, b in ranges)


# A word of a text as a reader counts it: a run of letters or digits with the marks written on
# them (a Hindi word's vowel signs are no letters to Python's \w: counted apart, "ज़्यादा" was
# three words), or one character of a script written without spaces between its words (Chinese,
# Japanese kana; a run of them is a sentence, not a word). Over extracted text, never HTML.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LETTERS, _MARKS = f"[^\\W{_UNSPACED}]", f"[{_marks()}]"
WORD = re.compile(rf"[{_UNSPACED}]{_MARKS}*|{_LETTERS}+(?:{_MARKS}+{_LETTERS}*)*")
# `WORD`'s words in a text of ASCII alone (`str.isascii`), found twice as fast: no mark nor
# unspaced character is ASCII, and the ASCII letters of `_LETTERS` (`\w`) are these
ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")


# How deep the elements that nest without end may nest before the parse, where one long C call
# cannot be stopped. lexbor (as the HTML standard's tree builder says) looks down the whole stack of
# open elements at each of their start tags ("a p element in button scope"), so a page of such tags
# nested N deep costs N squared: 40,000 nested <div>s (440 KB) take 9 s, 200,000 (2.2 MB) minutes,
# in one call no watchdog stops. So every parse flattens the page first (`bounded_html`): in this
# process (`inprocess.run_bounded`: `clean` of a few pages, the Python API) nothing else could stop
# it, and a pool worker (serve, `clean` of many pages, crawls) was killed over `[extract] timeout`
# where `clean` of the same page gave its text: one page, two outcomes. The datasets' 3,371 pages nest
# these tags at most 313 deep (counted as `_flattened` counts), a browser's DOM 512 (Chromium puts
# deeper ones beside); bounds.simplify unwraps every element deeper than 120 anyway, so the text
# and blocks of a page flattened here are those of its full parse.
MAX_NESTING = 4096
# their names, and their tags (`_NESTING` writes the names out by their shared starts; a test holds
# both to the same names): lexbor reads a tag's name in ASCII's cases alone (re.ASCII: "<ſection>"
# is no section, and no more to count than "<foo>")
_NESTING_NAMES = ("address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
                  "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing", "main",
                  "menu", "nav", "ol", "pre", "search", "section", "summary", "ul")  # fmt: skip
_NESTING = re.compile(
    r"<(/?)(?:a(?:ddress|rticle|side)|blockquote|center|d(?:etails|ialog|i[rv]|l)|f(?:ieldset|ig(?:caption"
    r"|ure)|ooter)|h(?:eader|group)|listing|m(?:ain|enu)|nav|ol|pre|s(?:e(?:arch|ction)|ummary)|ul)(?=[\s/>])",
    re.IGNORECASE | re.ASCII,
)


def parse_html(html: str, source: str) -> LexborHTMLParser:
    """The page parsed by lexbor; `ExtractionError` when the parser gives up (it cannot allocate).
    Start tags nested deeper than `MAX_NESTING` are left out first, with their end tags, and the
    attributes of an element past `MAX_ATTRIBUTES` (`bounded_html`)."""
    try:
        return LexborHTMLParser(bounded_html(html))
    except (SelectolaxError, MemoryError) as exc:
        raise ExtractionError(source, "the HTML parser gave up (out of memory)") from exc


@functools.lru_cache(maxsize=2)  # a page is parsed several times, by lexbor and lxml: read it once
def bounded_html(html: str) -> str:
    """`html` as `parse_html` parses it, in every process: flattened (`_flattened`) and without
    the attributes of an element past `MAX_ATTRIBUTES` (`_uncrowded`); a page within both bounds
    (every page of the datasets) as written. For a parser that is not lexbor too (lxml, under
    trafilatura), whose parse is as quadratic in an element's attributes."""
    return _uncrowded(_flattened(html))


# How many attributes an element may have before the parse, where one long C call cannot be
# stopped: lexbor (and libxml2) look for each new attribute among the element's others, so an
# element of N distinct attributes costs N squared: 20,000 (200 KB) take 1.5 s in lexbor alone,
# 200,000 minutes. The datasets' CV pages hold no element of 100. `_uncrowded` leaves out the
# attributes past this many, tokenized as the HTML standard does (a name ends at white space, `/`,
# `>` or `=`; a quoted value may hold `>`), and the contents of raw-text elements and comments.
MAX_ATTRIBUTES = 256
_ATTRIBUTE = r"""(?>[^\s/>][^\s/>=]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"'][^\s>]*|))?[\s/]*)"""
# the elements whose text holds no tags, each with its end tag
_RAW_TEXT = {
    name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE)
    for name in ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
}
# a stretch of text, comments and tags of fewer attributes, up to a raw-text element or a crowded one
_UNCROWDED = re.compile(
    rf"""(?:[^<]++|<!--.*?(?:-->|\Z)|<(?![a-z]|!--)|<(?!(?:{"|".join(_RAW_TEXT)})[\s/>])[a-z][^\s/>]*+[\s/]*+"""
    rf"""{_ATTRIBUTE}{{0,{MAX_ATTRIBUTES}}}+(?!{_ATTRIBUTE}))*+""",
    re.DOTALL | re.IGNORECASE,
)
# the tag there: its name, its first MAX_ATTRIBUTES attributes (if it has so many) and the others
_TAG = re.compile(
    rf"<([a-z][^\s/>]*+)[\s/]*+({_ATTRIBUTE}{{{MAX_ATTRIBUTES}}})?+({_ATTRIBUTE}*+)",
    re.DOTALL | re.IGNORECASE,
)


def _uncrowded(html: str) -> str:
    """`html` without the attributes of each element past `MAX_ATTRIBUTES`, in one pass (C's, but
    for each raw-text element and each crowded element): 3.6 ms a page of the datasets."""
    parts, kept, position = [], 0, 0
    while (position := _UNCROWDED.match(html, position).end()) < len(html):  # type: ignore[union-attr]
        tag = _TAG.match(html, position)
        if tag is None:  # cannot be: the stretch stops at a tag
            break
        if tag.group(2) is not None and tag.group(3):
            parts.append(html[kept : tag.start(3)])
            kept = tag.end(3)
        position = tag.end()
        raw = _RAW_TEXT.get(tag.group(1).lower())
        if raw is not None:  # its text holds no tags: on to its end tag
            end = raw.search(html, position)
            position = len(html) if end is None else end.start() + 1
    if not parts:
        return html
    parts.append(html[kept:])
    return "".join(parts)


def _flattened(html: str) -> str:
    """`html` without the start tags of `_NESTING` met deeper than `MAX_NESTING` (their text kept)
    and as many of its end tags after them: lexbor's cost of such a page stays linear. Counted
    from the tags alone (an end tag closes the last one open, none when none is); a page of fewer
    such start tags than `MAX_NESTING` is as written, found by C's counts (most pages are not even
    read: fewer `<`; the others' start tags are counted by one search, `_NESTING_START`). A page of
    more is cut at its tags and walked by C's loops (`map`,
    `accumulate`), each stretch of tags left out at once: 100,000 nested <div>s cost 0.12 s of CPU,
    where a Python loop over their tags cost 0.20 (0.75 s on a loaded machine)."""
    if html.count("<") <= MAX_NESTING:
        return html
    if len(_NESTING_START.findall(html)) <= MAX_NESTING:  # no deeper than its start tags are many
        return html
    # text, "<" or "</", text, ...: tag i opens with pieces[2i+1], its name, attributes and ">"
    # begin pieces[2i+2], the text after it
    pieces = _NESTING_SPLIT.split(html)
    tags = len(pieces) // 2
    steps = list(map(_STEP.get, pieces[1::2], itertools.repeat(1)))
    # the depth before each tag, and after the last: the sum of the steps before it, less the lowest
    # that sum has been (where it went below 0, end tags closed nothing)
    depths = list(itertools.accumulate(steps, initial=0))
    if min(depths) < 0:
        depths = list(map(operator.sub, depths, itertools.accumulate(depths, min)))
    if max(depths) <= MAX_NESTING:
        return html
    # left out: a start tag met MAX_NESTING deep or deeper, an end tag met deeper (one left out
    # before it is still open): each tag MAX_NESTING deep or deeper before it and after it, a byte
    # each (1: left out), the two sides joined as integers
    deep = bytes(map(operator.ge, depths, itertools.repeat(MAX_NESTING)))
    out = (int.from_bytes(deep[:-1]) & int.from_bytes(deep[1:])).to_bytes(tags)
    swallowed = 0  # the first tag not run over by one left out before it (one missing its ">")
    for stretch in re.finditer(b"\x01+", out):
        first, end = max(stretch.start(), swallowed), stretch.end()
        if first >= end:
            continue
        # each tag's "<", and the text after it to its first ">" (all of it if it has none)
        pieces[2 * first + 1 : 2 * end + 1 : 2] = itertools.repeat("", end - first)
        after = pieces[2 * first + 2 : 2 * end + 2 : 2]
        pieces[2 * first + 2 : 2 * end + 2 : 2] = map(_PAST, map(str.partition, after, itertools.repeat(">")))
        if ">" in after[-1]:
            continue
        # the last one's ">" is further on: what lies between goes with it, tags left in included
        swallowed = end
        while swallowed < tags and ">" not in pieces[2 * swallowed + 2]:
            pieces[2 * swallowed + 1] = pieces[2 * swallowed + 2] = ""
            swallowed += 1
        if swallowed < tags:
            pieces[2 * swallowed + 1] = ""
            pieces[2 * swallowed + 2] = pieces[2 * swallowed + 2].partition(">")[2]
            swallowed += 1
    return "".join(pieces)


# a start tag of `_NESTING`, to count them: one search of the page, where the page lowered and
# counted for each name's "<name" cost 15 ms a page of the corpus sample's 108 of 600 with more
# than MAX_NESTING "<" (2.8 ms a page of the 600; this 0.35)
_NESTING_NAME = _NESTING.pattern.removeprefix("<(/?)")  # a name of `_NESTING` and what follows it
_NESTING_START = re.compile(f"<{_NESTING_NAME}", re.IGNORECASE | re.ASCII)
# a tag of `_NESTING`, to cut the page at: its "<" or "</"
_NESTING_SPLIT = re.compile(f"(</?)(?={_NESTING_NAME})", re.IGNORECASE | re.ASCII)
_STEP = {"</": -1}  # an end tag's step; a start tag's, 1
_PAST = operator.itemgetter(2)  # of a text's partition at ">": what follows it ("" if none)


# -- text --------------------------------------------------------------------------------------


def text_of(node: LexborNode) -> str:
    """The node's text, its descendants' text nodes stripped and joined by one space; read once a
    node within `unchanged()`."""
    held = _HELD.get()
    if held is None:
        return _text(node)
    found = held.get(node.mem_id)
    if found is None:
        found = held[node.mem_id] = _text(node)
    return found


def _text(node: LexborNode) -> str:
    """lexbor's reading of `text_of`: each time, a walk of the node's subtree."""
    return node.text(deep=True, separator=" ", strip=True)


# `text_of`'s texts within `unchanged()`, by node (`mem_id`, the node's address: unique among the
# nodes alive, and no node is freed or made while the trees are unchanged)
_HELD: ContextVar[dict[int, str] | None] = ContextVar("held_texts", default=None)


@contextmanager
def unchanged() -> Iterator[None]:
    """Within it, the trees read are not changed (no node removed, moved or added; no text set),
    and `text_of` reads each node's text once: the pre-pass's rules and the page signals ask for
    the same elements' text many times over (a container's links, once for each container around
    them: about half of a page's text reads on bench-speed's CV pages)."""
    token = _HELD.set({})
    try:
        yield
    finally:
        _HELD.reset(token)


# the elements whose content no reader sees as the page's text, whatever the CSS: code run
# (script), styles, the fallback for a browser without scripts (noscript), markup kept for a
# script to copy (template) and drawings (svg). Each reader of a page adds what it also skips:
# the blocks their form fields and embeds (blocks), the shown text its <head> and ruby annotations
# (rendered); page typing the markup's comments (classify)
UNSEEN = ("script", "style", "noscript", "template", "svg")

# the annotations over ruby text (furigana, pinyin; <rp> holds their fallback brackets): the text
# reads as its base, so neither the blocks, the shown text nor trafilatura's input holds them
# (trafilatura would keep them inline: "子こども")
RUBY_ANNOTATIONS = frozenset({"rt", "rp", "rtc"})

# the annotations of a MathML formula (<semantics>' TeX source or other markup for tools, never
# laid out): the formula reads as its token elements (<mi>, <mo>, <mn>, ...), as a browser shows it
MATH_ANNOTATIONS = frozenset({"annotation", "annotation-xml"})

# text for screen readers only, by the class the common CSS frameworks hide it with (Bootstrap's
# "sr-only" and "visually-hidden", Tailwind's "sr-only", WordPress's "screen-reader-text"): a
# variant's name spelt out on its swatch ("Option: Sofa, light beige"), "(opens in a new
# window)", a price read aloud beside the one shown. No reader of the page sees it.
SCREEN_READER_ONLY = '[class~="sr-only"], [class~="visually-hidden"], [class~="screen-reader-text"]'


# U+00AD, a soft hyphen: where a word may break at a line's end, shown only there
SOFT_HYPHEN = "\u00ad"
# the characters a page never shows: a soft hyphen, a zero-width space (U+200B: where a line may
# break, no space shown), a word joiner (U+2060: where it may not) and its old form, U+FEFF (a byte
# order mark inside a text). trafilatura's output drops them too (not printable). The joiners that
# shape a script's letters or an emoji (U+200C, U+200D) are read, and stay.
INVISIBLE = (SOFT_HYPHEN, "\u200b", "\u2060", "\ufeff")


# What no text holds: the C0 controls but the tab, the line feed and the carriage return, DEL,
# U+FFFE, U+FFFF and a lone surrogate. XML holds none of them (DEL it discourages), a terminal reads
# them as commands (an escape sequence), and a browser shows none: a BEL between two words of a
# reference list ("Panel\x07on") lays out as nothing. The C1 controls stay, as every other character
# XML holds does (the joiners, U+200C and U+200D): a page decoded twice writes its quotes with them
# ("LLC\u00e2\x80\x99s"), which a repair (ftfy) reads back and the wcxb truths hold as the page has
# them (dropped, 10 of wcxb-dev's CV pages lost a little); a terminal gets them escaped (cli/output),
# and trafilatura's XML and Markdown drop them (their serialisers drop every unprintable character).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff"
_A_CONTROL = re.compile(f"[{_CONTROL}]")
# a run of them, with one of the spaces around it where it stood between spaces or at a line's edge
_CONTROLS = re.compile(f"(?<![^ \\n])[{_CONTROL}]+ | [{_CONTROL}]+(?![^\\n])|[{_CONTROL}]+")


def without_controls(text: str) -> str:
    """`text` without the characters no text holds (`_CONTROL`): the one rule of what the text, the
    Markdown, the XML and the metadata of a record may hold. A run of them between two spaces
    leaves one space (a BEL between two words' spaces: "a b"), at a line's edge none."""
    return _CONTROLS.sub("", text) if _A_CONTROL.search(text) else text


def composed(text: str) -> str:
    """`text` as a reader reads it, and as trafilatura writes its output: in Unicode's composed form
    (NFC), so that a page's U+09DF (Bengali yya, which NFC writes as its two parts) or an "e" with a
    combining accent reads the same as its composed twin, and without the characters a page never
    shows (`INVISIBLE`): a soft hyphen or a zero-width space, where a line may break inside the word
    ("Verfassungs\u00adgericht" is one word to a reader and to a search), nor those no text holds
    (`without_controls`). Either way a search for the text finds it as other tools write it."""
    text = without_controls(text)
    for mark in INVISIBLE:
        if mark in text:
            text = text.replace(mark, "")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def text_start(node: LexborNode, size: int) -> str:
    """`text_of(node)[:size]`, its text nodes read only until they make that many characters (the
    whole text of a corpus page's body is 90,000 characters on average, its scripts' included).
    lexbor's `text_of` is each text node stripped, white space alone included (as ""), joined by
    one space."""
    parts: list[str] = []
    length = -1  # the joined parts' length: one space fewer than the parts
    for child in node.traverse(include_text=True):
        if child.is_text_node:
            piece = (child.text_content or "").strip()
            parts.append(piece)
            length += len(piece) + 1
            if length >= size:
                break
    return " ".join(parts)[:size]


def words_of(node: LexborNode) -> str:
    """`text_of` with every run of white space folded to one space: text for comparing and showing."""
    return " ".join(text_of(node).split())


def link_text_length(node: LexborNode, most: int | None = None) -> int:
    """Characters of `text_of` the node's links hold; counted no further than `most` when given
    (the links after the one that reaches it are not read), which is enough to compare the count
    with a bound."""
    if most is None:
        return sum(len(text_of(a)) for a in node.css("a"))
    total = 0
    for link in node.css("a"):
        total += len(text_of(link))
        if total >= most:
            break
    return total


def link_density(node: LexborNode) -> float:
    """The share of the node's text that sits inside links; 0.0 for a node without text."""
    size = len(text_of(node))
    return link_text_length(node) / size if size else 0.0


# -- class and id tokens -----------------------------------------------------------------------

_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")  # over attribute values, not HTML
_MAX_ID_PARTS = 3


def class_tokens(node: LexborNode) -> frozenset[str]:
    """The words of a node's class and id, lowercase, as rules and word lists match them.

    Each value gives itself, its parts (split on dashes, underscores and camelCase) and each
    pair of adjacent parts, so "tdb-author-box" matches "author" and "author-box", and
    "moreStories" matches "more-stories". An id of more than three parts is a slug of the
    section's heading ("sharing-with-a-single-developer"), not a role, and is left out.
    """
    attrs = node.attributes
    names, ident = attrs.get("class"), attrs.get("id")
    if not names and not ident:
        return _NO_TOKENS
    return _class_tokens(names or "", ident or "")


_NO_TOKENS: frozenset[str] = frozenset()


def class_words(node: LexborNode, words: frozenset[str]) -> frozenset[str]:
    """`class_tokens(node) & words`, without splitting a class or id that cannot hold one of the
    `words` (most of a page's do not): a token is a lowercase piece of the class or id, or two
    adjacent pieces joined by a dash, so each of the words holds its first piece in the lowercase
    value, or is not among its tokens."""
    attrs = node.attributes
    names, ident = attrs.get("class") or "", attrs.get("id") or ""
    if not (names or ident):
        return _NO_TOKENS
    return _class_words(names, ident, words)


def role_words(node: LexborNode, words: frozenset[str], permalinked: frozenset[int]) -> frozenset[str]:
    """`class_words`, without the id of a node in `permalinked` (`permalinks` of the page): an id
    the node's heading links to, as `<section id="cookies">` whose `<h2>` links to "#cookies", or
    `<h3 id="social-benefits">` with its "#" link. Such an id is the permalink anchor of a section
    of the text (documentation generators and many blogs link each heading to itself), named after
    what the section says, not the role of the element. A banner's or a menu's link to itself is a
    close button, outside any heading: their ids still count."""
    found = class_words(node, words)
    if not found or node.mem_id not in permalinked:
        return found
    return _class_words(node.attributes.get("class") or "", "", words)


# the heading elements, by rank (h1 first)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HEADING_LINKS = ", ".join(f'{heading} a[href^="#"]' for heading in HEADINGS)


def permalinks(root: LexborNode) -> frozenset[int]:
    """The elements in `root` (their `mem_id`) that a link in a heading within them (or in them, a
    heading) names by their id: "#cookies" in the `<h2>` of `<section id="cookies">`, or a link
    that is its own anchor. One climb from each such link, found by lexbor: a page costs its
    heading links times their depth, not its elements times their links (a page of nested
    "menu"s each holding the same self-links took seconds)."""
    found: set[int] = set()
    for link in root.css(_HEADING_LINKS):
        fragment = (link.attributes.get("href") or "")[1:]
        if not fragment:
            continue
        # as a browser finds the element: the fragment as written, else percent-decoded as UTF-8
        # ("#caf%C3%A9" names id="café", as generators of heading ids write it)
        targets = {fragment, unquote(fragment)}
        if link.id in targets:
            found.add(link.mem_id)
        in_heading = False
        for above in ancestors(link):
            in_heading = in_heading or above.tag in HEADINGS
            if in_heading and above.id in targets:
                found.add(above.mem_id)
            if above.mem_id == root.mem_id:
                break
    return frozenset(found)


@functools.lru_cache(maxsize=32768)  # pure; a page repeats its class strings, a site its pages'
def _class_words(names: str, ident: str, words: frozenset[str]) -> frozenset[str]:
    if _mentions(words).search(f"{names} {ident}".lower()) is None:
        return _NO_TOKENS
    return _class_tokens(names, ident) & words


# the characters outside ASCII that lower into an ASCII letter (and a combining dot, for the first)
_LOWERS_TO_ASCII = ("\u0130", "\u212a")


@functools.cache  # one per word list: a few, made at import
def named_selector(words: frozenset[str]) -> str:
    """A CSS selector for the elements whose class or id may hold one of `words` among its tokens
    (`class_words`): one whose value holds the first piece of a word, ASCII case aside (`i`), or
    one of the two characters outside ASCII that lower into an ASCII letter ("\u212a".lower() is
    "k"). It finds more than `class_words` allows (a piece inside a longer name, an id slug), never
    less: lexbor walks the elements, and `class_words` decides. A node that matches several of its
    selectors comes once for each, in document order."""
    pieces = {word.split("-", 1)[0] for word in words}
    pieces = {p for p in pieces if not any(q != p and q in p for q in pieces)}  # "cookie" finds "cookies"
    tests = [f'[{name}*="{piece}" i]' for piece in sorted(pieces) for name in ("class", "id")]
    return ", ".join(tests + [f'[{name}*="{c}"]' for c in _LOWERS_TO_ASCII for name in ("class", "id")])


def class_text(node: LexborNode) -> str:
    """A node's class and id as one lowercase string, an id slug left out as `class_tokens` leaves
    it: each of its class tokens is a piece of this string, or two adjacent pieces joined by a dash,
    so a word without a dash or a space is inside one of the tokens exactly when it is inside this."""
    return attributes_class_text(node.attributes)


def attributes_class_text(attributes: dict[str, str | None]) -> str:
    """`class_text` of a node whose `attributes` were read already (each read of
    `LexborNode.attributes` builds a new dict: about a microsecond)."""
    names, ident = attributes.get("class"), attributes.get("id")
    if not names and not ident:
        return ""
    return _class_text(names or "", ident or "")


@functools.lru_cache(maxsize=16384)
def _class_text(names: str, ident: str) -> str:
    return f"{names} {_role(ident)}".lower()


@functools.cache  # one per word list: a few, made at import
def _mentions(words: frozenset[str]) -> re.Pattern[str]:
    """What the lowercase class and id must contain for one of `words` to be among their tokens:
    the first piece of one, as a pattern that shares prefixes ("author|authorbox|about" is
    "a(?:uthor(?:box)?|bout)"), which is tested at each position in one pass instead of each
    piece in turn."""
    return re.compile(_prefix_tree({word.split("-", 1)[0] for word in words}))


def _prefix_tree(pieces: set[str]) -> str:
    """A pattern matching exactly the `pieces`, their shared prefixes written once."""
    if pieces == {""}:
        return ""
    if not pieces:
        return "(?!)"  # no word: nothing can hold one
    heads = sorted({p[0] for p in pieces if p})
    branches = [re.escape(h) + _prefix_tree({p[1:] for p in pieces if p[:1] == h}) for h in heads]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in pieces else body


@functools.lru_cache(maxsize=16384)  # pure; a site repeats the same class strings on every page
def _class_tokens(names: str, ident: str) -> frozenset[str]:
    return frozenset().union(*map(_name_tokens, f"{names} {_role(ident)}".split()))


def _role(ident: str) -> str:
    """The id, or "" for an id of more than three parts: a slug of its section's heading, no role."""
    return "" if len(_TOKEN_SPLIT.split(ident)) > _MAX_ID_PARTS else ident


# pure; class names recur across sites ("col-md-6", "entry-content") far more than whole class
# strings do: over pages of many sites the cache above misses one lookup in three, this one seldom
@functools.lru_cache(maxsize=32768)
def _name_tokens(name: str) -> frozenset[str]:
    """One class name or id: itself, its parts and each pair of adjacent parts, lowercase."""
    parts = [p.lower() for p in _TOKEN_SPLIT.split(name) if p]
    return frozenset((name.lower(), *parts, *(f"{a}-{b}" for a, b in itertools.pairwise(parts))))


# -- ancestors ---------------------------------------------------------------------------------


def ancestors(node: LexborNode, *, include_self: bool = False) -> Iterator[LexborNode]:
    """The node's parent, its parent and so on up to the document (the node first if asked)."""
    current = node if include_self else node.parent
    while current is not None:
        yield current
        current = current.parent


# -- base URL ----------------------------------------------------------------------------------


def base_url(tree: LexborHTMLParser, page_url: str) -> str:
    """What the page's relative links resolve against: its `<base href>` made absolute.

    The page's own URL when there is no `<base href>`, or when it does not resolve to an
    http(s) URL (a malformed IPv6 literal, `javascript:`, ...): a hostile base never breaks a page.
    """
    node = tree.css_first("base[href]")
    if node is None:
        return page_url
    return join_http(page_url, node.attributes.get("href") or "") or page_url
