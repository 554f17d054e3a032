"""Store stage: the SQLite file of record, through one connection and its transactions.

    documents.py  `Store`: the connection, transactions, document versions
    state.py      `CrawlState`: runs, frontiers, per-URL validators and history (same file)
    schema.py     the schema as a list of migrations (`PRAGMA user_version`)

Other stages import from here; the modules inside are private to the stage.
"""

from scraper.store.documents import SCHEMA_VERSION, Store, document_key, timestamp
from scraper.store.state import CrawlState, PageState, Recorded, RunStart

__all__ = [
    "SCHEMA_VERSION",
    "CrawlState",
    "PageState",
    "Recorded",
    "RunStart",
    "Store",
    "document_key",
    "timestamp",
]
