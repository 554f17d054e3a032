"""Tests of the export writers: each format round-trips, goes to stdout or a file, and is atomic."""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scraper.corpus.export import (
    FORMATS,
    ParquetWriter,
    Writer,
    open_writer,
    parquet_schema,
)
from scraper.corpus.writers import render_markdown, slugify
from scraper.errors import ConfigError, WriteError
from scraper.models import RECORD_FIELDS, Document, sha256_hex
from tests.factories import make_doc

DOCS = [
    make_doc(),
    make_doc(
        url=None,
        final_url=None,
        canonical_url=None,
        source="pages/local.html",
        title=None,
        authors=(),
        categories=(),
        tags=(),
        status=None,
        text="Local text.",
        markdown="",
    ),
]


def export(fmt: str, output: Path | None, docs: Iterable[Document] = DOCS) -> str:
    """Run one export through the Writer interface and return what went to stdout."""
    stdout = io.StringIO()
    writer: Writer = open_writer(fmt, output, stdout)
    writer.start()
    for doc in docs:
        writer.write(doc)
    writer.finish()
    return stdout.getvalue()


def failing(docs: Iterable[Document]) -> Iterable[Document]:
    yield from docs
    raise RuntimeError("store went away")


def export_failing(fmt: str, output: Path) -> None:
    """Write every document, then fail before finishing, aborting as the CLI does."""
    writer = open_writer(fmt, output, io.StringIO())
    writer.start()
    try:
        for doc in failing(DOCS):
            writer.write(doc)
    except BaseException:
        writer.abort()
        raise
    writer.finish()


def records() -> list[dict[str, Any]]:
    return [doc.to_record() for doc in DOCS]


def test_jsonl_to_stdout_round_trips() -> None:
    """JSONL on stdout is one record per line, UTF-8 unescaped."""
    out = export("jsonl", None)

    assert [json.loads(line) for line in out.splitlines()] == records()
    assert "naïve café" in out


def test_jsonl_to_file_round_trips(tmp_path: Path) -> None:
    """JSONL to a file writes the same records there and nothing to stdout."""
    path = tmp_path / "out" / "docs.jsonl"

    assert export("jsonl", path) == ""

    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records()


@pytest.mark.parametrize("docs", [DOCS, []], ids=["two", "empty"])
def test_json_is_one_array(tmp_path: Path, docs: list[Document]) -> None:
    """JSON output is a single parseable array, also when there are no documents."""
    path = tmp_path / "docs.json"
    export("json", path, docs)

    assert json.loads(path.read_text(encoding="utf-8")) == [d.to_record() for d in docs]


def test_json_to_stdout_is_pretty() -> None:
    """JSON on stdout is indented, one key per line."""
    out = export("json", None)

    assert json.loads(out) == records()
    assert '\n    "title": ' in out


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x.test")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\uff1d1+1"]
)
def test_csv_cells_a_spreadsheet_would_run_are_text(cell: str) -> None:
    """A CSV cell that starts like a formula (=, +, -, @, a tab, full-width =) is prefixed with ',
    OWASP's CSV-injection escape, in text, title and joined lists alike; numbers stay numbers."""
    import csv  # noqa: PLC0415  # this test's reader only

    doc = make_doc(title=cell, text=cell, authors=(cell, "Ada"))
    [row] = list(csv.DictReader(io.StringIO(export("csv", None, [doc]))))

    assert row["title"] == row["text"] == "'" + cell
    assert row["authors"] == "'" + cell + ";Ada"
    assert row["status"] == "200" and row["url"] == "https://example.com/news/story"


def test_parquet_round_trips_with_explicit_schema(tmp_path: Path) -> None:
    """Parquet reads back as the same records with list and int32 columns."""
    path = tmp_path / "docs.parquet"
    export("parquet", path)

    table = pq.read_table(path)
    assert table.schema.names == list(RECORD_FIELDS)
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("status").type == pa.int32()
    typed = [
        {**r, "fetched_at": d.fetched_at, "date": _day(d.date)} for r, d in zip(records(), DOCS, strict=True)
    ]
    assert table.to_pylist() == typed


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def test_parquet_times_and_dates_are_typed(tmp_path: Path) -> None:
    """fetched_at is timestamp[us, UTC] and date is date32, and pyarrow reads them back as an aware
    UTC datetime (microseconds kept) and a date."""
    path = tmp_path / "docs.parquet"
    moment = datetime(2026, 11, 23, 22, 19, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    export("parquet", path, [make_doc(fetched_at=moment, date="2025-01-18"), make_doc(date=None)])

    schema = pq.read_schema(path)
    assert schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("date").type == pa.date32()
    rows = pq.read_table(path).to_pylist()
    assert rows[0]["fetched_at"] == moment and rows[0]["fetched_at"].utcoffset() == timedelta(0)
    assert [row["date"] for row in rows] == [date(2025, 1, 18), None]


@pytest.mark.parametrize("reader", ["pandas", "duckdb", "polars"])
def test_parquet_types_in_dataframe_tools(tmp_path: Path, reader: str) -> None:
    """pandas, DuckDB and polars (the dev group) read the same types."""
    tool: Any = importlib.import_module(reader)
    path = tmp_path / "docs.parquet"
    export("parquet", path, [make_doc()])
    if reader == "pandas":
        frame = tool.read_parquet(path)
        assert str(frame["fetched_at"].dtype) in ("datetime64[us, UTC]", "datetime64[ns, UTC]")
        assert frame["date"][0] == date(2025, 1, 18)
    elif reader == "duckdb":
        described = tool.sql(f"DESCRIBE SELECT fetched_at, date FROM '{path}'").fetchall()
        assert [row[1] for row in described] == ["TIMESTAMP WITH TIME ZONE", "DATE"]
    else:
        frame = tool.read_parquet(path)
        assert frame.schema["fetched_at"] == tool.Datetime("us", "UTC")
        assert frame.schema["date"] == tool.Date


def test_parquet_writes_row_groups_in_batches(tmp_path: Path) -> None:
    """A big export is split into row groups of batch_size documents."""
    path = tmp_path / "docs.parquet"
    writer = ParquetWriter(path, batch_size=2)
    writer.start()
    for i in range(5):
        writer.write(make_doc(url=f"https://example.com/{i}"))
    writer.finish()

    metadata = pq.ParquetFile(path).metadata
    assert (metadata.num_rows, metadata.num_row_groups) == (5, 3)


def test_parquet_without_output_is_write_error() -> None:
    """Parquet cannot go to stdout: asking for it is a WriteError naming --output."""
    with pytest.raises(WriteError, match="parquet needs --output"):
        open_writer("parquet", None, io.StringIO())


def test_parquet_without_pyarrow_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without the parquet extra, opening a Parquet writer says what to install; nothing is written."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed: importing it fails
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ConfigError, match=r"needs the parquet extra: pip install 'storyscraper\[parquet\]'"):
        open_writer("parquet", tmp_path / "docs.parquet", io.StringIO())
    assert list(tmp_path.iterdir()) == []
    open_writer("jsonl", None, io.StringIO())  # the other formats never needed it


def test_parquet_schema_matches_record_fields() -> None:
    """The Parquet columns are exactly the public record fields, in order."""
    assert parquet_schema().names == list(RECORD_FIELDS)


STORY_MD = "example-com-news-story-" + sha256_hex("https://example.com/news/story")[:10] + ".md"
LOCAL_MD = "pages-local-html-" + sha256_hex("pages/local.html")[:10] + ".md"


def test_markdown_to_folder_writes_one_file_per_document(tmp_path: Path) -> None:
    """Markdown to a folder writes <slug>-<hash>.md per document with front matter and body."""
    folder = tmp_path / "md"
    export("markdown", folder)

    assert sorted(p.name for p in folder.iterdir()) == [STORY_MD, LOCAL_MD]
    story = (folder / STORY_MD).read_text(encoding="utf-8")
    assert story.startswith('---\ntitle: "A “quoted” story: part 1"\nurl: "https://example.com/news/story"\n')
    assert 'authors: ["Ada Lovelace", "Émile Zola"]\n---\n\n# A story' in story
    local = (folder / LOCAL_MD).read_text(encoding="utf-8")
    assert local.endswith("---\n\nLocal text.\n")
    assert "title: null\n" in local


def test_markdown_names_are_unique(tmp_path: Path) -> None:
    """Keys that slugify alike still get separate files."""
    folder = tmp_path / "md"
    export("markdown", folder, [make_doc(url="https://e.com/A"), make_doc(url="https://e.com/a")])

    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2
    assert all(name.startswith("e-com-a-") for name in names)


def test_markdown_exports_into_one_folder_never_overwrite_another_document(tmp_path: Path) -> None:
    """Two exports (say, of two runs) into one folder, of documents whose URLs slugify alike,
    keep both files: a document's name depends on its key only, not on what came before it."""
    folder = tmp_path / "md"
    upper, lower = make_doc(url="https://e.com/Story", title="Upper"), make_doc(url="https://e.com/story")
    export("markdown", folder, [upper])
    export("markdown", folder, [lower])
    export("markdown", folder, [upper])  # again: the same file, rewritten

    titles = sorted((p.read_text(encoding="utf-8").splitlines()[1]) for p in folder.iterdir())
    assert titles == ['title: "A “quoted” story: part 1"', 'title: "Upper"']


def test_markdown_to_stdout_separates_documents() -> None:
    """Markdown on stdout puts each document after the last, each opened by its --- front matter."""
    out = export("markdown", None)

    assert out == render_markdown(DOCS[0]) + "\n" + render_markdown(DOCS[1])
    assert out.count("---\ntitle: ") == 2


def test_slugify() -> None:
    """Slugs keep host, path and query readable and are never empty."""
    assert slugify("https://Example.com/news/My-Story/") == "example-com-news-my-story"
    assert slugify("https://example.com/item?id=7") == "example-com-item-id-7"
    assert slugify("-") == "document"
    assert len(slugify("https://e.com/" + "x" * 500)) == 100


@pytest.mark.parametrize("fmt", ["jsonl", "json", "parquet"])
def test_failed_export_leaves_existing_file_untouched(tmp_path: Path, fmt: str) -> None:
    """An export that fails midway leaves the previous file as it was and no temp file behind."""
    path = tmp_path / f"docs.{fmt}"
    path.write_bytes(b"previous export")

    with pytest.raises(RuntimeError, match="store went away"):
        export_failing(fmt, path)

    assert path.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "parquet"])
def test_failed_export_creates_no_file(tmp_path: Path, fmt: str) -> None:
    """An export that fails before finishing leaves no output at all."""
    with pytest.raises(RuntimeError):
        export_failing(fmt, tmp_path / f"docs.{fmt}")

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["jsonl", "json", "parquet"])
def test_output_is_invisible_until_finish(tmp_path: Path, fmt: str) -> None:
    """Until finish(), the target path does not exist; only a hidden temp file does."""
    path = tmp_path / f"docs.{fmt}"
    writer = open_writer(fmt, path, io.StringIO())
    writer.start()
    writer.write(DOCS[0])

    assert not path.exists()
    [temp] = tmp_path.iterdir()
    assert temp.name.startswith(f".docs.{fmt}.")
    writer.finish()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unwritable_output_is_write_error(tmp_path: Path, fmt: str) -> None:
    """An output under a plain file raises WriteError naming the path."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    target = blocker / "out"

    with pytest.raises(WriteError, match=re.escape(str(target))):
        export(fmt, target)


def test_markdown_folder_failure_keeps_only_complete_files(tmp_path: Path) -> None:
    """A markdown export that fails keeps the files already written, each whole, and no temp files."""
    folder = tmp_path / "md"

    with pytest.raises(RuntimeError):
        export_failing("markdown", folder)

    assert sorted(p.name for p in folder.iterdir()) == [STORY_MD, LOCAL_MD]
    assert (folder / LOCAL_MD).read_text(encoding="utf-8") == render_markdown(DOCS[1])


def test_unknown_format_is_value_error() -> None:
    """Formats outside FORMATS are a programming error (the CLI offers a fixed choice)."""
    with pytest.raises(ValueError, match="unknown format"):
        open_writer("yaml", None, io.StringIO())


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_output_that_is_no_regular_file_is_refused_not_replaced(tmp_path: Path, fmt: str) -> None:
    """A pipe (as a device: `-o /dev/full`) is refused naming it; the file written aside and moved
    into place replaced it with a regular file, and the export said nothing."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(WriteError, match=rf"^{re.escape(str(pipe))}: not a regular file"):
        export(fmt, pipe)
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


def test_an_output_that_is_a_folder_is_refused_as_a_folder(tmp_path: Path) -> None:
    """`-o FOLDER` for a one-file format says the target is a folder, in the words it uses for a
    device: the rename failed with "cannot write: Is a directory"."""
    with pytest.raises(WriteError, match=rf"^{re.escape(str(tmp_path))}: not a regular file \(a folder\)"):
        export("jsonl", tmp_path)


def test_an_output_through_a_link_writes_the_file_it_names(tmp_path: Path) -> None:
    """`-o latest.jsonl`, a link to a dated file: the file is written and the link stays a link
    (the rename replaced the link with the export)."""
    dated = tmp_path / "2026-12-07.jsonl"
    dated.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(dated.name)
    export("jsonl", link)
    assert link.is_symlink()
    assert [json.loads(line) for line in dated.read_text(encoding="utf-8").splitlines()] == records()
