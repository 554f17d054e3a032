"""The two crawlers under test, each run as its own process against a running `SiteProcess`.

- `run_ours`: `python -m scraper crawl` with a generated TOML config and a fresh store, as a
  cron job would run it. Config keys this version of scraper does not know are left out and
  noted (the crawl engine is being rebuilt: `[crawl] extract` and discovery are recent).
- `run_scrapy`: `bench/scrapy_baseline.py`, counting pages or (`extract`) extracting them.

Pages are counted by the site (HTML page requests it answered), so both crawlers are measured
with the same ruler; each crawler's own count is kept beside it as a cross-check.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import measure
from news_site import SiteProcess

from scraper.config import CrawlSettings, FetchSettings
from scraper.store.documents import Store

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PAGE_KINDS = ("page", "archive")  # what the site counts as an HTML page


@dataclass(slots=True)
class CrawlRun:
    """One crawl of the site: how long, how many pages, how politely, how much memory."""

    name: str
    measured: measure.Measured
    site: dict[str, dict[str, Any]]
    own_count: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The command ended by itself, without a crash (exit 1 only means some URLs failed)."""
        m = self.measured
        crashed = any(note.startswith("FAILED") for note in self.notes)
        return not m.timed_out and m.returncode in (0, 1) and not crashed

    @property
    def pages(self) -> int:
        return sum(host["requests"].get(k, 0) for host in self.site.values() for k in PAGE_KINDS)

    def requests_by_kind(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for host in self.site.values():
            for kind, n in host["requests"].items():
                kinds[kind] = kinds.get(kind, 0) + n
        return kinds

    def requests_per_host(self) -> dict[str, int]:
        return {base: sum(host["requests"].values()) for base, host in self.site.items()}

    @property
    def robots_fetched(self) -> bool:
        return all(host["requests"].get("robots", 0) for host in self.site.values())

    @property
    def rate(self) -> float:
        """Pages per second of the whole command, start-up and shut-down included."""
        return self.pages / self.measured.wall_s

    @property
    def span_s(self) -> float:
        """From the first request the site saw to its last response, over all hosts."""
        firsts = [h["first_request"] for h in self.site.values() if h["first_request"] is not None]
        lasts = [h["last_response"] for h in self.site.values() if h["last_response"] is not None]
        return max(lasts) - min(firsts) if firsts and lasts else 0.0

    @property
    def startup_s(self) -> float | None:
        """From launching the command to the site's first request: imports, pools, the store."""
        firsts = [h["first_request"] for h in self.site.values() if h["first_request"] is not None]
        return min(firsts) - self.measured.started if firsts else None

    @property
    def shutdown_s(self) -> float | None:
        """From the site's last response to the command's exit: the last pages' work, closing."""
        lasts = [h["last_response"] for h in self.site.values() if h["last_response"] is not None]
        return self.measured.ended - max(lasts) if lasts else None

    @property
    def span_rate(self) -> float:
        return self.pages / self.span_s if self.span_s else 0.0

    @property
    def peak_per_host(self) -> int:
        return max((h["max_in_flight"] for h in self.site.values()), default=0)

    @property
    def min_gap_s(self) -> float | None:
        gaps = [h["min_gap_s"] for h in self.site.values() if h["min_gap_s"] is not None]
        return min(gaps) if gaps else None

    def gaps(self) -> list[tuple[float, str, str]]:
        """(seconds, earlier path, later path) between consecutive requests to each host."""
        gaps: list[tuple[float, str, str]] = []
        for host in self.site.values():
            for (t0, p0), (t1, p1) in itertools.pairwise(host["arrivals"]):
                gaps.append((t1 - t0, p0, p1))
        return gaps

    def to_json(self) -> dict[str, Any]:
        m = self.measured
        # the site's stats without the raw arrival times: thousands of numbers nobody reads
        return {
            "name": self.name,
            "ok": self.ok,
            "pages": self.pages,
            "wall_s": round(m.wall_s, 3),
            "pages_per_s": round(self.rate, 1),
            "startup_s": None if self.startup_s is None else round(self.startup_s, 3),
            "site_span_s": round(self.span_s, 3),
            "shutdown_s": None if self.shutdown_s is None else round(self.shutdown_s, 3),
            "pages_per_s_site_span": round(self.span_rate, 1),
            "peak_in_flight_per_host": self.peak_per_host,
            "min_gap_between_requests_s": self.min_gap_s,
            "requests_per_host": self.requests_per_host(),
            "requests_by_kind": self.requests_by_kind(),
            "robots_fetched": self.robots_fetched,
            "returncode": m.returncode,
            "timed_out": m.timed_out,
            "main_peak_rss_mb": m.main_peak_mb,
            "tree_peak_rss_mb": m.tree_peak_mb,
            "tree_peak_pss_mb": m.tree_pss_peak_mb,
            "max_single_process_rss_mb": m.max_single_mb,
            "processes": m.max_processes,
            "cpu_s": round(m.cpu_s, 2),
            "tree_cpu_s": None if m.tree_cpu_s is None else round(m.tree_cpu_s, 2),
            "cpu_ms_per_page": round(1000 * (m.tree_cpu_s or m.cpu_s) / self.pages, 2)
            if self.pages
            else None,
            "own_count": self.own_count,
            "notes": self.notes,
        }


def run_scrapy(
    site: SiteProcess, *, max_pages: int, timeout: float, pss: bool = False, extract: bool = False
) -> CrawlRun:
    """Scrapy over the site's hosts; `max_pages` counts pages, robots.txt is added on top.

    `extract`: the callback runs `trafilatura.extract` on every page.
    """
    site.reset()
    cmd = [
        sys.executable,
        str(BENCH / "scrapy_baseline.py"),
        *site.hosts,
        f"--max-pages={max_pages + len(site.hosts)}",
        f"--timeout={timeout}",
        *(["--extract"] if extract else []),
    ]
    with tempfile.TemporaryDirectory(prefix="bench-scrapy-") as tmp:
        measured = measure.run(cmd, timeout=timeout + 30, log_dir=Path(tmp), pss=pss)
    run = CrawlRun("Scrapy + trafilatura.extract" if extract else "Scrapy", measured, site.stats())
    lines = measured.stdout.strip().splitlines()
    if measured.returncode != 0 or not lines:
        run.notes.append(_failure(measured))
    else:
        run.own_count = json.loads(lines[-1])
    return run


def supported_keys() -> dict[str, set[str]]:
    """The `[fetch]` and `[crawl]` keys the installed scraper accepts."""
    return {
        "fetch": {f.name for f in dataclasses.fields(FetchSettings)},
        "crawl": {f.name for f in dataclasses.fields(CrawlSettings)},
    }


def _toml(tables: dict[str, dict[str, Any]]) -> str:
    """Just enough TOML for flat tables of numbers, booleans and strings."""
    lines: list[str] = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        for key, value in table.items():
            text = str(value).lower() if isinstance(value, bool) else json.dumps(value)
            lines.append(f"{key} = {text}")
        lines.append("")
    return "\n".join(lines)


def run_ours(
    name: str,
    site: SiteProcess,
    *,
    fetch: dict[str, Any],
    crawl: dict[str, Any],
    timeout: float,
    pss: bool = False,
) -> CrawlRun:
    """`scraper crawl` over the site's home pages with these `[fetch]` / `[crawl]` settings."""
    site.reset()
    known = supported_keys()
    notes = [
        f"[{table}] {key} is not a setting of this scraper yet: left out"
        for table, values in (("fetch", fetch), ("crawl", crawl))
        for key in values
        if key not in known[table]
    ]
    tables = {
        "fetch": {k: v for k, v in fetch.items() if k in known["fetch"]},
        "crawl": {k: v for k, v in crawl.items() if k in known["crawl"]},
    }
    with tempfile.TemporaryDirectory(prefix="bench-scraper-") as tmp_dir:
        tmp = Path(tmp_dir)
        db, report_path, config = tmp / "scraper.db", tmp / "report.json", tmp / "bench.toml"
        tables["store"] = {"path": str(db)}
        config.write_text(_toml(tables), encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "scraper",
            "crawl",
            "--config",
            str(config),
            "--report",
            str(report_path),
        ]
        measured = measure.run([*cmd, *site.hosts], timeout=timeout, log_dir=tmp / "logs", pss=pss, cwd=ROOT)
        run = CrawlRun(name, measured, site.stats(), notes=notes)
        if report_path.exists():
            run.own_count = _summarise(json.loads(report_path.read_text(encoding="utf-8")))
        if measured.returncode not in (0, 1) or not report_path.exists():
            run.notes.append(_failure(measured))
        stored = _stored(db)
    run.own_count["stored_in_db"] = stored
    if crawl.get("extract") is False and stored:
        run.notes.append(f"extract = false was not honoured: {stored} documents were extracted and stored")
    return run


def _failure(measured: measure.Measured) -> str:
    """One line for the table: the exit code and the last line of stderr (the exception)."""
    lines = [line.strip() for line in measured.stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else "no output"
    return f"FAILED, exit {measured.returncode}{' (timed out)' if measured.timed_out else ''}: {last[:200]}"


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    with Store(db) as store:
        return store.count()


def _summarise(report: dict[str, Any]) -> dict[str, Any]:
    """The report's counts, without its per-URL lists (100,000 entries in the memory run).

    Generic on purpose: the report's shape changes with the crawl engine, and the figures the
    benchmark needs (pages, frontier) come from the site and from `frontier_left`.
    """
    summary: dict[str, Any] = {}
    for key, value in report.items():
        if isinstance(value, int | float | str | bool) or value is None:
            summary[key] = value
        elif isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
            summary[key] = dict(sorted(value.items(), key=lambda kv: -kv[1])[:10])  # counts by reason
        elif isinstance(value, dict):
            summary[key] = {"count": len(value), "first": dict(list(value.items())[:3])}
        elif isinstance(value, list):
            summary[key] = {"count": len(value), "first": value[:3]}
    return summary


def frontier_left(run: CrawlRun) -> int | None:
    """URLs known but not fetched when the page budget stopped the crawl, as the crawler reports it."""
    own = run.own_count
    if isinstance(own.get("skipped_limits"), int):  # the engine with a persistent frontier
        return int(own["skipped_limits"])
    skips = own.get("skips")  # the first engine: one "page limit reached" skip per queued URL
    return int(skips["count"]) if isinstance(skips, dict) and "count" in skips else None
