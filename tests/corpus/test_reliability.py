"""A corpus run that cannot be corrupted: bad rows, damaged inputs and broken disks are one line each."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import scraper.corpus.batch
from scraper.cli import cli
from scraper.corpus.warc import ArchivedResponse, ArchiveSkip, read_archive
from tests.archives import Exchange, warc_bytes, write
from tests.corpus.test_folder import _records, story


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
    assert failures[f"{mapping} line 4"] == "expected `path,url`"
    assert f"{mapping} line 3: not a valid URL" in result.stderr
    assert "Traceback" not in result.output


def test_an_archive_whose_reading_breaks_off_is_not_marked_done(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug met while reading an archive is one failure and the archive is not marked done: the
    resumed run reads on after that point, and every other record is written once."""
    archive = write(
        tmp_path / "a.warc.gz",
        warc_bytes([Exchange(f"https://a.example/{n}", story(n)) for n in range(6)], requests=False),
    )

    def breaks_after_two(path: str, *, max_bytes: int) -> Iterator[ArchivedResponse | ArchiveSkip]:
        for number, record in enumerate(read_archive(path, max_bytes=max_bytes)):
            if number == 2:
                raise RuntimeError("a bug")
            yield record

    out = tmp_path / "corpus"
    args = ["clean", str(archive), "-o", str(out), "--jobs", "1"]
    monkeypatch.setattr(scraper.corpus.batch, "read_archive", breaks_after_two)
    first = runner.invoke(cli, args)
    assert first.exit_code == 1, first.output
    assert "internal error: RuntimeError" in first.stderr
    assert not any((out / "done").iterdir())
    monkeypatch.undo()
    second = runner.invoke(cli, [*args, "--resume"])
    assert second.exit_code == 1, second.output  # the run, resumed parts included, had a failure
    assert "written 5" in second.stdout
    assert sorted(str(r["url"]) for r in _records(out)) == [f"https://a.example/{n}" for n in (0, 1, 3, 4, 5)]
    assert len(list((out / "done").iterdir())) == 1
