"""Options shared by several commands, and the settings they build: defaults < the TOML file <
the command line."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from scraper import store as storage
from scraper.config import METADATA_MODES, Settings, load_settings
from scraper.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


class _Path(click.Path):
    """`click.Path` that refuses an empty or blank value, as the config's path keys do: `Path("")`
    is ".", so `-o "$OUT"` with OUT unset wrote a corpus into the working folder and `--db ""`
    said "." in its error; `-o "  "` made a folder named by two spaces."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("empty path", param, ctx)
        return super().convert(value, param, ctx)


def path_type(*, file_okay: bool = True, dir_okay: bool = True) -> click.Path:
    """The type of every path option: a `Path`, never an empty one."""
    return _Path(file_okay=file_okay, dir_okay=dir_okay, path_type=Path)


def config_option(f: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=path_type(dir_okay=False),
        help="TOML settings file (see config/scraper.toml); built-in defaults when omitted.",
    )(f)


def db_option(f: F) -> F:
    help = "SQLite store (default: [store] path)."
    return click.option("--db", type=path_type(dir_okay=False), help=help)(f)


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


def _extract_flag(ctx: click.Context, param: click.Parameter, value: bool | str | None) -> None:
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
    """--precision, --recall, --comments/--no-comments, --tables/--no-tables, --links, --images,
    --formatting, --fast: trafilatura's flags, --cascade/--no-cascade (the block model's first
    pass) and --metadata full|stated, mapped onto the [extract] keys of the same meaning; a flag
    given overrides the file."""
    options = [
        ("--precision", "favor_precision", "Favour precision: less text, fewer false positives."),
        ("--recall", "favor_recall", "Favour recall: more text, when pages lose paragraphs."),
        ("--comments/--no-comments", "include_comments", "Keep comment sections [default: no]."),
        ("--tables/--no-tables", "include_tables", "Keep tables [default: yes]."),
        ("--links", "include_links", "Keep links with their targets in Markdown and XML."),
        ("--images", "include_images", "Keep images (source and alt text) in Markdown and XML."),
        ("--formatting", "include_formatting", "Keep bold, italic and the like in Markdown and XML."),
        ("--fast", "fast", "Faster: no fallback extractors, no date search in the page text."),
        (
            "--cascade/--no-cascade",
            "cascade",
            "The block model judges each page first; trafilatura extracts where it is unsure [default: yes].",
        ),
    ]
    f = click.option(
        "--metadata",
        "metadata",
        type=click.Choice(METADATA_MODES),
        default=None,
        expose_value=False,
        callback=_extract_flag,
        help="full: also search the whole page for a date, byline, title, categories [default]; "
        "markup: the same, but a date only where the markup states it (JSON-LD, meta tags, the URL, "
        "<time>), no search of the text; "
        "stated: only what the page states (JSON-LD, meta tags, <title>, the URL), faster, for corpora.",
    )(f)
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


_FETCH_FLAGS = "scraper.fetch_flags"


def _fetch_flag(ctx: click.Context, param: click.Parameter, value: object) -> None:
    if value is None or value == () or value is False:
        return
    flags = ctx.meta.setdefault(_FETCH_FLAGS, {})
    if param.name == "headers":
        headers: dict[str, str] = {}
        for line in value:  # type: ignore[attr-defined]  # click gives a tuple of str
            name, colon, text = str(line).partition(":")
            if not colon or not name.strip():
                raise click.BadParameter(f"expected 'Name: value', got {line!r}", param_hint="--header")
            headers[name.strip()] = text.strip()
        flags["headers"] = headers
    else:
        flags[str(param.name)] = value


def fetch_options(f: F) -> F:
    """--proxy, --header and --render for a one-off run: over [fetch] (for every host)."""
    options = [
        click.option(
            "--proxy",
            metavar="URL",
            expose_value=False,
            callback=_fetch_flag,
            help="Fetch through this HTTP(S) proxy, http://user:password@host:port [default: [fetch] proxy].",
        ),
        click.option(
            "--header",
            "headers",
            metavar="'NAME: VALUE'",
            multiple=True,
            expose_value=False,
            callback=_fetch_flag,
            help="Send this header to the hosts named (repeatable); merged over [fetch] headers.",
        ),
        click.option(
            "--render",
            is_flag=True,
            default=None,
            expose_value=False,
            callback=_fetch_flag,
            help="Run each page's scripts in headless Chromium first (the render extra).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def load(config_path: Path | None, db: Path | None = None) -> Settings:
    """Settings: defaults < the TOML file < the command line (--db, extraction and fetch flags)."""
    try:
        settings = load_settings(config_path)
        ctx = click.get_current_context(silent=True)
        flags = ctx.meta.get(_EXTRACT_FLAGS, {}) if ctx is not None else {}
        if flags:
            settings = dataclasses.replace(settings, extract=dataclasses.replace(settings.extract, **flags))
    except ConfigError as exc:
        raise click.UsageError(f"config {exc}") from None
    fetch_flags = dict(ctx.meta.get(_FETCH_FLAGS, {})) if ctx is not None else {}
    if "headers" in fetch_flags:
        fetch_flags["headers"] = {**settings.fetch.headers, **fetch_flags["headers"]}
    try:
        settings = dataclasses.replace(settings, fetch=dataclasses.replace(settings.fetch, **fetch_flags))
    except ConfigError as exc:
        key, _, name = exc.key.partition(".")  # "headers.Host": the flag, and the header it named
        flag = {"headers": "--header", "proxy": "--proxy", "render": "--render"}.get(key)
        where = f"{flag} {name}".strip() if flag else f"config fetch.{exc.key}"
        raise click.UsageError(f"{where}: {exc.reason}") from None
    if db is not None:
        settings = dataclasses.replace(settings, store=dataclasses.replace(settings.store, path=str(db)))
    return settings


def tei_option(f: F) -> F:
    return click.option(
        "--tei",
        is_flag=True,
        help="With --format xml: TEI (trafilatura's --xmltei) instead of trafilatura's XML.",
    )(f)


def check_tei(fmt: str | None, tei: bool) -> None:
    if tei and fmt != "xml":
        raise click.UsageError("--tei goes with --format xml")


# the files SQLite keeps beside a store: its write-ahead log, its shared memory, a rollback journal
_STORE_FILES = ("", "-wal", "-shm", "-journal")


def not_the_store(output: Path | None, store: Path, option: str) -> None:
    """Refuse a file to write that is the store (or one of SQLite's files beside it): it is
    written aside and moved into place, so `export -o STORE` or `crawl --report STORE` replaced
    every stored document with the export or the report, and exited 0."""
    if output is None:
        return
    for suffix in _STORE_FILES:
        kept = Path(f"{store}{suffix}")
        if _same_file(output, kept):
            raise click.UsageError(f"{option} {output} is the store's own file {kept}: choose another file")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same inode where both exist (a link, another
    spelling), else the same absolute path once resolved."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def existing_store(path: Path) -> storage.Store:
    """The store at `path`, opened read-only: `export` and `clean --db` only read a store and
    never make one (a mistyped --db must not leave a new, empty store behind); `crawl` makes it.
    Raises `UsageError` when there is no file at `path`, `WriteError` when it is no store we
    can read (corrupt, another application's, from a newer scraper)."""
    try:
        found = path.exists()
    except OSError as exc:  # a name too long, a folder it may not enter: the system looks up no file
        raise click.UsageError(f"no store at {path} ({exc.strerror or exc})") from None
    if not found:
        raise click.UsageError(f"no store at {path} (a store is made by `scraper crawl`; check --db)")
    return storage.Store(path, read_only=True)
