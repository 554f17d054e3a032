"""Fuzzing extraction: real pages from tests/fixtures, mutated, may only raise the documented errors.

Each example takes one fixture page and applies a few mutations: bytes deleted, inserted or
repeated, the body cut short, or a hostile snippet (deep nesting, unclosed tables, NUL bytes,
placeholder URLs, JSON-LD nested too deep, a BOM or charset that lies) put in at a random place.
The page then goes through what a crawl does to it in a worker (`process_page`: links, feeds,
extraction) and through `clean --explain`. A `ScraperError` is an answer; anything else is a bug.

`make test` runs a few examples; `make fuzz` runs many (SCRAPER_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.config import ExtractSettings
from scraper.corpus.sources import page_from_bytes
from scraper.crawl.visit import process_page
from scraper.errors import ScraperError
from scraper.extract import explain

PAGES = sorted((Path(__file__).parent / "fixtures" / "html").glob("*.html"))
EXAMPLES = int(os.environ.get("SCRAPER_FUZZ_EXAMPLES", "12"))

SNIPPETS = (
    b"<div>" * 1200,
    b"<table>",
    b"<table><tr>" + b"<td>x" * 3000,
    b"</td></tr></table></div></body>",
    b"<b><i><u><font>" * 300,
    b"\x00",
    b"\x00" * 64,
    b"&#0;&#xD800;&#x110000;",
    b"<base href='https://[site_url]/'>",
    b"<link rel=canonical href='https://[site_url]/x'>",
    b"<a href='http://example.com:99999/'>port</a><a href='http://[::1'>v6</a>",
    b'<script type="application/ld+json">' + b'{"a":' * 1500 + b"1" + b"}" * 1500 + b"</script>",
    b'<script type="application/ld+json">' + b"[" * 5000 + b"</script>",
    b"<meta charset='utf-16'>",
    b"<meta http-equiv='content-type' content='text/html; charset=x-unknown'>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"<!--",
    b"<![CDATA[",
    b"<noscript><template><svg><math>",
    b"<p>" * 800,
    b"<embed><wbr><source><track>",
    b"<time datetime='99999-99-99'>",
    b"<meta name='date' content='2024-02-31'>",
)

_POSITION = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
MUTATION = st.one_of(
    st.tuples(st.just("delete"), _POSITION, st.integers(1, 4000)),
    st.tuples(st.just("insert"), _POSITION, st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("snippet"), _POSITION, st.sampled_from(SNIPPETS)),
    st.tuples(st.just("repeat"), _POSITION, st.integers(1, 2000), st.integers(2, 30)),
    st.tuples(st.just("truncate"), _POSITION),
)


def mutate(body: bytes, mutations: list[tuple[object, ...]]) -> bytes:
    """Apply `mutations` in order; positions are fractions of the current length."""
    for kind, where, *rest in mutations:
        assert isinstance(where, float)
        at = int(where * len(body))
        if kind == "delete":
            body = body[:at] + body[at + int(rest[0]) :]  # type: ignore[call-overload]
        elif kind in ("insert", "snippet"):
            body = body[:at] + rest[0] + body[at:]  # type: ignore[operator]
        elif kind == "repeat":
            chunk = body[at : at + int(rest[0])]  # type: ignore[call-overload]
            body = body[:at] + chunk * int(rest[1]) + body[at:]  # type: ignore[call-overload]
        else:
            body = body[:at]
    return body


@settings(
    max_examples=EXAMPLES,
    deadline=None,  # one example is a whole extraction: up to seconds on a shared machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(page=st.sampled_from(PAGES), mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_pages_raise_only_documented_errors(page: Path, mutations: list[tuple[object, ...]]) -> None:
    """Whatever a page turns into, extracting it returns a result or raises a ScraperError."""
    body = mutate(page.read_bytes(), mutations)
    try:
        fetched = page_from_bytes(body, source=page.name, url="https://example.com/news/story.html")
        process_page(fetched, ExtractSettings(), find_feeds=True)
        explain(fetched, ExtractSettings())
    except ScraperError:
        pass  # a documented answer: the page is not text, not extractable, too complex...
