"""`scraper clean` with junk pages, --min-quality and --explain."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from tests.httpserver import closed_port

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEED = FIXTURES / "seed-article" / "page.html"
SOFT_404 = FIXTURES / "html" / "soft-404.html"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_skipped_page_in_text_format_is_one_stderr_line(runner: CliRunner) -> None:
    """A junk page prints nothing on stdout, one "skipped" line on stderr, and exits 0."""
    result = runner.invoke(cli, ["clean", str(SOFT_404), "--jobs", "1"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == f"scraper: {SOFT_404}: skipped: soft 404: page not found"


def test_skipped_page_in_jsonl_is_a_record_with_its_reason(runner: CliRunner) -> None:
    """In JSONL a junk page is printed with page_type, skip_reason, quality 0 and empty text."""
    result = runner.invoke(cli, ["clean", str(SOFT_404), str(SEED), "--format", "jsonl", "--jobs", "1"])
    assert result.exit_code == 0
    junk, story = (json.loads(line) for line in result.stdout.splitlines())
    assert (junk["page_type"], junk["skip_reason"], junk["quality"], junk["text"]) == (
        "not_found",
        "soft 404: page not found",
        0.0,
        "",
    )
    assert (story["page_type"], story["skip_reason"]) == ("article", None)
    assert 0.0 < story["quality"] <= 1.0


def test_min_quality_leaves_out_low_records(runner: CliRunner) -> None:
    """--min-quality leaves out articles below it with a stderr line and exits 0; a page without
    an article is still printed as its record, skip_reason and all (the verdict is "skipped")."""
    result = runner.invoke(
        cli, ["clean", str(SOFT_404), str(SEED), "--format", "jsonl", "--min-quality", "1", "--jobs", "1"]
    )
    assert result.exit_code == 0
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [str(SOFT_404)]
    assert result.stderr.startswith(f"scraper: {SEED}: skipped: quality ")
    assert result.stderr.endswith(" below min_quality 1.00\n")


def test_min_quality_must_be_between_0_and_1(runner: CliRunner) -> None:
    """A --min-quality outside [0, 1] is a usage error."""
    assert runner.invoke(cli, ["clean", str(SEED), "--min-quality", "1.5"]).exit_code == 2


def test_explain_lists_removed_blocks_on_stderr(runner: CliRunner) -> None:
    """--explain names each rule with the blocks it removed, on stderr; stdout is the same clean text."""
    plain = runner.invoke(cli, ["clean", str(SEED)])
    result = runner.invoke(cli, ["clean", str(SEED), "--explain"])
    assert result.exit_code == 0
    assert result.stdout == plain.stdout
    err = result.stderr
    assert err.startswith(f"explain {SEED}\n  page_type article, quality ")
    assert "  removed by share-bar (1):\n    div: Share post: Facebook" in err
    assert "removed by related-block" in err
    assert "p: Source link" in err


@pytest.mark.parametrize(
    ("flags", "rule"),
    [([], "block model: not main content"), (["--no-cascade"], "trafilatura: not main content")],
)
def test_explain_shows_what_was_left_out_and_by_whom(
    runner: CliRunner, tmp_path: Path, flags: list[str], rule: str
) -> None:
    """Blocks that survive the pre-pass but not extraction are listed under who left them out:
    the block model where its choice stands (here its first pass, the cascade), else trafilatura."""
    page = tmp_path / "page.html"
    story = "".join(
        f"<p>Paragraph {i} of the story about the harbour ferries and their new night timetable.</p>"
        for i in range(6)
    )
    page.write_text(
        "<html><head><title>Ferries</title></head><body><div class='top'><p><a href='/w'>Weather today"
        " in the harbour town</a> | <a href='/t'>Tide tables for the estuary</a></p></div>"
        "<article>" + story + "</article></body></html>"
    )
    result = runner.invoke(cli, ["clean", str(page), "--explain", *flags])
    assert result.exit_code == 0
    assert "Weather today" not in result.stdout
    assert (
        f"  removed by {rule} (1):\n    p: Weather today in the harbour town | Tide tables for the estuary"
    ) in result.stderr


def test_explain_on_a_junk_page_shows_the_verdict(runner: CliRunner) -> None:
    """A skipped page's explanation gives its type and skip reason."""
    result = runner.invoke(cli, ["clean", str(SOFT_404), "--explain", "--format", "json"])
    assert result.exit_code == 0
    assert "  page_type not_found, quality 0.00\n  skipped: soft 404: page not found" in result.stderr
    [record] = json.loads(result.stdout)
    assert record["skip_reason"] == "soft 404: page not found"


def test_explain_on_a_page_without_content_shows_the_error(runner: CliRunner, tmp_path: Path) -> None:
    """A page the pre-pass empties gets its removals listed, then the error; it is a skip: exit 0."""
    page = tmp_path / "clutter.html"
    page.write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<footer>(c) 2024 Harbour Gazette</footer></body></html>"
    )
    result = runner.invoke(cli, ["clean", str(page), "--explain"])
    assert result.exit_code == 0
    assert "  error: only clutter" in result.stderr
    assert f"scraper: {page}: skipped: no main content: only clutter" in result.stderr
    assert "removed by " in result.stderr


def test_explain_works_across_worker_processes(runner: CliRunner, tmp_path: Path) -> None:
    """With --jobs 2 over a folder, every page's explanation crosses the pool and is printed."""
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_bytes(SEED.read_bytes())
    result = runner.invoke(cli, ["clean", str(tmp_path), "--explain", "--jobs", "2", "--format", "jsonl"])
    assert result.exit_code == 0
    assert result.stderr.count("removed by share-bar (1)") == 2
    assert len(result.stdout.splitlines()) == 2


def test_min_quality_nan_is_refused(runner: CliRunner) -> None:
    """click's FloatRange lets nan through (it compares false with both ends): `--min-quality nan`
    dropped nothing, silently. It is a usage error like any value outside [0, 1]."""
    result = runner.invoke(cli, ["clean", str(SEED), "--min-quality", "nan"])
    assert result.exit_code == 2
    assert "--min-quality" in result.stderr
    assert result.stdout == ""


def test_a_dead_server_is_named_as_such_not_as_a_robots_refusal(tmp_path: Path, runner: CliRunner) -> None:
    """A closed port: robots.txt is unreachable, which disallows the host (RFC 9309); the line says so."""
    port = closed_port()
    config = tmp_path / "fast.toml"
    config.write_text("[fetch]\nmax_attempts = 1\n", encoding="utf-8")
    url = f"http://127.0.0.1:{port}/story"
    result = runner.invoke(cli, ["clean", url, "--jobs", "1", "--config", str(config)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"scraper: {url}: host set aside: robots.txt unreachable: ")
    assert "disallowed by robots.txt" not in result.stderr


def test_a_page_left_out_is_reported_the_same_on_stdout_and_in_a_corpus(
    runner: CliRunner, tmp_path: Path
) -> None:
    """One keep/drop rule: a login wall under --min-quality 0.5 is "skipped: login wall" both on
    stdout's stderr line and in the -o summary (stdout said "dropped: quality ..." instead)."""
    wall = FIXTURES / "html" / "login-wall.html"
    printed = runner.invoke(cli, ["clean", str(wall), "--min-quality", "0.5", "--jobs", "1"])
    folder = runner.invoke(
        cli, ["clean", str(wall), "--min-quality", "0.5", "--jobs", "1", "-o", str(tmp_path / "out")]
    )
    assert (printed.exit_code, folder.exit_code) == (0, 0)
    assert printed.stderr.startswith(f"scraper: {wall}: skipped: login wall")
    assert "  skipped 1: login wall\n" in folder.stdout


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--keep-dirs"], "--keep-dirs goes with --output-dir"),
        (["--format", "parquet"], "--format parquet needs -o DIR"),
        (["-o", "corpus", "--format", "csv"], "-o writes jsonl or parquet shards, not csv"),
        (["--engine", "ray"], "--engine ray writes shards: give -o DIR"),
    ],
)
def test_an_output_option_error_is_told_before_the_config_is_read(
    runner: CliRunner, tmp_path: Path, flags: list[str], said: str
) -> None:
    """Output options that cannot go together are the usage error named (exit 2), whatever the
    config: with a broken --config beside them, the config's error came first and hid them."""
    broken = tmp_path / "broken.toml"
    broken.write_text("[extract\n")
    result = runner.invoke(cli, ["clean", str(SEED), "--config", str(broken), *flags])
    assert result.exit_code == 2
    assert said in result.stderr and "config" not in result.stderr, result.stderr
    assert not (tmp_path / "corpus").exists()


_ESCAPES = "Esc &#27;]0;pwned&#7; and &#27;[2J here,\x1b[31m red\x1b[0m, and a\x08 backspace."


def _escaping_page(tmp_path: Path) -> Path:
    page = tmp_path / "escapes.html"
    story = "The council approved the harbour dredging plan on Tuesday evening after a long debate."
    body = f"<article><h1>Harbour</h1><p>{story}</p><p>{_ESCAPES} {story}</p></article>"
    page.write_text(f"<html><body>{body}</body></html>")
    return page


def test_a_pages_escape_sequences_reach_neither_a_terminal_nor_a_pipe(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A page's text holding escape sequences (from its bytes or its character references) was
    written to the terminal as it came: a window retitled (OSC 0), the screen cleared, text hidden
    behind backspaces. They were then shown as escapes on a terminal and written as they came to a
    pipe or a file; now the record holds no control character (`dom.without_controls`, as its XML
    held none), so neither gets one."""
    page = _escaping_page(tmp_path)
    piped = runner.invoke(cli, ["clean", str(page), "--jobs", "1"])
    read = "Esc ]0;pwned and [2J here,[31m red[0m, and a backspace."
    assert read in piped.stdout and "\x1b" not in piped.stdout
    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    with subprocess.Popen(
        [sys.executable, "-m", "scraper", "clean", str(page)],
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=env,
    ) as done:
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            shown += chunk
        assert done.wait(timeout=120) == 0
    os.close(primary)
    text = shown.decode()
    assert "\x1b" not in text and "\x07" not in text and "\x08" not in text
    assert read in text


def test_a_file_name_holding_an_escape_sequence_is_shown_escaped_on_stderr(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A file of a folder walked (an archive unpacked, a download) may be named with an escape
    sequence: its error line wrote it to the terminal as it was. Error lines show it escaped."""
    named = tmp_path / "\x1b]0;pwned\x07.html"
    named.write_text("   ")
    result = runner.invoke(cli, ["clean", str(tmp_path)])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert f"scraper: {tmp_path}/\\x1b]0;pwned\\x07.html: empty input" in result.stderr


def test_a_listed_path_too_long_to_look_up_is_one_failure_line_and_the_rest_are_cleaned(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An -i list holding a line longer than a file name may be (ENAMETOOLONG from `stat`) ended
    the run as an internal error, before any page: it is that source's line, exit 1, and the
    page listed after it is still cleaned."""
    too_long = "a" * 5000
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"{too_long}\n{SEED}\n")
    result = runner.invoke(cli, ["clean", "-i", str(listing), "--format", "jsonl", "--jobs", "1"])
    assert result.exit_code == 1
    assert result.stderr == f"scraper: {too_long}: cannot read: File name too long\n"
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [str(SEED)]
