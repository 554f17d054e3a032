"""The extraction stage: one fetched page in, one clean `Document` out; pure.

    FetchedPage.html -> LexborHTMLParser (parsed once) -> simplify: too deep, too big (bounds.py)
                     -> read_facts, measure (metadata.py, classify.py)
                     -> classify: a junk page (block, login, consent, soft 404) stops here
                     -> strip_clutter (prepass.py, in place)
                     -> blocks of the pre-passed tree (blocks.py); the cascade's first model
                        (model.py) judges them: when it is sure of the page, its blocks are the
                        text, trafilatura gives the metadata only, and its extraction is not run
                     -> else trafilatura.bare_extraction (called once) -> markdown, metadata, body
                        tree, plain text from the same body tree; the block model keeps the blocks
                        it is sure of, trafilatura's verdict stands for the others
                     -> classify again on the text (junk, page type, quality), metadata checked -> Document

This module and formats.py (the XML, Markdown and text of an extraction) are the adapter around
trafilatura: no other module imports it. A junk page
is a `Document` with `page_type`, `skip_reason` and no text; a page without main text raises
`NoMainContent` with the reason; `None` is never an answer. A `Trace` passed in records what
happened on the way (removals, the pre-pass output, the verdict) for `clean --explain`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

import trafilatura
from htmldate import find_date
from htmldate import utils as _htmldate_utils
from lxml.html import HtmlElement
from selectolax.lexbor import LexborHTMLParser, LexborNode
from trafilatura import json_metadata as _trafilatura_json
from trafilatura import metadata as _trafilatura_metadata
from trafilatura import utils as _trafilatura_utils
from trafilatura.settings import Document as _Extracted
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from scraper.charset import decided, page_from_bytes
from scraper.config import ExtractSettings
from scraper.dates import iso_day, states_day, states_some_day
from scraper.dom import WORD, bounded_html, composed, parse_html
from scraper.errors import NoMainContent
from scraper.extract import bylines, catstags, lxmlclasses
from scraper.extract import model as block_model
from scraper.extract.blocks import Block, judge_kept, page_blocks, page_features
from scraper.extract.bounds import simplify
from scraper.extract.classify import MIN_TEASERS, Classification, PageSignals, classify, measure
from scraper.extract.formats import (
    Content,
    chosen_content,
    content,
    keep_preformatted,
    plain_text,
    rejoin,
    remove_calls,
    remove_closing_rails,
    remove_copies,
    remove_count_lists,
    remove_machine,
    remove_unheld,
    remove_unreadable,
    reseam,
    respace,
    resplit,
    split_declared,
    tidy_markdown,
    unwrap,
    without_images,
)
from scraper.extract.metadata import (
    NO_LANGUAGE,
    LanguageChoice,
    PageFacts,
    body_paragraphs,
    choose_authors,
    choose_date,
    choose_language,
    declared_story,
    marked_date,
    read_facts,
    stated_date,
    within_bound,
)
from scraper.extract.prepass import Removal, strip_clutter
from scraper.extract.rendered import rendered, times_shown
from scraper.extract.rules import prose_weight, readable, unreadable
from scraper.models import Document, FetchedPage

# the lxml trees of trafilatura (its extraction and metadata, the byline and category searches)
# and of htmldate (the date search) take their nodes' classes from lxml in C, not in Python
lxmlclasses.choose_in_c(_trafilatura_utils.HTML_PARSER, _htmldate_utils.HTML_PARSER)


@dataclass(slots=True)
class Trace:
    """What one `extract` call did, filled in as it goes (so it is mutable, unlike the records):
    the pre-pass removals, the tree trafilatura was given, the page signals and the verdict."""

    removals: list[Removal] = field(default_factory=list)
    cleaned: LexborHTMLParser | None = None
    signals: PageSignals | None = None
    verdict: Classification | None = None
    # the blocks the block model judged (always filled when `collect_blocks`: the training reads them)
    collect_blocks: bool = False
    blocks: list[Block] = field(default_factory=list)
    # the blocks the model kept, in output order (None: trafilatura's output stood)
    chosen: list[Block] | None = None
    # trafilatura's extractions run for the page (bare_extraction: 0 when the cascade's first
    # model was sure of the page, 2 when the first one found too little of its prose)
    extractions: int = 0
    # where the text came from when not from the page's blocks: "json-ld" (its declared articleBody,
    # `_declared_body`); "json-ld-fallback" (that body as trafilatura's last fallback, its baseline,
    # gives it, split into its paragraphs by `_as_the_page_reads`); None, the page as shown
    text_source: str | None = None
    # CPU seconds of this process per stage: parse, prepass, trafilatura, model, metadata (the
    # benches read them; CPU time, so what else runs on a shared machine is not charged to a stage)
    timings: dict[str, float] = field(default_factory=dict)
    _last: float = field(default_factory=time.process_time)

    def lap(self, stage: str) -> None:
        """Charge the CPU time since the last lap to `stage`."""
        now = time.process_time()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._last
        self._last = now


def extract(page: FetchedPage, settings: ExtractSettings, trace: Trace | None = None) -> Document:
    """Turn a fetched page into a `Document`, or raise `NoMainContent` saying why there is none."""
    trace = trace if trace is not None else Trace()
    trace.lap("metadata")  # decoding the page, if it was not decoded yet
    page = decided(page)
    html = bounded_html(page.html)  # as lexbor reads it here, for lxml too (trafilatura, htmldate)
    _refuse_unmarked(html, page.source)
    tree = parse_html(html, page.source)
    bounded = simplify(tree, page.source)
    trace.lap("parse")
    page_url = page.final_url or page.url
    # read before the pre-pass, which may drop what declares them
    facts = read_facts(tree, page_url, search=settings.searches_page)
    trace.signals = signals = measure(tree, facts)
    trace.verdict = classify(signals, None, page.status)
    if trace.verdict.skip_reason is not None:  # judged before "no text": a JavaScript shell has none
        return _skipped(page, facts, signals, trace.verdict, settings)
    if not _has_text(tree):
        return _declared_only(
            page, tree, html=html, settings=settings, facts=facts, signals=signals, trace=trace
        ) or _nothing(page.source, "no text in the page body")
    # htmldate's search of the intact page, run by `_document` for a page that has a record with
    # a date: neither the signals nor the verdicts read it
    searched = _date_search(facts, html, tree, page, settings)
    trace.lap("metadata")
    trace.removals = removals = bounded + strip_clutter(tree, settings, trace.verdict.page_type)
    trace.cleaned = tree
    trace.lap("prepass")
    if _unprepassed(has_text := _has_text(tree), tree, signals):
        trace.cleaned = tree = parse_html(
            _explicit_only(html, settings, page.source, simplified=bool(bounded)), page.source
        )
        has_text = _has_text(tree)
    if not has_text:
        reason = f"only clutter: the pre-pass removed all text ({len(removals)} blocks)"
        declared = _declared_only(
            page, tree, html=html, settings=settings, facts=facts, signals=signals, trace=trace
        )
        return declared or _junk_or_nothing(page, facts, signals, trace, reason, settings=settings)

    verdict = trace.verdict
    settings = _for_page_type(settings, verdict.page_type)
    call = _Call.for_page(settings, facts, page)
    # a text may be kept as often as the page shows it (`times`, the page rendered when first asked)
    times = times_shown(html, page.source)
    # a page bounds.py had to simplify is a shape the model never saw: trafilatura's output stands
    serialised: str | None = None
    if tree.body is not None and not bounded and (trace.collect_blocks or block_model.available()):
        serialised = _serialise(tree)  # first: it drops the void elements trafilatura cannot read
        trace.blocks = _page_blocks(tree.body, verdict.page_type, signals)
        trace.lap("model")
        sure = _first_pass(trace, settings, verdict.page_type, times)
        # the text is the first model's; trafilatura's elements are needed only for links, images
        # or emphasis in the Markdown and XML: else trafilatura gives the metadata alone
        alone = (
            None
            if sure is None or _with_elements(settings)
            else _unextracted(tree, serialised, page_url, call, sure, forms=bool(settings.forms))
        )
        if sure is not None and alone is not None:
            trace.lap("trafilatura")
            return _document(page, settings=settings, facts=facts, searched=searched, signals=signals,
                             trace=trace, found=alone[0], text="\n".join(b.text for b in sure),
                             markdown=block_model.markdown(sure), shown=alone[1])  # fmt: skip
    found, main_text = _extract_main(
        tree, html, page_url, settings, page.source, call=call, page_type=verdict.page_type,
        simplified=bool(bounded), trace=trace, serialised=serialised,
    )  # fmt: skip
    text, markdown = _with_comments(found, main_text, settings)
    trace.lap("trafilatura")
    if trace.blocks:
        # what trafilatura kept, as the model learnt it: its main text, and a forum's replies with it
        judge_kept(trace.blocks, text if verdict.page_type == "forum" else main_text)
    chosen = trace.chosen if trace.chosen is not None else _choose(trace, settings, verdict.page_type, times)
    # after the blocks, whose features read what trafilatura kept as it kept it
    if _edited(found, chosen, settings, trace, times, html=html, source=page.source, facts=facts):
        text, markdown = _with_comments(found, plain_text(found.body), settings)
    shown = _shown(found, settings, chosen, trace)  # last: it edits found
    if chosen is not None:
        text, markdown = "\n".join(b.text for b in chosen), block_model.markdown(chosen)
    return _document(page, settings=settings, facts=facts, searched=searched, signals=signals, trace=trace,
                     found=found, text=text, markdown=markdown, shown=shown)  # fmt: skip


def _has_text(tree: LexborHTMLParser) -> bool:
    """Whether the page's body holds anything but white space: whether one of its text nodes does,
    the first such one ending the walk (lexbor skips those of ASCII white space). The same answer
    as its whole text stripped, which was built for every page (0.11 ms; this 0.003)."""
    body = tree.body
    return body is not None and any(
        node.is_text_node and (text := node.text_content) and not text.isspace()
        for node in body.traverse(include_text=True, skip_empty=True)
    )


# The share of a page's text (PageSignals.text_length) below which the pre-pass took the page's
# text with its clutter (a topic page's cards in <header>s: its title and "Load more" were left)
_LEFT = 0.02


def _unprepassed(has_text: bool, tree: LexborHTMLParser, signals: PageSignals) -> bool:
    """Whether the page is read without the pre-pass's generic rules, the pre-passed `tree` (which
    `has_text` or not) holding what they took for clutter: a listing's teasers, which the pre-pass
    takes out of a story page (no text left, `MIN_TEASERS` teasers or more), or the text of a page
    it left less than `_LEFT` of (a topic page's cards, each in a link-dense <header> of its own)."""
    if not has_text:
        return signals.teasers >= MIN_TEASERS
    body, bound = tree.body, signals.text_length * _LEFT
    left = 0
    for node in body.traverse(include_text=True, skip_empty=True) if body is not None else ():
        if node.is_text_node and (text := node.text_content):
            left += len(text.strip())
            if left >= bound:
                return False
    return True


def _document(
    page: FetchedPage,
    *,
    settings: ExtractSettings,
    facts: PageFacts,
    searched: Callable[[], str | None],
    signals: PageSignals,
    trace: Trace,
    found: _Extracted,
    text: str,
    markdown: str,
    shown: Content,
) -> Document:
    """The page's record from its extraction: `found`'s metadata, its `text` (and the `markdown`
    the quality score reads), the Markdown and XML `shown`; junk and unreadable text are skipped.
    `searched`: htmldate's search for the date (`_date_search`), run only for a record that has one.
    Its text and Markdown are in Unicode's composed form (NFC), as trafilatura gives its own."""
    if (declared := _declared_body(text, facts, settings, trace)) is not None:
        text, markdown, shown = declared
    text, markdown = composed(text), composed(markdown)
    if not text:
        return _junk_or_nothing(
            page, facts, signals, trace, "the main text block is empty", settings=settings
        )
    if not readable(text):
        reason = "no readable text: the main block is mostly symbols or binary junk"
        return _junk_or_nothing(page, facts, signals, trace, reason, settings=settings)
    trace.verdict = verdict = classify(signals, text, page.status, markdown)  # judged again, on the text
    if verdict.skip_reason is not None:
        return _skipped(page, facts, signals, verdict, settings)
    # htmldate's search runs on the kinds of page that carry a date of their own (`_DATED_PAGES`: a
    # story, a thread); a shop's, a manual's, a service's or a collection's dates are its items' or
    # its copyright line's. A date read from a listing's text is one of its teasers': without a date
    # in its URL or a Last-Modified header, every date a listing could have is read from its text
    # (htmldate's search of a page that states none is labelled "text" unless its URL says the same
    # day), so its search is run only where one of those sets it apart
    listing = verdict.page_type == "listing"
    dated_apart = bool(page.last_modified) or any(claim.source == "url" for claim in facts.dates)
    searched_day = searched() if verdict.page_type in _DATED_PAGES or (listing and dated_apart) else None
    dated = choose_date(searched_day, facts, fetched_at=page.fetched_at, last_modified=page.last_modified)
    date, date_source = (None, None) if listing and dated.source == "text" else (dated.date, dated.source)

    document = Document(
        url=page.url,
        final_url=page.final_url,
        canonical_url=facts.canonical or _clean_address(found.url),
        source=page.source,
        title=_clean(found.title),
        authors=choose_authors(found.author, facts),
        date=date,
        date_source=date_source,
        sitename=_clean(found.sitename),
        description=_clean(found.description),
        language=(language := choose_language(facts.language, text, found.title, found.description)).language,
        language_source=language.source,
        page_type=verdict.page_type,
        quality=verdict.quality,
        categories=_clean_list(found.categories),
        tags=_clean_list(found.tags),
        image=_clean_address(found.image),
        metadata_mode=settings.metadata,
        text=text,
        fetched_at=page.fetched_at,
        status=page.status,
        warc_record_id=page.warc_record_id,
        markdown=composed(shown.markdown),
        xml=composed(shown.xml),
    )
    trace.lap("metadata")
    return document


# The page types whose text is one story, which a declared `articleBody` may hold (a listing's,
# a forum's or a shop's JSON-LD articles are its items, never its whole text)
_STORY_PAGES = frozenset({"article", "documentation"})
# The page types htmldate's whole-page search is run on (`_document`), the kinds whose pages carry a
# date of their own: on trafilatura-eval's CV pages with a meta truth (bench/datemodes.py, variant
# full-every-kind) searching every kind finds 4 more right dates of 550 and gives 5 more where the
# truth has none (round twenty-four; its CPU difference was within the run's noise)
_DATED_PAGES = frozenset({"article", "forum"})
# The share of the declared body's words (counted with repeats) our text holds, below which the
# page showed only a stub or a teaser of the story it declares
_SHOWN_SHARE = 0.5


def _declared_body(
    text: str, facts: PageFacts, settings: ExtractSettings, trace: Trace
) -> tuple[str, str, Content] | None:
    """The text, Markdown and shown forms of a story page drawn by script: the page declares one
    `articleBody` (JSON-LD) of a story's length while its `text` holds under `_SHOWN_SHARE` of that
    body's words (a stub, a teaser, the page's chrome). The body's paragraphs are the text; with
    comments kept, the lines of `text` the body does not hold (the comments, after the story)
    follow it. None when the page's text stands: its settings choose what to `keep`, it is no
    story page, or it declares no body, several, or one it mostly shows."""
    verdict = trace.verdict
    if settings.keep or verdict is None or verdict.page_type not in _STORY_PAGES:
        return None
    if (paragraphs := declared_story(facts.article_bodies)) is None:
        return None
    declared = Counter(word.casefold() for line in paragraphs for word in WORD.findall(line))
    total = declared.total()
    ours = Counter(word.casefold() for word in WORD.findall(text))
    if (declared & ours).total() >= total * _SHOWN_SHARE:
        return None
    lines = list(paragraphs)
    if settings.include_comments:
        held = " ".join(" ".join(paragraphs).casefold().split())
        lines += [line for line in text.splitlines() if " ".join(line.casefold().split()) not in held]
    trace.text_source = "json-ld"
    blocks = [("p", line) for line in lines]
    none = Content(markdown="", xml="")
    shown = chosen_content(none, blocks) if settings.forms else none
    return "\n".join(lines), "\n\n".join(lines), shown


def _nothing(source: str, reason: str) -> NoReturn:
    raise NoMainContent(source, reason)


def _declared_only(
    page: FetchedPage,
    tree: LexborHTMLParser,
    *,
    html: str,
    settings: ExtractSettings,
    facts: PageFacts,
    signals: PageSignals,
    trace: Trace,
) -> Document | None:
    """The record of a page that shows no text, or only what the pre-pass removes (a JavaScript
    shell: an app root, a "Loading..."), but declares its story in its JSON-LD
    (`signals.declared_story`): trafilatura's metadata of the page (`tree`, as it stands) and the
    declared body as its text (`_declared_body`, on a story page). None for any other page, or
    where the settings choose what to keep, or trafilatura cannot parse the page."""
    if not signals.declared_story or settings.keep or trace.verdict is None:
        return None
    searched = _date_search(facts, html, tree, page, settings)
    settings = _for_page_type(settings, trace.verdict.page_type)
    call = _Call.for_page(settings, facts, page)
    read = _unextracted(
        tree, _serialise(tree), page.final_url or page.url, call, [], forms=bool(settings.forms)
    )
    if read is None:
        return None
    return _document(page, settings=settings, facts=facts, searched=searched, signals=signals, trace=trace,
                     found=read[0], text="", markdown="", shown=read[1])  # fmt: skip


def _as_the_page_reads(
    found: _Extracted, blocks: list[Block], trace: Trace, html: str, source: str, *, facts: PageFacts
) -> bool:
    """trafilatura's text joined as the page's `blocks` join it, in place; whether it changed: the
    page's <pre> keep their lines, any other quote is one paragraph (formats.keep_preformatted),
    its paragraphs that are one block of the page made one again (formats.rejoin), a paragraph
    holding several blocks split at their bounds where the page `html`, laid out, breaks too
    (formats.resplit), and a space before punctuation the page does not have taken out
    (formats.respace). First, a paragraph that is a JSON-LD `articleBody` the page declares
    (`facts`) whole is split into its paragraphs (formats.split_declared: trafilatura's last
    fallback gives that body as one line; `trace.text_source` then says so). The words do not
    change, so neither do the blocks' features, which read them."""
    bodies = [body for body in (found.body, found.commentsbody) if body is not None]
    declared = [body_paragraphs(body) for body in facts.article_bodies]
    changed = [split_declared(body, declared) for body in bodies] if declared else []
    if any(changed):
        trace.text_source = trace.text_source or "json-ld-fallback"
    preformatted = [b.text for b in blocks if b.tag == "pre"]
    changed += [keep_preformatted(body, preformatted) for body in bodies]
    if not blocks:
        return any(changed)
    lines = "\n".join(b.text for b in blocks)
    # spaced where the page's blocks meet and around punctuation, then comparable
    changed += [fix(body, lines) for body in bodies for fix in (reseam, respace, rejoin)]
    laid_out = functools.cache(lambda: rendered(html, source).lines)  # rendered if a split asks
    changed += [resplit(body, lines, laid_out) for body in bodies]
    trace.lap("model")  # the blocks, walked for the model
    return any(changed)


def _edited(
    found: _Extracted,
    chosen: list[Block] | None,
    settings: ExtractSettings,
    trace: Trace,
    times: Callable[[str], int],
    *,
    html: str,
    source: str,
    facts: PageFacts,
) -> bool:
    """trafilatura's output as the page reads it (`_as_the_page_reads`) and with no text more
    often than the page shows it (`_without_copies`), in place, where something reads it: its
    text where it stands (no blocks `chosen`), its elements where they give the chosen blocks'
    Markdown and XML (`settings.forms`). Neither is read for the text, JSON lines or Parquet of a
    page whose blocks are its text (about one page in eight): there it is left as it is. Whether
    its text stands and changed."""
    if chosen is not None and not settings.forms:
        return False
    changed = _as_the_page_reads(found, trace.blocks, trace, html, source, facts=facts) | _without_copies(
        found, settings, times
    )
    return changed and chosen is None


def _without_copies(found: _Extracted, settings: ExtractSettings, times: Callable[[str], int]) -> bool:
    """trafilatura's output (its main text, and its comments when kept) without a text more often
    than the page shows it (`times`; formats.remove_copies) and without the calls to act on the
    page (formats.remove_calls), the rails' headings it closes on (formats.remove_closing_rails)
    and its lists of labels each with a count (formats.remove_count_lists), in place, and without
    the blocks that make its main text unreadable (formats.remove_unreadable) or are machine
    identifiers run together (formats.remove_machine); whether it changed.
    Its Markdown (`found.text`, and `found.comments` when kept), which the page's verdict reads
    (its link density), is written again from what is left: a list of linked labels taken out
    of the text was still counted there."""
    kept = found.commentsbody if settings.include_comments else None
    bodies = [body for body in (found.body, kept) if body is not None]
    called = remove_calls(bodies)  # first: a rail's heading may stand over a call closing the text
    closed = found.body is not None and remove_closing_rails(found.body)
    listed = found.body is not None and remove_count_lists(found.body)
    junk = found.body is not None and remove_unreadable(found.body)
    ids = remove_machine(bodies)
    if not (called | closed | listed | junk | ids | remove_copies(bodies, times)):
        return False
    # the Markdown, as trafilatura writes it
    found.text = xmltotxt(found.body, True) if found.body is not None else found.text
    found.comments = xmltotxt(kept, True) if kept is not None else found.comments
    return True


def _first_pass(
    trace: Trace, settings: ExtractSettings, page_type: str, times: Callable[[str], int]
) -> list[Block] | None:
    """The cascade: the blocks to keep (also `trace.chosen`) when the first model is sure of the
    page's blocks (`trace.blocks`, judged before trafilatura), in output order; None when it is
    not, when there is no first model, or when the settings turn the cascade off (`cascade =
    false`, or trafilatura's precision or recall mode, which only its extraction follows; or
    `prepass = false`: the first model learnt the blocks of pre-passed pages, and without
    trafilatura's verdict among its features it cannot tell the clutter the pre-pass removes)."""
    if not settings.cascade or not settings.prepass or settings.favor_precision or settings.favor_recall:
        return None
    first = functools.partial(block_model.first_choice, thread=page_type == "forum")
    return _judged(first, trace, settings, page_type, times)


def _judged(
    pick: Callable[..., list[Block] | None],
    trace: Trace,
    settings: ExtractSettings,
    page_type: str,
    times: Callable[[str], int],
) -> list[Block] | None:
    """`trace.blocks` judged by one of the models (`block_model.first_choice` or `choose`), with
    the page's comment, table and copy settings, and without those that make them unreadable
    (`rules.unreadable`); the kept blocks are also `trace.chosen`."""
    chosen = pick(
        trace.blocks,
        comments=settings.include_comments,
        comments_last=page_type != "forum",
        tables=settings.include_tables,
        shown=times,
        declared_product=trace.signals is None or trace.signals.own_product,
    )
    if chosen and (junk := unreadable([b.text for b in chosen])):
        chosen = [b for i, b in enumerate(chosen) if i not in junk]
    trace.chosen = chosen
    trace.lap("model")
    return trace.chosen


def _with_elements(settings: ExtractSettings) -> bool:
    """Whether the Markdown and XML keep links, images or emphasis, which only trafilatura's
    elements give (formats.chosen_content takes them from its extraction)."""
    return settings.include_links or settings.include_images or settings.include_formatting


def _unextracted(
    page: LexborHTMLParser, page_html: str, url: str | None, call: _Call, chosen: list[Block], *, forms: bool
) -> tuple[_Extracted, Content] | None:
    """trafilatura's metadata of the page it would have extracted (`page`, the pre-passed tree,
    written as `page_html`), without the extraction, and the Markdown and XML of the `chosen`
    blocks (neither when the outputs read neither: `forms` false, as in `_shown`); None when
    trafilatura cannot parse the page (its extraction then says why)."""
    part = _read_by(call, page, page_html)
    tree = load_html(part)
    if tree is None and part is not page_html:  # trafilatura's check of the beginning: the whole page
        tree = load_html(page_html)
    if tree is None:
        return None
    blocks = [(b.tag, b.text) for b in chosen]
    none = Content(markdown="", xml="")
    return _metadata(tree, url, call, part, last=True), chosen_content(none, blocks) if forms else none


def _read_by(call: _Call, tree: LexborHTMLParser, serialised: str) -> str:
    """The page trafilatura's metadata steps are given where its extraction is not run: the
    pre-passed page as `serialised`, or, when `call` searches nothing (`metadata = "stated"`), the
    part of it those steps read (its <head>: meta tags, <title>, canonical link; and JSON-LD,
    wherever it is): `serialised` up to the end of its <head>, then the JSON <script> elements of
    its body that trafilatura reads (`_JSON_SCRIPTS`), in order. lxml parses that prefix as it
    parses it in the whole page. A page's other scripts (its code and data, 60% of what lxml was
    given on the corpus sample's pages) are read by none of those steps."""
    head, body = tree.head, tree.body
    if call.search_page or call.search_author or head is None or body is None:
        return serialised
    written = head.html or ""
    end = serialised.find(written)
    if not written or end < 0:
        return serialised
    scripts = "".join(
        script.html or "" for script in body.css("script") if script.attributes.get("type") in _JSON_SCRIPTS
    )
    return f"{serialised[: end + len(written)]}<body>{scripts}</body></html>"


# The scripts trafilatura's metadata reads (metadata.extract_meta_json's XPath: `@type` equal to
# one of these, case and all)
_JSON_SCRIPTS = frozenset({"application/ld+json", "application/settings+json"})


def _choose(
    trace: Trace, settings: ExtractSettings, page_type: str, times: Callable[[str], int]
) -> list[Block] | None:
    """The blocks the model keeps, in output order (None: trafilatura's output stands, as on a
    page whose blocks were not judged). Comments come back when asked for, after the main text;
    a forum's replies are its content, in page order. `times`: how often the page shows a text,
    which the copy rule allows."""
    trace.lap("trafilatura")
    if not trace.blocks:
        return None
    return _judged(
        block_model.choose,
        trace,
        settings,
        page_type,
        times,
    )


def _shown(found: _Extracted, settings: ExtractSettings, chosen: list[Block] | None, trace: Trace) -> Content:
    """What Markdown and XML keep (links, images, emphasis): trafilatura's extraction, in place
    (it edits `found`), or the blocks the model `chosen`, from its elements. trafilatura's Markdown
    is only written when it is what the user sees; neither, when the outputs read neither
    (`settings.forms` empty: JSON lines, Parquet)."""
    if not settings.forms:
        return Content(markdown="", xml="")
    shown = content(found, settings, markdown=chosen is None)
    trace.lap("trafilatura")
    return shown if chosen is None else chosen_content(shown, [(b.tag, b.text) for b in chosen])


def _page_blocks(body: LexborNode, page_type: str, signals: PageSignals) -> list[Block]:
    """The page's blocks with their features, for the models to judge (those read from what
    trafilatura kept come with `judge_kept`, when it has run)."""
    context = page_features(
        page_type,
        signals.teasers,
        signals.repeated_posts,
        signals.code_blocks,
        signals.teaser_text_length / max(1, signals.text_length),
    )
    return page_blocks(body, None, context)


def _for_page_type(settings: ExtractSettings, page_type: str) -> ExtractSettings:
    """What the page type makes content, whatever the settings say: a forum's or Q&A page's posts
    and replies (trafilatura files them as comments), a documentation page's tables."""
    if page_type == "forum" and not settings.include_comments:
        return dataclasses.replace(settings, include_comments=True)
    if page_type == "documentation" and not settings.include_tables:
        return dataclasses.replace(settings, include_tables=True)
    return settings


def _junk_or_nothing(
    page: FetchedPage,
    facts: PageFacts,
    signals: PageSignals,
    trace: Trace,
    reason: str,
    *,
    settings: ExtractSettings,
) -> Document:
    """A page where nothing was extracted is junk when its signals say so; else it has no story."""
    trace.verdict = verdict = classify(signals, "", page.status)
    if verdict.skip_reason is not None:
        return _skipped(page, facts, signals, verdict, settings)
    raise NoMainContent(page.source, reason)


def _skipped(
    page: FetchedPage,
    facts: PageFacts,
    signals: PageSignals,
    verdict: Classification,
    settings: ExtractSettings,
) -> Document:
    """The record of a junk page: what it is and why it is skipped, its title, and no text."""
    title = _clean(signals.title) or _clean(signals.h1)
    return _textless(
        page,
        page_type=verdict.page_type,
        quality=verdict.quality,
        skip_reason=verdict.skip_reason,
        canonical_url=facts.canonical,
        title=title,
        description=_clean(facts.description),
        language=choose_language(facts.language, "", title, facts.description),
        metadata_mode=settings.metadata,
    )


def _textless(
    page: FetchedPage,
    *,
    page_type: str,
    quality: float,
    skip_reason: str | None,
    canonical_url: str | None = None,
    title: str | None = None,
    description: str | None = None,
    language: LanguageChoice = NO_LANGUAGE,
    metadata_mode: str,
) -> Document:
    """A record with no text: the one shape of "no article" (junk pages, pages without a story)."""
    return Document(
        url=page.url,
        final_url=page.final_url,
        canonical_url=canonical_url,
        source=page.source,
        title=title,
        authors=(),
        date=None,
        sitename=None,
        description=description,
        language=language.language,
        language_source=language.source,
        categories=(),
        tags=(),
        image=None,
        metadata_mode=metadata_mode,
        text="",
        fetched_at=page.fetched_at,
        status=page.status,
        warc_record_id=page.warc_record_id,
        page_type=page_type,
        quality=quality,
        skip_reason=skip_reason,
    )


def _refuse_unmarked(html: str, source: str) -> None:
    """Raise `NoMainContent` for a body with no markup to extract from: empty, or JSON."""
    if not html.strip():
        raise NoMainContent(source, "empty document: nothing to extract")
    if _is_json(html):  # an API answer served as text/html would read as one long paragraph
        raise NoMainContent(source, "not HTML: the body is a JSON document")


def _is_json(text: str) -> bool:
    """Whether a body is a JSON object or array rather than markup."""
    start = text.lstrip()[:1]
    if start not in ("{", "["):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def clean_html(
    html: str | bytes,
    *,
    url: str | None = None,
    settings: ExtractSettings | None = None,
    source: str = "-",
) -> Document:
    """Extract a `Document` from HTML: the Python API's shortcut around `extract`.

    `bytes` are decoded as a saved file is (BOM, `<meta>` charset, else detection); a `str` is
    taken as it is. A page without a story is not an error: it comes back as a `Document` with
    empty `text` and a `skip_reason` (see `extract_document`).
    """
    if isinstance(html, bytes):
        page = page_from_bytes(html, source=source, url=url, content_type="text/html")
    else:  # taken as it is
        body = _utf8(html)
        page = page_from_bytes(body, source=source, url=url, content_type="text/html", encoding="utf-8")
    return extract_document(page, settings or ExtractSettings())


def _utf8(html: str) -> bytes:
    """`html` in UTF-8. A str may hold surrogates (a JSON escape of half a character, a name read
    with surrogateescape): a pair of them is the character it stands for ("\\ud83d\\ude00", an
    emoji), a lone one a U+FFFD, as a decoder writes an undecodable byte (not three: its bytes
    written with surrogatepass and read back one by one)."""
    try:
        return html.encode("utf-8")
    except UnicodeEncodeError:
        return html.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


NO_MAIN_CONTENT = "no main content"


def extract_document(page: FetchedPage, settings: ExtractSettings) -> Document:
    """`extract`, with "no story" as an answer rather than an exception: the one shape of "no
    article" that `clean` and the Python API return. A page without main content becomes a
    `Document` of page type `empty`, quality 0, no text and `skip_reason` "no main content:
    REASON", like the junk pages `extract` already returns."""
    try:
        return extract(page, settings)
    except NoMainContent as exc:
        return no_article(page, exc, settings)


def no_article(page: FetchedPage, error: NoMainContent, settings: ExtractSettings) -> Document:
    """The record of a page without main content (see `extract_document`), read under `settings`."""
    return _textless(
        page,
        page_type="empty",
        quality=0.0,
        skip_reason=f"{NO_MAIN_CONTENT}: {error.reason}",
        metadata_mode=settings.metadata,
    )


# Main text holding less than this share of the prose the pre-pass left (text outside links) means
# trafilatura settled on the wrong block, usually because the pre-pass took a landmark it needed.
_MIN_PROSE_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class _Call:
    """How trafilatura is called for one page: `fast` skips its fallback extractors; its searches
    of the whole page for a title, categories and tags run only in `[extract] metadata = "full"`
    (`search_page`), and for a byline only then and when JSON-LD and meta tags declare no author."""

    fast: bool
    search_author: bool
    search_page: bool

    @classmethod
    def for_page(cls, settings: ExtractSettings, facts: PageFacts, page: FetchedPage) -> _Call:
        return cls(
            fast=settings.fast,
            search_author=settings.searches_page and not facts.declared_authors,
            search_page=settings.searches_page,
        )


def _extract_main(
    tree: LexborHTMLParser,
    html: str,
    url: str | None,
    settings: ExtractSettings,
    source: str,
    *,
    call: _Call,
    page_type: str,
    simplified: bool,
    trace: Trace,
    serialised: str | None = None,
) -> tuple[_Extracted, str]:
    """The trafilatura call strategy: the extraction and its plain text.

    One call, on the pre-passed page. Only when its text holds less than a quarter of the prose
    the pre-pass left is a second call made, on the page without the generic pre-pass (the
    user's keep/remove selectors still apply), as trafilatura's `fast` (its fallback extractors not
    compared), and the longer of the two texts wins. The second call's text keeps only what the
    pre-pass rules that take no landmark of the story leave (`_held_by_safe`): the page read whole
    lets trafilatura find a story the pre-pass misled it from, but also brought back a cookie
    preference centre's paragraphs, which outweighed the story.
    `serialised`: the pre-passed tree as HTML (`_serialise`), when it was written already.
    """
    page_html = _serialise(tree) if serialised is None else serialised
    if not settings.prepass:
        found = _run_trafilatura(page_html, url, settings, source, call=call, trace=trace)
        return found, plain_text(found.body)
    prose = prose_weight(tree.body) if tree.body is not None else 0
    first: tuple[_Extracted, str] | None = None
    with contextlib.suppress(NoMainContent):  # the second call may still find the story
        found = _run_trafilatura(page_html, url, settings, source, call=call, trace=trace)
        first = found, plain_text(found.body)
    if first is not None and len(first[1]) >= _MIN_PROSE_SHARE * prose:
        return first
    try:
        second_page = _explicit_only(html, settings, source, simplified=simplified)
        # without trafilatura's fallback extractors (`fast`): compared on the whole page they cost
        # about 40% of this call and changed its text on one of the corpus sample's 14 second calls
        fast = dataclasses.replace(call, fast=True)
        found = _run_trafilatura(second_page, url, settings, source, call=fast, trace=trace)
    except NoMainContent:
        if first is None:
            raise
        return first
    if remove_unheld([b for b in (found.body, found.commentsbody) if b is not None],
                     _held_by_safe(second_page, settings, source, page_type)):  # fmt: skip
        found.text = xmltotxt(found.body, True)  # the Markdown, as trafilatura writes it
        if found.commentsbody is not None:
            found.comments = xmltotxt(found.commentsbody, True)
    second = found, plain_text(found.body)
    return second if first is None or len(second[1]) > len(first[1]) else first


def _held_by_safe(second_page: str, settings: ExtractSettings, source: str, page_type: str) -> str:
    """The text of the page the second call read (`_explicit_only`: the user's selectors applied,
    simplified if it had to be) once the pre-pass rules that take no landmark of the story
    (`strip_clutter`'s `safe_only`: scripts, consent boxes, share bars) have run too: what the
    second call may keep. The user's selectors run again, to protect what `keep` kept."""
    tree = parse_html(second_page, source)
    strip_clutter(tree, settings, page_type, safe_only=True)
    return tree.body.text(deep=True, separator=" ") if tree.body is not None else ""


# Void elements libxml2 (under trafilatura) does not know: it nests what follows them inside them,
# then drops them with their "children" (a paragraph after an <embed> vanished). They hold no text.
_UNKNOWN_VOIDS = "embed, source, track, keygen, wbr"


def _serialise(tree: LexborHTMLParser) -> str:
    """The pre-passed tree as HTML that lxml parses back into the same structure."""
    for node in tree.css(_UNKNOWN_VOIDS):
        node.decompose()
    return tree.html or ""


def _explicit_only(html: str, settings: ExtractSettings, source: str, *, simplified: bool) -> str:
    """The page with only the user's keep/remove selectors applied, none of the generic rules.

    A page that had to be `simplified` (bounds.py) is simplified again: the page as sent is
    what made that necessary.
    """
    if not (simplified or settings.keep or settings.remove):
        return html
    tree = parse_html(html, source)
    if simplified:
        simplify(tree, source)
    strip_clutter(tree, dataclasses.replace(settings, prepass=False))
    return tree.html or ""


def _run_trafilatura(
    html: str, url: str | None, settings: ExtractSettings, source: str, *, call: _Call, trace: Trace
) -> _Extracted:
    """One trafilatura call: markdown, metadata and the body tree, from one parse of the page."""
    trace.extractions += 1
    tree = load_html(html)
    if tree is None:
        raise NoMainContent(source, "the extractor found no main text block")
    meta = _metadata(tree, url, call, html)  # first: the extraction below prunes its copy of the tree
    found = trafilatura.bare_extraction(
        tree,
        url=meta.url or url,
        fast=call.fast,
        with_metadata=False,
        include_formatting=True,
        include_links=True,
        include_images=settings.include_images,
        include_comments=settings.include_comments,
        include_tables=settings.include_tables,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
    )
    # trafilatura reports "nothing found" (too short, unparsable, ...) by returning None
    if not isinstance(found, _Extracted) or found.body is None:
        raise NoMainContent(source, "the extractor found no main text block")
    unwrap(found.body)  # so the text, the Markdown and the XML have no source line wraps
    if found.commentsbody is not None:
        unwrap(found.commentsbody)
    for name in _METADATA_FIELDS:
        setattr(found, name, getattr(meta, name))
    return found


def _date_search(
    facts: PageFacts, html: str, tree: LexborHTMLParser, page: FetchedPage, settings: ExtractSettings
) -> Callable[[], str | None]:
    """htmldate's date of the intact page (`html`, and `tree` before the pre-pass), as a search
    to run once the page's record needs it (`_document`): a page judged junk, or without a story,
    has a record without a date, and htmldate's search, the costliest metadata step, is not run
    for it. What the search reads of the tree (its text) is read now, before the pre-pass.

    The date is searched only when JSON-LD and meta tags state no plausible date (nothing
    outranks theirs), and never for `[extract] metadata = "stated"`; for "markup", the date
    elements are read on our own tree (`marked_date`), now, and htmldate is never run. Its
    search of the text counts only when the text writes out that full day: a year or a month alone ("1999
    treadmill", "© 2019") is no date, and then only the markup is searched (and if the search of
    the text finds nothing, neither does the markup's count); `fast` searches the markup alone.

    A text that writes out no day at all (`states_some_day`) can state none the search of the
    text finds: there the markup's date is the answer, the text's search asked only whether it
    finds a date at all, and only when the markup's does (most often it does not, and the
    search of the text is the costly one)."""
    if not settings.searches_page or stated_date(facts, fetched_at=page.fetched_at) is not None:
        return _no_search
    if not settings.searches_date:  # "markup": the date elements alone, read before the pre-pass
        return functools.partial(_given, marked_date(tree))
    url = facts.canonical or page.final_url or page.url
    in_text = functools.partial(_find_date, html, url, extensive=True)
    in_markup = functools.partial(_find_date, html, url, extensive=False)
    if settings.fast:
        return in_markup
    text = tree.root.text(deep=True, separator=" ") if tree.root is not None else ""
    return functools.partial(_searched_date, text, in_text, in_markup)


def _find_date(html: str, url: str | None, *, extensive: bool) -> str | None:
    """htmldate's date of the page (its `extensive` search, or its markup's), None where lxml
    refuses a text htmldate's cleaning made: a control character the page holds, moved into an
    element's tail when a script is dropped (ValueError; the fuzz test's page), is the page's
    missing date, not its failure."""
    try:
        return find_date(html, **{**set_date_params(extensive), "url": url})
    except ValueError:
        return None


def _searched_date(
    text: str, in_text: Callable[[], str | None], in_markup: Callable[[], str | None]
) -> str | None:
    """htmldate's date (`_date_search`): the search of the text (`in_text`) where the page's
    `text` writes out the day it finds, else the search of the markup (`in_markup`)."""
    if states_some_day(text):
        guess = in_text()
        if guess is None:  # nothing in the markup either
            return None
        day = iso_day(guess)
        return guess if day is None or states_day(text, day) else in_markup()
    # htmldate writes a found date as YYYY-MM-DD: a day, never stated here, so never kept
    found = in_markup()
    return None if found is not None and in_text() is None else found


def _given(day: str | None) -> str | None:
    """A date search made already: `metadata = "markup"`'s, on the tree before the pre-pass."""
    return day


def _no_search() -> str | None:
    """The date search of a page that states its date, or of a run that searches nothing."""
    return None


_METADATA_FIELDS = ("title", "author", "url", "hostname", "description", "sitename", "date", "categories",
                    "tags", "image")  # fmt: skip


def _metadata(
    tree: HtmlElement, url: str | None, call: _Call, html: str | None = None, *, last: bool = False
) -> _Extracted:
    """trafilatura's metadata (its `extract_metadata`, step by step), with its searches over the
    whole page made only when `call` asks: htmldate's for a date (never: `_date_search` has it), the
    XPaths for a byline (`search_author`; bylines.search, which skips them on a page `html`, the
    markup `tree` was parsed from, where they can find nothing), a title (headings), categories and
    tags (links; `search_page`). Nothing the page states in its meta tags, JSON-LD or `<title>` is
    skipped. The byline is searched for last, as no other step reads it: when `last` (nothing reads
    `tree` after this), in the tree itself, which its search prunes."""
    steps = _trafilatura_metadata
    meta = steps.examine_meta(tree)
    if meta.author and " " not in meta.author:  # trafilatura's rule: one word is no name
        meta.author = None
    with contextlib.suppress(Exception):  # trafilatura guards its own JSON-LD reader the same way
        meta = _stated_json(tree, meta)
    meta.title = meta.title or (steps.extract_title(tree) if call.search_page else _stated_title(tree))
    meta.url = meta.url or steps.extract_url(tree, url)
    meta.sitename = meta.sitename or steps.extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url and (match := steps.META_URL.match(meta.url)):
        # its host: trafilatura's pattern takes the whole netloc, a password in it included
        meta.sitename = match[1].rpartition("@")[2]
    if call.search_page:
        names = None if meta.categories and meta.tags else catstags.Names.of(tree)
        meta.categories = meta.categories or catstags.search("category", tree, names)
        meta.tags = meta.tags or catstags.search("tag", tree, names)
    else:  # what extract_catstags falls back on: the sections the head's meta tags state
        meta.categories = meta.categories or [
            element.attrib["content"] for element in tree.xpath(catstags.STATED_SECTIONS)
        ]
    if not meta.author and call.search_author:
        meta.author = bylines.search(tree, html, last=last)
    meta.clean_and_trim()
    return meta


# the scripts trafilatura's `extract_meta_json` reads, as its XPath names them
_JSON_XPATH = ".//script[" + " or ".join(f'@type="{kind}"' for kind in sorted(_JSON_SCRIPTS)) + "]"


def _stated_json(tree: HtmlElement, meta: _Extracted) -> _Extracted:
    """trafilatura's `extract_meta_json`, step for step, on each document as far as our own
    reader reads it (`metadata.within_bound`): it reads every value, and its cost grows faster
    than the values (a NewsArticle listing 300,000 authors took 20 s, past extract.timeout)."""
    steps = _trafilatura_json
    for element in tree.xpath(_JSON_XPATH):
        if not element.text:
            continue
        text = steps.normalize_json(_trafilatura_metadata.JSON_MINIFY.sub(r"\1", within_bound(element.text)))
        try:
            meta = steps.extract_json(json.loads(text, strict=False), meta)
        except json.JSONDecodeError:
            meta = steps.extract_json_parse_error(text, meta)
    return meta


def _stated_title(tree: HtmlElement) -> str | None:
    """The page's `<title>` as trafilatura reads it when no heading settles it: the part before
    or after a separator ("Story | Site") that is not a host name, else the whole."""
    title, first, second = _trafilatura_metadata.examine_title_element(tree)
    return next((t for t in (first, second) if t and "." not in t), title or None)


def _with_comments(found: _Extracted, text: str, settings: ExtractSettings) -> tuple[str, str]:
    """The plain text, and the Markdown the quality score reads (its link density), comments added
    when they are kept. That Markdown is trafilatura's, links kept and images not, so that
    --links and --images change what is shown, never the verdict."""
    if settings.include_images:
        markdown = tidy_markdown(xmltotxt(without_images(found.body), True))
    else:
        markdown = tidy_markdown(found.text or "")
    if settings.include_comments and found.commentsbody is not None:
        markdown = "\n\n".join(filter(None, (markdown, tidy_markdown(found.comments or ""))))
        text = "\n".join(filter(None, (text, plain_text(found.commentsbody))))
    return text, markdown


def _clean(value: str | None) -> str | None:
    """Whitespace-normalised and composed (NFC), or None when nothing is left."""
    return composed(" ".join((value or "").split())) or None


def _clean_address(value: str | None) -> str | None:
    """A URL whitespace-normalised, or None when nothing is left; never composed (NFC): its
    characters are its bytes once percent-encoded, and "cafe" + U+0301 is another file than "café"."""
    return " ".join((value or "").split()) or None


def _clean_list(values: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (_clean(v) for v in values or ()) if v))
