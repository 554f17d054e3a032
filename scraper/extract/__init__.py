"""Extract stage: one fetched page in, one clean `Document` out. Pure: no I/O.

    pipeline.py   `extract`, `clean_html`: parse once, pre-pass, trafilatura, classify, metadata
    prepass.py    the selectolax pre-pass that takes clutter out before trafilatura sees the page
    rules.py      what the pre-pass counts as clutter: named, generic rules
    formats.py    the main content as trafilatura's XML; the xml, TEI and html outputs built from it
    rendered.py   the page's text as a reader sees it (hidden elements apart), which the output is held to
    classify.py   page type (listing included), junk verdicts (block, consent, login, soft 404), quality
    metadata.py   dates, language, canonical URL, JSON-LD: what the page declares, checked
    authors.py    bylines cleaned into names
    explanation.py  `clean --explain`: what was removed, and by which rule
    bounds.py     pages too deep or too big for the rest: simplified first, or refused with the count
    worker.py     `ExtractionPool`: pages extracted in worker processes under a time and memory limit
    preload.py    what the workers' forkserver imports once: the extractor, warm

Other stages import from here; the modules inside are private to the stage.
"""

from typing import TYPE_CHECKING

from scraper._lazy import exports

if TYPE_CHECKING:
    from scraper.extract.explanation import (
        Explanation as Explanation,
    )
    from scraper.extract.explanation import (
        describe as describe,
    )
    from scraper.extract.explanation import (
        explain as explain,
    )
    from scraper.extract.formats import render_html as render_html
    from scraper.extract.formats import render_xml as render_xml
    from scraper.extract.inprocess import InProcess as InProcess
    from scraper.extract.inprocess import run_bounded as run_bounded
    from scraper.extract.pipeline import (
        NO_MAIN_CONTENT as NO_MAIN_CONTENT,
    )
    from scraper.extract.pipeline import (
        Trace as Trace,
    )
    from scraper.extract.pipeline import (
        clean_html as clean_html,
    )
    from scraper.extract.pipeline import (
        extract as extract,
    )
    from scraper.extract.pipeline import (
        extract_document as extract_document,
    )
    from scraper.extract.pipeline import (
        no_article as no_article,
    )
    from scraper.extract.worker import ExtractionPool as ExtractionPool
    from scraper.extract.worker import cores as cores
    from scraper.extract.worker import quiet_libraries as quiet_libraries
    from scraper.extract.worker import settle as settle

_EXPORTS = {
    "Explanation": "scraper.extract.explanation",
    "describe": "scraper.extract.explanation",
    "explain": "scraper.extract.explanation",
    "render_html": "scraper.extract.formats",
    "render_xml": "scraper.extract.formats",
    "InProcess": "scraper.extract.inprocess",
    "run_bounded": "scraper.extract.inprocess",
    "NO_MAIN_CONTENT": "scraper.extract.pipeline",
    "Trace": "scraper.extract.pipeline",
    "clean_html": "scraper.extract.pipeline",
    "extract": "scraper.extract.pipeline",
    "extract_document": "scraper.extract.pipeline",
    "no_article": "scraper.extract.pipeline",
    "ExtractionPool": "scraper.extract.worker",
    "cores": "scraper.extract.worker",
    "quiet_libraries": "scraper.extract.worker",
    "settle": "scraper.extract.worker",
}
__all__ = [
    "NO_MAIN_CONTENT",
    "Explanation",
    "ExtractionPool",
    "InProcess",
    "Trace",
    "clean_html",
    "cores",
    "describe",
    "explain",
    "extract",
    "extract_document",
    "no_article",
    "quiet_libraries",
    "render_html",
    "render_xml",
    "run_bounded",
    "settle",
]
if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = exports(__name__, _EXPORTS)
