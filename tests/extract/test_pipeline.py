"""Tests for scraper.extract.pipeline: the trafilatura adapter and its metadata lookups."""

from __future__ import annotations

import dataclasses
import inspect
import json
import pickle
import sys
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from htmldate import find_date
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from selectolax.lexbor import LexborHTMLParser
from trafilatura import json_metadata as trafilatura_json
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import Document as _Extracted
from trafilatura.xml import xmltotxt

from scraper.config import ExtractSettings
from scraper.errors import ConfigError, ExtractionError, NoMainContent
from scraper.extract import model as block_model
from scraper.extract import pipeline, rules
from scraper.extract.authors import clean_authors
from scraper.extract.blocks import FIRST_FEATURE_NAMES
from scraper.extract.explanation import describe, explain
from scraper.extract.formats import render_html, render_xml
from scraper.extract.metadata import (
    MAX_JSON_VALUES,
    body_paragraphs,
    canonical_url,
    declared_language,
    normalise_language,
)
from scraper.extract.pipeline import Trace, clean_html, extract, extract_document
from scraper.models import Document, FetchedPage
from tests.factories import fetched_page

FIXTURE_PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "html"

PARAGRAPHS = (
    "<p>The harbour board met on Tuesday to agree the summer timetable for the ferries, which will"
    " add two early crossings on weekdays and a late one on Saturdays.</p>"
    "<p>Board members said the extra sailings respond to a survey in which shift workers asked for"
    " a way to reach the hospital before seven in the morning.</p>"
    "<p>The new timetable starts on the first Monday of June and will be reviewed in September.</p>"
)


def _article(body: str = PARAGRAPHS, head: str = "", html_attrs: str = "") -> str:
    return (
        f"<!doctype html><html{html_attrs}><head><meta charset='utf-8'><title>Ferry timetable</title>"
        f"{head}</head><body><article>{body}</article></body></html>"
    )


def _page(
    html: str | bytes, *, url: str | None = "https://news.example/a/b", encoding: str = "utf-8"
) -> FetchedPage:
    fetched_at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    return fetched_page(html, url=url, source="test-page", encoding=encoding, fetched_at=fetched_at)


# -- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("en-US", "en"),
        ("en_GB", "en"),
        ("PT-br", "pt"),
        ("zh-Hans-CN", "zh"),
        (" de ", "de"),
        ("fil", "fil"),
        ("und", None),
        ("x-default", None),
        ("english", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_language(raw: str | None, expected: str | None) -> None:
    """Language tags shrink to their lowercase primary subtag; non-languages become None."""
    assert normalise_language(raw) == expected


@pytest.mark.parametrize(
    ("head", "html_attrs", "expected"),
    [
        ('<meta property="og:locale" content="fr_FR">', ' lang="de-AT"', "de"),
        ('<meta property="og:locale" content="fr_FR">', "", "fr"),
        ('<meta property="og:locale" content="fr_FR">', ' lang="??"', "fr"),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"},'
            ' {"@type": "NewsArticle", "inLanguage": "es-MX"}]}</script>',
            "",
            "es",
        ),
        ('<script type="application/ld+json">{not json</script>', "", None),
        ('<meta http-equiv="Content-Language" content="nl-BE, fr-BE">', "", "nl"),
        ("", "", None),
    ],
)
def test_declared_language_sources(head: str, html_attrs: str, expected: str | None) -> None:
    """<html lang>, og:locale, JSON-LD inLanguage and content-language are read in that order."""
    assert declared_language(LexborHTMLParser(_article(head=head, html_attrs=html_attrs))) == expected


def test_language_detected_when_not_declared() -> None:
    """Without any declaration the language is detected from the extracted text."""
    body = (
        "<p>Der Gemeinderat hat am Dienstag beschlossen, die Öffnungszeiten des Hallenbads im Winter"
        " zu verlängern. Künftig können Schwimmerinnen und Schwimmer schon um sechs Uhr kommen.</p>"
        "<p>Die zusätzlichen Stunden kosten die Stadt rund zwanzigtausend Euro im Jahr.</p>"
    )
    assert clean_html(_article(body=body)).language == "de"


def test_language_always_filled_for_a_few_words() -> None:
    """A text too short to judge alone is judged with the title added, never left empty."""
    html = "<html><head><title>Merci pour votre message</title></head><body><p>OK, merci !</p></body></html>"
    assert clean_html(html).language == "fr"


def test_declared_language_beats_detection() -> None:
    """A declared language is trusted over what the text looks like."""
    doc = extract(_page(_article(html_attrs=' lang="en-GB"')), ExtractSettings())
    assert (doc.language, doc.language_source) == ("en", "declared")


GERMAN = (
    "<p>Der Gemeinderat hat am Dienstag beschlossen, die Öffnungszeiten des Hallenbads im Winter"
    " zu verlängern. Künftig können Schwimmerinnen und Schwimmer schon um sechs Uhr kommen, und"
    " am Wochenende bleibt das Bad bis zweiundzwanzig Uhr geöffnet.</p>"
    "<p>Die zusätzlichen Stunden kosten die Stadt rund zwanzigtausend Euro im Jahr. Der Verein der"
    " Freunde des Hallenbads hatte die Verlängerung seit drei Jahren gefordert und übernimmt einen"
    " Teil der Kosten für das Personal an der Kasse.</p>"
    "<p>Die Bürgermeisterin sagte nach der Sitzung, man wolle im Frühjahr prüfen, wie viele Gäste"
    " die frühen Stunden tatsächlich nutzen, bevor der Haushalt für das nächste Jahr beschlossen wird.</p>"
)


def test_a_declared_language_the_text_plainly_contradicts_is_overruled() -> None:
    """A page declaring lang="en-US" whose story is plainly German is German, detected."""
    doc = extract(_page(_article(body=GERMAN, html_attrs=' lang="en-US"')), ExtractSettings())
    assert (doc.language, doc.language_source) == ("de", "detected")


def test_language_source_says_declared_or_detected() -> None:
    """A declaration the text agrees with stays declared; without one, the language is detected."""
    declared = extract(_page(_article(body=GERMAN, html_attrs=' lang="de-AT"')), ExtractSettings())
    detected = extract(_page(_article(body=GERMAN)), ExtractSettings())
    assert (declared.language, declared.language_source) == ("de", "declared")
    assert (detected.language, detected.language_source) == ("de", "detected")


def test_placeholder_latin_does_not_overrule_a_declaration() -> None:
    """Lorem ipsum filler on a page declaring English leaves it English."""
    lorem = "".join(
        f"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt"
        f" ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation {i}.</p>"
        for i in range(4)
    )
    doc = extract(_page(_article(body=lorem, html_attrs=' lang="en"')), ExtractSettings())
    assert (doc.language, doc.language_source) == ("en", "declared")


# -- authors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Doe", ("Jane Doe",)),
        ("By Jane Doe; John Roe", ("Jane Doe", "John Roe")),
        ("by  Jane   Doe ;", ("Jane Doe",)),
        ("Par Claire Dubois", ("Claire Dubois",)),
        ("Jane Doe; jane doe; JANE DOE", ("Jane Doe",)),
        ("Bynum Smith", ("Bynum Smith",)),
        (" ; ; ", ()),
        (None, ()),
        (["A; B", "B"], ("A", "B")),
    ],
)
def test_clean_authors(raw: str | list[str] | None, expected: tuple[str, ...]) -> None:
    """Author strings are split on ';', lose a leading "By", and drop blanks and repeats."""
    assert clean_authors(raw) == expected


@pytest.mark.parametrize("cascade", [True, False])
def test_a_byline_only_trafilaturas_search_finds_is_the_author(cascade: bool) -> None:
    """A byline the page declares nowhere but in its markup, where trafilatura's XPaths find it:
    the skip of the search (bylines.may_name_author) reads the markup as lxml does, for which a
    form feed, no XML character, is not there ("auth\\x0cor-name" is "author-name")."""
    byline = "<span class='auth\x0cor-name'>By Jane Doe</span>"
    doc = extract(_page(_article(body=byline + PARAGRAPHS)), ExtractSettings(cascade=cascade))
    assert doc.authors == ("Jane Doe",)


def test_authors_come_out_as_a_tuple() -> None:
    """A page with two authors in its metadata yields a tuple of both names."""
    head = '<meta name="author" content="Ana Lima; By Ben Ortiz">'
    assert clean_html(_article(head=head)).authors == ("Ana Lima", "Ben Ortiz")


# -- canonical URL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "page_url", "expected"),
    [
        (
            '<link rel="canonical" href="/story/1">',
            "https://a.example/x/y?utm=1",
            "https://a.example/story/1",
        ),
        ('<link rel="canonical" href="../z">', "https://a.example/x/y/", "https://a.example/x/z"),
        ('<link rel="canonical" href="https://b.example/s">', None, "https://b.example/s"),
        ('<link rel="Canonical nofollow" href="s">', "https://a.example/x/", "https://a.example/x/s"),
        (
            '<base href="https://cdn.example/site/"><link rel="canonical" href="p">',
            None,
            "https://cdn.example/site/p",
        ),
        ('<link rel="canonical" href="/relative-only">', None, None),
        ('<link rel="canonical" href="javascript:void(0)">', "https://a.example/", None),
        ('<link rel="alternate" href="/feed">', "https://a.example/", None),
    ],
)
def test_canonical_url_resolution(head: str, page_url: str | None, expected: str | None) -> None:
    """The canonical link is made absolute against the page URL and <base>, http(s) only."""
    assert canonical_url(LexborHTMLParser(_article(head=head)), page_url) == expected


def test_canonical_url_falls_back_to_the_page() -> None:
    """Without a canonical link the document's canonical URL is the page URL trafilatura saw."""
    doc = extract(_page(_article(), url="https://news.example/a/b"), ExtractSettings())
    assert doc.canonical_url == "https://news.example/a/b"


def test_page_fields_are_copied() -> None:
    """url, final_url, source, status and fetched_at come straight from the fetched page."""
    page = dataclasses.replace(_page(_article()), final_url="https://news.example/final", status=203)
    doc = extract(page, ExtractSettings())
    assert (doc.url, doc.final_url, doc.source, doc.status, doc.fetched_at) == (
        page.url,
        page.final_url,
        page.source,
        page.status,
        page.fetched_at,
    )


# -- text and markdown -----------------------------------------------------------------------

RICH = (
    "<h2>Timetable changes</h2><p>Two <strong>early crossings</strong> are added on <em>weekdays</em>,"
    " as the <a href='https://board.example/minutes'>board minutes</a> show in detail for every pier"
    " along the estuary and the northern quays.</p>"
    "<ul><li>06:10 from the old town</li><li>06:40 from the northern quays</li></ul>" + PARAGRAPHS
)


def test_markdown_keeps_structure_and_links_and_emphasis_when_asked() -> None:
    """Markdown keeps headings and lists; links and emphasis only with include_links and
    include_formatting (trafilatura's --links, --formatting), and the text is the same either way."""
    plain = clean_html(_article(body=RICH))
    rich = clean_html(
        _article(body=RICH), settings=ExtractSettings(include_links=True, include_formatting=True)
    )
    for snippet in ("## Timetable changes", "- 06:10 from the old town"):
        assert snippet in plain.markdown and snippet in rich.markdown
    for snippet in ("**early crossings**", "*weekdays*", "[board minutes](https://board.example/minutes)"):
        assert snippet in rich.markdown and snippet not in plain.markdown
    assert '<ref target="https://board.example/minutes">' in rich.xml and "<ref" not in plain.xml
    assert '<hi rend="#b">early crossings</hi>' in rich.xml and "<hi" not in plain.xml
    assert rich.text == plain.text and rich.quality == plain.quality


def test_a_link_that_is_script_loses_its_link_in_every_output() -> None:
    """With --links, a `javascript:` or `data:` link in the story (however it is spelt: capitals,
    spaces and tabs before and in its scheme) was written as it came: `<a href="javascript:...">`
    in the HTML output, `[text](<javascript:...>)` in the Markdown, run by whoever reads the output
    and clicks. It loses its link, its text kept; http(s), mailto and relative links stay. Stored
    records written before are checked again when rendered."""
    body = RICH.replace(
        "<a href='https://board.example/minutes'>board minutes</a>",
        "<a href='https://board.example/minutes'>board minutes</a>, <a href='javascript:alert(1)'>the"
        " harbour office</a>, <a href=' \tJaVa\tScRiPt:alert(2)'>its clerk</a>, <a href='data:text/html,"
        "&lt;script&gt;alert(3)&lt;/script&gt;'>the notice</a>, <a href='mailto:clerk@board.example'>the"
        " mailbox</a> and <a href='/piers#north'>the pier list</a>",
    )
    doc = clean_html(_article(body=body), settings=ExtractSettings(include_links=True))
    shown = [doc.xml, doc.markdown, render_html(doc), render_xml(doc), render_xml(doc, tei=True)]
    for output in shown:
        for script in ("javascript", "JaVa", "alert(", "data:text"):
            assert script not in output, (script, output)
    assert "the harbour office, its clerk, the notice" in doc.text
    assert "[the mailbox](mailto:clerk@board.example)" in doc.markdown
    assert '<ref target="/piers#north">the pier list</ref>' in doc.xml
    stored = dataclasses.replace(doc, xml=doc.xml.replace('"/piers#north"', '"javascript:alert(4)"'))
    assert "javascript" not in render_html(stored) and "the pier list" in render_html(stored)


def test_a_password_in_the_pages_url_reaches_no_field_of_its_record() -> None:
    """A page at `http://ann:pw@host/` (a URL given to clean, a WARC target) is written with
    `***` for the password in its URLs, but its sitename, read from the URL where the page names
    none, was the whole netloc: "ann:s3cretpw@a.example", in every record and shard."""
    doc = clean_html(_article(), url="http://ann:s3cretpw@a.example/story")
    assert doc.sitename == "a.example"
    record = json.dumps(doc.to_record(), default=str)
    assert "s3cretpw" not in record and "ann:***@a.example" in record


def test_text_has_no_markdown() -> None:
    """The plain text carries the same words without any link, emphasis or heading syntax."""
    text = clean_html(_article(body=RICH)).text
    assert "Two early crossings are added on weekdays, as the board minutes show" in text
    assert "Timetable changes" in text.splitlines()
    for syntax in ("](", "**", "*weekdays*", "## ", "https://board.example"):
        assert syntax not in text


def test_text_is_one_paragraph_per_line() -> None:
    """Text lines are stripped, single-spaced, never blank, and there is no trailing newline."""
    body = (
        "<p>  First   paragraph\n of the story,\twith  odd   spacing that should be normalised.  </p>"
        + PARAGRAPHS
    )
    text = clean_html(_article(body=body)).text
    lines = text.split("\n")
    assert lines[0] == "First paragraph of the story, with odd spacing that should be normalised."
    assert all(line and line == " ".join(line.split()) for line in lines)
    assert len(lines) == 4
    assert not text.endswith("\n")


@pytest.mark.parametrize("cascade", [True, False])
def test_text_and_metadata_are_composed_unicode(cascade: bool) -> None:
    """A page written in decomposed or excluded forms (U+09DF, "e" + U+0301) comes out in NFC, as
    trafilatura writes its own output, whichever path (the models' blocks or trafilatura's) made it."""
    bengali = "\u0995\u09c1\u09b7\u09cd\u099f\u09bf\u09df\u09be"  # U+09DF: NFC writes it as U+09AF U+09BC
    body = f"<h1>Caf\u0065\u0301 {bengali}</h1><p>{bengali} \u0065\u0301t\u0065\u0301.</p>" + PARAGRAPHS
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    for field in (doc.text, doc.markdown, doc.xml, doc.title):
        assert field is not None and unicodedata.is_normalized("NFC", field)
    assert "\u09af\u09bc" in doc.text and "\u00e9t\u00e9." in doc.text


@pytest.mark.parametrize("cascade", [True, False])
@pytest.mark.parametrize("mark", ["\u00ad", "\u200b", "\u2060"])
def test_soft_hyphens_are_not_the_text(cascade: bool, mark: str) -> None:
    """A soft hyphen (U+00AD) or a zero-width space (U+200B) shows only where a line breaks inside
    its word, a word joiner (U+2060) never: the text, its Markdown and the title read the word
    whole, whichever path made them, as trafilatura's text does."""
    word = f"Bundes{mark}verfassungs{mark}gericht"
    body = f"<h1>Das {word}</h1><p>Das {word} hat am Dienstag entschieden, dass die Regel gilt.</p>"
    doc = clean_html(_article(body=body + PARAGRAPHS), settings=ExtractSettings(cascade=cascade))
    for field in (doc.text, doc.markdown, doc.xml, doc.title):
        assert field is not None and mark not in field
    assert "Das Bundesverfassungsgericht hat am Dienstag" in doc.text


@pytest.mark.parametrize("cascade", [True, False])
def test_control_characters_are_in_no_field(cascade: bool) -> None:
    """Control characters a page holds (a BEL between the words of a reference list, an escape
    sequence, DEL) stayed in the text, and so in CSV and JSONL, while the XML and the Markdown
    dropped them: every field now reads as the XML does (`dom.without_controls`), a run between
    two spaces leaving one. A page decoded twice keeps its C1 controls in the blocks' text (the
    wcxb truths hold them); trafilatura's own text has dropped them before the pipeline reads it."""
    odd = "Panel\x07on Climate \x07 Change, \x1b[31mred\x7f and \ufffe end, LLC\u00e2\x80\x99s name"
    body = f"<h1>Har\x1bbour \x07news</h1><p>{odd} of the harbour board meeting on Tuesday.</p>"
    head = "<meta name='description' content='Ferry \x07 times\x1b'><link rel=canonical href='https://news.example/a/\x07b'>"
    doc = clean_html(_article(body=body + PARAGRAPHS, head=head), settings=ExtractSettings(cascade=cascade))
    controls = [*map(chr, (*range(9), 11, 12, *range(14, 32), 127)), "\ufffe"]
    for field in (doc.text, doc.markdown, doc.xml, doc.title, doc.description):
        assert field is not None and not any(c in field for c in controls), field
    quote = "\u00e2\x80\x99" if cascade else "\u00e2"
    assert f"Panelon Climate Change, [31mred and end, LLC{quote}s name of the harbour" in doc.text
    assert doc.description == "Ferry times"
    assert doc.canonical_url == "https://news.example/a/%07b"


@pytest.mark.parametrize("cascade", [True, False])
@pytest.mark.parametrize(
    ("before", "after"),
    [("<p>Zurück zum Newsroom</p>", "<p>Seite drucken</p>"),
     ("<div>Back to top</div>", "<ul><li>Printer-friendly version</li></ul>"),
     ("<div class='ad-label'>Advertisement</div>", "<p>- Anzeige -</p>")],
)  # fmt: skip
def test_a_call_goes_where_trafilaturas_text_stands(cascade: bool, before: str, after: str) -> None:
    """A link back to a list or up the page, a print button and an advertising slot's label
    around the story are calls to act on the page (model.calls), gone from the text whichever path
    made it: the blocks' verdicts, or trafilatura's own text where they would change nothing else
    (formats.remove_calls)."""
    body = f"<h1>Ferries</h1>{before}{PARAGRAPHS}{after}"
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    calls = [line for line in doc.text.split("\n") if block_model.calls(line)]
    assert calls == [] and "The harbour board met on Tuesday" in doc.text


@pytest.mark.parametrize("cascade", [True, False])
@pytest.mark.parametrize(
    "notice",
    ["<p>To view the full story, please subscribe to <a href='/subscribe'>The Harbour Times</a>.</p>",
     "<p><a href='/register'>Kostenlos registrieren und weiterlesen</a></p>"],
)  # fmt: skip
def test_a_paywalls_notice_goes_where_trafilaturas_text_stands(cascade: bool, notice: str) -> None:
    """A paywall's notice where the story stops asks the reader to pay or sign in for the rest
    (model.calls): gone from the text whichever path made it, the story's paragraphs kept."""
    body = f"<h1>Ferries</h1>{PARAGRAPHS}{notice}"
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    assert "full story" not in doc.text and "weiterlesen" not in doc.text
    assert "The harbour board met on Tuesday" in doc.text and "reviewed in September" in doc.text


@pytest.mark.parametrize("cascade", [True, False])
def test_a_section_headed_by_a_word_for_advertising_keeps_its_heading(cascade: bool) -> None:
    """A manual's section on the display ("<h2>Anzeige</h2>") and an agency's on advertising
    ("<h2>Werbung</h2>") are headed by the words an advertising slot's label says; a heading over
    the section's text heads it and stays, whichever path made the text (review18: both went as
    calls). The same label over nothing of its own still goes."""
    screen = (
        "<p>Unter Einstellungen finden Sie alle Optionen, die den Bildschirm betreffen, und die Helligkeit,"
        " die Auflösung und die Skalierung des Textes lassen sich dort für jeden Monitor festlegen.</p>"
    )
    night = (
        "<p>Der Nachtmodus verringert das blaue Licht am Abend, und er lässt sich nach einem Zeitplan ein-"
        " und ausschalten, der sich an Sonnenauf- und Sonnenuntergang Ihres Standorts hält.</p>"
    )
    body = f"<h1>Windows einrichten</h1>{night}<h2>Anzeige</h2>{screen}<h2>Werbung</h2>{night}"
    body += "<p>- Anzeige -</p>"
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    lines = doc.text.split("\n")
    assert "Anzeige" in lines and "Werbung" in lines and "- Anzeige -" not in lines


@pytest.mark.parametrize("cascade", [True, False])
@pytest.mark.parametrize("words", ["To the top", "Til toppen", "Do góry"])
def test_a_bare_link_back_up_is_a_call_as_a_link_only(cascade: bool, words: str) -> None:
    """ "To the top" as a link's text is a link back up the page and goes; as the heading of the
    story's last part (a climb's summit) it is the story's and stays (redteam9's finding), whichever
    path made the text."""
    climb = [
        "The last four hundred metres took the climbers most of the morning, roped together on a ridge"
        " of old snow that the wind had packed hard overnight.",
        "At the summit they stayed ten minutes, long enough for a photograph and a thermos of tea,"
        " before the weather turned.",
    ]
    story = "".join(f"<p>{p}</p>" for p in climb)
    body = f"<h1>Ferries</h1>{PARAGRAPHS}<h2>{words}</h2>{story}<p><a href='#top'>{words}</a></p>"
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    assert doc.text.split("\n")[-3:] == [words, *climb]


@pytest.mark.parametrize("cascade", [True, False])
@pytest.mark.parametrize(
    "closing",
    ["<h3>Related Posts</h3>", "<p>You may also like</p><h4>Popular posts</h4>", "<p>Want More?</p>"],
)
def test_a_rails_heading_closing_the_text_goes(cascade: bool, closing: str) -> None:
    """A rail's heading that the text ends on ("Related Posts", "You may also like" over a rail the
    pre-pass took; "Want More?" over a sign-up box) heads nothing of the story and goes, whichever
    path made the text; the same words heading a part of the story, with its text after them, stay."""
    part = "<h2>Related posts</h2><p>The board also published the posts it will fill this year.</p>"
    body = (
        f"<h1>Ferries</h1>{PARAGRAPHS}{part}<p>The crews are pleased with the plan, they said.</p>{closing}"
    )
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    assert doc.text.split("\n")[-4:] == [
        "The new timetable starts on the first Monday of June and will be reviewed in September.",
        "Related posts",
        "The board also published the posts it will fill this year.",
        "The crews are pleased with the plan, they said.",
    ]
    assert rules.names_rail("Related Posts") and rules.names_rail("YOU MAY ALSO LIKE")
    assert not rules.names_rail("Related posts on the harbour board's plan were read by thousands of people")
    assert rules.closing_rails(["The crews are pleased.", "¿Quieres más?"]) == 1
    assert rules.closing_rails(["Want more?", "The paid plans add a second harbour."]) == 0


@pytest.mark.parametrize("cascade", [True, False])
@pytest.mark.parametrize(
    "listed",
    [
        "<h3>Archive</h3><ul>"
        + "".join(
            f"<li><a href='/{m}'>{m} 2024</a> ({n})</li>" for m, n in (("March", 4), ("May", 7), ("June", 12))
        )
        + "</ul>",
        "<p>Filter by size:</p><ul>"
        + "".join(
            f"<li><a href='?size={s}'>{s} ({n})</a></li>"
            for s, n in (("Small", 14), ("Medium", 30), ("Large", 4))
        )
        + "</ul>",
    ],
)
def test_a_list_of_links_each_with_a_count_goes(cascade: bool, listed: str) -> None:
    """A run of three or more blocks that are each a link's label with a count ("March 2024 (4)", a
    blog's archive; "Small (14)", a shop's filters) says where else to go, not what the page says,
    and goes under the text, whichever path made it. A story's own list of results with counts
    links nowhere and stays; so does a category page whose text is such a list, and two in a row
    are no list."""
    doc = clean_html(
        _article(body=f"<h1>Ferries</h1>{PARAGRAPHS}{listed}"), settings=ExtractSettings(cascade=cascade)
    )
    assert "(4)" not in doc.text and "(12)" not in doc.text and "(14)" not in doc.text
    assert "The new timetable starts on the first Monday of June" in doc.text
    labels = ["Radios (4)", "Power Banks (158)", "露營全紀錄 (4)"]
    story = "The crews are pleased with the plan, they said on Tuesday."
    assert rules.count_lists([story, *labels], [False, True, True, True]) == [1, 2, 3]
    assert rules.count_lists([story, *labels], [False, True, False, True]) == []
    assert rules.count_lists(["The crews are pleased.", *labels], [False, True, True, True]) == []
    assert rules.count_lists([story, *labels[:2]], [False, True, True]) == []
    assert rules.count_lists(["Comments (3) and a reply (1)", "Shares (2)"], [True, True]) == []


@pytest.mark.parametrize("cascade", [True, False])
def test_a_storys_list_of_counts_that_links_nowhere_stays(cascade: bool) -> None:
    """A story's list of results, each a name with a count ("Norway (16)"), links nowhere: it is
    the story's and stays (rules.count_lists reads only links' labels)."""
    medals = "".join(f"<li>{c} ({n})</li>" for c, n in (("Norway", 16), ("Germany", 12), ("Canada", 11)))
    doc = clean_html(
        _article(body=f"<h1>Ferries</h1>{PARAGRAPHS}<p>The medal table:</p><ul>{medals}</ul>"),
        settings=ExtractSettings(cascade=cascade),
    )
    assert "Norway (16)" in doc.text and "Canada (11)" in doc.text


def test_a_list_of_works_each_with_its_year_is_no_count_list() -> None:
    """A list whose every bracketed number reads as a year ("The Godfather (1972)", a critic's
    films, a discography's albums) names works, not where else to go and how many are there: it
    stays (rules.count_lists), under the story's paragraphs as on its own."""
    films = ["The Godfather (1972)", "Casablanca (1942)", "Vertigo (1958)", "Chinatown (1974)"]
    story = "The crews are pleased with the plan, they said on Tuesday, and the board agreed with them."
    linked = [False, False, True, True, True, True, False]
    assert rules.count_lists([story, story, *films, story], linked) == []
    assert rules.count_lists([story, story, "March (4)", "May (1999)", "June (12)", story], linked[1:]) == [
        2,
        3,
        4,
    ]
    listed = "<h2>The films</h2><ul>" + "".join(f"<li>{film}</li>" for film in films) + "</ul>"
    doc = clean_html(_article(body=f"<h1>Ferries</h1>{PARAGRAPHS}{listed}"))
    assert "Casablanca (1942)" in doc.text and "Vertigo (1958)" in doc.text


def test_addresses_are_kept_as_the_page_writes_them() -> None:
    """The image and canonical URLs are not composed (NFC) as the text is: a decomposed letter in a
    URL is other bytes once percent-encoded, so composing it would name another resource."""
    image, address = "https://img.example/cafe\u0301.jpg", "https://news.example/cafe\u0301"
    head = f"<meta property='og:image' content='{image}'><meta property='og:url' content='{address}'>"
    doc = clean_html(_article(head=head), url="https://news.example/a")
    assert (doc.image, doc.canonical_url) == (image, address)


@pytest.mark.parametrize("cascade", [True, False])
def test_ruby_annotations_are_not_the_text(cascade: bool) -> None:
    """Furigana read as their base on either path: the models' blocks, and trafilatura's text
    (which keeps an <rt>'s text inline when it is given one)."""
    first = "<ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの"
    ruby = first + "<ruby>法律<rt>ほうりつ</rt></ruby>ができました。"
    doc = clean_html(_article(body=f"<p>{ruby}</p>" + PARAGRAPHS), settings=ExtractSettings(cascade=cascade))
    assert "子どもへの法律ができました。" in doc.text
    assert "こども" not in doc.text and "ほうりつ" not in doc.text and "(" not in doc.text


@pytest.mark.parametrize("cascade", [True, False])
def test_a_mathml_formula_is_the_text_on_either_path(cascade: bool) -> None:
    """A formula is read on either path: the models' blocks, and trafilatura's text, which drops
    <math> and its content ("there are two solutions to and they are real") where the page is not
    simplified for it; its TeX annotation is never the text."""
    formula = (
        "<math><semantics><mrow><mi>x</mi><mo>=</mo><mn>1</mn></mrow>"
        "<annotation encoding='application/x-tex'>x = \\frac{2}{2}</annotation></semantics></math>"
    )
    body = f"<p>The equation has one solution, {formula}, which the board checked twice.</p>" + PARAGRAPHS
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    assert "one solution, x=1, which" in doc.text and "frac" not in doc.text


@pytest.mark.parametrize("cascade", [True, False])
def test_code_keeps_its_indentation_on_either_path(cascade: bool) -> None:
    """A <pre>'s lines keep their indentation in the text on either path: the models' blocks, and
    trafilatura's text, which ran every line's white space into one space ("def f(x):" over "if
    x:"), a <pre> it took for a quote too; a quotation wrapped in the source is still one line."""
    code = "<pre>def f(x):\n    if x:\n        return 1\n    return 2</pre>"
    quoted = "<pre><span>for</span> x in y:\n\tprint(x)</pre>"
    verse = "<blockquote>\n    The sea was calm,\n    the night was long.\n</blockquote>"
    body = f"<p>Write this:</p>{code}{PARAGRAPHS}<p>Or this:</p>{quoted}{verse}"
    doc = clean_html(_article(body=body), settings=ExtractSettings(cascade=cascade))
    assert "def f(x):\n    if x:\n        return 1\n    return 2\n" in doc.text
    assert "for x in y:\n\tprint(x)\n" in doc.text
    assert "The sea was calm, the night was long." in doc.text


def test_a_control_character_htmldate_cannot_clean_is_no_date() -> None:
    """A page opening with a control character and a script: htmldate's cleaning drops the script
    and moves the character into a tail, which lxml refuses (ValueError). The page is extracted,
    without a searched date (the fuzz test found it)."""
    script = '<script type="application/ld+json">' + '{"a":' * 1200 + "1" + "}" * 1200 + "</script>"
    page = "\x01" + script + (FIXTURE_PAGES / "category-teasers.html").read_text(encoding="utf-8")
    doc = clean_html(page, url="https://news.example/a")
    assert doc.text


def test_loose_text_split_at_a_link_is_one_paragraph() -> None:
    """Text written straight into a <div> between <br>s is one line per run of text, not split at
    its links: trafilatura's paragraphs that are one block of the page are joined again, in the
    text, the Markdown and the XML."""
    post = (
        "<div class='post-body'><br>This live-action trailer for <a href='/tag/ops'><em>Black Ops 2</em> </a>"
        "is nothing if not fun, and when we say fun we mean a jet brought to a gunfight by a man all "
        "conceited and glib.<br><br>And if you are going to do that, you may as well throw in a booming "
        "comedian (<a href='/hangover'><em>The Hangover</em></a>), a weapons video maker and a horse. It "
        "ties in to the multiplayer map which comes with pre-orders, the studio says.</div>"
    )
    document = clean_html(_article(body=post))
    assert document.text.splitlines() == [
        "This live-action trailer for Black Ops 2 is nothing if not fun, and when we say fun we mean a "
        "jet brought to a gunfight by a man all conceited and glib.",
        "And if you are going to do that, you may as well throw in a booming comedian (The Hangover), "
        "a weapons video maker and a horse. It ties in to the multiplayer map which comes with "
        "pre-orders, the studio says.",
    ]
    assert [line for line in document.markdown.splitlines() if line] == document.text.splitlines()
    assert document.xml.count("<p>") == 2


class _SureOfAll:
    """A first model sure every block is content: the cascade's own path (text, Markdown and XML
    written from its blocks), whatever the shipped first model decides on a page."""

    def predict(self, matrix: Any) -> Any:
        return np.tile([0.0, 1.0, 0.0], (len(matrix), 1))


@pytest.mark.parametrize("cascade", [True, False], ids=["cascade", "trafilatura"])
def test_preformatted_text_keeps_its_lines_and_a_wrapped_quote_is_one_line(cascade: bool) -> None:
    """A <pre> that is not code (trafilatura makes it a <quote>) keeps its line breaks in the text,
    the Markdown and the XML, as the page shows them; a <blockquote> wrapped in the source is one
    line in each (before, the <pre> came out as one line in the Markdown and the XML). On both
    paths: blocks the cascade is sure of, and trafilatura's extraction judged by the main model."""
    verse = "The tide comes in at seven\nThe ferry leaves at eight\nThe harbour lights go dim at ten"
    body = (
        PARAGRAPHS
        + f"<p>The notice on the pier reads, line by line:</p><pre>{verse}</pre>"
        + "<blockquote>The board will review the summer timetable in September,\n    after the"
        + " survey of shift workers.</blockquote>"
    )
    block_model.use(block_model._shipped(), _SureOfAll() if cascade else None)
    try:
        trace = Trace()
        document = extract(fetched_page(_article(body=body)), ExtractSettings(), trace)
    finally:
        block_model.use_shipped()
    assert trace.extractions == (0 if cascade else 1)
    quote = "The board will review the summer timetable in September, after the survey of shift workers."
    blocks = "\n".join("".join(block.itertext()) for block in etree.fromstring(document.xml))
    for output in (document.text, document.markdown, blocks):
        lines = [" ".join(line.split()) for line in output.splitlines()]
        assert verse.splitlines() == [line for line in lines if line in verse.splitlines()], output
        assert quote in lines, output


class _ByShape:
    """A first model judging by shape alone: a block mostly of link text is boilerplate, a short
    one (a label) unsure, any other content; sure of the page either way."""

    def predict(self, matrix: Any) -> Any:
        words, links = FIRST_FEATURE_NAMES.index("log_words"), FIRST_FEATURE_NAMES.index("link_share")
        gone, unsure, sure = [0.95, 0.05, 0.0], [0.4, 0.6, 0.0], [0.05, 0.95, 0.0]
        rows = [gone if row[links] > 0.5 else unsure if row[words] < 1.8 else sure for row in matrix]
        return np.asarray(rows)


def test_an_articles_text_is_the_same_with_its_comments_wanted() -> None:
    """On an article the cascade is sure of, the label heading a dropped rail of links goes with
    include_comments on as with it off (before, the neighbours' rule was skipped wherever comments
    were wanted, so turning them on brought the label back into the story)."""
    rail = "".join(f"<li><a href='/s{i}'>Another story of the week, number {i}</a></li>" for i in range(8))
    body = PARAGRAPHS + f"<h3>Auch interessant:</h3><ul>{rail}</ul>"
    texts = []
    block_model.use(block_model._shipped(), _ByShape())
    try:
        for comments in (False, True):
            trace = Trace()
            settings = ExtractSettings(include_comments=comments)
            document = extract(fetched_page(_article(body=body)), settings, trace)
            assert trace.extractions == 0  # the cascade's path
            texts.append(document.text)
    finally:
        block_model.use_shipped()
    assert "Auch interessant" not in texts[0]
    assert texts[1] == texts[0]


def test_a_short_story_trafilatura_gives_as_one_paragraph_is_one_line_per_block() -> None:
    """A story of one short paragraph: trafilatura's last fallback (its baseline) gives the whole
    <article> as one paragraph, title, byline and story on one line, which the model's verdict let
    stand; the text, the Markdown and the XML now break at the page's blocks."""
    story = "Council approves the library budget 7 to 2; weekend hours return in March."
    body = (
        "<h1>Council approves library budget</h1><div class='byline'>By Jane Doe | December 5, 2026</div>"
        f"<p>{story}</p>"
    )
    block_model.use(block_model._shipped(), None)  # trafilatura's path, judged by the main model
    try:
        trace = Trace()
        document = extract(fetched_page(_article(body=body)), ExtractSettings(), trace)
    finally:
        block_model.use_shipped()
    assert trace.extractions >= 1
    for output in (document.text, document.markdown):
        lines = [line.strip("# ") for line in output.splitlines() if line.strip()]
        assert story in lines and "Council approves library budget" not in lines[lines.index(story)], output
    assert document.xml.count(story) == 1 and f">{story}<" in document.xml


def test_an_element_of_no_known_kind_runs_on_with_the_text_around_it() -> None:
    """An element neither HTML nor trafilatura knows ("<directoryname>", a slip for an escaped
    "&lt;directoryname&gt;") is inline text, as a browser lays it out: no space comes before the
    full stop after it in the text, the Markdown or the XML (before: "a directory .")."""
    items = "".join(
        f"<li>{command} -- {does}</li>"
        for command, does in (("ls", "List the files here."), ("cd", "Change the directory."),
                              ("pwd", "Print the directory you are in."))
    )  # fmt: skip
    body = (
        PARAGRAPHS
        + "<p>Some basic commands you need to know:</p><ul>"
        + items
        + "<li>mkdir <directoryname>-- Create a directory</directoryname>.</li></ul>"
    )
    document = clean_html(_article(body=body))
    for output in (document.text, document.markdown, document.xml):
        assert "Create a directory." in output, output
        assert "directory ." not in output and "directoryname" not in output


@pytest.mark.parametrize(
    "hidden",
    [
        "<div hidden><p>{0}</p></div>",  # inside the story, hidden whole
        "<div style='display:none;'><div>{0}</div><div>{0} {1}</div></div>",  # hidden metadata
    ],
)
def test_trafilatura_keeps_no_hidden_copy(hidden: str) -> None:
    """Where trafilatura's output stands (here: no block model), a text it kept from a hidden block
    beside the paragraph that shows it is a copy and goes; the paragraphs stay, once each."""
    first, second = (p.removeprefix("<p>") for p in PARAGRAPHS.split("</p>")[:2])
    block_model.use(None)
    try:
        document = clean_html(_article(body=PARAGRAPHS + hidden.format(first, second)))
    finally:
        block_model.use_shipped()
    assert document.text.splitlines() == [p.removeprefix("<p>") for p in PARAGRAPHS.split("</p>")[:3]]
    assert document.xml.count("harbour board") == 1


def test_a_text_the_page_shows_twice_stays_twice() -> None:
    """A paragraph the page itself shows twice (a chorus) is in the output twice: it is no copy."""
    chorus = "<p>Row, row, row your boat gently down the stream, merrily merrily merrily.</p>"
    first, second, third = (f"{p}</p>" for p in PARAGRAPHS.split("</p>")[:3])
    document = clean_html(_article(body=first + chorus + second + chorus + third))
    assert document.text.count("Row, row, row your boat") == 2


def test_decodes_with_the_page_encoding() -> None:
    """The body is decoded with the encoding the fetched page carries."""
    body = (
        "<p>Über die Brücke fährt künftig nachts ein Bus, sagte die Bürgermeisterin am Montag.</p>"
        + PARAGRAPHS
    )
    page = _page(_article(body=body), encoding="windows-1252")
    assert "Über die Brücke fährt künftig nachts" in extract(page, ExtractSettings()).text


def test_text_after_an_embed_survives() -> None:
    """Paragraphs after <embed>, <source> or <track> are kept (lxml would nest them inside and drop them)."""
    body = (
        PARAGRAPHS.replace("</p><p>Board", "</p><embed src='/map.svg'><p>Board", 1)
        + "<video><source src='/v.webm'><track src='/v.vtt'></video>"
        + "<p>The ferry operator will publish the full timetable on its website in May.</p>"
    )
    text = clean_html(_article(body=body)).text
    assert "Board members said the extra sailings" in text
    assert "publish the full timetable" in text


def test_chinese_text_is_readable() -> None:
    """Text in a script without Latin letters (here Chinese) is readable, not symbols."""
    body = (
        "<p>市议会周二通过了新的渡轮时刻表，工作日将增加两班早船，周六增加一班晚船。</p>"
        "<p>议员们表示，增加的班次是对一项调查的回应，轮班工人希望能在早上七点前到达医院。</p>"
        "<p>新时刻表将于六月的第一个星期一开始实行，并将在九月进行评估。</p>"
    )
    doc = clean_html(_article(body=body, html_attrs=' lang="zh-CN"'))
    assert "工作日将增加两班早船" in doc.text
    assert doc.language == "zh"


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=())))
@example(text="a\udc80b_ 1²½٣\u00a0x")  # a lone surrogate (from surrogatepass), "_", numerals
def test_letters_and_digits_are_counted_in_every_script(text: str) -> None:
    """The readability check counts exactly the characters str.isalnum() calls letters or digits,
    its ASCII part as bytes and the rest with the pattern."""
    assert rules._alnum(text) == sum(c.isalnum() for c in text)


@pytest.mark.parametrize(
    "body",
    ["", " \n ", "\u00a0", "<!-- x -->", "<script>var a</script>", "<template>t</template>",
     "<p> </p><p>\u3000</p>", "<p> </p><div><span>x</span></div>", "<svg><text>x</text></svg>",
     "<noscript>js</noscript>", "<p>\u00a0 \n</p><p>\u2003</p><b>!</b>"],
)  # fmt: skip
def test_a_body_has_text_where_its_text_stripped_is_not_empty(body: str) -> None:
    """A body has text when a text node of it (scripts' included) is not all white space,
    Unicode white space too: the answer of its whole text, stripped."""
    tree = LexborHTMLParser(f"<html><body>{body}</body></html>")
    assert tree.body is not None
    assert pipeline._has_text(tree) == bool(tree.body.text(deep=True).strip())


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "empty document"),
        (b"<html><head><title>Only a title</title></head><body><img src=x></body></html>", "no text"),
        (
            b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            b"<div class='cookie-banner'>We use cookies.</div><footer>(c) 2024</footer></body></html>",
            "only clutter",
        ),
        (b"\x00\xff\xfe<<<>>>\x01\x02", "no readable text"),
    ],
)
def test_no_main_content(html: bytes, reason: str) -> None:
    """Pages without a story raise NoMainContent naming the page and a precise reason."""
    with pytest.raises(NoMainContent) as info:
        extract(_page(html), ExtractSettings())
    assert info.value.source == "test-page"
    assert reason in info.value.reason


def test_no_main_content_is_an_extraction_error_that_pickles() -> None:
    """NoMainContent belongs to the ExtractionError branch and survives a process pool."""
    with pytest.raises(ExtractionError) as info:
        extract(_page(b""), ExtractSettings())
    copy = pickle.loads(pickle.dumps(info.value))
    assert isinstance(copy, NoMainContent)
    assert (copy.source, copy.reason) == (info.value.source, info.value.reason)


def test_bad_selector_is_a_config_error() -> None:
    """A keep/remove selector that does not parse is refused with the settings, before any page."""
    with pytest.raises(ConfigError) as info:
        ExtractSettings(remove=("div[",))
    assert info.value.key == "remove"


# -- settings --------------------------------------------------------------------------------

PROMO = (
    "<p class='promo'>Download our app for live departures, mobile tickets and alerts on every crossing.</p>"
)


def test_remove_selector_drops_matches() -> None:
    """settings.remove deletes matching elements before extraction."""
    html = _article(body=PARAGRAPHS + PROMO)
    assert "Download our app" in clean_html(html).text
    assert "Download our app" not in clean_html(html, settings=ExtractSettings(remove=(".promo",))).text


def test_remove_selector_applies_without_prepass() -> None:
    """Explicit remove selectors still apply when the generic pre-pass is switched off."""
    settings = ExtractSettings(prepass=False, remove=(".promo",))
    assert "Download our app" not in clean_html(_article(body=PARAGRAPHS + PROMO), settings=settings).text


def test_keep_selector_limits_extraction() -> None:
    """settings.keep extracts only from the matching elements, and metadata still comes from the head."""
    intro = (
        "<div class='intro'><p>This newsroom publishes statements, timetables and announcements"
        " for journalists and passengers, updated every working day by the press office.</p></div>"
    )
    html = _article(body=intro + f"<div class='story'>{PARAGRAPHS}</div>")
    assert "This newsroom publishes" in clean_html(html).text
    doc = clean_html(html, settings=ExtractSettings(keep=(".story",)))
    assert "This newsroom publishes" not in doc.text
    assert "The harbour board met on Tuesday" in doc.text
    assert doc.title == "Ferry timetable"


def test_keep_selector_matching_nothing_changes_nothing() -> None:
    """A keep selector that matches nothing leaves the page as it was."""
    html = _article()
    assert clean_html(html, settings=ExtractSettings(keep=(".missing",))).text == clean_html(html).text


def test_comments_follow_the_text_when_asked() -> None:
    """With include_comments the readers' comments are appended to the text; without, they are not."""
    comments = (
        "<section id='comments' class='comments-area'><h3>2 comments</h3><ol class='comment-list'>"
        "<li class='comment'><div class='comment-content'><p>Finally! I have waited years for an early"
        " ferry; this will change my commute completely.</p></div></li></ol></section>"
    )
    html = _article().replace("</body>", comments + "</body>")
    assert "Finally!" not in clean_html(html).text
    with_comments = clean_html(html, settings=ExtractSettings(include_comments=True))
    assert with_comments.text.splitlines()[-1].startswith("Finally! I have waited years")
    assert "Finally!" in with_comments.markdown


# -- purity ----------------------------------------------------------------------------------


def test_extract_is_pure() -> None:
    """The same page and settings give an equal document every time, and the page is untouched."""
    page = _page(_article(body=RICH, head='<meta name="author" content="Jane Doe">'))
    before = pickle.dumps(page)
    first = extract(page, ExtractSettings())
    second = extract(page, ExtractSettings())
    assert first == second
    assert first.markdown == second.markdown
    assert pickle.dumps(page) == before


def test_document_pickles() -> None:
    """A Document crosses a process boundary unchanged."""
    doc = extract(_page(_article(body=RICH)), ExtractSettings())
    copy = pickle.loads(pickle.dumps(doc))
    assert isinstance(copy, Document)
    assert copy == doc
    assert copy.markdown == doc.markdown
    assert copy.to_record() == doc.to_record()


def test_clean_html_wraps_a_string() -> None:
    """clean_html extracts from an HTML string with the given URL and source."""
    doc = clean_html(_article(), url="https://news.example/s", source="inline")
    assert (doc.url, doc.final_url, doc.source, doc.status) == (
        "https://news.example/s",
        "https://news.example/s",
        "inline",
        None,
    )
    assert doc.text.startswith("The harbour board met on Tuesday")


# -- dates and the trafilatura call ------------------------------------------------------------


def test_a_year_in_the_text_is_no_date() -> None:
    """A bare year in the story ("my 1999 treadmill") never becomes a date such as 1999-01-01."""
    body = PARAGRAPHS + "<p>I still run on my 1999 treadmill every morning before the first ferry.</p>"
    doc = extract(_page(_article(body=body), url="https://news.example/story"), ExtractSettings())
    assert (doc.date, doc.date_source) == (None, None)


def test_a_full_day_in_the_text_is_a_date() -> None:
    """A day the page writes out in its text is taken, labelled as read from the text."""
    body = "<p class='date'>Published on 14 March 2021</p>" + PARAGRAPHS
    doc = extract(_page(_article(body=body), url="https://news.example/story"), ExtractSettings())
    assert (doc.date, doc.date_source) == ("2021-03-14", "text")


@pytest.fixture
def date_searches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """htmldate's searches the pipeline runs, in order: each call's `extensive_search` (True: of the
    text, False: of the markup alone)."""
    searches: list[bool] = []

    def spied(html: str, **options: Any) -> str | None:
        searches.append(options["extensive_search"])
        return find_date(html, **options)

    monkeypatch.setattr(pipeline, "find_date", spied)
    return searches


@pytest.mark.parametrize(
    ("extra", "searches", "dated"),
    [
        # the text writes out no day: the markup alone is searched, and finds none
        ("<p>I still run on my 1999 treadmill every morning.</p>", [False], (None, None)),
        # ... or finds one, which stands if the search of the text finds a date too
        ("<abbr class='published' title='2021-03-14'>spring</abbr>", [False, True], ("2021-03-14", "text")),
        # the text writes out a day: the text is searched first, and its date stands
        ("<p class='date'>Published on 14 March 2021</p>", [True], ("2021-03-14", "text")),
    ],
)
def test_the_text_is_searched_for_a_date_only_where_it_writes_one_out(
    date_searches: list[bool], extra: str, searches: list[bool], dated: tuple[str | None, str | None]
) -> None:
    """htmldate's costly search of the text runs first only on a page whose text writes out a
    full day; elsewhere its date could not stand, and it runs only to confirm the markup's."""
    page = _page(_article(body=extra + PARAGRAPHS), url="https://news.example/story")
    doc = extract(page, ExtractSettings())
    assert (date_searches, (doc.date, doc.date_source)) == (searches, dated)


@pytest.mark.parametrize("case", ["login-wall", "consent-wall", "soft-404", "block-challenge"])
def test_a_page_judged_junk_is_not_searched_for_a_date(date_searches: list[bool], case: str) -> None:
    """htmldate's search of the whole page (the costliest metadata step) runs only for a page
    that goes on to be extracted: a login or consent wall, a soft 404 or a bot challenge is
    skipped without it, and its record is the same (a junk page's record holds no date)."""
    html = (FIXTURE_PAGES / f"{case}.html").read_text(encoding="utf-8")
    doc = extract(_page(html, url="https://news.example/story"), ExtractSettings())
    assert (doc.skip_reason is not None, doc.date, date_searches) == (True, None, [])


@pytest.mark.parametrize(
    ("url", "last_modified", "searched", "dated"),
    [
        ("https://news.example/section", None, False, (None, None)),
        ("https://news.example/2021/03/14/section", None, True, ("2021-03-14", "url")),
        # the teaser's day htmldate finds outranks the header's, and is dropped with it
        ("https://news.example/section", "Sun, 14 Mar 2021 10:00:00 GMT", True, (None, None)),
    ],
)
def test_a_listing_is_searched_for_a_date_only_where_one_could_stand(
    date_searches: list[bool],
    url: str,
    last_modified: str | None,
    searched: bool,
    dated: tuple[str | None, str | None],
) -> None:
    """A listing keeps no date read from its text (its teasers' dates): without a day in its URL
    or a Last-Modified header, every date its search could give is one, and the search is not
    run; with either, it is: the day it finds may be the URL's, or outrank the header's."""
    html = (FIXTURE_PAGES / "listing-page.html").read_text(encoding="utf-8")
    page = dataclasses.replace(_page(html, url=url), last_modified=last_modified)
    doc = extract(page, ExtractSettings())
    assert (doc.page_type, bool(date_searches), (doc.date, doc.date_source)) == ("listing", searched, dated)


@pytest.mark.parametrize(
    ("case", "marker", "kind"),
    [
        ("product-page", '<div class="product-description">', "product"),
        ("docs-code-table", "<h1>Configuring retries</h1>", "documentation"),
    ],
)
def test_only_a_story_or_a_thread_is_searched_for_a_date(
    date_searches: list[bool], case: str, marker: str, kind: str
) -> None:
    """htmldate's search of the whole page runs on the kinds of page that carry a date of their
    own (a story, a thread): a shop's or a manual's page that writes out a day is not searched, and
    takes no date from its text."""
    html = (FIXTURE_PAGES / f"{case}.html").read_text(encoding="utf-8")
    html = html.replace(marker, marker + "<p class='date'>Updated on 14 March 2021</p>", 1)
    doc = extract(_page(html, url="https://shop.example/item"), ExtractSettings())
    assert (doc.page_type, date_searches, doc.date) == (kind, [], None)


def test_fast_keeps_the_stated_metadata() -> None:
    """`fast` skips the fallback extractors and the text search for dates, not what the page states."""
    head = (
        '<meta property="article:published_time" content="2024-06-02T08:00:00Z">'
        '<meta name="author" content="Jane Doe">'
    )
    doc = extract(_page(_article(head=head)), ExtractSettings(fast=True))
    assert (doc.date, doc.date_source, doc.authors, doc.title) == (
        "2024-06-02",
        "meta",
        ("Jane Doe",),
        "Ferry timetable",
    )
    assert "summer timetable" in doc.text


def test_fast_still_searches_the_markup_for_a_date() -> None:
    """`fast` skips htmldate's search of the text, not its search of the markup: a date only an
    element of the page gives (an <abbr class="published">) is found, as without `fast`."""
    body = "<abbr class='published' title='2021-03-14'>spring</abbr>" + PARAGRAPHS
    page = _page(_article(body=body), url="https://news.example/story")
    fast, full = extract(page, ExtractSettings(fast=True)), extract(page, ExtractSettings())
    assert fast.date == full.date == "2021-03-14"


# -- [extract] metadata = "stated" -------------------------------------------------------------

# a page whose metadata is found only by searching it: a date in its text and in a <time>, a
# byline, category and tag links, a heading; its head states a title and nothing else
_SEARCHED_ONLY = _article(
    body=(
        "<h1>Ferries run earlier from June</h1>"
        "<p class='byline'>By <a rel='author' class='author' href='/people/ann-lee'>Ann Lee</a></p>"
        "<p class='date'>Published on <time datetime='2021-03-14'>14 March 2021</time></p>"
        + PARAGRAPHS
        + "<p class='post-categories'><a href='/category/transport/'>Transport</a></p>"
        "<p class='post-tags'><a href='/tag/ferries/'>Ferries</a></p>"
    )
)
_WHOLE_PAGE_SEARCHES = {
    ("htmldate", None),  # any function of htmldate: its whole-page date search
    ("trafilatura/metadata.py", "extract_author"),
    ("trafilatura/metadata.py", "extract_catstags"),
    ("trafilatura/metadata.py", "extract_title"),
    ("scraper/extract/authors.py", "bylines"),
    ("scraper/dates.py", "states_day"),
    ("scraper/dates.py", "states_some_day"),
}


def _searches_run(settings: ExtractSettings, page: FetchedPage) -> tuple[Document, set[tuple[str, str]]]:
    """The document, and which of `_WHOLE_PAGE_SEARCHES` ran on the way (a profile hook sees
    every Python call, so a search that ran cannot hide)."""
    called: set[tuple[str, str]] = set()

    def hook(frame: Any, event: str, arg: object) -> None:
        if event != "call":
            return
        path, name = frame.f_code.co_filename.replace("\\", "/"), frame.f_code.co_name
        for where, function in _WHOLE_PAGE_SEARCHES:
            if where in path and function in (None, name):
                called.add((where, function or "*"))

    sys.setprofile(hook)
    try:
        doc = extract(page, settings)
    finally:
        sys.setprofile(None)
    return doc, called


def test_stated_metadata_never_searches_the_page() -> None:
    """`metadata = "stated"` runs none of the whole-page searches (htmldate, trafilatura's byline,
    title, category and tag XPaths, our byline spots, the day in the text) that `full` runs on
    the same page, and keeps the same text."""
    page = _page(_SEARCHED_ONLY, url="https://news.example/story")
    full, full_searches = _searches_run(ExtractSettings(), page)
    stated, stated_searches = _searches_run(ExtractSettings(metadata="stated"), page)
    assert stated_searches == set()
    assert {where for where, _ in full_searches} >= {
        "htmldate",
        "trafilatura/metadata.py",
        "scraper/extract/authors.py",
    }
    assert (full.date, full.authors) == ("2021-03-14", ("Ann Lee",))
    assert (stated.date, stated.date_source, stated.authors, stated.categories, stated.tags) == (
        None,
        None,
        (),
        (),
        (),
    )
    assert stated.title == "Ferry timetable"  # the <title>; `full` may take the heading instead
    assert stated.text == full.text


def test_stated_metadata_reads_what_the_page_states() -> None:
    """JSON-LD, meta tags, <title> and a date in the URL are read in `stated` as in `full`."""
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Person",'
        ' "name": "Jane Doe"}}</script>'
        '<meta property="article:section" content="Transport">'
        '<meta property="article:tag" content="Ferries">'
        '<meta name="description" content="Two early crossings on weekdays.">'
    )
    page = _page(_article(head=head), url="https://news.example/2024/06/02/ferries")
    stated = extract(page, ExtractSettings(metadata="stated"))
    full = extract(page, ExtractSettings())
    assert (stated.date, stated.date_source, stated.authors) == ("2024-06-02", "url", ("Jane Doe",))
    assert (stated.title, stated.description) == ("Ferry timetable", "Two early crossings on weekdays.")
    assert (stated.categories, stated.tags) == (full.categories, full.tags) == (("Transport",), ("Ferries",))
    assert (stated.date, stated.authors, stated.title) == (full.date, full.authors, full.title)


def test_stated_metadata_is_read_from_the_head_and_scripts_alone() -> None:
    """Where trafilatura's extraction is not run, `stated` gives its metadata steps only the part of
    the pre-passed page they read (its <head> and the body's JSON-LD and settings scripts, not its
    code, other data or a type written in another case), and they find in it what they find in the
    whole page; `full`, which searches the body, gets the page."""
    from trafilatura.utils import load_html  # noqa: PLC0415  # the adapter's parser, as pipeline calls it

    from scraper.extract import pipeline  # noqa: PLC0415

    head = (
        '<meta property="og:title" content="Ferries run earlier">'
        '<meta property="og:site_name" content="Harbour News">'
        '<meta name="description" content="Two early crossings.">'
        '<link rel="canonical" href="https://news.example/ferries">'
        '<meta property="article:section" content="Transport">'
    )
    json_ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "datePublished": "2024-06-02", "author": {"@type": "Person", "name": "Jane Doe"}}</script>'
    )
    unread = (
        '<script>window.dataLayer = [{"author": "Ad Server"}];</script>'
        '<script type="application/json">{"author": "Widget Maker"}</script>'
        '<script type="Application/LD+JSON">{"@type": "NewsArticle", "author": "Case Variant"}</script>'
    )
    site = '<script type="application/settings+json">{"sitename": "Harbour News"}</script>'
    body = f"<div class='story'>{PARAGRAPHS}{unread}{json_ld}{site}</div><footer>Contact us</footer>"
    tree = LexborHTMLParser(_article(head=head, body=body))
    whole = tree.html or ""
    stated = pipeline._Call(fast=False, search_author=False, search_page=False)
    full = pipeline._Call(fast=False, search_author=True, search_page=True)
    part = pipeline._read_by(stated, tree, whole)
    assert "Jane Doe" in part and "harbour board" not in part and "Contact us" not in part
    assert "settings+json" in part
    assert not any(name in part for name in ("Ad Server", "Widget Maker", "Case Variant"))
    # the scripts trafilatura reads, as its XPath names them: an upgrade that reads others fails here
    reader = inspect.getsource(trafilatura_metadata.extract_meta_json)
    assert " or ".join(f'@type="{kind}"' for kind in sorted(pipeline._JSON_SCRIPTS)) in reader
    assert pipeline._read_by(full, tree, whole) is whole
    fields = pipeline._METADATA_FIELDS
    part_tree, whole_tree = load_html(part), load_html(whole)
    assert part_tree is not None and whole_tree is not None
    read = pipeline._metadata(part_tree, "https://news.example/ferries", stated)
    expected = pipeline._metadata(whole_tree, "https://news.example/ferries", stated)
    assert {f: getattr(read, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert (read.author, read.sitename, read.categories) == ("Jane Doe", "Harbour News", ["Transport"])


def test_trafilatura_reads_json_ld_as_far_as_our_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura's JSON-LD reader is handed each document as far as metadata.json_ld reads it:
    it read every author of a NewsArticle listing 300,000 (20 s, past extract.timeout)."""
    handed: list[int] = []
    reader = trafilatura_json.extract_json

    def counting(schema: Any, meta: Any) -> Any:
        handed.append(len(schema.get("author", [])))
        return reader(schema, meta)

    monkeypatch.setattr(trafilatura_json, "extract_json", counting)
    authors = [{"@type": "Person", "name": f"Ana {i}"} for i in range(MAX_JSON_VALUES)]
    doc = {"@context": "https://schema.org", "@type": "NewsArticle", "author": authors, "headline": "Ferries"}
    small = {"@context": "https://schema.org", "@type": "NewsArticle", "author": authors[:3]}
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(d)}</script>' for d in (doc, small))
    from trafilatura.utils import load_html  # noqa: PLC0415  # the adapter's parser, as pipeline calls it

    tree = load_html(_article(head=scripts))
    assert tree is not None
    pipeline._metadata(tree, None, pipeline._Call(fast=False, search_author=False, search_page=False))
    assert handed[1] == 3 and 0 < handed[0] < MAX_JSON_VALUES // 2


def test_markup_metadata_searches_the_page_but_not_its_text_for_a_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`metadata = "markup"` runs the byline, title, category and tag searches `full` runs and
    reads the date its date elements write (a `<p class="date">`, a `<span class="post-date">`),
    but never runs htmldate's search nor looks for a day in the text: a date the page writes
    only in a sentence of its story is left null. The text is the same."""
    page = _page(_SEARCHED_ONLY, url="https://news.example/story")
    full = extract(page, ExtractSettings())
    markup, searches = _searches_run(ExtractSettings(metadata="markup"), page)
    assert {"trafilatura/metadata.py", "scraper/extract/authors.py"} <= {where for where, _ in searches}
    assert (markup.date, markup.authors, markup.categories, markup.tags, markup.title) == (
        "2021-03-14",
        ("Ann Lee",),
        full.categories,
        full.tags,
        full.title,
    )
    assert markup.text == full.text
    dated = "<p class='date'>Published on <time datetime='2021-03-14'>14 March 2021</time></p>"
    in_a_span = _page(_SEARCHED_ONLY.replace(dated, "<span class='post-date'>March 14, 2021</span>"))
    in_words = _page(_SEARCHED_ONLY.replace(dated, "<p>The board first met on 14 March 2021 to plan it.</p>"))
    assert extract(in_words, ExtractSettings()).date == "2021-03-14"

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("searched")

    monkeypatch.setattr(pipeline, "find_date", never)
    monkeypatch.setattr(pipeline, "states_some_day", never)
    monkeypatch.setattr(pipeline, "states_day", never)
    assert extract(page, ExtractSettings(metadata="markup")).date == "2021-03-14"
    assert extract(in_a_span, ExtractSettings(metadata="markup")).date == "2021-03-14"
    assert extract(in_words, ExtractSettings(metadata="markup")).date is None


def test_every_record_says_which_metadata_was_read() -> None:
    """`metadata_mode` is the mode of `[extract] metadata`, on kept pages and on pages without a
    story alike, and in the record."""
    story = _page(_SEARCHED_ONLY)
    empty = _page(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    for mode in ("full", "markup", "stated"):
        settings = ExtractSettings(metadata=mode)
        assert extract(story, settings).metadata_mode == mode
        assert extract_document(empty, settings).metadata_mode == mode
        assert extract(story, settings).to_record()["metadata_mode"] == mode


def test_renderings_are_built_only_when_asked() -> None:
    """With `forms` empty (JSON lines, Parquet) no Markdown or XML is built and the rest of the
    document is the same; by default (the store, the Python API) both are there."""
    page = _page(_article(body="<h2>Timetable</h2>" + PARAGRAPHS))
    full = extract(page, ExtractSettings())
    bare = extract(page, ExtractSettings(forms=frozenset()))
    assert "## Timetable" in full.markdown and "<head" in full.xml
    assert (bare.markdown, bare.xml) == ("", "")
    assert bare.to_record() == full.to_record()


def _with_rules(html: str, settings: ExtractSettings | None = None) -> tuple[Document, set[str]]:
    """The page's Document and the names of the pre-pass rules that removed something from it."""
    trace = Trace()
    document = extract(fetched_page(html), settings or ExtractSettings(), trace)
    return document, {r.rule for r in trace.removals}


def test_a_product_pages_customer_reviews_are_left_out_unless_comments_are_wanted() -> None:
    """A product page's customer reviews are its comments: the pre-pass, told the page's type,
    takes them out (rule "review-section") and they are not in the text; with comments wanted the
    rule does not run. A buyer's guide (a NewsArticle declaring the Products it reviews) is an
    article, and its product reviews are its story."""
    reviews = (
        "<div class='product-reviews'><h2>Customer reviews</h2>"
        + "".join(
            f"<div class='review-item'><p>Reviewer {i} says the straps are comfortable and the side"
            " pockets a little tight for big bottles.</p></div>"
            for i in range(3)
        )
        + "</div>"
    )
    product = '<script type="application/ld+json">{"@type": "Product", "name": "Trail pack"}</script>'
    document, rules = _with_rules(_article(PARAGRAPHS + reviews, head=product))
    assert document.page_type == "product"
    assert "review-section" in rules
    assert "Reviewer 1 says" not in document.text and "The harbour board met" in document.text
    _, rules = _with_rules(
        _article(PARAGRAPHS + reviews, head=product), ExtractSettings(include_comments=True)
    )
    assert "review-section" not in rules
    guide = (
        '<script type="application/ld+json">'
        '{"@graph": [{"@type": "NewsArticle"}, {"@type": "Product"}]}</script>'
    )
    document, rules = _with_rules(_article(PARAGRAPHS + reviews, head=guide))
    assert document.page_type == "article"
    assert "review-section" not in rules


def test_the_second_call_brings_back_no_customer_reviews() -> None:
    """A product page's customer reviews, taken out by the pre-pass, stay out when the second call
    reads the page without it (trafilatura's text on the pre-passed page holding under a quarter of
    its prose): before, they came back with the second call's text, which the model cannot judge
    (its blocks are the pre-passed page's), and the page's text was mostly its reviews."""
    notes = "".join(
        f"<p>Note {i}: the pack's frame sheet is made of recycled plastic, and the maker repairs"
        " broken buckles and zips for free for as long as you own it.</p>"
        for i in range(12)
    )
    reviews = (
        "<div class='product-reviews'><h2>Customer reviews</h2>"
        + "".join(
            f"<div class='review-item'><p>Reviewer {i} says the straps are comfortable on long walks,"
            " the side pockets a little tight for big bottles, and the rain cover easy to find.</p></div>"
            for i in range(6)
        )
        + "</div>"
    )
    product = '<script type="application/ld+json">{"@type": "Product", "name": "Trail pack"}</script>'
    body = f"<article><h1>Trail pack</h1>{PARAGRAPHS}</article><div class='comments'>{notes}</div>{reviews}"
    block_model.use(None)  # trafilatura's output stands
    try:
        trace = Trace()
        document = extract(fetched_page(_article(body=body, head=product)), ExtractSettings(), trace)
    finally:
        block_model.use_shipped()
    assert document.page_type == "product" and trace.extractions == 2
    assert "harbour board met on Tuesday" in document.text
    assert "Reviewer 1 says" not in document.text and "Reviewer" not in document.markdown


def test_an_expert_review_of_a_product_keeps_its_verdict() -> None:
    """A review article marked up as search engines ask (a Review whose itemReviewed is the
    Product) is an article, not a product page: its verdict box, classed "review-box", is its
    story, not customer reviews, and stays."""
    marked = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Review",'
        ' "itemReviewed": {"@type": "Product", "name": "Trail pack"},'
        ' "reviewRating": {"@type": "Rating", "ratingValue": 4}}</script>'
    )
    verdict = (
        "<div class='review-box'><h3>Verdict</h3><p>The best day pack under a hundred dollars: light,"
        " tough and dry, with a hipbelt that is its only real weakness.</p></div>"
    )
    document, rules = _with_rules(_article(PARAGRAPHS + verdict, head=marked))
    assert document.page_type == "article"
    assert "review-section" not in rules
    assert "The best day pack" in document.text and "The harbour board met" in document.text


def test_the_second_call_brings_back_no_consent_centre_or_share_bar() -> None:
    """When trafilatura's text on the pre-passed page holds under a quarter of its prose (here a
    notes section it files as comments), the second call reads the page without the pre-pass; what
    the rules that take no landmark of the story had removed stays out of its text (before, a
    consent centre's paragraphs and a share bar came back with the story and outweighed it)."""
    notes = "".join(
        f"<p>Note {i}: the island council keeps an archive of timetables going back to the first"
        " steam ferry, each change of sailing times and fares recorded in the minutes.</p>"
        for i in range(8)
    )
    consent = "".join(
        f"<p>These cookies are set by our partner number {i} to build a profile of your interests"
        " and show you relevant adverts on other sites.</p>"
        for i in range(6)
    )
    share = "<div class='share'><p>Share this story with your friends on every network you use</p></div>"
    body = (
        f"<article><h1>Summer ferries</h1>{PARAGRAPHS}{share}</article><div class='comments'>{notes}</div>"
        f"<div class='gdpr-centre'><h2>Privacy preference centre</h2>{consent}</div>"
    )
    block_model.use(None)  # trafilatura's output stands
    try:
        trace = Trace()
        document = extract(fetched_page(_article(body=body)), ExtractSettings(), trace)
    finally:
        block_model.use_shipped()
    assert trace.extractions == 2
    assert "harbour board met on Tuesday" in document.text
    assert "cookies" not in document.text and "Privacy preference" not in document.text
    assert "Share this story" not in document.text
    assert "cookies" not in document.markdown and "cookies" not in document.xml


def test_the_second_call_compares_no_fallback_extractors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second call (trafilatura's text on the pre-passed page holding under a quarter of its
    prose) reads the whole page as trafilatura's `fast`: its fallback extractors (readability,
    jusText) compared on the page cost about 40% of that call on the corpus sample's large pages;
    the first call keeps them, as the user's `fast` setting asks."""
    notes = "".join(
        f"<p>Note {i}: the island council keeps an archive of timetables going back to the first"
        " steam ferry, each change of sailing times and fares recorded in the minutes.</p>"
        for i in range(8)
    )
    body = f"<article><h1>Summer ferries</h1>{PARAGRAPHS}</article><div class='comments'>{notes}</div>"
    calls: list[bool] = []
    run = pipeline._run_trafilatura

    def recorded(*args: Any, call: Any, **kwargs: Any) -> Any:
        calls.append(call.fast)
        return run(*args, call=call, **kwargs)

    monkeypatch.setattr(pipeline, "_run_trafilatura", recorded)
    block_model.use(None)  # trafilatura's output stands
    try:
        document = extract(fetched_page(_article(body=body)), ExtractSettings(), Trace())
    finally:
        block_model.use_shipped()
    assert calls == [False, True]
    assert "harbour board met on Tuesday" in document.text


def test_the_blocks_of_a_shop_card_do_not_run_together() -> None:
    """A shop grid's card holds its badge, name, price and reviews in blocks of its own inside one
    <li>: the text reads them apart, as a browser lays them out (before, trafilatura's item read
    "Top RatedMerrell Moab Boots - Women's$170.001332 reviews")."""
    card = (
        "<li><div><div><span>{badge}</span></div></div><a href='/p/{i}'><span role='heading'>"
        "<span>{brand}</span> <span>{name} Boots - Women's</span></span></a><div><div><span>${price}.00"
        "</span></div></div><div><span>{n} reviews with an average rating of 4.{i} out of 5 stars</span>"
        "</div></li>"
    )
    cards = [
        ("Top Rated", "Merrell", "Moab", 170, 1332),
        ("Award Winner", "Oboz", "Sawtooth", 129, 60),
        ("Top Rated", "Keen", "Targhee", 180, 226),
        ("New Arrival", "Salomon", "Ultra", 190, 189),
    ]
    items = "".join(
        card.format(i=i, badge=badge, brand=brand, name=name, price=price, n=n)
        for i, (badge, brand, name, price, n) in enumerate(cards)
    )
    html = (
        "<html><head><title>Hiking Boots</title></head><body><main><h1>Hiking Boots</h1><p>Boots for every"
        " kind of walker and every kind of trail, waterproof and light, in our store today.</p>"
        f"<ul>{items}</ul></main></body></html>"
    )
    words = set(extract(fetched_page(html), ExtractSettings()).text.split())
    assert {"Rated", "Merrell", "Women's", "$170.00", "1332", "Arrival", "Salomon", "$190.00", "189"} <= words


def test_a_topic_page_of_cards_in_headers_keeps_its_cards() -> None:
    """A topic page whose cards hold their title, summary and byline in a link-dense <header>
    (each <article>'s own): the pre-pass takes each as a site's header and leaves the page's title
    and "Load more" alone; that little left, the page is read without the pre-pass's rules, and
    its cards are its text (before, the text was "Headphones Load more")."""
    topics = ["battery life", "noise cancelling", "firmware", "colour options", "spatial audio", "price cut"]
    cards = "".join(
        f"<article class='river'><a href='/a/{i}'><img src='/i/{i}.jpg' alt=''></a><header><h2>"
        f"<a href='/a/{i}'>New headphones bring better {topic} to every listener</a></h2><p><a href='/a/{i}'>"
        f"The maker says the update to {topic} arrives this month for owners of last year's model.</a></p>"
        f"<div><a href='/author/{i}'>Staff Writer</a> <time datetime='2025-05-0{i + 1}'>{i + 1} days ago"
        "</time></div></header></article>"
        for i, topic in enumerate(topics)
    )
    html = (
        "<html><head><title>Headphones</title></head><body><header><nav><a href='/'>Home</a> "
        "<a href='/mac'>Mac</a> <a href='/ipad'>iPad</a> <a href='/deals'>Deals</a></nav></header><main>"
        "<h1>Headphones</h1>"
        f"<section>{cards}</section><button>Load more</button></main><footer><a href='/about'>About us</a>"
        " <a href='/privacy'>Privacy</a></footer></body></html>"
    )
    text = extract(fetched_page(html, url="https://example.com/topic/headphones"), ExtractSettings()).text
    for topic in topics:
        assert f"New headphones bring better {topic} to every listener" in text


def test_surrogates_in_a_str_read_as_the_characters_they_stand_for() -> None:
    """A str given to clean_html may hold surrogates (a JSON escape of half a character): a pair
    is its character, a lone one one U+FFFD, not three (its UTF-8 bytes, each undecodable)."""
    story = "The ferry company said it would add two morning crossings on weekdays from next month."
    body = f"<h1>Ferries</h1><p>{story} Smile \ud83d\ude00, broken \udcff here.</p>" + PARAGRAPHS
    text = clean_html(_article(body=body)).text
    assert "Smile \U0001f600, broken \ufffd here." in text


def test_a_manuals_sort_by_headings_are_its_text() -> None:
    """A manual's section headed by what it sorts by ("Sort by one column", "Sort by multiple
    columns") and a how-to's step "Sort by colour." are the page's text: only a list page's bare
    control ("Sort by", "Sort by:") or one naming its order after a colon ("Sort by: Best Match") is
    a call (model.calls). The step is asked of `calls` itself: whether the closing two-item list is
    kept is the models' verdict (the nineteenth round's refit drops it, a call or not)."""
    html = (
        "<html><head><title>Sorting data</title></head><body><main><h1>Sorting data in a table</h1>"
        "<p>A table can be sorted by one column or by several; the order of the columns in the sort"
        " decides which one wins a tie, and each column may be ascending or descending.</p>"
        "<h2>Sort by one column</h2><p>Select a cell in the column, then choose Data, Sort Ascending."
        " The rows move together, so each record stays whole while the column is ordered.</p>"
        "<h2>Sort by multiple columns</h2><p>Choose Data, Sort, and add a level for each column. The"
        " first level sorts the whole table; each further level sorts the rows left tied.</p>"
        "<ol><li>Sort by colour.</li><li>Then sort each pile by the weight of its fabric.</li></ol>"
        "</main></body></html>"
    )
    text = clean_html(html.encode(), url="https://example.org/manual/sort").text
    assert "Sort by one column\n" in text and "Sort by multiple columns\n" in text
    assert not block_model.calls("Sort by colour.")
    assert block_model.calls("Sort by:") and block_model.calls("Sort by: Price, low to high")


# -- a story declared only in JSON-LD (a page drawn by script) ------------------------------

_DECLARED_PARAGRAPHS = [
    f"Paragraph {k} of the declared story: the {word} committee weighed the plan for the new"
    f" river crossing, heard {k + 3} witnesses and asked the engineers for a costed second option."
    for k, word in enumerate(("planning", "finance", "transport", "heritage", "housing", "safety"))
]


def _declared_page(body: str, shown: str, *, wrap: str = "{}") -> str:
    article = {"@type": "NewsArticle", "headline": "River crossing", "articleBody": body}
    script = json.dumps(json.loads(wrap.replace("{}", json.dumps(article))))
    head = f'<script type="application/ld+json">{script}</script>'
    return _article(shown, head=head)


_TEASER = (
    "<h1>River crossing: the committee's second look</h1><p>The committee weighed the plan for the new"
    " river crossing on Tuesday evening, in a meeting that ran late into the night.</p><p>This story is"
    " shown in full to our subscribers. Sign in, or start a free trial, to read the rest of it and every"
    " other story in our archive, on the web and in the app.</p>"
)


@pytest.mark.parametrize(
    "wrap", ["{}", '{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, {}]}', "[{}]"]
)
def test_a_story_declared_only_in_json_ld_is_the_text(wrap: str) -> None:
    """A page whose HTML shows a teaser of the story its JSON-LD `articleBody` declares (in a
    @graph or a list too) gets that body as its text, paragraph by paragraph; --explain says so."""
    html = _declared_page("\n\n".join(_DECLARED_PARAGRAPHS), _TEASER, wrap=wrap)
    doc = extract(_page(html), ExtractSettings())
    assert doc.text.splitlines() == _DECLARED_PARAGRAPHS
    assert "<main>" in doc.xml and "Paragraph 5 of the declared story" in doc.markdown
    explanation = explain(_page(html), ExtractSettings())
    assert explanation.text_source == "json-ld"
    assert any("articleBody" in line for line in describe(explanation))


def test_trafilaturas_fallback_to_a_declared_body_keeps_its_paragraphs() -> None:
    """A page that shows only its title and declares a short story in its JSON-LD (too short for
    `_declared_body`) gets the body from trafilatura's last fallback, which folds it into one
    line: the text keeps the body's paragraphs, a line each, and --explain says where it is from."""
    html = _declared_page("\n\n".join(_DECLARED_PARAGRAPHS[:3]), "<h1>River crossing</h1>")
    doc = extract(_page(html), ExtractSettings())
    assert doc.text.splitlines() == _DECLARED_PARAGRAPHS[:3]
    explanation = explain(_page(html), ExtractSettings())
    assert explanation.text_source == "json-ld-fallback"
    assert any("fallback" in line and "articleBody" in line for line in describe(explanation))


def test_a_declared_body_is_bounded_as_the_page_is() -> None:
    """An `articleBody` written as HTML is the page's to write: an element of it with 60,000
    attributes (a lexbor parse quadratic in them, one C call no watchdog stops) loses those past
    dom.MAX_ATTRIBUTES before it is read, as the page itself does (dom.bounded_html), and its
    text is read all the same."""
    attributes = " ".join(f"data-a{i}=x" for i in range(60_000))
    body = f"<div {attributes}>{_DECLARED_PARAGRAPHS[0]}</div><p>{_DECLARED_PARAGRAPHS[1]}</p>"
    started = time.process_time()
    paragraphs = body_paragraphs(body)
    assert time.process_time() - started < 2
    assert paragraphs == _DECLARED_PARAGRAPHS[:2]


def test_a_declared_body_in_html_is_read_as_a_browser_reads_it() -> None:
    """An `articleBody` written as HTML: its blocks and <br> split paragraphs, tags and entities
    read (no tag, no "&amp;" left), white space folded."""
    body = "".join(
        f"<p>{p.replace('committee', '<b>committee</b> &amp;')}</p>" for p in _DECLARED_PARAGRAPHS[:5]
    )
    body += f"<div>{_DECLARED_PARAGRAPHS[5][:40]}<br>\n   {_DECLARED_PARAGRAPHS[5][40:]}</div>"
    doc = extract(_page(_declared_page(body, _TEASER)), ExtractSettings())
    lines = doc.text.splitlines()
    assert lines[0] == _DECLARED_PARAGRAPHS[0].replace("committee", "committee &")
    assert lines[5:] == [_DECLARED_PARAGRAPHS[5][:40].strip(), _DECLARED_PARAGRAPHS[5][40:].strip()]
    assert "<" not in doc.text and "&amp;" not in doc.text


def test_the_page_text_stands_when_it_shows_the_declared_body() -> None:
    """The page's own text stands when it holds the declared body (its paragraphs shown), when the
    body is a summary (too short for a story), or when the page declares several bodies."""
    shown = "".join(f"<p>{p}</p>" for p in _DECLARED_PARAGRAPHS)
    doc = extract(
        _page(_declared_page("\n".join(_DECLARED_PARAGRAPHS[:3]) + " Read more.", shown)), ExtractSettings()
    )
    assert "Read more" not in doc.text
    summary = "The committee weighed the plan for the new river crossing and heard witnesses."
    doc = extract(_page(_declared_page(summary, PARAGRAPHS)), ExtractSettings())
    assert "harbour board" in doc.text and summary not in doc.text
    two = '{"@graph": [{}, {"@type": "NewsArticle", "articleBody": "' + " other" * 200 + '"}]}'
    doc = extract(
        _page(_declared_page("\n".join(_DECLARED_PARAGRAPHS), PARAGRAPHS, wrap=two)), ExtractSettings()
    )
    assert "harbour board" in doc.text


def test_a_declared_body_keeps_the_comments_asked_for() -> None:
    """With comments kept, the page's lines the declared body does not hold follow it; with
    `keep` selectors the user chose the text, and the page's stands."""
    html = _declared_page("\n".join(_DECLARED_PARAGRAPHS), PARAGRAPHS)
    doc = extract(_page(html), ExtractSettings(include_comments=True))
    assert doc.text.splitlines()[:6] == _DECLARED_PARAGRAPHS
    assert "harbour board" in doc.text
    assert "harbour board" not in extract(_page(html), ExtractSettings()).text
    assert extract(_page(html), ExtractSettings(keep=("article",))).text.startswith("The harbour board")


@pytest.mark.parametrize("junk", [2_000, 100_000])
def test_a_paragraph_of_symbols_beside_a_story_leaves_the_story(junk: int) -> None:
    """A paragraph of `junk` "&" beside a story (the model keeping it, or trafilatura's text
    standing) made the whole page "mostly symbols", skipped: that paragraph goes, the story stays,
    in the text, the Markdown and the XML. A page of symbols alone is still skipped."""
    symbols = "<p>" + "&amp; " * junk + "</p>"
    doc = clean_html(_article(body=PARAGRAPHS + symbols))
    assert doc.skip_reason is None
    assert "extra sailings" in doc.text and "&" not in doc.text
    assert "&" not in (doc.markdown or "") and "&amp;" not in (doc.xml or "")
    alone = clean_html(_article(body=symbols))
    assert alone.skip_reason is not None and "mostly symbols" in alone.skip_reason


def test_unreadable_names_the_blocks_that_make_a_text_unreadable() -> None:
    """Only where the blocks together are unreadable, and never all of them."""
    story, junk = "The harbour board met on Tuesday.", "& " * 100
    assert rules.unreadable([story, "* * *", story]) == []
    assert rules.unreadable([story, junk, "- -", story]) == [1, 2]
    assert rules.unreadable([junk, junk]) == []


def test_the_model_keeping_a_paragraph_of_symbols_keeps_the_story(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the first model keeps every block, a paragraph of symbols among them too, the kept
    blocks lose it (pipeline._judged): the story comes out, not "mostly symbols"."""
    monkeypatch.setattr(block_model, "first_choice", lambda blocks, **_: list(blocks))
    doc = clean_html(_article(body=PARAGRAPHS + "<p>" + "&amp; " * 5_000 + "</p>"))
    assert doc.skip_reason is None
    assert "extra sailings" in doc.text and "&" not in doc.text and "&" not in (doc.xml or "")


def test_trafilaturas_markdown_loses_what_its_text_loses() -> None:
    """A list of linked labels each with a count (a blog's archive) taken out of trafilatura's
    text (formats.remove_count_lists) goes from its Markdown too, which the page's verdict reads
    for its link density (pipeline._without_copies): it counted links the text no longer holds."""
    counts = (("May", 5), ("June", 7), ("July", 2), ("August", 9))
    months = "".join(f"<item><ref target='/{m}'>{m} ({n})</ref></item>" for m, n in counts)
    body = etree.fromstring(
        "<body><p>The harbour board met on Tuesday and agreed the new ferry timetable for the winter,"
        " with crews pleased by the later first sailing and the earlier last one on weekdays.</p>"
        f"<list>{months}</list></body>"
    )
    found = _Extracted()
    found.body = body
    found.text = xmltotxt(body, True)
    assert "[June (7)](/June)" in found.text
    assert pipeline._without_copies(found, ExtractSettings(), lambda text: 1)
    assert "June (7)" not in found.text and "The harbour board met on Tuesday" in found.text


_SHELL_BUNDLE = "<script src='/static/js/main.3f9a.js'></script>"


@pytest.mark.parametrize(
    "shown",
    [
        "<noscript>You need to enable JavaScript to run this app.</noscript><div id='root'></div>",
        "<div id='__next'><p>Loading...</p></div>",
        "<div id='root'></div>",
    ],
)
def test_a_javascript_shell_that_declares_its_story_gets_it(shown: str) -> None:
    """A JavaScript shell (an app root, scripts, nothing to read) that declares its story in its
    JSON-LD `articleBody` (one body of a story's length) gets that body as its text, paragraph
    by paragraph, instead of being skipped as needing JavaScript; one declaring a summary only
    (a body under a story's length) is still skipped."""
    html = _declared_page("\n\n".join(_DECLARED_PARAGRAPHS), shown + _SHELL_BUNDLE)
    doc = extract(_page(html), ExtractSettings())
    assert doc.skip_reason is None and doc.text.splitlines() == _DECLARED_PARAGRAPHS
    assert doc.page_type == "article" and doc.title == "Ferry timetable"
    summary = _declared_page(
        "The committee weighed the plan for the new river crossing.", shown + _SHELL_BUNDLE
    )
    doc = extract(_page(summary), ExtractSettings())
    assert doc.skip_reason == "needs JavaScript" and doc.text == ""
