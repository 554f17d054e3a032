"""Crawl stage: sites in, a frontier in the store, one visit per URL, a run report out.

    engine.py      `Crawler`: one run, one task per host, resume, limits
    visit.py       one frontier URL: robots.txt, conditional fetch, extraction, outcome
    frontier.py    sites, their scope and URL patterns, seeds, run identity
    discover.py    sitemaps and feeds -> URLs
    links.py       outgoing links of a page
    progress.py    progress bar or log lines

Other stages import from here; the modules inside are private to the stage.
"""

from typing import TYPE_CHECKING

from scraper._lazy import exports

if TYPE_CHECKING:
    from scraper.crawl.engine import Crawler as Crawler
    from scraper.crawl.engine import new_run_id as new_run_id
    from scraper.crawl.frontier import (
        Scope as Scope,
    )
    from scraper.crawl.frontier import (
        crawl_sites as crawl_sites,
    )
    from scraper.crawl.frontier import (
        run_params as run_params,
    )
    from scraper.crawl.frontier import (
        seeds as seeds,
    )
    from scraper.crawl.progress import (
        LogProgress as LogProgress,
    )
    from scraper.crawl.progress import (
        clean_progress as clean_progress,
    )
    from scraper.crawl.progress import (
        progress_display as progress_display,
    )

# the modules whose functions the crawl runs in the extraction workers (`ExtractionPool` preload)
WORKER_MODULES = ("scraper.crawl.visit",)

_EXPORTS = {
    "Crawler": "scraper.crawl.engine",
    "new_run_id": "scraper.crawl.engine",
    "Scope": "scraper.crawl.frontier",
    "crawl_sites": "scraper.crawl.frontier",
    "run_params": "scraper.crawl.frontier",
    "seeds": "scraper.crawl.frontier",
    "LogProgress": "scraper.crawl.progress",
    "clean_progress": "scraper.crawl.progress",
    "progress_display": "scraper.crawl.progress",
}
__all__ = [
    "WORKER_MODULES",
    "Crawler",
    "LogProgress",
    "Scope",
    "clean_progress",
    "crawl_sites",
    "new_run_id",
    "progress_display",
    "run_params",
    "seeds",
]
if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = exports(__name__, _EXPORTS)
