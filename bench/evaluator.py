"""The numpy evaluator of the block model (scraper/extract/trees.py) against LightGBM itself.

    make bench-evaluator                                   # 40 pages of each dataset
    .venv/bin/python bench/evaluator.py --sample 100

On a sample of the shared datasets' pages, each page's blocks go through both: the largest
difference of a probability, whether every keep/drop choice (`model.decide`, with and without
comments) is the same, and the CPU time of each per page, paired and repeated in one process
(LightGBM with one thread, as the pipeline called it). LightGBM comes from the `train` group.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import statistics
import sys
import time
from importlib import resources
from typing import Any

from quality import sample
from splits import load_datasets

ROUNDS = 9


def blocks_of(path: str) -> Any:
    """The page's blocks as the pipeline cuts them, or None when it has none."""
    from scraper.config import ExtractSettings  # noqa: PLC0415
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    trace = Trace()
    with contextlib.suppress(ScraperError):  # no main content: its blocks were still cut and scored
        extract(load_file(path, url=None, max_bytes=50 * 2**20), ExtractSettings(), trace)
    return trace.blocks or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=40, help="pages per dataset")
    args = parser.parse_args()
    try:
        import lightgbm  # noqa: PLC0415
    except ImportError:
        sys.exit("bench-evaluator: needs LightGBM: pip install --group train (make bench-evaluator does)")
    import numpy as np  # noqa: PLC0415

    from scraper.extract import model  # noqa: PLC0415
    from scraper.extract.trees import Trees  # noqa: PLC0415

    artifact = resources.files("scraper.extract").joinpath(model.ARTIFACT)
    text = gzip.decompress(artifact.read_bytes()).decode("utf-8")
    booster, trees = lightgbm.Booster(model_str=text), Trees.from_text(text)
    pages = []
    for dataset in load_datasets(command="bench-evaluator"):
        for row in sample(dataset.rows, args.sample):
            blocks = blocks_of(str(dataset.source(row)))
            if blocks:
                pages.append((blocks, np.asarray([b.features for b in blocks], dtype=np.float64)))
    worst, differing = 0.0, 0
    for blocks, matrix in pages:
        theirs, mine = np.asarray(booster.predict(matrix, num_threads=1)), trees.predict(matrix)
        worst = max(worst, float(np.abs(theirs - mine).max()))
        for comments in (False, True):
            choices = [
                model.decide(np.asarray(p).tolist(), [b.kept for b in blocks], [len(b.text) for b in blocks],
                             comments=comments, comments_last=True, texts=[b.text for b in blocks])
                for p in (theirs, mine)
            ]  # fmt: skip
            differing += choices[0] != choices[1]
    timings: dict[str, list[float]] = {"lightgbm": [], "numpy": []}
    for _ in range(ROUNDS):  # paired: both in each round, CPU time of this thread
        for name, predict in (("lightgbm", lambda m: booster.predict(m, num_threads=1)),
                              ("numpy", trees.predict)):  # fmt: skip
            started = time.thread_time()
            for _, matrix in pages:
                predict(matrix)
            timings[name].append((time.thread_time() - started) / len(pages) * 1000)
    blocks_total = sum(len(m) for _, m in pages)
    lgb, ours = (statistics.median(timings[n]) for n in ("lightgbm", "numpy"))
    print(f"bench-evaluator: {len(pages)} pages, {blocks_total} blocks")
    print(f"largest difference of a probability: {worst:.3g}")
    print(f"pages whose keep/drop choices differ (with and without comments): {differing}")
    ratio = ours / lgb
    print(f"CPU per page (median of {ROUNDS}): LightGBM {lgb:.3f} ms, numpy {ours:.3f} ms ({ratio:.2f}x)")
    return 1 if differing or worst > 1e-12 else 0


if __name__ == "__main__":
    sys.exit(main())
