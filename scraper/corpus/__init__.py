"""Corpus stage: many inputs (files, folders, web archives, URLs) through extraction, in order,
into stdout or a corpus folder of shards; locally or on Ray.

    sources.py     inputs: files, folders, input lists, URL maps, stdin; a page from bytes
    warc.py        WARC/ARC records in (reading, resync), the crawl's archive out
    batch.py       the local engine: inputs through the extraction workers, streamed, in order
    ray_engine.py  the Ray engine: archive slices and files as Ray tasks
    folder.py      `clean -o`: the keep/drop verdict, counts, the error log, the run summary
    dedup.py       exact and MinHash near-duplicates, languages
    shards.py      shards, the manifest, completion markers, resume
    export.py      the writer of each output format; Parquet
    writers.py     text, markdown, json, jsonl, csv, xml, TEI and html: one stream, or a file each
    atomic.py      files that appear whole or not at all

Other stages import from here; the modules inside are private to the stage.
"""
