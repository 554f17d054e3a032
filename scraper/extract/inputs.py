"""What the two models read of a page's blocks: the block features each reads (blocks.py), and
columns of each block against its page (`relative`), computed here from the features of all the
page's blocks, at run time (model.py) and in training (bench/train.py) by the same function.

A block's own features say what it is; the page's features (its type, its teaser share) are the
same for every block of a page, and as model features they let the trees learn pages and sites
(docs/model.md, the tenth round's page shape). The relative columns say where the block stands
on its page: its length against the page's longest block, how far it is from the densest block of
prose (the story's likeliest paragraph) in blocks and in depth, whether it shares that block's
containers and tag, its link share and stop words against the page's, and how much of the page's
prose lies before it and around it. They are computed from the block features rounded to
float32, as bench/train.py's cache holds them, so the run-time columns are the trained ones to
the bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scraper.extract.blocks import (
    FEATURE_NAMES,
    FIRST_FEATURE_NAMES,
    FIRST_FEATURES,
    MAIN_FEATURE_NAMES,
    MAIN_FEATURES,
)

if TYPE_CHECKING:
    import numpy as np

# chosen on the site-grouped CV from twelve such columns (docs/model.md): the main model reads
# these five, the first model none (with them it kept or dropped the short texts of
# trafilatura-eval's snippets otherwise, -0.003 to -0.005 there)
RELATIVE_NAMES = (
    "rel:log_chars_to_longest",
    "rel:depth_to_densest",
    "rel:outer_like_densest",
    "rel:same_tag_as_densest",
    "rel:window_prose",
)
_AT = {name: i for i, name in enumerate(FEATURE_NAMES)}
_LOG_CHARS, _LINK_SHARE, _DEPTH = (_AT[n] for n in ("log_chars", "link_share", "depth"))
# the containers a block sits in: landmarks and its ancestors' class words
_CONTAINERS = [i for name, i in _AT.items() if name.startswith(("inside:", "outer_class:"))]
_TAGS = [i for name, i in _AT.items() if name.startswith("tag:")]
_WINDOW = 2  # blocks on each side of a block for the prose around it
# what each model reads, in the order of its matrix (`matrix`): its manifest names them
MAIN_NAMES = (*MAIN_FEATURE_NAMES, *RELATIVE_NAMES)
FIRST_NAMES = FIRST_FEATURE_NAMES


def matrix(features: Any, *, first: bool = False) -> np.ndarray:
    """What the main model (`first`: the cascade's first model) reads of a page's blocks, from their
    features (blocks, FEATURE_COUNT) in document order: (blocks, len(MAIN_NAMES or FIRST_NAMES))."""
    import numpy as np  # noqa: PLC0415  # imported on first use, as the model is

    found = np.asarray(features, dtype=np.float32).astype(np.float64).reshape(-1, len(FEATURE_NAMES))
    if first:
        return found[:, FIRST_FEATURES]
    return np.column_stack([found[:, MAIN_FEATURES], relative(found)])


def relative(features: Any) -> np.ndarray:
    """The `RELATIVE_NAMES` columns for a page's blocks, (blocks, len(RELATIVE_NAMES)), from their features
    (blocks, FEATURE_COUNT) in document order."""
    import numpy as np  # noqa: PLC0415

    f = np.asarray(features, dtype=np.float32).astype(np.float64)
    count = len(f)
    if not count:
        return np.zeros((0, len(RELATIVE_NAMES)))
    prose = np.expm1(f[:, _LOG_CHARS]) * (1.0 - f[:, _LINK_SHARE])  # its text but its links'
    densest = int(np.argmax(prose))
    containers = f[:, _CONTAINERS] > 0
    shared = (containers & containers[densest]).sum(axis=1)
    either = (containers | containers[densest]).sum(axis=1)
    tags = f[:, _TAGS]
    # the prose of the blocks from _WINDOW before each to _WINDOW after it
    order = np.arange(count)
    padded = np.concatenate([np.zeros(_WINDOW + 1), np.cumsum(prose), np.full(_WINDOW, prose.sum())])
    window = padded[order + 2 * _WINDOW + 1] - padded[order]
    return np.column_stack(
        [
            f[:, _LOG_CHARS] - f[:, _LOG_CHARS].max(),
            f[:, _DEPTH] - f[densest, _DEPTH],
            np.where(either > 0, shared / np.maximum(either, 1), 1.0),
            (tags == tags[densest]).all(axis=1).astype(np.float64),
            window / (window.max() or 1.0),
        ]
    )
