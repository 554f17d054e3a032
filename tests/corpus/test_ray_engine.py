"""`clean --engine ray` on a local Ray: the same shards, schema and resume as the local engine.

Needs the ray extra (`make test-ray` installs it); skipped when Ray is not installed.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.corpus import ray_engine
from tests.archives import Exchange, warc_bytes, write
from tests.corpus.test_folder import story

pytest.importorskip("ray")
# Ray warns about its own deprecated internals (use_push_based_shuffle): not ours to fix
pytestmark = [pytest.mark.ray, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _rows(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for shard in sorted(folder.glob("part-*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh]
    return rows


def test_ray_engine_writes_what_the_local_engine_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same inputs through --engine ray and the local engine give the same records and counts,
    with the archive cut into two Ray tasks (3 records, then the rest)."""
    monkeypatch.setattr(ray_engine, "SLICE", 3)
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"{n}.html").write_bytes(story(n))
    exchanges = [Exchange(f"https://a.example/{n}", story(10 + n)) for n in range(4)]
    write(pages / "c.warc.gz", warc_bytes(exchanges))
    runner = CliRunner()
    common = ["clean", str(pages), "--shard-size", "3", "--jobs", "2"]
    local = runner.invoke(cli, [*common, "-o", str(tmp_path / "local")])
    on_ray = runner.invoke(cli, [*common, "-o", str(tmp_path / "ray"), "--engine", "ray"])
    assert on_ray.exit_code == 0, on_ray.output
    assert on_ray.stdout == local.stdout  # the same summary
    strip = ("fetched_at",)
    mine = [{k: v for k, v in r.items() if k not in strip} for r in _rows(tmp_path / "local")]
    theirs = [{k: v for k, v in r.items() if k not in strip} for r in _rows(tmp_path / "ray")]
    assert theirs == mine
    assert len(theirs) == 7
    resumed = runner.invoke(cli, [*common, "-o", str(tmp_path / "ray"), "--engine", "ray", "--resume"])
    assert resumed.exit_code == 0 and len(_rows(tmp_path / "ray")) == 7
