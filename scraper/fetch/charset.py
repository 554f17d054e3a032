"""Bytes to the right charset, decided the way browsers decide (pure: no I/O).

    BOM  >  Content-Type charset  >  <meta> in the first 4 KiB  >  charset_normalizer detection

A label that Python does not know (or that names no text codec) is skipped, and the next step
is tried. As in the WHATWG Encoding Standard, latin-1 and ascii labels mean windows-1252: pages
declared iso-8859-1 are nearly always cp1252 in practice, and its curly quotes and euro sign
would otherwise come out as C1 control characters.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from email.message import Message

from charset_normalizer import from_bytes
from selectolax.lexbor import LexborHTMLParser

from scraper.errors import ExtractionError

__all__ = ["charset_from_content_type", "resolve_encoding"]

_SNIFF_BYTES = 4096
_BINARY_PROBE = 1024
# Codecs that consume the BOM they were chosen for, so decoded text does not start with U+FEFF.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Python's canonical codec names for the labels browsers read as something else.
_BROWSER_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "utf-16": "utf-16-le"}


def resolve_encoding(body: bytes, content_type: str | None, *, source: str) -> str:
    """The Python codec name `body` must be decoded with.

    Raises `ExtractionError` when the bytes are not text: many NUL or control bytes near the start
    (without a UTF-16 BOM or header) or nothing a detector recognises.
    """
    if not body:
        return "utf-8"
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return bom_codec
    declared = _codec(charset_from_content_type(content_type))
    if _looks_binary(body[:_BINARY_PROBE]) and not (declared or "").startswith(("utf-16", "utf-32")):
        raise ExtractionError(source, "undecodable bytes: binary content (NUL and control bytes)")
    if declared:
        return declared
    for label in _meta_charsets(body[:_SNIFF_BYTES]):
        # Bytes that parsed as ASCII-compatible markup cannot really be UTF-16 (WHATWG prescan rule).
        name = _codec(label)
        if name:
            return "utf-8" if name.startswith("utf-16") or _utf8_not(name, body) else name
    # preemptive_behaviour=False: the declarations were read above; detection looks at bytes only
    best = from_bytes(body, preemptive_behaviour=False).best()
    name = _codec(best.encoding) if best is not None else None
    if name is None:
        raise ExtractionError(source, "undecodable bytes: no charset declared and none detected")
    return name


# NUL and C0 control bytes text never holds (tab, LF, FF, CR and ESC excepted): compressed or
# binary data is about 10% of them, a real page at most a stray one (FetchedPage.html drops NULs)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_MAX_CONTROL_SHARE = 0.05


def _looks_binary(probe: bytes) -> bool:
    """Whether the start of a body is binary data rather than text with a stray NUL or two."""
    controls = len(probe) - len(probe.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(probe)


def _utf8_not(name: str, body: bytes) -> bool:
    """Whether bytes a <meta> says are `name` are in fact UTF-8: they are not valid `name` but are UTF-8.

    Pages re-saved by editors keep their old declaration (a gb2312 meta over UTF-8 bytes); read
    as declared they come out as symbols. Valid multi-byte UTF-8 almost never happens by chance.
    """
    if name == "utf-8":
        return False
    try:
        body.decode(name)
    except UnicodeDecodeError:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def charset_from_content_type(content_type: str | None) -> str | None:
    """The `charset` parameter of a Content-Type value, lowercased, or None."""
    if not content_type:
        return None
    header = Message()
    header["Content-Type"] = content_type
    charset = (header.get_content_charset() or "").strip()
    return charset or None


def _codec(label: str | None) -> str | None:
    """Python's name for a text codec label (browser aliases applied), or None if unusable."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
        # a non-empty probe: CPython skips the text-codec check (base64, zlib, ...) for b""
        b"\x00\x00\x00\x00".decode(name, "replace")
    except (LookupError, ValueError):
        return None
    return _BROWSER_ALIASES.get(name, name)


def _meta_charsets(head: bytes) -> Iterator[str]:
    """Charset labels declared by <meta> tags, in document order."""
    # latin-1 maps every byte to one code point, so markup survives whatever the real charset is
    tree = LexborHTMLParser(head.decode("latin-1"))
    for meta in tree.css("meta"):
        attrs = meta.attributes
        charset = attrs.get("charset")
        if charset:
            yield charset
        elif (attrs.get("http-equiv") or "").strip().lower() == "content-type":
            label = charset_from_content_type(attrs.get("content"))
            if label:
                yield label
