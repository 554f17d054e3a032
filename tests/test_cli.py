"""The command line: every command, its output formats, its errors and exit codes."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scraper.cli import cli
from tests.httpserver import LocalServer, Route

SEED = Path(__file__).parent / "fixtures" / "seed-article"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_clean_seed_page_as_json(runner: CliRunner) -> None:
    """`clean PAGE --format json` prints one record with the exact text and the metadata."""
    result = runner.invoke(cli, ["clean", str(SEED / "page.html"), "--format", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
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


def test_clean_markdown_has_title_heading(runner: CliRunner) -> None:
    """Markdown output starts with the title as a heading and keeps the body's headings."""
    result = runner.invoke(cli, ["clean", str(SEED / "page.html"), "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# ‘Targets culture’")
    assert "Report followed complaint" in result.stdout


def test_clean_folder_as_jsonl_in_parallel(runner: CliRunner, tmp_path: Path) -> None:
    """A folder gives one JSONL record per page, in path order, each naming its source, with --jobs 2."""
    news = Path(__file__).resolve().parents[1] / "demo" / "site" / "news"
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
    """A missing file, an empty page and a bad scheme are reported; the good page still prints; exit 1."""
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    missing = tmp_path / "missing.html"
    result = runner.invoke(
        cli,
        ["clean", str(missing), str(empty), "ftp://x.example/", str(SEED / "page.html"), "--format", "jsonl"],
    )
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3
    assert errors[0] == f"scraper: {missing}: no such file or folder"
    assert str(empty) in errors[1]
    assert "ftp://x.example/" in errors[2]
    assert len(result.stdout.splitlines()) == 1


def test_clean_fetches_urls_and_reports_http_errors(runner: CliRunner) -> None:
    """A URL is fetched from a real local server; a 404 is one line on stderr and exit 1."""
    with LocalServer({"/story": Route(body=(SEED / "page.html").read_bytes())}) as server:
        result = runner.invoke(cli, ["clean", server.url("/story"), server.url("/gone"), "--format", "jsonl"])
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert record["status"] == 200
    assert record["final_url"] == server.url("/story")
    assert result.stderr.strip() == f"scraper: {server.url('/gone')}: HTTP 404"


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


def test_crawl_reports_failures_with_exit_1(runner: CliRunner, fast_config: Path) -> None:
    """A start URL that fails is listed with its reason and the exit code is 1."""
    with LocalServer({"/": Route(body="<html><body><a href='/missing'>x</a></body></html>")}) as server:
        result = runner.invoke(
            cli, ["crawl", server.url("/"), "--config", str(fast_config), "--max-pages", "5"]
        )
    assert result.exit_code == 1
    assert f"failed  {server.url('/missing')}: HTTP 404" in result.stdout


def test_crawl_unreachable_host_is_a_failure_not_a_crash(runner: CliRunner, fast_config: Path) -> None:
    """A refused connection is reported as one failed URL."""
    result = runner.invoke(cli, ["crawl", "http://127.0.0.1:9/", "--config", str(fast_config)])
    assert result.exit_code == 1
    assert "http://127.0.0.1:9/: cannot connect" in result.stdout


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
