"""Page metadata the extractor does not give us reliably: declared language and canonical URL.

Both are read from the parsed page (selectolax) before the clutter pre-pass touches it, and
normalised here: language codes to a lowercase primary subtag, author strings to a tuple of
names. Pure functions only; no trafilatura here (the adapter in `extract.py` owns it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

# "und"efined, "mul"tiple and "zxx" (no linguistic content) are codes, but not languages.
_NOT_LANGUAGES = frozenset({"und", "mul", "zxx", "mis"})
# The word a byline opens with ("By Jane Doe", "Par Claire Dubois"), never part of a name.
_BYLINE_WORDS = frozenset({"by", "par", "por"})


@dataclass(frozen=True, slots=True)
class HeadMeta:
    """What the page declares about itself, read from markup rather than guessed from text."""

    language: str | None
    canonical_url: str | None


def read_head_meta(tree: LexborHTMLParser, page_url: str | None) -> HeadMeta:
    """The declared language and the absolute canonical URL of a parsed page, if any."""
    return HeadMeta(language=declared_language(tree), canonical_url=canonical_url(tree, page_url))


def normalise_language(value: str | None) -> str | None:
    """The lowercase primary subtag of a language tag ("en-US", "en_GB" -> "en"), or None if not one."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if not (2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha()):
        return None
    return None if primary in _NOT_LANGUAGES else primary


def declared_language(tree: LexborHTMLParser) -> str | None:
    """The first valid language the page declares, in order of how often each source is right."""
    return next(filter(None, map(normalise_language, _language_declarations(tree))), None)


def _language_declarations(tree: LexborHTMLParser) -> Iterator[str]:
    root = tree.css_first("html")
    if root is not None:
        yield root.attributes.get("lang") or ""
    locale = tree.css_first('meta[property="og:locale"]')
    if locale is not None:
        yield locale.attributes.get("content") or ""
    yield from _json_ld_languages(tree)
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "content-language":
            # the header form allows a list ("en, fr"); the first is the primary audience
            yield (meta.attributes.get("content") or "").split(",", 1)[0]


def _json_ld_languages(tree: LexborHTMLParser) -> Iterator[str]:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True))
        except ValueError:  # broken JSON-LD is common; it just declares nothing
            continue
        yield from _find_key(data, "inLanguage")


def _find_key(data: object, key: str) -> Iterator[str]:
    """Every string value of `key` anywhere in a JSON document (JSON-LD nests freely, e.g. @graph)."""
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict) and isinstance(value.get("name"), str):
            yield value["name"]  # the schema.org Language object form
        for child in data.values():
            yield from _find_key(child, key)
    elif isinstance(data, list):
        for child in data:
            yield from _find_key(child, key)


def canonical_url(tree: LexborHTMLParser, page_url: str | None) -> str | None:
    """The `<link rel=canonical>` target made absolute against the page (and its `<base>`)."""
    base = page_url or ""
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = urljoin(base, (base_tag.attributes.get("href") or "").strip())
    for link in tree.css("link[rel][href]"):
        rels = (link.attributes.get("rel") or "").lower().split()
        href = (link.attributes.get("href") or "").strip()
        if "canonical" in rels and href:
            return absolute_http_url(href, base)
    return None


def absolute_http_url(href: str, base: str) -> str | None:
    """`href` resolved against `base`, kept only if the result is an http(s) URL with a host."""
    url = urljoin(base, href)
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def clean_authors(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    """Author names from trafilatura's "A; B" string: split, "By " dropped, blanks and repeats gone.

    trafilatura strips English and German byline words but not French or Spanish ones.
    """
    if raw is None:
        return ()
    parts = raw.split(";") if isinstance(raw, str) else [p for r in raw for p in r.split(";")]
    seen: set[str] = set()
    names: list[str] = []
    for part in parts:
        name = " ".join(part.split())
        head, _, rest = name.partition(" ")
        if head.lower() in _BYLINE_WORDS:
            name = rest.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return tuple(names)
