"""Metadata quality: title, byline and language of `scraper` against plain trafilatura.

    make bench-metadata
    .venv/bin/python bench/metadata.py --limit 20        # the first 20 pages, for development

Truth is mozilla-readability's `pages/*/expected-metadata.json` in ../shared/datasets (fields
`title`, `byline`, `lang`). Each page's `source.html.gz` is decoded once (scraper.corpus.sources, as
`scraper clean` would) and given to our `extract` and to `trafilatura.bare_extraction(html,
with_metadata=True)`. Match rates, over the pages whose truth has the field:

    title     exact: equal after whitespace is normalised; normalised: equal as lowercase words
    byline    exact: the authors joined with ", " equal the byline; normalised: the same set of
              lowercase name words, byline words ("by", "and", ...) left out. "absent" is the
              share of pages *without* a byline where the system also names nobody.
    language  exact: the same tag; normalised: the same primary subtag ("en-US" = "en")

Prints one table and writes it, with every page's values, to bench/out/metadata.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura
from trafilatura.settings import Document as TrafilaturaDocument

from scraper.config import ExtractSettings
from scraper.corpus.sources import page_from_bytes
from scraper.errors import ScraperError
from scraper.extract.pipeline import extract

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO.parent / "shared" / "datasets" / "mozilla-readability" / "pages"
OUT = REPO / "bench" / "out" / "metadata.json"
SYSTEMS = ("scraper", "trafilatura")
_BYLINE_WORDS = frozenset({"by", "and", "par", "von", "por", "de", "written", "posted", "&"})


@dataclass(frozen=True, slots=True)
class Found:
    """One system's metadata for one page."""

    title: str | None
    authors: tuple[str, ...]
    language: str | None


def _ours(html: bytes) -> Found:
    try:
        doc = extract(page_from_bytes(html, source="bench", url=None), ExtractSettings())
    except ScraperError:
        return Found(None, (), None)
    return Found(doc.title, doc.authors, doc.language)


def _trafilatura(html: bytes) -> Found:
    decoded = page_from_bytes(html, source="bench", url=None).html
    found = trafilatura.bare_extraction(decoded, with_metadata=True)
    if not isinstance(found, TrafilaturaDocument):
        return Found(None, (), None)
    authors = tuple(a.strip() for a in (found.author or "").split(";") if a.strip())
    return Found(found.title, authors, found.language)


def _words(value: str | None) -> list[str]:
    cleaned = "".join(c if c.isalnum() else " " for c in (value or "").casefold())
    return cleaned.split()


def _space(value: str | None) -> str:
    return " ".join((value or "").split())


def _primary(value: str | None) -> str:
    return (value or "").replace("_", "-").split("-", 1)[0].strip().lower()


Check = Callable[[Any, Found], bool]
CHECKS: dict[str, tuple[str, Check]] = {
    "title exact": ("title", lambda want, got: _space(got.title) == _space(want)),
    "title normalised": ("title", lambda want, got: _words(got.title) == _words(want)),
    "byline exact": ("byline", lambda want, got: ", ".join(got.authors) == _space(want)),
    "byline normalised": (
        "byline",
        lambda want, got: (
            {w for w in _words(" ".join(got.authors)) if w not in _BYLINE_WORDS}
            == {w for w in _words(want) if w not in _BYLINE_WORDS}
        ),
    ),
    "language exact": ("lang", lambda want, got: (got.language or "").lower() == want.lower()),
    "language normalised": ("lang", lambda want, got: _primary(got.language) == _primary(want)),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not PAGES.is_dir():
        sys.exit(f"no dataset at {PAGES}")
    cases = sorted(p for p in PAGES.iterdir() if (p / "expected-metadata.json").is_file())[: args.limit]
    pages: list[dict[str, Any]] = []
    for case in cases:
        truth = json.loads((case / "expected-metadata.json").read_text(encoding="utf-8"))
        html = gzip.decompress((case / "source.html.gz").read_bytes())
        found = {"scraper": _ours(html), "trafilatura": _trafilatura(html)}
        pages.append({"id": case.name, "truth": truth, "found": found})

    rows: list[dict[str, Any]] = []
    for name, (field, check) in CHECKS.items():
        judged = [p for p in pages if p["truth"].get(field)]
        row: dict[str, Any] = {"check": name, "pages": len(judged)}
        for system in SYSTEMS:
            hits = sum(check(p["truth"][field], p["found"][system]) for p in judged)
            row[system] = round(hits / len(judged), 3) if judged else None
        rows.append(row)
    without = [p for p in pages if not p["truth"].get("byline")]
    absent: dict[str, Any] = {"check": "byline absent", "pages": len(without)}
    for system in SYSTEMS:
        hits = sum(not p["found"][system].authors for p in without)
        absent[system] = round(hits / len(without), 3) if without else None
    rows.append(absent)

    print(f"{'mozilla-readability metadata':<24}{'pages':>7}{'scraper':>10}{'trafilatura':>13}")
    for row in rows:
        print(f"{row['check']:<24}{row['pages']:>7}{row['scraper']:>10.3f}{row['trafilatura']:>13.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    detail = [
        {
            "id": p["id"],
            "truth": {k: p["truth"].get(k) for k in ("title", "byline", "lang")},
            **{
                s: {"title": f.title, "authors": list(f.authors), "language": f.language}
                for s, f in p["found"].items()
            },
        }
        for p in pages
    ]
    args.out.write_text(json.dumps({"rows": rows, "pages": detail}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")


if __name__ == "__main__":
    main()
