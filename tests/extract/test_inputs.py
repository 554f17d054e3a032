"""What the models read of a page's blocks (inputs.py): each block against its page."""

from __future__ import annotations

import math

import numpy as np

from scraper.extract import inputs
from scraper.extract.blocks import FEATURE_COUNT, FEATURE_NAMES, FIRST_FEATURES, MAIN_FEATURES


def _page() -> np.ndarray:
    """A heading, two paragraphs in the article (the second the longest), a link list in an aside."""
    at = FEATURE_NAMES.index
    rows = [  # chars, link share, depth, tag, containers
        (20, 0.0, 4, "tag:h1", ("inside:article/main",)),
        (300, 0.0, 5, "tag:p", ("inside:article/main",)),
        (900, 0.0, 5, "tag:p", ("inside:article/main",)),
        (60, 1.0, 3, "tag:li", ("inside:aside", "outer_class:sidebar")),
    ]
    features = np.zeros((len(rows), FEATURE_COUNT), dtype=np.float32)
    for i, (chars, links, depth, tag, containers) in enumerate(rows):
        features[i, [at("log_chars"), at("link_share"), at("depth"), at(tag)]] = (
            math.log1p(chars),
            links,
            depth,
            1,
        )
        features[i, [at(c) for c in containers]] = 1
    return features


def test_each_block_is_read_against_the_densest_block_of_its_page() -> None:
    """The longest paragraph is the densest block: the other paragraph shares its depth, tag and
    containers, the heading its containers alone, the link list nothing; the prose around each
    block (two blocks on each side) is the page's most around the paragraphs."""
    relative = inputs.relative(_page())
    column = {name: relative[:, i].round(4).tolist() for i, name in enumerate(inputs.RELATIVE_NAMES)}
    assert column["rel:log_chars_to_longest"] == [
        round(math.log1p(n) - math.log1p(900), 4) for n in (20, 300, 900, 60)
    ]
    assert column["rel:depth_to_densest"] == [-1, 0, 0, -2]
    assert column["rel:outer_like_densest"] == [1, 1, 1, 0]
    assert column["rel:same_tag_as_densest"] == [0, 1, 1, 0]
    assert column["rel:window_prose"] == [round(1220 / 1220, 4), 1, 1, round(1200 / 1220, 4)]


def test_the_main_model_reads_its_block_features_then_the_relative_ones() -> None:
    """The main model's matrix is its block features then the relative columns, in the order its
    manifest names them; the first model reads its block features alone. A page of no block is none."""
    features = _page()
    main, first = inputs.matrix(features), inputs.matrix(features, first=True)
    assert main.shape == (4, len(inputs.MAIN_NAMES)) and first.shape == (4, len(inputs.FIRST_NAMES))
    assert np.array_equal(main[:, : len(MAIN_FEATURES)], features[:, MAIN_FEATURES])
    assert np.array_equal(main[:, len(MAIN_FEATURES) :], inputs.relative(features))
    assert np.array_equal(first, features[:, FIRST_FEATURES])
    assert inputs.matrix(np.zeros((0, FEATURE_COUNT))).shape == (0, len(inputs.MAIN_NAMES))
