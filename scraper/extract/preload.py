"""What the extraction workers' forkserver imports before it forks any worker. Importing this
module is its work, done once per pool in the server process.

It imports the extractor, whose functions run in the workers (the modules of the callers'
functions, `crawl.visit.process_page` or `batch.clean_file`, come from the pool's `preload`
list: this stage does not know its callers), so a new worker unpickles its first task without
importing anything, reads the block models, the main one and the cascade's first (numpy arrays,
scraper/extract/trees.py; else each worker builds the first on its first page, 0.08 CPU s and a
copy of its arrays of its own), and loads
py3langid's model (2-3 s of lzma and numpy, otherwise paid on first use); preload_dates.py
has dateparser compile its word patterns when the pool's pages are searched for dates:
every worker forked from the server starts with it, shares its pages copy-on-write, and a worker
that replaces one stopped for a time limit starts its first page at full speed.
"""

from __future__ import annotations

import scraper.extract.pipeline
from scraper.extract import model
from scraper.extract.metadata import detect_language

__all__ = ["UNREADY", "scraper"]

# Why workers cannot work, or None. A failure here (the model is inflated through a temp file:
# a small `ulimit -f` or a full /tmp breaks it) would kill the server with a traceback of its
# own on stderr and leave the pool to fail with another; kept here instead, the pool's warm-up
# task reads it and the run ends with one line (scraper/extract/worker.py `_ready`).
UNREADY: str | None = None
try:
    model.available()  # the block models' node arrays, shared by every worker
    model.first_available()
    detect_language("Loading the language model before any worker is forked from this process.")
except Exception as exc:  # reported once, by the warm-up, as the run's error
    UNREADY = f"the language model cannot be loaded ({type(exc).__name__}: {exc})"
