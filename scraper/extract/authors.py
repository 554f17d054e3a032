"""Author names you can trust: bylines cleaned, and where on the page each byline sits.

    declared_authors(tree, objects)   names JSON-LD and meta tags declare
    publisher_names(tree, objects)    the site's and its publisher's names, never an author's
    bylines(tree)                     author-ish elements, each marked if it sits in a teaser card
    clean_authors(raw)                "By Jane Doe, Staff Writer" -> ("Jane Doe",)

`metadata.choose_authors` puts them together with trafilatura's pick.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dom import ancestors, class_tokens, text_of


@dataclass(frozen=True, slots=True)
class Byline:
    """Text of an author-ish element and whether it sits in a teaser card, sidebar or footer."""

    text: str
    in_card: bool


# Real JSON-LD nests a few levels (@graph > Article > author > Person); deeper is no metadata.
MAX_JSON_DEPTH = 32


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document (@graph, mainEntity, lists), in document order.

    Iterative, and blind below `MAX_JSON_DEPTH` levels: a hostile document nested a thousand
    deep costs a bounded walk, never a RecursionError.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            continue
        if isinstance(value, dict):
            yield value
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        stack.extend((child, depth + 1) for child in reversed(list(children)))


def listed(value: Any) -> list[Any]:
    """A JSON-LD value that may be one thing or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


# meta tags naming the author; article:author is often a profile URL, which _clean_name drops
_AUTHOR_META = 'meta[name="author" i], meta[property="article:author"], meta[name="dc.creator" i]'
# class/id tokens of places where bylines of *other* stories sit ("sidebar" and <aside> are not
# enough: blogs put their own post's byline in one)
_CARD_WORDS = frozenset({
    "related", "recent", "popular", "teaser", "teasers", "card", "cards", "promo", "recommended",
    "recommendations", "trending", "more-stories", "read-next", "latest", "most-read",
})  # fmt: skip
_BYLINE_SELECTOR = "[rel~=author], [itemprop~=author], address, [class*=author i], [class*=byline i]"


def declared_authors(tree: LexborHTMLParser, objects: list[Any]) -> Iterator[str]:
    """The people JSON-LD and meta tags name as authors (an Organization "author" is the publisher)."""
    for data in objects:
        for obj in _objects(data):
            author = obj.get("author") or obj.get("creator")
            for one in listed(author):
                if isinstance(one, str):
                    yield one
                elif isinstance(one, dict) and isinstance(one.get("name"), str) and not _organization(one):
                    yield one["name"]
    for meta in tree.css(_AUTHOR_META):
        yield meta.attributes.get("content") or ""


# meta tags naming the site or its publisher
_PUBLISHER_META = 'meta[property="og:site_name"], meta[name="application-name" i], meta[name="publisher" i]'


def publisher_names(tree: LexborHTMLParser, objects: list[Any]) -> Iterator[str]:
    """Names of the site and its publisher (og:site_name, JSON-LD publisher, Organization authors):
    an "author" by one of these names is the masthead, not a byline."""
    for data in objects:
        for obj in _objects(data):
            for key in ("publisher", "author", "creator"):
                value = obj.get(key)
                for one in listed(value):
                    if isinstance(one, dict) and isinstance(one.get("name"), str):
                        if key == "publisher" or _organization(one):
                            yield one["name"]
                    elif isinstance(one, str) and key == "publisher":
                        yield one
    for meta in tree.css(_PUBLISHER_META):
        yield meta.attributes.get("content") or ""


def _organization(obj: dict[str, Any]) -> bool:
    return any(
        isinstance(k, str) and k.endswith(("Organization", "Corporation", "WebSite", "Brand"))
        for k in listed(obj.get("@type"))
    )


def _in_card(node: LexborNode) -> bool:
    """Whether a card-classed element holds `node`; one that also holds the page's <h1> is layout."""
    for current in ancestors(node):
        if current.tag == "body":
            break
        if class_tokens(current) & _CARD_WORDS:
            return current.css_first("h1") is None
    return False


def bylines(tree: LexborHTMLParser) -> Iterator[Byline]:
    for node in tree.css(_BYLINE_SELECTOR):
        text = text_of(node)
        if text and len(text) <= 200:
            yield Byline(" ".join(text.split()), _in_card(node))


# "by" and its kin in the languages bylines come in (en, de, fr, es/pt, nl, pl, sv/da, it), and labels
_PREFIXES = (
    "posted by", "written by", "words by", "reported by", "reporting by", "story by", "text by",
    "article by", "by", "from", "vom", "par", "por", "przez", "af", "a cura di", "author:", "authors:",
    "autor:", "autorin:", "auteur:", "text:", "von:", "by:",
)  # fmt: skip
# byline words that also open surnames ("Von Miller", "Di Maria"): dropped only before a full name
_SHORT_PREFIXES = ("von", "di", "door", "av")
_TRAILER = re.compile(
    r"\b(?:e-?mail (?:the|this) author|view all (?:posts|articles)|more (?:by|from)|follow|contact)\b.*$",
    re.IGNORECASE,
)
# job titles in the languages bylines come in; trailing ones are cut, a "name" of nothing else is none
_ROLE_WORDS = frozenset({
    "writer", "reporter", "correspondent", "editor", "contributor", "columnist", "journalist", "staff",
    "producer", "analyst", "photographer", "intern", "chief", "senior", "associate", "freelance",
    "contributing", "editor-in-chief", "redaktion", "redakteur", "redakteurin", "korrespondent",
    "korrespondentin", "autor", "autorin", "rédaction", "rédacteur", "rédactrice", "journaliste",
    "redacción", "redactor", "redactora", "periodista", "redazione", "giornalista", "redactie",
    "verslaggever", "redakcja", "dziennikarz", "journalistin", "kolumnist", "kolumnistin", "writers",
})  # fmt: skip
# a "name" opening with a newsroom word is a desk, not a person ("Redaktion MSM", "Staff Report")
_DESK_WORDS = frozenset({"redaktion", "redacción", "rédaction", "redazione", "redactie", "redakcja", "staff"})
# a commenter signs "Jane Doe says:": that is a comment, not the story's byline
_SIGNATURE_WORDS = frozenset({
    "says", "said", "wrote", "writes", "sagt", "schreibt", "meint", "dit", "écrit", "dice", "escribe",
    "scrive", "zegt", "schreef", "pisze", "napisał", "napisała", "skriver",
})  # fmt: skip
_NOT_NAMES = frozenset(
    {
        "admin",
        "administrator",
        "anonymous",
        "unknown",
        "none",
        "null",
        "undefined",
        "guest",
        "home",
        "ma",
        "md",
        "phd",
        "mph",
        "rn",
    }
)
# words of labels, buttons and form fields near bylines, never of a name ("About the Author",
# "Share", "Name *", "Publiziert", "FAIL")
_NOT_NAME_WORDS = frozenset({
    "about", "author", "authors", "share", "comments", "comment", "subscribe", "newsletter", "posted",
    "written", "updated", "name", "e-mail", "email", "website", "required", "reply", "login", "published",
    "publiziert", "veröffentlicht", "aktualisiert", "geschrieben", "publié", "publicado", "pubblicato",
    "gepubliceerd", "opublikowano", "fail", "error", "true", "false", "publisher", "created",
})  # fmt: skip
_JOINS = re.compile(r"\s*(?:;|\||&|\b(?:[Aa]nd|und|et)\b)\s*")
_CRUFT = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+|(?<!\w)@\w+")
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# a date or time glued to a name: "Jane DoeMarch 3, 2024", "Jane Doe 12/03/2024 10:32"
_DATE_TAIL = re.compile(rf"(?:(?:{_MONTHS})\.?\s*\d{{1,2}}\b|\d).*$", re.IGNORECASE)
_EDGE = " ,.;:|-–—·•/()[]\"'"
# a stray mark: quotes and backslashes, what a name's quoting or escaping left ('Ann "\\ Writer'); not a
# mark that parts two names or a name and what follows it ("Ann Lee / Bob Smith", "Ann Lee » Politics")
_STRAY = re.compile("[\"'`\u00b4\\\\\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f]+")
_FILLER = frozenset({"on", "at", "updated", "published", "posted", "le", "am", "um", "il", "el"})


def clean_authors(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    """Author names from a byline or trafilatura's "A; B": one clean name each, no repeats.

    Drops "By"/"Vom"/"Par"/"Por"/"Von"/"Posted by", "Email the author", roles ("Staff Writer",
    "Redaktion"), dates and times glued on, e-mail addresses, URLs and @handles; splits on ";",
    "|", "and", "&", and on commas between full names. A form label ("Name *"), a commenter's
    signature ("Jane Doe says") and a word that is no name ("Publiziert", "FAIL") give no name.
    """
    if raw is None:
        return ()
    pieces = [raw] if isinstance(raw, str) else list(raw)
    seen: set[str] = set()
    names: list[str] = []
    for piece in pieces:
        for part in _split_names(piece):
            name = _clean_name(part)
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
    return tuple(names)


def _split_names(text: str) -> Iterator[str]:
    for part in _JOINS.split(_CRUFT.sub(" ", text)):
        commas = [p.strip() for p in part.split(",")]
        # "Ana Lima, Ben Ortiz" is two people; "Doe, Jane" and "Jane Doe, Staff Writer" are one
        if len(commas) > 1 and all(len(p.split()) >= 2 and not _is_role(p) for p in commas):
            yield from commas
        else:
            yield part


def _is_role(text: str) -> bool:
    words = text.lower().replace("-", " ").split()
    return bool(words) and words[-1] in _ROLE_WORDS


def _clean_name(part: str) -> str | None:
    if "*" in part or part.rstrip().endswith(":"):  # a form's label ("Name *", "Your name:")
        return None
    name = " ".join(part.split()).strip(_EDGE)
    name = _strip_prefixes(_DATE_TAIL.sub("", _TRAILER.sub("", name)))
    name = name.split(",", 1)[0] if "," in name and _is_role(name.split(",", 1)[1]) else name
    for sep in (" - ", " – ", " — "):
        head, found, tail = name.partition(sep)
        if found and _is_role(tail):
            name = head
    # a stray mark between the words is no word of the name ('Ann "\\ Writer': Ann Writer)
    words = [word for word in name.strip(_EDGE).split() if not _STRAY.fullmatch(word)]
    if words and words[-1].lower().strip(_EDGE) in _SIGNATURE_WORDS:
        return None
    if not _surname_like_a_role(words):
        while words and words[-1].lower().strip(_EDGE) in _FILLER | _ROLE_WORDS:
            words.pop()
    # "Nathan Willis March" lost its day to a digit cut; "Theresa May" keeps hers
    while len(words) >= 3 and re.fullmatch(_MONTHS, words[-1].lower().strip(_EDGE)):
        words.pop()
    name = " ".join(words).strip(_EDGE)
    if not any(c.isalpha() for c in name) or len(name) > 60 or len(words) > 7:
        return None
    lowered = name.casefold()
    if (
        lowered.split()[0] in _DESK_WORDS
        or lowered in _NOT_NAMES
        or _NOT_NAME_WORDS.intersection(w.strip(_EDGE) for w in lowered.split())
    ):
        return None
    if len(words) == 1 and len(name) >= 4 and name.isupper():  # a shouted word is a label ("FAIL")
        return None
    # a handle written all in lowercase is capitalised, as trafilatura does ("lumen" -> "Lumen")
    return name.title() if name.islower() else name


def _surname_like_a_role(words: list[str]) -> bool:
    """A given name and one capitalised word that is also a job title is a surname: "Ann Writer",
    "Tom Chief" (cut to "Ann", "Tom"); a desk's word stays a desk ("Reuters Staff"), and a title
    of two role words is a title, not a name ("Senior Editor", "Contributing Writer", "Guest
    Contributor": its first word a role or no name, `_ROLE_WORDS`, `_NOT_NAMES`)."""
    if len(words) != 2:
        return False
    first, last = (word.strip(_EDGE) for word in words)
    return (
        last.istitle()
        and last.lower() in _ROLE_WORDS - _DESK_WORDS
        and first.lower() not in _ROLE_WORDS | _NOT_NAMES
    )


def _strip_prefixes(name: str) -> str:
    changed = True
    while changed:
        changed = False
        lowered = name.lower()
        for prefix in _PREFIXES:
            if lowered.startswith(prefix) and (
                prefix.endswith(":") or len(name) == len(prefix) or not name[len(prefix)].isalnum()
            ):
                name, changed = name[len(prefix) :].strip(_EDGE), True
                break
    head, _, rest = name.partition(" ")
    if head.lower() in _SHORT_PREFIXES and len(rest.split()) >= 2:
        name = rest
    return name
