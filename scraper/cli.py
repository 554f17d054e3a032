"""The `scraper` command line: argv, stdout, stderr and exit codes only.

Exit codes: 0 all went well, 1 some sources or URLs failed, 2 usage or configuration error,
3 (crawl) another crawl holds the lock on the store.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from scraper.api import run_crawl
from scraper.batch import Cleaned, CleanOptions, clean_stream
from scraper.config import Settings, Site, load_settings
from scraper.corpus import Engine, ErrorLog, clean_to_folder, failed_count, summary
from scraper.crawl.frontier import crawl_sites
from scraper.crawl.progress import clean_progress, progress_display
from scraper.dedup import Hygiene, HygieneSettings
from scraper.errors import ConfigError, LockedError, ScraperError, SourceError
from scraper.export import FORMATS, open_writer, write_text_atomically
from scraper.extract import quiet_libraries
from scraper.extract.explain import describe
from scraper.models import CrawlReport, Document
from scraper.ray_engine import ray_stream
from scraper.shards import SHARD_FORMATS, OutputDir
from scraper.sources import Input, expand, read_input_list, read_url_map
from scraper.store.documents import Store
from scraper.store.state import CrawlState

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _warn(message: str) -> None:
    click.echo(f"scraper: {message}", err=True)


def config_option(f: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="TOML settings file (see config/scraper.toml); built-in defaults when omitted.",
    )(f)


def db_option(f: F) -> F:
    return click.option(
        "--db", type=click.Path(dir_okay=False, path_type=Path), help="SQLite store (default: [store] path)."
    )(f)


def min_quality_option(f: F) -> F:
    return click.option(
        "--min-quality",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        help="Drop documents whose quality score (0-1) is below this; junk pages score 0. [default: 0]",
    )(f)


def _load(config_path: Path | None, db: Path | None = None) -> Settings:
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        raise click.UsageError(f"config {exc}") from None
    if db is not None:
        settings = dataclasses.replace(settings, store=dataclasses.replace(settings.store, path=str(db)))
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-v info, -vv debug).")
@click.version_option(package_name="storyscraper")
def cli(verbose: int) -> None:
    """Fetch web pages, keep only the story, store it with its metadata."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    quiet_libraries(logging.DEBUG if verbose >= 2 else logging.CRITICAL)  # trafilatura & co. only at -vv


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "jsonl", "parquet"]),
    default=None,
    help="Output format [default: text; jsonl with -o]. -o DIR takes jsonl or parquet.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write shards, a manifest and completion markers to this folder instead of stdout.",
)
@click.option(
    "--shard-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Records per shard (-o).",
)
@click.option("--resume", is_flag=True, help="Continue the run in -o DIR: inputs already done are skipped.")
@click.option(
    "-i",
    "--input-file",
    "input_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file listing sources (URLs or paths), one a line; may be repeated.",
)
@click.option(
    "--url-map",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CSV of path,url rows giving each saved file its address.",
)
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append one JSON line per failed input (source, reason) to this file.",
)
@click.option(
    "--dedup/--no-dedup",
    default=None,
    help="Drop pages whose text repeats one kept earlier in the run [default: on with -o, off without].",
)
@click.option(
    "--near-dup",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    metavar="THRESHOLD",
    help="Also drop near-duplicates: MinHash Jaccard similarity at or above THRESHOLD (e.g. 0.8).",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    metavar="CODES",
    help="Keep only these languages (ISO 639-1, comma-separated or repeated).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where pages are extracted with -o: this machine's cores, or Ray (the ray extra).",
)
@click.option(
    "--ray-address", metavar="ADDR", help="A Ray cluster (ray://HOST:10001, auto); default: a local Ray."
)
@db_option
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: cores].")
@click.option("--url", help="The page's address, for local input (resolves links, picks site selectors).")
@min_quality_option
@click.option("--explain", is_flag=True, help="On stderr, list the blocks removed from each page and why.")
@config_option
def clean(  # click passes every option by keyword
    *,
    sources: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    shard_size: int,
    resume: bool,
    input_files: tuple[Path, ...],
    url_map: Path | None,
    errors_path: Path | None,
    dedup: bool | None,
    near_dup: float | None,
    languages: tuple[str, ...],
    engine: str,
    ray_address: str | None,
    db: Path | None,
    jobs: int | None,
    url: str | None,
    min_quality: float | None,
    explain: bool,
    config_path: Path | None,
) -> None:
    """Clean URLs, HTML files, web archives (.warc, .warc.gz, .arc.gz), folders of them, or stdin (-).

    Without -o the clean text is printed and nothing is stored. With -o DIR the documents go to
    shards in DIR (part-00000.jsonl.gz or .parquet), with a manifest and a completion marker
    per input; a killed run is continued with --resume, every input cleaned once, and repeated
    texts are dropped (--no-dedup keeps them; --db also drops texts already stored there).

    Junk pages (bot checks, consent and login walls, soft 404s, listings) and pages without
    main content are skipped, not failed: json/jsonl print their record with its skip_reason,
    text/markdown print one "skipped: REASON" line on stderr. Skips and --min-quality drops
    keep exit code 0.

    \b
    Examples:
      scraper clean https://example.com/news/story.html
      scraper clean saved/page.html --format json --url https://example.com/story
      scraper clean archive/ --format jsonl --jobs 4 --min-quality 0.5 > clean.jsonl
      scraper clean crawl-data/*.warc.gz -o corpus/ --format parquet --near-dup 0.8 --language en
      scraper clean -i inputs.txt --url-map urls.csv -o corpus/ --resume --errors failed.jsonl
      scraper clean saved/page.html --explain > /dev/null
      curl -s https://example.com/ | scraper clean - --format markdown
    """
    settings = _load(config_path, db)
    try:
        listed = [line for path in input_files for line in read_input_list(str(path))]
        mapping = read_url_map(str(url_map)) if url_map is not None else {}
    except ScraperError as exc:
        raise click.UsageError(str(exc)) from None
    if not sources and not listed:
        raise click.UsageError("nothing to clean: give SOURCES or --input-file")
    kept = frozenset(code.strip().lower() for value in languages for code in value.split(",") if code.strip())
    store = Store(settings.store.path) if db is not None else None
    try:
        hygiene = Hygiene(
            HygieneSettings(
                exact=output is not None if dedup is None else dedup, near=near_dup, languages=kept
            ),
            stored=store.has_text if store is not None else None,
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    options = CleanOptions(
        jobs=jobs or _cores(), url=url, url_map=mapping, stdin=sys.stdin.buffer, explained=explain
    )
    inputs = list(expand((*sources, *listed)))
    if engine == "ray" and output is None:
        raise click.UsageError("--engine ray writes shards: give -o DIR")
    try:
        if output is not None:
            failed = _clean_to_folder(
                inputs,
                settings=settings,
                options=options,
                output=output,
                fmt=fmt,
                shard_size=shard_size,
                resume=resume,
                hygiene=hygiene,
                errors_path=errors_path,
                min_quality=min_quality or 0.0,
                engine=functools.partial(ray_stream, address=ray_address)
                if engine == "ray"
                else clean_stream,
            )
        else:
            if fmt == "parquet":
                raise click.UsageError("--format parquet needs -o DIR")
            errors = ErrorLog(errors_path)
            results = (e for e in clean_stream(inputs, settings, options) if isinstance(e, Cleaned))
            failed = _print_cleaned(results, fmt or "text", min_quality or 0.0, hygiene, errors)
            errors.close()
    except ScraperError as exc:
        _warn(str(exc))
        sys.exit(EXIT_USAGE)
    finally:
        if store is not None:
            store.close()
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _clean_to_folder(
    inputs: list[Input | SourceError],
    *,
    settings: Settings,
    options: CleanOptions,
    output: Path,
    fmt: str | None,
    shard_size: int,
    resume: bool,
    hygiene: Hygiene,
    errors_path: Path | None,
    min_quality: float,
    engine: Engine,
) -> int:
    fmt = fmt or "jsonl"
    if fmt not in SHARD_FORMATS:
        raise click.UsageError(f"-o writes jsonl or parquet shards, not {fmt}")
    out = OutputDir(output, fmt=fmt, shard_size=shard_size, resume=resume)
    errors = ErrorLog(errors_path)
    try:
        with clean_progress(sys.stderr, len(inputs)) as progress:
            counts = clean_to_folder(
                inputs,
                settings,
                options,
                out,
                min_quality=min_quality,
                hygiene=hygiene,
                errors=errors,
                progress=progress,
                warn=_warn,
                engine=engine,
            )
    finally:
        errors.close()
    for line in summary(counts, inputs=len(inputs)):
        click.echo(line)
    return failed_count(counts)


def _print_cleaned(
    results: Iterable[Cleaned],
    fmt: str,
    min_quality: float = 0.0,
    hygiene: Hygiene | None = None,
    errors: ErrorLog | None = None,
) -> int:
    failed = 0
    docs: list[dict[str, Any]] = []
    first = True
    for result in results:
        if result.explanation is not None:
            click.echo("\n".join(describe(result.explanation)), err=True)
        if result.skipped is not None:  # a web archive record that is no page: counted, not shown
            continue
        if result.error is not None or result.document is None:
            failed += 1
            _warn(str(result.error))
            if errors is not None:
                errors.add(result, str(getattr(result.error, "reason", result.error)))
            continue
        doc = result.document
        left_out = _left_out(doc, fmt, min_quality, hygiene)
        if left_out is not None:
            _warn(f"{doc.source}: {left_out}")
            continue
        if fmt == "jsonl":
            click.echo(json.dumps(doc.to_record(), ensure_ascii=False))
        elif fmt == "json":
            docs.append(doc.to_record())
        else:
            if not first:
                click.echo("\n---\n" if fmt == "markdown" else "")
            click.echo(_as_markdown(doc) if fmt == "markdown" else doc.text)
        first = False
    if fmt == "json" and docs:
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2))
    return failed


def _left_out(doc: Document, fmt: str, min_quality: float, hygiene: Hygiene | None) -> str | None:
    """Why `doc` is not printed (a stderr line), or None."""
    if doc.quality < min_quality:
        return f"dropped: quality {doc.quality:.2f} below --min-quality {min_quality:.2f}"
    dropped = hygiene.verdict(doc) if hygiene is not None else None
    if dropped is not None:
        return f"dropped: {dropped}"
    if doc.skip_reason is not None and fmt in ("text", "markdown"):
        return f"skipped: {doc.skip_reason}"
    return None


def _as_markdown(doc: Document) -> str:
    body = doc.markdown or doc.text
    return f"# {doc.title}\n\n{body}" if doc.title else body


@cli.command()
@click.argument("start_urls", nargs=-1)
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the run report as JSON to this file.",
)
def crawl(
    *,
    start_urls: tuple[str, ...],
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
    store only new and changed text; a run that was killed, or stopped by --max-duration,
    is resumed by the next run of the same command. One crawl at a time per store.

    \b
    Exit codes:
      0  all went well (also when --max-duration ended the run)
      1  some URLs failed (listed, with their reasons)
      2  usage, configuration or store error
      3  another crawl holds the lock on this store

    \b
    Examples:
      scraper crawl https://example.com/ --max-pages 50
      scraper crawl --config config/scraper.toml --db data/scraper.db --report run.json
      scraper crawl --config config/scraper.toml --max-duration 3300   # hourly cron
    """
    settings = _load(config_path, db)
    crawl_settings = dataclasses.replace(
        settings.crawl,
        max_pages=settings.crawl.max_pages if max_pages is None else max_pages,
        max_duration=settings.crawl.max_duration if max_duration is None else max_duration,
        min_quality=settings.crawl.min_quality if min_quality is None else min_quality,
    )
    settings = dataclasses.replace(settings, crawl=crawl_settings)
    try:
        sites = crawl_sites(settings, start_urls)
    except ConfigError as exc:
        raise click.UsageError(f"START_URL {exc.reason}") from None
    if not sites:
        raise click.UsageError("nothing to crawl: give START_URL arguments or [[sites]] in --config")
    try:
        report = _run_crawl(settings, sites)
        if report_path is not None:
            write_text_atomically(
                report_path, json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
            )
    except LockedError as exc:
        _warn(str(exc))
        sys.exit(EXIT_LOCKED)
    except ScraperError as exc:
        _warn(str(exc))
        sys.exit(EXIT_USAGE)
    _print_report(report)
    sys.exit(EXIT_OK if report.ok else EXIT_SOME_FAILED)


def _run_crawl(settings: Settings, sites: tuple[Site, ...]) -> CrawlReport:
    # progress lines (when stderr is not a terminal) show without -v: cron logs want them
    logging.getLogger("scraper.progress").setLevel(logging.INFO)
    with progress_display(sys.stderr) as progress:
        return run_crawl(settings, sites, progress=progress, workers=_cores())


def _print_report(report: CrawlReport) -> None:
    resumed = " (resumed)" if report.resumed else ""
    r = report
    click.echo(
        f"run {r.run_id}{resumed} {r.status.value}: discovered {r.discovered}, fetched {r.fetched}, "
        f"stored {r.stored} (new {r.new}, changed {r.changed}), unchanged {r.unchanged}, gone {r.gone}, "
        f"failed {r.failed_total}, skipped {r.skipped_total} (robots.txt {r.skipped_robots}, "
        f"limits {r.skipped_limits}, other {sum(r.skipped.values())})"
    )
    for failure in report.failures:
        click.echo(f"  failed  {failure.url}: {failure.reason}")
    if report.failed_total > len(report.failures):
        click.echo(f"  ... {report.failed_total - len(report.failures)} more failed (see --report)")
    for reason, count in sorted(report.skipped.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"  skipped {count}: {reason}")
    for problem in report.problems:
        if not problem.reason.startswith("host set aside"):
            click.echo(f"  problem {problem.url}: {problem.reason}")
    for host, reason in sorted(report.set_aside.items()):
        click.echo(f"  set aside {host}: {reason}")
    if report.stopped_early:
        click.echo(f"  stopped by --max-duration: the next run of the same command resumes {report.run_id}")


@cli.command()
@db_option
@config_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="File (or folder, for markdown) to write; stdout when omitted.",
)
@click.option("--run", "run_id", metavar="RUN_ID", help="Only the documents this crawl run added or changed.")
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
    output: Path | None,
    run_id: str | None,
    since: str | None,
) -> None:
    """Write the latest version of every stored document (or of those a run or period changed).

    \b
    Examples:
      scraper export > documents.jsonl
      scraper export --db data/scraper.db --format parquet --output data/documents.parquet
      scraper export --run 20261123T221900Z-3f9a1c > changed.jsonl     # what one crawl added or changed
      scraper export --since 2026-11-23T00:00:00Z > today.jsonl
    """
    settings = _load(config_path, db)
    path = Path(settings.store.path)
    if not path.exists():
        raise click.UsageError(f"no store at {path} (run `scraper crawl` first, or pass --db)")
    moment = _parse_since(since) if since is not None else None
    try:
        with Store(path) as store:
            if run_id is not None and not CrawlState(store).has_run(run_id):
                raise click.UsageError(f"no run {run_id} in {path}")
            writer = open_writer(fmt, output, sys.stdout)
            writer.start()
            try:
                for doc in store.latest(since=moment, run_id=run_id):
                    writer.write(doc)
            except BaseException:
                writer.abort()
                raise
            writer.finish()
    except ConfigError as exc:  # e.g. Parquet without the parquet extra: nothing was written
        _warn(str(exc))
        sys.exit(EXIT_USAGE)
    except ScraperError as exc:
        _warn(str(exc))
        sys.exit(EXIT_SOME_FAILED)


def _parse_since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {value!r}", param_hint="--since") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="scraper")
    except KeyboardInterrupt:
        _warn("interrupted")
        sys.exit(130)


__all__ = ["Site", "cli", "main"]
