"""Who is tested on what: site groups, cross-validation folds and the frozen final-check split.

One module, read by the training (bench/train.py), the quality bench (bench/quality.py) and the
quality gate (bench/gate.py), so a page is in the same fold everywhere.

- A page's *site* is the registered domain of its URL (public-suffix aware, through `tld`, which
  courlan already depends on: `news.example.co.uk` and `www.example.co.uk` are one site), or its
  file id when it has no web URL (mozilla-readability, trafilatura-eval's `hard::` names).
- About a quarter of the sites of each dataset are *frozen*, chosen by a stable hash of the site:
  nothing is trained or tuned on them; they are scored once, apart, as the final check.
- The other sites fall into `FOLDS` folds, again by a hash of the site, so the pages of one site
  are never in both the training and the test part of a fold.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tld import get_fld

FOLDS = 5
FROZEN_SHARE = 0.25
FROZEN = -1  # the fold number of a frozen page


def site_of(row: dict[str, Any]) -> str:
    """The registered domain of the page's URL, or `id:<file id>` when there is no web URL."""
    url = str(row.get("url") or "")
    if url.startswith(("http://", "https://")):
        domain = get_fld(url, fail_silently=True)
        if domain:
            return str(domain).lower()
    return f"id:{row['id']}"


def _unit(text: str) -> float:
    """A stable number in [0, 1) for a string: the same on every machine and Python version."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def fold_of(row: dict[str, Any]) -> int:
    """The page's fold, 0..FOLDS-1, or FROZEN for the final-check split."""
    site = site_of(row)
    if _unit(f"frozen:{site}") < FROZEN_SHARE:
        return FROZEN
    return int(_unit(f"fold:{site}") * FOLDS)


def is_frozen(row: dict[str, Any]) -> bool:
    return fold_of(row) == FROZEN


# -- the datasets -----------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"


@dataclass
class Dataset:
    name: str
    rows: list[dict[str, Any]]
    folder: Path

    def source(self, row: dict[str, Any]) -> Path:
        return self.folder / str(row["html_path"])


def load_datasets(names: list[str] | None = None, *, command: str = "bench") -> list[Dataset]:
    """The datasets of ../shared/datasets (all, or those named), or exit saying they are missing."""
    if not DATASETS.is_dir():
        sys.exit(
            f"{command}: the shared datasets are missing: expected {DATASETS}\n"
            "(they live next to the repository, in ../shared; see ../shared/datasets/README.md)"
        )
    found = sorted(p.name for p in DATASETS.iterdir() if (p / "truth.jsonl").is_file())
    unknown = sorted(set(names or ()) - set(found))
    if unknown:
        sys.exit(f"{command}: no such dataset in {DATASETS}: {', '.join(unknown)}")
    datasets = []
    for name in names or found:
        folder = DATASETS / name
        with open(folder / "truth.jsonl", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        datasets.append(Dataset(name, [r for r in rows if not r.get("exclude")], folder))
    return datasets
