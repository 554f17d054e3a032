"""scraper.extract.model: the shipped artifact, its manifest, and what a mismatch does."""

from __future__ import annotations

import gzip
import json
import logging
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper import dom
from scraper.extract import model
from scraper.extract.blocks import FEATURE_COUNT, FEATURE_NAMES, MAIN_FEATURE_NAMES, VOTE_FEATURES

FOLDER = resources.files("scraper.extract")


def test_the_shipped_artifact_loads_and_matches_its_manifest() -> None:
    """The packaged model is the one its manifest describes, reads this code's features, and loads."""
    data = FOLDER.joinpath(model.ARTIFACT).read_bytes()
    described = json.loads(FOLDER.joinpath(model.MANIFEST).read_text(encoding="utf-8"))
    assert model.mismatch(data, json.dumps(described)) is None
    assert described["feature_count"] == FEATURE_COUNT - len(VOTE_FEATURES)
    assert described == {**model.manifest(data), **described}  # what the artifact records, recorded
    model._load.cache_clear()
    trees = model._shipped()
    assert trees is not None
    assert (trees.feature_count, trees.num_class) == (len(MAIN_FEATURE_NAMES), len(model.CLASSES))


def test_a_mismatch_is_a_warning_not_a_silent_fall_back(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another artifact, another feature count or no manifest: the model is not used, and a
    warning says why."""
    data = FOLDER.joinpath(model.ARTIFACT).read_bytes()
    described = model.manifest(data)
    assert "another digest" in str(model.mismatch(data + b"x", json.dumps(described)))
    assert "features per block" in str(model.mismatch(data, json.dumps({**described, "feature_count": 3})))
    assert "no block_model.manifest.json" in str(model.mismatch(data, None))
    renamed = ["log_length", *MAIN_FEATURE_NAMES[1:]]
    other = {**described, "feature_names": renamed, "features_sha256": model.features_digest(renamed)}
    assert "'log_length' is now 'log_chars'" in str(model.mismatch(data, json.dumps(other)))
    forged = {**described, "features_sha256": model.features_digest(renamed)}
    assert "features digest" in str(model.mismatch(data, json.dumps(forged)))
    monkeypatch.setattr(model, "MAIN", model.Kind(model.ARTIFACT, "missing.json", MAIN_FEATURE_NAMES))
    model._load.cache_clear()
    with caplog.at_level(logging.WARNING, logger="scraper.extract.model"):
        assert model._shipped() is None
    model._load.cache_clear()
    assert "block_model.txt.gz is not used (plain trafilatura instead)" in caplog.text


def test_the_manifest_reads_what_the_artifact_records() -> None:
    """Objective, classes, feature count and parameters come from LightGBM's text format itself."""
    text = "tree\nversion=v4\nnum_class=3\nmax_feature_idx=4\nobjective=multiclass num_class:3\n\nTree=0\n"
    text += "parameters:\n[objective: multiclass]\n[num_leaves: 31]\nend of parameters\n"
    described = model.manifest(gzip.compress(text.encode()), datasets={"d": "abc"})
    assert (described["num_class"], described["feature_count"], described["objective"]) == (
        3,
        5,
        "multiclass num_class:3",
    )
    assert described["parameters"] == {"objective": "multiclass", "num_leaves": "31"}
    assert described["datasets"] == {"d": "abc"}


def test_the_manifest_names_the_features_in_the_order_the_blocks_give_them() -> None:
    """One name per feature, no two alike, recorded with their digest: a model reads them by position."""
    data = FOLDER.joinpath(model.ARTIFACT).read_bytes()
    described = json.loads(FOLDER.joinpath(model.MANIFEST).read_text(encoding="utf-8"))
    assert described["feature_names"] == list(MAIN_FEATURE_NAMES)
    assert described["features_sha256"] == model.features_digest(MAIN_FEATURE_NAMES)
    assert len(set(FEATURE_NAMES)) == FEATURE_COUNT
    # trafilatura's discard vote is the cascade's (model.sure), not a column either model reads
    assert not set(VOTE_FEATURES) & set(described["feature_names"])
    assert set(VOTE_FEATURES) <= set(FEATURE_NAMES)
    assert model.manifest(data)["feature_names"][:2] == ["log_chars", "log_words"]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("सबसे ज़्यादा पढ़ी गई खबरें", 5),  # Hindi, "most read news": vowel signs inside its words
        ("বাংলাদেশে নতুন সেতু চালু হলো", 5),  # Bengali
        ("مَرْحَبًا بِكُمْ فِي المَوْقِع", 4),  # Arabic written with its vowel marks
        ("cafe\u0301 cre\u0300me bru\u0302le\u0301e", 3),  # accents written apart from their letters
        ("か\u3099ら", 2),  # a kana and its sound mark written apart: one character
    ],
)
def test_a_word_is_counted_once_with_the_marks_written_on_it(text: str, count: int) -> None:
    """A combining mark (a Hindi or Bengali vowel sign, an Arabic vowel mark, a decomposed accent)
    is part of its word (`dom.WORD`), though no letter to Python's \\w: counted apart, the letters
    between the marks were as many words ("ज़्यादा" three), and a label of five Hindi words was
    seven, more than a label's."""
    assert model.words(text) == count


@pytest.mark.parametrize(
    "text",
    ["", "| | |", "Read more", "one two three four five six seven", "a-b c_d é ü 12", "हिंदी में ख़बरें"],
)
def test_words_counted_up_to_a_bound_compare_as_the_whole_count(text: str) -> None:
    """`words(text, most)` is the count, or `most` when there are at least as many: the bounds the
    label and copy rules compare with give the same answers."""
    for most in range(8):
        assert model.words(text, most) == min(model.words(text), most)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab é_1 -|\u0301\u4e00"), st.one_of(st.none(), st.integers(0, 40)))
def test_words_is_words_counted_by_dom_word_whatever_the_text(text: str, most: int | None) -> None:
    """`words` counts `dom.WORD`'s matches (to `most`): whether the text is ASCII (read by
    `dom.ASCII_WORD`) or not, and whether it is counted whole or to the bound (its length against
    `_FOUND_WHOLE` characters a word)."""
    for padded in (text, text * 20):
        whole = len(dom.WORD.findall(padded))
        assert model.words(padded, most) == (whole if most is None else min(whole, most))


@pytest.mark.parametrize("count", range(60))
def test_sures_bounded_count_answers_each_of_its_comparisons_as_the_whole_count(count: int) -> None:
    """`sure` counts a block's words up to `_COUNTED`: each bound it compares a count with (a
    label's, a paragraph's, an island's, a rail item's) gets the answer the whole count gives."""
    text = " ".join(["word"] * count)
    bounded, whole = model.words(text, model._COUNTED), model.words(text)
    for bound in (model.LABEL_WORDS, model.PARAGRAPH_WORDS, model.ISLAND_WORDS, model.RAIL_WORDS):
        assert (bounded <= bound, bounded >= bound) == (whole <= bound, whole >= bound)
