"""What the extraction workers' forkserver imports before it forks any worker: the whole extractor,
warm. Importing this module is its work, done once per pool in the server process.

py3langid loads its model (2-3 s, lzma and numpy) on first use; loaded here, every worker forked
from the server starts with it, shares its pages copy-on-write, and a worker that replaces one
stopped for a time limit starts its first page at full speed.
"""

from __future__ import annotations

import scraper.batch
import scraper.crawl.visit
import scraper.extract.pipeline
from scraper.extract.metadata import detect_language

__all__ = ["scraper"]

detect_language("Loading the language model before any worker is forked from this process.")
