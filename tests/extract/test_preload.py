"""The workers' forkserver preload (scraper/extract/preload.py): what it leaves warm."""

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
    assert _compiled_after("import scraper.extract.preload") > 100  # every locale's, once
