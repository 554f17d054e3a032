"""Record reads of `clean --engine ray` for one web archive: the driver's planning pass and every
task's reading, counted where warc.py turns a parsed record into a page or a skip.

    .venv/bin/python bench/archive_reads.py --records 2000

No Ray is needed: the slicing (`ray_engine._tasks`) and each task's work (`ray_engine._pages`)
are plain functions, run here one after the other. The archive's records are images, so nothing
is extracted and the count is the reading alone. Tasks that each read their archive from the
first record cost about N + N²/(2 SLICE) reads; tasks that seek to their first record, 2N.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.config import Settings
from scraper.corpus import ray_engine, warc
from scraper.corpus.batch import CleanOptions
from scraper.corpus.sources import Input


def _archive(path: Path, records: int) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(records):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            body = b"\x89PNG"
            writer.write_record(
                writer.create_warc_record(
                    f"https://a.example/{n}.png",
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                )
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    records = parser.parse_args().records
    reads = 0
    parse = warc._response

    def counted(record: Any, source: str, max_bytes: int) -> warc.ArchivedResponse | warc.ArchiveSkip:
        nonlocal reads
        reads += 1
        return parse(record, source, max_bytes)

    warc._response = counted  # counting, not changing, each record's parse
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "a.warc.gz"
        _archive(archive, records)
        rows = ray_engine._tasks([Input(str(archive), "archive")], settings, CleanOptions())
        planned = reads
        for row in rows:
            for _out in ray_engine._pages(row, settings=settings, url=None, url_map={}, explained=False):
                pass
    print(
        f"{records} records, {len(rows)} tasks of {ray_engine.SLICE}: {reads} record reads "
        f"(driver {planned}, tasks {reads - planned}), {reads / records:.2f} per record"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
