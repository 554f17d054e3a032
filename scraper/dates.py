"""The one home for reading dates that pages, feeds and servers state.

    parse_datetime("2024-05")                        -> 2024-05-01 00:00 UTC (W3C, ISO 8601, RFC 822)
    http_date("Wed, 21 Oct 2015 07:28:00 GMT")       -> 2015-10-21 07:28 UTC (RFC 9110 HTTP-date)
    iso_datetime("2026-11-23T17:19:00-05:00")        -> 2026-11-23 22:19 UTC (ISO 8601 alone: WARC-Date)
    utc_timestamp("2026-11-23T22:19:00.000001Z")     -> the same, raising ValueError (the store's own columns)
    iso_day("2024-03-09T23:30:00-05:00")             -> 2024-03-09 (the day as written, not shifted)
    states_day("on 1 March 2019", date(2019, 3, 1))  -> True  ("March 2019" or "2019" alone: False)
    states_some_day("on 1 March 2019")               -> True  (any day states_day would find)

Each returns None for a value that states no date (empty, malformed, out of range): a bad
date in someone else's markup or headers is never an error of ours. `utc_timestamp` alone
raises: it reads back what this program wrote, where a bad value is damage.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

_W3C_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?")  # "2024" and "2024-05": fromisoformat wants a day
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_datetime(value: str | None) -> datetime | None:
    """W3C datetime (YYYY, YYYY-MM, YYYY-MM-DD, full ISO 8601) or RFC 822, as aware UTC; else None."""
    if not value:
        return None
    try:
        parsed = _read_datetime(value.strip())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, TypeError, IndexError, OverflowError):  # not a date, or out of range
        return None


def _read_datetime(value: str) -> datetime:
    if partial := _W3C_PARTIAL.fullmatch(value):
        return datetime(int(partial[1]), int(partial[2] or 1), 1, tzinfo=UTC)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return parsedate_to_datetime(value)


def http_date(value: str | None) -> datetime | None:
    """An HTTP-date header value (Last-Modified, Retry-After, ...) as an aware datetime; else None.

    "-0000" dates come back naive from the parser; HTTP-dates are always GMT, so they get UTC.
    """
    try:
        when = parsedate_to_datetime((value or "").strip())
    except (TypeError, ValueError, IndexError, OverflowError):  # also an empty or missing header
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def iso_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp (`2026-11-23T22:19:00Z`, fractions and offsets allowed) as an aware
    UTC datetime, a time without an offset read as UTC; None when the value is not one. Stricter
    than `parse_datetime`: no partial dates, no RFC 822."""
    try:
        return utc_timestamp((value or "").strip())
    except ValueError:
        return None


def utc_timestamp(value: str) -> datetime:
    """A timestamp as this program writes them (ISO 8601 with `Z` or an offset) as an aware UTC
    datetime, a time without an offset read as UTC; raises ValueError for anything else."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso_day(value: str) -> date | None:
    """The calendar day an ISO-ish timestamp names, in the page's own time zone (not shifted to UTC)."""
    found = _ISO_DAY.search(value)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


# Month names and their usual abbreviations in the languages the extractor meets most (en, de,
# fr, es, it, nl, pt, pl, ru: the genitive, as dates write it), lowercase, one alternation a month.
_MONTH_NAMES = (
    "jan|january|januar|janvier|enero|gennaio|januari|janeiro|jän|jänner|stycznia|января",
    "feb|february|februar|février|fevrier|févr|febrero|febbraio|februari|fevereiro|lutego|февраля",
    "mar|march|märz|maerz|mars|marzo|maart|março|marca|марта",
    "apr|april|avril|avr|abril|aprile|kwietnia|апреля",
    "may|mai|mayo|maggio|mei|maio|maja|мая",
    "jun|june|juni|juin|junio|giugno|junho|czerwca|июня",
    "jul|july|juli|juillet|juil|julio|luglio|julho|lipca|июля",
    "aug|august|août|aout|agosto|augustus|sierpnia|августа",
    "sep|sept|september|septembre|septiembre|settembre|setembro|września|сентября",
    "oct|october|oktober|octobre|octubre|ottobre|okt|outubro|października|октября",
    "nov|november|novembre|noviembre|novembro|listopada|ноября",
    "dec|december|dezember|décembre|decembre|déc|diciembre|dicembre|dez|dezembro|grudnia|декабря",
)


def states_day(text: str, day: date) -> bool:
    """Whether `text` writes out this full day (in numbers, or with a month name), not only its
    year or its month: "2019-03-01", "01.03.2019", "3/1/2019", "March 1, 2019", "1. März 2019".

    Every form holds the year, so only the places where the year stands are tried: the forms
    that start with it are matched after it, the forms that end with it are matched backwards,
    on the reversed text, from where it starts. A page's text (scripts included) is long, and
    one search of all the forms at every position of it cost more than htmldate's own search.
    """
    year = str(day.year)
    at = text.find(year)
    if at < 0:
        return False
    after, before = _day_forms(day)
    reverse = text[::-1]
    end = len(text)
    while at >= 0:
        stop = at + len(year)
        if (at == 0 or not text[at - 1].isdecimal()) and after.match(text, stop):
            return True
        if (stop == end or not text[stop].isdecimal()) and before.match(reverse, end - at):
            return True
        at = text.find(year, at + 1)
    return False


@functools.lru_cache(maxsize=256)
def _day_forms(day: date) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The ways of writing `day` around its year: what follows the year ("2019-03-01"), and,
    reversed, what precedes it ("01.03.2019", "3/1/2019", "1st of March 2019", "March 1, 2019")."""
    after, before = _forms((day.month,), (day.day,))
    return re.compile(after, re.IGNORECASE), re.compile(before, re.IGNORECASE)


def _forms(months: tuple[int, ...], days: tuple[int, ...]) -> tuple[str, str]:
    """`_day_forms` of any of the `months` and `days` (each piece one alternation of theirs: a
    regular expression matches where any choice of the alternatives does), as patterns."""
    month, dd = _either(f"0?{m}" for m in months), _either(f"0?{d}" for d in days)
    after = rf"[-/.]{month}[-/.]{dd}(?!\d)"
    # reversed: each form's part before the year, read from the year backwards; a lookbehind
    # becomes a lookahead, "0?3" becomes "30?", "march" becomes "hcram"
    month_r, dd_r = _either(f"{str(m)[::-1]}0?" for m in months), _either(f"{str(d)[::-1]}0?" for d in days)
    names = "|".join(name[::-1] for m in months for name in _MONTH_NAMES[m - 1].split("|"))
    name_r = rf"\.?(?:{names})"
    ordinal_r = r"(?:ts|dn|dr|ht|re|º|\.)?"
    # the runs of separators possessive ("*+"): what follows one (a month name, an ordinal, a
    # digit, "ed") never starts with a separator, so giving a character back can never match and
    # the same texts match; without it a run of n separators before a year was tried again at
    # each of its n ends, with every month name (a text of "2019" and 300 " ,-" a thousand times,
    # 0.9 MB: `states_some_day` 0.95 s, 0.01 s with them)
    before = (
        rf"\s?[-/.|]\s?{month_r}\s?[-/.|]\s?{dd_r}(?!\d)",  # 01.03.2019
        rf"/{dd_r}/{month_r}(?!\d)",  # 3/1/2019
        rf"(?:\s++ed)?[\s,-]*+{name_r}(?:\s+fo|\s+ed)?[\s-]*+{ordinal_r}{dd_r}(?!\d)",  # 1st of March 2019
        rf"[\s,-]*+{ordinal_r}{dd_r}[\s-]*+{name_r}(?!\w)",  # March 1, 2019
    )
    return after, "|".join(before)


def _either(pieces: Iterable[str]) -> str:
    return f"(?:{'|'.join(pieces)})"


def states_some_day(text: str) -> bool:
    """Whether `text` writes out any full day of the years 1900 to 2099: true wherever
    `states_day(text, day)` is for such a day, so where it is false, none is stated.

    The forms of every day at once, each matched where a year stands, as `states_day` matches
    them: one search of the text for the forms after the year, one of the reversed text for
    the forms before it (a year is "19" or "20" and two digits, no digit before it for the
    first search, none after it for the second).
    """
    after, before = _any_day_forms()
    return after.search(text) is not None or before.search(text[::-1]) is not None


@functools.cache
def _any_day_forms() -> tuple[re.Pattern[str], re.Pattern[str]]:
    after, before = _forms(tuple(range(1, 13)), tuple(range(1, 32)))
    # the lookbehind after the year's first digits, not before them, and the year's digits ASCII
    # (as `states_day` writes a year): the search then skips to each "19" or "20" (or ASCII
    # digit) instead of trying the whole pattern at every position
    return (
        re.compile(rf"(?:19|20)(?<!\d\d\d)[0-9][0-9]{after}", re.IGNORECASE),
        re.compile(rf"[0-9][0-9](?:91|02)(?<!\d\d\d\d\d)(?:{before})", re.IGNORECASE),
    )
