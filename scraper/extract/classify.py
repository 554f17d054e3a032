"""What kind of page this is, whether it is junk, and how good its text looks; pure.

    measure(tree, facts)              -> PageSignals      on the intact tree, before the pre-pass
    classify(signals, text, status)   -> Classification   text=None: judge the page alone

Junk pages are stored as nothing: a skip reason and no text. The verdicts, checked in order:

    block       bot check or challenge: "Just a moment...", "Access denied", captcha markup
    login       a password form or "sign in to continue" and little else
    consent     cookie/consent text is most of what the page says
    js_shell    a client-rendered shell: almost no visible text, scripts to load, and an empty
                app root (`#root`, `#__next`, `[ng-version]`, ...) or a `<noscript>` asking for
                JavaScript. Its story only exists once a browser has run it: "needs JavaScript"
                (`[[sites]] render = true` / `clean --render` render it first). So is a page
                declared a product, with no price or cart markup, whose extracted text is a few
                words and no number (the site's name and a search box: a script writes the rest)
    not_found   title or h1 says "page not found" / "404" / "doesn't exist" (a soft 404)

An index or category page (repeated teaser blocks, no story of its own) is not junk: its teasers
are its text, and it is typed "listing" (a crawl stores it or not by `store_page_types`). So is a
page of bare links: most of its text in links, little prose, several links (a link-only page is
a listing whatever site it comes from).

Every verdict needs both a junk signal *and* little prose (text outside links, navigation,
forms, consent boxes and teaser lists), so a real article with a login link in its header, a
recaptcha under its comments, or "404" in its text stays an article. Signals are structural
(forms, repeated blocks, link density, JSON-LD/microdata types, og:type), never site names.

Other pages get a type from their declared schema types, then from structure
(forum posts, price markup, code blocks), else "article". The Questions and Answers a FAQPage
declares type nothing: a shop's, a service's or a story's FAQ section is no thread (a QAPage's
Question is).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dom import (
    UNSEEN,
    WORD,
    ancestors,
    class_words,
    link_text_length,
    text_of,
    text_start,
    unchanged,
)
from scraper.extract.metadata import PRODUCT_TYPES, PageFacts, declared_story
from scraper.extract.rules import CONSENT_WORDS, IN_COMMENTS_WORDS, holds_story

JUNK_TYPES = frozenset({"block", "login", "consent", "js_shell", "not_found"})
NEEDS_JAVASCRIPT = "needs JavaScript"

# Less prose than this is "little text": a short notice, not a story.
LITTLE_PROSE = 600
# A password form with less prose than this around it is a login page (a news brief is longer).
_LOGIN_PROSE = 300
# More text than this in <noscript>/<template> than visible means the page is not what it shows.
_MAX_HIDDEN = 1000
# A consent wall explains itself; "We use cookies." alone is a banner left on an empty page.
_MIN_CONSENT = 80
# A teaser group has at least this many sibling blocks of the same shape, each with a link.
MIN_TEASERS = 5
# A client-rendered shell shows less text than this ("Loading...", a "enable JavaScript" line).
_SHELL_TEXT = 200
# Inline script of this size is an app's payload even without a script file.
_SHELL_SCRIPT = 5000
# A product page's extracted text of fewer words than this, and no number among them, is the
# header of a shell whose product a script writes (`_product_shell`).
_SHELL_WORDS = 10
# What a script has yet to fill, alone on a line of the extracted text: a template's placeholder
# ("{{ product.title }}", "${{amount_no_decimals}}", "{% for item in cart %}") or a loading notice
# ("Loading...", "Chargement…", "Cargando", "Wird geladen", "Ładowanie", "Загрузка", "読み込み中").
_UNFILLED = re.compile(
    r"(?P<placeholder>\$?(?:\{\{.*\}\}|\{%.*%\}|\$\{.*\}))"
    r"|(?:loading|chargement|cargando|carregando|caricamento|wird geladen|lädt|bezig met laden|ładowanie"
    r"|načítání|yükleniyor|загрузка|読み込み中|加载中|載入中|로딩 중)(?:\s*(?:\.{1,3}|\u2026))?",
    re.IGNORECASE,
)
# A line of the extracted text of this many words or more is a sentence the page says, not its
# header's or its interface's ("Skip to content", "Cart", "Sort by", "Opens in a new window.").
_SAID_WORDS = 12
# A link-only page: at least this many links, at least this share of its text in them.
_MIN_LINKS = 5
_LINK_SHARE = 0.7


@dataclass(frozen=True, slots=True, kw_only=True)
class PageSignals:
    """Structural facts about the whole page, measured once before the pre-pass."""

    title: str
    h1: str
    description: str
    text_length: int
    hidden_length: int
    link_text_length: int
    prose_length: int
    paragraphs: int
    teasers: int
    teaser_text_length: int
    password_forms: int
    consent_length: int
    challenge_markup: bool
    challenge_text: bool
    repeated_posts: int
    code_blocks: int
    code_spans: int
    price_markup: bool
    schema_types: frozenset[str]
    og_type: str
    reviews_item: bool = False  # a Review naming what it reviews (metadata.PageFacts)
    own_product: bool = False  # a Product of its own, not one its list holds (metadata.PageFacts)
    links: int = 0  # <a href> in the body
    script_length: int = 0  # characters of inline <script> (not JSON data blocks)
    script_files: int = 0  # <script src>
    app_root: bool = False  # an element a JavaScript framework mounts its app on
    noscript_js: bool = False  # a <noscript> that mentions JavaScript
    # the page declares its story in its JSON-LD (one `articleBody` of a story's length:
    # metadata.declared_story), which the pipeline gives as its text where the page shows none
    declared_story: bool = False
    # the repeated posts come after a story of the page's own (`_story_before`): its comments or
    # a "related posts" run, not a thread
    posts_after_story: bool = False


@dataclass(frozen=True, slots=True)
class Classification:
    """The page's type, a quality score in [0, 1], and why it is skipped (None: it is kept)."""

    page_type: str
    quality: float
    skip_reason: str | None = None


# -- measuring -------------------------------------------------------------------------------

# forms are not chrome: ASP.NET and forum software wrap whole pages in one
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "button", "select", "label"})
_CONSENT_WORDS = CONSENT_WORDS | frozenset({
    "didomi", "cookiebot", "usercentrics", "cookielaw", "cc-window", "qc-cmp2-container", "truste",
})  # fmt: skip
# a challenge on the page: its form, its widget or its platform's script; not a captcha library
# alone, which any page with a comment or contact form may load (a short blog post is no bot check)
_CHALLENGE = (
    "#challenge-form, #challenge-running, #cf-challenge-running, .cf-browser-verification,"
    " .cf-turnstile, .g-recaptcha, .h-captcha, #px-captcha, [data-sitekey],"
    ' script[src*="challenge-platform"], iframe[src*="captcha"]'
)
_UNSEEN = frozenset({*UNSEEN, "-comment"})
_CHROME_WORDS = frozenset({"sidebar", "menu"})
_BOX_WORDS = _CONSENT_WORDS | _CHROME_WORDS
# the elements that have a class or an id, found by lexbor: the walk reads the class and id of those
# alone, not of every element (0.6 ms a page in Python); lexbor's own test of the box words' pieces
# in them, ASCII case aside (`dom.named_selector`), took 0.5 ms, against 0.3 for these in Python
_CLASSED = "[class], [id]"
_POST_WORDS = frozenset({"post", "message", "reply", "answer", "postbody", "forumpost"})
_ANSWER_WORDS = frozenset({"answer"})  # in a comments container, only an answer is a post (Q&A)
# a class or id token is part of the attribute's value, lowercased: no post word, no token of one
_POST_CANDIDATES = ", ".join(
    f'[{name}*="{word}" i]' for name in ("class", "id") for word in ("post", "message", "reply", "answer")
)
_PRICE = '[itemprop="price"], [itemprop="offers"], [name="add-to-cart"], [class*="add-to-cart" i]'
# where React, Next.js, Nuxt, Gatsby, Vue, Svelte and Angular apps mount themselves
_APP_ROOT = (
    "#root, #app, #__next, #__nuxt, #___gatsby, #svelte, #react-root, #app-root,"
    " [data-reactroot], [ng-version], [ng-app], app-root"
)
_DATA_SCRIPTS = frozenset({"application/json", "application/ld+json", "text/template", "text/x-template"})


def measure(tree: LexborHTMLParser, facts: PageFacts) -> PageSignals:
    """The signals of a parsed page; reads the tree, never changes it."""
    with unchanged():  # each text read once
        return _measured(tree, facts)


def _measured(tree: LexborHTMLParser, facts: PageFacts) -> PageSignals:
    body = tree.body
    title_node, h1_node = tree.css_first("title"), tree.css_first("h1")
    visible = _Visible(body) if body is not None else None
    teasers, teaser_text = _teaser_groups(body) if body is not None else ([], 0)
    kinds = _Kinds(tree)
    posts, after_story = _repeated_posts(body) if body is not None else (0, False)
    return PageSignals(
        title=text_of(title_node) if title_node is not None else "",
        h1=text_of(h1_node) if h1_node is not None else "",
        description=facts.description,
        text_length=visible.total if visible else 0,
        hidden_length=sum(len(n.text(deep=True)) for n in kinds.hidden),
        link_text_length=visible.links if visible else 0,
        prose_length=visible.prose(skip=set(teasers)) if visible else 0,
        paragraphs=_paragraphs(body, set(teasers)) if body is not None else 0,
        teasers=len(teasers),
        teaser_text_length=teaser_text,
        password_forms=kinds.password_forms,
        consent_length=visible.consent if visible else 0,
        challenge_markup=tree.css_first(_CHALLENGE) is not None,
        challenge_text=body is not None and _says(text_start(body, 3000), _BLOCK_TEXT),
        repeated_posts=posts,
        code_blocks=kinds.code_blocks,
        code_spans=kinds.code_spans,
        price_markup=tree.css_first(_PRICE) is not None,
        schema_types=facts.schema_types,
        og_type=facts.og_type,
        reviews_item=facts.reviews_item,
        own_product=facts.own_product,
        links=len(body.css("a[href]")) if body is not None else 0,
        script_length=sum(
            len(n.text(deep=True))
            for n in kinds.inline_scripts
            if (n.attributes.get("type") or "").strip().lower() not in _DATA_SCRIPTS
        ),
        script_files=kinds.script_files,
        app_root=tree.css_first(_APP_ROOT) is not None,
        noscript_js=any("javascript" in n.text(deep=True).casefold() for n in kinds.noscripts),
        declared_story=declared_story(facts.article_bodies) is not None,
        posts_after_story=after_story,
    )


# The elements the signals count, found in one pass of the tree instead of one per selector (each
# pass costs about 0.1 ms a page): what each selector matched is told apart by tag and attributes.
_COUNTED = "noscript, template, input, pre, code, script"


class _Kinds:
    """The elements of the tree `measure` counts: `body noscript, body template` (hidden),
    `input[type="password" i]`, `pre`, `:not(pre) > code`, `script:not([src])`, `script[src]`
    and `noscript`, in document order."""

    def __init__(self, tree: LexborHTMLParser) -> None:
        self.hidden: list[LexborNode] = []
        self.noscripts: list[LexborNode] = []
        self.inline_scripts: list[LexborNode] = []
        self.password_forms = self.code_blocks = self.code_spans = self.script_files = 0
        for node in tree.css(_COUNTED):
            tag = node.tag
            if tag in ("noscript", "template"):
                if any(a.tag == "body" for a in ancestors(node)):
                    self.hidden.append(node)
                if tag == "noscript":
                    self.noscripts.append(node)
            elif tag == "input":
                # the selector's `i`: ASCII case aside, no other letter lowers into "password"
                self.password_forms += (node.attributes.get("type") or "").lower() == "password"
            elif tag == "pre":
                self.code_blocks += 1
            elif tag == "code":
                parent = node.parent
                self.code_spans += parent is not None and parent.is_element_node and parent.tag != "pre"
            elif tag == "script":
                if "src" in node.attributes:
                    self.script_files += 1
                else:
                    self.inline_scripts.append(node)


class _Visible:
    """Visible text of the body split by where it sits: links, chrome, consent boxes, the rest."""

    def __init__(self, body: LexborNode) -> None:
        self.total = self.links = self.consent = 0
        self._root = body.mem_id
        # each element's parent element (up to the body), and (text length, id of the element
        # holding it) for each text node outside links and chrome
        self._parent: dict[int, int] = {}
        self._runs: list[tuple[int, int]] = []
        self._walk(body)

    def _walk(self, body: LexborNode) -> None:
        """One pass over the body with an explicit stack: a page nested any depth costs no recursion."""
        # (node, its id, in a link, in chrome, in a consent box)
        stack: list[tuple[LexborNode, int, bool, bool, bool]] = [(body, body.mem_id, False, False, False)]
        parents, runs = self._parent, self._runs
        # the box words of each element whose class or id holds one (an element with both comes twice)
        named = {n.mem_id: found for n in body.css(_CLASSED) if (found := class_words(n, _BOX_WORDS))}
        total = links = consent_total = 0
        while stack:
            node, holder, in_link, in_chrome, in_consent = stack.pop()
            counted = not (in_link or in_chrome or in_consent)
            # a text node of white space alone (most of a page's: the markup's indentation) has no
            # size, and lexbor skips those of ASCII white space before they become Python objects
            for child in node.iter(include_text=True, skip_empty=True):
                tag = child.tag
                if tag == "-text":
                    size = len(" ".join((child.text_content or "").split()))
                    total += size
                    if in_link:
                        links += size
                    if in_consent:
                        consent_total += size
                    if size and counted:
                        runs.append((size, holder))
                    continue
                if tag in _UNSEEN:
                    continue
                element = child.mem_id
                consent, chrome = in_consent, in_chrome or tag in _CHROME_TAGS
                # the words matter only to a box not yet known to be consent or chrome; a wrapper
                # classed "cookies-accepted" that holds the story is not a consent box, nor is one
                # classed "sidebar-right" (its layout has a sidebar) a sidebar
                tokens = named.get(element)
                if tokens and not (in_consent and in_chrome) and not holds_story(child):
                    consent = consent or bool(tokens & _CONSENT_WORDS)
                    chrome = chrome or bool(tokens & _CHROME_WORDS)
                parents[element] = holder
                # the order the elements are walked in changes no sum
                stack.append((child, element, in_link or tag == "a", chrome, consent))
        self.total, self.links, self.consent = total, links, consent_total

    def prose(self, skip: set[int]) -> int:
        """Characters of running text outside links, chrome, consent boxes and the `skip` elements."""
        inside: dict[int, bool] = {self._root: False}  # element id -> within a `skip` element

        def skipped(element: int) -> bool:
            chain = []
            while element not in inside:
                chain.append(element)
                element = self._parent[element]
            found = inside[element]
            for current in reversed(chain):
                found = found or current in skip
                inside[current] = found
            return found

        return sum(size for size, holder in self._runs if not skipped(holder))


def _parents_of(body: LexborNode, selector: str) -> list[LexborNode]:
    """The elements of `body` (itself included) that have a child matching `selector`: where a
    search for groups of children need look, instead of at every element."""
    parents: dict[int, LexborNode] = {}
    for node in body.css(selector):
        parent = node.parent
        if parent is not None and node.mem_id != body.mem_id:
            parents.setdefault(parent.mem_id, parent)
    return list(parents.values())


def _signature(node: LexborNode) -> tuple[str, str]:
    return node.tag or "", _class_set(node.attributes.get("class") or "")


@functools.lru_cache(maxsize=16384)
def _class_set(names: str) -> str:
    """A class attribute's names in one order: siblings classed alike in any order are one shape."""
    return " ".join(sorted(names.split()))


# The element that is its parent's MIN_TEASERS-th element child: `:nth-child(5)`, written as a first
# child and its next siblings. lexbor counts an element's siblings from the first for each element
# an nth-child selector is tried on (0.65 ms a page); the sibling combinators step back four at
# most (0.18 ms). The same elements, in the same order.
_NTH_TEASER = ":first-child" + "+*" * (MIN_TEASERS - 1)


def _teaser_groups(body: LexborNode) -> tuple[list[int], int]:
    """Ids and text size of the blocks in repeated teaser groups: >= 5 same-shaped siblings with a link."""
    ids: list[int] = []
    text = 0
    for parent in _parents_of(body, _NTH_TEASER):  # only these have enough children
        children = [c for c in parent.iter() if c.tag not in ("script", "style", "-comment")]
        if len(children) < MIN_TEASERS:
            continue
        signatures = [_signature(c) for c in children]
        shape, count = Counter(signatures).most_common(1)[0]
        if count < MIN_TEASERS or _in_chrome(parent):
            continue
        group = [
            c
            for c, signature in zip(children, signatures, strict=True)
            if signature == shape and _is_teaser(c)
        ]
        if len(group) >= MIN_TEASERS:
            ids += [c.mem_id for c in group]
            text += sum(len(text_of(c)) for c in group)
    return ids, text


def _paragraphs(body: LexborNode, teasers: set[int]) -> int:
    """Paragraphs of 80+ characters of running text, outside links, chrome and teaser blocks."""
    count = 0
    for p in body.css("p"):
        size = len(text_of(p))  # its links' text is only counted when it could matter
        if size >= 80 and size - link_text_length(p) >= 80 and not _in_chrome(p, teasers):
            count += 1
    return count


def _in_chrome(node: LexborNode, teasers: set[int] | frozenset[int] = frozenset()) -> bool:
    """Whether `node` is in chrome (itself or an ancestor up to the body: `_CHROME_TAGS`), or in one
    of the `teasers` (their ids; blocks of the body, never the body itself), in one climb."""
    for current in ancestors(node, include_self=True):
        tag = current.tag
        if tag == "body":
            return False
        if tag in _CHROME_TAGS or current.mem_id in teasers:
            return True
    return False


def _is_teaser(node: LexborNode) -> bool:
    """A block that leads elsewhere: a link with a headline-sized text and at most a short summary."""
    link = node.css_first("a[href]")
    if link is None:
        return False
    return len(text_of(link)) >= 12 and len(text_of(node)) <= 600


def _repeated_posts(body: LexborNode) -> tuple[int, bool]:
    """The largest number of alike sibling blocks classed like posts or replies, each with some
    prose, alike in tag and post classes (`_post_shape`), and whether they come after a story of
    the page's own (`_story_before`; answers never do: what comes before them is the question
    they answer). The header, body and
    footer of one story ("post-header", "post-content", "post-footer") are parts of one post, not
    three: a news story with them is an article, not a forum thread. Nor is what sits in a comments
    container (`rules.IN_COMMENTS_WORDS`: "comments" > "comment comment-reply", "comment-text" >
    "single-post", "commentlist" > "post reply"): those are the
    reader comments under a story or a blog post, whatever each is classed; only an answer there is
    a post (Q&A)."""
    best: list[LexborNode] = []
    for parent in _parents_of(body, _POST_CANDIDATES):  # the others hold no post
        comments = bool(class_words(parent, IN_COMMENTS_WORDS))
        posts = [
            c
            for c in parent.iter()
            if (tokens := class_words(c, _POST_WORDS))
            and not (comments and not tokens & _ANSWER_WORDS)
            and c.tag not in ("a", "span", "li")
            and len(text_of(c)) >= 80
        ]
        if len(posts) >= 3 and _in_chrome(parent):
            continue
        shapes = Counter(map(_post_shape, posts))
        if shapes and (count := shapes.most_common(1)[0])[1] > len(best):
            best = [c for c in posts if _post_shape(c) == count[0]]
    # a Q&A page's answers are its posts whatever comes before them: the question
    answers = len(best) >= _MIN_POSTS and bool(class_words(best[0], _ANSWER_WORDS))
    return len(best), len(best) >= _MIN_POSTS and not answers and _story_before(body, best[0])


_MIN_POSTS = 3  # alike posts that make a thread (`_page_type`)


def _story_before(body: LexborNode, first: LexborNode) -> bool:
    """Whether `LITTLE_PROSE` characters of paragraphs come before the `first` post: a story of the
    page's own, whose "posts" are its reader comments or a "related posts" run under it. Paragraphs
    in chrome do not count, nor do those in the posts' own container: a thread's opening post,
    classed apart from the replies beside it ("post firstReply"), is one of the thread's posts."""
    thread = first.parent.mem_id if first.parent is not None else first.mem_id
    size = 0
    for node in body.traverse():
        if node.mem_id == first.mem_id:
            return False
        if node.tag != "p" or _in_chrome(node) or any(a.mem_id == thread for a in ancestors(node)):
            continue
        size += len(text_of(node))
        if size >= LITTLE_PROSE:
            return True
    return False


def _post_shape(node: LexborNode) -> tuple[str, frozenset[str]]:
    """A post's tag and its class names that hold a post word, numbers aside: "post post-81" and
    "post post-82" are alike, and so are an accepted "answer accepted" and an "answer"."""
    names = (node.attributes.get("class") or "").lower().split()
    return node.tag or "", frozenset(_NUMBERS.sub("", n) for n in names if any(w in n for w in _POST_WORDS))


_NUMBERS = re.compile(r"\d+")  # over a class attribute's value, not HTML


# -- judging ---------------------------------------------------------------------------------

_BLOCK_TITLES = (
    "just a moment", "attention required", "access denied", "access to this page has been denied",
    "verify you are human", "are you a robot", "are you human", "security check", "checking your browser",
    "ddos protection", "request blocked", "you have been blocked", "unusual traffic", "bot verification",
    "human verification", "captcha", "403 forbidden", "pardon our interruption", "request rejected",
)  # fmt: skip
_BLOCK_TEXT = (
    "verify you are human", "checking your browser", "enable javascript and cookies to continue",
    "unusual traffic from your computer", "press & hold", "complete the security check",
    "why have i been blocked", "please turn javascript on and reload the page",
)  # fmt: skip
_LOGIN_PHRASES = (
    "sign in to continue", "log in to continue", "login to continue", "you must be logged in",
    "you need to log in", "you need to sign in", "please log in", "please sign in", "login required",
    "sign in to view", "log in to view", "members only", "sign in to read", "log in to read",
)  # fmt: skip
_CONSENT_TITLES = (
    "before you continue",
    "cookie consent",
    "privacy choices",
    "we value your privacy",
    "cookies",
)
_NOT_FOUND = (
    "page not found", "not found", "doesn't exist", "does not exist", "no longer exists",
    "no longer available",
    "couldn't be found", "could not be found", "cannot be found", "can't be found", "page unavailable",
    "nothing found", "nothing was found", "error 404", "seite nicht gefunden", "page introuvable",
    "página no encontrada", "pagina non trovata", "pagina niet gevonden", "страница не найдена",
)  # fmt: skip
_404 = re.compile(r"(?<!\d)404(?!\d)")

_ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "Report", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "ScholarlyArticle", "LiveBlogPosting", "Review", "SatiricalArticle",
})  # fmt: skip
# a story the page declares itself to be (a Review is left out: one inside a Product is a customer's;
# a Review naming what it reviews, `reviews_item`, is the page's own)
_STORY_TYPES = _ARTICLE_TYPES - {"Review"}
_TYPES_BY_SCHEMA: tuple[tuple[str, frozenset[str]], ...] = (
    ("forum", frozenset({"DiscussionForumPosting", "QAPage", "Question", "SocialMediaPosting"})),
    ("product", PRODUCT_TYPES),
    ("documentation", frozenset({"TechArticle", "APIReference", "HowTo"})),
    ("article", _ARTICLE_TYPES),
    ("service", frozenset({"Service", "FinancialService", "ProfessionalService", "LocalBusiness", "Course"})),
    ("collection", frozenset({"CollectionPage", "ItemList", "OfferCatalog", "SearchResultsPage"})),
)


# a FAQ section's schema: the FAQPage and the Questions and Answers it declares; they type nothing
# (a QAPage's Question types a forum)
_FAQ_PARTS = frozenset({"FAQPage", "Question", "Answer"})


def _says(text: str, phrases: tuple[str, ...]) -> bool:
    lowered = text.casefold().replace("\u2019", "'")
    return any(p in lowered for p in phrases)


def _judge(  # noqa: PLR0911  # one return per verdict reads as the checklist in the module docstring
    s: PageSignals, amount: int, status: int | None, extracted: int | None
) -> tuple[str, str] | None:
    """A junk verdict (page type, skip reason) from the signals and the amount of prose, or None.

    Before extraction (`extracted` is None) only block pages and JavaScript shells (judged on
    structure, not prose) are: the prose measure can
    miss text the extractor finds (stories in tables or bare divs), so login-wall and listing
    verdicts also need the extracted text to be short (for a listing: mostly its teasers),
    and a consent verdict needs little story
    beside the notice (a listing's teasers are its story), however long the cookie dialog is.
    """
    heads = f"{s.title} | {s.h1}"
    little = amount < LITTLE_PROSE
    challenged = s.challenge_text or (s.challenge_markup and s.text_length < 1000)
    if little and (challenged or _says(heads, _BLOCK_TITLES) or status in (403, 429, 503)):
        return "block", "block page: bot check or access denied"
    if _is_js_shell(s):
        return "js_shell", NEEDS_JAVASCRIPT
    if extracted is None:
        return None
    short = extracted < LITTLE_PROSE
    form_wall = s.password_forms and s.prose_length < _LOGIN_PROSE and _reliable(s) and short
    if form_wall or (little and _says(heads, _LOGIN_PHRASES)):
        return "login", "login wall: sign-in required"
    # a listing's teasers are what it says (their text is mostly links, and not prose): a cookie
    # dialog longer than its prose beside them is a banner on the page, not all the page says
    noticed = s.consent_length >= _MIN_CONSENT and amount + s.teaser_text_length < LITTLE_PROSE
    if noticed and s.consent_length * 2 >= s.text_length - s.link_text_length:
        return "consent", "consent wall: cookie or consent notice only"
    if noticed and _says(s.title, _CONSENT_TITLES):
        return "consent", "consent wall: cookie or consent notice only"
    if little and (_says(heads, _NOT_FOUND) or _404.search(heads) or status in (404, 410)):
        return "not_found", "soft 404: page not found"
    return None


def _is_js_shell(s: PageSignals) -> bool:
    """A page whose content a script has yet to write: nearly nothing visible, scripts to run,
    and an app root to mount on or a `<noscript>` saying JavaScript is needed. A server-rendered
    app (its story in `#__next`) shows its text and is not one, and nor is a page that declares
    its story in its JSON-LD (`declared_story`): that is its text (`pipeline._declared_body`)."""
    scripted = s.script_files > 0 or s.script_length >= _SHELL_SCRIPT
    return (
        s.text_length < _SHELL_TEXT
        and s.hidden_length < _MAX_HIDDEN  # a page that shows its story in <noscript> has one
        and scripted
        and (s.app_root or s.noscript_js)
        and not s.declared_story
    )


def _is_listing(s: PageSignals, amount: int, extracted: int) -> bool:
    """An index or category page: repeated teaser blocks, or bare links, and no story of its own.

    Its teasers are its text: a listing is a page type, not junk (the crawl's
    `store_page_types` decides whether it is stored)."""
    article_declared = bool(s.schema_types & _ARTICLE_TYPES) or s.og_type == "article"
    teased = s.teasers >= MIN_TEASERS and s.teaser_text_length > amount and s.paragraphs < 2
    # what the extractor found is mostly the teasers themselves (a forum thread whose posts the
    # prose measure missed has a few short "teasers" and much more extracted text)
    only_teasers = extracted <= 2 * s.teaser_text_length
    # bare links, where the extractor found no story either, on a page of no other type (a
    # product page's short text beside its links is still a product)
    linked = _link_only(s) and extracted < LITTLE_PROSE and _page_type(s) == "article"
    return amount < LITTLE_PROSE and not article_declared and ((only_teasers and teased) or linked)


def _product_shell(s: PageSignals, text: str) -> bool:
    """A product page whose product a script has yet to write: declared a product (schema.org or
    og:type), no price or cart markup, and its extracted `text` fewer than `_SHELL_WORDS` words
    (a Chinese or Japanese character counts as one: its words have no spaces between them),
    none of them a number (a product shows a name and a price; this is the site's name and its
    search box). Scripts are not asked for: a saved page may have lost them."""
    if s.price_markup or _page_type(s) != "product" or any(c.isdigit() for c in text):
        return False
    return _words(text, _SHELL_WORDS) < _SHELL_WORDS


def _unfilled(s: PageSignals, text: str) -> bool:
    """A page whose extracted `text` is what its scripts have yet to fill: fewer than `_SHELL_TEXT`
    characters, one line of them a template's placeholder or a loading notice alone (`_UNFILLED`),
    the rest the site's header and interface ("Skip to content", "Cart", "Sort by"): no line of
    them a sentence (`_SAID_WORDS`). A shop's grid or a list a script writes: any page type, as a
    shell is. Not a short story with a loading line beside its sentence, a page that shows code
    (a tutorial quoting a template's placeholder), nor a page whose heading is the line (a
    glossary's "Loading")."""
    if len(text) >= _SHELL_TEXT:
        return False
    lines = [line.strip() for line in text.splitlines()]
    if any(_words(line) >= _SAID_WORDS for line in lines):
        return False
    coded = s.code_blocks > 0 or s.code_spans > 0
    heading = s.h1.strip().casefold()
    return any(
        (found := _UNFILLED.fullmatch(line)) is not None
        and not (coded and found["placeholder"])
        and line.casefold() != heading
        for line in lines
    )


def _words(line: str, at_most: int = _SAID_WORDS) -> int:
    """The words of `line` (a Chinese or Japanese character counts as one), counted to `at_most`."""
    return sum(1 for _ in zip(range(at_most), WORD.finditer(line), strict=False))


def _link_only(s: PageSignals) -> bool:
    """A page of bare links: several of them, most of its visible text theirs, and almost no
    prose or paragraphs of its own."""
    return (
        s.links >= _MIN_LINKS
        and s.link_text_length >= _LINK_SHARE * s.text_length
        and s.prose_length < _SHELL_TEXT
        and s.paragraphs == 0
    )


def _reliable(s: PageSignals) -> bool:
    """Whether the visible text measured is the page: not most of it tucked into <noscript>/<template>."""
    return s.hidden_length <= max(s.text_length, _MAX_HIDDEN)


def _page_type(s: PageSignals) -> str:
    """The page's declared type (schema.org, then og:type), else one from its structure. A page
    that declares itself a story (NewsArticle, BlogPosting, ...) beside Products is an article
    about them (a buyer's guide, a review), not a product page: no product page declares one. A
    Review naming the Product it reviews (`itemReviewed`, as search engines ask of a review
    article) is such a story; the customer reviews a Product lists do not name it. Three alike
    posts make a forum thread, unless they come after a story of the page's own
    (`posts_after_story`): then they are its reader comments or a "related posts" run under it.
    A FAQPage and the Questions and Answers it declares (`_FAQ_PARTS`) type nothing: a FAQ is a
    section of the page, not a thread, and the page has the type of what else it declares."""
    declared = s.schema_types - _FAQ_PARTS if "FAQPage" in s.schema_types else s.schema_types
    story = bool(declared & _STORY_TYPES) or s.reviews_item
    for page_type, names in _TYPES_BY_SCHEMA:
        if declared & names and not (story and page_type == "product"):
            return page_type
    if s.og_type.startswith("product"):
        return "product"
    if s.repeated_posts >= _MIN_POSTS and not s.posts_after_story:
        return "forum"
    if s.price_markup:
        return "product"
    if s.code_blocks >= 3 or (s.code_blocks and s.code_spans >= 3):
        return "documentation"
    return "article"


def classify(
    signals: PageSignals, text: str | None, status: int | None, markdown: str = ""
) -> Classification:
    """Judge a page: junk (skip reason, quality 0) or its type and the quality of `text`.

    `text=None` judges the page before extraction, on its prose alone; with the extracted text,
    "little prose" is the smaller of the two, so a page whose extractor found only a short
    notice is judged on that notice. A page whose visible text is mostly hidden in <noscript>
    or <template> (forum software, client-rendered sites) is judged on the extracted text alone.
    """
    if text is None and not _reliable(signals):
        return Classification(_page_type(signals), 0.0)  # judged after extraction instead
    if text is None:
        amount = signals.prose_length
    else:
        amount = min(signals.prose_length, len(text)) if _reliable(signals) else len(text)
    verdict = _judge(signals, amount, status, None if text is None else len(text))
    if verdict is not None:
        return Classification(verdict[0], 0.0, verdict[1])
    # no text at all: no story, as before
    if text and (_product_shell(signals, text) or _unfilled(signals, text)):
        return Classification("js_shell", 0.0, NEEDS_JAVASCRIPT)
    listing = text is not None and _is_listing(signals, amount, len(text))
    page_type = "listing" if listing else _page_type(signals)
    return Classification(page_type, quality(text or "", markdown))


# -- quality ---------------------------------------------------------------------------------

_SENTENCE_END = tuple(".!?…。！？\"'”’»)")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # over Markdown, not HTML


def quality(text: str, markdown: str = "") -> float:
    """A score in [0, 1]: a weighted sum of four signals in [0, 1], so it rises with each of them.

        quality = 0.35 * length + 0.20 * paragraphs + 0.25 * sentences + 0.20 * (1 - link density)

    length       characters / 2000, capped at 1
    paragraphs   lines of 80+ characters / 5, capped at 1
    sentences    share of characters in lines of 8+ words ending like a sentence
    link density share of characters inside Markdown links (0 without `markdown`)
    """
    if not text:
        return 0.0
    lines = [line for line in text.splitlines() if line.strip()]
    length = min(1.0, len(text) / 2000)
    paragraphs = min(1.0, sum(len(line) >= 80 for line in lines) / 5)
    prose = sum(
        len(line) for line in lines if len(line.split()) >= 8 and line.rstrip().endswith(_SENTENCE_END)
    )
    sentences = prose / max(1, sum(len(line) for line in lines))
    linked = sum(len(m[1]) for m in _MARKDOWN_LINK.finditer(markdown))
    density = min(1.0, linked / len(text))
    score = 0.35 * length + 0.20 * paragraphs + 0.25 * sentences + 0.20 * (1 - density)
    return round(min(1.0, max(0.0, score)), 3)
