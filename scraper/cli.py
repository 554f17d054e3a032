"""The `scraper` command line: argv, stdout, stderr and exit codes only.

Exit codes, the same for every command (README "Exit codes"):

\b
    0    all went well: a crawl also when --max-duration ended it, or when some URLs failed
         but no more than [crawl] max_failure_ratio of those it requested
    1    the work failed: `clean` could not clean some sources; a crawl run failed (more than
         max_failure_ratio of its requested pages failed, or every host was set aside)
    2    usage, configuration or store error (the message names the bad key or file)
    3    `crawl`: another crawl holds the lock on the store
    130  interrupted by SIGINT (Ctrl-C); a crawl writes its report, the next run resumes it
    141  stdout closed early (`scraper export | head`): a quiet exit, as for any Unix filter
    143  terminated by SIGTERM (systemd stop, `timeout`); a crawl as for SIGINT
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import math
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, TextIO, TypeVar

import click
from click.shell_completion import get_completion_class

from scraper.api import run_crawl_async
from scraper.batch import Cleaned, CleanOptions, clean_stream
from scraper.config import Settings, Site, check_start_url, load_settings
from scraper.corpus import Engine, ErrorLog, clean_to_folder, failed_count, summary
from scraper.crawl.engine import Crawler
from scraper.crawl.frontier import crawl_sites
from scraper.crawl.progress import clean_progress, progress_display
from scraper.dedup import Hygiene, HygieneSettings
from scraper.errors import ConfigError, LockedError, ScraperError, SourceError
from scraper.export import FORMATS, open_writer, write_text_atomically
from scraper.extract import quiet_libraries
from scraper.extract.explain import describe
from scraper.models import CrawlProgress, CrawlReport, Document, RunStatus
from scraper.ray_engine import ray_stream
from scraper.shards import SHARD_FORMATS, OutputDir
from scraper.sources import Input, UrlMap, expand, read_input_list, read_url_map
from scraper.store.documents import Store
from scraper.store.state import CrawlState

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
EXIT_SIGINT, EXIT_BROKEN_PIPE, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGPIPE, 128 + signal.SIGTERM
SIGNAL_GRACE = 3.0  # seconds a crawl's visits in flight get after SIGINT / SIGTERM before they are abandoned
F = TypeVar("F", bound=Callable[..., Any])


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _warn(message: str) -> None:
    """An error line on stderr: shown even with --quiet."""
    click.echo(f"scraper: {message}", err=True)


def _note(message: str) -> None:
    """A line on stderr that is not an error (a skipped page, a stopping crawl): --quiet hides it."""
    if not _quiet():
        click.echo(f"scraper: {message}", err=True)


@dataclasses.dataclass(frozen=True, slots=True)
class _Options:
    """What the group's options tell every command."""

    quiet: bool = False


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    options = ctx.find_object(_Options) if ctx is not None else None
    return options is not None and options.quiet


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


def _not_nan(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """click's FloatRange lets nan through: it compares false with both ends."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("must be a number in [0, 1], got nan")
    return value


def min_quality_option(f: F) -> F:
    return click.option(
        "--min-quality",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        callback=_not_nan,
        help="Drop documents whose quality score (0-1) is below this; junk pages score 0. [default: 0]",
    )(f)


_EXTRACT_FLAGS = "scraper.extract_flags"


def _extract_flag(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    if value is None or (param.name in ("favor_precision", "favor_recall") and not value):
        return
    flags = ctx.meta.setdefault(_EXTRACT_FLAGS, {})
    flags[param.name] = value
    if flags.get("favor_precision") and flags.get("favor_recall"):
        raise click.UsageError("--precision and --recall exclude each other")
    if param.name == "favor_precision":  # the flag overrides a file's favor_recall = true
        flags.setdefault("favor_recall", False)
    if param.name == "favor_recall":
        flags.setdefault("favor_precision", False)


def extraction_options(f: F) -> F:
    """--precision, --recall, --comments/--no-comments, --tables/--no-tables: trafilatura's flags,
    mapped onto the [extract] keys of the same meaning; a flag given overrides the file."""
    options = [
        ("--precision", "favor_precision", "Favour precision: less text, fewer false positives."),
        ("--recall", "favor_recall", "Favour recall: more text, when pages lose paragraphs."),
        ("--comments/--no-comments", "include_comments", "Keep comment sections [default: no]."),
        ("--tables/--no-tables", "include_tables", "Keep tables [default: yes]."),
    ]
    for flag, name, text in reversed(options):
        f = click.option(
            flag,
            name,
            is_flag=True,
            default=None,
            expose_value=False,
            callback=_extract_flag,
            help=text,
        )(f)
    return f


def _load(config_path: Path | None, db: Path | None = None) -> Settings:
    """Settings: defaults < the TOML file < the command line (--db, extraction flags)."""
    try:
        settings = load_settings(config_path)
        ctx = click.get_current_context(silent=True)
        flags = ctx.meta.get(_EXTRACT_FLAGS, {}) if ctx is not None else {}
        if flags:
            settings = dataclasses.replace(settings, extract=dataclasses.replace(settings.extract, **flags))
    except ConfigError as exc:
        raise click.UsageError(f"config {exc}") from None
    if db is not None:
        settings = dataclasses.replace(settings, store=dataclasses.replace(settings.store, path=str(db)))
    return settings


class _Terminated(BaseException):
    """SIGTERM outside a crawl's event loop: unwinds like KeyboardInterrupt, so temp files go."""


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush into a closed pipe stays silent."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test runner's buffer): nothing to flush
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class _Commands(click.Group):
    """The group: interruptions and a closed stdout become the exit codes of the table."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _warn("interrupted")
            raise click.exceptions.Exit(EXIT_SIGINT) from None
        except _Terminated:
            _warn("terminated")
            raise click.exceptions.Exit(EXIT_SIGTERM) from None
        except BrokenPipeError:  # `scraper export | head`: the reader has all it wanted
            _quiet_stdout()
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-v info, -vv debug).")
@click.option(
    "-q", "--quiet", is_flag=True, help="Only errors on stderr: no progress, no skipped-page lines."
)
@click.version_option(package_name="storyscraper")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Fetch web pages, keep only the story, store it with its metadata.

    Exit codes (every command): 0 done, 1 the work failed (see each command), 2 usage,
    configuration or store error, 3 another crawl holds the store's lock, 130 SIGINT,
    141 stdout closed early (`| head`), 143 SIGTERM.
    """
    if verbose and quiet:
        raise click.UsageError("-q/--quiet and -v/--verbose exclude each other")
    ctx.obj = _Options(quiet=quiet)
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
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
@extraction_options
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

    Junk pages (bot checks, consent and login walls, soft 404s) and pages without
    main content are skipped, not failed: json/jsonl print their record with its skip_reason,
    text/markdown print one "skipped: REASON" line on stderr. Skips and --min-quality drops
    keep exit code 0; a source that cannot be cleaned makes it 1. --format json is always one
    JSON array.

    \b
    Examples:
      scraper clean https://example.com/news/story.html
      scraper clean saved/page.html --format json --url https://example.com/story
      scraper clean archive/ --format jsonl --jobs 4 --min-quality 0.5 > clean.jsonl
      scraper clean crawl-data/*.warc.gz -o corpus/ --format parquet --near-dup 0.8 --language en
      scraper clean -i inputs.txt --url-map urls.csv -o corpus/ --resume --errors failed.jsonl
      scraper clean saved/page.html --explain > /dev/null
      scraper clean saved/page.html --precision --no-tables
      curl -s https://example.com/ | scraper clean - --format markdown
    """
    settings = _load(config_path, db)
    try:
        listed = [line for path in input_files for line in read_input_list(str(path))]
        mapping = read_url_map(str(url_map)) if url_map is not None else UrlMap()
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
        jobs=jobs or _cores(), url=url, url_map=mapping.urls, stdin=sys.stdin.buffer, explained=explain
    )
    inputs = [*mapping.problems, *expand((*sources, *listed))]  # a bad --url-map row fails alone
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
            _note(f"{doc.source}: {left_out}")
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
    if fmt == "json":  # always one array, whatever the number of sources
        click.echo(json.dumps(docs, ensure_ascii=False, indent=2))
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the run report as JSON to this file.",
)
@extraction_options
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
    settings = _load(config_path, db)
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
    urls = start_urls + (_read_urls(input_file) if input_file is not None else ())
    try:
        for url in urls:
            check_start_url(url)
        sites = crawl_sites(settings, urls)
    except ConfigError as exc:
        raise click.UsageError(f"START_URL {exc.reason}") from None
    if not sites:
        raise click.UsageError("nothing to crawl: give START_URL arguments or [[sites]] in --config")
    signals = _StopOnSignals()
    on_sigterm = signal.getsignal(signal.SIGTERM)
    try:
        try:
            report = asyncio.run(_run_crawl(settings, sites, signals))
        finally:  # the loop, closing, leaves SIGTERM at its default: killing, mid-report
            signal.signal(signal.SIGTERM, on_sigterm)
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
    _print_report(report, signals.first)
    if signals.first is not None:
        sys.exit(128 + signals.first)
    failure = report.failure(settings.crawl.max_failure_ratio)
    if failure is not None:
        _warn(f"run {report.run_id} failed: {failure}")
    sys.exit(EXIT_OK if failure is None else EXIT_SOME_FAILED)


def _read_urls(lines: Iterable[str]) -> tuple[str, ...]:
    """START_URLs from a file: one per line; blank lines and # comments are skipped."""
    found = (line.strip() for line in lines)
    return tuple(url for url in found if url and not url.startswith("#"))


class _StopOnSignals:
    """SIGINT and SIGTERM during a crawl: the first stops it with a grace for what is in flight,
    a second one at once. Either way the crawl writes its report and the exit code is 128 + signal.

    Installed on the event loop (so the handler runs between two steps of the crawl, never in
    the middle of a database write), before anything slow starts; a signal that comes before
    the crawler exists is applied as soon as it does.
    """

    def __init__(self) -> None:
        self.first: int | None = None
        self._count = 0
        self._crawler: Crawler | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._received, sig)

    def attach(self, crawler: Crawler) -> None:
        self._crawler = crawler
        if self.first is not None:
            self._stop()

    def _received(self, sig: int) -> None:
        self._count += 1
        if self.first is None:
            self.first = sig
            _note(
                f"{signal.Signals(sig).name}: stopping, the report follows "
                f"(visits in flight get {SIGNAL_GRACE:g} s; a second signal stops at once)"
            )
        if self._crawler is not None:
            self._stop()

    def _stop(self) -> None:
        assert self._crawler is not None
        self._crawler.stop(RunStatus.INTERRUPTED, grace=SIGNAL_GRACE if self._count == 1 else 0.0)


async def _run_crawl(settings: Settings, sites: tuple[Site, ...], signals: _StopOnSignals) -> CrawlReport:
    signals.install(asyncio.get_running_loop())
    quiet = _quiet()
    if not quiet:
        # progress lines (when stderr is not a terminal) show without -v: cron logs want them
        logging.getLogger("scraper.progress").setLevel(logging.INFO)
    with _progress(quiet) as progress:
        return await run_crawl_async(
            settings, sites, progress=progress, workers=_cores(), on_start=signals.attach
        )


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[CrawlProgress], None]]:
    if quiet:
        yield lambda _: None
        return
    with progress_display(sys.stderr) as progress:
        yield progress


def _print_report(report: CrawlReport, interrupted_by: int | None = None) -> None:
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
    if report.status is RunStatus.INTERRUPTED:
        cause = signal.Signals(interrupted_by).name if interrupted_by is not None else "a signal"
        click.echo(f"  interrupted by {cause}: the next run of the same command resumes {report.run_id}")
    elif report.stopped_early:
        click.echo(f"  stopped by --max-duration: the next run of the same command resumes {report.run_id}")


@cli.command()
@db_option
@config_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "-o",
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

    The store is opened read-only: a store you cannot write (another user's, a read-only
    mount) exports all the same. --format json is one JSON array; markdown writes one
    <slug>-<hash>.md per document, the same name for the same document in every export.
    Exit codes: 0 done, 2 usage or store error, or an output that cannot be written.

    \b
    Examples:
      scraper export > documents.jsonl
      scraper export --db data/scraper.db --format parquet -o data/documents.parquet
      scraper export --run 20261123T221900Z-3f9a1c > changed.jsonl     # what one crawl added or changed
      scraper export --since 2026-11-23T00:00:00Z > today.jsonl
    """
    settings = _load(config_path, db)
    path = Path(settings.store.path)
    if not path.exists():
        raise click.UsageError(f"no store at {path} (run `scraper crawl` first, or pass --db)")
    moment = _parse_since(since) if since is not None else None
    try:
        with Store(path, read_only=True) as store:
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
        sys.exit(EXIT_USAGE)


def _parse_since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {value!r}", param_hint="--since") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (click's shell completion).

    \b
    Examples:
      scraper completion bash > ~/.local/share/bash-completion/completions/scraper
      eval "$(scraper completion zsh)"     # in ~/.zshrc
    """
    completer = get_completion_class(shell)
    assert completer is not None, shell  # every choice is a shell click supports
    click.echo(completer(cli, {}, "scraper", "_SCRAPER_COMPLETE").source())


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Terminated


def main() -> None:
    """Console-script entry point: SIGTERM unwinds like Ctrl-C (temp files go), then exits 143."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    cli(prog_name="scraper")


__all__ = ["Site", "cli", "main"]
