"""A corpus run of `clean`: each page judged, written to the shards of `-o DIR`, counted.

    clean_stream (batch.py) -> judge (min quality, hygiene) -> OutputDir (shards.py) | stdout
                            -> counts -> summary;  failures -> --errors FILE

`clean_to_folder` is the loop behind `clean -o DIR` (and the library's way to build a corpus).

Every page (an HTML file, an HTML response of a web archive) has exactly one outcome, a key of
the run's counts, and so has every other record of a web archive:

    written                      kept: printed, or in a shard
    skipped: REASON              no article: junk pages and pages without main content (their
                                 skip_reason), pages below --min-quality, pages without a title,
                                 URL or date (--only-with-metadata)
    not a page: REASON           a web archive record that is no HTML response (a request, an
                                 image, a redirect): counted apart, never among the pages
    dropped: duplicate           the same text as a page kept earlier (or stored, with --db)
    dropped: near-duplicate      MinHash similarity at or above --near-dup to a page kept earlier
    dropped: language            not one of --language
    failed: REASON               the input could not be read, fetched or decoded, or a web archive
                                 record is damaged: listed with --errors FILE, exit code 1
    failed input: REASON         a source that is no input at all (a missing path, a folder
                                 without pages, a broken URL): counted apart from the pages, and
                                 listed and exited on as a failure; its summary line says
                                 "failed N input(s): REASON"

REASON is the reason up to its first colon, as in the crawl report.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from scraper.config import Settings
from scraper.corpus.batch import Cleaned, CleanOptions, InputDone, clean_stream
from scraper.corpus.dedup import Hygiene
from scraper.corpus.shards import OutputDir
from scraper.corpus.sources import Input, input_sizes
from scraper.corpus.warc import record_offset
from scraper.errors import SourceError, WriteError
from scraper.models import CleanProgress, counted, portable_name
from scraper.verdict import KEPT, Verdict, head, judge_document

# what turns inputs into cleaned pages, in input order
Engine = Callable[[Sequence[Input | SourceError], Settings, CleanOptions], Iterable[Cleaned | InputDone]]

__all__ = [
    "Engine",
    "ErrorLog",
    "Verdict",
    "clean_to_folder",
    "failed_count",
    "judge",
    "summary",
]

WRITTEN = KEPT
NOT_A_PAGE = "not a page"  # a web archive record that is no HTML response: counted apart from pages
FAILED_INPUT = "failed input"  # a source that could not be used at all: counted apart from pages


def judge(
    cleaned: Cleaned, *, min_quality: float, hygiene: Hygiene | None, only_with_metadata: bool = False
) -> Verdict:
    """The page's outcome: failed, skipped (a record that is no page, then the one keep/drop rule,
    `scraper.verdict`), dropped by hygiene (duplicates, languages), or written; for stdout,
    `--output-dir` and the shards of `-o` alike."""
    if cleaned.error is not None or (cleaned.document is None and cleaned.skipped is None):
        reason = str(getattr(cleaned.error, "reason", cleaned.error))
        return Verdict(f"{FAILED_INPUT if cleaned.unusable else 'failed'}: {head(reason)}", reason)
    if cleaned.skipped is not None:
        return Verdict(f"{NOT_A_PAGE}: {head(cleaned.skipped)}", cleaned.skipped)
    assert cleaned.document is not None
    verdict = judge_document(cleaned.document, min_quality=min_quality, only_with_metadata=only_with_metadata)
    if not verdict.kept:
        return verdict
    dropped = hygiene.verdict(cleaned.document) if hygiene is not None else None
    if dropped is not None:
        return Verdict(f"dropped: {dropped}", dropped)
    return verdict


def summary(counts: Mapping[str, int], *, inputs: int) -> list[str]:
    """The summary: one line of totals, then one line per reason, largest first. Pages are HTML
    files and HTML responses; an archive's other records (requests, images, redirects, ...) and
    the sources that could not be used at all (a missing path) are counted apart, after the pages."""
    kinds = ("skipped", "dropped", "failed", FAILED_INPUT, NOT_A_PAGE)
    groups: dict[str, Counter[str]] = {kind: Counter() for kind in kinds}
    for key, count in counts.items():
        kind, _, reason = key.partition(": ")
        if kind in groups:
            groups[kind][reason] += count
    records = sum(groups[NOT_A_PAGE].values())
    unusable = sum(groups[FAILED_INPUT].values())
    pages = sum(counts.values()) - records - unusable
    totals = ", ".join(f"{kind} {sum(groups[kind].values())}" for kind in kinds[:3])
    first = f"cleaned {counted(inputs, 'input')}, {counted(pages, 'page')}: "
    first += f"written {counts.get(WRITTEN, 0)}, {totals}"
    first += f"; {counted(unusable, 'input')} failed" if unusable else ""
    lines = [first + (f"; {records} web archive records that are no page" if records else "")]
    for kind, group in groups.items():
        for reason, count in sorted(group.items(), key=lambda item: (-item[1], item[0])):
            # "failed input 1: ..." read as the first input's failure: the count says what it counts
            head = f"failed {counted(count, 'input')}" if kind == FAILED_INPUT else f"{kind} {count}"
            lines.append(f"  {head}: {reason}")
    return lines


class ErrorLog:
    """`--errors FILE`: one JSON line per failed page, `{"source", "input", "reason"}`, appended
    as they happen (a resumed run adds to the list). A pipe is written as a file is (`--errors
    >(jq ...)`), if a process reads it: a named pipe no process reads is refused, where its open
    waited for a reader for ever, before any page was cleaned."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fh: TextIO | None = None
        if path is not None:
            try:
                # O_NONBLOCK: a pipe with no reader fails at once (ENXIO) instead of waiting for one
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666)
            except OSError as exc:
                if exc.errno == errno.ENXIO:
                    raise WriteError(f"{path}: a pipe no process reads: cannot write to it") from exc
                raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc
            os.set_blocking(fd, True)  # the writes themselves wait for a slow reader, as a file's
            self._fh = open(fd, "a", encoding="utf-8")  # noqa: SIM115  # closed by close()

    def add(self, cleaned: Cleaned, reason: str) -> None:
        if self._fh is None:
            return
        record = {
            "source": portable_name(cleaned.source),
            "input": portable_name(cleaned.origin),
            "reason": reason,
        }
        try:
            self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._fh.flush()
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot write: {exc.strerror or exc}") from exc

    def close(self) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                fh.close()
            except OSError as exc:
                raise WriteError(f"{self.path}: cannot write: {exc.strerror or exc}") from exc


def clean_to_folder(
    inputs: Sequence[Input | SourceError],
    settings: Settings,
    options: CleanOptions,
    out: OutputDir,
    *,
    min_quality: float = 0.0,
    only_with_metadata: bool = False,
    hygiene: Hygiene | None = None,
    errors: ErrorLog | None = None,
    progress: Callable[[CleanProgress], None] = lambda _progress: None,
    warn: Callable[[str], None] = lambda _line: None,
    engine: Engine = clean_stream,
) -> Counter[str]:
    """Clean `inputs` into the shards of `out`; returns the counts of the whole run (resumed
    parts included). Pages already in committed shards are not cleaned again. `progress` is
    told the pages, inputs and bytes done so far (`CleanProgress`); `warn` gets one line per
    failed page; `engine` is what cleans (`batch.clean_stream`, or `ray_engine.ray_stream` bound
    to its cluster)."""
    if hygiene is not None:
        hygiene.remember(out.kept_texts())
    options = dataclasses.replace(options, resume=out.resume_point)
    sizes = input_sizes(inputs)
    finished = [item.source for item in inputs if out.resume_point(item.source) is None]
    pages, inputs_done, read = 0, len(finished), sum(sizes.get(name, 0) for name in finished)
    try:
        for event in engine(inputs, settings, options):
            if isinstance(event, InputDone):
                out.input_done(event.input, event.pages)
                inputs_done += 1
                read += sizes.get(event.input, 0)
                progress(CleanProgress(pages=pages, inputs=inputs_done, read=read))
                continue
            verdict = judge(
                event, min_quality=min_quality, hygiene=hygiene, only_with_metadata=only_with_metadata
            )
            if verdict.outcome == WRITTEN:
                assert event.document is not None
                out.write(event.document)
            elif verdict.outcome.startswith("failed"):
                warn(f"{event.source}: {verdict.reason}")
                if errors is not None:
                    errors.add(event, verdict.reason or "")
            out.page_done(event.origin, verdict.outcome)
            out.maybe_commit()
            pages += event.skipped is None and not event.unusable
            within = record_offset(event.source, event.origin) or 0  # how far into a web archive
            progress(CleanProgress(pages=pages, inputs=inputs_done, read=read + within))
    except BaseException:
        out.abort()
        raise
    out.close()
    return out.counts


def failed_count(counts: Mapping[str, int]) -> int:
    return sum(count for key, count in counts.items() if key.startswith("failed"))
