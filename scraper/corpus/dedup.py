"""Corpus hygiene for `clean`: exact and near-duplicate removal, and a language filter.

    Hygiene.verdict(doc) -> None (keep, and remember it) | "duplicate" | "near-duplicate" | "language"

- Exact: the sha256 of the text (`content_hash`), within the run, and against the store when
  one is given (`--db`): a text already stored under any URL is a duplicate.
- Near: MinHash over word 5-shingles, indexed in an LSH (datasketch) at a Jaccard `threshold`;
  a document whose estimated similarity to one kept earlier reaches it is a near-duplicate.
- Language: the document's `language` (its primary subtag) must be one of `languages`.

Only documents with text are judged: junk and empty pages are outcomes of their own. The first
of a set of duplicates in input order is the one kept, so a resumed run decides the same way
once `remember` has been fed the documents its earlier part kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scraper.errors import ConfigError
from scraper.models import Document

__all__ = ["DUPLICATE", "LANGUAGE", "NEAR_DUPLICATE", "Hygiene", "HygieneSettings"]

DUPLICATE, NEAR_DUPLICATE, LANGUAGE = "duplicate", "near-duplicate", "language"
_SHINGLE = 5
_PERMUTATIONS = 128
_WORD = re.compile(r"\w+")  # over extracted text, never HTML


@dataclass(frozen=True, slots=True, kw_only=True)
class HygieneSettings:
    """`exact`: drop repeated texts; `near`: MinHash LSH Jaccard threshold in (0, 1], or None for
    off; `languages`: primary language subtags to keep (empty: all)."""

    exact: bool = True
    near: float | None = None
    languages: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.near is not None and not 0.0 < self.near <= 1.0:
            raise ValueError("near-duplicate threshold must be in (0, 1]")


class Hygiene:
    """Decides, document by document in input order, which ones a corpus keeps.

    `stored(content_hash)` says whether the store already holds that text (None: no store).
    """

    def __init__(self, settings: HygieneSettings, *, stored: Callable[[str], bool] | None = None) -> None:
        self.settings = settings
        self._stored = stored
        self._hashes: set[bytes] = set()
        self._lsh = _NearIndex(settings.near) if settings.near is not None else None

    def verdict(self, doc: Document) -> str | None:
        """Why `doc` is left out, or None: then it is kept and remembered."""
        if not doc.text:
            return None
        languages = self.settings.languages
        if languages and (doc.language or "und").split("-")[0].lower() not in languages:
            return LANGUAGE
        digest = bytes.fromhex(doc.content_hash)
        if self.settings.exact and (
            digest in self._hashes or (self._stored is not None and self._stored(doc.content_hash))
        ):
            return DUPLICATE
        minhash = self._lsh.minhash(doc.text) if self._lsh is not None else None
        if self._lsh is not None and self._lsh.seen(minhash):
            return NEAR_DUPLICATE
        self._remember(digest, doc.text, minhash)
        return None

    def remember(self, texts: Iterable[str]) -> None:
        """Feed the texts kept by an earlier part of this run (resume)."""
        for text in texts:
            self._remember(hashlib.sha256(text.encode("utf-8")).digest(), text)

    def _remember(self, digest: bytes, text: str, minhash: object = None) -> None:
        if self.settings.exact:
            self._hashes.add(digest)
        if self._lsh is not None:
            self._lsh.add(minhash if minhash is not None else self._lsh.minhash(text))


class _NearIndex:
    """datasketch's MinHash LSH over word shingles; imported only when near-dedup is asked for."""

    def __init__(self, threshold: float) -> None:
        try:
            from datasketch import MinHashLSH  # noqa: PLC0415  # numpy and scipy load only when asked for
        except ImportError:
            raise ConfigError("--near-dup", "needs datasketch: pip install 'storyscraper[dedup]'") from None

        self._lsh = MinHashLSH(threshold=threshold, num_perm=_PERMUTATIONS)
        self._count = 0

    def minhash(self, text: str) -> object:
        from datasketch import MinHash  # noqa: PLC0415  # see __init__

        words = _WORD.findall(text.lower())
        shingles = {" ".join(words[i : i + _SHINGLE]) for i in range(max(1, len(words) - _SHINGLE + 1))}
        minhash = MinHash(num_perm=_PERMUTATIONS)
        minhash.update_batch([s.encode("utf-8") for s in shingles])
        return minhash

    def seen(self, minhash: object) -> bool:
        return bool(self._lsh.query(minhash))

    def add(self, minhash: object) -> None:
        self._lsh.insert(str(self._count), minhash)
        self._count += 1
