"""The page's text as a reader sees it (scraper/extract/rendered.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract import rendered as rendered_module
from scraper.extract.rendered import rendered, shown_text, times_shown

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"

CASES = {
    "blocks": "<p>one</p><p>two <a href='/'>link</a>, three</p><div>four<br>five</div>",
    "hidden": "<p>shown</p><div hidden>hidden story</div><p class='d-none'>gone</p><p class='sr-only'>x</p>",
    "tabs": "<div role='tabpanel'>a</div><div role='tabpanel' hidden>b<i hidden>c</i></div>",
    "code": "<pre>a\n  b\n<div>c</div></pre><p>use <code>x\ny</code> here</p>",
    # hidden elements inside code are code's text: rendered flattens the code before it hides
    "hidden in code": (
        "<pre>keep <span hidden>this</span>\nline</pre><code><b style='display:none'>too</b></code>"
    ),
    "nested code": "<pre><code>outer\n<code>inner</code></code></pre>",
    "no body text": "<html><head><title>t</title><script>var a = 1;</script></head></html>",
    "ruby": "<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rtc>x</rtc></ruby>です</p>",
    "invisible": "<p>a</p><script>b()</script><style>p{}</style><noscript>c</noscript><template>d</template>",
}


@pytest.mark.parametrize("html", CASES.values(), ids=CASES.keys())
def test_shown_text_is_the_rendered_shown_text(html: str) -> None:
    """shown_text, which the copy rule reads, makes exactly rendered's `shown`."""
    assert shown_text(html) == rendered(html).shown


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
def test_shown_text_is_the_rendered_shown_text_on_every_fixture(path: Path) -> None:
    html = path.read_text(encoding="utf-8", errors="replace")
    assert shown_text(html) == rendered(html).shown


def test_times_shown_counts_what_a_reader_sees() -> None:
    """A text counts as often as the page shows it, white space collapsed; hidden copies not."""
    times = times_shown("<p>the  story</p><p>the story</p><div hidden>the story</div><p>other</p>")
    assert times("the\nstory") == 2
    assert times("other") == 1
    assert times("absent") == 0
    assert times("the story") == rendered("<p>the story</p><p>the story</p>").times("the story")


def test_an_element_hidden_by_its_visibility_is_not_shown() -> None:
    """`visibility: hidden` hides an element as `display: none` does (its room stays empty): its
    text is no shown copy, so the copy rule allows the story's paragraph once, not twice."""
    html = "<div style='visibility: hidden;'><p>the story</p></div><p>the story</p>"
    assert times_shown(html)("the story") == 1
    assert times_shown(html.replace("visibility: hidden", "visibility:hidden"))("the story") == 1
    assert times_shown(html.replace("hidden", "visible"))("the story") == 2


def test_ruby_reads_as_its_base_text() -> None:
    """A text with furigana counts as shown as the blocks read it (without <rt>/<rp>), so the copy
    rule never takes it for text the page does not show."""
    times = times_shown(
        "<p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの<ruby>法律<rt>ほうりつ</rt></ruby></p>"
    )
    assert times("子どもへの法律") == 1
    assert times("子こども") == 0


def test_a_formula_reads_as_its_tokens_not_its_annotations() -> None:
    """A MathML formula shows its token elements; its TeX <annotation> is never laid out, so the
    copy rule counts the formula as the blocks read it and its source as not shown."""
    times = times_shown(
        "<p>So <math><semantics><mrow><mi>x</mi><mo>=</mo><mn>1</mn></mrow>"
        "<annotation encoding='application/x-tex'>x = 1 \\quad</annotation></semantics></math> holds.</p>"
    )
    assert times("So x=1 holds.") == 1
    assert times("quad") == 0


def test_a_text_counts_the_same_composed_or_decomposed() -> None:
    """A page that writes "Jané" decomposed (e + U+0301) in one place and composed in another shows
    that text twice, as the output (NFC) holds it, whichever way the text asked for is written."""
    times = times_shown("<p>Jane\u0301 Koos i-Size</p><p>Jan\u00e9 Koos i-Size + iPlatform</p>")
    assert times("Jan\u00e9 Koos i-Size") == 2
    assert times("Jane\u0301 Koos i-Size") == 2


def test_a_hidden_tab_panel_is_shown() -> None:
    """A tab panel hidden until its tab is picked (role="tabpanel") is text the page shows: the same
    step in each language's panel counts once per panel; what a panel hides inside it does not."""
    step = "Replace the value of to with your number."
    page = (
        f"<div role='tablist'><button>Python</button><button>Go</button><button>Ruby</button></div>"
        f"<div role='tabpanel'><p>{step}</p></div>"
        f"<div role='tabpanel' hidden><p>{step}</p><p hidden>{step}</p></div>"
        f"<div role='TabPanel' style='display:none'><p>{step}</p></div>"
    )
    assert times_shown(page)(step) == 3
    assert rendered(page).times(step) == 3
    assert times_shown(f"<div role='tab' hidden>{step}</div><p>{step}</p>")(step) == 1


def test_a_tab_sets_panels_are_read_once() -> None:
    """Whether a hidden panel has a shown one beside it is asked once a set, not once a panel: a
    hostile page of thousands of hidden panels with the shown one last cost panels x panels (8,000
    took 10 CPU s). Counted in Python calls (and generator steps) while the page is read."""
    panels = "<div role='tabpanel' hidden><p>A step</p></div>" * 300
    page = f"<div>{panels}<div role='tabpanel'>x</div></div>"
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        shown = times_shown(page)("A step")
    finally:
        sys.setprofile(None)
    assert shown == 300
    assert calls < 10_000  # 920 now; 91,519 when each panel read its whole set


@pytest.mark.parametrize(
    ("classes", "shown"),
    [
        ("md:hidden", 1),
        ("max-lg:hidden", 1),
        ("dark:hidden", 1),
        ("tw:lg:!hidden", 1),
        ("min-[1200px]:hidden", 1),
        ("empty:hidden", 2),
        ("[&::-webkit-scrollbar]:hidden", 2),
        ("print:hidden", 2),
        ("hx:print:hidden", 2),
        ("hover:hidden", 2),
        ("group-open:hidden", 2),
        ("before:hidden", 2),
        ("*:not-first:hidden", 2),
        ("[&>svg:last-child]:hidden", 2),
        ("flex md:block", 2),
    ],
)
def test_a_tailwind_variant_hides_on_screens_alone(classes: str, shown: int) -> None:
    """Tailwind's "hidden" behind a screen's variant (a width, a theme) hides the element from some
    readers: one copy of a text counts. Not when printing ("print:hidden": every screen shows it),
    in a state a reader brings about, or for a part of the element or other elements."""
    text = "Call us on weekdays between nine and five."
    page = f"<p>{text}</p><div class='{classes}'><p>{text}</p></div>"
    assert times_shown(page)(text) == shown
    assert rendered(page).times(text) == shown


@pytest.mark.parametrize(
    ("classes", "shown"),
    [
        ("print:hidden hidden", 1),
        ("hover:hidden d-none", 1),
        ("PRINT:HIDDEN sr-only", 1),
        ("print:!hidden", 2),
        ("Print:Hidden", 2),
        ("hidden", 1),
    ],
)
def test_a_variant_that_hides_on_no_screen_leaves_the_other_hiding_classes_to_hide(
    classes: str, shown: int
) -> None:
    """An element whose class holds a variant's ":hidden" that hides it on no screen
    ("print:hidden", any ASCII case) is hidden still when another of its classes always hides it
    ("hidden", "d-none", "sr-only"); the page's elements are selected once, and only those read
    again (`rendered._by_variant`)."""
    text = "Call us on weekdays between nine and five."
    page = f"<p>{text}</p><div class='{classes}'><p>{text}</p></div>"
    assert times_shown(page)(text) == shown
    assert rendered(page).times(text) == shown
    node = LexborHTMLParser(page).css_first("div")
    assert node is not None
    assert rendered_module._by_variant(node) == (":" in classes)


def test_a_hidden_tab_panel_without_a_shown_one_beside_it_stays_hidden() -> None:
    """A hidden panel is shown by picking its tab only in a tab set a reader sees (a shown panel
    beside it): a lone hidden "tab panel", or a set hidden whole, cannot cloak a copy of the story
    into the output."""
    story = "The council voted to close the bridge for repairs next spring."
    lone = f"<p>{story}</p><div role='tabpanel' hidden><p>{story}</p></div>"
    assert times_shown(lone)(story) == 1
    assert rendered(lone).times(story) == 1
    closed = (
        f"<p>{story}</p><div><div role='tabpanel' hidden><p>{story}</p></div>"
        f"<div role='tabpanel' style='display:none'><p>{story}</p></div></div>"
    )
    assert times_shown(closed)(story) == 1
    # a shown panel elsewhere on the page opens no hidden panel of another set
    apart = (
        f"<div role='tabpanel'><p>{story}</p></div>"
        f"<div><div role='tabpanel' hidden><p>{story}</p></div></div>"
    )
    assert times_shown(apart)(story) == 1
    # a panel hidden whole inside a hidden wrapper is not opened by its shown sibling
    wrapped = (
        f"<p>{story}</p><div hidden><div role='tabpanel'>x</div>"
        f"<div role='tabpanel' hidden><p>{story}</p></div></div>"
    )
    assert times_shown(wrapped)(story) == 1
