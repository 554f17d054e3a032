"""Extraction quality, out-of-sample: ours against the best peers on ../shared/datasets.

    make bench-quality                                      # every page of every dataset
    .venv/bin/python bench/quality.py --sample 150          # a stratified sample per dataset
    .venv/bin/python bench/quality.py --datasets wcxb-dev --no-speed
    .venv/bin/python bench/quality.py --seeds 3 --cv-only --no-peers --no-speed   # CV: mean of 3 seeds
    .venv/bin/python bench/quality.py --folds bench/out/models/folds-KEY.json --cv-only --no-peers --no-speed

Every figure is out-of-sample (splits.py):

- *CV*: the pages of the non-frozen sites, each extracted with the block model trained on the
  other folds (site-grouped K-fold: no site is in both the training and the test part);
- *frozen*: the final-check split (about a quarter of the sites, by a hash of the site), extracted
  with the models that ship (`block_model*.txt.gz`, which `make train` fits on every non-frozen
  page): what a user gets, measured as it ships, whatever collection it was fitted on. Nothing is
  tuned on it.

For each page, in worker processes: our `extract` (the real pipeline, with that page's fold model),
trafilatura (default; `include_comments=False`; `favor_precision` and `fast`, each without
comments), readability-lxml (its summary's text through html-text), and a paired timing of ours
against `trafilatura.extract(html, with_metadata=True)` with the split of our time by stage.
rs-trafilatura ships wheels for Python 3.12 only: it runs in a side virtual environment made
with `python3.12` (bench/out/rs-venv), and is reported absent when there is none.

One seed's fold models move a set's CV by up to 0.007: `--seeds N` fits the fold models with
each of the first N of train.SEEDS (SEED first; each seed's cached apart, SEED's under the key it
had before) and reads the CV pages with each; our CV figures (F1, precision, recall) are then the
means over the seeds, each seed's F1 and the lowest and highest printed beside them and kept in
quality.json (`scraper_cv_seeds`; each seed's texts in the predictions as `scraper#i`). The
peers, the frozen part (the shipped models) and the timing are read once; the goals are judged
on the mean. `--cv-only` reads the CV pages alone, nothing from the frozen split (development);
with `--sample`, of the sample's pages, so the CV pages are those the same sample reads without it.

A change of the rules changes the blocks, and so the fold models fitted on them: a CV figure moves
by the rules and by the fit at once. `--folds FILE` reads the CV pages with the fold models of an
earlier run (a bench/out/models/folds-*.json), held, and fits nothing: the rules alone, measured
against that run's texts. Those models learnt from other blocks than the code now makes, so a
figure read with them is the rules' effect, not what the code scores once fitted again.

The peers' texts are kept in bench/out/peers/, by the peers' versions and each page file's digest:
a second run computes only ours.

Scores come from ../shared/tools/score.py: shingle F1 where the truth is text, snippet F1 for
trafilatura-eval, and word F1 overall and per page type for wcxb-dev. The table and the goals of
the issue are printed, and everything is written to bench/out/quality.json.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import gzip
import hashlib
import importlib.util
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

from splits import FROZEN, REPO, Dataset, fold_of, load_datasets

SCORER = REPO.parent / "shared" / "tools" / "score.py"
OUT = REPO / "bench" / "out"
RS_VENV = OUT / "rs-venv"

OURS = "scraper"
TRAFILATURA = ("trafilatura", "trafilatura-nocomments", "trafilatura-precision", "trafilatura-fast")
READABILITY, RS = "readability-lxml", "rs-trafilatura"
PEERS = (*TRAFILATURA, READABILITY, RS)
LOCAL_PEERS = PEERS[:-1]  # the peers that run in our workers; rs-trafilatura runs in its own environment
PARTS = ("cv", "frozen")

# dataset -> (protocol of the headline number, its goal)
GOALS: dict[str, tuple[str, float]] = {
    "wcxb-dev": ("word", 0.88),
    "mozilla-readability": ("shingle", 0.95),
    "cleaneval-dev": ("shingle", 0.87),
    "trafilatura-eval": ("snippets", 0.94),
    "dragnet-train": ("shingle", 0.0),  # above the best peer; precision too (NEWS)
}
# news sets: our precision at or above trafilatura include_comments=False, with recall kept
NEWS = ("dragnet-train",)
STAGES = ("parse", "prepass", "trafilatura", "model", "metadata")


def sample(rows: list[dict[str, Any]], size: int | None) -> list[dict[str, Any]]:
    """Evenly spaced rows, the same share of each page type as the whole (deterministic)."""
    if not size or size >= len(rows):
        return rows
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        by_type[str(row.get("page_type"))].append(row)
    picked = []
    for group in by_type.values():
        quota = max(1, round(size * len(group) / len(rows)))
        step = len(group) / quota
        picked += [group[int(i * step)] for i in range(min(quota, len(group)))]
    return picked


# -- the workers ----------------------------------------------------------------------------------

# (draw, fold) -> the fold's main and first models; a draw is one seed's fold models (`--seeds`)
_MODELS: dict[tuple[int, int], tuple[Any, Any]] = {}
# a page to read (`_page`): id, file, fold, index, whether to run the peers, whether to time it, draw
Task = tuple[str, str, int | None, int, bool, bool, int]


def _init_worker(models: list[dict[int, list[str]]]) -> None:
    from scraper.extract.trees import Trees  # noqa: PLC0415  # the run-time evaluator, as shipped

    _MODELS.update(
        {
            (draw, fold): (Trees.from_text(main), Trees.from_text(first))
            for draw, folds in enumerate(models)
            for fold, (main, first) in folds.items()
        }
    )


def _ours(page: Any, fold: int | None, draw: int = 0) -> tuple[str, dict[str, float]]:
    """Our text for the page with its fold's models of `draw` (a seed of `--seeds`), the main one
    and the cascade's first one (None: the shipped ones), and the stage times."""
    from scraper.config import ExtractSettings  # noqa: PLC0415  # imported in the worker
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract import model  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    if fold is not None and (draw, fold) in _MODELS:
        model.use(*_MODELS[draw, fold])
    else:  # the frozen split (and a page of no fold): the models that ship
        model.use_shipped()
    trace = Trace()
    text = ""
    with contextlib.suppress(ScraperError):  # no main content: an empty prediction
        document = extract(page, ExtractSettings(), trace)
        text = "" if document.skip_reason else document.text
    return text, dict(trace.timings)


def _peers(raw: bytes, html: str) -> dict[str, str]:
    import html_text  # noqa: PLC0415
    import trafilatura  # noqa: PLC0415
    from readability import Document  # noqa: PLC0415

    texts = {
        "trafilatura": trafilatura.extract(raw),
        "trafilatura-nocomments": trafilatura.extract(raw, include_comments=False),
        "trafilatura-precision": trafilatura.extract(raw, include_comments=False, favor_precision=True),
        "trafilatura-fast": trafilatura.extract(raw, include_comments=False, fast=True),
    }
    try:
        texts[READABILITY] = html_text.extract_text(Document(html).summary(html_partial=True))
    except Exception:  # readability raises on pages it cannot summarise: an empty answer
        texts[READABILITY] = ""
    return {name: text or "" for name, text in texts.items()}


class PeerCache:
    """The peers' texts of one dataset, kept in bench/out/peers/ by the peers' versions and each
    page file's digest: they do not change when our code does, and they cost most of a run."""

    VERSIONED = ("trafilatura", "readability-lxml", "html-text", "lxml", "htmldate", "justext")

    def __init__(self, dataset: str) -> None:
        from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

        def known(name: str) -> str:
            try:
                return version(name)
            except PackageNotFoundError:
                return "-"

        key = hashlib.sha256(json.dumps([known(n) for n in self.VERSIONED]).encode()).hexdigest()[:12]
        self.path = OUT / "peers" / f"{dataset}.{key}.json"
        self.texts: dict[str, dict[str, str]] = (
            json.loads(self.path.read_text(encoding="utf-8")) if self.path.is_file() else {}
        )
        self._keys: dict[tuple[str, str], str] = {}  # each page file read and hashed once per run

    def key(self, page_id: str, path: str) -> str:
        if (page_id, path) not in self._keys:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
            self._keys[page_id, path] = f"{page_id}:{digest}"
        return self._keys[page_id, path]

    def holds(self, page_id: str, path: str) -> bool:
        """Whether the peers that run in our workers have this page's texts."""
        return all(self.get(page_id, path, name) is not None for name in LOCAL_PEERS)

    def get(self, page_id: str, path: str, system: str) -> str | None:
        return self.texts.get(self.key(page_id, path), {}).get(system)

    def put(self, page_id: str, path: str, texts: dict[str, str]) -> None:
        self.texts.setdefault(self.key(page_id, path), {}).update(texts)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(".tmp")
        temp.write_text(json.dumps(self.texts, ensure_ascii=False), encoding="utf-8")
        temp.replace(self.path)


def _peer_predictions(
    cache: PeerCache, paths: dict[str, str], results: list[dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """Every peer's text per page id: this run's results and rs-trafilatura's for the pages the
    cache lacks, the cache's for the others (rs-trafilatura absent when it cannot run)."""
    for r in results:
        if LOCAL_PEERS[0] in r:
            cache.put(r["id"], paths[r["id"]], {n: r[n] for n in LOCAL_PEERS})
    missing = {i: p for i, p in paths.items() if cache.get(i, p, RS) is None}
    found = _run_rs(missing) if missing else {}
    for page_id, text in (found or {}).items():
        cache.put(page_id, paths[page_id], {RS: text})
    cache.save()
    names = LOCAL_PEERS if found is None else PEERS
    return {n: {i: cache.get(i, p, n) or "" for i, p in paths.items()} for n in names}


def _page(task: Task) -> dict[str, Any]:
    import trafilatura  # noqa: PLC0415

    from scraper.corpus.sources import load_file  # noqa: PLC0415

    page_id, path, fold, index, peers, speed, draw = task
    page = load_file(path, url=None, max_bytes=50 * 2**20)
    result: dict[str, Any] = {"id": page_id}
    result[OURS], _ = _ours(page, fold, draw)
    if peers:
        result.update(_peers(gzip.decompress(Path(path).read_bytes()), page.html))
    if speed:  # paired, the order alternating so neither gets the warmer cache
        html = page.html

        def theirs() -> float:  # CPU time, as our stages are timed (pipeline.Trace)
            started = time.process_time()
            trafilatura.extract(html, with_metadata=True)
            return time.process_time() - started

        if index % 2:
            result["stages"] = _ours(page, fold)[1]
            result["trafilatura_s"] = theirs()
        else:
            result["trafilatura_s"] = theirs()
            result["stages"] = _ours(page, fold)[1]
    return result


# -- rs-trafilatura in its side environment -------------------------------------------------------


def _python312() -> str | None:
    """A working python3.12: on PATH, else a pyenv installation of it."""
    candidates = [shutil.which("python3.12") or ""]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False)
        if done.returncode == 0:
            return candidate
    return None


def _rs_python() -> str | None:
    python = RS_VENV / "bin" / "python"
    if python.exists():
        return str(python)
    base = _python312()
    if base is None:
        return None
    subprocess.run([base, "-m", "venv", str(RS_VENV)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "rs-trafilatura"], check=False)
    return str(python) if done.returncode == 0 else None


def _run_rs(paths: dict[str, str]) -> dict[str, str] | None:
    python = _rs_python()
    if python is None:
        return None
    tasks = "".join(json.dumps({"id": i, "path": p}) + "\n" for i, p in paths.items())
    done = subprocess.run(
        [python, str(REPO / "bench" / "rs_side.py")], input=tasks, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"bench-quality: rs-trafilatura failed: {done.stderr[-500:]}", file=sys.stderr)
        return None
    # one JSON document per "\n": the texts may hold U+2028 and the like, which splitlines() splits on
    return {row["id"]: row["text"] for row in map(json.loads, filter(None, done.stdout.split("\n")))}


# -- scoring --------------------------------------------------------------------------------------


def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def score_lines(
    score: ModuleType, dataset: str, rows: list[dict[str, Any]], predictions: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Table rows: one per (metric, page subset), each system's F1 on the CV and the frozen part."""
    protocols = ["word", "shingle"] if dataset == "wcxb-dev" else ["shingle"]
    if dataset == "trafilatura-eval":
        protocols = ["snippets"]
    subsets: list[tuple[str, list[dict[str, Any]]]] = [("all", rows)]
    if dataset == "wcxb-dev":
        types = sorted({str(r.get("page_type")) for r in rows})
        subsets += [(t, [r for r in rows if str(r.get("page_type")) == t]) for t in types]
    table = []
    for protocol in protocols:
        for subset, subset_rows in subsets:
            if subset != "all" and protocol != "word":
                continue
            line: dict[str, Any] = {"dataset": dataset, "metric": protocol, "pages": subset}
            for part in PARTS:
                part_rows = [r for r in subset_rows if (fold_of(r) == FROZEN) == (part == "frozen")]
                line[f"n_{part}"] = len(part_rows)
                for system, found in predictions.items():
                    if not part_rows:
                        continue
                    [result] = score.score(part_rows, found, system, [protocol], 4, 0, 0, None)
                    line[f"{system}_{part}"] = result.metrics["f1"]
                    if protocol == "shingle":
                        line[f"{system}_{part}_precision"] = result.metrics["precision"]
                        line[f"{system}_{part}_recall"] = result.metrics["recall"]
            table.append(line)
    return table


def seed_means(lines: list[dict[str, Any]], drawn: list[dict[str, Any]], draws: int) -> None:
    """`--seeds`: each line's CV F1, precision and recall of ours become the mean over the draws
    (one seed's fold models each), the draws' F1 kept beside it (`scraper_cv_seeds`). `drawn` are
    `score_lines` of the CV pages with each draw's texts as the system `scraper#i`, matched to
    `lines` by metric and page subset."""
    names = [f"{OURS}#{i}" for i in range(draws)]
    found = {(d["metric"], d["pages"]): d for d in drawn}
    for line in lines:
        scores = found.get((line["metric"], line["pages"]), {})
        if not all(f"{n}_cv" in scores for n in names):
            continue
        for measure in ("", "_precision", "_recall"):
            values = [scores[f"{n}_cv{measure}"] for n in names if f"{n}_cv{measure}" in scores]
            if len(values) == draws:
                line[f"{OURS}_cv{measure}"] = sum(values) / draws
        line[f"{OURS}_cv_seeds"] = [scores[f"{n}_cv"] for n in names]


def _judge(line: dict[str, Any], peers: list[str]) -> None:
    if not peers:  # --no-peers: nothing to judge against
        return
    for part in PARTS:
        if f"{OURS}_{part}" not in line:
            continue
        scores = {p: line[f"{p}_{part}"] for p in peers if f"{p}_{part}" in line}
        best = max(scores, key=lambda p: scores[p])
        line[f"best_{part}"], line[f"best_{part}_f1"] = best, scores[best]
        traf = max(v for p, v in scores.items() if p in TRAFILATURA)
        line[f"best_trafilatura_{part}"] = traf
    protocol, goal = GOALS.get(line["dataset"], ("", 0.0))
    if line["metric"] != protocol or f"{OURS}_cv" not in line:
        return
    ours = line[f"{OURS}_cv"]
    if line["pages"] == "all":
        line["goal"] = f">best peer, >={goal:.2f}"
        line["met"] = ours > line["best_cv_f1"] and ours >= goal
    else:
        line["goal"] = ">=best trafilatura"
        line["met"] = ours >= line["best_trafilatura_cv"]


def seed_exact() -> bool:
    """Whether the seed page still comes out exactly as tests/fixtures/seed-article/expected.txt."""
    from scraper.config import ExtractSettings  # noqa: PLC0415
    from scraper.extract import model  # noqa: PLC0415
    from scraper.extract.pipeline import clean_html  # noqa: PLC0415

    model.use_shipped()  # the model that ships, not a fold's
    seed = REPO / "tests" / "fixtures" / "seed-article"
    spec = json.loads((seed / "expected.json").read_text(encoding="utf-8"))
    doc = clean_html(
        (seed / "page.html").read_text(encoding="utf-8"), url=spec["url"], settings=ExtractSettings()
    )

    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    return lines(doc.text) == lines((seed / "expected.txt").read_text(encoding="utf-8"))


# -- output ---------------------------------------------------------------------------------------


def _print_table(table: list[dict[str, Any]]) -> None:
    head = f"{'dataset':<20}{'metric':<9}{'pages':<14}{'n':>5}{'ours':>7}  {'best peer (CV)':<29}"
    head += f"{'n':>5}{'ours':>7}  {'best peer (frozen)':<29}met"
    print("out-of-sample: CV = site-grouped 5-fold; frozen = final-check split\n")
    print(head)
    print("-" * len(head))
    for line in table:
        cells = f"{line['dataset']:<20}{line['metric']:<9}{line['pages']:<14}"
        for part in PARTS:
            if f"{OURS}_{part}" not in line:
                cells += f"{line[f'n_{part}']:>5}{'':>7}  {'':<29}"
                continue
            best = f"{line[f'best_{part}_f1']:.3f} {line[f'best_{part}']}" if f"best_{part}" in line else ""
            cells += f"{line[f'n_{part}']:>5}{line[f'{OURS}_{part}']:>7.3f}  {best:<29}"
        met = "" if "met" not in line else ("yes" if line["met"] else "NO")
        print(cells + met)


def _print_peers(table: list[dict[str, Any]], peers: list[str]) -> None:
    names = [OURS, *peers]
    short = {OURS: "ours", "trafilatura": "traf", "trafilatura-nocomments": "traf-nc",
             "trafilatura-precision": "prec-nc", "trafilatura-fast": "fast-nc",
             READABILITY: "readab", RS: "rs-traf"}  # fmt: skip
    for part in PARTS:
        print(f"\nevery system, {part} part")
        head = f"{'dataset':<20}{'metric':<9}{'pages':<14}" + "".join(f"{short[n]:>9}" for n in names)
        print(head)
        for line in table:
            cells = "".join(
                f"{line[f'{n}_{part}']:>9.3f}" if f"{n}_{part}" in line else f"{'':>9}" for n in names
            )
            print(f"{line['dataset']:<20}{line['metric']:<9}{line['pages']:<14}{cells}")


def _print_news(table: list[dict[str, Any]]) -> None:
    """Precision and recall on the news sets, ours against trafilatura include_comments=False."""
    theirs = "trafilatura-nocomments"
    for line in table:
        if line["dataset"] not in NEWS or line["metric"] != "shingle":
            continue
        for part in PARTS:
            if f"{OURS}_{part}_precision" not in line or f"{theirs}_{part}_precision" not in line:
                continue
            p, r = line[f"{OURS}_{part}_precision"], line[f"{OURS}_{part}_recall"]
            tp, tr = line[f"{theirs}_{part}_precision"], line[f"{theirs}_{part}_recall"]
            print(f"{line['dataset']} {part}: precision {p:.3f} (no comments {tp:.3f}: "
                  f"{'yes' if p >= tp else 'NO'}), recall {r:.3f} (no comments {tr:.3f})")  # fmt: skip


def _print_seeds(table: list[dict[str, Any]], seeds: list[int]) -> None:
    """Our CV over the seeds' fold models (`--seeds`): the mean, lowest and highest, and each draw."""
    named = ", ".join(map(str, seeds))
    print(f"\nours on the CV pages with the fold models of {len(seeds)} seeds ({named}): "
          "mean (lowest-highest), each seed")  # fmt: skip
    for line in table:
        if f"{OURS}_cv_seeds" not in line:
            continue
        each = line[f"{OURS}_cv_seeds"]
        print(f"{line['dataset']:<20}{line['metric']:<9}{line['pages']:<14}{line[f'{OURS}_cv']:>7.4f} "
              f"({min(each):.4f}-{max(each):.4f})  " + " ".join(f"{f:.4f}" for f in each))  # fmt: skip


def _print_report(
    table: list[dict[str, Any]],
    peers: list[str],
    speed: dict[str, Any],
    seed: bool,
    rs_present: bool,
    *,
    seeds: list[int],
) -> None:
    _print_table(table)
    if len(seeds) > 1:
        _print_seeds(table, seeds)
    if peers:
        _print_peers(table, peers)
        print()
        _print_news(table)
        if not rs_present:
            print("\nrs-trafilatura: absent (no working python3.12 to make its side environment)")
    print()
    if speed["pages"]:
        split = ", ".join(f"{s} {ms:.1f}" for s, ms in speed["stages_ms"].items())
        ratio = speed["ratio"]
        print(f"speed, {speed['pages']} pages, ms/page: ours {speed['ours_ms']:.1f} ({split}); "
              f"trafilatura.extract(with_metadata=True) {speed['trafilatura_ms']:.1f}; "
              f"ratio {ratio:.2f} (goal <= 1.00: {'yes' if ratio <= 1 else 'NO'})")  # fmt: skip
    print(f"seed page exact: {'yes' if seed else 'NO'}")


def speed_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    timed = [r for r in results if "stages" in r]
    if not timed:
        return {"pages": 0}
    stages = {s: 1000 * sum(r["stages"].get(s, 0.0) for r in timed) / len(timed) for s in STAGES}
    ours = sum(stages.values())
    theirs = 1000 * sum(r["trafilatura_s"] for r in timed) / len(timed)
    return {"pages": len(timed), "ours_ms": ours, "trafilatura_ms": theirs, "ratio": ours / theirs,
            "stages_ms": stages}  # fmt: skip


def _folds_key(train: ModuleType, blocks: list[Any], seed: int | None = None) -> str:
    """What the CV fold models come from: the blocks' code, the pages, and the procedure that fits
    the shipped models (`train.procedure()`: rounds, seed ensemble, comment weight), and the seed
    when it is not train.SEED (SEED's keys are those before `--seeds`)."""
    described = [train._code_digest(), train.PARAMS, train.procedure(), "cascade",
                 sorted(f"{p.dataset}/{p.page_id}" for p in blocks)]  # fmt: skip
    if seed is not None and seed != train.SEED:
        described.append({"seed": seed})
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()[:16]


def _fold_models(train: ModuleType, blocks: list[Any], seed: int) -> dict[int, list[str]]:
    """The CV fold models fitted with `seed` on `blocks` (every dataset's, `train.collect`), each the
    main model and the cascade's first one, cached in bench/out/models/ by what they come from. None
    for the frozen split: it is read with the shipped models (`_ours`)."""
    cache = OUT / "models" / f"folds-{_folds_key(train, blocks, seed)}.json"
    if cache.is_file():
        cached = json.loads(cache.read_text(encoding="utf-8")).items()
        return {int(k): v for k, v in cached if int(k) != FROZEN}
    started = time.perf_counter()
    mains, firsts = train.fold_models(blocks, seed=seed), train.fold_models(blocks, first=True, seed=seed)
    models = {fold: [mains[fold].model_to_string(), firsts[fold].model_to_string()] for fold in mains}
    print(
        f"bench-quality: {len(models)} models (seed {seed}) in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(models), encoding="utf-8")
    return models


def held_folds(path: Path) -> dict[int, list[str]]:
    """`--folds`: an earlier run's fold models (`_fold_models`' cache file), read as they are."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        models = {int(k): v for k, v in cached.items() if int(k) != FROZEN}
    except (OSError, ValueError, AttributeError) as exc:
        sys.exit(f"bench-quality: --folds {path}: not a file of fold models ({exc})")
    if not models or not all(isinstance(v, list) and len(v) == 2 for v in models.values()):
        sys.exit(f"bench-quality: --folds {path}: not a file of fold models (no fold's two models)")
    return models


def _seeds(train: ModuleType, count: int) -> list[int]:
    """`--seeds`: the first `count` of train.SEEDS (SEED first: a draw of one is the CV as before)."""
    if not 1 <= count <= len(train.SEEDS):
        sys.exit(f"bench-quality: --seeds: from 1 to {len(train.SEEDS)} (train.SEEDS), not {count}")
    return list(train.SEEDS[:count])


def _draws(train: ModuleType, seeds: list[int], args: argparse.Namespace) -> list[dict[int, list[str]]]:
    """The fold models of each draw: `--folds`' file, held (nothing collected nor fitted), or each
    seed's, fitted on every dataset's blocks (as the shipped one is), never on a test fold."""
    if args.folds is not None:
        if len(seeds) != 1:
            sys.exit("bench-quality: --folds holds one draw of fold models: not with --seeds")
        return [held_folds(args.folds)]
    blocks = train.collect(load_datasets(command="bench-quality"), args.jobs)
    return [_fold_models(train, blocks, seed) for seed in seeds]


def _rows(dataset: Dataset, size: int | None, cv_only: bool) -> list[dict[str, Any]]:
    """The pages read of `dataset`: `sample`'s, and of them the CV ones alone with `cv_only` (the
    sample is drawn first, so the CV pages are those the same `--sample` reads without it)."""
    rows = sample(dataset.rows, size)
    return [r for r in rows if fold_of(r) != FROZEN] if cv_only else rows


def _tasks(
    dataset: Dataset, rows: list[dict[str, Any]], draws: int, cache: PeerCache | None, speed: bool
) -> list[Task]:
    """`_page`'s tasks: every page of `rows` with the first draw's fold models (the peers where
    `cache` lacks them, None: no peers; timed with `speed`), then the CV pages again with each
    other draw's, draw after draw (ours alone, untimed)."""
    tasks: list[Task] = []
    for i, r in enumerate(rows):
        page_id, path = str(r["id"]), str(dataset.source(r))
        peers = cache is not None and not cache.holds(page_id, path)
        tasks.append((page_id, path, fold_of(r), i, peers, speed, 0))
    cv = [r for r in rows if fold_of(r) != FROZEN]
    tasks += [(str(r["id"]), str(dataset.source(r)), fold_of(r), i, False, False, draw)
              for draw in range(1, draws) for i, r in enumerate(cv)]  # fmt: skip
    return tasks


def _by_draw(found: list[dict[str, Any]], rows: int, cv: int, draws: int) -> list[dict[str, str]]:
    """Our texts per page id of each draw, from `_page`'s results of `_tasks` (in their order):
    the first draw's of the `rows` pages, then each other draw's of the `cv` pages."""
    assert len(found) == rows + (draws - 1) * cv, "one result per task"
    texts = [{r["id"]: r[OURS] for r in found[:rows]}]
    for draw in range(1, draws):
        start = rows + (draw - 1) * cv
        texts.append({r["id"]: r[OURS] for r in found[start : start + cv]})
    return texts


def _run(
    dataset: Dataset,
    rows: list[dict[str, Any]],
    models: list[dict[int, list[str]]],
    cache: PeerCache,
    args: argparse.Namespace,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """`_tasks` in the workers, one draw of fold models per seed (`models`): the first draw's
    results (the peers and the timing as asked), and our texts of each draw (`_by_draw`)."""
    tasks = _tasks(dataset, rows, len(models), None if args.no_peers else cache, not args.no_speed)
    # forkserver: a forked child of a process that has run LightGBM's OpenMP threads can hang
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(args.jobs, context, _init_worker, (models,)) as pool:
        found = list(pool.map(_page, tasks, chunksize=4))
    cv = sum(fold_of(r) != FROZEN for r in rows)
    return found[: len(rows)], _by_draw(found, len(rows), cv, len(models))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", help="comma-separated dataset folder names (default: all)")
    parser.add_argument("--sample", type=int, help="at most this many pages per dataset, stratified by type")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--no-speed", action="store_true", help="skip the paired timing pass")
    parser.add_argument("--no-peers", action="store_true", help="ours only (development)")
    parser.add_argument("--seeds", type=int, default=1, metavar="N",
                        help="our CV with fold models of each of the first N of train.SEEDS: the mean, "
                        "lowest and highest (one seed moves a set by up to 0.007)")  # fmt: skip
    parser.add_argument("--cv-only", action="store_true",
                        help="the CV pages alone: nothing read from the frozen split")  # fmt: skip
    parser.add_argument("--folds", type=Path, metavar="FILE",
                        help="read the CV pages with these fold models (bench/out/models/folds-*.json), "
                        "held: nothing is fitted (the rules alone)")  # fmt: skip
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    if not SCORER.is_file():
        sys.exit(f"bench-quality: the scorer is missing: expected {SCORER}")

    import train  # noqa: PLC0415  # numpy and lightgbm: only once the inputs are known to be there

    datasets: list[Dataset] = load_datasets(args.datasets.split(",") if args.datasets else None,
                                            command="bench-quality")  # fmt: skip
    seeds = _seeds(train, args.seeds)
    models = _draws(train, seeds, args)

    score = scorer()
    table: list[dict[str, Any]] = []
    timings: list[dict[str, Any]] = []
    rs_present = True
    OUT.mkdir(parents=True, exist_ok=True)
    for dataset in datasets:
        rows = _rows(dataset, args.sample, args.cv_only)
        print(f"bench-quality: {dataset.name}: {len(rows)} pages", file=sys.stderr)
        cache = PeerCache(dataset.name)
        results, draws = _run(dataset, rows, models, cache, args)
        timings += results
        predictions = {OURS: draws[0]}
        if not args.no_peers:
            theirs = _peer_predictions(cache, {str(r["id"]): str(dataset.source(r)) for r in rows}, results)
            predictions.update(theirs)
            rs_present = RS in theirs
        # `--seeds`: each seed's texts as `scraper#i` (the first seed's are `scraper`'s, of every page)
        drawn = {f"{OURS}#{i}": texts for i, texts in enumerate(draws)}
        with open(OUT / f"{dataset.name}.predictions.json", "w", encoding="utf-8") as fh:
            json.dump(predictions | dict(list(drawn.items())[1:]), fh, ensure_ascii=False)
        lines = score_lines(score, dataset.name, rows, predictions)
        if len(seeds) > 1:
            cv = [r for r in rows if fold_of(r) != FROZEN]
            seed_means(lines, score_lines(score, dataset.name, cv, drawn), len(seeds))
        table += lines
    peers = [p for p in PEERS if any(f"{p}_cv" in line for line in table)]
    for line in table:
        _judge(line, peers)
    speed = speed_summary(timings)
    seed = seed_exact()
    if args.folds is not None:
        print(f"\nthe CV pages read with the fold models of {args.folds}, held (the rules alone)")
    _print_report(table, peers if not args.no_peers else [], speed, seed, rs_present, seeds=seeds)
    report = {"table": table, "speed": speed, "seed_exact": seed, "sample": args.sample,
              "rs_trafilatura": rs_present, "seeds": seeds, "cv_only": args.cv_only,
              "folds": str(args.folds) if args.folds else None}  # fmt: skip
    (OUT / "quality.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {OUT / 'quality.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
