"""Run one command, bounded in time, and record its wall time and the memory of its process tree.

Peak memory comes from three places, because no single one tells the whole story:

- `main_peak_mb`: VmHWM of the command's own process, polled (the high-water mark the kernel
  keeps, so a short spike between two polls is not missed, only the very end of the run);
- `tree_peak_mb` / `tree_pss_peak_mb`: the largest sum over the process and all its
  descendants (extraction workers, a forkserver) seen at one poll, as RSS and as PSS (RSS
  counts pages shared between forked workers once per process; PSS splits them);
- `max_single_mb`: ru_maxrss from wait4(), exact: the largest of the process and the
  children it reaped.

Linux only (/proc); elsewhere the tree figures are None.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Measured:
    returncode: int
    wall_s: float
    started: float  # time.monotonic() at launch and at exit: CLOCK_MONOTONIC is system-wide on
    ended: float  # Linux, so these compare with the times the site server records
    timed_out: bool
    main_peak_mb: float | None
    tree_peak_mb: float | None
    tree_pss_peak_mb: float | None
    max_single_mb: float
    cpu_s: float  # user + system time of the process and the children it reaped (wait4)
    tree_cpu_s: float | None  # the same summed over every process of the tree, as last polled
    max_processes: int
    stdout: str
    stderr: str


def _status_kb(pid: int, *fields: str) -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in fields:
                    found[name] = int(value.split()[0])
    except (OSError, ValueError):
        pass  # the process ended between listing and reading: it no longer counts
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # fields after the parenthesised command name; utime and stime are the 12th and 13th
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return 0


def _tree(pid: int) -> list[int]:
    """`pid` and its live descendants, through /proc/PID/task/TID/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    todo.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def run(
    cmd: list[str],
    *,
    timeout: float,
    log_dir: Path,
    interval: float = 0.1,
    pss: bool = False,
    cwd: Path | None = None,
) -> Measured:
    """Run `cmd` to its end (killing its whole session after `timeout` seconds)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / "stdout.txt", log_dir / "stderr.txt"
    has_proc = Path("/proc/self/status").exists()
    main_peak = tree_peak = pss_peak = 0
    processes = 0
    ticks: dict[int, int] = {}  # last CPU time seen per process: workers are not ours to reap
    timed_out = False
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.monotonic()
        # its own session, so a timeout can end the workers it started along with it
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if has_proc:
                tree = _tree(proc.pid)
                processes = max(processes, len(tree))
                sizes = [_status_kb(p, "VmRSS", "VmHWM") for p in tree]
                main_peak = max(main_peak, sizes[0].get("VmHWM", 0))
                tree_peak = max(tree_peak, sum(s.get("VmRSS", 0) for s in sizes))
                ticks.update((p, _cpu_ticks(p)) for p in tree)
                if pss:
                    pss_peak = max(pss_peak, sum(_pss_kb(p) for p in tree))
            if not timed_out and time.monotonic() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(interval)
        ended = time.monotonic()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by Popen

    def mb(kb: int) -> float | None:
        return kb / 1024 if has_proc and kb else None

    return Measured(
        returncode=proc.returncode,
        wall_s=ended - started,
        started=started,
        ended=ended,
        timed_out=timed_out,
        main_peak_mb=mb(main_peak),
        tree_peak_mb=mb(tree_peak),
        tree_pss_peak_mb=mb(pss_peak) if pss else None,
        max_single_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        cpu_s=usage.ru_utime + usage.ru_stime,
        tree_cpu_s=sum(ticks.values()) / os.sysconf("SC_CLK_TCK") if has_proc else None,
        max_processes=processes,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )
