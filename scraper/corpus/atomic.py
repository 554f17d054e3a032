"""Atomic files: a file appears at its target whole, or not at all (one home for it).

    write_text_atomically(target, text)      a temp file beside the target, fsynced, os.replace'd
    AtomicFile(target)                       the same, written in pieces (a stream, a Parquet file)
    seal(handle, temp, target)               the last step of both: the bytes on disk, then the rename
                                             (also the crawl's WARC files, which keep a visible `.open`)

The temp file lives in the target's folder, so `os.replace` is a rename on one file system,
which is atomic. Every `OSError` becomes a `WriteError` naming the target.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from scraper.errors import WriteError
from scraper.files import refuse_special

__all__ = ["AtomicFile", "mapped", "seal", "write_text_atomically"]


@contextmanager
def mapped(path: Path | str) -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise  # the reader went away (`| head`): not a failed write; the CLI exits quietly
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc


class AtomicFile:
    """A file that appears at `target` only on `commit`; until then it is a hidden sibling.

    The temp file lives in the target's folder so `os.replace` is a rename on one file
    system, which is atomic.
    """

    def __init__(self, target: Path) -> None:
        # a link is followed: the file it names is written, the link stays (it was replaced)
        with mapped(target):  # a name the system refuses to look up (too long) is a WriteError too
            self.target = Path(os.path.realpath(target)) if target.is_symlink() else target
        self.temp = self.target.with_name(f".{self.target.name}.{secrets.token_hex(4)}.tmp")
        self._handle: BinaryIO | None = None

    def create(self) -> None:
        """Make the target's folder; the temp file is left for the caller (or `open`) to create.
        A target that is there and no regular file (a folder, a device, a pipe, a socket) is
        refused (`files.refuse_special`): the rename replaced a device."""
        with mapped(self.target):
            refuse_special(
                self.target, ", where a file written aside would be moved into place: choose a file"
            )
            self.target.parent.mkdir(parents=True, exist_ok=True)

    def open(self) -> BinaryIO:
        self.create()
        with mapped(self.target):
            # os.open with 0o666 lets the umask decide the mode, as for any new file
            fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            self._handle = os.fdopen(fd, "wb")
        return self._handle

    def write(self, text: str) -> None:
        assert self._handle is not None, "open() first"
        with mapped(self.target):
            self._handle.write(text.encode("utf-8"))

    def commit(self) -> None:
        try:
            with mapped(self.target):
                if self._handle is not None:
                    seal(self._handle, self.temp, self.target)
                else:
                    _fsync_path(self.temp)
                    os.replace(self.temp, self.target)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        # best effort: this runs while another error is already on its way up
        if self._handle is not None:
            with suppress(OSError):
                self._handle.close()
        with suppress(OSError):
            self.temp.unlink(missing_ok=True)


def seal(handle: BinaryIO, temp: Path, target: Path) -> None:
    """Close `handle`, the file written at `temp`, with its bytes on disk (fsync), then rename it to
    `target`. Renamed before the bytes are on disk, a power cut can leave `target` empty or cut.
    `OSError` passes to the caller, which names what failed."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temp, target)


def write_text_atomically(target: Path, text: str) -> None:
    """Write `text` (UTF-8) to `target` whole or not at all: a temp file beside it, then os.replace."""
    file = AtomicFile(target)
    file.open()
    try:
        file.write(text)
    except BaseException:
        file.discard()
        raise
    file.commit()


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
