"""The block CV of bench/train.py (`--check`) decides each page's blocks as the pipeline does."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

import train
from train import PageBlocks, cv_texts, item_runs, rule_inputs

from scraper.config import ExtractSettings
from scraper.corpus.sources import load_file
from scraper.extract import inputs, model
from scraper.extract.blocks import FEATURE_COUNT, FEATURE_NAMES
from scraper.extract.pipeline import extract


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


def _product_page() -> PageBlocks:
    """A product page: its name, its price held twice in a row (the text and its copy for screen
    readers), its description, then a kept "Customers also bought" heading over two short cards."""
    texts = [
        "Teak garden chair",
        "EUR 89.00 incl. VAT EUR 89.00 incl. VAT",
        "A solid teak chair for the garden, oiled by hand, with armrests and a slatted back that"
        " stays dry after rain; it folds flat for the winter and weighs eight kilos in all.",
        "Customers also bought",
        "Rattan chair, 59 euros",
        "Metal chair, 39 euros",
    ]
    features = np.zeros((len(texts), FEATURE_COUNT), dtype=np.float32)
    features[0, FEATURE_NAMES.index("tag:h1")] = 1
    features[3, FEATURE_NAMES.index("tag:h2")] = 1
    return PageBlocks(
        dataset="set", page_id="2", fold=0, page_type="product", features=features,
        labels=np.ones(len(texts), dtype=np.int8), weights=np.ones(len(texts), dtype=np.float32),
        texts=texts, kept=np.ones(len(texts), dtype=np.float32),
        under_reply=np.zeros(len(texts), dtype=bool), trafilatura_text="\n".join(texts),
    )  # fmt: skip


def test_the_block_cv_drops_a_product_pages_carousel_and_copies_as_the_pipeline_does() -> None:
    """`model.carousels` and `model.once` apply in the CV's decisions: the cards under "Customers
    also bought" go with their label, and the price held twice comes out once."""
    page = _product_page()
    probabilities = np.asarray([[0.05, 0.95, 0.0]] * len(page.texts))
    [text] = cv_texts([page], {"set/2": probabilities}).values()
    assert text.splitlines() == ["Teak garden chair", "EUR 89.00 incl. VAT", page.texts[2]]


def test_every_check_reads_the_rules_inputs_from_one_place() -> None:
    """`rule_inputs` gives sure and decide what the pipeline passes: the block tags, the page's
    product and forum types, the runs and the votes, from the cached features."""
    product, grid = _product_page(), _grid_page()
    found = rule_inputs(product)
    assert found["product"] and not found["comments"] and found["shown"] is None
    assert found["tags"][:4] == ["h1", "", "", "h2"]
    assert found["texts"] == product.texts and len(found["votes"]) == len(product.texts)
    assert rule_inputs(grid)["runs"] == item_runs(grid) and not rule_inputs(grid)["product"]


_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Ferry timetable</title></head><body>"
    "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav><main><article>"
    "<h1>More ferries this summer</h1><p>The harbour board met on Tuesday to agree the summer"
    " timetable for the ferries, which will add two early crossings on weekdays.</p><p>Board members"
    " said the extra sailings answer a survey in which shift workers asked for a crossing before six"
    " in the morning, when the first boat now leaves at seven, and a late one on Saturdays.</p>"
    "<p>Tickets go on sale in May.</p></article></main><aside><h2>Most read</h2><ul><li><a href='/a'>"
    "Bridge closed for repairs</a></li><li><a href='/b'>New bakery on the quay</a></li></ul></aside>"
    "<footer><p>Copyright the Harbour Gazette, all rights reserved.</p></footer></body></html>"
)


class _Recorder:
    """A stand-in model that keeps each matrix it is asked about and is unsure of every block (so
    the cascade's first model leaves the page to trafilatura and the main model is asked too)."""

    def __init__(self) -> None:
        self.matrices: list[np.ndarray] = []

    def predict(self, matrix: np.ndarray, **_: Any) -> list[list[float]]:
        self.matrices.append(np.array(matrix))
        return [[0.5, 0.5, 0.0]] * len(matrix)


def test_the_models_read_the_same_numbers_in_training_as_in_the_pipeline(tmp_path: Path) -> None:
    """A page's cached blocks (`train._page`, as `make train` collects them) give through
    `train.matrix` the very matrices the pipeline hands each model for that page, the columns of a
    block against its page (inputs.relative) included, to the bit."""
    path = tmp_path / "page.html"
    path.write_text(_PAGE, encoding="utf-8")
    main, first = _Recorder(), _Recorder()
    try:
        cached = train._page(("set", {"id": "1", "url": "https://gazette.example/ferries"}, str(path)))
        model.use(main, first)
        extract(load_file(str(path), url=None, max_bytes=2**20), ExtractSettings())
    finally:
        model.use_shipped()
    assert cached is not None and len(cached.texts) == 4  # the pre-pass took the nav, the rail and the footer
    assert [m.shape for m in first.matrices] == [(len(cached.texts), len(inputs.FIRST_NAMES))]
    assert [m.shape for m in main.matrices] == [(len(cached.texts), len(inputs.MAIN_NAMES))]
    assert np.array_equal(first.matrices[0], train.matrix(cached, first=True))
    assert np.array_equal(main.matrices[0], train.matrix(cached))
    relative = train.matrix(cached)[:, -len(inputs.RELATIVE_NAMES) :]
    assert len({tuple(row) for row in relative.tolist()}) == len(cached.texts)  # they differ block by block


def _package(root: Path) -> None:
    """A copy of the repository's package code under `root`, as `_code_digest` reads it."""
    for path in [*(train.REPO / "scraper").glob("*.py"), *(train.REPO / "scraper" / "extract").glob("*.py")]:
        copy = root / path.relative_to(train.REPO)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())


@pytest.mark.parametrize(("module", "moves"), [("prepass.py", True), ("blocks.py", True), ("dom.py", True),
                                               ("model.py", False), ("inputs.py", False)])  # fmt: skip
def test_the_block_cache_is_keyed_by_the_code_that_makes_the_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, moves: bool
) -> None:
    """A change to the pre-pass, the block walk or the shared core's DOM helpers is a new cache of
    blocks; one to the code that reads blocks once made (the models' decisions and inputs) is not."""
    _package(tmp_path)
    monkeypatch.setattr(train, "REPO", tmp_path)
    before = train._code_digest()
    path = tmp_path / "scraper" / ("extract" if module != "dom.py" else "") / module
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert (train._code_digest() != before) is moves


def test_the_fold_models_are_keyed_by_what_they_learn_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`models_digest` moves with a block's feature, a label, and the code of the models' inputs."""
    pages = [_grid_page(), _product_page()]
    before = train.models_digest(pages)
    assert train.models_digest([_product_page(), _grid_page()]) == before  # in any order
    pages[0].features[1, 0] += 1
    assert train.models_digest(pages) != before
    pages = [_grid_page(), _product_page()]
    pages[1].labels[0] = 0
    assert train.models_digest(pages) != before
    _package(tmp_path)
    monkeypatch.setattr(train, "REPO", tmp_path)
    assert train.models_digest([_grid_page(), _product_page()]) == before
    (tmp_path / "scraper" / "extract" / "inputs.py").write_text("# another\n", encoding="utf-8")
    assert train.models_digest([_grid_page(), _product_page()]) != before
