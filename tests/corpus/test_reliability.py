"""A corpus run that cannot be corrupted: bad rows, damaged inputs and broken disks are one line each."""

from __future__ import annotations

import errno
import json
import os
import resource
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from click.testing import CliRunner

import scraper.corpus
import scraper.corpus.batch
from scraper.cli import cli
from scraper.corpus.atomic import AtomicFile
from scraper.corpus.shards import DONE, MANIFEST, OutputDir
from scraper.corpus.warc import ArchivedResponse, ArchiveSkip, read_archive
from scraper.errors import LockedError
from scraper.store import Store
from tests.archives import Exchange, warc_bytes, write
from tests.corpus.test_folder import _records
from tests.factories import make_doc, story


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_a_bad_url_map_row_fails_its_file_only(runner: CliRunner, tmp_path: Path) -> None:
    """A --url-map row whose URL is no URL fails the file it names, with the map's line; a row
    naming no file is one failure of its own; every other file is cleaned with its address."""
    files = [tmp_path / f"{n}.html" for n in range(3)]
    for n, path in enumerate(files):
        path.write_bytes(story(n))
    mapping = tmp_path / "urls.csv"
    mapping.write_text(
        f"path,url\n{files[0]},https://a.example/0\n{files[1]},http://[::1/x\n,https://a.example/none\n"
        f"{files[2]},https://a.example/2\n"
    )
    errors = tmp_path / "errors.jsonl"
    args = ["clean", *map(str, files), "--url-map", str(mapping), "--format", "jsonl", "--jobs", "1"]
    result = runner.invoke(cli, [*args, "--errors", str(errors)])
    assert result.exit_code == 1, result.output
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [
        "https://a.example/0",
        "https://a.example/2",
    ]
    failures = {row["source"]: row["reason"] for row in map(json.loads, errors.read_text().splitlines())}
    assert failures[str(files[1])].startswith("not a valid URL: 'http://[::1/x'")
    assert failures[str(files[1])].endswith(f"(--url-map {mapping} line 3)")
    assert failures[f"{mapping} line 4"] == "expected `path,url`"
    assert f"{files[1]}: not a valid URL" in result.stderr
    assert f"(--url-map {mapping} line 3)" in result.stderr
    assert "Traceback" not in result.output


def test_a_path_given_two_addresses_in_the_url_map_fails_alone(runner: CliRunner, tmp_path: Path) -> None:
    """A --url-map that gives one path two addresses fails that file, naming both lines (the later
    row won without a word); the same address twice is no conflict. A row past csv's field limit is
    named by its line, not called "not a UTF-8 CSV file"."""
    twice, again = tmp_path / "twice.html", tmp_path / "again.html"
    twice.write_bytes(story(1))
    again.write_bytes(story(2))
    mapping = tmp_path / "urls.csv"
    mapping.write_text(
        f"path,url\n{twice},https://a.example/1\n{again},https://a.example/2\n"
        f"{twice},https://b.example/1\n{again},https://a.example/2\n"
    )
    args = ["clean", str(twice), str(again), "--url-map", str(mapping), "--format", "jsonl", "--jobs", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == ["https://a.example/2"]
    assert f"{twice}: a second address for the path of line 2 (--url-map {mapping} line 4)" in result.stderr
    folder = runner.invoke(
        cli, ["clean", str(twice), str(again), "--url-map", str(mapping), "-o", str(tmp_path / "out")]
    )
    assert folder.exit_code == 1, (
        folder.output
    )  # -o printed 'twice.html: a second address ...' without the map
    assert f"{twice}: a second address for the path of line 2 (--url-map {mapping} line 4)" in folder.stderr
    mapping.write_text(f"path,url\n{twice},https://a.example/{'x' * 200_000}\n")
    result = runner.invoke(cli, args)
    assert result.exit_code == 2  # a line past the lists' bound is refused before it is read whole
    assert f"{mapping}: line 2 is longer than 65536 characters" in result.stderr
    mapping.write_text(f'path,url\n{twice},"https://a.example/{("x" * 1000 + chr(10)) * 200}"\n')
    result = runner.invoke(cli, args)
    assert result.exit_code == 2  # short lines, one quoted field past csv's limit
    assert f"{mapping} line 2: not a CSV row that can be read" in result.stderr


def test_an_archive_whose_reading_breaks_off_is_not_marked_done(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug met while reading an archive is one failure and the archive is not marked done: the
    resumed run reads on after that point, and every other record is written once."""
    archive = write(
        tmp_path / "a.warc.gz",
        warc_bytes([Exchange(f"https://a.example/{n}", story(n)) for n in range(6)], requests=False),
    )

    def breaks_after_two(path: str, **kwargs: Any) -> Iterator[ArchivedResponse | ArchiveSkip]:
        for number, record in enumerate(read_archive(path, **kwargs)):
            if number == 2:
                raise RuntimeError("a bug")
            yield record

    out = tmp_path / "corpus"
    args = ["clean", str(archive), "-o", str(out), "--jobs", "1"]
    monkeypatch.setattr(scraper.corpus.batch, "read_archive", breaks_after_two)
    first = runner.invoke(cli, args)
    assert first.exit_code == 1, first.output
    assert "internal error: RuntimeError" in first.stderr
    assert not any((out / DONE).iterdir())
    monkeypatch.undo()
    second = runner.invoke(cli, [*args, "--resume"])
    assert second.exit_code == 1, second.output  # the run, resumed parts included, had a failure
    assert "written 5" in second.stdout
    assert sorted(str(r["url"]) for r in _records(out)) == [f"https://a.example/{n}" for n in (0, 1, 3, 4, 5)]
    assert len(list((out / DONE).iterdir())) == 1


def _corpus(tmp_path: Path, runner: CliRunner, count: int = 6) -> tuple[Path, list[str]]:
    """A finished `clean -o` folder of `count` pages, two per shard, and the command that made it."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(count):
        (pages / f"{n}.html").write_bytes(story(n))
    out = tmp_path / "corpus"
    args = ["clean", *(str(pages / f"{n}.html") for n in range(count)), "-o", str(out)]
    args += ["--shard-size", "2", "--jobs", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out, args


def test_a_second_run_on_a_held_folder_is_refused_with_exit_3(runner: CliRunner, tmp_path: Path) -> None:
    """While one run holds a corpus folder, another is told so (exit 3) and the folder is untouched."""
    out, args = _corpus(tmp_path, runner)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    holder = OutputDir(out, fmt="jsonl", shard_size=2, resume=True)
    try:
        with pytest.raises(LockedError):
            OutputDir(out, fmt="jsonl", shard_size=2, resume=True)
        result = runner.invoke(cli, [*args, "--resume"])
    finally:
        holder.abort()
    assert result.exit_code == 3, result.output
    assert result.stderr == f"scraper: another run holds this folder: {out} (pid {os.getpid()})\n"
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert runner.invoke(cli, [*args, "--resume"]).exit_code == 0  # released


def test_temp_shards_have_names_of_their_own_and_only_ours_are_swept(tmp_path: Path) -> None:
    """Two shard writers of one name never share a temp file; a resumed run deletes temp and stray
    shards of this module's names only, never a file of the user's."""
    out = tmp_path / "c"
    first, second = (OutputDir(out / name, fmt="jsonl", shard_size=5, resume=False) for name in "ab")
    first.write(make_doc(url="https://a.example/1"))
    second.write(make_doc(url="https://a.example/2"))
    temps = sorted(p.name for p in out.rglob(".part-*"))
    assert len(temps) == 2 and temps[0] != temps[1]
    first.abort()
    second.abort()
    assert not list(out.rglob(".part-*"))
    folder = out / "a"
    for name in (".part-00007.jsonl.gz.1f2e.tmp", ".part-00001.jsonl.gz.tmp", "part-00004.jsonl.gz"):
        (folder / name).write_bytes(b"left by a killed run")
    for name in ("part-notes.txt", ".part-mine.tmp", "part-00001.jsonl.gz.bak"):
        (folder / name).write_bytes(b"the user's")
    OutputDir(folder, fmt="jsonl", shard_size=5, resume=True).close()
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
        [".lock", ".part-mine.tmp", "part-00001.jsonl.gz.bak", "part-notes.txt"]
    )


def _edit_line(out: Path, number: int, edit: Callable[[str], str]) -> None:
    manifest = out / MANIFEST
    lines = manifest.read_text().splitlines(keepends=True)
    lines[number - 1] = edit(lines[number - 1])
    manifest.write_text("".join(lines))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "torn line": (lambda out: _edit_line(out, 2, lambda line: line[:40] + "\n"), "line 2: not a JSON line"),
    "hand-edited count": (
        lambda out: _edit_line(out, 2, lambda line: line.replace('"records": 2', '"records": "two"')),
        "line 2: 'records' is not a count",
    ),
    "shard named twice": (
        lambda out: _edit_line(out, 3, lambda line: line.replace("part-00002", "part-00000")),
        "line 3: names part-00000.jsonl.gz again (first on line 1)",
    ),
    "missing shard": (
        lambda out: (out / "part-00001.jsonl.gz").unlink(),
        "line 2: its shard part-00001.jsonl.gz is missing",
    ),
    "truncated shard": (
        lambda out: os.truncate(out / "part-00001.jsonl.gz", 30),
        "line 2: its shard part-00001.jsonl.gz has 30 bytes, not",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_manifest_or_shard_is_one_line_and_its_advice_works(
    runner: CliRunner, tmp_path: Path, damage: str
) -> None:
    """Each kind of damage stops --resume with one line naming the manifest, the line and what to
    do (exit 2, nothing touched); doing it (cutting the manifest there) gives every page once."""
    out, args = _corpus(tmp_path, runner)
    harm, says = DAMAGE[damage]
    harm(out)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    result = runner.invoke(cli, [*args, "--resume"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"scraper: {out / MANIFEST} {says}")
    assert "delete line" in result.stderr and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".lock"} == before
    line = int(says.split()[1].rstrip(":"))
    manifest = out / MANIFEST
    manifest.write_text("".join(manifest.read_text().splitlines(keepends=True)[: line - 1]))
    again = runner.invoke(cli, [*args, "--resume"])
    assert again.exit_code == 0, again.output
    assert sorted(str(r["source"]) for r in _records(out)) == sorted(args[1:7])


def test_a_damaged_shard_of_an_older_manifest_is_named_when_read(runner: CliRunner, tmp_path: Path) -> None:
    """A manifest written before shard sizes were kept: a damaged shard is found when dedup reads it
    back, and is one line naming it and its manifest line, not `Aborted!`."""
    out, args = _corpus(tmp_path, runner)
    manifest = out / MANIFEST
    entries = [json.loads(line) for line in manifest.read_text().splitlines()]
    manifest.write_text(
        "".join(json.dumps({k: v for k, v in e.items() if k != "bytes"}) + "\n" for e in entries)
    )
    os.truncate(out / "part-00001.jsonl.gz", 30)
    result = runner.invoke(cli, [*args, "--resume"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"scraper: {manifest} line 2: its shard part-00001.jsonl.gz cannot be read (EOFError)"
    )


def test_a_torn_last_line_is_cut_and_a_whole_one_kept(runner: CliRunner, tmp_path: Path) -> None:
    """A last manifest line a kill tore is cut off (its inputs cleaned again); a whole last line
    that only lost its newline is kept (its inputs are not cleaned twice)."""
    out, args = _corpus(tmp_path, runner)
    manifest = out / MANIFEST
    whole = manifest.read_text()
    manifest.write_text(whole.rstrip("\n"))
    kept = runner.invoke(cli, [*args, "--resume"])
    assert kept.exit_code == 0 and manifest.read_text() == whole
    assert len(_records(out)) == 6
    manifest.write_text(whole[: whole.rindex("{") + 30])
    cut = runner.invoke(cli, [*args, "--resume"])
    assert cut.exit_code == 0, cut.output
    assert sorted(str(r["source"]) for r in _records(out)) == sorted(args[1:7])


def test_file_names_that_are_not_utf8_are_carried_losslessly(runner: CliRunner, tmp_path: Path) -> None:
    """A file name that is not UTF-8 is percent-encoded in records, the error list, the manifest
    and markers: every line stays UTF-8 JSON, `unquote_to_bytes` gives the name back, and a
    resumed run knows the input is done."""
    folder = os.fsencode(tmp_path / "pages")
    os.mkdir(folder)
    named = os.path.join(folder, b"caf\xe9 100%.html")
    with open(named, "wb") as fh:
        fh.write(story(1))
    missing = os.fsdecode(os.path.join(folder, b"gone\xff.html"))
    errors = tmp_path / "errors.jsonl"
    printed = runner.invoke(cli, ["clean", os.fsdecode(folder), "--format", "jsonl", "--jobs", "1"])
    assert printed.exit_code == 0, printed.output
    [record] = [json.loads(line.decode("utf-8")) for line in printed.stdout_bytes.splitlines()]
    assert urllib.parse.unquote_to_bytes(record["source"]) == named
    out = tmp_path / "corpus"
    args = ["clean", os.fsdecode(folder), missing, "-o", str(out), "--jobs", "1", "--errors", str(errors)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    [failure] = [json.loads(line) for line in errors.read_bytes().decode("utf-8").splitlines()]
    assert urllib.parse.unquote_to_bytes(failure["source"]) == os.fsencode(missing)
    assert [urllib.parse.unquote_to_bytes(str(r["source"])) for r in _records(out)] == [named]
    for path in [out / MANIFEST, *(out / DONE).iterdir()]:
        for line in path.read_bytes().decode("utf-8").splitlines():
            json.loads(line)
    again = runner.invoke(cli, [*args, "--resume"])
    assert again.exit_code == 1 and len(_records(out)) == 1
    assert (
        "cleaned 2 inputs, 1 page: written 1, skipped 0, dropped 0, failed 0; 1 input failed" in again.stdout
    )


class _FullDisk:
    """A file whose writes fail as on a full disk."""

    def __init__(self, real: BinaryIO) -> None:
        self._real = real

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def test_a_full_disk_during_clean_o_is_one_line_and_leaves_no_temp_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while a shard is written: one line naming the shard, exit 2, no temp file left; the
    shards committed before stay, and --resume (with room again) finishes the run."""
    out, args = _corpus(tmp_path, runner)
    (out / MANIFEST).write_text("".join((out / MANIFEST).read_text().splitlines(True)[:1]))
    opened = AtomicFile.open
    monkeypatch.setattr(AtomicFile, "open", lambda self: _FullDisk(opened(self)))
    result = runner.invoke(cli, [*args, "--resume"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"scraper: {out / 'part-00001.jsonl.gz'}: cannot write: No space left on device\n"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    again = runner.invoke(cli, [*args, "--resume"])
    assert again.exit_code == 0, again.output
    assert sorted(str(r["source"]) for r in _records(out)) == sorted(args[1:7])


def _limited(command: list[str], max_bytes: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command` under `ulimit -f`: writes past `max_bytes` fail with EFBIG (Python ignores SIGXFSZ).
    With `-q`: a run slowed past 10 s by a loaded machine would print a progress line first. Not
    measured under `make coverage`: coverage's own data file would meet the limit too."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return subprocess.run(
        [sys.executable, "-m", "scraper", "-q", *command],
        preexec_fn=limit,  # the limit must be set in the child before it runs
        capture_output=True,
        text=True,
        cwd=cwd,
        env={name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")},
        timeout=120,
        check=False,
    )


def test_a_file_size_limit_is_one_line_for_clean_o_and_for_a_parquet_export(tmp_path: Path) -> None:
    """Under a small `ulimit -f`, the extraction starts (no model is inflated through a file any
    more) and a corpus shard past the limit ends `clean -o` with one line and exit 2; a Parquet
    export past the limit is one line, exit 2, and leaves no temp file."""
    page = tmp_path / "p.html"
    minutes = "".join(f"<p>Minute {n}: motion {os.urandom(24).hex()} was carried.</p>" for n in range(300))
    page.write_bytes(story(1, minutes))  # about 20 KB of text that does not compress
    ran = _limited(["clean", str(page), "-o", str(tmp_path / "corpus")], 4096, tmp_path)
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.startswith("scraper: ") and ran.stderr.rstrip().endswith("File too large")
    assert len(ran.stderr.splitlines()) == 1
    db = tmp_path / "s.db"
    with Store(db) as store:
        for n in range(40):
            store.save(make_doc(url=f"https://a.example/{n}", text=os.urandom(3000).hex()), html_hash="h")
    exports = tmp_path / "exports"
    exports.mkdir()
    ran = _limited(
        ["export", "--db", str(db), "--format", "parquet", "-o", "exports/d.parquet"], 60_000, tmp_path
    )
    assert ran.returncode == 2, ran.stderr
    assert (
        ran.stderr.startswith("scraper: exports/d.parquet: cannot write:") and "File too large" in ran.stderr
    )
    assert list(exports.iterdir()) == []


def test_clean_db_never_makes_a_store_and_names_one_it_cannot_read(runner: CliRunner, tmp_path: Path) -> None:
    """`clean --db` with a mistyped path is a usage error that leaves no file behind; a corrupt
    store, another application's database and a newer store are one line each, exit 2."""
    page = tmp_path / "p.html"
    page.write_bytes(story(1))
    typo = tmp_path / "data" / "scarper.db"
    result = runner.invoke(cli, ["clean", str(page), "--db", str(typo)])
    assert result.exit_code == 2 and "no store at" in result.output
    assert not typo.parent.exists()
    corrupt, foreign, newer = tmp_path / "corrupt.db", tmp_path / "app.db", tmp_path / "newer.db"
    corrupt.write_bytes(b"not a database" * 400)
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.close()
    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    for db, says in ((corrupt, "file is not a database"), (foreign, "not a scraper store"), (newer, "newer")):
        result = runner.invoke(cli, ["clean", str(page), "--db", str(db)])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"scraper: {db}") and says in result.stderr
        assert len(result.stderr.splitlines()) == 1
    text = json.loads(runner.invoke(cli, ["clean", str(page), "--format", "json"]).stdout)[0]["text"]
    with Store(tmp_path / "ok.db") as store:
        store.save(make_doc(text=text), html_hash="h")
    result = runner.invoke(cli, ["clean", str(page), "--db", str(tmp_path / "ok.db"), "--dedup"])
    assert result.exit_code == 0 and "dropped: duplicate" in result.stderr


def test_a_crawl_on_another_applications_database_adds_nothing_to_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`crawl --db` on another application's SQLite file: one line, exit 2, its tables unchanged."""
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.close()
    result = runner.invoke(cli, ["crawl", "http://127.0.0.1:9/", "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert "not a scraper store" in result.stderr and "Traceback" not in result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT name FROM sqlite_schema").fetchall() == [("users",)]
    conn.close()


def test_a_malformed_url_option_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """`--url http://[::1/x` is exit 2 naming the option, not a traceback from the URL parser."""
    page = tmp_path / "p.html"
    page.write_bytes(story(1))
    result = runner.invoke(cli, ["clean", str(page), "--url", "http://[::1/x"])
    assert result.exit_code == 2 and "--url" in result.output and "Invalid IPv6 URL" in result.output


@pytest.mark.parametrize("bug", [RuntimeError("a bug"), EOFError()])
def test_a_bug_is_one_line_and_its_traceback_only_with_vv(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    """Anything raised outside the error tree is one `internal error` line and exit 1 (an EOFError
    was click's bare `Aborted!`); -vv lets the traceback through."""
    page = tmp_path / "p.html"
    page.write_bytes(story(1))

    def broken(args: object) -> Iterator[object]:
        raise bug

    monkeypatch.setattr(scraper.corpus, "expand", broken)
    result = runner.invoke(cli, ["clean", str(page)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"scraper: internal error: {type(bug).__name__}")
    assert len(result.stderr.splitlines()) == 1 and "Aborted" not in result.output
    loud = runner.invoke(cli, ["-vv", "clean", str(page)])
    assert loud.exit_code == 1 and "Traceback (most recent call last)" in loud.stderr
