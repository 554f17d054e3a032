"""scraper.verdict: the one keep/drop rule, and the corpus's judge built on it."""

from __future__ import annotations

from scraper.config import CrawlSettings
from scraper.corpus.batch import Cleaned
from scraper.corpus.dedup import Hygiene, HygieneSettings
from scraper.corpus.folder import judge
from scraper.errors import SourceError
from scraper.verdict import Verdict, judge_document
from tests.factories import make_doc

WALL = make_doc(skip_reason="login wall: sign-in required", page_type="login", quality=0.0)


def test_an_article_of_enough_quality_is_kept() -> None:
    """A story above the floor, of a type asked for, is kept."""
    verdict = judge_document(make_doc(quality=0.8), min_quality=0.5, page_types=("article",))
    assert (verdict.kept, verdict.outcome, verdict.reason) == (True, "written", None)


def test_no_article_wins_over_the_quality_floor() -> None:
    """A login wall scoring 0 under a floor of 0.5 is a login wall, not a low score."""
    assert judge_document(WALL, min_quality=0.5) == Verdict(
        "skipped: login wall", "login wall: sign-in required"
    )


def test_a_type_not_asked_for_is_skipped_before_its_score() -> None:
    """A listing is crawled through but not stored unless its type is asked for."""
    listing = make_doc(page_type="listing", quality=0.1)
    types = CrawlSettings().store_page_types
    assert judge_document(listing, min_quality=0.5, page_types=types).reason == (
        "page type listing not in store_page_types"
    )
    assert judge_document(listing, page_types=(*types, "listing")).kept


def test_the_floor_is_inclusive() -> None:
    """A score equal to the floor is kept; below it, skipped with both figures."""
    assert judge_document(make_doc(quality=0.5), min_quality=0.5).kept
    low = judge_document(make_doc(quality=0.49), min_quality=0.5)
    assert (low.outcome, low.reason) == ("skipped: below min_quality", "quality 0.49 below min_quality 0.50")


def test_the_corpus_judge_adds_failures_records_and_hygiene() -> None:
    """Failures and web archive records that are no page come first; duplicates only among kept pages."""
    failed = Cleaned(source="a.html", error=SourceError("a.html", "cannot read: gone"))
    assert judge(failed, min_quality=0.0, hygiene=None).outcome == "failed: cannot read"
    request = Cleaned(source="x.warc", skipped="request record")
    assert judge(request, min_quality=0.0, hygiene=None).outcome == "not a page: request record"
    hygiene = Hygiene(HygieneSettings(exact=True))
    low, story = make_doc(quality=0.1), make_doc(quality=0.9)
    assert judge(Cleaned(source="1", document=low), min_quality=0.5, hygiene=hygiene).outcome == (
        "skipped: below min_quality"
    )  # not remembered: the same text, kept later, is no duplicate
    assert judge(Cleaned(source="2", document=story), min_quality=0.5, hygiene=hygiene).kept
    again = judge(Cleaned(source="3", document=story), min_quality=0.5, hygiene=hygiene)
    assert again.outcome == "dropped: duplicate"
    wall = judge(Cleaned(source="4", document=WALL), min_quality=0.5, hygiene=hygiene)
    assert wall.outcome == "skipped: login wall"
