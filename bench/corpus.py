"""WARC corpus cleaning: `scraper clean` against datatrove (WarcReader + Trafilatura + JsonlWriter).

    make bench-corpus                                    # 600 pages, one core each, 3 rounds
    .venv/bin/python bench/corpus.py --pages 200 --systems default stated datatrove   # quicker
    .venv/bin/python bench/corpus.py --ray               # --engine ray: 2 workers against 1 (ray extra)

1. Builds WARC files (gzip per record, 100 responses a file) in a temporary folder from the CV
   pages of ../shared/datasets that have a text truth (wcxb-dev, mozilla-readability,
   cleaneval-dev; no frozen page, bench/splits.py, is read or scored): an evenly spread sample,
   each page a `response` record with its dataset's URL (or an invented one), the page's own
   bytes, and `WARC-Identified-Payload-Type: text/html` as Common Crawl
   writes it (without it datatrove's reader asks libmagic, which calls a page that starts with a
   newline JavaScript: it skipped 10 of 200 pages unread, each still counted in its pages per
   second). Nothing of them is kept or committed.
2. Runs each of these (`--systems`, by the names of SYSTEMS) in its own process group, all of
   them in turn on the same WARC files, for `--rounds` rounds (3), the first of a round rotating:
   - `scraper clean WARCS -o OUT --jobs 1 --no-dedup` (one extraction worker), the default;
   - the same in the corpus profile, `--metadata stated`: metadata only from what the page
     states (JSON-LD, meta tags, <title>, the URL), no htmldate or other whole-page search;
   - `--metadata markup`: the default's searches for a byline, title, categories and tags, and a
     date only where the markup states one (JSON-LD, meta tags, the URL, `<time>`): no htmldate;
   - the corpus profile with `--fast` too (trafilatura without its fallback extractors);
   - the default and the corpus profile with `--no-cascade`: trafilatura's extraction on every
     page, as before the block model's first pass (the cascade);
   - datatrove, a LocalPipelineExecutor with one task: WarcReader -> Trafilatura -> JsonlWriter
     (gzip JSON lines). Its Trafilatura calls `trafilatura.extract(html, favor_precision=True,
     include_comments=False, deduplicate=True)`: the text only, no metadata (so no htmldate),
     each page in a forked child under a time limit, here ours (`[extract] timeout`, 20 s)
     rather than its 1 s of wall time, which on a loaded machine drops pages for the load;
   - the same with `with_metadata=True`: the same extraction plus what our records hold besides
     the text (title, author, date, site name), trafilatura's header taken off the text to score it.
   Neither datatrove pipeline deduplicates, identifies the language or judges quality (ours
   identifies the language, types the page and judges it, hence `--no-dedup` only).
3. Measures, in every run, wall time, CPU seconds of the whole process tree (this process is the tree's
   subreaper: every descendant, short-lived ones included, is reaped here or by its parent, so
   the children's rusage holds them all), and peak RSS of the tree (summed over its processes,
   sampled every 50 ms); pages/s per core is pages over CPU seconds. Our runs' CPU is split by
   process too, from the same samples: the pool's forkserver (imports, models), its workers
   (the extraction), and the rest (the command's own process: reading the WARC files, judging,
   writing the shards; with what the samples missed of each process's last 50 ms). It reports
   each system's median pages per CPU second over the rounds and its ratio to datatrove within
   each round, with their median: a run takes a minute or more, and the load of the shared cores
   drifts over the table's runs (datatrove's own rate moved 42% between two runs of the table
   when the systems ran one after the other, once each); a round's runs share it.
4. Scores each system's first output (matched to pages by URL) with ../shared/tools/score.py, shingle F1, on
   the pages of the sample; a page a system did not output counts as empty.

It prints one table and writes bench/out/corpus.json.

`--pair ROUNDS` is `--rounds ROUNDS` of the corpus profile and datatrove alone (`--metadata
full`: the default metadata mode instead, as for `--split`). `--against TREE` adds to the systems
the `--metadata` mode of another checkout of scraper (its folder, put first on PYTHONPATH and run
in, as this checkout's runs are run in its own: `git worktree add` or `git archive | tar -x` a
commit): a change's before and after in one run.

`--split` runs none of that: it extracts the sample's pages in this one process (`--metadata
stated` unless asked otherwise, no Markdown or XML, as the corpus profile writes JSON lines),
each once unmeasured first, and prints the CPU ms a page by stage (`pipeline.Trace`) for the
pages the cascade's first model was sure of (trafilatura's extraction not run) and for the
others, with their share of the CPU.

`--profile` runs none of that: the pool worker's own call on each record of the sample
(`batch.clean_response`, with the worker's `settle` before each) in this one process after a
warm-up round, sampled on this process's CPU time (`ITIMER_PROF`, asked for every millisecond,
given at the kernel's tick, about every 4 ms here), and prints the CPU ms a page of the
functions that took the most, inclusive, stages and libraries alike (`--metadata` as above). A
profiler that times calls (cProfile) or samples wall time (py-spy) charges what the shared
cores' other processes take to whichever call waits then (cProfile charged 160 us to each
`time.process_time()` here, a 1.6 us call), and cProfile weighs Python's calls above C's work;
samples of CPU time do neither. A sample lands at the next bytecode after the timer fires, so
the end of a long C call (a page's trees freed as a function returns) goes to the line after it.
`--profile --metadata full --versus stated` cleans each record in both modes, their order
alternating record by record, and lists the functions and their lines by what the first mode
costs a page over the second: where the default's metadata goes.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import ctypes
import dataclasses
import gc
import gzip
import io
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from splits import is_frozen
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATASETS = SHARED / "datasets"
SCORER = SHARED / "tools" / "score.py"
WITH_TEXT = ("wcxb-dev", "mozilla-readability", "cleaneval-dev")
PER_FILE = 100

TIMEOUT = 20.0  # seconds a page may take: our `[extract] timeout`, given to datatrove too
# the systems the table interleaves, by the name --systems gives them: ours by the flags of
# `scraper clean` (the corpus profile is `--metadata stated`: metadata from what the page states,
# no whole-page search; `--metadata markup`: the default's searches but htmldate's for a date;
# `--fast`: trafilatura without its fallback extractors; `--no-cascade`: trafilatura's
# extraction on every page, the block model's first pass off), and datatrove's
SYSTEMS = {
    "default": "scraper",
    "markup": "scraper --metadata markup",
    "stated": "scraper --metadata stated",
    "stated-fast": "scraper --metadata stated --fast",
    "no-cascade": "scraper --no-cascade",
    "stated-no-cascade": "scraper --metadata stated --no-cascade",
    "datatrove": "datatrove",
    "datatrove-metadata": "datatrove, with_metadata",
}

DATATROVE = textwrap.dedent(
    """
    import sys
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    warcs, out, logs, timeout, metadata = sys.argv[1:6]
    extractor = Trafilatura(timeout=float(timeout), with_metadata=metadata == "metadata")
    LocalPipelineExecutor(
        pipeline=[WarcReader(warcs, glob_pattern="*.warc.gz"), extractor, JsonlWriter(out)],
        tasks=1,
        workers=1,
        logging_dir=logs,
    ).run()
    """
)
# trafilatura's metadata header before the text, with `with_metadata=True` and text output
_HEADER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def sample(pages: int) -> list[dict[str, Any]]:
    """An evenly spread sample of the CV pages with a text truth (never a frozen page: the
    final check's, splits.py), each with its bytes' path."""
    rows: list[dict[str, Any]] = []
    for name in WITH_TEXT:
        for line in (DATASETS / name / "truth.jsonl").read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("text") and not row.get("exclude") and not is_frozen(row):
                rows.append({**row, "dataset": name, "id": f"{name}/{row['id']}"})
    step = max(1, len(rows) // pages)
    return rows[::step][:pages]


def build_warcs(rows: list[dict[str, Any]], folder: Path) -> dict[str, str]:
    """Write the sample as WARC files in `folder`; returns URL -> page id."""
    by_url: dict[str, str] = {}
    for start in range(0, len(rows), PER_FILE):
        with open(folder / f"sample-{start // PER_FILE:04d}.warc.gz", "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for row in rows[start : start + PER_FILE]:
                raw = (DATASETS / row["dataset"] / row["html_path"]).read_bytes()
                body = gzip.decompress(raw) if row["html_path"].endswith(".gz") else raw
                url = f"https://{row['dataset']}.bench.invalid/{row['id'].split('/', 1)[1]}"
                by_url[url] = row["id"]
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Identified-Payload-Type": "text/html"},
                )
                writer.write_record(record)
    return by_url


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Run `command` (in folder `cwd`, default this one) in its own process group: wall seconds,
    CPU seconds of every process it started (children, forkserver workers, a sandbox restarted
    after a timeout), and peak RSS (MB) of the tree, summed over its processes, read from /proc
    every 50 ms. For a run with a forkserver (ours), `cpu_by_process` splits the CPU seconds
    (`_by_role`)."""
    _become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd
    )
    peak: list[int] = [0]
    seen: dict[int, _Seen] = {}

    def watch() -> None:
        while process.poll() is None:
            found = _group(process.pid)
            peak[0] = max(peak[0], sum(f.resident for f in found.values()))
            for pid, now in found.items():
                # its parent as first seen (an orphan's is this process, its reaper), and a
                # forkserver stays one (a zombie's command line reads empty)
                was = seen.get(pid, now)
                server = now.forkserver or was.forkserver
                seen[pid] = dataclasses.replace(now, parent=was.parent, forkserver=server)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, err = process.communicate()
    watcher.join()
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed ({process.returncode}): {err.decode()[-2000:]}")
    _reap_orphans(process.pid)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    figures: dict[str, Any] = {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak[0] / 1e6}
    if any(f.forkserver for f in seen.values()):
        figures["cpu_by_process"] = _by_role(process.pid, seen, cpu)
    return figures


@dataclasses.dataclass(frozen=True)
class _Seen:
    """A process of the measured tree as /proc last showed it."""

    resident: int  # bytes
    parent: int  # its parent's pid
    cpu_s: float  # user and system CPU seconds so far
    forkserver: bool  # multiprocessing's forkserver (whose forked workers keep its command line)


def _by_role(root: int, seen: dict[int, _Seen], cpu: float) -> dict[str, float]:
    """CPU seconds of a run with an extraction pool, by process: the forkserver (its imports and
    preloaded models), the workers it forked (the extraction), and the rest: the command's own
    process (reading the archives, judging, writing the shards) with the other short-lived
    processes and what /proc, read every 50 ms, did not show of any process's last moments
    (the exact total less the other two)."""
    servers = {pid for pid, f in seen.items() if f.forkserver and f.parent == root}
    server = sum(seen[pid].cpu_s for pid in servers)
    workers = sum(f.cpu_s for pid, f in seen.items() if f.parent in servers and pid not in servers)
    return {"forkserver": server, "workers": workers, "command and the rest": cpu - server - workers}


def _become_subreaper() -> None:
    """Make this process the reaper of its orphaned descendants (Linux `PR_SET_CHILD_SUBREAPER`):
    a forkserver or a worker that outlives its parent is then reaped here, and its CPU time
    counted in this process's children's rusage, instead of going to init uncounted."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # 36: PR_SET_CHILD_SUBREAPER
        sys.exit(f"cannot count the CPU of every process: prctl: {os.strerror(ctypes.get_errno())}")


def _reap_orphans(group: int, *, patience: float = 10.0) -> None:
    """Wait for the descendants left behind by the command (now ours), killing its process group
    after `patience` seconds (a stray worker is not ours to leave behind) and giving up after
    as long again (a daemon in a session of its own, as Ray starts them)."""
    killed = False
    deadline = time.monotonic() + patience
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        if time.monotonic() > deadline:
            if killed:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            killed, deadline = True, time.monotonic() + patience
        time.sleep(0.05)


def _group(group: int) -> dict[int, _Seen]:
    """Every process in process group `group`: its resident bytes, parent, CPU seconds so far
    and whether it is a forkserver."""
    found: dict[int, _Seen] = {}
    page, tick = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == group:  # pgrp
                forkserver = b"multiprocessing.forkserver" in (entry / "cmdline").read_bytes()
                cpu = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
                found[int(entry.name)] = _Seen(int(fields[21]) * page, int(fields[1]), cpu, forkserver)
        except (OSError, ValueError, IndexError):
            continue
    return found


def ours(
    warcs: Path, out: Path, *flags: str, tree: Path | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """`scraper clean` of this checkout, or of the one in folder `tree` (first on PYTHONPATH), run
    in that checkout's folder: the extraction pool's forkserver is a `python -c` (multiprocessing's),
    whose imports look in its working folder first, before PYTHONPATH (Python 3.11's forkserver is
    given the caller's sys.path and does not apply it), so it extracted with the scraper of the
    folder the bench was started in, whichever checkout `tree` named."""
    scraper = Path(sys.executable).parent / "scraper"
    command = [str(scraper), "clean", str(warcs), "-o", str(out), "--jobs", "1", "--no-dedup", *flags]
    env = None if tree is None else {**os.environ, "PYTHONPATH": str(tree.resolve())}
    figures = measure(command, env, cwd=REPO if tree is None else tree.resolve())
    texts: dict[str, str] = {}
    for shard in sorted(out.glob("part-*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                texts[record["url"]] = record["text"]
    return figures, texts


def theirs(warcs: Path, out: Path, logs: Path, *, metadata: bool) -> tuple[dict[str, Any], dict[str, str]]:
    mode = "metadata" if metadata else "text"
    figures = measure([sys.executable, "-c", DATATROVE, str(warcs), str(out), str(logs), str(TIMEOUT), mode])
    texts: dict[str, str] = {}
    for part in sorted(out.glob("*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                texts[record["metadata"]["url"]] = _HEADER.sub("", record["text"], count=1)
    stats = json.loads((logs / "stats.json").read_text())
    extractor = next(step["stats"] for step in stats if "EXTRAC" in step["name"])
    figures["timeouts"] = extractor.get("timeout", 0)
    return figures, texts


def score(
    rows: list[dict[str, Any]], texts: dict[str, str], by_url: dict[str, str], work: Path, name: str
) -> float:
    truth = work / f"truth-{name}.jsonl"
    truth.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "dataset"}) + "\n" for r in rows))
    predictions = work / f"pred-{name}.jsonl"
    predictions.write_text(
        "".join(
            json.dumps({"id": by_url[url], "text": text}) + "\n"
            for url, text in texts.items()
            if url in by_url
        )
    )
    summary = work / f"score-{name}.json"
    subprocess.run(
        [
            sys.executable,
            str(SCORER),
            "--truth",
            str(truth),
            "--pred",
            f"{name}={predictions}",
            "--protocol",
            "shingle",
            "--bootstrap",
            "0",
            "--json",
            str(summary),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return _f1(json.loads(summary.read_text()))


def _f1(summary: Any) -> float:
    """The F1 in score.py's JSON summary, wherever its layout keeps it."""
    if isinstance(summary, dict):
        for key in ("f1", "F1"):
            if isinstance(summary.get(key), int | float):
                return float(summary[key])
        for value in summary.values():
            found = _f1(value)
            if found >= 0:
                return found
    if isinstance(summary, list):
        for value in summary:
            found = _f1(value)
            if found >= 0:
                return found
    return -1.0


def arguments() -> argparse.ArgumentParser:
    """The bench's options, each with its help (`bench/corpus.py --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", type=int, default=600, help="CV pages, spread evenly over the datasets (default 600)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "out" / "corpus.json",
        help="where the table's figures are written as JSON (default bench/out/corpus.json)",
    )
    parser.add_argument("--ray", action="store_true", help="instead: --engine ray with 1 worker against 2")
    parser.add_argument("--split", action="store_true", help="instead: CPU by stage, sure and unsure pages")
    parser.add_argument(
        "--profile", type=int, nargs="?", const=40, metavar="TOP", help="instead: a worker, sampled"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the systems interleaved (default 3)")
    parser.add_argument(
        "--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS), help="the systems (default: all)"
    )
    parser.add_argument(
        "--pair", type=int, metavar="ROUNDS", help="the --metadata mode and datatrove alone, ROUNDS rounds"
    )
    parser.add_argument(
        "--against", type=Path, metavar="TREE", help="another checkout too, in the --metadata mode"
    )
    parser.add_argument(
        "--metadata",
        choices=("stated", "markup", "full"),
        default="stated",
        help="with --pair, --against, --split or --profile: the metadata mode (default: stated)",
    )
    parser.add_argument(
        "--versus",
        choices=("stated", "markup", "full"),
        help="with --profile: this metadata mode too, on the same records, and what --metadata costs over it",
    )
    return parser


def main() -> None:
    args = arguments().parse_args()
    if args.ray:
        ray_scaling(sample(args.pages))
        return
    if args.split:
        split_by_cascade(sample(args.pages), args.metadata)
        return
    if args.profile is not None:
        profile_worker(sample(args.pages), args.metadata, args.profile, args.versus)
        return
    rows = sample(args.pages)
    systems = [SYSTEMS[key] for key in args.systems]
    if args.pair:  # the shorthand: this checkout's mode and datatrove alone
        systems, args.rounds = [f"scraper --metadata {args.metadata}", "datatrove"], args.pair
    if args.against is not None:
        systems = [*systems, f"{args.against} --metadata {args.metadata}"]
    interleaved(rows, systems, args.rounds, args.out, against=args.against)


def rotated(names: list[str], round_: int) -> list[str]:
    """The order of round `round_` (from 0): the first of the names rotating round by round, so
    no system always runs first (on a cold cache) or right after another's load."""
    shift = round_ % len(names) if names else 0
    return names[shift:] + names[:shift]


def summarised(rates: list[dict[str, float]], base: str = "datatrove") -> dict[str, dict[str, Any]]:
    """Each system's pages per CPU second of each round (`rates`, one mapping a round): its median
    rate, and its ratio to `base`'s rate within each round (a round's runs share the machine's
    load of the moment) with their median. A ratio is only ever taken within a round."""
    summary: dict[str, dict[str, Any]] = {}
    for name in rates[0]:
        ratios = [round_[name] / round_[base] for round_ in rates]
        summary[name] = {
            "rates": [round_[name] for round_ in rates],
            "median_rate": statistics.median(round_[name] for round_ in rates),
            "ratios": ratios,
            "median_ratio": statistics.median(ratios),
        }
    return summary


def _runner(name: str, work: Path, against: Path | None) -> Callable[[Path, Path], Any]:
    """How to run the system `name` with its output in a folder and its logs in another."""
    warcs = work / "warc"
    if name.startswith("datatrove"):
        metadata = name == "datatrove, with_metadata"
        return lambda out, logs: theirs(warcs, out, logs, metadata=metadata)
    if against is not None and name.startswith(f"{against} "):  # the other checkout
        return lambda out, _logs: ours(warcs, out, *name[len(str(against)) :].split(), tree=against)
    return lambda out, _logs: ours(warcs, out, *name.split()[1:])


def interleaved(
    rows: list[dict[str, Any]], systems: list[str], rounds: int, path: Path, *, against: Path | None = None
) -> None:
    """Each of `systems` in turn on the same WARC files, for `rounds` rounds (`rotated`): the
    median of each system's pages per CPU second and its ratio to datatrove's within each round
    (`summarised`), so that a load drifting over the minutes a run takes on a shared machine is
    charged to every system of the round, not to whichever ran then. F1 is scored on the first
    round's output (each round writes the same). Prints one table and writes `path`."""
    if "datatrove" not in systems:
        systems = [*systems, "datatrove"]
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        work = Path(tmp)
        (work / "warc").mkdir()
        by_url = build_warcs(rows, work / "warc")
        size = sum(f.stat().st_size for f in (work / "warc").iterdir()) / 1e6
        print(f"{len(rows)} pages in {len(list((work / 'warc').iterdir()))} WARC files ({size:.0f} MB), "
              f"{len(systems)} systems interleaved for {rounds} round(s)", flush=True)  # fmt: skip
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in systems}
        rates: list[dict[str, float]] = []
        f1: dict[str, float] = {}
        for round_ in range(rounds):
            for name in rotated(systems, round_):
                index = systems.index(name)
                out, logs = work / f"out-{round_}-{index}", work / f"logs-{round_}-{index}"
                figures, texts = _runner(name, work, against)(out, logs)
                figures["pages_out"] = len(texts)
                figures["pages_per_cpu_s"] = len(rows) / figures["cpu_s"]
                if name not in f1:
                    f1[name] = score(rows, texts, by_url, work, f"s{index}")
                runs[name].append(figures)
            rates.append({name: runs[name][-1]["pages_per_cpu_s"] for name in systems})
            described = ", ".join(f"{name} {rate:.2f}" for name, rate in rates[-1].items())
            print(f"round {round_ + 1}, pages per CPU second: {described}", flush=True)
    summary = summarised(rates)
    print()
    print(f"| system | pages | pages/s per core (median of {rounds}) | vs datatrove (median) | "
          "vs datatrove by round | wall s (median) | peak RSS (MB) | shingle F1 |")  # fmt: skip
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for name in systems:
        s, walls = summary[name], [f["wall_s"] for f in runs[name]]
        by_round = ", ".join(f"{r:.2f}" for r in s["ratios"])
        peak = max(f["peak_rss_mb"] for f in runs[name])
        print(
            f"| {name} | {len(rows)} | {s['median_rate']:.2f} | {s['median_ratio']:.2f}x | {by_round} | "
            f"{statistics.median(walls):.0f} | {peak:.0f} | {f1[name]:.3f} |"
        )
    print()
    for name in systems:
        split = [f["cpu_by_process"] for f in runs[name] if "cpu_by_process" in f]
        if split:
            roles = ", ".join(f"{role} {statistics.median(s[role] for s in split):.1f}" for role in split[0])
            total = statistics.median(f["cpu_s"] for f in runs[name])
            print(f"{name}: CPU seconds by process (medians): {roles} (of {total:.1f})")
    path.parent.mkdir(parents=True, exist_ok=True)
    results = {name: {**summary[name], "f1": f1[name], "runs": runs[name]} for name in systems}
    path.write_text(json.dumps({"pages": len(rows), "rounds": rounds, "results": results}, indent=2) + "\n")


def split_by_cascade(rows: list[dict[str, Any]], metadata: str = "stated") -> None:
    """CPU ms a page by stage, in this process, for the pages the cascade was sure of and the rest."""
    from scraper.config import ExtractSettings  # noqa: PLC0415  # the extractor only for this mode
    from scraper.corpus.warc import ArchivedResponse, read_archive  # noqa: PLC0415
    from scraper.errors import ScraperError  # noqa: PLC0415
    from scraper.extract.pipeline import Trace, extract  # noqa: PLC0415

    settings = ExtractSettings(metadata=metadata, forms=frozenset())
    with tempfile.TemporaryDirectory(prefix="bench-split-") as tmp:
        build_warcs(rows, Path(tmp))
        pages = [
            record.page()
            for warc in sorted(Path(tmp).glob("*.warc.gz"))
            for record in read_archive(str(warc), max_bytes=50 * 2**20)
            if isinstance(record, ArchivedResponse)  # a response, not a skipped record
        ]

    def run(page: Any, trace: Any) -> None:
        with contextlib.suppress(ScraperError):  # a page without a story costs what it cost
            extract(page, settings, trace)

    for page in pages:  # warm-up, unmeasured: one-time costs are not the first pages'
        run(page, Trace())
    groups: dict[str, dict[str, float]] = {}
    for page in pages:
        trace = Trace()
        started = time.process_time()
        run(page, trace)
        spent = time.process_time() - started
        kind = "no blocks" if not trace.blocks else "sure" if trace.extractions == 0 else "unsure"
        group = groups.setdefault(kind, {"pages": 0, "bytes": 0, "total": 0.0})
        group["pages"] += 1
        group["bytes"] += len(page.body)
        group["total"] += spent
        for stage, seconds in trace.timings.items():
            group[stage] = group.get(stage, 0.0) + seconds
    total = sum(g["total"] for g in groups.values())
    mean = 1000 * total / len(pages)
    sizes = sorted(len(page.body) for page in pages)  # the CPU a page costs grows with its size
    print(f"{len(pages)} pages of {statistics.mean(sizes) / 1e3:.0f} KB on average (median "
          f"{statistics.median(sizes) / 1e3:.0f} KB), --metadata {metadata}, one process: "
          f"{mean:.1f} CPU ms a page")  # fmt: skip
    for kind, group in groups.items():
        count = group.pop("pages")
        kilobytes = group.pop("bytes") / count / 1e3
        stages = ", ".join(f"{stage} {1000 * seconds / count:.1f}" for stage, seconds in group.items())
        share = group["total"] / total
        print(f"  {kind}: {count} pages ({count / len(pages):.0%}, {kilobytes:.0f} KB on average), {stages}; "
              f"{share:.0%} of the CPU")  # fmt: skip


def profile_worker(
    rows: list[dict[str, Any]], metadata: str = "stated", top: int = 40, versus: str | None = None
) -> None:
    """CPU ms a page of the functions a pool worker spends the most in (inclusive), over the
    sample's records in this process, from samples of its CPU time. With `versus` (another
    metadata mode), each record is cleaned in both modes, their order alternating record by
    record, and the functions and lines are listed by what `metadata` costs a page over `versus`."""
    from scraper.config import ExtractSettings  # noqa: PLC0415  # the extractor only for this mode
    from scraper.corpus.batch import clean_response  # noqa: PLC0415
    from scraper.corpus.warc import ArchivedResponse, read_archive  # noqa: PLC0415
    from scraper.extract import preload  # noqa: PLC0415, F401  # what the forkserver loads
    from scraper.extract.worker import settle  # noqa: PLC0415

    modes = [metadata] if versus is None or versus == metadata else [metadata, versus]
    if "full" in modes:
        import scraper.extract.preload_dates  # noqa: PLC0415, F401

    settings = {mode: ExtractSettings(metadata=mode, forms=frozenset()) for mode in modes}
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        build_warcs(rows, Path(tmp))
        records = [
            record
            for warc in sorted(Path(tmp).glob("*.warc.gz"))
            for record in read_archive(str(warc), max_bytes=50 * 2**20)
            if isinstance(record, ArchivedResponse)
        ]
    for record in records:  # warm-up, unmeasured: the worker's one-time costs are not the pages'
        for mode in modes:
            clean_response(record, "sample", settings[mode], False)
    gc.collect()
    gc.freeze()
    samples: dict[str, collections.Counter[tuple[str, ...]]] = {mode: collections.Counter() for mode in modes}
    cpu = dict.fromkeys(modes, 0.0)
    running = [modes[0]]

    def sampled(_signal: int, frame: Any) -> None:
        stack = []
        while frame is not None:
            code = frame.f_code
            stack.append(f"{_short(code.co_filename)}:{code.co_firstlineno}:{code.co_name}@{frame.f_lineno}")
            frame = frame.f_back
        samples[running[0]][tuple(stack)] += 1

    before = signal.signal(signal.SIGPROF, sampled)
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
    try:
        for index, record in enumerate(records):
            for mode in modes[index % len(modes) :] + modes[: index % len(modes)]:
                running[0] = mode
                settle()
                started = time.process_time()
                clean_response(record, "sample", settings[mode], False)
                cpu[mode] += time.process_time() - started
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, before)
    costs = {mode: inclusive(samples[mode], 1000 * cpu[mode] / len(records)) for mode in modes}
    for mode in modes:
        mean = 1000 * cpu[mode] / len(records)
        print(f"{len(records)} records, --metadata {mode}, one process: {mean:.1f} CPU ms a page "
              f"({sum(samples[mode].values())} samples)")  # fmt: skip
    if len(modes) == 1:
        print("inclusive CPU ms a page and share:")
        mean = 1000 * cpu[metadata] / len(records)
        functions = {key: ms for key, ms in costs[metadata].items() if "@" not in key}
        for function, ms in sorted(functions.items(), key=lambda item: -item[1])[:top]:
            print(f"  {ms:6.2f} {ms / mean:6.1%}  {function}")
        return
    mine, other = costs[metadata], costs[modes[1]]
    print(f"inclusive CPU ms a page, by function and by line (@): {metadata} less {versus}, each alone")
    for key, more in costlier(mine, other)[:top]:
        print(f"  {more:6.2f} {mine.get(key, 0.0):6.2f} {other.get(key, 0.0):6.2f}  {key}")


def inclusive(samples: collections.Counter[tuple[str, ...]], mean: float) -> dict[str, float]:
    """CPU ms a page of each function and of each of its lines (a key with "@" and the line), in
    any frame of a sample's stack (frames "file:first line:function@line"), once a sample however
    deep it recurs; `mean`: the CPU ms a page the samples were taken over."""
    total = sum(samples.values())
    counts: collections.Counter[str] = collections.Counter()
    for stack, count in samples.items():
        keys = set(stack) | {frame.rsplit("@", 1)[0] for frame in stack}
        for key in keys:
            counts[key] += count
    return {key: mean * count / total for key, count in counts.items()} if total else {}


def costlier(mine: dict[str, float], other: dict[str, float]) -> list[tuple[str, float]]:
    """The functions and lines by what they cost a page in `mine` over `other`, most first."""
    keys = mine.keys() | other.keys()
    return sorted(
        ((key, mine.get(key, 0.0) - other.get(key, 0.0)) for key in keys), key=lambda item: -item[1]
    )


def _short(filename: str) -> str:
    """A code file's name from its package on (site-packages or this checkout's)."""
    for root in ("site-packages/", f"{REPO}/"):
        if root in filename:
            return filename.rsplit(root, 1)[1]
    return filename


def ray_scaling(rows: list[dict[str, Any]]) -> None:
    """`clean --engine ray` on a local Ray with 1 and with 2 workers: pages/s of the whole run,
    and of the run less Ray's start and stop (timed apart: a Python that starts a local Ray with
    as many CPUs and stops it)."""
    scraper = Path(sys.executable).parent / "scraper"
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        work = Path(tmp)
        (work / "warc").mkdir()
        build_warcs(rows, work / "warc")
        rates: dict[int, tuple[float, float]] = {}
        for workers in (1, 2):
            start = f"import ray; ray.init(num_cpus={workers}, include_dashboard=False); ray.shutdown()"
            overhead = measure([sys.executable, "-c", start])["wall_s"]
            out = work / f"out-{workers}"
            command = [str(scraper), "clean", str(work / "warc"), "-o", str(out), "--no-dedup"]
            figures = measure([*command, "--engine", "ray", "--jobs", str(workers)])
            wall = figures["wall_s"]
            rates[workers] = (len(rows) / wall, len(rows) / max(wall - overhead, 1e-9))
            print(
                f"ray, {workers} worker(s): {figures}, Ray start+stop {overhead:.1f} s; "
                f"{rates[workers][0]:.2f} pages/s, {rates[workers][1]:.2f} less start+stop"
            )
    print(
        f"2 workers / 1 worker: {rates[2][0] / rates[1][0]:.2f}x of the whole run, "
        f"{rates[2][1] / rates[1][1]:.2f}x less Ray's start+stop"
    )


if __name__ == "__main__":
    main()
