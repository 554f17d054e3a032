"""The text fidelity check of `make fidelity` (bench/fidelity.py) counts what it should, and only that."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

import fidelity

from scraper.api import clean_html
from scraper.extract import model
from scraper.extract.rendered import rendered


def test_a_space_the_page_lacks_before_punctuation_is_counted() -> None:
    """ "report , which" from "<a>report</a>, which" is a fault; "report, which" is not."""
    html = "<p>Read the <a href='/r'>report</a>, which <em>says</em> so.</p>"
    assert fidelity.faults(html, "Read the report , which says so .", []).spaced == ["report ,", "so ."]
    assert not fidelity.faults(html, "Read the report, which says so.", [])


def test_a_space_the_page_has_is_not_counted() -> None:
    """A <br>, a block boundary or a space in the page before the punctuation is the page's own."""
    html = "<p>Hat tip to <i>samela</i><br><br>.</p><div>A list<p>, then</p></div><p>Spaced out .</p>"
    assert not fidelity.faults(html, "Hat tip to samela .\nA list , then\nSpaced out .", [])
    island = '<p>Reviews</p><script>{"name": "Janet "}</script>'  # text the page renders by script
    assert not fidelity.faults(island, "Reviews\nVery soft and comfy, says Janet .", [])


def test_a_kept_text_inside_another_is_counted_unless_the_page_repeats_it() -> None:
    """A paragraph kept again inside a longer block is a copy; a line the page itself shows twice
    (a chorus, a changelog entry) kept twice is not."""
    html = "<p>We love you, we do.</p><p>We love you, we do.</p><p>The story in one block.</p>"
    assert fidelity.faults(html, "", ["We love you, we do.", "We love you, we do."]).copies == []
    kept = ["The story in one block.", "Intro. The story in one block."]
    assert fidelity.faults(html, "", kept).copies == ["The story in one block."]
    hidden = "<p>The story in one block.</p><div style='display: none'>Intro. The story in one block.</div>"
    assert fidelity.faults(hidden, "", kept).copies == ["The story in one block."]


def test_copies_are_what_the_pipelines_copy_rule_drops() -> None:
    """The check counts what the pipeline's copy rule (model.drop_copies) would drop, with the same
    count of what the page shows (Rendered.times): of a hidden story kept beside its paragraphs,
    the story is the copy (before, the check named the paragraphs, and the rule dropped the story)."""
    first, second = "The ferry runs through the night.", "It stops at every island on the way."
    html = f"<div hidden>{first} {second}</div><p>{first}</p><p>{second}</p><p>{first}</p>"
    page = rendered(html)
    assert (page.times(first), page.times(second), page.times(f"{first} {second}")) == (2, 1, 1)
    kept = [f"{first} {second}", first, second, first]
    assert fidelity.faults(html, "", kept).copies == [f"{first} {second}"]
    assert fidelity.faults(html, "", kept).copies == [kept[i] for i in model.drop_copies(kept, page.times)]
    assert not fidelity.faults(html, "", kept[1:])


def test_a_desktop_and_a_mobile_copy_are_one_text_a_reader_sees() -> None:
    """A text in a block a CSS framework's class hides at some widths (Tailwind "md:hidden" and
    "max-md:hidden", Bootstrap "d-none") is not counted as shown: kept twice, one is a copy (before,
    the page showed it twice, so both stayed); a class that hides nothing ("select-none") hides nothing."""
    feature = "Superfine fibers have a luxurious feel."
    html = (
        f"<div class='callout max-md:hidden'><p>{feature}</p></div>"
        f"<div class='md:hidden'><p>{feature}</p></div>"
        f"<div class='d-none d-md-block'>Hidden on phones only.</div><p class='select-none'>{feature}</p>"
    )
    page = rendered(html)
    assert (page.times(feature), page.times("Hidden on phones only.")) == (1, 0)
    assert fidelity.faults(html, "", [feature, feature, feature]).copies == [feature, feature]


def test_a_line_break_inside_a_paragraph_is_counted() -> None:
    """Two output lines whose words run on in one line of the page are a break the page does not
    have; lines at a block boundary, a <br> or in code are not."""
    html = (
        "<div>This trailer for <a href='/b'><em>Black Ops</em></a> is fun to watch.</div>"
        "<p>First paragraph here.</p><p>Second one here.</p><p>one<br>two words here</p>"
        "<pre>x = 1\ny = 2</pre><ul><li>mkdir <dirname> -- Create one</dirname>.</li></ul>"
    )
    broken = "This trailer for\nBlack Ops is fun to watch.\nmkdir\n-- Create one."
    assert fidelity.faults(html, broken, []).wraps == [
        "This trailer for / Black Ops is fun",
        "mkdir / -- Create one.",
    ]
    kept = "First paragraph here.\nSecond one here.\none\ntwo words here\nx = 1\ny = 2"
    assert not fidelity.faults(html, kept, [])


def test_a_line_break_of_code_run_on_is_counted() -> None:
    """Two lines of a <pre> (code, or preformatted text a <quote> holds) that the output runs on
    are a fault; kept apart they are not, nor are lines the page itself also runs on elsewhere
    (in a <code> of a paragraph, whose line break a browser lays out as a space)."""
    html = (
        "<p>Run:</p><pre>Successfully initialized wpa_supplicant\nFailed to open config file\n"
        "done</pre><pre>ls -la /etc\ncat /etc/hosts</pre><p>As in ls -la /etc cat /etc/hosts here.</p>"
        "<pre>data from the request:\nform = NameForm(request.POST)</pre>"
        "<p>Then with data from the request: <code>form =\nNameForm(request.POST)</code> it is bound.</p>"
    )
    run_on = (
        "Run:\nSuccessfully initialized wpa_supplicant Failed to open config file done\n"
        "ls -la /etc cat /etc/hosts"
    )
    assert fidelity.faults(html, run_on, []).joins == [
        "Successfully initialized wpa_supplicant / Failed to open config",
        "to open config file / done",
    ]
    kept = (
        "Run:\nSuccessfully initialized wpa_supplicant\nFailed to open config file\ndone\n"
        "Then with data from the request: form = NameForm(request.POST) it is bound."  # inline code runs on
    )
    assert not fidelity.faults(html, kept, [])


def test_the_markdown_and_the_xml_are_checked_as_their_readers_read_them() -> None:
    """The Markdown is read as its file reads (markup, link targets and escapes gone, a soft line
    break a line) and the XML as its blocks' text: a fault in either is counted, named by its format."""
    html = (
        "<p>Read the <a href='/r'>report</a>, which says so.</p><p>The council said it on Monday evening.</p>"
        "<pre>one two\nthree four</pre>"
    )
    text = "Read the report, which says so.\nThe council said it on Monday evening.\none two\nthree four"
    markdown = (
        "Read the [report](/r) , which says so.\n\nThe council said it\non Monday evening.\n\n"
        "> one two three four"
    )
    xml = (
        '<main><p>Read the <ref target="/r">report</ref>, which says so.</p>'
        "<p>The council said it on Monday evening.</p><quote>one two three four</quote></main>"
    )
    found = fidelity.faults(html, text, [], markdown, xml)
    assert found.spaced == ["markdown: report ,"]
    assert found.wraps == ["markdown: The council said it / on Monday evening."]
    assert found.joins == ["markdown: one two / three four", "xml: one two / three four"]
    readable = fidelity.markdown_lines("A \\_b\\_ **bold** [link](/x).\n\n```\nx = 1\n  y\n```")
    assert readable == "A _b_ bold link.\nx = 1\ny"
    good = (
        "Read the [report](/r), which says so.\n\nThe council said it on Monday evening.\n\n"
        "```\none two\nthree four\n```"
    )
    xml = xml.replace("one two three", "one two\nthree")
    assert not fidelity.faults(html, text, [], good, xml)


def test_text_the_xml_holds_beyond_the_text_is_counted() -> None:
    """XML (and so Markdown) that holds a text the text does not, or holds it twice, is a copy
    fault; the same text with its lines and cells joined otherwise is not."""
    html = "<p>Put this in the file:</p><pre>cert = /etc/stunnel/server.pem\nclient = yes</pre>"
    text = "Put this in the file:\ncert = /etc/stunnel/server.pem\nclient = yes"
    code = "<code>cert = /etc/stunnel/server.pem\nclient = yes</code>"
    twice = f"<main><p>Put this in the file:</p>cert = /etc/stunnel/server.pem client = yes{code}</main>"
    expected = ["xml: 32 letters and digits the text does not have"]
    assert fidelity.faults(html, text, [], xml=twice, chosen=True).copies == expected
    once = "<main><p>Put this in the file:</p><code>cert = /etc/stunnel/server.pem client = yes</code></main>"
    assert not fidelity.faults(html, text, [], xml=once, chosen=True).copies


def test_the_blocks_of_a_records_xml() -> None:
    """The copy check reads trafilatura's XML block by block: inline markup joined, code whole."""
    xml = (
        '<main><p>A <ref target="/x">link</ref>, here<lb/>next</p><list><item>one two three</item></list>'
        "<code><code>x = 1\n  y</code></code><quote><p>a quote</p> tail words</quote></main>"
    )
    assert fidelity.blocks(xml) == [
        "A link, here next",
        "one two three",
        "x = 1\n  y",
        "a quote",
        "tail words",
    ]


def test_the_pipeline_output_has_no_fault() -> None:
    """A page whose inline links, emphasis and line wraps tempt every join reads as it renders."""
    html = (
        "<html><body><article><h1>A report</h1><p>The <a href='/r'>report</a>, which the council"
        " <em>published</em>\n   on Monday, says the <a href='/b'>bridge</a>. It will close.</p>"
        "<p>Work starts in <b>May</b>, and ends in <i>June</i>. Traffic goes by the ring road"
        " meanwhile, the council said in its statement to the press on Monday evening.</p>"
        "</article></body></html>"
    )
    document = clean_html(html)
    assert "report, which the council published on Monday" in document.text
    assert not fidelity.faults(html, document.text, fidelity.blocks(document.xml))
