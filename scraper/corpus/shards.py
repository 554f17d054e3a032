"""`clean -o DIR`: a corpus folder of shards that a killed run resumes, every input cleaned once.

    DIR/part-00000.jsonl.gz (or .parquet)   at most `shard_size` records each, the record schema
    DIR/manifest.jsonl                      one line per committed shard: the journal of the run
    DIR/done/<hash>.json                    a completion marker per finished input

The commit protocol, in this order: records go to a hidden temp shard; when it holds
`shard_size` records (or the run ends) it is fsynced and renamed to its name; then its manifest
line is appended and fsynced (the shard's name and records, the pages reached in every input
it touched, the inputs it finished, the count of every outcome since the last commit); then the
markers of the inputs it finished are written. The manifest is the truth. On `resume`, a torn
last manifest line is cut off, a shard the manifest does not name (a kill between rename and
append) and temp files are deleted, missing markers are written again; finished inputs are
skipped, and a half-done input (a web archive) is read again with its first pages passed over
unextracted. So a run killed at any moment (SIGKILL) and resumed has every input's pages in the
shards exactly once.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from scraper.corpus.atomic import write_text_atomically
from scraper.corpus.export import ParquetWriter, parquet_modules
from scraper.errors import WriteError
from scraper.models import Document, iso_utc, sha256_hex, utc_now

__all__ = ["SHARD_FORMATS", "OutputDir"]

SHARD_FORMATS = {"jsonl": ".jsonl.gz", "parquet": ".parquet"}
MANIFEST = "manifest.jsonl"


class _JsonlShard:
    """A gzipped JSONL shard written to a hidden temp file, moved into place on `finish`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temp = target.with_name(f".{target.name}.tmp")
        self._raw: BinaryIO = open(self.temp, "wb")  # noqa: SIM115  # closed in finish / abort
        self._gzip = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=6)

    def write(self, doc: Document) -> None:
        self._gzip.write((json.dumps(doc.to_record(), ensure_ascii=False) + "\n").encode("utf-8"))

    def finish(self) -> None:
        self._gzip.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.temp, self.target)

    def abort(self) -> None:
        self._gzip.close()
        self._raw.close()
        self.temp.unlink(missing_ok=True)


class OutputDir:
    """The corpus folder of one `clean -o` run (see the module docstring)."""

    def __init__(self, path: Path, *, fmt: str, shard_size: int, resume: bool) -> None:
        if fmt not in SHARD_FORMATS:
            raise ValueError(f"unknown shard format {fmt!r}")
        self.path = path
        self.fmt = fmt
        self.shard_size = shard_size
        self._done: set[str] = set()
        self._positions: dict[str, int] = {}
        self.counts: Counter[str] = Counter()  # of the whole run, committed or not
        self._shards: list[str] = []
        self._pending_positions: dict[str, int] = {}
        self._pending_done: dict[str, int] = {}
        self._pending_counts: Counter[str] = Counter()
        self._records = 0
        self._shard: _JsonlShard | ParquetWriter | None = None
        self._open(resume)

    # -- opening, resuming -----------------------------------------------------------------

    def _open(self, resume: bool) -> None:
        manifest = self.path / MANIFEST
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / "done").mkdir(exist_ok=True)
            if manifest.exists() and not resume:
                raise WriteError(
                    f"{self.path}: already holds a run (manifest.jsonl): pass --resume to continue it, "
                    "or choose another folder"
                )
            entries = self._read_manifest(manifest)
            for entry in entries:
                self._apply(entry)
            for entry in entries:
                for name in entry["done"]:
                    self._mark(name, entry["pages"][name], missing_only=True)
            self._sweep()
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot prepare the output folder: {exc.strerror or exc}") from exc
        suffix = SHARD_FORMATS[self.fmt]
        if any(not shard.endswith(suffix) for shard in self._shards):
            raise WriteError(f"{self.path}: holds shards of another format: resume with the same --format")

    def _read_manifest(self, manifest: Path) -> list[dict[str, Any]]:
        if not manifest.exists():
            return []
        raw = manifest.read_bytes()
        end = raw.rfind(b"\n") + 1
        if end < len(raw):  # a line torn by a kill: its shard is not committed
            with open(manifest, "r+b") as fh:
                fh.truncate(end)
        return [json.loads(line) for line in raw[:end].splitlines() if line.strip()]

    def _apply(self, entry: dict[str, Any]) -> None:
        if entry["shard"]:
            self._shards.append(entry["shard"])
        self._positions.update(entry["positions"])
        self._done.update(entry["done"])
        self.counts.update(entry["counts"])

    def _sweep(self) -> None:
        """Delete shards no manifest line names, and temp files: a killed run's uncommitted work."""
        known = set(self._shards)
        for child in self.path.iterdir():
            name = child.name
            stray = name.startswith("part-") and name not in known
            temp = name.startswith(".part-") and name.endswith(".tmp")
            if child.is_file() and (stray or temp):
                child.unlink()

    def resume_point(self, name: str) -> int | None:
        """None when input `name` is done; else how many of its pages are in committed shards."""
        if name in self._done:
            return None
        return self._positions.get(name, 0)

    @property
    def shards(self) -> list[Path]:
        return [self.path / shard for shard in self._shards]

    def kept_texts(self) -> Iterator[str]:
        """The text of every record in the committed shards (to rebuild dedup state on resume)."""
        for shard in self.shards:
            if self.fmt == "parquet":
                _, pq = parquet_modules()
                yield from pq.read_table(shard, columns=["text"]).column("text").to_pylist()
            else:
                with gzip.open(shard, "rt", encoding="utf-8") as fh:
                    yield from (json.loads(line)["text"] for line in fh)

    # -- writing ---------------------------------------------------------------------------

    def write(self, doc: Document) -> None:
        if self._shard is None:
            target = self.path / f"part-{len(self._shards):05d}{SHARD_FORMATS[self.fmt]}"
            try:
                if self.fmt == "parquet":
                    self._shard = ParquetWriter(target)
                    self._shard.start()
                else:
                    self._shard = _JsonlShard(target)
            except OSError as exc:
                raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from exc
        try:
            self._shard.write(doc)
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot write a shard: {exc.strerror or exc}") from exc
        self._records += 1

    def page_done(self, name: str, outcome: str) -> None:
        """One more page of input `name` is dealt with, its outcome counted (`written`, ...)."""
        self._pending_positions[name] = self._pending_positions.get(name, self._positions.get(name, 0)) + 1
        self._pending_counts[outcome] += 1
        self.counts[outcome] += 1

    def input_done(self, name: str, pages: int) -> None:
        self._pending_done[name] = pages
        self._pending_positions[name] = pages
        if self._records >= self.shard_size:
            self.commit()

    def maybe_commit(self) -> None:
        """Commit the open shard once it holds `shard_size` records."""
        if self._records >= self.shard_size:
            self.commit()

    def commit(self) -> None:
        """Make everything since the last commit durable: shard, manifest line, markers."""
        if not (self._records or self._pending_positions or self._pending_counts):
            return
        name = None
        try:
            if self._shard is not None:
                self._shard.finish()
                name = self._shard_name()
                self._shard = None
            entry = {
                "shard": name,
                "records": self._records,
                "positions": self._pending_positions,
                "done": sorted(self._pending_done),
                "pages": self._pending_done,
                "counts": dict(self._pending_counts),
                "at": iso_utc(utc_now()),
            }
            with open(self.path / MANIFEST, "ab") as fh:
                fh.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot commit a shard: {exc.strerror or exc}") from exc
        if name is not None:
            self._shards.append(name)
        self._positions.update(self._pending_positions)
        self._done.update(self._pending_done)
        for done, pages in self._pending_done.items():
            self._mark(done, pages)
        self._pending_positions, self._pending_done, self._pending_counts = {}, {}, Counter()
        self._records = 0

    def _shard_name(self) -> str:
        return f"part-{len(self._shards):05d}{SHARD_FORMATS[self.fmt]}"

    def _mark(self, name: str, pages: int, *, missing_only: bool = False) -> None:
        marker = self.path / "done" / f"{sha256_hex(name)[:32]}.json"
        if missing_only and marker.exists():
            return
        write_text_atomically(marker, json.dumps({"input": name, "pages": pages}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Commit what is left (the run ended normally)."""
        self.commit()

    def abort(self) -> None:
        """Drop the open shard (an error ends the run); committed work stays for --resume."""
        if self._shard is not None:
            self._shard.abort()
            self._shard = None
