"""Documents for tests: complete records with every field set, changed by keyword."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from scraper.models import Document

FETCHED_AT = datetime(2025, 1, 19, tzinfo=UTC)


def make_doc(**changes: Any) -> Document:
    """A complete document; keyword arguments replace fields."""
    doc = Document(
        url="https://example.com/news/story",
        final_url="https://example.com/news/story/",
        canonical_url="https://example.com/news/story",
        source="https://example.com/news/story",
        title="A “quoted” story: part 1",
        authors=("Ada Lovelace", "Émile Zola"),
        date="2025-01-18",
        sitename="Example News",
        description="What happened",
        language="en",
        language_source="declared",
        categories=("News",),
        tags=("science", "history"),
        image="https://example.com/story.jpg",
        text="First paragraph.\n\nSecond paragraph, naïve café.",
        fetched_at=FETCHED_AT,
        status=200,
        markdown="# A story\n\nFirst paragraph.",
    )
    return dataclasses.replace(doc, **changes)


def unversioned(doc: Document | None) -> Document | None:
    """A document read from the store without what the store set (version, stored_at, change, ...)."""
    if doc is None:
        return None
    return dataclasses.replace(doc, version=None, run_id=None, stored_at=None, change=None, gone_at=None)
