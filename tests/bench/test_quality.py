"""bench/quality.py's `--seeds`: our CV is the mean over the seeds' fold models, the spread beside it;
and `--cv-only`: the CV pages alone."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

import quality
from splits import FROZEN, Dataset, fold_of

SEED = 20261130


def _line(pages: str, **scores: float) -> dict[str, object]:
    return {"dataset": "wcxb-dev", "metric": "word", "pages": pages, **scores}


def test_each_line_reads_the_mean_of_the_draws_with_each_draw_beside_it() -> None:
    lines = [_line("all", scraper_cv=0.80, scraper_frozen=0.70), _line("forum", scraper_cv=0.60)]
    drawn = [
        _line("forum", **{"scraper#0_cv": 0.60, "scraper#1_cv": 0.70, "scraper#2_cv": 0.65}),
        _line("all", **{"scraper#0_cv": 0.80, "scraper#1_cv": 0.84, "scraper#2_cv": 0.82}),
    ]
    quality.seed_means(lines, drawn, 3)
    assert lines[0]["scraper_cv"] == pytest.approx(0.82)
    assert lines[0]["scraper_cv_seeds"] == [0.80, 0.84, 0.82]
    assert lines[0]["scraper_frozen"] == 0.70  # the frozen part is the shipped models': one reading
    assert lines[1]["scraper_cv"] == pytest.approx(0.65)


def test_precision_and_recall_are_means_too() -> None:
    lines = [{"dataset": "dragnet-train", "metric": "shingle", "pages": "all", "scraper_cv": 0.9}]
    drawn = [
        {"dataset": "dragnet-train", "metric": "shingle", "pages": "all",
         "scraper#0_cv": 0.90, "scraper#0_cv_precision": 0.92, "scraper#0_cv_recall": 0.88,
         "scraper#1_cv": 0.94, "scraper#1_cv_precision": 0.94, "scraper#1_cv_recall": 0.94}
    ]  # fmt: skip
    quality.seed_means(lines, drawn, 2)
    assert lines[0]["scraper_cv"] == pytest.approx(0.92)
    assert lines[0]["scraper_cv_precision"] == pytest.approx(0.93)
    assert lines[0]["scraper_cv_recall"] == pytest.approx(0.91)


def test_a_line_some_draw_did_not_score_keeps_its_one_reading() -> None:
    lines = [_line("listing", scraper_cv=0.5)]
    quality.seed_means(lines, [_line("listing", **{"scraper#0_cv": 0.5})], 2)
    assert lines[0] == _line("listing", scraper_cv=0.5)


def test_the_seeds_are_the_first_of_train_seeds_seed_first() -> None:
    train = ModuleType("train")
    train.SEEDS = (SEED, 11, 13)  # type: ignore[attr-defined]
    assert quality._seeds(train, 1) == [SEED]
    assert quality._seeds(train, 2) == [SEED, 11]
    for wrong in (0, 4):
        with pytest.raises(SystemExit):
            quality._seeds(train, wrong)


# -- the fold models of each seed ------------------------------------------------------------------


def _train(fitted: list[int] | None = None) -> ModuleType:
    """A stand-in for bench/train.py: its fold models say which seed fitted them, and `fitted`
    records each seed a fit was asked with."""
    train = ModuleType("train")
    train.SEED = SEED  # type: ignore[attr-defined]
    train.PARAMS = {"seed": SEED}  # type: ignore[attr-defined]
    train._code_digest = lambda: "blocks"  # type: ignore[attr-defined]
    train.procedure = lambda: {"rounds": 150}  # type: ignore[attr-defined]

    def fold_models(blocks: list[Any], *, first: bool = False, seed: int = SEED) -> dict[int, Any]:
        if fitted is not None:
            fitted.append(seed)
        kind = "first" if first else "main"
        return {k: SimpleNamespace(model_to_string=lambda k=k: f"{kind} {k} {seed}") for k in (0, 1)}

    train.fold_models = fold_models  # type: ignore[attr-defined]
    return train


BLOCKS = [SimpleNamespace(dataset="set", page_id="2"), SimpleNamespace(dataset="set", page_id="1")]


def test_seeds_fold_models_are_cached_apart_seeds_under_the_key_it_had_before() -> None:
    """SEED's key is the one bench-quality gave its fold models before `--seeds` (its cached models
    are still read); each other seed's is its own."""
    train = _train()
    before = [train._code_digest(), train.PARAMS, train.procedure(), "cascade", ["set/1", "set/2"]]
    unchanged = hashlib.sha256(json.dumps(before).encode()).hexdigest()[:16]
    assert quality._folds_key(train, BLOCKS, SEED) == unchanged
    keys = {quality._folds_key(train, BLOCKS, seed) for seed in (SEED, 11, 13)}
    assert len(keys) == 3


def test_the_fold_models_are_fitted_with_the_seed_asked_and_read_back_from_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quality, "OUT", tmp_path)
    fitted: list[int] = []
    train = _train(fitted)
    eleven = {0: ["main 0 11", "first 0 11"], 1: ["main 1 11", "first 1 11"]}
    assert quality._fold_models(train, BLOCKS, 11) == eleven
    assert quality._fold_models(train, BLOCKS, SEED)[1] == ["main 1 20261130", "first 1 20261130"]
    assert fitted == [11, 11, SEED, SEED]  # the main and the first models of each seed
    assert quality._fold_models(train, BLOCKS, 11)[0] == ["main 0 11", "first 0 11"]
    assert fitted == [11, 11, SEED, SEED]  # from the cache
    assert len(list((tmp_path / "models").iterdir())) == 2


# -- the pages and the tasks -----------------------------------------------------------------------


def _dataset(pages: int = 40) -> Dataset:
    rows = [{"id": f"p{i}", "page_type": "article", "html_path": f"p{i}.html"} for i in range(pages)]
    return Dataset("set", rows, Path("/data/set"))


def test_cv_only_reads_the_samples_cv_pages_and_no_frozen_one() -> None:
    dataset = _dataset()
    every = quality._rows(dataset, 20, cv_only=False)
    cv = quality._rows(dataset, 20, cv_only=True)
    assert any(fold_of(r) == FROZEN for r in every)  # the sample has frozen pages to leave out
    assert cv == [r for r in every if fold_of(r) != FROZEN]
    assert quality._rows(dataset, None, cv_only=True) == [r for r in dataset.rows if fold_of(r) != FROZEN]


def test_the_other_draws_read_the_cv_pages_alone_ours_untimed() -> None:
    dataset = _dataset(12)
    rows = dataset.rows
    cv = [r for r in rows if fold_of(r) != FROZEN]
    assert 0 < len(cv) < len(rows)
    tasks = quality._tasks(dataset, rows, 3, None, speed=True)
    assert len(tasks) == len(rows) + 2 * len(cv)
    first, others = tasks[: len(rows)], tasks[len(rows) :]
    assert [(t[0], t[1], t[2], t[5], t[6]) for t in first] == [
        (str(r["id"]), f"/data/set/{r['html_path']}", fold_of(r), True, 0) for r in rows
    ]
    assert [(t[0], t[2], t[6]) for t in others] == [
        (str(r["id"]), fold_of(r), draw) for draw in (1, 2) for r in cv
    ]
    assert not any(t[4] or t[5] for t in others)  # no peers, no timing: read once, with the first
    assert not any(t[4] for t in first)  # --no-peers


def test_each_draws_texts_are_told_apart() -> None:
    dataset = _dataset(12)
    rows = dataset.rows
    cv = [r for r in rows if fold_of(r) != FROZEN]
    tasks = quality._tasks(dataset, rows, 3, None, speed=False)
    found = [{"id": t[0], "scraper": f"{t[0]} read with draw {t[6]}"} for t in tasks]
    draws = quality._by_draw(found, len(rows), len(cv), 3)
    assert draws[0] == {str(r["id"]): f"{r['id']} read with draw 0" for r in rows}
    for draw in (1, 2):
        assert draws[draw] == {str(r["id"]): f"{r['id']} read with draw {draw}" for r in cv}


def test_a_page_is_read_with_its_folds_models_of_its_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    from scraper.extract import model, pipeline  # noqa: PLC0415

    used: list[Any] = []
    monkeypatch.setattr(model, "use", lambda *models: used.append(models))
    monkeypatch.setattr(model, "use_shipped", lambda: used.append("shipped"))
    monkeypatch.setattr(pipeline, "extract", lambda *_: SimpleNamespace(skip_reason=None, text="text"))
    monkeypatch.setattr(quality, "_MODELS", {(0, 2): ("main 0", "first 0"), (1, 2): ("main 1", "first 1")})
    assert quality._ours(None, 2, 1)[0] == "text"
    quality._ours(None, 2)
    quality._ours(None, FROZEN, 1)
    assert used == [("main 1", "first 1"), ("main 0", "first 0"), "shipped"]


# -- the report ------------------------------------------------------------------------------------


def test_the_report_prints_the_mean_the_range_and_each_seed(capsys: pytest.CaptureFixture[str]) -> None:
    line = _line("all", scraper_cv=0.82, n_cv=10, n_frozen=0) | {"scraper_cv_seeds": [0.80, 0.84, 0.82]}
    quality._print_report([line], [], {"pages": 0}, True, True, seeds=[SEED, 11, 13])
    out = capsys.readouterr().out
    assert "fold models of 3 seeds (20261130, 11, 13)" in out
    assert "0.8200 (0.8000-0.8400)  0.8000 0.8400 0.8200" in out
    quality._print_report([line], [], {"pages": 0}, True, True, seeds=[SEED])
    assert "seeds" not in capsys.readouterr().out


def test_held_folds_are_an_earlier_runs_fold_models_read_as_they_are(tmp_path: Path) -> None:
    """`--folds`: the fold models of an earlier run's cache file, every fold's main and first model,
    no frozen one (the frozen split is read with the shipped models)."""
    held = {str(k): [f"main {k}", f"first {k}"] for k in (0, 1, 2)} | {str(FROZEN): ["x", "y"]}
    path = tmp_path / "folds-abc.json"
    path.write_text(json.dumps(held), encoding="utf-8")
    assert quality.held_folds(path) == {k: [f"main {k}", f"first {k}"] for k in (0, 1, 2)}


@pytest.mark.parametrize("content", [None, "not json", "[1, 2]", "{}", '{"0": "one model"}'])
def test_a_file_of_no_fold_models_ends_the_run_naming_it(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "folds.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit, match=r"--folds .*folds\.json: not a file of fold models"):
        quality.held_folds(path)


def test_held_folds_fit_nothing_and_read_the_pages_with_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With `--folds`, no block is collected and no model fitted: the run's one draw is the file's."""
    path = tmp_path / "folds.json"
    path.write_text(json.dumps({"0": ["main", "first"]}), encoding="utf-8")
    train = ModuleType("train")
    train.SEEDS = (SEED, 11)  # type: ignore[attr-defined]

    def never(*_: Any, **__: Any) -> Any:
        raise AssertionError("fitted or collected")

    train.collect = never  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "train", train)
    monkeypatch.setattr(quality, "_fold_models", never)
    monkeypatch.setattr(quality, "load_datasets", lambda *_, **__: [])
    # no ../shared beside a clone (make test's case): neither the scorer nor a dataset is read
    monkeypatch.setattr(quality, "SCORER", path)
    monkeypatch.setattr(quality, "scorer", lambda: ModuleType("score"))
    seen: list[Any] = []
    monkeypatch.setattr(quality, "_print_report", lambda *a, **k: seen.append(k))
    monkeypatch.setattr(quality, "OUT", tmp_path)
    monkeypatch.setattr(sys, "argv", ["quality.py", "--folds", str(path), "--no-peers", "--no-speed"])
    assert quality.main() == 0
    assert seen and json.loads((tmp_path / "quality.json").read_text())["folds"] == str(path)
    monkeypatch.setattr(sys, "argv", ["quality.py", "--folds", str(path), "--seeds", "2"])
    with pytest.raises(SystemExit, match="not with --seeds"):
        quality.main()
