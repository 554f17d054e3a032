"""Conventions of the command line: -q, -o, -i, trafilatura's extraction flags, one JSON array,
shell completion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from tests.httpserver import LocalServer, Route

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEED = FIXTURES / "seed-article" / "page.html"
SOFT_404 = FIXTURES / "html" / "soft-404.html"
TABLE_CELL = "Ferry departures at dawn from the northern quay"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _page_with_a_table(title: str = "Harbour news") -> str:
    paragraphs = "".join(
        f"<p>Part {i}: the harbour committee met on Tuesday evening to discuss the dredging plans, "
        "the ferry timetable and the cost of repairs to the old pier, which has stood since 1890.</p>"
        for i in range(5)
    )
    table = f"<table><tr><th>Route</th><th>Note</th></tr><tr><td>North</td><td>{TABLE_CELL}</td></tr></table>"
    return (
        f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}{table}{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("sources", "count", "code"),
    [(["SEED"], 1, 0), (["SEED", "SOFT_404"], 2, 0), (["missing.html"], 0, 1)],
)
def test_json_is_always_one_array(runner: CliRunner, sources: list[str], count: int, code: int) -> None:
    """`clean --format json` prints one JSON array whatever the number of sources: [] for none."""
    paths = [str({"SEED": SEED, "SOFT_404": SOFT_404}.get(s, s)) for s in sources]
    result = runner.invoke(cli, ["clean", *paths, "--format", "json", "--jobs", "1"])
    assert result.exit_code == code
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) == count


def test_quiet_keeps_errors_and_drops_the_rest(runner: CliRunner, tmp_path: Path) -> None:
    """With -q a skipped page says nothing on stderr; a source that fails still does."""
    missing = tmp_path / "missing.html"
    result = runner.invoke(cli, ["-q", "clean", str(SOFT_404), str(missing), "--jobs", "1"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"scraper: {missing}: no such file or folder"
    loud = runner.invoke(cli, ["clean", str(SOFT_404), "--jobs", "1"])
    assert "skipped: soft 404" in loud.stderr
    both = runner.invoke(cli, ["-q", "-v", "clean", str(SEED)])
    assert both.exit_code == 2 and "exclude each other" in both.stderr


def test_extraction_flags_override_the_file(runner: CliRunner, tmp_path: Path) -> None:
    """--no-tables / --tables map onto [extract] include_tables, and a flag beats the file."""
    page = tmp_path / "page.html"
    page.write_text(_page_with_a_table(), encoding="utf-8")
    no_tables = tmp_path / "no-tables.toml"
    no_tables.write_text("[extract]\ninclude_tables = false\n")

    def text(*options: str) -> str:
        result = runner.invoke(cli, ["clean", str(page), *options])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert TABLE_CELL in text()
    assert TABLE_CELL not in text("--no-tables")
    assert TABLE_CELL not in text("--config", str(no_tables))
    assert TABLE_CELL in text("--config", str(no_tables), "--tables")


FLAG_CASES: list[tuple[str, str, dict[str, object]]] = [
    ("", "--precision", {"favor_precision": True, "favor_recall": False}),
    ("favor_recall = true", "--precision", {"favor_precision": True, "favor_recall": False}),
    ("favor_precision = true", "--recall", {"favor_precision": False, "favor_recall": True}),
    ("include_comments = true", "--no-comments", {"include_comments": False}),
    ("", "--comments", {"include_comments": True}),
    ("", "--links", {"include_links": True, "include_images": False}),
    ("", "--images", {"include_images": True, "include_links": False}),
    ("", "--formatting", {"include_formatting": True}),
    ("", "--fast", {"fast": True}),
    ("fast = false", "--fast", {"fast": True, "favor_precision": False}),
    ("", "--metadata=stated", {"metadata": "stated", "fast": False}),
    ('metadata = "stated"', "--metadata=full", {"metadata": "full"}),
    ('metadata = "stated"', "--fast", {"metadata": "stated", "fast": True}),
]


@pytest.mark.parametrize(
    "case", FLAG_CASES, ids=[f"{toml or 'defaults'} {flag}" for toml, flag, _ in FLAG_CASES]
)
def test_flags_map_onto_the_extract_settings(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, str, dict[str, object]],
) -> None:
    """Each flag sets the [extract] key of the same meaning, over what the file says."""
    toml, flag, expected = case
    config = tmp_path / "c.toml"
    config.write_text(f"[extract]\n{toml}\n")
    seen = []

    def spy(inputs: object, settings: object, options: object) -> list[object]:
        seen.append(settings)
        return []

    monkeypatch.setattr("scraper.corpus.clean_stream", spy)
    assert runner.invoke(cli, ["clean", str(SEED), "--config", str(config), flag]).exit_code == 0
    extract = seen[0].extract  # type: ignore[attr-defined]
    assert {key: getattr(extract, key) for key in expected} == expected


def test_precision_and_recall_exclude_each_other(runner: CliRunner) -> None:
    """--precision with --recall is a usage error."""
    result = runner.invoke(cli, ["clean", str(SEED), "--precision", "--recall"])
    assert result.exit_code == 2
    assert "--precision and --recall exclude each other" in result.stderr


def test_crawl_reads_start_urls_from_a_file_with_extraction_flags_and_export_writes_with_o(
    runner: CliRunner, tmp_path: Path
) -> None:
    """crawl -i FILE takes its START_URLs from the file (comments and blank lines skipped), the
    extraction flags reach the crawl, and export -o writes the file."""
    urls = tmp_path / "urls.txt"
    db, out = tmp_path / "store.db", tmp_path / "out.jsonl"
    config = tmp_path / "c.toml"
    config.write_text("[fetch]\nper_host_delay = 0.0\nmax_attempts = 1\n[crawl]\nfollow_links = false\n")
    # two texts: one text is stored once per site, whatever URLs it is found under
    a, b = Route(body=_page_with_a_table()), Route(body=_page_with_a_table("Ferry news"))
    with LocalServer({"/a": a, "/b": b}) as srv:
        urls.write_text(f"# harbour pages\n{srv.url('/a')}\n\n   {srv.url('/b')}  \n")
        result = runner.invoke(
            cli, ["crawl", "-i", str(urls), "--db", str(db), "--config", str(config), "--no-tables"]
        )
        assert result.exit_code == 0, result.output
        assert {r.path for r in srv.requests} >= {"/a", "/b"}
    result = runner.invoke(cli, ["export", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["url"] for r in records) == [srv.url("/a"), srv.url("/b")]
    assert all(TABLE_CELL not in r["text"] and "dredging plans" in r["text"] for r in records)


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_scripts_and_their_callback(runner: CliRunner, shell: str) -> None:
    """`scraper completion SHELL` prints click's script for `scraper`, whose callback completes
    command names and options."""
    result = runner.invoke(cli, ["completion", shell])
    assert result.exit_code == 0
    assert "_SCRAPER_COMPLETE" in result.stdout and f"{shell}_complete" in result.stdout
    env = {"_SCRAPER_COMPLETE": f"{shell}_complete", "COMP_WORDS": "scraper export --fo", "COMP_CWORD": "2"}
    completed = runner.invoke(cli, [], env=env, prog_name="scraper").stdout
    assert "--format" in completed


FORM_CASES: list[tuple[list[str], frozenset[str]]] = [
    ([], frozenset()),
    (["--format", "jsonl"], frozenset()),
    (["--format", "csv"], frozenset()),
    (["--format", "markdown"], frozenset({"markdown"})),
    (["--format", "xml"], frozenset({"xml"})),
    (["--format", "xml", "--tei"], frozenset({"xml"})),
    (["--format", "html"], frozenset({"xml"})),
    (["-o", "OUT"], frozenset()),
    (["-o", "OUT", "--format", "parquet"], frozenset()),
]


@pytest.mark.parametrize("case", FORM_CASES, ids=[" ".join(args) or "text" for args, _ in FORM_CASES])
def test_clean_builds_the_renderings_its_format_prints(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: tuple[list[str], frozenset[str]]
) -> None:
    """`clean` asks the extraction for the Markdown only when it prints Markdown, for the XML only
    when it prints XML, TEI or HTML, and for neither in the record formats and shards."""
    args, expected = case
    seen: list[object] = []

    def spy(inputs: object, settings: object, *rest: object, **options: object) -> object:
        seen.append(settings)
        return [] if len(rest) == 1 else {}

    monkeypatch.setattr("scraper.corpus.clean_stream", spy)
    monkeypatch.setattr("scraper.corpus.clean_to_folder", spy)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    runner.invoke(cli, ["clean", str(SEED), *args])
    assert seen[0].extract.forms == expected  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--db", ""],
        ["export", "--db", "x.db", "-o", ""],
        ["clean", "--db", "", "page.html"],
        ["clean", "page.html", "-o", ""],
        ["clean", "page.html", "--output-dir", ""],
        ["clean", "page.html", "--errors", ""],
        ["clean", "-i", ""],
        ["clean", "page.html", "--config", ""],
        ["crawl", "http://127.0.0.1:9/", "--report", ""],
        ["serve", "--token-file", ""],
        ["clean", "page.html", "-o", "  "],
        ["export", "--db", "x.db", "-o", "\t"],
        ["crawl", "http://127.0.0.1:9/", "--db", " "],
    ],
)
def test_an_empty_path_is_a_usage_error_naming_its_option(
    runner: CliRunner, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Path("")` is ".": `clean page.html -o "$OUT"` with OUT unset wrote a corpus folder into
    the working folder (exit 0), `export --db ""` said "no store at ." and `crawl --report ""`
    was an internal error after the crawl; `-o "  "` made a folder named by two spaces. An empty
    or blank path is one line naming the option, exit 2, and nothing is written."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.html").write_text(_page_with_a_table(), encoding="utf-8")
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "empty path" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


@pytest.mark.parametrize("command", [["clean"], ["crawl", "--db", "x.db"]])
@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"http://127.0.0.1:9/\n" + b"a" * 70_000, "list.txt: line 2 is longer than 65536 characters"),
        (b"http://127.0.0.1:9/\n\xff\xfe\x00binary", "list.txt: the input list is not UTF-8 text"),
    ],
    ids=["endless-line", "binary"],
)
def test_an_input_file_that_is_no_list_is_a_usage_error(
    command: list[str],
    content: bytes,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`-i /dev/zero` (or a binary, a dump named by mistake) was read whole, one line, until memory
    ran out, and `crawl -i` over bytes that are not UTF-8 was an internal error: both commands
    read the list line by line, bounded, and say what is wrong with it, exit 2."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "list.txt").write_bytes(content)
    result = CliRunner().invoke(cli, [*command, "-i", "list.txt"])
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["clean", "-i", "blank.txt"], "nothing to clean: blank.txt lists no sources"),
        (["crawl", "-i", "blank.txt", "--db", "x.db"], "nothing to crawl: blank.txt lists no URLs"),
        (["clean"], "nothing to clean: give SOURCES or --input-file"),
    ],
)
def test_an_input_file_listing_nothing_is_named(
    runner: CliRunner, args: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An --input-file of blank lines and comments (a list a script failed to fill) said "give
    SOURCES or --input-file", though one was given: the line names the file that lists nothing."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blank.txt").write_text("\n# none today\n\n", encoding="utf-8")
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
