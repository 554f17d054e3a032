"""Extract stage: one fetched page in, one clean `Document` out. Pure: no I/O.

    pipeline.py   `extract`, `clean_html`: parse once, pre-pass, trafilatura, classify, metadata
    prepass.py    the selectolax pre-pass that takes clutter out before trafilatura sees the page
    rules.py      what the pre-pass counts as clutter: named, generic rules
    formats.py    the main content as trafilatura's XML; the xml, TEI and html outputs built from it
    classify.py   page type (listing included), junk verdicts (block, consent, login, soft 404), quality
    metadata.py   dates, language, canonical URL, JSON-LD: what the page declares, checked
    authors.py    bylines cleaned into names
    explain.py    `clean --explain`: what was removed, and by which rule
    bounds.py     pages too deep or too big for the rest: simplified first, or refused with the count
    worker.py     `ExtractionPool`: pages extracted in worker processes under a time and memory limit
    preload.py    what the workers' forkserver imports once: the extractor, warm

Other stages import from here; the modules inside are private to the stage.
"""

from scraper.extract.explain import Explanation, describe, explain
from scraper.extract.formats import render_html, render_xml
from scraper.extract.pipeline import NO_MAIN_CONTENT, Trace, clean_html, extract, extract_document
from scraper.extract.worker import ExtractionPool, quiet_libraries

__all__ = [
    "NO_MAIN_CONTENT",
    "Explanation",
    "ExtractionPool",
    "Trace",
    "clean_html",
    "describe",
    "explain",
    "extract",
    "extract_document",
    "quiet_libraries",
    "render_html",
    "render_xml",
]
