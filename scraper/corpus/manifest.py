"""The manifest of a corpus folder (scraper/corpus/shards.py): one JSON line per commit, read
back whole or refused with one line that says which line is wrong and what to do.

    {"shard": "part-00000.jsonl.gz" | null, "records": 10000, "bytes": 5123456,
     "positions": {input: pages reached}, "done": [inputs finished], "pages": {input: pages},
     "counts": {outcome: count}, "at": "2026-11-23T22:19:00Z"}

A last line without its newline is a commit a kill tore: it is cut off (its shard, not yet
named, is swept as a stray), unless it is whole, when only the newline was lost. Any other
line that is not such an entry (hand-edited, damaged, a shard named twice) is a `WriteError`
naming the file and the line: the folder is not touched, and the message says how to recover.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scraper.errors import WriteError

__all__ = ["SHARD_NAME", "Entry", "damaged_line", "entry_line", "read_manifest"]

SHARD_NAME = re.compile(r"part-\d{5}\.(jsonl\.gz|parquet)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One committed manifest line (`line` counts from 1)."""

    line: int
    shard: str | None
    records: int
    size: int | None  # the shard's bytes; None in manifests written before it was kept
    positions: Mapping[str, int]
    done: tuple[str, ...]
    pages: Mapping[str, int]
    counts: Mapping[str, int]


def damaged_line(manifest: Path, line: int, problem: str) -> WriteError:
    """The error for a manifest line (or the shard it names) that cannot be trusted, with the way out."""
    return WriteError(
        f"{manifest} line {line}: {problem}: restore it, or delete line {line} and every line after "
        "it and run again with --resume (the inputs they covered are cleaned again)"
    )


def entry_line(
    *,
    shard: str | None,
    records: int,
    size: int | None,
    positions: Mapping[str, int],
    pages: Mapping[str, int],
    counts: Mapping[str, int],
    at: str,
) -> bytes:
    entry = {
        "shard": shard,
        "records": records,
        "bytes": size,
        "positions": dict(positions),
        "done": sorted(pages),
        "pages": dict(pages),
        "counts": dict(counts),
        "at": at,
    }
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")


def read_manifest(manifest: Path) -> list[Entry]:
    """Every entry of `manifest` (none when it does not exist); cuts a torn last line off.
    Raises `WriteError` for a line that is not an entry; `OSError` goes to the caller."""
    if not manifest.exists():
        return []
    raw = manifest.read_bytes()
    lines = raw.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with its newline
    entries: list[Entry] = []
    named: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if line.strip():
            entries.append(_entry(manifest, number, line, named))
    if tail.strip():
        try:
            entries.append(_entry(manifest, len(lines) + 1, tail, named))
        except WriteError:  # torn by a kill: its shard was never committed
            with open(manifest, "r+b") as fh:
                fh.truncate(len(raw) - len(tail))
        else:  # whole, only its newline lost (an editor): the next commit must start a new line
            with open(manifest, "ab") as fh:
                fh.write(b"\n")
    return entries


def _entry(manifest: Path, number: int, line: bytes, named: dict[str, int]) -> Entry:
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        raise damaged_line(manifest, number, "not a JSON line") from None
    problem = _problem(data)
    if problem is not None:
        raise damaged_line(manifest, number, problem)
    shard = data["shard"]
    if shard is not None:
        if shard in named:
            raise damaged_line(manifest, number, f"names {shard} again (first on line {named[shard]})")
        named[shard] = number
    return Entry(
        line=number,
        shard=shard,
        records=data["records"],
        size=data.get("bytes"),
        positions=data["positions"],
        done=tuple(data["done"]),
        pages=data["pages"],
        counts=data["counts"],
    )


def _problem(data: Any) -> str | None:  # noqa: PLR0911  # one return per way a line can be wrong
    """What makes `data` no manifest entry, or None."""
    if not isinstance(data, dict):
        return "not a manifest entry (a JSON object)"
    shard = data.get("shard")
    if shard is not None and not (isinstance(shard, str) and SHARD_NAME.fullmatch(shard)):
        return f"'shard' is not a shard name: {shard!r}"
    if not _count(data.get("records")):
        return "'records' is not a count"
    if data.get("bytes") is not None and not _count(data["bytes"]):
        return "'bytes' is not a count"
    for key in ("positions", "pages", "counts"):
        value = data.get(key)
        if not isinstance(value, dict) or not all(_count(v) for v in value.values()):
            return f"'{key}' is not a map of counts"
    done = data.get("done")
    if not isinstance(done, list) or not all(isinstance(name, str) for name in done):
        return "'done' is not a list of inputs"
    if set(done) != set(data["pages"]):
        return "'done' and 'pages' name different inputs"
    return None


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
