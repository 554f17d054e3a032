"""`scraper crawl`: crawl sites politely and incrementally into the store, print the run report."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from scraper import corpus
from scraper import crawl as crawling
from scraper.cli.options import (
    config_option,
    db_option,
    extraction_options,
    fetch_options,
    load,
    min_quality_option,
    not_the_store,
    path_type,
)
from scraper.cli.output import EXIT_LOCKED, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, quiet, shorten, warn
from scraper.cli.signals import StopOnSignals
from scraper.config import Settings, Site, check_start_url
from scraper.errors import ConfigError, LockedError, ScraperError, WriteError
from scraper.models import CrawlProgress, CrawlReport, RunStatus
from scraper.urls import redacted


@click.command()
@click.argument("start_urls", nargs=-1)
@click.option(
    "-i",
    "--input-file",
    type=click.File("r", encoding="utf-8"),
    help="Read START_URLs from this file (one per line, # comments; - for stdin), after the arguments.",
)
@config_option
@db_option
@click.option("--max-pages", type=click.IntRange(min=1), help="Fetch at most this many pages in this run.")
@min_quality_option
@click.option(
    "--max-duration",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="End the run cleanly after this long; the next run with the same command resumes it.",
)
@click.option(
    "--report",
    "report_path",
    type=path_type(dir_okay=False),
    help="Also write the run report as JSON to this file.",
)
@extraction_options
@fetch_options
def crawl(
    *,
    start_urls: tuple[str, ...],
    input_file: TextIO | None,
    config_path: Path | None,
    db: Path | None,
    max_pages: int | None,
    max_duration: float | None,
    min_quality: float | None,
    report_path: Path | None,
) -> None:
    """Crawl sites politely and incrementally, store clean documents, print a report.

    Each START_URL is a site whose robots.txt, sitemaps and feeds are discovered; without
    START_URLs the [[sites]] of --config are crawled. Re-runs send conditional requests and
    store only new and changed text; a run that was killed, stopped by --max-duration or
    interrupted by SIGINT / SIGTERM is resumed by the next run of the same command. One crawl
    at a time per store.

    \b
    Exit codes:
      0    all went well (also when --max-duration ended the run, and when a few URLs
           failed: dead links are per-URL outcomes, listed in the report)
      1    the run failed: more than [crawl] max_failure_ratio (0.5) of the pages it
           requested failed, or every host was set aside
      2    usage, configuration or store error
      3    another crawl holds the lock on this store
      130  SIGINT, 143 SIGTERM: the report is written (status "interrupted"), the next
           run resumes

    \b
    Examples:
      scraper crawl https://example.com/ --max-pages 50
      scraper crawl -i start-urls.txt --db data/scraper.db --report run.json
      scraper crawl --config config/scraper.toml --db data/scraper.db --report run.json
      scraper crawl --config config/scraper.toml --max-duration 3300   # hourly cron
    """
    settings = load(config_path, db)
    try:  # the flags are held to the bounds of their [crawl] keys (--max-duration inf, nan)
        crawl_settings = dataclasses.replace(
            settings.crawl,
            max_pages=settings.crawl.max_pages if max_pages is None else max_pages,
            max_duration=settings.crawl.max_duration if max_duration is None else max_duration,
            min_quality=settings.crawl.min_quality if min_quality is None else min_quality,
        )
    except ConfigError as exc:
        raise click.BadParameter(exc.reason, param_hint=f"--{exc.key.replace('_', '-')}") from None
    settings = dataclasses.replace(settings, crawl=crawl_settings)
    urls = start_urls + (_listed_urls(input_file) if input_file is not None else ())
    try:
        for url in urls:
            check_start_url(url)
        sites = crawling.crawl_sites(settings, urls)
    except ConfigError as exc:
        raise click.UsageError(f"START_URL {exc.reason}") from None
    if not sites:  # an --input-file given is what lists nothing
        given = f"{input_file.name} lists no URLs" if input_file is not None else None
        raise click.UsageError(
            f"nothing to crawl: {given or 'give START_URL arguments or [[sites]] in --config'}"
        )
    if report_path is not None:  # a report that cannot be written is said now, not after the crawl
        not_the_store(report_path, Path(settings.store.path), "--report")
        _check_writable(report_path)
    signals = StopOnSignals()
    on_sigterm = signal.getsignal(signal.SIGTERM)
    try:
        try:
            report = asyncio.run(_run_crawl(settings, sites, signals))
        finally:  # the loop, closing, leaves SIGTERM at its default: killing, mid-report
            signal.signal(signal.SIGTERM, on_sigterm)
    except LockedError as exc:
        warn(str(exc))
        sys.exit(EXIT_LOCKED)
    except ScraperError as exc:
        warn(str(exc))
        sys.exit(EXIT_USAGE)
    _print_and_keep(report, report_path, signals.first)
    if signals.first is not None:
        sys.exit(128 + signals.first)
    failure = report.failure(settings.crawl.max_failure_ratio)
    if failure is not None:
        warn(f"run {report.run_id} failed: {failure}")
    sys.exit(EXIT_OK if failure is None else EXIT_SOME_FAILED)


def _print_and_keep(report: CrawlReport, report_path: Path | None, interrupted_by: int | None) -> None:
    """The summary on stdout, then the --report file: a stdout full or closed (`| head`) has the
    report written all the same, then exits 2 (or 141, quietly); a report that cannot be written
    exits 2 after the summary."""
    try:  # a stdout full or closed (`| head`) still has the --report written, below
        with corpus.mapped("<stdout>"):
            _print_report(report, interrupted_by)
        unprinted: WriteError | BrokenPipeError | None = None
    except (WriteError, BrokenPipeError) as exc:
        unprinted = exc
    if report_path is not None:
        try:  # the folder went read-only or full during the run: the summary above is printed
            corpus.write_text_atomically(
                report_path, redacted(json.dumps(report.to_json(), indent=2, ensure_ascii=False)) + "\n"
            )
        except WriteError as exc:
            warn(f"--report {exc}")
            sys.exit(EXIT_USAGE)
    if isinstance(unprinted, BrokenPipeError):
        raise unprinted  # the reader had all it wanted: the quiet exit of the table
    if unprinted is not None:
        warn(str(unprinted))
        sys.exit(EXIT_USAGE)


def _check_writable(path: Path) -> None:
    """Exit 2 with one line unless a file can be written where `path` is (before the crawl starts)."""
    try:
        probe = corpus.AtomicFile(path)  # a name the system refuses to look up fails here
        try:
            probe.open()
        finally:
            probe.discard()
    except WriteError as exc:
        warn(f"--report {exc}")
        sys.exit(EXIT_USAGE)


def _listed_urls(input_file: TextIO) -> tuple[str, ...]:
    """The START_URLs of an --input-file (`corpus.listed`: one a line, # comments); a list that
    cannot be read as one (not UTF-8, a line of megabytes) is a usage error naming it."""
    try:
        return tuple(corpus.listed(input_file, input_file.name))
    except ScraperError as exc:
        raise click.UsageError(str(exc)) from None


async def _run_crawl(settings: Settings, sites: tuple[Site, ...], signals: StopOnSignals) -> CrawlReport:
    signals.install(asyncio.get_running_loop())
    silent = quiet()
    if not silent:
        # progress lines (when stderr is not a terminal) show without -v: cron logs want them
        logging.getLogger("scraper.progress").setLevel(logging.INFO)
    with _progress(silent) as progress:
        from scraper.api import run_crawl_async  # noqa: PLC0415  # loads httpx & co.: not for --help

        return await run_crawl_async(settings, sites, progress=progress, on_start=signals.attach)


@contextmanager
def _progress(silent: bool) -> Iterator[Callable[[CrawlProgress], None]]:
    if silent:
        yield lambda _: None
        return
    with crawling.progress_display(sys.stderr) as progress:
        yield progress


_DEAD_LINKS_SHOWN = 10  # a cron log needs a sample of a site's broken links, not all of them


def _print_report(report: CrawlReport, interrupted_by: int | None = None) -> None:
    resumed = " (resumed)" if report.resumed else ""
    r = report
    click.echo(
        f"run {r.run_id}{resumed} {r.status.value}: discovered {r.discovered}, fetched {r.fetched}, "
        f"stored {r.stored} (new {r.new}, changed {r.changed}), unchanged {r.unchanged}, gone {r.gone}, "
        f"dead links {r.dead_links}, failed {r.failed_total}, skipped {r.skipped_total} "
        f"(robots.txt {r.skipped_robots}, limits {r.skipped_limits}, other {sum(r.skipped.values())})"
    )
    for failure in report.failures:
        click.echo(f"  failed  {shorten(failure.url)}: {shorten(failure.reason)}")
    if report.failed_total > len(report.failures):
        click.echo(f"  ... {report.failed_total - len(report.failures)} more failed (see --report)")
    for dead in report.dead_link_list[:_DEAD_LINKS_SHOWN]:
        linked_from = shorten(str(dead.linked_from))
        click.echo(f"  dead link {shorten(dead.url)} (HTTP {dead.status}, linked from {linked_from})")
    if report.dead_links > _DEAD_LINKS_SHOWN:
        click.echo(f"  ... {report.dead_links - _DEAD_LINKS_SHOWN} more dead links (see --report)")
    for reason, count in sorted(report.skipped.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"  skipped {count}: {shorten(reason)}")
    for problem in report.problems:
        if not problem.reason.startswith("host set aside"):
            click.echo(f"  problem {shorten(problem.url)}: {shorten(problem.reason)}")
    for host, reason in sorted(report.set_aside.items()):
        click.echo(f"  set aside {shorten(host)}: {shorten(reason)}")
    if report.status is RunStatus.INTERRUPTED:
        cause = signal.Signals(interrupted_by).name if interrupted_by is not None else "a signal"
        click.echo(f"  interrupted by {cause}: the next run of the same command resumes {report.run_id}")
    elif report.stopped_early:
        click.echo(f"  stopped by --max-duration: the next run of the same command resumes {report.run_id}")
