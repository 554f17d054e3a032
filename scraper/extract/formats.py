"""The main content in trafilatura's XML, and the outputs built from it; pure.

    content(found, settings)  -> Content      (pipeline.py) XML and Markdown of a trafilatura extraction
    chosen_content(shown, blocks) -> Content  (pipeline.py) the same for the blocks the model chose
    render_xml(doc, tei=...)  -> str          (corpus/writers.py) trafilatura's `<doc>`, or a TEI document
    render_html(doc)          -> str          (corpus/writers.py) the cleaned HTML, metadata in `<meta>` tags

A `Document` carries its main content as trafilatura's XML (`Document.xml`: `<main>`, then
`<comments>` when comments are kept): links (`<ref>`), images (`<graphic>`) and emphasis (`<hi>`)
only when `[extract] include_links`, `include_images`, `include_formatting` ask for them, as
trafilatura's `--links`, `--images`, `--formatting` do. The XML, TEI and HTML outputs are
trafilatura's own serialisers run over that XML and our record's metadata (our authors, dates
and language, not trafilatura's), so they read exactly as `trafilatura --xml` / `--xmltei` /
`--html` output does. With pipeline.py, this is the only module that imports trafilatura.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

from lxml import etree
from trafilatura.htmlprocessing import build_html_output
from trafilatura.settings import Document as _Extracted
from trafilatura.settings import Extractor
from trafilatura.utils import sanitize
from trafilatura.xml import control_xml_output, xmltotxt

from scraper.config import ExtractSettings
from scraper.dom import BLOCK_ELEMENTS, without_controls
from scraper.extract.model import LINKED, MACHINE_IDS, calls, drop_copies, machine
from scraper.extract.rules import closing_rails, count_lists, readable, unreadable
from scraper.models import Document
from scraper.urls import is_safe_link, redacted

__all__ = [
    "Content",
    "chosen_content",
    "content",
    "keep_preformatted",
    "plain_text",
    "rejoin",
    "remove_calls",
    "remove_closing_rails",
    "remove_copies",
    "remove_count_lists",
    "remove_machine",
    "remove_unreadable",
    "render_html",
    "render_xml",
    "reseam",
    "respace",
    "tidy_markdown",
    "unwrap",
    "without_images",
    "xml_blocks",
]


@dataclass(frozen=True, slots=True)
class Content:
    """What the user sees of one extraction: its Markdown and its XML (`Document.xml`)."""

    markdown: str
    xml: str


def content(found: _Extracted, settings: ExtractSettings, *, markdown: bool = True) -> Content:
    """The main content (and the comments, when they are kept) as the settings ask for it.

    trafilatura is always asked for links and emphasis (the quality score reads the links);
    what the user did not ask for is taken out here, from `found`'s own trees, in place (a copy
    cost 2 ms a page): call it once the rest of `found` has been read. Without `markdown`, its
    Markdown is left empty (the XML is what `chosen_content` reads; the Markdown cost 0.5 ms).
    """
    parts, markdowns = [], []
    bodies = [("main", found.body)]
    if settings.include_comments and found.commentsbody is not None and len(found.commentsbody):
        bodies.append(("comments", found.commentsbody))
    for tag, body in bodies:
        tree = body
        if not settings.include_links:
            etree.strip_tags(tree, "ref")
        _unlink_unsafe(tree)
        if not settings.include_formatting:
            etree.strip_tags(tree, "hi")
        _xml_names(tree)
        tree.tag = tag
        tree.attrib.clear()
        if markdown:
            markdowns.append(tidy_markdown(xmltotxt(tree, True)))
        parts.append(etree.tostring(tree, encoding="unicode", with_tail=False))
    return Content(markdown="\n\n".join(filter(None, markdowns)), xml="".join(parts))


# An XML name without a prefix (over tag and attribute names, never HTML)
_XML_NAME = re.compile(r"[^\W\d][\w.\-]*")
_UNWRAPPED = "unwrapped-by-scraper"  # an element whose name XML cannot hold, before it goes


def _xml_names(tree: etree._Element) -> None:
    """Tags and attributes whose names XML cannot hold give XML that no parser reads back: Word's
    `<o:p>` (an undeclared prefix, kept by the HTML parser as a tag named "o:p"), the words of a
    broken tag (`<p dir="ltr" powered by common sense - articles>`: attributes named "-" and
    "thorpe,"). Such elements are unwrapped, their text kept; such attributes are dropped."""
    for element in tree.iter():
        if isinstance(element.tag, str) and not _XML_NAME.fullmatch(element.tag):
            element.tag = _UNWRAPPED
        for name in [name for name in element.attrib if not _XML_NAME.fullmatch(name) and name[0] != "{"]:
            del element.attrib[name]
    etree.strip_tags(tree, _UNWRAPPED)


def _unlink_unsafe(tree: etree._Element) -> None:
    """A link whose target is script (`javascript:`, `data:`, `urls.is_safe_link`) loses its
    link, its text kept: `--links` wrote `<a href="javascript:...">` into the HTML output and
    `[text](<javascript:...>)` into the Markdown, run by whoever reads the output and clicks."""
    unsafe = [ref for ref in tree.iter("ref") if not is_safe_link(ref.get("target") or "")]
    for ref in unsafe:
        ref.tag = _UNWRAPPED
    if unsafe:
        etree.strip_tags(tree, _UNWRAPPED)


def plain_text(body: etree._Element) -> str:
    """One paragraph per line, no Markdown, whatever links or images the XML keeps; the lines of a
    code block, or of a quote that keeps several (a <pre> trafilatura took for a quote), keep their
    indentation, as the blocks' text keeps a <pre>'s (`_indented`).

    trafilatura writes links as [text](url) and images as ![alt](src) even without formatting, so
    the <ref> wrappers and the <graphic> elements go first (from a copy: the XML is kept).
    """
    body = without_images(body)
    etree.strip_tags(body, "ref")
    for code in body.iter("code"):  # two code blocks in a row: xmltotxt ran them on ("}// next")
        parent, after = code.getparent(), code.getnext()
        in_block = parent is not None and parent.tag in _CODE_BLOCK_PARENTS
        if in_block and after is not None and after.tag == "code" and not (code.tail or "").strip():
            code.tail = "\n"
    indented = _marked_blocks(body)
    lines = [" ".join(line.split()) for line in xmltotxt(body, False).splitlines()]
    lines = [line for line in lines if line]
    return "\n".join(_indented(lines, indented) if indented else lines)


# where an indented block's first line starts (`_marked_blocks`): the block's number between these
# marks, which `_indented` takes out of every line
_BLOCK_MARK, _BLOCK_MARK_END = "\u2983", "\u2984"
_BLOCK_MARKS = re.compile(f"{_BLOCK_MARK}(\\d+){_BLOCK_MARK_END}")
_LEADING_MARKS = re.compile(f"(?:{_BLOCK_MARKS.pattern})+")


def _marked_blocks(body: etree._Element) -> list[list[str]]:
    """The lines, as the page writes them, of each code block of `body` (and each quote that keeps
    several lines: a <pre> trafilatura took for a quote, `unwrap`) one of whose lines is indented;
    each marked, in place, where its first line starts (`_BLOCK_MARK`, its number in the list), so
    that `_indented` finds it where it stands in the text. None on a page whose text holds the mark
    itself: its code keeps the text's spacing, as before the marks. Marked once all are read: a
    code block in a quote starts where the quote does."""
    if any(_BLOCK_MARK in text for text in body.itertext()):
        return []
    indented: list[tuple[etree._Element, list[str]]] = []
    for block in body.iter("code", "quote"):
        parent = block.getparent()
        if block.tag == "code" and (parent is None or parent.tag not in _CODE_BLOCK_PARENTS):
            continue  # inline code
        written = [line.rstrip() for line in "".join(block.itertext()).splitlines() if line.strip()]
        if len(written) > 1 and any(line[0] in " \t" for line in written):
            indented.append((block, written))
    for number, (block, _) in enumerate(indented):
        _mark(block, f"{_BLOCK_MARK}{number}{_BLOCK_MARK_END}")
    return [written for _, written in indented]


def _mark(block: etree._Element, mark: str) -> None:
    """`mark` put before the first character of `block`'s text that is not white space (in the
    text or a tail of it or its descendants: `itertext`'s order), so that its first line starts
    with it; no white space and no text added or taken away anywhere else."""
    for element, slot in _text_slots(block):
        text = getattr(element, slot)
        if text and not text.isspace():
            start = len(text) - len(text.lstrip())
            setattr(element, slot, text[:start] + mark + text[start:])
            return


def _text_slots(element: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Where `element`'s text stands, in `itertext`'s order: its text, then each child's slots and
    tail (a comment's text is none of it)."""
    yield element, "text"
    for child in element:
        if isinstance(child.tag, str):
            yield from _text_slots(child)
        yield child, "tail"


def _indented(lines: list[str], blocks: list[list[str]]) -> list[str]:
    """`lines` (a text's, white space collapsed, holding `_marked_blocks`' marks) without the marks,
    and each of the code `blocks` (their lines as the page writes them) written so, indented, where
    its mark starts a line and the lines from there read as the block's. A block whose lines the
    text does not hold so (run on, cut, or written otherwise) is left as the text has it; each line
    compared as trafilatura writes it (`_as_xmltotxt_writes`), written as the page does. One pass:
    a block is looked for where it stands alone, never in the lines of another or of a paragraph
    that read the same (a tutorial's flat code before its indented fix); a block within one written
    (a <code> in a quote) is written as the outer one writes it."""
    read = [_BLOCK_MARKS.sub("", line) if _BLOCK_MARK in line else line for line in lines]
    found, written_to = list(read), 0  # the lines a block has written: a quote's, not its code's
    for i, line in enumerate(lines):
        leading = _LEADING_MARKS.match(line) if i >= written_to else None
        for number in sorted(map(int, _BLOCK_MARKS.findall(leading.group()))) if leading is not None else ():
            block = blocks[number]  # the outer first: its number is the lower
            keys = [" ".join(_as_xmltotxt_writes(written).split()) for written in block]
            if read[i : i + len(block)] == keys:
                found[i : i + len(block)] = block
                written_to = i + len(block)
                break
    return found


def _as_xmltotxt_writes(line: str) -> str:
    """A line of an element's text as `xmltotxt` writes it: its sanitiser drops what is not
    printable (a zero-width space, a soft hyphen), and it decodes entities the text holds as
    written ("&lt;", a page's code showing one)."""
    return unescape(sanitize(line, True) or "")


def unwrap(body: etree._Element) -> None:
    """Every run of whitespace in the tree's text outside code becomes one space, in place.

    A line break in the source inside a paragraph is whitespace, as a browser renders it: only
    code keeps its lines, and only block boundaries (and <lb/>, a <br>) break a line. Code inside
    a sentence (words follow it in its paragraph: "the <code>summary\nphrase</code> should") is
    inline, as a browser lays it out (trafilatura's Markdown wrote it as a fenced block in the
    middle of the sentence). A quote of several lines is left as it is, for `keep_preformatted`: it
    may be a <pre> (trafilatura turns a <pre> that does not look like code into a <quote>).

    A table of one cell that holds only blocks is a box the page lays them out in: its blocks stay,
    the table goes (a <pre> in it ran on in the text and the Markdown, as a table's cells do).

    An element that is neither trafilatura's nor an HTML block element (a custom <directoryname>,
    a <span> it let through) is inline text of the page: it is unwrapped, its text kept, so it
    runs on as the page runs it (trafilatura's text and Markdown put a space after an element
    they do not know: "Create a <directoryname>directory</directoryname>." read "directory .").
    """
    tags = {element.tag for element in body.iter() if isinstance(element.tag, str)}
    strays = tags - _TRAFILATURA_XML - BLOCK_ELEMENTS
    if strays:
        etree.strip_tags(body, *strays)
    for table in [table for table in body.iter("table") if _layout(table)]:
        table.tag = _UNWRAPPED  # with its row and cell: the blocks inside are the page's
        table[0].tag = table[0][0].tag = _UNWRAPPED
        etree.strip_tags(table.getparent(), _UNWRAPPED)  # type: ignore[arg-type]  # main has the table
    kept = {inner for element in body.iter("code") if not _in_sentence(element) for inner in element.iter()}
    kept.update(inner for element in body.iter("quote") if _lines(element) for inner in element.iter())
    _one_spaced(body, kept)


def _layout(table: etree._Element) -> bool:
    """Whether `table` is a box for laying out blocks, no table: one row of one cell, and only
    blocks in it (a <pre> in a one-cell table: its lines ran on in the text, as cells do)."""
    if len(table) != 1 or len(table[0]) != 1 or table.getparent() is None:
        return False
    cell = table[0][0]
    return (
        cell.tag == "cell"
        and len(cell) > 0
        and not (cell.text or "").strip()
        and all(child.tag in _LAID_OUT and not (child.tail or "").strip() for child in cell)
    )


_LAID_OUT = frozenset({"p", "head", "list", "quote", "code", "table"})  # blocks a layout cell may hold


def _in_sentence(code: etree._Element) -> bool:
    """Whether `code` is inline in a paragraph's sentence: not a block of its own, words after it."""
    parent = code.getparent()
    return parent is not None and parent.tag not in _CODE_BLOCK_PARENTS and bool((code.tail or "").strip())


# trafilatura's XML elements (its TEI tags, and the roots of its main text and comments)
_TRAFILATURA_XML = frozenset(
    {"doc", "main", "comments", "body", "div", "ab", "p", "head", "hi", "ref", "del", "lb", "list",
     "item", "quote", "code", "table", "row", "cell", "graphic", "figure", "note"}
)  # fmt: skip


def keep_preformatted(body: etree._Element, preformatted: Collection[str]) -> bool:
    """The page's preformatted text as the page has it, in place; whether any changed. A quote
    `unwrap` left with its lines keeps them when it is one of the page's <pre> (`preformatted`:
    their texts, lines kept), as code does, and is one line otherwise (a <blockquote> wrapped in
    the source). A quote or paragraph that is a <pre> of several lines but lost its lines in
    trafilatura gets the page's back (trafilatura collapses the text between a <pre>'s highlighted
    spans: "@cache def factorial(n): return ..."), unless a link or an image in it would go."""
    changed = False
    pres = {_words(pre): pre for pre in preformatted if "\n" in pre}
    for block in body.iter("quote", "p"):
        lines = _lines(block)
        if not (pres or (lines and block.tag == "quote")) or _inside(block, "code"):
            continue  # no <pre> on the page, and no quote of several lines
        words = _words("".join(block.itertext()))
        if not lines:
            pre = pres.get(words)
            if pre is not None and next(block.iter("ref", "graphic", "lb"), None) is None:
                for child in list(block):
                    block.remove(child)
                block.text = pre
                changed = True
        elif block.tag == "quote" and not any(words in pre for pre in pres):
            _one_spaced(block, {inner for element in block.iter("code") for inner in element.iter()})
            changed = True
    return changed


def _lines(element: etree._Element) -> bool:
    """Whether `element`'s own text or its descendants' breaks a line (an <lb/> apart)."""
    return any("\n" in text for text in element.itertext())


def _inside(element: etree._Element, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in element.iterancestors())


def _one_spaced(tree: etree._Element, kept: set[etree._Element]) -> None:
    """`unwrap` over `tree`, the text of the elements in `kept` (and their children's tails) apart."""
    for element in tree.iter():
        if element.text and element not in kept:
            element.text = _one_space(element.text)
        if element.tail and element.getparent() not in kept and element is not tree:
            element.tail = _one_space(element.tail)


# Words each side of a break between two paragraphs that are compared with the page's blocks.
_JUNCTION = 4


def rejoin(body: etree._Element, page: str) -> bool:
    """Paragraphs that are one block of the page become one paragraph again, in place; whether any did.

    trafilatura makes a paragraph of each run of loose text in a container: "for <a><em>Black
    Ops 2</em></a> is fun" in a <div> comes back as two <p>, split at the link, or as loose text
    or a loose link beside a <p>. `page` is the text of the page's blocks, one per line
    (blocks.py): a paragraph and its neighbour (a paragraph, loose text, a loose link or emphasis,
    code of one line trafilatura lifted out of the sentence) are joined when the words around
    their break run on inside one of its lines and no line of the page ends and the next starts
    there."""
    joined = False
    for paragraph in list(body.iter("p")):
        if paragraph.getparent() is None:  # merged into the paragraph before it
            continue
        while _take_text_before(paragraph, page):
            joined = True
        while _take_next(paragraph, page):
            joined = True
    return joined


# The lines `resplit` looks for in a page's paragraphs, in all (each paragraph that is no line of
# the page costs one search per line): a bound on its time, a few tens of ms, on a page of
# thousands of paragraphs that are none of its lines (about 1 s for 3,000 of them otherwise).
_SPLIT_SEARCHES = 300_000


def resplit(body: etree._Element, page: str, shown: Callable[[], str]) -> bool:
    """Paragraphs that hold several blocks of the page, one after the other, split at the blocks'
    bounds, in place; whether any was. trafilatura's last fallback on a short page (its baseline)
    gives the text of the whole <article> as one paragraph: the title, the byline and the story on
    one line. `page` is the text of the page's blocks, one per line (blocks.py): only a paragraph
    of plain text (no link or emphasis inside) is split, and only where at least two of the page's
    lines are found in it whole, in the page's order, at word bounds; what lies between them (a
    share bar of the unpre-passed page) is a piece too. `shown` gives the page's lines as a
    browser lays them out (rendered.py), asked only for such a paragraph: no cut is made where they
    run on (buttons side by side, each a block). The words do not change. The search is bounded
    (`_SPLIT_SEARCHES`): past it, the paragraphs left stay as they are."""
    lines = [line for line in page.split("\n") if line.strip()]
    whole = set(lines)
    split = False
    searches = 0  # the lines looked for, in all: at most _SPLIT_SEARCHES a page
    for paragraph in list(body.iter("p")):
        text, parent = " ".join((paragraph.text or "").split()), paragraph.getparent()
        if len(paragraph) or parent is None or text in whole:
            continue
        searches += len(lines)
        if searches > _SPLIT_SEARCHES:
            break
        pieces: list[str] = []
        for piece in _pieces(text, lines):  # joined again where the page runs them on
            if pieces and _runs_on(pieces[-1], piece, shown()) is not None:
                pieces[-1] += " " + piece
            else:
                pieces.append(piece)
        if len(pieces) < 2:
            continue
        _split_into(paragraph, pieces)
        split = True
    return split


def split_declared(body: etree._Element, declared: list[list[str]]) -> bool:
    """A paragraph that is one of the `declared` bodies whole (a JSON-LD `articleBody` as its
    paragraphs, metadata.body_paragraphs), its paragraphs joined by a space, split into them, in
    place; whether any was. trafilatura's last fallback on a short page (its baseline) gives such a
    body as one paragraph, its line breaks folded. The words do not change."""
    joined = {" ".join(paragraphs): paragraphs for paragraphs in declared if len(paragraphs) > 1}
    split = False
    for paragraph in list(body.iter("p")) if joined else ():
        text = " ".join((paragraph.text or "").split())
        if len(paragraph) == 0 and paragraph.getparent() is not None and text in joined:
            _split_into(paragraph, joined[text])
            split = True
    return split


def _split_into(paragraph: etree._Element, pieces: list[str]) -> None:
    """`paragraph` (of plain text, inside a parent) replaced by one like it for each piece."""
    parent = paragraph.getparent()
    if parent is None:  # callers split only paragraphs inside a body
        return
    at, tail = parent.index(paragraph), paragraph.tail
    for offset, piece in enumerate(pieces):
        made = etree.Element(paragraph.tag, dict(paragraph.attrib))
        made.text = piece
        parent.insert(at + 1 + offset, made)
    made.tail = tail
    parent.remove(paragraph)


def _pieces(text: str, lines: list[str]) -> list[str]:
    """`text` cut at the bounds of the `lines` found whole in it, in their order, at word bounds
    (each line after the last one found); [] when fewer than two are."""
    cuts: list[tuple[int, int]] = []
    at = 0
    for line in lines:
        start = text.find(line, at)
        end = start + len(line)
        if start < 0 or (start and text[start - 1] != " ") or (end < len(text) and text[end] != " "):
            continue
        cuts.append((start, end))
        at = end
    if len(cuts) < 2:
        return []
    pieces, at = [], 0
    for start, end in cuts:
        pieces += [text[at:start].strip(), text[start:end]]
        at = end
    pieces.append(text[at:].strip())
    return [piece for piece in pieces if piece]


def _take_text_before(paragraph: etree._Element, page: str) -> bool:
    """The loose text, or the loose link, emphasis or inline code, before `paragraph` moved into
    it when the page runs them on ("<ref>Download KDE</ref><p> sources from</p>"); whether it was.
    Empty paragraphs between them go (`_take_next`)."""
    before, parent, empty = paragraph.getprevious(), paragraph.getparent(), []
    while before is not None and _empty(before) and not (before.tail or "").strip():
        empty.append(before)
        before = before.getprevious()
    if before is not None and _inline(before) and not (before.tail or "").strip():
        if (space := _runs_on(_text(before), _text(paragraph), page)) is None:
            return False
        _remove(empty)
        before.tail = space + (paragraph.text or "").lstrip()
        paragraph.text = None
        paragraph.insert(0, before)  # its tail with it
        return True
    loose = before.tail if before is not None else parent.text if parent is not None else None
    if not loose or not loose.strip() or (space := _runs_on(loose, _text(paragraph), page)) is None:
        return False
    _remove(empty)
    paragraph.text = loose.strip() + space + (paragraph.text or "").lstrip()
    if before is not None:
        before.tail = None
    elif parent is not None:
        parent.text = None
    return True


def _take_next(paragraph: etree._Element, page: str) -> bool:
    """What follows `paragraph` (loose text, a loose link or emphasis, a paragraph) moved into it
    when the page runs them on; whether it was. Empty paragraphs between them (trafilatura's
    paragraph of a link holding only a space: "<a>Author</a> <a>&nbsp;</a> <b>06 PM</b>") go."""
    after, tail, empty = paragraph.getnext(), paragraph.tail or "", []
    while after is not None and not tail.strip() and _empty(after):
        empty.append(after)
        tail = after.tail or ""
        after = after.getnext()
    following = tail if tail.strip() else _text(after) if after is not None else ""
    if not following.strip() or (space := _runs_on(_ending(paragraph), following, page)) is None:
        return False
    if not tail.strip() and not (after is not None and (_inline(after) or after.tag == "p")):
        return False
    _remove(empty)
    if tail.strip():
        _end_with(paragraph, space + tail.strip())
        paragraph.tail = None
    elif after is not None and _inline(after):
        _end_with(paragraph, space)
        after.text = (after.text or "").lstrip()
        paragraph.append(after)  # its tail with it
    elif after is not None:  # a paragraph
        _end_with(paragraph, space + (after.text or "").lstrip())
        paragraph.extend(list(after))
        paragraph.tail = after.tail
        paragraph.getparent().remove(after)  # type: ignore[union-attr]  # a sibling has one
    return True


def _empty(element: etree._Element) -> bool:
    """Whether `element` is a paragraph without text or image (an empty link in it, or none)."""
    return element.tag == "p" and not _text(element).strip() and next(element.iter("graphic"), None) is None


def _remove(elements: list[etree._Element]) -> None:
    for element in elements:
        element.getparent().remove(element)  # type: ignore[union-attr]  # a sibling has one


_INLINE_XML = frozenset({"ref", "hi", "del"})  # trafilatura's inline elements


def _inline(element: etree._Element) -> bool:
    """Whether `element`, outside a paragraph, may be inline text of the page: a link, emphasis,
    or code of one line (trafilatura lifts `<code>` out of its sentence: "for the", "wheel",
    "group"; whether the page runs them on decides)."""
    if element.tag == "code":
        return "\n" not in _text(element).strip() and not len(element)
    return element.tag in _INLINE_XML


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _ending(element: etree._Element) -> str:
    """The end of `element`'s text holding its last `_JUNCTION` words whole (all of it when it has
    no more), read from its end: what `_runs_on` reads of the text before a junction. The whole
    text, joined again for each link a paragraph takes in, was quadratic: a page of 10,000 loose
    links took 20 s."""
    pieces: list[str] = []
    for piece in _backwards(element):
        pieces.append(piece)
        if len("".join(reversed(pieces)).split()) > _JUNCTION:
            break
    return "".join(reversed(pieces))


def _backwards(element: etree._Element) -> Iterator[str]:
    """`element.itertext()` from its end, tails included for its children (not its own)."""
    for child in reversed(element):
        if child.tail:
            yield child.tail
        if isinstance(child.tag, str):  # a comment's or processing instruction's text is no text
            yield from _backwards(child)
    if element.text:
        yield element.text


def _runs_on(before: str, after: str, page: str) -> str | None:
    """What joins `before` and `after` in the page's text (a space, or nothing), or None when a
    line of the page ends and the next starts between them (or the page has neither)."""
    tail = " ".join(before.split()[-_JUNCTION:])
    head = " ".join(after.split()[:_JUNCTION])
    if not tail or not head or f"{tail}\n{head}" in page:
        return None
    if f"{tail} {head}" in page:
        return " "
    if f"{tail}{head}" in page:  # "a comedian (" and "The Hangover), ..."
        return ""
    return None


def _end_with(element: etree._Element, text: str) -> None:
    """`text` at the end of `element`'s content, after its last child if it has one."""
    if len(element):
        element[-1].tail = (element[-1].tail or "").rstrip() + text
    else:
        element.text = (element.text or "").rstrip() + text


# a space before punctuation, and punctuation run into the next word (over extracted text, never HTML)
_MARKS = ",.;:!?"  # the punctuation respacing reads: one set, for every pattern below
_MARK = re.compile(f"[{re.escape(_MARKS)}]")
# each from a word's start (\b): the same matches (one starting inside a word fails as it does at
# its start), but a long run of word characters is read once, not once from each of its
# characters (a word of 100,000 characters without a space, as base64 a page shows as text: over
# 25 s in one regular expression call, which no watchdog stops, four times that for twice as long)
_SPACED = re.compile(rf"\b(\w+) ({_MARK.pattern})")
_RUN_ON = re.compile(rf"\b(\w+)({_MARK.pattern})(\w+)")


def respace(body: etree._Element, page: str) -> bool:
    """Spaces around punctuation as the page has them, in place; whether any changed.

    trafilatura's fallback joins a paragraph's text nodes with spaces ("the booth at <a>SXSW</a>."
    reads "the booth at SXSW ."), and it can lose the space after an inline element ("<b>the
    marathon,</b>&nbsp;run" reads "marathon,run"). `page` is the text of the page's blocks
    (blocks.py): "SXSW ." loses its space when the page has "SXSW." and never "SXSW ."; "marathon,run"
    gets one when the page has "marathon, run" and never "marathon,run". Code is left as it is."""
    code = {inner for element in body.iter("code") for inner in element.iter()}
    changed = False
    for element in body.iter():
        if element in code:
            continue
        if element.text:
            element.text, edited = _respaced(element.text, page)
            changed |= edited
        if element.tail and element.getparent() not in code and (before := _before_tail(element)) is not None:
            joined, edited = _respaced(before + element.tail, page)
            if edited and joined.startswith(before):
                element.tail = joined[len(before) :]
                changed = True
    return changed


# The longest word `reseam` cuts (a longer one is left as it is: no search over a page's URL or hash)
_SEAM_WORD = 120
# How many places in words and lines of the page `reseam` compares, in all, on a page: a page of a
# thousand cards of long words that each begin as many of its lines begin cost seconds unbounded
# (0.6 s with the bound on a 451 KB page); past it the rest stays as trafilatura wrote it. Pages
# of the datasets ask at most about 16,000 but one, a school's page of 144,000 (2.7 s -> 1.6 s
# with the bound, its text the same).
SEAM_WORK = 50_000


def reseam(body: etree._Element, page: str) -> bool:
    """A space where trafilatura ran the page's blocks together, in place; whether any was given.

    trafilatura joins the text of the blocks inside a list item or a cell with nothing between
    them: "<li><div>Top Rated</div><a>Boots - Women's</a><div>$170.00</div><div>1332
    reviews</div></li>" reads "Top RatedBoots - Women's$170.001332 reviews", where a browser lays
    out four lines. `page` is the text of the page's blocks, one per line (blocks.py): a word of
    the output that is no word of the page is cut where a line of the page of several words
    ends, its text before the cut ending with the line's last words (`_JUNCTION`), or where one
    starts, its text after the cut starting with the line's first words, and after a line of one
    word that follows such a cut (`_seams`). A word the page writes whole is never cut, nor code."""
    # a line's last word: the last words (_JUNCTION at most) of the lines of several words it ends;
    # a line's first word: the first words of those it starts
    ends: dict[str, set[str]] = {}
    starts: dict[str, set[str]] = {}
    whole: set[str] = set()
    single: set[str] = set()  # the lines of one word
    for line in page.split("\n"):
        words = line.split()
        whole.update(words)
        if len(words) > 1:
            ends.setdefault(words[-1], set()).add(" ".join(words[-_JUNCTION:]))
            starts.setdefault(words[0], set()).add(" ".join(words[:_JUNCTION]))
        elif words and len(line) >= 2:
            single.add(line)
    changed = False
    work = [SEAM_WORK]  # the comparisons left (`SEAM_WORK`)
    firsts: _Trie | None = None  # the lines' first words by character, made once a word needs them
    for element in body.iter():
        if not (element is body or (_is_block(element) and element.tag != "code")):
            continue
        slots = _slots(element)
        text = "".join(getattr(node, name) or "" if node is not None else "\n" for node, name in slots)
        if all(word in whole for word in text.split()):
            continue
        firsts = _trie(starts) if firsts is None else firsts
        for at in reversed(_seams(text, whole, ends, starts, single, firsts=firsts, work=work)):
            _space_at(slots, at)
            changed = True
        if work[0] <= 0:
            break
    return changed


def _space_at(slots: list[_Slot], at: int) -> None:
    """A space at `at` in the text the `slots` hold, in the slot whose text holds or ends there."""
    for node, name in slots:
        size = len(getattr(node, name) or "") if node is not None else 1
        if node is not None and size and at <= size:
            value = getattr(node, name)
            setattr(node, name, f"{value[:at]} {value[at:]}")
            return
        at -= size


# A piece of an XML block's own text: the element and "text" or "tail"; (None, "") for a bound no
# seam crosses (a nested block, a line break, code)
_Slot = tuple["etree._Element | None", str]


def _slots(block: etree._Element) -> list[_Slot]:
    """The pieces of `block`'s own text in order (`_Slot`), nested blocks apart."""
    slots: list[_Slot] = [(block, "text")]
    _inline_slots(block, slots)
    return slots


def _inline_slots(element: etree._Element, slots: list[_Slot]) -> None:
    """`_slots` of `element`'s children, added to `slots`. A function of the module, not one nested
    in `_slots`: a nested function that calls itself is a reference cycle (the function, the cell
    holding it), which held `slots`, its elements and their whole XML tree until the garbage
    collector found it, for every block of every page (`reseam`)."""
    for child in element:
        if _is_block(child) or child.tag in ("lb", "code"):
            slots.append((None, ""))
        else:
            slots.append((child, "text"))
            _inline_slots(child, slots)
        slots.append((child, "tail"))


def _seams(
    text: str,
    whole: set[str],
    ends: dict[str, set[str]],
    starts: dict[str, set[str]],
    single: set[str],
    *,
    firsts: _Trie,
    work: list[int],
) -> list[int]:
    """Where in `text` a space goes: each seam of the page's lines inside a word that is none of
    the page's (`reseam`), in order. A line of one word is a piece of the word between a seam
    found before it and the next ("Women's" + "$170.00" + "1332"), never the first: any text
    begins with a line of its own first characters ("$5" is no seam of "$510.00")."""
    cuts: list[int] = []
    for match in _WORDS.finditer(text):
        word = match.group(0)
        if word in whole or len(word) > _SEAM_WORD:
            continue
        begin, start = match.start(), 0  # the word's start in `text`, and the last cut's in `word`
        for at in range(1, len(word)):
            if word[at] in _CLOSING:
                continue
            if work[0] <= 0:
                return cuts
            cut = begin + at
            ended = start > 0 and word[start:at] in single
            before = ends.get(word[start:at], ())
            after = [line for first in _prefixes(word, at, firsts) for line in starts[first]]
            work[0] -= 1 + len(before) + len(after)
            ended = ended or any(_flat(text[_before(cut, line) : cut]).endswith(line) for line in before)
            if not ended:
                ended = any(_flat(text[cut : cut + _reach(line)]).startswith(line) for line in after)
            if ended:
                cuts.append(begin + at)
                start = at
    return cuts


# Words by character: each character leads to the words that go on with it; `_WHOLE` marks where
# one of the words ends
_Trie = dict[str, "_Trie"]
_WHOLE = ""


def _trie(words: Collection[str]) -> _Trie:
    """`words` by character (`_Trie`), for `_prefixes`."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_WHOLE] = {}
    return root


def _prefixes(word: str, at: int, firsts: _Trie) -> list[str]:
    """The beginnings of `word[at:]` that are the first word of a line (`firsts`, by character),
    shortest first. Read along the trie, a place in a word costs as many steps as the page's
    first words share characters with it, where slicing the word at every length and looking each
    slice up cost its length squared at every place: seconds on a page of long words (`_seams`
    asks at every place of a word)."""
    found = []
    node = firsts
    for end in range(at, len(word)):
        step = node.get(word[end])
        if step is None:
            break
        node = step
        if _WHOLE in node:
            found.append(word[at : end + 1])
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def _reach(line: str) -> int:
    """How much text around a seam is compared with a `line` of the page (its white space
    collapsed: a text holding the line in a few times its length)."""
    return 4 * len(line) + 16


def _before(cut: int, line: str) -> int:
    return max(0, cut - _reach(line))


_WORDS = re.compile(r"\S+")
# what never has a space put before it: punctuation, and what closes ("25 liters." of a review read
# from a JSON island is no "25 liters" line and a "." line, though a spec's line is "25 liters")
_CLOSING = frozenset(_MARKS + ")]}»”’%")


def _before_tail(element: etree._Element) -> str | None:
    """The text before `element`'s tail, which respacing reads with it, or None when no edit of
    the tail can come of it: an edit the tail keeps starts in the tail, so the tail holds a mark,
    or it is the space a word run on after a mark gets ("end.</hi>Next"). An edit before the tail
    never changes it (the joined text then no longer starts with the text before). The text of
    the element is joined only when needed: it costs as much as the rest of respacing."""
    tail = element.tail or ""
    if _MARK.search(tail):
        return "".join(element.itertext())
    if not _WORD_FIRST.match(tail):
        return None
    before = "".join(element.itertext())
    return before if before.endswith(tuple(_MARKS)) else None


_WORD_FIRST = re.compile(r"\w")


def _respaced(text: str, page: str) -> tuple[str, bool]:
    def unspaced(match: re.Match[str]) -> str:
        word, mark = match.groups()
        if f"{word}{mark}" in page and f"{word} {mark}" not in page:
            return f"{word}{mark}"
        return match.group(0)

    def spaced(match: re.Match[str]) -> str:
        word, mark, following = match.groups()
        if f"{word}{mark} {following}" in page and f"{word}{mark}{following}" not in page:
            return f"{word}{mark} {following}"
        return match.group(0)

    edited = _RUN_ON.sub(spaced, _SPACED.sub(unspaced, text))
    return edited, edited != text


def _one_space(text: str) -> str:
    inner = " ".join(text.split())
    if not inner:
        return " "
    return (" " if text[0].isspace() else "") + inner + (" " if text[-1].isspace() else "")


def xml_blocks(body: etree._Element) -> list[tuple[etree._Element, str]]:
    """The blocks of trafilatura's XML (p, head, item, quote, cell, and code outside a paragraph;
    `body` itself too) with each one's own text, nested blocks apart: code keeps its lines, other
    text collapses. A block comes after the blocks inside it; blocks without text are left out."""
    found: list[tuple[etree._Element, str]] = []
    _collect_block(body, found)
    return [(element, text) for element, text in found if text.strip()]


# `xml_blocks`'s two steps are functions of the module, not nested in it: nested functions that
# call each other are a reference cycle, which held `found`, its elements and their whole XML
# tree until the garbage collector found it (as `_inline_slots`)
def _collect_block(element: etree._Element, found: list[tuple[etree._Element, str]]) -> None:
    """`element`'s own text added to `found`, after the blocks nested in it (`xml_blocks`)."""
    text = _own_text(element, found)
    found.append((element, text if element.tag == "code" else " ".join(text.split())))


def _own_text(element: etree._Element, found: list[tuple[etree._Element, str]]) -> str:
    """`element`'s own text, the blocks nested in it apart: each of them added to `found`."""
    parts = [element.text or ""]
    for child in element:
        if _is_block(child):
            _collect_block(child, found)
            parts.append(" ")
        else:
            parts.append(" " if child.tag == "lb" else _own_text(child, found))
        parts.append(child.tail or "")
    return "".join(parts)


_XML_BLOCKS = frozenset(
    {"doc", "main", "comments", "body", "p", "head", "item", "list", "quote", "table", "row", "cell"}
)


_CODE_BLOCK_PARENTS = frozenset({"main", "comments", "body", "quote", "list"})  # code there is a block


def _is_block(element: etree._Element) -> bool:
    parent = element.getparent()
    if element.tag == "code":
        return parent is not None and parent.tag in _CODE_BLOCK_PARENTS
    return element.tag in _XML_BLOCKS


def remove_copies(bodies: list[etree._Element], shown: Callable[[str], int]) -> bool:
    """The copies among the blocks of `bodies` (trafilatura's main text, and its comments when they
    are kept) taken out, in place, by the copy rule (model.drop_copies: a text kept more often than
    the page shows it, `shown`); whether any was. A copy's own text goes, the blocks inside it stay."""
    found = [block for body in bodies for block in xml_blocks(body)]
    copies = drop_copies([text for _, text in found], shown)
    for i in copies:
        _drop_own_text(found[i][0])
    return bool(copies)


# the blocks of trafilatura's XML a call to act on the page may be: a line, a heading, a list's item
# (a table's cell is left: "Print" among a table's words is the table's)
_CALL_BLOCKS = frozenset({"p", "head", "item"})


def remove_calls(bodies: list[etree._Element]) -> bool:
    """The blocks of `bodies` (trafilatura's main text, and its comments when they are kept) whose
    whole text asks the reader to act on the page (model.calls: "Leave a Reply", "Zurück zum
    Newsroom", "Seite drucken") taken out, in place, as `remove_copies` takes its copies; whether
    any was. The blocks' verdicts drop such a block wherever they stand (model._unasked); this
    drops it where trafilatura's text stands, which a page whose only change it would be keeps.
    A heading right over a block that is none heads it (model.calls' `heads`)."""
    found = []
    for body in bodies:
        blocks = xml_blocks(body)
        for i, (element, text) in enumerate(blocks):
            after = blocks[i + 1][0] if i + 1 < len(blocks) else body
            heads = element.tag == "head" and after is not body and after.tag != "head"
            if element.tag in _CALL_BLOCKS and calls(text, linked=_linked(element, text), heads=heads):
                found.append(element)
    for element in found:
        _drop_own_text(element)
    return bool(found)


def remove_closing_rails(body: etree._Element) -> bool:
    """The blocks `body` (trafilatura's main text) closes on that are a rail's heading ("Related
    Posts", "You may also like", over a rail that is not in the text) taken out, in place, where
    some text is before them (`rules.closing_rails`); whether any was. The blocks' verdicts drop
    them where they stand (model._unasked); this drops them where trafilatura's text stands."""
    blocks = xml_blocks(body)
    closing = closing_rails([text for _, text in blocks])
    for element, _ in reversed(blocks[len(blocks) - closing :]):
        _drop_own_text(element)
    return closing > 0


def remove_count_lists(body: etree._Element) -> bool:
    """The blocks of `body` (trafilatura's main text) in a list of links each with a count ("Down
    (132)", "November (5)": `rules.count_lists`) taken out, in place; whether any was. The blocks'
    verdicts drop them where they stand (model._unasked); this drops them where trafilatura's text
    stands."""
    blocks = xml_blocks(body)
    listed = count_lists([text for _, text in blocks], [_linked(element, text) for element, text in blocks])
    for j in reversed(listed):
        _drop_own_text(blocks[j][0])
    return bool(listed)


def remove_machine(bodies: list[etree._Element]) -> bool:
    """The blocks of `bodies` (trafilatura's main text, and its comments when they are kept) whose
    text is machine identifiers run together (`model.machine`: a sponsored card's label spelt out
    of hidden spans) taken out, in place; whether any was. The blocks' verdicts drop them where they
    stand (model._unread); this drops them where trafilatura's text stands."""
    found = [
        element
        for body in bodies
        # four hyphens a UUID: most texts hold fewer in all, and their blocks are not walked
        if etree.tostring(body, method="text", encoding="unicode").count("-") >= 4 * MACHINE_IDS
        for element, text in xml_blocks(body)
        if machine(text)
    ]
    for element in found:
        _drop_own_text(element)
    return bool(found)


def remove_unreadable(body: etree._Element) -> bool:
    """The blocks of `body` (trafilatura's main text) that make it unreadable (`rules.unreadable`)
    taken out, in place; whether any was. Its blocks are read only where its text, whole, is not
    readable (one pass in C over nearly every page)."""
    if readable(" ".join(body.itertext())):
        return False
    blocks = xml_blocks(body)
    junk = unreadable([text for _, text in blocks])
    for j in reversed(junk):
        _drop_own_text(blocks[j][0])
    return bool(junk)


def _linked(element: etree._Element, text: str) -> bool:
    """Whether `LINKED` or more of a block's own `text` is its links' (trafilatura's `<ref>`, not
    inside a block nested in it): a bare "To the top" is a call as a link's text only (model.calls)."""
    refs = (ref for ref in element.iter("ref") if _block_of(ref) is element)
    inside = sum(len(" ".join("".join(ref.itertext()).split())) for ref in refs)
    return inside >= LINKED * len(text) > 0


def _block_of(element: etree._Element) -> etree._Element | None:
    """The nearest block `element` sits in (`_is_block`), None outside any."""
    return next((a for a in element.iterancestors() if _is_block(a)), None)


# The characters `remove_unheld` may scan in a page's text, in all (each block costs one search
# of the whole text at worst, about 0.1 s a billion characters): a bound on its time on a page of
# thousands of blocks, none of them held (0.6 s for 4,000 blocks in 1.3 MB of text, seconds more
# on a page at the size limit). Over the datasets' 3,501 pages, text length times block elements
# (above what is scanned) is 2.0 billion at most (4.9 MB of text, 417 blocks): under the bound.
_UNHELD_SCAN = 5_000_000_000


def remove_unheld(bodies: list[etree._Element], page: str) -> bool:
    """The blocks of `bodies` whose own text the `page` text does not hold (white space aside)
    taken out, in place, as `remove_copies` takes its copies; whether any was. A body's own text
    (outside its blocks) stays. The search is bounded (`_UNHELD_SCAN`): past it, the blocks left
    stay, as trafilatura gave them."""
    held = "".join(page.split())
    unheld: list[etree._Element] = []
    scanned = 0  # characters of `held` searched, in all: at most _UNHELD_SCAN a page
    for element, text in (block for body in bodies for block in xml_blocks(body) if block[0] is not body):
        scanned += len(held)
        if scanned > _UNHELD_SCAN:
            break
        if "".join(text.split()) not in held:
            unheld.append(element)
    for element in unheld:
        _drop_own_text(element)
    return bool(unheld)


def _drop_own_text(element: etree._Element) -> None:
    """`element`'s own text out of the tree: the element when nothing inside it is a block (its
    tail, the text of the block around it, stays), else its text and inline children."""
    if any(_is_block(child) for child in element):
        element.text = None
        for child in list(element):
            if _is_block(child):
                child.tail = None
            else:
                element.remove(child)
        return
    parent = element.getparent()
    if parent is None:
        element.clear()
        return
    if element.tail:
        before = element.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
    if parent.getparent() is not None and not len(parent) and not (parent.text or "").strip():
        _drop_own_text(parent)  # a list or quote left empty goes too


def without_images(body: etree._Element) -> etree._Element:
    body = copy.deepcopy(body)
    etree.strip_elements(body, "graphic", with_tail=False)
    return body


def tidy_markdown(markdown: str) -> str:
    return "\n".join(line.rstrip() for line in markdown.strip().splitlines())


# the block tags of blocks.py, as trafilatura's XML names them
_HEADS = {f"h{level}" for level in range(1, 7)}
_BLOCK_XML = {"pre": "code", "blockquote": "quote"}
# the blocks whose <br>s are line breaks inside one element (trafilatura's <lb/>): a paragraph's
# (an address, a verse), code's and a quote's
_LINED = frozenset({"p", *_BLOCK_XML})


def chosen_content(shown: Content, blocks: list[tuple[str, str]]) -> Content:
    """The XML and Markdown of the (tag, text) blocks the block model chose, in order. A block
    trafilatura kept too is its element from `shown` (links, images, emphasis as asked), followed
    by the images trafilatura kept after it; a block only the model kept is a plain one: a
    heading, a list item, code, a quote or a paragraph."""
    root = etree.fromstring(f"<doc>{shown.xml}</doc>")
    kept: dict[str, etree._Element] = {}
    for block in root.iterfind(".//main//*"):
        if block.tag in _TRAFILATURA_BLOCKS:
            kept.setdefault(_words("".join(block.itertext())), block)
    images = _images_after(root.find("main"))
    main = etree.Element("main")
    items: etree._Element | None = None
    after: list[etree._Element] = []  # the images that follow the last block, once it is placed
    for tag, text in blocks:
        if after:
            main.extend(copy.deepcopy(image) for image in after)
            items = None
        # the block's words, the key of trafilatura's elements and images (none to look up when
        # the blocks are the first model's alone: `shown` empty, as on most pages)
        words = _words(text) if kept or images else ""
        after = images.pop(words, [])
        element = kept.get(words)
        if (
            element is not None
            and tag == "pre"
            and "\n" in text
            and not _lines(element)
            and element.find(".//lb") is None
        ):
            element = (
                None  # trafilatura lost the <pre>'s lines ("import asyncio import time"): the block has them
            )
        if tag == "li" or (element is not None and element.tag == "item"):
            rend = _list_kind(element)
            if items is None or items.get("rend") != rend:
                items = etree.SubElement(main, "list", rend=rend)
            items.append(_as(element, "item", text))
            continue
        items = None
        if element is not None and element.tag != "cell":
            main.append(copy.deepcopy(element))
            main[-1].tail = None  # loose text after it in trafilatura's XML is no block the model chose
        elif tag in _HEADS:
            main.append(_as(None, "head", text, rend=tag))
        elif element is None and tag not in _LINED:
            # loose text (a <div>'s, a cell's) between <br>s: each run a paragraph, as trafilatura
            # reads it and as the text has it, one paragraph per line
            main.extend(_as(None, "p", line) for line in text.split("\n"))
        else:
            main.append(_as(element, _BLOCK_XML.get(tag, "p"), text))
    main.extend(copy.deepcopy(image) for image in after)
    return Content(markdown=tidy_markdown(xmltotxt(main, True)), xml=etree.tostring(main, encoding="unicode"))


_TRAFILATURA_BLOCKS = frozenset({"p", "head", "item", "quote", "code", "cell"})


def _images_after(main: etree._Element | None) -> dict[str, list[etree._Element]]:
    """The images (`<graphic>`) trafilatura kept between its blocks, by the words of the block
    each follows: they go with that block when the model keeps it."""
    found: dict[str, list[etree._Element]] = {}
    last = None
    for child in main if main is not None else ():
        if child.tag == "graphic":
            if last is not None:
                found.setdefault(last, []).append(child)
        elif words := _words("".join(child.itertext())):
            last = words
    return found


def _list_kind(item: etree._Element | None) -> str:
    """The `rend` of the list trafilatura put `item` in ("ol": numbered), else "ul"."""
    parent = item.getparent() if item is not None else None
    return str(parent.get("rend") or "ul") if parent is not None and parent.tag == "list" else "ul"


def _words(text: str) -> str:
    return " ".join(text.split())


def _as(element: etree._Element | None, tag: str, text: str, rend: str | None = None) -> etree._Element:
    """A `tag` element holding `element`'s content (its inline markup), or `text` alone."""
    made = etree.Element(tag)
    if rend is not None:
        made.set("rend", rend)
    if element is None and tag == "code":  # a <pre>'s lines, in its text as trafilatura's <code> has them
        made.text = without_controls(text.strip("\n"))  # a <pre> may start with a line break
        return made
    if element is None:  # a block's text: its line breaks are <br>s, trafilatura's <lb/>
        first, *others = without_controls(text.strip("\n")).split("\n")  # a <pre> may start with one
        made.text = first
        for line in others:
            etree.SubElement(made, "lb").tail = line
        return made
    made.text = element.text
    for child in element:
        made.append(copy.deepcopy(child))
    return made


def _extracted(doc: Document) -> _Extracted:
    """`doc` as the trafilatura document its serialisers take: our metadata, our XML."""
    root = etree.fromstring(f"<doc>{doc.xml}</doc>") if doc.xml else etree.Element("doc")
    _unlink_unsafe(root)  # a record stored before links were checked
    main = root.find("main")
    if main is None:  # a record without XML (stored before it was kept): one <p> per line
        main = etree.SubElement(root, "main")
        for line in doc.text.splitlines():
            etree.SubElement(main, "p").text = without_controls(line)
    comments = root.find("comments")
    url = redacted(doc.url or doc.final_url)
    return _Extracted(
        title=doc.title,
        author="; ".join(doc.authors) or None,
        url=url,
        hostname=urlsplit(url).hostname if url else None,
        description=doc.description,
        sitename=doc.sitename,
        date=doc.date,
        categories=list(doc.categories),
        tags=list(doc.tags),
        fingerprint=doc.content_hash,
        idval=doc.warc_record_id,
        body=main,
        commentsbody=comments if comments is not None else etree.Element("comments"),
        language=doc.language,
        image=doc.image,
        pagetype=doc.page_type,
        filedate=doc.fetched_at.date().isoformat(),
    )


def render_xml(doc: Document, *, tei: bool = False) -> str:
    """trafilatura's XML of `doc` (`<doc>` with its metadata as attributes), or TEI (`<TEI>`)."""
    options = Extractor(output_format="xmltei" if tei else "xml")
    return str(control_xml_output(_extracted(doc), options))


def render_html(doc: Document) -> str:
    """The cleaned HTML of `doc`: `<html>`, metadata as `<meta name=... content=...>`, `<body>`."""
    return str(build_html_output(_extracted(doc), with_metadata=True))
