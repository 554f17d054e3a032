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
`finish` (atomic.py), so readers never see half an export. Markdown to a folder is atomic per
file. Every `OSError` leaves this module as a `WriteError` naming the path. The text formats
live in writers.py; this module picks the writer and writes Parquet.

Parquet needs pyarrow, the `parquet` extra; it is imported only when a Parquet writer is
opened, and its absence is a `ConfigError` saying what to install.
"""

from __future__ import annotations

import functools
from contextlib import suppress
from datetime import UTC, date
from pathlib import Path
from typing import Any, Protocol, TextIO

from scraper.corpus.atomic import AtomicFile, mapped
from scraper.corpus.writers import FolderWriter, KeyNames, StreamWriter, text_format
from scraper.dates import iso_day
from scraper.errors import ConfigError, WriteError
from scraper.models import Document

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


parquet_modules = _pyarrow  # for the shards of `clean -o` (corpus/shards.py)


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
            pa.field("metadata_mode", pa.string(), nullable=False),
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


def forms_needed(fmt: str, *, tei: bool = False) -> frozenset[str]:
    """Which renderings besides the record (config.FORMS) a document written in `fmt` (one of
    `FORMATS`) is read for: its Markdown for markdown, its XML for xml, TEI and html, none for the
    record formats (jsonl, json, csv, parquet, text), which carry the text alone."""
    return frozenset() if fmt == "parquet" else text_format(fmt, tei=tei).forms


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
    if fmt == "markdown" and output is not None:
        return FolderWriter(text_format(fmt), output, KeyNames())
    return StreamWriter(text_format(fmt, tei=tei), output, stdout)


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
        with mapped(self.output):
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
            with mapped(self.output):
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
        with mapped(self.output):
            self._writer.write_table(table, row_group_size=len(self._rows))
        self._rows.clear()


def _day(value: str | None) -> date | None:
    """The record's `date` (ISO 8601, `2025-01-19`) as a date; None if it is not one."""
    return iso_day(value) if value else None


__all__ = [
    "FORMATS",
    "PARQUET_EXTRA",
    "ParquetWriter",
    "Writer",
    "open_writer",
    "parquet_modules",
    "parquet_schema",
]
