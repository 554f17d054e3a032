"""Text fidelity over every page of ../shared/datasets: the text reads as the page reads.

    make fidelity                                   # every page, the shipped model; CI runs it
    .venv/bin/python bench/fidelity.py --sample 50  # a stratified sample per dataset

Two faults are counted on each page's output (`faults`), and the run fails unless both are 0:

- a space before a comma or a full stop that the page does not have: each "word ," or "word ." of
  the output must be in the page's own rendered text (its visible text nodes joined as a browser
  joins inline text, whitespace collapsed), else the space came from us;
- text kept twice: a kept block (or, where trafilatura's output stood, a line) of
  `model.MIN_COPY_WORDS` words or more whose text is inside another one.

The quality gate (bench/gate.py) counts the same faults on its sample.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from splits import load_datasets

_SPACED = re.compile(r"\w+ [,.]")  # over extracted text, never HTML
_INVISIBLE = "script, style, noscript, template, svg, head"


@dataclass(frozen=True, slots=True)
class Faults:
    spaced: list[str]  # "word ," the page does not have
    copies: list[str]  # kept texts found inside another kept text

    def __bool__(self) -> bool:
        return bool(self.spaced or self.copies)


def rendered(html: str) -> str:
    """The page's visible text as a browser joins it: text nodes side by side, whitespace collapsed."""
    from selectolax.lexbor import LexborHTMLParser  # noqa: PLC0415

    tree = LexborHTMLParser(html)
    for node in tree.css(_INVISIBLE):
        node.decompose()
    root = tree.body if tree.body is not None else tree.root
    return " ".join((root.text(deep=True, separator="") if root is not None else "").split())


def faults(html: str, text: str, kept: list[str] | None) -> Faults:
    """The fidelity faults of `text` extracted from `html`; `kept`: the texts of the kept blocks
    (None when trafilatura's output stood: its lines are compared instead)."""
    from scraper.extract.model import MIN_COPY_WORDS, words  # noqa: PLC0415

    page = rendered(html) if _SPACED.search(text) else ""
    spaced = [m for m in _SPACED.findall(text) if m not in page]
    units = [u for u in (kept if kept is not None else text.splitlines()) if words(u) >= MIN_COPY_WORDS]
    everything = "\0".join(units)
    copies = [u for u in units if everything.count(u) >= 2]
    return Faults(spaced, copies)


def check(task: tuple[str, str]) -> tuple[str, str, Faults]:
    """Extract one page (its name, its path) with the shipped model: its name, text and faults."""
    from scraper.config import ExtractSettings  # noqa: PLC0415  # imported in the worker
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    name, path = task
    page = load_file(path, url=None, max_bytes=50 * 2**20)
    trace = Trace()
    try:
        document = extract(page, ExtractSettings(), trace)
    except ScraperError:  # no main content: an empty text
        return name, "", Faults([], [])
    text = "" if document.skip_reason else document.text
    kept = None if trace.chosen is None else [b.text for b in trace.chosen]
    return name, text, faults(page.html, text, kept)


def report(found: list[tuple[str, Faults]]) -> str:
    """What went wrong where (the first pages), and the totals."""
    lines = [
        f"{name}: spaces {f.spaced[:3]} copies {[c[:60] for c in f.copies[:2]]}" for name, f in found[:20]
    ]
    spaced = sum(len(f.spaced) for _, f in found)
    copies = sum(len(f.copies) for _, f in found)
    lines.append(f"{spaced} spaces before punctuation the page does not have, {copies} kept texts "
                 f"inside another (pages with a fault: {len(found)})")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="at most this many pages per dataset, stratified by type")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    from quality import sample  # noqa: PLC0415

    started = time.perf_counter()
    tasks = [
        (f"{d.name}/{r['id']}", str(d.source(r)))
        for d in load_datasets(command="fidelity")
        for r in sample(d.rows, args.sample)
    ]
    # forkserver: a forked child of a process that has run LightGBM's OpenMP threads can hang
    with ProcessPoolExecutor(args.jobs, multiprocessing.get_context("forkserver")) as pool:
        found = [(name, f) for name, _, f in pool.map(check, tasks, chunksize=8) if f]
    print(report(found))
    print(f"fidelity: {len(tasks)} pages in {time.perf_counter() - started:.0f} s")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
