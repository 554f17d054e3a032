"""The SQLite store of record: the connection, its transactions, and document versions.

One row per document *version*: saving a document whose text has not changed since its
latest version inserts nothing, so the table is a compact change history. The identity of
a document (its `key`) is its URL, or its source for local input. The crawl state (runs,
frontier, per-URL validators) lives in the same file and goes through the same connection
and transactions, in scraper/store/state.py; this module and that one are the only database code.

The database runs in WAL mode so an export can read while a crawl writes. The schema is
versioned with `PRAGMA user_version` (scraper/store/schema.py): opening a store applies whatever
migration steps the file is missing.

Every `sqlite3.Error` (cannot open, locked, disk full, corrupt, ...) leaves this module as a
`WriteError` naming the database path.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from scraper.dates import utc_timestamp
from scraper.errors import WriteError
from scraper.files import refuse_special
from scraper.models import (
    RECORD_FIELDS,
    VERSION_FIELDS,
    CrawlReport,
    Document,
    Outcome,
    StoreOutcome,
    sha256_hex,
    utc_now,
)
from scraper.store.schema import MIGRATIONS, SCHEMA_VERSION

# the record fields in the order of the `documents` columns (the content hash has its own
# column, next to the raw HTML's); JSON-encoded lists are marked
_LIST_COLUMNS = ("authors", "categories", "tags")
_COLUMNS = (*(f for f in RECORD_FIELDS if f != "content_hash" and f not in VERSION_FIELDS), "markdown", "xml")
# what an older store (read as it is by a read-only export) holds in place of the columns later
# migrations added: every version there was new or changed, none gone; no record ID, no XML, no
# language source; its metadata read in full
_ADDED_LATER = {
    "change": "CASE WHEN d.version > 1 THEN 'changed' ELSE 'new' END",
    "gone_at": "NULL",
    "warc_record_id": "NULL",
    "xml": "''",
    "language_source": "NULL",
    "metadata_mode": "'full'",
}


def _select(columns: set[str]) -> str:
    """The SELECT of `_COLUMNS` and `VERSION_FIELDS` from a documents table with these columns."""
    chosen = (f"d.{c}" if c in columns else _ADDED_LATER[c] for c in (*_COLUMNS, *VERSION_FIELDS))
    return f"SELECT {', '.join(chosen)} FROM documents AS d"


_LATEST = "d.version = (SELECT MAX(version) FROM documents WHERE key = d.key)"
# what a new version is judged on: every record field but the facts of one fetch (when, from
# which input, which status) and what the store itself sets; the text through `content_hash`
# (`language_source` and `metadata_mode` say how the metadata was found, not what the page says: a
# store that predates them must not see every page changed; a page whose metadata another mode
# reads differently is changed in those fields)
_NOT_COMPARED = frozenset(
    (
        "fetched_at",
        "source",
        "status",
        "warc_record_id",
        "markdown",
        "xml",
        "text",
        "language_source",
        "metadata_mode",
    )
)
_COMPARED = tuple(f for f in _COLUMNS if f not in _NOT_COMPARED)
_TIMES = ("fetched_at", "stored_at", "gone_at")


def timestamp(moment: datetime) -> str:
    """The stored form of a time: ISO 8601 UTC with microseconds and a `Z`.

    Fixed width, so text order is time order and `since` filters can compare strings; the
    microseconds make `fetched_at` come back exactly as it went in.
    """
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def document_key(doc: Document) -> str:
    """The identity under which versions of a document are grouped: its URL, else its source."""
    return doc.url or doc.source


class Store:
    """A document store in one SQLite file; use it as a context manager so it is closed.

    `clock` is injected so tests can control `stored_at`; `timeout` is how long a writer
    waits for another connection's lock before giving up with a `WriteError`. `read_only`
    (for exports) never writes: not the file, not its folder; it reads stores this process
    cannot write (another user's, a read-only mount), older schema versions included.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        timeout: float = 5.0,
        clock: Callable[[], datetime] = utc_now,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        with suppress(OSError):  # unreadable: SQLite says why
            refuse_special(self.path, ": a store is a file")
        self._conn = self._connect_read_only(timeout) if read_only else self._connect(timeout)
        with self._mapped("read the schema"):
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(documents)")}
        self._versioned = "change" in columns
        self._select = _select(columns)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; calling it again does nothing."""
        try:
            self._conn.close()
        except sqlite3.Error as exc:
            raise self._error("close", exc) from exc

    # -- opening ---------------------------------------------------------------------------

    def _connect(self, timeout: float) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot create folder: {exc.strerror}") from exc
        conn: sqlite3.Connection | None = None
        try:
            # isolation_level=None: transactions are ours (BEGIN IMMEDIATE), never implicit
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode; only power loss can drop
            # the last commits, and never corrupts the file
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.Error):
                raise self._error("open", exc) from exc
            raise
        return conn

    def _connect_read_only(self, timeout: float) -> sqlite3.Connection:
        """A read-only connection that writes nothing, not even the WAL index.

        A WAL reader needs the `-shm` index file. When it is missing and cannot be made (a
        folder we cannot write), the file is opened `immutable`: SQLite then reads it without
        any locking. That is safe here because nobody is writing it: a running crawl keeps its
        `-shm` file, so its readers always take the first, ordinary, read-only path.
        """
        uri = self.path.resolve().as_uri()
        last: sqlite3.Error | None = None
        for mode in ("mode=ro", "immutable=1"):
            conn = None
            try:
                conn = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=timeout, isolation_level=None)
                found = int(conn.execute("PRAGMA user_version").fetchone()[0])
                conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
            except sqlite3.Error as exc:
                if conn is not None:
                    conn.close()
                last = exc
                continue
            if not 1 <= found <= SCHEMA_VERSION:
                conn.close()
                reason = (
                    "is not a scraper store (schema version 0): choose another --db"
                    if found < 1
                    else f"has schema version {found}, newer than this scraper supports ({SCHEMA_VERSION})"
                )
                raise WriteError(f"{self.path}: {reason}")
            # an older version is read as it is: migrations only add, so the documents are there
            return conn
        assert last is not None
        raise self._error("open", last) from last

    def _migrate(self, conn: sqlite3.Connection) -> None:
        # the version is read inside the write lock, so two processes opening a fresh file
        # cannot both create the tables
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if found > SCHEMA_VERSION:
                raise WriteError(
                    f"{self.path}: schema version {found} is newer than this scraper supports "
                    f"({SCHEMA_VERSION}); upgrade scraper"
                )
            foreign = _foreign_tables(conn) if found == 0 else []
            if foreign:  # another application's database: never add our tables to it
                raise WriteError(
                    f"{self.path}: is not a scraper store (it holds other tables: {', '.join(foreign[:5])}); "
                    "choose another --db"
                )
            for step in MIGRATIONS[found:]:
                for statement in step:
                    conn.execute(statement)
            if found < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        with self._mapped("read schema version"):
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # -- writing ---------------------------------------------------------------------------

    def save(self, doc: Document, *, html_hash: str, run_id: str | None = None) -> StoreOutcome:
        """Store `doc` as a new version of its key, unless its text equals the latest version's.

        Everything happens in one transaction: the document is stored completely or not at all.
        """
        with self.transaction("save " + document_key(doc)) as conn:
            return self.save_within(conn, doc, html_hash=html_hash, run_id=run_id)

    def save_within(
        self, conn: sqlite3.Connection, doc: Document, *, html_hash: str, run_id: str | None = None
    ) -> StoreOutcome:
        """`save`, inside a transaction the caller opened with `transaction` (scraper/store/state.py
        stores a page's document and its crawl state together this way)."""
        key = document_key(doc)
        content_hash = doc.content_hash
        now = timestamp(self._clock())
        compared = ", ".join(_COMPARED)
        latest = conn.execute(
            f"SELECT id, version, content_hash, change, {compared} FROM documents WHERE key = ? "
            "ORDER BY version DESC LIMIT 1",
            (key,),
        ).fetchone()
        if latest is not None and latest[3] != Outcome.GONE and _same(latest, content_hash, doc):
            return StoreOutcome(doc_id=latest[0], url=key, version=latest[1], outcome=Outcome.UNCHANGED)
        if run_id is not None:
            conn.execute("INSERT OR IGNORE INTO runs (id, started_at) VALUES (?, ?)", (run_id, now))
        version = 1 if latest is None else latest[1] + 1
        change = Outcome.NEW if latest is None else Outcome.CHANGED
        values = (key, version, *_encode(doc), content_hash, html_hash, run_id, now, change.value)
        columns = ("key", "version", *_COLUMNS, "content_hash", "html_hash", "run_id", "stored_at", "change")
        cursor = conn.execute(
            f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            values,
        )
        assert cursor.lastrowid is not None
        outcome = Outcome.NEW if latest is None else Outcome.CHANGED
        return StoreOutcome(doc_id=cursor.lastrowid, url=key, version=version, outcome=outcome)

    def tombstone_within(
        self, conn: sqlite3.Connection, key: str, *, run_id: str | None
    ) -> StoreOutcome | None:
        """Store a `gone` version of `key` (the latest one's fields, no text, `gone_at` now), inside
        the caller's transaction; None when nothing is stored under `key` or it is gone already."""
        latest = conn.execute(
            "SELECT id, version, change FROM documents WHERE key = ? ORDER BY version DESC LIMIT 1", (key,)
        ).fetchone()
        if latest is None or latest[2] == Outcome.GONE:
            return None
        now = timestamp(self._clock())
        if run_id is not None:
            conn.execute("INSERT OR IGNORE INTO runs (id, started_at) VALUES (?, ?)", (run_id, now))
        copied = [c for c in _COLUMNS if c not in ("text", "markdown", "xml")]
        cursor = conn.execute(
            f"INSERT INTO documents (key, version, {', '.join(copied)}, text, markdown, xml, content_hash, "
            "html_hash, run_id, stored_at, change, gone_at) "
            f"SELECT key, version + 1, {', '.join(copied)}, '', '', '', ?, html_hash, ?, ?, 'gone', ? "
            "FROM documents WHERE id = ?",
            (sha256_hex(""), run_id, now, now, latest[0]),
        )
        assert cursor.lastrowid is not None
        return StoreOutcome(doc_id=cursor.lastrowid, url=key, version=latest[1] + 1, outcome=Outcome.GONE)

    def record_run(self, report: CrawlReport) -> None:
        """Keep the report and status of a crawl run (insert, or complete the row it started)."""
        finished = timestamp(report.finished_at) if report.finished_at else None
        with self.transaction("record run " + report.run_id) as conn:
            conn.execute(
                "INSERT INTO runs (id, started_at, finished_at, report, status) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, "
                "finished_at = excluded.finished_at, report = excluded.report, status = excluded.status",
                (
                    report.run_id,
                    timestamp(report.started_at),
                    finished,
                    json.dumps(report.to_json(), ensure_ascii=False),
                    report.status.value,
                ),
            )

    # -- reading ---------------------------------------------------------------------------

    def latest(self, *, since: datetime | None = None, run_id: str | None = None) -> Iterator[Document]:
        """The latest version of every document, ordered by key; streamed, not loaded at once.

        `since` keeps documents whose latest version was stored at or after that time (that is,
        new, changed or gone since then); `run_id` keeps those whose latest version that run
        stored. With either, pages that went come as tombstones (`change` "gone", `gone_at`, no
        text); without, the latest version of every document still there.
        """
        where = [_LATEST]
        params: list[Any] = []
        if since is None and run_id is None and self._versioned:
            where.append("d.change != 'gone'")
        if since is not None:
            where.append("d.stored_at >= ?")
            params.append(timestamp(since))
        if run_id is not None:
            where.append("d.run_id = ?")
            params.append(run_id)
        query = f"{self._select} WHERE {' AND '.join(where)} ORDER BY d.key"
        return self._iterate(query, params, "read documents")

    def get(self, key: str) -> Document | None:
        """The latest version stored under `key`, or None when there is none."""
        with self._mapped("read " + key):
            row = self._conn.execute(
                f"{self._select} WHERE d.key = ? ORDER BY d.version DESC LIMIT 1", (key,)
            ).fetchone()
        return None if row is None else _decode(row)

    def versions(self, key: str) -> list[Document]:
        """Every version stored under `key`, oldest first; empty when there is none."""
        with self._mapped("read " + key):
            rows = self._conn.execute(f"{self._select} WHERE d.key = ? ORDER BY d.version", (key,)).fetchall()
        return [_decode(row) for row in rows]

    def has_text(self, content_hash: str) -> bool:
        """Whether any stored version (of any document) has the text of this sha256."""
        # a store older than the versions migration (read as it is) has no tombstones
        live = " AND change != 'gone'" if self._versioned else ""
        with self._mapped("look up a text"):
            row = self._conn.execute(
                f"SELECT 1 FROM documents WHERE content_hash = ?{live} LIMIT 1", (content_hash,)
            ).fetchone()
        return row is not None

    def count(self) -> int:
        """How many document versions are stored."""
        with self._mapped("count documents"):
            return int(self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def _iterate(self, query: str, params: list[Any], action: str) -> Iterator[Document]:
        with self._mapped(action):
            cursor = self._conn.execute(query, params)
            try:
                for row in cursor:
                    yield _decode(row)
            finally:
                # a consumer that stops early must not keep the read snapshot open
                cursor.close()

    # -- error mapping ---------------------------------------------------------------------

    @contextmanager
    def transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        `action` names what is being done, for the `WriteError` a failure becomes.
        """
        conn = self._conn
        with self._mapped(action):
            # IMMEDIATE takes the write lock up front, so the read of the latest version and
            # the insert that depends on it cannot interleave with another writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def reading(self, action: str) -> Iterator[sqlite3.Connection]:
        """The connection, for reads outside a transaction; errors become `WriteError`s."""
        with self._mapped(action):
            yield self._conn

    @contextmanager
    def _mapped(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(action, exc) from exc

    def _error(self, action: str, exc: sqlite3.Error) -> WriteError:
        return WriteError(f"{self.path}: cannot {action}: {exc}")


def _foreign_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables of a database at schema version 0: none in a new file, some in another
    application's (SQLite's own `sqlite_*` tables aside)."""
    rows = conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name"
    )
    return [str(row[0]) for row in rows]


def _encode(doc: Document) -> tuple[Any, ...]:
    """Column values of `doc` in `_COLUMNS` order."""
    values: list[Any] = []
    for column in _COLUMNS:
        value = getattr(doc, column)
        if column in _LIST_COLUMNS:
            value = json.dumps(list(value), ensure_ascii=False)
        elif column == "fetched_at":
            value = timestamp(value)
        values.append(value)
    return tuple(values)


def _decode(row: tuple[Any, ...]) -> Document:
    """The `Document` a row of `_COLUMNS` and `VERSION_FIELDS` was made from."""
    fields = dict(zip((*_COLUMNS, *VERSION_FIELDS), row, strict=True))
    for column in _LIST_COLUMNS:
        fields[column] = tuple(json.loads(fields[column]))
    for column in _TIMES:
        if fields[column] is not None:
            fields[column] = utc_timestamp(fields[column])
    return Document(**fields)


def _same(latest: tuple[Any, ...], content_hash: str, doc: Document) -> bool:
    """Whether the latest stored version (id, version, hash, change, `_COMPARED`...) says what `doc` says."""
    if latest[2] != content_hash:
        return False
    values = dict(zip(_COLUMNS, _encode(doc), strict=True))
    return all(stored == values[name] for name, stored in zip(_COMPARED, latest[4:], strict=True))


__all__ = ["SCHEMA_VERSION", "Store", "document_key", "timestamp"]
