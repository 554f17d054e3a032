"""The workers' forkserver preload (scraper/extract/preload.py, preload_dates.py): what it leaves warm."""

from __future__ import annotations

import subprocess
import sys

# dateparser keeps one compiled word pattern per locale here, built on a locale's first test
_PATTERNS = "sum(len(v) for v in Dictionary._split_regex_cache.values())"


def _compiled_after(statement: str) -> int:
    code = f"{statement}\nfrom dateparser.languages.dictionary import Dictionary\nprint({_PATTERNS})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


def test_the_preload_compiles_dateparsers_locales_before_any_worker_forks() -> None:
    """Without it each worker paid about 1.4 CPU s the first time htmldate called dateparser."""
    assert _compiled_after("import htmldate") == 0  # nothing compiles them on import
    assert _compiled_after("import scraper.extract.preload") == 0  # the extractor alone does not
    assert _compiled_after("import scraper.extract.preload_dates") > 100  # every locale's, once


def test_the_preload_reads_both_block_models_before_any_worker_forks() -> None:
    """The cascade's first model too: a worker that built it on its first page spent 0.08 CPU s
    and kept a copy of its arrays of its own."""
    code = (
        "import scraper.extract.preload\n"
        "from scraper.extract import model\n"
        "read = model._load.cache_info().misses\n"
        "assert model.available() and model.first_available()\n"
        "print(model._load.cache_info().misses - read)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == "0"  # neither is read again


# a pool's worker, asked how many of dateparser's patterns it started with
_IN_A_WORKER = f"""
import sys
from scraper.config import ExtractSettings
from scraper.extract import ExtractionPool
where = "__import__('dateparser.languages.dictionary', fromlist=['_']).Dictionary"
count = "{_PATTERNS}".replace("Dictionary", where)
with ExtractionPool(1, ExtractSettings(metadata=sys.argv[1])) as pool:
    print(pool.submit("count", eval, count).result())
"""


def test_a_pool_compiles_dateparsers_locales_only_when_its_pages_are_searched_for_dates() -> None:
    """`metadata = "full"` workers start with dateparser's patterns; "markup" and "stated" workers,
    which never run htmldate, are spared the 2 CPU s of compiling them."""
    runs = {
        mode: subprocess.Popen([sys.executable, "-c", _IN_A_WORKER, mode], stdout=subprocess.PIPE, text=True)
        for mode in ("full", "markup", "stated")
    }
    counts = {mode: int(run.communicate(timeout=300)[0].split()[-1]) for mode, run in runs.items()}
    assert counts["stated"] == counts["markup"] == 0
    assert counts["full"] > 100
