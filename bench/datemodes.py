"""The metadata trade, mode by mode, on the CV pages with a metadata truth (no frozen page is read).

    PYTHONPATH=. .venv/bin/python bench/datemodes.py [--limit N] [--variants full markup stated]

trafilatura-eval's pages with a `meta` record (bench-metadata's cases, frozen sites left out
before any page is read), each extracted once per variant in this one process, the variants'
order rotating page by page so that the shared cores' load falls on all of them alike. Prints,
per variant, the dates right / wrong / missing over the pages whose truth has a date, the dates
given where the truth has none, the authors right (bench-metadata's "author normalised") and
absent where the truth names nobody, and the CPU ms a page of `extract`.

Variants: the `[extract] metadata` modes (full, markup, stated) and these readings of the
default, made here by replacing its date search (nothing committed reads them):
`htmldate-markup` (htmldate's search of the markup alone, as `--fast` searches),
`full-every-kind` (htmldate's search on a page of every type, as the default ran it before it
searched only a page typed article or forum, `pipeline._DATED_PAGES`), `no-date-search` (no date
search at all: JSON-LD, meta tags, the URL and `<time>` alone); on a page whose text writes out no
day (`dates.states_some_day`, where the default searches the markup alone), `head-if-no-day`
(htmldate's search of the markup of the page up to its `</head>` instead, as written) and
`none-if-no-day` (no search there).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from splits import is_frozen, load_datasets

# the end of a page's head as written (`head-if-no-day`: the markup search of the head alone)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)

_BYLINE = frozenset(
    {"by", "and", "und", "et", "y", "par", "von", "vom", "por", "de", "written", "posted", "&"}
)
MODES = ("full", "markup", "stated")  # `[extract] metadata`; the other variants read "full"


def cases(limit: int | None) -> list[tuple[str, bytes, dict[str, Any]]]:
    [traf] = load_datasets(["trafilatura-eval"], command="datemodes")
    rows = [r for r in traf.rows if r.get("meta") and not is_frozen(r)][:limit]
    out = []
    for row in rows:
        path = traf.source(row)
        raw = path.read_bytes()
        out.append((str(row["id"]), gzip.decompress(raw) if str(path).endswith(".gz") else raw, row["meta"]))
    return out


def _day(value: str | None) -> str:
    found = re.search(r"\d{4}-\d{2}-\d{2}", value or "")
    return found[0] if found else ""


def _names(value: str) -> set[str]:
    words = "".join(c if c.isalnum() else " " for c in value.casefold()).split()
    return {w for w in words if w not in _BYLINE}


@contextmanager
def _variant(name: str) -> Iterator[None]:
    from scraper.config import PAGE_TYPES  # noqa: PLC0415
    from scraper.dates import states_some_day  # noqa: PLC0415
    from scraper.extract import pipeline  # noqa: PLC0415

    names = vars(pipeline)  # the module's globals: its functions call these by name
    original_search, original_kinds = names["_date_search"], names["_DATED_PAGES"]
    original_searched: Callable[..., str | None] = names["_searched_date"]

    def markup_only(facts: Any, html: str, tree: Any, page: Any, settings: Any) -> Callable[[], str | None]:
        found = original_search(facts, html, tree, page, settings)
        if found is pipeline._no_search:
            return found
        url = facts.canonical or page.final_url or page.url
        return lambda: pipeline._find_date(html, url, extensive=False)

    def no_search(facts: Any, html: str, tree: Any, page: Any, settings: Any) -> Callable[[], str | None]:
        return pipeline._no_search

    def head_if_no_day(text: str, in_text: Any, in_markup: Any) -> str | None:
        if states_some_day(text):
            return original_searched(text, in_text, in_markup)
        end = _HEAD_END.search(in_markup.args[0])
        if end is None:
            return original_searched(text, in_text, in_markup)
        return pipeline._find_date(in_markup.args[0][: end.end()], in_markup.args[1], extensive=False)

    def none_if_no_day(text: str, in_text: Any, in_markup: Any) -> str | None:
        return original_searched(text, in_text, in_markup) if states_some_day(text) else None

    replaced = {"no-date-search": no_search, "htmldate-markup": markup_only}
    searched = {"head-if-no-day": head_if_no_day, "none-if-no-day": none_if_no_day}
    if name in replaced:
        names["_date_search"] = replaced[name]
    if name in searched:
        names["_searched_date"] = searched[name]
    if name == "full-every-kind":
        names["_DATED_PAGES"] = frozenset(PAGE_TYPES) - {"listing"}  # a listing: as before
    try:
        yield
    finally:
        names["_date_search"], names["_DATED_PAGES"] = original_search, original_kinds
        names["_searched_date"] = original_searched


def run(variants: list[str], limit: int | None, out: Path | None) -> None:
    from scraper.config import ExtractSettings  # noqa: PLC0415
    from scraper.corpus.sources import page_from_bytes  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import extract  # noqa: PLC0415

    def once(name: str, raw: bytes) -> tuple[str, tuple[str, ...], float]:
        settings = ExtractSettings(metadata=name if name in MODES else "full")
        with _variant(name):
            page = page_from_bytes(raw, source="bench", url=None)
            start = time.process_time()
            try:
                doc = extract(page, settings)
            except ScraperError:
                return "", (), time.process_time() - start
            return _day(doc.date), doc.authors, time.process_time() - start

    pages = cases(limit)
    for _, raw, _ in pages[:20]:  # warm-up: imports, models, dateparser
        for name in variants:
            once(name, raw)
    tally = {
        v: dict.fromkeys(("right", "wrong", "missing", "extra", "authors", "absent", "cpu"), 0.0)
        for v in variants
    }
    found: dict[str, dict[str, str]] = {v: {} for v in variants}
    for i, (page_id, raw, meta) in enumerate(pages):
        for name in variants[i % len(variants) :] + variants[: i % len(variants)]:
            day, authors, cpu = once(name, raw)
            want, t = _day(meta.get("date")), tally[name]
            t["cpu"] += cpu
            found[name][page_id] = day
            if want:
                t["right" if day == want else "wrong" if day else "missing"] += 1
            elif day:
                t["extra"] += 1
            if meta.get("author"):
                t["authors"] += bool(authors) and _names(" ".join(authors)) == _names(str(meta["author"]))
            else:
                t["absent"] += not authors
    dated = sum(bool(_day(meta.get("date"))) for _, _, meta in pages)
    named = sum(bool(meta.get("author")) for _, _, meta in pages)
    print(f"{len(pages)} CV pages with a meta truth, {dated} dated, {named} with an author")
    print(
        f"| variant | dates right / wrong / missing (of {dated}) | a date where the truth has none"
        f" (of {len(pages) - dated}) | authors right (of {named}) | none where none"
        f" (of {len(pages) - named}) | CPU ms a page |\n|---|---:|---:|---:|---:|---:|"
    )
    for name in variants:
        t = tally[name]
        dates = f"{t['right']:.0f} / {t['wrong']:.0f} / {t['missing']:.0f}"
        print(
            f"| {name} | {dates} | {t['extra']:.0f} | {t['authors']:.0f} | {t['absent']:.0f}"
            f" | {1000 * t['cpu'] / len(pages):.1f} |"
        )
    if out is not None:
        out.write_text(json.dumps(found, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--out", type=Path, help="each variant's day for each page, as JSON")
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["full", "full-every-kind", "htmldate-markup", "markup", "no-date-search", "stated"],
    )
    args = parser.parse_args()
    run(args.variants, args.limit, args.out)


if __name__ == "__main__":
    main()
