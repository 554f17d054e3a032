"""`clean --engine ray` on a local Ray: the same shards, schema and resume as the local engine.

Needs the ray extra (`make test-ray` installs it); skipped when Ray is not installed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
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


def test_relative_inputs_are_read_by_workers_started_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs named relative to this directory are read by Ray workers whose working directory is
    another (the Ray was started before the chdir): every page is cleaned, named as given."""
    import ray  # noqa: PLC0415  # the ray extra, checked by importorskip above

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    monkeypatch.chdir(tmp_path)
    Path("pages").mkdir()
    for n in range(3):
        Path("pages", f"{n}.html").write_bytes(story(n))
    done = CliRunner().invoke(cli, ["clean", "pages", "-o", "out", "--engine", "ray", "--jobs", "2"])
    assert done.exit_code == 0, done.output
    assert len(_rows(tmp_path / "out")) == 3


def test_a_ray_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    """--ray-address to nothing: one stderr line naming the address, exit 2, no traceback."""
    page = tmp_path / "p.html"
    page.write_bytes(story(1))
    command = [sys.executable, "-m", "scraper", "clean", str(page), "-o", str(tmp_path / "out")]
    command += ["--engine", "ray", "--ray-address", "ray://127.0.0.1:1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("scraper: --ray-address: cannot connect to Ray at ray://127.0.0.1:1: ")
    assert len(done.stderr.splitlines()) == 1
