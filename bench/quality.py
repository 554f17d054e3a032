"""Extraction quality: `scraper clean` against plain trafilatura on the shared datasets.

    make bench-quality                                   # every dataset, every page
    .venv/bin/python bench/quality.py --sample 200       # a stratified sample per dataset, for development
    .venv/bin/python bench/quality.py --datasets wcxb-dev --reuse-baselines --no-speed

For each dataset in ../shared/datasets (relative to the repository) this

1. links each page's source file into a temporary folder as `<id>.html.gz` (never the
   `expected.html` lying next to it) and runs `scraper clean DIR --format jsonl`;
2. runs plain `trafilatura.extract` on the same bytes, with its default settings and with
   `include_comments=False`;
3. times, in one process and page by page, our `extract` against
   `trafilatura.extract(html, with_metadata=True)` on the same decoded HTML (the order
   alternates per page, so neither gets the warmer cache);
4. scores every system with ../shared/tools/score.py: shingle F1 for datasets with a text truth,
   snippet F1 for trafilatura-eval, and word F1 overall and per page type for wcxb-dev.

It prints one table, checks the goals of the extraction-quality issue, and writes the table as
JSON (bench/out/quality.json by default, with every system's predictions beside it).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATASETS = SHARED / "datasets"
SCORER = SHARED / "tools" / "score.py"
SCRAPER = Path(sys.executable).parent / "scraper"

OURS, DEFAULT, NO_COMMENTS = "scraper", "trafilatura", "trafilatura-nocomments"
SYSTEMS = (OURS, DEFAULT, NO_COMMENTS)
BASELINES = (DEFAULT, NO_COMMENTS)

# dataset -> (protocol of the headline number, its goal); wcxb-dev also has per-type goals
GOALS: dict[str, tuple[str, float]] = {
    "wcxb-dev": ("word", 0.88),
    "mozilla-readability": ("shingle", 0.95),
    "cleaneval-dev": ("shingle", 0.85),
    "trafilatura-eval": ("snippets", 0.94),
}
ARTICLE_GOAL = 0.95


@dataclass
class Dataset:
    name: str
    rows: list[dict[str, Any]]
    folder: Path

    def source(self, row: dict[str, Any]) -> Path:
        return self.folder / str(row["html_path"])


@dataclass
class Run:
    """Predictions ({id: text}) per system, and the per-page timings of the speed pass."""

    predictions: dict[str, dict[str, str]] = field(default_factory=dict)
    ours_seconds: float = 0.0
    trafilatura_seconds: float = 0.0
    timed_pages: int = 0
    cli_seconds: float = 0.0
    failures: int = 0


# -- inputs ---------------------------------------------------------------------------------------


def _load_datasets(names: list[str] | None) -> list[Dataset]:
    if not DATASETS.is_dir() or not SCORER.is_file():
        sys.exit(
            f"bench-quality: the shared datasets are missing: expected {DATASETS} and {SCORER}\n"
            "(they live next to the repository, in ../shared; see ../shared/datasets/README.md)"
        )
    found = sorted(p.name for p in DATASETS.iterdir() if (p / "truth.jsonl").is_file())
    unknown = sorted(set(names or ()) - set(found))
    if unknown:
        sys.exit(f"bench-quality: no such dataset in {DATASETS}: {', '.join(unknown)}")
    datasets = []
    for name in names or found:
        folder = DATASETS / name
        with open(folder / "truth.jsonl", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        datasets.append(Dataset(name, [r for r in rows if not r.get("exclude")], folder))
    return datasets


def _sample(rows: list[dict[str, Any]], size: int | None) -> list[dict[str, Any]]:
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


# -- running the systems --------------------------------------------------------------------------


def _run_ours(
    dataset: Dataset, rows: list[dict[str, Any]], jobs: int, out: Path
) -> tuple[float, int, list[str]]:
    """`scraper clean` over a folder of `<id>.html.gz` links: (seconds, failed pages, skipped ids).

    A page the classifier judges junk is printed with a `skip_reason` and no text; it scores as
    an empty prediction, and its id is listed so the cost of skipping can be read off.
    """
    with tempfile.TemporaryDirectory(prefix=f"bench-{dataset.name}-") as tmp:
        for row in rows:
            os.symlink(dataset.source(row), Path(tmp) / f"{row['id']}.html.gz")
        command = [str(SCRAPER), "clean", tmp, "--format", "jsonl", "--jobs", str(jobs)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"bench-quality: {' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    skipped = []
    with open(out, "w", encoding="utf-8") as fh:
        for line in done.stdout.splitlines():
            record = json.loads(line)
            page_id = Path(record["source"]).name.removesuffix(".html.gz")
            if record.get("skip_reason"):
                skipped.append(page_id)
            fh.write(json.dumps({"id": page_id, "text": record["text"]}, ensure_ascii=False) + "\n")
    failed = sum(1 for line in done.stderr.splitlines() if line.startswith("scraper: "))
    return seconds, failed, skipped


def _baseline_page(task: tuple[str, str, int, bool, bool]) -> dict[str, Any]:
    """Plain trafilatura on one page (both settings), and the paired timing of the speed pass."""
    import trafilatura  # noqa: PLC0415  # imported in the worker, as the scraper's own workers do

    from scraper.config import ExtractSettings  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import extract  # noqa: PLC0415
    from scraper.sources import load_file  # noqa: PLC0415

    page_id, path, index, baselines, speed = task
    result: dict[str, Any] = {"id": page_id}
    if baselines:
        raw = gzip.decompress(Path(path).read_bytes())
        result[DEFAULT] = trafilatura.extract(raw) or ""
        result[NO_COMMENTS] = trafilatura.extract(raw, include_comments=False) or ""
    if speed:
        page = load_file(path, url=None, max_bytes=50 * 2**20)
        html, settings = page.html, ExtractSettings()

        def ours() -> float:
            started = time.perf_counter()
            with contextlib.suppress(ScraperError):  # a page without a story still costs its time
                extract(page, settings)
            return time.perf_counter() - started

        def theirs() -> float:
            started = time.perf_counter()
            trafilatura.extract(html, with_metadata=True)
            return time.perf_counter() - started

        if index % 2:
            result["ours_s"], result["trafilatura_s"] = ours(), theirs()
        else:
            result["trafilatura_s"], result["ours_s"] = theirs(), ours()
    return result


def _run_baselines(dataset: Dataset, rows: list[dict[str, Any]], run: Run, jobs: int, speed: bool) -> None:
    baselines = not all(s in run.predictions for s in BASELINES)
    if not (baselines or speed):
        return
    tasks = [(r["id"], str(dataset.source(r)), i, baselines, speed) for i, r in enumerate(rows)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_baseline_page, tasks, chunksize=8))
    if baselines:
        for system in BASELINES:
            run.predictions[system] = {r["id"]: r[system] for r in results}
    if speed:
        run.ours_seconds = sum(r["ours_s"] for r in results)
        run.trafilatura_seconds = sum(r["trafilatura_s"] for r in results)
        run.timed_pages = len(results)


def _read_predictions(path: Path, ids: set[str]) -> dict[str, str] | None:
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as fh:
        found = {row["id"]: row["text"] for row in map(json.loads, fh)}
    return found if ids <= set(found) else None


def _write_predictions(path: Path, predictions: dict[str, str]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for page_id, text in predictions.items():
            fh.write(json.dumps({"id": page_id, "text": text}, ensure_ascii=False) + "\n")


# -- scoring --------------------------------------------------------------------------------------


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def _score(
    scorer: ModuleType, dataset: Dataset, rows: list[dict[str, Any]], run: Run
) -> list[dict[str, Any]]:
    """Table rows: one per (metric, page subset), each with every system's F1 (and P/R for ours)."""
    protocols = ["snippets"] if dataset.name == "trafilatura-eval" else ["shingle"]
    if dataset.name == "wcxb-dev":
        protocols = ["word", "shingle"]
    subsets: list[tuple[str, list[dict[str, Any]]]] = [("all", rows)]
    if dataset.name == "wcxb-dev":
        types = sorted({str(r.get("page_type")) for r in rows})
        subsets += [(t, [r for r in rows if str(r.get("page_type")) == t]) for t in types]
    table = []
    for protocol in protocols:
        for subset, subset_rows in subsets:
            if subset != "all" and protocol != "word":
                continue
            line: dict[str, Any] = {
                "dataset": dataset.name,
                "metric": protocol,
                "pages": subset,
                "n": len(subset_rows),
            }
            for system in SYSTEMS:
                [result] = scorer.score(
                    subset_rows, run.predictions[system], system, [protocol], 4, 0, 0, None
                )
                line[system] = result.metrics["f1"]
                if system == OURS:
                    line["precision"], line["recall"] = result.metrics["precision"], result.metrics["recall"]
            table.append(line)
    return table


def _goal_for(line: dict[str, Any]) -> float | None:
    protocol, goal = GOALS.get(line["dataset"], ("", 0.0))
    if line["metric"] != protocol:
        return None
    if line["pages"] == "all":
        return goal
    return ARTICLE_GOAL if line["pages"] == "article" else 0.0


def _judge(table: list[dict[str, Any]]) -> None:
    """Mark each headline row with its goal: above the better trafilatura and the absolute target."""
    for line in table:
        best = max(line[DEFAULT], line[NO_COMMENTS])
        line["best_trafilatura"] = best
        line["delta"] = line[OURS] - best
        goal = _goal_for(line)
        line["goal"] = goal
        if goal is not None:
            line["met"] = line[OURS] > best and line[OURS] >= goal
            if line["pages"] not in ("all", "article"):
                line["met"] = line[OURS] >= best  # a page type must not fall below trafilatura


def _seed_exact() -> bool:
    """Whether the seed page still comes out exactly as tests/fixtures/seed-article/expected.txt."""
    from scraper.config import ExtractSettings  # noqa: PLC0415
    from scraper.extract.pipeline import clean_html  # noqa: PLC0415

    seed = REPO / "tests" / "fixtures" / "seed-article"
    spec = json.loads((seed / "expected.json").read_text(encoding="utf-8"))
    doc = clean_html(
        (seed / "page.html").read_text(encoding="utf-8"), url=spec["url"], settings=ExtractSettings()
    )

    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    return lines(doc.text) == lines((seed / "expected.txt").read_text(encoding="utf-8"))


# -- output ---------------------------------------------------------------------------------------


def _print_table(table: list[dict[str, Any]], speed: dict[str, Any], seed: bool) -> None:
    head = f"{'dataset':<20}{'metric':<9}{'pages':<20}{'ours':>7}{'P':>7}{'R':>7}"
    head += f"{'traf':>7}{'traf-nc':>8}{'delta':>8}{'goal':>7}  met"
    print(head)
    print("-" * len(head))
    for line in table:
        pages = f"{line['pages']} ({line['n']})"
        goal = "" if line["goal"] is None else (f"{line['goal']:.2f}" if line["goal"] else ">=traf")
        met = "" if line["goal"] is None else ("yes" if line["met"] else "NO")
        print(
            f"{line['dataset']:<20}{line['metric']:<9}{pages:<20}{line[OURS]:>7.3f}{line['precision']:>7.3f}"
            f"{line['recall']:>7.3f}{line[DEFAULT]:>7.3f}{line[NO_COMMENTS]:>8.3f}{line['delta']:>+8.3f}"
            f"{goal:>7}  {met}"
        )
    print()
    if speed.get("pages"):
        print(
            f"speed, one core, {speed['pages']} pages: ours {speed['ours_ms']:.1f} ms/page, "
            f"trafilatura.extract(with_metadata=True) {speed['trafilatura_ms']:.1f} ms/page, "
            f"ratio {speed['ratio']:.2f} (goal <= 1.00: {'yes' if speed['ratio'] <= 1 else 'NO'})"
        )
    print(f"seed page exact: {'yes' if seed else 'NO'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", help="comma-separated dataset folder names (default: all)")
    parser.add_argument("--sample", type=int, help="at most this many pages per dataset, stratified by type")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "out", help="predictions and quality.json"
    )
    parser.add_argument(
        "--reuse-baselines", action="store_true", help="reuse trafilatura predictions in --out"
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the paired timing pass")
    args = parser.parse_args()
    if not SCRAPER.exists():
        sys.exit(f"bench-quality: {SCRAPER} not found; install the project first (make venv)")

    scorer = _scorer()
    table: list[dict[str, Any]] = []
    totals = {"ours": 0.0, "trafilatura": 0.0, "pages": 0}
    runs: dict[str, dict[str, Any]] = {}
    for dataset in _load_datasets(args.datasets.split(",") if args.datasets else None):
        rows = _sample(dataset.rows, args.sample)
        ids = {r["id"] for r in rows}
        folder = args.out / dataset.name
        folder.mkdir(parents=True, exist_ok=True)
        run = Run()
        print(f"{dataset.name}: {len(rows)} pages", file=sys.stderr)
        run.cli_seconds, run.failures, skipped = _run_ours(dataset, rows, args.jobs, folder / f"{OURS}.jsonl")
        run.predictions[OURS] = _read_predictions(folder / f"{OURS}.jsonl", set()) or {}
        if args.reuse_baselines:
            for system in BASELINES:
                if (found := _read_predictions(folder / f"{system}.jsonl", ids)) is not None:
                    run.predictions[system] = found
        _run_baselines(dataset, rows, run, args.jobs, speed=not args.no_speed)
        for system in BASELINES:
            _write_predictions(folder / f"{system}.jsonl", run.predictions[system])
        table += _score(scorer, dataset, rows, run)
        totals["ours"] += run.ours_seconds
        totals["trafilatura"] += run.trafilatura_seconds
        totals["pages"] += run.timed_pages
        runs[dataset.name] = {
            "pages": len(rows),
            "failed": run.failures,
            "skipped_as_junk": len(skipped),
            "skipped_ids": skipped,
            "cli_seconds": round(run.cli_seconds, 2),
            "ours_ms": 1000 * run.ours_seconds / run.timed_pages if run.timed_pages else None,
            "trafilatura_ms": 1000 * run.trafilatura_seconds / run.timed_pages if run.timed_pages else None,
        }
    _judge(table)
    speed: dict[str, Any] = {"pages": totals["pages"]}
    if totals["pages"]:
        speed["ours_ms"] = 1000 * totals["ours"] / totals["pages"]
        speed["trafilatura_ms"] = 1000 * totals["trafilatura"] / totals["pages"]
        speed["ratio"] = totals["ours"] / totals["trafilatura"]
    seed = _seed_exact()
    _print_table(table, speed, seed)
    for name, info in runs.items():
        print(f"{name}: {info['failed']} pages failed (no text), {info['skipped_as_junk']} skipped as junk")
    report = {"table": table, "speed": speed, "runs": runs, "seed_exact": seed, "sample": args.sample}
    (args.out / "quality.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out / 'quality.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
