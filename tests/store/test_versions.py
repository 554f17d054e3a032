"""Downstream sync: versions carry version, run_id, stored_at and change; gone pages are tombstones."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from scraper.cli import cli
from scraper.models import Outcome
from scraper.store import Store
from scraper.store.schema import SCHEMA_VERSION
from tests.crawl.test_engine import crawl, make_settings
from tests.factories import article, make_doc
from tests.httpserver import LocalServer, Route


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def test_a_title_change_alone_is_a_new_version_with_the_same_content_hash(tmp_path: Path) -> None:
    """Same text, new headline: version 2, change "changed"; same everything but fetched_at: unchanged."""
    with Store(tmp_path / "s.db") as store:
        doc = make_doc()
        assert store.save(doc, html_hash="h", run_id="r1").outcome is Outcome.NEW
        later = make_doc(fetched_at=doc.fetched_at + timedelta(days=1))
        assert store.save(later, html_hash="h2", run_id="r2").outcome is Outcome.UNCHANGED
        corrected = make_doc(title="A corrected headline")
        assert store.save(corrected, html_hash="h", run_id="r2").outcome is Outcome.CHANGED
        first, second = store.versions(doc.url or "")
    assert (first.version, first.change, first.run_id) == (1, "new", "r1")
    assert (second.version, second.change, second.run_id, second.title) == (
        2,
        "changed",
        "r2",
        "A corrected headline",
    )
    assert first.content_hash == second.content_hash
    assert (
        second.stored_at is not None and first.stored_at is not None and second.stored_at >= first.stored_at
    )


def test_a_tombstone_is_exported_by_run_and_time_but_not_in_full(tmp_path: Path) -> None:
    """A gone version has no text, change "gone" and gone_at; a full export leaves the page out."""
    clock = Clock()
    with Store(tmp_path / "s.db", clock=clock) as store:
        store.save(make_doc(), html_hash="h", run_id="r1")
        store.save(make_doc(url="https://example.com/other", text="Other text."), html_hash="h", run_id="r1")
        cut = clock.now + timedelta(seconds=30)  # after the last save, before the tombstone
        with store.transaction("gone") as conn:
            gone = store.tombstone_within(conn, "https://example.com/news/story", run_id="r2")
            again = store.tombstone_within(conn, "https://example.com/news/story", run_id="r2")
        assert gone is not None and gone.version == 2 and again is None
        by_run = list(store.latest(run_id="r2"))
        since = list(store.latest(since=cut))
        full = [d.url for d in store.latest()]
        assert store.save(make_doc(), html_hash="h", run_id="r3").outcome is Outcome.CHANGED  # it came back
    assert [(d.url, d.change, d.text, d.version) for d in by_run] == [
        ("https://example.com/news/story", "gone", "", 2)
    ]
    assert by_run[0].gone_at is not None and by_run[0].title == make_doc().title
    assert [d.change for d in since] == ["gone"]
    assert full == ["https://example.com/other"]


def test_a_crawl_that_finds_a_page_gone_exports_its_tombstone(tmp_path: Path) -> None:
    """After a crawl finds a page 404, `export --run` of that run holds {"change": "gone", "gone_at": ...}."""
    with LocalServer() as server:
        server.routes.update(
            {"/": Route(body=article("Home", links=("/story",))), "/story": Route(body=article("A story"))}
        )
        settings = make_settings(tmp_path)
        first = crawl(settings, server.url("/"))
        server.routes["/story"] = Route(404, "not found")
        second = crawl(settings, server.url("/"))
        url = server.url("/story")
    assert second.gone == 1
    db = settings.store.path
    result = CliRunner().invoke(cli, ["export", "--db", db, "--run", second.run_id])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["url"], r["change"], r["version"], r["run_id"], r["text"]) for r in records] == [
        (url, "gone", 2, second.run_id, "")
    ]
    assert records[0]["gone_at"] is not None
    earlier = CliRunner().invoke(cli, ["export", "--db", db, "--run", first.run_id])
    assert {json.loads(line)["change"] for line in earlier.stdout.splitlines()} <= {"new"}


def test_a_read_only_export_of_a_store_from_before_versions_reads_its_documents(tmp_path: Path) -> None:
    """A store of schema 3 (no change/gone_at columns) opened read-only: versions come out new/changed."""
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save(make_doc(), html_hash="h")
        store.save(make_doc(title="Corrected"), html_hash="h")
    conn = sqlite3.connect(db)
    for statement in (
        "DROP INDEX documents_content_hash",
        "ALTER TABLE documents DROP COLUMN gone_at",
        "ALTER TABLE documents DROP COLUMN change",
        "PRAGMA user_version = 3",
    ):
        conn.execute(statement)
    conn.commit()
    conn.close()
    with Store(db, read_only=True) as store:
        versions = store.versions(make_doc().url or "")
        latest = list(store.latest())
    assert [(d.version, d.change, d.gone_at) for d in versions] == [(1, "new", None), (2, "changed", None)]
    assert [d.title for d in latest] == ["Corrected"]


# the columns the last migrations added, each with the schema version that added it
_LATER_COLUMNS = (("language_source", 8), ("metadata_mode", 9))


def _back_to(db: Path, version: int) -> None:
    """Take a store back to schema `version`: the columns later versions added dropped."""
    conn = sqlite3.connect(db)
    for column, added in _LATER_COLUMNS:
        if added > version:
            conn.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def _before_language_source(db: Path) -> None:
    """Take a store back to the schema version before `language_source`."""
    _back_to(db, 7)


def test_a_store_from_before_metadata_mode_reads_full_and_stores_no_new_version(tmp_path: Path) -> None:
    """A store from before `metadata_mode` reads its versions as "full" (the one mode there was),
    read-only or opened to write; opened, it gains the column, and the same page stored again is
    no new version; a document read "stated" keeps its mode."""
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save(make_doc(), html_hash="h")
    _back_to(db, 8)
    with Store(db, read_only=True) as store:
        assert [d.metadata_mode for d in store.latest()] == ["full"]
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION == 9
        assert store.save(make_doc(), html_hash="h").outcome == Outcome.UNCHANGED
        store.save(make_doc(url="https://example.com/other", metadata_mode="stated"), html_hash="h")
        modes = {d.url: d.metadata_mode for d in store.latest()}
    assert modes == {make_doc().url: "full", "https://example.com/other": "stated"}


def test_a_read_only_export_of_a_store_from_before_language_source_reads_it(
    tmp_path: Path,
) -> None:
    """A store from before `language_source` opened read-only: its documents come out without one."""
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save(make_doc(), html_hash="h")
    _before_language_source(db)
    with Store(db, read_only=True) as store:
        [doc] = list(store.latest())
    assert (doc.language, doc.language_source, doc.title) == ("en", None, make_doc().title)


def test_opening_a_store_from_before_language_source_adds_it_without_new_versions(tmp_path: Path) -> None:
    """A store from before it gains the column when opened; the same page stored again is no new version."""
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save(make_doc(), html_hash="h")
    _before_language_source(db)
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        outcome = store.save(make_doc(), html_hash="h")
        versions = store.versions(make_doc().url or "")
    assert outcome.outcome == Outcome.UNCHANGED
    assert [(d.version, d.language_source) for d in versions] == [(1, None)]
