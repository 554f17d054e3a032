"""The crawl's archive: `ArchivingFetcher`, a `Fetcher` that also writes what it fetched to a
`WarcArchive` (corpus/warc.py). Apart from warc.py, so that reading archives and local files
(`clean`) does not import the fetch stage's HTTP client."""

from __future__ import annotations

import dataclasses
from typing import Any

from scraper.config import Settings
from scraper.corpus.warc import WarcArchive
from scraper.fetch import Fetcher
from scraper.models import FetchedPage

__all__ = ["ArchivingFetcher"]


class ArchivingFetcher(Fetcher):
    """A `Fetcher` that also writes every response it returns (not 304s: they have no body) to a
    `WarcArchive`, closed with the fetcher; the page it returns names its response record."""

    def __init__(self, settings: Settings, archive: WarcArchive, **kwargs: Any) -> None:
        super().__init__(settings.fetch, sites=settings.sites, **kwargs)
        self.archive = archive

    async def fetch(self, url: str, **kwargs: Any) -> FetchedPage:
        page = await super().fetch(url, **kwargs)
        if page.status != 304:
            page = dataclasses.replace(page, warc_record_id=self.archive.write(page))
        return page

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await super().__aexit__(*exc)
        finally:
            self.archive.close()
