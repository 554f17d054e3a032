"""How many pages a second the news site itself can serve: the ceiling no crawler can beat.

A minimal keep-alive HTTP/1.1 client on raw asyncio streams (no parsing beyond the status
line and Content-Length), so the client costs as little as possible and what it measures is
the server. Each connection asks for page after page of its host for `seconds`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from news_pages import SECTIONS


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    seconds: float
    connections: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _connection(host: str, paths: list[str], deadline: float, offset: int) -> int:
    parts = urlsplit(host)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    done = 0
    try:
        while time.monotonic() < deadline:
            path = paths[(offset + done) % len(paths)]
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"{host}{path}: {head.splitlines()[0]!r}")
            done += 1
    finally:
        writer.close()
    return done


async def _load(hosts: list[str], per_host: int, seconds: float) -> LoadResult:
    # section fronts only: their paths are known without asking the server for links
    paths = ["/", *(f"/{name}/" for name in SECTIONS)]
    started = time.monotonic()
    deadline = started + seconds
    counts = await asyncio.gather(
        *(_connection(h, paths, deadline, k) for h in hosts for k in range(per_host))
    )
    return LoadResult(sum(counts), time.monotonic() - started, len(hosts) * per_host)


def measure(hosts: list[str], *, per_host: int, seconds: float) -> LoadResult:
    """Requests per second the site answered over `per_host` connections to each host."""
    return asyncio.run(_load(hosts, per_host, seconds))
