"""Train the block model (scraper/extract/block_model.txt.gz) from ../shared/datasets.

    make train                                  # collect blocks, CV, fit on every non-frozen page, write
    .venv/bin/python bench/train.py --check     # the same from the cache of blocks (bench/out/blocks)
    .venv/bin/python bench/train.py --choose-rounds   # the CV after each of ROUND_CHOICES rounds
    .venv/bin/python bench/train.py --seeds     # the cascade's CV over SEEDS: mean and range per set
    .venv/bin/python bench/train.py --seeds --members 3 --member-rounds 50   # a seed ensemble's

1. Every page of every dataset goes through the real pipeline with no model
   (`extract(..., Trace(collect_blocks=True))`): its blocks, their features, and how much of each
   trafilatura kept. The result is cached in bench/out/blocks/ for the bench (keyed by a digest
   of blocks.py); `make train` passes `--fresh` and collects everything again.
2. Labels align each block with the page's truth, in three classes: boilerplate, content and
   comment. A block is content when at least half of its word trigrams (its words, under three)
   are in the truth text; a comment when they are in the page's comments truth (dragnet-train's
   `comments`), or when it is content of a forum page under a comment, reply or answer container
   (wcxb-dev's forum replies). trafilatura-eval has snippets, not text: a block is content when
   it overlaps a "with" snippet, boilerplate when it overlaps a "without" one, and unlabelled (left
   out) otherwise. Each block weighs its number of words (capped), as the F1 scores do.
3. LightGBM (multiclass), seeded, `deterministic` and on one thread (the same bytes on any
   machine), fits on the pages whose site is not frozen (splits.py). Nothing here ever reads a
   frozen page's labels. The number of rounds is the one `--choose-rounds` found best on the
   site-grouped CV; `--check` writes that CV into the manifest beside the artifact.
4. The same run fits the cascade's first model (scraper/extract/block_model_first.txt.gz, with
   its own manifest) on the same blocks without the features read from trafilatura's output
   (blocks.TRAFILATURA_FEATURES), with the same parameters. `--check` also prints the cascade's
   CV: the share of pages the first model is sure of (trafilatura's extraction skipped there)
   and each dataset's F1 with the cascade beside the main model's alone.
5. `--seeds` compares procedures as they should be compared: one seed moves a set's CV by up to
   0.007, so each procedure (the blocks, `--param KEY=VALUE`, a seed ensemble) is scored by the
   cascade's CV over several seeds, the mean with the range beside it; nothing is written but
   each seed's CV probabilities (bench/out/seeds), which a later procedure reuses, and so does
   `--check` (SEED's; not after `--fresh`): the CV in the manifest is SEED's draw of `--seeds`.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import importlib.metadata
import json
import os
import pickle
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from splits import FROZEN, REPO, Dataset, fold_of, load_datasets

OUT = REPO / "bench" / "out" / "blocks"
ARTIFACT = REPO / "scraper" / "extract" / "block_model.txt.gz"
FIRST_ARTIFACT = REPO / "scraper" / "extract" / "block_model_first.txt.gz"
SEED = 20261130
PARAMS: dict[str, Any] = {
    "objective": "multiclass",
    "num_class": 3,
    "learning_rate": 0.2,
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
    "num_threads": 1,  # one thread: the same bytes on any machine, and no spinning on a loaded one
    "verbose": -1,
}
ROUNDS = 150
# a model is the average of MEMBERS models fitted with different seeds (`merge`), each of
# MEMBER_ROUNDS rounds: a variance reducer (one seed moves cleaneval's CV by up to 0.007)
MEMBERS = 1
MEMBER_ROUNDS = ROUNDS
# each comment block's weight (its words, capped) is multiplied by this (`--comment-weight`): a
# heavier cost on taking a reader's comment for the story (dragnet's precision). 2 was at or above
# 1 on every set's seed mean in the twenty-first round (seeds 20261130 and 11 on 440eefc's blocks;
# docs/model.md), not shipped: its refit loses two golden pages
COMMENT_WEIGHT = 1.0
_MAX_WEIGHT = 100


def procedure() -> dict[str, Any]:
    """How a model is fitted besides PARAMS and its blocks: written into each manifest, and part of
    bench/quality.py's key of its CV fold models (fitted by `fold_models`, so the same way)."""
    return {"rounds": ROUNDS, "members": MEMBERS, "member_rounds": MEMBER_ROUNDS,
            "comment_weight": COMMENT_WEIGHT}  # fmt: skip


_WORD = re.compile(r"\w+")


@dataclass
class PageBlocks:
    """One page's blocks as the training sees them (no labels for frozen pages are ever read)."""

    dataset: str
    page_id: str
    fold: int
    page_type: str  # as judged before extraction (forum pages keep their comments)
    features: np.ndarray  # (blocks, FEATURE_COUNT)
    labels: np.ndarray  # model.CLASSES: 0 boilerplate, 1 content, 2 comment; -1 unlabelled
    weights: np.ndarray
    texts: list[str]
    kept: np.ndarray
    under_reply: np.ndarray  # under an element classed comment, reply or answer
    trafilatura_text: str
    # other extractors' opinions (bench/votes.py joins them; not model features): per vote, the
    # share of each block in that extractor's text
    votes: dict[str, np.ndarray] | None = None
    listing: bool = False  # typed listing or collection by its dataset (set with the labels)
    # each block's siblings of its kind (`Block.alike`, which no model reads; `item_runs`); None in a
    # cache collected before it was kept
    alike: np.ndarray | None = None


# the modules that read blocks once they are made: the features do not depend on them
_READERS = ("model.py", "trees.py")
# the libraries that shape a page's blocks besides our code (trafilatura's verdict, the parsers)
_ENGINES = ("trafilatura", "htmldate", "lxml", "selectolax")


def _code_digest() -> str:
    """A digest of what makes the cached blocks: the code of the extract stage (blocks.py, the
    pre-pass and its rules, page typing, the pipeline, ...) and of the shared core, and the
    versions of trafilatura and the parsers, so that a cache the code of another state made is
    never read (it once covered blocks.py alone, and the shipped models learnt blocks that older
    pre-pass and page-typing rules had made; model10's finding, e89a073). The modules that read
    blocks once made (`_READERS`) are left out (`make train` passes `--fresh`)."""
    digest = hashlib.sha256()
    package = REPO / "scraper"
    for path in sorted([*package.glob("*.py"), *(package / "extract").glob("*.py")]):
        if path.parent.name != "extract" or path.name not in _READERS:
            digest.update(f"{path.relative_to(REPO)}\n".encode() + path.read_bytes())
    for name in _ENGINES:
        digest.update(f"{name} {importlib.metadata.version(name)}\n".encode())
    return digest.hexdigest()[:16]


def _sets(text: str) -> tuple[set[str], set[tuple[str, str, str]]]:
    tokens = _WORD.findall(text.lower())
    return set(tokens), set(zip(tokens, tokens[1:], tokens[2:], strict=False))


# a forum's content under a container with one of these class/id words is a reply (a comment)
_REPLY_WORDS = ("comment", "reply", "answer")


def _page(task: tuple[str, dict[str, Any], str]) -> PageBlocks | None:
    from scraper.config import ExtractSettings  # noqa: PLC0415  # imported in the worker
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract import model  # noqa: PLC0415
    from scraper.extract.blocks import VOCABULARY  # noqa: PLC0415
    from scraper.extract.classify import classify  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    name, row, path = task
    model.use(None)  # the blocks as trafilatura alone leaves them
    trace = Trace(collect_blocks=True)
    try:
        document = extract(load_file(path, url=None, max_bytes=50 * 2**20), ExtractSettings(), trace)
    except ScraperError:
        return None
    if not trace.blocks or trace.signals is None:
        return None
    reply_mask = sum(1 << VOCABULARY.index(w) for w in _REPLY_WORDS)
    return PageBlocks(
        dataset=name,
        page_id=str(row["id"]),
        fold=fold_of(row),
        page_type=classify(trace.signals, None, None).page_type,
        features=np.asarray([b.features for b in trace.blocks], dtype=np.float32),
        labels=np.zeros(len(trace.blocks), dtype=np.int8),  # set by `label`, from the truth
        under_reply=np.asarray([bool((b.own_words | b.outer_words) & reply_mask) for b in trace.blocks]),
        weights=np.asarray(
            [min(_MAX_WEIGHT, max(1, len(_WORD.findall(b.text)))) for b in trace.blocks], dtype=np.float32
        ),
        texts=[b.text for b in trace.blocks],
        kept=np.asarray([b.kept for b in trace.blocks], dtype=np.float32),
        trafilatura_text=document.text,
        alike=np.asarray([b.alike for b in trace.blocks], dtype=np.int32),
    )


def label(page: PageBlocks, row: dict[str, Any]) -> None:
    """Set the page's block labels from its truth row (model.CLASSES; -1: unlabelled)."""
    from scraper.extract import model  # noqa: PLC0415
    from scraper.extract.blocks import overlap  # noqa: PLC0415

    labels = []
    if row.get("text"):
        uni, tri = _sets(str(row["text"]))
        comments = _sets(str(row["comments"])) if row.get("comments") else None
        for text, reply in zip(page.texts, page.under_reply, strict=True):
            if overlap(text, uni, tri) >= 0.5:
                labels.append(model.COMMENT if reply and page.page_type == "forum" else model.CONTENT)
            elif comments is not None and overlap(text, *comments) >= 0.5:
                labels.append(model.COMMENT)
            else:
                labels.append(model.BOILERPLATE)
    else:
        good = _sets(" \n ".join(row.get("with") or []))
        bad = _sets(" \n ".join(row.get("without") or []))
        for text in page.texts:
            if overlap(text, *good) >= 0.5:
                labels.append(model.CONTENT)
            elif len(_WORD.findall(text)) >= 2 and overlap(text, *bad) >= 0.5:
                labels.append(model.BOILERPLATE)
            else:
                labels.append(-1)
    page.labels = np.asarray(labels, dtype=np.int8)


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
                cached: list[PageBlocks] = _Unpickler(fh).load()
            if any(p.alike is None for p in cached):
                print(f"train: {cache.name} holds no Block.alike: the item rule's runs read Block.repeated "
                      "alone (--fresh collects them)", file=sys.stderr)  # fmt: skip
            pages += cached
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
    rows = {(d.name, str(r["id"])): r for d in datasets for r in d.rows}
    for page in pages:
        if page.fold == FROZEN:  # never labelled: nothing may learn from the final-check split
            page.labels = np.full(len(page.texts), -1, dtype=np.int8)
        else:
            label(page, rows[page.dataset, page.page_id])
            page.listing = str(rows[page.dataset, page.page_id].get("page_type")) in ("listing", "collection")
    return pages


def matrix(page: PageBlocks, votes: tuple[str, ...] = (), *, first: bool = False) -> np.ndarray:
    """The page's feature matrix (the columns the main model reads: blocks.MAIN_FEATURES), with the
    named votes as further columns (bench/votes.py); with `first`, only the columns the cascade's
    first model reads (blocks.FIRST_FEATURES)."""
    if first:
        from scraper.extract.blocks import FIRST_FEATURES  # noqa: PLC0415

        return page.features[:, FIRST_FEATURES]
    from scraper.extract.blocks import MAIN_FEATURES  # noqa: PLC0415

    if not votes:
        return page.features[:, MAIN_FEATURES]
    assert page.votes is not None, "votes were not joined: bench/votes.py"
    return np.column_stack([page.features[:, MAIN_FEATURES], *(page.votes[v] for v in votes)])


def fit(
    pages: list[PageBlocks],
    rounds: int = ROUNDS,
    votes: tuple[str, ...] = (),
    *,
    first: bool = False,
    seed: int = SEED,
) -> Any:
    """A LightGBM Booster on the labelled blocks of these pages (`first`: the cascade's first model);
    with MEMBERS > 1, the average of MEMBERS boosters of MEMBER_ROUNDS rounds, seeded from `seed`."""
    import lightgbm  # noqa: PLC0415

    features = np.concatenate([matrix(p, votes, first=first) for p in pages])
    labels = np.concatenate([p.labels for p in pages])
    weights = np.concatenate([p.weights for p in pages])
    if COMMENT_WEIGHT != 1.0:
        from scraper.extract.model import COMMENT  # noqa: PLC0415

        weights = np.where(labels == COMMENT, weights * COMMENT_WEIGHT, weights)
    labelled = labels >= 0
    data = lightgbm.Dataset(
        features[labelled], labels[labelled], weight=weights[labelled], params={"verbose": -1}
    )
    if MEMBERS == 1:
        return lightgbm.train({**PARAMS, "seed": seed}, data, num_boost_round=rounds)
    members = [
        lightgbm.train({**PARAMS, "seed": seed + 7919 * i}, data, num_boost_round=MEMBER_ROUNDS)
        for i in range(MEMBERS)
    ]
    return lightgbm.Booster(model_str=merge([m.model_to_string() for m in members]))


def merge(models: list[str]) -> str:
    """One LightGBM model text whose raw scores are the mean of `models`' (same objective and
    features): their trees one after another, each leaf's value divided by their number."""
    trees: list[str] = []
    for text in models:
        body = text[text.index("\nTree=0\n") + 1 : text.index("\nend of trees")]
        trees += re.split(r"^Tree=\d+\n", body, flags=re.MULTILINE)[1:]

    def scaled(match: re.Match[str]) -> str:
        return "leaf_value=" + " ".join(repr(float(v) / len(models)) for v in match[1].split())

    trees = [re.sub(r"^leaf_value=(.*)$", scaled, t, flags=re.MULTILINE) for t in trees]
    first = models[0]
    head = re.sub(r"^tree_sizes=.*\n", "", first[: first.index("\nTree=0\n") + 1], flags=re.MULTILINE)
    tail = first[first.index("\nend of trees") + 1 :]
    return head + "".join(f"Tree={i}\n{t}" for i, t in enumerate(trees)) + tail


def fold_models(pages: list[PageBlocks], *, first: bool = False, seed: int = SEED) -> dict[int, Any]:
    """One model per CV fold, trained on the other non-frozen folds; `first`: the cascade's first
    models; `seed`: LightGBM's (bench/quality.py's `--seeds`). The frozen split is read with the
    shipped models (bench/quality.py), none fitted here."""
    folds = sorted({p.fold for p in pages} - {FROZEN})
    return {k: fit([p for p in pages if p.fold not in (k, FROZEN)], first=first, seed=seed) for k in folds}


def write_artifact(booster: Any, path: Path = ARTIFACT, *, first: bool = False, **training: Any) -> int:
    """The artifact, and its manifest beside it (scraper.extract.model.manifest) with `training`;
    `first`: the cascade's first model."""
    from scraper.extract.model import FIRST, MAIN, manifest  # noqa: PLC0415

    kind = FIRST if first else MAIN
    # mtime 0: the same model gives the same bytes
    data = gzip.compress(booster.model_to_string().encode("utf-8"), compresslevel=9, mtime=0)
    path.write_bytes(data)
    described = manifest(data, kind, **training)
    path.with_name(kind.manifest).write_text(
        json.dumps(described, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return len(data)


def _digest(dataset: Dataset) -> str:
    """sha256 of the dataset's index (its rows, as loaded): which data a model was trained on."""
    rows = json.dumps(dataset.rows, sort_keys=True, default=str)
    return hashlib.sha256(rows.encode("utf-8")).hexdigest()


# the round counts the site-grouped CV compares (`--choose-rounds`); each fold's model is fitted
# once with the most and read at each count (LightGBM's trees of the first N rounds are the model
# of N rounds)
ROUND_CHOICES = (60, 100, 150)


def cv_probabilities(
    pages: list[PageBlocks],
    rounds: tuple[int, ...] = (ROUNDS,),
    votes: tuple[str, ...] = (),
    *,
    first: bool = False,
    seed: int = SEED,
) -> dict[int, dict[str, np.ndarray]]:
    """Each non-frozen page's class probabilities from its CV fold's model (trained on the other
    folds, never on a frozen page), read after each of `rounds`: {rounds: {"dataset/id": (blocks, 3)}}.
    `first`: the cascade's first model's."""
    folds = sorted({p.fold for p in pages} - {FROZEN})
    found: dict[int, dict[str, np.ndarray]] = {n: {} for n in rounds}
    for k in folds:
        started = time.perf_counter()
        booster = fit(
            [p for p in pages if p.fold not in (k, FROZEN)],
            rounds=max(rounds),
            votes=votes,
            first=first,
            seed=seed,
        )
        for page in (p for p in pages if p.fold == k):
            for n in rounds:
                # a merged model (MEMBERS > 1) is read whole
                at = n if MEMBERS == 1 else None
                found[n][f"{page.dataset}/{page.page_id}"] = np.atleast_2d(
                    booster.predict(matrix(page, votes, first=first), num_iteration=at, num_threads=1)
                )
        print(f"train: fold {k}: {max(rounds)} rounds in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)  # fmt: skip
    return found


def cv_texts(
    pages: list[PageBlocks],
    probabilities: dict[str, np.ndarray],
    sources: dict[str, Path] | None = None,
    first: dict[str, np.ndarray] | None = None,
) -> dict[str, str]:
    """Our text of each non-frozen page from its CV probabilities (`cv_probabilities`), with the
    settings' defaults: comments only on forum pages, where they are content. `sources`: each
    page's file by "dataset/id", for the copy rule's count of what the page shows (as the pipeline
    counts it; without it, a text is allowed once). `first`: the first model's CV probabilities,
    for the cascade (the page's text is the first model's where it is sure, `model.sure`). The
    rules after the models apply as in the pipeline: a list page's items (`runs`),
    carousels of other products (read from the block tags) and a text held twice in a row
    (`model.once`, on each kept block)."""
    from scraper.extract.model import decide, once, sure  # noqa: PLC0415

    ours: dict[str, str] = {}
    for page in (p for p in pages if p.fold != FROZEN):
        key = f"{page.dataset}/{page.page_id}"
        shown = _times_shown(sources[key]) if sources is not None and key in sources else None
        sizes, rules = [len(t) for t in page.texts], rule_inputs(page, shown)
        verdicts = None if first is None else sure(first[key].tolist(), sizes, **rules)
        if verdicts is not None:
            ours[key] = "\n".join(once(t) for t, v in zip(page.texts, verdicts, strict=True) if v)
            continue
        verdicts = decide(probabilities[key].tolist(), page.kept.tolist(), sizes, **rules)
        ours[key] = (
            page.trafilatura_text
            if verdicts is None
            else "\n".join(once(t) for t, v in zip(page.texts, verdicts, strict=True) if v)
        )
    return ours


def rule_inputs(page: PageBlocks, shown: Callable[[str], int] | None = None) -> dict[str, Any]:
    """What `model.sure` and `model.decide` read besides the probabilities and sizes, from the
    cached blocks as the pipeline passes it (`model.choose`, `first_choice`): comments only on a
    forum page, the texts, `shown` (the copy rule's count; None: each text once), trafilatura's
    discard votes, each block's alike siblings (`item_runs`), its tag and each block's share of
    link text. The one home of these for every check here
    (cv_texts, cascade_check, teaser_check)."""
    from scraper.extract.blocks import DISCARDED  # noqa: PLC0415
    from scraper.extract.model import LINK_SHARE, tag_seen  # noqa: PLC0415

    return {
        "comments": page.page_type == "forum",
        "texts": page.texts,
        "shown": shown,
        "votes": page.features[:, DISCARDED].tolist(),
        "runs": item_runs(page),
        "tags": [tag_seen(row) for row in page.features.tolist()],
        "links": page.features[:, LINK_SHARE].tolist(),
    }


def item_runs(page: PageBlocks) -> list[int]:
    """Each block's alike siblings as `model.items` reads them (`model.item_run`), as `model._run`
    counts them: the larger of those of its shape, from the cached features (`log_repeated` is log1p
    of `Block.repeated`), and those of its kind (`Block.alike`, kept beside the features): what the
    pipeline passes as `runs`. A cache without `alike` (collected before it was kept) reads the
    first alone, as the pipeline did before `Block.alike`."""
    from scraper.extract.blocks import FEATURE_NAMES  # noqa: PLC0415
    from scraper.extract.model import item_run  # noqa: PLC0415

    repeated = np.rint(np.expm1(page.features[:, FEATURE_NAMES.index("log_repeated")].astype(np.float64)))
    if page.alike is not None:
        repeated = np.maximum(repeated, page.alike)
    return [item_run(row, int(n)) for row, n in zip(page.features.tolist(), repeated.tolist(), strict=True)]


def _times_shown(path: Path) -> Callable[[str], int]:
    """How often the page in `path` shows a text (rendered.times_shown), the page read when first asked."""
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.extract.rendered import times_shown  # noqa: PLC0415

    page = functools.cache(lambda: times_shown(load_file(str(path), url=None, max_bytes=50 * 2**20).html))

    def times(text: str) -> int:
        return page()(text)

    return times


def cv_scores(
    pages: list[PageBlocks],
    datasets: list[Dataset],
    probabilities: dict[str, np.ndarray],
    label: str,
    first: dict[str, np.ndarray] | None = None,
) -> dict[str, dict[str, float]]:
    """The site-grouped CV of the block decisions alone (no pipeline run): our text, page by page,
    against trafilatura's, on the non-frozen pages only (the frozen split is never looked at here).
    Prints a line per dataset; returns our F1, precision and recall per dataset (and trafilatura's
    F1 as `trafilatura`). `first`: the cascade's (`cv_texts`)."""
    from quality import scorer  # noqa: PLC0415

    sources = {f"{d.name}/{r['id']}": d.source(r) for d in datasets for r in d.rows}
    ours = cv_texts(pages, probabilities, sources, first)
    score = scorer()
    found_ours: dict[str, dict[str, float]] = {}
    for dataset in datasets:
        by_id = {p.page_id: p for p in pages if p.dataset == dataset.name and p.fold != FROZEN}
        rows = [r for r in dataset.rows if str(r["id"]) in by_id]
        protocol = {"trafilatura-eval": "snippets", "wcxb-dev": "word"}.get(dataset.name, "shingle")
        systems = {
            "blocks": {i: ours.get(f"{dataset.name}/{i}", "") for i in by_id},
            "trafilatura": {i: p.trafilatura_text for i, p in by_id.items()},
        }
        found = {name: score.score(rows, texts, name, [protocol], 4, 0, 0, None)[0].metrics
                 for name, texts in systems.items()}  # fmt: skip
        found_ours[dataset.name] = {
            "f1": round(found["blocks"]["f1"], 4),
            "precision": round(found["blocks"].get("precision", 0.0), 4),
            "recall": round(found["blocks"].get("recall", 0.0), 4),
            "trafilatura": round(found["trafilatura"]["f1"], 4),
        }
        pr = "".join(f"  P/R {m.get('precision', 0):.3f}/{m.get('recall', 0):.3f}" for m in found.values())
        print(f"cv {label:<16}{dataset.name:<22}{protocol:<9}{len(rows):>5} pages  "
              f"blocks {found['blocks']['f1']:.3f}  trafilatura alone {found['trafilatura']['f1']:.3f}{pr}",
              flush=True)  # fmt: skip
    return found_ours


def cv_check(
    pages: list[PageBlocks], datasets: list[Dataset], votes: tuple[str, ...] = ()
) -> dict[str, dict[str, float]]:
    """`cv_scores` of the model as `make train` fits it (ROUNDS rounds), and `teaser_check`."""
    return _cv_check(pages, datasets, votes)[0]


def _cv_check(
    pages: list[PageBlocks], datasets: list[Dataset], votes: tuple[str, ...] = (), *, reuse: bool = True
) -> tuple[dict[str, dict[str, float]], dict[str, np.ndarray]]:
    """`cv_check`, and the CV probabilities it scored: SEED's as `--seeds` fits them, read from
    bench/out/seeds when it made them and `reuse` (not after `--fresh`)."""
    probabilities = (
        cv_probabilities(pages, (ROUNDS,), votes)[ROUNDS]
        if votes
        else _seed_probabilities(pages, SEED, first=False, digest=_code_digest(), reuse=reuse)[ROUNDS]
    )
    scores = cv_scores(pages, datasets, probabilities, "+".join(votes) or f"{ROUNDS} rounds")
    if not votes:
        teaser_check(pages, probabilities)
    return scores, probabilities


def cascade_check(
    pages: list[PageBlocks],
    datasets: list[Dataset],
    probabilities: dict[str, np.ndarray],
    alone: dict[str, dict[str, float]],
    *,
    reuse: bool = True,
) -> dict[str, dict[str, float]]:
    """The site-grouped CV of the cascade: the first model's fold models (SEED's, as `_cv_check`
    reads the main ones') beside the main ones' `probabilities` (whose scores are `alone`); per
    dataset, the share of pages the first model is sure of (whose trafilatura extraction the
    pipeline skips) and the F1 with the cascade, printed beside the main model's alone."""
    from scraper.extract.model import sure  # noqa: PLC0415

    first = _seed_probabilities(pages, SEED, first=True, digest=_code_digest(), reuse=reuse)[ROUNDS]
    scores = cv_scores(pages, datasets, probabilities, "cascade", first)
    for name, found in scores.items():
        tested = [p for p in pages if p.dataset == name and p.fold != FROZEN]
        skipped = sum(
            sure(first[f"{p.dataset}/{p.page_id}"].tolist(), [len(t) for t in p.texts], **rule_inputs(p))
            is not None
            for p in tested
        )  # fmt: skip
        found["skipped"] = round(skipped / max(1, len(tested)), 4)
        found["main_model"] = alone[name]["f1"]
        gain = found["f1"] - alone[name]["f1"]
        print(f"cascade {name:<22} trafilatura skipped on {found['skipped']:.1%} of {len(tested)} pages; "
              f"F1 {found['f1']:.4f} against {alone[name]['f1']:.4f} ({gain:+.4f})", flush=True)  # fmt: skip
    return scores


# a teaser block: in a run of at least this many same-shaped siblings, mostly link text, inside
# the story container (article/main, or an ancestor with one of these class/id words)
_TEASER_RUN, _TEASER_LINKS = 3, 0.5
_STORY_WORDS = ("content", "article", "post", "entry", "story", "main", "body", "text")


def teaser_check(pages: list[PageBlocks], probabilities: dict[str, np.ndarray]) -> dict[str, float]:
    """Issue 13 item 5, measured: teaser rails and link lists inside the story container are
    boilerplate on an article and content on a listing. Of their words (labelled ones, CV pages),
    the share our decisions get right, beside trafilatura's, by page type (listing: a page judged a
    collection, or typed listing or collection by its dataset)."""
    from scraper.extract.blocks import FEATURE_NAMES  # noqa: PLC0415
    from scraper.extract.model import decide  # noqa: PLC0415

    at = {name: i for i, name in enumerate(FEATURE_NAMES)}
    story = [at["inside:article/main"], *(at[f"outer_class:{w}"] for w in _STORY_WORDS)]
    found: dict[str, list[float]] = {}  # kind -> words right (ours, trafilatura's), words, content words
    for page in (p for p in pages if p.fold != FROZEN):
        features = page.features
        teaser = (
            (features[:, story].max(axis=1) == 1)
            & (features[:, at["log_repeated"]] >= np.log1p(_TEASER_RUN))
            & (features[:, at["link_share"]] >= _TEASER_LINKS)
            & (page.labels >= 0)
        )
        if not teaser.any():
            continue
        forum = page.page_type == "forum"
        verdicts = decide(probabilities[f"{page.dataset}/{page.page_id}"].tolist(), page.kept.tolist(),
                          [len(t) for t in page.texts], **rule_inputs(page))  # fmt: skip
        ours = np.asarray(verdicts, dtype=bool) if verdicts is not None else page.kept >= 0.5
        wanted = (page.labels == 1) | (forum & (page.labels == 2))
        kind = "listing" if page.page_type == "collection" or page.listing else page.page_type
        kind = kind if kind in ("article", "listing") else "other"
        w = page.weights[teaser]
        sums = found.setdefault(kind, [0.0, 0.0, 0.0, 0.0])
        sums[0] += float(w[ours[teaser] == wanted[teaser]].sum())
        sums[1] += float(w[(page.kept[teaser] >= 0.5) == wanted[teaser]].sum())
        sums[2] += float(w.sum())
        sums[3] += float(w[wanted[teaser]].sum())
    shares = {}
    for kind, (ours_right, theirs_right, words, content) in sorted(found.items()):
        shares[kind] = ours_right / words
        print(f"teasers in the story container, {kind} pages: {words:.0f} words, {content / words:.2f} of "
              f"them content; decided right: ours {ours_right / words:.3f}, trafilatura "
              f"{theirs_right / words:.3f}", flush=True)  # fmt: skip
    return shares


def choose_rounds(pages: list[PageBlocks], datasets: list[Dataset]) -> None:
    """The site-grouped CV of the block decisions after each of ROUND_CHOICES rounds (`--choose-rounds`):
    how ROUNDS is chosen, never on the frozen split."""
    probabilities = cv_probabilities(pages, ROUND_CHOICES)
    for n in ROUND_CHOICES:
        cv_scores(pages, datasets, probabilities[n], f"{n} rounds")


# the seeds `--seeds` fits each procedure with by default (model11's three and three more)
SEEDS = (SEED, 11, 13, 17, 19, 23)
# the round counts each seed's fold models are read at: a seed ensemble of members of fewer rounds
# (`--members`) is read from the same fits (the first N rounds of a model are the model of N rounds)
SEED_ROUNDS = (50, 75, 100, 150)  # ROUNDS among them: `--check` reads SEED's from the same fits


def seed_check(
    pages: list[PageBlocks],
    datasets: list[Dataset],
    seeds: tuple[int, ...] = SEEDS,
    *,
    digest: str = "",
    members: int = 1,
    rounds: int = ROUNDS,
) -> dict[str, dict[str, float]]:
    """The site-grouped CV of the cascade (`cascade_check`'s F1 per dataset) with the procedure's
    models fitted with each of `seeds`: the mean, lowest and highest per dataset. One seed moves a
    set's CV by up to 0.007 (cleaneval's 42 pages), so procedures are compared by the mean, the
    range beside it. Each seed's CV probabilities are kept in bench/out/seeds (keyed by `digest`,
    the blocks', and the procedure), so a procedure that changes one model reuses the other's.
    `members` > 1: each draw is a seed ensemble of that many consecutive seeds' models of `rounds`
    rounds (their raw scores averaged, as `merge` does), for both models."""
    found: dict[str, list[float]] = {}
    draws = [seeds[i : i + members] for i in range(0, len(seeds) - members + 1, members)]
    for draw in draws:
        probabilities = [
            _mean([_seed_probabilities(pages, s, first=first, digest=digest)[rounds] for s in draw])
            for first in (False, True)
        ]
        label = f"seed {'+'.join(map(str, draw))}"
        scores = cv_scores(pages, datasets, probabilities[0], label, probabilities[1])
        for name, score in scores.items():
            found.setdefault(name, []).append(score["f1"])
    summary = {}
    for name, f1s in found.items():
        summary[name] = {"mean": round(float(np.mean(f1s)), 4), "low": min(f1s), "high": max(f1s)}
        print(f"seeds {name:<22} cascade F1 {np.mean(f1s):.4f} ({min(f1s):.4f}-{max(f1s):.4f}) over "
              f"{len(f1s)} draws of {members} x {rounds} rounds: {' '.join(f'{f:.4f}' for f in f1s)}",
              flush=True)  # fmt: skip
    return summary


def _mean(probabilities: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The class probabilities of the models whose raw scores are the mean of these models' (a
    softmax's log is the raw score less a constant per row)."""
    if len(probabilities) == 1:
        return probabilities[0]
    found = {}
    for key in probabilities[0]:
        raw = np.mean([np.log(np.maximum(p[key], 1e-300)) for p in probabilities], axis=0)
        shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
        found[key] = shifted / shifted.sum(axis=1, keepdims=True)
    return found


def _procedure(*, first: bool) -> str:
    """What makes a fold model besides its seed and blocks: the parameters, rounds and members."""
    procedure: list[Any] = [PARAMS, SEED_ROUNDS, MEMBERS, MEMBER_ROUNDS, first]
    if COMMENT_WEIGHT != 1.0:  # the procedures before it keep their caches
        procedure.append({"comment_weight": COMMENT_WEIGHT})
    described = json.dumps(procedure, sort_keys=True, default=str)
    return hashlib.sha256(described.encode()).hexdigest()[:12]


def _seed_probabilities(
    pages: list[PageBlocks], seed: int, *, first: bool, digest: str, reuse: bool = True
) -> dict[int, dict[str, np.ndarray]]:
    """`cv_probabilities` with `seed` at SEED_ROUNDS, from bench/out/seeds when this procedure made
    them before (and `reuse`)."""
    kind = "first" if first else "main"
    cache = OUT.parent / "seeds" / f"{digest}-{kind}-{_procedure(first=first)}-{seed}.pkl"
    if reuse and cache.is_file():
        with open(cache, "rb") as fh:
            loaded: dict[int, dict[str, np.ndarray]] = pickle.load(fh)
            return loaded
    found = cv_probabilities(pages, SEED_ROUNDS, first=first, seed=seed)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache, "wb") as fh:
        pickle.dump(found, fh)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--check", action="store_true", help="print the CV of the block decisions first")
    parser.add_argument("--fresh", action="store_true", help="collect the blocks again, ignoring the cache")
    parser.add_argument("--choose-rounds", action="store_true",
                        help="the CV of the decisions after each of ROUND_CHOICES rounds")  # fmt: skip
    parser.add_argument("--seeds", nargs="?", const=",".join(map(str, SEEDS)), metavar="SEED,...",
                        help="the cascade's CV with the models fitted with each seed: mean and range; "
                        "writes no model")  # fmt: skip
    parser.add_argument("--members", type=int, help="with --seeds: a seed ensemble of this many members")
    parser.add_argument("--member-rounds", type=int, help="with --seeds: each member's rounds (SEED_ROUNDS)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a procedure to try: a LightGBM parameter")  # fmt: skip
    parser.add_argument("--comment-weight", type=float, help="a procedure to try: COMMENT_WEIGHT")
    args = parser.parse_args()
    if args.comment_weight is not None:
        global COMMENT_WEIGHT  # noqa: PLW0603
        COMMENT_WEIGHT = args.comment_weight
    for setting in args.param:
        key, _, value = setting.partition("=")
        PARAMS[key] = json.loads(value)
    datasets = load_datasets(command="train")
    pages = collect(datasets, args.jobs, fresh=args.fresh)
    if args.seeds:
        seeds = tuple(int(s) for s in args.seeds.split(","))
        seed_check(pages, datasets, seeds, digest=_code_digest(), members=args.members or 1,
                   rounds=args.member_rounds or ROUNDS)  # fmt: skip
        return 0
    if args.choose_rounds:
        choose_rounds(pages, datasets)
        return 0
    scores = cascade = None
    if args.check:
        scores, probabilities = _cv_check(pages, datasets, reuse=not args.fresh)
        cascade = cascade_check(pages, datasets, probabilities, scores, reuse=not args.fresh)
    training = [p for p in pages if p.fold != FROZEN]
    blocks = sum(len(p.labels) for p in training)
    described = {
        "lightgbm": importlib.metadata.version("lightgbm"),
        "training_pages": len(training),
        "training_blocks": blocks,
        "datasets": {d.name: _digest(d) for d in datasets},
        **procedure(),
    }
    # the site-grouped CV of the block decisions (`--check`): F1, precision and recall per
    # dataset, and trafilatura's F1 alone on the same pages; for the first model, the cascade's,
    # with the share of pages it skips trafilatura on and the main model's F1 alone
    for first, path, cv in ((False, ARTIFACT, scores), (True, FIRST_ARTIFACT, cascade)):
        started = time.perf_counter()
        booster = fit(training, first=first)
        seconds = time.perf_counter() - started
        size = write_artifact(booster, path, first=first, cv=cv, **described)
        print(f"train: {len(training)} pages ({blocks} blocks, frozen sites left out) in {seconds:.1f} s; "
              f"{path.relative_to(REPO)}: {size / 1024:.0f} KiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
