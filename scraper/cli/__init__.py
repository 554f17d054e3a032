"""The `scraper` command line: argv, stdout, stderr and exit codes only.

Exit codes, the same for every command (docs/reference/exit-codes.md):

\b
    0    all went well: a crawl also when --max-duration ended it, or when some URLs failed
         but no more than [crawl] max_failure_ratio of those it requested
    1    the work failed: `clean` could not clean some sources (an empty file, stdin or
         response among them); a crawl run failed (more than max_failure_ratio of its
         requested pages failed, or every host was set aside)
    2    usage, configuration or store error (the message names the bad key or file)
    3    `crawl`: another crawl holds the lock on the store; `clean -o`: another run holds the folder
    130  interrupted by SIGINT (Ctrl-C); a crawl writes its report, the next run resumes it
    141  stdout closed early (`scraper export | head`): a quiet exit, as for any Unix filter
    143  terminated by SIGTERM (systemd stop, `timeout`); a crawl as for SIGINT
"""

from __future__ import annotations

import logging
import signal
import sys
import time

import click

from scraper import extract
from scraper.cli import clean, completion, crawl, export, runs, serve
from scraper.cli.output import Options, attach_closed_streams
from scraper.cli.signals import Commands, on_sigterm
from scraper.urls import redacted


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-v info, -vv debug).")
@click.option(
    "-q", "--quiet", is_flag=True, help="Only errors on stderr: no progress, no skipped-page lines."
)
@click.version_option(package_name="storyscraper")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Fetch web pages, keep only the story, store it with its metadata.

    Exit codes (every command): 0 done, 1 the work failed (see each command), 2 usage,
    configuration or store error, 3 another run holds the store's or folder's lock, 130 SIGINT,
    141 stdout closed early (`| head`), 143 SIGTERM.
    """
    if verbose and quiet:
        raise click.UsageError("-q/--quiet and -v/--verbose exclude each other")
    ctx.obj = Options(quiet=quiet, verbose=verbose)
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    log_format = "%(levelname)s %(name)s: %(message)s"
    if not sys.stderr.isatty():  # a cron log or a file: every line says when (UTC)
        log_format = "%(asctime)s " + log_format
    formatter = _Redacting(log_format, datefmt="%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=[handler])
    # trafilatura & co. only at -vv
    extract.quiet_libraries(logging.DEBUG if verbose >= 2 else logging.CRITICAL)


class _Redacting(logging.Formatter):
    """Log lines without the password of any URL in them (`urls.redacted`), tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redacted(super().format(record))


cli.add_command(clean.clean)
cli.add_command(crawl.crawl)
cli.add_command(export.export)
cli.add_command(runs.runs)
cli.add_command(serve.serve)
cli.add_command(completion.completion)


def main() -> None:
    """Console-script entry point: SIGTERM unwinds like Ctrl-C (temp files go), then exits 143."""
    signal.signal(signal.SIGTERM, on_sigterm)
    attach_closed_streams()
    cli(prog_name="scraper")


__all__ = ["cli", "main"]
