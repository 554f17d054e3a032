"""The one bounded decompressor: gzip, zlib, raw deflate and brotli, never more than a limit out.

Every place that decompresses uses it: HTTP bodies (`Content-Encoding`), gzipped sitemaps and
local `.html.gz` files, and web archive records (`br`, which warcio cannot undo: corpus/warc.py).
A decompression bomb stops one byte past the limit, however small the input: zlib's
`max_length` caps each step (brotli's `output_buffer_limit`: 300 bytes of it are 200 MB), so
memory never holds more than the limit. `br` needs the `brotli` package (httpx's and urllib3's
own optional decoder); without it, it is an unsupported coding.

    Inflater(coding, limit)   streaming: feed() chunks as they come, finish() at the end
    inflate(data, limit)      a whole buffer, gzip members concatenated as gzip(1) writes them

`deflate` is read as zlib (RFC 9110) or, when the body has no zlib header, as raw deflate, as
browsers and httpx accept it. Errors are `InflateError`s with a reason; each caller maps them
onto its own error (`FetchError`, `DiscoveryError`, `SourceError`) with the source it knows.
"""

from __future__ import annotations

import zlib
from typing import Any

__all__ = ["CODINGS", "InflateError", "Inflater", "inflate", "is_gzip"]

CODINGS = frozenset({"gzip", "x-gzip", "deflate"})  # what `Inflater` undoes (besides identity and br)

_GZIP_MAGIC = b"\x1f\x8b"
_FIRST_STEP = 256  # input bytes handed to zlib at the start of a member ...
_MAX_STEP = 256 * 1024  # ... doubling up to this


class InflateError(ValueError):
    """Compressed data that is corrupt, cut short, or larger than the limit once inflated."""

    def __init__(self, reason: str, *, too_large: bool = False, truncated: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large
        self.truncated = truncated


def is_gzip(data: bytes) -> bool:
    """Whether `data` starts with the gzip magic bytes, whatever the file is called."""
    return data[:2] == _GZIP_MAGIC


def _is_zlib_header(head: bytes) -> bool:
    """RFC 1950: method 8 (deflate), a window of at most 32 KiB, and a header checksum."""
    return head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0


class Inflater:
    """Undoes one Content-Encoding chunk by chunk, producing at most `limit` bytes in all.

    `coding` is "" or "identity" (bytes pass through, still counted), "gzip" / "x-gzip", or
    "deflate"; anything else raises `InflateError`. Several gzip members in a row are all read.
    With `truncate`, output past the limit is dropped instead of raising, and `full` tells.
    """

    def __init__(self, coding: str, limit: int, *, truncate: bool = False) -> None:
        self.coding = coding.strip().lower()
        self._brotli: Any = _brotli() if self.coding == "br" else None
        if self.coding not in CODINGS and self.coding not in ("", "identity") and self._brotli is None:
            raise InflateError(f"unsupported Content-Encoding: {self.coding}")
        self._limit = limit
        self._left = limit
        self._truncate = truncate
        self.full = False  # the limit was reached (with `truncate`)
        self._zlib: zlib._Decompress | None = None
        self._pending = b""

    def feed(self, data: bytes) -> bytes:
        """Inflate the next chunk; raises once the output would pass the limit."""
        if self.full:
            return b""
        if self.coding in ("", "identity"):
            return self._count(data)
        if self._brotli is not None:
            return self._count(self._unbrotli(data))
        data = self._pending + data
        self._pending = b""
        if self._zlib is None:
            if self.coding == "deflate" and len(data) < 2:
                self._pending = data  # one byte cannot tell zlib from raw deflate
                return b""
            self._zlib = self._new_stream(data)
        out = bytearray()
        view = memoryview(data)
        position, step = 0, _FIRST_STEP
        while position < len(view):
            if self._zlib.eof:
                # gzip members may follow one another; NUL padding or junk after deflate is ignored
                if self.coding == "deflate" or (
                    view[position] == 0 and not view[position:].tobytes().strip(b"\0")
                ):
                    break
                self._zlib = self._new_stream(view[position : position + 2].tobytes())
                step = _FIRST_STEP
            # Small pieces first, doubling while a member goes on: what is left over at a member's
            # end (`unused_data`, a copy) stays small, so a stream of many tiny members inflates in
            # linear time, not quadratic; a long member soon goes in large pieces.
            piece = view[position : position + step]
            try:
                # max_length stops one byte past the budget: a bomb never unpacks
                out += self._zlib.decompress(piece, self._left - len(out) + 1)
            except zlib.error as exc:
                raise InflateError(f"corrupt {self.coding} data: {exc}") from exc
            if len(out) > self._left:
                break
            position += len(piece) - (len(self._zlib.unused_data) if self._zlib.eof else 0)
            step = min(step * 2, _MAX_STEP)
        return self._count(bytes(out))

    def _unbrotli(self, data: bytes) -> bytes:
        """`data` through brotli, its output drained one byte past the budget at most."""
        out = b""
        try:
            out = bytes(self._brotli.process(data, output_buffer_limit=self._left + 1))
            while len(out) <= self._left and not self._brotli.can_accept_more_data():
                out += self._brotli.process(b"", output_buffer_limit=self._left - len(out) + 1)
        except Exception as exc:  # brotli.error, which only the optional package defines
            raise InflateError(f"corrupt br data: {exc}") from exc
        return out

    def finish(self) -> None:
        """The end of the body: raises if a compressed stream stopped before its end."""
        if self.full:
            return
        if self._brotli is not None:
            if not self._brotli.is_finished():
                raise InflateError("br data cut short", truncated=True)
            return
        if self._pending or (self._zlib is not None and not self._zlib.eof):
            raise InflateError(f"{self.coding} data cut short", truncated=True)

    def _new_stream(self, head: bytes) -> zlib._Decompress:
        if self.coding != "deflate":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(zlib.MAX_WBITS if _is_zlib_header(head) else -zlib.MAX_WBITS)

    def _count(self, data: bytes) -> bytes:
        if len(data) > self._left:
            if not self._truncate:
                raise InflateError(f"larger than {self._limit} bytes once decompressed", too_large=True)
            data, self.full = data[: self._left], True
        self._left -= len(data)
        return data


def _brotli() -> Any:
    """A brotli decompressor, or None without the `brotli` package."""
    try:
        import brotli  # type: ignore[import-untyped]  # noqa: PLC0415  # optional, untyped: only br needs it
    except ImportError:
        return None
    return brotli.Decompressor()


def inflate(data: bytes, *, limit: int, coding: str = "gzip") -> bytes:
    """Inflate a whole buffer (every gzip member), refusing more than `limit` bytes out."""
    inflater = Inflater(coding, limit)
    out = inflater.feed(data)
    inflater.finish()
    return out
