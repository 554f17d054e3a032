"""The Python API: clean_html on bytes or str, fetch_and_clean (sync and async), one "no article" shape."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import scraper
from scraper import FetchError, FetchSettings, Settings, clean_html, fetch_and_clean, fetch_and_clean_async
from tests.httpserver import Handler, LocalServer, Route

HTML = Path(__file__).parent / "fixtures" / "html"
FAST = Settings(fetch=FetchSettings(per_host_delay=0))


def test_clean_html_decides_the_charset_of_bytes_as_for_files() -> None:
    """cp1252 bytes declared by a meta tag come out with their umlauts, as `clean FILE` reads them."""
    body = (HTML / "german-cp1252.html").read_bytes()
    from_bytes = clean_html(body)
    assert "ü" in from_bytes.text or "ä" in from_bytes.text
    assert "\ufffd" not in from_bytes.text
    assert clean_html(body.decode("cp1252")).text == from_bytes.text


def test_no_main_content_is_a_document_not_an_exception() -> None:
    """A page without a story comes back with empty text, page_type empty and a skip_reason."""
    doc = clean_html(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert (doc.text, doc.page_type, doc.quality) == ("", "empty", 0.0)
    assert doc.skip_reason is not None and doc.skip_reason.startswith("no main content: ")


def test_clean_html_reads_stated_metadata_when_asked() -> None:
    """ExtractSettings(metadata="stated") leaves a date the page only writes in its text unread,
    and the document says so; the default reads it."""
    page = (
        "<html><head><title>Ferries</title></head><body><article><p>Published on 14 March 2021</p>"
        + "<p>The harbour board agreed the summer timetable for the ferries on Tuesday evening.</p>" * 3
        + "</article></body></html>"
    )
    full = clean_html(page, url="https://news.example/story")
    stated = clean_html(
        page, url="https://news.example/story", settings=scraper.ExtractSettings(metadata="stated")
    )
    assert (full.date, full.metadata_mode) == ("2021-03-14", "full")
    assert (stated.date, stated.metadata_mode) == (None, "stated")
    assert stated.text == full.text


def test_fetch_and_clean_sync_and_async_give_the_same_document() -> None:
    """Both forms fetch from a local server and extract; status and final URL are the fetch's."""
    with LocalServer({"/story": Route(body=(HTML / "news-article.html").read_bytes())}) as server:
        url = server.url("/story")
        sync = fetch_and_clean(url, FAST)
        asynchronous = asyncio.run(fetch_and_clean_async(url, FAST))
    assert sync.status == 200 and sync.final_url == url
    assert sync.text and sync.text == asynchronous.text


def test_fetch_and_clean_obeys_robots_txt() -> None:
    """A URL robots.txt disallows is never requested: FetchError says why."""
    routes: dict[str, Handler] = {
        "/robots.txt": Route(
            body="User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"}
        ),
        "/private/story": Route(body=(HTML / "news-article.html").read_bytes()),
    }
    with LocalServer(routes) as server:
        with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
            fetch_and_clean(server.url("/private/story"), FAST)
        assert [r.path for r in server.requests] == ["/robots.txt"]


@pytest.mark.filterwarnings("error")  # a coroutine never awaited fails the test
def test_the_sync_functions_inside_an_event_loop_name_their_async_twins() -> None:
    async def inside() -> None:
        with pytest.raises(RuntimeError, match=r"await fetch_and_clean_async\("):
            fetch_and_clean("http://127.0.0.1:9/", FAST)
        with pytest.raises(RuntimeError, match=r"await run_crawl_async\("):
            scraper.run_crawl(FAST, ["http://127.0.0.1:9/"])

    asyncio.run(inside())


def test_version_is_exported() -> None:
    """scraper.__version__ is a version string."""
    assert scraper.__version__[0].isdigit()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: clean_html(None), TypeError, r"html must be str or bytes, not None"),  # type: ignore[arg-type]
        (lambda: clean_html(42), TypeError, r"html must be str or bytes, not int"),  # type: ignore[arg-type]
        (lambda: clean_html("<p>x</p>", settings={"favor_precision": True}), TypeError, r"not dict"),  # type: ignore[arg-type]
        (lambda: clean_html("<p>x</p>", url="example.com/story"), ValueError, r"url: not an http\(s\) URL"),
        (lambda: clean_html("<p>x</p>", url=b"https://a.example/"), TypeError, r"url must be a str"),  # type: ignore[arg-type]
        (lambda: fetch_and_clean(None), TypeError, r"url must be a str"),  # type: ignore[arg-type]
        (lambda: fetch_and_clean("ftp://a.example/"), ValueError, r"not an http\(s\) URL"),
        (
            lambda: fetch_and_clean("https://a.example/", {"fetch": {}}),  # type: ignore[arg-type]
            TypeError,
            r"settings must be scraper\.Settings",
        ),
        (
            lambda: scraper.run_crawl(FAST, "https://a.example/"),
            TypeError,
            r"not str \(put the one URL in a list\)",
        ),
        (lambda: scraper.run_crawl({}, []), TypeError, r"run_crawl: settings must be scraper\.Settings"),  # type: ignore[arg-type]
        (
            lambda: scraper.run_crawl(FAST, [42]),  # type: ignore[list-item]
            TypeError,
            r"each site must be a scraper\.Site or a start URL",
        ),
        (
            lambda: scraper.run_crawl(FAST, ["http://exa mple.com/"]),
            ValueError,
            r"start URL: not a valid URL",
        ),
        (lambda: scraper.run_crawl(FAST, []), ValueError, r"no sites to crawl"),
    ],
)
def test_wrong_arguments_are_named_before_anything_runs(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    """Misuse raises TypeError or ValueError naming the argument and what it should be; nothing is fetched."""
    with pytest.raises(error, match=message):
        call()


def test_clean_html_takes_a_bytearray_as_bytes() -> None:
    """A bytearray (or memoryview) is read as bytes are, charset decided the same way."""
    body = (HTML / "german-cp1252.html").read_bytes()
    assert clean_html(bytearray(body)).text == clean_html(body).text == clean_html(memoryview(body)).text  # type: ignore[arg-type]


# The watchdog's exception may land in a gc callback (a dead thread leaving threading's WeakSet):
# Python reports it as "Exception ignored" and drops it, and the watchdog raises it again 50 ms
# later (scraper/extract/inprocess.py); the outcome below is what counts, not that report.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_clean_html_is_bounded_as_the_cli_is() -> None:
    """HTML over [fetch] max_bytes is refused before it is parsed; a page over [extract] timeout
    fails with the CLI's reason, in this process."""
    small = Settings(fetch=FetchSettings(max_bytes=1000))
    with pytest.raises(scraper.SourceError, match=r"page\.html: larger than 1000 bytes \(fetch\.max_bytes\)"):
        clean_html("<p>" + "x" * 2000 + "</p>", settings=small, source="page.html")
    slow = Settings(extract=scraper.ExtractSettings(timeout=0.001))
    body = (HTML / "news-article.html").read_bytes() * 20
    with pytest.raises(
        scraper.ExtractionError, match=r"extraction took longer than 0\.001 s \(extract\.timeout\)"
    ):
        clean_html(body, settings=slow)


def test_an_element_of_many_attributes_is_cleaned_in_this_process_within_its_time() -> None:
    """An element of 40,000 attributes (a parse quadratic in them: over [extract] timeout in C
    calls no watchdog stops) loses those past dom.MAX_ATTRIBUTES before lexbor or lxml read it,
    so the page is cleaned in this process in a fraction of its time."""
    attributes = " ".join(f"data-a{i}=x" for i in range(40_000))
    story = "<p>" + "The harbour board agreed the summer timetable for the ferries. " * 20 + "</p>"
    page = f"<html><head><title>Ferries</title></head><body><article><div {attributes}>{story}</div>"
    clean_html("<p>warm</p>")  # the models load once, outside the page's time
    started = time.monotonic()
    settings = Settings(extract=scraper.ExtractSettings(timeout=15))
    doc = clean_html(page + "</article></body></html>", settings=settings)
    assert time.monotonic() - started < 10
    assert "summer timetable" in doc.text


@pytest.mark.parametrize("html", ["", " \n\t", b"", b"\xef\xbb\xbf  \r\n", bytearray(b" ")])
def test_clean_html_fails_blank_html_as_the_cli_and_serve_do(html: str | bytes) -> None:
    """HTML of nothing but white space (a BOM aside) is no page: `SourceError` "empty input",
    as `clean` fails an empty file or stdin and `serve` an empty `html`; never a skip record."""
    with pytest.raises(scraper.SourceError, match=r"^page\.html: empty input$"):
        clean_html(html, source="page.html")


def test_clean_html_names_its_input_by_its_url_or_as_html_never_as_stdin() -> None:
    """Without `source`, HTML handed to `clean_html` is named by its `url`, else "html", as `serve`
    names it, in errors and in the record: it was named "-" (stdin, which the caller never gave),
    so a blank page raised "-: empty input"."""
    with pytest.raises(scraper.SourceError, match=r"^html: empty input$"):
        clean_html("  ")
    with pytest.raises(scraper.SourceError, match=r"^https://a\.example/s: empty input$"):
        clean_html(b" ", url="https://a.example/s")
    page = "<html><body><article><p>" + "The ferry sails at dawn. " * 20 + "</p></article></body></html>"
    assert clean_html(page).to_record()["source"] == "html"
    assert clean_html(page, url="https://a.example/s").to_record()["source"] == "https://a.example/s"
    assert clean_html(page, source="page.html").to_record()["source"] == "page.html"


def test_fetch_and_clean_fails_an_empty_response_as_clean_url_does() -> None:
    """A 200 of nothing but white space is `SourceError` "empty response", as `clean URL` says."""
    with LocalServer({"/blank": Route(body=b"  \n")}) as server:
        url = server.url("/blank")
        with pytest.raises(scraper.SourceError, match=r"empty response$"):
            fetch_and_clean(url, FAST)
