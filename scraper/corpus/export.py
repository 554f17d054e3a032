"""Export writers: one per output format behind the small `Writer` interface.

    writer = open_writer("jsonl", Path("out.jsonl"), sys.stdout)
    writer.start()
    try:
        for doc in store.latest():
            writer.write(doc)
    except BaseException:
        writer.abort()      # the partial output is thrown away; an existing file is untouched
        raise
    writer.finish()         # the output appears, whole, in one os.replace

File outputs are written to a hidden temp file next to the target and renamed over it on
`finish`, so readers never see half an export. Markdown to a folder is atomic per file.
Every `OSError` leaves this module as a `WriteError` naming the path.

Parquet needs pyarrow, the `parquet` extra; it is imported only when a Parquet writer is
opened, and its absence is a `ConfigError` saying what to install.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO
from urllib.parse import urlsplit

from scraper.errors import ConfigError, WriteError
from scraper.models import Document, sha256_hex
from scraper.urls import is_http_url

FORMATS: tuple[str, ...] = ("jsonl", "json", "parquet", "markdown")

PARQUET_EXTRA = "Parquet export needs the parquet extra: pip install 'storyscraper[parquet]'"


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, or a `ConfigError` naming the extra that brings them."""
    try:
        import pyarrow  # noqa: PLC0415  # the parquet extra: 170 MB that only this format needs
        import pyarrow.parquet  # noqa: PLC0415
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != "pyarrow":
            raise  # pyarrow is there but broken: a bug to see, not a missing extra
        raise ConfigError("", PARQUET_EXTRA) from exc
    return pyarrow, pyarrow.parquet


parquet_modules = _pyarrow  # for the shards of `clean -o` (scraper/shards.py)


@functools.cache
def parquet_schema() -> Any:
    """The public record (models.RECORD_FIELDS) as Parquet columns, in the same order; times and
    dates are typed (not the JSON strings), so pyarrow, pandas, DuckDB and polars read them as such."""
    pa, _ = _pyarrow()
    return pa.schema(
        [
            pa.field("url", pa.string()),
            pa.field("final_url", pa.string()),
            pa.field("canonical_url", pa.string()),
            pa.field("source", pa.string(), nullable=False),
            pa.field("title", pa.string()),
            pa.field("authors", pa.list_(pa.string()), nullable=False),
            pa.field("date", pa.date32()),
            pa.field("date_source", pa.string()),
            pa.field("sitename", pa.string()),
            pa.field("description", pa.string()),
            pa.field("language", pa.string()),
            pa.field("language_source", pa.string()),
            pa.field("categories", pa.list_(pa.string()), nullable=False),
            pa.field("tags", pa.list_(pa.string()), nullable=False),
            pa.field("image", pa.string()),
            pa.field("text", pa.string(), nullable=False),
            pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field("status", pa.int32()),
            pa.field("content_hash", pa.string(), nullable=False),
            pa.field("page_type", pa.string(), nullable=False),
            pa.field("quality", pa.float64(), nullable=False),
            pa.field("skip_reason", pa.string()),
            pa.field("version", pa.int64()),
            pa.field("run_id", pa.string()),
            pa.field("stored_at", pa.string()),
            pa.field("change", pa.string()),
            pa.field("gone_at", pa.string()),
        ]
    )


class Writer(Protocol):
    """Writes documents in one output format; nothing is visible until `finish`."""

    def start(self) -> None: ...

    def write(self, doc: Document) -> None: ...

    def finish(self) -> None:
        """Commit the output: flush stdout, or move the finished temp file into place."""
        ...

    def abort(self) -> None:
        """Discard a partial output; an earlier file at the target stays as it was."""
        ...


def open_writer(fmt: str, output: Path | None, stdout: TextIO) -> Writer:
    """The writer for `fmt` (one of `FORMATS`), to `output` or, when it is None, to `stdout`."""
    if fmt == "jsonl":
        return JsonLinesWriter(output, stdout)
    if fmt == "json":
        return JsonWriter(output, stdout)
    if fmt == "parquet":
        if output is None:
            raise WriteError("parquet needs --output: it is a binary format and cannot go to stdout")
        return ParquetWriter(output)
    if fmt == "markdown":
        return MarkdownWriter(output, stdout)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


# -- atomic files ------------------------------------------------------------------------------


@contextmanager
def _mapped(path: Path | str) -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise  # the reader went away (`| head`): not a failed write; the CLI exits quietly
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc


class AtomicFile:
    """A file that appears at `target` only on `commit`; until then it is a hidden sibling.

    The temp file lives in the target's folder so `os.replace` is a rename on one file
    system, which is atomic.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        self._handle: BinaryIO | None = None

    def create(self) -> None:
        """Make the target's folder; the temp file is left for the caller (or `open`) to create."""
        with _mapped(self.target):
            self.target.parent.mkdir(parents=True, exist_ok=True)

    def open(self) -> BinaryIO:
        self.create()
        with _mapped(self.target):
            # os.open with 0o666 lets the umask decide the mode, as for any new file
            fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            self._handle = os.fdopen(fd, "wb")
        return self._handle

    def write(self, text: str) -> None:
        assert self._handle is not None, "open() first"
        with _mapped(self.target):
            self._handle.write(text.encode("utf-8"))

    def commit(self) -> None:
        try:
            with _mapped(self.target):
                if self._handle is not None:
                    self._handle.flush()
                    os.fsync(self._handle.fileno())
                    self._handle.close()
                else:
                    _fsync_path(self.temp)
                os.replace(self.temp, self.target)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        # best effort: this runs while another error is already on its way up
        if self._handle is not None:
            with suppress(OSError):
                self._handle.close()
        with suppress(OSError):
            self.temp.unlink(missing_ok=True)


def write_text_atomically(target: Path, text: str) -> None:
    """Write `text` (UTF-8) to `target` whole or not at all: a temp file beside it, then os.replace."""
    file = AtomicFile(target)
    file.open()
    try:
        file.write(text)
    except BaseException:
        file.discard()
        raise
    file.commit()


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- text formats ------------------------------------------------------------------------------


class _TextWriter:
    """Shared plumbing of the text formats: stdout when `output` is None, else an atomic file."""

    def __init__(self, output: Path | None, stdout: TextIO) -> None:
        self.output = output
        self._stdout = stdout
        self._file: AtomicFile | None = None

    def start(self) -> None:
        if self.output is not None:
            self._file = AtomicFile(self.output)
            self._file.open()
        self._begin()

    def write(self, doc: Document) -> None:
        self._emit(self._render(doc))

    def finish(self) -> None:
        self._end()
        if self._file is not None:
            self._file.commit()
        else:
            with _mapped("<stdout>"):
                self._stdout.flush()

    def abort(self) -> None:
        # stdout cannot be taken back; a file can
        if self._file is not None:
            self._file.discard()

    def _emit(self, text: str) -> None:
        if self._file is not None:
            self._file.write(text)
        else:
            with _mapped("<stdout>"):
                self._stdout.write(text)

    def _begin(self) -> None:
        """Write what precedes the first document."""

    def _end(self) -> None:
        """Write what follows the last document."""

    def _render(self, doc: Document) -> str:
        raise NotImplementedError


class JsonLinesWriter(_TextWriter):
    """One JSON record per line (UTF-8, not ASCII-escaped)."""

    def _render(self, doc: Document) -> str:
        return json.dumps(doc.to_record(), ensure_ascii=False) + "\n"


class JsonWriter(_TextWriter):
    """One pretty-printed JSON array, streamed record by record so memory stays flat."""

    def __init__(self, output: Path | None, stdout: TextIO) -> None:
        super().__init__(output, stdout)
        self._count = 0

    def _begin(self) -> None:
        self._emit("[")

    def _render(self, doc: Document) -> str:
        record = json.dumps(doc.to_record(), ensure_ascii=False, indent=2)
        separator = ",\n" if self._count else "\n"
        self._count += 1
        return separator + textwrap.indent(record, "  ")

    def _end(self) -> None:
        self._emit("\n]\n" if self._count else "]\n")


def render_markdown(doc: Document) -> str:
    """A document as Markdown: front matter (title, url, date, authors) then its body.

    Values are JSON scalars and arrays, which YAML reads as they are, so no quoting rules of
    our own are needed.
    """

    def value(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False)

    body = (doc.markdown or doc.text).strip("\n")
    return (
        "---\n"
        f"title: {value(doc.title)}\n"
        f"url: {value(doc.url)}\n"
        f"date: {value(doc.date)}\n"
        f"authors: {value(list(doc.authors))}\n"
        "---\n\n"
        f"{body}\n"
    )


class MarkdownWriter(_TextWriter):
    """Markdown: one `<slug>-<hash>.md` per document in the `output` folder, or all to stdout.

    On stdout the documents follow each other; the `---` opening each front matter is the
    separator.
    """

    def __init__(self, output: Path | None, stdout: TextIO) -> None:
        super().__init__(None, stdout)
        self.folder = output
        self._names: dict[str, str] = {}  # file name -> the key it was given to
        self._count = 0

    def start(self) -> None:
        if self.folder is None:
            return
        with _mapped(self.folder):
            self.folder.mkdir(parents=True, exist_ok=True)

    def write(self, doc: Document) -> None:
        text = render_markdown(doc)
        if self.folder is None:
            self._emit(("\n" if self._count else "") + text)
            self._count += 1
            return
        file = AtomicFile(self.folder / self._name_for(doc))
        try:
            file.open()
            file.write(text)
        except BaseException:
            file.discard()
            raise
        file.commit()
        self._count += 1

    def _name_for(self, doc: Document) -> str:
        """`<slug>-<hash>.md`: readable from the URL (or source), and stable for its key.

        The hash of the key makes the name the document's own in every export, so an export of
        one run (`--run`) into a folder never overwrites another document's file from an
        earlier one, whatever the order or the case of the URLs.
        """
        key = doc.url or doc.source
        digest = sha256_hex(key)
        name = f"{slugify(key, limit=_SLUG_LIMIT)}-{digest[:_HASH_CHARS]}"
        if self._names.setdefault(name, key) != key:  # 40 bits alike: the whole hash then
            name = f"{slugify(key, limit=_SLUG_LIMIT)}-{digest}"
        return name + ".md"


_SLUG_LIMIT, _HASH_CHARS = 90, 10


def slugify(key: str, *, limit: int = 100) -> str:
    """`https://example.com/news/My-Story/` -> `example-com-news-my-story`."""
    if is_http_url(key):
        parts = urlsplit(key)
        key = f"{parts.netloc}{parts.path}" + (f"-{parts.query}" if parts.query else "")
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    return slug[:limit].rstrip("-") or "document"


# -- parquet -----------------------------------------------------------------------------------


class ParquetWriter:
    """Parquet with an explicit schema, written `batch_size` documents per row group.

    Only one batch of records is held in memory at a time, however many documents go out.
    """

    def __init__(self, output: Path, *, batch_size: int = 1000) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.output = output
        self.batch_size = batch_size
        self._pa, self._pq = _pyarrow()
        self._file = AtomicFile(output)
        self._writer: Any = None
        self._rows: list[dict[str, Any]] = []

    def start(self) -> None:
        self._file.create()
        with _mapped(self.output):
            self._writer = self._pq.ParquetWriter(str(self._file.temp), parquet_schema(), compression="zstd")

    def write(self, doc: Document) -> None:
        record = doc.to_record()
        record["fetched_at"] = doc.fetched_at.astimezone(UTC)  # microseconds kept
        record["date"] = _day(doc.date)
        self._rows.append(record)
        if len(self._rows) >= self.batch_size:
            self._flush()

    def finish(self) -> None:
        assert self._writer is not None, "start() first"
        try:
            self._flush()
            with _mapped(self.output):
                self._writer.close()
        except BaseException:
            self.abort()
            raise
        self._file.commit()

    def abort(self) -> None:
        if self._writer is not None:
            # closed before the file goes, or pyarrow would write its footer to a deleted path later
            with suppress(OSError, self._pa.ArrowException):
                self._writer.close()
        self._rows.clear()
        self._file.discard()

    def _flush(self) -> None:
        if not self._rows:
            return
        table = self._pa.Table.from_pylist(self._rows, schema=parquet_schema())
        with _mapped(self.output):
            self._writer.write_table(table, row_group_size=len(self._rows))
        self._rows.clear()


def _day(value: str | None) -> date | None:
    """The record's `date` (ISO 8601, `2025-01-19`) as a date; None if it is not one."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


__all__ = [
    "FORMATS",
    "PARQUET_EXTRA",
    "AtomicFile",
    "JsonLinesWriter",
    "JsonWriter",
    "MarkdownWriter",
    "ParquetWriter",
    "Writer",
    "open_writer",
    "parquet_schema",
    "render_markdown",
    "slugify",
    "write_text_atomically",
]
