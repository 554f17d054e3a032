"""py3langid's language model, unpacked once per machine and then mapped from the user's cache.

    identifier() -> py3langid's LanguageIdentifier (probabilities normalised)
    shared()     -> the same, built once per process (metadata's language, charset's readings)

py3langid ships its model as an LZMA-compressed npz (4.5 MB, 68 MB of arrays): unpacking it
takes about a second of CPU in every process that detects a language, most of the cold start of
`scraper clean one.html`. The first process unpacks it as py3langid does and leaves the arrays
uncompressed in `$XDG_CACHE_HOME/storyscraper` (by default `~/.cache/storyscraper`), one folder
per model file digest; later processes map those files (np.load with mmap_mode) in a few
milliseconds, and processes on one machine share their pages. The arrays are the same, and so is
the identifier built from them (as py3langid's `from_model_file` builds it): every answer is the
same. A folder is published whole (a temp folder renamed into place); a cache that cannot be
written or read (a read-only home, a damaged copy) leaves py3langid's own unpacking, as before.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import lzma
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_PREFIX = "py3langid-"  # the cache folders' names: this prefix and the model file's digest
_STALE = 3600.0  # seconds after which a temp folder is a killed writer's, not one being written
# what py3langid's npz holds (py3langid/modelio.py save_model), in the order its identifier takes
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def identifier() -> Any:
    """py3langid's identifier with normalised probabilities, from the cached arrays when there are."""
    from py3langid import langid  # noqa: PLC0415  # numpy and the model: only when a language is needed

    source = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    folder = cache_root() / f"{_PREFIX}{_digest(source)[:16]}"
    try:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    except (OSError, ValueError):  # not there yet, or not readable: unpack it
        arrays = _unpack(source)
        _keep(arrays, folder)
    return _build(langid.LanguageIdentifier, arrays)


@functools.cache
def shared() -> Any:
    """`identifier()`, built once per process, on first use."""
    return identifier()


def cache_root() -> Path:
    """Where this package keeps what it can rebuild: $XDG_CACHE_HOME/storyscraper (~/.cache/...)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "storyscraper"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unpack(source: Path) -> dict[str, Any]:
    """The model's arrays, read as py3langid reads them (LZMA, then npz without pickles)."""
    with lzma.open(source) as packed, np.load(io.BytesIO(packed.read()), allow_pickle=False) as data:
        return {name: data[name] for name in _ARRAYS}


def _keep(arrays: dict[str, Any], folder: Path) -> None:
    """Leave the arrays uncompressed in `folder`, whole or not at all; a failure only costs speed.
    Temp folders a killed process left (older than `_STALE` seconds) are removed first."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        for left in folder.parent.glob(f".{_PREFIX}*-*"):
            if time.time() - left.stat().st_mtime > _STALE:
                shutil.rmtree(left, ignore_errors=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            for name, array in arrays.items():
                np.save(temp / f"{name}.npy", array, allow_pickle=False)
            temp.rename(folder)  # a folder another process published first stays: ours goes
        finally:
            shutil.rmtree(temp, ignore_errors=True)
    except OSError as exc:
        log.debug("the language model is not cached in %s: %s", folder, exc)


def _build(cls: Any, arrays: dict[str, Any]) -> Any:
    """The identifier as py3langid's `from_model_file` builds it from the same arrays."""
    return cls(
        np.asarray(arrays["ptc"]),
        np.asarray(arrays["pc"]),
        arrays["classes"].tolist(),
        np.ascontiguousarray(arrays["nextmove"]).data,  # indexed one state at a time, like array()
        arrays["out_feat"].tolist(),
        norm_probs=True,
        tk_row=np.ascontiguousarray(arrays["nextmove_row"]).data,
    )
