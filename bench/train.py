"""Train the block model (scraper/extract/block_model.txt.gz) from ../shared/datasets.

    make train                                  # collect blocks, fit on every non-frozen page, write
    .venv/bin/python bench/train.py --check     # also the site-grouped CV of the block decisions

1. Every page of every dataset goes through the real pipeline with no model
   (`extract(..., Trace(collect_blocks=True))`): its blocks, their features, and how much of each
   trafilatura kept. The result is cached in bench/out/blocks/ for the bench (keyed by a digest
   of blocks.py); `make train` passes `--fresh` and collects everything again.
2. Labels align each block with the page's truth: a block is content when at least half of its
   word trigrams (its words, under three) are in the truth text. trafilatura-eval has snippets, not
   text: a block is content when it overlaps a "with" snippet, boilerplate when it overlaps a
   "without" one, and unlabelled (left out) otherwise. Each block weighs its number of words
   (capped), as the F1 scores do.
3. LightGBM, seeded and single-threaded where order matters (`deterministic`), fits on the pages
   whose site is not frozen (splits.py). Nothing here ever reads a frozen page's labels.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import json
import os
import pickle
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from splits import FROZEN, REPO, Dataset, fold_of, load_datasets

OUT = REPO / "bench" / "out" / "blocks"
ARTIFACT = REPO / "scraper" / "extract" / "block_model.txt.gz"
SEED = 20261130
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 31,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.5,
    "max_bin": 63,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
ROUNDS = 150
_MAX_WEIGHT = 100
_WORD = re.compile(r"\w+")


@dataclass
class PageBlocks:
    """One page's blocks as the training sees them (no labels for frozen pages are ever read)."""

    dataset: str
    page_id: str
    fold: int
    features: np.ndarray  # (blocks, FEATURE_COUNT)
    labels: np.ndarray  # 1 content, 0 boilerplate, -1 unlabelled
    weights: np.ndarray
    texts: list[str]
    kept: np.ndarray
    trafilatura_text: str


def _code_digest() -> str:
    """A digest of the block code: a cache of other features is never read. Changes elsewhere in
    the extract stage (what trafilatura keeps, page types) are picked up by `--fresh`, which
    `make train` always passes."""
    return hashlib.sha256((REPO / "scraper" / "extract" / "blocks.py").read_bytes()).hexdigest()[:16]


def _sets(text: str) -> tuple[set[str], set[tuple[str, str, str]]]:
    tokens = _WORD.findall(text.lower())
    return set(tokens), set(zip(tokens, tokens[1:], tokens[2:], strict=False))


def _page(task: tuple[str, dict[str, Any], str]) -> PageBlocks | None:
    from scraper.config import ExtractSettings  # noqa: PLC0415  # imported in the worker
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract import model  # noqa: PLC0415
    from scraper.extract.blocks import overlap  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    name, row, path = task
    model.use(None)  # the blocks as trafilatura alone leaves them
    trace = Trace(collect_blocks=True)
    try:
        document = extract(load_file(path, url=None, max_bytes=50 * 2**20), ExtractSettings(), trace)
    except ScraperError:
        return None
    if not trace.blocks:
        return None
    labels = []
    if row.get("text"):
        uni, tri = _sets(str(row["text"]))
        labels = [int(overlap(b.text, uni, tri) >= 0.5) for b in trace.blocks]
    else:
        good = _sets(" \n ".join(row.get("with") or []))
        bad = _sets(" \n ".join(row.get("without") or []))
        for block in trace.blocks:
            if overlap(block.text, *good) >= 0.5:
                labels.append(1)
            elif len(_WORD.findall(block.text)) >= 2 and overlap(block.text, *bad) >= 0.5:
                labels.append(0)
            else:
                labels.append(-1)
    return PageBlocks(
        dataset=name,
        page_id=str(row["id"]),
        fold=fold_of(row),
        features=np.asarray([b.features for b in trace.blocks], dtype=np.float32),
        labels=np.asarray(labels, dtype=np.int8),
        weights=np.asarray(
            [min(_MAX_WEIGHT, max(1, len(_WORD.findall(b.text)))) for b in trace.blocks], dtype=np.float32
        ),
        texts=[b.text for b in trace.blocks],
        kept=np.asarray([b.kept for b in trace.blocks], dtype=np.float32),
        trafilatura_text=document.text,
    )


class _Unpickler(pickle.Unpickler):
    """Our own cache, written below; `PageBlocks` is found here whether this ran as a script or not."""

    def find_class(self, module: str, name: str) -> Any:
        return PageBlocks if name == "PageBlocks" else super().find_class(module, name)


def collect(datasets: list[Dataset], jobs: int, *, fresh: bool = False) -> list[PageBlocks]:
    """Every page's blocks, from the cache when the block code has not changed (and not `fresh`)."""
    OUT.mkdir(parents=True, exist_ok=True)
    digest = _code_digest()
    pages: list[PageBlocks] = []
    for dataset in datasets:
        cache = OUT / f"{dataset.name}-{digest}.pkl"
        if cache.is_file() and not fresh:
            with open(cache, "rb") as fh:
                pages += _Unpickler(fh).load()
            continue
        started = time.perf_counter()
        tasks = [(dataset.name, row, str(dataset.source(row))) for row in dataset.rows]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            found = [p for p in pool.map(_page, tasks, chunksize=4) if p is not None]
        print(f"train: {dataset.name}: blocks of {len(found)} pages in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
        with open(cache, "wb") as fh:
            pickle.dump(found, fh)
        pages += found
    return pages


def fit(pages: list[PageBlocks], rounds: int = ROUNDS) -> Any:
    """A LightGBM Booster on the labelled blocks of these pages."""
    import lightgbm  # noqa: PLC0415

    features = np.concatenate([p.features for p in pages])
    labels = np.concatenate([p.labels for p in pages])
    weights = np.concatenate([p.weights for p in pages])
    labelled = labels >= 0
    data = lightgbm.Dataset(
        features[labelled], labels[labelled], weight=weights[labelled], params={"verbose": -1}
    )
    return lightgbm.train(PARAMS, data, num_boost_round=rounds)


def fold_models(pages: list[PageBlocks]) -> dict[int, Any]:
    """One model per CV fold (trained on the other non-frozen folds) and one for the frozen split
    (trained on every non-frozen page: the shipped model)."""
    folds = sorted({p.fold for p in pages} - {FROZEN})
    models = {k: fit([p for p in pages if p.fold not in (k, FROZEN)]) for k in folds}
    models[FROZEN] = fit([p for p in pages if p.fold != FROZEN])
    return models


def write_artifact(booster: Any, path: Path = ARTIFACT, **training: Any) -> int:
    """The artifact, and its manifest beside it (scraper.extract.model.manifest) with `training`."""
    from scraper.extract.model import MANIFEST, manifest  # noqa: PLC0415

    # mtime 0: the same model gives the same bytes
    data = gzip.compress(booster.model_to_string().encode("utf-8"), compresslevel=9, mtime=0)
    path.write_bytes(data)
    described = manifest(data, **training)
    path.with_name(MANIFEST).write_text(
        json.dumps(described, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return len(data)


def _digest(dataset: Dataset) -> str:
    """sha256 of the dataset's index (its rows, as loaded): which data a model was trained on."""
    rows = json.dumps(dataset.rows, sort_keys=True, default=str)
    return hashlib.sha256(rows.encode("utf-8")).hexdigest()


def cv_check(pages: list[PageBlocks], datasets: list[Dataset]) -> None:
    """The site-grouped CV of the block decisions alone (no pipeline run): our text, page by page,
    against trafilatura's, on the non-frozen pages only (the frozen split is never looked at here)."""
    from quality import scorer  # noqa: PLC0415

    from scraper.extract.model import decide  # noqa: PLC0415

    folds = sorted({p.fold for p in pages} - {FROZEN})
    ours: dict[str, str] = {}
    for k in folds:
        booster = fit([p for p in pages if p.fold not in (k, FROZEN)])
        for page in (p for p in pages if p.fold == k):
            probabilities = [float(x) for x in booster.predict(page.features, num_threads=1)]
            verdicts = decide(probabilities, [float(x) for x in page.kept], [len(t) for t in page.texts])
            ours[f"{page.dataset}/{page.page_id}"] = (
                page.trafilatura_text
                if verdicts is None
                else "\n".join(t for t, keep in zip(page.texts, verdicts, strict=True) if keep)
            )
    score = scorer()
    for dataset in datasets:
        rows = [r for r in dataset.rows if fold_of(r) != FROZEN]
        protocol = "snippets" if dataset.name == "trafilatura-eval" else "shingle"
        by_id = {p.page_id: p for p in pages if p.dataset == dataset.name}
        systems = {
            "blocks": {i: ours.get(f"{dataset.name}/{i}", "") for i in by_id},
            "trafilatura": {i: p.trafilatura_text for i, p in by_id.items()},
        }
        found = {name: score.score(rows, texts, name, [protocol], 4, 0, 0, None)[0].metrics["f1"]
                 for name, texts in systems.items()}  # fmt: skip
        print(f"cv {dataset.name:<22}{protocol:<9}{len(rows):>5} pages  blocks {found['blocks']:.3f}  "
              f"trafilatura alone {found['trafilatura']:.3f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--check", action="store_true", help="print the CV of the block decisions first")
    parser.add_argument("--fresh", action="store_true", help="collect the blocks again, ignoring the cache")
    args = parser.parse_args()
    datasets = load_datasets(command="train")
    pages = collect(datasets, args.jobs, fresh=args.fresh)
    if args.check:
        cv_check(pages, datasets)
    training = [p for p in pages if p.fold != FROZEN]
    blocks = sum(len(p.labels) for p in training)
    started = time.perf_counter()
    booster = fit(training)
    seconds = time.perf_counter() - started
    size = write_artifact(
        booster,
        lightgbm=importlib.metadata.version("lightgbm"),
        training_pages=len(training),
        training_blocks=blocks,
        datasets={d.name: _digest(d) for d in datasets},
        seconds=round(seconds, 1),
    )
    print(f"train: {len(training)} pages ({blocks} blocks, frozen sites left out) in {seconds:.1f} s; "
          f"{ARTIFACT.relative_to(REPO)}: {size / 1024:.0f} KiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
