"""Local inputs of `scraper clean`: files, folders, web archives and stdin, turned into `FetchedPage`s.

The network half (http(s) URLs) belongs to the fetch stage (scraper/fetch/), the records
inside WARC and ARC files to warc.py; this module owns reading from disk: which inputs there
are (arguments, `--input-file` lists, folders walked), the path-to-URL mapping of `--url-map`,
and HTML files' bytes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scraper import charset
from scraper.corpus.warc import is_archive_name
from scraper.errors import SourceError
from scraper.fetch import InflateError, inflate
from scraper.models import FetchedPage
from scraper.urls import url_flaw

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
# Names that say a file is a document or medium that is never HTML: refused when named, as a URL
# serving such a type is ("not HTML: application/pdf"). A saved page may be named anything else
# (`index.php`, `page.aspx`, no suffix at all), so every other name is read as HTML.
_NOT_HTML_SUFFIXES = frozenset({
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf", ".epub",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".avif", ".heic",
    ".mp3", ".m4a", ".wav", ".ogg", ".flac", ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm",
    ".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".exe", ".dll", ".so",
    ".woff", ".woff2", ".ttf", ".otf", ".sqlite", ".db",
})  # fmt: skip
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Input:
    """One thing to clean: a URL to fetch, a local file, or stdin."""

    source: str
    kind: str  # "url" | "file" | "archive" (WARC or ARC) | "stdin"


def is_url(text: str) -> bool:
    """Whether `text` is meant as an http(s) URL; it may still be a broken one (`urls.url_flaw`)."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in ("http", "https")


def expand(args: Iterable[str]) -> Iterator[Input | SourceError]:
    """Inputs in the order given; folders expand recursively to their HTML files, sorted.

    A source that cannot be used is yielded as a `SourceError`, so the caller reports it and
    goes on with the rest.
    """
    stdin_given = False
    for arg in args:
        if arg == STDIN and stdin_given:  # read once: a second `-` said "empty input"
            yield SourceError(STDIN, "standard input given more than once (it is read once)")
        elif arg == STDIN:
            stdin_given = True
            yield Input(STDIN, "stdin")
        elif is_url(arg):
            problem = url_flaw(arg)  # "http://exa mple.com/": one clear line, not a DNS or robots.txt error
            yield SourceError(arg, problem) if problem else Input(arg, "url")
        elif "://" in arg:
            scheme = arg.partition("://")[0]
            yield SourceError(arg, f"unsupported URL scheme {scheme!r} (only http and https)")
        elif not arg.strip():  # Path("") is the working folder: an unset "$URL" would clean all of it
            yield SourceError(repr(arg), "empty source: no URL, file or folder named")
        elif "\x00" in arg:  # an -i list with NULs: the name was printed raw, "no such file or folder"
            yield SourceError(repr(arg), "no file's path holds a NUL character")
        else:
            yield from _expand_path(Path(arg))


def _expand_path(path: Path) -> Iterator[Input | SourceError]:
    """`path`'s inputs; a lookup the system refuses (a name too long, a folder it may not enter)
    is that source's failure, with the system's reason, not the run's (pathlib's `is_dir` and
    `is_file` raise all but a few errors of `stat`)."""
    try:
        found = list(_path_inputs(path))
    except OSError as exc:
        found = [SourceError(str(path), f"cannot read: {exc.strerror or exc}")]
    yield from found


def _path_inputs(path: Path) -> Iterator[Input | SourceError]:
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and (_is_html_name(p.name) or is_archive_name(p.name))
        )
        if not files:
            yield SourceError(
                str(path), "folder holds no .html, .htm, .html.gz, .warc(.gz) or .arc(.gz) files"
            )
        yield from (_file_input(p) for p in files)
    elif path.is_file():
        suffix = _not_html_suffix(path.name)
        if suffix:
            yield SourceError(str(path), f"not HTML: a {suffix} file (a saved page's name may end in .html)")
        else:
            yield _file_input(path)
    elif path.exists():
        yield SourceError(str(path), "not a regular file or folder")
    else:
        yield SourceError(str(path), "no such file or folder")


def is_folder(source: str) -> bool:
    """Whether `source` names a folder; a path the system cannot look up is none (its failure is
    `expand`'s to report)."""
    try:
        return Path(source).is_dir()
    except OSError:
        return False


def _file_input(path: Path) -> Input:
    return Input(str(path), "archive" if is_archive_name(path.name) else "file")


def input_sizes(inputs: Iterable[Input | SourceError]) -> dict[str, int]:
    """The bytes of each local file and web archive among `inputs` (URLs and stdin: none), by source."""
    sizes = {}
    for item in inputs:
        if isinstance(item, Input) and item.kind in ("file", "archive"):
            with contextlib.suppress(OSError):  # gone since: its failure is reported when it is read
                sizes[item.source] = os.path.getsize(item.source)
    return sizes


def read_input_list(path: str) -> list[str]:
    """The sources listed in an `--input-file`: one URL or path a line; blank and `#` lines skipped."""
    try:
        with open(path, encoding="utf-8") as fh:
            return listed(fh, path)
    except OSError as exc:
        raise SourceError(path, f"cannot read the input list: {exc.strerror or exc}") from exc


_MAX_LISTED_LINE = 65_536  # characters: a URL or a path is a few thousand at most


def listed(lines: TextIO, name: str) -> list[str]:
    """The entries of an open list of `clean` sources or `crawl` start URLs: one a line, blank and
    `#` lines skipped. A line longer than `_MAX_LISTED_LINE` (`-i /dev/zero`, a binary or a page
    named by mistake: read whole, it took all memory) or bytes that are not UTF-8 are a
    `SourceError` naming the list."""
    found = []
    try:
        for line in _bounded_lines(lines, name):
            entry = line.strip()
            if entry and not entry.startswith("#"):
                found.append(entry)
    except UnicodeDecodeError:
        raise SourceError(name, "the input list is not UTF-8 text") from None
    return found


def _bounded_lines(lines: TextIO, name: str) -> Iterator[str]:
    """The lines of an open list (`-i`, `--url-map`), none read past `_MAX_LISTED_LINE`
    characters: a longer one is a `SourceError` naming the list and the line (read whole, a line
    of /dev/zero took all memory)."""
    for number, line in enumerate(iter(lambda: lines.readline(_MAX_LISTED_LINE + 1), ""), start=1):
        if len(line) > _MAX_LISTED_LINE:
            raise SourceError(name, f"line {number} is longer than {_MAX_LISTED_LINE} characters")
        yield line


@dataclass(frozen=True, slots=True)
class UrlMap:
    """A `--url-map`: the address of each file (by `path_key`), or why its row cannot give one;
    `problems` are rows that name no file at all. A bad row is that row's failure, not the run's."""

    urls: Mapping[str, str | SourceError] = field(default_factory=dict)
    problems: tuple[SourceError, ...] = ()


def read_url_map(path: str) -> UrlMap:
    """A CSV of `path,url` rows (a header row `path,url` is allowed).

    Paths are taken as `scraper clean` is given them, relative to the current folder. Raises
    `SourceError` only when the file cannot be read as a UTF-8 CSV.
    """
    urls: dict[str, str | SourceError] = {}
    given: dict[str, tuple[str, int]] = {}  # each path's first address, as written, and its line
    problems: list[SourceError] = []
    number = 0
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for number, row in enumerate(csv.reader(_bounded_lines(fh, path)), start=1):
                if not row or (number == 1 and [c.strip().lower() for c in row[:2]] == ["path", "url"]):
                    continue
                where = f"{path} line {number}"
                if len(row) < 2 or not row[0].strip():
                    problems.append(SourceError(where, "expected `path,url`"))
                    continue
                url, key = row[1].strip(), path_key(row[0].strip())
                if key in given:  # the same row again changes nothing (a flawed address stays one fault)
                    first, line = given[key]
                    if url != first:  # which one the page is at, only the user knows
                        urls[key] = SourceError(where, f"a second address for the path of line {line}")
                    continue
                flaw = url_flaw(url)
                urls[key] = SourceError(where, flaw) if flaw else url
                given[key] = url, number
    except OSError as exc:
        raise SourceError(path, f"cannot read the URL map: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not a UTF-8 CSV file ({exc})") from None
    except csv.Error as exc:  # a field past csv's limit (128 KiB), a NUL
        raise SourceError(f"{path} line {number + 1}", f"not a CSV row that can be read ({exc})") from None
    return UrlMap(urls, tuple(problems))


def mapped_url(urls: Mapping[str, str | SourceError], path: str, default: str | None) -> str | None:
    """The address of local file `path`: its URL-map row's, else `default`; raises a `SourceError`
    naming the file, with the row's reason and the map's line, when that row is bad (the file fails;
    `clean -o` and `--errors` print a failure's source and reason, so the line rides in the reason)."""
    found = urls.get(path_key(path), default)
    if isinstance(found, SourceError):
        raise SourceError(path, f"{found.reason} (--url-map {found.source})")
    return found


def path_key(path: str) -> str:
    """The form under which a local path is looked up in a URL map: absolute and normalised."""
    return os.path.normpath(os.path.abspath(path))


def _is_html_name(name: str) -> bool:
    return name.lower().endswith(HTML_SUFFIXES)


def _not_html_suffix(name: str) -> str | None:
    """The suffix of `name` (`.gz` aside) when it names a type that is never HTML (`.pdf`), else None."""
    suffix = Path(name.lower().removesuffix(".gz")).suffix
    return suffix if suffix in _NOT_HTML_SUFFIXES else None


def read_file(path: str, *, max_bytes: int) -> bytes:
    """A file's bytes, gunzipped when it ends in .gz, refusing more than `max_bytes`."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder") from None
    except PermissionError:
        raise SourceError(path, "permission denied") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc
    if path.lower().endswith(".gz") and len(data) <= max_bytes:
        try:
            data = inflate(data, limit=max_bytes)
        except InflateError as exc:
            if exc.too_large:
                raise SourceError(path, f"larger than {max_bytes} bytes once decompressed") from exc
            raise SourceError(path, f"not a valid gzip file ({exc.reason})") from exc
    if len(data) > max_bytes:
        raise SourceError(path, f"larger than {max_bytes} bytes")
    return data


def page_from_bytes(body: bytes, *, source: str, url: str | None) -> FetchedPage:
    """Wrap local HTML bytes as a page; the charset comes from BOM, meta tag or detection."""
    if blank(body):
        raise SourceError(source, "empty input")
    return charset.page_from_bytes(body, source=source, url=url)


def blank(body: bytes) -> bool:
    """Whether `body` holds nothing but white space, a byte order mark aside (an editor's empty
    file saved with one is empty, as a file of no bytes is). A blank file, stdin or response
    named on the command line is that source's failure, never a quiet success."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return not body.decode("utf-16", "replace").strip()
    return not body.removeprefix(codecs.BOM_UTF8).strip()


def load_file(path: str, *, url: str | None, max_bytes: int) -> FetchedPage:
    return page_from_bytes(read_file(path, max_bytes=max_bytes), source=path, url=url)
