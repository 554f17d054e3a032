"""The SQLite schema of the store, as the list of steps that build it.

`MIGRATIONS[n]` takes a database from version n to n + 1 (`PRAGMA user_version`); `Store` applies
the steps a file is missing when it opens it. Later changes add a step at the end; they never
edit an earlier one.

    runs       one row per crawl run: status, start parameters, report
    documents  one row per document version (scraper/store/documents.py)
    pages      one row per URL ever fetched (pages, and the sitemaps and feeds discovery read):
               validators, content hash, history (scraper/store/state.py)
    frontier   one row per URL per run: what is pending, what was done and how (scraper/store/state.py)
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: document versions and the runs that stored them
    (
        """
        CREATE TABLE runs (
            id          TEXT PRIMARY KEY,
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            report      TEXT
        )
        """,
        """
        CREATE TABLE documents (
            id            INTEGER PRIMARY KEY,
            key           TEXT NOT NULL,
            version       INTEGER NOT NULL CHECK (version >= 1),
            url           TEXT,
            final_url     TEXT,
            canonical_url TEXT,
            source        TEXT NOT NULL,
            title         TEXT,
            authors       TEXT NOT NULL,
            date          TEXT,
            date_source   TEXT,
            sitename      TEXT,
            description   TEXT,
            language      TEXT,
            categories    TEXT NOT NULL,
            tags          TEXT NOT NULL,
            image         TEXT,
            text          TEXT NOT NULL,
            fetched_at    TEXT NOT NULL,
            status        INTEGER,
            page_type     TEXT NOT NULL,
            quality       REAL NOT NULL,
            skip_reason   TEXT,
            markdown      TEXT NOT NULL,
            content_hash  TEXT NOT NULL,
            html_hash     TEXT NOT NULL,
            run_id        TEXT REFERENCES runs (id),
            stored_at     TEXT NOT NULL,
            UNIQUE (key, version)
        )
        """,
        # lookups by key use the UNIQUE (key, version) index: a separate one on key alone would be redundant
        "CREATE INDEX documents_stored_at ON documents (stored_at)",
        "CREATE INDEX documents_run_id ON documents (run_id)",
    ),
    # 1 -> 2: incremental crawl state (scraper/store/state.py): run status and parameters, per-URL
    # validators and history, and each run's frontier
    (
        # runs written before this step, or by Store.save outside a crawl, are complete
        "ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'finished'",
        "ALTER TABLE runs ADD COLUMN params TEXT",
        "ALTER TABLE runs ADD COLUMN set_aside TEXT NOT NULL DEFAULT '{}'",
        "CREATE INDEX runs_params ON runs (params, started_at)",
        """
        CREATE TABLE pages (
            url           TEXT PRIMARY KEY,
            etag          TEXT,
            last_modified TEXT,
            content_hash  TEXT,
            first_seen    TEXT NOT NULL,
            last_seen     TEXT,
            last_changed  TEXT,
            last_status   INTEGER,
            failures      INTEGER NOT NULL DEFAULT 0,
            gone_at       TEXT,
            links         BLOB
        )
        """,
        # documents stored before this step become known pages: a re-crawl finds them changed or gone
        """
        INSERT INTO pages (url, content_hash, first_seen, last_seen, last_changed, last_status)
        SELECT d.key, d.content_hash,
               (SELECT MIN(fetched_at) FROM documents WHERE key = d.key), d.fetched_at, d.stored_at, d.status
        FROM documents AS d
        WHERE d.url IS NOT NULL AND d.version = (SELECT MAX(version) FROM documents WHERE key = d.key)
        """,
        """
        CREATE TABLE frontier (
            run_id   TEXT NOT NULL REFERENCES runs (id),
            url      TEXT NOT NULL,
            host     TEXT NOT NULL,
            kind     TEXT NOT NULL,
            via      TEXT NOT NULL,
            depth    INTEGER NOT NULL,
            priority INTEGER NOT NULL,
            lastmod  TEXT,
            state    TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
            outcome  TEXT,
            status   INTEGER,
            reason   TEXT,
            PRIMARY KEY (run_id, url)
        )
        """,
        # pulling a host's next pending URLs reads this index in order: no sort, however long the frontier
        "CREATE INDEX frontier_pending ON frontier (run_id, host, state, priority)",
    ),
    # 2 -> 3: whether a page's last full body went through extraction; one fetched for its links
    # only (`[crawl] extract = false`) keeps its validators, but an extracting run asks in full
    ("ALTER TABLE pages ADD COLUMN extracted INTEGER NOT NULL DEFAULT 1",),
    # 3 -> 4: downstream sync. Each version says what it was (`change`: new, changed, gone); a page
    # that went gets a tombstone version (`gone_at`, no text) so exports by run or time carry it;
    # texts are looked up by hash (`clean --db` drops texts already stored)
    (
        "ALTER TABLE documents ADD COLUMN change TEXT NOT NULL DEFAULT 'new' "
        "CHECK (change IN ('new', 'changed', 'gone'))",
        "ALTER TABLE documents ADD COLUMN gone_at TEXT",
        "UPDATE documents SET change = 'changed' WHERE version > 1",
        "CREATE INDEX documents_content_hash ON documents (content_hash)",
    ),
    # 4 -> 5: sitemaps and feeds a crawl discovered are kept too (`kind`), so every later run reads
    # them again, whatever the page that led to them answers; validators belong to the URL that
    # answered with them (`validated_url`: a redirect's target), and are sent to it only
    (
        "ALTER TABLE pages ADD COLUMN kind TEXT NOT NULL DEFAULT 'page' "
        "CHECK (kind IN ('page', 'sitemap', 'feed'))",
        "ALTER TABLE pages ADD COLUMN validated_url TEXT",
    ),
    # 5 -> 6: the page (or sitemap, or feed) a frontier URL was found on, so a dead link is
    # reported by the page that links to it
    ("ALTER TABLE frontier ADD COLUMN referrer TEXT",),
    # 6 -> 7: the WARC-Record-ID of the response a version was read from or archived to, and its
    # main content as trafilatura's XML, which the xml, TEI and html exports are built from
    (
        "ALTER TABLE documents ADD COLUMN warc_record_id TEXT",
        "ALTER TABLE documents ADD COLUMN xml TEXT NOT NULL DEFAULT ''",
    ),
    # 7 -> 8: where the language came from (`declared` by the page, or `detected` in its text);
    # versions stored before it do not say
    ("ALTER TABLE documents ADD COLUMN language_source TEXT",),
    # 8 -> 9: which metadata was read (`[extract] metadata`); every version stored before it was
    # read in full, the one mode there was
    ("ALTER TABLE documents ADD COLUMN metadata_mode TEXT NOT NULL DEFAULT 'full'",),
)

SCHEMA_VERSION = len(MIGRATIONS)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]
