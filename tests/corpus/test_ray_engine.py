"""`clean --engine ray`: the same shards, schema and resume as the local engine.

The slicing of archives into Ray tasks, and what each task reads, are plain functions: tested
here without Ray, in `make test`. The tests marked `ray` run on a local Ray and need the ray
extra (`make test-ray` installs it); they are skipped when Ray is not installed.
"""

from __future__ import annotations

import dataclasses
import gc
import gzip
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import scraper.corpus.batch
import scraper.corpus.warc
from scraper.cli import cli
from scraper.config import Settings
from scraper.corpus import ray_engine
from scraper.corpus.batch import Cleaned, CleanOptions, InputDone, clean_stream
from scraper.corpus.sources import Input
from scraper.corpus.warc import ArchivedResponse, ArchiveSkip, read_archive
from scraper.extract.worker import SETTLE_EVERY
from tests.archives import Exchange, warc_bytes, write
from tests.factories import story

# Ray warns about its own deprecated internals (use_push_based_shuffle): not ours to fix
on_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="needs the ray extra (make test-ray)"
)


@pytest.fixture(autouse=True)
def _collector_thresholds() -> Iterator[None]:
    """Several tests run a Ray worker's `_pages` in this process, and a worker's first task sets
    its collector's thresholds (extract's `settle`): they are put back after each test, or a test
    run later in the same process (test_worker's) reads a worker's thresholds as its own."""
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


def _rows(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for shard in sorted(folder.glob("part-*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh]
    return rows


@pytest.mark.ray
@on_ray
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ray_engine_writes_what_the_local_engine_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same inputs through --engine ray and the local engine give the same records and counts,
    with the archive cut into two Ray tasks (3 records, then the rest)."""
    monkeypatch.setattr(ray_engine, "SLICE", 3)
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"{n}.html").write_bytes(story(n))
    exchanges = [Exchange(f"https://a.example/{n}", story(10 + n)) for n in range(4)]
    write(pages / "c.warc.gz", warc_bytes(exchanges))
    runner = CliRunner()
    common = ["clean", str(pages), "--shard-size", "3", "--jobs", "2"]
    local = runner.invoke(cli, [*common, "-o", str(tmp_path / "local")])
    on_ray = runner.invoke(cli, [*common, "-o", str(tmp_path / "ray"), "--engine", "ray"])
    assert on_ray.exit_code == 0, on_ray.output
    assert on_ray.stdout == local.stdout  # the same summary
    strip = ("fetched_at",)
    mine = [{k: v for k, v in r.items() if k not in strip} for r in _rows(tmp_path / "local")]
    theirs = [{k: v for k, v in r.items() if k not in strip} for r in _rows(tmp_path / "ray")]
    assert theirs == mine
    assert len(theirs) == 7
    resumed = runner.invoke(cli, [*common, "-o", str(tmp_path / "ray"), "--engine", "ray", "--resume"])
    assert resumed.exit_code == 0 and len(_rows(tmp_path / "ray")) == 7


@pytest.mark.ray
@on_ray
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_relative_inputs_are_read_by_workers_started_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs named relative to this directory are read by Ray workers whose working directory is
    another (the Ray was started before the chdir): every page is cleaned, named as given."""
    import ray  # noqa: PLC0415  # the ray extra, checked by `on_ray` above

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    monkeypatch.chdir(tmp_path)
    Path("pages").mkdir()
    for n in range(3):
        Path("pages", f"{n}.html").write_bytes(story(n))
    done = CliRunner().invoke(cli, ["clean", "pages", "-o", "out", "--engine", "ray", "--jobs", "2"])
    assert done.exit_code == 0, done.output
    assert len(_rows(tmp_path / "out")) == 3


@pytest.mark.ray
@on_ray
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_ray_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    """--ray-address to nothing: one stderr line naming the address, exit 2, no traceback."""
    page = tmp_path / "p.html"
    page.write_bytes(story(1))
    command = [sys.executable, "-m", "scraper", "clean", str(page), "-o", str(tmp_path / "out")]
    command += ["--engine", "ray", "--ray-address", "ray://127.0.0.1:1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("scraper: --ray-address: cannot connect to Ray at ray://127.0.0.1:1: ")
    assert len(done.stderr.splitlines()) == 1


# -- slicing, without Ray: what each task reads, and what the driver makes of it -----------------


def _archive(tmp_path: Path, count: int, *, pages: tuple[int, ...] = ()) -> str:
    """A web archive of `count` response records: images (no page to extract, so cheap), but
    for the records numbered in `pages` (from 1), which are small stories."""
    exchanges = [
        Exchange(f"https://a.example/{n}", story(n))
        if n in pages
        else Exchange(f"https://a.example/{n}.png", b"\x89PNG", content_type="image/png")
        for n in range(1, count + 1)
    ]
    return str(write(tmp_path / "a.warc.gz", warc_bytes(exchanges, requests=False)))


def _on_workers(rows: list[dict[str, Any]], settings: Settings) -> Iterator[dict[str, Any]]:
    """Every task's rows, in order, as Ray's flat_map gives them to the driver."""
    for row in rows:
        yield from ray_engine._pages(row, settings=settings, url=None, url_map={}, explained=False)


def _seen(event: Cleaned | InputDone) -> tuple[object, ...]:
    if isinstance(event, InputDone):
        return ("done", event.input, event.pages)
    doc = event.document
    return (event.source, event.input, event.skipped, str(event.error), doc and (doc.url, doc.text))


def _sliced(archive: str, settings: Settings, resume: int = 0) -> list[dict[str, Any]]:
    return ray_engine._tasks([Input(archive, "archive")], settings, CleanOptions(resume=lambda _: resume))


def test_an_archive_is_cut_into_slices_that_start_at_their_own_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """45 records in slices of 20: three tasks, records 1-20, 21-40 and 41 to the end, each
    reading from its own first record."""
    monkeypatch.setattr(ray_engine, "SLICE", 20)
    archive = _archive(tmp_path, 45)
    rows = _sliced(archive, Settings())
    assert [(row["done"], row["end"]) for row in rows] == [(0, 20), (20, 40), (40, -1)]
    everything = [record.source for record in read_archive(archive, max_bytes=1 << 20)]
    for row in rows:
        start = scraper.corpus.warc.ArchivePosition(row["offset"], row["skip"], row["whole_gzip"])
        first = next(read_archive(archive, max_bytes=1 << 20, start=start))
        assert row["seek"] and first.source == everything[row["done"]]


@pytest.mark.parametrize("resume", [0, 7])
def test_the_slices_give_what_the_local_engine_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resume: int
) -> None:
    """The tasks' rows, put together by the driver, are the local engine's events: the same pages
    and skips in the same order, then the archive done with all its records; and the same for a
    half-read archive resumed after its first 7 records."""
    monkeypatch.setattr(ray_engine, "SLICE", 4)
    archive = _archive(tmp_path, 18, pages=(3, 9, 16))
    settings = Settings()
    rows = _sliced(archive, settings, resume)
    assert [row["done"] for row in rows] == list(range(resume, 18, 4))
    on_workers = [_seen(event) for event in ray_engine._events(_on_workers(rows, settings))]
    options = CleanOptions(jobs=1, resume=lambda _: resume)
    local = [_seen(event) for event in clean_stream([Input(archive, "archive")], settings, options)]
    assert on_workers == local
    assert len(on_workers) == 18 - resume + 1 and on_workers[-1] == ("done", archive, 18)
    pages = [event for event in on_workers[:-1] if event[-1] is not None]
    assert len(pages) == len([n for n in (3, 9, 16) if n > resume])


def test_each_record_is_read_twice_however_many_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive of 200 records in slices of 20 costs 400 record reads: the driver's pass and each
    slice's own records. Tasks that read from the first record cost 200 + 20 + 40 + ... + 200 = 1,300."""
    monkeypatch.setattr(ray_engine, "SLICE", 20)
    archive = _archive(tmp_path, 200)
    reads = 0
    real = scraper.corpus.warc._response

    def counted(record: Any, source: str, max_bytes: int) -> ArchivedResponse | ArchiveSkip:
        nonlocal reads
        reads += 1
        return real(record, source, max_bytes)

    monkeypatch.setattr(scraper.corpus.warc, "_response", counted)
    settings = Settings()
    rows = _sliced(archive, settings)
    events = list(ray_engine._events(_on_workers(rows, settings)))
    assert len(rows) == 10 and events[-1] == InputDone(archive, 200)
    assert reads == 2 * 200


def test_a_ray_worker_settles_its_garbage_as_a_pool_worker_does(tmp_path: Path) -> None:
    """A Ray worker extracting page after page collects its garbage and freezes what outlives the
    pages (extract's `settle`, every SETTLE_EVERY pages), as the local pool's workers do: without
    it, every full collection walked the extractor's caches again."""
    archive = _archive(tmp_path, SETTLE_EVERY + 1, pages=tuple(range(1, SETTLE_EVERY + 2)))
    settings = Settings()
    frozen = gc.get_freeze_count()
    try:
        events = list(ray_engine._events(_on_workers(_sliced(archive, settings), settings)))
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()  # this test's process is not a worker
    assert sum(isinstance(e, Cleaned) and e.document is not None for e in events) == SETTLE_EVERY + 1


def test_an_archive_with_a_slice_broken_off_is_not_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug met in the middle slice is one failure; the slices after it are still read, but the
    archive is not done, so a resumed run comes back to it (as with the local engine)."""
    monkeypatch.setattr(ray_engine, "SLICE", 5)
    archive = _archive(tmp_path, 15)
    settings = Settings()
    rows = _sliced(archive, settings)
    real = read_archive

    def breaks_in_the_middle_slice(path: str, **kwargs: Any) -> Iterator[ArchivedResponse | ArchiveSkip]:
        for number, record in enumerate(real(path, **kwargs)):
            if kwargs["start"].offset == rows[1]["offset"] and number == 2:
                raise RuntimeError("a bug")
            yield record

    monkeypatch.setattr(scraper.corpus.batch, "read_archive", breaks_in_the_middle_slice)
    events = list(ray_engine._events(_on_workers(rows, settings)))
    assert not any(isinstance(event, InputDone) for event in events)
    failures = [event for event in events if isinstance(event, Cleaned) and event.error is not None]
    assert [(f.source, "internal error: RuntimeError" in str(f.error)) for f in failures] == [
        (f"{archive}#8", True)
    ]
    assert len(events) == 5 + 3 + 5  # the first slice, the middle one up to its bug, the last


def test_an_archive_that_cannot_be_read_is_one_task_and_its_failure(tmp_path: Path) -> None:
    """An archive the driver cannot open is one task, from the start; on the worker it is that
    input's one failure, and the input is done."""
    missing = str(tmp_path / "gone.warc.gz")
    rows = _sliced(missing, Settings())
    assert [(row["done"], row["end"], row["seek"]) for row in rows] == [(0, -1, False)]
    events = list(ray_engine._events(_on_workers(rows, Settings())))
    assert [type(event) for event in events] == [Cleaned, InputDone]
    assert isinstance(events[0], Cleaned) and "no such file" in str(events[0].error)
    assert dataclasses.astuple(events[1]) == (missing, 1)
