"""The corpus bench (bench/corpus.py) runs its systems in turn, round after round, and takes each
ratio to datatrove within a round: a load that drifts between rounds moves no ratio."""

from __future__ import annotations

import collections
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


def test_every_option_says_what_it_does() -> None:
    """`bench/corpus.py --help` printed `--pages PAGES` and `--out OUT` with no word on either;
    --metadata's help left out --against, which it also sets."""
    parser = corpus.arguments()
    assert all(action.help for action in parser._actions)
    assert "--against" in next(a.help or "" for a in parser._actions if "--metadata" in a.option_strings)


def test_a_function_is_charged_once_a_sample_and_the_modes_compared_line_by_line() -> None:
    """`--profile --versus`: a recursive call is one sample, not two; what a mode costs over the
    other is listed by function and by line, the costliest first."""
    walk, search = "scraper/dom.py:10:walk", "htmldate/core.py:790:find_date"
    full: collections.Counter[tuple[str, ...]] = collections.Counter(
        {
            (f"{walk}@12", f"{walk}@14", "pipeline.py:1:extract@5"): 2,
            (f"{search}@843", "pipeline.py:1:extract@9"): 2,
        }
    )
    stated: collections.Counter[tuple[str, ...]] = collections.Counter(
        {(f"{walk}@12", "pipeline.py:1:extract@5"): 4}
    )
    mine, other = corpus.inclusive(full, 40.0), corpus.inclusive(stated, 20.0)
    assert mine[walk] == pytest.approx(20.0)  # 2 samples of 4, recursion or not
    assert mine[f"{walk}@12"] == mine[f"{walk}@14"] == pytest.approx(20.0)
    assert mine["pipeline.py:1:extract"] == pytest.approx(40.0)
    assert other[walk] == pytest.approx(20.0)
    ranked = corpus.costlier(mine, other)
    assert ranked[0][1] == pytest.approx(20.0)
    assert {key for key, more in ranked if more == pytest.approx(20.0)} == {
        search,
        f"{search}@843",
        "pipeline.py:1:extract",
        "pipeline.py:1:extract@9",
        f"{walk}@14",
    }
    assert dict(ranked)[walk] == pytest.approx(0.0)


def test_a_checkout_is_run_in_its_own_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each checkout's `scraper clean` runs in that checkout's folder: the extraction pool's
    forkserver imports from its working folder before PYTHONPATH, so a run started from another
    checkout's folder extracted with that other checkout's code."""
    folders: list[Path | None] = []

    def measure(
        command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> dict[str, Any]:
        folders.append(cwd)
        return {}

    monkeypatch.setattr(corpus, "measure", measure)
    other = tmp_path / "before"
    corpus.ours(tmp_path / "warc", tmp_path / "out", "--metadata", "full", tree=other)
    corpus.ours(tmp_path / "warc", tmp_path / "out")
    assert folders == [other.resolve(), corpus.REPO]
