"""Output and exit-code plumbing shared by every command: the exit codes of the table, stderr
lines (errors always, notes unless --quiet) and the group's options."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import re
import signal
import sys
from typing import Any, TextIO, cast

import click

from scraper.models import portable_name
from scraper.urls import redacted

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
EXIT_SIGINT, EXIT_BROKEN_PIPE, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGPIPE, 128 + signal.SIGTERM


def attach_closed_streams() -> None:
    """Stand /dev/null in for a standard stream the process was started without (`<&-`, `>&-`,
    `2>&-`; Python sets `sys.stdin`, `sys.stdout` or `sys.stderr` to None there, and each command
    failed as an internal error). A closed stdin reads as empty (`clean -`: `-: empty input`, the
    other sources cleaned), a closed stdout refuses every write as the closed descriptor did
    (`<stdout>: cannot write: Bad file descriptor`, exit 2), a closed stderr loses the lines
    written to it but not the output or the exit code. The descriptor is taken too, so that no
    file the run opens gets 0, 1 or 2, where a worker's stderr or a library's print would have
    written into a shard, a report or the store."""
    for name, fd in (("stdin", 0), ("stdout", 1), ("stderr", 2)):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
            continue  # something holds the descriptor since: not ours to replace
        except OSError as exc:
            if exc.errno != errno.EBADF:
                continue
        opened = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)
        if fd == 1:
            sys.stdout = _ClosedStdout()
        else:
            mode = "r" if fd == 0 else "w"
            # the stream lives as long as the process, as the one Python would have made
            stream = open(fd, mode, encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
            setattr(sys, name, stream)


class _ClosedStdout(io.TextIOBase):
    """The stdout of a process started without one: every write fails as it did (EBADF), and
    nothing is kept for the interpreter's last flush to fail on again."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 1


SHOWN_CHARS = 300  # of a URL or reason in human output: a server may send a 900 KB URL


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` for a person to read: a URL's password hidden (`urls.redacted`), cut to `limit`
    characters, saying how much was left out. Machine output (JSON reports, records) keeps it whole."""
    text = redacted(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


# What a terminal reads as a command, not a character: C0 controls but the tab and the line break,
# DEL and the C1 controls (U+009B is CSI to some terminals). A page's text may hold them, from its
# bytes or its character references ("&#27;]0;...&#7;" retitles the window, "&#27;[2J" clears it).
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def for_terminal(stream: TextIO) -> TextIO:
    """`stream`, but where it is a terminal, the control characters of what is written to it shown
    as escapes (`\\x1b`), as `ls` shows a file name's: a page's escape sequences were written to
    the terminal as they came (a window retitled, the screen cleared, text hidden by a carriage
    return). A file or a pipe gets the text exactly."""
    return cast(TextIO, _Shown(stream)) if stream.isatty() else stream


def _shown(text: str) -> str:
    """`text` with its control characters as escapes (`\\x1b`), the line breaks and tabs kept."""
    return _TERMINAL_CONTROLS.sub(lambda m: repr(m[0])[1:-1], text)


class _Shown:
    """A terminal's stream whose writes show control characters as escapes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_shown(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def warn(message: str) -> None:
    """An error line on stderr: shown even with --quiet. A file name that is not UTF-8 in it is
    shown as in records (`models.portable_name`), a URL's password not at all (`urls.redacted`),
    a control character as an escape (a file name of a folder walked may hold "\\x1b]0;...")."""
    click.echo(f"scraper: {_shown(redacted(portable_name(message)))}", err=True)


def note(message: str) -> None:
    """A line on stderr that is not an error (a skipped page, a stopping crawl): --quiet hides it."""
    if not quiet():
        click.echo(f"scraper: {_shown(redacted(portable_name(message)))}", err=True)


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
