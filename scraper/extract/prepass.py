"""The selectolax pre-pass: clutter taken out of the page before trafilatura sees it.

trafilatura is good at finding the main block, but lets through what sits inside or right
next to it: share bars, author bio boxes, "Related articles" teasers, "Source link" trailers,
cookie and newsletter boxes. This module runs the pre-pass; `clutter_rules` says what clutter is.

    settings.keep     extract only from the matching elements (the head stays)   always
    settings.remove   delete the matching elements                               always
    RULES             named generic rules, in order: unguarded, then guarded     if settings.prepass

Last, `anonymise_repeats` takes the class names off runs of like siblings holding most of the
prose (forum posts, answers, cards), so trafilatura takes the whole run, not its first member.

Rules only mark nodes on the intact tree; one sweep then removes the outermost marked ones, and
each removal is recorded as a `Removal` (rule name, tag, text snippet) for `clean --explain`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from scraper.config import ExtractSettings
from scraper.dom import MATH_ANNOTATIONS, RUBY_ANNOTATIONS, ancestors, text_of, unchanged
from scraper.errors import ConfigError
from scraper.extract.discards import discarded_element
from scraper.extract.rules import RULES, Page, Rule, ancestry, inside_marked, prose_weight

__all__ = ["RULES", "Removal", "Rule", "strip_clutter"]


@dataclass(frozen=True, slots=True)
class Removal:
    """One element the pre-pass took out: the rule that claimed it, its tag and the start of its text."""

    rule: str
    tag: str
    snippet: str


def strip_clutter(
    tree: LexborHTMLParser, settings: ExtractSettings, page_type: str = "article", *, safe_only: bool = False
) -> list[Removal]:
    """Remove clutter from `tree` in place and return what went, in the order it was decided.

    `settings.keep` and `settings.remove` are the user's explicit choice and always apply;
    the generic `RULES` run only when `settings.prepass` is on, and with `safe_only` only the
    `safe` ones (those that take no landmark of the story; no run is anonymised either);
    `page_type` is the page's type as judged before extraction (classify.py), which some rules
    read. Raises `ConfigError` for a selector that does not parse.
    """
    removals: list[Removal] = []
    kept: set[int] = set()
    if settings.keep:
        removals += _keep_only(tree, settings.keep, kept)
    if settings.remove:
        removals += _sweep((node, "remove-selector") for node in _select(tree, settings.remove, "remove"))
    if settings.prepass and tree.body is not None:
        # unguarded rules first: the guard must weigh the page without its scripts, styles and
        # consent boxes
        rules = [rule for rule in RULES if rule.safe or not safe_only]
        bare = Page.bare(tree, tree.body, kept)
        removals += _sweep(
            (node, rule.name) for rule in rules if not rule.guarded for node in rule.find(bare)
        )
        reveal_noscript(tree)
        drop_ruby_annotations(tree)
        spell_out_math(tree)
        with unchanged():  # the page measured and its rules' marks decided, each text read once
            page = Page.scan(tree, tree.body, kept, page_type=page_type, comments=settings.include_comments)
            decided = _decided(
                (node, rule.name)
                for rule in rules
                if rule.guarded
                for node in rule.find(page)
                if rule.weighs_story or (page.beside_story(node) if rule.named else page.removable(node))
            )
        removals += _removed(decided)
        if tree.body is not None and not safe_only:
            anonymise_repeats(tree.body)
    return removals


# A unit of a repeated run (a post, a card) needs this much prose to count as content.
_MIN_UNIT_PROSE = 40


def anonymise_repeats(body: LexborNode) -> int:
    """Drop class and id from runs of 3+ like siblings that together hold half the page's prose.

    Forum threads, Q&A pages and listings are runs of siblings with the same tag and class
    ("post", "message", "card"). trafilatura looks for its main block by class names and locks
    onto the first of them: one post of a thread. Without the names it takes their common parent,
    the whole run. Returns how many runs were anonymised.
    """
    done = 0
    total = -1  # the page's prose, weighed when a run of three units of prose first needs it
    # each run is judged apart (a run's words and weights do not change when another's names go),
    # so the order they come in changes nothing
    for units in _runs(body).values():
        if len(units) < 3:
            continue
        # a unit's prose is at most its text: a run too short by its texts needs no link counted
        sizes = [len(text_of(unit)) for unit in units]
        if sum(size >= _MIN_UNIT_PROSE for size in sizes) < 3:
            continue
        total = prose_weight(body) if total < 0 else total
        if 2 * sum(sizes) < total:
            continue
        weights = [prose_weight(unit) for unit in units]
        if 2 * sum(weights) < total or sum(w >= _MIN_UNIT_PROSE for w in weights) < 3:
            continue
        for unit in units:
            for node in (unit, *unit.traverse()):
                if node.is_element_node:
                    for name in ("class", "id"):
                        if name in node.attributes:
                            del node.attrs[name]
        done += 1
    return done


def _runs(body: LexborNode) -> dict[tuple[int, str, str], list[LexborNode]]:
    """The classed children of the elements of `body` that have three or more, by their parent's
    id, tag and class, in page order: every run of three like siblings among them. lexbor finds
    those parents by the third such child (`[class] ~ [class] ~ [class]`), so a classed element
    elsewhere (most of a page's: one or two classed siblings) costs no climb to its parent and no
    read of its attributes."""
    parents: dict[int, LexborNode] = {}
    for node in body.css("[class] ~ [class] ~ [class]"):
        parent = node.parent
        if parent is not None:
            parents.setdefault(parent.mem_id, parent)
    runs: dict[tuple[int, str, str], list[LexborNode]] = {}
    for key, parent in parents.items():
        for node in parent.iter():
            attributes = node.attributes
            if "class" in attributes:
                runs.setdefault((key, node.tag or "", attributes.get("class") or ""), []).append(node)
    return runs


def reveal_noscript(tree: LexborHTMLParser) -> None:
    """Unwrap the <noscript> blocks the pre-pass kept: they hold the story, which trafilatura drops."""
    for node in tree.css("noscript"):
        node.unwrap()


def drop_ruby_annotations(tree: LexborHTMLParser) -> None:
    """Remove the annotations over ruby text (`dom.RUBY_ANNOTATIONS`) before trafilatura reads the
    page, which would keep them inline ("子こども")."""
    for node in tree.css(", ".join(sorted(RUBY_ANNOTATIONS))):
        node.decompose()


def spell_out_math(tree: LexborHTMLParser) -> None:
    """Put each MathML formula a reader sees in the page as its text (its token elements' text as
    the page lays it out, without the annotations of `dom.MATH_ANNOTATIONS`): trafilatura drops
    <math> with its content ("there are two solutions to and they are"), where the blocks read it.
    A formula inside an element trafilatura's rules remove (MediaWiki's MathML hidden beside the
    formula's image) stays as it is, unread by both."""
    for node in tree.css("math"):
        if _hidden_by_rules(node):
            continue
        for note in node.css(", ".join(sorted(MATH_ANNOTATIONS))):
            note.decompose()
        node.replace_with(node.text(deep=True))


def _hidden_by_rules(node: LexborNode) -> bool:
    """Whether an element around `node`, below <body>, is one trafilatura's rules remove."""
    below_body = itertools.takewhile(lambda parent: parent.tag not in ("body", "html"), ancestors(node))
    return any(discarded_element(parent.tag or "", parent.attributes) for parent in below_body)


# -- explicit selectors ---------------------------------------------------------------------


def _select(tree: LexborHTMLParser, selectors: Iterable[str], key: str) -> list[LexborNode]:
    nodes: list[LexborNode] = []
    for selector in selectors:
        try:
            nodes += tree.css(selector)
        except SelectolaxError as exc:
            raise ConfigError(f"extract.{key}", f"invalid CSS selector {selector!r}") from exc
    return nodes


def _keep_only(tree: LexborHTMLParser, selectors: Iterable[str], kept: set[int]) -> list[Removal]:
    """Reduce <body> to the elements matching `selectors` and the wrappers leading to them.

    The head stays whole, so metadata is still found; if nothing matches, nothing changes
    (a site's layout drifting must not empty every page). Kept elements and their ancestors
    are recorded in `kept` so the generic rules leave them alone.
    """
    body = tree.body
    matched = [
        n for n in _select(tree, selectors, "keep") if body is not None and body.mem_id in set(ancestry(n))
    ]
    if body is None or not matched:
        return []
    spine: set[int] = set()
    for node in matched:
        spine.update(ancestry(node))
    kept.update(spine)
    keep_ids = {n.mem_id for n in matched}
    doomed: list[tuple[LexborNode, str]] = []
    stack = [body]
    while stack:
        for child in stack.pop().iter(include_text=True):
            if child.mem_id in keep_ids:
                continue
            if child.mem_id in spine:
                stack.append(child)
            else:
                doomed.append((child, "keep-selector"))
    return [r for r in _sweep(doomed) if r.snippet]


def _tag(node: LexborNode) -> str:
    return "#text" if node.is_text_node else node.tag or ""


def _snippet(node: LexborNode) -> str:
    if node.tag in ("script", "style", "template"):
        return ""
    raw = (node.text_content or "") if node.is_text_node else text_of(node)
    return " ".join(raw.split())[:80]


def _sweep(marked: Iterable[tuple[LexborNode, str]]) -> list[Removal]:
    """Remove the outermost marked nodes; the first rule to mark a node names its removal."""
    with unchanged():  # the marks decided, each text read once
        decided = _decided(marked)
    return _removed(decided)


def _decided(marked: Iterable[tuple[LexborNode, str]]) -> list[tuple[LexborNode, Removal]]:
    """The outermost marked nodes, each with its removal: the first rule to mark a node names it."""
    chosen: dict[int, tuple[LexborNode, str]] = {}
    for node, rule in marked:
        chosen.setdefault(node.mem_id, (node, rule))
    # decide everything before decomposing anything: a freed node must never be touched again
    cleared: set[int] = set()
    outermost = [(node, rule) for node, rule in chosen.values() if not inside_marked(node, chosen, cleared)]
    return [(node, Removal(rule, _tag(node), _snippet(node))) for node, rule in outermost]


def _removed(decided: list[tuple[LexborNode, Removal]]) -> list[Removal]:
    """Take the `decided` nodes out of their tree; their removals."""
    for node, _ in decided:
        node.decompose()
    return [removal for _, removal in decided]
