"""Tests for scraper.dates: the one reading of dates from pages, feeds and HTTP headers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scraper.dates import (
    _MONTH_NAMES,
    http_date,
    iso_datetime,
    iso_day,
    parse_datetime,
    states_day,
    states_some_day,
    utc_timestamp,
)
from scraper.store.documents import timestamp


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-06", datetime(2024, 5, 6, tzinfo=UTC)),
        ("2024-05-06T23:30:00-02:00", datetime(2024, 5, 7, 1, 30, tzinfo=UTC)),
        (" Mon, 06 May 2024 10:00:00 +0200 ", datetime(2024, 5, 6, 8, 0, tzinfo=UTC)),
    ],
)
def test_parse_datetime_reads_w3c_iso_and_rfc822_as_utc(value: str, expected: datetime) -> None:
    """Partial W3C dates start their period; offsets are converted to UTC."""
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", [None, "", "soon", "2024-13-45", "99999-01-01", "Mon, 99 Foo 2024"])
def test_parse_datetime_gives_none_for_what_states_no_date(value: str | None) -> None:
    """Malformed or out-of-range values are None, never an exception."""
    assert parse_datetime(value) is None


def test_http_date_is_aware_and_none_when_malformed() -> None:
    """GMT and "-0000" dates both come back aware; garbage and absence are None."""
    assert http_date("Wed, 21 Oct 2015 07:28:00 GMT") == datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert http_date("Wed, 21 Oct 2015 07:28:00 -0000") == datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    stated = http_date("Wed, 21 Oct 2015 23:28:00 -0500")
    assert stated is not None and stated.utcoffset() == timedelta(hours=-5)
    assert stated.date() == date(2015, 10, 21)  # the day as the server wrote it
    assert http_date("yesterday") is None
    assert http_date(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-09T23:30:00-05:00", date(2024, 3, 9)),  # not shifted to UTC (that would be the 10th)
        ("published 2024-3-9 at noon", date(2024, 3, 9)),
        ("2024-02-30", None),
        ("March 9", None),
    ],
)
def test_iso_day_is_the_day_as_written(value: str, expected: date | None) -> None:
    """The first YYYY-M-D in the value, in the writer's own zone; impossible days are None."""
    assert iso_day(value) == expected


def test_parse_datetime_keeps_the_instant_of_an_offset() -> None:
    """The same instant written with another offset reads the same."""
    east = datetime(2024, 5, 6, 12, 0, tzinfo=timezone(timedelta(hours=3))).isoformat()
    assert parse_datetime(east) == datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Posted 2019-03-01 by Jane", date(2019, 3, 1)),
        ("Stand: 01.03.2019", date(2019, 3, 1)),
        ("26 | 01 | 2022 Schweiz", date(2022, 1, 26)),
        ("updated 3/1/2019", date(2019, 3, 1)),
        ("on March 1st, 2019", date(2019, 3, 1)),
        ("le 1er mars 2019", date(2019, 3, 1)),
        ("am 1. März 2019", date(2019, 3, 1)),
        ("el 1 de marzo de 2019", date(2019, 3, 1)),
        ("Compiled 24-Nov-2021", date(2021, 11, 24)),
        ("15 августа 2016, 13:43", date(2016, 8, 15)),
    ],
)
def test_states_day_finds_a_full_day_however_it_is_written(text: str, day: date) -> None:
    """A day written in numbers or with a month name, in several languages, states that day."""
    assert states_day(text, day)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("my 1999 treadmill", date(1999, 1, 1)),
        ("© 2019 Example Ltd", date(2019, 1, 1)),
        ("March 2019", date(2019, 3, 1)),
        ("style.css?v=20171129-b", date(2017, 11, 29)),
        ("12019-03-01", date(2019, 3, 1)),
        ("2019-03-11", date(2019, 3, 1)),
    ],
)
def test_states_day_needs_the_day_itself(text: str, day: date) -> None:
    """A year, a month, a version string or another day states no full day."""
    assert not states_day(text, day)


def _one_search(day: date) -> re.Pattern[str]:
    """The forms of `states_day` as one pattern searched at every position: the definition its
    year-anchored matching must agree with."""
    year, month, dd = day.year, rf"0?{day.month}", rf"0?{day.day}"
    name = rf"(?:{_MONTH_NAMES[day.month - 1]})\.?"
    ordinal = r"(?:st|nd|rd|th|er|º|\.)?"
    forms = (
        rf"(?<!\d){year}[-/.]{month}[-/.]{dd}(?!\d)",
        rf"(?<!\d){dd}\s?[-/.|]\s?{month}\s?[-/.|]\s?{year}(?!\d)",
        rf"(?<!\d){month}/{dd}/{year}(?!\d)",
        rf"(?<!\d){dd}{ordinal}[\s-]*(?:of\s+|de\s+)?{name}[\s,-]*(?:de\s+)?{year}(?!\d)",
        rf"(?<!\w){name}[\s-]*{dd}{ordinal}[\s,-]*{year}(?!\d)",
    )
    return re.compile("|".join(forms), re.IGNORECASE)


# pieces of the days below and of near-misses: their digits, separators, ordinals, month names
# in several languages and scripts, a letter and a digit that may touch them
_PIECES = ["1", "01", "3", "03", "12", "2", "20", "2019", "2020", "0", " ", "\n", "-", "/", ".", "|",
           ",", "st", "er", "º", "of ", "de ", "March", "mars", "Mar", "марта", "Dec", "x", "é"]  # fmt: skip
# texts of up to 12 of them, and the days the property tests look for in them
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)
_DAYS = st.sampled_from([date(2019, 3, 1), date(2020, 3, 12), date(2020, 12, 3), date(2020, 2, 20)])


@settings(max_examples=1500, deadline=None)
@given(text=_TEXTS, day=_DAYS)
@example(text="xMarch 1, 2019", day=date(2019, 3, 1))
@example(text="March 52019", day=date(2019, 3, 5))
@example(text="March 202020", day=date(2020, 3, 20))
@example(text="1st of  March, 2019", day=date(2019, 3, 1))
@example(text="13/1/2019 and 11.03.2019", day=date(2019, 3, 1))
@example(text="2019-03-011", day=date(2019, 3, 1))
@example(text="1st of March , - \n 2019", day=date(2019, 3, 1))  # long runs of separators
@example(text="March \n -  1 , -  2019", day=date(2019, 3, 1))
def test_states_day_agrees_with_one_search_of_every_form(text: str, day: date) -> None:
    """Matching around each place the year stands finds a day exactly where one search of all
    the forms over the whole text does."""
    assert states_day(text, day) == bool(_one_search(day).search(text))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-23T22:19:00Z", datetime(2026, 11, 23, 22, 19, tzinfo=UTC)),
        (" 2026-11-23T17:19:00-05:00 ", datetime(2026, 11, 23, 22, 19, tzinfo=UTC)),
        ("2026-11-24T08:00:00.5Z", datetime(2026, 11, 24, 8, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-23T22:19:00", datetime(2026, 11, 23, 22, 19, tzinfo=UTC)),  # no offset: UTC
        ("2026-11", None),  # partial dates and RFC 822 are parse_datetime's, not ISO 8601 timestamps
        ("Mon, 23 Nov 2026 22:19:00 GMT", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_datetime_reads_iso_8601_timestamps_only(value: str | None, expected: datetime | None) -> None:
    """WARC-Date and `export --since`: ISO 8601 as aware UTC; anything else is no date."""
    assert iso_datetime(value) == expected


def test_utc_timestamp_reads_back_what_the_store_wrote_and_refuses_the_rest() -> None:
    """The store's timestamps come back as the aware UTC datetimes that went in; damage raises."""
    moment = datetime(2026, 11, 23, 22, 19, 0, 1, tzinfo=UTC)
    assert utc_timestamp(timestamp(moment)) == moment
    with pytest.raises(ValueError, match="Invalid isoformat"):
        utc_timestamp("not a time")


@settings(max_examples=1500, deadline=None)
@given(text=_TEXTS, day=_DAYS)
@example(text="xMarch 1, 2019", day=date(2019, 3, 1))
@example(text="1st of  March, 2019", day=date(2019, 3, 1))
@example(text="13/1/2019 and 11.03.2019", day=date(2019, 3, 1))
@example(text="12019-03-01 and 01.03.2019", day=date(2019, 3, 1))
def test_states_some_day_wherever_states_day_finds_one(text: str, day: date) -> None:
    """No text states a day of its own that `states_some_day` misses (the pipeline skips the
    search of the text for a date where it finds none)."""
    assert states_some_day(text) or not states_day(text, day)


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("on 1 March 2019", True),
        ("updated 3/1/2019", True),
        ("Stand: 31.12.1999", True),
        ("2024-06-02T08:00:00Z", True),
        ("© 2019 Example Ltd, my 1999 treadmill", False),
        ("March 2019", False),
        ("style.css?v=20171129-b", False),
        ("12019-03-01", False),
        ("01.03.20191", False),  # a year's digits in a longer number, before as after
        ("", False),
    ],
)
def test_states_some_day_needs_a_full_day(text: str, stated: bool) -> None:
    """Any full day written out counts; a year, a month or a version string does not."""
    assert states_some_day(text) is stated
