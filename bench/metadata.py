"""Metadata quality: title, author, date and language of `scraper` against plain trafilatura.

    make bench-metadata                                  # both truths, then the junk scan
    .venv/bin/python bench/metadata.py --limit 40        # the first 40 pages of each, no scan
    .venv/bin/python bench/metadata.py --scan-only       # the junk scan alone

Truth:

- mozilla-readability's `pages/*/expected-metadata.json`: `title`, `byline`, `lang`, `publishedTime`;
- trafilatura-eval's `meta` (author, date) and `title`, for the pages that have a `meta` record.

Each page's bytes are decoded once (scraper.corpus.sources, as `scraper clean` would) and given to our
`extract` and to `trafilatura.bare_extraction(html, with_metadata=True)`. Match rates, over the
pages whose truth has the field, on the development sites and on the frozen sites (splits.py)
apart: the author filters are general rules fitted while looking at development pages only, so
the frozen column is their out-of-sample figure.

    title      exact: equal after whitespace is normalised; normalised: equal as lowercase words
    author     exact: the names joined with ", " equal the truth; normalised: the same set of
               lowercase name words, byline words ("by", "von", "and", ...) left out;
               absent: pages whose truth names nobody where the system names nobody either
    date       exact: the same day
    language   exact: the same tag; primary: the same primary subtag ("en-US" = "en")

The junk scan runs our `extract` over every page of every dataset in ../shared/datasets and
counts the kinds of junk the metadata must not hold (issue 17): form labels, role words,
comment signatures and leading prepositions in authors, words that are not names, dates made
from a bare year, and a language the text plainly is not. It checks the output with its own
rules, not with the filters it checks.

Prints the tables and writes them, with every page's values, to bench/out/metadata.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from splits import DATASETS, REPO, is_frozen, load_datasets

OUT = REPO / "bench" / "out" / "metadata.json"
SYSTEMS = ("scraper", "trafilatura")
PARTS = ("dev", "frozen")
_BYLINE_WORDS = frozenset({"by", "and", "und", "et", "y", "par", "von", "vom", "por", "de", "written",
                           "posted", "&"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Found:
    """One system's metadata for one page."""

    title: str | None
    authors: tuple[str, ...]
    date: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class Case:
    """One page with metadata truth."""

    dataset: str
    page_id: str
    path: str
    frozen: bool
    truth: dict[str, str | None]  # title, author, date, language ("" or None: not known)


def _cases(limit: int | None) -> list[Case]:
    cases: list[Case] = []
    moz = DATASETS / "mozilla-readability"
    rows = {str(r["id"]): r for r in load_datasets(["mozilla-readability"], command="bench-metadata")[0].rows}
    for page in sorted(p for p in (moz / "pages").iterdir() if (p / "expected-metadata.json").is_file())[
        :limit
    ]:
        meta = json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))
        row = rows.get(page.name, {"id": page.name})
        truth = {"title": meta.get("title"), "author": meta.get("byline"), "date": meta.get("publishedTime"),
                 "language": meta.get("lang")}  # fmt: skip
        cases.append(
            Case("mozilla-readability", page.name, str(page / "source.html.gz"), is_frozen(row), truth)
        )
    [traf] = load_datasets(["trafilatura-eval"], command="bench-metadata")
    with_meta = [r for r in traf.rows if r.get("meta")][:limit]
    for row in with_meta:
        meta = row["meta"]
        truth = {
            "title": row.get("title"),
            "author": meta.get("author"),
            "date": meta.get("date"),
            "language": None,
        }
        cases.append(Case("trafilatura-eval", str(row["id"]), str(traf.source(row)), is_frozen(row), truth))
    return cases


def _read(path: str) -> bytes:
    raw = Path(path).read_bytes()
    return gzip.decompress(raw) if path.endswith(".gz") else raw


def _ours(raw: bytes) -> tuple[Found, Any]:
    from scraper.config import ExtractSettings  # noqa: PLC0415  # imported in the worker
    from scraper.corpus.sources import page_from_bytes  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import extract  # noqa: PLC0415

    try:
        doc = extract(page_from_bytes(raw, source="bench", url=None), ExtractSettings())
    except ScraperError:
        return Found(None, (), None, None), None
    return Found(doc.title, doc.authors, doc.date, doc.language), doc


def _trafilatura(raw: bytes) -> Found:
    import trafilatura  # noqa: PLC0415
    from trafilatura.settings import Document as TrafilaturaDocument  # noqa: PLC0415

    from scraper.corpus.sources import page_from_bytes  # noqa: PLC0415

    decoded = page_from_bytes(raw, source="bench", url=None).html
    found = trafilatura.bare_extraction(decoded, with_metadata=True)
    if not isinstance(found, TrafilaturaDocument):
        return Found(None, (), None, None)
    authors = tuple(a.strip() for a in (found.author or "").split(";") if a.strip())
    return Found(found.title, authors, found.date, found.language)


def _compare(case: Case) -> dict[str, Any]:
    raw = _read(case.path)
    ours, _ = _ours(raw)
    return {"case": case, "scraper": ours, "trafilatura": _trafilatura(raw)}


# -- checks -------------------------------------------------------------------------------------


def _words(value: str | None) -> list[str]:
    cleaned = "".join(c if c.isalnum() else " " for c in (value or "").casefold())
    return cleaned.split()


def _space(value: str | None) -> str:
    return " ".join((value or "").split())


def _primary(value: str | None) -> str:
    return (value or "").replace("_", "-").split("-", 1)[0].strip().lower()


def _name_words(value: str) -> set[str]:
    return {w for w in _words(value) if w not in _BYLINE_WORDS}


def _day(value: str | None) -> str:
    found = re.search(r"\d{4}-\d{2}-\d{2}", value or "")
    return found[0] if found else ""


Check = Callable[[str, Found], bool]
CHECKS: dict[str, tuple[str, Check]] = {
    "title exact": ("title", lambda want, got: _space(got.title) == _space(want)),
    "title normalised": ("title", lambda want, got: _words(got.title) == _words(want)),
    "author exact": ("author", lambda want, got: ", ".join(got.authors) == _space(want)),
    "author normalised": (
        "author",
        lambda want, got: _name_words(" ".join(got.authors)) == _name_words(want),
    ),
    "date exact": ("date", lambda want, got: bool(_day(want)) and _day(got.date) == _day(want)),
    "language exact": ("language", lambda want, got: (got.language or "").lower() == want.lower()),
    "language primary": ("language", lambda want, got: _primary(got.language) == _primary(want)),
}


def _rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    datasets = sorted({r["case"].dataset for r in results})
    for dataset in datasets:
        mine = [r for r in results if r["case"].dataset == dataset]
        for name, (field, check) in CHECKS.items():
            row: dict[str, Any] = {"dataset": dataset, "check": name}
            for part in PARTS:
                judged = [
                    r for r in mine if r["case"].truth.get(field) and r["case"].frozen == (part == "frozen")
                ]
                row[f"n_{part}"] = len(judged)
                for system in SYSTEMS:
                    hits = sum(check(str(r["case"].truth[field]), r[system]) for r in judged)
                    row[f"{system}_{part}"] = hits / len(judged) if judged else None
            if row["n_dev"] or row["n_frozen"]:
                rows.append(row)
        row = {"dataset": dataset, "check": "author absent"}
        for part in PARTS:
            without = [
                r
                for r in mine
                if not r["case"].truth.get("author") and r["case"].frozen == (part == "frozen")
            ]
            row[f"n_{part}"] = len(without)
            for system in SYSTEMS:
                row[f"{system}_{part}"] = (
                    sum(not r[system].authors for r in without) / len(without) if without else None
                )
        rows.append(row)
    return rows


def _print_rows(rows: list[dict[str, Any]]) -> None:
    head = f"{'dataset':<21}{'check':<19}"
    for part in PARTS:
        head += f"{'n ' + part:>10}{'scraper':>9}{'trafil.':>9}"
    print(head)
    print("-" * len(head))
    for row in rows:
        cells = f"{row['dataset']:<21}{row['check']:<19}"
        for part in PARTS:
            ours, theirs = row[f"scraper_{part}"], row[f"trafilatura_{part}"]
            if ours is None:
                cells += f"{row[f'n_{part}']:>10}{'':>18}"
                continue
            mark = "*" if ours < theirs else " "
            cells += f"{row[f'n_{part}']:>10}{ours:>8.3f}{mark}{theirs:>9.3f}"
        print(cells)
    print("(* below trafilatura)")


# -- the junk scan ------------------------------------------------------------------------------

# what an author never is: the checks are written apart from the filters in scraper/extract/authors.py
_LABEL = re.compile(r"[*:]\s*$|^(?:name|e-?mail|website|comment|message|your name)\b", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"\s(?:says|said|sagt|schreibt|wrote|writes|dit|dice|scrive|zegt)\s*:?\s*$", re.IGNORECASE
)
_LEADING = frozenset({"by", "vom", "par", "por", "door", "przez", "from"})
_LEADING_BEFORE_NAME = frozenset({"von", "av"})  # also surnames ("Von Miller"): junk before a full name
_ROLES = frozenset({
    "writer", "reporter", "correspondent", "editor", "columnist", "journalist", "staff", "redaktion",
    "redakteur", "redakteurin", "rédaction", "redacción", "redazione", "contributor", "photographer",
})  # fmt: skip
_NOT_NAMES = frozenset({
    "publiziert", "veröffentlicht", "published", "posted", "updated", "aktualisiert", "fail", "error",
    "undefined", "null", "none", "nan", "true", "false", "login", "share", "comments", "kommentare",
    "read more", "home", "admin", "anonymous", "unknown",
})  # fmt: skip


def junk_kinds(doc: Any, detected: tuple[str, float] | None) -> list[str]:
    """The kinds of junk in one record's metadata (empty: none)."""
    kinds = []
    for name in doc.authors:
        words = name.casefold().split()
        if _LABEL.search(name):
            kinds.append("author: form label")
        if _SIGNATURE.search(name):
            kinds.append("author: comment signature")
        if words and (words[0] in _LEADING or (words[0] in _LEADING_BEFORE_NAME and len(words) >= 3)):
            kinds.append("author: leading preposition")
        if _ROLES.intersection(w.strip(",.()") for w in words):
            kinds.append("author: role word")
        if name.casefold() in _NOT_NAMES or (len(words) == 1 and name.isupper() and len(name) >= 4):
            kinds.append("author: not a name")
    if doc.date and doc.date_source == "text" and doc.date.endswith("-01-01"):
        kinds.append("date: January 1st from the text")
    if doc.date and doc.date < "2000" and doc.date_source not in ("json-ld", "meta"):
        kinds.append("date: before 2000, not stated in markup")
    if detected is not None and doc.language and detected[0] != doc.language:
        kinds.append("language: the text is plainly another")
    return kinds


_DETECTOR: Any = None


def _detect(text: str) -> tuple[str, float] | None:
    """py3langid's language of the text with normalised probability, when it is sure (>= 0.99)
    on 500+ letters; None when it is not."""
    global _DETECTOR  # noqa: PLW0603  # one model per worker process
    if sum(c.isalpha() for c in text) < 500:
        return None
    if _DETECTOR is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415

        _DETECTOR = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    language, probability = _DETECTOR.classify(text[:5000])
    return (str(language), float(probability)) if probability >= 0.99 else None


def _scan(task: tuple[str, str, str]) -> dict[str, Any]:
    dataset, page_id, path = task
    _, doc = _ours(_read(path))
    if doc is None or doc.skip_reason:
        return {"page": f"{dataset}/{page_id}", "kinds": [], "values": {}}
    kinds = junk_kinds(doc, _detect(doc.text))
    values = {"authors": list(doc.authors), "date": doc.date, "date_source": doc.date_source,
              "language": doc.language} if kinds else {}  # fmt: skip
    return {"page": f"{dataset}/{page_id}", "kinds": kinds, "values": values}


def scan(jobs: int) -> dict[str, Any]:
    tasks = [
        (d.name, str(r["id"]), str(d.source(r)))
        for d in load_datasets(command="bench-metadata")
        for r in d.rows
    ]
    with ProcessPoolExecutor(jobs) as pool:
        found = list(pool.map(_scan, tasks, chunksize=8))
    counts = Counter(kind for page in found for kind in page["kinds"])
    print(f"\njunk scan: our metadata over {len(found)} pages of ../shared/datasets")
    for kind in (
        "author: form label", "author: comment signature", "author: leading preposition", "author: role word",
        "author: not a name", "date: January 1st from the text", "date: before 2000, not stated in markup",
        "language: the text is plainly another",
    ):  # fmt: skip
        print(f"  {kind:<44}{counts.get(kind, 0):>5}")
    return {"pages": len(found), "counts": dict(counts), "found": [p for p in found if p["kinds"]]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, help="only the first N pages of each truth (no junk scan)")
    parser.add_argument("--scan-only", action="store_true", help="only the junk scan")
    parser.add_argument("--no-scan", action="store_true", help="no junk scan")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.scan_only:
        cases = _cases(args.limit)
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(_compare, cases, chunksize=4))
        rows = _rows(results)
        print("metadata exactness; dev = non-frozen sites, frozen = the final-check sites (splits.py)\n")
        _print_rows(rows)
        report["rows"] = rows
        report["pages"] = [
            {"dataset": r["case"].dataset, "id": r["case"].page_id, "frozen": r["case"].frozen,
             "truth": r["case"].truth, **{s: asdict(r[s]) for s in SYSTEMS}}
            for r in results
        ]  # fmt: skip
    if not (args.limit or args.no_scan):
        report["junk"] = scan(args.jobs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")


if __name__ == "__main__":
    main()
