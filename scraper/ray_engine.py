"""`clean --engine ray`: the same cleaning on a Ray cluster (or a local Ray), with Ray Data.

    inputs -> a Ray dataset, one row per input (a file, or a whole WARC/ARC file)
           -> flat_map on Ray workers: read the input, extract each page with the local engine's
              own functions (batch.clean_file, batch.clean_response), one row per page, then one
              "input done" row
           -> streamed back to the driver in input order -> the same judge, hygiene, shards,
              manifest and resume as the local engine (corpus.clean_to_folder)

So shards and schema are the local engine's, and `--resume` works the same way: a half-read
archive is read again on a worker with its first pages passed over. Ray is the optional extra
`scraper[ray]`, imported only here. URLs and stdin are the local engine's alone. The per-page
time and memory limits of the local worker pool do not apply on Ray workers: Ray's own task
limits do.
"""

from __future__ import annotations

import functools
import logging
import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from scraper.batch import Cleaned, CleanOptions, InputDone, archive_skip, clean_file, clean_response
from scraper.config import Settings
from scraper.errors import ConfigError, SourceError, internal_error
from scraper.sources import Input, path_key
from scraper.warc import ArchiveSkip, read_archive

__all__ = ["ray_stream"]

RAY_EXTRA = "--engine ray needs Ray: pip install 'storyscraper[ray]'"


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
    rows: list[dict[str, Any]] = []
    for item in inputs:
        done = options.resume(item.source)
        if done is None:
            continue
        if isinstance(item, SourceError):
            rows.append({"input": item.source, "kind": "error", "done": 0, "reason": item.reason})
        elif item.kind in ("url", "stdin"):
            raise ConfigError(
                "--engine ray", f"cleans files and web archives, not {item.source} (use the local engine)"
            )
        else:
            rows.append({"input": item.source, "kind": item.kind, "done": done, "reason": ""})
    if not rows:
        return
    if not ray.is_initialized():
        ray.init(
            address=address,
            num_cpus=None if address else options.jobs,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
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
            yield InputDone(row["input"], row["done"])
        else:
            yield pickle.loads(row["item"])  # our own workers' Cleaned records


def _pages(
    row: dict[str, Any], *, settings: Settings, url: str | None, url_map: dict[str, str], explained: bool
) -> Iterator[dict[str, Any]]:
    """On a Ray worker: every page of one input, then its "done" row (`done` >= 0)."""
    name, kind, done = row["input"], row["kind"], int(row["done"])
    if kind == "error":
        yield _row(name, Cleaned(name, error=SourceError(name, row["reason"]), input=name))
        yield {"input": name, "item": b"", "done": 1}
        return
    if kind == "file":
        page_url = url_map.get(path_key(name), url)
        if done == 0:
            cleaned = clean_file(
                name, page_url, settings.extract_for(page_url), settings.fetch.max_bytes, explained
            )
            yield _row(name, cleaned)
        yield {"input": name, "item": b"", "done": 1}
        return
    count = 0
    try:
        for record in read_archive(name, max_bytes=settings.fetch.max_bytes):
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
        count += 1
        yield _row(name, Cleaned(name, error=SourceError(name, internal_error(exc)), input=name))
    yield {"input": name, "item": b"", "done": count}


def _row(name: str, cleaned: Cleaned) -> dict[str, Any]:
    return {"input": name, "item": pickle.dumps(cleaned), "done": -1}
