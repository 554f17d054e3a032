"""What a crawl stores of an extracted page: junk, quality and page type decide."""

from __future__ import annotations

import dataclasses

from scraper.config import CrawlSettings
from scraper.crawl.visit import _why_not_stored
from tests.factories import make_doc


def test_listings_are_not_stored_by_default() -> None:
    """A listing (kept, with its teasers) is crawled through but not stored unless its type is asked for."""
    listing = dataclasses.replace(make_doc(), page_type="listing")
    default = CrawlSettings()
    assert _why_not_stored(listing, 0.0, default.store_page_types) == (
        "page type listing not in store_page_types"
    )
    assert _why_not_stored(listing, 0.0, (*default.store_page_types, "listing")) is None


def test_articles_are_stored_and_junk_is_not() -> None:
    """An article of enough quality is stored; a junk page gives its skip reason."""
    article = make_doc()
    types = CrawlSettings().store_page_types
    assert _why_not_stored(article, 0.0, types) is None
    junk = dataclasses.replace(article, skip_reason="login wall: sign-in required", page_type="login")
    assert _why_not_stored(junk, 0.0, types) == "login wall: sign-in required"
