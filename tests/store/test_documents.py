"""Tests of the SQLite store: versions, round trips, atomic saves and error mapping."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scraper.errors import WriteError
from scraper.models import CrawlReport, Outcome, utc_now
from scraper.store.documents import SCHEMA_VERSION, Store, timestamp
from tests.clock import Clock
from tests.factories import FETCHED_AT, make_doc, unversioned


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "scraper.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_first_save_is_new_version_one(store: Store) -> None:
    """The first save of a key is stored as version 1 with outcome NEW."""
    outcome = store.save(make_doc(), html_hash="h1")

    assert outcome.outcome is Outcome.NEW
    assert outcome.version == 1
    assert outcome.url == "https://example.com/news/story"
    assert store.count() == 1


def test_identical_text_is_unchanged_and_adds_no_row(store: Store, db_path: Path) -> None:
    """Saving the same text again reports UNCHANGED, points at the existing row and inserts nothing."""
    first = store.save(make_doc(), html_hash="h1")
    again = store.save(make_doc(fetched_at=FETCHED_AT + timedelta(days=1)), html_hash="h2")

    assert again.outcome is Outcome.UNCHANGED
    assert (again.doc_id, again.version) == (first.doc_id, 1)
    assert rows(db_path, "SELECT COUNT(*) FROM documents") == [(1,)]


def test_changed_text_adds_next_version(store: Store) -> None:
    """New text under the same key is stored as version n + 1 with outcome CHANGED."""
    store.save(make_doc(), html_hash="h1")
    second = store.save(make_doc(text="Rewritten."), html_hash="h2")
    third = store.save(make_doc(text="Rewritten again."), html_hash="h3")

    assert (second.outcome, second.version) == (Outcome.CHANGED, 2)
    assert (third.outcome, third.version) == (Outcome.CHANGED, 3)
    assert [d.text for d in store.versions("https://example.com/news/story")] == [
        make_doc().text,
        "Rewritten.",
        "Rewritten again.",
    ]


def test_key_falls_back_to_source(store: Store) -> None:
    """A document without a URL is keyed by its source."""
    outcome = store.save(make_doc(url=None, source="pages/a.html"), html_hash="h")

    assert outcome.url == "pages/a.html"
    stored = store.get("pages/a.html")
    assert stored is not None
    assert stored.url is None


def test_round_trip_keeps_every_field(store: Store) -> None:
    """A stored document comes back equal, with its version facts, tuples and an aware UTC fetched_at."""
    doc = make_doc(fetched_at=datetime(2025, 1, 19, 8, 30, 15, 123456, tzinfo=UTC))
    store.save(doc, html_hash="h")

    back = store.get(doc.url or "")

    assert back is not None
    assert (back.version, back.change, back.run_id, back.gone_at) == (1, "new", None, None)
    assert back.stored_at is not None and back.stored_at.tzinfo is UTC
    unversioned = dataclasses.replace(back, version=None, stored_at=None, change=None)
    assert unversioned == doc
    assert unversioned.to_record() == doc.to_record()
    assert isinstance(back.authors, tuple)
    assert back.fetched_at.tzinfo is UTC


def test_round_trip_of_empty_and_null_fields(store: Store) -> None:
    """Nulls, empty lists and an empty markdown survive the round trip."""
    doc = make_doc(
        final_url=None,
        canonical_url=None,
        title=None,
        authors=(),
        date=None,
        sitename=None,
        description=None,
        language=None,
        categories=(),
        tags=(),
        image=None,
        status=None,
        markdown="",
    )
    store.save(doc, html_hash="h")

    assert unversioned(store.get(doc.url or "")) == doc


def test_latest_returns_only_latest_versions_ordered_by_key(store: Store) -> None:
    """latest() yields one document per key, its newest version, in key order."""
    store.save(make_doc(url="https://b.example/", text="b1"), html_hash="h")
    store.save(make_doc(url="https://a.example/", text="a1"), html_hash="h")
    store.save(make_doc(url="https://b.example/", text="b2"), html_hash="h")

    assert [(d.url, d.text) for d in store.latest()] == [
        ("https://a.example/", "a1"),
        ("https://b.example/", "b2"),
    ]


def test_get_unknown_key_is_none(store: Store) -> None:
    """get() of a key never stored is None and versions() is empty."""
    assert store.get("https://nowhere.example/") is None
    assert store.versions("https://nowhere.example/") == []


def test_latest_since_keeps_documents_stored_from_then_on(db_path: Path) -> None:
    """since= keeps keys whose latest version was stored at or after that time."""
    clock = Clock(datetime(2025, 1, 1, tzinfo=UTC))
    with Store(db_path, clock=clock) as store:
        store.save(make_doc(url="https://old.example/"), html_hash="h")
        store.save(make_doc(url="https://edited.example/", text="v1"), html_hash="h")
        clock.now = datetime(2025, 2, 1, tzinfo=UTC)
        store.save(make_doc(url="https://edited.example/", text="v2"), html_hash="h")
        store.save(make_doc(url="https://new.example/"), html_hash="h")

        recent = [(d.url, d.text) for d in store.latest(since=datetime(2025, 2, 1, tzinfo=UTC))]

    assert recent == [("https://edited.example/", "v2"), ("https://new.example/", make_doc().text)]


def test_latest_since_rejects_naive_datetimes(store: Store) -> None:
    """A naive since= is a programming error, not silently read as local time."""
    with pytest.raises(ValueError, match="naive"):
        store.latest(since=datetime(2025, 1, 1))  # noqa: DTZ001 -- the naive value is the point


def test_latest_run_id_keeps_what_that_run_stored(store: Store) -> None:
    """run_id= keeps keys whose latest version the given run stored."""
    store.save(make_doc(url="https://a.example/", text="a1"), html_hash="h", run_id="run-1")
    store.save(make_doc(url="https://b.example/"), html_hash="h", run_id="run-1")
    store.save(make_doc(url="https://a.example/", text="a2"), html_hash="h", run_id="run-2")
    store.save(make_doc(url="https://b.example/"), html_hash="h", run_id="run-2")  # unchanged

    assert [d.text for d in store.latest(run_id="run-2")] == ["a2"]
    assert [d.url for d in store.latest(run_id="run-1")] == ["https://b.example/"]


def test_record_run_keeps_the_report(store: Store, db_path: Path) -> None:
    """record_run() completes the run row that the run's first save created."""
    store.save(make_doc(), html_hash="h", run_id="run-1")
    report = CrawlReport(run_id="run-1", started_at=FETCHED_AT, finished_at=utc_now(), new=1)
    store.record_run(report)

    [(run_id, started_at, finished_at, report_json, status)] = rows(
        db_path, "SELECT id, started_at, finished_at, report, status FROM runs"
    )
    assert (run_id, started_at, status) == ("run-1", timestamp(FETCHED_AT), "finished")
    assert finished_at is not None
    assert '"new": 1' in report_json


def test_wal_mode(store: Store, db_path: Path) -> None:
    """The database file is left in WAL mode, so readers and the writer do not block each other."""
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_schema_version_is_set_and_reopening_keeps_data(db_path: Path) -> None:
    """A new store is stamped with the current schema version; reopening migrates nothing away."""
    with Store(db_path) as store:
        store.save(make_doc(), html_hash="h")
        assert store.schema_version == SCHEMA_VERSION >= 1

    with Store(db_path) as store:
        assert store.count() == 1
    assert rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_newer_schema_is_refused(db_path: Path) -> None:
    """A database written by a newer scraper is refused rather than misread."""
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()

    with pytest.raises(WriteError, match="newer"):
        Store(db_path)


def test_failed_save_leaves_nothing_behind(store: Store, db_path: Path) -> None:
    """A save that fails after its first write rolls back entirely; earlier documents survive."""
    store.save(make_doc(url="https://kept.example/"), html_hash="h", run_id="run-0")
    conn = sqlite3.connect(db_path)
    # the run row is written first, then the document insert hits this trigger
    conn.execute(
        "CREATE TRIGGER fail_insert BEFORE INSERT ON documents WHEN NEW.key = 'https://bad.example/' "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    conn.commit()
    conn.close()

    with pytest.raises(WriteError, match="disk on fire") as caught:
        store.save(make_doc(url="https://bad.example/"), html_hash="h", run_id="run-1")

    assert str(db_path) in str(caught.value)
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    assert rows(db_path, "SELECT key FROM documents") == [("https://kept.example/",)]
    assert rows(db_path, "SELECT id FROM runs") == [("run-0",)]
    # the store is still usable after the rollback
    assert store.save(make_doc(url="https://next.example/"), html_hash="h").outcome is Outcome.NEW


def test_unwritable_path_is_write_error(tmp_path: Path) -> None:
    """A store that cannot be created raises WriteError naming the path."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(WriteError, match="file"):
        Store(blocker / "scraper.db")


def test_directory_as_database_is_write_error(tmp_path: Path) -> None:
    """A folder where the database file should be raises WriteError naming it a folder (it was
    called "a device, a pipe or a socket"), not sqlite3.Error."""
    with pytest.raises(
        WriteError, match=rf"^{re.escape(str(tmp_path))}: not a regular file \(a folder\): a store is a file$"
    ):
        Store(tmp_path)


def test_not_a_database_is_write_error(tmp_path: Path) -> None:
    """A file that is not SQLite raises WriteError naming it."""
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 100)

    with pytest.raises(WriteError, match=r"junk\.db"):
        Store(path)


def test_locked_database_is_write_error(db_path: Path) -> None:
    """A save blocked by another writer past the timeout raises WriteError."""
    with Store(db_path, timeout=0.05) as store:
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(WriteError, match="locked"):
                store.save(make_doc(), html_hash="h")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert store.count() == 0


def test_creates_parent_folders(tmp_path: Path) -> None:
    """The folders leading to the database are created on open."""
    path = tmp_path / "a" / "b" / "scraper.db"
    Store(path).close()
    assert path.is_file()


def test_another_applications_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """A SQLite file of another application (schema version 0, tables of its own) is refused with a
    WriteError naming it, and none of our tables is added to it."""
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()

    with pytest.raises(WriteError, match=r"app\.db: is not a scraper store .*users"):
        Store(path)

    assert rows(path, "SELECT name FROM sqlite_schema WHERE type = 'table'") == [("users",)]
    assert rows(path, "PRAGMA user_version") == [(0,)]


def test_has_text_reads_a_store_older_than_the_versions_step(db_path: Path) -> None:
    """`has_text` (clean --db) on a store opened read-only at schema version 3 (no `change` column)
    answers from its texts instead of failing on the missing column."""
    doc = make_doc()
    with Store(db_path) as store:
        store.save(doc, html_hash="h")
    conn = sqlite3.connect(db_path)
    conn.execute("ALTER TABLE documents DROP COLUMN gone_at")
    conn.execute("DROP INDEX documents_content_hash")
    conn.execute("ALTER TABLE documents DROP COLUMN change")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()

    with Store(db_path, read_only=True) as store:
        assert store.has_text(doc.content_hash)
        assert not store.has_text("0" * 64)
