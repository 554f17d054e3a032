"""Local inputs of `scraper clean`: files, folders, gzip and stdin."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scraper.corpus.sources import Input, expand, load_file, page_from_bytes, read_file, read_url_map
from scraper.errors import SourceError


def test_folders_expand_recursively_to_html_files_in_order(tmp_path: Path) -> None:
    """A folder yields its .html/.htm/.html.gz files, sorted, skipping other files."""
    (tmp_path / "b").mkdir()
    for name in ("a.html", "b/c.htm", "b/d.html.gz", "notes.txt"):
        (tmp_path / name).write_bytes(b"<p>x</p>")
    got = list(expand([str(tmp_path)]))
    assert got == [Input(str(tmp_path / n), "file") for n in ("a.html", "b/c.htm", "b/d.html.gz")]


def test_each_kind_of_source_is_recognised(tmp_path: Path) -> None:
    """URLs, stdin, files and errors come back in argument order."""
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    got = list(expand(["https://a.example/", "-", str(page), str(tmp_path / "missing.html"), "ftp://x/"]))
    assert got[:3] == [Input("https://a.example/", "url"), Input("-", "stdin"), Input(str(page), "file")]
    assert isinstance(got[3], SourceError)
    assert "no such file" in str(got[3])
    assert isinstance(got[4], SourceError)
    assert "unsupported URL scheme" in str(got[4])


@pytest.mark.parametrize("name", ["notes.pdf", "Report.PDF", "slides.pptx", "photo.jpg", "notes.pdf.gz"])
def test_a_file_named_as_a_document_that_is_never_html_is_refused(tmp_path: Path, name: str) -> None:
    """A .pdf of text named on the command line was cleaned as HTML (its text out, exit 0), where a
    URL serving application/pdf is "not HTML": a name that says a type never HTML is refused as
    that file's failure. A saved page under any other name (index.php, none) is read as before."""
    named = tmp_path / name
    named.write_bytes(gzip.compress(b"Plain words.") if name.endswith(".gz") else b"Plain words.")
    (tmp_path / "index.php").write_text("<p>x</p>")
    (tmp_path / "page").write_text("<p>x</p>")
    got = list(expand([str(named), str(tmp_path / "index.php"), str(tmp_path / "page")]))
    assert isinstance(got[0], SourceError)
    assert (
        str(got[0])
        == f"{named}: not HTML: a .{name.split('.')[1].lower()} file (a saved page's name may end in .html)"
    )
    assert got[1:] == [Input(str(tmp_path / "index.php"), "file"), Input(str(tmp_path / "page"), "file")]


def test_an_empty_source_is_refused_not_read_as_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty argument (`scraper clean "$URL"` with URL unset) was `Path("")`, the working folder:
    every HTML file under it was cleaned. It is that source's failure, named; the rest go on."""
    (tmp_path / "a.html").write_bytes(b"<p>x</p>")
    monkeypatch.chdir(tmp_path)
    got = list(expand(["", "  ", "a.html"]))
    assert [str(e) for e in got[:2]] == [
        "'': empty source: no URL, file or folder named",
        "'  ': empty source: no URL, file or folder named",
    ]
    assert got[2:] == [Input("a.html", "file")]


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    """A folder without HTML files is one clear error, not silence."""
    (got,) = list(expand([str(tmp_path)]))
    assert isinstance(got, SourceError)
    assert "no .html" in got.reason


def test_gzip_files_are_read_and_bad_gzip_is_reported(tmp_path: Path) -> None:
    """.html.gz is gunzipped; a corrupt one names the file and the reason."""
    good = tmp_path / "g.html.gz"
    good.write_bytes(gzip.compress(b"<p>hello</p>"))
    assert read_file(str(good), max_bytes=1000) == b"<p>hello</p>"
    bad = tmp_path / "b.html.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(SourceError, match="gzip"):
        read_file(str(bad), max_bytes=1000)


def test_size_limit_applies_to_local_files(tmp_path: Path) -> None:
    """A file over the limit is refused, gzip included (the limit counts decompressed bytes)."""
    big = tmp_path / "big.html.gz"
    big.write_bytes(gzip.compress(b"a" * 5000))
    with pytest.raises(SourceError, match="larger than 1000 bytes"):
        read_file(str(big), max_bytes=1000)


def test_local_pages_carry_their_charset_and_address(tmp_path: Path) -> None:
    """A windows-1252 file declared by meta decodes right and keeps the --url given."""
    path = tmp_path / "w.html"
    path.write_bytes('<meta charset="windows-1252"><p>“Prix” 5 €</p>'.encode("cp1252"))
    page = load_file(str(path), url="https://x.example/w", max_bytes=10_000)
    assert "“Prix” 5 €" in page.html
    assert page.url == "https://x.example/w"
    assert page.status is None


def test_empty_input_is_an_error() -> None:
    """Whitespace-only input is refused before extraction, a byte order mark aside (an editor's
    empty file saved with one had gone to extraction: 'skipped: no main content', exit 0)."""
    for blank in (b"  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n", " \n".encode("utf-16"), b"\xfe\xff"):
        with pytest.raises(SourceError, match="empty input"):
            page_from_bytes(blank, source="-", url=None)
    assert page_from_bytes("<p>x</p>".encode("utf-16"), source="-", url=None).encoding == "utf-16"


def test_stdin_given_twice_is_said_so() -> None:
    """`clean - -` read standard input once and said "-: empty input" for the second `-`: the
    second is a source error saying stdin is read once; the first is still read."""
    first, second = list(expand(["-", "-"]))
    assert first == Input("-", "stdin")
    assert isinstance(second, SourceError) and "given more than once" in second.reason


def test_a_url_whose_host_is_no_host_is_a_source_error_naming_why() -> None:
    """`clean "http://exa mple.com/"` says the URL is bad, instead of a DNS or robots.txt failure."""
    (bad, good) = list(expand(["http://exa mple.com/", "https://example.com/a"]))
    assert isinstance(bad, SourceError) and "not a valid URL" in bad.reason and "' '" in bad.reason
    assert good == Input("https://example.com/a", "url")


def test_a_url_map_giving_a_path_the_same_flawed_address_twice_names_the_flaw(tmp_path: Path) -> None:
    """The same row twice is no conflict, a flawed address included: its path fails with the flaw
    and the first row's line, where it read "a second address for the path of line 2"."""
    page = tmp_path / "page.html"
    mapping = tmp_path / "urls.csv"
    mapping.write_text(f"path,url\n{page},http://[::1/x\n{page},http://[::1/x\n")
    found = read_url_map(str(mapping)).urls[str(page)]
    assert isinstance(found, SourceError)
    assert found.source == f"{mapping} line 2"
    assert found.reason.startswith("not a valid URL: 'http://[::1/x'")


def test_a_source_holding_a_nul_character_is_named_readably() -> None:
    """A source with a NUL (an --input-file of binary junk) is named with the NUL escaped and
    why no file is so named: it was printed raw, as "no such file or folder"."""
    [found] = list(expand(["page.html\x00"]))
    assert isinstance(found, SourceError)
    assert str(found) == "'page.html\\x00': no file's path holds a NUL character"


def test_a_path_the_system_cannot_look_up_is_that_source_failure_and_the_rest_still_come(
    tmp_path: Path,
) -> None:
    """A name longer than the file system allows (an -i list holding a page's text by mistake)
    made `stat` raise ENAMETOOLONG, which ended the run as an internal error: it is that
    source's failure, with the system's reason, and the sources after it are still yielded."""
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    too_long = str(tmp_path / ("a" * 5000))
    found, after = list(expand([too_long, str(page)]))
    assert isinstance(found, SourceError)
    assert (found.source, found.reason) == (too_long, "cannot read: File name too long")
    assert after == Input(str(page), "file")


def test_a_url_map_line_past_the_bound_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    """`--url-map` read each line whole before csv saw it: `--url-map /dev/zero` (or a binary
    named by mistake) took 6.7 GB in 7 s and went on. Its lines are bounded as an -i list's are:
    a line past the bound is a `SourceError` naming the map and the line."""
    mapping = tmp_path / "urls.csv"
    mapping.write_text("page.html,https://a.example/\n" + "a" * 200_000, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_url_map(str(mapping))
    assert (caught.value.source, caught.value.reason) == (
        str(mapping),
        "line 2 is longer than 65536 characters",
    )
