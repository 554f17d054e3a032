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

Beside it, `block_model.manifest.json` documents it (`manifest`): the artifact's digest, the
feature count, the objective, LightGBM's version and parameters as the artifact records them,
and whatever the training run adds (datasets and their digests, CV scores). An artifact that
does not match its manifest or the features of this code is not used, and a warning says why:
never a silent fall back to plain trafilatura.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
from importlib import resources
from typing import Any

from scraper.extract.blocks import FEATURE_COUNT, Block

ARTIFACT = "block_model.txt.gz"
MANIFEST = "block_model.manifest.json"
MANIFEST_FORMAT = 1
log = logging.getLogger(__name__)
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
    """The packaged model, or None (with a warning when there is an artifact that cannot be used)."""
    folder = resources.files("scraper.extract")
    artifact = folder.joinpath(ARTIFACT)
    if not artifact.is_file():
        return None
    data = artifact.read_bytes()
    described = folder.joinpath(MANIFEST)
    problem = mismatch(data, described.read_text(encoding="utf-8") if described.is_file() else None)
    if problem is not None:
        log.warning(
            "the block model is not used (plain trafilatura instead): %s; retrain: make train", problem
        )
        return None
    import lightgbm  # noqa: PLC0415  # imported on first use: a process that never extracts skips it

    return lightgbm.Booster(model_str=gzip.decompress(data).decode("utf-8"))


def manifest(data: bytes, **training: Any) -> dict[str, Any]:
    """The manifest of the artifact `data` (gzip of LightGBM's text format): what the artifact
    itself records, plus `training` (datasets, their digests, CV scores, ...) from its maker."""
    text = gzip.decompress(data).decode("utf-8")
    header = dict(line.split("=", 1) for line in text.split("\n\n", 1)[0].splitlines() if "=" in line)
    params = text.rsplit("parameters:", 1)[-1].split("end of parameters", 1)[0]
    parameters = dict(
        line.strip("[]").split(": ", 1)
        for line in params.splitlines()
        if line.startswith("[") and ": " in line
    )
    return {
        "format": MANIFEST_FORMAT,
        "artifact": ARTIFACT,
        "artifact_sha256": hashlib.sha256(data).hexdigest(),
        "feature_count": int(header["max_feature_idx"]) + 1,
        "objective": header.get("objective", ""),
        "num_class": int(header.get("num_class", "1")),
        "model_format": header.get("version", ""),
        "parameters": parameters,
        **training,
    }


def mismatch(data: bytes, manifest_text: str | None) -> str | None:
    """Why the artifact `data` may not be used with this code and its manifest, or None."""
    try:
        recorded = json.loads(manifest_text) if manifest_text is not None else None
    except ValueError as exc:
        return f"{MANIFEST} is not JSON ({exc})"
    if not isinstance(recorded, dict):
        return f"no {MANIFEST} beside {ARTIFACT}"
    if recorded.get("artifact_sha256") != hashlib.sha256(data).hexdigest():
        return f"{ARTIFACT} is not the artifact {MANIFEST} describes (another digest)"
    if recorded.get("feature_count") != FEATURE_COUNT:
        return f"it reads {recorded.get('feature_count')} features per block, this code makes {FEATURE_COUNT}"
    return None


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
