"""The Document JSON of dataset pages under several settings, recorded so an output-neutral change can
prove it changed no output.

    .venv/bin/python bench/identical.py --save bench/out/documents-before.json     # on the old code
    .venv/bin/python bench/identical.py --check bench/out/documents-before.json    # on the new code

For each page of a stratified sample of every dataset (the sample of bench/quality.py, 80 pages per
dataset by default: 377 pages), the real pipeline runs with the shipped model under four settings:
the defaults, `metadata = "stated"`, `include_comments = true` and `fast = true`. Each record is the whole
`Document` as JSON (text, Markdown, XML, every metadata field; `fetched_at` left out, the time of
the run) or the error the page raised. The page is given its URL from the dataset's truth, so the
URL's date and host are read as in a crawl. `--check` compares each record with the saved one and
exits 1 naming those that differ. bench/walks.py checks the walks' own output (signals, removals,
blocks) the same way.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from quality import sample
from recorded import arguments, save_or_check
from splits import load_datasets


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0], sample=80)

    from scraper.config import ExtractSettings  # noqa: PLC0415  # after the arguments: --help stays quick
    from scraper.corpus.sources import load_file  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import extract  # noqa: PLC0415

    settings = {
        "default": ExtractSettings(),
        "stated": ExtractSettings(metadata="stated"),
        "comments": ExtractSettings(include_comments=True),
        "fast": ExtractSettings(fast=True),
    }
    records: dict[str, str] = {}
    pages = 0
    for dataset in load_datasets(command="bench-identical"):
        for row in sample(dataset.rows, args.sample):
            page = load_file(str(dataset.source(row)), url=row.get("url"), max_bytes=50 * 2**20)
            pages += 1
            for name, setting in settings.items():
                try:
                    document = dataclasses.asdict(extract(page, setting))
                    document.pop("fetched_at")
                    record = json.dumps(document, sort_keys=True, default=str, ensure_ascii=False)
                except ScraperError as exc:
                    record = f"error {type(exc).__name__}: {exc}"
                records[f"{dataset.name}/{row['id']}/{name}"] = record
    return save_or_check(records, args, "bench-identical", f"{pages} pages, {len(records)} records")


if __name__ == "__main__":
    sys.exit(main())
