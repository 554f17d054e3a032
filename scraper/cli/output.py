"""Output and exit-code plumbing shared by every command: the exit codes of the table, stderr
lines (errors always, notes unless --quiet) and the group's options."""

from __future__ import annotations

import dataclasses
import signal

import click

from scraper.models import portable_name
from scraper.urls import redacted

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
EXIT_SIGINT, EXIT_BROKEN_PIPE, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGPIPE, 128 + signal.SIGTERM


SHOWN_CHARS = 300  # of a URL or reason in human output: a server may send a 900 KB URL


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` for a person to read: a URL's password hidden (`urls.redacted`), cut to `limit`
    characters, saying how much was left out. Machine output (JSON reports, records) keeps it whole."""
    text = redacted(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def warn(message: str) -> None:
    """An error line on stderr: shown even with --quiet. A file name that is not UTF-8 in it is
    shown as in records (`models.portable_name`), a URL's password not at all (`urls.redacted`)."""
    click.echo(f"scraper: {redacted(portable_name(message))}", err=True)


def note(message: str) -> None:
    """A line on stderr that is not an error (a skipped page, a stopping crawl): --quiet hides it."""
    if not quiet():
        click.echo(f"scraper: {redacted(portable_name(message))}", err=True)


@dataclasses.dataclass(frozen=True, slots=True)
class Options:
    """What the group's options tell every command."""

    quiet: bool = False
    verbose: int = 0


def verbosity() -> int:
    """How many -v the group was given (0 outside a command)."""
    ctx = click.get_current_context(silent=True)
    options = ctx.find_object(Options) if ctx is not None else None
    return options.verbose if options is not None else 0


def quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    options = ctx.find_object(Options) if ctx is not None else None
    return options is not None and options.quiet
