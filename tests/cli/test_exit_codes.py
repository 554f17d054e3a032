"""The exit-code table (docs/reference/exit-codes.md, scraper/cli/__init__.py's docstring): one test per
row, each running the real command line, in-process with click's CliRunner or as a subprocess where a
signal or a closed pipe is the trigger."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import scraper.cli
from scraper.cli import cli
from scraper.store.documents import Store
from scraper.store.lock import crawl_lock
from tests.factories import article, make_doc
from tests.httpserver import Handler, LocalServer, Request, Route

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ran:
    code: int
    out: str  # stdout and stderr


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        "[fetch]\nper_host_delay = 0.0\nper_host_concurrency = 2\nmax_attempts = 1\n"
        f'{extra}\n[store]\npath = "{tmp_path / "store.db"}"\n',
        encoding="utf-8",
    )
    return path


def _invoke(*args: str) -> Ran:
    result = CliRunner().invoke(cli, list(args))
    return Ran(result.exit_code, result.stdout + result.stderr)


def _crawl_site(tmp_path: Path, routes: dict[str, Handler], *options: str) -> Ran:
    with LocalServer(routes) as server:
        return _invoke("crawl", server.url("/"), "--config", str(_config(tmp_path)), *options)


def dead_link(tmp_path: Path) -> Ran:
    links = ("/a", "/b", "/missing")
    return _crawl_site(tmp_path, {"/": Route(body=article("Home", links=links)), **_pages("/a", "/b")})


def _pages(*paths: str) -> dict[str, Handler]:
    return {path: Route(body=article(f"Story {path}")) for path in paths}


def clean_missing_source(tmp_path: Path) -> Ran:
    return _invoke("clean", str(tmp_path / "missing.html"))


def clean_empty_file(tmp_path: Path) -> Ran:
    (tmp_path / "empty.html").write_bytes(b" \n")
    return _invoke("clean", str(tmp_path / "empty.html"))


def clean_empty_response(tmp_path: Path) -> Ran:
    """A URL answering 200 with no body fails as an empty file does (it used to exit 0, "skipped")."""
    with LocalServer({"/empty": Route(body=b" \n"), **_pages("/a")}) as server:
        return _invoke("clean", server.url("/a"), server.url("/empty"))


def most_pages_fail(tmp_path: Path) -> Ran:
    # refused, not missing: a link answering 404 is a dead link, which fails nothing
    links = ("/a", "/no1", "/no2", "/no3")
    refused = {path: Route(403, b"forbidden") for path in links[1:]}
    return _crawl_site(tmp_path, {"/": Route(body=article("Home", links=links)), **_pages("/a"), **refused})


def every_host_set_aside(tmp_path: Path) -> Ran:
    return _invoke("crawl", "http://127.0.0.1:9/", "--config", str(_config(tmp_path)))


def bad_selector(tmp_path: Path) -> Ran:
    config = _config(tmp_path, '[extract]\nremove = ["div["]')
    return _invoke("crawl", "http://127.0.0.1:9/", "--config", str(config))


def bad_user_agent(tmp_path: Path) -> Ran:
    return _invoke(
        "crawl", "http://127.0.0.1:9/", "--config", str(_config(tmp_path, 'user_agent = "a\\r\\nb"'))
    )


def bad_start_url(tmp_path: Path) -> Ran:
    return _invoke("crawl", "http://[::1/", "--db", str(tmp_path / "s.db"))


def start_url_with_a_space_in_its_host(tmp_path: Path) -> Ran:
    return _invoke("crawl", "http://exa mple.com/", "--db", str(tmp_path / "s.db"))


def bad_start_url_in_input_file(tmp_path: Path) -> Ran:
    urls = tmp_path / "urls.txt"
    urls.write_text("# start pages\nhttp://127.0.0.1:9/\n\nhttp://127.0.0.1:99999/\n")
    return _invoke("crawl", "-i", str(urls), "--db", str(tmp_path / "s.db"))


def max_duration_beyond_its_bound(tmp_path: Path) -> Ran:
    return _invoke("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "s.db"), "--max-duration", "inf")


def max_duration_nan(tmp_path: Path) -> Ran:
    return _invoke("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "s.db"), "--max-duration", "nan")


def max_pages_beyond_its_bound(tmp_path: Path) -> Ran:
    return _invoke("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "s.db"), "--max-pages", "10" * 6)


def _not_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database, " * 512)
    return path


def export_store_error(tmp_path: Path) -> Ran:
    return _invoke("export", "--db", str(_not_sqlite(tmp_path)))


def crawl_store_error(tmp_path: Path) -> Ran:
    return _invoke("crawl", "http://127.0.0.1:9/", "--db", str(_not_sqlite(tmp_path)))


_TOO_LONG = "n" * 5000  # longer than a file name may be: the system refuses to look it up (ENAMETOOLONG)


def export_to_a_file_the_system_refuses(tmp_path: Path) -> Ran:
    """`export -o NAME` with a name the system refuses was an internal error, exit 1: an output
    file that cannot be written is exit 2 (AtomicFile looked for a link outside its error map)."""
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save(make_doc(url="https://example.com/a", text="Story a. " * 50), html_hash="h")
    return _invoke("export", "--db", str(db), "-o", str(tmp_path / _TOO_LONG))


def export_from_a_store_path_the_system_refuses(tmp_path: Path) -> Ran:
    """`export --db NAME` with a name the system refuses was an internal error, exit 1."""
    return _invoke("export", "--db", str(tmp_path / _TOO_LONG))


def crawl_report_to_a_file_the_system_refuses(tmp_path: Path) -> Ran:
    """`crawl --report NAME` with a name the system refuses was an internal error, exit 1."""
    return _invoke(
        "crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "s.db"), "--report", str(tmp_path / _TOO_LONG)
    )


def locked(tmp_path: Path) -> Ran:
    with crawl_lock(tmp_path / "s.db"):
        return _invoke("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "s.db"))


def _scraper(*args: str) -> list[str]:
    return [sys.executable, "-m", "scraper", *args]


def _signalled(tmp_path: Path, sig: signal.Signals, *, group: bool, resume: bool) -> Ran:
    """A crawl of slow pages gets `sig` once it is busy; then (`resume`) the same command runs again."""
    pace = {"delay": 0.5}

    def page(request: Request) -> Route:
        return Route(body=article(f"Story {request.path}"), delay=pace["delay"])

    pages = tuple(f"/p{i}" for i in range(12))
    report = tmp_path / "report.json"
    with LocalServer({"/": Route(body=article("Home", links=pages)), **dict.fromkeys(pages, page)}) as server:
        command = _scraper(
            "crawl", server.url("/"), "--config", str(_config(tmp_path)), "--report", str(report)
        )
        with (tmp_path / "crawl.log").open("w+") as log:
            crawl = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                deadline = time.monotonic() + 60
                while len(server.hits("/p0") + server.hits("/p1") + server.hits("/p2")) < 3:
                    assert time.monotonic() < deadline and crawl.poll() is None, "the crawl did not get going"
                    time.sleep(0.05)
                if group:  # a terminal's Ctrl-C reaches the whole process group, workers included
                    os.killpg(crawl.pid, sig)
                else:
                    crawl.send_signal(sig)
                code = crawl.wait(timeout=30)
            finally:
                if crawl.poll() is None:
                    os.killpg(crawl.pid, signal.SIGKILL)
                    crawl.wait()
            log.seek(0)
            out = log.read()
        assert report.exists(), out
        first = json.loads(report.read_text())
        assert (first["status"], first["stopped_early"]) == ("interrupted", True), out
        if not resume:
            return Ran(code, out)
        pace["delay"] = 0.0
        again = _invoke(*command[3:])
    second = json.loads(report.read_text())
    assert again.code == 0, again.out
    assert (second["run_id"], second["resumed"], second["status"]) == (first["run_id"], True, "finished")
    assert second["new"] == 13
    return Ran(code, out)


def sigint(tmp_path: Path) -> Ran:
    return _signalled(tmp_path, signal.SIGINT, group=True, resume=True)


def sigterm(tmp_path: Path) -> Ran:
    return _signalled(tmp_path, signal.SIGTERM, group=False, resume=False)


def closed_stdout(tmp_path: Path) -> Ran:
    db = tmp_path / "s.db"
    with Store(db) as store:
        for i in range(200):
            store.save(make_doc(url=f"https://example.com/{i}", text=f"Story {i}. " * 200), html_hash="h")
    with subprocess.Popen(
        _scraper("export", "--db", str(db)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as export:
        assert export.stdout is not None and export.stderr is not None
        export.stdout.read(100)  # `| head -c 100`
        export.stdout.close()
        errors = export.stderr.read()
        code = export.wait(timeout=60)
    return Ran(code, errors.decode())


def clean_closed_stdout(tmp_path: Path) -> Ran:
    """`scraper clean URL... | head`: the fetches still waiting for their turn are dropped quietly
    (they were left pending on a closed event loop: "Task was destroyed but it is pending!")."""
    pages: dict[str, Handler] = {f"/{i}": Route(body=article(f"Story {i}")) for i in range(6)}
    with LocalServer(pages) as server:
        urls = [server.url(path) for path in pages]
        with subprocess.Popen(
            _scraper("clean", *urls), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as clean:
            assert clean.stdout is not None and clean.stderr is not None
            clean.stdout.read(100)  # `| head -c 100`
            clean.stdout.close()
            errors = clean.stderr.read()
            code = clean.wait(timeout=60)
    return Ran(code, errors.decode())


@dataclass(frozen=True)
class Row:
    code: int
    trigger: Callable[[Path], Ran]
    says: str  # on stdout or stderr
    slow: bool = False


ROWS = [
    Row(0, dead_link, "dead link http://127.0.0.1"),
    Row(1, clean_missing_source, "missing.html: no such file"),
    Row(1, clean_empty_file, "empty.html: empty input"),
    Row(1, clean_empty_response, "/empty: empty response"),
    Row(1, most_pages_fail, "failed: 3 of 5 requested pages failed, more than max_failure_ratio 0.5"),
    Row(1, every_host_set_aside, "failed: every host was set aside"),
    Row(2, bad_selector, "c.toml: extract.remove: invalid CSS selector 'div['"),
    Row(2, bad_user_agent, "c.toml: fetch.user_agent: must be printable ASCII"),
    Row(2, bad_start_url, "START_URL not a valid URL: 'http://[::1/' (Invalid IPv6 URL)"),
    Row(2, start_url_with_a_space_in_its_host, "START_URL not a valid URL: 'http://exa mple.com/'"),
    Row(2, bad_start_url_in_input_file, "START_URL not a valid URL: 'http://127.0.0.1:99999/'"),
    Row(2, max_duration_beyond_its_bound, "--max-duration: must be > 0 and <= 2592000, got inf"),
    Row(2, max_duration_nan, "--max-duration: must be > 0 and <= 2592000, got nan"),
    Row(2, max_pages_beyond_its_bound, "--max-pages: must be >= 1 and <= 100000000, got 101010101010"),
    Row(2, export_store_error, "junk.db: cannot open: file is not a database"),
    Row(2, crawl_store_error, "junk.db: cannot open: file is not a database"),
    Row(2, export_to_a_file_the_system_refuses, f"{_TOO_LONG}: cannot write: File name too long"),
    Row(2, crawl_report_to_a_file_the_system_refuses, f"{_TOO_LONG}: cannot write: File name too long"),
    Row(2, export_from_a_store_path_the_system_refuses, f"{_TOO_LONG} (File name too long)"),
    Row(3, locked, "another crawl holds the lock"),
    Row(130, sigint, "interrupted by SIGINT: the next run of the same command resumes", slow=True),
    Row(141, closed_stdout, ""),
    Row(141, clean_closed_stdout, ""),
    Row(143, sigterm, "interrupted by SIGTERM: the next run of the same command resumes", slow=True),
]


@pytest.mark.parametrize("row", ROWS, ids=[f"{row.code}-{row.trigger.__name__}" for row in ROWS])
def test_exit_code_table(row: Row, tmp_path: Path) -> None:
    """Each trigger gives its exit code and a clear message, never a traceback."""
    ran = row.trigger(tmp_path)
    assert ran.code == row.code, ran.out
    assert row.says in ran.out
    assert "Traceback" not in ran.out
    if row.code == 141:
        assert ran.out == ""  # quiet: no "Broken pipe", no "Exception ignored"


def _documented_codes(text: str) -> set[int]:
    return {int(line.split("|")[1].strip(" `")) for line in text.splitlines() if line.startswith("| `")}


def test_the_table_is_the_same_in_the_docs_and_the_cli() -> None:
    """The docs' exit-code table and the cli package's docstring list exactly the codes tested here."""
    table = (ROOT / "docs" / "reference" / "exit-codes.md").read_text(encoding="utf-8")
    tested = {row.code for row in ROWS}
    assert _documented_codes(table) == tested
    doc = scraper.cli.__doc__ or ""
    assert {int(line.split()[0]) for line in doc.splitlines() if line[:8].strip().isdigit()} == tested


def test_sigterm_during_an_export_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM unwinds like Ctrl-C: an export it interrupts removes its temp file and exits 143
    (the signal's default action killed the process and left `.docs.parquet.*.tmp` behind)."""
    db, out = tmp_path / "s.db", tmp_path / "out" / "docs.parquet"
    with Store(db) as store:
        for i in range(3):
            store.save(make_doc(url=f"https://example.com/{i}"), html_hash="h")
    real_latest = Store.latest

    def terminated_midway(self: Store, **kwargs: object) -> Iterator[object]:
        for i, doc in enumerate(real_latest(self, **kwargs)):  # type: ignore[arg-type]
            if i == 1:
                scraper.cli.signals.on_sigterm(signal.SIGTERM, None)
            yield doc

    monkeypatch.setattr(Store, "latest", terminated_midway)
    ran = _invoke("export", "--db", str(db), "--format", "parquet", "-o", str(out))
    assert (ran.code, ran.out) == (143, "scraper: terminated\n")
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["clean", "--foo", "x"], "No such option '--foo'"),
        (["clean"], "nothing to clean"),
        (["clean", "x.html", "--format", "nope"], "Invalid value for '--format'"),
        (["crawl", "--config", "/nonexistent/s.toml"], "config /nonexistent/s.toml: no such file"),
        (["nocommand"], "No such command 'nocommand'"),
        (["--bogus", "clean"], "No such option '--bogus'"),
    ],
)
def test_a_usage_or_configuration_error_is_one_line_and_exit_2(args: list[str], reason: str) -> None:
    """Not click's four-line Usage / Try / Error block: one `scraper:` line naming the problem, exit 2."""
    done = subprocess.run(
        [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("scraper: ") and reason in line


def _run_with_closed(
    fd: int, *args: str, stdout: int | None = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """`scraper ARGS` started with file descriptor `fd` closed (`<&-`, `>&-`, `2>&-`)."""
    return subprocess.run(
        _scraper(*args),
        preexec_fn=lambda: os.close(fd),
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )


def test_a_closed_stdin_is_the_stdin_source_failure_and_the_rest_are_cleaned(tmp_path: Path) -> None:
    """`clean - PAGE <&-` was an internal error (Python sets sys.stdin to None), exit 1 before any
    page: a closed stdin reads as nothing, so `-` is that source's failure and PAGE is cleaned."""
    page = tmp_path / "p.html"
    page.write_text(article("Closed stdin"), encoding="utf-8")
    ran = _run_with_closed(0, "clean", "-", str(page), "--format", "jsonl", "--jobs", "1")
    assert ran.returncode == 1, ran.stderr
    assert ran.stderr.decode() == "scraper: -: empty input\n"
    assert [json.loads(line)["source"] for line in ran.stdout.splitlines()] == [str(page)]


def test_a_closed_stdout_is_an_output_that_cannot_be_written(tmp_path: Path) -> None:
    """`clean PAGE >&-` was an internal error, exit 1: it is exit 2 with one line, as for an
    output file that cannot be written."""
    page = tmp_path / "p.html"
    page.write_text(article("Closed stdout"), encoding="utf-8")
    ran = _run_with_closed(1, "clean", str(page), "--jobs", "1", stdout=None)
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.decode() == "scraper: <stdout>: cannot write: Bad file descriptor\n"


def test_a_closed_stderr_keeps_the_output_and_the_exit_code(tmp_path: Path) -> None:
    """`clean PAGE MISSING 2>&-` printed nothing and exited 1 as an internal error (sys.stderr is
    None): the page is printed, the missing file's line goes nowhere, the exit code is still 1;
    and no file the run opens takes the closed descriptor (a worker's stderr would write into it)."""
    page = tmp_path / "p.html"
    page.write_text(article("Closed stderr"), encoding="utf-8")
    ran = _run_with_closed(
        2, "clean", str(page), str(tmp_path / "missing.html"), "--format", "jsonl", "--jobs", "1"
    )
    assert ran.returncode == 1
    assert [json.loads(line)["source"] for line in ran.stdout.splitlines()] == [str(page)]


def test_a_crawl_whose_stdout_is_full_writes_its_report_and_exits_2(tmp_path: Path) -> None:
    """The crawl's summary on a stdout that cannot take it (a full disk: /dev/full) was an
    internal error, exit 1, and the --report file was never written: the report is written, the
    stdout's failure is one line, exit 2 as for any output that cannot be written."""
    report = tmp_path / "report.json"
    with LocalServer({"/": Route(body=article("Home", links=("/a",))), **_pages("/a")}) as server:
        args = ("crawl", server.url("/"), "--config", str(_config(tmp_path)), "--report", str(report))
        with open("/dev/full", "w") as full:
            ran = subprocess.run(
                _scraper(*args), stdout=full, stderr=subprocess.PIPE, timeout=120, check=False
            )
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.decode().endswith("scraper: <stdout>: cannot write: No space left on device\n")
    assert json.loads(report.read_text(encoding="utf-8"))["stored"] == 2


def test_runs_on_a_full_stdout_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """`scraper runs > /dev/full` was an internal error, exit 1."""
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save(make_doc(url="https://example.com/a", text="Story a. " * 50), html_hash="h")
    with open("/dev/full", "w") as full:
        ran = subprocess.run(
            _scraper("runs", "--db", str(db)), stdout=full, stderr=subprocess.PIPE, timeout=120, check=False
        )
    assert (ran.returncode, ran.stderr.decode()) == (
        2,
        "scraper: <stdout>: cannot write: No space left on device\n",
    )


def test_clean_to_a_folder_with_a_full_stdout_keeps_its_shards_and_exits_2(tmp_path: Path) -> None:
    """`clean -o DIR > /dev/full`: the summary that cannot be printed was an internal error, exit
    1; it is one line, exit 2, and the shards are committed."""
    page = tmp_path / "p.html"
    page.write_text(article("Full stdout"), encoding="utf-8")
    with open("/dev/full", "w") as full:
        ran = subprocess.run(
            _scraper("clean", str(page), "-o", str(tmp_path / "corpus"), "--jobs", "1"),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    assert (ran.returncode, ran.stderr.decode()) == (
        2,
        "scraper: <stdout>: cannot write: No space left on device\n",
    )
    assert (tmp_path / "corpus" / "part-00000.jsonl.gz").is_file()
