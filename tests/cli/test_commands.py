"""The command line: every command, its output formats, its errors and exit codes."""

from __future__ import annotations

import ctypes
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import Settings
from scraper.corpus.batch import clean_sources
from scraper.errors import WriteError
from scraper.store import Store
from scraper.store.lock import crawl_lock
from tests.archives import Exchange, warc_bytes
from tests.factories import article, make_doc
from tests.httpserver import Handler, LocalServer, Request, Route, closed_port

SEED = Path(__file__).parents[1] / "fixtures" / "seed-article"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_clean_seed_page_as_json(runner: CliRunner) -> None:
    """`clean PAGE --format json` prints an array of one record with the exact text and the metadata."""
    result = runner.invoke(cli, ["clean", str(SEED / "page.html"), "--format", "json"])
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    expected = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
    assert _lines(record["text"]) == _lines((SEED / "expected.txt").read_text(encoding="utf-8"))
    assert record["title"] == expected["title"]
    assert record["authors"] == [expected["author"]]
    assert record["date"] == expected["date"]
    assert record["sitename"] == expected["sitename"]
    assert record["language"] == expected["language"]
    assert record["canonical_url"] == expected["url"]
    assert record["source"] == str(SEED / "page.html")
    assert record["status"] is None
    assert len(record["content_hash"]) == 64
    for banned in expected["must_not_contain"]:
        assert banned not in record["text"]


def test_clean_text_is_one_paragraph_per_line(runner: CliRunner) -> None:
    """The default text format prints exactly the clean body."""
    result = runner.invoke(cli, ["clean", str(SEED / "page.html")])
    assert result.exit_code == 0
    assert _lines(result.stdout) == _lines((SEED / "expected.txt").read_text(encoding="utf-8"))


def test_clean_markdown_has_front_matter(runner: CliRunner) -> None:
    """Markdown output is export's: front matter with the title, then the body with its headings."""
    result = runner.invoke(cli, ["clean", str(SEED / "page.html"), "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout.startswith('---\ntitle: "‘Targets culture’')
    assert "Report followed complaint" in result.stdout


def test_clean_folder_as_jsonl_in_parallel(runner: CliRunner, tmp_path: Path) -> None:
    """A folder gives one JSONL record per page, in path order, each naming its source, with --jobs 2."""
    news = Path(__file__).resolve().parents[2] / "demo" / "site" / "news"
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_bytes((SEED / "page.html").read_bytes())
    for page in sorted(news.glob("*.html"))[:3]:
        (tmp_path / "sub" / page.name).write_bytes(page.read_bytes())
    (tmp_path / "sub" / "z.html.gz").write_bytes(gzip.compress((SEED / "page.html").read_bytes()))
    (tmp_path / "notes.txt").write_text("not html")
    result = runner.invoke(cli, ["clean", str(tmp_path), "--format", "jsonl", "--jobs", "2"])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    expected = sorted(p for p in tmp_path.rglob("*") if p.name.endswith((".html", ".html.gz")))
    assert [r["source"] for r in records] == [str(p) for p in expected]
    assert records[0]["text"] == records[-1]["text"]


def test_clean_stdin_with_url(runner: CliRunner) -> None:
    """`-` reads HTML from stdin; --url sets the page address in the record."""
    html = (SEED / "page.html").read_bytes()
    result = runner.invoke(
        cli, ["clean", "-", "--format", "jsonl", "--url", "https://a.example/s"], input=html
    )
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["source"] == "-"
    assert record["url"] == "https://a.example/s"


def test_bad_sources_get_one_line_each_and_the_rest_goes_on(runner: CliRunner, tmp_path: Path) -> None:
    """A missing file and a bad scheme fail, an empty page is a skip; the good page still prints; exit 1."""
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    missing = tmp_path / "missing.html"
    result = runner.invoke(
        cli,
        ["clean", str(missing), str(empty), "ftp://x.example/", str(SEED / "page.html")],
    )
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3
    assert errors[0] == f"scraper: {missing}: no such file or folder"
    assert errors[1].startswith(f"scraper: {empty}: skipped: no main content: ")
    assert "ftp://x.example/" in errors[2]
    assert result.stdout.startswith("Senior police officers failed")


def test_clean_fetches_urls_and_reports_http_errors(runner: CliRunner) -> None:
    """A URL is fetched from a real local server; a 404 is one line on stderr and exit 1."""
    with LocalServer({"/story": Route(body=(SEED / "page.html").read_bytes())}) as server:
        result = runner.invoke(cli, ["clean", server.url("/story"), server.url("/gone"), "--format", "jsonl"])
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert record["status"] == 200
    assert record["final_url"] == server.url("/story")
    assert result.stderr.strip() == f"scraper: {server.url('/gone')}: HTTP 404"


def test_clean_urls_stream_a_page_out_before_the_next_is_fetched() -> None:
    """`clean URL...` hands each page on as soon as it is in: the first page's document comes
    while the second is still being served (all bodies were fetched before any was extracted,
    holding every one in memory: 100 pages of 9.5 MB took 1.1 GB)."""
    first_taken = threading.Event()
    waited_for: list[bool] = []

    def held(_: Request) -> Route:
        waited_for.append(first_taken.wait(timeout=20))  # released once the first result is out
        return Route(body=(SEED / "page.html").read_bytes())

    story = Route(body=(SEED / "page.html").read_bytes())
    with LocalServer({"/first": story, "/held": held}) as server:
        urls = [server.url("/first"), server.url("/held")]
        results = clean_sources(urls, Settings(), jobs=1)
        first = next(results)
        first_taken.set()
        rest = list(results)
    assert waited_for == [True]
    assert [r.source for r in (first, *rest)] == urls
    assert all(r.document is not None and r.error is None for r in (first, *rest))


def test_clean_urls_that_are_not_read_to_the_end_stop_fetching() -> None:
    """A consumer that stops early (a closed stdout) leaves no fetch thread behind."""
    with LocalServer({f"/{i}": Route(body=(SEED / "page.html").read_bytes()) for i in range(3)}) as server:
        results = clean_sources([server.url(f"/{i}") for i in range(3)], Settings(), jobs=1)
        assert next(results).document is not None
        assert isinstance(results, Generator)
        results.close()
    assert not [t for t in threading.enumerate() if t.name == "clean-fetch"]


def test_crawl_stores_and_reports_then_rerun_is_unchanged(
    runner: CliRunner, demo_site: str, fast_config: Path, tmp_path: Path
) -> None:
    """A crawl of the demo site stores every page once; a second run stores nothing new."""
    report = tmp_path / "report.json"
    first = runner.invoke(cli, ["crawl", demo_site, "--config", str(fast_config), "--report", str(report)])
    assert first.exit_code == 0, first.output
    assert "failed 0" in first.stdout
    data = json.loads(report.read_text())
    assert data["new"] == data["stored"] >= 7
    second = runner.invoke(cli, ["crawl", demo_site, "--config", str(fast_config)])
    assert second.exit_code == 0
    assert "stored 0 (new 0, changed 0), unchanged" in second.stdout
    exported = runner.invoke(cli, ["export", "--config", str(fast_config)])
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == data["new"]
    assert len({r["url"] for r in records}) == len(records)


def test_crawl_never_stores_junk_and_filters_on_quality(
    runner: CliRunner, demo_site: str, fast_config: Path, tmp_path: Path
) -> None:
    """The listing home page is not stored (store_page_types), its links crawled; --min-quality skips more."""
    report = tmp_path / "report.json"
    result = runner.invoke(cli, ["crawl", demo_site, "--config", str(fast_config), "--report", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    assert data["skipped"] == {"page type listing not in store_page_types": 1}
    exported = runner.invoke(cli, ["export", "--config", str(fast_config)])
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert demo_site not in {r["url"] for r in records}
    assert all(r["skip_reason"] is None and r["text"] for r in records)
    strict = tmp_path / "strict.db"
    result = runner.invoke(
        cli, ["crawl", demo_site, "--config", str(fast_config), "--db", str(strict), "--min-quality", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "stored 0 " in result.stdout
    assert "below min_quality 1.00" in result.stdout


def test_crawl_with_max_failure_ratio_0_fails_on_any_failure(runner: CliRunner, fast_config: Path) -> None:
    """With [crawl] max_failure_ratio = 0 one failed page fails the run (exit 1), saying why."""
    strict = fast_config.with_name("strict.toml")
    strict.write_text(fast_config.read_text().replace("[crawl]\n", "[crawl]\nmax_failure_ratio = 0\n"))
    routes: dict[str, Handler] = {
        "/": Route(body="<html><body><a href='/refused'>x</a></body></html>"),
        "/refused": Route(403, b"no"),
    }
    with LocalServer(routes) as server:
        result = runner.invoke(cli, ["crawl", server.url("/"), "--config", str(strict), "--max-pages", "5"])
    assert result.exit_code == 1
    assert f"failed  {server.url('/refused')}: HTTP 403" in result.stdout
    assert "failed: 1 of 2 requested pages failed, more than max_failure_ratio 0" in result.stderr


def test_crawl_unreachable_host_is_a_failure_not_a_crash(runner: CliRunner, fast_config: Path) -> None:
    """A refused connection fails the host's robots.txt, which sets the host aside, with the reason."""
    result = runner.invoke(cli, ["crawl", "http://127.0.0.1:9/", "--config", str(fast_config)])
    assert result.exit_code == 1
    assert "failed  http://127.0.0.1:9/robots.txt: cannot connect" in result.stdout
    assert "set aside 127.0.0.1:9: robots.txt unreachable: cannot connect" in result.stdout


def test_crawl_usage_and_config_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """No start URL, or a config with a bad key, is a usage error naming the problem."""
    nothing = runner.invoke(cli, ["crawl"])
    assert nothing.exit_code == 2
    assert "nothing to crawl" in nothing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[fetch]\nmax_byts = 3\n")
    result = runner.invoke(cli, ["crawl", "http://127.0.0.1:9/", "--config", str(bad)])
    assert result.exit_code == 2
    assert "fetch.max_byts: unknown key" in result.stderr


def test_export_formats(runner: CliRunner, demo_site: str, fast_config: Path, tmp_path: Path) -> None:
    """export writes JSONL to stdout, Parquet and Markdown to --output."""
    assert runner.invoke(cli, ["crawl", demo_site, "--config", str(fast_config)]).exit_code == 0
    jsonl = runner.invoke(cli, ["export", "--config", str(fast_config), "--format", "jsonl"])
    count = len(jsonl.stdout.splitlines())
    parquet = tmp_path / "docs.parquet"
    result = runner.invoke(
        cli, ["export", "--config", str(fast_config), "--format", "parquet", "--output", str(parquet)]
    )
    assert result.exit_code == 0, result.output
    assert pq.read_table(parquet).num_rows == count
    folder = tmp_path / "md"
    result = runner.invoke(
        cli, ["export", "--config", str(fast_config), "--format", "markdown", "--output", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(folder.glob("*.md"))) == count


def test_export_without_a_store_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """Exporting from a store that does not exist says so and exits 2."""
    result = runner.invoke(cli, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no store at" in result.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["export", "-o", "{db}"], "-o"),
        (["export", "-o", "{link}"], "-o"),
        (["export", "--format", "json", "-o", "{db}-wal"], "-o"),
        (["crawl", "https://a.example/", "--report", "{db}"], "--report"),
        (["clean", "-", "--errors", "{db}"], "--errors"),
    ],
)
def test_an_output_that_is_the_store_is_refused(
    runner: CliRunner, tmp_path: Path, args: list[str], option: str
) -> None:
    """A file to write that is the store, or SQLite's file beside it, or a link to it, is a usage
    error before anything runs: export -o and crawl --report replaced the store with their output."""
    db = tmp_path / "store.db"
    with Store(db) as store:
        store.save(make_doc(url="https://example.com/1"), html_hash="h")
    (tmp_path / "link.db").symlink_to(db)
    before = db.read_bytes()
    given = [arg.format(db=db, link=tmp_path / "link.db") for arg in args]
    result = runner.invoke(cli, [*given, "--db", str(db)], input="<p>a page</p>")
    assert result.exit_code == 2, result.output
    assert f"{option} " in result.stderr and "is the store's own file" in result.stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", ["clean", "crawl", "export"])
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    """Each command documents itself, with at least one example."""
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"scraper {command}" in result.stdout


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m scraper` is the same program as the console script."""
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "clean" in result.stdout and "crawl" in result.stdout and "export" in result.stdout


def test_crawl_refuses_to_overlap_a_running_crawl(runner: CliRunner, tmp_path: Path) -> None:
    """While another process holds the store's crawl lock, crawl says so and exits 3 without crawling."""
    db = tmp_path / "store.db"
    with crawl_lock(db), LocalServer({"/": Route(body=article("Home"))}) as server:
        result = runner.invoke(cli, ["crawl", server.url("/"), "--db", str(db)])
        assert server.requests == []
    assert result.exit_code == 3
    assert result.stderr.strip() == f"scraper: another crawl holds the lock on {db} (pid {os.getpid()})"
    assert "3    another crawl holds the lock" in runner.invoke(cli, ["crawl", "--help"]).stdout


def test_export_run_and_since_give_what_a_run_changed(
    runner: CliRunner, fast_config: Path, tmp_path: Path
) -> None:
    """export --run ID (or latest, latest~1) and --since TIME give only the documents that run or
    period added or changed; `runs` lists both runs, newest first, with their counts."""
    with LocalServer() as server:
        server.routes.update(
            {
                "/": Route(body=article("Home", links=("/a", "/b"))),
                "/a": Route(body=article("Story A")),
                "/b": Route(body=article("Story B")),
            }
        )
        first_report, second_report = tmp_path / "first.json", tmp_path / "second.json"
        args = ["crawl", server.url("/"), "--config", str(fast_config)]
        assert runner.invoke(cli, [*args, "--report", str(first_report)]).exit_code == 0
        between = datetime.now(UTC).isoformat()
        server.routes["/b"] = Route(body=article("Story B", extra="Corrected."))
        assert runner.invoke(cli, [*args, "--report", str(second_report)]).exit_code == 0
    first, second = (json.loads(p.read_text())["run_id"] for p in (first_report, second_report))

    def exported(*options: str) -> list[str]:
        result = runner.invoke(cli, ["export", "--config", str(fast_config), *options])
        assert result.exit_code == 0, result.output
        return [json.loads(line)["url"] for line in result.stdout.splitlines()]

    assert exported("--run", second) == [server.url("/b")]
    assert exported("--since", between) == [server.url("/b")]
    assert exported("--run", first) == [server.url("/"), server.url("/a")]  # b's latest is the second run's
    assert len(exported()) == 3
    assert exported("--run", "latest") == [server.url("/b")]  # the second run, by its place
    assert exported("--run", "latest~1") == [server.url("/"), server.url("/a")]
    listed = runner.invoke(cli, ["runs", "--config", str(fast_config), "--json"])
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["run_id"] for r in rows] == [second, first]
    assert [(r["status"], r["new"], r["changed"]) for r in rows] == [("finished", 0, 1), ("finished", 3, 0)]
    table = runner.invoke(cli, ["runs", "--config", str(fast_config)]).stdout.splitlines()
    assert table[0].split() == [
        "RUN",
        "STARTED",
        "FINISHED",
        "STATUS",
        "NEW",
        "CHANGED",
        "GONE",
        "DEAD",
        "FAILED",
    ]
    assert table[1].split()[0] == second and table[1].split()[3:6] == ["finished", "0", "1"]
    too_far = runner.invoke(cli, ["export", "--config", str(fast_config), "--run", "latest~2"])
    assert too_far.exit_code == 2 and "no run latest~2" in too_far.stderr
    # past SQLite's integers; a digit to str.isdigit that int() refuses
    for far in ("latest~99999999999999999999", "latest~\N{SUPERSCRIPT TWO}"):
        beyond = runner.invoke(cli, ["export", "--config", str(fast_config), "--run", far])
        assert beyond.exit_code == 2 and f"no run {far}" in beyond.stderr
    unknown = runner.invoke(cli, ["export", "--config", str(fast_config), "--run", "nope"])
    assert unknown.exit_code == 2 and "no run nope" in unknown.stderr
    bad = runner.invoke(cli, ["export", "--config", str(fast_config), "--since", "last tuesday"])
    assert bad.exit_code == 2 and "not an ISO 8601 time" in bad.stderr


def test_crawl_max_duration_ends_cleanly_and_says_so(
    runner: CliRunner, fast_config: Path, tmp_path: Path
) -> None:
    """--max-duration ends the run with exit 0, a `stopped` report and the promise of a resume."""
    pages = [f"/p{i}" for i in range(20)]
    home = article("Home", links=tuple(pages))
    report = tmp_path / "report.json"
    with LocalServer({"/": Route(body=home)}) as server:
        server.routes.update({p: Route(body=article(f"Story {p}"), delay=0.2) for p in pages})
        result = runner.invoke(
            cli,
            [
                "crawl",
                server.url("/"),
                "--config",
                str(fast_config),
                "--max-duration",
                "0.5",
                "--report",
                str(report),
            ],
        )
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    assert (data["status"], data["stopped_early"]) == ("stopped", True)
    assert f"the next run of the same command resumes {data['run_id']}" in result.stdout
    assert list(tmp_path.glob(".report.json*")) == []  # written atomically: no temp file left


def _without_root_file_powers() -> None:
    """In the child, before exec: drop root's right to ignore file permissions (Linux
    capabilities DAC_OVERRIDE and DAC_READ_SEARCH), so 0444 / 0555 hold for it as for anyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for cap in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_export_reads_a_store_it_cannot_write() -> None:
    """export works on a store whose file and folder this user cannot write (another user's, a
    read-only mount or backup), and leaves nothing behind there (no -wal, no -shm)."""
    base = Path(tempfile.mkdtemp())  # traversable by others, unlike pytest's tmp_path under root
    folder = base / "store"
    folder.mkdir()
    db = folder / "store.db"
    try:
        with Store(db) as store:
            for i in range(2):
                store.save(make_doc(url=f"https://example.com/{i}"), html_hash="h")
        before = sorted(p.name for p in folder.iterdir())
        db.chmod(0o444)
        folder.chmod(0o555)
        base.chmod(0o755)
        result = subprocess.run(
            [sys.executable, "-m", "scraper", "export", "--db", str(db)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            preexec_fn=_without_root_file_powers if os.geteuid() == 0 else None,
        )
        assert result.returncode == 0, result.stderr
        assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [
            "https://example.com/0",
            "https://example.com/1",
        ]
        assert sorted(p.name for p in folder.iterdir()) == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)


def test_a_read_only_store_refuses_writes_and_reads_older_schemas(tmp_path: Path) -> None:
    """Store(read_only=True) never writes; it reads a store of an older schema version as it is
    (migrations only add), and refuses a newer one or a file that is not a store."""
    db = tmp_path / "store.db"
    with Store(db) as store:
        store.save(make_doc(), html_hash="h")
    with Store(db, read_only=True) as store, pytest.raises(WriteError, match="readonly"):
        store.save(make_doc(text="Changed."), html_hash="h")
    for version, outcome in ((2, None), (99, "schema version 99, newer"), (0, "not a scraper store")):
        conn = sqlite3.connect(db)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.close()
        if outcome is None:
            with Store(db, read_only=True) as store:
                assert [doc.url for doc in store.latest()] == [make_doc().url]
        else:
            with pytest.raises(WriteError, match=outcome):
                Store(db, read_only=True)


def test_export_parquet_without_the_extra_exits_2(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parquet export without pyarrow is one line naming the extra to install, and exit code 2."""
    db = tmp_path / "scraper.db"
    with Store(db):
        pass
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed: importing it fails
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    output = tmp_path / "docs.parquet"
    result = runner.invoke(cli, ["export", "--db", str(db), "--format", "parquet", "--output", str(output)])
    assert result.exit_code == 2
    assert result.stderr == (
        "scraper: Parquet export needs the parquet extra: pip install 'storyscraper[parquet]'\n"
    )
    assert not output.exists()


def test_a_crawl_log_says_when_each_line_was_written(fast_config: Path) -> None:
    """With stderr not a terminal (cron), the first line names the run that started, and every
    line begins with its UTC time."""
    with LocalServer({"/": Route(body=article("Home")), "/robots.txt": Route(404)}) as server:
        done = subprocess.run(
            [sys.executable, "-m", "scraper", "crawl", server.url("/"), "--config", str(fast_config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO scraper.progress: run \S+ started", lines[0])
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line) for line in lines), lines


def test_library_log_lines_stay_off_stderr_when_extraction_is_imported_after_the_cli(tmp_path: Path) -> None:
    """trafilatura sets htmldate's log level on import, after the CLI had quieted it: a page htmldate
    cannot parse (5,000 nested elements) printed 'ERROR htmldate.utils: parsed tree length: 1'
    under its clean text. Library lines show only at -vv."""
    page = tmp_path / "deep.html"
    page.write_text("<div>" * 5000 + "A deep story, told in one sentence." + "</div>" * 5000)
    _library_lines_only_at_vv(page, "A deep story", "htmldate")


def test_warcios_log_lines_stay_off_stderr_too(tmp_path: Path) -> None:
    """warcio logs a warning for a WARC-Target-URI holding a space ("Replacing spaces in invalid
    WARC-Target-URI: ...", quoting the archive's bytes, twice a record): it was printed under the
    clean text, though library lines show only at -vv."""
    archive = tmp_path / "spaces.warc.gz"
    archive.write_bytes(warc_bytes([Exchange("http://example.com/a story", article("Spaces").encode())]))
    _library_lines_only_at_vv(archive, "Spaces", "warcio")


def _library_lines_only_at_vv(source: Path, text: str, library: str) -> None:
    """`scraper clean SOURCE` prints `text` and nothing on stderr; with -vv, `library`'s lines show."""
    done = subprocess.run(
        [sys.executable, "-m", "scraper", "clean", str(source)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert text in done.stdout
    assert done.stderr == ""
    command = [sys.executable, "-m", "scraper", "-vv", "clean", str(source)]
    assert library in subprocess.run(command, capture_output=True, text=True, check=False).stderr


def test_a_url_password_is_never_shown_nor_written(runner: CliRunner, tmp_path: Path) -> None:
    """`clean` and `crawl` of URLs with a password (sent as Basic auth) show and write it as
    `***`: the error line, the records (url, final_url, canonical_url, source, Markdown's front
    matter), the printed report and the JSON report."""
    port = closed_port()
    config = tmp_path / "fast.toml"
    config.write_text("[fetch]\nmax_attempts = 1\nper_host_delay = 0\n", encoding="utf-8")
    dead = f"http://reader:hunter22@127.0.0.1:{port}/story"
    with LocalServer({"/story": Route(body=(SEED / "page.html").read_bytes())}) as server:
        story = server.url("/story").replace("http://", "http://reader:hunter22@")
        cleaned = runner.invoke(cli, ["clean", story, dead, "--format", "jsonl", "--config", str(config)])
        markdown = runner.invoke(cli, ["clean", story, "--format", "markdown", "--config", str(config)])
    report = tmp_path / "report.json"
    crawled = runner.invoke(
        cli, ["crawl", dead, "--db", str(tmp_path / "db"), "--report", str(report), "--config", str(config)]
    )
    assert (cleaned.exit_code, markdown.exit_code, crawled.exit_code) == (1, 0, 1)
    record = json.loads(cleaned.stdout)
    assert record["url"] == record["final_url"] == record["source"] == story.replace("hunter22", "***")
    assert cleaned.stderr.startswith(f"scraper: {dead.replace('hunter22', '***')}: ")
    shown = [cleaned.stdout, cleaned.stderr, markdown.stdout, crawled.stdout, crawled.stderr]
    shown.append(report.read_text())
    assert "reader:***@" in crawled.stdout and "reader:***@" in report.read_text()
    assert not [text for text in shown if "hunter22" in text]
