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

import csv
import functools
import io
import json
import os
import re
import secrets
import textwrap
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO
from urllib.parse import urlsplit

from scraper.errors import ConfigError, WriteError
from scraper.models import RECORD_FIELDS, Document, sha256_hex

# what --format offers; xml is trafilatura's XML, or TEI with --tei
FORMATS: tuple[str, ...] = ("jsonl", "json", "parquet", "markdown", "text", "csv", "xml", "html")

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
            pa.field("categories", pa.list_(pa.string()), nullable=False),
            pa.field("tags", pa.list_(pa.string()), nullable=False),
            pa.field("image", pa.string()),
            pa.field("text", pa.string(), nullable=False),
            pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field("status", pa.int32()),
            pa.field("warc_record_id", pa.string()),
            pa.field("content_hash", pa.string(), nullable=False),
            pa.field("page_type", pa.string(), nullable=False),
            pa.field("quality", pa.float64(), nullable=False),
            pa.field("skip_reason", pa.string()),
            pa.field("version", pa.int64()),
            pa.field("run_id", pa.string()),
            pa.field("stored_at", pa.timestamp("us", tz="UTC")),
            pa.field("change", pa.string()),
            pa.field("gone_at", pa.timestamp("us", tz="UTC")),
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


def open_writer(fmt: str, output: Path | None, stdout: TextIO, *, tei: bool = False) -> Writer:
    """The writer for `fmt` (one of `FORMATS`), to `output` or, when it is None, to `stdout`.

    Markdown to `output` is a folder of one file per document (`KeyNames`); the other text
    formats are one stream (`StreamWriter`). `tei` makes `xml` TEI.
    """
    if fmt == "parquet":
        if output is None:
            raise WriteError("parquet needs --output: it is a binary format and cannot go to stdout")
        return ParquetWriter(output)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    text_format = TEXT_FORMATS["xmltei" if tei and fmt == "xml" else fmt]
    if fmt == "markdown" and output is not None:
        return FolderWriter(text_format, output, KeyNames())
    return StreamWriter(text_format, output, stdout)


# -- atomic files ------------------------------------------------------------------------------


@contextmanager
def _mapped(path: Path | str) -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise  # the reader went away (`| head`): not a failed write; the CLI exits quietly
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc


class _AtomicFile:
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
    file = _AtomicFile(target)
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


def _record_json(doc: Document) -> str:
    return json.dumps(doc.to_record(), ensure_ascii=False)


def _json_item(doc: Document) -> str:
    return textwrap.indent(json.dumps(doc.to_record(), ensure_ascii=False, indent=2), "  ")


def _json_alone(doc: Document) -> str:
    return json.dumps(doc.to_record(), ensure_ascii=False, indent=2) + "\n"


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


def _csv_line(values: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return ";".join(value) if isinstance(value, list) else value


def _csv_row(doc: Document) -> str:
    return _csv_line(_csv_cell(value) for value in doc.to_record().values())


_CSV_HEADER = _csv_line(RECORD_FIELDS)


def _xml(doc: Document) -> str:
    from scraper.extract import render_xml  # noqa: PLC0415  # trafilatura: loaded by the XML formats only

    return render_xml(doc) + "\n"


def _tei(doc: Document) -> str:
    from scraper.extract import render_xml  # noqa: PLC0415  # as for _xml

    return render_xml(doc, tei=True) + "\n"


def _html(doc: Document) -> str:
    from scraper.extract import render_html  # noqa: PLC0415  # as for _xml

    return render_html(doc) + "\n"


_TEI_CORPUS = (
    '<teiCorpus xmlns="http://www.tei-c.org/ns/1.0">\n<teiHeader><fileDesc><titleStmt><title>scraper '
    "documents</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc>"
    "</fileDesc></teiHeader>\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TextFormat:
    """How documents are written in one text format.

    `alone` is one document in a file of its own (`clean --output-dir`, the markdown folder of
    `export`). In a stream (stdout, one output file) `begin` opens, `item` gives each document,
    `separator` goes between two and `end` closes; `empty` is a stream without documents when
    that is not `begin` + `end`. A stream is one document of its format: one JSON array, one XML
    root (`<docs>`, `<teiCorpus>`), one CSV table under one header line.
    """

    extension: str
    alone: Callable[[Document], str]
    item: Callable[[Document], str]
    begin: str = ""
    separator: str = ""
    end: str = ""
    empty: str | None = None


def _text(doc: Document) -> str:
    return doc.text + "\n"


def _jsonl(doc: Document) -> str:
    return _record_json(doc) + "\n"


def _csv_alone(doc: Document) -> str:
    return _CSV_HEADER + _csv_row(doc)


TEXT_FORMATS: dict[str, TextFormat] = {
    "text": TextFormat(extension=".txt", alone=_text, item=_text, separator="\n"),
    "markdown": TextFormat(extension=".md", alone=render_markdown, item=render_markdown, separator="\n"),
    "json": TextFormat(
        extension=".json",
        alone=_json_alone,
        item=_json_item,
        begin="[\n",
        separator=",\n",
        end="\n]\n",
        empty="[]\n",
    ),
    "jsonl": TextFormat(extension=".jsonl", alone=_jsonl, item=_jsonl),
    "csv": TextFormat(extension=".csv", alone=_csv_alone, item=_csv_row, begin=_CSV_HEADER),
    "xml": TextFormat(extension=".xml", alone=_xml, item=_xml, begin="<docs>\n", end="</docs>\n"),
    "xmltei": TextFormat(extension=".xml", alone=_tei, item=_tei, begin=_TEI_CORPUS, end="</teiCorpus>\n"),
    "html": TextFormat(extension=".html", alone=_html, item=_html),
}


class StreamWriter:
    """Documents one after the other in one text format: to stdout when `output` is None, else to
    an atomic file. What opens the stream goes out with the first document, so a stream printed as
    it goes (`clean`) shows each document as soon as it is ready."""

    def __init__(self, fmt: TextFormat, output: Path | None, stdout: TextIO) -> None:
        self.format = fmt
        self.output = output
        self._stdout = stdout
        self._file: _AtomicFile | None = None
        self._count = 0

    def start(self) -> None:
        if self.output is not None:
            self._file = _AtomicFile(self.output)
            self._file.open()

    def write(self, doc: Document) -> None:
        text = self.format.item(doc)
        self._emit((self.format.separator if self._count else self.format.begin) + text)
        self._count += 1

    def finish(self) -> None:
        fmt = self.format
        if self._count:
            self._emit(fmt.end)
        else:
            self._emit(fmt.empty if fmt.empty is not None else fmt.begin + fmt.end)
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
        if not text:
            return
        if self._file is not None:
            self._file.write(text)
        else:
            with _mapped("<stdout>"):
                self._stdout.write(text)


class JsonLinesWriter(StreamWriter):
    """One JSON record per line (UTF-8, not ASCII-escaped)."""

    def __init__(self, output: Path | None, stdout: TextIO) -> None:
        super().__init__(TEXT_FORMATS["jsonl"], output, stdout)


class FolderWriter:
    """One file per document in `folder`, named by `names` plus the format's extension.

    Each file is atomic on its own: a run that fails keeps the files it finished, each whole.
    """

    def __init__(self, fmt: TextFormat, folder: Path, names: Callable[[Document], str]) -> None:
        self.format = fmt
        self.folder = folder
        self.names = names

    def start(self) -> None:
        with _mapped(self.folder):
            self.folder.mkdir(parents=True, exist_ok=True)

    def write(self, doc: Document) -> None:
        target = self.folder / (self.names(doc) + self.format.extension)
        write_text_atomically(target, self.format.alone(doc))

    def finish(self) -> None:
        """Nothing left to do: every file is in place once written."""

    def abort(self) -> None:
        """Nothing to undo: the files written are whole."""


_SLUG_LIMIT, _HASH_CHARS = 90, 10


class KeyNames:
    """`<slug>-<hash>`: readable from the URL (or source), and stable for its key.

    The hash of the key makes the name the document's own in every export, so an export of one
    run (`--run`) into a folder never overwrites another document's file from an earlier one,
    whatever the order or the case of the URLs.
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}  # file name -> the key it was given to

    def __call__(self, doc: Document) -> str:
        key = doc.url or doc.source
        digest = sha256_hex(key)
        name = f"{slugify(key, limit=_SLUG_LIMIT)}-{digest[:_HASH_CHARS]}"
        if self._names.setdefault(name, key) != key:  # 40 bits alike: the whole hash then
            name = f"{slugify(key, limit=_SLUG_LIMIT)}-{digest}"
        return name


class TrafilaturaNames:
    """File names as trafilatura's `--output-dir` gives them, for `clean --output-dir`.

    By default a hash of the text: the first 16 hex digits of the record's `content_hash`
    (trafilatura: 16 characters of a hash of its output), so a repeated text is one file. With
    `keep_dirs` (`--keep-dirs`), a file found in one of the `folders` keeps its path below that
    folder, under the folder's own name, its extension dropped (`docs/a/b.html` -> `docs/a/b`);
    a file named directly keeps its name; URLs, stdin and web archive records are named by their
    text. Two inputs that would share a name: the second gets its source's hash appended.
    """

    def __init__(self, *, keep_dirs: bool = False, folders: Iterable[str] = ()) -> None:
        self.keep_dirs = keep_dirs
        self.folders = [Path(folder) for folder in folders]
        self._names: dict[str, str] = {}  # name -> the source it was given to

    def __call__(self, doc: Document) -> str:
        path = Path(doc.source)
        if not self.keep_dirs or "#" in doc.source or doc.url == doc.source or not path.is_file():
            return doc.content_hash[:16]
        name = path.name
        for folder in self.folders:
            if path.is_relative_to(folder):
                name = str(Path(folder.resolve().name) / path.relative_to(folder))
                break
        name = _without_suffix(name)
        if self._names.setdefault(name, doc.source) != doc.source:
            name = f"{name}-{sha256_hex(doc.source)[:_HASH_CHARS]}"
        return name


def _without_suffix(name: str) -> str:
    lowered = name.lower()
    for suffix in (".html.gz", ".htm.gz", ".xhtml", ".html", ".htm"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def slugify(key: str, *, limit: int = 100) -> str:
    """`https://example.com/news/My-Story/` -> `example-com-news-my-story`."""
    parts = urlsplit(key)
    if parts.scheme in ("http", "https") and parts.netloc:
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
        self._file = _AtomicFile(output)
        self._writer: Any = None
        self._rows: list[dict[str, Any]] = []

    def start(self) -> None:
        self._file.create()
        with _mapped(self.output):
            self._writer = self._pq.ParquetWriter(str(self._file.temp), parquet_schema(), compression="zstd")

    def write(self, doc: Document) -> None:
        record = doc.to_record()
        for name in ("fetched_at", "stored_at", "gone_at"):  # typed, microseconds kept
            moment = getattr(doc, name)
            record[name] = moment.astimezone(UTC) if moment is not None else None
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
    "TEXT_FORMATS",
    "FolderWriter",
    "JsonLinesWriter",
    "KeyNames",
    "ParquetWriter",
    "StreamWriter",
    "TextFormat",
    "TrafilaturaNames",
    "Writer",
    "open_writer",
    "parquet_schema",
    "render_markdown",
    "slugify",
    "write_text_atomically",
]
