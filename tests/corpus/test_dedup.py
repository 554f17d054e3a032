"""scraper.corpus.dedup: exact and near duplicates, languages, and the install hint."""

from __future__ import annotations

import sys

import pytest

from scraper.corpus.dedup import DUPLICATE, LANGUAGE, Hygiene, HygieneSettings
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
