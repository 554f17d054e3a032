"""The cascade: the first model judges a page before trafilatura, whose extraction runs only where
that model is unsure; its artifact is checked as the main one is."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.config import ExtractSettings
from scraper.extract import model, pipeline
from scraper.extract.blocks import (
    FEATURE_NAMES,
    FIRST_FEATURE_NAMES,
    MAIN_FEATURE_NAMES,
    TRAFILATURA_FEATURES,
    VOTE_FEATURES,
    Block,
    page_blocks,
    page_features,
)
from scraper.extract.pipeline import Trace, extract
from scraper.models import Document
from tests.factories import fetched_page

FOLDER = resources.files("scraper.extract")
STORY = (
    "<p>The harbour board met on Tuesday to agree the summer timetable for the ferries, which will"
    " add two early crossings on weekdays and a late one on Saturdays.</p>"
    "<p>Board members said the extra sailings respond to a survey in which shift workers asked for"
    " a crossing before six in the morning, when the first boat now leaves at seven.</p>"
)
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Ferry timetable</title>"
    "<meta name='author' content='Ann Lindqvist'><meta name='description' content='More ferries.'>"
    "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>More ferries"
    f" this summer</h1>{STORY}</article><footer><p>Copyright the Harbour Gazette, all rights"
    " reserved.</p></footer></body></html>"
)


class _ByText:
    """A stand-in first model: content for blocks of the story, boilerplate for the others, or the
    same `unsure` probability for every block."""

    def __init__(self, unsure: float | None = None) -> None:
        self.unsure = unsure
        self.rows = 0

    def predict(self, matrix: Any, **_: Any) -> list[list[float]]:
        assert matrix.shape[1] == len(FIRST_FEATURE_NAMES)  # no feature of trafilatura's output
        self.rows += len(matrix)
        log_words = FIRST_FEATURE_NAMES.index("log_words")
        out = []
        for row in matrix:
            p = self.unsure if self.unsure is not None else (0.97 if row[log_words] > 3 else 0.02)
            out.append([1 - p, p, 0.0])
        return out


class _MainByText:
    """A stand-in main model: content for blocks of the story, boilerplate for the others."""

    def predict(self, matrix: Any, **_: Any) -> list[list[float]]:
        assert matrix.shape[1] == len(MAIN_FEATURE_NAMES)
        log_words = MAIN_FEATURE_NAMES.index("log_words")
        return [[0.02, 0.98, 0.0] if row[log_words] > 3 else [0.98, 0.02, 0.0] for row in matrix]


@pytest.fixture
def first() -> Iterator[Any]:
    """Use a stand-in first model beside the shipped main one (then the shipped ones again)."""

    def use(stand_in: _ByText) -> None:
        model.use(model._shipped(), stand_in)

    yield use
    model.use_shipped()


def _extract(settings: ExtractSettings | None = None) -> tuple[Document, Trace]:
    trace = Trace()
    document = extract(
        fetched_page(PAGE, url="https://gazette.example/ferries"), settings or ExtractSettings(), trace
    )
    return document, trace


def test_a_page_the_first_model_is_sure_of_skips_trafilatura(first: Any) -> None:
    """Sure of every block: its blocks are the text and trafilatura's extraction never runs."""
    stand_in = _ByText()
    first(stand_in)
    document, trace = _extract()
    assert trace.extractions == 0
    assert stand_in.rows == len(trace.blocks) > 0
    assert trace.chosen is not None
    assert document.text.splitlines() == [b.text for b in trace.chosen]
    assert (
        "harbour board" in document.text and "Copyright" not in document.text and "Home" not in document.text
    )
    assert "<main>" in (document.xml or "") and "harbour board" in (document.markdown or "")


def test_the_cascade_leaves_the_metadata_and_the_record_as_they_were(first: Any) -> None:
    """Title, author, description, date, language and page type are what trafilatura's path gives."""
    first(_ByText())
    skipped, trace = _extract()
    assert trace.extractions == 0
    model.use(model._shipped(), None)
    full, trace = _extract()
    assert trace.extractions == 1
    same = ("title", "authors", "description", "sitename", "date", "language", "page_type", "canonical_url")
    assert {f: getattr(skipped, f) for f in same} == {f: getattr(full, f) for f in same}
    assert skipped.title == "More ferries this summer" and skipped.authors == ("Ann Lindqvist",)
    assert [f.name for f in dataclasses.fields(skipped)] == [f.name for f in dataclasses.fields(full)]


def test_an_unsure_first_model_leaves_the_page_to_trafilatura(first: Any) -> None:
    """Unsure of the page (every block at 0.5): trafilatura runs and its kept features are filled."""
    first(_ByText(unsure=0.5))
    document, trace = _extract()
    assert trace.extractions == 1
    assert "harbour board" in document.text
    kept = FEATURE_NAMES.index("kept")
    assert any(b.features[kept] > 0 for b in trace.blocks)  # judge_kept ran after trafilatura


@pytest.mark.parametrize(
    "setting", [{"cascade": False}, {"favor_precision": True}, {"favor_recall": True}, {"prepass": False}]
)
def test_settings_that_turn_the_cascade_off(first: Any, setting: dict[str, Any]) -> None:
    """`cascade = false`, trafilatura's precision or recall mode, and `prepass = false` (the first
    model learnt pre-passed pages only) run trafilatura on every page."""
    stand_in = _ByText()
    first(stand_in)
    _, trace = _extract(dataclasses.replace(ExtractSettings(), **setting))
    assert trace.extractions == 1
    assert stand_in.rows == 0  # the first model was not even asked


def test_a_page_the_cascade_is_sure_of_builds_no_renderings_unless_asked(first: Any) -> None:
    """With `forms` empty (JSON lines, Parquet) the cascade builds no Markdown or XML either, and
    the rest of the record is the same as with them."""
    first(_ByText())
    full, _ = _extract()
    bare, trace = _extract(ExtractSettings(forms=frozenset()))
    assert trace.extractions == 0 and "harbour board" in bare.text
    assert "<main>" in (full.xml or "") and (bare.markdown, bare.xml) == ("", "")
    assert bare.to_record() == full.to_record()


def test_an_unsure_page_whose_blocks_are_its_text_leaves_trafilatura_text_unread_without_forms(
    first: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where trafilatura runs and the main model's blocks are the text, trafilatura's text is not
    joined as the page reads it nor cleared of copies when no Markdown or XML is built (`forms`
    empty: the text, JSON lines, Parquet): nothing reads it. With forms, its elements give the
    blocks' Markdown and XML, so it is. The record is the same either way."""
    model.use(_MainByText(), _ByText(unsure=0.5))
    edits: list[str] = []

    def spy(name: str) -> Callable[..., bool]:
        edit = getattr(pipeline, name)

        def run(*args: Any, **kwargs: Any) -> bool:
            edits.append(name)
            return bool(edit(*args, **kwargs))

        return run

    for name in ("_as_the_page_reads", "_without_copies"):
        monkeypatch.setattr(pipeline, name, spy(name))
    full, trace = _extract()
    assert trace.extractions == 1 and trace.chosen is not None
    assert edits == ["_as_the_page_reads", "_without_copies"]
    edits.clear()
    bare, trace = _extract(ExtractSettings(forms=frozenset()))
    assert trace.extractions == 1 and trace.chosen is not None
    assert edits == []
    assert "harbour board" in bare.text and bare.to_record() == full.to_record()


@pytest.mark.parametrize("setting", ["include_links", "include_images", "include_formatting"])
def test_links_images_or_emphasis_take_trafilatura_elements_around_the_same_text(
    first: Any, setting: str
) -> None:
    """What only trafilatura's elements give runs its extraction, for the Markdown and XML; the
    text is still the first model's, the same as without the setting."""
    first(_ByText())
    plain, _ = _extract()
    changes: dict[str, Any] = {setting: True}
    rich, trace = _extract(dataclasses.replace(ExtractSettings(), **changes))
    assert trace.extractions == 1
    assert trace.chosen is not None and rich.text == plain.text == "\n".join(b.text for b in trace.chosen)


def test_sure_keeps_and_drops_and_allows_a_small_unsure_share() -> None:
    """Sure blocks decide; unsure ones up to FIRST_UNSURE of the text are kept at 0.5; more is no answer."""
    rows = [[0.05, 0.95, 0.0], [0.4, 0.6, 0.0], [0.95, 0.05, 0.0], [0.6, 0.4, 0.0]]
    assert model.sure(rows, [100, 10, 100, 10]) == [model.CONTENT, model.CONTENT, model.BOILERPLATE, 0]
    assert model.sure(rows, [100, 40, 100, 40]) is None  # 80 of 280 characters unsure
    assert model.sure([[0.9, 0.1, 0.0]], [10]) is None  # nothing kept: trafilatura decides


def test_a_block_wanted_at_three_quarters_is_sure_enough() -> None:
    """A block the first model wants at 0.77 (FIRST_KEEP 0.75) is kept surely: a page whose story
    it holds is the first model's, and trafilatura's extraction is not run; one at 0.72 is still
    unsure, and where it holds most of the text the page is not the first model's."""
    kept, doubted = [0.23, 0.77, 0.0], [0.28, 0.72, 0.0]
    assert model.sure([kept, [0.95, 0.05, 0.0]], [400, 100]) == [model.CONTENT, model.BOILERPLATE]
    assert model.sure([doubted, [0.95, 0.05, 0.0]], [400, 100]) is None


def test_an_unsure_block_trafilatura_rules_remove_is_dropped() -> None:
    """An unsure block (a byline, a "Related posts" label) goes where trafilatura's own rules
    remove at least VOTE of its text; a sure one stays whatever they say, and the page stays sure."""
    rows = [[0.05, 0.95, 0.0], [0.4, 0.6, 0.0], [0.4, 0.6, 0.0], [0.05, 0.95, 0.0]]
    votes = [1.0, 1.0, 0.0, 0.0]
    sizes = [200, 10, 10, 200]
    assert model.sure(rows, sizes) == [model.CONTENT] * 4
    assert model.sure(rows, sizes, votes=votes) == [
        model.CONTENT,
        model.BOILERPLATE,
        model.CONTENT,
        model.CONTENT,
    ]


def test_trafilatura_rules_removing_the_story_itself_vote_on_no_block() -> None:
    """Where trafilatura's rules remove most of what the first model is sure of (the story sits
    in a wrapper whose class names "hidden" or "message"), their vote tells nothing of a paragraph:
    the story's doubted last paragraph, in that wrapper too, is kept as the model leans; a doubted
    label they remove (a photo's credit) still goes. Where they spare the story, the paragraph
    voted out goes too, as before."""
    c, b = model.CONTENT, model.BOILERPLATE
    last = "One thing is not in dispute: the ferries are back."
    texts = [STORY_TEXT, OTHER_TEXT, last, "Photo: Jane Doe", "Share this"]
    rows = [SURE, SURE, UNSURE, UNSURE, GONE]
    sizes = [len(t) for t in texts]
    assert model.sure(rows, sizes, texts=texts, votes=[1.0] * 5) == [c, c, c, b, b]
    assert model.sure(rows, sizes, texts=texts, votes=[0.0, 0.0, 1.0, 1.0, 1.0]) == [c, c, b, b, b]


def test_trafilatura_rules_removing_the_story_itself_keep_no_list_from_its_items() -> None:
    """Where trafilatura runs (`decide`) and its rules remove most of what the model is sure of (a
    list page whose entries sit in an element they discard), their vote tells no item from the
    rest: the entries the model doubts in a run of alike siblings are the page's items, kept; where
    they spare what the model is sure of and remove only the doubted entries, those stay dropped."""
    c, b = model.CONTENT, model.BOILERPLATE
    authors = "Jane Doe, John Roe, Ann Poe, Max Moe and Eve Lee"  # no label: more than LABEL_WORDS
    others = "Bo Day, Al Fry, Di Gee, Ed Hay and Cy Ives"
    texts = ["Recent papers", "Title: Ferries at dawn", authors, "Title: Night boats", others]
    rows = [SURE, SURE, UNSURE, SURE, UNSURE]
    sizes = [len(t) for t in texts]
    trafilatura = [1.0, 0.0, 0.0, 0.0, 0.0]
    runs = [0, 4, 4, 4, 4]
    voted = model.decide(rows, trafilatura, sizes, texts=texts, votes=[1.0] * 5, runs=runs)
    assert voted == [c, c, c, c, c]
    spared = model.decide(rows, trafilatura, sizes, texts=texts, votes=[0.0, 0.0, 1.0, 0.0, 1.0], runs=runs)
    assert spared == [c, c, b, c, b]


def test_a_heading_closing_the_text_goes() -> None:
    """A heading the first model is sure of, after which no block is kept ("Related posts" over a
    dropped rail, two such headings in a row), heads nothing a reader gets and goes; a heading
    with a kept paragraph after it stays, and so does a page's title where it is all that is kept."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, "Related posts", "Tags", "Night boats return in June", OTHER_TEXT]
    sizes = [1000, 13, 4, 26, 1000]
    tags = ["p", "h2", "h3", "div", "p"]
    closing = [SURE, SURE, SURE, GONE, GONE]
    assert model.sure(closing, sizes, texts=texts, tags=tags) == [c, b, b, b, b]
    assert model.sure(closing, sizes, texts=texts) == [c, c, c, b, b]  # no tags: no headings known
    heading = [SURE, SURE, SURE, GONE, SURE]
    assert model.sure(heading, sizes, texts=texts, tags=tags) == [c, c, c, b, c]
    assert model.sure([SURE, GONE], [20, 1000], texts=["Ferries", STORY_TEXT], tags=["h1", "p"]) == [c, b]


def _first_choice(
    html: str, rows: Callable[[list[Block]], list[list[float]]]
) -> tuple[list[Block], list[Block] | None]:
    """An article's blocks, and `model.first_choice` of them with a first model whose rows (one
    per block: boilerplate, content, comment) are `rows(blocks)`; the shipped model after."""
    body = LexborHTMLParser(html).body
    assert body is not None
    blocks = page_blocks(body, None, page_features("article", 0, 0, 0))

    class Rows:
        def predict(self, matrix: Any) -> Any:
            return rows(blocks)

    model.use(None, Rows())
    try:
        return blocks, model.first_choice(blocks)
    finally:
        model.use_shipped()


def test_first_choice_reads_trafilatura_rules_vote() -> None:
    """first_choice gives `sure` each block's discarded share (blocks.DISCARDED): the byline in a
    <span class="byline">, unsure to the first model, is not in the text."""
    unsure = [[0.05, 0.95, 0.0], [0.4, 0.6, 0.0]]
    blocks, chosen = _first_choice(
        "<article><p>A first paragraph of the story, long enough to be sure of it.</p>"
        "<div><span class='byline'>By Jane Doe</span></div></article>",
        lambda blocks: unsure[: len(blocks)],
    )
    assert chosen is not None and [b.text for b in chosen] == [blocks[0].text]


STORY_TEXT = (
    "A paragraph of the story, long enough for the model to be sure it is the story: the ferries"
    " will add two early crossings on weekdays and a late one on Saturdays, the board said."
)
OTHER_TEXT = (
    "Another paragraph of the story, as long: shift workers had asked for a crossing before six"
    " in the morning, when the first boat now leaves at seven, a survey of the board found."
)
SURE, UNSURE, GONE = [0.05, 0.95, 0.0], [0.4, 0.6, 0.0], [0.95, 0.05, 0.0]


def _sure(rows: list[list[float]], texts: list[str], votes: list[float] | None = None) -> list[int] | None:
    return model.sure(rows, [len(t) for t in texts], texts=texts, votes=votes)


def test_a_short_unsure_label_heading_what_is_dropped_goes() -> None:
    """A label of at most LABEL_WORDS words the model is unsure of ("Lea también", "0 Kommentare")
    goes when the block after it is dropped (a rail of links, a comment area) or the page ends; a
    longer one, or one heading what is kept (a section heading), stays."""
    label, rail, long = (
        "Auch interessant:",
        "Ten teasers of other stories",
        "A sentence of six words, unsure.",
    )
    c, b = model.CONTENT, model.BOILERPLATE
    assert _sure([SURE, UNSURE, GONE], [STORY_TEXT, label, rail]) == [c, b, b]
    assert _sure([SURE, UNSURE], [STORY_TEXT, label]) == [c, b]  # nothing after it
    assert _sure([SURE, UNSURE, GONE], [STORY_TEXT, long, rail]) == [c, c, b]
    assert _sure([SURE, UNSURE, SURE], [STORY_TEXT, label, OTHER_TEXT]) == [c, c, c]
    # sure of it, it stays; but not a rail's own heading the text closes on (model._unasked)
    assert _sure([SURE, SURE, GONE], [STORY_TEXT, "0 Kommentare", rail]) == [c, c, b]
    assert _sure([SURE, SURE, GONE], [STORY_TEXT, label, rail]) == [c, b, b]


def test_where_comments_are_wanted_a_post_header_amid_dropped_blocks_stays() -> None:
    """On a forum (comments wanted), a post's user name and date, short and unsure, between
    dropped blocks (an avatar's caption, a "Reply" button) stay: its readers want them."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, "Avatar", "lgans316", "Reply", "Sep 21, 2024", "Report", OTHER_TEXT]
    rows = [SURE, GONE, UNSURE, GONE, UNSURE, GONE, SURE]
    sizes = [len(t) for t in texts]
    assert model.sure(rows, sizes, texts=texts, comments=True) == [c, b, c, b, c, b, c]
    assert model.sure(rows, sizes, texts=texts) == [c, b, b, b, b, b, c]


def test_an_articles_text_is_the_same_with_its_comments_wanted() -> None:
    """include_comments on an article (not a thread): the label heading a dropped rail still goes,
    and the comment after the story is kept; only a thread (a forum) keeps its short blocks."""
    c, b, m = model.CONTENT, model.BOILERPLATE, model.COMMENT
    texts = [STORY_TEXT, "Auch interessant:", "Ten teasers of other stories", OTHER_TEXT]
    rows = [SURE, UNSURE, GONE, [0.05, 0.0, 0.95]]
    sizes = [len(t) for t in texts]
    assert model.sure(rows, sizes, texts=texts) == [c, b, b, b]
    assert model.sure(rows, sizes, texts=texts, comments=True, thread=False) == [c, b, b, m]
    assert model.sure(rows, sizes, texts=texts, comments=True, thread=True) == [c, c, b, m]
    assert model.sure(rows, sizes, texts=texts, comments=True) == [c, c, b, m]  # thread by default


def test_a_short_block_continuing_the_kept_run_before_it_is_no_label() -> None:
    """The last item of a kept list, short and unsure, at the end of the text, has the tag of the
    kept block before it: it continues that list and stays; after a paragraph it is a label."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, "ls -- List the files here.", "mkdir -- Create a directory."]
    rows = [SURE, SURE, UNSURE]
    assert model.sure(rows, [len(t) for t in texts], texts=texts, tags=["p", "li", "li"]) == [c, c, c]
    assert model.sure(rows, [len(t) for t in texts], texts=texts, tags=["p", "p", "li"]) == [c, c, b]
    body = LexborHTMLParser("<ul><li>An item</li></ul><address>An address</address>").body
    assert body is not None
    seen = [model.tag_seen(b.features) for b in page_blocks(body, None, page_features("article", 0, 0, 0))]
    assert seen == ["li", ""]  # the tags the models read, and no other


def test_a_section_heading_above_a_photo_heads_the_text_after_the_photo() -> None:
    """A story's short section heading the model doubts, then a photo whose credit is dropped
    ("Photo: Reuters"), then the section's text: the heading heads the text, not the credit, and
    stays; a caption is looked past on both sides, so a heading over a photo closing the page, or
    a label over a rail that starts with one, still goes."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, "What happens next", "Photo: Reuters", OTHER_TEXT]
    rows, sizes = [SURE, UNSURE, GONE, SURE], [len(t) for t in texts]
    tags = ["p", "h2", "figcaption", "p"]
    assert model.sure(rows, sizes, texts=texts, tags=tags) == [c, c, b, c]
    assert model.sure(rows[:3], sizes[:3], texts=texts[:3], tags=tags[:3]) == [c, b, b]
    rail = [STORY_TEXT, "Most read", "Photo: AP", "Ten teasers of other stories"]
    rows = [SURE, UNSURE, GONE, GONE]
    assert model.sure(rows, [len(t) for t in rail], texts=rail, tags=tags) == [c, b, b, b]


def test_first_choice_keeps_a_section_heading_above_a_photo() -> None:
    """The same through the blocks of a page: `<h2>` then a `<figure>` whose caption the model
    drops, then the section's paragraphs; the cascade keeps the heading."""
    by_text = {"What happens next": UNSURE, "Photo: Reuters": GONE}
    blocks, chosen = _first_choice(
        f"<article><h1>Ferries</h1><p>{STORY_TEXT}</p><h2>What happens next</h2>"
        "<figure><img src='a.jpg'><figcaption>Photo: Reuters</figcaption></figure>"
        f"<p>{OTHER_TEXT}</p></article>",
        lambda blocks: [by_text.get(b.text, SURE) for b in blocks],
    )
    texts = ["Ferries", STORY_TEXT, "What happens next", "Photo: Reuters", OTHER_TEXT]
    assert [b.text for b in blocks] == texts
    assert chosen is not None and [b.text for b in chosen] == [t for t in texts if t != "Photo: Reuters"]


def test_an_unsure_block_amid_dropped_ones_goes() -> None:
    """An unsure block of any length whose neighbours are both dropped (or the page's edge) is an
    island in the boilerplate; beside a kept block it stays."""
    c, b = model.CONTENT, model.BOILERPLATE
    island = "A line of text between two rails, which the model doubts."
    texts = [STORY_TEXT, "Most read", island, "Share this", OTHER_TEXT]
    assert _sure([SURE, GONE, UNSURE, GONE, SURE], texts) == [c, b, b, b, c]
    assert _sure([UNSURE, GONE, SURE, SURE], [island, "Menu", STORY_TEXT, OTHER_TEXT]) == [b, b, c, c]
    assert _sure([SURE, UNSURE, GONE, SURE], [STORY_TEXT, island, "Share this", OTHER_TEXT]) == [c, c, b, c]


def test_a_sure_short_block_trafilatura_rules_remove_closing_the_text_goes() -> None:
    """A byline the first model is sure of, in an element trafilatura's rules remove, goes where
    it closes the text (nothing kept after it), as trafilatura would drop it; a sure paragraph in
    such an element, or the same byline before kept text, stays."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, "By Jane"]
    assert _sure([SURE, SURE], texts, votes=[0.0, 1.0]) == [c, b]
    assert _sure([SURE, SURE], texts, votes=[0.0, 0.0]) == [c, c]
    assert _sure([SURE, SURE], [STORY_TEXT, OTHER_TEXT], votes=[0.0, 1.0]) == [c, c]
    assert _sure([SURE, SURE, SURE], [*texts, OTHER_TEXT], votes=[0.0, 1.0, 0.0]) == [c, c, c]


def test_first_choice_drops_a_sure_byline_closing_the_story() -> None:
    """The page of the last closing note: a story, then `<div class="byline">By Jane</div>` the
    first model is sure of; the cascade leaves it out, as --no-cascade does."""
    blocks, chosen = _first_choice(
        f"<article><h1>Ferries</h1><p>{STORY_TEXT}</p><p>{OTHER_TEXT}</p>"
        "<div class='byline'>By Jane</div></article>",
        lambda blocks: [[0.1, 0.9, 0.0]] * len(blocks),
    )
    assert chosen is not None and [b.text for b in chosen] == [b.text for b in blocks[:-1]]
    assert blocks[-1].text == "By Jane"


def test_sure_drops_comments_unless_they_are_wanted() -> None:
    """A block taken for a comment is dropped without comments and kept, as a comment, with them."""
    rows = [[0.0, 1.0, 0.0], [0.05, 0.1, 0.85]]
    assert model.sure(rows, [50, 50]) == [model.CONTENT, model.BOILERPLATE]
    assert model.sure(rows, [50, 50], comments=True) == [model.CONTENT, model.COMMENT]


def test_the_shipped_first_artifact_matches_its_manifest() -> None:
    """The packaged first model is the one its manifest describes and reads the features but
    trafilatura's; a mismatch is named."""
    data = FOLDER.joinpath(model.FIRST_ARTIFACT).read_bytes()
    described = json.loads(FOLDER.joinpath(model.FIRST_MANIFEST).read_text(encoding="utf-8"))
    assert model.mismatch(data, json.dumps(described), model.FIRST) is None
    assert described["feature_names"] == list(FIRST_FEATURE_NAMES)
    assert not set(TRAFILATURA_FEATURES) & set(described["feature_names"])
    assert not set(VOTE_FEATURES) & set(described["feature_names"])
    assert described["feature_count"] == len(FEATURE_NAMES) - len(TRAFILATURA_FEATURES) - len(VOTE_FEATURES)
    # the main model's manifest is not the first model's
    main = json.loads(FOLDER.joinpath(model.MANIFEST).read_text(encoding="utf-8"))
    main["artifact_sha256"] = described["artifact_sha256"]
    assert "features per block" in str(model.mismatch(data, json.dumps(main), model.FIRST))
    assert "another digest" in str(model.mismatch(data + b"x", json.dumps(described), model.FIRST))
    model._load.cache_clear()
    try:
        assert model._first_shipped() is not None
    finally:
        model._load.cache_clear()


def test_a_mismatched_first_artifact_is_a_warning_and_no_cascade(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its manifest the first model is not used, a warning says so, and trafilatura runs."""
    monkeypatch.setattr(model, "FIRST", model.Kind(model.FIRST_ARTIFACT, "missing.json", FIRST_FEATURE_NAMES))
    model._load.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="scraper.extract.model"):
            assert model._first_shipped() is None
            assert not model.first_available()
            _, trace = _extract()
        assert trace.extractions == 1
        assert "block_model_first.txt.gz is not used (trafilatura runs on every page instead)" in caplog.text
    finally:
        model._load.cache_clear()


LEANS = [0.7, 0.3, 0.0]  # doubted, leaning to drop (kept at 0.5 or more, so dropped here)
PARAGRAPH = (
    "Additional reporting by Ann Lindqvist and Per Holm in the harbour office; editing by Jane"
    " Doe and the night desk."
)  # PARAGRAPH_WORDS or more, under ISLAND_WORDS


def _sizes(rows: list[list[float]], texts: list[str]) -> list[int]:
    """Each block's size, a sure one counted as a long story's (the unsure share stays small)."""
    return [1000 if row in (SURE, GONE) else len(t) for row, t in zip(rows, texts, strict=True)]


def test_a_doubted_paragraph_continuing_the_storys_run_is_kept() -> None:
    """A paragraph the first model doubts and leans to drop (the story's last, a reporting line)
    stays where a kept block of its own tag is beside it; a shorter block, one of another tag, one
    trafilatura's rules remove or one it half takes for a comment, is dropped as before."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, OTHER_TEXT, PARAGRAPH]
    assert model.words(PARAGRAPH) >= model.PARAGRAPH_WORDS
    rows = [SURE, SURE, LEANS]
    sizes = _sizes(rows, texts)
    assert model.sure(rows, sizes, texts=texts, tags=["p", "p", "p"]) == [c, c, c]
    assert model.sure(rows[::-1], sizes[::-1], texts=texts[::-1], tags=["p", "p", "p"]) == [c, c, c]  # first
    assert model.sure(rows[::-1], sizes[::-1], texts=texts[::-1], tags=["div", "p", "p"]) == [b, c, c]
    assert model.sure(rows, sizes, texts=texts, tags=["p", "p", "div"]) == [c, c, b]
    assert model.sure(rows, sizes, texts=texts) == [c, c, b]  # no tags: nothing to continue
    assert model.sure(rows, sizes, texts=texts, tags=["p"] * 3, votes=[0.0, 0.0, 1.0]) == [c, c, b]
    comment = [0.7, 0.15, 0.15]
    assert model.sure([SURE, SURE, comment], sizes, texts=texts, tags=["p"] * 3) == [c, c, b]
    short = [STORY_TEXT, OTHER_TEXT, "Editing by Jane Doe and the night desk."]
    assert model.sure(rows, sizes, texts=short, tags=["p"] * 3) == [c, c, b]


def test_a_dropped_code_block_continues_the_text_introducing_it() -> None:
    """A manual's closing one-line example (`<pre>`, the page's last block), which a first model
    doubts or drops as it does a page's last short lines (its footer): the kept block before it
    introduces it, so it stays, however short (no label closing the text). One after a dropped
    block, one trafilatura's rules remove or one the model half takes for a comment goes, as does
    a short block of another tag."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, OTHER_TEXT, "client = Client(retry=Retry(attempts=1))"]
    tags = ["p", "p", "pre"]
    for code in (LEANS, [0.88, 0.12, 0.0], GONE):
        rows = [SURE, SURE, code]
        sizes = _sizes(rows, texts)
        assert model.sure(rows, sizes, texts=texts, tags=tags) == [c, c, c]
        assert model.sure(rows, sizes, texts=texts, tags=["p", "p", "div"]) == [c, c, b]
        assert model.sure(rows, sizes, texts=texts, tags=tags, votes=[0.0, 0.0, 1.0]) == [c, c, b]
        rows = [SURE, GONE, code]
        assert model.sure(rows, _sizes(rows, texts), texts=texts, tags=tags) == [c, b, b]
    short = [STORY_TEXT, "Install it:", "pip install tidekit"]  # three words: a label but for its kind
    rows = [SURE, SURE, LEANS]
    assert model.sure(rows, _sizes(rows, short), texts=short, tags=["p", "p", "pre"]) == [c, c, c]
    comment = [0.7, 0.15, 0.15]
    rows = [SURE, SURE, comment]
    assert model.sure(rows, _sizes(rows, texts), texts=texts, tags=tags) == [c, c, b]
    run = [STORY_TEXT, "The page and its style:", "<p>Hello</p>", "p { color: red }"]  # two parts
    rows = [SURE, SURE, LEANS, LEANS]
    assert model.sure(rows, _sizes(rows, run), texts=run, tags=["p", "p", "pre", "pre"]) == [c, c, c, c]


def test_first_choice_keeps_a_closing_code_block() -> None:
    """The same through a page's blocks: a `<pre>` in a highlighter's `<div>` is a code block."""
    code = "client = Client(retry=Retry(attempts=1))"
    blocks, chosen = _first_choice(
        f"<article><p>{STORY_TEXT}</p><p>Pass a single attempt in tests:</p>"
        f"<div class='highlight'><pre>{code}</pre></div></article>",
        lambda blocks: [SURE, SURE, LEANS],
    )
    assert [b.text for b in blocks] == [STORY_TEXT, "Pass a single attempt in tests:", code]
    assert chosen is not None and [b.text for b in chosen] == [b.text for b in blocks]


def test_a_doubted_standfirst_after_the_title_is_kept() -> None:
    """The paragraph right after the page's `<h1>` (its standfirst), doubted, stays even where the
    title itself is dropped and the story starts in another tag; after an `<h2>`, it does not."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = ["Ferries", PARAGRAPH, "Share this", STORY_TEXT, OTHER_TEXT]
    rows = [GONE, LEANS, GONE, SURE, SURE]
    sizes = _sizes(rows, texts)
    assert model.sure(rows, sizes, texts=texts, tags=["h1", "p", "div", "div", "div"]) == [b, c, b, c, c]
    assert model.sure(rows, sizes, texts=texts, tags=["h2", "p", "div", "div", "div"]) == [b, b, b, c, c]


def test_a_standfirst_trafilaturas_rules_remove_is_kept_under_the_title() -> None:
    """A standfirst in an element trafilatura's rules remove (`<div class="teaser-text">` under the
    `<h1>`: its vote) is still the page's, right under the title, and stays with the title; a
    paragraph so voted out beside the story's paragraphs but not under the title goes, as does one
    under an `<h2>`."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = ["Ferries", PARAGRAPH, STORY_TEXT, OTHER_TEXT]
    rows = [[0.3, 0.7, 0.0], LEANS, SURE, SURE]  # the title doubted, leaning to keep
    votes = [0.0, 1.0, 0.0, 0.0]
    sizes = _sizes(rows, texts)
    tags = ["h1", "p", "p", "p"]
    assert model.sure(rows, sizes, texts=texts, tags=tags, votes=votes) == [c, c, c, c]
    assert model.sure(rows, sizes, texts=texts, tags=["h2", "p", "p", "p"], votes=votes) == [b, b, c, c]
    later = [STORY_TEXT, OTHER_TEXT, PARAGRAPH]
    rows = [SURE, SURE, LEANS]
    found = model.sure(rows, _sizes(rows, later), texts=later, tags=["p"] * 3, votes=[0.0, 0.0, 1.0])
    assert found == [c, c, b]


def test_a_paywalls_notice_under_the_title_is_no_standfirst() -> None:
    """A paywall's box right under the `<h1>` that trafilatura's rules remove (its vote) sits where a
    standfirst does, but its notice ("Subscribe to continue reading ...") asks the reader to pay for
    the story and is a call (`calls`): it goes, and the story under it stays."""
    c, b = model.CONTENT, model.BOILERPLATE
    notice = "Subscribe to continue reading the full story. Already a subscriber? Log in to your account."
    texts = ["Ferries", notice, STORY_TEXT, OTHER_TEXT]
    rows = [SURE, LEANS, SURE, SURE]
    votes = [0.0, 1.0, 0.0, 0.0]
    sizes = _sizes(rows, texts)
    assert model.sure(rows, sizes, texts=texts, tags=["h1", "p", "p", "p"], votes=votes) == [c, b, c, c]


def test_a_doubted_summary_under_a_teasers_h1_is_not_kept() -> None:
    """Only the page's first `<h1>` (its title) has a standfirst: a doubted paragraph under a later
    `<h1>` (a teaser's headline in a rail after the story) is its summary and goes; the same
    paragraph under the title stays."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = ["Ferries", STORY_TEXT, OTHER_TEXT, "Night boats return", PARAGRAPH]
    rows = [GONE, SURE, SURE, GONE, LEANS]
    sizes = _sizes(rows, texts)
    assert model.sure(rows, sizes, texts=texts, tags=["h1", "div", "div", "h1", "p"]) == [b, c, c, b, b]
    assert model.sure(rows, sizes, texts=texts, tags=["h2", "div", "div", "h1", "p"]) == [b, c, c, b, c]


def test_the_standfirst_is_the_titles_not_a_logos() -> None:
    """A theme's logo (or a section's name) in an `<h1>` before the title: the title is the last
    `<h1>` at or before the story's first kept block, so the doubted standfirst under it stays,
    kept title or dropped; the paragraph under the logo's `<h1>` is no standfirst."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = ["Harbour Gazette", "Ferries return", PARAGRAPH, STORY_TEXT, OTHER_TEXT]
    rows = [GONE, GONE, LEANS, SURE, SURE]
    sizes = _sizes(rows, texts)
    tags = ["h1", "h1", "p", "div", "div"]
    assert model.sure(rows, sizes, texts=texts, tags=tags) == [b, b, c, c, c]
    kept_title = [GONE, SURE, LEANS, SURE, SURE]
    assert model.sure(kept_title, _sizes(kept_title, texts), texts=texts, tags=tags) == [b, c, c, c, c]
    tagline = ["Harbour Gazette", PARAGRAPH, "Ferries return", STORY_TEXT, OTHER_TEXT]
    rows = [GONE, LEANS, GONE, SURE, SURE]
    assert model.sure(rows, _sizes(rows, tagline), texts=tagline, tags=["h1", "p", "h1", "div", "div"]) == [
        b,
        b,
        b,
        c,
        c,
    ]


def test_with_nothing_kept_the_title_is_the_first_h1() -> None:
    """Where no block is kept there is no story's start to look before: the title is the page's
    first `<h1>`, not its last (a rail's teaser at the foot of the page, whose summary would be the
    page's one kept block)."""
    c, b = model.CONTENT, model.BOILERPLATE
    tags = ["h1", "p", "div", "h1", "p"]
    paragraphs = [False, True, False, False, True]
    assert model.continued([b] * 5, paragraphs, tags) == [b, c, b, b, b]
    assert model.continued([b, b, c, b, b], paragraphs, tags) == [b, c, c, b, b]


def test_a_doubted_paragraph_amid_dropped_blocks_is_no_island() -> None:
    """A doubted block of ISLAND_WORDS words or more between dropped ones is a paragraph, not an
    island in the boilerplate: kept at 0.5 as before the neighbours' rule; a shorter one goes."""
    c, b = model.CONTENT, model.BOILERPLATE
    long = f"{PARAGRAPH} The board will meet again in June to agree the winter timetable."
    assert model.words(long) >= model.ISLAND_WORDS > model.words(PARAGRAPH)
    for text, kept in ((long, c), (PARAGRAPH, b)):
        texts = [STORY_TEXT, "Most read", text, "Share this", OTHER_TEXT]
        tags = ["p", "div", "div", "div", "p"]
        rows = [SURE, GONE, UNSURE, GONE, SURE]
        assert model.sure(rows, _sizes(rows, texts), texts=texts, tags=tags) == [c, b, kept, b, c]


def test_a_label_heading_a_rail_of_headlines_goes() -> None:
    """A short label the first model is sure of ("Auch interessant:"), then kept headlines, each
    mostly link text and of one tag: the label goes, the rail is left as the model judged it; the
    same label over a list of sentences, or over one headline, stays."""
    c, b = model.CONTENT, model.BOILERPLATE
    rail = ["Auch interessant:", "Ten ferries to try this summer", "The night boat, reviewed"]
    texts = [STORY_TEXT, *rail, OTHER_TEXT]
    rows = [SURE] * 5
    sizes = _sizes(rows, texts)
    tags = ["p", "p", "li", "li", "p"]

    def judged(links: list[float], tags: list[str] = tags) -> list[int] | None:
        return model.sure(rows, sizes, texts=texts, tags=tags, links=links)

    assert judged([0.0, 0.0, 1.0, 1.0, 0.0]) == [c, b, c, c, c]
    assert judged([0.0, 0.0, 1.0, 0.2, 0.0]) == [c, c, c, c, c]  # the second item is no headline
    assert judged([0.0, 0.0, 1.0, 1.0, 0.0], ["p", "p", "li", "div", "p"]) == [c, c, c, c, c]
    assert judged([0.0, 0.0, 1.0, 1.0, 0.0], ["p", "li", "li", "li", "p"]) == [c, c, c, c, c]  # an item
    assert model.sure(rows, sizes, texts=texts, tags=tags) == [c, c, c, c, c]  # no link shares


def test_a_label_in_a_script_with_vowel_signs_heads_a_rail_as_one_in_latin_letters() -> None:
    """A label of five Hindi words ("most read news:") over a rail of linked headlines goes, as
    "Auch interessant:" does: its words are counted with their vowel signs (`dom.WORD`), not as the
    runs of letters between them (seven, more than a label's `LABEL_WORDS`)."""
    c, b = model.CONTENT, model.BOILERPLATE
    rail = ["सबसे ज़्यादा पढ़ी गई खबरें:", "Ten ferries to try this summer", "The night boat, reviewed"]
    texts = [STORY_TEXT, *rail, OTHER_TEXT]
    rows = [SURE] * 5
    links = [0.0, 0.0, 1.0, 1.0, 0.0]
    tags = ["p", "p", "li", "li", "p"]
    assert model.sure(rows, _sizes(rows, texts), texts=texts, tags=tags, links=links) == [c, b, c, c, c]


def test_first_choice_reads_the_link_share_for_a_rail() -> None:
    """The same through a page's blocks: a `<p>` label over a `<ul>` of linked headlines."""
    blocks, chosen = _first_choice(
        f"<article><p>{STORY_TEXT}</p><p>Auch interessant:</p><ul>"
        "<li><a href='/a'>Ten ferries to try this summer</a></li>"
        "<li><a href='/b'>The night boat, reviewed</a></li></ul></article>",
        lambda blocks: [SURE] * len(blocks),
    )
    label = "Auch interessant:"
    assert [b.text for b in blocks][1] == label
    assert chosen is not None and [b.text for b in chosen] == [b.text for b in blocks if b.text != label]


DOUBTED = [0.6, 0.4, 0.0]  # doubted, and the likelier side is to drop it
CARD = "Oak desk, 120 cm, $240"


def test_a_list_pages_doubted_items_are_its_content() -> None:
    """Doubted blocks the first model drops, in a run of ITEM_RUN or more alike siblings, are kept
    where the page has no story of its own beside them (a shop's grid under its heading and
    intro); beside a story they stay dropped (a rail of teasers), and so do those in a shorter
    run, those trafilatura's rules remove, those the model leans further out on (a blog's
    archive list) and the boilerplate it is sure of."""
    c, b = model.CONTENT, model.BOILERPLATE
    intro = f"{PARAGRAPH} {PARAGRAPH}"  # one paragraph of ISLAND_WORDS words or more
    texts = ["Desks", intro, CARD, CARD.replace("Oak", "Ash"), CARD.replace("Oak", "Elm"), "Footer"]
    rows = [SURE, SURE, DOUBTED, DOUBTED, DOUBTED, GONE]
    runs = [0, 0, 3, 3, 3, 0]
    sizes = [5, len(intro), 160, 160, 160, 2000]  # the unsure share stays under FIRST_UNSURE
    assert min(model.words(intro), model.words(STORY_TEXT)) >= model.ISLAND_WORDS

    def judged(
        texts: list[str] = texts,
        rows: list[list[float]] = rows,
        runs: list[int] = runs,
        votes: list[float] | None = None,
    ) -> list[int] | None:
        return model.sure(rows, sizes, texts=texts, runs=runs, votes=votes)

    assert judged() == [c, c, c, c, c, b]
    story = [texts[0], intro, STORY_TEXT, *texts[3:]]  # a second paragraph: the page's own story
    assert judged(story, [SURE, SURE, SURE, *rows[3:]]) == [c, c, c, b, b, b]
    assert judged(runs=[0, 0, 2, 2, 0, 0]) == [c, c, b, b, b, b]  # no run of ITEM_RUN
    assert judged(votes=[0.0, 0.0, 1.0, 1.0, 1.0, 0.0]) == [c, c, b, b, b, b]
    archive = [texts[0], intro, "March 2021", "April 2021", "May 2021", "Footer"]  # no prices
    leaning_out = [SURE, SURE, *[[0.8, 0.2, 0.0]] * 3, GONE]
    assert judged(archive, leaning_out) == [c, c, b, b, b, b]
    assert judged(rows=leaning_out) == [c, c, c, c, c, b]  # a shop's priced cards: model.PRICED
    assert model.sure(rows, sizes, texts=texts) == [c, c, b, b, b, b]  # no runs given


def test_first_choice_keeps_a_grid_of_cards_under_its_heading() -> None:
    """The same through a page's blocks, whose alike siblings make the run: a heading, then a
    list of products the first model doubts, beside a long footer it drops; the same list classed
    as a sidebar's widgets (its nearest ancestors' class words) stays dropped."""
    cards = "".join(f"<li class='card'><a href='/p{i}'>Oak desk number {i}</a> $240</li>" for i in range(4))
    footer = "Footer text of the shop, its addresses and its terms. " * 20

    def chosen(within: str) -> tuple[list[Block], list[Block] | None]:
        return _first_choice(
            f"<h1>Desks</h1><ul class='{within}'>{cards}</ul><footer><div>{footer}</div></footer>",
            lambda blocks: [SURE] + [DOUBTED] * 4 + [GONE],
        )

    blocks, kept = chosen("results")
    assert [b.repeated for b in blocks] == [0, 4, 4, 4, 4, 0]
    assert kept is not None and [b.text for b in kept] == [b.text for b in blocks[:5]]
    blocks, kept = chosen("widgets")  # which trafilatura's rules keep on a <ul>
    assert kept is not None and [b.text for b in kept] == ["Desks"]


def test_a_product_named_like_a_carousel_keeps_its_page() -> None:
    """The page's `<h1>` is the product's own name, never a carousel's label: a book called "You
    May Also Like" keeps its title, price and details (all but its description went after it)."""
    c = model.CONTENT
    texts = ["You May Also Like", "$18.99", "Hardcover, 320 pages", "About this book", STORY_TEXT]
    tags = ["h1", "div", "li", "h2", "p"]
    assert model.carousels([c] * 5, texts, tags) == [c] * 5
    assert model.carousels([c] * 5, texts, ["h2", "div", "li", "h2", "p"]) == [0, 0, 0, c, c]


def test_sure_drops_a_carousel_the_first_model_keeps() -> None:
    """The cascade's first pass drops a carousel of other products as `decide` does
    (`carousels`), up to the next heading of the label's level, on a page of any type."""
    texts = [
        "Pro Tech Toolkit",
        STORY_TEXT,
        "You may also like",
        "Mako Driver Kit",
        "$39.99",
        "Specs",
        OTHER_TEXT,
    ]
    tags = ["h1", "p", "h2", "h3", "p", "h2", "p"]
    rows, sizes = [SURE] * len(texts), [len(t) for t in texts]
    kept = model.sure(rows, sizes, texts=texts, tags=tags)
    assert kept == [model.CONTENT, model.CONTENT, 0, 0, 0, model.CONTENT, model.CONTENT]


def test_sure_drops_a_block_of_machine_identifiers() -> None:
    """The cascade's first pass drops a kept block that is UUIDs run together (`machine`), as
    `decide` does; the story beside it, naming one such id, stays."""
    ids = "".join(f"{i}aea247-2e76-4905-9b83-15a5a5664cfaG" for i in range(10, 14))
    texts = ["Clutch kit for a van", ids, STORY_TEXT + " Order 4e196aa4-0141-4601-8138-7aa33db0f577."]
    rows, sizes = [SURE] * 3, [len(t) for t in texts]
    c = model.CONTENT
    assert model.sure(rows, sizes, texts=texts) == [c, model.BOILERPLATE, c]


def test_a_shops_priced_grid_is_kept_however_far_the_model_leans_out() -> None:
    """A grid whose items name prices ("$655.00 $403.00", "12,99 €") is a shop's category page's
    content even where the model leans out on it (below ITEM_WANTED); the same grid without
    prices (a blog's archive) stays dropped, and so does the priced grid beside a story of the
    page's own (a shop's rail under an article). Beside one paragraph, the priced items are a
    category's grid under its intro where they hold ITEM_GRID times the kept text, and a brief's
    rail of products where they hold less: that rail stays dropped."""
    c, b = model.CONTENT, model.BOILERPLATE
    cards = ["Mesh task chair", "$655.00 $403.00", "Oak desk, 120 cm", "12,99 €", "Ash shelf", "£5"]
    intro = f"{PARAGRAPH} {PARAGRAPH}"  # one paragraph of ISLAND_WORDS words or more

    def kept(texts: list[str], story: bool = False, size: int = 100) -> list[int]:
        first = STORY_TEXT if story else "Chairs"
        return model.items(
            [c, c, *[b] * len(texts)],
            [False, False, *[True] * len(texts)],
            kinds=[c] * (len(texts) + 2),
            runs=[0, 0, *[len(texts)] * len(texts)],
            sizes=[len(first), len(intro), *[size] * len(texts)],
            wanted=[0.9, 0.9, *[0.15] * len(texts)],
            texts=[first, intro, *texts],
        )

    assert 6 * 100 >= model.ITEM_GRID * (len("Chairs") + len(intro)) > 6 * 40
    assert model.ITEM_GRID * (len(STORY_TEXT) + len(intro)) > 6 * 100  # the story outweighs the rail
    assert kept(cards) == [c] * 8
    assert kept(cards, size=40) == [c, c, *[b] * 6]  # a one-paragraph brief beside a priced rail
    unpriced = ["Mesh task chair", "March 2021", "Oak desk", "April 2021", "Ash shelf", "May 2021"]
    assert kept(unpriced) == [c, c, *[b] * 6]
    assert kept(cards, story=True) == [c, c, *[b] * 6]


def test_a_priced_grid_the_model_is_sure_to_drop_is_kept_where_the_page_declares_no_product() -> None:
    """A shop's category page whose grid of small cards (a name, a price) the model is sure to
    drop, or trafilatura's rules remove (neither doubted), keeps its grid where the page declares
    no product of its own; on a product page such a grid is other products and stays dropped, and
    so does an unpriced run (a menu, a blog's archive) and what the model takes for a comment."""
    c, b, m = model.CONTENT, model.BOILERPLATE, model.COMMENT
    cards = ["Mesh task chair", "$655.00 $403.00", "Oak desk, 120 cm", "12,99 €", "Ash shelf", "£5"]

    def kept(texts: list[str], *, declared_product: bool, kind: int = c) -> list[int]:
        return model.items(
            [c, *[b] * len(texts)],
            [False] * (len(texts) + 1),
            kinds=[c, *[kind] * len(texts)],
            runs=[0, *[len(texts)] * len(texts)],
            sizes=[len("Chairs"), *[100] * len(texts)],
            wanted=[0.9, *[0.02] * len(texts)],
            texts=["Chairs", *texts],
            declared_product=declared_product,
        )

    assert kept(cards, declared_product=False) == [c] * 7
    assert kept(cards, declared_product=True) == [c, *[b] * 6]
    unpriced = ["Chairs", "Desks", "Shelves", "Lamps", "Rugs", "Beds"]
    assert kept(unpriced, declared_product=False) == [c, *[b] * 6]
    assert kept(cards, declared_product=False, kind=m) == [c, *[b] * 6]


def test_a_grid_of_cards_under_an_intro_of_a_few_paragraphs_is_kept() -> None:
    """A services page opens with two or three paragraphs, then its grid of cards (a heading and
    a blurb each) that the model doubts: where the cards hold ITEM_GRID times the kept text they
    are the page's content and are kept. Beside a story of the same paragraphs, a rail of teasers
    holding less than that stays dropped, and so does a grid beside a story of more than
    ITEM_INTRO paragraphs."""
    c, b = model.CONTENT, model.BOILERPLATE
    cards = [f"{name} advisory" for name in ("Audit", "Tax", "Risk", "Strategy", "Payroll", "Cyber")]
    intro = (
        "We help firms of every size keep their books, file their taxes and plan their growth, with"
        " a team of advisers in each region who know the rules and the people who apply them."
    )

    def kept(paragraphs: int, size: int) -> list[int]:
        n = paragraphs + len(cards)
        return model.items(
            [c] * paragraphs + [b] * len(cards),
            [False] * paragraphs + [True] * len(cards),
            kinds=[c] * n,
            runs=[0] * paragraphs + [len(cards)] * len(cards),
            sizes=[len(intro)] * paragraphs + [size] * len(cards),
            wanted=[0.9] * paragraphs + [0.3] * len(cards),
            texts=[intro] * paragraphs + cards,
        )

    grid = model.ITEM_GRID * 3 * len(intro) // len(cards) + 1  # each card's size
    assert kept(2, grid) == [c] * 8
    assert kept(3, grid) == [c] * 9
    assert kept(2, len(intro) // 2) == [c, c, *[b] * 6]  # a rail beside a story
    assert kept(model.ITEM_INTRO + 1, 4 * grid) == [c] * (model.ITEM_INTRO + 1) + [b] * 6
    assert model.words(intro) >= model.ISLAND_WORDS


def test_a_tab_strip_naming_a_carousel_keeps_the_products_own_tab() -> None:
    """A tab strip's text in one block ("Details Reviews (12) Customers also viewed") names the
    product's own sections beside the carousel: the tab under it (the product's features) stays.
    A label naming a carousel alone, in any of the languages, still heads one."""
    c, b = model.CONTENT, model.BOILERPLATE
    tags = ["h1", "div", "li", "li"]
    for strip in ("Details Reviews (12) Customers also viewed", "Beschreibung Bewertungen Ähnliche Produkte"):
        texts = ["Steel kettle", strip, "Holds 1.7 litres", "Boils in three minutes"]
        assert model.carousels([c] * 4, texts, tags) == [c] * 4
    for label in ("Customers also viewed", "People who viewed this item also viewed", "Ähnliche Produkte"):
        texts = ["Steel kettle", label, "Copper kettle", "$39.99"]
        assert model.carousels([c] * 4, texts, tags) == [c, b, b, b]


def test_a_chinese_story_counts_its_words_beside_a_list() -> None:
    """Chinese and Japanese part no words with spaces: each of their characters is a word
    (`dom.WORD`), so a story of two Chinese paragraphs is a story of the page's own and the run of
    doubted links beside it (a rail) stays dropped, as beside an English story; counted as runs of
    `\\w`, each paragraph was a few words and the rail was kept as a list page's items."""
    c, b = model.CONTENT, model.BOILERPLATE
    story = "渡轮公司表示，从下个月开始，工作日将增加两班早班渡轮，周六将增加一班晚班渡轮，以满足游客的需求。"
    assert model.words(story) >= model.ISLAND_WORDS and model.words("渡轮 ferry") == 3
    rail = ["更多新闻：港口", "更多新闻：天气", "更多新闻：交通"]
    assert model.items(
        [c, c, b, b, b],
        [False, False, True, True, True],
        kinds=[c] * 5,
        runs=[0, 0, 3, 3, 3],
        sizes=[len(story), len(story), 60, 60, 60],
        wanted=[0.9, 0.9, 0.4, 0.4, 0.4],
        texts=[story, story.replace("渡轮", "火车"), *rail],
    ) == [c, c, b, b, b]


def test_headings_closing_the_text_as_a_list_of_items_stay() -> None:
    """A listicle whose items are headings over photos ("1. Bondi Beach", ... each over an image,
    no paragraph after them): three or more closing headings of one tag, neither links nor a
    rail's headlines in a list, are the story's items and stay, in an `<ol>` too; a rail's
    headlines (links, or the items of a list trafilatura's rules remove) still go, and so do two
    headings ("Related posts", "Tags") or headings of mixed tags."""
    c, b = model.CONTENT, model.BOILERPLATE
    items = ["1. Bondi Beach, Sydney", "2. Anse Source d'Argent", "3. Navagio Beach", "4. Whitehaven Beach"]
    texts = [STORY_TEXT, *items]
    sizes = [len(t) for t in texts]
    rows, h2s, none, flat = [SURE] * 5, ["p", "h2", "h2", "h2", "h2"], [0.0] * 5, [False] * 5
    assert model.sure(rows, sizes, texts=texts, tags=h2s, links=none, listed=flat) == [c, c, c, c, c]
    linked = [0.0, 1.0, 1.0, 1.0, 1.0]
    assert model.sure(rows, sizes, texts=texts, tags=h2s, links=linked, listed=flat) == [c, b, b, b, b]
    in_list = [False, True, True, True, True]
    assert model.sure(rows, sizes, texts=texts, tags=h2s, links=none, listed=in_list) == [c, c, c, c, c]
    removed = [0.0, 1.0, 1.0, 1.0, 1.0]  # a "Most Popular" list of <a><h2> headlines
    rail = model.sure(rows, sizes, texts=texts, tags=h2s, links=none, listed=in_list, votes=removed)
    assert rail == [c, b, b, b, b]
    assert model.sure(rows, sizes, texts=texts, tags=h2s, links=none, listed=flat, votes=removed) == [c] * 5
    mixed = ["p", "h2", "h3", "h2", "h3"]
    assert model.sure(rows, sizes, texts=texts, tags=mixed, links=none, listed=flat) == [c, b, b, b, b]
    two = model.sure(rows[:3], sizes[:3], texts=texts[:3], tags=h2s[:3], links=none[:3], listed=flat[:3])
    assert two == [c, b, b]


def test_a_heading_over_a_call_closing_the_text_goes() -> None:
    """A sign-up box's heading ("Newsletter") over its call ("Sign up for our newsletter"), after
    the story: the call goes (`calls`), and the heading, which then closes the text, goes with it
    (`unheaded` runs after `calls`), as it would over any dropped block."""
    c, b = model.CONTENT, model.BOILERPLATE
    texts = [STORY_TEXT, "Newsletter", "Sign up for our newsletter"]
    rows, sizes = [SURE] * 3, [len(t) for t in texts]
    found = model.sure(rows, sizes, texts=texts, tags=["p", "h3", "div"], links=[0.0] * 3, listed=[False] * 3)
    assert found == [c, b, b]


def test_the_label_over_closing_headings_goes_with_them() -> None:
    """A short label trafilatura's rules remove ("Most Popular") over a rail's headlines that
    close the text goes with them (it heads nothing then); a story's short last line the rules
    keep stays. A list of linked headings under a label the model doubts ("Temas" over a list of
    tags) is a rail, whether or not the rules remove it; a list of plain headings under a short
    intro (a listicle's "Our four picks:") is the story's items, and the intro stays."""
    c, b = model.CONTENT, model.BOILERPLATE
    heads = ["Google confirms layoffs", "Rabbit sells out its first run", "Discord lays off staff"]
    texts = [STORY_TEXT, "Most Popular", *heads]
    rows, sizes = [SURE] * 5, [len(t) for t in texts]
    tags, links = ["p", "div", "h2", "h2", "h2"], [0.0] * 5
    in_list = [False, False, True, True, True]
    removed = [0.0, 1.0, 1.0, 1.0, 1.0]
    found = model.sure(rows, sizes, texts=texts, tags=tags, links=links, listed=in_list, votes=removed)
    assert found == [c, b, b, b, b]
    kept = [0.0, 0.0, 1.0, 1.0, 1.0]  # the label is the story's: "Thanks for reading."
    found = model.sure(rows, sizes, texts=texts, tags=tags, links=links, listed=in_list, votes=kept)
    assert found == [c, c, b, b, b]
    # a list of tags, each an <a><h2> (all link text), under a label the model doubts: a rail,
    # though the rules do not remove it
    texts = [STORY_TEXT, "Temas", "Minedu", "colegio", "Vacaciones"]
    rows = [SURE, UNSURE, SURE, SURE, SURE]
    linked = [0.0, 0.0, 1.0, 1.0, 1.0]
    found = model.sure(rows, sizes, texts=texts, tags=tags, links=linked, listed=in_list, votes=[0.0] * 5)
    assert found == [c, b, b, b, b]
    # a listicle's items in an <ol> under its short intro, which the model doubts: no links, so
    # the story's items, and the intro heads them (redteam8's probe: both went)
    texts = ["The best beaches", "Our four picks:", "1. Bondi Beach", "2. Navagio Beach", "3. Anse Source"]
    tags = ["h1", "p", "h2", "h2", "h2"]
    found = model.sure(rows, sizes, texts=texts, tags=tags, links=links, listed=in_list, votes=[0.0] * 5)
    assert found == [c, c, c, c, c]


def test_a_link_set_inside_the_story_goes() -> None:
    """A list of one link between the story's paragraphs ("The latest news about the coronavirus
    outbreak in Sweden"), which the first model doubts, goes; a list of two links there (the
    story's own sources), a link it is sure of, and a one-item list that is no link stay."""
    c, b = model.CONTENT, model.BOILERPLATE
    teaser = "The latest news about the coronavirus outbreak in Sweden"
    more = ["Agerblad said he was inspired by a design the artist had posted.", "He booked the next day."]
    texts = [STORY_TEXT, OTHER_TEXT, teaser, *more]
    sizes = [len(t) for t in texts]
    tags, links = ["p", "p", "li", "p", "p"], [0.0, 0.0, 1.0, 0.0, 0.0]
    listed = [False, False, True, False, False]
    rows = [SURE, SURE, UNSURE, SURE, SURE]
    found = model.sure(rows, sizes, texts=texts, tags=tags, links=links, listed=listed)
    assert found == [c, c, b, c, c]
    assert model.sure([SURE] * 5, sizes, texts=texts, tags=tags, links=links, listed=listed) == [c] * 5
    prose = [0.0] * 5
    assert model.sure(rows, sizes, texts=texts, tags=tags, links=prose, listed=listed) == [c] * 5
    two = [STORY_TEXT, OTHER_TEXT, teaser, "The agency's figures for the week", more[0]]
    found = model.sure(
        rows, [len(t) for t in two], texts=two, tags=["p", "p", "li", "li", "p"], links=[0, 0, 1, 1, 0],
        listed=[False, False, True, True, False],
    )  # fmt: skip
    assert found == [c] * 5
