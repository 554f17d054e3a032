"""Pages that would make extraction fragile or slow: parsed safely, simplified, or refused. Pure.

    parse_html(html, source)   lexbor's parse; a parser that gives up (out of memory under the
                               worker's limit) is this page's `ExtractionError`, not a crash
    simplify(tree, source)     in place, before anything walks the tree:
        nesting      elements deeper than `MAX_DEPTH` are unwrapped, their text kept: libxml2
                     (under trafilatura) silently drops everything below 256 levels, and
                     trafilatura's readability pass measures the text of every ancestor of every
                     paragraph, which grows with depth times text. Paragraph-like blocks
                     stay as long as they sit above `MAX_BLOCK_DEPTH`, so 1,000 forum posts that
                     each left a <div> open keep their paragraphs.
        tables       more than `MAX_TABLE_CELLS` cells in all: the tables with the most cells of
                     their own are dropped, largest first, until the rest fit (a layout table
                     around the story has few cells of its own and stays)
        elements     still more than `MAX_ELEMENTS` elements: refused with the count. Extraction
                     costs 0.2-0.4 ms per element and grows faster than linearly; the largest
                     of 2,348 real pages in the evaluation sets has 15,791.

Each simplification is a `Removal`, so `clean --explain` shows it. What stays slow inside
lexbor's own parse (tens of thousands of misnested tags) is bounded by the worker's time and
memory limits (scraper/extract/worker.py); the deepest nesting is flattened before every parse,
in a worker as in this process (`dom.bounded_html`), where one C call cannot be stopped.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dom import ancestors
from scraper.errors import ExtractionError
from scraper.extract.prepass import Removal

__all__ = ["MAX_DEPTH", "MAX_ELEMENTS", "MAX_TABLE_CELLS", "simplify"]

MAX_DEPTH = 80  # the deepest of 2,348 real pages in the evaluation sets nests 55 levels
MAX_BLOCK_DEPTH = 120  # well below libxml2's 256, with room for the wrappers trafilatura adds
MAX_TABLE_CELLS = 20_000
MAX_ELEMENTS = 40_000

# blocks whose boundaries carry meaning for the text: kept below MAX_DEPTH while there is room
_BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote",
    "table", "tr", "td", "th", "figure", "figcaption", "article",
})  # fmt: skip
_CELLS = frozenset({"td", "th"})


def simplify(tree: LexborHTMLParser, source: str) -> list[Removal]:
    """Flatten deep nesting and drop oversized tables in place; refuse a page with too many elements."""
    quick = _Quick(tree)
    if quick.within:
        return []
    if not quick.deep and quick.cells <= MAX_TABLE_CELLS:
        # nothing to unwrap and no table to drop: the walk would only count what lexbor counted
        # (a page of 1,000,000 inline elements took 3.8 CPU s in `_Shape` to be refused)
        raise ExtractionError(source, f"page too complex: {quick.nodes:,} elements (limit {MAX_ELEMENTS:,})")
    shape = _Shape(tree)
    removals: list[Removal] = []
    if shape.too_deep:
        # innermost first (`_Shape` lists ancestors before their descendants): the same tree, but
        # lexbor unwraps an element holding a deep chain slowly, so outermost first was quadratic
        # (100,000 nested <b>, a 700 KB page, over 20 s; now a few ms)
        for node in reversed(shape.too_deep):
            node.unwrap()
        removals.append(
            Removal(
                "too-deep", "*", f"{len(shape.too_deep):,} elements nested deeper than {MAX_DEPTH} unwrapped"
            )
        )
    cells = sum(count for count, _ in shape.tables.values())
    dropped: dict[int, tuple[int, LexborNode]] = {}
    for table_id, (count, table) in sorted(shape.tables.items(), key=lambda entry: -entry[1][0]):
        if cells <= MAX_TABLE_CELLS:
            break
        dropped[table_id] = count, table
        cells -= count
    # decide before freeing anything: a table inside a dropped one goes with it, never twice
    outermost = [
        (count, table)
        for count, table in dropped.values()
        if not any(ancestor.mem_id in dropped for ancestor in ancestors(table))
    ]
    for count, table in outermost:
        removals.append(Removal("oversized-table", "table", f"{count:,} cells"))
        table.decompose()
    elements = shape.elements - len(shape.too_deep)
    if dropped and elements > MAX_ELEMENTS and tree.root is not None:
        elements = sum(1 for node in tree.root.traverse() if node.is_element_node)
    if elements > MAX_ELEMENTS:
        raise ExtractionError(source, f"page too complex: {elements:,} elements (limit {MAX_ELEMENTS:,})")
    return removals


# an element with MAX_DEPTH - 1 element ancestors or more (<html> has none): the parent of a node
# `_Shape` may find too deep, or the node itself
_NEAR_TOO_DEEP = " > ".join(["*"] * MAX_DEPTH)


class _Quick:
    """What lexbor tells of a page without a walk in Python (0.4 ms a page against `_Shape`'s 0.7):
    whether an element nests `MAX_DEPTH` - 1 deep (`deep`: else no node, a comment included, nests
    `MAX_DEPTH` deep and nothing is unwrapped), the `td`/`th` in the whole page (`cells`: at least
    the cells `_Shape` counts) and its nodes (`nodes`: elements and comments, as `_Shape` counts
    them). Within every bound (`within`), `simplify` has nothing to do; else, with nothing too deep
    and no more cells than `MAX_TABLE_CELLS`, `nodes` is what `_Shape` would count."""

    __slots__ = ("cells", "deep", "nodes")

    def __init__(self, tree: LexborHTMLParser) -> None:
        root = tree.root
        self.deep = root is not None and tree.css_first(_NEAR_TOO_DEEP) is not None
        self.cells = len(tree.css("td, th")) if root is not None else 0
        self.nodes = sum(1 for _ in root.traverse()) if root is not None else 0

    @property
    def within(self) -> bool:
        return not self.deep and self.cells <= MAX_TABLE_CELLS and self.nodes <= MAX_ELEMENTS


class _Shape:
    """One iterative pass over the document: element count, elements too deep, cells per table."""

    def __init__(self, tree: LexborHTMLParser) -> None:
        self.elements = 0
        self.too_deep: list[LexborNode] = []
        self.tables: dict[int, tuple[int, LexborNode]] = {}  # table id -> (cells of its own, table)
        root = tree.root
        if root is None:
            return
        # (node, depth counting only the elements that stay, nearest table's id)
        stack: list[tuple[LexborNode, int, int | None]] = [(root, 0, None)]
        while stack:
            node, depth, table = stack.pop()
            self.elements += 1
            tag = node.tag or ""
            if tag == "table":
                table = node.mem_id
                self.tables[table] = (0, node)
            elif tag in _CELLS and table is not None:
                count, owner = self.tables[table]
                self.tables[table] = (count + 1, owner)
            if depth >= MAX_BLOCK_DEPTH or (depth >= MAX_DEPTH and tag not in _BLOCKS):
                self.too_deep.append(node)
                if tag == "table":
                    del self.tables[node.mem_id]  # unwrapped: its cells are no table's any more
                    table = None
            else:
                depth += 1
            stack.extend((child, depth, table) for child in node.iter())
