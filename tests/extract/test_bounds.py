"""scraper.extract.bounds: pages too deep or too big are simplified, or refused with a reason."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.errors import ExtractionError
from scraper.extract import bounds
from scraper.extract.bounds import MAX_BLOCK_DEPTH, MAX_DEPTH, simplify

PROSE = "The harbour committee met on Tuesday evening to discuss the dredging plans and the ferry timetable. "


def _depth(tree: LexborHTMLParser) -> int:
    deepest, stack = 0, [(tree.root, 0)] if tree.root is not None else []
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter())
    return deepest


def test_ordinary_pages_are_left_alone() -> None:
    """A page within every bound is not changed and yields no removals."""
    html = f"<html><body><article><p>{PROSE}</p><table><tr><td>1</td></tr></table></article></body></html>"
    tree = LexborHTMLParser(html)
    before = tree.html
    assert simplify(tree, "page") == []
    assert tree.html == before


def test_unclosed_divs_are_flattened_and_keep_their_paragraphs() -> None:
    """1,000 posts that each leave a <div> open end up shallow, every paragraph still there."""
    posts = "".join(f'<div class="post"><p>Post {i}: {PROSE}</p>' for i in range(1000))
    tree = LexborHTMLParser(f"<html><body>{posts}</body></html>")
    removals = simplify(tree, "thread")
    assert [r.rule for r in removals] == ["too-deep"]
    assert _depth(tree) <= MAX_BLOCK_DEPTH + 2
    assert len(tree.css("p")) == 1000
    assert "Post 999:" in (tree.body.text() if tree.body else "")


def test_nesting_beyond_every_limit_is_unwrapped_entirely() -> None:
    """Blocks nested past MAX_BLOCK_DEPTH are unwrapped too: their text stays, their depth goes."""
    tree = LexborHTMLParser("<html><body>" + "<blockquote>" * 600 + "deep words" + "</body></html>")
    simplify(tree, "quotes")
    assert _depth(tree) <= MAX_BLOCK_DEPTH + 2
    assert MAX_DEPTH < MAX_BLOCK_DEPTH
    assert "deep words" in (tree.body.text() if tree.body else "")


def test_oversized_tables_are_dropped_largest_first() -> None:
    """Past MAX_TABLE_CELLS the biggest data table goes; the layout table around the story stays."""
    data = "<table>" + "".join("<tr>" + "<td>cell</td>" * 50 + "</tr>" for _ in range(500)) + "</table>"
    html = f"<html><body><table><tr><td><p>{PROSE}</p>{data}</td></tr></table></body></html>"
    tree = LexborHTMLParser(html)
    removals = simplify(tree, "tables")
    assert [(r.rule, r.snippet) for r in removals] == [("oversized-table", "25,000 cells")]
    assert len(tree.css("table")) == 1
    assert PROSE.strip() in (tree.body.text() if tree.body else "")


def test_too_many_elements_are_refused_with_the_count() -> None:
    """A page with more elements than MAX_ELEMENTS is refused with how many it has."""
    tree = LexborHTMLParser("<html><body>" + "<span>x</span>" * (bounds.MAX_ELEMENTS + 10) + "</body></html>")
    with pytest.raises(
        ExtractionError, match=r"huge\.html: page too complex: 40,01\d elements \(limit 40,000\)"
    ):
        simplify(tree, "huge.html")


def test_too_many_elements_and_nothing_to_simplify_are_refused_without_a_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page of many inline elements, none too deep and no big table, is refused on lexbor's
    count: the walk in Python (`_Shape`, 3.8 CPU s for 1,000,000 elements) is not needed."""

    def no_walk(tree: LexborHTMLParser) -> None:
        raise AssertionError("walked")

    monkeypatch.setattr(bounds, "_Shape", no_walk)
    tree = LexborHTMLParser("<html><body><p>" + "<b>x</b>" * (bounds.MAX_ELEMENTS * 3) + "</p></body></html>")
    refused = r"^inline\.html: page too complex: 120,00\d elements \(limit 40,000\)$"
    with pytest.raises(ExtractionError, match=refused):
        simplify(tree, "inline.html")


_ROWS = ("<tr>" + "<td>x</td>" * 100 + "</tr>") * (bounds.MAX_TABLE_CELLS // 100)  # MAX_TABLE_CELLS cells


@pytest.mark.parametrize(
    ("body", "quick"),
    [
        (f"<p>{PROSE}</p>", True),
        ("<div>" * (MAX_DEPTH - 3) + "<!-- c -->deep" + "</div>" * (MAX_DEPTH - 3), True),
        ("<div>" * (MAX_DEPTH - 2) + "<!-- c -->deep" + "</div>" * (MAX_DEPTH - 2), False),
        ("<div>" * (MAX_DEPTH - 2) + "<p>deep</p>" + "</div>" * (MAX_DEPTH - 2), False),
        ("<table>" + _ROWS + "</table>", True),
        ("<table>" + _ROWS + "<tr><th>x</th></tr></table>", False),
        ("<span>x</span>" * (bounds.MAX_ELEMENTS - 3), True),
        ("<span>x</span>" * (bounds.MAX_ELEMENTS - 2), False),
        ("<!-- c -->" * (bounds.MAX_ELEMENTS - 3), True),
        ("<!-- c -->" * (bounds.MAX_ELEMENTS - 2), False),
    ],
)
def test_the_quick_check_passes_only_pages_the_walk_leaves_alone(body: str, quick: bool) -> None:
    """Where lexbor's check (`_Quick`) says a page is within every bound, the walk finds
    nothing too deep, no table to drop and no more nodes than the limit; at each bound's edge the
    check passes the page, and one node past it sends it to the walk (which may still find nothing
    to do: a paragraph may nest deeper than other elements)."""
    tree = LexborHTMLParser(f"<html><body>{body}</body></html>")
    shape = bounds._Shape(tree)
    cells = sum(count for count, _ in shape.tables.values())
    within = not shape.too_deep and cells <= bounds.MAX_TABLE_CELLS and shape.elements <= bounds.MAX_ELEMENTS
    assert bounds._Quick(tree).within == quick
    assert within or not quick
