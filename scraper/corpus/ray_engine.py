"""`clean --engine ray`: the same cleaning on a Ray cluster (or a local Ray), with Ray Data.

    inputs -> a Ray dataset, one row per task: a file, or a slice of `SLICE` records of a
              WARC/ARC file (the driver reads the archive once, noting where each slice
              starts; the last slice runs to the end)
           -> flat_map on Ray workers: read the input (a slice seeks to its first record and
              reads its own records only, through the local engine's loop, batch.archive_work),
              extract each page with the local engine's own functions (batch.clean_file,
              batch.clean_response), one row per page, then one "done" row
           -> streamed back to the driver in input order -> the same judge, hygiene, shards,
              manifest and resume as the local engine (corpus.clean_to_folder)

So shards and schema are the local engine's, and `--resume` works the same way: a half-read
archive's slices start at the first record not in the shards. An archive of N records costs
2N record reads (the driver's pass, then each slice's own records), not the N + N²/(2 SLICE)
of slices that each read from the first record; an archive is done only when every one of its
slices was read to its end. Inputs are read by their
absolute paths (a record's `source` names that path); a cluster's workers need them at the
same paths (a shared filesystem). A Ray that cannot be reached is one line (exit 2). Ray is
the optional extra `storyscraper[ray]`, imported only here. URLs and stdin are the local engine's
alone. The per-page time and memory limits of the local worker pool do not apply on Ray
workers: Ray's own task limits do.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from scraper.config import Settings
from scraper.corpus.batch import (
    ArchivePage,
    Cleaned,
    CleanOptions,
    InputDone,
    archive_work,
    clean_file,
    clean_response,
)
from scraper.corpus.sources import Input, mapped_url
from scraper.corpus.warc import ArchivePosition, read_positioned
from scraper.errors import ConfigError, SourceError
from scraper.extract import settle

__all__ = ["ray_stream"]

RAY_EXTRA = "--engine ray needs Ray: pip install 'storyscraper[ray]'"
# Records per Ray task. One task per archive left a worker idle whenever the archives were fewer
# than the workers or did not divide evenly among them (3 archives on 2 workers: 1.5x at best).
SLICE = 20


def ray_stream(
    inputs: Iterable[Input | SourceError],
    settings: Settings,
    options: CleanOptions,
    *,
    address: str | None = None,
) -> Iterator[Cleaned | InputDone]:
    """What `batch.clean_stream` yields, computed on Ray: `address` names a cluster (`ray://...`
    or `auto`); None starts a local Ray with `options.jobs` CPUs."""
    try:
        import ray  # noqa: PLC0415  # the ray extra: imported only for --engine ray
    except ModuleNotFoundError as exc:
        raise ConfigError("", RAY_EXTRA) from exc
    rows = _tasks(inputs, settings, options)
    if not rows:
        return
    if not ray.is_initialized():
        try:
            ray.init(
                address=address,
                num_cpus=None if address else options.jobs,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        except Exception as exc:  # Ray's own errors (ConnectionError, RuntimeError, ...): one line
            where = f"Ray at {address}" if address else "a local Ray"
            raise ConfigError("--ray-address", f"cannot connect to {where}: {_first_line(exc)}") from exc
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # results in input order, as the journal needs
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    pages = functools.partial(
        _pages, settings=settings, url=options.url, url_map=dict(options.url_map), explained=options.explained
    )
    compute = ray.data.TaskPoolStrategy(size=options.jobs) if not address else None
    dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).flat_map(pages, compute=compute)
    yield from _events(dataset.iter_rows())


def _events(rows: Iterable[dict[str, Any]]) -> Iterator[Cleaned | InputDone]:
    """The workers' rows, in input order, as the local engine's events: a page's `Cleaned`, and
    `InputDone` after the last slice of an input, when every one of its slices was read to its
    end (a slice broken off by a bug leaves its archive not done, as the local engine does)."""
    broken: set[str] = set()
    for row in rows:
        if row["done"] < 0:
            yield pickle.loads(row["item"])  # our own workers' Cleaned records
        elif not row["complete"]:
            broken.add(row["input"])
        elif row["last"] and row["input"] not in broken:  # an input's slices come in order
            yield InputDone(row["input"], row["done"])


def _tasks(
    inputs: Iterable[Input | SourceError], settings: Settings, options: CleanOptions
) -> list[dict[str, Any]]:
    """The dataset rows: one per file or failed source, one per `SLICE` records of an archive."""
    rows: list[dict[str, Any]] = []
    for item in inputs:
        done = options.resume(item.source)
        if done is None:
            continue
        if isinstance(item, SourceError):
            rows.append(_task(item.source, "error", 0, None, reason=item.reason))
        elif item.kind in ("url", "stdin"):
            raise ConfigError(
                "--engine ray", f"cleans files and web archives, not {item.source} (use the local engine)"
            )
        elif item.kind == "file":
            rows.append(_task(item.source, "file", done, None))
        else:
            starts = _slices(item.source, settings.fetch.max_bytes, done)
            rows += [
                _task(item.source, item.kind, first, end, start=position) for first, end, position in starts
            ]
    return rows


def _task(
    name: str,
    kind: str,
    done: int,
    end: int | None,
    *,
    start: ArchivePosition | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """A dataset row: records `done` < n <= `end` of input `name` (`end` None: to its end), read
    from `start`, where record `done` + 1 comes first (None: from the start of the file, the
    first `done` records passed over). The workers read `path`, the input made absolute here:
    their working directory is not this process's (a cluster's, or a local Ray started
    elsewhere), so a relative name failed there."""
    return {
        "input": name,
        "path": os.path.abspath(name),
        "kind": kind,
        "done": done,
        "end": -1 if end is None else end,
        "seek": start is not None,
        "offset": 0 if start is None else start.offset,
        "skip": 0 if start is None else start.skip,
        "whole_gzip": start is not None and start.whole_gzip,
        "reason": reason,
    }


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _slices(name: str, max_bytes: int, done: int) -> list[tuple[int, int | None, ArchivePosition | None]]:
    """An archive's slices after its first `done` records: (records before the slice, its last
    record or None for the last slice, where its first record starts), from one reading of the
    archive. When the archive cannot be read (or has no record after `done`), one slice from the
    start of the file, records up to `done` passed over: a worker then meets what stopped the
    reading here, where it is that input's failure."""
    starts: list[tuple[int, ArchivePosition]] = []
    try:
        for number, (_record, position) in enumerate(read_positioned(name, max_bytes=max_bytes)):
            if number >= done and (number - done) % SLICE == 0:
                starts.append((number, position))
    except Exception:  # damage met on a worker reading the archive, where it is that input's failure
        starts = []
    if not starts:
        return [(done, None, None)]
    # the last slice runs to the end, whatever it finds there
    ends = [first + SLICE for first, _position in starts[:-1]] + [None]
    return [(first, end, position) for (first, position), end in zip(starts, ends, strict=True)]


def _pages(
    row: dict[str, Any],
    *,
    settings: Settings,
    url: str | None,
    url_map: dict[str, str | SourceError],
    explained: bool,
) -> Iterator[dict[str, Any]]:
    """On a Ray worker: every page of one task, then its "done" row (`done` >= 0, `last` when the
    task ends its input). A Ray worker lives for many tasks, as a pool's worker does, and settles
    its garbage the same way before a page (extract's `settle`: every SETTLE_EVERY pages, collect,
    then freeze what outlives them), so its full collections stop walking the extractor's caches."""
    name, path, kind = row["input"], row["path"], row["kind"]
    done, end = int(row["done"]), int(row["end"])
    if kind == "error":
        yield _row(name, Cleaned(name, error=SourceError(name, row["reason"]), input=name, unusable=True))
        yield {"input": name, "item": b"", "done": 1, "last": True, "complete": True}
        return
    if kind == "file":
        if done == 0:
            try:
                page_url = mapped_url(url_map, name, url)
            except SourceError as exc:
                cleaned = Cleaned(name, error=exc, input=name)
            else:
                settle()
                cleaned = clean_file(
                    path, page_url, settings.extract_for(page_url), settings.fetch.max_bytes, explained
                )
            yield _row(name, cleaned)
        yield {"input": name, "item": b"", "done": 1, "last": True, "complete": True}
        return
    seek = ArchivePosition(int(row["offset"]), int(row["skip"]), bool(row["whole_gzip"]))
    slice_of = archive_work(
        name,
        settings,
        path=path,
        done=done,
        first=done if row["seek"] else 0,
        end=None if end < 0 else end,
        start=seek if row["seek"] else ArchivePosition(),
    )
    for work in slice_of:
        if isinstance(work, InputDone):  # this slice was read to its end
            yield {"input": name, "item": b"", "done": work.pages, "last": end < 0, "complete": True}
            return
        if isinstance(work, ArchivePage):
            settle()
            yield _row(name, clean_response(work.record, name, work.settings, explained))
        else:
            yield _row(name, work)
    # broken off by a bug (its failure yielded above): not read to its end, so not done
    yield {"input": name, "item": b"", "done": 0, "last": False, "complete": False}


def _row(name: str, cleaned: Cleaned) -> dict[str, Any]:
    """A page's row; its input is named as the user gave it (the journal's key), while its
    `source` is the absolute path the worker read."""
    return {
        "input": name,
        "item": pickle.dumps(dataclasses.replace(cleaned, input=name)),
        "done": -1,
        "last": False,
        "complete": True,
    }
