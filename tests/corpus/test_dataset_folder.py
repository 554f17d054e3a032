"""The corpus folder of `clean -o` is a dataset: pyarrow, pandas, DuckDB and polars open it as it
is; an older folder is moved to that layout by --resume; archives count pages and bytes."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import Settings
from scraper.corpus.batch import CleanOptions
from scraper.corpus.folder import clean_to_folder
from scraper.corpus.shards import OutputDir
from scraper.corpus.sources import expand
from scraper.corpus.warc import ArchivedResponse, read_archive
from scraper.models import CleanProgress
from scraper.store import Store
from tests.archives import Exchange, warc_bytes, write
from tests.factories import make_doc, story

UTC_US = pa.timestamp("us", tz="UTC")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _corpus(runner: CliRunner, tmp_path: Path, fmt: str) -> tuple[Path, list[str]]:
    """A folder of two parquet (or jsonl) shards from a WARC of three pages, and the WARC-Record-IDs
    of its responses."""
    exchanges = [
        Exchange(f"https://a.example/{n}", story(n), date=f"2026-11-2{n}T22:19:00Z") for n in range(3)
    ]
    (tmp_path / "in").mkdir()
    archive = write(tmp_path / "in" / "crawl.warc.gz", warc_bytes(exchanges))
    out = tmp_path / "corpus"
    args = ["clean", str(archive), "-o", str(out), "--format", fmt, "--shard-size", "2", "--jobs", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    ids = [r.warc_record_id or "" for r in _responses(archive)]
    return out, ids


def _responses(archive: Path) -> list[ArchivedResponse]:
    return [r for r in read_archive(str(archive), max_bytes=1 << 20) if isinstance(r, ArchivedResponse)]


def _sql(query: str) -> list[tuple[Any, ...]]:
    relation = duckdb.sql(query)
    assert relation is not None
    return relation.fetchall()


def test_the_folder_holds_only_shards_and_readers_open_it(runner: CliRunner, tmp_path: Path) -> None:
    """`clean -o DIR --format parquet`: DIR's plain names are shards only (the manifest and markers
    are `_manifest.jsonl` and `_done/`, the lock `.lock`); pyarrow's dataset reader and pandas read
    DIR itself, DuckDB and polars `DIR/*.parquet`, with timestamps as timestamps and the
    WARC-Record-ID in each row."""
    out, ids = _corpus(runner, tmp_path, "parquet")
    names = sorted(p.name for p in out.iterdir())
    assert [n for n in names if not n.startswith(("_", "."))] == ["part-00000.parquet", "part-00001.parquet"]
    assert {"_manifest.jsonl", "_done"} <= set(names)

    table = ds.dataset(out, format="parquet").to_table()
    assert table.num_rows == 3
    assert table.schema.field("fetched_at").type == UTC_US
    assert table.schema.field("stored_at").type == UTC_US and table.schema.field("gone_at").type == UTC_US
    assert sorted(table.column("warc_record_id").to_pylist()) == sorted(ids)

    frame = pd.read_parquet(out)
    assert len(frame) == 3 and str(frame["fetched_at"].dtype).startswith("datetime64[")
    assert frame.sort_values("url")["fetched_at"].iloc[0] == pd.Timestamp("2026-11-20T22:19:00Z")

    rows = _sql(f"SELECT url, fetched_at, warc_record_id FROM read_parquet('{out}/*.parquet') ORDER BY url")
    assert [r[0] for r in rows] == [f"https://a.example/{n}" for n in range(3)]
    assert rows[1][1] == dt.datetime(2026, 11, 21, 22, 19, tzinfo=dt.UTC)
    described = _sql(f"DESCRIBE SELECT fetched_at, stored_at FROM read_parquet('{out}/*.parquet')")
    assert [row[1] for row in described] == ["TIMESTAMP WITH TIME ZONE"] * 2
    assert rows[0][2] in ids

    polars = pl.read_parquet(out / "*.parquet")  # polars reads a folder by a glob, as DuckDB does
    assert polars.height == 3 and polars.schema["fetched_at"] == pl.Datetime("us", "UTC")
    assert sorted(polars["warc_record_id"].to_list()) == sorted(ids)


def test_jsonl_shards_open_as_a_dataset_too(runner: CliRunner, tmp_path: Path) -> None:
    """The jsonl shards of a folder are read by pandas and DuckDB from the folder's shard names."""
    out, _ = _corpus(runner, tmp_path, "jsonl")
    frames = [pd.read_json(shard, lines=True) for shard in sorted(out.glob("part-*.jsonl.gz"))]
    assert sum(len(f) for f in frames) == 3
    count = _sql(f"SELECT count(*) FROM read_json_auto('{out}/part-*.jsonl.gz')")
    assert count == [(3,)]


def test_a_store_export_keeps_stored_and_gone_times_typed(tmp_path: Path) -> None:
    """`export --format parquet` from the store: stored_at (and gone_at) are timestamp[us, UTC]."""
    db = tmp_path / "store.db"
    with Store(db) as store:
        store.save(make_doc(warc_record_id="<urn:uuid:1>"), html_hash="0" * 64)
    out = tmp_path / "docs.parquet"
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame.schema["stored_at"] == pl.Datetime("us", "UTC") and frame["stored_at"][0] is not None
    assert frame["warc_record_id"].to_list() == ["<urn:uuid:1>"]


def test_an_older_folder_is_moved_to_the_dataset_layout_on_resume(runner: CliRunner, tmp_path: Path) -> None:
    """A folder written with `manifest.jsonl` and `done/` is refused without --resume; with it the
    two become `_manifest.jsonl` and `_done/`, the inputs it finished are not cleaned again, and the
    new input goes to a new shard."""
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    first.write_bytes(story(1))
    second.write_bytes(story(2))
    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["clean", str(first), "-o", str(out), "--jobs", "1"]).exit_code == 0
    (out / "_manifest.jsonl").rename(out / "manifest.jsonl")  # as a run before this layout left it
    (out / "_done").rename(out / "done")

    refused = runner.invoke(cli, ["clean", str(first), str(second), "-o", str(out), "--jobs", "1"])
    assert refused.exit_code == 2 and "already holds a run (manifest.jsonl)" in refused.stderr
    resumed = runner.invoke(
        cli, ["clean", str(first), str(second), "-o", str(out), "--resume", "--jobs", "1"]
    )
    assert resumed.exit_code == 0, resumed.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "_done",
        "_manifest.jsonl",
        "part-00000.jsonl.gz",
        "part-00001.jsonl.gz",
    ]
    lines = [json.loads(line) for line in (out / "_manifest.jsonl").read_text().splitlines()]
    assert [line["done"] for line in lines] == [[str(first)], [str(second)]]
    assert len(os.listdir(out / "_done")) == 2
    assert len(pd.read_json(out / "part-00001.jsonl.gz", lines=True)) == 1


def test_a_folder_with_both_manifests_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """Both `manifest.jsonl` and `_manifest.jsonl` in one folder: --resume stops with one line, and
    touches nothing."""
    page = tmp_path / "a.html"
    page.write_bytes(story(1))
    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["clean", str(page), "-o", str(out), "--jobs", "1"]).exit_code == 0
    (out / "manifest.jsonl").write_text((out / "_manifest.jsonl").read_text())
    result = runner.invoke(cli, ["clean", str(page), "-o", str(out), "--resume", "--jobs", "1"])
    assert result.exit_code == 2
    assert "holds both manifest.jsonl and _manifest.jsonl" in result.stderr


def test_an_archive_counts_html_responses_as_pages_and_reports_bytes_read(tmp_path: Path) -> None:
    """One WARC of requests, responses and an image: the pages are its HTML responses only (in the
    counts' totals and in progress), and progress tells the bytes read as the records go, well
    before the archive is done, so one large archive has an ETA."""
    exchanges = [Exchange(f"https://a.example/{n}", story(n)) for n in range(6)]
    exchanges.insert(3, Exchange("https://a.example/logo", b"GIF89a", content_type="image/gif"))
    archive = write(tmp_path / "big.warc.gz", warc_bytes(exchanges))
    size = archive.stat().st_size
    seen: list[CleanProgress] = []
    out = OutputDir(tmp_path / "corpus", fmt="jsonl", shard_size=100, resume=False)
    counts = clean_to_folder(
        list(expand([str(archive)])), Settings(), CleanOptions(jobs=1), out, progress=seen.append
    )
    assert counts["written"] == 6
    assert counts["not a page: not a response record (request)"] == 7
    assert counts["not a page: not HTML (image/gif)"] == 1
    assert seen[-1] == CleanProgress(pages=6, inputs=1, read=size)
    during = [p for p in seen if p.inputs == 0]
    assert [p.pages for p in during] == sorted(p.pages for p in during) and during[-1].pages == 6
    reads = [p.read for p in during]
    assert reads == sorted(reads) and 0 < reads[len(reads) // 2] < size


def test_the_summary_counts_pages_apart_from_other_records(runner: CliRunner, tmp_path: Path) -> None:
    """clean -o on a WARC: "pages" are its HTML responses; its requests and other records are
    counted after them, not among the pages, and not as skipped."""
    exchanges = [Exchange(f"https://a.example/{n}", story(n)) for n in range(2)]
    exchanges.append(Exchange("https://a.example/logo", b"GIF89a", content_type="image/gif"))
    archive = write(tmp_path / "c.warc.gz", warc_bytes(exchanges))
    result = runner.invoke(cli, ["clean", str(archive), "-o", str(tmp_path / "corpus"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "cleaned 1 input, 2 pages: written 2, skipped 0, dropped 0, failed 0; "
        "4 web archive records that are no page"
    )
    assert lines[1:] == [
        "  not a page 3: not a response record (request)",
        "  not a page 1: not HTML (image/gif)",
    ]
