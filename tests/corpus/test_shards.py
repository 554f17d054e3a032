"""scraper.corpus.shards: the corpus folder of `clean -o`, driven directly (the command's own
tests are in test_folder.py and test_reliability.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scraper.corpus.shards import DONE, MANIFEST, OutputDir
from scraper.errors import LockedError, WriteError
from tests.factories import make_doc


def _write(out: OutputDir, name: str, texts: list[str]) -> None:
    """The pages of input `name`, each written and dealt with, as corpus.folder does."""
    for text in texts:
        out.write(make_doc(text=text, source=name))
        out.page_done(name, "written")
        out.maybe_commit()


def _shard_texts(shard: Path) -> list[str]:
    with gzip.open(shard, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def test_shards_hold_shard_size_records_and_the_manifest_names_each(tmp_path: Path) -> None:
    """Five records in shards of two: three shards, in order, each named by one manifest line
    with its records and bytes; the finished input gets its marker."""
    out = OutputDir(tmp_path, fmt="jsonl", shard_size=2, resume=False)
    _write(out, "a.warc.gz", [f"text {n}" for n in range(5)])
    out.input_done("a.warc.gz", 5)
    out.close()
    shards = sorted(tmp_path.glob("part-*.jsonl.gz"))
    assert [s.name for s in shards] == ["part-00000.jsonl.gz", "part-00001.jsonl.gz", "part-00002.jsonl.gz"]
    assert [_shard_texts(s) for s in shards] == [["text 0", "text 1"], ["text 2", "text 3"], ["text 4"]]
    lines = [json.loads(line) for line in (tmp_path / MANIFEST).read_text(encoding="utf-8").splitlines()]
    assert [(line["shard"], line["records"]) for line in lines] == [
        (s.name, n) for s, n in zip(shards, (2, 2, 1), strict=True)
    ]
    assert all(line["bytes"] == (tmp_path / line["shard"]).stat().st_size for line in lines)
    markers = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / DONE).iterdir()]
    assert markers == [{"input": "a.warc.gz", "pages": 5}]


def test_resume_points_say_what_is_done_and_how_far_a_half_read_input_got(tmp_path: Path) -> None:
    """After a run that finished one input and committed three pages of another: the first is
    done (None), the second resumes after its committed pages, an unknown input from 0."""
    out = OutputDir(tmp_path, fmt="jsonl", shard_size=3, resume=False)
    _write(out, "done.html", ["a page"])
    out.input_done("done.html", 1)
    _write(out, "half.warc.gz", ["one", "two", "three", "four"])  # the fourth is not committed
    out.abort()  # the run ends without committing the open shard: a kill
    again = OutputDir(tmp_path, fmt="jsonl", shard_size=3, resume=True)
    try:
        assert again.resume_point("done.html") is None
        assert again.resume_point("half.warc.gz") == 2
        assert again.resume_point("new.html") == 0
        assert sorted(again.kept_texts()) == ["a page", "one", "two"]
    finally:
        again.close()


def test_resume_deletes_uncommitted_shards_and_temp_shards_and_nothing_else(tmp_path: Path) -> None:
    """A shard the manifest does not name (a kill between rename and manifest line) and a temp
    shard are a killed run's uncommitted work: deleted on resume. Other files stay."""
    out = OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=False)
    _write(out, "a.html", ["kept"])
    out.close()
    stray = tmp_path / "part-00001.jsonl.gz"
    stray.write_bytes(gzip.compress(b'{"text": "lost"}\n'))
    temp = tmp_path / ".part-00002.jsonl.gz.0123abcd.tmp"
    temp.write_bytes(b"half")
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", encoding="utf-8")
    OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=True).close()
    assert not stray.exists() and not temp.exists()
    assert notes.read_text(encoding="utf-8") == "mine"
    assert _shard_texts(tmp_path / "part-00000.jsonl.gz") == ["kept"]


@pytest.mark.parametrize("resume", [False, True])
def test_a_shard_name_in_a_folder_no_run_opened_is_refused_not_deleted(tmp_path: Path, resume: bool) -> None:
    """A file of a shard's name in a folder without a manifest or _done/ is someone else's (an
    older export, `-o .`): the folder is refused, with or without --resume, and nothing is deleted
    or left behind (the run's `.lock` stayed)."""
    theirs = tmp_path / "part-00000.jsonl.gz"
    theirs.write_bytes(b"their data")
    with pytest.raises(WriteError, match=r"holds part-00000\.jsonl\.gz, which no run in this folder wrote"):
        OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=resume)
    assert theirs.read_bytes() == b"their data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part-00000.jsonl.gz"]


def test_a_folder_holding_a_run_needs_resume_the_same_format_and_no_other_run(tmp_path: Path) -> None:
    """Without --resume a folder holding a run is refused; with it, a run of another format is
    refused; while one run holds the folder, a second is refused with LockedError."""
    out = OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=False)
    _write(out, "a.html", ["kept"])
    with pytest.raises(LockedError, match="another run holds this folder"):
        OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=True)
    out.close()
    with pytest.raises(WriteError, match="pass --resume"):
        OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=False)
    with pytest.raises(WriteError, match="resume with the same --format"):
        OutputDir(tmp_path, fmt="parquet", shard_size=1, resume=True)


def test_a_shard_of_the_wrong_size_is_refused_naming_its_manifest_line(tmp_path: Path) -> None:
    """A committed shard that lost bytes stops the resume with one line naming the manifest line."""
    out = OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=False)
    _write(out, "a.html", ["first", "second"])
    out.close()
    shard = tmp_path / "part-00001.jsonl.gz"
    shard.write_bytes(shard.read_bytes()[:-4])
    with pytest.raises(WriteError, match=r"line 2: its shard part-00001\.jsonl\.gz has \d+ bytes, not \d+"):
        OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=True)


def test_an_older_folder_layout_is_moved_to_the_current_names(tmp_path: Path) -> None:
    """manifest.jsonl and done/ (the layout before dataset readers were kept in mind) become
    _manifest.jsonl and _done/ on resume, with what they held."""
    out = OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=False)
    _write(out, "a.html", ["kept"])
    out.input_done("a.html", 1)
    out.close()
    (tmp_path / MANIFEST).rename(tmp_path / "manifest.jsonl")
    (tmp_path / DONE).rename(tmp_path / "done")
    again = OutputDir(tmp_path, fmt="jsonl", shard_size=1, resume=True)
    try:
        assert again.resume_point("a.html") is None
    finally:
        again.close()
    assert (tmp_path / MANIFEST).is_file() and (tmp_path / DONE).is_dir()
    assert not (tmp_path / "manifest.jsonl").exists() and not (tmp_path / "done").exists()


def test_a_path_that_is_no_folder_is_refused_as_such() -> None:
    """`-o /dev/null` (a device: click lets it pass as no file) is "not a folder", where it read
    "cannot make the output folder: File exists"."""
    with pytest.raises(WriteError, match=r"^/dev/null: not a folder: choose a folder for -o$"):
        OutputDir(Path("/dev/null"), fmt="jsonl", shard_size=1, resume=False)
