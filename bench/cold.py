"""Cold start (`make bench`, section `cold`): a fresh `scraper clean` process against trafilatura's
CLI on the same pages, plain wall-clock time, in the same run.

    one page   `scraper clean one.html`      against `trafilatura < one.html`
    50 files   `scraper clean DIR`           against `trafilatura --input-dir DIR`
    import     `python -c "import scraper"`  against `python -c "import trafilatura"`

The page is the seed article (tests/fixtures/seed-article); the 50 files are the first 50 pages,
by name, of ../shared/datasets/trafilatura-eval, unpacked to a temporary folder. Each command
runs --repeat times (at least 3), the pairs interleaved, and the median is kept. Goal: within
1.5x of trafilatura for one page and for 50 files (issue 17).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from splits import DATASETS, REPO

GOAL = 1.5
SEED = REPO / "tests" / "fixtures" / "seed-article" / "page.html"
FILES = 50

Row = dict[str, str]


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _wall(command: list[str], stdin: Path | None = None) -> float:
    """Seconds `command` takes from start to exit, its output thrown away; it must succeed."""
    started = time.perf_counter()
    with open(stdin or "/dev/null", "rb") as source:
        done = subprocess.run(command, stdin=source, capture_output=True, timeout=600, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return took


def _pages(folder: Path) -> Path:
    source = DATASETS / "trafilatura-eval" / "html"
    if not source.is_dir():
        sys.exit(f"bench cold: {source} is missing (the datasets live in ../shared/datasets)")
    target = folder / "pages"
    target.mkdir()
    for path in sorted(source.glob("*.html.gz"))[:FILES]:
        (target / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
    return target


def section_cold(args: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    repeat = max(3, args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        pages = _pages(Path(tmp))
        pairs = {
            "one page": (([_bin("scraper"), "clean", str(SEED)], None), ([_bin("trafilatura")], SEED)),
            f"{FILES} files": (
                ([_bin("scraper"), "clean", str(pages)], None),
                ([_bin("trafilatura"), "--input-dir", str(pages)], None),
            ),
            "import": (
                ([sys.executable, "-c", "import scraper"], None),
                ([sys.executable, "-c", "import trafilatura"], None),
            ),
        }
        times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
        for _ in range(repeat):
            for name, (ours, theirs) in pairs.items():
                times[name][0].append(_wall(*ours))
                times[name][1].append(_wall(*theirs))
    rows: list[Row] = []
    out: dict[str, Any] = {"repeat": repeat, "goal": GOAL, "runs": {}}
    for name, (our_times, their_times) in times.items():
        mine, base = statistics.median(our_times), statistics.median(their_times)
        ratio = mine / base
        goal = f"goal within {GOAL}x: {'PASS' if ratio <= GOAL else 'FAIL'}" if name != "import" else ""
        rows.append(
            {
                "section": "cold",
                "run": f"scraper clean, {name}" if name != "import" else "import scraper",
                "figure": f"{mine:.2f} s",
                "compared": f"{ratio:.2f}x trafilatura ({base:.2f} s)",
                "notes": "; ".join(filter(None, [f"median of {repeat}", goal])),
            }
        )
        out["runs"][name] = {"scraper_s": mine, "trafilatura_s": base, "ratio": ratio}
    return rows, out
