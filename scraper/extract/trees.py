"""Gradient-boosted trees read from LightGBM's text model format and evaluated with numpy alone.

    trees = Trees.from_text(text)        # any model LightGBM writes (`Booster.model_to_string()`)
    trees.predict(matrix)                # (rows, features) -> (rows, classes), as Booster.predict

LightGBM is what trains the block model (bench/train.py); running it needs only this module, so
LightGBM (with scipy and its OpenMP runtime) is a training dependency, not a run-time one.

Every decision is LightGBM's own (its `tree.h`): a value within 1e-35 of zero is zero; a numerical
split sends a value to the left when it is at most the threshold, and a missing value (NaN, or zero
for a "zero as missing" split) the default way, a NaN counting as zero where NaN is not the split's
missing value; a categorical split sends the left way the integer categories in its bitset, and
NaN, negatives and other categories to the right. Linear leaves (`linear_tree`) add their
coefficients times the values (the plain leaf value when one of those is NaN). The trees' outputs
are summed in LightGBM's order, averaged for random forests, then transformed by the objective
(softmax, sigmoid, exp or nothing). The result agrees with LightGBM to the last bits of a double
(`exp` may round differently in its last bit); tests/extract/test_trees.py compares the two.

How it runs (QuickScorer, Lucchese et al., SIGIR 2015): every split of every tree is tested on
every row at once, in a few numpy operations over a (splits x rows) array. A split that sends a
row to the right rules out the leaves of its left subtree; with the leaves numbered left to right,
the leaf a row reaches in a tree is the leftmost one no right turn ruled out, found with bit masks.
No Python loop runs per tree, per row or per level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# LightGBM's kZeroThreshold: 1e-35 as a float, widened to a double
ZERO = float(np.float32(1e-35))
# decision_type bits (LightGBM tree.h): categorical, default left, missing type (none, zero, NaN)
_CATEGORICAL, _DEFAULT_LEFT = 1, 2
_MISSING_ZERO, _MISSING_NAN = 1, 2

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class _Tree:
    """One tree as the text gives it (children >= 0 are nodes, < 0 are leaves ~child)."""

    feature: list[int]
    threshold: list[float]
    decision: list[int]
    left: list[int]
    right: list[int]
    leaf_value: list[float]
    cat_boundaries: list[int]
    cat_words: list[int]
    leaf_features: list[list[int]] | None  # linear leaves: their features, coefficients, constant
    leaf_coeff: list[list[float]] | None
    leaf_const: list[float] | None


def _numbers(fields: dict[str, str], key: str, kind: type = float) -> list[Any]:
    return [kind(v) for v in fields.get(key, "").split()]


def _tree(fields: dict[str, str]) -> _Tree:
    linear = fields.get("is_linear", "0") == "1"
    leaves = int(fields["num_leaves"])
    leaf_features = leaf_coeff = leaf_const = None
    if linear:
        counts = _numbers(fields, "num_features", int)
        flat_features = _numbers(fields, "leaf_features", int)
        flat_coeff = _numbers(fields, "leaf_coeff")
        starts = np.cumsum([0, *counts]).tolist()
        leaf_features = [flat_features[starts[i] : starts[i + 1]] for i in range(leaves)]
        leaf_coeff = [flat_coeff[starts[i] : starts[i + 1]] for i in range(leaves)]
        leaf_const = _numbers(fields, "leaf_const")
    return _Tree(
        feature=_numbers(fields, "split_feature", int),
        threshold=_numbers(fields, "threshold"),
        decision=_numbers(fields, "decision_type", int),
        left=_numbers(fields, "left_child", int),
        right=_numbers(fields, "right_child", int),
        leaf_value=_numbers(fields, "leaf_value"),
        cat_boundaries=_numbers(fields, "cat_boundaries", int),
        cat_words=_numbers(fields, "cat_threshold", int),
        leaf_features=leaf_features,
        leaf_coeff=leaf_coeff,
        leaf_const=leaf_const,
    )


def _sections(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The header's fields and each tree's fields, from a model's text."""
    header: dict[str, str] = {}
    trees: list[dict[str, str]] = []
    current = header
    for line in text.splitlines():
        if line.startswith("Tree="):
            current = {}
            trees.append(current)
        elif line.startswith(("end of trees", "feature_importances:", "parameters:")):
            break
        elif line.strip():  # key=value, or a bare flag such as average_output
            key, _, value = line.partition("=")
            current[key] = value
    return header, trees


# LightGBM's objectives by what turns their raw scores into predictions
_TRANSFORMS = {
    "multiclass": "softmax",
    **dict.fromkeys(("binary", "multiclassova", "multiclass_ova", "ova", "ovr"), "sigmoid"),
    **dict.fromkeys(("cross_entropy", "xentropy"), "logistic"),
    **dict.fromkeys(("cross_entropy_lambda", "xentlambda"), "log1p_exp"),
    **dict.fromkeys(("poisson", "gamma", "tweedie"), "exp"),
    **dict.fromkeys(("regression", "regression_l2", "regression_l1", "huber", "fair", "quantile", "mape",
                     "lambdarank", "rank_xendcg", "custom", ""), "identity"),
}  # fmt: skip


def _transform(objective: str) -> tuple[str, float]:
    """How raw scores become predictions for this objective line ('binary sigmoid:1', ...)."""
    name, *options = objective.split() or [""]
    settings = dict(o.split(":", 1) for o in options if ":" in o)
    if name not in _TRANSFORMS:
        raise ValueError(f"a LightGBM model with objective {objective!r}: not one this evaluator knows")
    if name == "regression" and "sqrt" in options:
        return "square", 1.0
    if _TRANSFORMS[name] == "logistic":
        return "sigmoid", 1.0
    return _TRANSFORMS[name], float(settings.get("sigmoid", "1"))


class Trees:
    """A LightGBM model's trees, ready to predict with numpy."""

    def __init__(self, header: dict[str, str], trees: list[_Tree]) -> None:
        self.feature_count = int(header["max_feature_idx"]) + 1
        self.num_class = int(header.get("num_class", "1"))
        per_iteration = int(header.get("num_tree_per_iteration", str(self.num_class)))
        if not trees or len(trees) % per_iteration:
            raise ValueError(f"{len(trees)} trees do not make whole iterations of {per_iteration}")
        if any(f >= self.feature_count or f < 0 for t in trees for f in t.feature):
            raise ValueError("a split on a feature the model does not have")
        self._per_iteration = per_iteration
        self._average = "average_output" in header
        self._transform, self._sigmoid = _transform(header.get("objective", ""))
        self._build(trees)

    @classmethod
    def from_text(cls, text: str) -> Trees:
        """The model in LightGBM's text format (what `Booster.save_model` writes)."""
        header, fields = _sections(text)
        if header.get("version") not in {"v2", "v3", "v4"} or "max_feature_idx" not in header:
            raise ValueError("not a LightGBM text model (no 'version=v2..v4' and 'max_feature_idx' header)")
        return cls(header, [_tree(f) for f in fields])

    # -- the tables ------------------------------------------------------------------------------
    # Split j of tree t is (j, t); a tree with fewer splits is padded with splits that never go
    # right (threshold +inf), to whole bytes of eight. Leaves are numbered left to right (in
    # order), so a split's left subtree is a run of leaves, held as bits in words of 32.

    def _build(self, trees: list[_Tree]) -> None:
        count = len(trees)
        slots = -(-max(1, *(len(t.feature) for t in trees)) // 8) * 8
        self._words = (max(len(t.leaf_value) for t in trees) + 31) // 32
        # per split (j, t) at j * count + t: feature, threshold (its bits), kind, bitset start, length,
        # and the first and last place of the leaves left of it (none for a padding split)
        inf = int(np.float64(np.inf).view(np.int64))
        columns = [[0] * (slots * count), [inf] * (slots * count)] + [[0] * (slots * count) for _ in range(3)]
        first, last = [0] * (slots * count), [-1] * (slots * count)
        leaf_at = np.zeros((count, self._words * 32), dtype=np.intp)  # (tree, place) -> leaf number
        leaves = np.zeros(count, dtype=np.int64)
        words: list[int] = []
        first_leaf = 0
        for t, tree in enumerate(trees):
            order, spans = _in_order(tree)
            leaf_at[t, : len(order)] = np.asarray(order) + first_leaf
            leaves[t] = len(order)
            for j, feature in enumerate(tree.feature):
                at = j * count + t
                bitset = (0, 0)
                if tree.decision[j] & _CATEGORICAL:
                    bounds = tree.cat_boundaries[int(tree.threshold[j]) :][:2]
                    bitset = (len(words) + bounds[0], bounds[1] - bounds[0])
                threshold = int(np.float64(tree.threshold[j]).view(np.int64))
                for column, value in zip(
                    columns, (feature, threshold, tree.decision[j], *bitset), strict=True
                ):
                    column[at] = value
                first[at], last[at] = spans[tree.left[j]]
            words += tree.cat_words
            first_leaf += len(tree.leaf_value)
        shape = (self._words, slots, count)
        masks = _bits(np.asarray(first).reshape(slots, count), np.asarray(last).reshape(slots, count), shape)
        reachable = _bits(np.zeros(count, dtype=np.int64), leaves - 1, (self._words, count))
        self._reachable = reachable.T[:, None, :]  # (trees, 1, words): the leaves each tree has
        self._slots, self._count = slots, count
        self._tests(np.asarray(columns, dtype=np.int64), words)
        self._bytes(masks)
        self._leaf_at = leaf_at.ravel()
        # the exponent of 2**i is i + 127: the place of leaf i of tree t is t * words * 32 + i
        self._place_base = (np.arange(count, dtype=np.intp) * self._words * 32 - 127)[:, None]
        self._values = np.asarray([v for t in trees for v in t.leaf_value], dtype=np.float64)
        self._value_at = self._values.take(self._leaf_at)
        self._linear = _linear_leaves(trees)

    def _tests(self, splits: Ints, words: list[int]) -> None:
        """The distinct tests (a test repeated in other trees, the same feature, threshold and
        kind, is computed once per row: the block model has a fifth as many tests as splits), one
        row each, and which test each split asks."""
        unique, test_of = np.unique(splits.T, axis=0, return_inverse=True)
        self._test_of = test_of.ravel()
        self._feature = unique[:, 0].astype(np.intp)
        self._threshold = unique[:, 1:2].copy().view(np.float64)
        kinds = unique[:, 2:3]
        self._categorical = (kinds & _CATEGORICAL).astype(bool)
        self._default_left = (kinds & _DEFAULT_LEFT).astype(bool)
        self._missing_zero = ((kinds >> 2) & 3) == _MISSING_ZERO
        self._missing_nan = ((kinds >> 2) & 3) == _MISSING_NAN
        self._cat_start = unique[:, 3:4].astype(np.intp)
        self._cat_len = unique[:, 4:5].astype(np.intp)
        self._cat_words = np.asarray(words or [0], dtype=np.uint32)
        self._any_categorical = bool(self._categorical.any())
        self._any_missing_zero = bool(self._missing_zero.any())
        # each split's bit in its byte of turns (uint8: its multiplies are SIMD)
        self._bit = (1 << (np.arange(self._slots) % 8)).astype(np.uint8).repeat(self._count)[:, None]

    def _bytes(self, masks: npt.NDArray[np.uint32]) -> None:
        """For byte b of tree t's turns (splits 8b to 8b+7, a bit set for a right turn), row
        (b * trees + t) * 256 + byte of `_ruled_out`: the leaves those right turns rule out."""
        nbytes = self._slots // 8
        by_byte = masks.reshape(self._words, nbytes, 8, self._count).transpose(1, 3, 2, 0)  # b, t, bit, w
        table = np.zeros((nbytes, self._count, 256, self._words), dtype=np.uint32)
        for k in range(8):
            table |= ((np.arange(256, dtype=np.uint32) >> k) & 1)[:, None] * by_byte[:, :, None, k]
        self._ruled_out = table.reshape(-1, self._words)
        self._byte_base = (np.arange(nbytes * self._count, dtype=np.intp) * 256).reshape(
            nbytes, self._count, 1
        )

    # -- predicting ------------------------------------------------------------------------------

    def predict(self, matrix: Any) -> Floats:
        """Each row's prediction: (rows, classes) for several classes, (rows,) for one."""
        x = np.array(matrix, dtype=np.float64, ndmin=2)
        if x.ndim != 2 or x.shape[1] != self.feature_count:
            raise ValueError(f"rows of {x.shape[-1]} features for a model of {self.feature_count}")
        x[np.abs(x) <= ZERO] = 0.0  # LightGBM reads these as absent, that is zero
        raw = np.concatenate([self._raw(x[i : i + _CHUNK]) for i in range(0, x.shape[0], _CHUNK)])
        out = self._transformed(raw)
        return out if self.num_class > 1 else out[:, 0]

    def _raw(self, x: Floats) -> Floats:
        """The summed tree outputs (rows, classes)."""
        rows = x.shape[0]
        columns = np.ascontiguousarray(x.T)  # (features, rows): a feature's values side by side
        right = self._goes_right(columns.take(self._feature, axis=0), nan=bool(np.isnan(x).any()))
        # each test's answers shifted to each place in a byte (8 x tests, rows); split j of tree t
        # takes its test's row at place j % 8, into row (j // 8, j % 8, t): OR-ed, a byte of eight
        # splits' turns per tree and row
        turns = np.multiply(right.view(np.uint8).take(self._test_of, axis=0), self._bit)
        turns = np.bitwise_or.reduce(turns.reshape(-1, 8, self._count, rows), axis=1)  # (bytes, trees, rows)
        # each byte -> the leaves its right turns rule out
        ruled_out = np.bitwise_or.reduce(self._ruled_out.take(turns + self._byte_base, axis=0), axis=0)
        left = self._reachable & ~ruled_out  # (trees, rows, words): the leaves no right turn ruled out
        lowest = left & (~left + np.uint32(1))  # a power of two: its float exponent is its bit
        exponent = (lowest.astype(np.float32).view(np.int32) >> 23).astype(np.intp)
        if self._words > 1:  # the first word with a leaf left
            first = (left != 0).argmax(axis=-1)[..., None]
            exponent = np.take_along_axis(exponent + np.arange(self._words) * 32, first, axis=-1)
        place = exponent[..., 0] + self._place_base  # (trees, rows), into (trees x places)
        if self._linear is None:
            out = self._value_at.take(place)
        else:
            out = _linear_output(self._linear, self._values, self._leaf_at.take(place), columns)
        # tree after tree, as LightGBM adds them: a reduction over the first axis adds row by row
        summed: Floats = np.add.reduce(out.reshape(-1, self._per_iteration * rows), axis=0)
        total = summed.reshape(self._per_iteration, rows).T
        return total / (out.shape[0] // self._per_iteration) if self._average else total

    def _goes_right(self, value: Floats, *, nan: bool) -> npt.NDArray[np.bool_]:
        """Whether each test (rows of `value`) sends each row of the matrix (columns) to the right."""
        if not nan and not self._any_missing_zero and not self._any_categorical:
            return np.greater(value, self._threshold)
        is_nan = np.isnan(value)
        number = np.where(is_nan, 0.0, value)  # NaN is zero, unless NaN is the split's missing value
        missing = (self._missing_nan & is_nan) | (self._missing_zero & (number == 0.0))
        left = np.where(missing, self._default_left, number <= self._threshold)
        if self._any_categorical:
            left = np.where(self._categorical, self._in_category(value), left)
        return ~left

    def _in_category(self, value: Floats) -> npt.NDArray[np.bool_]:
        """Whether each value's category is in its split's bitset (NaN, negatives: never)."""
        with np.errstate(invalid="ignore"):
            whole = np.trunc(np.where(np.isnan(value), -1.0, value))  # C's cast to int truncates
            valid = (whole >= 0) & (whole < 2**31)
        category = np.where(valid, whole, 0).astype(np.int64)
        word = category >> 5
        valid &= word < self._cat_len
        index = np.where(valid, self._cat_start + word, 0)
        bit = (self._cat_words[index].astype(np.int64) >> (category & 31)) & 1
        found: npt.NDArray[np.bool_] = valid & (bit == 1)
        return found

    def _transformed(self, raw: Floats) -> Floats:
        if self._transform == "softmax":
            shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
            total = shifted[:, :1].copy()
            for k in range(1, shifted.shape[1]):  # class after class, as LightGBM adds them
                total += shifted[:, k : k + 1]
            return shifted / total  # type: ignore[no-any-return]
        if self._transform == "sigmoid":
            return 1.0 / (1.0 + np.exp(-self._sigmoid * raw))
        if self._transform == "log1p_exp":
            return np.log1p(np.exp(raw))
        if self._transform == "exp":
            return np.exp(raw)
        if self._transform == "square":
            return np.sign(raw) * raw * raw
        return raw


# Rows evaluated at once: bounds the (splits x rows) work arrays to a few MB for any page
_CHUNK = 128


def _in_order(tree: _Tree) -> tuple[list[int], dict[int, tuple[int, int]]]:
    """The tree's leaves from left to right, and for each child reference (>= 0 a split, < 0 the
    leaf ~ref) the first and last place of the leaves below it (a run: they are in order)."""
    if not tree.feature:
        return [0], {}
    order: list[int] = []
    spans: dict[int, tuple[int, int]] = {}
    stack = [(0, False)]
    while stack:  # left before right, a split after both its subtrees
        ref, done = stack.pop()
        if ref < 0:
            spans[ref] = (len(order), len(order))
            order.append(~ref)
        elif done:
            spans[ref] = (spans[tree.left[ref]][0], spans[tree.right[ref]][1])
        else:
            stack += [(ref, True), (tree.right[ref], False), (tree.left[ref], False)]
    return order, spans


def _bits(first: Ints, last: Ints, shape: tuple[int, ...]) -> npt.NDArray[np.uint32]:
    """Bit masks of the places first..last (none when last < first), in words of 32: `shape` is
    (words, *first.shape)."""
    out = np.zeros(shape, dtype=np.uint32)
    for w in range(shape[0]):
        low = np.clip(first - 32 * w, 0, 32).astype(np.uint64)
        high = np.clip(last + 1 - 32 * w, 0, 32).astype(np.uint64)
        ones = (np.uint64(1) << high) - (np.uint64(1) << low)  # bits low..high-1
        out[w] = np.where(high > low, ones, 0).astype(np.uint32)
    return out


Linear = tuple[Ints, Floats, Floats, npt.NDArray[np.bool_]]


def _linear_leaves(trees: list[_Tree]) -> Linear | None:
    """Linear leaves as padded arrays (feature, coefficient, constant, used), or None."""
    if not any(t.leaf_features is not None for t in trees):
        return None
    rows = [
        (feats, coeffs, const)
        for t in trees
        for feats, coeffs, const in zip(
            t.leaf_features or [[] for _ in t.leaf_value],
            t.leaf_coeff or [[] for _ in t.leaf_value],
            t.leaf_const or t.leaf_value,
            strict=True,
        )
    ]
    width = max(1, *(len(f) for f, _, _ in rows))
    features = np.zeros((len(rows), width), dtype=np.intp)
    coefficients = np.zeros((len(rows), width), dtype=np.float64)
    used = np.zeros((len(rows), width), dtype=bool)
    for i, (feats, coeffs, _) in enumerate(rows):
        features[i, : len(feats)] = feats
        coefficients[i, : len(coeffs)] = coeffs
        used[i, : len(feats)] = True
    constants = np.asarray([c for _, _, c in rows], dtype=np.float64)
    return features, coefficients, constants, used


def _linear_output(linear: Linear, values: Floats, leaf: Ints, columns: Floats) -> Floats:
    """Linear leaves' outputs (trees, rows): constant plus coefficients times values, one term
    after another as LightGBM adds them; the plain leaf value when one of those values is NaN."""
    features, coefficients, constants, used = linear
    rows = np.arange(columns.shape[1], dtype=np.intp)
    found = columns[features[leaf], rows[None, :, None]]  # (trees, rows, terms)
    nan = (np.isnan(found) & used[leaf]).any(axis=-1)
    out = constants[leaf].copy()
    for k in range(features.shape[1]):
        out += np.where(used[leaf][..., k], coefficients[leaf][..., k] * found[..., k], 0.0)
    return np.where(nan, values[leaf], out)
