"""Issue 13 item 3, measured: other extractors' votes as block features, on the site-grouped CV.

    .venv/bin/python bench/votes.py              # collect the votes (cached), then the CV table
    .venv/bin/python bench/votes.py --collect    # only collect them

1. Every non-frozen page of ../shared/datasets goes through the real pipeline with no model (as
   bench/train.py collects blocks), and what trafilatura's fallback comparison computes on the
   way is captured as it runs: its readability port's text (always, unless `fast`) and jusText's
   (only when trafilatura's own text is short or unclean). Those two are *free*: they exist
   wherever trafilatura's extraction runs, which is where the main model judges blocks. On the
   same pre-passed page, jusText, `favor_precision` and `favor_recall` are then run apart and
   timed in CPU ms: they are *paid*, an extra cost per page. The pipeline's own CPU time on the
   page is taken beside them, in the same process, for the ratio.
2. Each vote joins the cached blocks (bench/out/blocks, bench/train.py) as a block feature: the
   share of the block's word trigrams in that extractor's text (blocks.overlap; NaN where the
   vote did not run, which LightGBM reads as missing).
3. The main model of bench/train.py (same parameters and rounds) is fitted on the same folds
   with and without the vote columns; the block decisions' CV (bench/train.py `cv_scores`) is
   printed per dataset, on every CV page, then with the cascade (the first model, unchanged,
   decides where it is sure; the main model where it is not), then on the unsure pages alone:
   where trafilatura runs and a vote could be read. The frozen split is never read.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import os
import pickle
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
from splits import FROZEN, REPO, Dataset, fold_of, load_datasets
from train import OUT as BLOCKS
from train import PARAMS, ROUNDS, SEED, PageBlocks, _code_digest, _sets, collect, cv_probabilities, cv_scores

OUT = REPO / "bench" / "out" / "votes"
FREE = ("readability", "justext_fallback")  # computed by trafilatura's fallback comparison
PAID = ("justext", "precision", "recall")  # run apart, on every page
VARIANTS: dict[str, tuple[str, ...]] = {
    "free": FREE,
    "readability": ("readability",),
    "paid": PAID,
    "all": FREE + PAID,
}


# one page's votes: each vote's text (None: it did not run), and CPU seconds per vote
PageVotes = tuple[dict[str, str | None], dict[str, float]]


def _page_votes(task: tuple[str, dict[str, Any], str]) -> tuple[str, PageVotes] | None:
    """One page's votes, by its id: the free ones captured as the pipeline runs, then the paid
    ones (and readability again, to time it alone) on the page trafilatura was given."""
    from scraper.config import ExtractSettings  # noqa: PLC0415
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract import model, pipeline  # noqa: PLC0415

    _, row, path = task
    model.use(None)  # the pipeline as bench/train.py collects blocks: trafilatura on every page
    texts: dict[str, str | None] = dict.fromkeys(FREE + PAID)
    html: list[str] = []  # what each trafilatura call was given
    started = time.process_time()
    try:
        with _listening(texts, html):
            pipeline.extract(load_file(path, url=None, max_bytes=50 * 2**20), ExtractSettings())
    except ScraperError:
        return None
    seconds = {"pipeline": time.process_time() - started}
    if not html:
        return None
    if texts["readability"] is None:
        texts["readability"] = ""  # trafilatura ran and its fallback comparison gave nothing
    for vote, text, spent in _alone(html[0]):
        seconds[vote] = spent
        if vote in texts:
            texts[vote] = text
    return str(row["id"]), (texts, seconds)


@contextlib.contextmanager
def _listening(texts: dict[str, str | None], html: list[str]) -> Iterator[None]:
    """While it is open, what the first trafilatura call's fallback comparison computes goes into
    `texts` (readability always, jusText when it rescues), and the page each call is given into
    `html` (this bench's own process: the library's functions are put back after)."""
    from trafilatura import external  # noqa: PLC0415

    from scraper.extract import pipeline  # noqa: PLC0415

    readability, justext, run = external.try_readability, external.try_justext, pipeline._run_trafilatura

    def heard_readability(tree: Any) -> Any:
        found = readability(tree)
        if len(html) == 1 and texts["readability"] is None:  # the first call's, whose output is judged
            texts["readability"] = found.text_content()
        return found

    def heard_justext(tree: Any, url: Any, language: Any) -> Any:
        found = justext(tree, url, language)
        if len(html) == 1 and texts["justext_fallback"] is None:
            texts["justext_fallback"] = " ".join(found.itertext())
        return found

    def given(page_html: str, *args: Any, **kwargs: Any) -> Any:
        html.append(page_html)
        return run(page_html, *args, **kwargs)

    with (
        mock.patch.object(external, "try_readability", heard_readability),
        mock.patch.object(external, "try_justext", heard_justext),
        mock.patch.object(pipeline, "_run_trafilatura", given),
    ):
        yield


def _alone(html: str) -> Iterator[tuple[str, str, float]]:
    """Each extractor run apart on the page trafilatura was given: its name, text and CPU seconds."""
    import trafilatura  # noqa: PLC0415
    from trafilatura.baseline import basic_cleaning  # noqa: PLC0415
    from trafilatura.external import try_justext, try_readability  # noqa: PLC0415
    from trafilatura.utils import load_html  # noqa: PLC0415

    def readability() -> str:
        tree = load_html(html)
        return "" if tree is None else str(try_readability(tree).text_content())

    def justext() -> str:
        tree = load_html(html)
        return "" if tree is None else " ".join(try_justext(basic_cleaning(tree), None, None).itertext())

    def precision() -> str:
        return trafilatura.extract(html, favor_precision=True, include_comments=False) or ""

    def recall() -> str:
        return trafilatura.extract(html, favor_recall=True, include_comments=False) or ""

    for vote, call in (("readability_alone", readability), ("justext", justext),
                       ("precision", precision), ("recall", recall)):  # fmt: skip
        started = time.process_time()
        try:
            text = call()
        except Exception:  # a vote that fails is an empty opinion
            text = ""
        yield vote, text, time.process_time() - started


def collect_votes(datasets: list[Dataset], jobs: int) -> dict[str, PageVotes]:
    """Every non-frozen page's votes by "dataset/id", from bench/out/votes when collected already."""
    OUT.mkdir(parents=True, exist_ok=True)
    found: dict[str, PageVotes] = {}
    for dataset in datasets:
        cache = OUT / f"{dataset.name}-{_code_digest()}.pkl"
        if cache.is_file():
            with open(cache, "rb") as fh:
                votes = pickle.load(fh)
        else:
            started = time.perf_counter()
            rows = [r for r in dataset.rows if fold_of(r) != FROZEN]
            tasks = [(dataset.name, r, str(dataset.source(r))) for r in rows]
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                votes = dict(p for p in pool.map(_page_votes, tasks, chunksize=4) if p is not None)
            print(f"votes: {dataset.name}: {len(votes)} pages in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)  # fmt: skip
            with open(cache, "wb") as fh:
                pickle.dump(votes, fh)
        found.update({f"{dataset.name}/{i}": v for i, v in votes.items()})
    return found


def cost(votes: dict[str, PageVotes]) -> None:
    """Mean CPU ms per page of each vote run alone, beside the pipeline's, and how often the
    fallback comparison ran jusText."""
    seconds = [s for _, s in votes.values()]
    pipeline = 1000 * float(np.mean([s["pipeline"] for s in seconds]))
    print(f"cost over {len(seconds)} pages: the pipeline (no model, trafilatura on every page) "
          f"{pipeline:.1f} CPU ms a page")  # fmt: skip
    for vote in ("readability_alone", "justext", "precision", "recall"):
        ms = 1000 * float(np.mean([s[vote] for s in seconds]))
        print(f"  {vote:<18} {ms:6.1f} ms a page ({ms / pipeline:.2f}x the pipeline)")
    ran = sum(t["justext_fallback"] is not None for t, _ in votes.values())
    print(f"  trafilatura's fallback ran jusText on {ran} of {len(votes)} pages")


def attach(pages: list[PageBlocks], votes: dict[str, PageVotes]) -> list[PageBlocks]:
    """The non-frozen pages that have votes, each with its block shares per vote (NaN: not run)."""
    kept = []
    for page in pages:
        key = f"{page.dataset}/{page.page_id}"
        if page.fold == FROZEN or key not in votes:
            continue
        from scraper.extract.blocks import overlap  # noqa: PLC0415

        page.votes = {}
        for vote, text in votes[key][0].items():
            if text is None:
                page.votes[vote] = np.full(len(page.texts), math.nan, dtype=np.float32)
            else:
                sets = _sets(text)
                page.votes[vote] = np.asarray([overlap(t, *sets) for t in page.texts], dtype=np.float32)
        kept.append(page)
    return kept


def _fold_probabilities(
    task: tuple[Path, tuple[str, ...], bool, int],
) -> tuple[tuple[str, ...], bool, int, dict[str, np.ndarray]]:
    """One variant's CV probabilities with LightGBM's `seed` (cached beside the joined pages,
    keyed by their digest)."""
    path, votes, first, seed = task
    name = "first" if first else "+".join(votes) or "none"
    cache = path.with_name(f"{path.stem}-{name}{'' if seed == SEED else f'-seed{seed}'}.pkl")
    if cache.is_file():
        with open(cache, "rb") as fh:
            return votes, first, seed, pickle.load(fh)
    with open(path, "rb") as fh:
        pages = pickle.load(fh)
    PARAMS["seed"] = seed  # this worker's fits only
    found = cv_probabilities(pages, (ROUNDS,), votes, first=first)[ROUNDS]
    with open(cache, "wb") as fh:
        pickle.dump(found, fh)
    return votes, first, seed, found


def measure(
    pages: list[PageBlocks], datasets: list[Dataset], jobs: int, variants: list[str], seeds: list[int]
) -> None:
    """The CV table: each variant's gain over the model without votes, on every CV page, with the
    cascade (its first model as `make train` fits it), and on the pages the cascade is unsure of;
    with each of LightGBM's `seeds`, whose spread is the noise a gain must clear (a new column
    changes which features each tree samples, so the whole model moves)."""
    from scraper.extract.model import sure  # noqa: PLC0415

    data = pickle.dumps(pages)
    # the workers read the joined pages from here; their CV probabilities are cached beside it
    path = OUT / f"pages-{hashlib.sha256(data).hexdigest()[:16]}.pkl"
    path.write_bytes(data)
    names = ["none", *variants]
    tasks = [(path, (), True, SEED), *((path, VARIANTS.get(n, ()), False, s) for s in seeds for n in names)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        found = {(votes, first, seed): p for votes, first, seed, p in pool.map(_fold_probabilities, tasks)}
    first = found[(), True, SEED]
    unsure = [
        p for p in pages
        if sure(first[f"{p.dataset}/{p.page_id}"].tolist(), [len(t) for t in p.texts],
                comments=p.page_type == "forum") is None
    ]  # fmt: skip
    table: dict[tuple[str, int], dict[str, dict[str, dict[str, float]]]] = {}
    for seed in seeds:
        for name in names:
            probabilities = found[VARIANTS.get(name, ()), False, seed]
            label = f"{name} s{seed % 1000}"
            table[name, seed] = {
                "main model": cv_scores(pages, datasets, probabilities, label),
                "cascade": cv_scores(pages, datasets, probabilities, f"{label} cascade", first),
                "unsure pages": cv_scores(unsure, datasets, probabilities, f"{label} unsure"),
            }
    print(f"\nunsure pages (trafilatura runs): {len(unsure)} of {len(pages)}; seeds {seeds}")
    for scope in ("main model", "cascade", "unsure pages"):
        print(f"\n{scope}: F1 without votes (each seed), then each variant's gain (each seed; mean)")
        for dataset in (d.name for d in datasets):
            base = [table["none", s][scope][dataset]["f1"] for s in seeds]
            cells = []
            for v in variants:
                gains = [table[v, s][scope][dataset]["f1"] - b for s, b in zip(seeds, base, strict=True)]
                cells.append(f"{v} {' '.join(f'{g:+.4f}' for g in gains)} ({np.mean(gains):+.4f})")
            print(f"  {dataset:<22}{' '.join(f'{b:.4f}' for b in base)}  {'  '.join(cells)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--collect", action="store_true", help="only collect the votes")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"of {', '.join(VARIANTS)}")
    parser.add_argument("--seeds", default=str(SEED), help="LightGBM seeds, comma-separated (the noise)")
    args = parser.parse_args()
    datasets = load_datasets(command="votes")
    votes = collect_votes(datasets, args.jobs)
    cost(votes)
    if args.collect:
        return 0
    if not any(BLOCKS.glob(f"*-{_code_digest()}.pkl")):
        sys.exit("votes: no cached blocks for this blocks.py: run bench/train.py --check first")
    pages = attach(collect(datasets, args.jobs), votes)
    measure(pages, datasets, args.jobs, args.variants.split(","), [int(s) for s in args.seeds.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
