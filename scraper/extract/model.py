"""The block model: which blocks of a page are its main content, learned from annotated pages.

    choose(blocks) -> list[Block] | None      None: keep trafilatura's own output

trafilatura proposes the main content; the model (gradient-boosted trees, LightGBM) reads each
block's features (blocks.py) and gives the probability that a reader would call it content. A
block is kept when the model is sure it is content (`KEEP`), dropped when it is sure it is not
(`DROP`), and left to trafilatura's verdict when the model is unsure. When that
changes nothing, trafilatura's text and Markdown are kept as they are.

The artifact (`block_model.txt.gz`, LightGBM's text format) ships inside the package and is
built by `make train` (bench/train.py); it is read once per process, on first use. Without it
(or with `use(None)`), `choose` always answers None and the pipeline is plain trafilatura.
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources
from typing import Any

from scraper.extract.blocks import FEATURE_COUNT, Block

ARTIFACT = "block_model.txt.gz"
# The model keeps a block at or above KEEP, drops one below DROP, and leaves the others to
# trafilatura: chosen by the site-grouped CV of bench/train.py (never on the frozen split).
KEEP, DROP = 0.7, 0.1
# A model that would drop more than this share of the text trafilatura kept is unsure of the whole
# page (a shape it has not seen, such as a thousand identical posts): trafilatura's output stands.
# On the CV it changes wcxb-dev by -0.001 and nothing else at three decimals.
MAX_DROPPED = 0.2
# A block trafilatura kept this much of counts as kept by trafilatura.
KEPT = 0.5

_UNSET: Any = object()
_chosen: Any = _UNSET  # a Booster set by `use` (the bench's per-fold models), or None: no model


def use(booster: Any) -> None:
    """Use this LightGBM Booster (None: no model) in this process instead of the shipped one."""
    global _chosen  # noqa: PLW0603  # one model per process, as the shipped one is
    _chosen = booster


@functools.cache
def _shipped() -> Any:
    """The packaged model, or None when the package was built without one."""
    artifact = resources.files("scraper.extract").joinpath(ARTIFACT)
    if not artifact.is_file():
        return None
    import lightgbm  # noqa: PLC0415  # imported on first use: a process that never extracts skips it

    booster = lightgbm.Booster(model_str=gzip.decompress(artifact.read_bytes()).decode("utf-8"))
    if booster.num_feature() != FEATURE_COUNT:
        return None  # an artifact from another feature set: retrain (make train)
    return booster


def _model() -> Any:
    return _shipped() if _chosen is _UNSET else _chosen


def available() -> bool:
    return _model() is not None


def probabilities(blocks: list[Block]) -> list[float]:
    """The model's probability that each block is main content."""
    import numpy as np  # noqa: PLC0415  # comes with lightgbm

    booster = _model()
    matrix = np.asarray([b.features for b in blocks], dtype=np.float64)
    return [float(p) for p in booster.predict(matrix, num_threads=1)]


def choose(blocks: list[Block]) -> list[Block] | None:
    """The blocks to keep, in document order; None when trafilatura's output should stand."""
    if not blocks or _model() is None:
        return None
    verdicts = decide(probabilities(blocks), [b.kept for b in blocks], [len(b.text) for b in blocks])
    return None if verdicts is None else [b for b, keep in zip(blocks, verdicts, strict=True) if keep]


def decide(probabilities: list[float], kept: list[float], sizes: list[int]) -> list[bool] | None:
    """Keep or drop each block; None when that is what trafilatura did, when nothing would be
    kept, or when the model would drop more than `MAX_DROPPED` of trafilatura's text."""
    verdicts = []
    changed = False
    kept_size = dropped_size = 0
    for p, share, size in zip(probabilities, kept, sizes, strict=True):
        by_trafilatura = share >= KEPT
        keep = True if p >= KEEP else False if p < DROP else by_trafilatura
        changed |= keep != by_trafilatura
        kept_size += size if by_trafilatura else 0
        dropped_size += size if by_trafilatura and not keep else 0
        verdicts.append(keep)
    if dropped_size > MAX_DROPPED * kept_size:
        return None
    return verdicts if changed and any(verdicts) else None


_MARKDOWN_PREFIX = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### ",
                    "li": "- ", "blockquote": "> ", "dt": "", "dd": ": "}  # fmt: skip


def markdown(blocks: list[Block]) -> str:
    """The kept blocks as Markdown: headings, list items, quotes and code kept apart."""
    parts = []
    for block in blocks:
        if block.tag == "pre":
            parts.append(f"```\n{block.text}\n```")
        else:
            parts.append(_MARKDOWN_PREFIX.get(block.tag, "") + block.text)
    return "\n\n".join(parts)
