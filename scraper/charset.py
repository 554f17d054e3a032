"""Bytes to the right charset, decided the way browsers decide (pure: no I/O).

    BOM (or UTF-16's NULs) > Content-Type charset > <meta> in the first 4 KiB > UTF-8 > charset_normalizer

A declared charset the bytes contradict is not followed where a browser would follow it and show
the reader garbage: bytes that are valid UTF-8 beyond ASCII are UTF-8 whatever the label (valid
multi-byte UTF-8 almost never happens by chance: a page re-saved as UTF-8 under its old
`<meta charset="iso-8859-1">`, a server's default charset over UTF-8 files, read as "cafÃ©"),
and a UTF-8 label over bytes holding no UTF-8 character beyond ASCII but some invalid (windows-1252
files under a server's default `charset=utf-8`, read as "caf\ufffd") is passed over for the next step.

Only the labels of the WHATWG Encoding Standard count (its label table, from `webencodings`):
any other label, even one Python knows (`punycode`, EBCDIC `cp037`, `utf-32`, `base64`), is
unknown, as it is to a browser, and the next step is tried; detection too only answers with an
encoding of the standard. So latin-1 and ascii labels mean windows-1252 (pages declared
iso-8859-1 are nearly always cp1252, whose curly quotes would otherwise come out as C1 control
characters), and every codec used decodes in linear time: some Python codecs (`punycode`) take
minutes over a 500 KB body.

Deciding may read and decode the whole body (detection, the UTF-8 check of a `<meta>` label):
that is work for the extraction worker, under its time and memory limits, never for the event
loop. The fetcher only looks at the first KiB (`check_text`) and leaves `encoding` unset;
`decided(page)` settles it where the page is read.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from email.message import Message

import webencodings
from charset_normalizer import CharsetMatch, from_bytes
from webencodings.labels import LABELS

from scraper.dom import parse_html
from scraper.errors import ExtractionError
from scraper.models import FetchedPage, utc_now

__all__ = [
    "HTML_TYPES",
    "charset_from_content_type",
    "check_text",
    "decided",
    "page_from_bytes",
    "resolve_encoding",
]

# The media types of an HTML page (a fetch accepts them; an archived response is a page with one)
HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})
_SNIFF_BYTES = 4096
_BINARY_PROBE = 1024
# Codecs that consume the BOM they were chosen for, so decoded text does not start with U+FEFF.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# WHATWG encodings with no Python codec of their own: "replacement" stands for labels (ISO-2022-KR,
# HZ) no browser decodes, and x-user-defined maps bytes to a private-use range. Both: unknown.
_NO_CODEC = frozenset({"replacement", "x-user-defined"})
# The Python codecs of the WHATWG encodings: the only ones detection may answer with.
_WHATWG_CODECS = frozenset(
    encoding.codec_info.name
    for name in set(LABELS.values()) - _NO_CODEC
    if (encoding := webencodings.lookup(name)) is not None
)


def page_from_bytes(
    body: bytes,
    *,
    source: str,
    url: str | None,
    content_type: str | None = None,
    status: int | None = None,
    fetched_at: datetime | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    encoding: str | None = None,
    warc_record_id: str | None = None,
) -> FetchedPage:
    """The one way to make a page of bytes that did not come over the network (a saved file,
    stdin, a web archive record, the Python API's `clean_html`), its charset decided as a
    browser would unless `encoding` is known. Raises `ExtractionError` when the body is not text,
    its encoding known or not: a str of NUL characters (`serve`'s `html`, `clean_html`) was "no
    main content" where the same bytes in a file are "binary content"."""
    if encoding is not None:
        check_text(body, content_type, source=source)
    return FetchedPage(
        source=source,
        url=url,
        final_url=url,
        status=status,
        content_type=content_type,
        body=body,
        encoding=encoding or resolve_encoding(body, content_type, source=source),
        fetched_at=fetched_at or utc_now(),
        etag=etag,
        last_modified=last_modified,
        warc_record_id=warc_record_id,
    )


def decided(page: FetchedPage) -> FetchedPage:
    """`page` with its charset settled (see `resolve_encoding`); itself when it already was.

    Raises `ExtractionError` when the body is not text. Call it where the page is decoded: in
    the extraction worker.
    """
    if page.encoding is not None:
        return page
    encoding = resolve_encoding(page.body, page.content_type, source=page.source)
    return dataclasses.replace(page, encoding=encoding)


def check_text(body: bytes, content_type: str | None, *, source: str) -> None:
    """Raise `ExtractionError` when the start of `body` is binary data, not text.

    Cheap (the first KiB only): the fetcher's test, on the event loop, before a page is queued
    for extraction. The charset itself is decided later, by `decided`, in the worker.
    """
    if not body or any(body.startswith(bom) for bom, _ in _BOMS):
        return
    declared = _codec(charset_from_content_type(content_type))
    probe = body[:_BINARY_PROBE]
    if _looks_binary(probe) and not (declared or "").startswith("utf-16") and not _utf16_without_bom(probe):
        raise ExtractionError(source, "undecodable bytes: binary content (NUL and control bytes)")


# What detection may answer: the standard's encodings but the Mac ones, which a label may name but
# no browser's detector guesses. charset_normalizer ranks a sign glued to a digit as mess ("\u20ac10")
# and Mac Roman's letters there as none: an English page in windows-1252 without a charset that
# said "costs \u20ac10 \u2014 or \u00a35" came out as "costs \u00c410 \u00f3 or \u00a35", and a Polish one
# as "\u00a3\u00dbd\u00fc" for "\u0141\u00f3d\u017a".
_DETECTABLE = sorted(_WHATWG_CODECS - {"mac-roman", "mac-cyrillic"})


def resolve_encoding(body: bytes, content_type: str | None, *, source: str) -> str:
    """The Python codec name `body` must be decoded with.

    Raises `ExtractionError` when the bytes are not text: many NUL or control bytes near the start
    (without a UTF-16 BOM or header) or nothing a detector recognises.
    """
    if not body:
        return "utf-8"
    ordered = _byte_order(body, content_type)
    if ordered:
        return ordered
    check_text(body, content_type, source=source)
    contradicted = False
    for declared in _declarations(body, content_type, source):
        written = _as_written(declared, body)
        if written:
            return written
        contradicted = True  # a UTF-8 label over bytes that are not: the next one, or the bytes
    if _is_utf8(body):  # valid UTF-8 beyond ASCII almost never happens by chance; cheaper than a guess
        return "utf-8"
    # preemptive_behaviour=False: the declarations were read above; detection looks at bytes only,
    # and answers with an encoding of the standard or not at all
    found = from_bytes(body, preemptive_behaviour=False, cp_isolation=_DETECTABLE)
    if not found:  # text dense in accents may read as messy in every encoding: the least messy
        found = from_bytes(body, preemptive_behaviour=False, cp_isolation=_DETECTABLE, threshold=1.0)
    best = _reading(body, list(found))
    name = _detected(best) if best is not None else None
    if name is None and contradicted:  # nothing better than the label: as declared
        return "utf-8"
    if name is None:
        raise ExtractionError(source, "undecodable bytes: no charset declared and none detected")
    return name


# What detection answers among encodings it ranks equal: windows-1252, the HTML standard's
# default for most locales. charset_normalizer ranks a tie by the encodings' names, so a short
# French text that the Western and the Central European and Baltic code pages all read without a
# fault ("Caf\xe9 cr\xe8me") came out in cp1250 as "crčme", with the accents of another language.
_DEFAULT = "cp1252"
# Over a short text (`_SHORT` bytes beyond ASCII or fewer) one word decides detection's "mess", and
# charset_normalizer counts a word of two accents in four letters as mess where a grave or a cedilla
# is one (French "déjà", "ça"), not where an ogonek is: "Déjà vu, à la française, ça va" read as
# Baltic windows-1257, "Déją vu, ą la franēaise, ēa va", of equal coherence and less mess. There,
# windows-1252 ranks equal within `_SHORT_SLACK` of mess.
_SHORT = 32
_SHORT_SLACK = 0.12


# A reading of single-byte text that puts a superscript, a currency sign or a control inside a
# word is the wrong one where another reads letters there: Polish windows-1250 read as windows-1252
# ("zebra\u00b3a si\u00ea" for "zebra\u0142a si\u0119") came out so at any length, as charset_normalizer finds
# no mess in it and ranks it first. Read in the first `_STRAY_SCAN` bytes; a sign at a word's edge
# ("m\u00b2", "\u00a35") is no sign of a misreading.
_STRAY_SCAN = 100_000
_STRAY_KINDS = frozenset({"No", "Sc", "Cc", "Co", "Cn"})


# The languages each Windows code page was made for (Microsoft's code page tables): over a short
# text, detection has no statistics to go on (charset_normalizer finds no language in a sentence
# and ranks its readings by name), so a Turkish, Russian, Polish or Lithuanian sentence came out in
# another code page ("ba\u00fekenti" for "ba\u015fkenti", "sostin\u00eb" for "sostin\u0117"). There,
# each code page reads the text and py3langid's probability of that page's languages decides.
_CODE_PAGE_LANGUAGES = {
    "cp1250": frozenset({"pl", "cs", "sk", "hu", "sl", "hr", "ro", "bs", "sq", "sr"}),
    "cp1251": frozenset({"ru", "uk", "bg", "sr", "mk", "be"}),
    "cp1252": frozenset({"en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "nb", "nn", "fi",
                         "ca", "is", "ga", "gl", "eu", "af", "id", "ms", "sw", "la", "oc", "lb", "fo",
                         "wa", "br", "cy", "eo"}),
    "cp1253": frozenset({"el"}),
    "cp1254": frozenset({"tr", "az"}),
    "cp1255": frozenset({"he", "yi"}),
    "cp1256": frozenset({"ar", "fa", "ur"}),
    "cp1257": frozenset({"lt", "lv", "et"}),
    "cp1258": frozenset({"vi"}),
}  # fmt: skip
# A reading in the script of one language (Greek, Hebrew, Arabic) is that language to py3langid
# whatever its words (Russian read as Hebrew is Hebrew at 0.98): it tells little, so these
# compete only where detection chose one of them, or where their language is near certain
# (`_SURE`) and clearly more so than detection's reading (`_SURE_BY`): a Hebrew sentence is
# Hebrew at 0.999 and came out in windows-1251, a Cyrillic language to py3langid at 0.92
_ONE_SCRIPT = frozenset({"cp1253", "cp1255", "cp1256"})
_SURE = 0.995
_SURE_BY = 0.05
_AROUND = 60  # bytes read on each side of a byte beyond ASCII: its word and the words beside it
# the share of its languages a reading needs to replace detection's: a list of loan words
# ("Crème brûlée, piñata, jalapeño") reads as no language clearly, and there detection stands
_CLEAR = 0.5


def _reading(body: bytes, found: list[CharsetMatch]) -> str | None:
    """Detection's reading: its first, or windows-1252 where it ranks equal to it (over a short text,
    within `_SHORT_SLACK` of its mess), or else, where that one changes case inside a word, the first
    equal one that does not (`_mixed_case`); over a short text, the Windows code page whose languages
    the text reads as clearly more (`_by_language`); else, where that one is
    single-byte with strays inside words (`_strays`) and another reads each of them as a letter and
    has fewer: the first such, in detection's order."""
    if not found:
        return None
    sample = body[:_STRAY_SCAN]
    high = [m.start() for m in _NON_ASCII.finditer(sample)]
    slack = _SHORT_SLACK if len(high) <= _SHORT else 0.0
    best = next((m for m in found if m.encoding == _DEFAULT and _tied(m, found[0], slack)), found[0])
    if _mixed_case(_single_byte(sample, best.encoding), high):  # another reading, tied, may not
        tied = (m for m in found if _tied(m, found[0], slack))
        best = next((m for m in tied if not _mixed_case(_single_byte(sample, m.encoding), high)), best)
    if len(high) <= _SHORT:
        judged = _by_language(sample, high, best.encoding)
        if judged is not None:
            return judged
    first = _single_byte(sample, best.encoding)
    if first is None:
        return best.encoding
    strays = _strays(first, high)
    if not strays:
        return best.encoding
    for match in found:
        other = _single_byte(sample, match.encoding) if match is not best else None
        if (
            other is not None
            and all(other[at].isalpha() for at in strays)
            and len(_strays(other, high)) < len(strays)
        ):
            return match.encoding
    return best.encoding


def _by_language(sample: bytes, high: list[int], encoding: str) -> str | None:
    """The Windows code page (none of `_ONE_SCRIPT`) that reads the text around the bytes beyond
    ASCII as its own languages, by py3langid, with more probability than `encoding` does and at
    least `_CLEAR`; else one of `_ONE_SCRIPT` whose language it reads at `_SURE` or more, by
    `_SURE_BY` more than `encoding`'s; None when none does, or when `encoding` is one of
    `_ONE_SCRIPT`: its reading has no share to compare, and any reading in Cyrillic is a
    language of windows-1251 to py3langid (Greek "Η Αθήνα είναι", detected without mess, was
    replaced by it at 0.9 or more)."""
    current = _detected(encoding) or encoding
    if current in _ONE_SCRIPT:
        return None
    spans: list[list[int]] = []
    for at in high:
        if spans and at - _AROUND <= spans[-1][1]:
            spans[-1][1] = at + _AROUND
        else:
            spans.append([max(at - _AROUND, 0), at + _AROUND])
    tree = parse_html("\n".join(sample[a:b].decode("latin-1") for a, b in spans), "sample")
    # a character reference (&#8220;, &mdash;) reads as a character no byte of the page is: it
    # has no reading in any code page, so it is left out of the words weighed
    text = tree.body.text(separator=" ") if tree.body is not None else ""
    words = text.encode("latin-1", errors="ignore")
    if not _NON_ASCII.search(words):  # in markup alone (an attribute, a comment): nothing to read
        return None
    from scraper.langid import shared  # noqa: PLC0415  # numpy and the model: only when needed

    identifier = shared()

    def share(codec: str) -> float:
        try:
            ranked = identifier.rank(words.decode(codec))
        except UnicodeDecodeError:  # a byte this code page leaves undefined: no reading
            return -1.0
        return float(sum(p for language, p in ranked if language in _CODE_PAGE_LANGUAGES[codec]))

    floor = _CLEAR
    if current in _CODE_PAGE_LANGUAGES:
        floor = max(floor, share(current))
    shares = {codec: share(codec) for codec in _CODE_PAGE_LANGUAGES if codec not in _ONE_SCRIPT}
    winner = max(shares, key=lambda codec: shares[codec])
    if shares[winner] > floor and winner != current:
        return winner
    held = shares.get(current, floor)
    sure = {codec: share(codec) for codec in _ONE_SCRIPT}
    script = max(sure, key=lambda codec: sure[codec])
    return script if sure[script] >= _SURE and sure[script] >= held + _SURE_BY else None


def _mixed_case(text: str | None, positions: list[int]) -> bool:
    """Whether a single-byte reading `text` changes case inside a word at one of `positions` (a
    capital after a small letter, or before one that follows it), as no written word does: Arabic
    "مرحبا" read as Greek windows-1253 came out "γΡΝΘΗ", ranked equal to it by detection."""
    if text is None:
        return False
    for at in positions:
        letter = text[at]
        before, after = text[at - 1 : at], text[at + 1 : at + 2]
        if (letter.isupper() and before.islower()) or (letter.islower() and after.isupper()):
            return True
    return False


def _single_byte(sample: bytes, encoding: str) -> str | None:
    """`sample` decoded by a single-byte encoding (a character a byte), else None."""
    text = sample.decode(_detected(encoding) or encoding, "replace")
    return text if len(text) == len(sample) else None


def _strays(text: str, positions: list[int]) -> list[int]:
    """Those of `positions` where `text` has a superscript or fraction, a currency sign or a control
    between two letters."""
    return [
        at
        for at in positions
        if unicodedata.category(text[at]) in _STRAY_KINDS
        and text[at - 1 : at].isalpha()
        and text[at + 1 : at + 2].isalpha()
    ]


def _tied(match: CharsetMatch, best: CharsetMatch, slack: float = 0.0) -> bool:
    return match.chaos <= best.chaos + slack and match.coherence == best.coherence


def _declarations(body: bytes, content_type: str | None, source: str) -> Iterator[str]:
    """The codecs the page declares, in the order they count: the Content-Type charset, then the
    first `<meta>` charset of the first 4 KiB that names one (labels outside the standard are no
    declaration)."""
    declared = _codec(charset_from_content_type(content_type))
    if declared:
        yield declared
    for label in _meta_charsets(body[:_SNIFF_BYTES], source):
        name = _codec(label)
        if name:
            # Bytes that parsed as ASCII-compatible markup cannot really be UTF-16 (WHATWG prescan rule).
            yield "utf-8" if name.startswith("utf-16") else name
            return


# NUL and C0 control bytes text never holds (tab, LF, FF, CR and ESC excepted): compressed or
# binary data is about 10% of them, a real page at most a stray one (FetchedPage.html drops NULs)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_MAX_CONTROL_SHARE = 0.05


def _looks_binary(probe: bytes) -> bool:
    """Whether the start of a body is binary data rather than text with a stray NUL or two."""
    controls = len(probe) - len(probe.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(probe)


def _byte_order(body: bytes, content_type: str | None) -> str | None:
    """The codec a BOM names; else UTF-16's where the bytes are UTF-16 without one and the header
    labels no UTF-16 (only such a label can be right: the bytes are not ASCII-compatible)."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return bom_codec
    unmarked = _utf16_without_bom(body[:_BINARY_PROBE])
    if unmarked and not (_codec(charset_from_content_type(content_type)) or "").startswith("utf-16"):
        return unmarked
    return None


def _utf16_without_bom(probe: bytes) -> str | None:
    """The codec, utf-16-le or utf-16-be, where the start of a body is UTF-16 text without a BOM (a page
    saved so by an editor): three quarters of its characters' high bytes or more NUL, as markup's
    ASCII makes them, and the text they make free of NUL and control characters. Else None: such
    a body was refused as binary (its NUL bytes), though a header's utf-16le label read it."""
    probe = probe[: len(probe) // 2 * 2]
    if len(probe) < 8:
        return None
    for codec, high in (("utf-16-le", probe[1::2]), ("utf-16-be", probe[0::2])):
        if high.count(0) * 4 >= len(high) * 3:
            text = probe.decode(codec, "replace")
            return None if _looks_binary(text.encode("utf-8")) else codec
    return None


def _as_written(name: str, body: bytes) -> str | None:
    """The codec of bytes declared `name`: UTF-8 where they are valid UTF-8 beyond ASCII and `name`
    is another (a page re-saved as UTF-8 under its old declaration, a gb2312 or iso-8859-1 meta
    over UTF-8 bytes: read as declared they come out as symbols); None where `name` is UTF-8 and
    they are not, holding no UTF-8 character beyond ASCII (windows-1252 files under a server's
    default charset: read as declared every accent is U+FFFD), so the next step decides; else `name`.
    Valid multi-byte UTF-8 almost never happens by chance. Cheap where the label holds: the first
    byte beyond ASCII is read (a UTF-8 character or not), the whole body only where it may lie."""
    first = _first_beyond_ascii(body)
    if first < 0:
        return name
    starts = _UTF8_CHAR.match(body, first) is not None
    if name != "utf-8":  # UTF-16 is no ASCII-compatible label: its bytes may read as UTF-8
        return "utf-8" if starts and not name.startswith("utf-16") and _is_utf8(body) else name
    return name if starts or _holds_utf8(body) else None


def _first_beyond_ascii(body: bytes) -> int:
    """The index of the first byte of `body` beyond ASCII, or -1: read a few KiB at a time
    (`bytes.isascii` is a fast scan; a regular expression over a whole page is not)."""
    for start in range(0, len(body), _CHUNK):
        chunk = body[start : start + _CHUNK]
        if not chunk.isascii():
            found = _NON_ASCII.search(chunk)
            return start + found.start() if found else -1
    return -1


_CHUNK = 4096
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# One UTF-8 character beyond ASCII, as the encoding allows it (no overlong form, no surrogate)
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _holds_utf8(body: bytes) -> bool:
    """Whether `body` holds a UTF-8 character beyond ASCII (a U+FFFD written out aside)."""
    text = body.decode("utf-8", "replace")
    return len(text) - len(text.encode("ascii", "ignore")) > text.count("\ufffd")


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def charset_from_content_type(content_type: str | None) -> str | None:
    """The `charset` parameter of a Content-Type value, lowercased, or None."""
    if not content_type:
        return None
    header = Message()
    header["Content-Type"] = content_type
    charset = (header.get_content_charset() or "").strip()
    return charset or None


def _codec(label: str | None) -> str | None:
    """Python's codec for a WHATWG encoding label ("latin1" -> cp1252), or None for any other label."""
    if not label:
        return None
    encoding = webencodings.lookup(label)  # strips ASCII whitespace, ignores case
    if encoding is None or encoding.name in _NO_CODEC:
        return None
    return str(encoding.codec_info.name)


def _detected(name: str) -> str | None:
    """A codec name charset_normalizer answered with, if it is one of a WHATWG encoding."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return codec if codec in _WHATWG_CODECS else None


def _meta_charsets(head: bytes, source: str) -> Iterator[str]:
    """Charset labels declared by <meta> tags, in document order."""
    # latin-1 maps every byte to one code point, so markup survives whatever the real charset is
    tree = parse_html(head.decode("latin-1"), source)
    for meta in tree.css("meta"):
        attrs = meta.attributes
        charset = attrs.get("charset")
        if charset:
            yield charset
        elif (attrs.get("http-equiv") or "").strip().lower() == "content-type":
            label = charset_from_content_type(attrs.get("content"))
            if label:
                yield label
