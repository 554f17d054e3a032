"""Text writers: every text format of `clean` and `export`, to a stream or one file per document.

    TEXT_FORMATS[name]          text, markdown, json, jsonl, csv, xml, xmltei (TEI), html
    StreamWriter(fmt, output)   documents one after the other: stdout, or one atomic file
    FolderWriter(fmt, folder)   one atomic file per document, named by KeyNames or TrafilaturaNames

One renderer per format, used by both commands: `clean`'s stdout and `--output-dir`, and
`export`'s stdout, `-o FILE` and Markdown folder, all go through these.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from scraper.corpus.atomic import AtomicFile, mapped, write_text_atomically
from scraper.models import RECORD_FIELDS, Document, sha256_hex
from scraper.urls import is_http_url, redacted

__all__ = [
    "TEXT_FORMATS",
    "FolderWriter",
    "JsonLinesWriter",
    "KeyNames",
    "StreamWriter",
    "TextFormat",
    "TrafilaturaNames",
    "render_markdown",
    "slugify",
    "text_format",
]


def _record_json(doc: Document) -> str:
    return json.dumps(doc.to_record(), ensure_ascii=False)


def _json_item(doc: Document) -> str:
    return textwrap.indent(json.dumps(doc.to_record(), ensure_ascii=False, indent=2), "  ")


def _json_alone(doc: Document) -> str:
    return json.dumps(doc.to_record(), ensure_ascii=False, indent=2) + "\n"


def render_markdown(doc: Document) -> str:
    """A document as Markdown: front matter (title, url, date, authors) then its body.

    Values are JSON scalars and arrays, which YAML reads as they are, so no quoting rules of
    our own are needed.
    """

    def value(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False)

    body = (doc.markdown or doc.text).strip("\n")
    return (
        "---\n"
        f"title: {value(doc.title)}\n"
        f"url: {value(redacted(doc.url))}\n"
        f"date: {value(doc.date)}\n"
        f"authors: {value(list(doc.authors))}\n"
        "---\n\n"
        f"{body}\n"
    )


def _csv_line(values: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


# a cell a spreadsheet would read as a formula (or as the start of one, after a tab or a line
# break): OWASP's CSV injection advice, with the full-width signs some spreadsheets also read
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _csv_cell(value: Any) -> Any:
    """A record value as a CSV cell: lists joined with `;`, and text that a spreadsheet would
    run as a formula (`=HYPERLINK(...)`, `+1+cmd|...`, `@SUM(...)`) prefixed with `'`, which
    spreadsheets read as "this cell is text" (OWASP, CSV injection). Numbers stay numbers."""
    if value is None:
        return ""
    cell = ";".join(value) if isinstance(value, list) else value
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _csv_row(doc: Document) -> str:
    return _csv_line(_csv_cell(value) for value in doc.to_record().values())


_CSV_HEADER = _csv_line(RECORD_FIELDS)


def _xml(doc: Document) -> str:
    from scraper.extract import render_xml  # noqa: PLC0415  # trafilatura: loaded by the XML formats only

    return render_xml(doc) + "\n"


def _tei(doc: Document) -> str:
    from scraper.extract import render_xml  # noqa: PLC0415  # as for _xml

    return render_xml(doc, tei=True) + "\n"


def _html(doc: Document) -> str:
    from scraper.extract import render_html  # noqa: PLC0415  # as for _xml

    return render_html(doc) + "\n"


_TEI_CORPUS = (
    '<teiCorpus xmlns="http://www.tei-c.org/ns/1.0">\n<teiHeader><fileDesc><titleStmt><title>scraper '
    "documents</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc>"
    "</fileDesc></teiHeader>\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TextFormat:
    """How documents are written in one text format.

    `alone` is one document in a file of its own (`clean --output-dir`, the markdown folder of
    `export`). In a stream (stdout, one output file) `begin` opens, `item` gives each document,
    `separator` goes between two and `end` closes; `empty` is a stream without documents when
    that is not `begin` + `end`. A stream is one document of its format: one JSON array, one XML
    root (`<docs>`, `<teiCorpus>`), one CSV table under one header line.
    """

    extension: str
    alone: Callable[[Document], str]
    # what it reads of a document besides the record: `Document.markdown`, `Document.xml`
    # (config.FORMS); the extraction builds only what the outputs read
    forms: frozenset[str] = frozenset()
    item: Callable[[Document], str]
    begin: str = ""
    separator: str = ""
    end: str = ""
    empty: str | None = None


def _text(doc: Document) -> str:
    return doc.text + "\n"


def _jsonl(doc: Document) -> str:
    return _record_json(doc) + "\n"


def _csv_alone(doc: Document) -> str:
    return _CSV_HEADER + _csv_row(doc)


TEXT_FORMATS: dict[str, TextFormat] = {
    "text": TextFormat(extension=".txt", alone=_text, item=_text, separator="\n"),
    "markdown": TextFormat(
        extension=".md",
        alone=render_markdown,
        item=render_markdown,
        separator="\n",
        forms=frozenset({"markdown"}),
    ),
    "json": TextFormat(
        extension=".json",
        alone=_json_alone,
        item=_json_item,
        begin="[\n",
        separator=",\n",
        end="\n]\n",
        empty="[]\n",
    ),
    "jsonl": TextFormat(extension=".jsonl", alone=_jsonl, item=_jsonl),
    "csv": TextFormat(extension=".csv", alone=_csv_alone, item=_csv_row, begin=_CSV_HEADER),
    "xml": TextFormat(
        extension=".xml", alone=_xml, item=_xml, begin="<docs>\n", end="</docs>\n", forms=frozenset({"xml"})
    ),
    "xmltei": TextFormat(
        extension=".xml",
        alone=_tei,
        item=_tei,
        begin=_TEI_CORPUS,
        end="</teiCorpus>\n",
        forms=frozenset({"xml"}),
    ),
    "html": TextFormat(extension=".html", alone=_html, item=_html, forms=frozenset({"xml"})),
}


def text_format(fmt: str, *, tei: bool = False) -> TextFormat:
    """The text format `fmt` names (`xml` with `tei`: TEI); KeyError for any other."""
    return TEXT_FORMATS["xmltei" if tei and fmt == "xml" else fmt]


class StreamWriter:
    """Documents one after the other in one text format: to stdout when `output` is None, else to
    an atomic file. What opens the stream goes out with the first document, so a stream printed as
    it goes (`clean`) shows each document as soon as it is ready."""

    def __init__(self, fmt: TextFormat, output: Path | None, stdout: TextIO) -> None:
        self.format = fmt
        self.output = output
        self._stdout = stdout
        self._file: AtomicFile | None = None
        self._count = 0

    def start(self) -> None:
        if self.output is not None:
            self._file = AtomicFile(self.output)
            self._file.open()

    def write(self, doc: Document) -> None:
        text = self.format.item(doc)
        self._emit((self.format.separator if self._count else self.format.begin) + text)
        self._count += 1

    def finish(self) -> None:
        fmt = self.format
        if self._count:
            self._emit(fmt.end)
        else:
            self._emit(fmt.empty if fmt.empty is not None else fmt.begin + fmt.end)
        if self._file is not None:
            self._file.commit()
        else:
            with mapped("<stdout>"):
                self._stdout.flush()

    def abort(self) -> None:
        # stdout cannot be taken back; a file can
        if self._file is not None:
            self._file.discard()

    def _emit(self, text: str) -> None:
        if not text:
            return
        if self._file is not None:
            self._file.write(text)
        else:
            with mapped("<stdout>"):
                self._stdout.write(text)


class JsonLinesWriter(StreamWriter):
    """One JSON record per line (UTF-8, not ASCII-escaped)."""

    def __init__(self, output: Path | None, stdout: TextIO) -> None:
        super().__init__(TEXT_FORMATS["jsonl"], output, stdout)


class FolderWriter:
    """One file per document in `folder`, named by `names` plus the format's extension.

    Each file is atomic on its own: a run that fails keeps the files it finished, each whole.
    """

    def __init__(self, fmt: TextFormat, folder: Path, names: Callable[[Document], str]) -> None:
        self.format = fmt
        self.folder = folder
        self.names = names

    def start(self) -> None:
        with mapped(self.folder):
            self.folder.mkdir(parents=True, exist_ok=True)

    def write(self, doc: Document) -> None:
        target = self.folder / (self.names(doc) + self.format.extension)
        write_text_atomically(target, self.format.alone(doc))

    def finish(self) -> None:
        """Nothing left to do: every file is in place once written."""

    def abort(self) -> None:
        """Nothing to undo: the files written are whole."""


_SLUG_LIMIT, _HASH_CHARS = 90, 10


class KeyNames:
    """`<slug>-<hash>`: readable from the URL (or source), and stable for its key.

    The hash of the key makes the name the document's own in every export, so an export of one
    run (`--run`) into a folder never overwrites another document's file from an earlier one,
    whatever the order or the case of the URLs.
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}  # file name -> the key it was given to

    def __call__(self, doc: Document) -> str:
        key = doc.url or doc.source
        digest = sha256_hex(key)
        name = f"{slugify(key, limit=_SLUG_LIMIT)}-{digest[:_HASH_CHARS]}"
        if self._names.setdefault(name, key) != key:  # 40 bits alike: the whole hash then
            name = f"{slugify(key, limit=_SLUG_LIMIT)}-{digest}"
        return name


class TrafilaturaNames:
    """File names as trafilatura's `--output-dir` gives them, for `clean --output-dir`.

    By default a hash of the text: the first 16 hex digits of the record's `content_hash`
    (trafilatura: 16 characters of a hash of its output), so a repeated text is one file. With
    `keep_dirs` (`--keep-dirs`), a file found in one of the `folders` keeps its path below that
    folder, under the folder's own name, its extension dropped (`docs/a/b.html` -> `docs/a/b`);
    a file named directly keeps its name; URLs, stdin and web archive records are named by their
    text. Two inputs that would share a name: the second gets its source's hash appended.
    """

    def __init__(self, *, keep_dirs: bool = False, folders: Iterable[str] = ()) -> None:
        self.keep_dirs = keep_dirs
        self.folders = [Path(folder) for folder in folders]
        self._names: dict[str, str] = {}  # name -> the source it was given to

    def __call__(self, doc: Document) -> str:
        path = Path(doc.source)
        if not self.keep_dirs or "#" in doc.source or doc.url == doc.source or not path.is_file():
            return doc.content_hash[:16]
        name = path.name
        for folder in self.folders:
            if path.is_relative_to(folder):
                name = str(Path(folder.resolve().name) / path.relative_to(folder))
                break
        name = _without_suffix(name)
        if self._names.setdefault(name, doc.source) != doc.source:
            name = f"{name}-{sha256_hex(doc.source)[:_HASH_CHARS]}"
        return name


def _without_suffix(name: str) -> str:
    lowered = name.lower()
    for suffix in (".html.gz", ".htm.gz", ".xhtml", ".html", ".htm"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def slugify(key: str, *, limit: int = 100) -> str:
    """`https://example.com/news/My-Story/` -> `example-com-news-my-story`."""
    if is_http_url(key):
        parts = urlsplit(key)
        key = f"{parts.netloc}{parts.path}" + (f"-{parts.query}" if parts.query else "")
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    return slug[:limit].rstrip("-") or "document"
