"""`scraper runs`: the crawl runs of a store, newest first, with how they ended and their counts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scraper import corpus
from scraper import store as storage
from scraper.cli.options import config_option, db_option, existing_store, load
from scraper.cli.output import EXIT_USAGE, warn
from scraper.errors import ScraperError, WriteError
from scraper.models import iso_utc

_COLUMNS = ("new", "changed", "gone", "dead_links", "failed")


@click.command()
@db_option
@config_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show this many runs."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run (JSON Lines), every count.")
def runs(*, db: Path | None, config_path: Path | None, limit: int, as_json: bool) -> None:
    """List the crawl runs in the store: id, start, end, status and counts, newest first.

    A run's id is what `export --run` takes; `latest` names the newest run and `latest~1` the
    one before it, wherever --run is accepted. A run still `running` is going on or was killed
    (the next crawl of the same command resumes it). Exit codes: 0 done, 2 usage or store error.

    \b
    Examples:
      scraper runs --db data/scraper.db
      scraper runs --json --limit 1 | jq .new
      scraper export --run latest > changed.jsonl
    """
    settings = load(config_path, db)
    try:
        with existing_store(Path(settings.store.path)) as store:
            found = storage.CrawlState(store).runs(limit=limit)
    except ScraperError as exc:
        warn(str(exc))
        sys.exit(EXIT_USAGE)
    try:
        with corpus.mapped("<stdout>"):
            _print_runs(found, as_json=as_json)
    except WriteError as exc:  # a full disk under stdout: one line, as for any output not written
        warn(str(exc))
        sys.exit(EXIT_USAGE)


def _print_runs(found: list[storage.RunSummary], *, as_json: bool) -> None:
    if as_json:
        for run in found:
            click.echo(json.dumps(_record(run), ensure_ascii=False))
        return
    header = ("RUN", "STARTED", "FINISHED", "STATUS", *(c.upper().replace("_LINKS", "") for c in _COLUMNS))
    rows = [header, *(_row(run) for run in found)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _row(run: storage.RunSummary) -> tuple[str, ...]:
    finished = iso_utc(run.finished_at) if run.finished_at else "-"
    counts = (str(run.counts[c]) if run.counts else "-" for c in _COLUMNS)
    return (run.run_id, iso_utc(run.started_at), finished, run.status, *counts)


def _record(run: storage.RunSummary) -> dict[str, object]:
    return {
        "run_id": run.run_id,
        "started_at": iso_utc(run.started_at),
        "finished_at": iso_utc(run.finished_at) if run.finished_at else None,
        "status": run.status,
        **run.counts,
    }
