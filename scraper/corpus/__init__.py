"""Corpus stage: many inputs (files, folders, web archives, URLs) through extraction, in order,
into stdout or a corpus folder of shards; locally or on Ray.

    sources.py     inputs: files, folders, input lists, URL maps, stdin; a page from bytes
    warc.py        WARC/ARC records in (reading, resync), the crawl's archive out
    archiving.py   the crawl's fetcher that writes what it fetches to that archive
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

from typing import TYPE_CHECKING

from scraper._lazy import exports

if TYPE_CHECKING:
    from scraper.corpus.archiving import ArchivingFetcher as ArchivingFetcher
    from scraper.corpus.atomic import AtomicFile as AtomicFile
    from scraper.corpus.atomic import mapped as mapped
    from scraper.corpus.atomic import write_text_atomically as write_text_atomically
    from scraper.corpus.batch import (
        Cleaned as Cleaned,
    )
    from scraper.corpus.batch import (
        CleanOptions as CleanOptions,
    )
    from scraper.corpus.batch import (
        InputDone as InputDone,
    )
    from scraper.corpus.batch import (
        clean_stream as clean_stream,
    )
    from scraper.corpus.dedup import Hygiene as Hygiene
    from scraper.corpus.dedup import HygieneSettings as HygieneSettings
    from scraper.corpus.export import FORMATS as FORMATS
    from scraper.corpus.export import Writer as Writer
    from scraper.corpus.export import forms_needed as forms_needed
    from scraper.corpus.export import open_writer as open_writer
    from scraper.corpus.folder import (
        Engine as Engine,
    )
    from scraper.corpus.folder import (
        ErrorLog as ErrorLog,
    )
    from scraper.corpus.folder import (
        clean_to_folder as clean_to_folder,
    )
    from scraper.corpus.folder import (
        failed_count as failed_count,
    )
    from scraper.corpus.folder import (
        judge as judge,
    )
    from scraper.corpus.folder import (
        summary as summary,
    )
    from scraper.corpus.ray_engine import ray_stream as ray_stream
    from scraper.corpus.shards import SHARD_FORMATS as SHARD_FORMATS
    from scraper.corpus.shards import OutputDir as OutputDir
    from scraper.corpus.sources import (
        Input as Input,
    )
    from scraper.corpus.sources import (
        UrlMap as UrlMap,
    )
    from scraper.corpus.sources import (
        blank as blank,
    )
    from scraper.corpus.sources import (
        expand as expand,
    )
    from scraper.corpus.sources import (
        input_sizes as input_sizes,
    )
    from scraper.corpus.sources import (
        is_folder as is_folder,
    )
    from scraper.corpus.sources import (
        listed as listed,
    )
    from scraper.corpus.sources import (
        read_input_list as read_input_list,
    )
    from scraper.corpus.sources import (
        read_url_map as read_url_map,
    )
    from scraper.corpus.warc import WarcArchive as WarcArchive
    from scraper.corpus.writers import (
        FolderWriter as FolderWriter,
    )
    from scraper.corpus.writers import (
        StreamWriter as StreamWriter,
    )
    from scraper.corpus.writers import (
        TrafilaturaNames as TrafilaturaNames,
    )
    from scraper.corpus.writers import (
        render_markdown as render_markdown,
    )
    from scraper.corpus.writers import (
        text_format as text_format,
    )

_EXPORTS = {
    "AtomicFile": "scraper.corpus.atomic",
    "mapped": "scraper.corpus.atomic",
    "write_text_atomically": "scraper.corpus.atomic",
    "CleanOptions": "scraper.corpus.batch",
    "Cleaned": "scraper.corpus.batch",
    "InputDone": "scraper.corpus.batch",
    "clean_stream": "scraper.corpus.batch",
    "Hygiene": "scraper.corpus.dedup",
    "HygieneSettings": "scraper.corpus.dedup",
    "FORMATS": "scraper.corpus.export",
    "Writer": "scraper.corpus.export",
    "forms_needed": "scraper.corpus.export",
    "open_writer": "scraper.corpus.export",
    "Engine": "scraper.corpus.folder",
    "ErrorLog": "scraper.corpus.folder",
    "clean_to_folder": "scraper.corpus.folder",
    "failed_count": "scraper.corpus.folder",
    "judge": "scraper.corpus.folder",
    "summary": "scraper.corpus.folder",
    "ray_stream": "scraper.corpus.ray_engine",
    "SHARD_FORMATS": "scraper.corpus.shards",
    "OutputDir": "scraper.corpus.shards",
    "Input": "scraper.corpus.sources",
    "UrlMap": "scraper.corpus.sources",
    "blank": "scraper.corpus.sources",
    "expand": "scraper.corpus.sources",
    "input_sizes": "scraper.corpus.sources",
    "is_folder": "scraper.corpus.sources",
    "listed": "scraper.corpus.sources",
    "read_input_list": "scraper.corpus.sources",
    "read_url_map": "scraper.corpus.sources",
    "ArchivingFetcher": "scraper.corpus.archiving",
    "WarcArchive": "scraper.corpus.warc",
    "FolderWriter": "scraper.corpus.writers",
    "StreamWriter": "scraper.corpus.writers",
    "TrafilaturaNames": "scraper.corpus.writers",
    "render_markdown": "scraper.corpus.writers",
    "text_format": "scraper.corpus.writers",
}
__all__ = [
    "FORMATS",
    "SHARD_FORMATS",
    "ArchivingFetcher",
    "AtomicFile",
    "CleanOptions",
    "Cleaned",
    "Engine",
    "ErrorLog",
    "FolderWriter",
    "Hygiene",
    "HygieneSettings",
    "Input",
    "InputDone",
    "OutputDir",
    "StreamWriter",
    "TrafilaturaNames",
    "UrlMap",
    "WarcArchive",
    "Writer",
    "blank",
    "clean_stream",
    "clean_to_folder",
    "expand",
    "failed_count",
    "forms_needed",
    "input_sizes",
    "is_folder",
    "judge",
    "listed",
    "mapped",
    "open_writer",
    "ray_stream",
    "read_input_list",
    "read_url_map",
    "render_markdown",
    "summary",
    "text_format",
    "write_text_atomically",
]
if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = exports(__name__, _EXPORTS)
