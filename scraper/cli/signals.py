"""Signals and a closed stdout, turned into the exit codes of the table: SIGTERM unwinds like
Ctrl-C outside a crawl; during a crawl both stop it between two steps and the report follows."""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import click

from scraper.cli.output import (
    EXIT_BROKEN_PIPE,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_SOME_FAILED,
    note,
    verbosity,
    warn,
)
from scraper.errors import internal_error
from scraper.models import RunStatus

if TYPE_CHECKING:
    import asyncio

    from scraper.crawl import Crawler

SIGNAL_GRACE = 3.0  # seconds a crawl's visits in flight get after SIGINT / SIGTERM before they are abandoned


class Terminated(BaseException):
    """SIGTERM outside a crawl's event loop: unwinds like KeyboardInterrupt, so temp files go."""


def on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise Terminated


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


class Commands(click.Group):
    """The group: interruptions and a closed stdout become the exit codes of the table, and a
    bug (anything raised outside the error tree that reaches here) one line and exit 1; its
    traceback only with -vv. A usage or configuration error is one line too, `scraper: REASON`,
    with its exit code (2), rather than click's Usage / Try / Error block."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:  # a caller that handles click's exceptions itself
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            returned = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.ClickException as exc:
            warn(_one_line(exc))
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:  # Ctrl-C or end of input while click read the arguments
            warn("interrupted")
            sys.exit(EXIT_SIGINT)
        sys.exit(returned if isinstance(returned, int) else 0)  # click.exceptions.Exit's code

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            warn("interrupted")
            raise click.exceptions.Exit(EXIT_SIGINT) from None
        except Terminated:
            warn("terminated")
            raise click.exceptions.Exit(EXIT_SIGTERM) from None
        except BrokenPipeError:  # `scraper export | head`: the reader has all it wanted
            _quiet_stdout()
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: click would print "Aborted!" (EOFError) or a traceback
            if verbosity() >= 2:  # -vv
                traceback.print_exception(exc, file=sys.stderr)
            warn(f"{internal_error(exc)} (a bug: -vv shows its traceback)")
            raise click.exceptions.Exit(EXIT_SOME_FAILED) from None


def _one_line(exc: click.exceptions.ClickException) -> str:
    """The error as one line: its message, and for a usage error where the command's help is."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.exceptions.UsageError) and ctx is not None:
        return f"{message} (see {ctx.command_path} --help)"
    return message


class StopOnSignals:
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
            note(
                f"{signal.Signals(sig).name}: stopping, the report follows "
                f"(visits in flight get {SIGNAL_GRACE:g} s; a second signal stops at once)"
            )
        if self._crawler is not None:
            self._stop()

    def _stop(self) -> None:
        assert self._crawler is not None
        self._crawler.stop(RunStatus.INTERRUPTED, grace=SIGNAL_GRACE if self._count == 1 else 0.0)
