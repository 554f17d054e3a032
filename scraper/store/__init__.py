"""Store stage: the SQLite file of record, through one connection and its transactions.

    documents.py  `Store`: the connection, transactions, document versions
    state.py      `CrawlState`: runs, frontiers, per-URL validators and history (same file)
    schema.py     the schema as a list of migrations (`PRAGMA user_version`)
    lock.py       one crawl per store, one `clean -o` run per corpus folder

Other stages import from here; the modules inside are private to the stage.
"""

from typing import TYPE_CHECKING

from scraper._lazy import exports

if TYPE_CHECKING:
    from scraper.store.documents import (
        SCHEMA_VERSION as SCHEMA_VERSION,
    )
    from scraper.store.documents import (
        Store as Store,
    )
    from scraper.store.documents import (
        document_key as document_key,
    )
    from scraper.store.documents import (
        timestamp as timestamp,
    )
    from scraper.store.lock import FolderLock as FolderLock
    from scraper.store.lock import crawl_lock as crawl_lock
    from scraper.store.lock import lock_path as lock_path
    from scraper.store.state import (
        CrawlState as CrawlState,
    )
    from scraper.store.state import (
        PageState as PageState,
    )
    from scraper.store.state import (
        Recorded as Recorded,
    )
    from scraper.store.state import (
        RunStart as RunStart,
    )
    from scraper.store.state import RunSummary as RunSummary

_EXPORTS = {
    "RunSummary": "scraper.store.state",
    "SCHEMA_VERSION": "scraper.store.documents",
    "Store": "scraper.store.documents",
    "document_key": "scraper.store.documents",
    "timestamp": "scraper.store.documents",
    "FolderLock": "scraper.store.lock",
    "crawl_lock": "scraper.store.lock",
    "lock_path": "scraper.store.lock",
    "CrawlState": "scraper.store.state",
    "PageState": "scraper.store.state",
    "Recorded": "scraper.store.state",
    "RunStart": "scraper.store.state",
}
__all__ = [
    "SCHEMA_VERSION",
    "CrawlState",
    "FolderLock",
    "PageState",
    "Recorded",
    "RunStart",
    "RunSummary",
    "Store",
    "crawl_lock",
    "document_key",
    "lock_path",
    "timestamp",
]
if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = exports(__name__, _EXPORTS)
