"""What the walks over a page compute, recorded so a change of mechanics can prove it changed nothing.

    .venv/bin/python bench/walks.py --save bench/out/walks-before.json      # on the old code
    .venv/bin/python bench/walks.py --check bench/out/walks-before.json     # on the new code

For each page of a stratified sample of every dataset (the sample of bench/quality.py, 60 pages
per dataset by default), the real pipeline runs with the shipped model and the trace records the
three walks' output: the page signals (classify.measure), the pre-pass removals
(prepass.strip_clutter) and every block with its tag, text and feature vector (blocks.page_blocks).
The shipped model is trained on those feature values, so a faster walk must give them bit for
bit: `--check` compares each page with the record and exits 1 naming the pages that differ.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import struct
import sys
from typing import Any

from quality import sample
from recorded import arguments, save_or_check
from splits import load_datasets


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0], sample=60)

    from scraper.config import ExtractSettings  # noqa: PLC0415  # after the arguments: --help stays quick
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    settings = ExtractSettings(cascade=False)  # trafilatura on every page: every feature is filled
    record: dict[str, dict[str, str]] = {}
    for dataset in load_datasets(command="bench/walks.py"):
        for row in sample(dataset.rows, args.sample):
            page = load_file(str(dataset.source(row)), url=None, max_bytes=50 * 2**20)
            trace = Trace(collect_blocks=True)
            with contextlib.suppress(ScraperError):  # a page without a story still has its walks
                extract(page, settings, trace)
            record[f"{dataset.name}/{row['id']}"] = _digests(trace)
    blocks = sum(int(d["blocks"].split(":", 1)[0]) for d in record.values())
    return save_or_check(record, args, "bench/walks.py", f"{len(record)} pages, {blocks} blocks")


def _digests(trace: Any) -> dict[str, str]:
    """A digest of each walk's output: features packed as exact doubles, never rounded."""
    blocks = hashlib.sha256()
    for block in trace.blocks:
        blocks.update(f"{block.tag}\0{block.text}\0".encode("utf-8", "surrogatepass"))
        blocks.update(struct.pack(f"<{len(block.features)}d", *block.features))
    chosen = [b.text for b in trace.chosen] if trace.chosen is not None else None
    signals = dataclasses.asdict(trace.signals) if trace.signals is not None else None
    return {
        "blocks": f"{len(trace.blocks)}:{blocks.hexdigest()}",
        "signals": _hash(signals),
        "removals": _hash([dataclasses.astuple(r) for r in trace.removals]),
        "chosen": _hash(chosen),
        "verdict": _hash(dataclasses.asdict(trace.verdict) if trace.verdict is not None else None),
    }


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=sorted).encode()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
