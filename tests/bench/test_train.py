"""The block CV of bench/train.py (`--check`) decides each page's blocks as the pipeline does."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

from train import PageBlocks, cv_texts, item_runs

from scraper.extract.blocks import FEATURE_COUNT, FEATURE_NAMES


def _grid_page() -> PageBlocks:
    """A shop's heading, kept by trafilatura and the model, over a grid of three alike cards the
    model doubts (0.4) and trafilatura dropped."""
    texts = ["Garden chairs", "Teak chair, 89 euros", "Rattan chair, 59 euros", "Metal chair, 39 euros"]
    features = np.zeros((len(texts), FEATURE_COUNT), dtype=np.float32)
    features[1:, FEATURE_NAMES.index("log_repeated")] = math.log1p(3)
    return PageBlocks(
        dataset="set", page_id="1", fold=0, page_type="article", features=features,
        labels=np.ones(len(texts), dtype=np.int8), weights=np.ones(len(texts), dtype=np.float32),
        texts=texts, kept=np.asarray([1, 0, 0, 0], dtype=np.float32),
        under_reply=np.zeros(len(texts), dtype=bool), trafilatura_text="Garden chairs",
    )  # fmt: skip


def test_the_block_cv_keeps_a_list_pages_items_as_the_pipeline_does() -> None:
    """`model.items` applies in the CV's decisions: the doubted cards of the grid are kept, where
    trafilatura's text alone (the heading) stood before."""
    page = _grid_page()
    probabilities = np.asarray([[0.05, 0.95, 0.0]] + [[0.6, 0.4, 0.0]] * 3)
    [text] = cv_texts([page], {"set/1": probabilities}).values()
    assert text.splitlines() == page.texts


def test_item_runs_are_read_back_from_the_cached_features() -> None:
    """Each block's alike siblings come back from `log_repeated` as whole numbers; none in a sidebar."""
    page = _grid_page()
    assert item_runs(page) == [0, 3, 3, 3]
    page.features[2, FEATURE_NAMES.index("near_class:sidebar")] = 1
    assert item_runs(page) == [0, 3, 0, 3]
