"""`scraper export`: the latest version of the stored documents, in any output format."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from scraper import store as storage
from scraper.cli.options import (
    check_tei,
    config_option,
    db_option,
    existing_store,
    load,
    not_the_store,
    path_type,
    tei_option,
)
from scraper.cli.output import EXIT_USAGE, for_terminal, warn
from scraper.corpus import FORMATS, open_writer
from scraper.dates import iso_datetime
from scraper.errors import ConfigError, ScraperError


@click.command()
@db_option
@config_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@tei_option
@click.option(
    "-o",
    "--output",
    type=path_type(),
    help="File (or folder, for markdown) to write; stdout when omitted.",
)
@click.option(
    "--run",
    "run_id",
    metavar="RUN",
    help="Only the documents this crawl run added or changed: its id, latest or latest~N (scraper runs).",
)
@click.option(
    "--since",
    metavar="ISO8601",
    help="Only the documents added or changed at or after this time (UTC unless an offset is given).",
)
def export(
    *,
    db: Path | None,
    config_path: Path | None,
    fmt: str,
    tei: bool,
    output: Path | None,
    run_id: str | None,
    since: str | None,
) -> None:
    """Write the latest version of every stored document (or of those a run or period changed).

    The store is opened read-only: a store you cannot write (another user's, a read-only
    mount) exports all the same. --format json is one JSON array, xml one <docs> root (TEI with
    --tei: one <teiCorpus>), csv one table under a header line; markdown to -o writes one
    <slug>-<hash>.md per document, the same name for the same document in every export.
    Exit codes: 0 done, 2 usage or store error, or an output that cannot be written.

    \b
    Examples:
      scraper export > documents.jsonl
      scraper export --db data/scraper.db --format parquet -o data/documents.parquet
      scraper export --run 20261123T221900Z-3f9a1c > changed.jsonl     # what one crawl added or changed
      scraper export --run latest > changed.jsonl                      # ... the last crawl
      scraper export --run latest~1 > before.jsonl                     # ... the one before it
      scraper export --since 2026-11-23T00:00:00Z > today.jsonl
      scraper export --format xml --tei -o corpus.tei.xml
    """
    check_tei(fmt, tei)
    settings = load(config_path, db)
    path = Path(settings.store.path)
    not_the_store(output, path, "-o")
    moment = _parse_since(since) if since is not None else None
    try:
        with existing_store(path) as store:
            if run_id is not None:
                found = storage.CrawlState(store).resolve_run(run_id)
                if found is None:
                    raise click.UsageError(f"no run {run_id} in {path} (scraper runs lists them)")
                run_id = found
            writer = open_writer(fmt, output, for_terminal(sys.stdout), tei=tei)
            writer.start()
            try:
                for doc in store.latest(since=moment, run_id=run_id):
                    writer.write(doc)
            except BaseException:
                writer.abort()
                raise
            writer.finish()
    except ConfigError as exc:  # e.g. Parquet without the parquet extra: nothing was written
        warn(str(exc))
        sys.exit(EXIT_USAGE)
    except ScraperError as exc:
        warn(str(exc))
        sys.exit(EXIT_USAGE)


def _parse_since(value: str) -> datetime:
    moment = iso_datetime(value)
    if moment is None:
        raise click.BadParameter(f"not an ISO 8601 time: {value!r}", param_hint="--since")
    return moment
