"""`clean -o DIR`: a corpus folder of shards that a killed run resumes, every input cleaned once.

    DIR/part-00000.jsonl.gz (or .parquet)   at most `shard_size` records each, the record schema
    DIR/_manifest.jsonl                     one line per committed shard: the journal of the run
    DIR/_done/<hash>.json                   a completion marker per finished input
    DIR/.lock                               held by the run writing the folder

Only shards sit at the top level under a plain name: the bookkeeping starts with `_` or `.`,
which Arrow's dataset reader (so pandas), Spark and Hugging Face `datasets` skip, so
`pd.read_parquet("DIR")` reads the corpus. A folder written before this layout (`manifest.jsonl`,
`done/`) is moved to it, under the lock, by the next `--resume`.

One run at a time: the folder's lock (scraper/store/lock.py) is taken before anything is read,
and a second run is refused (`LockedError`, exit 3). The commit protocol, in this order: records
go to a hidden temp shard with a name of its own; when it holds `shard_size` records (or the run
ends) it is fsynced and renamed to its name; then its manifest line is appended and fsynced (the
shard's name, records and bytes, the pages reached in every input it touched, the inputs it
finished, the count of every outcome since the last commit); then the markers of the inputs it
finished are written. The manifest is the truth (scraper/corpus/manifest.py). On `resume`, a
torn last manifest line is cut off; a line that is not an entry, or a shard it names that is
missing or not the size it had, stops the run with one line naming the file and what to do;
under the lock, a shard the manifest does not name (a kill between rename and append) and temp
shards are deleted (nothing else: only names this module writes), missing markers are written
again; finished inputs are skipped, and a half-done input (a web archive) is read again with its
first pages passed over unextracted. So a run killed at any moment (SIGKILL) and resumed has
every input's pages in the shards exactly once.

Inputs are named in the manifest and markers by `models.portable_name`: a file name that is not
UTF-8 is kept, percent-encoded, instead of making the manifest invalid.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from scraper.corpus.atomic import AtomicFile, write_text_atomically
from scraper.corpus.export import ParquetWriter, parquet_modules
from scraper.corpus.manifest import SHARD_NAME, Entry, damaged_line, entry_line, read_manifest
from scraper.errors import ScraperError, WriteError
from scraper.models import Document, iso_utc, portable_name, sha256_hex, utc_now
from scraper.store import FolderLock

__all__ = ["SHARD_FORMATS", "OutputDir"]

SHARD_FORMATS = {"jsonl": ".jsonl.gz", "parquet": ".parquet"}
MANIFEST = "_manifest.jsonl"
DONE = "_done"
# the names of the bookkeeping before it was kept out of dataset readers' way
_OLD_NAMES = {"manifest.jsonl": MANIFEST, "done": DONE}
# a temp shard: `AtomicFile`'s hidden sibling of a shard name (or the fixed name older runs used)
_TEMP_SHARD = re.compile(r"\.(part-\d{5}\.(jsonl\.gz|parquet))(\.[0-9a-f]+)?\.tmp")


class _JsonlShard:
    """A gzipped JSONL shard written to a hidden temp file of its own, moved into place on `finish`."""

    def __init__(self, target: Path) -> None:
        self.output = target
        self._file = AtomicFile(target)
        handle = self._file.open()
        try:
            self._gzip = gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=6)  # writes its header
        except BaseException:
            self._file.discard()
            raise

    def write(self, doc: Document) -> None:
        self._gzip.write((json.dumps(doc.to_record(), ensure_ascii=False) + "\n").encode("utf-8"))

    def finish(self) -> None:
        try:
            self._gzip.close()
        except BaseException:
            self.abort()
            raise
        self._file.commit()  # fsync, rename; the temp file goes if that fails

    def abort(self) -> None:
        # best effort: this runs while another error (a full disk) is on its way up
        with suppress(OSError):
            self._gzip.close()
        self._file.discard()


class OutputDir:
    """The corpus folder of one `clean -o` run (see the module docstring); holds the folder's
    lock from creation to `close` or `abort`."""

    def __init__(self, path: Path, *, fmt: str, shard_size: int, resume: bool) -> None:
        if fmt not in SHARD_FORMATS:
            raise ValueError(f"unknown shard format {fmt!r}")
        self.path = path
        self.fmt = fmt
        self.shard_size = shard_size
        self._done: set[str] = set()
        self._positions: dict[str, int] = {}
        self.counts: Counter[str] = Counter()  # of the whole run, committed or not
        self._shards: list[Entry] = []
        self._pending_positions: dict[str, int] = {}
        self._pending_done: dict[str, int] = {}
        self._pending_counts: Counter[str] = Counter()
        self._records = 0
        self._shard: _JsonlShard | ParquetWriter | None = None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a device or a socket (`-o /dev/null`): "cannot make ...: File exists"
            raise WriteError(f"{self.path}: not a folder: choose a folder for -o") from None
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot make the output folder: {exc.strerror or exc}") from exc
        self._lock = FolderLock(self.path)
        try:
            self._open(resume)
        except BaseException:
            self._lock.release(failed=True)  # a refused folder keeps no lock file of this run
            raise

    # -- opening, resuming -----------------------------------------------------------------

    def _open(self, resume: bool) -> None:
        manifest = self.path / MANIFEST
        try:
            held = [name for name in (MANIFEST, *_OLD_NAMES) if (self.path / name).exists()]
            if held and not resume:
                raise WriteError(
                    f"{self.path}: already holds a run ({held[0]}): pass --resume to continue it, "
                    "or choose another folder"
                )
            self._migrate()
            ours = bool(held) or (self.path / DONE).is_dir()  # a run of this module opened it before
            (self.path / DONE).mkdir(exist_ok=True)
            entries = read_manifest(manifest)
            self._check(manifest, entries)
            for entry in entries:
                self._apply(entry)
            for entry in entries:
                for name in entry.done:
                    self._mark(name, entry.pages[name], missing_only=True)
            self._sweep(ours=ours)
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot prepare the output folder: {exc.strerror or exc}") from exc

    def _migrate(self) -> None:
        """Move the bookkeeping of a folder written before `_manifest.jsonl` and `_done/` to those
        names, each in one rename (a kill between the two leaves a folder this finishes)."""
        for old, new in _OLD_NAMES.items():
            source, target = self.path / old, self.path / new
            if not source.exists():
                continue
            if target.exists():
                raise WriteError(
                    f"{self.path}: holds both {old} and {new}: keep the one of this run, move the other away"
                )
            source.rename(target)

    def _check(self, manifest: Path, entries: list[Entry]) -> None:
        """Every shard the manifest names is there, whole (its size, when the line has it), and of
        this run's format."""
        suffix = SHARD_FORMATS[self.fmt]
        for entry in entries:
            if entry.shard is None:
                continue
            if not entry.shard.endswith(suffix):
                raise WriteError(
                    f"{self.path}: holds shards of another format: resume with the same --format"
                )
            shard = self.path / entry.shard
            try:
                size = shard.stat().st_size
            except FileNotFoundError:
                raise damaged_line(manifest, entry.line, f"its shard {entry.shard} is missing") from None
            if entry.size is not None and size != entry.size:
                raise damaged_line(
                    manifest, entry.line, f"its shard {entry.shard} has {size} bytes, not {entry.size}"
                )

    def _apply(self, entry: Entry) -> None:
        if entry.shard:
            self._shards.append(entry)
        self._positions.update(entry.positions)
        self._done.update(entry.done)
        self.counts.update(entry.counts)

    def _sweep(self, *, ours: bool) -> None:
        """Delete shards no manifest line names, and temp shards: a killed run's uncommitted work.
        Runs under the folder's lock, so no other run is writing them; only names this module
        writes are touched, and only in a folder a run opened before (`ours`: it has a manifest or
        `_done/`): in any other folder a file of such a name is someone else's, and the folder is
        refused rather than the file deleted (`-o .` in a folder of an older export's shards)."""
        known = {entry.shard for entry in self._shards}
        strays = [
            child
            for child in sorted(self.path.iterdir())
            if (
                (SHARD_NAME.fullmatch(child.name) is not None and child.name not in known)
                or _TEMP_SHARD.fullmatch(child.name)
            )
            and child.is_file()
        ]
        if strays and not ours:
            (self.path / DONE).rmdir()  # made by this open: the folder is left as it was found
            raise WriteError(
                f"{self.path}: holds {strays[0].name}, which no run in this folder wrote: "
                "move it away or choose another folder"
            )
        for child in strays:
            child.unlink()

    def resume_point(self, name: str) -> int | None:
        """None when input `name` is done; else how many of its pages are in committed shards."""
        key = portable_name(name)
        if key in self._done:
            return None
        return self._positions.get(key, 0)

    @property
    def shards(self) -> list[Path]:
        return [self.path / entry.shard for entry in self._shards if entry.shard]

    def kept_texts(self) -> Iterator[str]:
        """The text of every record in the committed shards (to rebuild dedup state on resume); a
        shard that cannot be read is a `WriteError` naming it and its manifest line."""
        for entry in self._shards:
            assert entry.shard is not None
            try:
                yield from self._texts(self.path / entry.shard)
            except (OSError, EOFError, zlib.error, ValueError, KeyError, TypeError) as exc:
                problem = f"its shard {entry.shard} cannot be read ({type(exc).__name__})"
                raise damaged_line(self.path / MANIFEST, entry.line, problem) from exc

    def _texts(self, shard: Path) -> Iterator[str]:
        if self.fmt == "parquet":
            pa, pq = parquet_modules()
            try:
                texts = pq.read_table(shard, columns=["text"]).column("text").to_pylist()
            except pa.ArrowException as exc:
                raise ValueError(str(exc)) from exc
            yield from texts
        else:
            with gzip.open(shard, "rt", encoding="utf-8") as fh:
                yield from (json.loads(line)["text"] for line in fh)

    # -- writing ---------------------------------------------------------------------------

    def write(self, doc: Document) -> None:
        if self._shard is None:
            target = self.path / self._shard_name()
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
            raise WriteError(f"{self._shard.output}: cannot write: {exc.strerror or exc}") from exc
        self._records += 1

    def page_done(self, name: str, outcome: str) -> None:
        """One more page of input `name` is dealt with, its outcome counted (`written`, ...)."""
        key = portable_name(name)
        self._pending_positions[key] = self._pending_positions.get(key, self._positions.get(key, 0)) + 1
        self._pending_counts[outcome] += 1
        self.counts[outcome] += 1

    def input_done(self, name: str, pages: int) -> None:
        key = portable_name(name)
        self._pending_done[key] = pages
        self._pending_positions[key] = pages
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
        manifest = self.path / MANIFEST
        name = size = None
        try:
            if self._shard is not None:
                shard, self._shard = self._shard, None
                shard.finish()
                name = shard.output.name
                size = shard.output.stat().st_size
            line = entry_line(
                shard=name,
                records=self._records,
                size=size,
                positions=self._pending_positions,
                pages=self._pending_done,
                counts=self._pending_counts,
                at=iso_utc(utc_now()),
            )
            with open(manifest, "ab") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            # a line cut by a full disk is a torn last line: the next --resume cuts it off
            raise WriteError(f"{manifest}: cannot commit a shard: {exc.strerror or exc}") from exc
        if name is not None:
            entry = Entry(
                line=0,
                shard=name,
                records=self._records,
                size=size,
                positions={},
                done=(),
                pages={},
                counts={},
            )
            self._shards.append(entry)
        self._positions.update(self._pending_positions)
        self._done.update(self._pending_done)
        for done, pages in self._pending_done.items():
            self._mark(done, pages)
        self._pending_positions, self._pending_done, self._pending_counts = {}, {}, Counter()
        self._records = 0

    def _shard_name(self) -> str:
        return f"part-{len(self._shards):05d}{SHARD_FORMATS[self.fmt]}"

    def _mark(self, key: str, pages: int, *, missing_only: bool = False) -> None:
        marker = self.path / DONE / f"{sha256_hex(key)[:32]}.json"
        if missing_only and marker.exists():
            return
        write_text_atomically(marker, json.dumps({"input": key, "pages": pages}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Commit what is left (the run ended normally) and let the folder go."""
        try:
            self.commit()
        finally:
            self._lock.release()

    def abort(self) -> None:
        """Drop the open shard (an error ends the run) and let the folder go; committed work
        stays for --resume."""
        try:
            if self._shard is not None:
                shard, self._shard = self._shard, None
                with suppress(ScraperError):  # best effort, as the error that ended the run goes up
                    shard.abort()
        finally:
            self._lock.release()
