"""Tests for scraper.files: what a path may be before a file is written there."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scraper.errors import WriteError
from scraper.files import refuse_special


def test_a_pipe_is_refused_naming_it(tmp_path: Path) -> None:
    """A pipe (as a device: `/dev/full`) is refused in one line that names it and says why."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(
        WriteError,
        match=rf"^{re.escape(str(pipe))}: not a regular file \(a device, a pipe or a socket\): a file$",
    ):
        refuse_special(pipe, ": a file")


def test_a_folder_is_refused_as_a_folder(tmp_path: Path) -> None:
    """A folder is refused as a folder, not described as a device."""
    with pytest.raises(WriteError, match=r": not a regular file \(a folder\): a file$"):
        refuse_special(tmp_path, ": a file")


def test_a_regular_file_a_link_to_one_or_no_file_passes(tmp_path: Path) -> None:
    """A regular file, a link to one and a path not there yet are written as files."""
    (tmp_path / "file").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    for name in ("file", "link", "new"):
        refuse_special(tmp_path / name, ": a file")


def test_a_path_under_a_file_is_the_callers_to_map(tmp_path: Path) -> None:
    """Where `stat` fails otherwise than "not there" (a path under a file), the OSError goes up."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        refuse_special(tmp_path / "file" / "out", ": a file")
