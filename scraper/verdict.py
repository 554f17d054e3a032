"""Keep or leave out a cleaned document: the one rule behind `clean` on stdout, `clean -o` and
the crawl's decision to store a page.

    skipped: REASON          no article: a junk page or one without main content (its skip_reason)
    skipped: page type       a type the caller does not keep (the crawl's store_page_types)
    skipped: below min_quality   a quality score under the floor (--min-quality, min_quality)
    skipped: missing metadata    no title, URL or date (--only-with-metadata: trafilatura's test)

The first that applies is the verdict, in that order: a login wall scoring 0 is a login wall,
whatever the floor. What the corpus stage adds after this rule (duplicates, languages) is its
own step, `scraper.corpus` `judge`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from scraper.models import Document

KEPT = "written"


@dataclass(frozen=True, slots=True)
class Verdict:
    """`outcome` is a counts key ("written", "skipped: login wall", "dropped: duplicate"); `reason`
    the whole reason, for a stderr line, a report or an error list."""

    outcome: str
    reason: str | None = None

    @property
    def kept(self) -> bool:
        return self.outcome == KEPT


def head(reason: str) -> str:
    """A reason up to its first colon: the kind of reason a count is kept under."""
    return reason.split(":", 1)[0].strip() or reason


def judge_document(
    doc: Document,
    *,
    min_quality: float = 0.0,
    page_types: Collection[str] | None = None,
    only_with_metadata: bool = False,
) -> Verdict:
    """Whether `doc` is kept; `page_types` None keeps every type."""
    if doc.skip_reason is not None:
        return Verdict(f"skipped: {head(doc.skip_reason)}", doc.skip_reason)
    if page_types is not None and doc.page_type not in page_types:
        return Verdict("skipped: page type", f"page type {doc.page_type} not in store_page_types")
    if doc.quality < min_quality:
        reason = f"quality {doc.quality:.2f} below min_quality {min_quality:.2f}"
        return Verdict("skipped: below min_quality", reason)
    missing = missing_metadata(doc) if only_with_metadata else ()
    if missing:
        return Verdict("skipped: missing metadata", f"no {', no '.join(missing)} (--only-with-metadata)")
    return Verdict(KEPT)


def missing_metadata(doc: Document) -> tuple[str, ...]:
    """Which of title, URL and date `doc` lacks: trafilatura's test for `--only-with-metadata`."""
    present = {"title": doc.title, "URL": doc.url, "date": doc.date}
    return tuple(name for name, value in present.items() if not value)


__all__ = ["KEPT", "Verdict", "head", "judge_document", "missing_metadata"]
