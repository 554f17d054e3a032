"""Web archives in and out: WARC (`.warc`, `.warc.gz`) and ARC (`.arc`, `.arc.gz`) files.

In, for `clean`:

    read_archive(path)  ->  ArchivedResponse  (an HTML response: URL, date, status, headers, body)
                        |   ArchiveSkip       (a record that is no page, or one that is damaged)
    read_positioned(path) -> the same, each with the `ArchivePosition` to start reading at for it
                             to come first: the Ray engine's tasks seek to their records

The records are parsed by warcio (ARC records are read as WARC ones); this module adds what a
corpus run needs around it: only HTML `response` records become pages, everything else is
counted with its reason, and a damaged record (truncated, corrupt gzip member, garbage between
records) is reported and stepped over: reading starts again at the next gzip member (or, in an
uncompressed file, the next `WARC/1.x` line), so the rest of the file still comes out.

Out, for `crawl` with `[crawl] warc_dir`: `ArchivingFetcher` writes every response it fetched
(pages, robots.txt, sitemaps, feeds) to `WarcArchive` as a request record and a response record,
each its own gzip member, in files rotated past `[crawl] warc_max_bytes`, so any stored document
can be re-extracted later without fetching it again: `scraper clean data/warc/`.

warcio, not FastWARC: FastWARC reads records about twice as fast (0.5 against 1.0 ms a record on
a 4,074-record, 191 MB WARC of dataset pages, one core; docs/guide/clean.md "Web archives"), but both are
under 1.5% of the ~100 ms extraction costs per page, and only warcio reads ARC files.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import os
import re
import secrets
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.charset import HTML_TYPES, page_from_bytes
from scraper.corpus.atomic import seal
from scraper.dates import iso_datetime
from scraper.errors import SourceError, WriteError
from scraper.fetch import InflateError, Inflater
from scraper.models import FetchedPage, iso_utc, utc_now
from scraper.urls import url_flaw

__all__ = [
    "ARCHIVE_SUFFIXES",
    "ArchivePosition",
    "ArchiveSkip",
    "ArchivedResponse",
    "WarcArchive",
    "is_archive_name",
    "read_archive",
    "read_positioned",
    "record_offset",
]

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_log = logging.getLogger(__name__)
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = b"WARC/1."
_SCAN_CHUNK = 1 << 20
# an ARC record's header line: URL, IP address, a 14-digit date, ... (version 1 and 2)
_ARC_LINE = re.compile(rb"\S+ \S+ \d{12,14} ")
_HEAD_BYTES = 4096
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986's scheme, before its colon
# what warcio raises on what it cannot read: its own errors, broken gzip, short reads, bad header
# values, and (its parser on malformed header lines, found by fuzzing) Attribute/Type/KeyErrors
_DAMAGE = (
    ArchiveLoadFailed,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    IndexError,
    AttributeError,
    TypeError,
    KeyError,
    UnicodeError,
)


def record_offset(source: str, archive: str) -> int | None:
    """The byte offset of a record of `archive` from its source (`FILE#OFFSET`); None for another source."""
    path, sep, offset = source.rpartition("#")
    return int(offset) if sep and path == archive and offset.isdigit() else None


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchivedResponse:
    """An HTML response record, its body undecoded (the charset is decided in `page`)."""

    source: str  # FILE#OFFSET: the archive and the byte offset of the record in it
    url: str
    status: int | None
    content_type: str | None
    body: bytes
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    warc_record_id: str | None = None

    def page(self) -> FetchedPage:
        """The record as a fetched page; raises `ExtractionError` when the body is not text."""
        return page_from_bytes(
            self.body,
            source=self.source,
            url=self.url,
            content_type=self.content_type,
            status=self.status,
            fetched_at=self.fetched_at,
            etag=self.etag,
            last_modified=self.last_modified,
            warc_record_id=self.warc_record_id,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveSkip:
    """A record that gives no page: not a response, not HTML, not a 2xx (`damaged` False), or a
    record that could not be read (`damaged` True: reported, the reading goes on after it)."""

    source: str
    reason: str
    damaged: bool = False


@dataclass(frozen=True, slots=True)
class ArchivePosition:
    """Where to start reading an archive for a given record to come first: the byte offset of a
    record at or before it (`offset`), how many records read from there come before it (`skip`:
    several when warcio's offset of a record is no place to start, as inside a gzip member that
    holds more than one record, or at a damaged one), and whether `offset` is in the
    uncompressed data of a file gzipped whole (`gzip x.warc`)."""

    offset: int = 0
    skip: int = 0
    whole_gzip: bool = False


ARCHIVE_START = ArchivePosition()


def read_archive(
    path: str, *, max_bytes: int, start: ArchivePosition = ARCHIVE_START
) -> Iterator[ArchivedResponse | ArchiveSkip]:
    """Every record of a WARC or ARC file, in file order (from `start`: see `read_positioned`);
    raises `SourceError` only when the file cannot be opened. Bodies above `max_bytes` (after
    content decoding) are skipped.

    A record that cannot be trusted (a corrupt gzip member, a Content-Length that does not end
    where the next record starts, a cut body, headers that do not parse) is one damaged skip,
    and reading starts again after the start of that record, at the next gzip member or
    `WARC/1.` line: so records a wrong length swallowed, and members after a corrupt one, still
    come out. A search that lands on a false start (those bytes inside a payload) fails to parse
    and goes on quietly: one damaged stretch is one skip.
    """
    for record, _position in read_positioned(path, max_bytes=max_bytes, start=start):
        yield record


def read_positioned(
    path: str, *, max_bytes: int, start: ArchivePosition = ARCHIVE_START
) -> Iterator[tuple[ArchivedResponse | ArchiveSkip, ArchivePosition]]:
    """`read_archive`'s records, each with the position reading can start at for that record to
    come first, and the records after it to follow as they do here. Started at such a position,
    it gives the same records from there on as a reading of the whole file, read from the start."""
    try:
        size = os.path.getsize(path)
        if size == 0:  # as an empty page is: an archive of no bytes is no input, never a quiet success
            raise SourceError(path, "empty input")
        handle = open(path, "rb")  # noqa: SIM115  # closed by the `with` below, once the checks pass
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc
    with handle:
        gzipped = handle.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC
        stream: BinaryIO = handle
        known: int | None = size
        if start.whole_gzip:
            stream, known, gzipped = _whole_gzip(handle), None, False
        anchor = _Anchor(start.offset, whole_gzip=start.whole_gzip)
        at: int | None = start.offset
        resyncing, skip = False, start.skip
        while at is not None and not _at_end(stream, at, known):
            stream.seek(at)
            reading = _read_from(stream, at, known, path, max_bytes, resyncing=resyncing)
            try:
                while True:
                    record, where = next(reading)
                    position = anchor.position(record, where, stream if gzipped else None)
                    if skip:  # before where this reading was asked to start
                        skip -= 1
                    else:
                        yield record, position
            except StopIteration as stop:
                after: int | None = stop.value
            except _WholeGzip:
                # gzipped whole (`gzip x.warc`), not one member per record, which is all warcio
                # reads: the file is read again through Python's gzip, its first record (already
                # given) passed over; offsets are then those of the uncompressed data
                stream, known, gzipped = _whole_gzip(handle), None, False
                anchor = _Anchor(0, whole_gzip=True)
                at, skip = 0, 1
                continue
            if after is None:
                return
            # the search always moves forward (warcio's offset can point before this reader's
            # start: a gzip member that spans records), so a damaged file cannot loop
            at = _next_start(stream, max(after, at) + 1, gzipped)
            resyncing, skip = True, 0


def _whole_gzip(handle: BinaryIO) -> BinaryIO:
    handle.seek(0)
    return cast(BinaryIO, gzip.GzipFile(fileobj=handle, mode="rb"))  # a binary file


class _Anchor:
    """The last record a reading may start at, and how many records were read from it since.

    A record is a place to start when it is sound (not damaged), lies after the last one, and, in
    a file gzipped per record, its offset is where a gzip member begins: warcio's offset of the
    second record inside one member is no place in the file at all."""

    def __init__(self, offset: int, *, whole_gzip: bool) -> None:
        self._offset = offset
        self._since = 0
        self._whole_gzip = whole_gzip

    def position(
        self, record: ArchivedResponse | ArchiveSkip, where: int, members: BinaryIO | None
    ) -> ArchivePosition:
        """Where to start for `record` (read at warcio's offset `where`) to come first; `members`
        is the file when it is gzipped per record."""
        if self._starts_here(record, where, members):
            self._offset, self._since = where, 0
        position = ArchivePosition(self._offset, self._since, self._whole_gzip)
        self._since += 1
        return position

    def _starts_here(
        self, record: ArchivedResponse | ArchiveSkip, where: int, members: BinaryIO | None
    ) -> bool:
        if isinstance(record, ArchiveSkip) and record.damaged:
            return False
        if where < self._offset or (where == self._offset and self._since > 0):
            return False
        return members is None or os.pread(members.fileno(), len(_GZIP_MAGIC), where) == _GZIP_MAGIC


class _WholeGzip(Exception):
    """The archive is one gzip stream holding many records (warcio reads one member per record)."""


def _at_end(stream: BinaryIO, position: int, size: int | None) -> bool:
    if size is not None:
        return position >= size
    try:  # a gzip stream's size is known only once it was read through
        stream.seek(position)
        return not stream.read(1)
    except (OSError, EOFError, zlib.error):  # damaged past this point: nothing more to read
        return True


def _read_from(  # the reading position and what the caller knows about it
    handle: BinaryIO, start: int, size: int | None, path: str, max_bytes: int, *, resyncing: bool
) -> Generator[tuple[ArchivedResponse | ArchiveSkip, int], None, int | None]:
    """The records from `start` on, each with warcio's offset of it, until one cannot be
    trusted: then the offset after which to search for the next one; None when the file was
    read to its end.

    Everything warcio does for one record (parse, body, the rest of it) runs with its stderr
    notes collected: warcio writes zlib errors and "invalid Content-Length" warnings, which
    quote the page, to stderr and goes on. Any such note makes the record damaged.
    """
    reader = ArchiveIterator(handle, arc2warc=True)
    reader.loader = _Loader(verify_http=False, arc2warc=True)
    records = iter(reader)
    first = True
    while True:
        where = int(reader.offset)
        damage: str | None = None
        found: ArchivedResponse | ArchiveSkip | None = None
        record: Any = None
        with _WarcioNotes() as notes:
            try:
                record = next(records, None)
                where = int(reader.offset)
                if record is not None and not _has_length(record):
                    # a header block cut before its Content-Length (the file or the gzip member
                    # ends there) reads as a record of no type or no HTTP headers: a lost page
                    damage = "truncated or corrupt record: no Content-Length"
                    if not _opens_a_record(handle, where):  # a gzipped text or page named .warc.gz
                        damage = "corrupt record: not a WARC or ARC record"
                    record = None
                if record is not None:
                    found = _response(record, f"{path}#{where}", max_bytes)
                    reader.read_to_end()
                    # fewer bytes than Content-Length before the end of the file: cut short
                    if getattr(record.raw_stream, "limit", 0) > 0:
                        damage = "truncated record"
            except _DAMAGE as exc:
                if start == 0 and not resyncing and "non-chunked gzip" in str(exc):
                    raise _WholeGzip from exc
                damage = _damage_reason(exc)
                _log.debug("%s#%d: %s", path, where, _why(exc))
        damage = notes.damage(path, where) or damage
        if record is None and damage is None:
            end = int(reader.offset)
            if _at_end(handle, end, size):
                return None
            damage = "truncated or unreadable record"  # warcio stops quietly at a member it cannot inflate
            where = end
        if damage is not None:
            if not (first and resyncing):  # a false start after damage is part of that damage
                yield ArchiveSkip(source=f"{path}#{where}", reason=damage, damaged=True), where
            return max(where, start)
        assert found is not None
        yield found, where
        first = False


class _Loader(ArcWarcRecordLoader):  # type: ignore[misc]  # warcio is untyped
    """warcio's loader, a record without a WARC-Target-URI read as one with an empty URI: warcio
    raised AttributeError on it (read as "corrupt record: AttributeError"); `_response` says
    what is missing."""

    def _ensure_target_uri_format(self, rec_headers: Any) -> str:
        """warcio's, but a target whose spaces make it no URL is left as written: warcio
        percent-encodes every space, so `http://exa mple.com/` was reported as the archive never
        wrote it ('http://exa%20mple.com/', "contains '%'"). A space in a path or query is still
        encoded, as warcio did (`/a b.html` is the page `/a%20b.html`)."""
        written = cast(str | None, rec_headers.get_header("WARC-Target-URI"))
        uri = cast(str | None, super()._ensure_target_uri_format(rec_headers)) or ""
        if written and " " in written:
            unwrapped = written[1:-1] if written.startswith("<") and written.endswith(">") else written
            if url_flaw(unwrapped) is not None:
                rec_headers.replace_header("WARC-Target-URI", unwrapped)
                return unwrapped
        return uri

    def load_http_headers(self, rec_type: str, uri: str, stream: Any, length: int | None) -> Any:
        """warcio's, its test of an http(s) target read without case: under `HTTPS://` it read
        no HTTP headers, and a page was "response record without HTTP headers"."""
        scheme, colon, rest = uri.partition(":")
        return super().load_http_headers(rec_type, scheme.lower() + colon + rest, stream, length)


def _opens_a_record(handle: BinaryIO, where: int) -> bool:
    """Whether the bytes at `where` (inflated, when a gzip member starts there) open a WARC
    record (`WARC/1.x`) or an ARC one (its header line: URL, IP address, date, ...). warcio
    reads any line of five words as an ARC header: a gzipped text file named .warc.gz was "no
    Content-Length" (its fifth word)."""
    handle.seek(where)
    head = handle.read(_HEAD_BYTES)
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, _HEAD_BYTES)
        except zlib.error:
            return False
    return head.startswith(_WARC_LINE) or _ARC_LINE.match(head) is not None


def _has_length(record: Any) -> bool:
    """Whether a record's headers state its Content-Length, which every WARC record must."""
    value = record.rec_headers.get_header("Content-Length")
    return value is not None and value.strip().isdigit()


class _WarcioNotes:
    """stderr collected while warcio works on one record: each note it writes is a damage."""

    def __init__(self) -> None:
        self._text = io.StringIO()
        self._redirect = contextlib.redirect_stderr(self._text)

    def __enter__(self) -> _WarcioNotes:
        self._redirect.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._redirect.__exit__(None, None, None)

    def damage(self, path: str, where: int) -> str | None:
        text = self._text.getvalue()
        if not text:
            return None
        _log.debug("%s#%d: warcio: %s", path, where, " ".join(text.split())[:200])
        if "decompress" in text or "Error -" in text:
            return "corrupt gzip data"
        return "bad Content-Length: the record does not end where the next one starts"


def _damage_reason(exc: BaseException) -> str:
    """A damaged record's reason: fixed words by kind, never the bytes warcio quotes (page text)."""
    if isinstance(exc, zlib.error):
        return "corrupt gzip data"
    if isinstance(exc, EOFError):
        return "truncated record"
    if isinstance(exc, ArchiveLoadFailed):
        return "corrupt record: not a WARC or ARC record"
    return f"corrupt record: {type(exc).__name__}"


def _response(  # noqa: PLR0911  # one return per kind of record that is no page
    record: Any, source: str, max_bytes: int
) -> ArchivedResponse | ArchiveSkip:
    kind = record.rec_type
    if kind != "response":
        return _not_a_response(kind, source)
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or ""
    if not url.strip():  # an HTML response whose address is lost: no page to clean, and no quiet skip
        return ArchiveSkip(source=source, reason="response record without a WARC-Target-URI", damaged=True)
    http = record.http_headers
    if http is None:
        return _headless(url, source)
    if not (http.protocol or "").upper().startswith("HTTP/"):
        # warcio reads the payload's first line as a status line, whatever it is: a record of the
        # body alone (an HTML page written without its status line and headers) is a lost page,
        # which read as "not HTML (no Content-Type, no markup)", a quiet "not a page"
        return ArchiveSkip(source=source, reason="response record without HTTP headers", damaged=True)
    content_type = http.get_header("Content-Type")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media and media not in HTML_TYPES:
        return ArchiveSkip(source=source, reason=f"not HTML ({media})")
    status = _status(http.get_statuscode())
    if status is not None and not 200 <= status < 300:
        return ArchiveSkip(source=source, reason=f"HTTP {status}")
    if (http.get_header("Content-Encoding") or "").strip().lower() == "br":
        try:
            body = _unbrotlied(record, max_bytes)
        except InflateError as exc:
            return ArchiveSkip(source=source, reason=exc.reason, damaged=True)
    else:
        body = record.content_stream().read(max_bytes + 1)  # damage raises: the caller steps over it
    if len(body) > max_bytes:
        return ArchiveSkip(source=source, reason=f"larger than {max_bytes} bytes", damaged=True)
    if not media and body.lstrip()[:1] != b"<":
        return ArchiveSkip(source=source, reason="not HTML (no Content-Type, no markup)")
    flaw = url_flaw(url)
    if flaw is not None:  # the page's address decides its site's selectors: it must be one
        return ArchiveSkip(source=source, reason=f"WARC-Target-URI {flaw}", damaged=True)
    return ArchivedResponse(
        source=source,
        url=url,
        status=status,
        content_type=content_type,
        body=body,
        fetched_at=_warc_date(headers.get_header("WARC-Date")),
        etag=http.get_header("ETag"),
        last_modified=http.get_header("Last-Modified"),
        warc_record_id=headers.get_header("WARC-Record-ID"),
    )


def _not_a_response(kind: str | None, source: str) -> ArchiveSkip:
    """A record that is no response, skipped and counted; but every WARC record states its type,
    and one that states none (bytes spliced into its header, the line lost) may be a page: it was
    "not a response record (None)", a quiet "not a page", so it is damaged."""
    if kind is None:
        return ArchiveSkip(source=source, reason="corrupt record: no WARC-Type", damaged=True)
    return ArchiveSkip(source=source, reason=f"not a response record ({kind})")


def _headless(url: str, source: str) -> ArchiveSkip:
    """A response record warcio read no HTTP headers in. It reads them under an http(s) target
    only: a `dns:` record is no page (a quiet skip naming its target), a target of no scheme at
    all is a lost address (damaged); under an http(s) one, the record is empty."""
    flaw = url_flaw(url)
    if flaw is not None:
        return ArchiveSkip(source=source, reason=f"WARC-Target-URI {flaw}", damaged=not _SCHEME.match(url))
    return ArchiveSkip(source=source, reason="response record without HTTP headers")


def _unbrotlied(record: Any, max_bytes: int) -> bytes:
    """A `br` body, its chunks joined, undone by the bounded decompressor, `max_bytes` + 1 bytes
    at most: warcio's own br reader fails on brotli 1.1 and later (a page of a crawl that asked
    for br was "corrupt record: AttributeError"), and reads a chunk at a time whole (300 bytes
    of brotli can be 200 MB)."""
    stream = record.raw_stream
    if (record.http_headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        stream = ChunkedDataReader(stream)
    inflater = Inflater("br", max_bytes + 1, truncate=True)
    parts = []
    while not inflater.full and (chunk := stream.read(_SCAN_CHUNK)):
        parts.append(inflater.feed(chunk))
    if not inflater.full:
        inflater.finish()
    return b"".join(parts)


def _status(code: str | None) -> int | None:
    try:
        return int(code) if code else None
    except ValueError:
        return None


def _warc_date(value: str | None) -> datetime:
    """WARC-Date (ISO 8601, `Z`, maybe with fractions) as an aware UTC datetime; the epoch when absent."""
    return iso_datetime(value) or datetime(1970, 1, 1, tzinfo=UTC)


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:80]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _next_start(handle: BinaryIO, after: int, gzipped: bool) -> int | None:
    """Where the next record may begin at or after `after`: a gzip member header, or `WARC/1.`
    in an uncompressed file; None when the file holds no more. A false start fails to parse and
    the search goes on after it."""
    marker = _GZIP_MAGIC if gzipped else _WARC_LINE
    position = after
    carry = b""
    try:
        handle.seek(position)
        while chunk := handle.read(_SCAN_CHUNK):
            data = carry + chunk
            found = data.find(marker)
            if found >= 0:
                return position - len(carry) + found
            carry = data[-(len(marker) - 1) :]
            position += len(chunk)
    except (OSError, EOFError, zlib.error):  # a whole-file gzip stream broken here: nothing after
        return None
    return None


# -- out: the crawl archive --------------------------------------------------------------------

_OPEN = ".open"  # a file being written: `clean` does not take it for an archive until it is closed


class WarcArchive:
    """Request/response WARC record pairs, gzip per record, in `folder`, rotated past `max_bytes`.

    Files are named `scraper-<UTC time>-<random>-<n>.warc.gz` and carry `.open` while written,
    so a reader never takes a file that is still growing; `close` (or the next rotation) renames
    it. Every `OSError` becomes a `WriteError` naming the folder.
    """

    def __init__(self, folder: str | Path, *, max_bytes: int, user_agent: str) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._prefix = f"scraper-{utc_now():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        self._serial = 0
        self._path: Path | None = None
        self._handle: BinaryIO | None = None
        self._writer: Any = None

    def write(self, page: FetchedPage) -> str:
        """Append the exchange that produced `page`: what was asked, then what came back;
        returns the response record's WARC-Record-ID."""
        url = page.final_url or page.url or page.source
        try:
            writer = self._current()
            date = {"WARC-Date": iso_utc(page.fetched_at)}
            request = StatusAndHeaders(
                f"GET {url} HTTP/1.1",
                [("User-Agent", self.user_agent)],
                protocol="HTTP/1.1",
                is_http_request=True,
            )
            request_record = writer.create_warc_record(
                url, "request", http_headers=request, warc_headers_dict=date
            )
            headers = [("Content-Type", page.content_type or "application/octet-stream")]
            headers += [
                (name, value)
                for name, value in (("ETag", page.etag), ("Last-Modified", page.last_modified))
                if value
            ]
            headers.append(("Content-Length", str(len(page.body))))
            response = StatusAndHeaders(str(page.status or 200), headers, protocol="HTTP/1.1")
            response_record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(page.body),
                length=len(page.body),
                http_headers=response,
                warc_headers_dict=date,
            )
            record_id: str = response_record.rec_headers.get_header("WARC-Record-ID")
            request_record.rec_headers.add_header("WARC-Concurrent-To", record_id)
            writer.write_record(request_record)
            writer.write_record(response_record)
            assert self._handle is not None
            self._handle.flush()
        except OSError as exc:
            raise WriteError(f"{self.folder}: cannot write the crawl archive: {exc.strerror or exc}") from exc
        return record_id

    def _current(self) -> Any:
        if self._handle is not None and self._handle.tell() >= self.max_bytes:
            self.close()
        if self._handle is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{self._prefix}-{self._serial:05d}.warc.gz"
            self._serial += 1
            self._path = self.folder / (name + _OPEN)
            self._handle = open(self._path, "xb")  # noqa: SIM115  # closed by close()
            self._writer = WARCWriter(self._handle, gzip=True)
            info = self._writer.create_warcinfo_record(name, {"software": "scraper", "format": "WARC/1.0"})
            self._writer.write_record(info)
        return self._writer

    def close(self) -> None:
        """Finish the current file: its bytes on disk, it loses its `.open` suffix and becomes
        readable as an archive (`atomic.seal`, as every file written whole)."""
        if self._handle is None or self._path is None:
            return
        try:  # on a failure the `.open` file stays: what it holds was fetched, and is readable
            seal(self._handle, self._path, self._path.with_name(self._path.name.removesuffix(_OPEN)))
        except OSError as exc:
            raise WriteError(f"{self.folder}: cannot close the crawl archive: {exc.strerror or exc}") from exc
        finally:
            self._handle = self._path = self._writer = None
