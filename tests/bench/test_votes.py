"""The votes bench (bench/votes.py) hears what trafilatura's fallback comparison computes, puts
trafilatura back as it was, and joins each vote to the blocks as a share of their words."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

import votes
from trafilatura import external
from train import PageBlocks

from scraper.config import ExtractSettings
from scraper.corpus.sources import load_file
from scraper.extract import model, pipeline

PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "html" / "blog-cookie-newsletter.html"


def test_the_free_votes_are_what_trafilatura_computed_and_trafilatura_is_put_back() -> None:
    """readability's text is captured from the pipeline's own trafilatura call (the same text
    readability gives run apart on that page); the paid votes run; the patches are undone."""
    originals = external.try_readability, external.try_justext, pipeline._run_trafilatura
    try:
        found = votes._page_votes(("fixtures", {"id": "page"}, str(PAGE)))
    finally:
        model.use_shipped()
    assert found is not None
    page_id, (texts, seconds) = found
    assert page_id == "page"
    assert (external.try_readability, external.try_justext, pipeline._run_trafilatura) == originals
    assert texts["readability"]
    assert texts["justext"] and texts["precision"] and texts["recall"]
    assert set(seconds) == {"pipeline", "readability_alone", "justext", "precision", "recall"}
    heard: dict[str, str | None] = dict.fromkeys(votes.FREE + votes.PAID)
    html: list[str] = []
    model.use(None)  # trafilatura runs, as where the main model judges blocks
    try:
        with votes._listening(heard, html):
            pipeline.extract(load_file(str(PAGE), url=None, max_bytes=2**20), ExtractSettings())
    finally:
        model.use_shipped()
    alone = {vote: text for vote, text, _ in votes._alone(html[0])}
    assert heard["readability"] == alone["readability_alone"] == texts["readability"]


def test_a_vote_joins_the_blocks_as_their_share_and_a_vote_not_run_is_missing() -> None:
    """Each block gets the share of its word trigrams in the vote's text; NaN where it did not run."""
    texts = ["The story begins here and goes on.", "Share this on social media now"]
    page = PageBlocks(
        dataset="set", page_id="1", fold=0, page_type="article",
        features=np.zeros((2, 3), dtype=np.float32), labels=np.zeros(2, dtype=np.int8),
        weights=np.ones(2, dtype=np.float32), texts=texts, kept=np.zeros(2, dtype=np.float32),
        under_reply=np.zeros(2, dtype=bool), trafilatura_text="",
    )  # fmt: skip
    frozen = PageBlocks(**{**page.__dict__, "page_id": "2", "fold": -1})
    vote_texts: dict[str, str | None] = {"readability": texts[0], "justext_fallback": None}
    joined = votes.attach([page, frozen], {"set/1": (vote_texts, {}), "set/2": (vote_texts, {})})
    assert joined == [page]  # a frozen page is never joined
    assert page.votes is not None
    assert page.votes["readability"].tolist() == [1.0, 0.0]
    assert all(math.isnan(v) for v in page.votes["justext_fallback"])
