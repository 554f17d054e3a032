"""Typed records handed from one pipeline stage to the next.

    FetchedPage  (fetch.py, sources.py)  ->  Document  (extract.py)  ->  StoreOutcome  (store.py)

All are frozen, slotted and keyword-only; timestamps are aware UTC datetimes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, second precision: the one timestamp format of every output."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sha256_hex(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedPage:
    """Raw HTML as it arrived, from the network or from disk, before any extraction.

    `encoding` is the charset the body must be decoded with (already resolved from the
    HTTP header, BOM, meta tag or detection). `status` is None for local input.
    """

    source: str
    url: str | None
    final_url: str | None
    status: int | None
    content_type: str | None
    body: bytes
    encoding: str
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[str, ...] = ()

    @property
    def html(self) -> str:
        return self.body.decode(self.encoding, errors="replace")

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
    page_type: str = "article"
    quality: float = 1.0
    skip_reason: str | None = None
    markdown: str = field(default="", repr=False)

    @property
    def content_hash(self) -> str:
        return sha256_hex(self.text)

    def to_record(self) -> dict[str, Any]:
        """The public record schema (README "Record schema"); keys in a stable order."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "canonical_url": self.canonical_url,
            "source": self.source,
            "title": self.title,
            "authors": list(self.authors),
            "date": self.date,
            "date_source": self.date_source,
            "sitename": self.sitename,
            "description": self.description,
            "language": self.language,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "image": self.image,
            "text": self.text,
            "fetched_at": iso_utc(self.fetched_at),
            "status": self.status,
            "content_hash": self.content_hash,
            "page_type": self.page_type,
            "quality": self.quality,
            "skip_reason": self.skip_reason,
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
    "categories",
    "tags",
    "image",
    "text",
    "fetched_at",
    "status",
    "content_hash",
    "page_type",
    "quality",
    "skip_reason",
)


class Outcome(StrEnum):
    """What storing a document did."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreOutcome:
    """The result of `Store.save`: which row holds the document and whether it was new."""

    doc_id: int
    url: str
    version: int
    outcome: Outcome


@dataclass(slots=True, kw_only=True)
class CrawlReport:
    """Counts per outcome of one crawl run; mutable while the run goes, frozen into JSON after."""

    run_id: str = ""
    started_at: datetime = field(default_factory=utc_now)
    finished_at: datetime | None = None
    fetched: int = 0
    stored: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def count(self, outcome: Outcome) -> None:
        """Tally one stored document."""
        if outcome is Outcome.UNCHANGED:
            self.unchanged += 1
            return
        self.stored += 1
        if outcome is Outcome.NEW:
            self.new += 1
        else:
            self.changed += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": iso_utc(self.started_at),
            "finished_at": iso_utc(self.finished_at) if self.finished_at else None,
            "fetched": self.fetched,
            "stored": self.stored,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "failed": len(self.failed),
            "failures": dict(self.failed),
            "skipped": len(self.skipped),
            "skips": dict(self.skipped),
        }
