"""What the extraction workers' forkserver also imports when the pool's pages are searched for
dates (`[extract] metadata = "full"`, the default; `ExtractionPool` decides): dateparser
compiles its word patterns for every locale (about 2 CPU s, otherwise paid by each worker the
first time htmldate hands it a date it cannot read itself). With `metadata = "stated"` htmldate
never runs, and a corpus run does not pay for it.
"""

from __future__ import annotations

from htmldate.extractors import _external_date

from scraper.extract import preload

__all__ = ["preload"]

try:
    _external_date("0 zzz")  # no locale reads it, so every locale's patterns are compiled
except Exception as exc:  # reported once, by the warm-up, as the run's error
    preload.UNREADY = preload.UNREADY or f"the date parser cannot be loaded ({type(exc).__name__}: {exc})"
