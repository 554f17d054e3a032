"""Why a paragraph went missing: the same extraction, with its trace kept, for `clean --explain`.

`explain` runs `extract` once with a `Trace` and turns what it recorded into an `Explanation`:
the pre-pass removals (rule, tag, snippet), the text blocks that survived the pre-pass but that
trafilatura left out ("trafilatura: not main content"), or the block model where its choice
stood (its first pass, the cascade, included: "block model: not main content"), and the verdict
(page type, quality, skip reason). There is no second pipeline: the removals are the ones `extract` made.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from scraper.config import ExtractSettings
from scraper.dom import words_of
from scraper.errors import ExtractionError
from scraper.extract.pipeline import Trace, extract
from scraper.extract.prepass import Removal
from scraper.models import Document, FetchedPage

NOT_MAIN_CONTENT = "trafilatura: not main content"
NOT_CHOSEN = "block model: not main content"
_TEXT_BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, blockquote, pre, td, dd, dt, figcaption"
_SNIPPET = 80


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """What extraction did to one page; it pickles, so it crosses the process pool."""

    source: str
    document: Document | None
    error: ExtractionError | None
    removals: tuple[Removal, ...]
    page_type: str | None
    quality: float | None
    skip_reason: str | None
    # where the text came from when not from the page as shown: "json-ld", its declared articleBody
    # (`pipeline._declared_body`); "json-ld-fallback", the same body taken by trafilatura's fallback
    text_source: str | None = None


def explain(page: FetchedPage, settings: ExtractSettings) -> Explanation:
    """Extract `page` and say what was removed and why; extraction errors are kept, not raised."""
    trace = Trace()
    document: Document | None = None
    error: ExtractionError | None = None
    try:
        document = extract(page, settings, trace)
    except ExtractionError as exc:
        error = exc
    removals = list(trace.removals)
    if trace.cleaned is not None and document is not None and document.skip_reason is None:
        rule = NOT_MAIN_CONTENT if trace.chosen is None else NOT_CHOSEN
        removals += _not_main_content(trace.cleaned, document.text, rule)
    verdict = trace.verdict
    return Explanation(
        source=page.source,
        document=document,
        error=error,
        removals=tuple(removals),
        page_type=verdict.page_type if verdict else None,
        quality=verdict.quality if verdict else None,
        skip_reason=verdict.skip_reason if verdict else None,
        text_source=trace.text_source,
    )


def _not_main_content(cleaned: LexborHTMLParser, text: str, rule: str) -> list[Removal]:
    """Text blocks of the pre-pass output that are absent from the final text (`rule`: who left them out)."""
    kept = " ".join(text.split())
    found: list[Removal] = []
    for node in cleaned.css(_TEXT_BLOCKS):
        if any(inner.mem_id != node.mem_id for inner in node.css(_TEXT_BLOCKS)):
            continue  # the innermost block speaks for itself (css() matches the node itself too)
        words = words_of(node)
        if words and words not in kept:
            found.append(Removal(rule, node.tag or "", words[:_SNIPPET]))
    return found


def describe(explanation: Explanation) -> list[str]:
    """The explanation as indented lines: the verdict, then each rule with the blocks it removed."""
    lines = [f"explain {explanation.source}"]
    if explanation.page_type is not None:
        lines.append(f"  page_type {explanation.page_type}, quality {explanation.quality or 0.0:.2f}")
    if explanation.skip_reason:
        lines.append(f"  skipped: {explanation.skip_reason}")
    if explanation.error is not None:
        lines.append(f"  error: {explanation.error.reason}")
    if explanation.text_source == "json-ld":
        lines.append("  text: the articleBody its JSON-LD declares (the page shows under half of it)")
    elif explanation.text_source == "json-ld-fallback":
        lines.append("  text: the articleBody its JSON-LD declares, as trafilatura's fallback took it")
    groups: dict[str, list[Removal]] = {}
    for removal in explanation.removals:
        groups.setdefault(removal.rule, []).append(removal)
    for rule, removals in groups.items():
        lines.append(f"  removed by {rule} ({len(removals)}):")
        lines += [f"    {r.tag}: {r.snippet}" if r.snippet else f"    {r.tag}" for r in removals]
    if not groups:
        lines.append("  nothing removed")
    return lines
