"""The `scraper` command line: argv, stdout, stderr and exit codes only.

Exit codes: 0 all went well, 1 some sources or URLs failed, 2 usage or configuration error.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from scraper.clean import Cleaned, clean_sources, extraction_pool
from scraper.config import Settings, Site, load_settings
from scraper.crawl import Crawler
from scraper.errors import ConfigError, ScraperError
from scraper.export import FORMATS, open_writer
from scraper.fetch import Fetcher
from scraper.models import CrawlReport, Document
from scraper.store import Store

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
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
@click.version_option(package_name="scraper")
def cli(verbose: int) -> None:
    """Fetch web pages, keep only the story, store it with its metadata."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "jsonl"]),
    default="text",
    show_default=True,
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: cores].")
@click.option("--url", help="The page's address, for local input (resolves links, picks site selectors).")
@config_option
def clean(
    sources: tuple[str, ...], fmt: str, jobs: int | None, url: str | None, config_path: Path | None
) -> None:
    """Print the clean text of URLs, HTML files, folders of them, or stdin (-). Nothing is stored.

    \b
    Examples:
      scraper clean https://example.com/news/story.html
      scraper clean saved/page.html --format json --url https://example.com/story
      scraper clean archive/ --format jsonl --jobs 4 > clean.jsonl
      curl -s https://example.com/ | scraper clean - --format markdown
    """
    settings = _load(config_path)
    results = clean_sources(sources, settings, jobs=jobs or _cores(), url=url, stdin=sys.stdin.buffer)
    failed = _print_cleaned(results, fmt)
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _print_cleaned(results: Iterable[Cleaned], fmt: str) -> int:
    failed = 0
    docs: list[dict[str, Any]] = []
    first = True
    for result in results:
        if result.error is not None or result.document is None:
            failed += 1
            _warn(str(result.error))
            continue
        doc = result.document
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


def _as_markdown(doc: Document) -> str:
    body = doc.markdown or doc.text
    return f"# {doc.title}\n\n{body}" if doc.title else body


@cli.command()
@click.argument("start_urls", nargs=-1)
@config_option
@db_option
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after fetching this many pages.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the run report as JSON.",
)
def crawl(
    start_urls: tuple[str, ...],
    config_path: Path | None,
    db: Path | None,
    max_pages: int | None,
    report_path: Path | None,
) -> None:
    """Crawl start URLs (or the [[sites]] of --config), store clean documents, print a report.

    \b
    Examples:
      scraper crawl https://example.com/ --max-pages 50
      scraper crawl --config config/scraper.toml --db data/scraper.db --report run.json
    """
    settings = _load(config_path, db)
    if max_pages is not None:
        settings = dataclasses.replace(
            settings, crawl=dataclasses.replace(settings.crawl, max_pages=max_pages)
        )
    urls = list(start_urls) or [u for site in settings.sites for u in site.start_urls]
    if not urls:
        raise click.UsageError("nothing to crawl: give START_URL arguments or [[sites]] in --config")
    try:
        report = asyncio.run(_run_crawl(settings, urls))
    except ScraperError as exc:
        _warn(str(exc))
        sys.exit(EXIT_USAGE)
    _print_report(report)
    if report_path is not None:
        report_path.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    sys.exit(EXIT_OK if report.ok else EXIT_SOME_FAILED)


async def _run_crawl(settings: Settings, urls: list[str]) -> CrawlReport:
    with Store(settings.store.path) as store, extraction_pool(_cores()) as pool:
        async with Fetcher(settings.fetch) as fetcher:
            return await Crawler(settings, fetcher=fetcher, store=store, executor=pool).run(urls)


def _print_report(report: CrawlReport) -> None:
    click.echo(
        f"run {report.run_id}: fetched {report.fetched}, stored {report.stored} "
        f"(new {report.new}, changed {report.changed}), unchanged {report.unchanged}, "
        f"failed {len(report.failed)}, skipped {len(report.skipped)}"
    )
    for url, reason in sorted(report.failed.items()):
        click.echo(f"  failed  {url}: {reason}")


@cli.command()
@db_option
@config_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="File (or folder, for markdown) to write; stdout when omitted.",
)
def export(db: Path | None, config_path: Path | None, fmt: str, output: Path | None) -> None:
    """Write the latest version of every stored document.

    \b
    Examples:
      scraper export > documents.jsonl
      scraper export --db data/scraper.db --format parquet --output data/documents.parquet
    """
    settings = _load(config_path, db)
    path = Path(settings.store.path)
    if not path.exists():
        raise click.UsageError(f"no store at {path} (run `scraper crawl` first, or pass --db)")
    try:
        with Store(path) as store:
            writer = open_writer(fmt, output, sys.stdout)
            writer.start()
            try:
                for doc in store.latest():
                    writer.write(doc)
            except BaseException:
                writer.abort()
                raise
            writer.finish()
    except ScraperError as exc:
        _warn(str(exc))
        sys.exit(EXIT_SOME_FAILED)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="scraper")
    except KeyboardInterrupt:
        _warn("interrupted")
        sys.exit(130)


__all__ = ["Site", "cli", "main"]
