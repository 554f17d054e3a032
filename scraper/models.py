"""Typed records handed from one pipeline stage to the next.

    FetchedPage  (fetch/client.py, charset.page_from_bytes)  ->  Document  (extract/pipeline.py)
        ->  StoreOutcome  (store/documents.py)
    FrontierItem -> Visit (crawl/visit.py) -> CrawlReport (store/state.py, printed by cli/crawl.py)

All are frozen, slotted and keyword-only; timestamps are aware UTC datetimes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from scraper.urls import redacted


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, second precision: the one timestamp format of every output."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def counted(count: int, noun: str) -> str:
    """ "1 input", "2 inputs": a count of a noun as a summary or progress line says it."""
    return f"{count} {noun}{'s' * (count != 1)}"


def portable_name(name: str) -> str:
    """A file name (or `FILE#OFFSET`) as text every output can hold, losslessly.

    A name that is valid UTF-8 is itself. One that is not (Python carries its stray bytes as
    lone surrogates, `os.fsdecode`) is percent-encoded whole: `%` and every byte outside
    printable ASCII as `%XX`, so `urllib.parse.unquote_to_bytes` gives back its bytes exactly
    (docs/reference/records.md).
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x25 else f"%{b:02X}" for b in raw)
    return name


def sha256_hex(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedPage:
    """Raw HTML as it arrived, from the network or from disk, before any extraction.

    `encoding` is the charset the body must be decoded with (resolved from the HTTP header,
    BOM, meta tag or detection), or None while it is not decided: the fetcher leaves that to
    the extraction worker (`scraper.charset.decided`), since deciding may decode the whole body.
    `status` is None for local input.
    """

    source: str
    url: str | None
    final_url: str | None
    status: int | None
    content_type: str | None
    body: bytes
    encoding: str | None
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[str, ...] = ()
    # the WARC-Record-ID of the response record this page was read from (`clean` on a web
    # archive) or written to (`crawl` with `[crawl] warc_dir`)
    warc_record_id: str | None = None

    @property
    def html(self) -> str:
        """The decoded body, without NUL characters (no text holds them; lxml refuses them)."""
        if self.encoding is None:
            raise ValueError(f"{self.source}: charset not decided yet (scraper.charset.decided)")
        return self.body.decode(self.encoding, errors="replace").replace("\x00", "")

    @property
    def html_hash(self) -> str:
        return sha256_hex(self.body)


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One cleaned page: the record every output (JSON, JSONL, SQLite, Parquet) is built from."""

    url: str | None
    final_url: str | None
    canonical_url: str | None
    source: str
    title: str | None
    authors: tuple[str, ...]
    date: str | None
    sitename: str | None
    description: str | None
    language: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    image: str | None
    text: str
    fetched_at: datetime
    status: int | None
    date_source: str | None = None
    language_source: str | None = None
    # which metadata was read (`[extract] metadata`): "full", the whole page searched as well;
    # "markup", the same but a date only where the markup states one (JSON-LD, meta tags, the URL,
    # `<time>`); or "stated", only what the page states (a date or author it does not state is
    # then left empty)
    metadata_mode: str = "full"
    page_type: str = "article"
    quality: float = 1.0
    skip_reason: str | None = None
    warc_record_id: str | None = None
    markdown: str = field(default="", repr=False)
    # the main content in trafilatura's XML (`<main>`, then `<comments>` when kept), links,
    # images and emphasis as `[extract]` asked: what the xml, TEI and html outputs are built from
    xml: str = field(default="", repr=False)
    # set on documents read from the store: which version this is, which run stored it and when,
    # what it was (new, changed, gone) and, for a tombstone, when the page went
    version: int | None = None
    run_id: str | None = None
    stored_at: datetime | None = None
    change: str | None = None
    gone_at: datetime | None = None

    @property
    def content_hash(self) -> str:
        return sha256_hex(self.text)

    def to_record(self) -> dict[str, Any]:
        """The public record schema (docs/reference/records.md); keys in a stable order. A URL's
        password is never written (`urls.redacted`: "https://user:***@host/")."""
        return {
            "url": redacted(self.url),
            "final_url": redacted(self.final_url),
            "canonical_url": redacted(self.canonical_url),
            "source": redacted(portable_name(self.source)),
            "title": self.title,
            "authors": list(self.authors),
            "date": self.date,
            "date_source": self.date_source,
            "sitename": self.sitename,
            "description": self.description,
            "language": self.language,
            "language_source": self.language_source,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "image": self.image,
            "metadata_mode": self.metadata_mode,
            "text": self.text,
            "fetched_at": iso_utc(self.fetched_at),
            "status": self.status,
            "warc_record_id": self.warc_record_id,
            "content_hash": self.content_hash,
            "page_type": self.page_type,
            "quality": self.quality,
            "skip_reason": self.skip_reason,
            "version": self.version,
            "run_id": self.run_id,
            "stored_at": iso_utc(self.stored_at) if self.stored_at else None,
            "change": self.change,
            "gone_at": iso_utc(self.gone_at) if self.gone_at else None,
        }


RECORD_FIELDS: tuple[str, ...] = (
    "url",
    "final_url",
    "canonical_url",
    "source",
    "title",
    "authors",
    "date",
    "date_source",
    "sitename",
    "description",
    "language",
    "language_source",
    "categories",
    "tags",
    "image",
    "metadata_mode",
    "text",
    "fetched_at",
    "status",
    "warc_record_id",
    "content_hash",
    "page_type",
    "quality",
    "skip_reason",
    "version",
    "run_id",
    "stored_at",
    "change",
    "gone_at",
)
# the fields the store sets on a version (null in `clean` output)
VERSION_FIELDS: tuple[str, ...] = ("version", "run_id", "stored_at", "change", "gone_at")


class Outcome(StrEnum):
    """What storing a document did (`gone`: a tombstone version was stored for a page that went)."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    GONE = "gone"


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreOutcome:
    """The result of `Store.save`: which row holds the document and whether it was new."""

    doc_id: int
    url: str
    version: int
    outcome: Outcome


class Kind(StrEnum):
    """What a frontier URL is: a page to store, or a document that leads to pages."""

    PAGE = "page"
    SITEMAP = "sitemap"
    FEED = "feed"
    ROBOTS = "robots"


class Via(StrEnum):
    """How a frontier URL was found."""

    SEED = "seed"  # a start URL, or a sitemap / feed named in the configuration
    ROBOTS = "robots"  # a `Sitemap:` line of robots.txt
    GUESS = "guess"  # /sitemap.xml, tried on every start host: its absence is not worth reporting
    SITEMAP = "sitemap"
    FEED = "feed"
    LINK = "link"  # a link of a page, or a feed a page advertises
    REVISIT = "revisit"  # a page known from earlier runs that this run did not find again


class VisitOutcome(StrEnum):
    """What visiting one frontier URL came to."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # 304, same text, or a sitemap lastmod older than our last visit
    GONE = "gone"  # a page we had answers 404 or 410 now
    DEAD_LINK = "dead_link"  # a URL found on a page, sitemap or feed answers 404 or 410 when first asked
    FETCHED = "fetched"  # fetched for its links only ([crawl] extract = false)
    READ = "read"  # a robots.txt, sitemap or feed read (or absent where only guessed)
    PARTIAL = "partial"  # a robots.txt or sitemap read, but some of what it lists left out by a limit
    FAILED = "failed"
    SKIPPED = "skipped"  # not HTML, no main content, host set aside, unreadable sitemap or feed
    SKIPPED_ROBOTS = "skipped_robots"
    SKIPPED_LIMITS = "skipped_limits"


class RunStatus(StrEnum):
    RUNNING = "running"  # still going, or killed: the next run with the same parameters resumes it
    STOPPED = "stopped"  # --max-duration reached: the next run with the same parameters resumes it
    INTERRUPTED = "interrupted"  # SIGINT or SIGTERM: resumed like a stopped run
    FINISHED = "finished"


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontierItem:
    """A URL waiting in (or found for) the crawl frontier of a run."""

    url: str
    kind: Kind = Kind.PAGE
    via: Via = Via.SEED
    depth: int = 0
    lastmod: datetime | None = None  # from a sitemap or feed entry
    referrer: str | None = None  # the page, sitemap or feed it was found on


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """What visiting one frontier URL came to; recorded in one transaction with what it found.

    `page` is the response whose validators (ETag, Last-Modified) are kept; `document` is saved
    as a new version unless its text is unchanged (the outcome then comes from the save);
    `links` are the page's outgoing links, kept so a later 304 can still follow them; `found`
    are new frontier entries.
    """

    url: str
    outcome: VisitOutcome
    kind: Kind = Kind.PAGE
    status: int | None = None
    reason: str | None = None
    page: FetchedPage | None = None
    document: Document | None = None
    links: tuple[str, ...] = ()
    found: tuple[FrontierItem, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UrlProblem:
    url: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"url": self.url, "reason": self.reason}


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLink:
    """A discovered URL that answered 404 or 410 on its first visit, and where it was found."""

    url: str
    linked_from: str | None
    status: int | None

    def to_json(self) -> dict[str, str | int | None]:
        return {"url": self.url, "linked_from": self.linked_from, "status": self.status}


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlProgress:
    """Where a running crawl stands, for a progress bar or log line. Of the URLs done, pages are
    `fetched` (a response came), `unasked` (never requested: robots.txt, a limit, a host set aside)
    or failed before a response; `listings` are the sitemaps and feeds read."""

    discovered: int = 0
    done: int = 0
    fetched: int = 0
    stored: int = 0
    failed: int = 0
    unasked: int = 0
    listings: int = 0

    def one_more(
        self,
        *,
        added: int,
        fetched: bool,
        stored: bool,
        failed: bool,
        unasked: bool = False,
        listing: bool = False,
    ) -> CrawlProgress:
        """The progress after one more URL is done, which found `added` new URLs."""
        return CrawlProgress(
            discovered=self.discovered + added,
            done=self.done + 1,
            fetched=self.fetched + fetched,
            stored=self.stored + stored,
            failed=self.failed + failed,
            unasked=self.unasked + unasked,
            listings=self.listings + listing,
        )

    def counts(self) -> str:
        """What the URLs done came to, as the log line and the bar say it: "fetched 0" of "1 of 2
        URLs done" read as a stall where the one done was a sitemap, so those are named too."""
        said = f"fetched {self.fetched}, stored {self.stored}, failed {self.failed}"
        if self.unasked:
            said += f", not requested {self.unasked}"
        if self.listings:
            said += f", sitemaps and feeds read {self.listings}"
        return said


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanProgress:
    """Where a `clean -o` run stands: pages (HTML files and HTML responses of web archives, not
    their other records) and inputs done, and bytes of local input read (a file once done, a web
    archive record by record), of which an ETA is reckoned even for one large archive."""

    pages: int = 0
    inputs: int = 0
    read: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlReport:
    """What one crawl run did, counted from the store, so a resumed run counts its whole life.

    Page counts: `discovered` unique page URLs; `fetched` those that got an HTTP answer; `new`,
    `changed`, `unchanged`, `gone` by outcome; `failed`, `skipped` by reason (the text of the
    reason before its first colon), with the first failed URLs in `failures` and unreadable
    robots.txt, sitemaps and feeds in `problems`. `set_aside` maps hosts given up on to why.
    `requested` page URLs were asked for (answered or not), `failed_pages` of them failed; with
    `every_host_set_aside` they tell a run that failed from one with a few dead links (`failure`).
    `dead_links` counts discovered URLs that answered 404 or 410 on their first visit: a fact
    about the site, not a failure of the run; the first of them are in `dead_link_list`, by the
    page that links to them.
    """

    run_id: str = ""
    status: RunStatus = RunStatus.FINISHED
    resumed: bool = False
    stopped_early: bool = False
    started_at: datetime = field(default_factory=utc_now)
    finished_at: datetime | None = None
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    dead_links: int = 0
    dead_link_list: tuple[DeadLink, ...] = ()
    failed: dict[str, int] = field(default_factory=dict)
    failures: tuple[UrlProblem, ...] = ()
    skipped_robots: int = 0
    skipped_limits: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: tuple[UrlProblem, ...] = ()
    set_aside: dict[str, str] = field(default_factory=dict)
    requested: int = 0
    failed_pages: int = 0
    every_host_set_aside: bool = False

    @property
    def stored(self) -> int:
        """Document versions the run stored."""
        return self.new + self.changed

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    @property
    def skipped_total(self) -> int:
        return self.skipped_robots + self.skipped_limits + sum(self.skipped.values())

    @property
    def ok(self) -> bool:
        return not self.failed

    def failure(self, max_failure_ratio: float) -> str | None:
        """Why the run itself failed, or None when its failures are only per-URL outcomes.

        A run fails when every host it crawled was set aside, or when more than
        `max_failure_ratio` of the page URLs it requested failed (0: any failure fails it).
        """
        if self.every_host_set_aside:
            return "every host was set aside"
        if self.requested and self.failed_pages / self.requested > max_failure_ratio:
            return (
                f"{self.failed_pages} of {self.requested} requested pages failed, "
                f"more than max_failure_ratio {max_failure_ratio:g}"
            )
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status.value,
            "resumed": self.resumed,
            "stopped_early": self.stopped_early,
            "started_at": iso_utc(self.started_at),
            "finished_at": iso_utc(self.finished_at) if self.finished_at else None,
            "discovered": self.discovered,
            "fetched": self.fetched,
            "stored": self.stored,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "gone": self.gone,
            "dead_links": self.dead_links,
            "dead_link_list": [d.to_json() for d in self.dead_link_list],
            "failed": dict(self.failed),
            "failures": [p.to_json() for p in self.failures],
            "skipped_robots": self.skipped_robots,
            "skipped_limits": self.skipped_limits,
            "skipped": dict(self.skipped),
            "problems": [p.to_json() for p in self.problems],
            "set_aside": dict(self.set_aside),
            "requested": self.requested,
            "failed_pages": self.failed_pages,
            "every_host_set_aside": self.every_host_set_aside,
        }
