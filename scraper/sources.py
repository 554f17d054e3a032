"""Local inputs of `scraper clean`: files, folders and stdin, turned into `FetchedPage`s.

The network half (http(s) URLs) belongs to fetch.py; this module owns reading from disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scraper.errors import SourceError
from scraper.fetch import InflateError, inflate
from scraper.fetch.charset import resolve_encoding
from scraper.models import FetchedPage, utc_now

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Input:
    """One thing to clean: a URL to fetch, a local file, or stdin."""

    source: str
    kind: str  # "url" | "file" | "stdin"


def is_url(text: str) -> bool:
    return urlsplit(text).scheme in ("http", "https")


def expand(args: Iterable[str]) -> Iterator[Input | SourceError]:
    """Inputs in the order given; folders expand recursively to their HTML files, sorted.

    A source that cannot be used is yielded as a `SourceError`, so the caller reports it and
    goes on with the rest.
    """
    for arg in args:
        if arg == STDIN:
            yield Input(STDIN, "stdin")
        elif is_url(arg):
            yield Input(arg, "url")
        elif "://" in arg:
            yield SourceError(arg, f"unsupported URL scheme {urlsplit(arg).scheme!r} (only http and https)")
        else:
            yield from _expand_path(Path(arg))


def _expand_path(path: Path) -> Iterator[Input | SourceError]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_html_name(p.name))
        if not files:
            yield SourceError(str(path), "folder holds no .html, .htm or .html.gz files")
        yield from (Input(str(p), "file") for p in files)
    elif path.is_file():
        yield Input(str(path), "file")
    elif path.exists():
        yield SourceError(str(path), "not a regular file or folder")
    else:
        yield SourceError(str(path), "no such file or folder")


def _is_html_name(name: str) -> bool:
    return name.lower().endswith(HTML_SUFFIXES)


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
    if not body.strip():
        raise SourceError(source, "empty input")
    return FetchedPage(
        source=source,
        url=url,
        final_url=url,
        status=None,
        content_type=None,
        body=body,
        encoding=resolve_encoding(body, None, source=source),
        fetched_at=utc_now(),
    )


def load_file(path: str, *, url: str | None, max_bytes: int) -> FetchedPage:
    return page_from_bytes(read_file(path, max_bytes=max_bytes), source=path, url=url)
