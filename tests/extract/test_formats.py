"""The main content as trafilatura's XML: the blocks the model chose keep trafilatura's markup."""

from __future__ import annotations

import gc
import random
import sys
from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest
from lxml import etree
from trafilatura.settings import Document as _Extracted

from scraper.config import ExtractSettings
from scraper.extract import formats
from scraper.extract.formats import (
    Content,
    chosen_content,
    content,
    keep_preformatted,
    plain_text,
    rejoin,
    remove_copies,
    remove_unheld,
    reseam,
    respace,
    resplit,
    split_declared,
    unwrap,
    xml_blocks,
)

SHOWN = Content(
    markdown="",
    xml=(
        '<main><head rend="h2">Timetable</head><p>See the <ref target="https://port.example/m">board '
        'minutes</ref> for <hi rend="#b">every</hi> pier.</p><list rend="ul"><item>06:10 from the '
        '<ref target="https://port.example/t">old town</ref></item></list><p>A teaser.</p></main>'
    ),
)


def test_blocks_the_model_chose_keep_trafilaturas_links_and_emphasis() -> None:
    """A block trafilatura kept too is its element, links and emphasis included; a block only the
    model kept is a plain element of its kind; a block the model dropped is gone."""
    blocks = [
        ("h2", "Timetable"),
        ("p", "See the board minutes for every pier."),
        ("li", "06:10 from the old town"),
        ("li", "06:40 from the quays"),
        ("blockquote", "A quote only the model kept."),
    ]
    chosen = chosen_content(SHOWN, blocks)
    main = etree.fromstring(chosen.xml)
    assert [child.tag for child in main] == ["head", "p", "list", "quote"]
    assert main.xpath("p/ref/@target") == ["https://port.example/m"] and main.xpath("p/hi/text()") == [
        "every"
    ]
    assert main.xpath("list/item/ref/@target") == ["https://port.example/t"]
    assert main.xpath("list/item[2]/text()") == ["06:40 from the quays"]
    assert "A teaser" not in chosen.xml
    assert "[board minutes](https://port.example/m)" in chosen.markdown
    assert "**every**" in chosen.markdown and "- 06:40 from the quays" in chosen.markdown


def test_loose_text_the_model_kept_is_a_paragraph_a_line() -> None:
    """A block only the model kept reads in the XML and Markdown as in the text, one paragraph per
    line: the runs of a <div>'s loose text between <br>s are paragraphs (as trafilatura reads them);
    the lines of a <p> (an address, a verse) stay one paragraph with its line breaks."""
    chosen = chosen_content(
        Content(markdown="", xml=""), [("div", "First run.\nSecond run."), ("p", "1 Pier Road\nHarbourtown")]
    )
    main = etree.fromstring(chosen.xml)
    assert [(child.tag, "".join(child.itertext())) for child in main] == [
        ("p", "First run."),
        ("p", "Second run."),
        ("p", "1 Pier RoadHarbourtown"),
    ]
    assert main[2].find("lb") is not None
    assert [line for line in chosen.markdown.splitlines() if line] == [
        "First run.",
        "Second run.",
        "1 Pier Road",
        "Harbourtown",
    ]


def test_code_only_the_model_kept_keeps_its_lines_in_its_text() -> None:
    """A <pre> only the model kept is trafilatura's <code>: its lines and indentation in its text,
    as trafilatura writes it, so a reader of the XML's text sees them (not <lb/>s it would drop)."""
    chosen = chosen_content(Content(markdown="", xml=""), [("pre", "if pier:\n    sail()")])
    code = etree.fromstring(chosen.xml)[0]
    assert (code.tag, code.text, len(code)) == ("code", "if pier:\n    sail()", 0)
    assert "if pier:\n    sail()" in chosen.markdown


def test_a_numbered_list_trafilatura_kept_stays_numbered() -> None:
    """Items trafilatura kept in a numbered list (rend "ol") stay in one; a plain item starts a
    bulleted one."""
    shown = Content(
        markdown="", xml='<main><list rend="ol"><item>Install it</item><item>Run it</item></list></main>'
    )
    chosen = chosen_content(
        shown, [("li", "Install it"), ("li", "Run it"), ("li", "A bullet only the model kept")]
    )
    assert etree.fromstring(chosen.xml).xpath("list/@rend") == ["ol", "ul"]
    assert "1. Install it" in chosen.markdown and "2. Run it" in chosen.markdown
    assert "- A bullet only the model kept" in chosen.markdown


def test_an_image_trafilatura_kept_after_a_chosen_block_follows_it() -> None:
    """An image between trafilatura's blocks stays after the block it followed when that block is
    kept, in a list or not; it goes with a block the model dropped."""
    shown = Content(
        markdown="",
        xml='<main><p>The pier.</p><graphic src="p.jpg" alt="Pier"/><list rend="ul"><item>One</item></list>'
        '<graphic src="i.jpg" alt="Item"/><p>Dropped.</p><graphic src="d.jpg" alt="Gone"/></main>',
    )
    chosen = chosen_content(shown, [("p", "The pier."), ("li", "One"), ("li", "Two")])
    main = etree.fromstring(chosen.xml)
    assert [child.tag for child in main] == ["p", "graphic", "list", "graphic", "list"]
    assert main.xpath("graphic/@src") == ["p.jpg", "i.jpg"]


def test_word_markup_with_an_undeclared_prefix_gives_xml_that_reads_back() -> None:
    """Word's `<o:p>` inside a paragraph (the HTML parser keeps it as a tag named "o:p") is
    unwrapped with its text kept, so the record's XML parses and the model's blocks can use it."""
    body = lxml.html.fromstring(
        "<div><p>Is a doping amnesty a good idea?<o:p></o:p></p>"
        '<p o:class="x">Yes, <o:p>said</o:p> one.</p></div>'
    )
    found = _Extracted()
    found.body = body
    shown = content(found, ExtractSettings())
    main = etree.fromstring(shown.xml)
    assert [" ".join(p.itertext()) for p in main] == ["Is a doping amnesty a good idea?", "Yes, said one."]
    assert not main.xpath("//@*[contains(name(), ':')]")
    chosen = chosen_content(shown, [("p", "Is a doping amnesty a good idea?")])
    assert etree.fromstring(chosen.xml).xpath("p/text()") == ["Is a doping amnesty a good idea?"]


def test_blocks_the_model_chose_bring_no_loose_text_and_keep_a_pres_lines() -> None:
    """A block trafilatura kept too comes without the loose text after it in trafilatura's XML (it
    came along as the element's tail: the <pre>'s text twice in the XML and the Markdown); a <pre>
    block whose lines trafilatura lost is code with the block's lines."""
    shown = Content(
        markdown="",
        xml=(
            "<main><p>Put this in the file:</p>cert = a.pem client = yes"
            "<p>import asyncio import time</p></main>"
        ),
    )
    chosen = chosen_content(
        shown,
        [
            ("p", "Put this in the file:"),
            ("pre", "cert = a.pem\nclient = yes"),
            ("pre", "import asyncio\nimport time"),
        ],
    )
    main = etree.fromstring(chosen.xml)
    assert [element.tag for element in main] == ["p", "code", "code"]
    assert "".join(main.itertext()).count("client = yes") == 1
    assert chosen.markdown.count("client = yes") == 1
    assert "import asyncio\nimport time" in chosen.markdown


def test_a_pre_block_starting_with_a_blank_line_is_fenced_code_with_its_text_escaped() -> None:
    """A <pre> block whose text starts with a blank line (a page header line of spaces) is code in
    the XML and fenced in the Markdown; before, its first line was empty and the Markdown wrote its
    lines as loose text, "<module>" unescaped, which a Markdown reader takes for a tag and drops."""
    pre = "\nstrings of the form <module> <level>,\n  where <module>"
    chosen = chosen_content(Content("", ""), [("pre", pre)])
    assert "```\nstrings of the form <module> <level>,\n  where <module>\n```" in chosen.markdown
    assert etree.fromstring(chosen.xml)[0].text == "strings of the form <module> <level>,\n  where <module>"


def test_paragraphs_that_are_one_block_of_the_page_are_joined_again() -> None:
    """trafilatura's paragraphs split at an inline element ("for" | "<hi>Black Ops</hi> is fun")
    are one again, with or without a space as the page has it; paragraphs the page breaks stay."""
    body = etree.fromstring(
        '<main><p>This trailer for</p><p><hi rend="#i">Black Ops 2</hi> is fun.</p>'
        "<p>Then a comedian (</p><p>The Hangover), a horse.</p><p>A paragraph of its own.</p>"
        "<p>A line before a br</p><p>and the line after it.</p>"
        '<head rend="h2">July 8</head>Last September we released<p>version 5.8, which was lighter.</p>'
        "<p>A paragraph that ends</p>with loose text after it.<p>It has only been</p>"
        '<ref target="/s"> less than 3 months</ref><p> since we started.</p></main>'
    )
    page = (
        "This trailer for Black Ops 2 is fun.\nThen a comedian (The Hangover), a horse.\n"
        "A paragraph of its own.\nA line before a br\nand the line after it.\nJuly 8\n"
        "Last September we released version 5.8, which was lighter.\n"
        "A paragraph that ends with loose text after it.\n"
        "It has only been less than 3 months since we started."
    )
    assert rejoin(body, page)
    assert ["".join(p.itertext()) for p in body] == [
        "This trailer for Black Ops 2 is fun.",
        "Then a comedian (The Hangover), a horse.",
        "A paragraph of its own.",
        "A line before a br",
        "and the line after it.",
        "July 8",
        "Last September we released version 5.8, which was lighter.",
        "A paragraph that ends with loose text after it.",
        "It has only been less than 3 months since we started.",
    ]
    assert body.xpath("p[last()]/ref/@target") == ["/s"]
    assert body[5].tail is None and body[7].tail is None
    assert body.xpath("p[1]/hi/text()") == ["Black Ops 2"]
    assert not rejoin(body, page)


def test_a_loose_link_or_code_of_one_line_joins_the_paragraph_the_page_runs_it_on_with() -> None:
    """A link before a paragraph ("<ref>Download KDE</ref><p> sources</p>"), and code trafilatura
    lifted out of a sentence ("for the", "<code>wheel</code>", "group"), are one paragraph when the
    page runs them on (before, the text read "Download KDE" | "sources" and "for the" | "wheel");
    code of several lines, or the page's own block, stays apart."""
    body = etree.fromstring(
        '<main><p>Read on.</p><ref target="/d"><hi>Download KDE 4.9.3</hi></ref><p> sources right now.</p>'
        "<p>Enable sudo for the</p><code>wheel</code><p>group and add the user.</p>"
        "<p>Edit the file:</p><code>auth sufficient\nauth required</code>"
        "<p>Run it</p><code>make</code></main>"
    )
    page = (
        "Read on.\nDownload KDE 4.9.3 sources right now.\nEnable sudo for the wheel group and add the user.\n"
        "Edit the file:\nauth sufficient\nauth required\nRun it\nmake"
    )
    assert rejoin(body, page)
    assert ["".join(p.itertext()) for p in body] == [
        "Read on.",
        "Download KDE 4.9.3 sources right now.",
        "Enable sudo for the wheel group and add the user.",
        "Edit the file:",
        "auth sufficient\nauth required",
        "Run it",
        "make",
    ]
    assert body.xpath("p[2]/ref/@target") == ["/d"]
    assert body.xpath("p[3]/code/text()") == ["wheel"]
    assert not rejoin(body, page)


def test_an_empty_paragraph_between_two_parts_of_one_line_goes_when_they_are_joined() -> None:
    """A byline "<a>Author</a> <a>&nbsp;</a> <b>06 PM | 18 May</b>" comes from trafilatura as three
    paragraphs, the middle one empty: the two around it are one line of the page and are joined,
    the empty one gone; so is a loose link before an empty paragraph. An empty paragraph between
    the page's own lines stays (before, the empty paragraph kept the byline on two lines)."""
    body = etree.fromstring(
        '<main><p><ref target="/a">Jane Doe</ref></p><p><ref target="/u"> </ref></p><p>06 PM | 18 May</p>'
        '<ref target="/d">Download the</ref><p/><p>timetable of the summer.</p>'
        "<p>A line of its own.</p><p/><p>Another line of its own.</p></main>"
    )
    page = (
        "Jane Doe 06 PM | 18 May\nDownload the timetable of the summer.\n"
        "A line of its own.\nAnother line of its own."
    )
    assert rejoin(body, page)
    assert ["".join(p.itertext()) for p in body] == [
        "Jane Doe 06 PM | 18 May",
        "Download the timetable of the summer.",
        "A line of its own.",
        "",
        "Another line of its own.",
    ]
    assert body.xpath("p[1]/ref/@target") == ["/a"]
    assert not rejoin(body, page)


def test_elements_trafilatura_does_not_know_are_unwrapped_and_multi_line_quotes_wait() -> None:
    """`unwrap` collapses source line wraps; an element neither trafilatura's nor an HTML block
    (a custom tag, a <span>) goes, its text kept, so "a <x>directory</x>." reads "a directory."
    in the text; a table cell stays, a table of one cell holding only blocks goes; code inside a
    sentence is inline, code of its own keeps its lines. A quote of several lines keeps them
    until `keep_preformatted` knows whether the page's <pre> is it: then it keeps them, else it
    is one line; a quote or paragraph that is a <pre> whose lines trafilatura lost gets them
    back, unless a link would go."""
    body = etree.fromstring(
        "<main><list><item>mkdir <directoryname>-- Create a\n directory</directoryname>.</item></list>"
        "<p>A <span>nested</span> word.</p><table><row><cell><td>a</td><td>b</td></cell></row></table>"
        "<p>The <code>summary\n phrase</code> is short.</p><p>Run <code>make\n  all</code></p>"
        "<quote>The tide comes in at seven\n  The ferry leaves at eight</quote>"
        "<quote>A quote wrapped\n   in the source.</quote><quote>@cache def f(n): return n</quote>"
        '<p>import asyncio import time</p><p><ref target="/a">ls</ref> -la /etc</p>'
        "<table><row><cell><code>x = 1\ny = 2</code></cell></row></table></main>"
    )
    unwrap(body)
    assert body[-1].tag == "code" and body[-1].text == "x = 1\ny = 2"  # a table of one cell: a layout box
    assert plain_text(body).splitlines()[:4] == [
        "- mkdir -- Create a directory.",
        "A nested word.",
        "| a b |",
        "The summary phrase is short.",
    ]
    assert body.xpath("//td/text()") == ["a", "b"] and not body.xpath("//directoryname | //span")
    assert body.xpath("p/code/text()") == ["summary phrase", "make\n  all"]
    quotes = [
        "The tide comes in at seven\n  The ferry leaves at eight",
        "A quote wrapped\n   in the source.",
        "@cache def f(n): return n",
    ]
    assert [q.text for q in body.iter("quote")] == quotes
    pres = ["The tide comes in at seven\n  The ferry leaves at eight", "@cache\ndef f(n):\n    return n",
            "import asyncio\nimport time", "ls -la\n/etc"]  # fmt: skip
    assert keep_preformatted(body, pres)
    assert [q.text for q in body.iter("quote")] == [quotes[0], "A quote wrapped in the source.", pres[1]]
    assert body.xpath("p[4]/text()") == [pres[2]] and body.xpath("p[5]/ref/text()") == ["ls"]
    assert not keep_preformatted(body, pres)


def test_spaces_around_punctuation_are_as_the_page_has_them() -> None:
    """trafilatura's fallback joins text nodes with spaces ("at SXSW ."): a space before punctuation
    goes when the page's blocks have none there, also after an inline element, and one lost after
    punctuation ("marathon,run") comes back; the page's own spacing and code stay."""
    body = etree.fromstring(
        "<main><p>The booth at SXSW . Photo courtesy of the team.</p>"
        '<p>Click <ref target="/h">here</ref> , then go.</p><p>Spaced out . As the page has it.</p>'
        '<p>A <hi rend="#b">PB in the marathon,</hi>run in 2011, version 5.8 too.</p>'
        "<code>x = a .b</code></main>"
    )
    page = (
        "The booth at SXSW. Photo courtesy of the team.\nClick here, then go.\n"
        "Spaced out . As the page has it.\nA PB in the marathon, run in 2011, version 5.8 too."
    )
    assert respace(body, page)
    assert ["".join(element.itertext()) for element in body] == [
        "The booth at SXSW. Photo courtesy of the team.",
        "Click here, then go.",
        "Spaced out . As the page has it.",
        "A PB in the marathon, run in 2011, version 5.8 too.",
        "x = a .b",
    ]
    assert not respace(body, page)


def test_blocks_run_together_in_an_item_are_spaced_as_the_page_lays_them_out() -> None:
    """trafilatura joins the blocks inside a list item with nothing between them ("Top RatedTrail
    Boots - Women's$170.001332 reviews"): a space goes where a line of the page ends or starts
    inside a word that is none of the page's, across an inline element too; a word the page writes
    whole ("MerrellMoab", "useState" under lines ending "use" and starting "State"), a line of one
    word at the start of a word ("$5" of "$510"), punctuation after a line's end ("25 liters." of a
    text the blocks do not hold) and code stay as they are."""
    body = etree.fromstring(
        '<main><list rend="ul"><item>Top RatedMerrellMoab Boots - Women\'s$170.001332 reviews</item>'
        '<item>Award Winner<hi rend="#b">Cloud</hi>rock Boots</item><item>$510Offer ends today</item></list>'
        "<p>Call useState to hold it, see Boots-Women's.</p><p>Room in its 25 liters.</p>"
        "<code>Top RatedMerrell</code></main>"
    )
    page = (
        "MerrellMoab Boots - Women's\nTop Rated\n$170.00\n(1332)1332 reviews\nCloudrock Boots\n"
        "Award Winner\n$5\nOffer ends today\nTools we use\nState of the art\n"
        "Call useState to hold it, see Boots-Women's.\n25 liters"
    )
    assert reseam(body, page)
    assert ["".join(element.itertext()) for element in body.iter("item", "p", "code")] == [
        "Top Rated MerrellMoab Boots - Women's $170.00 1332 reviews",
        "Award Winner Cloudrock Boots",
        "$510 Offer ends today",
        "Call useState to hold it, see Boots-Women's.",
        "Room in its 25 liters.",
        "Top RatedMerrell",
    ]
    assert not reseam(body, page)


def test_spacing_blocks_run_together_is_bounded_on_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons `reseam` makes on a page are bounded (`SEAM_WORK`: a page of a thousand cards
    of long words that begin as many of its lines begin cost seconds unbounded); past the bound the
    rest of the text stays as trafilatura wrote it, and what was spaced before it stays spaced."""

    def grid() -> etree._Element:
        items = "".join(f"<item>Top RatedBoots {n}$170.00</item>" for n in range(40))
        return etree.fromstring(f'<main><list rend="ul">{items}</list></main>')

    page = "\n".join(f"Top Rated\nBoots {n}\n$170.00" for n in range(40))
    body = grid()
    assert reseam(body, page)
    assert all((item.text or "").startswith("Top Rated Boots") for item in body.iter("item"))
    monkeypatch.setattr(formats, "SEAM_WORK", 60)
    body = grid()
    assert reseam(body, page)
    texts = [item.text for item in body.iter("item")]
    assert texts[0] == "Top Rated Boots 0 $170.00"
    assert texts[-1] == "Top RatedBoots 39$170.00"


def test_the_lines_a_place_in_a_long_word_starts_are_found_in_steps_the_page_shares_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At every place of a word that is none of the page's, `reseam` asks which lines of the page
    start there: it sliced the rest of the word at every length and looked each slice up, its
    length squared at every place (a page of a PHP error's long paths cost 80 ms more than the rest
    of its extraction). Read along the lines' first words by character (`_trie`), a place costs
    the characters a first word shares with it: counted in steps, not timed (the machines are
    shared). The seams found are the same: "/srv/www/app/cache.phpWarning" is cut before "Warning"."""
    steps = [0]

    class Counted(dict[str, "Counted"]):
        def get(self, key: str, default: Any = None) -> Any:
            steps[0] += 1
            return super().get(key, default)

    made = formats._trie

    def counted(node: dict[str, Any]) -> Counted:
        return Counted({key: counted(value) for key, value in node.items()})

    monkeypatch.setattr(formats, "_trie", lambda words: counted(made(words)))
    rng = random.Random(13)
    paths = ["/" + "".join(rng.choice("abcdefghij/") for _ in range(110)) + ".php" for _ in range(200)]
    body = etree.fromstring(
        f"<main><p>Fatal error in /srv/www/app/cache.phpWarning at line 52</p><p>{' '.join(paths)}</p></main>"
    )
    page = "\n".join(
        ["Fatal error in /srv/www/app/cache.php", "Warning at line 52"]
        + [f"{path[:4]}x {n} more" for n, path in enumerate(paths)]
    )
    assert reseam(body, page)
    assert next(p.text for p in body.iter("p")) == "Fatal error in /srv/www/app/cache.php Warning at line 52"
    places = sum(len(word) for word in " ".join(paths).split())
    assert steps[0] <= 6 * places  # a first word shares at most five characters with a place here
    assert formats._prefixes("abcd", 1, made(["b", "bc", "bcx", "c", "d"])) == ["b", "bc"]


def test_attributes_from_a_broken_tag_give_xml_that_reads_back() -> None:
    """A tag broken by text in it (`<p powered by common sense - thorpe,>`) has attributes no XML
    name can hold: they are dropped, so the record's XML parses and the model's blocks can use it."""
    body = lxml.html.fromstring(
        '<div><p dir="ltr" powered by common sense - doug thorpe,>A story told in full.</p></div>'
    )
    found = _Extracted()
    found.body = body
    shown = content(found, ExtractSettings())
    assert etree.fromstring(shown.xml).xpath("p/text()") == ["A story told in full."]
    chosen = chosen_content(shown, [("p", "A story told in full.")])
    assert etree.fromstring(chosen.xml).xpath("p/text()") == ["A story told in full."]


def test_copies_leave_trafilaturas_xml_and_the_text_around_them_stays() -> None:
    """A block kept more often than the page shows it goes from trafilatura's XML with its own text
    only: the text after it (its tail, the text of the block around it) stays, and a list left
    empty goes too; a text the page shows twice stays twice."""
    chorus = "Row, row, row your boat."

    def shows(text: str) -> int:  # the page shows the chorus twice, the rest once
        return 2 if text == chorus else 1

    body = etree.fromstring(
        f"<body><p>Verse one, <hi>sung</hi> loud.</p>loose words<p>{chorus}</p><p>{chorus}</p> after it"
        f"<list><item>Verse one, sung loud.</item></list><quote><p>{chorus}</p> and a tail</quote></body>"
    )
    assert remove_copies([body], shows)
    assert etree.tostring(body, encoding="unicode") == (
        f"<body><p>Verse one, <hi>sung</hi> loud.</p>loose words<p>{chorus}</p><p>{chorus}</p> after it"
        "<quote> and a tail</quote></body>"
    )
    assert [text for _, text in xml_blocks(body)] == [
        "Verse one, sung loud.",
        chorus,
        chorus,
        "and a tail",
        "loose words after it",
    ]
    assert not remove_copies([body], shows)


def test_reading_trafilaturas_blocks_leaves_no_reference_cycle() -> None:
    """`xml_blocks` and `reseam` leave nothing for the garbage collector: their recursive steps
    nested in them were reference cycles (a function calling itself through its closure), which
    held the blocks they read, and so trafilatura's whole XML tree, until a collection found them."""
    page = "Verse one\nsung loud\nRow, row"

    def body() -> etree._Element:
        return etree.fromstring(
            "<main><p>Verse one<hi>sung</hi> loud.</p><list><item>Row, row<ref>your</ref> boat</item></list>"
            "<quote><p>A line</p> and a tail</quote></main>"
        )

    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        assert [text for _, text in xml_blocks(body())] == [
            "Verse onesung loud.",
            "Row, rowyour boat",
            "A line",
            "and a tail",
        ]
        assert reseam(body(), page)
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_a_bare_link_back_up_leaves_trafilaturas_xml_as_a_link_only() -> None:
    """In trafilatura's XML a bare "To the top" goes where it is a link's text (its `<ref>`), not
    where it heads a part of the story or sits in a sentence's link; "Back to top" goes either way."""
    body = etree.fromstring(
        "<body><head>To the top</head><p>The summit at last.</p>"
        "<p>\u2191 <ref target='#top'>To the top</ref></p><item>Do góry</item>"
        "<p><ref target='#a'>Nach oben</ref> went the rope.</p><p>Back to top</p></body>"
    )
    assert formats.remove_calls([body])
    assert [text for _, text in xml_blocks(body)] == [
        "To the top",
        "The summit at last.",
        "Do góry",
        "Nach oben went the rope.",
    ]


def test_machine_identifiers_run_together_leave_trafilaturas_text() -> None:
    """In trafilatura's text a block of UUIDs run together (a shop's "Similar items" card spelling
    its label out of hidden spans) goes, as it goes from the blocks' verdicts; a command naming
    one UUID and a sentence naming three stay, and a text without them is left as it was."""
    ids = "".join(f"{i}3097ac-d3e5-41e1-baf5-30364075{i}ebfX" for i in range(10, 16))
    command = "celery -A proj result 4e196aa4-0141-4601-8138-7aa33db0f577"
    named = (
        "The builds 4e196aa4-0141-4601-8138-7aa33db0f577, 5e196aa4-0141-4601-8138-7aa33db0f577 and"
        " 6e196aa4-0141-4601-8138-7aa33db0f577 failed at the linker, out of memory on the runners."
    )
    body = etree.fromstring(
        f"<body><head>Similar items</head><p>{ids}</p><code>{command}</code><p>{named}</p></body>"
    )
    assert formats.remove_machine([body])
    assert [text for _, text in xml_blocks(body)] == ["Similar items", command, named]
    assert not formats.remove_machine([body])


def test_a_paragraph_holding_several_blocks_of_the_page_is_split_at_their_bounds() -> None:
    """trafilatura's baseline gives a short page's <article> as one paragraph: it is split where
    the page's blocks begin and end, what lies between them (a share bar the pre-pass had taken)
    a line of its own, the tail kept; a paragraph with a link inside, one holding a single block,
    or blocks found only inside words, stays as it is; no cut is made where the page, laid out,
    runs the blocks on (buttons side by side)."""
    body = etree.fromstring(
        "<main><p>Council approves library budget By Jane Doe | December 5, 2026 Council approves"
        " the\n budget 7 to 2. Share on Facebook Tweet</p>tail<p>Budget 7 to 2. Council approves"
        " <ref target='/x'>library budget</ref></p><p>Council approves library budget, the story.</p>"
        "<p>Subscribe By Jane Doers</p></main>"
    )
    page = (
        "Council approves library budget\nBy Jane Doe | December 5, 2026\n"
        "Council approves the budget 7 to 2.\nSubscribe\nBy Jane Doe"
    )
    laid_out = page.replace("Council approves the budget", "Council approves the\nbudget")
    assert resplit(body, page, lambda: laid_out)
    assert plain_text(body).splitlines() == [
        "Council approves library budget",
        "By Jane Doe | December 5, 2026",
        "Council approves the budget 7 to 2.",
        "Share on Facebook Tweet",
        "tail",
        "Budget 7 to 2. Council approves library budget",
        "Council approves library budget, the story.",
        "Subscribe By Jane Doers",
    ]
    assert not resplit(body, page, lambda: laid_out)
    buttons = etree.fromstring(
        "<main><p>Coming soon The Super Pack Choose set Notify me See details</p></main>"
    )
    page = "Coming soon\nThe Super Pack\nChoose set Notify me\nSee details"
    assert resplit(buttons, page, lambda: "Coming soon\nThe Super Pack\nChoose set Notify me See details")
    assert plain_text(buttons).splitlines() == [
        "Coming soon",
        "The Super Pack",
        "Choose set Notify me See details",
    ]


def test_the_split_search_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """resplit looks for at most _SPLIT_SEARCHES lines in a page's paragraphs: past the bound, the
    paragraphs left stay as they are (a page of thousands of paragraphs that are none of its lines
    cost about a second before)."""
    monkeypatch.setattr(formats, "_SPLIT_SEARCHES", 5)
    body = etree.fromstring("<main><p>One line Two line</p><p>Two line Red line</p></main>")
    assert resplit(body, "One line\nTwo line\nRed line", lambda: "")
    assert plain_text(body).splitlines() == ["One line", "Two line", "Two line Red line"]


def test_blocks_the_page_does_not_hold_are_taken_out() -> None:
    """remove_unheld takes out each block whose text the page does not hold (white space aside);
    the blocks it holds stay."""
    body = etree.fromstring("<main><p>The  story.</p><p>Accept all cookies</p><p>Its end.</p></main>")
    assert remove_unheld([body], "The story.\nIts\nend.")
    assert plain_text(body).splitlines() == ["The story.", "Its end."]
    assert not remove_unheld([body], "The story. Its end.")


def test_the_unheld_search_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """remove_unheld scans at most _UNHELD_SCAN characters of the page's text in all: past the
    bound, the blocks left stay as trafilatura gave them (thousands of blocks, none held, in a
    large page cost seconds before)."""
    page = "The story. Its end."
    monkeypatch.setattr(formats, "_UNHELD_SCAN", 2 * len("".join(page.split())))
    body = etree.fromstring("<main><p>Ad one</p><p>Ad two</p><p>Ad three</p><p>Ad four</p></main>")
    assert remove_unheld([body], page)
    assert plain_text(body).splitlines() == ["Ad three", "Ad four"]


def test_respacing_reads_a_long_word_once() -> None:
    """The respacing patterns matched from every character of a word, so a word of 100,000
    characters without a space (base64 a page shows as text) took over 25 s in one regular
    expression call, which the watchdog cannot stop. A match now starts at a word's start only:
    every attempt from inside a word fails at its first step, so a word is read once from its
    start (the work checked by where a match may start, not timed: the machines are shared)."""
    text = "say ,hi.there Tom2 ;x"
    for pattern in (formats._SPACED, formats._RUN_ON):
        inside = [i for i in range(1, len(text)) if text[i - 1 : i + 1].isalnum()]
        assert [i for i in inside if pattern.match(text, i)] == [], pattern.pattern
        assert pattern.search(text) is not None  # it matches at a word's start
    word = "a" * 60_000
    assert formats._respaced(f"{word}. x ,y.z", f"{word}. x, y. z") == (f"{word}. x, y.z", True)
    assert formats._respaced("say ,hi.there", "say, hi. there") == ("say, hi.there", True)


def test_a_page_of_thousands_of_loose_links_is_rejoined_in_linear_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each loose link a paragraph took in (_take_next) joined the paragraph's whole text again to
    read its last words: a page of 10,000 links took 20 s, past `[extract] timeout`. Read from its
    end (_ending), the work per link is bounded whatever the paragraph holds already: counted in
    pieces of text read, not timed (the machines are shared)."""
    from scraper.api import clean_html  # noqa: PLC0415  # the user's way in

    links = "".join(f"<a href='/p{i}'>link {i}</a> " for i in range(300))
    document = clean_html(f"<html><body><article>{links}</article></body></html>")
    assert "link 0 link 1 " in document.text and document.text.rstrip().endswith("link 299")
    read: list[str] = []
    backwards = formats._backwards

    def counted(element: etree._Element) -> Iterator[str]:
        for piece in backwards(element):
            read.append(piece)
            yield piece

    monkeypatch.setattr(formats, "_backwards", counted)
    long = etree.fromstring("<p>" + "".join(f"<ref>link {i}</ref> " for i in range(5_000)) + "</p>")
    assert formats._ending(long).split()[-2:] == ["link", "4999"]
    assert len(read) <= 4 * formats._JUNCTION  # a few pieces from the end, not 10,000
    monkeypatch.undo()
    paragraph = etree.fromstring("<p>one <hi>two <ref>three</ref></hi><!-- x --> four five</p>")
    assert formats._ending(paragraph) == "one two three four five"  # read back to a fifth word
    assert formats._ending(etree.fromstring("<p>a <hi>b</hi></p>")) == "a b"  # all it has


def test_a_paragraph_that_is_a_declared_body_whole_is_split_into_its_paragraphs() -> None:
    """A paragraph that is a declared body's paragraphs joined by a space is split into them (the
    tail after it kept); one holding part of a body, or a body and more, stays whole, and so does
    one with a link inside."""
    declared = [["The board met.", "It agreed the timetable.", "Crews start in June."]]
    body = etree.fromstring(
        "<body><p>The board met. It agreed the timetable. Crews start in June.</p>tail"
        "<p>The board met. It agreed the timetable.</p>"
        "<p>The board met. It agreed the timetable. Crews start in June. More.</p>"
        "<p>The board met. It agreed the <ref>timetable</ref>. Crews start in June.</p></body>"
    )
    assert split_declared(body, declared)
    assert [p.text for p in body][:3] == declared[0]
    assert body[2].tail == "tail"
    assert len(body) == 6
    assert not split_declared(body, declared)


def test_two_code_blocks_in_a_row_keep_the_line_between_them() -> None:
    """Two code blocks in a row (a diff shown in several <pre>, kept whole) ran on in the text of
    the XML: the first's last line and the second's first ("}// Fetch all entries"), a line break
    of code lost. Code inline in a paragraph still runs on as the sentence does."""
    body = etree.fromstring(
        "<main><p>The change:</p><code>x := 1\n}</code><code>// Fetch all entries\ny := 2</code>"
        "<p>Use <code>a</code><code>b</code> here.</p></main>"
    )
    assert plain_text(body).splitlines() == [
        "The change:",
        "x := 1",
        "}",
        "// Fetch all entries",
        "y := 2",
        "Use ab here.",
    ]


def test_a_code_blocks_lines_are_indented_where_the_block_stands() -> None:
    """The text's lines of an indented code block are those the block wrote, not the first run of
    lines that read the same: a tutorial's flat code ("Python refuses this") before the indented
    fix read indented, and the fix flat; a paragraph that reads as the code's line stays flat."""
    body = etree.fromstring(
        "<main><p>Python refuses this:</p><code>if ready:\nprint(ready)</code><p>Write it so:</p>"
        "<code>if ready:\n    print(ready)</code><p>if ready:</p><p>print(ready)</p>"
        "<quote>for x in y:\n\tprint(x)</quote><p>Done.</p></main>"
    )
    assert plain_text(body).splitlines() == [
        "Python refuses this:", "if ready:", "print(ready)", "Write it so:", "if ready:", "    print(ready)",
        "if ready:", "print(ready)", "for x in y:", "\tprint(x)", "Done.",
    ]  # fmt: skip


def test_the_code_blocks_are_found_in_time_linear_in_the_text() -> None:
    """Each indented code block was looked for from the last one found to the text's end, so a page
    of thousands the text writes otherwise (a zero-width space trafilatura drops) cost the blocks
    times the lines: 8,000 cost 4.6 s. The lines of Python run grow as the blocks do."""

    def lines(blocks: int) -> int:
        steps = "".join(f"<p>Step {i}</p><code>x = {i}\u200b\n    y = 2</code>" for i in range(blocks))
        body = etree.fromstring(f"<main>{steps}</main>")
        count = 0

        def trace(frame, event, arg):  # type: ignore[no-untyped-def]
            nonlocal count
            if frame.f_code.co_filename == formats.__file__ and event == "line":
                count += 1
            return trace

        sys.settrace(trace)
        try:
            plain_text(body)
        finally:
            sys.settrace(None)
        return count

    assert lines(400) < 2.5 * lines(200)


def test_a_code_block_keeps_its_indentation_where_trafilatura_writes_its_characters_otherwise() -> None:
    """A code block holding what trafilatura's text drops or decodes (a zero-width space, a soft
    hyphen, an entity the page shows as written: "&lt;") kept its indentation in the blocks' text
    and lost it in trafilatura's: its lines were compared as the page writes them."""
    code = "<code>if a:\u200b\n    b = '&amp;lt;'\n    c\u00ad = 1</code>"
    body = etree.fromstring(f"<main><p>Shown so:</p>{code}<p>Done.</p></main>")
    assert plain_text(body).splitlines() == [
        "Shown so:", "if a:\u200b", "    b = '&lt;'", "    c\u00ad = 1", "Done.",
    ]  # fmt: skip
