"""scraper.corpus.dedup: exact and near duplicates, languages, and the install hint."""

from __future__ import annotations

import sys

import pytest

from scraper.corpus.dedup import DUPLICATE, LANGUAGE, NEAR_DUPLICATE, Hygiene, HygieneSettings
from scraper.errors import ConfigError
from tests.factories import make_doc


def test_exact_duplicates_and_languages_are_left_out_in_input_order() -> None:
    """The first of two equal texts is kept; a page in a language not asked for is dropped."""
    hygiene = Hygiene(HygieneSettings(exact=True, languages=frozenset({"en"})))
    story = make_doc(language="en-GB")
    assert hygiene.verdict(story) is None
    assert hygiene.verdict(story) == DUPLICATE
    assert hygiene.verdict(make_doc(text="Autre texte.", language="fr")) == LANGUAGE


def test_near_dup_without_datasketch_names_the_distribution_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hint names the distribution, storyscraper[dedup] (it said scraper[dedup], another project)."""
    monkeypatch.setitem(sys.modules, "datasketch", None)
    with pytest.raises(ConfigError, match=r"pip install 'storyscraper\[dedup\]'"):
        Hygiene(HygieneSettings(near=0.8))


def _story(words: int, *, changed: int = 0) -> str:
    """A text of `words` distinct words, its last `changed` words replaced."""
    kept = [f"word{n}" for n in range(words - changed)]
    return " ".join(kept + [f"other{n}" for n in range(changed)])


def test_a_near_copy_is_dropped_and_a_different_text_is_kept() -> None:
    """At 0.8, a text with 2 of 200 words changed is a near-duplicate of the one kept before it;
    a text with half its words changed is not. Exact dedup off: only the MinHash index decides."""
    hygiene = Hygiene(HygieneSettings(exact=False, near=0.8))
    assert hygiene.verdict(make_doc(text=_story(200))) is None
    assert hygiene.verdict(make_doc(text=_story(200, changed=2))) == NEAR_DUPLICATE
    assert hygiene.verdict(make_doc(text=_story(200, changed=100))) is None


def test_a_resumed_run_decides_as_the_first_part_did() -> None:
    """Texts an earlier part of the run kept, remembered on resume, make their copies duplicates
    (exact and near) as if the run had never stopped."""
    hygiene = Hygiene(HygieneSettings(exact=True, near=0.8))
    hygiene.remember([_story(200), "Second paragraph."])
    assert hygiene.verdict(make_doc(text="Second paragraph.")) == DUPLICATE
    assert hygiene.verdict(make_doc(text=_story(200, changed=2))) == NEAR_DUPLICATE


def test_a_text_the_store_holds_is_a_duplicate_and_pages_without_text_are_not_judged() -> None:
    """With a store, a text it holds under any URL is a duplicate; a page without text (junk, no
    main content) is never left out by hygiene: it is an outcome of its own."""
    asked: list[str] = []

    def stored(content_hash: str) -> bool:
        asked.append(content_hash)
        return True

    hygiene = Hygiene(HygieneSettings(exact=True, languages=frozenset({"en"})), stored=stored)
    doc = make_doc()
    assert hygiene.verdict(doc) == DUPLICATE and asked == [doc.content_hash]
    assert hygiene.verdict(make_doc(text="", language="und")) is None


def test_a_threshold_outside_zero_to_one_is_refused() -> None:
    """A near-duplicate threshold must be in (0, 1]."""
    for threshold in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="threshold"):
            HygieneSettings(near=threshold)
    assert HygieneSettings(near=1.0).near == 1.0
