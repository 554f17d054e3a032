"""The block model: which blocks of a page are its main content, its comments or boilerplate.

    choose(blocks, comments=..., comments_last=...) -> list[Block] | None   None: trafilatura's output
    first_choice(blocks, comments=..., ...) -> list[Block] | None   None: not sure; run trafilatura

trafilatura proposes the main content; the model (gradient-boosted trees trained by LightGBM,
three classes, evaluated by trees.py with numpy alone) reads each block's features (blocks.py)
and gives the probability that a reader would call it content, a comment (reader comments,
replies, discussion) or boilerplate. Whether comments are wanted is the caller's setting, never
the model's guess. A block is kept when the model is sure it is wanted (`KEEP`), dropped when it
is sure it is not (`DROP`), and left to trafilatura's verdict when the model is unsure; kept
comments come after the main text, and a text kept more often than the page shows it to a reader
is a copy, dropped (`drop_copies`), and so is the second half of a kept block that holds one text
twice in a row (`once`: a screen reader's copy beside the text); a kept block of machine
identifiers (UUIDs run together) goes (`machine`). When that changes nothing,
trafilatura's text and Markdown are kept as they are.

The artifact (`block_model.txt.gz`, LightGBM's text format) ships inside the package and is
built by `make train` (bench/train.py); it is read once per process, on first use. Without it
(or with `use(None)`), `choose` always answers None and the pipeline is plain trafilatura.

Beside it, `block_model.manifest.json` documents it (`manifest`): the artifact's digest, the
feature count, the feature names (blocks.FEATURE_NAMES) and their digest, the objective,
LightGBM's version and parameters as the artifact records them, and whatever the training run
adds (datasets and their digests, rounds, CV scores). An artifact that does not match its
manifest, or whose features are not the ones this code makes (count, names or order), is not
used, and a warning says why: never a silent fall back to plain trafilatura.

The cascade: a second artifact, the *first* model (`block_model_first.txt.gz` and its manifest,
built by the same `make train` run and checked the same way), reads every feature but the six
read from trafilatura's output (blocks.TRAFILATURA_FEATURES), so it can judge a page before
trafilatura runs. When it is sure of the page (`first_choice`: every block kept at
`FIRST_KEEP` or dropped below `FIRST_DROP`, but for at most `FIRST_UNSURE` of the text, decided
at 0.5 and dropped where trafilatura's own rules remove most of it, `VOTE`; then a paragraph it
doubts that continues the story stays, `continued`, a short label heading what it drops or a rail
of headlines goes, and so does a short unsure block amid dropped ones, `by_context`), its blocks
are the page's text and trafilatura's extraction is not run; otherwise the page takes the path above.
The numbers were chosen by the site-grouped CV (bench/train.py --check prints the cascade's CV
beside the main model's).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from scraper.dom import ASCII_WORD, HEADINGS, INVISIBLE, WORD, composed
from scraper.extract.blocks import (
    DISCARDED,
    FEATURE_NAMES,
    FIRST_FEATURE_NAMES,
    FIRST_FEATURES,
    MAIN_FEATURE_NAMES,
    MAIN_FEATURES,
    Block,
    inside,
    reaches,
    reading_order,
)
from scraper.extract.rules import closing_rails, count_lists

ARTIFACT = "block_model.txt.gz"
MANIFEST = "block_model.manifest.json"
FIRST_ARTIFACT = "block_model_first.txt.gz"
FIRST_MANIFEST = "block_model_first.manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Kind:
    """One of the two artifacts: its file, its manifest's file and the features it reads."""

    artifact: str
    manifest: str
    names: tuple[str, ...]


MAIN = Kind(ARTIFACT, MANIFEST, MAIN_FEATURE_NAMES)
FIRST = Kind(FIRST_ARTIFACT, FIRST_MANIFEST, FIRST_FEATURE_NAMES)
log = logging.getLogger(__name__)
# The model keeps a block at or above KEEP, drops one below DROP, and leaves the others to
# trafilatura: chosen by the site-grouped CV of bench/train.py (never on the frozen split).
KEEP, DROP = 0.7, 0.1
# A model that would drop more than this share of the text trafilatura kept is unsure of the whole
# page (a shape it has not seen, such as a thousand identical posts): trafilatura's output stands.
# On the CV it changes wcxb-dev by -0.001 and nothing else at three decimals.
MAX_DROPPED = 0.2
# A block trafilatura kept this much of counts as kept by trafilatura.
KEPT = 0.5
# When comments are not wanted, a block the model takes for a comment this surely is dropped,
# whatever trafilatura did (trafilatura's main text takes in the comments that sit in the story's
# container): chosen by the site-grouped CV, as KEEP and DROP.
COMMENT_DROP = 0.5
# The first model (the cascade) is sure of a page when every block's probability of being wanted
# is at least FIRST_KEEP or below FIRST_DROP, but for blocks holding at most FIRST_UNSURE of the
# page's text (kept at 0.5): chosen by the site-grouped CV, as KEEP and DROP. FIRST_KEEP was 0.8
# until the seventeenth round: at 0.75 the first model decides alone on about 4 more pages in 100
# (trafilatura's extraction not run), each set's CV within 0.0005 of 0.8's (docs/model.md).
FIRST_KEEP, FIRST_DROP, FIRST_UNSURE = 0.75, 0.15, 0.2
# Such an unsure block is dropped when trafilatura's own rules (discards.py) remove at least this
# share of its text: their vote stands in for trafilatura's verdict, which the cascade does not
# wait for (short labels such as a byline, "Related posts" or a photo credit, which the snippet
# scores count as much as a paragraph). Chosen by the site-grouped CV.
VOTE = 0.5
# Then a kept block is judged by the blocks around it (`by_context`): with the block after it
# dropped (or none), a label of at most LABEL_WORDS words the model is unsure of, or one
# trafilatura's rules remove (a byline closing the story), heads or closes what is dropped ("Lea
# también", "Auch interessant", "0 Kommentare" over a rail of links or a comment area), unless it
# has the tag of the kept block before it (the last item of a list continues it); and an unsure
# block with the blocks on both sides dropped is an island in the boilerplate. Not where comments
# are wanted (a forum): a post's user, rank and date are short blocks amid dropped ones, and its
# readers want them. Chosen by the site-grouped CV (2 to 8 words give the same within 0.0004 on
# every set; on forum pages it changes nothing on the CV, and drops the post headers the gate's
# in-sample forum pages keep).
LABEL_WORDS = 5
# The counterpart of the label: a block the first model doubts and leans to drop (not one
# trafilatura's rules remove, nor one it takes for a comment at more than STRAY_COMMENT) of a
# paragraph's length, PARAGRAPH_WORDS words or more, continues the story when a kept block of its
# own tag is beside it (the first or last paragraph of the story's run, a reporting line closing
# it) or the page's first `<h1>` is just before it (the standfirst under the title, kept or not;
# not a teaser's `<h1>` further down), and is kept. Such a paragraph of ISLAND_WORDS words or
# more is no island either. A rail, RAIL_ITEMS or more kept
# blocks in a row of one tag, each mostly link text (RAIL_LINKS) and at most RAIL_WORDS words (a
# list of headlines), is what a short label before it heads ("Auch interessant:", "Saiba mais"):
# the label goes, the rail is left to the model (a reader's view keeps a story's "More news"
# list; trafilatura's evaluation does not). Chosen by the site-grouped CV (docs/model.md).
PARAGRAPH_WORDS, ISLAND_WORDS, STRAY_COMMENT = 15, 25, 0.1
# A code block (`<pre>`) the first model drops right after a kept block continues the text that
# introduces it (a manual's example under its sentence, the page's last block too), however short
# and whatever the model's lean, where neither trafilatura's rules remove it nor the model takes it
# for a comment at more than STRAY_COMMENT (`continued`'s `code`). A refit model doubts a closing
# one-line example as it doubts a page's last short lines, its footer.
RAIL_ITEMS, RAIL_LINKS, RAIL_WORDS = 2, 0.8, 30
# A list page's items (`items`): the blocks a model doubts and drops (not voted out by
# trafilatura's rules, nor in a comment area or a sidebar by their nearest ancestors' class words)
# that sit in a run of ITEM_RUN or more alike siblings (`_run`: a shop's grid of cards, a
# list of events, papers or jobs) are the page's content when the page has no story of its own
# beside them: at most ITEM_STORY kept block of ISLAND_WORDS words or more (an intro under the
# heading), the items holding at least ITEM_SHARE as much text as what is kept, and the model
# leaning to keep them at ITEM_WANTED or more on average (by size; a blog's archive, blogroll and
# category lists lean further out). On a story page a rail of teasers stays dropped: page type
# decides, read from the page's structure. Chosen by the site-grouped CV (docs/model.md).
ITEM_RUN, ITEM_STORY, ITEM_SHARE, ITEM_WANTED = 3, 1, 0.5, 0.25
# A shop's grid says whose its items are: where PRICED or more of them name a price (a currency
# beside a number, `_PRICE`), the model's lean is not asked for (a blog's archive, blogroll and
# category lists name none). Chosen by the site-grouped CV. Beside a kept story block the price
# speaks for a grid only when the items hold ITEM_GRID times as much text as what is kept: a
# category page's intro is brief beside its grid (on the CV's priced pages with one, the grid holds
# 4.8 times the kept text), while a brief's rail of products (a shop's widget beside a one-paragraph
# story) holds less than the story; there the model's lean decides, as on an unpriced list.
PRICED, ITEM_GRID = 0.2, 2
# A service's or a section's intro of a few paragraphs over its grid of cards (each card's heading
# and blurb doubted) is no story the cards stand beside: up to ITEM_INTRO kept blocks of
# ISLAND_WORDS words or more allow the items where they hold ITEM_GRID times the kept text (a
# brief's or a short story's rail of teasers holds less than the story it follows).
ITEM_INTRO = 3
# A heading the model doubts (and leans to keep, BRIDGE_WANTED or more) between kept text, the
# block before it kept and a kept paragraph after it, heads that paragraph and is kept (`bridged`),
# up to BRIDGE_WORDS words, not mostly link text, nor a call. On the CV with the folds held
# (cached blocks) 0.2, 0.3 and 0.5 give wcxb-dev +0.0002 (0.3: 51 pages up, 15 down, at most
# -0.009) and leave dragnet within 0.0001.
BRIDGE_WANTED, BRIDGE_WORDS = 0.3, 15
# Its counterpart where trafilatura runs (`decide`, `sections`): the blocks between a kept heading
# (h2 to h6) and the next kept block, none of them a heading, each doubted (between DROP and KEEP,
# left to trafilatura's verdict) and not voted out by trafilatura's rules, all of them dropped,
# are the heading's section and are kept where the model leans to keep them, SECTION_WANTED or
# more on average by size (a changelog's lists under each contributor's kept name, a service's
# points under each kept heading: trafilatura left them out, and the kept text goes on after
# them). Measured on the CV with the folds held (quick.py cards21-headed).
SECTION_WANTED = 0.3
# Where trafilatura runs (`decide`), a paragraph (`p`) it left out that the model doubts and leans
# to keep (CONTINUED_WANTED or more, between DROP and KEEP), neither voted out by trafilatura's
# rules nor a likely comment, of PARAGRAPH_WORDS words or more, continues the story as `sure`
# reads one (`continued`: a kept paragraph beside it, or the page's title before it) and is kept:
# trafilatura's text stops at a data table or at the end of the story's first container (a story
# split over sibling sections). Measured on the CV with the folds held (cached blocks).
CONTINUED_WANTED = 0.5
_CONTINUING = frozenset({"p", "div"})
_PRICE = re.compile(
    r"(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|JPY|SEK|NOK|DKK|PLN|CZK|R\$|kr)\s?)\d"
    r"|\d(?:[.,]\d{2})?\s?(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|JPY|SEK|NOK|DKK|PLN|CZK|zł|kr|Kč)\b)"
)
# A product page's carousels of other products (`carousels`): a kept label of at most
# CAROUSEL_WORDS words naming them ("Customers also bought", "Similar items", "Complete the
# look"; _CAROUSEL) goes, with the blocks after it up to the next heading of its level or above
# (a label that is no heading heads a section as an <h2> does) or the next block of ISLAND_WORDS
# words or more (the product's own description goes on there). The models keep those cards (a
# title, a price, a rating) as they keep the product's own; the label says whose they are.
CAROUSEL_WORDS = 8
_CAROUSEL = re.compile(
    "|".join(
        (
            r"\balso (?:bought|viewed|purchased|like|love)", r"\bsimilar (?:items|products)",
            r"\brelated (?:items|products)", r"\bfrequently bought", r"\bbought together",
            r"\bcomplete the look", r"\bshop the look", r"\brecently viewed",
            r"\byou (?:may|might) also", r"\brecommended for you",
            r"\bauch gekauft", r"\bauch gefallen", r"\bähnliche (?:produkte|artikel)",  # German
            r"\baimerez aussi", r"\b(?:produits|articles) similaires",  # French
            r"\btambién te puede", r"\bproductos (?:relacionados|similares)",  # Spanish
            r"\bpiacerti anche", r"\bprodotti (?:simili|correlati)",  # Italian
        )
    ),
    re.IGNORECASE,
)  # fmt: skip
# A label that also names one of the product's own sections ("Details Reviews (12) Customers also
# viewed": a tab strip's text in one block) heads the tab shown under it, which is the product's
# own (its features, its reviews), not a carousel: `carousels` leaves it.
_OWN_SECTION = re.compile(
    "|".join(
        (
            r"\breviews?\b", r"\bdetails\b", r"\bdescription\b", r"\bspecifications?\b", r"\bspecs\b",
            r"\bbewertungen\b", r"\bbeschreibung\b", r"\btechnische daten\b",  # German
            r"\bavis\b", r"\bdétails\b", r"\bcaractéristiques\b",  # French
            r"\bopiniones\b", r"\breseñas\b", r"\bdetalles\b", r"\bdescripción\b",  # Spanish
            r"\brecensioni\b", r"\bdettagli\b", r"\bdescrizione\b", r"\bspecifiche\b",  # Italian
        )
    ),
    re.IGNORECASE,
)  # fmt: skip
_HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
# `sure` compares a block's words with these bounds alone: a count that stops one past the
# largest gives every comparison's answer without reading a long paragraph to its end
_COUNTED = max(LABEL_WORDS, PARAGRAPH_WORDS, ISLAND_WORDS, RAIL_WORDS) + 1
LINK_SHARE = FEATURE_NAMES.index("link_share")  # a block's share of link text, as the models read it
# a block whose nearest ancestors are classed as a comment area or a sidebar is no list's item
_APART = tuple(
    FEATURE_NAMES.index(f"near_class:{word}")
    for word in ("comment", "reply", "discuss", "respon", "sidebar", "widget")
)
_TAGS = tuple(
    (i, name.removeprefix("tag:")) for i, name in enumerate(FEATURE_NAMES) if name.startswith("tag:")
)


def tag_seen(features: list[float]) -> str:
    """A block's tag as the models see it (blocks' own tags, "" for any other), from its features."""
    return next((name for i, name in _TAGS if features[i]), "")


_UNSET: Any = object()
_chosen: Any = _UNSET  # a model set by `use` (the bench's per-fold models), or None: no model
_first: Any = _UNSET  # the same for the first model of the cascade


def use(trees: Any, first: Any = None) -> None:
    """Use this model (None: no model) in this process instead of the shipped one, and `first` as
    the cascade's first model (None: no cascade): anything with `predict(matrix)` giving a row of
    class probabilities per block, as `trees.Trees` does (`first` reads FIRST_FEATURE_NAMES)."""
    global _chosen, _first  # one model per process, as the shipped one is
    _chosen, _first = trees, first


def use_shipped() -> None:
    """Use the shipped models again (after `use`)."""
    global _chosen, _first  # noqa: PLW0603
    _chosen = _first = _UNSET


@functools.cache
def _load(kind: Kind) -> Any:
    """A packaged model, or None (with a warning when there is an artifact that cannot be used)."""
    folder = resources.files("scraper.extract")
    artifact = folder.joinpath(kind.artifact)
    if not artifact.is_file():
        return None
    data = artifact.read_bytes()
    described = folder.joinpath(kind.manifest)
    problem = mismatch(data, described.read_text(encoding="utf-8") if described.is_file() else None, kind)
    if problem is not None:
        instead = "plain trafilatura" if kind == MAIN else "trafilatura runs on every page"
        log.warning("%s is not used (%s instead): %s; retrain: make train", kind.artifact, instead, problem)
        return None
    from scraper.extract.trees import Trees  # noqa: PLC0415  # numpy: a process that never extracts skips it

    return Trees.from_text(gzip.decompress(data).decode("utf-8"))


def _shipped() -> Any:
    """The packaged block model, or None."""
    return _load(MAIN)


def _first_shipped() -> Any:
    """The packaged first model of the cascade, or None."""
    return _load(FIRST)


def manifest(data: bytes, kind: Kind = MAIN, **training: Any) -> dict[str, Any]:
    """The manifest of the artifact `data` (gzip of LightGBM's text format): what the artifact
    itself records, plus `training` (datasets, their digests, CV scores, ...) from its maker."""
    text = gzip.decompress(data).decode("utf-8")
    header = dict(line.split("=", 1) for line in text.split("\n\n", 1)[0].splitlines() if "=" in line)
    params = text.rsplit("parameters:", 1)[-1].split("end of parameters", 1)[0]
    parameters = dict(
        line.strip("[]").split(": ", 1)
        for line in params.splitlines()
        if line.startswith("[") and ": " in line
    )
    return {
        "format": MANIFEST_FORMAT,
        "artifact": kind.artifact,
        "artifact_sha256": hashlib.sha256(data).hexdigest(),
        "feature_count": int(header["max_feature_idx"]) + 1,
        "feature_names": list(kind.names),
        "features_sha256": features_digest(kind.names),
        "objective": header.get("objective", ""),
        "num_class": int(header.get("num_class", "1")),
        "model_format": header.get("version", ""),
        "parameters": parameters,
        **training,
    }


def features_digest(names: tuple[str, ...] | list[str]) -> str:
    """sha256 of the feature names in order: the features a model reads, in one string."""
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def mismatch(data: bytes, manifest_text: str | None, kind: Kind = MAIN) -> str | None:
    """Why the artifact `data` may not be used with this code and its manifest, or None."""
    try:
        recorded = json.loads(manifest_text) if manifest_text is not None else None
    except ValueError as exc:
        return f"{kind.manifest} is not JSON ({exc})"
    if not isinstance(recorded, dict):
        return f"no {kind.manifest} beside {kind.artifact}"
    if recorded.get("artifact_sha256") != hashlib.sha256(data).hexdigest():
        return f"{kind.artifact} is not the artifact {kind.manifest} describes (another digest)"
    problem = _features_problem(recorded, kind)
    if problem is not None:
        return problem
    if recorded.get("num_class") != len(CLASSES):
        return f"it tells {recorded.get('num_class')} classes apart, this code {len(CLASSES)}"
    return None


def _features_problem(recorded: dict[str, Any], kind: Kind) -> str | None:
    """Why the features the manifest names are not the ones this code makes, or None."""
    if recorded.get("feature_count") != len(kind.names):
        return (
            f"it reads {recorded.get('feature_count')} features per block, this code makes {len(kind.names)}"
        )
    names = recorded.get("feature_names")
    if not isinstance(names, list) or recorded.get("features_sha256") != features_digest(names):
        return f"{kind.manifest} names no features, or its features digest is not theirs"
    if names != list(kind.names):
        changed = next(
            (
                f"#{i} {a!r} is now {b!r}"
                for i, (a, b) in enumerate(zip(names, kind.names, strict=False))
                if a != b
            ),
            "another number of them",
        )
        return f"it was trained on other features than this code makes ({changed})"
    return None


def _model() -> Any:
    return _shipped() if _chosen is _UNSET else _chosen


def _first_model() -> Any:
    return _first_shipped() if _first is _UNSET else _first


def available() -> bool:
    return _model() is not None


def first_available() -> bool:
    """Whether the cascade can run: a first model is there."""
    return _first_model() is not None


# The model's classes: the index of each in its probability rows.
BOILERPLATE, CONTENT, COMMENT = 0, 1, 2
CLASSES = ("boilerplate", "content", "comment")
# A kept text the output holds more often than the page shows it to a reader is a copy (a hidden
# block holding the whole story beside its paragraphs): `drop_copies`. Texts of fewer words are
# not compared (a one-word heading also found in a paragraph is not a copy).
MIN_COPY_WORDS = 3
# A kept block whose text is mostly machine identifiers, MACHINE_IDS or more UUIDs run together
# making up half its characters or more ("9303097ac-d3e5-41e1-baf5-303640756ebfX2bf8403c-..."; a
# shop's sponsored cards spell their labels out of such spans, which its stylesheet hides), is no
# reader's text, and goes (`machine`). One UUID in a command or a table's cell is left.
MACHINE_IDS = 3
# Where comments are wanted (a thread's replies), a kept text of QUOTE_WORDS words or more is
# read once however often the page shows it: a reply quoting an earlier post shows that post
# again, and a reader has read it (`_unread`). A post's date, a poster's rank, a title a page
# lists twice are shorter, and stay as often as shown.
QUOTE_WORDS = 10
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# A follow box names where to follow (`_NETWORKS`: "Follow us on Twitter", "Følg oss på Facebook",
# "Síguenos en redes sociales"); a story's "Follow us on our journey" names none, and stays.
_NETWORK = (
    r"(?:google news|social media|the socials|socials|social|sozialen? (?:medien|netzwerken)"
    r"|(?:les )?réseaux sociaux|(?:las )?redes sociales|redes sociais|sociale media|so[cs]ial[ae] medier"
    r"|mediach społecznościowych|twitter(?:ze)?|facebooku?|instagram(?:ie)?|linkedin(?:ie)?|youtube"
    r"|tiktoku?|x|threads|mastodon|bluesky|pinterest|telegram(?:ie)?|whatsapp|flipboard|snapchat|reddit|rss)"
)
_AND = r"(?: ?[,/&+] ?| (?:and|und|et|y|e|en|i|og|och|oraz|or|oder|ou|o|of|eller) )"  # "Facebook & X"
_NETWORKS = rf"{_NETWORK}(?:{_AND}{_NETWORK})*"
# A kept block whose whole text asks the reader to act on the page rather than read it (`calls`:
# "Leave a Reply", "Schreibe einen Kommentar", "Subscribe to our newsletter", "Follow us on
# Twitter", "Back to top", "Printer-friendly version") is the page's chrome: a comment form's
# heading, a print button, a link back up the page or to a list, a sign-up box's title,
# which trafilatura's evaluation and the readers' views leave out wherever the model keeps them;
# so is an advertising slot's label ("Advertisement", "Anzeige"), which asks nothing but heads an
# advert, and is no line of a story.
# Only phrases that say so unambiguously, in the languages of most of the web's news; a lone
# "Subscribe" or "Register" may head a section of a manual, and a comment count ("3 Comments") is
# a post's header the truth keeps as often as not.
_CALL = re.compile(
    "|".join(
        (
            r"(?:leave|add|post|write|submit|drop) (?:a |your |us a )?(?:reply|comment|response)(?: below)?",
            r"(?:log ?in|sign in|register|subscribe) to (?:post |leave |add )?(?:a )?(?:reply|comments?)",
            r"login or register to post comments", r"cancel reply", r"click here to (?:comment|reply)",
            r"(?:subscribe|sign up|signup) (?:to|for) (?:our|the) (?:free |weekly |daily )?newsletters?",
            r"(?:subscribe|sign up) (?:now|today)", r"follow us(?: on " + _NETWORKS + r")?",
            r"join the (?:discussion|conversation)",
            r"(?:schreib(?:e|en)?|hinterlasse|hinterlassen sie) (?:einen|deinen|ihren) kommentar",  # German
            r"(?:jetzt |neuen )?kommentar (?:schreiben|hinzufügen|verfassen|abgeben)", r"jetzt kommentieren",
            r"antwort(?:en)? abbrechen", r"(?:jetzt |zum )?newsletter (?:abonnieren|anmelden)",
            r"(?:abonniere|abonnieren sie) unseren newsletter",
            r"(?:folge|folgen sie) uns(?: auf " + _NETWORKS + r")?",
            r"(?:laisser|laissez|ajouter|écrire|écrivez) un commentaire", r"laisser une réponse",  # French
            r"annuler la réponse",
            r"(?:abonnez-vous|inscrivez-vous) à (?:notre|la) newsletter",
            r"suivez-nous(?: sur " + _NETWORKS + r")?",
            r"(?:deja|dejar|deje|añadir|escribe|escribir) (?:un|tu|su) comentario",  # Spanish
            r"(?:deja|dejar|deje) (?:una|tu|su) respuesta", r"cancelar (?:la )?respuesta",
            r"suscríbete a (?:nuestro|nuestra) (?:newsletter|boletín)",
            r"síguenos(?: en " + _NETWORKS + r")?",
            r"(?:lascia|scrivi|aggiungi) un commento", r"lascia una risposta", r"annulla risposta",  # Italian
            r"iscriviti alla (?:nostra )?newsletter", r"seguici(?: su " + _NETWORKS + r")?",
            r"(?:deixe|deixa|adicione|escreva) (?:um|o seu|seu) comentário",  # Portuguese
            r"(?:deixe|deixa) uma resposta", r"cancelar resposta", r"assine (?:a nossa|nossa) newsletter",
            r"siga-nos(?: n[oa] " + _NETWORKS + r")?",
            r"(?:laat|plaats|schrijf|geef) een reactie(?: achter)?", r"reactie annuleren",  # Dutch
            r"volg ons(?: op " + _NETWORKS + r")?",
            r"(?:dodaj|napisz|zostaw) komentarz", r"anuluj (?:pisanie odpowiedzi|odpowiedź)",  # Polish
            r"obserwuj nas(?: na " + _NETWORKS + r")?",
            r"(?:skriv|lämna|legg igjen|efterlad|skriv en) (?:en )?kommentar", r"lämna ett svar",  # Nordic
            r"(?:avbryt|annuller) svar", r"(?:følg|följ) (?:os|oss)(?: på " + _NETWORKS + r")?",
            # a print button, a link back up or out (not a lone "Print": a function's name in a manual)
            r"print (?:this|the) (?:page|article|story|post)",
            r"printer[- ]friendly(?: version| page)?", r"(?:artikel |seite )?drucken", r"druckversion",
            r"imprimer(?: l'article| cet article| la page)?", r"version imprimable",
            r"imprimir(?: artículo| noticia| página)?", r"stampa (?:l'articolo|la pagina)",
            r"back to (?:the )?(?:top|overview|home ?page|home|index|list|search results|results"
            r"|newsroom|blog|news|articles|projects?)",
            r"zurück (?:zum|zur|zu den) (?:seitenanfang|anfang|übersicht|startseite|inhaltsverzeichnis"
            r"|newsroom|blog|suche|liste|artikeln|projekten?|nachrichten|news)",
            r"retour (?:en haut(?: de (?:la )?page)?|à l'accueil|à la liste)", r"volver (?:arriba|al inicio)",
            r"torna (?:su|all'inizio)", r"voltar ao (?:topo|início)", r"terug naar (?:boven|het overzicht)",
            r"(?:go|scroll) to (?:the )?top", r"top of (?:the )?page", r"zurück nach oben",
            r"(?:zum )?seitenanfang", r"haut de (?:la )?page", r"ir arriba",
            r"(?:tilbake til|tillbaka till) toppen",
            # a share button, a blog's feed links (not a lone "Share" or "Teilen": a section may be named so)
            r"(?:share|tweet|pin|e-?mail) (?:this|it)(?: (?:article|story|post|page))?",
            r"share (?:on|via) " + _NETWORKS, r"(?:auf )?" + _NETWORKS + r" teilen",
            r"teilen auf " + _NETWORKS,
            r"partager sur " + _NETWORKS, r"compartir en " + _NETWORKS, r"condividi su " + _NETWORKS,
            r"(?:compartilhar|partilhar) n[oa] " + _NETWORKS, r"delen op " + _NETWORKS,
            r"udostępnij na " + _NETWORKS, r"(?:dela|del) på " + _NETWORKS,
            r"subscribe to:? (?:post )?(?:comments|posts)(?: \(atom)?",
            # a list page's controls over its results: how they are sorted, more of them (not a lone
            # "Sort" or "Filter": a manual's section, a query plan's line; what they are sorted by only
            # after a colon, "Sort by: Best Match": "Sort by one column" heads a manual's section, "Sort
            # by colour." is a step of a how-to)
            r"sort by(?:: [\w ,-]{1,24})?", r"sort: [\w ,-]{1,24}", r"sort (?:and|&) filter",
            r"filter (?:and|&) sort", r"filter by", r"loaded \d[\d,.]* results", r"results list",
            r"(?:show|load|view) more(?: results| products| items)?",
            r"sortieren nach", r"(?:mehr|weitere) (?:laden|anzeigen)",  # German
            r"trier par", r"(?:afficher|charger) plus(?: de (?:résultats|produits))?",  # French
            r"ordenar por", r"(?:cargar|mostrar) más(?: resultados| productos)?",  # Spanish
            r"ordina per", r"(?:carica|mostra) (?:altri|altro)",  # Italian
            r"(?:carregar|mostrar) mais(?: resultados| produtos)?", r"sorteer op",  # Portuguese, Dutch
            r"(?:meer laden|toon meer)", r"sortuj według", r"(?:pokaż|załaduj) więcej",  # Dutch, Polish
            # a card's buttons on a shop's grid (not "Learn more": a service's truth keeps it as often)
            r"quick (?:shop|view|add)", r"add to (?:cart|bag|basket|wish ?list|favou?rites)",
            r"(?:view|see) details", r"shop (?:now|all)", r"(?:select|choose) options",
            r"in den (?:warenkorb|einkaufswagen)(?: legen)?", r"ajouter au panier",  # German, French
            r"añadir al (?:carrito|carro)", r"aggiungi al carrello",  # Spanish, Italian
            r"adicionar ao carrinho", r"in (?:de )?winkelwagen", r"dodaj do koszyka",  # Pt, Dutch, Polish
            # an advertising slot's label over the advert the pre-pass took ("Advertisement",
            # "Advertentie"; no truth of the datasets keeps one; not "Sponsored": a shop's grid
            # marks its paid cards so, and a listing's truth keeps it); see `_AD_NAMES` too
            r"advertisements?", r"advert", r"advertentie", r"annons",
        )
    )
)  # fmt: skip
# An advertising slot's label in the languages whose word for an advert also names advertising,
# the subject ("Werbung", "Publicidad", "Reklama") or, in German, a screen ("Anzeige": a manual's
# display settings): a call as `_CALL`'s are, but a heading over kept text heads a section about
# it, and stays (`calls`, `heads`: "<h2>Anzeige</h2><p>Die Auflösung ...</p>").
_AD_NAMES = re.compile(r"anzeige|werbung|publicité|publicidad|pubblicità|publicidade|reklama|reklame|mainos")
# a link back up the page in words a story's heading may say too ("To the top" over a climb, "Do
# góry", "Til toppen"): a call only as a link's text (`calls`, `linked`)
_UP = re.compile(
    r"to (?:the )?top|nach oben|naar boven|(?:do|na) góry|till? toppen"
    # a skip link past the menus to the page's text or its results ("Skip to main content", "Zum
    # Inhalt springen"; two run together, "Jump to navigationJump to search"), only as a link's
    # text: a manual may head a section "Skip to content"
    r"|(?:(?:skip|jump) (?:to (?:the )?(?:main |primary )?(?:content|navigation|search(?: results)?|results"
    r"|product list|products|menu|footer)|listing|navigation|content) ?)+"
    r"|(?:direkt )?zum (?:haupt)?inhalt(?: springen| wechseln)?|zur navigation springen"  # German
    r"|(?:aller|passer) (?:au|directement au) contenu(?: principal)?"  # French
    r"|(?:saltar|ir|pasar) al contenido(?: principal)?|(?:salta|vai) al contenuto(?: principale)?"
    r"|(?:pular|ir|saltar) para o conteúdo(?: principal)?"  # Portuguese
    r"|(?:ga |spring |direct )?naar (?:de )?(?:hoofd)?inhoud"  # Dutch
    r"|przejdź do (?:treści|zawartości)(?: głównej)?|(?:hoppa|gå) till (?:huvud)?innehåll(?:et)?"
    r"|(?:gå|hop) til (?:hoved)?(?:indhold|innhold)(?:et)?"
)
# a link to the reader's account ("Log in", "Sign up", "Register | Lost your password?",
# "Anmelden"): a call only as a link's text, as a bare link back up is (`calls`, `linked`): a
# manual may head a section "Sign in", and a story may say "Register" in a line of its own
_ACCOUNT_LINK = re.compile(
    r"(?:(?:log ?in|log ?out|sign ?in|sign ?out|sign ?up|register|create (?:an |your )?account|my account"
    r"|lost your password\??|forgot (?:your )?password\??"
    r"|anmelden|einloggen|abmelden|registrieren|mein konto"  # German
    r"|connexion|se connecter|s'inscrire|inscription|mon compte"  # French
    r"|iniciar sesión|regístrate|registrarse|mi cuenta"  # Spanish
    r"|accedi|registrati|il mio account"  # Italian
    r"|cadastre-se|registe-se|minha conta"  # Portuguese
    r"|inloggen|registreren|mijn account"  # Dutch
    r"|zaloguj(?: się)?|zarejestruj(?: się)?|moje konto"  # Polish
    r")(?: ?(?:[|/\u00b7\u2022]|or|oder|ou|o|of|lub) ?)?)+"
)
# A block that opens by asking whether the reader liked this very article, then asks for something
# (`calls`: "If you enjoyed this post, subscribe ...", "Wenn Ihnen unser Artikel gefallen hat:
# Unterstützen Sie ...") closes a story as a sign-up box does: the reader is asked to act, not
# told anything. Only where it names the page itself ("this article", "unser Beitrag"); "If you
# enjoyed the first season" is the story's.
_PIECE = r"(?:article|post|blog ?post|story|piece|blog|roundup|recipe|content|newsletter)s?"
_APPEAL = re.compile(
    "|".join(
        (
            rf"if you (?:enjoyed|liked|like|loved|love) (?:reading )?(?:this|my|our) {_PIECE}\b",
            rf"if you(?:['\u2019]re| are) (?:enjoying|liking) (?:reading )?(?:this|my|our) {_PIECE}\b",
            rf"enjoy(?:ed)? (?:this|the|my|our) {_PIECE}\?",
            rf"(?:did|do) you (?:enjoy|like) (?:reading )?(?:this|my|our) {_PIECE}\b",
            r"(?:wenn|falls) (?:dir|ihnen|euch) (?:dieser|der|unser|mein)"
            r" (?:artikel|beitrag|text|blogbeitrag) gefallen hat",  # German
            r"(?:hat|haben) (?:dir|ihnen|euch) (?:dieser|der|unser|mein)"
            r" (?:artikel|beitrag|text|blogbeitrag) gefallen",
            r"(?:si )?(?:vous avez|tu as) aimé (?:cet|ce|notre|mon) (?:article|billet|post)",  # French
            r"¿?(?:si )?(?:te|le|os|les) (?:ha |han )?gust(?:ó|ado|aron) (?:este|nuestro|mi)"
            r" (?:artículo|post|texto|reportaje)",  # Spanish
            r"(?:se )?ti è piaciuto (?:questo|il nostro) (?:articolo|post)",  # Italian
            r"(?:se )?(?:você )?gostou (?:deste|desse|do nosso) (?:artigo|post|texto)",  # Portuguese
            r"(?:vond je|vindt u|vond u) (?:dit|het) (?:artikel|bericht|blog) (?:leuk|interessant)",  # Dutch
            r"als je (?:dit|het) (?:artikel|bericht|blog) (?:leuk|interessant) vond",
            r"(?:jeśli|jeżeli) (?:podobał|spodobał) (?:ci|wam) się (?:ten|nasz|mój) (?:artykuł|wpis|tekst)",
        )
    )
)  # fmt: skip
# An English appeal's piece word closes its clause ("If you like this recipe, ...", "Did you enjoy
# this post?"), or the sentence goes on to ask (`_ASKS`: "If you enjoyed our roundup about AI,
# subscribe ...", "If you liked this post you might also like:"); one that goes on about the piece
# and asks nothing is the story's own tip ("If you like this recipe with pears, cut them thicker").
# "Enjoyed the post?" asks after it ("Pin it for later!") or is all the block says: a reader's
# comment may open on it ("Enjoyed the article? I did not.").
_CLAUSE_END = re.compile(r"\s*(?:[,.;:!?\u2026\u2013\u2014)(]|-|$)|\s+(?:and|or|so far|too|as well)\b")
_ASKS = re.compile(
    r"\b(?:subscribe|share|follow|support|sign up|join|donate|consider|check out|tell|leave a|let (?:me|us)"
    r"|comment|newsletter|patreon|buy me|(?:might|may|will|would|'ll) (?:also )?(?:like|love|enjoy)"
    r"|read (?:more|next)|more (?:like this|posts|articles|stories|recipes)|pin (?:it|this|me))\b"
)
# A paywall's notice where the story stops ("To view the full story, please subscribe to ...",
# "Subscribe now to our e-edition for the full story", "Kostenlos registrieren und weiterlesen",
# "If you're already a subscriber, you can log in ..."): it asks the reader to pay or sign in for
# the rest, and is no line of the story (`calls`). A sentence of it names the rest of the story or
# an account already held (`_REST`) and asks for an account (`_ACCOUNT`), in a block of at most
# `APPEAL_WORDS` words; either alone is a story's ("the full story", "subscribers", "register").
_REST = re.compile(
    r"\b(?:full|whole|entire) (?:story|article)|\brest of (?:the|this) (?:story|article)"
    r"|\b(?:continue|keep) reading(?! (?:to|below)\b)"  # not a how-to's "Keep reading to learn how to ..."
    r"|already (?:a )?(?:subscriber|member)|already have an account"
    r"|weiterlesen|(?:ganzen|vollständigen|kompletten) (?:artikel|beitrag|text)"  # German
    r"|(?:bereits|schon) (?:abonnent|registriert|abonniert)"
    r"|lire la suite|l'article (?:complet|en entier)|déjà abonné"  # French
    r"|(?:seguir|continuar) leyendo|(?:artículo|nota|noticia) complet[ao]"  # Spanish
    r"|ya eres (?:suscriptor|miembro)"
    r"|continua(?:re)? a leggere|articolo completo|sei già abbonato"  # Italian
    r"|continuar (?:a ler|lendo)|(?:matéria|reportagem) complet[ao]|já (?:é|és) assinante"  # Portuguese
    r"|verder (?:te )?lezen|lees verder|volledige artikel|al abonnee"  # Dutch
    r"|czyta(?:j|ć) dalej|(?:cały|pełny) (?:artykuł|tekst)"  # Polish
)
_ACCOUNT = re.compile(
    r"\b(?:subscri|abonn|abo\b|regist|log\s*in|sign\s*in|sign\s+up|einlogg|anmeld|suscr|assin|iscriv"
    r"|abbona|inscri|connectez|zaloguj|prenumer|subskryp)"
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
APPEAL_WORDS = 40
# the words of a call answering a paywall's question ("Log in.", "Subscribe today for unlimited access.")
_ANSWER_WORDS = 8
_APPEAL_OPENING = 200  # characters of a block's text that hold any appeal's opening words
# A promotion of the site's newsletter, app or channel addressed to the reader ("Never miss the
# latest news by signing up to our newsletter today!", "For the latest stories download the ...
# apps for iOS and Android", "¡Mira lo que tiene nuestro canal de YouTube!"), in the languages
# `_CALL` names: a sentence that asks the reader to sign up, subscribe or download, naming what to
# sign up to as the site's ("our", "the", its name before the word); not a story's sentence about
# someone else's newsletter ("asked readers to sign up for its newsletter")
_PROMO = re.compile(
    "|".join(
        (
            r"\b(?:sign(?:ing)? up|subscrib(?:e|ing)|register(?:ing)?|join(?:ing)?) (?:to |for )?"
            r"(?:our|the)\b[^.!?]{0,40}\b(?:newsletters?|mailing list|e-?mail list)\b",
            r"\bdownload (?:the|our)\b[^.!?]{0,40}\bapps? (?:for|on) (?:ios|android|iphone)\b",
            r"\b(?:join|subscribe to) our (?:telegram|whatsapp|youtube) channel\b",
            r"\b(?:melde dich|melden sie sich|abonniere|abonnieren sie)\b[^.!?]{0,40}\b(?:unseren|den)"
            r" [^.!?]{0,20}newsletter\b",  # German
            r"\b(?:abonnez-vous|inscrivez-vous)\b[^.!?]{0,40}\b(?:notre|la)"
            r" (?:newsletter|lettre)\b",  # French
            r"\bsuscr[ií]b(?:ete|ase)\b[^.!?]{0,40}\b(?:nuestr[oa]|al|a la) (?:newsletter|boletín)\b",
            r"\bsuscribirse\b[^.!?]{0,40}\bnuestr[oa] (?:newsletter|boletín)\b",
            r"\b(?:únete|suscríbete)\b[^.!?]{0,40}\bcanal de (?:telegram|whatsapp|youtube)\b",
            r"\bnuestro canal de (?:telegram|whatsapp|youtube)\b",  # Spanish
            r"\biscriviti\b[^.!?]{0,40}\b(?:nostra|alla) newsletter\b",  # Italian
            r"\b(?:assine|inscreva-se)\b[^.!?]{0,40}\b(?:nossa|a) newsletter\b",  # Portuguese
            r"\b(?:schrijf je in|abonneer je)\b[^.!?]{0,40}\b(?:onze|de) nieuwsbrief\b",  # Dutch
            r"\bzapraszamy (?:też |także )?do subskrypcji\b",  # Polish
        )
    )
)  # fmt: skip
# Where `_PROMO` reads an English verb with "the" (or a Spanish infinitive) it also reads a story's
# sentence about someone else's newsletter or app: one naming its owner ("sign up for the
# council's newsletter", "the developers' mailing list") or told of a third party ("Patients can
# download the NHS app for iPhone", "She was joining the ... mailing list"); and with "our", a
# policy's clause ("when registering for our newsletter") asks the reader nothing
_PROMO_VERBS = ("sign", "subscrib", "register", "join", "download")
_PROMO_OURS = re.compile(r"(?:sign(?:ing)? up|subscrib\w*|register\w*|join\w*|download) (?:to |for )?our\b")
_PROMO_OWNED = re.compile(r"\w(?:'s|s'|’s|s’) ")
_PROMO_TOLD = frozenset({"can", "could", "may", "might", "must", "should", "will", "would", "was", "were",
                         "is", "are", "has", "have", "had", "been"})  # fmt: skip
_PROMO_WHEN = frozenset({"when", "while", "after", "before", "since"})
# words one of `_PROMO`'s promotions holds, asked of a block first (few blocks hold any)
_PROMOTED = ("newsletter", "nieuwsbrief", "boletín", "lettre", "mailing list", "mail list", "telegram",
             "whatsapp", "youtube", "app", "subskrypcji")  # fmt: skip
# the first words `_APPEAL`'s appeals open with, asked before the expression
_APPEAL_OPENERS = frozenset(
    {
        "if", "did", "do", "enjoy", "enjoyed", "wenn", "falls", "hat", "haben", "si", "vous", "tu", "te",
        "le", "os", "les", "se", "ti", "você", "gostou", "vond", "vindt", "als", "jeśli", "jeżeli",
    }
)  # fmt: skip
# the marks and arrows around a button's text
_CALL_TRIM = " :.!?\u2026\u00bb\u203a\u2192\u2191>|-\u2013\u2014\u2190<\u00ab()[]"
CALL_WORDS = 10
LINKED = 0.5  # a block's share of link text from which its text is a link's (`calls`)


def probabilities(blocks: list[Block]) -> list[list[float]]:
    """The model's probability of each class (boilerplate, content, comment) for each block."""
    import numpy as np  # noqa: PLC0415  # imported on first use, as the model is

    matrix = np.asarray([b.features for b in blocks], dtype=np.float64)[:, MAIN_FEATURES]
    return np.atleast_2d(_model().predict(matrix)).tolist()  # type: ignore[no-any-return]


def first_probabilities(blocks: list[Block]) -> list[list[float]]:
    """The first model's probabilities of each class for each block (its features only)."""
    import numpy as np  # noqa: PLC0415

    matrix = np.asarray([b.features for b in blocks], dtype=np.float64)[:, FIRST_FEATURES]
    return np.atleast_2d(_first_model().predict(matrix)).tolist()  # type: ignore[no-any-return]


def choose(
    blocks: list[Block],
    *,
    comments: bool = False,
    comments_last: bool = True,
    tables: bool = True,
    shown: Callable[[str], int] | None = None,
    declared_product: bool = True,
) -> list[Block] | None:
    """The blocks to keep, in reading order; None when trafilatura's output should stand.

    Comments are kept only when `comments` is set (a setting, or a forum page, where the replies
    are the page's content); `comments_last` puts them after the main text, as trafilatura does.
    Without `tables` (the include_tables setting off) no block inside a table is kept.
    `shown`: how often the page shows a text to a reader (`drop_copies`); `declared_product`,
    whether the page declares a product of its own (`items`)."""
    if not blocks or _model() is None:
        return None
    verdicts = decide(
        probabilities(blocks),
        [b.kept for b in blocks],
        [len(b.text) for b in blocks],
        comments=comments,
        comments_last=comments_last,
        texts=[b.text for b in blocks],
        shown=shown,
        votes=[b.features[DISCARDED] for b in blocks],
        runs=[_run(b) for b in blocks],
        tags=[tag_seen(b.features) for b in blocks],
        links=_link_shares(blocks),
        reach=reaches(blocks),
        declared_product=declared_product,
    )
    if verdicts is None:
        return None
    return _in_order(blocks, verdicts, comments_last=comments_last, tables=tables)


def _link_shares(blocks: list[Block]) -> list[float]:
    """Each block's share of link text, all of it where the block sits inside a link (<a><h2>)."""
    return [1.0 if b.linked else b.features[LINK_SHARE] for b in blocks]


def _run(block: Block) -> int:
    """The alike siblings of the block as `items` reads them (`item_run`): those of its shape
    (`Block.repeated`, whole class strings) or of its kind (`Block.alike`: a blog's teasers each
    classed by its own post, category and tags), whichever are more."""
    return item_run(block.features, max(block.repeated, block.alike))


def item_run(features: Sequence[float], repeated: int) -> int:
    """The alike siblings (`repeated`) of a block with these `features` as `items` reads them:
    none in a comment area or a sidebar (its nearest ancestors' class words)."""
    return 0 if any(features[i] for i in _APART) else repeated


def first_choice(
    blocks: list[Block],
    *,
    comments: bool = False,
    comments_last: bool = True,
    tables: bool = True,
    shown: Callable[[str], int] | None = None,
    thread: bool | None = None,
    declared_product: bool = True,
) -> list[Block] | None:
    """The cascade's first pass: the blocks to keep, in reading order, when the first model is
    sure of the page (`sure`); None when it is not, or when there is no first model: then
    trafilatura runs and `choose` decides. The arguments are `choose`'s, and `sure`'s `thread`."""
    if not blocks or _first_model() is None:
        return None
    verdicts = sure(
        first_probabilities(blocks),
        [len(b.text) for b in blocks],
        comments=comments,
        texts=[b.text for b in blocks],
        shown=shown,
        votes=[b.features[DISCARDED] for b in blocks],
        tags=[tag_seen(b.features) for b in blocks],
        links=_link_shares(blocks),
        listed=[inside(b, "ul") for b in blocks],
        thread=thread,
        runs=[_run(b) for b in blocks],
        reach=reaches(blocks),
        declared_product=declared_product,
    )
    if verdicts is None:
        return None
    return _in_order(blocks, verdicts, comments_last=comments_last, tables=tables)


def _in_order(
    blocks: list[Block], verdicts: list[int], *, comments_last: bool, tables: bool
) -> list[Block] | None:
    """The kept blocks in output order (comments after the main text when `comments_last`), none
    inside a table without `tables` and none a reader is not shown (a lone zero-width space); None
    when nothing is kept."""
    if not tables:
        verdicts = [BOILERPLATE if inside(b, "table") else v for b, v in zip(blocks, verdicts, strict=True)]
        if not any(verdicts):
            return None
    main = [b for b, v in zip(blocks, verdicts, strict=True) if v == CONTENT or (v and not comments_last)]
    last = [b for b, v in zip(blocks, verdicts, strict=True) if v == COMMENT and comments_last]
    chosen = reading_order(main) + reading_order(last)
    seen = [b if (text := _shown(b.text)) is b.text else replace(b, text=text) for b in chosen]
    return [b if (text := once(b.text)) is b.text else replace(b, text=text) for b in seen if b.text] or None


def _shown(text: str) -> str:
    """A block's text without its lines of characters a page never shows (a lone zero-width space
    closing a list: `dom.INVISIBLE`), which would be empty lines of the output; `text` itself
    when it holds none of them."""
    if not any(mark in text for mark in INVISIBLE):
        return text
    return "\n".join(line for line in text.split("\n") if not line.strip() or composed(line).strip())


def sure(
    classes: list[list[float]],
    sizes: list[int],
    *,
    comments: bool = False,
    texts: list[str] | None = None,
    shown: Callable[[str], int] | None = None,
    votes: list[float] | None = None,
    tags: list[str] | None = None,
    links: list[float] | None = None,
    listed: list[bool] | None = None,
    thread: bool | None = None,
    runs: list[int] | None = None,
    reach: list[int] | None = None,
    declared_product: bool = True,
) -> list[int] | None:
    """Each block's fate by the first model alone (BOILERPLATE, CONTENT or COMMENT), or None when
    it is not sure of the page: when the blocks whose probability of being wanted lies between
    `FIRST_DROP` and `FIRST_KEEP` hold more than `FIRST_UNSURE` of the text (those are kept at
    0.5, but dropped where `votes`, the share of each block trafilatura's own rules remove, is at
    least `VOTE`; a label only where those rules remove most of what it is sure of, `blind`), or
    when nothing would be kept. Without `comments`, a block it takes for a comment at
    `COMMENT_DROP` or more is dropped, surely. Then, but on a `thread` (a forum, whose
    posts are its content; by default, where `comments` are wanted), each kept block is judged by
    its neighbours (`by_context`; the labels need `texts`: at most `LABEL_WORDS` words, unsure or
    voted out, not of the tag, `tags`, of the kept block before them); on a thread, a post's user,
    rank and date stay. An article's text is the same with its comments wanted or not. Before
    that, a doubted paragraph that continues the story is kept (`continued`: `texts` and `tags`),
    and is no island; a label heading a rail (`rail_heads`: `links`, each block's share of link
    text) goes; headings closing the text go (`unheaded`: `links`, `listed`, each block inside a
    list or not). Last, a list page's items are kept (`items`: `runs`, each block's alike siblings;
    a priced grid the model is sure to drop too, where the page declares no product of its own,
    `declared_product` false), on a thread too. With `texts`, a kept block of machine identifiers
    goes (`machine`) and copies among the kept blocks are dropped (`drop_copies`, `shown`), as
    `decide` does."""
    # trafilatura's rules remove the block, as they read the page (a list of headlines they remove
    # is a rail, on a page where they remove the story too)
    removed = [False] * len(classes) if votes is None else [v >= VOTE for v in votes]
    if votes is not None and texts is not None and blind(classes, sizes, votes, comments=comments):
        # their vote still stands on a label (a credit, a rail's heading: those rules remove it too)
        votes = [
            v if words(t, LABEL_WORDS + 1) <= LABEL_WORDS else 0.0 for v, t in zip(votes, texts, strict=True)
        ]
    first = _first_verdicts(classes, sizes, votes, comments=comments)
    if first is None:
        return None
    verdicts, doubted, kinds, wants = first
    voted = [False] * len(verdicts) if votes is None else [v >= VOTE for v in votes]
    labels = [False] * len(verdicts)
    if not (comments if thread is None else thread):  # a post's user, rank, date: short blocks, wanted
        verdicts, labels = _sure_story(
            verdicts, classes, doubted=doubted, voted=voted, wants=wants, texts=texts, tags=tags,
            links=links, listed=listed, reach=reach,
        )  # fmt: skip
    verdicts, _ = by_kind(verdicts, [d and not v for d, v in zip(doubted, voted, strict=True)], kinds=kinds,
                       sizes=sizes, wanted=wants, texts=texts, runs=runs, tags=tags,
                       declared_product=declared_product)  # fmt: skip
    if texts is not None:  # before `unheaded`: a sign-up box's heading over its call heads nothing
        _unasked(verdicts, texts, links, tags)
    if tags is not None and not (comments if thread is None else thread):
        verdicts = unheaded(verdicts, tags, links, listed, labels=labels, removed=removed, reach=reach)
    if texts is not None:  # after it: a heading over a copy heads text the page shows (the truths keep it)
        # a thread's replies quote its posts; an article's comments do not make its pull quotes copies
        _unread(verdicts, texts, shown, comments=comments if thread is None else thread)
    return verdicts if any(verdicts) else None


def _first_verdicts(
    classes: list[list[float]], sizes: list[int], votes: list[float] | None, *, comments: bool
) -> tuple[list[int], list[bool], list[int], list[float]] | None:
    """`sure`'s first reading of each block: its fate (kept on the likelier side, but a doubted
    block trafilatura's rules vote out, `votes`, goes, and an unwanted comment surely), whether the
    first model doubts it, what it is when kept, and its probability of being wanted; None when
    the doubted blocks hold more than `FIRST_UNSURE` of the text."""
    verdicts: list[int] = []
    doubted: list[bool] = []  # unsure of it
    kinds: list[int] = []  # what each block is when kept
    wants: list[float] = []  # its probability of being wanted
    unsure = 0
    for i, (row, size) in enumerate(zip(classes, sizes, strict=True)):
        p_content, p_comment = row[CONTENT], row[COMMENT]
        wanted = _wanted(row, comments=comments)
        wants.append(wanted)
        unwanted_comment = not comments and p_comment >= COMMENT_DROP
        keep = not unwanted_comment and wanted >= 0.5  # the likelier side
        doubted.append(not (unwanted_comment or wanted >= FIRST_KEEP or wanted < FIRST_DROP))
        if doubted[-1]:
            unsure += size
            keep = keep and (votes is None or votes[i] < VOTE)
        kinds.append(COMMENT if p_comment > p_content else CONTENT)
        verdicts.append(kinds[-1] if keep else BOILERPLATE)
    if unsure > FIRST_UNSURE * sum(sizes):
        return None
    return verdicts, doubted, kinds, wants


def _sure_story(
    verdicts: list[int],
    classes: list[list[float]],
    *,
    doubted: list[bool],
    voted: list[bool],
    wants: list[float],
    texts: list[str] | None,
    tags: list[str] | None,
    links: list[float] | None,
    listed: list[bool] | None,
    reach: list[int] | None,
) -> tuple[list[int], list[bool]]:
    """`sure`'s rules on a page that is no thread: the verdicts with doubted paragraphs that
    continue the story kept (`continued`), each kept block judged by its neighbours
    (`by_context`), rail heads gone (`rail_heads`), a newsroom's links gone and headings between
    kept text kept (`interjected`, `bridged`); and which blocks are labels (short, doubted or
    voted out)."""
    counted = [0] * len(verdicts) if texts is None else [words(t, _COUNTED) for t in texts]
    short = [texts is not None and n <= LABEL_WORDS for n in counted]
    labels = [s and (d or v) for s, d, v in zip(short, doubted, voted, strict=True)]
    # a paragraph the model doubts, neither voted out nor a likely comment
    stray = [
        d and not v and row[COMMENT] <= STRAY_COMMENT
        for d, v, row in zip(doubted, voted, classes, strict=True)
    ]
    islands = [d and not (s and n >= ISLAND_WORDS) for d, s, n in zip(doubted, stray, counted, strict=True)]
    heads = [False] * len(verdicts)
    if tags is not None:
        paragraphs = [s and n >= PARAGRAPH_WORDS for s, n in zip(stray, counted, strict=True)]
        # a code block the model drops, neither voted out nor a likely comment
        code = [
            tag == "pre" and not v and row[COMMENT] <= STRAY_COMMENT and n > 0
            for tag, v, row, n in zip(tags, voted, classes, counted, strict=True)
        ]  # fmt: skip
        # a standfirst trafilatura's rules remove (classed a teaser) is the page's under its title
        kept = continued(verdicts, paragraphs, tags, [
            d and v and row[COMMENT] <= STRAY_COMMENT and n >= PARAGRAPH_WORDS
            for d, v, row, n in zip(doubted, voted, classes, counted, strict=True)
        ], code)  # fmt: skip
        # a code block kept so is no label closing the text, nor an island
        codes = zip(labels, code, kept, verdicts, strict=True)
        labels = [x and not (c and k and not v) for x, c, k, v in codes]
        islands = [x and not (k and not v) for x, k, v in zip(islands, kept, verdicts, strict=True)]
        verdicts = kept
        # a block with the tag of the kept one before it continues it
        labels = [x and not (i and verdicts[i - 1] and tags[i - 1] == tags[i]) for i, x in enumerate(labels)]
        if links is not None:
            heads = rail_heads(verdicts, short, tags, links, counted)
    passed = None if tags is None else [t == "figcaption" for t in tags]
    verdicts = by_context(verdicts, islands, labels, passed)
    verdicts = [BOILERPLATE if head else v for v, head in zip(verdicts, heads, strict=True)]
    if tags is not None and links is not None and listed is not None:
        # a newsroom's link inside the story goes; a heading between kept text stays
        verdicts = bridged(
            interjected(verdicts, doubted, tags, links, listed),
            doubted=doubted, wanted=wants, tags=tags, texts=texts, links=links, reach=reach,
        )  # fmt: skip
    return verdicts, labels


def _wanted(row: list[float], *, comments: bool) -> float:
    """A block's probability of being wanted, from its row of class probabilities: content, and
    comment too where `comments` are wanted."""
    return row[CONTENT] + (row[COMMENT] if comments else 0.0)


def blind(classes: list[list[float]], sizes: list[int], votes: list[float], *, comments: bool) -> bool:
    """Whether trafilatura's rules (`votes`: the share of each block they remove) remove most of
    the text the first model is sure to keep, its probability of being wanted `FIRST_KEEP` or more:
    the story sits inside an element they discard (a wrapper whose class or style names "hidden",
    "hide" or "message"), so their vote tells a doubted paragraph beside the story (its last one)
    from nothing, and `sure` reads it on that page for labels alone (`LABEL_WORDS` words at most:
    a photo's credit, a rail's heading, which they remove wherever they are)."""
    story = voted = 0
    for row, size, vote in zip(classes, sizes, votes, strict=True):
        if _wanted(row, comments=comments) >= FIRST_KEEP:
            story += size
            voted += size if vote >= VOTE else 0
    return 2 * voted > story


def by_kind(
    verdicts: list[int],
    doubted: list[bool],
    *,
    kinds: list[int],
    sizes: list[int],
    wanted: list[float],
    texts: list[str] | None,
    runs: list[int] | None,
    tags: list[str] | None,
    declared_product: bool = True,
) -> tuple[list[int], bool]:
    """The verdicts after the rules that read what kind of page it is, in `sure` and `decide`
    alike, and whether either rule changed any: a list page's items kept (`items`: with `runs`
    and `texts`; `doubted`, the blocks the model doubts that trafilatura's rules do not remove;
    `declared_product`, whether the page declares a product of its own), then carousels of other
    products dropped (`carousels`: with `texts` and `tags`; on any page, not only a product's: a
    story's "You might also like" rail and a collection's "Similar products" row are the same
    blocks)."""
    moved = False
    if runs is not None and texts is not None:
        found = items(verdicts, doubted, kinds=kinds, runs=runs, sizes=sizes, wanted=wanted, texts=texts,
                      declared_product=declared_product)  # fmt: skip
        moved, verdicts = found != verdicts, found
    if texts is not None and tags is not None:
        found = carousels(verdicts, texts, tags)
        moved, verdicts = moved or found != verdicts, found
    return verdicts, moved


def items(
    verdicts: list[int],
    doubted: list[bool],
    *,
    kinds: list[int],
    runs: list[int],
    sizes: list[int],
    wanted: list[float],
    texts: list[str],
    declared_product: bool = True,
) -> list[int]:
    """The verdicts after keeping a list page's items: the dropped blocks the model `doubted`
    (and trafilatura's rules do not remove) in a run of `ITEM_RUN` or more alike siblings (`runs`)
    are kept, each as its kind (`kinds`: CONTENT or COMMENT), where the page has no story of its
    own beside them: at most `ITEM_STORY` kept block (of `texts`) of `ISLAND_WORDS` words or more,
    the items holding at least `ITEM_SHARE` as much text (`sizes`) as the kept blocks (up to
    `ITEM_INTRO` such blocks, an intro of a few paragraphs over a grid of cards, where the items
    hold `ITEM_GRID` times the kept text), and their
    probability of being wanted (`wanted`) `ITEM_WANTED` or more on average, by size, unless
    `PRICED` or more of them name a price (a shop's grid; beside a kept story block, only where
    they hold `ITEM_GRID` times the kept text: a category's intro, not a brief's rail of products).
    On a story page they stay dropped (a rail of teasers). On a page that declares no product of
    its own (`declared_product` false: a shop's category, its front page), where the doubted
    blocks make no items, a priced grid is its items even where the model is sure to drop them or
    trafilatura's rules remove them (a grid of small cards, each a name, a price, "Add to cart"),
    but for what the model takes for a comment; on a product page a priced grid is other products
    ("Customers also bought")."""
    chosen = _items(verdicts, doubted, kinds=kinds, runs=runs, sizes=sizes, wanted=wanted, texts=texts)
    if chosen is verdicts and not declared_product:  # no items among the doubted blocks
        dropped = [d or k == CONTENT for d, k in zip(doubted, kinds, strict=True)]  # but for comments
        chosen = _items(verdicts, dropped, kinds=kinds, runs=runs, sizes=sizes, wanted=wanted, texts=texts,
                        priced_only=True)  # fmt: skip
    return chosen


def _items(
    verdicts: list[int],
    doubted: list[bool],
    *,
    kinds: list[int],
    runs: list[int],
    sizes: list[int],
    wanted: list[float],
    texts: list[str],
    priced_only: bool = False,
) -> list[int]:
    """`items`' rule over the blocks it may take (`doubted`); `verdicts` itself where it keeps
    none, or, with `priced_only`, where they are no priced grid."""
    found = [
        i
        for i, (v, d, n) in enumerate(zip(verdicts, doubted, runs, strict=True))
        if not v and d and n >= ITEM_RUN
    ]
    if not found:
        return verdicts
    total = sum(sizes[i] for i in found)
    kept = sum(size for v, size in zip(verdicts, sizes, strict=True) if v)
    story = sum(1 for v, t in zip(verdicts, texts, strict=True) if v and words(t, _COUNTED) >= ISLAND_WORDS)
    if story > ITEM_INTRO or total < (ITEM_SHARE if story <= ITEM_STORY else ITEM_GRID) * kept:
        return verdicts
    priced = sum(1 for i in found if _PRICE.search(texts[i])) >= PRICED * len(found)
    priced = priced and (not story or total >= ITEM_GRID * kept)
    if priced_only and not priced:
        return verdicts
    if not priced and sum(sizes[i] * wanted[i] for i in found) < ITEM_WANTED * total:
        return verdicts
    chosen = list(verdicts)
    for i in found:
        chosen[i] = kinds[i]
    return chosen


def sections(
    verdicts: list[int],
    *,
    unvoted: list[bool],
    wanted: list[float],
    tags: list[str],
    kinds: list[int],
    sizes: list[int],
) -> list[int]:
    """The verdicts after keeping each kept heading's section (`tags` h2 to h6): the blocks between
    it and the next kept block, none a heading, all dropped and each one the model doubts and
    trafilatura's rules do not remove (`unvoted`), where the model leans to keep them,
    `SECTION_WANTED` or more on average by size (`wanted`, `sizes`), each as its kind (`kinds`).
    A heading with nothing kept after it heads nothing kept, and its blocks stay as they are."""
    found = list(verdicts)
    i = 0
    while i < len(verdicts):
        if not (verdicts[i] and tags[i] in _BRIDGING):
            i += 1
            continue
        end = i + 1
        while end < len(verdicts) and not verdicts[end] and unvoted[end] and tags[end] not in HEADINGS:
            end += 1
        inside = range(i + 1, end)
        if inside and end < len(verdicts) and verdicts[end]:
            total = sum(sizes[k] for k in inside)
            if total and sum(sizes[k] * wanted[k] for k in inside) >= SECTION_WANTED * total:
                for k in inside:
                    found[k] = kinds[k]
        i = max(end, i + 1)
    return found


def carousels(verdicts: list[int], texts: list[str], tags: list[str]) -> list[int]:
    """The verdicts after dropping a product page's carousels of other products: each kept label
    of at most `CAROUSEL_WORDS` words (`texts`) naming them (`_CAROUSEL`: "Customers also bought",
    "Similar items"; not an `<h1>`, the product's own name, nor a tab strip's text that also names
    one of the product's own sections, `_OWN_SECTION`) and the blocks after it, up to the
    next heading (`tags`) of its level or above (a label that is no heading counts as an <h2>)
    or the next block of `ISLAND_WORDS` words or more."""
    found = list(verdicts)
    i = 0
    while i < len(verdicts):
        text = texts[i]
        # the page's title names the product itself ("You May Also Like", a book), never a carousel
        label = verdicts[i] and tags[i] != "h1" and words(text, CAROUSEL_WORDS + 1) <= CAROUSEL_WORDS
        named = _CAROUSEL.search(text) if label else None
        if named is None or _OWN_SECTION.search(f"{text[: named.start()]} {text[named.end() :]}"):
            i += 1
            continue
        level = _HEADING_LEVELS.get(tags[i], 2)
        found[i] = BOILERPLATE
        i += 1
        while i < len(verdicts) and _HEADING_LEVELS.get(tags[i], 7) > level:
            if words(texts[i], ISLAND_WORDS) >= ISLAND_WORDS:
                break
            found[i] = BOILERPLATE
            i += 1
    return found


def continued(
    verdicts: list[int],
    paragraphs: list[bool],
    tags: list[str],
    under_title: list[bool] | None = None,
    code: list[bool] | None = None,
) -> list[int]:
    """The verdicts after keeping each dropped one of the `paragraphs` (doubted blocks of a
    paragraph's length, `sure`) that continues the story: a kept block of its own tag is beside it
    (the story's run of paragraphs goes on into it), or the page's title is just before it (the
    standfirst under the title, kept or dropped; so is one of `under_title`, doubted blocks of a
    paragraph's length that trafilatura's rules remove, there only: a standfirst classed as a
    teaser, `<div class="teaser-text">` under the `<h1>`). The title is the last `<h1>` at or before the
    first kept block, where the story starts (a theme's logo or a section's name in an `<h1>`
    comes before it; a later `<h1>` heads a teaser or a rail's story, whose summary is no
    standfirst of the page's), else (none before it, or nothing kept) the page's first `<h1>`.
    One of `code` (dropped code blocks) continues the kept block before it, of any
    tag (the sentence that introduces it, or the example before it: a run of code blocks is kept
    whole). Each other block is judged by the verdicts as they were."""
    found = list(verdicts)
    last = len(verdicts) - 1
    start = next((i for i, v in enumerate(verdicts) if v), -1)  # none kept: no story to start
    heads = [i for i, tag in enumerate(tags) if tag == "h1"]
    title = next((i for i in reversed(heads) if i <= start), heads[0] if heads else -1)
    for i, (verdict, tag) in enumerate(zip(verdicts, tags, strict=True)):
        standfirst = under_title is not None and under_title[i] and i - 1 == title
        if not verdict and code is not None and code[i] and i > 0 and found[i - 1]:
            found[i] = CONTENT
            continue
        if verdict or not (paragraphs[i] or standfirst):
            continue
        before = i > 0 and (i - 1 == title or (bool(verdicts[i - 1]) and tags[i - 1] == tag))
        after = i < last and bool(verdicts[i + 1]) and tags[i + 1] == tag
        if before or after:
            found[i] = CONTENT
    return found


def bridged(
    verdicts: list[int],
    *,
    doubted: list[bool],
    wanted: list[float],
    tags: list[str],
    texts: list[str] | None,
    links: list[float] | None,
    reach: list[int] | None = None,
) -> list[int]:
    """The verdicts after keeping each dropped heading (`tags` h2 to h6) the model `doubted` and
    leans to keep (`wanted` `BRIDGE_WANTED` or more) that bridges kept text: the block before it
    kept and the block after it a kept paragraph (`p`), which it heads ("So How Can You Find the
    Best MBA Program?" between two of the story's paragraphs), or nested in a kept block whose text
    reads after it (`reach`, as `unheaded` reads it: "<section>One.<h2>Fazit</h2>Two.</section>").
    At most `BRIDGE_WORDS` words (`texts`; none without them), under `RAIL_LINKS` link text
    (`links`), and no call (`calls`). Each block is judged by the verdicts as they were."""
    if texts is None:
        return verdicts
    found = list(verdicts)
    farthest = -1  # the last block a kept block's text before this one reads after
    for i in range(1, len(verdicts) - 1):
        if reach is not None and verdicts[i - 1] and tags[i - 1] not in HEADINGS:
            farthest = max(farthest, reach[i - 1])
        if verdicts[i] or not doubted[i] or wanted[i] < BRIDGE_WANTED or tags[i] not in _BRIDGING:
            continue
        between = verdicts[i - 1] and verdicts[i + 1] and tags[i + 1] == "p"
        if not (between or farthest >= i):
            continue
        if (links is not None and links[i] >= RAIL_LINKS) or words(texts[i], BRIDGE_WORDS + 1) > BRIDGE_WORDS:
            continue
        if not calls(texts[i], heads=True):  # it heads the kept text after it
            found[i] = CONTENT
    return found


_BRIDGING = frozenset(HEADINGS) - {"h1"}  # a heading under the title


def rail_heads(
    verdicts: list[int], short: list[bool], tags: list[str], links: list[float], counted: list[int]
) -> list[bool]:
    """Which kept `short` blocks head a rail: right after them, `RAIL_ITEMS` or more kept blocks in
    a row of one tag (not the label's), each at least `RAIL_LINKS` link text (`links`) and at most
    `RAIL_WORDS` words (`counted`): a list of headlines under "Auch interessant:"."""
    item = [
        bool(v) and share >= RAIL_LINKS and n <= RAIL_WORDS
        for v, share, n in zip(verdicts, links, counted, strict=True)
    ]
    heads = [False] * len(verdicts)
    for i in range(len(verdicts) - RAIL_ITEMS):
        run = range(i + 1, i + 1 + RAIL_ITEMS)
        if verdicts[i] and short[i] and all(item[j] and tags[j] == tags[i + 1] != tags[i] for j in run):
            heads[i] = True
    return heads


def interjected(
    verdicts: list[int], doubted: list[bool], tags: list[str], links: list[float], listed: list[bool]
) -> list[int]:
    """The verdicts after dropping each link a newsroom sets inside its story ("The latest news about
    the coronavirus outbreak in Sweden", a list of one item between two paragraphs): a kept block
    the model `doubted`, mostly link text (`links`, `RAIL_LINKS` or more), inside a list
    (`listed`) of which it is the one item (neither block beside it has its tag, `tags`), with
    kept blocks of one other tag on both sides of it (the nearest kept ones: the story's
    paragraphs go on after it). A story's own list of links has more than one item."""
    found = list(verdicts)
    kept = [i for i, v in enumerate(verdicts) if v]
    for n, i in enumerate(kept[1:-1], start=1):
        before, after = kept[n - 1], kept[n + 1]
        alone = tags[i - 1] != tags[i] and (i + 1 == len(tags) or tags[i + 1] != tags[i])
        if (
            doubted[i]
            and links[i] >= RAIL_LINKS
            and listed[i]
            and alone
            and tags[before] == tags[after] != tags[i]
            and not listed[before]
        ):
            found[i] = BOILERPLATE
    return found


def unheaded(
    verdicts: list[int],
    tags: list[str],
    links: list[float] | None = None,
    listed: list[bool] | None = None,
    *,
    labels: list[bool] | None = None,
    removed: list[bool] | None = None,
    reach: list[int] | None = None,
) -> list[int]:
    """The verdicts after dropping the headings (`tags` h1 to h6) that close the text: with no
    block kept after it, a heading heads nothing a reader gets ("Related posts" over a dropped
    rail, "Comments" over a dropped thread, "Tags"), however sure the model is of it; so do the
    headings kept just before it, and the label over a rail's headlines (one of `labels`: short,
    and doubted or removed by trafilatura's rules; "Most Popular"), which now heads nothing. Not
    where only headings are kept (a page whose one kept block is its title: the text is that or
    nothing), nor where the closing headings are the story's own items: `ITEM_RUN` or
    more of one tag, none mostly link text (`links`, each block's share, under `RAIL_LINKS`) nor a
    rail's headline in a list (`listed`, each block inside a list or not) that trafilatura's rules
    remove (`removed`; without it, any list). A block inside a link (`<a><h2>`) is all link text.
    A listicle's items over their photos ("1. Bondi Beach", "2. ...") follow its text, in an
    `<ol>` or not, under a short intro ("Our four picks:") too. A heading a kept block's text
    reads after (`reach`, each block's last block its text reads after: a <div>'s text after an
    <h2> nested in it, `blocks.reaches`) heads that text, and closes nothing."""
    found = list(verdicts)
    for i in range(len(found) - 1, -1, -1):
        if found[i] and tags[i] not in HEADINGS:
            end = (
                i
                if reach is None
                else max(reach[k] for k in range(i + 1) if found[k] and tags[k] not in HEADINGS)
            )
            closing = [j for j in range(end + 1, len(found)) if found[j]]
            headed = labels is not None and labels[i]
            # a rail's headlines: links (an <a><h2> too), or a list's items those rules remove
            rail = (
                links is None
                or listed is None
                or any(
                    links[j] >= RAIL_LINKS or (listed[j] and (removed is None or removed[j])) for j in closing
                )
            )  # unknown: any closing headings go
            items = len(closing) >= ITEM_RUN and len({tags[j] for j in closing}) == 1 and not rail
            if closing and not items:
                found[end + 1 :] = [BOILERPLATE] * (len(found) - end - 1)
                if headed and rail and links is not None:
                    found[i] = BOILERPLATE
            return found
    return found


def by_context(
    verdicts: list[int], unsure: list[bool], labels: list[bool], passed: list[bool] | None = None
) -> list[int]:
    """The verdicts after judging each kept block by its neighbours' verdicts (the page's start
    and end count as dropped ones): with the block after it dropped, one of the `labels` (a short
    text the model is unsure of, or trafilatura's rules remove) heads or closes what is dropped,
    and goes; so does an `unsure` block with the blocks on both sides dropped. A block's
    neighbours are the nearest blocks not `passed` (a photo's caption: a section's heading above
    a photo heads the text after it, not the dropped credit). Each block is judged by the
    verdicts as they were, not as this changes them."""
    looked = [passed is None or not passed[i] for i in range(len(verdicts))]
    after: list[int | None] = [None] * len(verdicts)
    before: list[int | None] = [None] * len(verdicts)
    for i in range(1, len(verdicts)):  # the nearest block looked at on each side
        before[i] = i - 1 if looked[i - 1] else before[i - 1]
    for i in range(len(verdicts) - 2, -1, -1):
        after[i] = i + 1 if looked[i + 1] else after[i + 1]
    found = list(verdicts)
    for i, verdict in enumerate(verdicts):
        nxt, prev = after[i], before[i]
        if not verdict or (nxt is not None and verdicts[nxt]):
            continue
        if labels[i] or (unsure[i] and (prev is None or not verdicts[prev])):
            found[i] = BOILERPLATE
    return found


def decide(
    classes: list[list[float]],
    kept: list[float],
    sizes: list[int],
    *,
    comments: bool = False,
    comments_last: bool = False,
    texts: list[str] | None = None,
    shown: Callable[[str], int] | None = None,
    votes: list[float] | None = None,
    runs: list[int] | None = None,
    tags: list[str] | None = None,
    links: list[float] | None = None,
    reach: list[int] | None = None,
    declared_product: bool = True,
) -> list[int] | None:
    """Each block's fate: BOILERPLATE (dropped), CONTENT or COMMENT (kept as that); None when
    that is what trafilatura did, when nothing would be kept, or when the model would drop more
    than `MAX_DROPPED` of trafilatura's text (comments dropped because none are wanted aside).

    A block is kept when its probability of being wanted (content, plus comment when comments are
    wanted) is at least `KEEP`, dropped below `DROP`, and left to trafilatura's verdict between.
    With `comments_last`, a comment kept before main text moves after it, which is a change too.
    A list page's items are kept (`items`: `runs`, each block's alike siblings; not those of which
    trafilatura's rules remove `VOTE` or more, `votes`, unless those rules remove the story itself,
    `blind`: then only a label or a paragraph of `ISLAND_WORDS` words they remove is no item; a
    priced grid whatever the model's lean or their vote, where the page declares no product of its
    own, `declared_product` false), as `sure` does. With `texts`, a kept block
    of machine identifiers goes (`machine`), and so do copies among the kept blocks (`drop_copies`:
    a text kept more often than the page shows it, `shown`), and calls to act on the page
    (`calls`; `links`, each block's share of link text, as `sure` reads them). A doubted heading
    between kept text is kept (`bridged`; `reach`, each block's last block its text reads after), and
    so is a kept heading's section trafilatura left out, where the model leans to keep it (`sections`)."""
    verdicts: list[int] = []
    doubted: list[bool] = []  # left to trafilatura's verdict
    kinds: list[int] = []  # what each block is when kept
    wants: list[float] = []  # its probability of being wanted
    changed = False
    kept_size = dropped_size = 0
    for row, share, size in zip(classes, kept, sizes, strict=True):
        p_content, p_comment = row[CONTENT], row[COMMENT]
        wanted = _wanted(row, comments=comments)
        wants.append(wanted)
        by_trafilatura = share >= KEPT
        unwanted_comment = not comments and p_comment >= min(KEEP, COMMENT_DROP)
        if not comments and p_comment >= COMMENT_DROP:
            keep = False
            doubted.append(False)
        else:
            keep = True if wanted >= KEEP else False if wanted < DROP else by_trafilatura
            doubted.append(DROP <= wanted < KEEP)
        changed |= keep != by_trafilatura
        kept_size += size if by_trafilatura else 0
        dropped_size += size if by_trafilatura and not keep and not unwanted_comment else 0
        kinds.append(COMMENT if p_comment > p_content else CONTENT)
        verdicts.append(kinds[-1] if keep else BOILERPLATE)
    if dropped_size > MAX_DROPPED * kept_size:
        return None
    unvoted = [d and (votes is None or votes[i] < VOTE) for i, d in enumerate(doubted)]
    listed = unvoted
    if votes is not None and texts is not None and blind(classes, sizes, votes, comments=comments):
        # trafilatura's rules remove the story itself (a list page's entries in an element they
        # discard): their vote tells no entry from the rest, but for a label's, as in `sure`, and a
        # paragraph's (a shop's guide under its grid is no entry of it)
        listed = [
            d and (v < VOTE or LABEL_WORDS < words(t, ISLAND_WORDS) < ISLAND_WORDS)
            for d, v, t in zip(doubted, votes, texts, strict=True)
        ]
    verdicts, moved = by_kind(verdicts, listed, kinds=kinds, sizes=sizes, wanted=wants, texts=texts,
                              runs=runs, tags=tags, declared_product=declared_product)  # fmt: skip
    changed |= moved
    if texts is not None and tags is not None:
        # a paragraph trafilatura left out that the model doubts and leans to keep, beside the story
        paragraphs = [
            u and w >= CONTINUED_WANTED and tag in _CONTINUING and row[COMMENT] <= STRAY_COMMENT
            and words(t, _COUNTED) >= PARAGRAPH_WORDS
            for u, w, tag, row, t in zip(unvoted, wants, tags, classes, texts, strict=True)
        ]  # fmt: skip
        found = continued(verdicts, paragraphs, tags)
        found = bridged(
            found, doubted=doubted, wanted=wants, tags=tags, texts=texts, links=links, reach=reach
        )
        found = sections(found, unvoted=unvoted, wanted=wants, tags=tags, kinds=kinds, sizes=sizes)
        changed |= found != verdicts
        verdicts = found
    if comments_last:
        kinds = [v for v in verdicts if v]
        changed |= COMMENT in kinds and CONTENT in kinds[kinds.index(COMMENT) :]
    if texts is not None:
        # a thread (its replies in page order), not an article whose comments are wanted after it
        changed |= _unread(verdicts, texts, shown, comments=comments and not comments_last)
        if changed:
            _unasked(verdicts, texts, links, tags)
    return verdicts if changed and any(verdicts) else None


def _unasked(
    verdicts: list[int], texts: list[str], links: list[float] | None, tags: list[str] | None = None
) -> None:
    """Drop, in `verdicts`, the kept blocks that ask the reader to act on the page ("Leave a Reply":
    `calls`; a bare "To the top" only where `links`, each block's share of link text, says it is
    mostly a link's: `LINKED`), and the rails' headings the kept text closes on ("Related Posts",
    "You may also like": `rules.closing_rails`), which head nothing of the story (a rail the pre-pass
    or the model took), and the lists of links each with a count (a shop's filters, a blog's
    archive: `rules.count_lists`). In `sure`; in `decide` only where its verdicts stand anyway: a page
    whose only change this would be keeps trafilatura's own text, which the blocks' verdicts do not
    match line for line (its list markers, a menu the trigram overlap counts as kept); the pipeline
    takes the calls out of that text itself (formats.remove_calls). With `tags`, a heading right
    over a kept block that is none heads it (`calls`' `heads`)."""
    for i, (v, t) in enumerate(zip(verdicts, texts, strict=True)):
        heads = _heads_kept(verdicts, tags, i)
        if v and calls(t, linked=links is not None and links[i] >= LINKED, heads=heads):
            verdicts[i] = BOILERPLATE
    kept = [i for i, v in enumerate(verdicts) if v]
    for i in kept[len(kept) - closing_rails([texts[i] for i in kept]) :]:
        verdicts[i] = BOILERPLATE
    kept = [i for i, v in enumerate(verdicts) if v]
    linked = [links is not None and links[i] >= LINKED for i in kept]
    for j in count_lists([texts[i] for i in kept], linked):
        verdicts[kept[j]] = BOILERPLATE


def _heads_kept(verdicts: list[int], tags: list[str] | None, i: int) -> bool:
    """Whether block `i` is a heading (`tags`) right over a kept block that is none."""
    return (
        tags is not None
        and tags[i] in HEADINGS
        and i + 1 < len(verdicts)
        and bool(verdicts[i + 1])
        and tags[i + 1] not in HEADINGS
    )


def _unread(
    verdicts: list[int], texts: list[str], shown: Callable[[str], int] | None, *, comments: bool = False
) -> bool:
    """Drop, in `verdicts`, the kept blocks no reader reads: those of machine identifiers
    (`machine`), then the copies among the rest (`drop_copies`, `shown`; with `comments`, a text
    of `QUOTE_WORDS` words or more once: the rest are quotes of it); whether any went. The last
    step of `sure` and of `decide`."""
    if comments and shown is not None:
        shown = functools.partial(_quoted_once, shown)
    ids = [i for i, (v, t) in enumerate(zip(verdicts, texts, strict=True)) if v and machine(t)]
    for i in ids:
        verdicts[i] = BOILERPLATE
    copies = drop_copies(
        [t if v else "" for t, v in zip(texts, verdicts, strict=True)], shown, quotes=comments
    )
    for i in copies:
        verdicts[i] = BOILERPLATE
    return bool(ids or copies)


def _quoted_once(shown: Callable[[str], int], text: str) -> int:
    """How often a thread's output may hold `text`: once from `QUOTE_WORDS` words (the others are
    replies quoting it), `shown(text)` below."""
    return 1 if words(text, QUOTE_WORDS) >= QUOTE_WORDS else shown(text)


def words(text: str, most: int | None = None) -> int:
    """The words of a text (`dom.WORD`: one a character in Chinese or Japanese, whose words no space
    parts), as the copy rule counts them (a line of "| | |" has none); counted no
    further than `most` when given, which is enough to compare the count with a bound (a copy's)
    without reading a long text to its end (`sure` counts up to `_COUNTED`, one past the largest of
    the label's, a paragraph's, an island's and a rail item's bounds). A text of ASCII alone is
    read by `dom.ASCII_WORD`, the same words; one of at most `_FOUND_WHOLE` characters a word
    asked for is counted whole, in C (a block's text, most often: 80 characters on average),
    which is quicker than stopping at the bound. About 600 calls a corpus page."""
    pattern = ASCII_WORD if text.isascii() else WORD
    if most is None or len(text) <= _FOUND_WHOLE * most:
        found = len(pattern.findall(text))
        return found if most is None else min(found, most)
    return sum(1 for _ in itertools.islice(pattern.finditer(text), most))


_FOUND_WHOLE = 12  # characters a word asked for, up to which `words` counts a text whole


def calls(text: str, *, linked: bool = False, heads: bool = False) -> bool:
    """Whether a block's whole text is a call to act on the page (`_CALL`: "Leave a Reply",
    "Kommentar hinzufügen", "Follow us on Twitter"; where the block is `linked`, mostly a link's
    text, also a bare link back up, `_UP`: "To the top", "Do góry", or to the reader's account,
    `_ACCOUNT_LINK`: "Log In", "Anmelden"), of at most `CALL_WORDS`
    words, the marks and arrows around a button's text aside; read as the page shows it
    (`dom.composed`: a soft hyphen or a zero-width space inside "Kom\u00admentar" or after "Reply"
    is no letter of it). A block of a few lines is one where each line is one (a bar of buttons:
    "Zurück zum Newsroom" over "Drucken"), and so is one call written over two ("Leave a<br>Reply").
    A block of at most `APPEAL_WORDS` words opening with an appeal (`_APPEAL`: "If you enjoyed this
    article, ...") is one too, and so is a paywall's notice of as many (`_paywalls`: "To view the
    full story, please subscribe ..."). An advertising slot's label is one unless the block `heads`
    kept text, a heading over it (`_AD_NAMES`: "<h2>Werbung</h2>" over an agency's paragraphs)."""
    if len(text) > 20 * CALL_WORDS:
        return len(text) <= 20 * APPEAL_WORDS and (_appeals(text) or _paywalls(text) or _promotes(text))
    read = composed(text)
    if words(read, CALL_WORDS + 1) > CALL_WORDS:
        return _appeals(text) or _paywalls(text) or _promotes(text)
    # a function a manual links to ("register()", "login()") is no link to the reader's account
    linked = linked and not read.rstrip().endswith("()")
    if _is_call(_folded_call(read), linked=linked, heads=heads):
        return True
    lines = [folded for line in read.splitlines() if (folded := _folded_call(line))]
    called = len(lines) > 1 and all(_is_call(line, linked=linked, heads=heads) for line in lines)
    return called or _appeals(text) or _paywalls(text) or _promotes(text)


def _promotes(text: str) -> bool:
    """Whether `text` promotes the site's newsletter, app or channel to the reader (`_PROMO`) in at
    most `APPEAL_WORDS` words, read as `calls` reads it; `_PROMOTED` asked first."""
    low = text.lower()
    if not any(word in low for word in _PROMOTED):
        return False
    read = composed(text)
    if words(read, APPEAL_WORDS + 1) > APPEAL_WORDS:
        return False
    folded = " ".join(read.lower().split())
    return any(_asks(folded, match) for match in _PROMO.finditer(folded))


def _asks(folded: str, match: re.Match[str]) -> bool:
    """Whether `_PROMO`'s `match` in `folded` asks the reader: not a clause after "when" ("when
    registering for our newsletter"), and where an English verb names "the" newsletter or app,
    not one naming its owner ("the council's") or told of a third party ("Patients can
    download the ... app"; "you can" still asks the reader)."""
    said = match.group()
    if not said.startswith(_PROMO_VERBS):
        return True
    before = folded[: match.start()].split()[-2:]
    if before and before[-1] in _PROMO_WHEN and said.split()[0].endswith("ing"):
        return False
    if _PROMO_OURS.match(said):
        return True
    told = bool(before) and before[-1] in _PROMO_TOLD and before[:-1] != ["you"]
    return not (told or _PROMO_OWNED.search(said))


def _paywalls(text: str) -> bool:
    """Whether `text` is a paywall's notice: a sentence of it (a question with the sentence that
    answers it: "Already have an account? Log in.", "Want the full story? Subscribe today.") names
    the rest of the story or an account already held (`_REST`) and asks for an account
    (`_ACCOUNT`), in at most `APPEAL_WORDS` words, read as `calls` reads it. `_ACCOUNT` is asked
    first, of the whole text: few blocks hold any of it, and it is the quicker to ask (`calls` asks
    it of nearly every kept block)."""
    read = composed(text).lower()
    if _ACCOUNT.search(read) is None:
        return False
    folded = _folded_call(read).replace("\u2019", "'")
    if _REST.search(folded) is None or words(folded, APPEAL_WORDS + 1) > APPEAL_WORDS:
        return False
    sentences = _SENTENCES.split(folded)
    # a question is read with the sentence that answers it ("Already have an account? Log in."),
    # when that answer is a call, not a help page's steps ("Sign in with your email, then open
    # Settings to change your plan.")
    asked = [
        f"{s} {after}"
        for s, after in itertools.pairwise(sentences)
        if s.endswith("?") and words(after, _ANSWER_WORDS + 1) <= _ANSWER_WORDS
    ]
    return any(_REST.search(s) and _ACCOUNT.search(s) for s in (*sentences, *asked))


def _appeals(text: str) -> bool:
    """Whether `text` opens with an appeal (`_APPEAL`) and is at most `APPEAL_WORDS` words, read
    as `calls` reads it; its opening asked first (`_APPEAL_OPENING` characters: every appeal is
    shorter), so a paragraph that opens otherwise is not composed and counted whole."""
    opening = text[:_APPEAL_OPENING].lstrip(_CALL_TRIM + "\u00bf").split(None, 1)
    if not opening or opening[0].lower() not in _APPEAL_OPENERS:
        return False
    if _APPEAL.match(_folded_call(composed(text[:_APPEAL_OPENING]))) is None:
        return False
    read = composed(text)
    if (
        words(read, APPEAL_WORDS + 1) > APPEAL_WORDS
        or (found := _APPEAL.match(folded := _folded_call(read))) is None
    ):
        return False
    rest = folded[found.end() :]
    if folded.startswith("enjoy"):  # "Enjoyed the article?" then asks, or is all the block says
        return not rest or _ASKS.search(rest) is not None
    return not folded.startswith(("if you", "did you", "do you")) or bool(
        _CLAUSE_END.match(rest) or _ASKS.search(rest)
    )


def _is_call(folded: str, *, linked: bool, heads: bool = False) -> bool:
    if _CALL.fullmatch(folded) or (linked and (_UP.fullmatch(folded) or _ACCOUNT_LINK.fullmatch(folded))):
        return True
    return not heads and _AD_NAMES.fullmatch(folded) is not None


def _folded_call(text: str) -> str:
    return " ".join(text.split()).lower().strip(_CALL_TRIM)


def machine(text: str) -> bool:
    """Whether a block's text is mostly machine identifiers: `MACHINE_IDS` or more UUIDs making up
    half its characters or more, run together (fewer words than UUIDs: a listing of IDs one a line,
    a JSON example or a log a reader is shown spaces them out; a reader's text, a command or a
    table's cell holds one among its words)."""
    if text.count("-") < 4 * MACHINE_IDS:  # four hyphens a UUID: most texts stop here
        return False
    found = _UUID.findall(text)
    return (
        len(found) >= MACHINE_IDS and 2 * sum(map(len, found)) >= len(text) and len(text.split()) < len(found)
    )


def once(text: str) -> str:
    """A block's text shown once where the block holds it twice in a row, run together or with
    white space between ("EUR 355.58EUR 355.58"): the text and its copy for screen readers, in an
    element the page's own stylesheet hides (rendered.py knows the classes of the common CSS
    frameworks, "sr-only", "visually-hidden", not each site's), which a reader sees once; `text`
    itself otherwise. A half of fewer than `MIN_COPY_WORDS` words is no copy ("Bora Bora", "Live
    Online Live Online"), as for the copy rule (`drop_copies`); nor is a half on a line of its own
    (a refrain sung twice, a command run twice in code): the page lays both out, a line each, as
    a screen reader's copy beside its text is not."""
    half = len(text) // 2
    first, rest = text[:half], text[half:]
    if rest != first and not (rest[:1].isspace() and rest[:1] != "\n" and rest[1:] == first):
        return text
    return first if words(first, MIN_COPY_WORDS) >= MIN_COPY_WORDS else text


def drop_copies(
    texts: list[str], shown: Callable[[str], int] | None = None, *, quotes: bool = False
) -> set[int]:
    """The indexes of the texts (of kept blocks; "" for the others) that are copies: a text of
    `MIN_COPY_WORDS` words or more may be in the output (as a text, or inside longer ones) as
    often as the page shows it to a reader, `shown(text)` (rendered.Rendered.times: hidden
    elements apart), and at least once; each time beyond that is a copy (a hidden block holding
    the whole story beside its paragraphs, a pull quote the page shows once).

    Which one goes: a kept text mostly made of shorter texts the output holds too often is the
    copy (the hidden story; its paragraphs stay); else the text itself, its last equal ones first
    (of three equal paragraphs the page shows twice, the third goes). Repeated until every text
    is in the output no more often than the page shows it. With `quotes` (a thread's replies), a
    text held before every shorter one it is made of is no hidden story but the post they quote:
    it stays, and they go."""
    allowed: dict[str, int] = {}

    def times(text: str) -> int:
        if text not in allowed:
            allowed[text] = max(1, shown(text)) if shown is not None else 1
        return allowed[text]

    dropped: set[int] = set()
    long_enough = [
        i for i, t in enumerate(texts) if words(t, MIN_COPY_WORDS) >= MIN_COPY_WORDS
    ]  # counted once
    while True:
        candidates = [i for i in long_enough if i not in dropped]
        # longest first: a text can only be inside one at least as long
        order = sorted(candidates, key=lambda i: (-len(texts[i]), i))
        held = _Holding([texts[i] for i in order])
        excess = {}  # text -> how many times too often the output holds it
        for i in order:
            found = held.count(texts[i])
            if found >= 2 and texts[i] not in excess and found > times(texts[i]):
                excess[texts[i]] = found - times(texts[i])
        if not excess:
            return dropped
        stories = [
            j
            for j in order
            if _mostly_made_of(texts[j], excess) and not (quotes and _quoted(j, texts, excess, order))
        ]
        if stories:
            dropped.update(stories)
            continue
        this_round: list[str] = []
        for text, over in excess.items():  # longest first
            if any(text in t for t in this_round):  # that drop may be enough: judged again next round
                continue
            equal = [i for i in order if texts[i] == text]
            dropped.update(equal[len(equal) - min(over, len(equal)) :])
            this_round.append(text)


class _Holding:
    """How often the kept texts hold a text, `"\0".join(kept).count(text)`, each text counted once.
    Asked of every kept text, that count is quadratic: 30,000 short paragraphs took 20 s of a
    900 KB page's extraction. So where the kept texts are many and long (`_SCANS`: about 0.1 s of
    counting, past every page of the datasets but a few), a text inside a kept one holds its inner
    words (each between two spaces of it: `str.split`'s tokens but its first and last) as whole
    tokens of that one, and only the kept texts holding its rarest inner token are counted in,
    where those are under a tenth of them."""

    def __init__(self, kept: list[str]) -> None:
        self._kept = kept
        self._everything = "\0".join(kept)
        self._counted: dict[str, int] = {}
        self._holders: dict[str, list[int]] | None = None
        if len(kept) * len(self._everything) > _SCANS:
            self._holders = {}
            for k, text in enumerate(kept):
                for token in set(text.split()):
                    self._holders.setdefault(token, []).append(k)

    def count(self, text: str) -> int:
        found = self._counted.get(text)
        if found is None:
            found = self._counted[text] = self._count(text)
        return found

    def _count(self, text: str) -> int:
        inner = text.split()[1:-1] if self._holders is not None else None
        if inner and self._holders is not None and "\0" not in text:  # no count crosses a "\0"
            holders = min((self._holders.get(token, ()) for token in inner), key=len)
            if len(holders) * 10 < len(self._kept):
                return sum(self._kept[k].count(text) for k in holders)
        return self._everything.count(text)


_SCANS = 100_000_000  # characters `_Holding` may scan in all, about (kept texts x their length)


def _quoted(j: int, texts: list[str], excess: dict[str, int], kept: list[int]) -> bool:
    """Whether every shorter text held too often (`excess`) that `texts[j]` holds comes after it,
    among the `kept` indexes: they quote it."""
    return all(i > j for i in kept if texts[i] in excess and i != j and texts[i] in texts[j])


def _mostly_made_of(container: str, excess: dict[str, int]) -> bool:
    """Whether two or more shorter texts the output holds too often make up half of `container`."""
    parts = [len(t) for t in excess if len(t) < len(container) and t in container]
    return len(parts) >= 2 and sum(parts) * 2 >= len(container)


_MARKDOWN_PREFIX = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### ",
                    "li": "- ", "blockquote": "> ", "dt": "", "dd": ": "}  # fmt: skip


def markdown(blocks: list[Block]) -> str:
    """The kept blocks as Markdown: headings, list items, quotes and code kept apart."""
    parts = []
    for block in blocks:
        if block.tag == "pre":
            parts.append(f"```\n{block.text}\n```")
        else:
            parts.append(_MARKDOWN_PREFIX.get(block.tag, "") + block.text)
    return "\n\n".join(parts)
