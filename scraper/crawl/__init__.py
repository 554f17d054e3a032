"""Crawl stage: sites in, a frontier in the store, one visit per URL, a run report out.

    engine.py      `Crawler`: one run, one task per host, resume, limits
    visit.py       one frontier URL: robots.txt, conditional fetch, extraction, outcome
    frontier.py    sites, their scope and URL patterns, seeds, run identity
    discover.py    sitemaps and feeds -> URLs
    links.py       outgoing links of a page, URL normalisation
    lock.py        one crawl per store
    progress.py    progress bar or log lines

Other stages import from here; the modules inside are private to the stage.
"""

from scraper.crawl.engine import Crawler, new_run_id
from scraper.crawl.frontier import Scope, crawl_sites, run_params, seeds
from scraper.crawl.lock import crawl_lock, lock_path
from scraper.crawl.progress import LogProgress, progress_display

# the modules whose functions the crawl runs in the extraction workers (`ExtractionPool` preload)
WORKER_MODULES = ("scraper.crawl.visit",)

__all__ = [
    "WORKER_MODULES",
    "Crawler",
    "LogProgress",
    "Scope",
    "crawl_lock",
    "crawl_sites",
    "lock_path",
    "new_run_id",
    "progress_display",
    "run_params",
    "seeds",
]
