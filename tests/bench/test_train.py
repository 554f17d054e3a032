"""The block CV of bench/train.py (`--check`) decides each page's blocks as the pipeline does."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

from splits import FROZEN
from train import PageBlocks, _page, cv_texts, item_runs, rule_inputs

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


def test_item_runs_read_the_siblings_of_a_blocks_kind_as_the_pipeline_does() -> None:
    """A blog's teasers, each classed by its own post id ("post-41 post"), are no run of their
    shape but one of their kind (`Block.alike`): `item_runs` reads the larger, as `model._run`
    does; a cache without `alike` reads the shape alone."""
    page = _grid_page()
    page.features[:, FEATURE_NAMES.index("log_repeated")] = 0
    page.alike = np.asarray([0, 3, 3, 3], dtype=np.int32)
    assert item_runs(page) == [0, 3, 3, 3]
    page.features[1:, FEATURE_NAMES.index("log_repeated")] = math.log1p(5)
    assert item_runs(page) == [0, 5, 5, 5]
    page.alike = None
    page.features[1:, FEATURE_NAMES.index("log_repeated")] = 0
    assert item_runs(page) == [0, 0, 0, 0]


def test_the_collected_blocks_keep_their_alike_siblings(tmp_path: Path) -> None:
    """`collect`'s walk of a page keeps each block's `Block.alike` beside its features."""
    teasers = "".join(
        f"<div class='post-{i} post category-news'><h2>Ferry news number {i}</h2>"
        f"<p>The harbour board met again on day {i} to agree the timetable of the crossings.</p></div>"
        for i in range(4)
    )
    path = tmp_path / "page.html"
    path.write_text(f"<html><body><main><h1>News</h1>{teasers}</main></body></html>", encoding="utf-8")
    page = _page(("set", {"id": "1"}, str(path)))
    assert page is not None and page.alike is not None
    runs = dict(zip(page.texts, page.alike.tolist(), strict=True))
    assert runs["Ferry news number 2"] == 4 and runs["News"] == 0


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
    forum type, the runs, the votes and the link shares, from the cached features (no product
    type since carousels are read on a page of any type)."""
    product, grid = _product_page(), _grid_page()
    found = rule_inputs(product)
    assert not found["comments"] and found["shown"] is None and "product" not in found
    assert found["tags"][:4] == ["h1", "", "", "h2"]
    assert found["texts"] == product.texts and len(found["votes"]) == len(product.texts)
    assert len(found["links"]) == len(product.texts)
    assert rule_inputs(grid)["runs"] == item_runs(grid)


def test_a_merged_model_scores_the_mean_of_its_members() -> None:
    """`merge`: one model text whose raw scores are the mean of its members' (a seed ensemble),
    read alike by LightGBM and by the numpy evaluator the pipeline uses."""
    lightgbm = pytest.importorskip("lightgbm")
    from train import PARAMS, merge  # noqa: PLC0415

    from scraper.extract.trees import Trees  # noqa: PLC0415

    rng = np.random.default_rng(5)
    x = rng.normal(size=(600, 6))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int)
    members = [
        lightgbm.train({**PARAMS, "seed": seed, "min_data_in_leaf": 5}, lightgbm.Dataset(x, y), 8)
        for seed in (1, 2, 3)
    ]
    raw = np.mean([m.predict(x, raw_score=True) for m in members], axis=0)
    assert not np.allclose(members[0].predict(x, raw_score=True), raw)  # the seeds differ
    text = merge([m.model_to_string() for m in members])
    merged = lightgbm.Booster(model_str=text)
    assert merged.num_trees() == 3 * 8 * 3
    assert np.allclose(merged.predict(x, raw_score=True), raw)
    assert np.allclose(Trees.from_text(text).predict(x), merged.predict(x))


def test_the_seed_check_averages_raw_scores() -> None:
    """`_mean` of members' class probabilities is the softmax of their mean raw score, as a merged
    model's (`merge`)."""
    from train import _mean  # noqa: PLC0415

    raw = [np.asarray([[0.5, -1.0, 2.0]]), np.asarray([[3.0, 0.0, -2.0]])]
    softmax = [np.exp(r) / np.exp(r).sum() for r in raw]
    mean = np.exp(sum(raw) / 2)
    assert np.allclose(_mean([{"p": p} for p in softmax])["p"], mean / mean.sum())


def test_a_heavier_comment_weight_leans_the_model_to_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    """`COMMENT_WEIGHT` (`--comment-weight`): blocks a fit cannot tell apart, half content and half
    comment, come out more likely comments when each comment weighs more; and the procedure's key
    changes with it (its seed caches are its own), not without it (the caches before it hold)."""
    pytest.importorskip("lightgbm")
    import train  # noqa: PLC0415

    from scraper.extract.model import COMMENT, CONTENT  # noqa: PLC0415

    rng = np.random.default_rng(7)
    n = 400
    page = PageBlocks(
        dataset="set", page_id="1", fold=0, page_type="article",
        features=rng.normal(size=(n, FEATURE_COUNT)).astype(np.float32),
        labels=np.asarray([CONTENT, COMMENT] * (n // 2), dtype=np.int8), weights=np.ones(n, dtype=np.float32),
        texts=["text"] * n, kept=np.ones(n, dtype=np.float32), under_reply=np.zeros(n, dtype=bool),
        trafilatura_text="",
    )  # fmt: skip
    shipped = train.COMMENT_WEIGHT
    monkeypatch.setattr(train, "COMMENT_WEIGHT", 1.0)
    before = train._procedure(first=False)

    def comment_share() -> float:
        booster = train.fit([page], rounds=5)
        return float(booster.predict(train.matrix(page))[:, COMMENT].mean())

    even = comment_share()
    monkeypatch.setattr(train, "COMMENT_WEIGHT", 3.0)
    assert comment_share() > even + 0.1
    assert train._procedure(first=False) != before
    monkeypatch.setattr(train, "COMMENT_WEIGHT", 1.0)
    assert train._procedure(first=False) == before
    monkeypatch.setattr(train, "COMMENT_WEIGHT", shipped)
    assert (train._procedure(first=False) == before) == (shipped == 1.0)


def test_bench_quality_fits_its_fold_models_as_the_shipped_ones_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/quality.py's CV fold models are keyed by the procedure the shipped models are fitted
    with (`procedure`: rounds, seed ensemble, comment weight), so a cache of another procedure's
    fold models is never read for this one's; the manifest records the same procedure."""
    import quality  # noqa: PLC0415
    import train  # noqa: PLC0415

    pages = [_grid_page()]
    before = quality._folds_key(train, pages)
    assert train.procedure()["rounds"] == train.ROUNDS
    for name, value in (("COMMENT_WEIGHT", 3.0), ("MEMBERS", 3), ("MEMBER_ROUNDS", 50)):
        with monkeypatch.context() as patched:
            patched.setattr(train, name, value)
            assert quality._folds_key(train, pages) != before, name
    assert quality._folds_key(train, pages) == before


def test_the_fold_models_are_fitted_with_the_seed_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/quality.py's `--seeds`: each fold's model is fitted with the seed asked (SEED by
    default), on the other folds' pages, never a frozen one."""
    import train  # noqa: PLC0415

    fitted: list[tuple[list[str], bool, int]] = []

    def fit(pages: list[PageBlocks], *, first: bool = False, seed: int = train.SEED) -> str:
        fitted.append(([p.page_id for p in pages], first, seed))
        return "model"

    monkeypatch.setattr(train, "fit", fit)
    pages = [_grid_page() for _ in range(3)]
    for page_id, (page, fold) in enumerate(zip(pages, (0, 1, FROZEN), strict=True)):
        page.page_id, page.fold = str(page_id), fold
    assert train.fold_models(pages, first=True, seed=11) == {0: "model", 1: "model"}
    assert train.fold_models(pages) == {0: "model", 1: "model"}
    seed = train.SEED
    assert fitted == [(["1"], True, 11), (["0"], True, 11), (["1"], False, seed), (["0"], False, seed)]
