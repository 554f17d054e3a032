"""The block segmentation the block model reads, and the model's keep-or-defer decision."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract import model
from scraper.extract.blocks import (
    FEATURE_COUNT,
    FEATURE_NAMES,
    Block,
    page_blocks,
    page_features,
    reaches,
    reading_order,
)

PAGE = page_features("article", 0, 0, 0)


def _blocks(html: str, kept: str = "") -> list[Block]:
    body = LexborHTMLParser(html).body
    assert body is not None
    return page_blocks(body, kept, PAGE)


def test_blocks_partition_the_visible_text_in_document_order() -> None:
    """Each text belongs to its nearest non-inline element; inline text stays in place; scripts are unseen."""
    blocks = _blocks(
        "<div>Intro <b>bold</b> words<p>First <a href='/x'>linked</a> para.</p>tail</div>"
        "<ul><li>One</li><li>Two <em>items</em></li></ul><script>var x = 1;</script><h2>End</h2>"
    )
    assert [(b.tag, b.text) for b in blocks] == [
        ("div", "Intro bold words\ntail"),
        ("p", "First linked para."),
        ("li", "One"),
        ("li", "Two items"),
        ("h2", "End"),
    ]
    para = blocks[1]
    assert (para.links, para.link_chars) == (1, len("linked"))
    assert all(len(b.features) == FEATURE_COUNT for b in blocks)


def test_ruby_annotations_are_not_the_blocks_text() -> None:
    """Furigana and pinyin (<rt>, with <rp>'s fallback brackets) sit above the text they read: the
    block reads as its base text, as trafilatura's output does."""
    [block] = _blocks(
        "<p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの<ruby>法律<rt>ほうりつ</rt></ruby>です</p>"
    )
    assert block.text == "子どもへの法律です"


def test_a_mathml_formula_is_the_blocks_text_without_its_annotations() -> None:
    """A MathML formula is laid out as its token elements (a page of formulas loses them
    otherwise: "there are two solutions to and they are"); its <annotation> (the TeX source) and
    <annotation-xml> are markup for tools, never shown."""
    [block] = _blocks(
        "<p>When <math><semantics><mrow><mi>a</mi><mo>&#8800;</mo><mn>0</mn></mrow>"
        "<annotation encoding='application/x-tex'>a \\neq 0</annotation>"
        "<annotation-xml encoding='MathML-Content'><ci>q</ci></annotation-xml></semantics></math>,"
        " there are two solutions.</p>"
    )
    assert block.text == "When a\u2260" + "0, there are two solutions."


def test_a_formula_hidden_beside_its_image_is_not_read() -> None:
    """A formula hidden as trafilatura's rules hide an element (MediaWiki's MathML in a span of
    `display: none` beside the formula's image) is not the block's text."""
    [block] = _blocks(
        "<p>Given a set of <span><span style='display: none;'><math><mi>N</mi></math></span>"
        "<img src='/n.svg' alt='N'></span> objects.</p>"
    )
    assert block.text == "Given a set of objects."


def test_code_keeps_its_lines() -> None:
    """A <pre> block keeps its line breaks and indentation, highlighted spans and all."""
    [block] = _blocks("<pre><span>def</span> f():\n    <span>return</span> 1\n</pre>")
    assert block.text == "def f():\n    return 1"


def test_kept_share_follows_trafilatura_text() -> None:
    """A block trafilatura kept has a kept share of 1; one it dropped, 0."""
    blocks = _blocks(
        "<p>The ferry runs through the night from May.</p><p>Subscribe to our newsletter today.</p>",
        kept="The ferry runs through the night from May.",
    )
    assert [b.kept for b in blocks] == [1.0, 0.0]


def test_deep_nesting_does_not_recurse() -> None:
    """Ten thousand nested elements are walked without recursion."""
    html = "<div>" * 10_000 + "deep text" + "</div>" * 10_000
    assert [b.text for b in _blocks(html)] == ["deep text"]


class _Fixed:
    """A stand-in model that answers fixed probabilities."""

    def __init__(self, probabilities: list[Any]) -> None:
        self.probabilities = probabilities

    def predict(self, matrix: Any, **_: Any) -> list[list[float]]:
        """Rows of (boilerplate, content, comment): a float is the content probability, no comment."""
        assert len(matrix) == len(self.probabilities)
        return [[1 - p, p, 0.0] if isinstance(p, float) else p for p in self.probabilities]


@pytest.fixture
def fixed_model() -> Iterator[Any]:
    def use(probabilities: list[Any]) -> None:
        model.use(_Fixed(probabilities))

    yield use
    model.use_shipped()


def test_sure_verdicts_win_and_unsure_ones_defer(fixed_model: Any) -> None:
    """The model keeps what it is sure of, drops what it is sure against, defers to trafilatura between."""
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]
    html = "".join(f"<p>{w} {w} {w}</p>" for w in words)
    kept = "\n".join(f"{w} {w} {w}" for w in words[1:6])  # trafilatura: beta to zeta
    fixed_model([0.95, 0.05, 0.55, 0.45, 0.3, 0.2, 0.5])
    chosen = [b.text.split()[0] for b in model.choose(_blocks(html, kept)) or []]
    assert chosen == ["alpha", "gamma", "delta", "epsilon", "zeta"]


def test_a_model_dropping_much_of_trafilatura_text_is_unsure(fixed_model: Any) -> None:
    """Dropping more than a fifth of what trafilatura kept leaves trafilatura's output standing."""
    html = "".join(f"<p>post number {i} of the thread</p>" for i in range(10))
    kept = "\n".join(f"post number {i} of the thread" for i in range(10))
    fixed_model([0.5] * 7 + [0.05] * 3)
    assert model.choose(_blocks(html, kept)) is None
    fixed_model([0.5] * 9 + [0.05])
    assert len(model.choose(_blocks(html, kept)) or []) == 9


def test_agreement_keeps_trafilatura_output(fixed_model: Any) -> None:
    """When the model changes nothing, trafilatura's own text stands (None)."""
    fixed_model([0.9, 0.1])
    assert model.choose(_blocks("<p>kept words here</p><p>other words there</p>", "kept words here")) is None


def test_no_model_means_trafilatura() -> None:
    """Without a model every page is trafilatura's."""
    model.use(None)
    try:
        assert model.choose(_blocks("<p>some text here</p>")) is None
    finally:
        model.use_shipped()


def test_markdown_of_blocks() -> None:
    """Kept blocks render as Markdown: headings, list items and fenced code apart."""
    blocks = _blocks("<h2>Setup</h2><li>one</li><pre>x = 1</pre>")
    assert model.markdown(blocks) == "## Setup\n\n- one\n\n```\nx = 1\n```"


def test_inline_elements_join_as_the_page_renders_them() -> None:
    """A link followed by a comma reads "report, which", not "report , which"; a <br> is a line
    break (however many, and whatever space is around it), and so is a nested block in the text
    around it ("with a <pre>+</pre>." is not "with a ."); an element a browser runs inline (an
    unknown tag) stays in its line; a line wrap in the source is a space; code keeps its lines."""
    blocks = _blocks(
        "<p>the <a href='/r'>report</a>, which <em>said</em>.</p>"
        "<p>one<br>two <br><br> three</p><div>with a <pre>+</pre>. Then<p>inside</p>after</div>"
        "<p>wrapped\n   line</p>"
        "<pre>x = 1<br>y = 2</pre><p>including <ahem>the</ahem> president</p>"
    )
    assert [b.text for b in blocks] == [
        "the report, which said.",
        "one\ntwo\nthree",
        "with a\n. Then\nafter",
        "+",
        "inside",
        "wrapped line",
        "x = 1\ny = 2",
        "including the president",
    ]


def test_custom_elements_run_inline() -> None:
    """An element that is not one of dom.BLOCK_ELEMENTS (a custom `<relative-time>`, an
    `<as-footnote>`) stays in its line, as a browser lays it out, where it was cut out of it as a
    block of its own; the blocks inside one are still blocks, and its name's words are read as a
    class's (a `<comment-list>` says comment to the blocks in it)."""
    blocks = _blocks(
        "<p>Updated <relative-time datetime='2024-05-03'>May 3</relative-time>, 2024.</p>"
        "<p>As shown<as-footnote>1</as-footnote>, it works.</p>"
        "<comment-list><p>First!</p></comment-list>"
    )
    assert [b.text for b in blocks] == ["Updated May 3, 2024.", "As shown1, it works.", "First!"]
    at = {name: i for i, name in enumerate(FEATURE_NAMES)}
    assert blocks[2].features[at["near_class:comment"]] == 1.0
    assert blocks[0].features[at["near_class:comment"]] == 0.0


def test_comment_section_features() -> None:
    """A comment reads as one: its container's class words near it (not the page's <body
    class="comments-open">, which says it of every block), the section heading over it ("12
    Comments", kept through the commenters' own sub-headings), its <time>, and no text of the story
    trafilatura kept after it."""
    body = LexborHTMLParser(
        "<body class='single comments-open'><article><h1>Title</h1><p>The story is told here.</p>"
        "<h2>12 Comments</h2><ol class='comment-list'><li class='comment'><h4>Bob</h4>"
        "<div class='meta'><time>Jan 1</time></div><p>Great post, thanks.</p></li></ol></article>"
    ).body
    assert body is not None
    blocks = page_blocks(body, "Title The story is told here.", PAGE)
    at = {name: i for i, name in enumerate(FEATURE_NAMES)}
    story, comment = blocks[1].features, blocks[-1].features
    assert [b.text for b in blocks][-1] == "Great post, thanks."
    assert story[at["outer_class:comment"]] == comment[at["outer_class:comment"]] == 1.0
    assert (story[at["near_class:comment"]], comment[at["near_class:comment"]]) == (0.0, 1.0)
    assert (story[at["heading:comment"]], comment[at["heading:comment"]]) == (0.0, 1.0)
    assert blocks[0].features[at["kept_after"]] > 0.0  # the title, before the story
    assert comment[at["kept_after"]] == 0.0
    assert comment[at["kept_before"]] == 1.0
    assert comment[at["previous_times"]] == 1.0


def test_a_line_break_leaves_the_features_as_they_were() -> None:
    """A <br> read as a line break instead of a space changes no feature: the text has the same
    length, words and punctuation."""
    broken = _blocks("<p>First line,<br> second line.<br><br></p>")[0]
    spaced = _blocks("<p>First line, second line.</p>")[0]
    assert broken.text == "First line,\nsecond line."
    assert broken.features == spaced.features


def test_repeated_siblings_are_counted() -> None:
    """A block in a run of same-shaped siblings (a rail of teasers) knows how many there are."""
    rail = "".join(
        f"<li class='teaser'><a href='/{i}'>Headline {i}</a><p>First line {i}.</p></li>" for i in range(4)
    )
    blocks = _blocks(f"<article><p>The story itself.</p><ul>{rail}</ul></article>")
    assert blocks[0].repeated == 0
    assert {b.repeated for b in blocks[1:]} == {4}


def test_comments_are_a_setting_and_come_last(fixed_model: Any) -> None:
    """A block the model calls a comment is dropped unless comments are wanted; when they are, it
    comes after the main text (or in page order, as on a forum, where the replies are content)."""
    html = "<p>lead of the story</p><p>a reader's comment</p><p>end of the story</p>"
    kept = "lead of the story\na reader's comment\nend of the story"  # trafilatura kept them all
    comment = [0.02, 0.08, 0.9]
    fixed_model([0.95, comment, 0.95])
    assert [b.text for b in model.choose(_blocks(html, kept)) or []] == [
        "lead of the story",
        "end of the story",
    ]
    with_comments = model.choose(_blocks(html, kept), comments=True) or []
    assert [b.text for b in with_comments] == ["lead of the story", "end of the story", "a reader's comment"]
    # in page order, keeping all three is what trafilatura did: its output stands
    assert model.choose(_blocks(html, kept), comments=True, comments_last=False) is None


def test_an_unsure_comment_goes_where_trafilatura_kept_it(fixed_model: Any) -> None:
    """A block the model takes for a comment more than for content, though not surely (0.5 or more),
    is dropped from an article that wants no comments even where trafilatura kept it; it stays when
    comments are wanted."""
    html = "<p>lead of the story</p><p>a reader's comment</p><p>end of the story</p>"
    kept = "lead of the story\na reader's comment\nend of the story"
    fixed_model([0.95, [0.1, 0.35, 0.55], 0.95])
    assert [b.text for b in model.choose(_blocks(html, kept)) or []] == [
        "lead of the story",
        "end of the story",
    ]
    assert model.choose(_blocks(html, kept), comments=True, comments_last=False) is None


def test_no_table_block_is_kept_without_tables(fixed_model: Any) -> None:
    """With include_tables off, the model keeps no block inside a table, however sure of it."""
    html = "<p>the story goes on</p><table><tr><td>a cell of the table</td></tr></table><p>to its end</p>"
    fixed_model([0.95, 0.95, 0.95])
    assert [b.text for b in model.choose(_blocks(html, "the story goes on")) or []] == [
        "the story goes on",
        "a cell of the table",
        "to its end",
    ]
    chosen = model.choose(_blocks(html, "the story goes on"), tables=False) or []
    assert [b.text for b in chosen] == ["the story goes on", "to its end"]


def test_a_hidden_copy_of_the_story_is_dropped(fixed_model: Any) -> None:
    """A block holding the whole story beside its paragraphs is the copy; the paragraphs stay."""
    first, second = "The ferry runs through the night.", "It stops at every island on the way."
    html = f"<div hidden>{first} {second}</div><p>{first}</p><p>{second}</p>"
    fixed_model([0.9, 0.9, 0.9])
    assert [b.text for b in model.choose(_blocks(html)) or []] == [first, second]


def test_a_repeated_quote_is_kept_once() -> None:
    """A pull quote also in the paragraph is dropped; a short heading found in a paragraph is not a copy."""
    texts = ["Results", "The results were clear: the tide came in early.", "the tide came in early", ""]
    assert model.drop_copies(texts) == {2}
    assert model.drop_copies(["same three words", "same three words"]) == {1}


def test_copies_among_thousands_of_kept_texts_are_counted_in_linear_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """drop_copies counted every kept text in all of them (quadratic): 40,000 log lines, a long
    page's paragraphs, took about 20 s, past `[extract] timeout`. Counted through the kept texts
    holding a text's rarest inner word, the count is the same and the page's copies are found
    reading the kept texts a few times over, not once per text (the characters `str.count` reads,
    counted, not timed: the machines are shared); and so on small inputs, where every kept text
    is read (`_SCANS` 0)."""
    read = [0]

    class Tallied(str):
        def count(self, *args: Any) -> int:
            read[0] += len(self)
            return super().count(*args)

    class Tallying(model._Holding):
        def __init__(self, kept: list[str]) -> None:
            super().__init__([Tallied(text) for text in kept])
            self._everything = Tallied(self._everything)

    lines = [
        f"Entry {i} of the harbour log: the crew of boat {i * 7} reported ice at dawn." for i in range(10_000)
    ]
    quote = "the crew of boat 700 reported ice"  # inside entry 100, and kept once more: a copy
    texts = [
        *lines,
        "Ice again.",
        quote,
        "\u6e2f\u53e3\u6709\u51b0\u3002",
        "ore words",
        "more words here now",
    ]
    monkeypatch.setattr(model, "_Holding", Tallying)
    assert model.drop_copies(texts) == {10_001}
    everything = len("\0".join(texts))
    assert 0 < read[0] < 10 * everything  # quadratic: 10,000 times it
    monkeypatch.undo()
    monkeypatch.setattr(model, "_SCANS", 0)
    small = ["more words here now", "ore words here", "here now", "a b", "a b c a b c", "b c a", "x\0y z w"]
    for text in [*small, "words here", "a b c", "z"]:
        assert model._Holding(small).count(text) == "\0".join(small).count(text), text
    assert model.drop_copies(["Ice again.", quote, lines[100], "ore words here", "more words here now"]) == {
        1,
        3,
    }


def _shows(counts: dict[str, int]) -> Callable[[str], int]:
    """How often a page shows each text (once, those not named)."""
    return lambda text: counts.get(text, 1)


def test_a_text_the_page_shows_twice_may_be_kept_twice() -> None:
    """A text may be in the output as often as the page shows it to a reader (a chorus, a
    paragraph a Readability page repeats), and no more: of three equal paragraphs the page shows
    twice, the third goes (before, every copy went, the page's own repetitions too)."""
    chorus = "Row, row, row your boat gently down the stream."
    texts = ["Verse one of the song.", chorus, "Verse two of the song.", chorus, chorus]
    assert model.drop_copies(texts, _shows({chorus: 2})) == {4}
    assert model.drop_copies(texts, _shows({chorus: 3})) == set()
    assert model.drop_copies(texts) == {3, 4}  # no page to ask: once


def test_a_hidden_copy_goes_though_the_page_repeats_a_paragraph() -> None:
    """A hidden block holding the story is the copy, even when the page shows one of its
    paragraphs twice: the paragraphs stay, each as often as the page shows it."""
    first, second = "The ferry runs through the night.", "It stops at every island on the way."
    story = f"{first} {second} {first}"
    shown = _shows({first: 2, second: 1, story: 1})
    assert model.drop_copies([story, first, second, first], shown) == {0}


def test_choose_keeps_what_the_page_repeats(fixed_model: Any) -> None:
    """The blocks the model keeps hold a text as often as the page shows it (`shown`)."""
    chorus = "Row, row, row your boat gently down the stream."
    html = f"<p>Verse one of the song.</p><p>{chorus}</p><p>Verse two of the song.</p><p>{chorus}</p>"
    fixed_model([0.9, 0.9, 0.9, 0.9])
    twice = [b.text for b in model.choose(_blocks(html), shown=_shows({chorus: 2})) or []]
    assert twice.count(chorus) == 2
    once = [b.text for b in model.choose(_blocks(html), shown=_shows({chorus: 1})) or []]
    assert once.count(chorus) == 1


def test_a_reply_quoting_a_post_holds_no_second_copy() -> None:
    """Where comments are wanted (a thread), a reply quoting an earlier post shows the post
    again, and the page shows its text twice; a reader has read it: it is kept once. A post's
    date, shorter than `QUOTE_WORDS`, stays as often as the page shows it, and so does a text an
    article without comments shows twice."""
    post = "Has anyone tried the new ferry timetable? The night boats seem to skip the small islands."
    date = "Mar 3, 2024"
    answer = "Yes, they stop there only on request now."
    texts = [date, post, date, "Alice said:", post, answer]
    sizes, shown = [len(t) for t in texts], _shows({post: 2, date: 2})
    replies = model.decide([[0.05, 0.05, 0.9]] * 6, [1.0] * 6, sizes, comments=True, texts=texts, shown=shown)
    assert replies is not None
    assert [t for t, v in zip(texts, replies, strict=True) if v] == [date, post, date, "Alice said:", answer]
    article = model.decide([[0.1, 0.9, 0.0]] * 6, [1.0] * 6, sizes, texts=texts, shown=shown)
    assert article is None  # trafilatura's text stands, the paragraph twice


def test_a_post_quoted_paragraph_by_paragraph_stays() -> None:
    """On a thread (`quotes`), a post held in one block and quoted after it paragraph by paragraph
    is the post: it stays and the quotes go. Elsewhere the longer text is the copy (a hidden
    block holding the story beside its paragraphs), as before; on a thread too where its
    paragraphs come first."""
    first, second = "The ferry runs through the night.", "It stops at every island on the way."
    post = f"{first} {second}"
    assert model.drop_copies([post, "Ann said:", first, second], quotes=True) == {2, 3}
    assert model.drop_copies([post, "Ann said:", first, second]) == {0}
    assert model.drop_copies([first, second, post], quotes=True) == {2}
    texts = [post, "Ann said:", first, second]
    rows, sizes = [[0.05, 0.05, 0.9]] * 4, [len(t) for t in texts]
    thread = model.decide(rows, [1.0] * 4, sizes, comments=True, texts=texts)
    assert thread == [model.COMMENT, model.COMMENT, model.BOILERPLATE, model.BOILERPLATE]


def test_equal_copies_leave_the_first() -> None:
    """Two equal texts are no container of each other: of three equal paragraphs the first stays
    (before, the first was taken for a container of the other two and the second stayed)."""
    para = "The harbour opens at dawn and closes at dusk."
    assert model.drop_copies([para, para, para]) == {1, 2}
    assert model.drop_copies([f"{para} It is busy.", para, "It is busy at noon."]) == {1}


def test_trafilatura_rules_vote_on_each_block() -> None:
    """The share of a block's text inside an element trafilatura's own rules remove (discards.py):
    a byline in an inline <span class="byline"> under a plain <div>, a caption, a <time>, a rating
    line and everything under a removed container; a story paragraph and a heading have none. The
    neighbours' shares are read too, -1 at the page's ends."""
    blocks = _blocks(
        "<article><h1>Gull Point rescue</h1><div><span class='byline'>By Jane Doe, Staff Writer</span></div>"
        "<p>Two kayakers were pulled from the water on <time>Sunday</time> afternoon.</p>"
        "<p class='photo-caption'>Photo: The lifeboat crew</p><div class='rating'><b>Rate this</b></div>"
        "<div class='related-posts'><h3>More news</h3><p>Another story</p></div></article>"
    )
    at = {name: i for i, name in enumerate(FEATURE_NAMES)}
    shares = {b.text: round(b.features[at["discarded"]], 2) for b in blocks}
    assert shares == {
        "Gull Point rescue": 0.0,
        "By Jane Doe, Staff Writer": 1.0,
        "Two kayakers were pulled from the water on Sunday afternoon.": round(len("Sunday") / 60, 2),
        "Photo: The lifeboat crew": 1.0,
        "Rate this": 1.0,
        "More news": 1.0,
        "Another story": 1.0,
    }
    assert blocks[0].features[at["previous_discarded"]] == -1.0
    assert blocks[0].features[at["next_discarded"]] == 1.0
    assert blocks[2].features[at["previous_discarded"]] == 1.0


def test_a_list_pages_items_are_kept_where_trafilatura_dropped_them(fixed_model: Any) -> None:
    """Items in a run of alike siblings that the model leaves to trafilatura, which dropped them,
    are kept when they outweigh half of what is kept (model.items); under a story they are not."""
    cards = "".join(f"<li class='card'><a href='/p{i}'>Oak desk number {i}</a></li>" for i in range(4))
    story = "<p>" + "A long story of the page's own, which its readers came for. " * 10 + "</p>"
    fixed_model([0.95] + [0.4] * 4)
    chosen = [b.text for b in model.choose(_blocks(f"<h1>Desks</h1><ul>{cards}</ul>", "Desks")) or []]
    assert chosen == ["Desks"] + [f"Oak desk number {i}" for i in range(4)]
    fixed_model([0.95, 0.95] + [0.4] * 4)
    chosen = [b.text for b in model.choose(_blocks(f"<h1>Desks</h1>{story}<ul>{cards}</ul>", "Desks")) or []]
    assert len(chosen) == 2 and chosen[0] == "Desks"  # the story alone beside the title
    fixed_model([0.95] + [0.05] * 4)  # boilerplate the model is sure of stays dropped
    assert model.choose(_blocks(f"<h1>Desks</h1><ul>{cards}</ul>", "Desks")) is None


def test_a_block_holding_its_text_twice_in_a_row_is_kept_once(fixed_model: Any) -> None:
    """A block whose text is one text twice in a row (the text and its copy for screen readers, in
    an element only the page's stylesheet hides) comes out once; a short name said twice stays."""
    html = (
        "<p>The harbour opens at dawn.</p>"
        '<div><span>EUR 355.58</span><span class="clipped">EUR 355.58</span></div>'
        "<div><span>Sat, Nov 02, 04:33 AM</span> <span class='clipped'>Sat, Nov 02, 04:33 AM</span></div>"
        "<p>Bora Bora</p>"
    )
    fixed_model([0.9, 0.9, 0.9, 0.9])
    chosen = model.choose(_blocks(html)) or []
    assert [b.text for b in chosen] == [
        "The harbour opens at dawn.",
        "EUR 355.58",
        "Sat, Nov 02, 04:33 AM",
        "Bora Bora",
    ]
    assert model.once("Live Online Live Online") == "Live Online Live Online"  # two words a half: a name
    assert model.once("next 3 pack ladies top next 3 pack ladies top") == "next 3 pack ladies top"
    refrain = "We will sail home tonight\nWe will sail home tonight"  # a line each: the page shows both
    assert model.once(refrain) == refrain


def test_a_block_of_machine_identifiers_goes(fixed_model: Any) -> None:
    """A kept block whose text is UUIDs run together (a shop's sponsored card spelling its label
    out of spans the stylesheet hides) goes, whatever the model says; a command or a table's
    cell holding one UUID among its words stays, and so does a paragraph naming three."""
    ids = "".join(f"{i}3097ac-d3e5-41e1-baf5-30364075{i}ebfX" for i in range(10, 16))
    command = "$ celery -A proj result -t tasks.add 4e196aa4-0141-4601-8138-7aa33db0f577"
    cell = "{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}"
    named = (
        "The three builds failed with the ids 4e196aa4-0141-4601-8138-7aa33db0f577, "
        "5e196aa4-0141-4601-8138-7aa33db0f577 and 6e196aa4-0141-4601-8138-7aa33db0f577; each "
        "stopped at the linker, which ran out of memory on the small runners we had given it."
    )
    html = f"<h1>Ladies top, size 6</h1><div>{ids}</div><pre>{command}</pre><p>{cell}</p><p>{named}</p>"
    fixed_model([0.9] * 5)
    chosen = [b.text for b in model.choose(_blocks(html)) or []]
    assert chosen == ["Ladies top, size 6", command, cell, named]
    assert model.machine(ids) and not model.machine(command) and not model.machine(named)


def test_a_call_to_act_on_the_page_goes(fixed_model: Any) -> None:
    """A kept block whose whole text asks the reader to act on the page (a comment form's heading,
    a comment link under the title, a sign-up box's title, in any of the languages) goes, whatever
    the model says; a sentence that says the same among other words, and a lone "Comments" or
    "Subscribe" (a manual's section may be named so), stay."""
    story = "The ferry company said it would add two morning crossings on weekdays from next month."
    asked = "Near the end, the mayor asked readers to leave a comment below the article."
    calls = ["Kommentar hinzufügen", "Leave a Reply", "» Schreibe einen Kommentar", "Follow us on Twitter!"]
    calls += ["Subscribe to our newsletter", "Laisser un commentaire", "Dodaj komentarz"]
    html = (
        f"<h1>More ferries</h1><a href='#respond'>{calls[0]}</a><p>{story}</p><p>{asked}</p>"
        f"<h2>Subscribe</h2><p>Comments</p>" + "".join(f"<div>{c}</div>" for c in calls[1:])
    )
    fixed_model([0.9] * 12)
    chosen = [b.text for b in model.choose(_blocks(html)) or []]
    assert chosen == ["More ferries", story, asked, "Subscribe", "Comments"]
    assert all(map(model.calls, calls)) and not model.calls("Follow the money")
    buttons = [
        "Zurück zum Newsroom",
        "Back to top \u2191",
        "Printer-friendly version",
        "Imprimir",
        "Seite drucken",
    ]
    assert all(map(model.calls, buttons))
    # a link back up the page, in the languages of the comment phrases; in bare words a heading
    # may say too ("To the top" over a climb's summit), only as a link's text
    up = ["Zurück nach oben", "↑ Zum Seitenanfang", "Haut de page", "Ir arriba", "Terug naar boven"]
    up += ["Tilbake til toppen", "Scroll to top", "Top of page"]
    assert [t for t in up if not model.calls(t)] == []
    bare = ["Nach oben", "Naar boven", "Do góry", "Til toppen", "To the top", "↑ To top"]
    assert [t for t in bare if model.calls(t) or not model.calls(t, linked=True)] == []
    assert not any(
        model.calls(t, linked=True) for t in ["Nach oben offen", "To the top of the mountain", "Top"]
    )
    # a share button and a blog's feed links, named as such; a lone "Share" may name a section
    shares = ["Pin it", "Share this article", "Tweet this", "Share on Facebook", "Auf Facebook teilen"]
    shares += ["Partager sur Facebook", "Compartir en Twitter", "Subscribe to: Post Comments (Atom)"]
    assert [t for t in shares if not model.calls(t)] == []
    assert not any(map(model.calls, ["Share", "Teilen", "Share this with your friends", "Share on the way"]))
    assert not any(map(model.calls, ["Print", "print()", "Back to the street.", "Stampa"]))
    # where trafilatura's text stands (the model agrees with it on every block), it stands whole
    texts = [story, "Leave a Reply"]
    rows, sizes = [[0.05, 0.95, 0.0]] * 2, [len(t) for t in texts]
    assert model.decide(rows, [1.0, 1.0], sizes, texts=texts) is None
    assert model.decide(rows, [0.0, 1.0], sizes, texts=texts) == [model.CONTENT, model.BOILERPLATE]


def test_the_comment_forms_calls_go_in_each_language_named() -> None:
    """The calls WordPress itself prints over a comment form and on its cancel link ("Leave a
    Reply", "Cancel reply") are calls in each language `calls` names, not only English's; and a
    follow box names its network in each of them ("Følg oss på Facebook")."""
    forms = ["Deja una respuesta", "Cancelar la respuesta", "Geef een reactie", "Reactie annuleren"]
    forms += ["Antworten abbrechen", "Anuluj pisanie odpowiedzi", "Lämna ett svar", "Avbryt svar"]
    forms += ["Deixe uma resposta", "Efterlad en kommentar", "Følg oss på Facebook"]
    forms += ["Obserwuj nas na Twitterze"]
    assert [f for f in forms if not model.calls(f)] == []
    assert not model.calls("Deja una respuesta clara al ministro") and not model.calls("Avbryt svaret")


def test_a_call_is_read_as_the_page_shows_it() -> None:
    """A call the page writes with a soft hyphen, a zero-width space or a word joiner in it
    ("Kom\u00admentar", a button's trailing U+200B) is the call a reader reads (`dom.composed`)."""
    marked = ["Kom\u00admentar hinzufügen", "Leave a Reply\u200b", "Back to\u2060 top"]
    marked += ["Dodaj\u200b komentarz"]
    assert [t for t in marked if not model.calls(t)] == []


def test_a_bar_of_calls_is_a_call() -> None:
    """A block of a few lines, each a call ("Zurück zum Newsroom" over "Drucken", a bar of buttons
    split by <br>), is a call; one call written over two lines is one too; a call over a line of
    the story is not."""
    assert model.calls("Zurück zum Newsroom\nDrucken") and model.calls("Back to top\nPrint this page")
    assert model.calls("Leave a\nReply")
    assert not model.calls("Leave a Reply\nThe ferry left early.") and not model.calls("Drucken\nKommentare")


def test_a_list_pages_controls_and_skip_links_are_calls() -> None:
    """A list page's controls over its results (how they are sorted, a button for more of them) and
    its cards' buttons ("Quick Shop", "Add to cart") are calls, in the languages `calls` names; a
    skip link past the menus ("Skip to main content", "Zum Inhalt springen", two run together) is
    one as a link's text only, as a bare link back up is (a manual may head a section "Skip to
    content"); a lone "Sort" or "Filter", a query plan's
    "Filter: (aid < 100)" and "Learn more" (a service page's truth keeps it as often) are no calls."""
    controls = ["Sort by", "Sort: Best Match", "Sort by: Price, low to high", "Sort and Filter"]
    controls += ["Filter by:", "loaded 338 results", "Results list", "Show more", "Load more products"]
    controls += ["Sortieren nach", "Mehr laden", "Trier par", "Ordenar por", "Cargar más", "Toon meer"]
    # a card's buttons on a shop's grid
    controls += ["Quick Shop", "Quick view", "Add to cart", "Add to Wishlist", "View Details", "Shop now!"]
    controls += ["Select options", "In den Warenkorb", "Ajouter au panier", "Aggiungi al carrello"]
    assert [t for t in controls if not model.calls(t)] == []
    skips = ["Skip to main content", "Skip to search results", "Skip to product list", "Skip listing"]
    skips += ["Jump to navigationJump to search", "Zum Inhalt springen", "Aller au contenu principal"]
    skips += ["Saltar al contenido", "Przejdź do treści", "Naar de inhoud"]
    assert [t for t in skips if model.calls(t) or not model.calls(t, linked=True)] == []
    stays = ["Sort", "Filter", "Filter: (aid < 100)", "Show more of the valley", "Learn more"]
    stays += ["Add to cart events fire once per click"]
    stays += ["Skip to the end of the story"]
    assert [t for t in stays if model.calls(t, linked=True)] == []


def test_an_advertising_slots_label_is_a_call() -> None:
    """An advertising slot's label ("Advertisement", "- Anzeige -", "REKLAMA", in the languages
    `calls` names), left over the advert the pre-pass took, is no line of a story and goes as a call
    does; "Sponsored" (a shop marks its paid cards so, and a listing's truth keeps it), a section
    named "Advertising" and a sentence about advertising are not, nor is a heading over kept text
    where the word names advertising or a screen too ("<h2>Anzeige</h2>": `heads`)."""
    labels = ["Advertisement", "ADVERTISEMENTS", "- Anzeige -", "Werbung", "REKLAMA", "Publicidad"]
    labels += ["Publicité", "Pubblicità", "Advertentie", "Annons", "Mainos"]
    assert [t for t in labels if not model.calls(t)] == []
    stays = ["Sponsored", "Advertising", "Werbung im Netz wird teurer", "Anzeige erstatten"]
    assert [t for t in stays if model.calls(t, linked=True)] == []
    # a heading over kept text heads a section about advertising, or a screen ("Anzeige")
    named = ["Anzeige", "Werbung", "REKLAMA", "Publicidad", "Publicité", "Pubblicità", "Mainos"]
    assert [t for t in named if model.calls(t, heads=True)] == []
    assert [t for t in ["Advertisement", "Advertentie"] if not model.calls(t, heads=True)] == []


def test_a_block_no_reader_is_shown_is_no_line(fixed_model: Any) -> None:
    """A kept block whose text is only characters a page never shows (a zero-width space, a word
    joiner: `dom.composed`) is no line of the output, nor is such a line of a block: it would be an
    empty one."""
    story = "The ferry company said it would add two morning crossings on weekdays from next month."
    more = "The first sailing leaves at half past five."
    html = f"<h1>More ferries</h1><p>{story}</p><p>\u200b</p><div>\u2060\u200b</div><p>{more}</p>"
    html += "<div>Timetable<br>Weekdays: 5.30, 6.15<br>\u200b</div>"
    fixed_model([0.9] * 6)
    chosen = [b.text for b in model.choose(_blocks(html)) or []]
    assert chosen == ["More ferries", story, more, "Timetable\nWeekdays: 5.30, 6.15"]


def test_a_follow_box_names_where_to_follow(fixed_model: Any) -> None:
    """A "Follow us" is a call where it names a network ("Follow us on Twitter and Facebook", "Síguenos
    en redes sociales") or none; a story's line that goes on otherwise ("Follow us on our journey
    across Patagonia", a travel diary's heading "Folgen Sie uns auf dem Weg nach Rom") is the
    story's, and stays."""
    story = "We left Bariloche on a grey morning in early March, with two bicycles and forty kilos of gear."
    lines = ["Follow us on our journey", "Follow us on the road to Lima"]
    lines += ["Folgen Sie uns auf dem Weg nach Rom", "Suivez-nous sur les routes de France"]
    lines += ["Síguenos en este viaje", "Følg oss på tur"]
    rest = "".join(f"<p>{t}</p>" for t in lines[1:])
    html = f"<h1>Across the Andes</h1><h2>{lines[0]}</h2><p>{story}</p>{rest}"
    fixed_model([0.9] * 8)
    chosen = [b.text for b in model.choose(_blocks(html)) or []]
    assert chosen == ["Across the Andes", lines[0], story, *lines[1:]]
    boxes = ["Follow us", "Follow us on Twitter and Facebook", "Follow us on Facebook, Twitter & Instagram"]
    boxes += ["Síguenos en redes sociales", "Suivez-nous sur les réseaux sociaux", "Follow us on X"]
    boxes += ["Obserwuj nas na Google News", "Volg ons op Facebook en Instagram", "Follow us on social media"]
    assert [b for b in boxes if not model.calls(b)] == []


def test_identifiers_a_reader_is_shown_stay(fixed_model: Any) -> None:
    """UUIDs spaced out as a reader is shown them (a command's output, one a line; a JSON example)
    are no machine block, however many: only UUIDs run together are (`machine`)."""
    ids = [f"{i}3097ac-d3e5-41e1-baf5-30364075{i}eb" for i in range(10, 14)]
    listing = "\n".join(ids)
    example = json.dumps({"id": ids[0], "parent": ids[1], "owner": ids[2]})
    html = f"<h1>Your workspaces</h1><pre>{listing}</pre><pre>{example}</pre>"
    fixed_model([0.9] * 3)
    chosen = [b.text for b in model.choose(_blocks(html)) or []]
    assert chosen == ["Your workspaces", listing, example]
    assert not model.machine(listing) and not model.machine(example)
    assert model.machine("X".join(ids)) and model.machine(" ".join(["X".join(ids)] * 2))


def test_a_carousel_of_other_products_goes(fixed_model: Any) -> None:
    """A kept label naming other products ("Customers also bought") goes with the cards after it,
    up to the next heading of its level; the product's own description after it (a paragraph of
    ISLAND_WORDS words or more) and its next section stay. So does a story's "You might also
    like:" rail, on a page of any type. With a label that names nothing of the kind, every block
    stays."""
    description = " ".join(["The kit holds every driver bit a repair needs, in a case that closes."] * 3)
    html = (
        "<h1>Pro Tech Toolkit</h1><p>$74.99 with free shipping</p>"
        "<h2>Customers also bought</h2><h3>Essential Electronics Toolkit</h3><p>$24.99</p>"
        "<h3>Mako Driver Kit</h3><p>$39.99</p>"
        f"<p>{description}</p>"
        "<h2>Similar items</h2><h3>Moray Driver Kit</h3><p>$19.99</p>"
        "<h2>Specifications</h2><p>Case material: ABS</p>"
    )
    fixed_model([0.9] * 13)
    chosen = [b.text for b in model.choose(_blocks(html)) or []]
    assert chosen == [
        "Pro Tech Toolkit",
        "$74.99 with free shipping",
        description,
        "Specifications",
        "Case material: ABS",
    ]
    story = " ".join(["We sanded the old deck, fixed two boards and oiled it in one weekend."] * 3)
    post = (
        f"<h1>Refinishing a deck</h1><p>{story}</p>"
        "<p>YOU MIGHT ALSO LIKE:</p><p><a href='/a'>Twelve porch projects</a></p>"
        "<p><a href='/b'>A changing table made into a desk</a></p>"
    )
    fixed_model([0.9] * 5)
    assert [b.text for b in model.choose(_blocks(post)) or []] == ["Refinishing a deck", story]
    assert model.carousels([1, 1, 1], ["Product details", "Made of steel", "$24.99"], ["h2", "p", "p"]) == [
        1,
        1,
        1,
    ]


def test_a_block_inside_a_link_is_linked() -> None:
    """A block element inside a link (`<a><h2>`, a card's `<a><div><h3>`) is the link's text
    whole, however deep: the walk marks it linked, which its own link characters do not say
    (they count the links inside a block). The features are as before."""
    blocks = _blocks(
        "<p>Plain <a href='/x'>link</a> text.</p><ul><li><a href='/a'><h2>Headline one</h2></a></li>"
        "<li><a href='/b'><div><h3>Headline two</h3></div></a></li></ul><h2>Own heading</h2>"
    )
    found = {b.text: b.linked for b in blocks}
    assert found["Headline one"] and found["Headline two"]
    assert not found["Own heading"] and not found["Plain link text."]


def test_a_block_inside_a_named_anchor_is_not_linked() -> None:
    """An `<a>` without `href` (`<a name="story">`, `<a id="top">` around a story, as older pages
    mark a place to jump to) is a placeholder, no link a reader follows: the blocks inside it are
    not linked, so the story's title and section headings are no rail's labels (redteam9's probe:
    a story inside `<a name>` lost its title and both section headings, sure's rail rules reading
    its paragraphs as headlines). An `<a href>` inside the anchor still links its block."""
    blocks = _blocks(
        "<a name='story' id='story'><h2>What the shops say</h2><p>Opponents argued that parking would"
        " suffer.</p><a href='/x'><h3>Linked inside</h3></a></a>"
    )
    found = {b.text: b.linked for b in blocks}
    assert not found["What the shops say"] and not found["Opponents argued that parking would suffer."]
    assert found["Linked inside"]


def test_a_link_around_a_whole_story_does_not_link_it() -> None:
    """A link around a whole story (more than `LINK_MOST` characters: a page that sets its story
    inside an `<a href>` to itself) is no headline or card a reader follows: its blocks are not
    linked, or sure's rail rules read the story's paragraphs as headlines and drop its title and
    section headings (redteam9's probe). A card's link, a headline and its summary, still links."""
    paragraph = "The council approved the new cycling lanes after a debate that lasted most of the afternoon."
    story = "<h2>What the shops say</h2>" + f"<p>{paragraph}</p>" * 30
    card = "<a href='/card'><div><h3>Council backs lanes</h3><p>The vote was narrow.</p></div></a>"
    blocks = _blocks(f"<a href='/story'>{story}</a>{card}")
    found = {(b.tag, b.text): b.linked for b in blocks}
    assert not found["h2", "What the shops say"] and not found["p", paragraph]
    assert found["h3", "Council backs lanes"] and found["p", "The vote was narrow."]


def test_text_after_a_nested_block_reads_after_it(fixed_model: Any) -> None:
    """A block's text after a block nested in it reads after that block (and those inside it), as
    a reader reads the page, not first: a story's last sentence written after its paragraphs, in
    their <div>, closes the text (redteam9's probe: `scraper clean` printed it under the title);
    the text around a heading inside a <div> reads on both sides of it. The blocks' texts, and so
    the models' inputs, are as the walk reads them."""
    one = "The council approved the new cycling lanes on Monday after a long debate."
    two = "Supporters said the lanes would make the city centre safer for children."
    last = "The work will start in May, the council said."
    html = f"<h1>Lanes</h1><div><p>{one}</p><p>{two}</p>{last}</div>"
    assert [b.text for b in _blocks(html)] == ["Lanes", last, one, two]  # the walk's blocks
    fixed_model([0.9] * 4)
    chosen = [b.text for b in model.choose(_blocks(html)) or []]
    assert chosen == ["Lanes", one, two, last]
    nested = _blocks("<div>Intro.<h2>Section</h2>Body.<div>Inner.<p>Deep.</p>After.</div>End.</div>")
    assert [b.text for b in reading_order(nested)] == [
        "Intro.",
        "Section",
        "Body.",
        "Inner.",
        "Deep.",
        "After.",
        "End.",
    ]


def test_a_heading_a_kept_text_reads_after_closes_nothing() -> None:
    """A heading inside a <div> whose own text goes on after it ("S1 S2 <h2>What happens
    next</h2> S3") heads that text: `unheaded` keeps it, where in the walk's order (the <div>'s
    text one block, before the <h2>) it read as a heading closing the text (redteam9's probe: both
    section headings of such a story went). A heading after the last text still closes it."""
    html = "<h1>Lanes</h1><div>One.<h2>Section</h2>Two.<h2>Next</h2>Three.</div><h2>Related</h2>"
    blocks = _blocks(html)
    assert [b.text for b in blocks] == ["Lanes", "One.\nTwo.\nThree.", "Section", "Next", "Related"]
    reach = reaches(blocks)
    assert reach == [0, 3, 2, 3, 4]
    tags = [b.tag for b in blocks]
    c, b = model.CONTENT, model.BOILERPLATE
    assert model.unheaded([c] * 5, tags) == [c, c, b, b, b]
    assert model.unheaded([c] * 5, tags, reach=reach) == [c, c, c, c, b]


def test_a_doubted_heading_a_kept_text_reads_after_heads_it() -> None:
    """A section heading the model doubts, nested in a kept block whose text goes on after it
    ("<section>One.<h2>Aufbau</h2>Two.</section>": a review written in one container, its
    paragraphs broken by <br>), heads that text and is kept, by the cascade's first model and by
    the main one, as a heading between two kept paragraphs is; the walk's order read it as a
    heading after a heading, so it went. One after the container's text still heads nothing."""
    one = "The harbour board met on Tuesday to agree the summer timetable after months of talks."
    two = "Crossings will run every twenty minutes at peak hours, the board said in its statement."
    html = f"<h1>Ferries</h1><section>{one}<h2>What changes</h2>{two}<h2>Fazit</h2>{two}</section>"
    html += "<h2>More</h2>"
    blocks = _blocks(html)
    texts, tags = [b.text for b in blocks], [b.tag for b in blocks]
    assert tags == ["h1", "section", "h2", "h2", "h2"]
    rows = [[0.05, 0.95, 0.0], [0.05, 0.95, 0.0], [0.6, 0.4, 0.0], [0.6, 0.4, 0.0], [0.6, 0.4, 0.0]]
    sizes, links, listed = [len(t) for t in texts], [0.0] * 5, [False] * 5
    found = model.sure(rows, sizes, texts=texts, tags=tags, votes=[0.0] * 5, links=links, listed=listed,
                       reach=reaches(blocks))  # fmt: skip
    assert found is not None and [t for t, v in zip(texts, found, strict=True) if v] == texts[:4]
    kept = model.decide(rows, [1.0, 1.0, 0.0, 0.0, 0.0], sizes, texts=texts, tags=tags, links=links,
                        reach=reaches(blocks))  # fmt: skip
    assert kept is not None and [t for t, v in zip(texts, kept, strict=True) if v] == texts[:4]


def test_an_articles_pull_quote_stays_with_its_comments_wanted() -> None:
    """A reply quoting a post is kept once on a thread; an article's pull quote, a paragraph the
    page shows twice, stays twice whether its comments are wanted or not: its text is the same
    either way (redteam9's probe: with --comments, an article lost its pull quote's repeat)."""
    quote = "The court said the rule placed a burden on small firms that the law never meant them to bear."
    story = "The constitutional court struck down the rule on Tuesday, in a ruling read out in full."
    texts = [story, quote, "Reactions", quote]
    sizes, shown = [len(t) for t in texts], _shows({quote: 2})
    rows = [[0.1, 0.9, 0.0]] * 4
    kept = model.sure(rows, sizes, comments=True, texts=texts, shown=shown, thread=False)
    assert kept is not None and [t for t, v in zip(texts, kept, strict=True) if v].count(quote) == 2
    trafilatura = [1.0, 1.0, 0.0, 1.0]  # the heading is the model's change: its verdicts stand
    kept = model.decide(rows, trafilatura, sizes, comments=True, comments_last=True, texts=texts, shown=shown)
    assert kept is not None and [t for t, v in zip(texts, kept, strict=True) if v].count(quote) == 2


def test_an_appeal_closing_the_story_is_a_call() -> None:
    """A block that opens by asking whether the reader liked this very article and goes on to ask
    for something ("If you enjoyed this post, subscribe ...", "Wenn Ihnen unser Artikel gefallen
    hat: ...", in the languages `calls` names) is a call, up to `APPEAL_WORDS` words; the same
    words about anything but the page itself, where the sentence goes on about the piece and asks
    nothing ("If you like this recipe with pears, cut them ..."), or past that length, are the story's."""
    appeals = [
        "If you enjoyed this article, enter your email below to get free updates!",
        "If you enjoyed reading this post – would you consider supporting our work? Just click here.",
        "If you like my articles, there's a good chance you'll like the books I wrote as well.",
        "Did you enjoy this article? Share it with a friend.",
        # the sentence goes on about the piece, then asks
        "If you enjoyed our roundup of autumn hikes in the Alps, subscribe to our channel for more.",
        "If you liked this post you might also like:",
        "Wenn Ihnen unser Artikel gefallen hat: Unterstützen Sie diese Form des Journalismus.",
        "Hat dir der Beitrag gefallen? Dann teile ihn mit deinen Freunden.",
        "Si vous avez aimé cet article, abonnez-vous à notre lettre.",
        "¿Te ha gustado este artículo? Compártelo en tus redes.",
        "Se ti è piaciuto questo articolo, condividilo.",
        "Se você gostou deste artigo, compartilhe com seus amigos.",
        "Vond je dit artikel leuk? Deel het dan met je vrienden.",
        "Jeśli podobał ci się ten artykuł, udostępnij go znajomym.",
        # while reading, and asked after it
        "If you're enjoying this article, consider supporting our journalism by subscribing.",
        "Enjoy the post? Pin it for later!",
    ]
    assert [t for t in appeals if not model.calls(t)] == []
    story = [
        "If you enjoyed the first season, the second will not disappoint: the writers kept the cast.",
        "If you like the idea of cheaper crossings, the council's plan is worth reading.",
        "Wenn Ihnen der Winter gefallen hat, wird Ihnen der Frühling auch gefallen.",
        "If you are enjoying this story about the ferries as much as the crews, the summer will be long.",
        "Enjoy the story of the harbour, told by the crews themselves.",
        # a reader's comment that opens on the same question and asks nothing
        "Enjoyed the article? I did not. The author misses the point about the harbour fees.",
        "If you enjoyed this article " + "and the long report it quotes from the harbour board " * 5,
    ]
    assert [t for t in story if model.calls(t)] == []


def test_a_promotion_of_the_sites_newsletter_or_app_is_a_call() -> None:
    """A block that asks the reader to sign up to the site's newsletter, download its app or join
    its channel (model._PROMO, in the languages `calls` names) is a call up to `APPEAL_WORDS`
    words, with the lead-in around it ("Want more? ..."); a sentence about someone's newsletter
    or app that asks the reader nothing, or past that length, is the story's."""
    promotions = [
        "Never miss the latest news by signing up to our newsletter today!",
        "Want more from the Harbour Times? Sign up for our newsletter, The Tide, and read smarter.",
        "Sign up for the free daily Harbour newsletter for more ferry news!",
        "For the latest stories and breaking news updates download the Harbour apps for iOS and Android.",
        "Join our mailing list! Get a letter when an episode is out.",
        "Lust auf mehr? Melde dich hier für unseren Newsletter an.",
        "Abonnez-vous à notre newsletter pour recevoir nos articles.",
        "Inscrivez-vous à notre lettre d'information.",
        "Puede seguirnos en Twitter o suscribirse aquí a nuestra newsletter.",
        "¡Mira lo que tiene nuestro canal de YouTube!",
        "Iscriviti alla nostra newsletter.",
        "Schrijf je in voor onze nieuwsbrief en mis niets.",
        "Zapraszamy też do subskrypcji.",
    ]
    assert [t for t in promotions if not model.calls(t)] == []
    story = [
        "The paper asked readers to sign up for its newsletter, which now has 40,000 subscribers.",
        "The app is available for iOS and Android, the ferry company said on Tuesday.",
        "Download the timetable app today, and take part in the board's survey of the crossings.",
        "Sign up for our newsletter " + "and the long report it quotes from the harbour board " * 5,
    ]
    assert [t for t in story if model.calls(t)] == []


def test_a_story_telling_of_someone_elses_newsletter_or_app_is_no_call() -> None:
    """Where a promotion would read "the" newsletter or app (model._PROMO), a story's sentence
    naming its owner ("the council's newsletter") or telling of a third party ("Patients can
    download the ... app") asks the reader nothing, nor does a policy's "when registering for our
    newsletter", nor a Spanish infinitive naming no newsletter of ours: the story's. The reader
    addressed ("You can sign up for the newsletter here") is still asked."""
    story = [
        "Residents can sign up for the council's weekly newsletter at the town hall, the mayor said.",
        "Patients can download the Harbour Health app for iPhone and Android from today, the board said.",
        "Teachers were told to sign up to the school's newsletter to hear about closures.",
        "She was joining the team's mailing list when the ferry service was cut.",
        "To report a bug, subscribe to the developers' mailing list and post the log there.",
        "These requests only come up when registering for our newsletter, the policy says.",
        "Los vecinos pueden suscribirse al boletín del ayuntamiento, dijo la alcaldesa.",
    ]
    assert [t for t in story if model.calls(t)] == []
    assert model.calls("You can sign up for the newsletter here.")
    assert model.calls("Click here to subscribe to the Harbour newsletter.")


def test_a_link_to_the_readers_account_is_a_call_as_a_link_only() -> None:
    """A link to the reader's account ("Log In", "Sign up / Log in", "Register | Lost your
    password?", "Anmelden", in the languages `calls` names) over or under the story is a call as
    a link's text only, as a bare link back up is: a manual may head a section "Sign in", and a
    line of a story may say "Register"; a sentence about signing in is no call either way."""
    links = ["Log In", "Sign in", "Sign up / Log in", "Register | Lost your password?", "Login"]
    links += ["Anmelden", "Einloggen", "Se connecter", "Iniciar sesión", "Accedi", "Inloggen"]
    links += ["Zaloguj się", "Create an account", "My Account"]
    assert [t for t in links if model.calls(t) or not model.calls(t, linked=True)] == []
    stays = ["Sign in to the harbour board's portal with your ferry card", "Register your boat"]
    stays += ["Anmelden bis Freitag"]
    stays += ["register()", "login()"]  # a manual's link to a function of that name
    assert [t for t in stays if model.calls(t, linked=True)] == []


def test_a_paywalls_notice_is_a_call() -> None:
    """A paywall's notice where the story stops ("To view the full story, please subscribe ...",
    "Kostenlos registrieren und weiterlesen", "already a subscriber? log in", in the languages
    `calls` names) asks the reader to pay or sign in for the rest and is a call, up to
    `APPEAL_WORDS` words; a sentence naming the full story without asking for an account, or
    subscribers without the rest of the story, is the story's, and so is a longer paragraph."""
    notices = [
        "To view the full story, please subscribe to The Harbour Times. You can choose a yearly pass.",
        "Subscribe now to our e-edition for the full story.",
        "If you\u2019re seeing this message but you\u2019re already a subscriber, you can log in for access.",
        "Kostenlos registrieren und weiterlesen",
        "Schon registriert? Hier einloggen",
        "Abonnez-vous pour lire la suite de cet article.",
        "Suscríbete para seguir leyendo.",
        "Registrati per continuare a leggere",
        "Assine para continuar lendo.",
        "Log in om verder te lezen",
        "Zaloguj się, aby czytać dalej",
        # a question and the sentence that answers it
        "Already have an account? Log in.",
        "Want to keep reading? Subscribe today for unlimited access.",
    ]
    assert [t for t in notices if not model.calls(t)] == []
    story = [
        "Read the full story in the report the harbour board published on Tuesday.",
        "For subscribers, the ferry timetable is in the members' area under Settings.",
        "She registered the boat in May. The full story came out a year later.",
        "Full access to the harbour requires a paid permit, the board said.",
        # a how-to's cue to read on, about an account it explains
        "Keep reading to learn how to register your boat with the harbour board online.",
        "Continue reading below to find out how to log in to the ferry portal.",
        # a question the next sentence does not answer with an account
        "Want the full story? The board published it on Tuesday. Crews may register in June.",
        # a help page's steps answering the question, not a call
        "Already have an account? Sign in with your email address and password, then open Settings"
        " to change your plan or your billing details.",
        "To view the full story, please subscribe to the harbour board's report "
        + "on the ferries, the crews and the timetable for the summer " * 4,
    ]
    assert [t for t in story if model.calls(t)] == []


def test_a_doubted_heading_between_kept_text_heads_it(fixed_model: Any) -> None:
    """A section heading the model doubts (its probability between DROP and KEEP) that trafilatura
    left out, between two kept paragraphs of the story, heads the paragraph after it and is kept
    (it went with trafilatura's verdict); the same heading closing the text, one over a dropped
    block, or a call ("Leave a comment") between kept paragraphs still goes. The cascade's first
    model (`sure`) reads such a heading alike."""
    one = "The harbour board met on Tuesday to agree the summer timetable after months of talks."
    two = "Crossings will run every twenty minutes at peak hours, the board said in its statement."
    three = "The crews are pleased with the plan and will start the new rota in June, they said."
    html = f"<h1>Ferries</h1><p>{one}</p><h2>What changes in June</h2><p>{two}</p>"
    html += f"<h2>Leave a comment</h2><p>{three}</p>"
    kept = "\n".join(("Ferries", one, two, three))  # trafilatura left both headings out
    fixed_model([0.9, 0.9, 0.5, 0.9, 0.5, 0.9])
    chosen = [b.text for b in model.choose(_blocks(html, kept)) or []]
    assert chosen == ["Ferries", one, "What changes in June", two, three]
    texts = ["Ferries", one, "What changes in June", two, "Leave a comment", three, "Related coverage", "Ad"]
    tags = ["h1", "p", "h2", "p", "h2", "p", "h2", "div"]
    rows = [[0.1, 0.9, 0.0], [0.05, 0.95, 0.0], [0.4, 0.6, 0.0], [0.05, 0.95, 0.0]] * 2
    rows[-1] = [0.99, 0.01, 0.0]  # the advert: dropped, and the heading over it heads nothing
    votes = [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0]  # trafilatura's rules remove the headings
    sizes = [len(t) for t in texts]
    found = model.sure(rows, sizes, texts=texts, tags=tags, votes=votes, links=[0.0] * 8, listed=[False] * 8)
    assert found is not None and [t for t, v in zip(texts, found, strict=True) if v] == [
        "Ferries", one, "What changes in June", two, three
    ]  # fmt: skip


def test_a_doubted_paragraph_trafilatura_left_out_continues_the_story() -> None:
    """Where trafilatura's text stops short (at a data table, or at the end of the story's first
    container), a paragraph it left out that the model doubts and leans to keep (between DROP and
    KEEP, at CONTINUED_WANTED or more) beside a kept paragraph continues the story and is kept, as
    the cascade's `continued` reads it; a list item so doubted (a rail's teaser beside a kept one),
    a paragraph with nothing kept beside it, and one the model leans to drop go with trafilatura."""
    one = "The harbour board met on Tuesday to agree the summer timetable after months of talks with crews."
    two = "Crossings will run every twenty minutes at peak hours and every forty minutes in the evening."
    three = "The crews are pleased with the plan and will start the new rota on the first Monday in June."
    far = "Readers who want the full timetable can find it at the ferry terminal and in the town library."
    teaser = "Another harbour town changed its ferry timetable last year and the crews went on strike twice."
    texts = ["Ferries", one, two, three, "Ad", far, teaser, teaser + " Again."]
    tags = ["h1", "p", "p", "p", "div", "p", "li", "li"]
    sure, unsure, low = [0.05, 0.95, 0.0], [0.4, 0.6, 0.0], [0.7, 0.3, 0.0]
    rows = [sure, sure, sure, unsure, [0.99, 0.01, 0.0], unsure, unsure, sure]
    trafilatura = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]  # it stopped after the second paragraph
    sizes, links = [len(t) for t in texts], [0.0] * len(texts)
    kept = model.decide(rows, trafilatura, sizes, texts=texts, tags=tags, links=links)
    assert kept is not None and [t for t, v in zip(texts, kept, strict=True) if v] == [
        "Ferries", one, two, three, teaser + " Again."
    ]  # fmt: skip
    rows[3] = low  # leaning to drop: trafilatura's verdict stands, and nothing changes
    assert model.decide(rows, trafilatura, sizes, texts=texts, tags=tags, links=links) is None


def test_a_kept_headings_doubted_section_trafilatura_left_out_is_kept() -> None:
    """Where trafilatura leaves out a kept heading's section (a changelog's list under each
    contributor's name), the blocks between the heading and the next kept block, each doubted
    (between DROP and KEEP) and not voted out by trafilatura's rules, are kept where the model leans
    to keep them on average (SECTION_WANTED); not where it leans out, not where those rules remove
    one of them, and not under a heading with nothing kept after it."""
    intro = "Here is our regular update on what we have been working on for the past two weeks."
    texts = ["Update", intro, "Alice", "Save remote images", "Fix the jump link", "Bob", "Post scheduling"]
    tags = ["h1", "p", "h2", "li", "li", "h2", "li"]
    sure, unsure, low = [0.05, 0.95, 0.0], [0.55, 0.45, 0.0], [0.85, 0.15, 0.0]
    rows = [sure, sure, sure, unsure, unsure, sure, sure]
    trafilatura = [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]  # it left Alice's list out
    sizes, links = [len(t) for t in texts], [0.0] * len(texts)
    kept = model.decide(rows, trafilatura, sizes, texts=texts, tags=tags, links=links)
    assert kept is not None and [t for t, v in zip(texts, kept, strict=True) if v] == texts
    leaning_out = [*rows[:3], low, low, *rows[5:]]
    assert model.decide(leaning_out, trafilatura, sizes, texts=texts, tags=tags, links=links) is None
    voted = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]  # trafilatura's rules remove one of them
    assert model.decide(rows, trafilatura, sizes, texts=texts, tags=tags, links=links, votes=voted) is None
    last = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]  # nothing kept after Alice's heading
    unheard = [*rows[:5], low, low]
    assert model.decide(unheard, last, sizes, texts=texts, tags=tags, links=links) is None


def test_a_blogs_teasers_each_classed_by_its_own_post_are_a_list_of_items(fixed_model: Any) -> None:
    """A blog's teasers, each classed by its own post id, category and tags beside the class they
    share ("post-41 post category-news"), are a run of alike siblings for the item rule
    (`Block.alike`, read by `model.items`), and the doubted ones trafilatura dropped are kept as a
    list page's items; the models' own count of like siblings (`Block.repeated`, whole class
    strings) does not change. Siblings classed only by their own names are no run."""
    classes = [
        "post-41 post category-news tag-ferries",
        "post-42 post category-harbour",
        "post-43 post tag-boats",
    ]
    teasers = "".join(
        f"<article class='{c}'><h2><a href='/p{i}'>Night boats return in June, part {i}</a></h2></article>"
        for i, c in enumerate(classes)
    )
    blocks = _blocks(f"<h1>Latest posts</h1>{teasers}", "Latest posts")
    assert [b.repeated for b in blocks[1:]] == [0, 0, 0]
    assert [model._run(b) for b in blocks[1:]] == [3, 3, 3]
    fixed_model([0.95] + [0.4] * 3)
    chosen = [b.text for b in model.choose(blocks) or []]
    assert chosen == ["Latest posts"] + [f"Night boats return in June, part {i}" for i in range(3)]
    own = "".join(
        f"<div class='{n}'><h2>Night boats, part {i}</h2></div>" for i, n in enumerate(("a", "b", "c"))
    )
    assert [model._run(b) for b in _blocks(f"<h1>Latest posts</h1>{own}")[1:]] == [0, 0, 0]


def test_a_class_strings_kind_is_found_once_a_class_string() -> None:
    """A class string's kind (its first name without a digit) is found once and then looked up: a
    page's cards repeat their class strings, and finding it cost the walk as much as reading them."""
    from scraper.extract import blocks  # noqa: PLC0415  # its private helper

    blocks._kind.cache_clear()
    assert [blocks._kind("post-41 post category-news"), blocks._kind("col-6 col-md-4")] == ["post", ""]
    assert blocks._kind("post-41 post category-news") == "post"
    assert blocks._kind.cache_info().hits == 1
