"""The corpus bench (bench/corpus.py) runs its systems in turn, round after round, and takes each
ratio to datatrove within a round: a load that drifts between rounds moves no ratio."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the bench's own imports

import corpus
from splits import is_frozen


def test_each_system_runs_first_in_one_round_of_as_many() -> None:
    names = ["scraper", "scraper --metadata stated", "datatrove"]
    orders = [corpus.rotated(names, r) for r in range(3)]
    assert [order[0] for order in orders] == names
    assert all(sorted(order) == sorted(names) for order in orders)
    assert corpus.rotated(names, 3) == names


def test_a_ratio_is_taken_within_its_round_and_a_drifting_load_moves_none() -> None:
    """The second round ran at half speed for everyone (a loaded machine): the rates' medians
    move, the ratios stay 0.8 and 1.2 in every round."""
    rates = [
        {"scraper": 8.0, "scraper --metadata stated": 12.0, "datatrove": 10.0},
        {"scraper": 4.0, "scraper --metadata stated": 6.0, "datatrove": 5.0},
        {"scraper": 8.8, "scraper --metadata stated": 13.2, "datatrove": 11.0},
    ]
    summary = corpus.summarised(rates)
    assert summary["scraper"]["ratios"] == pytest.approx([0.8, 0.8, 0.8])
    assert summary["scraper"]["median_ratio"] == pytest.approx(0.8)
    assert summary["scraper --metadata stated"]["median_ratio"] == pytest.approx(1.2)
    assert summary["scraper"]["median_rate"] == pytest.approx(8.0)
    assert summary["datatrove"]["median_ratio"] == pytest.approx(1.0)


def test_a_system_is_run_by_its_flags_and_another_checkout_by_its_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[Any, ...]] = []

    def ours(
        warcs: Path, out: Path, *flags: str, tree: Path | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        calls.append((flags, tree))
        return {}, {}

    monkeypatch.setattr(corpus, "ours", ours)
    other = tmp_path / "before"
    corpus._runner(corpus.SYSTEMS["stated-fast"], tmp_path, other)(tmp_path / "o", tmp_path / "l")
    corpus._runner(corpus.SYSTEMS["default"], tmp_path, None)(tmp_path / "o", tmp_path / "l")
    corpus._runner(f"{other} --metadata full", tmp_path, other)(tmp_path / "o", tmp_path / "l")
    assert calls == [
        (("--metadata", "stated", "--fast"), None),
        ((), None),
        (("--metadata", "full"), other),
    ]


def test_the_sample_holds_no_frozen_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The bench scores its sample (F1 against the truth): a page of the final check's split is
    never in it."""
    rows = [{"id": str(n), "url": f"https://site{n}.org/story", "text": "words"} for n in range(40)]
    frozen = [row["id"] for row in rows if is_frozen(row)]
    assert frozen and len(frozen) < len(rows)  # both kinds among the hand-written pages
    for name in corpus.WITH_TEXT:
        (tmp_path / name).mkdir()
        (tmp_path / name / "truth.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    monkeypatch.setattr(corpus, "DATASETS", tmp_path)
    picked = corpus.sample(1000)
    assert len(picked) == len(corpus.WITH_TEXT) * (len(rows) - len(frozen))
    assert not {row["id"].split("/", 1)[1] for row in picked} & set(frozen)
