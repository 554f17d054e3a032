"""The one home for reading dates that pages, feeds and servers state.

    parse_datetime("2024-05")                        -> 2024-05-01 00:00 UTC (W3C, ISO 8601, RFC 822)
    http_date("Wed, 21 Oct 2015 07:28:00 GMT")       -> 2015-10-21 07:28 UTC (RFC 9110 HTTP-date)
    iso_day("2024-03-09T23:30:00-05:00")             -> 2024-03-09 (the day as written, not shifted)

Each returns None for a value that states no date (empty, malformed, out of range): a bad
date in someone else's markup or headers is never an error of ours.
"""

from __future__ import annotations

import re
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


def iso_day(value: str) -> date | None:
    """The calendar day an ISO-ish timestamp names, in the page's own time zone (not shifted to UTC)."""
    found = _ISO_DAY.search(value)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
