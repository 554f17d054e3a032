"""A page's text as a reader sees it: what a browser lays out, hidden elements apart; pure.

    rendered(html) -> Rendered    its lines, its flow, and the flow without hidden elements
    times_shown(html)(text) -> int   how often the page shows a text (Rendered.times), lazily

The output is held to it: a text is kept as often as the page shows it (`Rendered.times`, read by
the copy rule, model.drop_copies), and bench/fidelity.py checks the extracted text against it (no
space before punctuation, no text twice, no line break, that the page does not have).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from scraper.dom import (
    BLOCK_ELEMENTS,
    MATH_ANNOTATIONS,
    RUBY_ANNOTATIONS,
    SCREEN_READER_ONLY,
    UNSEEN,
    composed,
    parse_html,
)

_INVISIBLE = ", ".join((*UNSEEN, "head", *sorted(RUBY_ANNOTATIONS | MATH_ANNOTATIONS)))
# hidden as a browser hides it (the attribute, display:none, visibility:hidden, which leaves the
# element's room empty): its text is the page's, but not shown (a copy of the whole story);
# or hidden by a CSS framework's class, always or at some screen widths (Tailwind "hidden",
# "md:hidden"; Bootstrap "d-none", "d-md-none", "hidden-xs"; text for screen readers only): a
# reader sees the desktop or the mobile copy of a text, never both
_ALWAYS_HIDDEN = ", ".join(
    (
        '[hidden], [style*="display:none"], [style*="display: none"]',
        '[style*="visibility:hidden"], [style*="visibility: hidden"]',
        '[class~="hidden"], [class~="d-none"], [class*="hidden-xs"]',
        '[class*="hidden-sm"], [class*="hidden-md"], [class*="hidden-lg"]',
        *(f'[class~="d-{size}-none"]' for size in ("sm", "md", "lg", "xl", "xxl")),
        SCREEN_READER_ONLY,
    )
)
# Tailwind's "md:hidden", "max-lg:hidden", "dark:hidden": hidden on some screens (`_on_screens`);
# not "print:hidden" (shown on every screen), a state's ("hover:", "group-open:"), a part's
# ("before:") or other elements' ("*:", "[&>a]:")
_VARIANT_HIDDEN = '[class*=":hidden"], [class*=":!hidden"]'  # "lg:!hidden": important
_HIDDEN = f"{_ALWAYS_HIDDEN}, {_VARIANT_HIDDEN}"
# the variants that do not hide the element on a screen: printing, a state a reader brings about
# or a part of the element (pseudo-classes and pseudo-elements), and these kinds of variant
_NOT_SCREENS = frozenset((
    "print", "hover", "focus", "focus-within", "focus-visible", "active", "visited", "target",
    "first", "last", "only", "odd", "even", "first-of-type", "last-of-type", "only-of-type", "empty",
    "disabled", "enabled", "checked", "indeterminate", "default", "required", "optional", "valid",
    "invalid", "user-valid", "user-invalid", "in-range", "out-of-range", "placeholder-shown",
    "autofill", "read-only", "open", "inert", "starting", "before", "after", "first-letter",
    "first-line", "marker", "selection", "file", "placeholder", "backdrop", "details-content",
))  # fmt: skip
_NOT_SCREEN_KINDS = ("group-", "peer-", "has-", "not-", "aria-", "data-", "nth-", "in-", "supports-")
# a tab's panel is shown when a reader picks its tab: hidden until then, its text is the page's
# as much as the open tab's (a quickstart's steps, one panel per language: each says the same).
# Only a panel of a tab set a reader sees, one with a shown panel beside it (the open tab's): a
# lone hidden panel, or a set hidden whole, has no tab to pick and would cloak text into the output
_TAB_PANEL = "tabpanel"
_BREAK = "\ue000"  # a private-use character marking a line of the page while it is rendered
_SOFT = "\ue001"  # one marking a line of a <code> outside a <pre>: a line in `lines`, a space in `runs`


@dataclass(frozen=True, slots=True)
class Rendered:
    """A page's text as a browser lays it out: `lines` (one per block, <br> or line of code,
    whitespace collapsed inside each), `flow` (all of it, whitespace collapsed), both with the
    text of hidden elements, `shown` (the flow without it), and `code`: the text of each <pre>
    of several lines (one with only text in it: a <br> or a block inside, a table's cells, is
    laid out otherwise), its lines as `lines` has them. `lines` keeps the lines of a <code>
    outside a <pre> too (a site's CSS may show them); `runs` runs them on, as a browser does
    without it."""

    lines: str
    flow: str
    shown: str
    code: tuple[str, ...] = ()
    runs: str = ""

    def times(self, text: str) -> int:
        """How often the page shows `text` to a reader (its shown text), whitespace collapsed; 0
        when only hidden elements hold it, or none. The copy rule (model.drop_copies) allows a text
        in the output as often, and at least once (a story hidden whole until a script shows it)."""
        return _times(self.shown, text)


def _times(shown: str, text: str) -> int:
    """How often the shown text `shown` holds `text`, whitespace collapsed and both composed (NFC:
    a text the page writes decomposed in one place and composed in another reads the same, and the
    output is NFC; `Rendered.times`)."""
    return shown.count(composed(" ".join(text.split())))


def times_shown(html: str, source: str = "") -> Callable[[str], int]:
    """`Rendered.times` of the page `html`, rendered when first asked (most pages never ask); only
    its shown text is made (`shown_text`), the one part the count reads."""
    page = functools.cache(lambda: shown_text(html, source))
    return lambda text: _times(page(), text)


def rendered(html: str, source: str = "") -> Rendered:
    """The page's text: inline text nodes side by side, a line at each block boundary; parsed as
    every page is (dom.parse_html: a parser that gives up is `source`'s ExtractionError)."""
    root = _laid_out(html, source)
    if root is None:
        return Rendered("", "", "")
    code = []
    for node in _outer_code(root):  # its line breaks are the page's (the outermost one's text)
        text = node.text(deep=True, separator="") or ""
        if node.tag == "pre" and "\n" in text.strip() and _BREAK not in text:
            code.append("\n".join(filter(None, (" ".join(line.split()) for line in text.splitlines()))))
        node.replace_with(text.replace("\n", _BREAK if node.tag == "pre" else _SOFT))
    text = root.text(deep=True, separator="")
    lines = _lines(text.replace(_SOFT, _BREAK))
    runs = _lines(text.replace(_SOFT, " "))
    return Rendered(lines, " ".join(lines.split()), _shown(root), tuple(code), runs)


def shown_text(html: str, source: str = "") -> str:
    """`rendered(html, source).shown` alone, without the lines, flow, code and runs it also makes."""
    root = _laid_out(html, source)
    if root is None:
        return ""
    for node in _outer_code(root):  # as `rendered` does: hidden elements inside code are text now
        node.replace_with(node.text(deep=True, separator="") or "")
    return _shown(root)


def _laid_out(html: str, source: str) -> LexborNode | None:
    """The page's body (else its root; None for neither) without what is never shown, a line
    break marked before and after each block and <br>."""
    tree = parse_html(html, source)
    for node in tree.css(_INVISIBLE):
        node.decompose()
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return None
    for node in root.traverse():
        if node.tag in BLOCK_ELEMENTS or node.tag == "br":
            node.insert_before(_BREAK)
            node.insert_after(_BREAK)
    return root


def _outer_code(root: LexborNode) -> list[LexborNode]:
    """The <pre> and <code> elements of `root` not inside another, in page order."""
    return [node for node in root.css("pre, code") if not _inside_code(node)]


def _shown(root: LexborNode) -> str:
    """The text of `root` without its hidden elements (which it loses), white space collapsed; a
    hidden tab panel with a shown panel beside it is not one (`_TAB_PANEL`)."""
    # lexbor's `_ALWAYS_HIDDEN` elements, asked only where an element of `_HIDDEN` may be hidden
    # by a variant alone (`_by_variant`): one selector pass of most pages, not two (the other
    # took 0.8 ms a page of the corpus sample)
    always: frozenset[int] | None = None
    hidden = []
    for node in root.css(_HIDDEN):
        if _by_variant(node) and not _on_screens(node):
            if always is None:
                always = frozenset(n.mem_id for n in root.css(_ALWAYS_HIDDEN))
            if node.mem_id not in always:
                continue
        hidden.append(node)
    hidden_ids = {node.mem_id for node in hidden}
    sets: dict[int, bool] = {}  # a parent of hidden tab panels: whether a shown one is among them
    kept = set()
    for node in hidden:
        if _is_tab_panel(node) and (parent := node.parent) is not None:
            if parent.mem_id not in sets:
                sets[parent.mem_id] = any(
                    _is_tab_panel(child) and child.mem_id not in hidden_ids for child in parent.iter()
                )
            if sets[parent.mem_id]:
                kept.add(node.mem_id)
    for node in hidden:
        if node.mem_id not in kept:
            node.decompose()
    # the marks of lines and of code's lines are white space to this flow
    return composed(
        " ".join(root.text(deep=True, separator="").replace(_BREAK, " ").replace(_SOFT, " ").split())
    )


def _by_variant(node: LexborNode) -> bool:
    """Whether `node`, an element of `_HIDDEN`, may be one for a variant's ":hidden" alone
    (`_VARIANT_HIDDEN`), not `_ALWAYS_HIDDEN`: its class holds one, ASCII case aside (what lexbor
    matches and more). An element whose class holds none is one of `_ALWAYS_HIDDEN`."""
    written = (node.attributes.get("class") or "").lower()
    return ":hidden" in written or ":!hidden" in written


def _on_screens(node: LexborNode) -> bool:
    """Whether a class of `node` is Tailwind's "hidden" at some screens: its variants (before the
    last colon) each a screen's condition (a width, "max-md", "min-[1200px]", "@lg", a theme,
    "dark"; a prefix, "tw:"), none of `_NOT_SCREENS` or `_NOT_SCREEN_KINDS`, and none an arbitrary
    variant naming other elements or states ("[&>a]:hidden", "*:hidden")."""
    for token in (node.attributes.get("class") or "").split():
        variants, _, name = token.lower().rpartition(":")
        if name.strip("!") != "hidden" or not variants:
            continue
        if not any(
            v.startswith(("[", "*")) or v in _NOT_SCREENS or v.startswith(_NOT_SCREEN_KINDS)
            for v in variants.split(":")
        ):
            return True
    return False


def _is_tab_panel(node: LexborNode) -> bool:
    return (node.attributes.get("role") or "").strip().lower() == _TAB_PANEL


def _lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split(_BREAK))
    return "\n".join(line for line in lines if line)


def _inside_code(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in ("pre", "code"):
            return True
        parent = parent.parent
    return False
