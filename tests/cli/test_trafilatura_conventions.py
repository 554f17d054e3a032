"""trafilatura's command-line conventions, through the real CLI: --output-dir and --keep-dirs,
csv / xml / TEI / html, --links / --images / --formatting, --only-with-metadata, --no-robots."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from scraper.cli import cli
from scraper.models import RECORD_FIELDS, sha256_hex
from tests.httpserver import Handler, LocalServer, Route

TEI = "{http://www.tei-c.org/ns/1.0}"
PARAGRAPHS = "".join(
    f"<p>Part {i}: the harbour committee met on Tuesday evening to discuss the dredging plans, the "
    "ferry timetable and the cost of repairs to the old pier, which has stood since 1890.</p>"
    for i in range(4)
)


def _page(title: str, *, dated: bool = True, rich: bool = False) -> str:
    date = "<meta property='article:published_time' content='2025-03-04'>" if dated else ""
    extra = (
        "<p>The <b>early crossings</b> are in the <a href='https://port.example/minutes'>board minutes</a>"
        " of the harbour committee, with every pier and every departure listed by the hour.</p>"
        "<figure><img src='https://port.example/pier.jpg' alt='The old pier'></figure>"
        if rich
        else ""
    )
    return (
        f"<html lang='en'><head><title>{title}</title>{date}</head><body><article><h1>{title}</h1>"
        f"{PARAGRAPHS}{extra}{PARAGRAPHS}</article></body></html>"
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """docs/harbour.html, docs/sub/ferry.htm and docs/sub/pier.html.gz-free: three stories."""
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "harbour.html").write_text(_page("Harbour news", rich=True), encoding="utf-8")
    (docs / "sub" / "ferry.htm").write_text(_page("Ferry news"), encoding="utf-8")
    (docs / "sub" / "pier.html").write_text(_page("Pier news", dated=False), encoding="utf-8")
    return docs


def _clean(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["clean", "--jobs", "1", *args])
    return result.exit_code, result.stdout, result.stderr


def test_output_dir_writes_one_file_per_input_named_by_its_text(
    runner: CliRunner, pages: Path, tmp_path: Path
) -> None:
    """--output-dir writes one file per document, named by the first 16 hex digits of its
    content_hash (trafilatura: a hash of the content) with the format's extension; nothing on stdout."""
    out = tmp_path / "out"
    code, stdout, _ = _clean(
        runner, str(pages), "--output-dir", str(out), "--format", "json", "--url", "https://port.example/x"
    )
    assert (code, stdout) == (0, "")
    files = sorted(out.iterdir())
    records = [json.loads(path.read_text(encoding="utf-8")) for path in files]
    assert sorted(r["title"] for r in records) == ["Ferry news", "Harbour news", "Pier news"]
    assert [path.name for path in files] == sorted(r["content_hash"][:16] + ".json" for r in records)
    assert all(r["content_hash"] == sha256_hex(r["text"]) for r in records)


def test_keep_dirs_mirrors_the_input_tree(runner: CliRunner, pages: Path, tmp_path: Path) -> None:
    """--keep-dirs names each file after its input, below the folder argument's own name, the
    extension replaced (trafilatura's --keep-dirs); a file given directly keeps its name."""
    out = tmp_path / "out"
    single = tmp_path / "single.html"
    single.write_text(_page("Single news"), encoding="utf-8")
    code, _, _ = _clean(runner, str(pages), str(single), "--output-dir", str(out), "--keep-dirs")
    assert code == 0
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["docs/harbour.txt", "docs/sub/ferry.txt", "docs/sub/pier.txt", "single.txt"]
    assert "Ferry news" in (out / "docs/sub/ferry.txt").read_text(encoding="utf-8")


def test_keep_dirs_needs_output_dir_and_output_dir_is_not_o(runner: CliRunner, pages: Path) -> None:
    """--keep-dirs without --output-dir, and --output-dir with -o, are usage errors (exit 2)."""
    assert (
        "--keep-dirs goes with --output-dir"
        in runner.invoke(cli, ["clean", str(pages), "--keep-dirs"]).stderr
    )
    result = runner.invoke(cli, ["clean", str(pages), "--output-dir", "a", "-o", "b"])
    assert result.exit_code == 2 and "exclude each other" in result.stderr


def test_csv_is_one_table_of_the_record_fields(runner: CliRunner, pages: Path) -> None:
    """--format csv prints one header line of the record fields, then one row per document."""
    code, stdout, _ = _clean(runner, str(pages), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert list(rows[0]) == list(RECORD_FIELDS)
    assert [row["title"] for row in rows] == ["Harbour news", "Ferry news", "Pier news"]
    assert rows[0]["date"] == "2025-03-04" and "dredging plans" in rows[0]["text"]


def test_xml_is_trafilaturas_doc_in_one_root_and_alone_in_its_file(
    runner: CliRunner, pages: Path, tmp_path: Path
) -> None:
    """--format xml prints trafilatura's <doc> (metadata as attributes, <main>) inside one <docs>
    root; with --output-dir each file holds one <doc>, as trafilatura writes it."""
    code, stdout, _ = _clean(runner, str(pages), "--format", "xml", "--url", "https://port.example/story")
    assert code == 0
    root = etree.fromstring(stdout.encode("utf-8"))
    docs = root.findall("doc")
    assert root.tag == "docs" and len(docs) == 3
    assert docs[0].get("title") == "Harbour news" and docs[0].get("date") == "2025-03-04"
    assert docs[0].get("url") == "https://port.example/story" and docs[0].get("hostname") == "port.example"
    assert "dredging plans" in "".join(docs[0].xpath("main//text()"))
    out = tmp_path / "xml"
    _clean(runner, str(pages / "harbour.html"), "--format", "xml", "--output-dir", str(out))
    [file] = out.iterdir()
    assert file.suffix == ".xml" and etree.parse(str(file)).getroot().tag == "doc"


def test_tei_is_a_tei_corpus_and_needs_xml(runner: CliRunner, pages: Path) -> None:
    """--format xml --tei prints a <teiCorpus> of TEI documents (header, then the text body);
    --tei with another format is a usage error."""
    code, stdout, _ = _clean(runner, str(pages), "--format", "xml", "--tei")
    assert code == 0
    root = etree.fromstring(stdout.encode("utf-8"))
    documents = root.findall(f"{TEI}TEI")
    assert root.tag == f"{TEI}teiCorpus" and len(documents) == 3
    title = documents[1].find(f"{TEI}teiHeader/{TEI}fileDesc/{TEI}titleStmt/{TEI}title")
    assert title is not None and title.text == "Ferry news"
    assert "dredging plans" in "".join(documents[1].itertext())
    assert runner.invoke(cli, ["clean", str(pages), "--tei"]).exit_code == 2


def test_html_is_the_cleaned_html(runner: CliRunner, pages: Path) -> None:
    """--format html prints each document as cleaned HTML: its metadata in <meta>, its text in <p>."""
    code, stdout, _ = _clean(runner, str(pages / "harbour.html"), "--format", "html")
    assert code == 0
    page = lxml_html.fromstring(stdout)
    assert page.xpath("//meta[@name='title']/@content") == ["Harbour news"]
    assert any("dredging plans" in p.text_content() for p in page.xpath("//body//p"))
    assert not page.xpath("//script | //nav")


def test_links_images_and_formatting_reach_markdown_and_xml(runner: CliRunner, pages: Path) -> None:
    """Markdown and XML keep links, images and emphasis only with --links, --images, --formatting;
    the plain text is the same with or without them."""
    harbour = str(pages / "harbour.html")
    plain_md = _clean(runner, harbour, "--format", "markdown")[1]
    rich_md = _clean(runner, harbour, "--format", "markdown", "--links", "--images", "--formatting")[1]
    for snippet in (
        "[board minutes](https://port.example/minutes)",
        "![The old pier](https://port.example/pier.jpg)",
        "**early crossings**",
    ):
        assert snippet in rich_md and snippet not in plain_md
    plain_xml = _clean(runner, harbour, "--format", "xml")[1]
    rich_xml = _clean(runner, harbour, "--format", "xml", "--links", "--images", "--formatting")[1]
    for snippet in (
        '<ref target="https://port.example/minutes">',
        '<graphic src="https://port.example/pier.jpg"',
        '<hi rend="#b">',
    ):
        assert snippet in rich_xml and snippet not in plain_xml
    texts = [
        json.loads(_clean(runner, harbour, "--format", "jsonl", *flags)[1])["text"]
        for flags in ([], ["--links", "--images", "--formatting"])
    ]
    assert texts[0] == texts[1]


def test_only_with_metadata_skips_documents_without_title_url_or_date(runner: CliRunner, pages: Path) -> None:
    """--only-with-metadata keeps documents with a title, a URL and a date (trafilatura's test);
    the others get one stderr line naming what is missing, and the exit code stays 0."""
    code, stdout, stderr = _clean(runner, str(pages), "--format", "jsonl", "--only-with-metadata")
    assert (code, stdout) == (0, "")  # local files without --url have no URL
    assert stderr.count("skipped: no URL (--only-with-metadata)") == 2
    assert "pier.html: skipped: no URL, no date (--only-with-metadata)" in stderr
    code, stdout, stderr = _clean(
        runner, str(pages), "--format", "jsonl", "--only-with-metadata", "--url", "https://port.example/s"
    )
    assert code == 0
    assert [json.loads(line)["title"] for line in stdout.splitlines()] == ["Harbour news", "Ferry news"]
    assert (
        stderr.strip() == f"scraper: {pages / 'sub' / 'pier.html'}: skipped: no date (--only-with-metadata)"
    )


def test_only_with_metadata_counts_in_the_corpus_summary(
    runner: CliRunner, pages: Path, tmp_path: Path
) -> None:
    """With -o, a document left out by --only-with-metadata is counted as skipped in the summary."""
    result = runner.invoke(
        cli,
        [
            "clean",
            str(pages),
            "-o",
            str(tmp_path / "c"),
            "--only-with-metadata",
            "--jobs",
            "1",
            "--url",
            "https://port.example/s",
        ],
    )
    assert result.exit_code == 0
    assert "written 2" in result.stdout and "skipped 1: missing metadata" in result.stdout


def test_no_robots_fetches_a_page_robots_txt_disallows_with_a_note(runner: CliRunner) -> None:
    """clean URL obeys robots.txt; with --no-robots the page is fetched (robots.txt never asked
    for) and stderr says so; crawl has no such option."""
    routes: dict[str, Handler] = {
        "/robots.txt": Route(body="User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"}),
        "/story": Route(body=_page("Harbour news")),
    }
    with LocalServer(routes) as server:
        refused = runner.invoke(cli, ["clean", server.url("/story")])
        assert refused.exit_code == 1 and "disallowed by robots.txt" in refused.stderr
        server.requests.clear()
        result = runner.invoke(cli, ["clean", server.url("/story"), "--no-robots"])
        assert result.exit_code == 0, result.output
        assert "dredging plans" in result.stdout
        assert "--no-robots: robots.txt is not read" in result.stderr
        assert [r.path for r in server.requests] == ["/story"]
        crawl = runner.invoke(cli, ["crawl", server.url("/"), "--no-robots"])
        assert crawl.exit_code == 2 and "No such option '--no-robots'" in crawl.stderr


def test_export_writes_the_same_formats_from_the_store(runner: CliRunner, tmp_path: Path) -> None:
    """export --format csv / xml (--tei) / html goes through clean's writers: a crawled page comes
    out as the same table, <doc>, TEI and HTML, its XML kept in the store."""
    db = tmp_path / "store.db"
    config = tmp_path / "c.toml"
    config.write_text("[fetch]\nper_host_delay = 0.0\nmax_attempts = 1\n[crawl]\nfollow_links = false\n")
    with LocalServer({"/story": Route(body=_page("Harbour news", rich=True))}) as server:
        crawled = runner.invoke(
            cli, ["crawl", server.url("/story"), "--db", str(db), "--config", str(config), "--links"]
        )
        assert crawled.exit_code == 0, crawled.output

    def export(*args: str) -> str:
        result = runner.invoke(cli, ["export", "--db", str(db), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    [row] = list(csv.DictReader(io.StringIO(export("--format", "csv"))))
    assert row["title"] == "Harbour news" and row["url"] == server.url("/story")
    [doc] = etree.fromstring(export("--format", "xml").encode("utf-8")).findall("doc")
    assert doc.get("title") == "Harbour news"
    assert doc.xpath("main//ref/@target") == ["https://port.example/minutes"]  # --links, kept by the store
    tei = etree.fromstring(export("--format", "xml", "--tei").encode("utf-8"))
    assert tei.tag == f"{TEI}teiCorpus" and len(tei.findall(f"{TEI}TEI")) == 1
    page = lxml_html.fromstring(export("--format", "html"))
    assert page.xpath("//a/@href") == ["https://port.example/minutes"]
    assert runner.invoke(cli, ["export", "--db", str(db), "--tei"]).exit_code == 2


def test_fast_cleans_without_the_fallbacks(runner: CliRunner, pages: Path) -> None:
    """--fast (trafilatura's -f/--fast, [extract] fast) cleans the page all the same, with its date
    from the markup."""
    code, stdout, _ = _clean(runner, str(pages / "sub" / "ferry.htm"), "--format", "jsonl", "--fast")
    assert code == 0
    record = json.loads(stdout)
    assert record["title"] == "Ferry news" and "dredging plans" in record["text"]
    assert record["date"] == "2025-03-04"
