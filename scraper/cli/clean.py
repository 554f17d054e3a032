"""`scraper clean`: URLs, files, folders, web archives or stdin to clean text on stdout, or to
shards in a corpus folder (-o)."""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

from scraper import corpus, crawl, extract
from scraper import store as storage
from scraper.cli.options import (
    check_tei,
    config_option,
    db_option,
    existing_store,
    extraction_options,
    fetch_options,
    load,
    min_quality_option,
    not_the_store,
    path_type,
    tei_option,
)
from scraper.cli.output import (
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    for_terminal,
    note,
    quiet,
    warn,
)
from scraper.config import Settings
from scraper.errors import ConfigError, LockedError, ScraperError, SourceError
from scraper.urls import url_flaw


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "jsonl", "csv", "xml", "html", "parquet"]),
    default=None,
    help="Output format [default: text; jsonl with -o]. -o DIR takes jsonl or parquet.",
)
@tei_option
@click.option(
    "--output-dir",
    type=path_type(file_okay=False),
    help="Write one file per document to this folder, named by a hash of its text (trafilatura's -o).",
)
@click.option(
    "--keep-dirs",
    is_flag=True,
    help="With --output-dir: name each file after its input, keeping the folders below a folder argument.",
)
@click.option(
    "--only-with-metadata",
    is_flag=True,
    help="Skip documents without a title, a URL or a date (trafilatura's flag).",
)
@click.option(
    "--no-robots",
    "ignore_robots",
    is_flag=True,
    help="Fetch the URLs given without reading robots.txt: for a page you may fetch, never for crawls.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=path_type(file_okay=False),
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
    type=path_type(dir_okay=False),
    help="A file listing sources (URLs or paths), one a line; may be repeated.",
)
@click.option(
    "--url-map",
    type=path_type(dir_okay=False),
    help="A CSV of path,url rows giving each saved file its address.",
)
@click.option(
    "--errors",
    "errors_path",
    type=path_type(dir_okay=False),
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
@fetch_options
@config_option
def clean(  # click passes every option by keyword
    *,
    sources: tuple[str, ...],
    fmt: str | None,
    tei: bool,
    output_dir: Path | None,
    keep_dirs: bool,
    only_with_metadata: bool,
    ignore_robots: bool,
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
      scraper clean https://app.example.com/story --render --proxy http://proxy.corp:3128
      curl -s https://example.com/ | scraper clean - --format markdown
      scraper clean saved/ --output-dir clean/ --keep-dirs --format xml --links --formatting
      scraper clean https://example.com/page --no-robots --format html
    """
    # the command line's own contradictions first: a bad --config beside them read as the error
    _check_outputs(fmt, tei=tei, output=output, output_dir=output_dir, keep_dirs=keep_dirs, engine=engine)
    settings = _settings(config_path, db, errors_path)
    # the Markdown and XML renderings are built only for the formats that print them
    needed = corpus.forms_needed(fmt or ("jsonl" if output is not None else "text"), tei=tei)
    settings = dataclasses.replace(settings, extract=dataclasses.replace(settings.extract, forms=needed))
    try:
        listed = [line for path in input_files for line in corpus.read_input_list(str(path))]
        mapping = corpus.read_url_map(str(url_map)) if url_map is not None else corpus.UrlMap()
    except ScraperError as exc:
        raise click.UsageError(str(exc)) from None
    if not sources and not listed:
        raise click.UsageError(_nothing_to_clean(input_files))
    kept = frozenset(code.strip().lower() for value in languages for code in value.split(",") if code.strip())
    if url is not None and (flaw := url_flaw(url)):
        raise click.BadParameter(flaw, param_hint="--url")
    store = _store_to_drop_by(settings) if db is not None else None
    try:
        hygiene = corpus.Hygiene(
            corpus.HygieneSettings(
                exact=output is not None if dedup is None else dedup, near=near_dup, languages=kept
            ),
            stored=store.has_text if store is not None else None,
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    options = corpus.CleanOptions(
        jobs=jobs or extract.cores(),
        url=url,
        url_map=mapping.urls,
        stdin=sys.stdin.buffer,
        explained=explain,
        robots=not ignore_robots,
    )
    inputs = [*mapping.problems, *corpus.expand((*sources, *listed))]  # a bad --url-map row fails alone
    if ignore_robots and any(isinstance(item, corpus.Input) and item.kind == "url" for item in inputs):
        note("--no-robots: robots.txt is not read for these URLs (per-host pacing, the address guard stay)")
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
                only_with_metadata=only_with_metadata,
                engine=functools.partial(corpus.ray_stream, address=ray_address)
                if engine == "ray"
                else corpus.clean_stream,
            )
        else:
            folders = [s for s in (*sources, *listed) if corpus.is_folder(s)]
            writer = _writer(
                fmt or "text", tei=tei, output_dir=output_dir, keep_dirs=keep_dirs, folders=folders
            )
            rules = _Rules(
                min_quality=min_quality or 0.0,
                only_with_metadata=only_with_metadata,
                hygiene=hygiene,
                records=fmt in ("json", "jsonl") and output_dir is None,
            )
            errors = corpus.ErrorLog(errors_path)
            try:
                results = (
                    e for e in corpus.clean_stream(inputs, settings, options) if isinstance(e, corpus.Cleaned)
                )
                failed = _print_cleaned(results, writer, rules, errors)
            finally:
                errors.close()
    except LockedError as exc:
        warn(str(exc))
        sys.exit(EXIT_LOCKED)
    except ScraperError as exc:
        warn(str(exc))
        sys.exit(EXIT_USAGE)
    finally:
        if store is not None:
            store.close()
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _settings(config_path: Path | None, db: Path | None, errors_path: Path | None) -> Settings:
    """The settings (`load`), `--errors` checked not to name their store."""
    settings = load(config_path, db)
    not_the_store(errors_path, Path(settings.store.path), "--errors")
    return settings


def _store_to_drop_by(settings: Settings) -> storage.Store:
    """`--db`: the store whose texts are dropped, read-only; one line and exit 2 when it is no
    store we can read (corrupt, another application's, from a newer scraper)."""
    try:
        return existing_store(Path(settings.store.path))
    except ScraperError as exc:
        warn(str(exc))
        sys.exit(EXIT_USAGE)


def _clean_to_folder(
    inputs: list[corpus.Input | SourceError],
    *,
    settings: Settings,
    options: corpus.CleanOptions,
    output: Path,
    fmt: str | None,
    shard_size: int,
    resume: bool,
    hygiene: corpus.Hygiene,
    errors_path: Path | None,
    min_quality: float,
    only_with_metadata: bool,
    engine: corpus.Engine,
) -> int:
    fmt = fmt or "jsonl"
    out = corpus.OutputDir(output, fmt=fmt, shard_size=shard_size, resume=resume)
    errors = corpus.ErrorLog(errors_path)
    try:
        total_bytes = sum(corpus.input_sizes(inputs).values())
        with crawl.clean_progress(
            sys.stderr, len(inputs), total_bytes=total_bytes, shown=not quiet()
        ) as progress:
            counts = corpus.clean_to_folder(
                inputs,
                settings,
                options,
                out,
                min_quality=min_quality,
                only_with_metadata=only_with_metadata,
                hygiene=hygiene,
                errors=errors,
                progress=progress,
                warn=warn,
                engine=engine,
            )
    finally:
        errors.close()
    with corpus.mapped("<stdout>"):  # a full disk under stdout: exit 2, the shards are committed
        for line in corpus.summary(counts, inputs=len(inputs)):
            click.echo(line)
    return corpus.failed_count(counts)


def _nothing_to_clean(input_files: tuple[Path, ...]) -> str:
    """Why there is nothing to clean: the --input-file given, when one is, lists nothing."""
    if not input_files:
        return "nothing to clean: give SOURCES or --input-file"
    return (
        f"nothing to clean: {', '.join(map(str, input_files))} list{'s' * (len(input_files) == 1)} no sources"
    )


def _check_outputs(
    fmt: str | None,
    *,
    tei: bool,
    output: Path | None,
    output_dir: Path | None,
    keep_dirs: bool,
    engine: str,
) -> None:
    """The output options that contradict each other or the format (exit 2), before the config is read."""
    check_tei(fmt, tei)
    if output is not None and output_dir is not None:
        raise click.UsageError(
            "-o DIR (shards) and --output-dir DIR (a file per document) exclude each other"
        )
    if keep_dirs and output_dir is None:
        raise click.UsageError("--keep-dirs goes with --output-dir")
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs -o DIR")
    if output is not None and fmt is not None and fmt not in corpus.SHARD_FORMATS:
        raise click.UsageError(f"-o writes jsonl or parquet shards, not {fmt}")
    if engine == "ray" and output is None:
        raise click.UsageError("--engine ray writes shards: give -o DIR")


def _writer(
    fmt: str, *, tei: bool, output_dir: Path | None, keep_dirs: bool, folders: list[str]
) -> corpus.Writer:
    """stdout (through export's `open_writer`, as `scraper export` writes it), or one file per
    document in `output_dir` named as trafilatura names them."""
    if output_dir is None:
        return corpus.open_writer(fmt, None, for_terminal(sys.stdout), tei=tei)
    names = corpus.TrafilaturaNames(keep_dirs=keep_dirs, folders=folders)
    return corpus.FolderWriter(corpus.text_format(fmt, tei=tei), output_dir, names)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Rules:
    """What is printed: the keep/drop rule's inputs, and whether skipped pages print their record
    (json and jsonl on stdout) or only a stderr line."""

    min_quality: float
    only_with_metadata: bool
    hygiene: corpus.Hygiene | None
    records: bool


def _print_cleaned(
    results: Iterable[corpus.Cleaned], writer: corpus.Writer, rules: _Rules, errors: corpus.ErrorLog
) -> int:
    """Write each kept document; one stderr line per page left out or failed; the failures."""
    failed = 0
    writer.start()
    try:
        for result in results:
            if result.explanation is not None:
                click.echo("\n".join(extract.describe(result.explanation)), err=True)
            verdict = corpus.judge(
                result,
                min_quality=rules.min_quality,
                hygiene=rules.hygiene,
                only_with_metadata=rules.only_with_metadata,
            )
            doc = result.document
            # json and jsonl print a page without an article as its record, skip_reason and all
            skip_record = (
                rules.records
                and doc is not None
                and doc.skip_reason is not None
                and verdict.reason == doc.skip_reason
            )
            if verdict.kept or skip_record:
                assert doc is not None
                writer.write(doc)
            elif verdict.outcome.startswith("failed"):
                failed += 1
                warn(str(result.error) if result.error is not None else f"{result.source}: {verdict.reason}")
                errors.add(result, verdict.reason or "")
            elif result.skipped is None:  # a web archive record that is no page: counted, not shown
                note(f"{result.source}: {verdict.outcome.partition(':')[0]}: {verdict.reason}")
    except BaseException:
        writer.abort()
        raise
    writer.finish()
    return failed
