"""`scraper clean` at corpus scale: web archives, -o shards, resume after SIGKILL, lists, hygiene."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import FetchSettings, Settings
from scraper.corpus.batch import clean_sources
from scraper.crawl.progress import clean_progress
from scraper.models import CleanProgress
from scraper.store import Store
from tests.archives import Exchange, warc_bytes, write
from tests.factories import make_doc, story
from tests.httpserver import LocalServer, Request, Route

HTML = Path(__file__).parents[1] / "fixtures" / "html"
GERMAN = (HTML / "german-cp1252.html").read_bytes()


def _records(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for shard in sorted(folder.glob("part-*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh]
    return rows


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_warc_pages_print_with_url_date_and_status(runner: CliRunner, tmp_path: Path) -> None:
    """Each HTML response of a .warc.gz is one record: WARC-Target-URI, WARC-Date, HTTP status."""
    exchanges = [
        Exchange("https://a.example/1", story(1), date="2026-11-23T22:19:00Z"),
        Exchange("https://a.example/img", b"GIF89a", content_type="image/gif"),
        Exchange("https://a.example/2", story(2), date="2026-11-24T01:02:03Z"),
    ]
    path = write(tmp_path / "c.warc.gz", warc_bytes(exchanges))
    result = runner.invoke(cli, ["clean", str(path), "--format", "jsonl", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["url"], r["fetched_at"], r["status"], r["title"]) for r in rows] == [
        ("https://a.example/1", "2026-11-23T22:19:00Z", 200, "Story 1"),
        ("https://a.example/2", "2026-11-24T01:02:03Z", 200, "Story 2"),
    ]


def test_output_folder_has_shards_manifest_markers_and_summary(runner: CliRunner, tmp_path: Path) -> None:
    """-o writes shard-size records per shard, one manifest line per shard, a marker per input."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(5):
        (pages / f"{n}.html").write_bytes(story(n))
    (pages / "empty.html").write_text("<html><body><nav>Home</nav></body></html>")
    warc = write(
        tmp_path / "c.warc.gz",
        warc_bytes([Exchange(f"https://a.example/{n}", story(n + 10)) for n in range(3)]),
    )
    out = tmp_path / "out"
    args = ["clean", str(pages), str(warc), "-o", str(out), "--shard-size", "3", "--jobs", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("part-*")) == [
        "part-00000.jsonl.gz",
        "part-00001.jsonl.gz",
        "part-00002.jsonl.gz",
    ]
    rows = _records(out)
    assert len(rows) == 8 and len({r["content_hash"] for r in rows}) == 8
    manifest = [json.loads(line) for line in (out / "_manifest.jsonl").read_text().splitlines()]
    assert sum(entry["records"] for entry in manifest) == 8
    markers = [json.loads(p.read_text()) for p in (out / "_done").iterdir()]
    assert sorted(m["input"] for m in markers) == sorted([*(str(p) for p in pages.iterdir()), str(warc)])
    assert result.stdout.splitlines()[0] == (
        "cleaned 7 inputs, 9 pages: written 8, skipped 1, dropped 0, failed 0; "
        "3 web archive records that are no page"
    )
    assert "  not a page 3: not a response record (request)" in result.stdout
    assert "  skipped 1: no main content" in result.stdout


def test_summary_counts_a_missing_path_as_a_failed_input_not_a_page(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A source that names nothing is a failed input, apart from the pages, and still exits 1."""
    page = write(tmp_path / "a.html", story(1))
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["clean", str(page), str(tmp_path / "gone.html"), "-o", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "cleaned 2 inputs, 1 page: written 1, skipped 0, dropped 0, failed 0; 1 input failed",
        "  failed 1 input: no such file or folder",
    ]


def test_parquet_shards_carry_the_record_schema(runner: CliRunner, tmp_path: Path) -> None:
    """--format parquet writes .parquet shards with the export's columns."""
    for n in range(3):
        (tmp_path / f"{n}.html").write_bytes(story(n))
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        [
            "clean",
            *(str(tmp_path / f"{n}.html") for n in range(3)),
            "-o",
            str(out),
            "--format",
            "parquet",
            "--shard-size",
            "2",
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    tables = [pq.read_table(p) for p in sorted(out.glob("part-*.parquet"))]
    assert [t.num_rows for t in tables] == [2, 1]
    assert tables[0].column("title").to_pylist() == ["Story 0", "Story 1"]


def test_an_existing_run_needs_resume_and_resume_skips_what_is_done(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A second run into the same folder is refused without --resume; with it, done inputs are skipped."""
    page = tmp_path / "a.html"
    page.write_bytes(story(1))
    out = tmp_path / "out"
    assert runner.invoke(cli, ["clean", str(page), "-o", str(out), "--jobs", "1"]).exit_code == 0
    again = runner.invoke(cli, ["clean", str(page), "-o", str(out), "--jobs", "1"])
    assert again.exit_code == 2 and "--resume" in again.stderr
    resumed = runner.invoke(cli, ["clean", str(page), "-o", str(out), "--resume", "--jobs", "1"])
    assert resumed.exit_code == 0
    assert len(_records(out)) == 1
    assert resumed.stdout.startswith("cleaned 1 input, 1 page: written 1")


def test_sigkill_then_resume_cleans_every_input_exactly_once(tmp_path: Path) -> None:
    """A run killed with SIGKILL mid-way, then resumed, leaves every page in the shards exactly once."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(10):
        (pages / f"{n:02d}.html").write_bytes(story(n))
    exchanges = [Exchange(f"https://a.example/{n}", story(100 + n)) for n in range(10)]
    warc = write(tmp_path / "c.warc.gz", warc_bytes(exchanges, requests=False))
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "scraper",
        "clean",
        str(warc),
        str(pages),
        "-o",
        str(out),
        "--shard-size",
        "2",
        "--jobs",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = out / "_manifest.jsonl"
    # a bound on a hung run, not a time limit: on a loaded machine the first two shards of the
    # killed run took more than a minute to land (its start imports everything, then a worker's)
    deadline = time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        if manifest.exists() and manifest.read_bytes().count(b"\n") >= 2:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = len(_records(out))
    assert 0 < partial < 20, "the kill should land mid-run"
    # the resume runs in this process: only the killed run needs a process of its own
    resumed = CliRunner().invoke(cli, [*command[3:], "--resume"])
    assert resumed.exit_code == 0, resumed.stderr
    rows = _records(out)
    assert sorted(str(r["url"] or r["source"]) for r in rows) == sorted(
        [*(e.url for e in exchanges), *(str(p) for p in pages.iterdir())]
    )
    assert len(rows) == 20
    assert resumed.stdout.startswith("cleaned 11 inputs, 20 pages: written 20")


def test_errors_naming_a_pipe_no_process_reads_is_one_line_not_a_wait(
    runner: CliRunner, tmp_path: Path
) -> None:
    """--errors naming a named pipe no process reads waited for a reader for ever, before any page
    was cleaned: it is refused in one line (exit 2). A pipe a process reads gets the lines."""
    page, fifo = tmp_path / "page.html", tmp_path / "errors.pipe"
    page.write_bytes(story(1))
    os.mkfifo(fifo)
    outcome: list[object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(runner.invoke(cli, ["clean", str(page), "--errors", str(fifo)])),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # release the open that waits, so the thread ends
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    assert outcome, "clean --errors PIPE waited for a reader"
    result = outcome[0]
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.stderr.strip() == f"scraper: {fifo}: a pipe no process reads: cannot write to it"  # type: ignore[attr-defined]
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        missing = tmp_path / "missing.html"
        read = runner.invoke(cli, ["clean", str(page), str(missing), "--errors", str(fifo), "--jobs", "1"])
        assert read.exit_code == 1
        line = json.loads(os.read(reader, 65536).decode())
        assert line["source"] == str(missing) and line["reason"] == "no such file or folder"
    finally:
        os.close(reader)


def test_input_file_and_url_map_give_sources_and_addresses(runner: CliRunner, tmp_path: Path) -> None:
    """-i lists the inputs; --url-map gives each saved file its own URL; failures go to --errors."""
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    first.write_bytes(story(1))
    second.write_bytes(story(2))
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# saved pages\n{first}\n\n{second}\n{tmp_path / 'missing.html'}\n")
    mapping = tmp_path / "urls.csv"
    mapping.write_text(f"path,url\n{first},https://a.example/first\n{second},https://a.example/second\n")
    errors = tmp_path / "errors.jsonl"
    args = [
        "clean",
        "-i",
        str(listing),
        "--url-map",
        str(mapping),
        "--format",
        "jsonl",
        "--errors",
        str(errors),
        "--jobs",
        "1",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [
        "https://a.example/first",
        "https://a.example/second",
    ]
    failures = [json.loads(line) for line in errors.read_text().splitlines()]
    assert failures == [
        {
            "source": str(tmp_path / "missing.html"),
            "input": str(tmp_path / "missing.html"),
            "reason": "no such file or folder",
        }
    ]


def test_exact_near_and_language_filters_are_counted(runner: CliRunner, tmp_path: Path) -> None:
    """Repeated text, near-duplicates at the threshold and other languages are dropped and counted."""
    files = {
        "a.html": story(1),
        "b-same.html": story(1),
        "c-near.html": story(1, extra="<p>One more line at the end.</p>"),
        "d-other.html": story(2),
        "e-german.html": GERMAN,
    }
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    out = tmp_path / "out"
    args = [
        "clean",
        *(str(tmp_path / n) for n in files),
        "-o",
        str(out),
        "--near-dup",
        "0.8",
        "--language",
        "en",
        "--jobs",
        "1",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert sorted(str(r["source"]) for r in _records(out)) == [
        str(tmp_path / "a.html"),
        str(tmp_path / "d-other.html"),
    ]
    for line in ("  dropped 1: duplicate", "  dropped 1: near-duplicate", "  dropped 1: language"):
        assert line in result.stdout
    loose = runner.invoke(
        cli, ["clean", *(str(tmp_path / n) for n in files), "--no-dedup", "--format", "jsonl", "--jobs", "1"]
    )
    assert len(loose.stdout.splitlines()) == 5


def test_db_drops_texts_the_store_already_holds(runner: CliRunner, tmp_path: Path) -> None:
    """With --db, a page whose text is stored under any URL is a duplicate."""
    page = tmp_path / "a.html"
    page.write_bytes(story(7))
    first = runner.invoke(cli, ["clean", str(page), "--format", "jsonl", "--jobs", "1"])
    text = json.loads(first.stdout)["text"]
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save(make_doc(url="https://elsewhere.example/x", text=text), html_hash="h")
    result = runner.invoke(
        cli, ["clean", str(page), "--db", str(db), "--dedup", "--format", "jsonl", "--jobs", "1"]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.strip() == f"scraper: {page}: dropped: duplicate"


def test_urls_stream_results_before_slow_ones_finish() -> None:
    """`clean URL...` yields the first page while a later URL is still being fetched."""
    release = threading.Event()

    def slow(_request: Request) -> Route:
        release.wait(10)
        return Route(body=story(2))

    with LocalServer({"/fast": Route(body=story(1)), "/slow": slow}) as server:
        settings = Settings(fetch=FetchSettings(per_host_delay=0))
        results = clean_sources([server.url("/fast"), server.url("/slow")], settings, jobs=1)
        first = next(results)
        assert first.document is not None and first.document.title == "Story 1"
        assert not release.is_set()
        release.set()
        second = next(results)
    assert second.document is not None and second.document.title == "Story 2"


def test_pages_without_main_content_are_outcomes_not_failures(runner: CliRunner, tmp_path: Path) -> None:
    """A folder of pages where one has no story exits 0 and prints that page as a skip."""
    (tmp_path / "a.html").write_bytes(story(1))
    (tmp_path / "b.html").write_text("<html><body><img src=x></body></html>")
    result = runner.invoke(cli, ["clean", str(tmp_path), "--format", "jsonl", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    skipped = json.loads(result.stdout.splitlines()[1])
    assert skipped["page_type"] == "empty" and skipped["skip_reason"].startswith("no main content: ")
    assert os.path.basename(skipped["source"]) == "b.html"


def test_a_resumed_run_still_drops_duplicates_of_what_it_kept_before(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Dedup state is rebuilt from the committed shards: a copy cleaned after --resume is dropped."""
    first, copy = tmp_path / "first.html", tmp_path / "copy.html"
    first.write_bytes(story(5))
    copy.write_bytes(story(5))
    out = tmp_path / "out"
    assert runner.invoke(cli, ["clean", str(first), "-o", str(out), "--jobs", "1"]).exit_code == 0
    resumed = runner.invoke(cli, ["clean", str(first), str(copy), "-o", str(out), "--resume", "--jobs", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert [r["source"] for r in _records(out)] == [str(first)]
    assert "  dropped 1: duplicate" in resumed.stdout


@pytest.mark.parametrize(
    ("read", "total", "shown"),
    [
        (300, 700, "300 of 700 bytes"),
        (1_500, 4_200, "1.5 of 4.2 KB"),
        (2_000_000_000, 3_500_000_000, "2.0 of 3.5 GB"),
    ],
)
def test_progress_reads_small_and_large_inputs_in_their_own_unit(read: int, total: int, shown: str) -> None:
    """The bytes read are shown in the unit of the total, so a small input does not read 0.0 of 0.0 MB."""
    stream, now = io.StringIO(), [0.0]
    with clean_progress(stream, 1, total_bytes=total, interval=10.0, clock=lambda: now[0]) as progress:
        progress(CleanProgress())
        now[0] = 10.0
        progress(CleanProgress(pages=1, inputs=0, read=read))
    assert f", {shown} read, " in stream.getvalue()


def test_progress_off_a_terminal_counts_one_page_and_one_input_in_the_singular() -> None:
    """A run of one input that has cleaned one page says so in words that read as counts: "cleaned
    1 page (...), 0 of 1 input", as the summary does, where it said "1 pages" and "of 1 inputs"."""
    stream, now = io.StringIO(), [0.0]
    with clean_progress(stream, 1, total_bytes=0, interval=10.0, clock=lambda: now[0]) as progress:
        progress(CleanProgress())
        now[0] = 10.0
        progress(CleanProgress(pages=1, inputs=0, read=0))
    (line,) = stream.getvalue().splitlines()
    assert line.split(" ", 1)[1] == "cleaned 1 page (0.1 pages/s), 0 of 1 input"


def test_progress_off_a_terminal_is_a_timestamped_line_every_interval() -> None:
    """Without a terminal, clean -o prints at most one line per interval: time, pages, pages/s,
    inputs, and with local input the bytes read and the time left at the rate read so far."""
    stream, now = io.StringIO(), [0.0]
    with clean_progress(stream, 5, total_bytes=50_000_000, interval=10.0, clock=lambda: now[0]) as progress:
        progress(CleanProgress())
        now[0] = 4.0
        progress(CleanProgress(pages=3, inputs=0, read=1_000_000))  # before the interval: nothing
        now[0] = 10.0
        progress(CleanProgress(pages=20, inputs=0, read=10_000_000))  # one archive, a fifth read
        progress(CleanProgress(pages=21, inputs=0, read=11_000_000))  # within the next interval: nothing
    (line,) = stream.getvalue().splitlines()
    stamp, rest = line.split(" ", 1)
    assert stamp.endswith("Z") and "T" in stamp
    assert rest == "cleaned 20 pages (2.0 pages/s), 0 of 5 inputs, 10.0 of 50.0 MB read, 0:00:40 left"
