"""Reading WARC and ARC files record by record: pages, skips, and damage stepped over."""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import os
import random
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.api import run_crawl
from scraper.cli import cli
from scraper.config import Site
from scraper.corpus.warc import (
    ArchivedResponse,
    ArchivePosition,
    ArchiveSkip,
    WarcArchive,
    read_archive,
    read_positioned,
)
from scraper.errors import SourceError
from scraper.store.documents import Store
from tests.archives import Exchange, arc_gz_bytes, warc_bytes, write
from tests.crawl.test_engine import make_settings
from tests.factories import article, fetched_page
from tests.httpserver import LocalServer, Route

HTML = Path(__file__).parents[1] / "fixtures" / "html"
ARTICLE = (HTML / "news-article.html").read_bytes()
GERMAN = (HTML / "german-cp1252.html").read_bytes()


def _mutated(data: bytes, rng: random.Random, *, max_edits: int) -> bytes:
    """`data` with 1 to `max_edits` random edits: a byte flipped, up to 200 bytes cut, or up to 50
    random bytes inserted."""
    out = bytearray(data)
    for _ in range(rng.randint(1, max_edits)):
        at, op = rng.randrange(len(out)), rng.random()
        if op < 0.5:
            out[at] = rng.randrange(256)
        elif op < 0.8:
            del out[at : at + rng.randint(1, 200)]
        else:
            out[at:at] = rng.randbytes(rng.randint(1, 50))
    return bytes(out)


def _read(path: Path) -> list[ArchivedResponse | ArchiveSkip]:
    return list(read_archive(str(path), max_bytes=1 << 20))


def _pages() -> list[Exchange]:
    return [
        Exchange("https://a.example/one", ARTICLE, date="2026-11-23T22:19:00Z"),
        Exchange("https://a.example/logo.png", b"\x89PNG\r\n", content_type="image/png"),
        Exchange("https://a.example/moved", b"", status="301 Moved Permanently"),
        Exchange("https://a.example/two", GERMAN, content_type="text/html", date="2026-11-24T08:00:00.5Z"),
    ]


def test_a_crawl_archive_is_on_disk_before_it_takes_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed crawl archive is fsynced while it is still `.open`, then renamed (`atomic.seal`):
    renamed first, a power cut could leave a `.warc.gz` that is empty or cut."""
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    archive = WarcArchive(tmp_path, max_bytes=10**6, user_agent="t")
    archive.write(fetched_page(article("A story")))
    archive.close()
    (closed,) = tmp_path.iterdir()
    assert closed.name.endswith(".warc.gz")
    assert synced == [str(closed) + ".open"]


@pytest.mark.parametrize("gzipped", [True, False])
def test_html_responses_become_pages_and_the_rest_is_counted(tmp_path: Path, gzipped: bool) -> None:
    """Each HTML 2xx response is a page with its URL, date and status; other records are skips."""
    name = "crawl.warc.gz" if gzipped else "crawl.warc"
    records = _read(write(tmp_path / name, warc_bytes(_pages(), gzipped=gzipped)))
    pages = [r for r in records if isinstance(r, ArchivedResponse)]
    skips = [r.reason for r in records if isinstance(r, ArchiveSkip)]
    assert [p.url for p in pages] == ["https://a.example/one", "https://a.example/two"]
    assert pages[0].fetched_at == datetime(2026, 11, 23, 22, 19, tzinfo=UTC)
    assert pages[1].fetched_at == datetime(2026, 11, 24, 8, 0, 0, 500000, tzinfo=UTC)
    assert pages[0].status == 200 and pages[0].body == ARTICLE
    assert skips.count("not a response record (request)") == 4
    assert "not HTML (image/png)" in skips and "HTTP 301" in skips
    assert not any(r.damaged for r in records if isinstance(r, ArchiveSkip))
    assert all(r.source.startswith(f"{tmp_path / name}#") for r in records)
    assert len({r.source for r in records}) == len(records)


def test_charset_comes_from_the_archived_headers_then_the_page(tmp_path: Path) -> None:
    """A charset in the archived Content-Type wins; without one the page's meta tag decides."""
    body = "<html><body><p>Café crème</p></body></html>".encode("cp1252")
    exchanges = [
        Exchange("https://a.example/declared", body, content_type="text/html; charset=windows-1252"),
        Exchange("https://a.example/meta", GERMAN, content_type="text/html"),
    ]
    pages = [
        r
        for r in _read(write(tmp_path / "c.warc.gz", warc_bytes(exchanges)))
        if isinstance(r, ArchivedResponse)
    ]
    declared, meta = (p.page() for p in pages)
    assert declared.encoding == "cp1252" and "Café crème" in declared.html
    assert meta.encoding == "cp1252"


def test_arc_gz_records_are_read_like_warc_ones(tmp_path: Path) -> None:
    """An .arc.gz file gives the same pages: URL and date from the ARC header line, status from HTTP."""
    records = _read(write(tmp_path / "old.arc.gz", arc_gz_bytes(_pages()[:2])))
    pages = [r for r in records if isinstance(r, ArchivedResponse)]
    assert [p.url for p in pages] == ["https://a.example/one"]
    assert pages[0].fetched_at == datetime(2026, 11, 23, 22, 19, tzinfo=UTC)
    assert pages[0].body == ARTICLE
    assert [r.reason for r in records if isinstance(r, ArchiveSkip)] == [
        "not a response record (warcinfo)",
        "not HTML (image/png)",
    ]


@pytest.mark.parametrize("gzipped", [True, False])
def test_garbage_between_records_is_reported_and_the_rest_still_comes_out(
    tmp_path: Path, gzipped: bool
) -> None:
    """Bytes that are no record are one damaged skip; the records after them are still read."""
    first, second = (warc_bytes([e], gzipped=gzipped, requests=False) for e in (_pages()[0], _pages()[3]))
    path = write(tmp_path / ("g.warc.gz" if gzipped else "g.warc"), first + b"not a record\r\n" * 20 + second)
    records = _read(path)
    assert [r.url for r in records if isinstance(r, ArchivedResponse)] == [
        "https://a.example/one",
        "https://a.example/two",
    ]
    damaged = [r for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert len(damaged) == 1 and damaged[0].reason.startswith("corrupt record")


@pytest.mark.parametrize("gzipped", [True, False])
def test_a_truncated_last_record_is_reported(tmp_path: Path, gzipped: bool) -> None:
    """A file cut in its last record gives the whole records before it, then one damaged skip."""
    data = warc_bytes([_pages()[0], _pages()[3]], gzipped=gzipped, requests=False)
    records = _read(write(tmp_path / ("t.warc.gz" if gzipped else "t.warc"), data[: len(data) - 200]))
    assert [r.url for r in records if isinstance(r, ArchivedResponse)] == ["https://a.example/one"]
    assert [r.damaged for r in records if isinstance(r, ArchiveSkip)] == [True]


@pytest.mark.parametrize("gzipped", [True, False])
def test_a_file_cut_inside_a_record_header_block_is_reported(tmp_path: Path, gzipped: bool) -> None:
    """A file cut anywhere inside its last record's WARC header block (before the blank line that
    ends it) lost that page: one damaged skip, never a quiet end. warcio reads such a block as a
    record of no type, or a response without HTTP headers, which read as no page at all."""
    first, last = (warc_bytes([e], gzipped=gzipped, requests=False) for e in (_pages()[0], _pages()[3]))
    plain = gzip.decompress(last) if gzipped else last
    block_end = plain.index(b"\r\n\r\n")
    cuts = [cut for cut in range(20, len(last)) if (_inflated(last[:cut]) if gzipped else cut) < block_end]
    assert len(cuts) > 20
    for cut in cuts:
        records = _read(write(tmp_path / ("c.warc.gz" if gzipped else "c.warc"), first + last[:cut]))
        assert [r.url for r in records if isinstance(r, ArchivedResponse)] == ["https://a.example/one"], cut
        assert [r.damaged for r in records if isinstance(r, ArchiveSkip)] == [True], cut


def _inflated(member: bytes) -> int:
    """How many bytes the start of a gzip member inflates to."""
    return len(zlib.decompressobj(31).decompress(member))


def test_oversized_bodies_are_skipped_as_damaged(tmp_path: Path) -> None:
    """A body above max_bytes is not read into memory: the record is a damaged skip."""
    path = write(
        tmp_path / "big.warc.gz", warc_bytes([Exchange("https://a.example/big", b"<p>" + b"x" * 5000)])
    )
    skips = [r for r in read_archive(str(path), max_bytes=1000) if isinstance(r, ArchiveSkip) and r.damaged]
    assert [s.reason for s in skips] == ["larger than 1000 bytes"]


def test_an_empty_archive_is_a_source_error(tmp_path: Path) -> None:
    """An archive of no bytes fails as an empty page does, naming it; clean exits 1, not 0."""
    path = write(tmp_path / "empty.warc.gz", b"")
    with pytest.raises(SourceError, match="empty input"):
        _read(path)
    result = CliRunner().invoke(cli, ["clean", str(path), "--format", "jsonl", "--jobs", "1"])
    assert result.exit_code == 1
    assert "empty.warc.gz: empty input" in result.stderr


def test_a_missing_archive_is_a_source_error(tmp_path: Path) -> None:
    """A path that does not exist raises SourceError naming it."""
    with pytest.raises(SourceError, match="no such file"):
        _read(tmp_path / "none.warc.gz")


def test_a_crawl_archive_is_re_extracted_by_clean(tmp_path: Path) -> None:
    """With [crawl] warc_dir, every response is archived as a request/response pair, gzip per
    record; `clean` on the folder gives back the crawled pages without fetching. A stored
    document and its cleaned-again record name the same response: its warc_record_id."""
    with LocalServer() as server:
        server.routes.update(
            {"/": Route(body=article("Home", links=("/story",))), "/story": Route(body=article("A story"))}
        )
        base = make_settings(tmp_path)
        settings = dataclasses.replace(
            base, crawl=dataclasses.replace(base.crawl, warc_dir=str(tmp_path / "warc"), warc_max_bytes=1)
        )
        report = run_crawl(settings, [Site(name="t", start_urls=(server.url("/"),))], workers=1)
    assert report.new == 2
    files = sorted((tmp_path / "warc").iterdir())
    assert files and all(
        f.name.endswith(".warc.gz") for f in files
    )  # rotated past 1 byte: one file per exchange
    kinds = [r.reason for f in files for r in _read(f) if isinstance(r, ArchiveSkip)]
    assert kinds.count("not a response record (request)") == len(files)
    result = CliRunner().invoke(cli, ["clean", str(tmp_path / "warc"), "--format", "jsonl", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    titles = {json.loads(line)["url"]: json.loads(line)["title"] for line in result.stdout.splitlines()}
    assert titles[server.url("/story")] == "A story"
    responses = {r.url: r.warc_record_id for f in files for r in _read(f) if isinstance(r, ArchivedResponse)}
    cleaned = {
        json.loads(line)["url"]: json.loads(line)["warc_record_id"] for line in result.stdout.splitlines()
    }
    with Store(settings.store.path) as store:
        stored = store.get(server.url("/story"))
    assert stored is not None and stored.warc_record_id is not None
    assert stored.warc_record_id == cleaned[server.url("/story")] == responses[server.url("/story")]
    assert stored.warc_record_id.startswith("<urn:uuid:")


@pytest.mark.parametrize("gzipped", [True, False])
def test_mutated_archives_never_raise_and_never_print(
    tmp_path: Path, gzipped: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Random byte flips, cuts and insertions give records or damaged skips: no exception, no stderr."""
    rng = random.Random(7)
    base = warc_bytes([Exchange(f"https://a.example/{n}", ARTICLE) for n in range(3)], gzipped=gzipped)
    for n in range(60):
        data = _mutated(base, rng, max_edits=6)
        path = write(tmp_path / f"m{n}.warc{'.gz' if gzipped else ''}", data)
        for record in _read(path):
            assert isinstance(record, ArchivedResponse | ArchiveSkip)
    assert capsys.readouterr().err == ""


def test_a_damaged_member_never_sends_the_reader_back_over_the_file() -> None:
    """warcio can report an offset before the reader's own start; resyncing must still move forward.

    The archive is one of the mutated ones above that looped forever: a gzip member spanning two
    records put warcio's offset behind where that reader began, and the reader started over there.
    """
    path = Path(__file__).parents[1] / "fixtures" / "warc" / "resync-loop.warc.gz"
    records = list(itertools.islice(read_archive(str(path), max_bytes=1 << 20), 200))
    assert len(records) < 20  # a loop would fill the 200
    assert any(isinstance(r, ArchivedResponse) for r in records)
    assert any(isinstance(r, ArchiveSkip) and r.damaged for r in records)


def _wide(count: int) -> list[Exchange]:
    """Pages whose bodies do not compress much: each gzip member spans several of warcio's reads."""
    rng = random.Random(3)
    return [
        Exchange(
            f"https://a.example/{n}",
            b"<html><body><article><p>"
            + rng.randbytes(20_000).hex().encode()
            + b"</p></article></body></html>",
        )
        for n in range(count)
    ]


def _members(data: bytes) -> list[int]:
    """Where each gzip member of a test archive starts (its bodies are hex: no false magic)."""
    starts, at = [], data.find(b"\x1f\x8b\x08")
    while at >= 0:
        starts.append(at)
        at = data.find(b"\x1f\x8b\x08", at + 1)
    return starts


def _urls(records: list[ArchivedResponse | ArchiveSkip]) -> list[str]:
    return [r.url for r in records if isinstance(r, ArchivedResponse)]


@pytest.mark.parametrize("damage", ["zeros", "crc"])
def test_one_corrupt_gzip_member_loses_only_its_record(
    tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """400 zero bytes inside one member, or a bad CRC, is one damaged skip; every record after it
    still comes out, and warcio's zlib errors never reach stderr."""
    exchanges = _wide(8)
    data = bytearray(warc_bytes(exchanges, requests=False))
    starts = _members(bytes(data))
    assert len(starts) == 8
    if damage == "zeros":
        at = (starts[3] + starts[4]) // 2
        data[at : at + 400] = bytes(400)
    else:
        data[starts[4] - 6] ^= 0xFF  # the CRC32 in member 3's trailer
    records = _read(write(tmp_path / "d.warc.gz", bytes(data)))
    assert _urls(records) == [e.url for n, e in enumerate(exchanges) if n != 3]
    damaged = [r for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert [(r.source, r.reason) for r in damaged] == [
        (f"{tmp_path / 'd.warc.gz'}#{starts[3]}", "corrupt gzip data")
    ]
    assert capsys.readouterr().err == ""


def test_a_content_length_too_large_loses_only_its_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In an uncompressed WARC, a record whose Content-Length runs over the records after it is one
    damaged skip: those records still come out, and no page text is quoted in the reason or on stderr."""
    exchanges = [Exchange(f"https://a.example/{n}", ARTICLE) for n in range(6)]
    data = warc_bytes(exchanges, gzipped=False, requests=False)
    header = data.find(b"Content-Length: ", data.find(b"https://a.example/2"))
    end = data.find(b"\r\n", header)
    grown = int(data[header + 16 : end]) + 3 * len(ARTICLE)
    data = data[:header] + b"Content-Length: %d" % grown + data[end:]
    records = _read(write(tmp_path / "l.warc", data))
    assert _urls(records) == [e.url for n, e in enumerate(exchanges) if n != 2]
    damaged = [r.reason for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert damaged == ["bad Content-Length: the record does not end where the next one starts"]
    assert capsys.readouterr().err == ""


def test_a_malformed_target_uri_is_that_records_failure(tmp_path: Path) -> None:
    """A response whose WARC-Target-URI is no URL (`http://[::1/x`) is one damaged skip naming it;
    the records after it still come out."""
    exchanges = [*_pages()[:1], Exchange("http://[::1/x", ARTICLE), _pages()[3]]
    records = _read(write(tmp_path / "u.warc.gz", warc_bytes(exchanges, requests=False)))
    assert _urls(records) == ["https://a.example/one", "https://a.example/two"]
    damaged = [r.reason for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert len(damaged) == 1 and damaged[0].startswith("WARC-Target-URI not a valid URL: 'http://[::1/x'")


def test_a_target_uri_with_a_space_is_named_as_written(tmp_path: Path) -> None:
    """warcio percent-encodes a target's spaces: a host with a space was reported as
    'http://exa%20mple.com/x' ("contains '%'"), an address the archive never held. It is named as
    written; a space in a path is still encoded, and that page read."""
    exchanges = [Exchange("http://exa mple.com/x", ARTICLE), Exchange("https://a.example/a b.html", ARTICLE)]
    records = _read(write(tmp_path / "s.warc.gz", warc_bytes(exchanges, requests=False)))
    assert _urls(records) == ["https://a.example/a%20b.html"]
    damaged = [r.reason for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert len(damaged) == 1
    assert damaged[0].startswith("WARC-Target-URI not a valid URL: 'http://exa mple.com/x'"), damaged


@pytest.mark.parametrize(
    ("target", "damaged"),
    [
        ("dns:a.example", False),
        ("javascript:void(0)", False),
        ("ftp://a.example/x", False),
        ("a.example/x", True),
    ],
)
def test_a_response_whose_target_is_not_http_says_so(tmp_path: Path, target: str, damaged: bool) -> None:
    """A response whose WARC-Target-URI is not http(s) (warcio reads no HTTP headers under it) was
    "response record without HTTP headers"; the reason now names the target. A `dns:` record is
    no page (a quiet skip); a target with no scheme at all is a lost address (damaged)."""
    exchanges = [_pages()[0], Exchange(target, ARTICLE), _pages()[3]]
    records = _read(write(tmp_path / "t.warc.gz", warc_bytes(exchanges, requests=False)))
    assert _urls(records) == ["https://a.example/one", "https://a.example/two"]
    skips = [(r.reason, r.damaged) for r in records if isinstance(r, ArchiveSkip)]
    assert skips == [(f"WARC-Target-URI not an http(s) URL: {target!r}", damaged)]


def test_a_response_whose_target_scheme_is_upper_case_is_its_page(tmp_path: Path) -> None:
    """`HTTPS://` is an http(s) target: warcio's own test is case-sensitive, and read no HTTP
    headers under it ("response record without HTTP headers"): the page is read."""
    exchanges = [_pages()[0], Exchange("HTTPS://a.example/upper", ARTICLE)]
    records = _read(write(tmp_path / "u.warc.gz", warc_bytes(exchanges, requests=False)))
    assert _urls(records) == ["https://a.example/one", "HTTPS://a.example/upper"]
    assert not [r for r in records if isinstance(r, ArchiveSkip)]


@pytest.mark.parametrize("gzipped", [True, False])
@pytest.mark.parametrize("header", [b"WARC-Target-URI: \r\n", b"WARC-Target-URI:   \r\n", b""])
def test_a_response_without_a_target_uri_is_that_records_failure(
    tmp_path: Path, gzipped: bool, header: bytes
) -> None:
    """An HTML response whose WARC-Target-URI is empty was skipped as "response record without
    HTTP headers" (warcio parses HTTP headers only under an http(s) URI), counted "not a page"
    with no line; one without the header at all read as "corrupt record: AttributeError". Each
    is one damaged skip saying what is missing; the records around it still come out."""
    members = []
    for exchange in [_pages()[0], Exchange("https://a.example/lost", ARTICLE), _pages()[3]]:
        record = warc_bytes([exchange], gzipped=False, requests=False)
        record = record.replace(b"WARC-Target-URI: https://a.example/lost\r\n", header)
        members.append(gzip.compress(record) if gzipped else record)
    records = _read(write(tmp_path / ("n.warc.gz" if gzipped else "n.warc"), b"".join(members)))
    assert _urls(records) == ["https://a.example/one", "https://a.example/two"]
    damaged = [r.reason for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert damaged == ["response record without a WARC-Target-URI"]


@pytest.mark.parametrize("gzipped", [True, False])
@pytest.mark.parametrize("mangled", [b"\xff\xfe junk \x00WARC-Type: response\r\n", b""])
def test_a_record_without_its_warc_type_is_that_records_failure(
    tmp_path: Path, gzipped: bool, mangled: bytes
) -> None:
    """A record whose WARC-Type header is lost (bytes spliced into the header line before it,
    or the line gone) was counted "not a response record (None)", a quiet "not a page" with
    exit 0: a page lost with no line. Every WARC record states its type, so it is one damaged
    record; the records around it still come out."""
    members = []
    for exchange in [_pages()[0], Exchange("https://a.example/lost", ARTICLE), _pages()[3]]:
        record = warc_bytes([exchange], gzipped=False, requests=False)
        if exchange.url.endswith("/lost"):
            record = record.replace(b"WARC-Type: response\r\n", mangled, 1)
        members.append(gzip.compress(record) if gzipped else record)
    records = _read(write(tmp_path / ("t.warc.gz" if gzipped else "t.warc"), b"".join(members)))
    assert _urls(records) == ["https://a.example/one", "https://a.example/two"]
    assert [(r.reason, r.damaged) for r in records if isinstance(r, ArchiveSkip)] == [
        ("corrupt record: no WARC-Type", True)
    ]


@pytest.mark.parametrize("name", ["text.warc.gz", "page.arc.gz", "text.warc"])
@pytest.mark.parametrize(
    "content",
    [
        b"hello world, this is just a text file\n" * 20,  # a line of five words: warcio's ARC header
        b"<html><head><title>A page</title></head><body><p>One two three four five</p></body></html>",
    ],
)
def test_a_file_that_is_no_archive_says_so(tmp_path: Path, name: str, content: bytes) -> None:
    """A gzipped text or HTML file named .warc.gz or .arc.gz: warcio reads a first line of five
    words as an ARC record's header, so it was "truncated or corrupt record: no Content-Length"
    (its fifth word); it is "not a WARC or ARC record", as the same file uncompressed is."""
    data = gzip.compress(content) if name.endswith(".gz") else content
    records = _read(write(tmp_path / name, data))
    assert [(r.reason, r.damaged) for r in records if isinstance(r, ArchiveSkip)] == [
        ("corrupt record: not a WARC or ARC record", True)
    ]


def test_an_archive_gzipped_whole_is_read_to_its_end(tmp_path: Path) -> None:
    """A WARC gzipped as one stream (`gzip x.warc`), not one member per record: warcio refuses
    it after its first record; every record still comes out, once, with uncompressed offsets."""
    exchanges = [Exchange(f"https://a.example/{n}", ARTICLE) for n in range(4)]
    raw = warc_bytes(exchanges, gzipped=False)
    records = _read(write(tmp_path / "whole.warc.gz", gzip.compress(raw)))
    assert _urls(records) == [e.url for e in exchanges]
    assert not any(r.damaged for r in records if isinstance(r, ArchiveSkip))
    plain = _read(write(tmp_path / "plain.warc", raw))
    assert [r.source.rsplit("#")[1] for r in records] == [r.source.rsplit("#")[1] for r in plain]


def _archives(tmp_path: Path) -> dict[str, Path]:
    """Archives of every shape the reader knows: clean ones, damaged ones, gzipped whole, ARC,
    and one gzip member holding several records."""
    pages = [Exchange(f"https://a.example/{n}", ARTICLE) for n in range(5)]
    wide = warc_bytes(_wide(6), requests=False)
    starts = _members(wide)
    zeros = bytearray(wide)
    zeros[(starts[2] + starts[3]) // 2 : (starts[2] + starts[3]) // 2 + 400] = bytes(400)
    plain = warc_bytes(pages, gzipped=False)
    header = plain.find(b"Content-Length: ", plain.find(b"https://a.example/2"))
    end = plain.find(b"\r\n", header)
    too_long = plain[:header] + b"Content-Length: %d" % (int(plain[header + 16 : end]) * 4) + plain[end:]
    records = [warc_bytes([page], requests=True) for page in pages]
    shared_member = gzip.compress(gzip.decompress(records[0]) + gzip.decompress(records[1])) + b"".join(
        records[2:]
    )
    shapes = {
        "warc.gz": warc_bytes([*_pages(), *pages]),
        "warc": warc_bytes([*_pages(), *pages], gzipped=False),
        "arc.gz": arc_gz_bytes(pages),
        "zeros.warc.gz": bytes(zeros),
        "length.warc": too_long,
        "whole.warc.gz": gzip.compress(plain),
        "shared.warc.gz": shared_member,
        "uri.warc.gz": warc_bytes([pages[0], Exchange("http://[::1/x", ARTICLE), pages[1]]),
    }
    folder = tmp_path / "archives"
    folder.mkdir()
    found = {name: write(folder / name, data) for name, data in shapes.items()}
    found["resync-loop.warc.gz"] = Path(__file__).parents[1] / "fixtures" / "warc" / "resync-loop.warc.gz"
    return found


def _seen(record: ArchivedResponse | ArchiveSkip) -> tuple[str, str, bool]:
    if isinstance(record, ArchivedResponse):
        return record.source, record.url, False
    return record.source, record.reason, record.damaged


def test_reading_from_a_records_position_gives_the_rest_of_the_archive(tmp_path: Path) -> None:
    """Started at the position given with any record, the reader gives that record and every one
    after it exactly as a reading of the whole file does: what the Ray engine's slices rely on."""
    for name, path in _archives(tmp_path).items():
        whole = list(read_positioned(str(path), max_bytes=1 << 20))
        assert len(whole) >= 4, name
        for number, (_record, position) in enumerate(whole):
            rest = [_seen(r) for r in read_archive(str(path), max_bytes=1 << 20, start=position)]
            assert rest == [_seen(r) for r, _position in whole[number:]], (name, number, position)


def test_a_record_position_is_its_own_offset_where_that_is_a_place_to_start(tmp_path: Path) -> None:
    """Sound records of an archive gzipped per record start where their member starts (no record
    read before them). warcio's offset of the second record in a member shared with another is no
    place in the file (it is negative here): that record starts at the member, one record read
    before it. Past that, warcio refuses the file and it is read as gzipped whole."""
    archives = _archives(tmp_path)
    whole = list(read_positioned(str(archives["warc.gz"]), max_bytes=1 << 20))
    assert [(p.offset, p.skip) for r, p in whole] == [(int(r.source.rsplit("#")[1]), 0) for r, _p in whole]
    shared = list(read_positioned(str(archives["shared.warc.gz"]), max_bytes=1 << 20))
    assert int(shared[1][0].source.rsplit("#")[1]) < 0
    assert [shared[0][1], shared[1][1]] == [ArchivePosition(0, 0), ArchivePosition(0, 1)]
    assert all(p.whole_gzip and p.skip == 0 for _r, p in shared[2:])
    gzipped_whole = [p for _r, p in read_positioned(str(archives["whole.warc.gz"]), max_bytes=1 << 20)]
    assert not gzipped_whole[0].whole_gzip and all(p.whole_gzip for p in gzipped_whole[1:])


@pytest.mark.parametrize("gzipped", [True, False])
def test_reading_a_mutated_archive_from_a_records_position_gives_the_rest(
    tmp_path: Path, gzipped: bool
) -> None:
    """Positions hold in damaged archives too (random flips, cuts and insertions): from any record's
    position, the same records as a reading of the whole file."""
    rng = random.Random(11)
    base = warc_bytes([Exchange(f"https://a.example/{n}", ARTICLE) for n in range(3)], gzipped=gzipped)
    for n in range(25):
        data = _mutated(base, rng, max_edits=4)
        path = str(write(tmp_path / f"m{n}.warc{'.gz' if gzipped else ''}", data))
        whole = list(read_positioned(path, max_bytes=1 << 20))
        for number, (_record, position) in enumerate(whole):
            rest = [_seen(r) for r in read_archive(path, max_bytes=1 << 20, start=position)]
            assert rest == [_seen(r) for r, _position in whole[number:]], (n, number, position)


@pytest.mark.parametrize("payload", [ARTICLE, b"\r\n" + ARTICLE, b"Just the text of a page, no markup.\n"])
def test_a_response_of_the_body_alone_is_that_records_failure(tmp_path: Path, payload: bytes) -> None:
    """A response record holding its page without the HTTP status line and headers (warcio reads
    the page's first line as a status line) lost that page: one damaged skip saying so, listed by
    `clean` with exit code 1, where it was a quiet "not HTML (no Content-Type, no markup)"."""
    headless = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://a.example/bare\r\n"
        b"WARC-Date: 2026-11-23T22:19:00Z\r\nContent-Type: text/html\r\n"
        b"Content-Length: %d\r\n\r\n%s\r\n\r\n" % (len(payload), payload)
    )
    around = [warc_bytes([e], gzipped=False, requests=False) for e in (_pages()[0], _pages()[3])]
    path = write(tmp_path / "bare.warc", around[0] + headless + around[1])
    records = _read(path)
    assert _urls(records) == ["https://a.example/one", "https://a.example/two"]
    damaged = [(r.source, r.reason) for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert damaged == [(f"{path}#{len(around[0])}", "response record without HTTP headers")]
    result = CliRunner().invoke(cli, ["clean", str(path), "--jobs", "1"])
    assert result.exit_code == 1
    assert f"bare.warc#{len(around[0])}: response record without HTTP headers" in result.stderr


@pytest.mark.parametrize("chunked", [False, True])
def test_a_brotli_response_is_read_bounded(tmp_path: Path, chunked: bool) -> None:
    """A response archived with `Content-Encoding: br` (a crawl that asked for it) is its page:
    warcio's own br reader failed on brotli 1.1 and later ("corrupt record: AttributeError").
    Junk labelled br is that record's failure, and a br bomb is "larger than" max_bytes."""
    brotli = pytest.importorskip("brotli")

    def exchange(url: str, body: bytes) -> Exchange:
        encoded = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if chunked else body
        extra = [("Content-Encoding", "br")] + ([("Transfer-Encoding", "chunked")] if chunked else [])
        return Exchange(url, encoded, extra_headers=extra)

    exchanges = [
        exchange("https://a.example/br", brotli.compress(ARTICLE)),
        exchange("https://a.example/junk", b"<p>labelled br, written plain</p>"),
        exchange("https://a.example/bomb", brotli.compress(b"<p>" + b"a" * 3_000_000)),
        _pages()[3],
    ]
    records = list(
        read_archive(str(write(tmp_path / "br.warc.gz", warc_bytes(exchanges))), max_bytes=1 << 20)
    )
    pages = [r for r in records if isinstance(r, ArchivedResponse)]
    assert [(r.url, r.body) for r in pages[:1]] == [("https://a.example/br", ARTICLE)]
    assert _urls(records) == ["https://a.example/br", "https://a.example/two"]
    damaged = [r.reason for r in records if isinstance(r, ArchiveSkip) and r.damaged]
    assert damaged == ["corrupt br data: brotli: decoder failed", f"larger than {1 << 20} bytes"]
