"""`clean --engine ray`: the same cleaning on a Ray cluster (or a local Ray), with Ray Data.

    inputs -> a Ray dataset, one row per task: a file, or a slice of `SLICE` records of a
              WARC/ARC file (the driver counts the records; the last slice runs to the end)
           -> flat_map on Ray workers: read the input (a slice passes over the records before
              it), extract each page with the local engine's own functions
              (batch.clean_file, batch.clean_response), one row per page, then one "done" row
           -> streamed back to the driver in input order -> the same judge, hygiene, shards,
              manifest and resume as the local engine (corpus.clean_to_folder)

So shards and schema are the local engine's, and `--resume` works the same way: a half-read
archive is read again on a worker with its first pages passed over. Inputs are read by their
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
from scraper.corpus.batch import Cleaned, CleanOptions, InputDone, archive_skip, clean_file, clean_response
from scraper.corpus.sources import Input, mapped_url
from scraper.corpus.warc import ArchiveSkip, read_archive
from scraper.errors import ConfigError, SourceError, internal_error

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
    for row in dataset.iter_rows():
        if row["done"] >= 0:
            if row["last"]:  # an archive's slices come in order: its last one ends the input
                yield InputDone(row["input"], row["done"])
        else:
            yield pickle.loads(row["item"])  # our own workers' Cleaned records


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
            total = _count(item.source, settings.fetch.max_bytes)
            starts = range(done, max(done + 1, total), SLICE)
            rows += [
                _task(item.source, item.kind, start, None if start == starts[-1] else start + SLICE)
                for start in starts
            ]
    return rows


def _task(name: str, kind: str, done: int, end: int | None, *, reason: str = "") -> dict[str, Any]:
    """A dataset row: records `done` < n <= `end` of input `name` (`end` None: to its end). The
    workers read `path`, the input made absolute here: their working directory is not this
    process's (a cluster's, or a local Ray started elsewhere), so a relative name failed there."""
    return {
        "input": name,
        "path": os.path.abspath(name),
        "kind": kind,
        "done": done,
        "end": -1 if end is None else end,
        "reason": reason,
    }


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _count(name: str, max_bytes: int) -> int:
    """The records of an archive as `read_archive` yields them (0 when it cannot be opened: the
    one open-ended slice then reports the failure on a worker)."""
    try:
        return sum(1 for _ in read_archive(name, max_bytes=max_bytes))
    except Exception:  # damage met on a worker reading the archive, where it is that input's failure
        return 0


def _pages(
    row: dict[str, Any],
    *,
    settings: Settings,
    url: str | None,
    url_map: dict[str, str | SourceError],
    explained: bool,
) -> Iterator[dict[str, Any]]:
    """On a Ray worker: every page of one task, then its "done" row (`done` >= 0, `last` when the
    task ends its input)."""
    name, path, kind = row["input"], row["path"], row["kind"]
    done, end = int(row["done"]), int(row["end"])
    if kind == "error":
        yield _row(name, Cleaned(name, error=SourceError(name, row["reason"]), input=name))
        yield {"input": name, "item": b"", "done": 1, "last": True}
        return
    if kind == "file":
        if done == 0:
            try:
                page_url = mapped_url(url_map, name, url)
            except SourceError as exc:
                cleaned = Cleaned(name, error=exc, input=name)
            else:
                cleaned = clean_file(
                    path, page_url, settings.extract_for(page_url), settings.fetch.max_bytes, explained
                )
            yield _row(name, cleaned)
        yield {"input": name, "item": b"", "done": 1, "last": True}
        return
    count = 0
    try:
        for record in read_archive(path, max_bytes=settings.fetch.max_bytes):
            if count == end:
                break
            count += 1
            if count <= done:
                continue
            if isinstance(record, ArchiveSkip):
                yield _row(name, archive_skip(record, name))
            else:
                yield _row(name, clean_response(record, name, settings.extract_for(record.url), explained))
    except SourceError as exc:
        count += 1
        yield _row(name, Cleaned(name, error=exc, input=name))
    except Exception as exc:  # a bug met on this archive is its failure (scraper.errors.internal_error)
        yield _row(
            name, Cleaned(f"{name}#{count + 1}", error=SourceError(name, internal_error(exc)), input=name)
        )
        # not read to its end: not done (batch._Jobs._archive does the same)
        yield {"input": name, "item": b"", "done": count, "last": False}
        return
    yield {"input": name, "item": b"", "done": count, "last": end < 0}


def _row(name: str, cleaned: Cleaned) -> dict[str, Any]:
    """A page's row; its input is named as the user gave it (the journal's key), while its
    `source` is the absolute path the worker read."""
    return {
        "input": name,
        "item": pickle.dumps(dataclasses.replace(cleaned, input=name)),
        "done": -1,
        "last": False,
    }
