"""The numpy evaluator of LightGBM text models gives LightGBM's own predictions.

LightGBM trains the models here (it is a training and test dependency, not a run-time one); each
model is read back by `Trees.from_text` and both predict the same rows, NaN and zeros included.
"""

from __future__ import annotations

import contextlib
import gzip
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scraper.charset import page_from_bytes
from scraper.config import ExtractSettings
from scraper.errors import ScraperError
from scraper.extract.blocks import MAIN_FEATURES
from scraper.extract.pipeline import Trace, extract
from scraper.extract.trees import Trees

lightgbm = pytest.importorskip("lightgbm")  # the dev group has it; a runtime install does not

FIXTURES = Path(__file__).parent.parent / "fixtures" / "html"
TOLERANCE = 1e-12


def _train(x: Any, y: Any, rounds: int = 20, **params: Any) -> Any:
    settings = {"verbose": -1, "seed": 7, "num_threads": 1, "deterministic": True, "min_data_in_leaf": 5}
    return lightgbm.train({**settings, **params}, lightgbm.Dataset(x, y, **_dataset(params)), rounds)


def _dataset(params: dict[str, Any]) -> dict[str, Any]:
    return {"categorical_feature": params.pop("categorical", "auto")}


def _same(booster: Any, rows: Any) -> None:
    """The evaluator and LightGBM agree on `rows`, and a model's text survives the round trip."""
    ours = Trees.from_text(booster.model_to_string()).predict(rows)
    theirs = booster.predict(rows)
    assert ours.shape == np.asarray(theirs).shape
    assert np.abs(ours - theirs).max() <= TOLERANCE


def _data(rows: int = 600, features: int = 6, seed: int = 3) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    x[:, 1] = rng.integers(0, 4, rows)  # a feature with many exact zeros
    score = x[:, 0] + (x[:, 1] == 2) - x[:, 2] * x[:, 3]
    return x, score


def test_the_shipped_model_predicts_as_lightgbm_on_the_fixture_pages() -> None:
    """The block model's probabilities for every block of the fixture pages equal LightGBM's."""
    text = gzip.decompress(resources.files("scraper.extract").joinpath("block_model.txt.gz").read_bytes())
    booster = lightgbm.Booster(model_str=text.decode("utf-8"))
    trees = Trees.from_text(text.decode("utf-8"))
    rows = []
    for path in sorted(FIXTURES.glob("*.html")):
        trace = Trace()
        page = page_from_bytes(path.read_bytes(), source=str(path), url="https://example.com/page")
        with contextlib.suppress(ScraperError):  # a page with no main content still has blocks
            extract(page, ExtractSettings(), trace)
        rows += [b.features for b in trace.blocks]
    matrix = np.asarray(rows, dtype=np.float64)[:, MAIN_FEATURES]  # the columns the model reads
    assert len(matrix) > 100
    ours, theirs = trees.predict(matrix), booster.predict(matrix, num_threads=1)
    assert np.abs(ours - theirs).max() <= TOLERANCE
    assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all()


@pytest.mark.parametrize(
    ("objective", "extra"),
    [
        ("multiclass", {"num_class": 3}),
        ("multiclassova", {"num_class": 3}),
        ("binary", {}),
        ("regression", {}),
        ("poisson", {}),
        ("cross_entropy", {}),
    ],
)
def test_each_objective_transforms_as_lightgbm(objective: str, extra: dict[str, Any]) -> None:
    """Softmax, one-vs-all and binary sigmoids, identity, exp: each objective's output is LightGBM's."""
    x, score = _data()
    y = {
        "multiclass": np.digitize(score, [-0.5, 0.5]),
        "multiclassova": np.digitize(score, [-0.5, 0.5]),
        "binary": score > 0,
        "cross_entropy": score > 0,
        "poisson": np.exp(score / 3).round(),
        "regression": score,
    }[objective]
    _same(_train(x, y, objective=objective, **extra), x)


def test_missing_values_go_where_lightgbm_sends_them() -> None:
    """NaN learnt as missing goes its default way; NaN elsewhere counts as zero; tiny values are zero."""
    x, score = _data()
    x[::7, 0] = np.nan  # NaN seen in training: NaN-as-missing splits on feature 0
    model = _train(x, score, objective="regression")
    probe = x.copy()
    probe[::3, 2] = np.nan  # NaN where training saw none
    probe[::5, 3] = 1e-40  # below LightGBM's zero threshold
    probe[::11, 3] = -1e-36
    _same(model, probe)


def test_zero_as_missing_splits_send_zero_the_default_way() -> None:
    """With zero_as_missing, zeros and NaN take each split's default side, as in LightGBM."""
    x, score = _data()
    probe = x.copy()
    probe[::4, 1] = np.nan
    _same(_train(x, score, objective="regression", zero_as_missing=True), probe)


def test_categorical_splits_read_bitsets_as_lightgbm() -> None:
    """Categories in the split's set go left; others, unseen ones, negatives, fractions and NaN go right."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(800, 3))
    x[:, 0] = rng.integers(0, 70, 800)  # more than 32 categories: bitsets of several words
    score = np.isin(x[:, 0], [3, 17, 40, 41, 66]) * 2.0 + x[:, 1]
    model = _train(x, score, objective="regression", categorical=[0], min_data_per_group=5, cat_smooth=1)
    probe = x[:200].copy()
    probe[:10, 0] = [np.nan, -1, -0.5, 0.7, 3.9, 99, 1e12, 2**31, 66, 40]
    _same(model, probe)


def test_many_leaves_deep_trees_and_random_forests() -> None:
    """Trees of more than 64 leaves, single-leaf trees and averaged (random forest) outputs agree."""
    x, score = _data(rows=2000, features=8)
    _same(_train(x, score, objective="regression", num_leaves=100, min_data_in_leaf=2), x)
    _same(_train(x, np.zeros(len(x)), objective="regression", rounds=3), x)  # nothing to split
    forest = _train(x, score, objective="regression", boosting="rf", bagging_fraction=0.7, bagging_freq=1)
    _same(forest, x)


def test_linear_leaves_add_their_terms_as_lightgbm() -> None:
    """linear_tree models: each leaf's constant plus its coefficients, the plain value on NaN."""
    x, score = _data()
    model = _train(x, score + 2 * x[:, 4], objective="regression", linear_tree=True)
    probe = x.copy()
    probe[::6, 4] = np.nan
    _same(model, probe)


def test_rows_of_another_width_and_text_that_is_no_model_are_refused() -> None:
    """A matrix of the wrong width and a text that is not a LightGBM model raise ValueError."""
    x, score = _data()
    trees = Trees.from_text(_train(x, score, objective="regression").model_to_string())
    with pytest.raises(ValueError, match="features"):
        trees.predict(x[:, :3])
    with pytest.raises(ValueError, match="not a LightGBM text model"):
        Trees.from_text("hello")


def test_extraction_runs_the_block_model_without_lightgbm() -> None:
    """With LightGBM unimportable, the seed page still comes out as expected, by the block model."""
    seed = Path(__file__).parent.parent / "fixtures" / "seed-article"
    code = (
        "import sys, json; sys.modules['lightgbm'] = None\n"  # `import lightgbm` raises ImportError
        "from scraper.extract import model\n"
        "from scraper.extract.pipeline import clean_html\n"
        "from scraper.config import ExtractSettings\n"
        f"spec = json.load(open({str(seed / 'expected.json')!r}))\n"
        f"html = open({str(seed / 'page.html')!r}, encoding='utf-8').read()\n"
        "print(model.available(), end='|')\n"
        "print(clean_html(html, url=spec['url'], settings=ExtractSettings()).text)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    available, text = done.stdout.split("|", 1)
    assert available == "True"
    expected = (seed / "expected.txt").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line] == [line for line in expected.splitlines() if line]
