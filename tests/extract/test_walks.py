"""The three walks over a fixture page give what they gave when recorded: the page signals, the
pre-pass removals and every block's tag, text and feature values (the shipped model is trained on
those values, so a faster walk must give them bit for bit).

After a change meant to alter them (a new feature, a new rule), record them again with
`.venv/bin/python -m tests.extract.test_walks` and commit tests/fixtures/walks/record.json
with the change.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.config import ExtractSettings
from scraper.errors import ScraperError
from scraper.extract.pipeline import Trace, extract
from scraper.models import FetchedPage

FIXTURES = Path(__file__).parent.parent / "fixtures"
RECORD = FIXTURES / "walks" / "record.json"
CASES = sorted(p.stem for p in (FIXTURES / "html").glob("*.html"))


def walks(case: str) -> dict[str, Any]:
    """What the walks computed on the fixture page `case`, exact feature values digested."""
    spec = json.loads((FIXTURES / "expected" / f"{case}.json").read_text(encoding="utf-8"))
    page = FetchedPage(
        source=f"{case}.html",
        url=spec["url"],
        final_url=spec["url"],
        status=200,
        content_type="text/html",
        body=(FIXTURES / "html" / f"{case}.html").read_bytes(),
        encoding=spec.get("encoding", "utf-8"),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    trace = Trace(collect_blocks=True)
    with contextlib.suppress(ScraperError):  # a junk page still has its signals
        extract(page, ExtractSettings(cascade=False), trace)  # every feature, trafilatura's kept ones too
    features = hashlib.sha256()
    for block in trace.blocks:
        features.update(struct.pack(f"<{len(block.features)}d", *block.features))
    return {
        "signals": json.loads(json.dumps(dataclasses.asdict(trace.signals), default=sorted))
        if trace.signals
        else None,
        "removals": [list(dataclasses.astuple(r)) for r in trace.removals],
        "blocks": [[b.tag, b.text] for b in trace.blocks],
        "features": features.hexdigest(),
    }


@pytest.mark.parametrize("case", CASES)
def test_walks_give_what_was_recorded(case: str) -> None:
    """Signals, removals, blocks and the exact feature values of a fixture page are as recorded."""
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    assert walks(case) == recorded[case]


if __name__ == "__main__":
    RECORD.write_text(
        json.dumps({case: walks(case) for case in CASES}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(f"recorded the walks of {len(CASES)} fixture pages in {RECORD}")
