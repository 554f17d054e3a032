"""Per-page cost of our extraction against trafilatura's, paired on the same pages in one run.

    make bench-speed                                          # 40 pages per dataset, stratified
    .venv/bin/python bench/speed.py --sample 100 --rounds 2   # more pages, each timed twice

For each page of a stratified sample of every dataset (the sample of bench/quality.py), in one
process: our `extract` (the shipped model, its time split by stage), `trafilatura.extract(html,
with_metadata=True)` and `trafilatura.extract(html, with_metadata=True, fast=True)`, the order
rotating from page to page so none always gets the warmer cache. Every page is run once first,
unmeasured, so one-time costs (dateparser's and py3langid's tables, the model) are not charged to
whoever meets them first; then what the process holds is frozen out of the garbage collector's
full collections (gc.freeze), as in an extraction worker. Times are CPU time of this one process
(`time.process_time`, as pipeline.Trace times our stages): on a machine shared with other work,
wall time measures the neighbours as much as the extractors. The ratios are of the summed times:
the issue's goal is ours at most 1.0x trafilatura with metadata (aim 0.7x). `--fast` times our
`[extract] fast` instead. Ours is timed twice in the same run: as shipped, and with `[extract]
cascade = false` (trafilatura's extraction on every page, as before the cascade), each with its
split by stage. `--forms` says which of our output forms are built: `every` (Markdown and XML, as
the store and the Python API build them), `none` (as the text, JSON lines and Parquet outputs
read them: `[extract]`'s `forms` empty) or `both` (the default: ours timed each way in the same
run, the cascade-off run with every form).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from quality import STAGES, sample
from splits import load_datasets

# ours with every form, ours with none (the text, JSON lines and Parquet outputs), ours with the
# cascade off, trafilatura with metadata, and the same in its `fast` mode
SYSTEMS = ("ours", "ours-no-forms", "ours-no-cascade", "trafilatura", "trafilatura-fast")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=40, help="pages per dataset, stratified by type")
    parser.add_argument("--rounds", type=int, default=1, help="times each page is timed")
    parser.add_argument("--fast", action="store_true", help="our [extract] fast = true")
    parser.add_argument(
        "--forms",
        choices=("every", "none", "both"),
        default="both",
        help="the output forms ours builds: every (Markdown, XML), none (text, JSON lines, Parquet) or both",
    )
    args = parser.parse_args()

    import trafilatura  # noqa: PLC0415  # after the arguments: --help stays quick

    from scraper.config import FORMS, ExtractSettings  # noqa: PLC0415
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    none: frozenset[str] = frozenset()
    every = none if args.forms == "none" else FORMS
    settings = {
        "ours": ExtractSettings(fast=args.fast, forms=every),
        "ours-no-forms": ExtractSettings(fast=args.fast, forms=none),
        "ours-no-cascade": ExtractSettings(fast=args.fast, cascade=False, forms=every),
    }
    if args.forms != "both":
        del settings["ours-no-forms"]
    pages = [
        load_file(str(dataset.source(row)), url=None, max_bytes=50 * 2**20)
        for dataset in load_datasets(command="bench-speed")
        for row in sample(dataset.rows, args.sample)
    ]
    stages = {name: dict.fromkeys(STAGES, 0.0) for name in settings}
    skipped = dict.fromkeys(settings, 0)  # pages whose trafilatura extraction the cascade skipped

    def ours(name: str) -> Callable[[Any], None]:
        def run(page: Any) -> None:
            trace = Trace()
            with contextlib.suppress(ScraperError):  # a page without a story costs what it cost
                extract(page, settings[name], trace)
            for stage, seconds in trace.timings.items():
                stages[name][stage] = stages[name].get(stage, 0.0) + seconds
            skipped[name] += bool(trace.blocks) and trace.extractions == 0

        return run

    runs: dict[str, Callable[[Any], object]] = {
        **{name: ours(name) for name in settings},
        "trafilatura": lambda page: trafilatura.extract(page.html, with_metadata=True),
        "trafilatura-fast": lambda page: trafilatura.extract(page.html, with_metadata=True, fast=True),
    }
    systems = tuple(name for name in SYSTEMS if name in runs)  # ours-no-forms only with --forms both
    for page in pages:  # warm-up, unmeasured
        for run in runs.values():
            run(page)
    for name in settings:
        stages[name].update(dict.fromkeys(stages[name], 0.0))
        skipped[name] = 0
    # what this process holds before the timed pages (the libraries, the models, the pages
    # themselves) out of the collector's full collections, as an extraction worker freezes what
    # its forkserver loaded: else a full collection walks it all (about 0.1 s) and is charged to
    # whichever extractor's allocation set it off
    gc.collect()
    gc.freeze()
    spent = dict.fromkeys(systems, 0.0)
    timed = 0
    for _ in range(args.rounds):
        for i, page in enumerate(pages):
            order = systems[i % len(systems) :] + systems[: i % len(systems)]
            for name in order:
                started = time.process_time()
                runs[name](page)
                spent[name] += time.process_time() - started
            timed += 1
    _report(args, pages, spent, stages, skipped=skipped, timed=timed)
    return 0


def _report(
    args: argparse.Namespace,
    pages: list[Any],
    spent: dict[str, float],
    stages: dict[str, dict[str, float]],
    *,
    skipped: dict[str, int],
    timed: int,
) -> None:
    """The table: CPU ms per page of each system, ours split by stage, and the ratios."""
    ms = {name: 1000 * seconds / timed for name, seconds in spent.items()}
    split = {
        name: ", ".join(f"{stage} {1000 * seconds / timed:.1f}" for stage, seconds in by_stage.items())
        for name, by_stage in stages.items()
    }
    sizes = [len(page.body) / 1e3 for page in pages]  # the CPU a page costs grows with its size (KB)
    print(f"bench-speed: {len(pages)} pages x {args.rounds}, CPU ms per page, one process"
          f"{' (ours with [extract] fast)' if args.fast else ''}; pages of {statistics.mean(sizes):.0f} "
          f"KB on average (median {statistics.median(sizes):.0f} KB)")  # fmt: skip
    label = {"every": "ours, every form (Markdown, XML)", "none": "ours, no form (text, JSONL, Parquet)"}
    first = label["none" if args.forms == "none" else "every"]
    print(f"  {first:<44}{ms['ours']:7.1f}  ({split['ours']}; trafilatura's "
          f"extraction skipped on {skipped['ours'] / timed:.0%} of the pages)")  # fmt: skip
    if "ours-no-forms" in ms:
        print(f"  {label['none']:<44}{ms['ours-no-forms']:7.1f}  ({split['ours-no-forms']})")
    off = split["ours-no-cascade"]
    print(f"  ours, cascade off                           {ms['ours-no-cascade']:7.1f}  ({off})")
    print(f"  trafilatura.extract(with_metadata=True)     {ms['trafilatura']:7.1f}")
    print(f"  trafilatura.extract(..., fast=True)         {ms['trafilatura-fast']:7.1f}")
    for name in ("ours", "ours-no-forms"):
        if name not in ms:
            continue
        ratio = ms[name] / ms["trafilatura"]
        met = "yes" if ratio <= 1 else "NO"
        which = "no form" if name == "ours-no-forms" or args.forms == "none" else "every form"
        print(f"  ratio, {which}, vs trafilatura with metadata {ratio:.2f} (goal <= 1.00: {met}); "
              f"vs fast {ms[name] / ms['trafilatura-fast']:.2f}")  # fmt: skip
    off_ratio = ms["ours-no-cascade"] / ms["trafilatura"]
    print(f"  ratio, cascade off, vs trafilatura with metadata {off_ratio:.2f}")


if __name__ == "__main__":
    sys.exit(main())
