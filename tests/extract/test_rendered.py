"""The page's text as a reader sees it (scraper/extract/rendered.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

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
