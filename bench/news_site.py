"""A synthetic multi-host news site on loopback, served from its own process.

Not named `site.py`: with `bench/` first on `sys.path` that would shadow the stdlib `site`.

Every host is one asyncio HTTP/1.1 server (keep-alive, one response per request, each delayed
by `--delay` seconds) on its own loopback address, 127.0.0.1, 127.0.0.2, ...: Scrapy keys its
per-domain slots by hostname alone, so hosts told apart only by port would share one slot.
The pages are `news_pages.Site`'s; each host counts what it served (`HostStats`).

The parent drives the server over stdin/stdout, one JSON line per command: `stats`, `reset`.
EOF on stdin (the parent is gone) or `--max-seconds` stops it, so it never outlives a bench.
`SiteProcess` is the parent's side of that conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from news_pages import SECTIONS, Corpus, Site

PREGENERATE_LIMIT = 50_000  # pages (~13 KB each) rendered at start; larger sites render on demand


@dataclass(slots=True)
class HostStats:
    """What one host served; times are `time.monotonic()` in the server process."""

    requests: dict[str, int] = field(default_factory=dict)
    bytes_sent: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    connections: int = 0
    first_request: float | None = None
    last_response: float | None = None
    last_arrival: float | None = None
    min_gap: float | None = None  # shortest time between two request arrivals
    arrivals: list[tuple[float, str]] = field(default_factory=list)  # (time, path): politeness check

    def arrived(self, now: float, path: str) -> None:
        if self.last_arrival is not None:
            gap = now - self.last_arrival
            self.min_gap = gap if self.min_gap is None else min(self.min_gap, gap)
        self.last_arrival = now
        self.arrivals.append((now, path))
        self.first_request = self.first_request if self.first_request is not None else now
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def to_json(self) -> dict[str, Any]:
        span = (
            self.last_response - self.first_request
            if self.first_request is not None and self.last_response is not None
            else None
        )
        return {
            "requests": dict(self.requests),
            "bytes_sent": self.bytes_sent,
            "max_in_flight": self.max_in_flight,
            "connections": self.connections,
            "span_s": span,
            "first_request": self.first_request,
            "last_response": self.last_response,
            "min_gap_s": self.min_gap,
            "arrivals": self.arrivals,
        }


class HostServer:
    """One host: a keep-alive HTTP/1.1 server that delays each response by `delay` seconds."""

    def __init__(self, site: Site, delay: float) -> None:
        self.site = site
        self.delay = delay
        self.stats = HostStats()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            while await self._one_request(reader, writer):
                pass
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # the client closed the connection, as keep-alive clients do at the end
        except asyncio.CancelledError:
            # the server is shutting down: end quietly (3.11's StreamReaderProtocol would
            # otherwise print the cancellation of every open keep-alive connection)
            pass
        finally:
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        stats = self.stats
        now = time.monotonic()
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, version = [*request_line.split(" ", 2), "", ""][:3]
        stats.arrived(now, target)
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)
        }
        if headers.get("content-length", "0").isdigit() and int(headers.get("content-length", "0")):
            await reader.readexactly(int(headers["content-length"]))
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        await asyncio.sleep(self.delay)
        status, ctype, body, kind = self.site.respond(target)
        stats.requests[kind] = stats.requests.get(kind, 0) + 1
        reason = "OK" if status == 200 else "Not Found"
        head_out = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
        ).encode()
        writer.write(head_out if method == "HEAD" else head_out + body)
        await writer.drain()
        stats.bytes_sent += len(body)
        stats.in_flight -= 1
        stats.last_response = time.monotonic()
        return keep_alive


async def _control(servers: list[HostServer]) -> None:
    """Answer `stats` / `reset` lines from the parent until stdin closes."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        if line == "reset":
            for server in servers:
                server.stats = HostStats()
            answer: object = "ok"
        elif line == "stats":
            answer = {server.site.base: server.stats.to_json() for server in servers}
        else:
            answer = {"error": f"unknown command {line!r}"}
        print(json.dumps(answer), flush=True)


async def serve(hosts: int, pages: int, delay: float, *, archive: bool, max_seconds: float) -> None:
    corpus = Corpus.build()
    servers: list[HostServer] = []
    listening: list[asyncio.Server] = []
    for index in range(hosts):
        address = f"127.0.0.{index + 1}"
        # the handler is bound after the port is known: the site needs its own base URL
        holder: list[HostServer] = []

        async def handle(
            r: asyncio.StreamReader, w: asyncio.StreamWriter, h: list[HostServer] = holder
        ) -> None:
            await h[0].handle(r, w)

        server = await asyncio.start_server(handle, address, 0, backlog=512)
        port = server.sockets[0].getsockname()[1]
        site = Site(index, f"http://{address}:{port}", pages, corpus, archive=archive)
        if hosts * pages <= PREGENERATE_LIMIT:
            site.pregenerate()
        holder.append(HostServer(site, delay))
        servers.append(holder[0])
        listening.append(server)
    print(json.dumps({"hosts": [s.site.base + "/" for s in servers]}), flush=True)
    try:
        await asyncio.wait_for(_control(servers), timeout=max_seconds)
    except TimeoutError:
        pass
    finally:
        for server in listening:
            server.close()


class SiteProcess:
    """The parent's handle on a running site: start it, read its stats, stop it.

    `with SiteProcess(hosts=4, pages_per_host=1250) as site:` then `site.hosts` are the home
    page URLs. The server runs in its own interpreter so it never competes for our GIL.
    """

    def __init__(
        self, *, hosts: int, pages_per_host: int, delay: float = 0.05, archive: bool = False
    ) -> None:
        self.args = [
            f"--hosts={hosts}",
            f"--pages-per-host={pages_per_host}",
            f"--delay={delay}",
            *(["--archive"] if archive else []),
        ]
        self.hosts: list[str] = []
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> SiteProcess:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.hosts = list(self._ask_line()["hosts"])
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        self._proc.stdin.close()  # EOF: the server stops by itself
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per host base URL: requests by kind, bytes, peak concurrency, span, shortest gap."""
        return dict(self._command("stats"))

    def reset(self) -> None:
        self._command("reset")

    def _command(self, line: str) -> Any:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()
        return self._ask_line()

    def _ask_line(self) -> Any:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the site server exited (code {self._proc.poll()}); see its stderr above")
        return json.loads(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--pages-per-host", type=int, default=1250)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds before each response")
    parser.add_argument("--archive", action="store_true", help="serve /archive.html linking every page")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this long regardless")
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 250 or args.pages_per_host <= len(SECTIONS):
        parser.error("need 1..250 hosts and more pages per host than sections")
    asyncio.run(
        serve(args.hosts, args.pages_per_host, args.delay, archive=args.archive, max_seconds=args.max_seconds)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
