"""The quality gate: extraction on a fixed sample of the shared datasets must not fall below its floors.

    make quality-gate                                        # CI: check, fail on any regression
    .venv/bin/python bench/gate.py --pin                     # raise floors to today's scores (none lowered)
    .venv/bin/python bench/gate.py --pin --lower-floors      # also lower them (say why in the commit)

The sample is fixed: `SIZES` pages per dataset, stratified by page type (the bench's `sample`),
taken from the non-frozen sites only (splits.py: the final-check split is never used to decide
anything, and a gate decides). Its ids and truth are pinned by a digest in the baseline file
(bench/quality_baseline.json), so a changed dataset or sample is an error, not a silent drift.

Each page goes through the real pipeline with the model that ships, and its text, Markdown and
XML must have no fidelity fault (bench/fidelity.py: no space before punctuation the page lacks,
no text kept twice, no line break the page lacks or code's lost; `make fidelity` checks every
page). The floors are per dataset and, for wcxb-dev, per page type (word F1 there, shingle F1
or snippet F1 elsewhere, as in bench/quality.py). A score more than `TOLERANCE` below its
pinned value fails the gate. These scores are in-sample for the model (its training saw these
sites): they catch regressions; the out-of-sample figures are bench/quality.py's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from fidelity import NO_FAULTS, Faults, check, report
from quality import OURS, sample, score_lines, scorer
from splits import FROZEN, REPO, Dataset, fold_of, load_datasets

BASELINE = REPO / "bench" / "quality_baseline.json"
SIZES = {"wcxb-dev": 70, "trafilatura-eval": 40, "mozilla-readability": 20, "cleaneval-dev": 20,
         "dragnet-train": 40}  # fmt: skip
TOLERANCE = 0.01


def gate_sample(datasets: list[Dataset]) -> list[tuple[Dataset, list[dict[str, Any]]]]:
    return [
        (d, sample([r for r in d.rows if fold_of(r) != FROZEN], SIZES[d.name]))
        for d in datasets
        if d.name in SIZES
    ]


def digest(picked: list[tuple[Dataset, list[dict[str, Any]]]]) -> str:
    """The sample's identity: every page's dataset, id and truth row."""
    hashed = hashlib.sha256()
    for dataset, rows in picked:
        for row in sorted(rows, key=lambda r: str(r["id"])):
            hashed.update(json.dumps([dataset.name, row], sort_keys=True, ensure_ascii=False).encode())
    return hashed.hexdigest()


Checked = tuple[str, str, Faults]  # a page's name, our text, its fidelity faults


def measure(
    picked: list[tuple[Dataset, list[dict[str, Any]]]], jobs: int
) -> tuple[dict[str, float], list[tuple[str, Faults]], list[str]]:
    """Our F1 per (dataset, metric, pages) on the sample, with the shipped model, the pages
    with a text fidelity fault (fidelity.py), and the pages whose extraction raised (a bug)."""
    score = scorer()
    scores: dict[str, float] = {}
    faulty: list[tuple[str, Faults]] = []
    raised: list[str] = []
    # forkserver: each worker starts from a fresh interpreter, none of this process's state
    with ProcessPoolExecutor(jobs, multiprocessing.get_context("forkserver")) as pool:
        for dataset, rows in picked:
            tasks = [(str(r["id"]), str(dataset.source(r))) for r in rows]
            results, errors = check_pages(pool, tasks)
            raised += [f"{dataset.name}/{line}" for line in errors]
            faulty += [(f"{dataset.name}/{name}", f) for name, _, f in results if f]
            predictions = {OURS: {name: text for name, text, _ in results}}
            for line in score_lines(score, dataset.name, rows, predictions):
                if f"{OURS}_cv" in line:
                    scores[f"{line['dataset']} {line['metric']} {line['pages']}"] = round(
                        line[f"{OURS}_cv"], 4
                    )
    return scores, faulty, raised


def check_pages(
    pool: Executor, tasks: list[tuple[str, str]], fn: Callable[[tuple[str, str]], Checked] = check
) -> tuple[list[Checked], list[str]]:
    """`fn` on each (name, path) in the pool: each page's result, and one line for each page whose
    worker raised (that page counts as an empty text). The exception is caught in the worker and
    only its name and message come back: one that cannot be pickled, or unpickled (a library's
    exception whose constructor wants other arguments), would break the pool and end the gate
    with a traceback instead of naming the page."""
    results: list[Checked] = []
    errors: list[str] = []
    for name, text, faults, error in pool.map(_guarded, [(fn, task) for task in tasks], chunksize=4):
        results.append((name, text, faults))
        if error is not None:
            errors.append(f"{name}: {error}")
    return results, errors


def _guarded(
    job: tuple[Callable[[tuple[str, str]], Checked], tuple[str, str]],
) -> tuple[str, str, Faults, str | None]:
    fn, task = job
    try:
        return (*fn(task), None)
    except Exception as exc:  # this page's failure, told as text: the exception may not pickle
        try:
            message = str(exc)
        except Exception:  # a broken __str__ is the same bug
            message = "(no message)"
        return task[0], "", NO_FAULTS, f"{type(exc).__name__}: {message}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pin", action="store_true", help="raise the floors to today's scores (never lower)")
    parser.add_argument("--lower-floors", action="store_true", help="with --pin: lowering a floor is allowed")
    args = parser.parse_args()
    started = time.perf_counter()
    picked = gate_sample(load_datasets(sorted(SIZES), command="quality-gate"))
    pinned: dict[str, Any] = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.is_file() else {}
    sample_digest = digest(picked)
    if not args.pin and pinned.get("digest") != sample_digest:
        sys.exit(f"quality-gate: the sample's digest {sample_digest[:12]} is not the pinned "
                 f"{str(pinned.get('digest'))[:12]}: the datasets or the sample changed; "
                 "re-pin with bench/gate.py --pin and say why in the commit")  # fmt: skip
    scores, faulty, raised = measure(picked, args.jobs)
    for line in raised:
        print(f"FAIL {line}")
    floors: dict[str, float] = pinned.get("floors", {})
    if args.pin and raised:
        sys.exit(f"quality-gate: not pinned: the extraction raised on {len(raised)} pages (listed above)")
    if args.pin:
        lowered = {k: (floors[k], v) for k, v in scores.items() if k in floors and v < floors[k]}
        for key, (old, new) in sorted(lowered.items()):
            kept = "lowered (--lower-floors)" if args.lower_floors else "kept (lowering takes --lower-floors)"
            print(f"quality-gate: {key}: {new:.4f} is below the floor {old:.4f}: {kept}")
            if not args.lower_floors:
                scores[key] = old
        pages = sum(len(rows) for _, rows in picked)
        faults = min(len(faulty), pinned.get("fidelity_faults", len(faulty)))
        if len(faulty) > faults and not args.lower_floors:
            sys.exit("quality-gate: not pinned: more pages with a fidelity fault takes --lower-floors")
        BASELINE.write_text(json.dumps({"digest": sample_digest, "pages": pages, "tolerance": TOLERANCE,
                                        "floors": scores, "fidelity_faults": len(faulty)},
                                       indent=2) + "\n", encoding="utf-8")  # fmt: skip
        print(f"quality-gate: pinned {len(scores)} floors over {pages} pages in {BASELINE.relative_to(REPO)}")
        return 0
    failed = 0
    for key, floor in sorted(floors.items()):
        found = scores.get(key)
        ok = found is not None and found >= floor - TOLERANCE
        failed += not ok
        shown = "missing" if found is None else f"{found:.4f}"
        print(f"{'ok  ' if ok else 'FAIL'} {key:<42} {shown:>8}  floor {floor:.4f}")
    seconds = time.perf_counter() - started
    print(f"quality-gate: {len(floors) - failed}/{len(floors)} floors held ({seconds:.0f} s)")
    # the goal is 0; the pinned count is a ceiling, as the floors are, until it is met
    ceiling = int(pinned.get("fidelity_faults", 0))
    print(f"quality-gate: text fidelity (at most {ceiling} pages with a fault): {report(faulty)}")
    if raised:
        print(f"quality-gate: the extraction raised on {len(raised)} pages (listed above)")
    return 1 if failed or raised or not floors or len(faulty) > ceiling else 0


if __name__ == "__main__":
    sys.exit(main())
