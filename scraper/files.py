"""What a path on disk may be before a stage writes a file there (one home for the rule).

    refuse_special(path, why)   a path that is there and no regular file (a folder, a device, a
                                pipe, a socket) is refused with one line naming it

Every file we write is a regular file, made or replaced: an export, a report or a corpus file
written aside and moved into place (`corpus.AtomicFile`) and the SQLite store (`store.Store`).
Over a device the rename replaced it (`export -o /dev/full` left a file where the device was);
SQLite opened `--db /dev/null` and left `/dev/null-journal` beside it.
"""

from __future__ import annotations

import stat
from pathlib import Path

from scraper.errors import WriteError

__all__ = ["refuse_special"]


def refuse_special(path: Path, why: str) -> None:
    """Raise `WriteError` ("PATH: not a regular file (a folder)" and `why`, what the target must
    be) where `path` is there and is no regular file; a link is followed. A path that is not there
    passes: it is made. Where `stat` fails otherwise (a path under a file, a folder that may not
    be searched), its `OSError` goes to the caller, which maps it as its writes' errors."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a device, a pipe or a socket"
        raise WriteError(f"{path}: not a regular file ({kind}){why}")
