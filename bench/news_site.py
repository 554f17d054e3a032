"""A synthetic multi-host news site on loopback, served from its own process.

Not named `site.py`: with `bench/` first on `sys.path` that would shadow the stdlib `site`.

Every host is one asyncio HTTP/1.1 server (keep-alive, one response per request, each delayed
by `--delay` seconds) on its own loopback address, 127.0.0.1, 127.0.0.2, ...: Scrapy keys its
per-domain slots by hostname alone, so hosts told apart only by port would share one slot.
Pages are generated from their id, so every crawler sees the same site:

    /                          home: nav, 20 teasers                 (page 0)
    /<section>/                section front: nav, teasers           (pages 1..6)
    /<section>/<id>-<slug>.html  article: nav, byline, paragraphs, related teasers, footer
    /archive.html              only with --archive: one link to every page of the host
    /robots.txt                allows all, names the sitemap
    /sitemap.xml               a sitemap index of /sitemap-<k>.xml, 10,000 URLs each

Page i links to i's children in a ternary tree (3i+1..3i+3: every page is reachable from the
home page) plus related pages picked from the id, about ten links besides the navigation.

The parent drives the server over stdin/stdout, one JSON line per command: `stats`, `reset`.
EOF on stdin (the parent is gone) or `--max-seconds` stops it, so it never outlives a bench.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any

SECTIONS = ("world", "business", "science", "culture", "sport", "opinion")
SITEMAP_CHUNK = 10_000
PREGENERATE_LIMIT = 50_000  # pages (~13 KB each) rendered at start; larger sites render on demand
_WORDS = (
    "council",
    "market",
    "river",
    "report",
    "budget",
    "minister",
    "season",
    "energy",
    "research",
    "harbour",
    "coalition",
    "festival",
    "museum",
    "league",
    "transport",
    "climate",
    "election",
    "station",
    "hospital",
    "university",
    "court",
    "village",
    "orchestra",
    "satellite",
    "treaty",
    "drought",
    "harvest",
    "bridge",
    "library",
    "airport",
    "vaccine",
    "strike",
    "tariff",
    "glacier",
    "protest",
    "pension",
    "stadium",
    "archive",
    "theatre",
    "census",
    "parliament",
    "ferry",
    "reservoir",
    "laboratory",
    "vineyard",
    "factory",
    "lighthouse",
    "tribunal",
    "carnival",
    "observatory",
)
_VERBS = (
    "announced",
    "confirmed",
    "rejected",
    "delayed",
    "approved",
    "questioned",
    "published",
    "expanded",
    "reviewed",
    "criticised",
    "welcomed",
    "postponed",
    "doubled",
    "funded",
    "revealed",
    "defended",
    "challenged",
    "restored",
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 18))]
    words.insert(rng.randint(2, 5), rng.choice(_VERBS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".......?")


@dataclass(frozen=True, slots=True)
class Corpus:
    """Sentences and headlines drawn once, so a page is assembled by indexing, not by sampling."""

    sentences: tuple[str, ...]
    headlines: tuple[str, ...]

    @classmethod
    def build(cls, seed: int = 7) -> Corpus:
        rng = random.Random(seed)
        sentences = tuple(_sentence(rng) for _ in range(2048))
        headlines = tuple(
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 8))).capitalize() for _ in range(1024)
        )
        return cls(sentences, headlines)


class Site:
    """The pages of one host, generated from their ids; `respond` maps a path to a response."""

    def __init__(self, index: int, base: str, pages: int, corpus: Corpus, *, archive: bool) -> None:
        self.index = index
        self.base = base  # "http://127.0.0.2:41234", no trailing slash
        self.pages = pages
        self.corpus = corpus
        self.archive = archive
        self._archive_page: bytes | None = None
        self._bodies: list[bytes] = []

    def pregenerate(self) -> None:
        """Render every page now, so serving one is a lookup and the server stays off the CPU.

        Done up front rather than cached on first request: a cache would make whichever
        crawler runs first pay for rendering and the later ones not.
        """
        self._bodies = [self.html(page).encode() for page in range(self.pages)]

    # -- addressing -------------------------------------------------------------------------
    def path(self, page: int) -> str:
        if page == 0:
            return "/"
        section = SECTIONS[page % len(SECTIONS)]
        if page <= len(SECTIONS):
            return f"/{SECTIONS[page - 1]}/"
        slug = "-".join(self.headline(page).lower().split()[:5])
        return f"/{section}/{page}-{slug}.html"

    def page_of(self, path: str) -> int | None:
        if path == "/":
            return 0
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == "" and parts[1] in SECTIONS:
            return SECTIONS.index(parts[1]) + 1
        if len(parts) == 3 and parts[1] in SECTIONS and parts[2].endswith(".html"):
            head = parts[2].split("-", 1)[0]
            if head.isdigit() and len(SECTIONS) < int(head) < self.pages and self.path(int(head)) == path:
                return int(head)
        return None

    def headline(self, page: int) -> str:
        return self.corpus.headlines[(page * 7919 + self.index * 104729) % len(self.corpus.headlines)]

    def links(self, page: int) -> list[int]:
        """Pages linked from the body of `page` (navigation aside): tree children, then related."""
        children = [c for c in range(3 * page + 1, 3 * page + 4) if c < self.pages]
        rng = random.Random(page * 31 + self.index)
        related = [rng.randrange(self.pages) for _ in range(7)]
        return list(dict.fromkeys(p for p in children + related if p != page))

    # -- responses --------------------------------------------------------------------------
    def respond(self, path: str) -> tuple[int, str, bytes, str]:
        """(status, content type, body, kind); `kind` is what the stats count it under."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/robots.txt":
            body = f"User-agent: *\nAllow: /\n\nSitemap: {self.base}/sitemap.xml\n"
            return 200, "text/plain; charset=utf-8", body.encode(), "robots"
        if path == "/sitemap.xml":
            return 200, "application/xml", self._sitemap_index(), "sitemap"
        if path.startswith("/sitemap-") and path.endswith(".xml") and path[9:-4].isdigit():
            chunk = int(path[9:-4])
            if chunk * SITEMAP_CHUNK < self.pages:
                return 200, "application/xml", self._sitemap(chunk), "sitemap"
        if path == "/archive.html" and self.archive:
            if self._archive_page is None:  # a few MB for 100,000 pages: built once
                self._archive_page = self._archive().encode()
            return 200, "text/html; charset=utf-8", self._archive_page, "archive"
        page = self.page_of(path)
        if page is None:
            return 404, "text/html; charset=utf-8", b"<!doctype html><title>Not found</title>", "not_found"
        html = self._bodies[page] if self._bodies else self.html(page).encode()
        return 200, "text/html; charset=utf-8", html, "page"

    def _sitemap_index(self) -> bytes:
        chunks = range((self.pages + SITEMAP_CHUNK - 1) // SITEMAP_CHUNK)
        entries = "".join(f"<sitemap><loc>{self.base}/sitemap-{k}.xml</loc></sitemap>" for k in chunks)
        xmlns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {xmlns}>{entries}</sitemapindex>'.encode()
        )

    def _sitemap(self, chunk: int) -> bytes:
        pages = range(chunk * SITEMAP_CHUNK, min(self.pages, (chunk + 1) * SITEMAP_CHUNK))
        entries = "\n".join(f"<url><loc>{self.base}{self.path(p)}</loc></url>" for p in pages)
        xmlns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {xmlns}>\n{entries}\n</urlset>'.encode()

    def _archive(self) -> str:
        items = "\n".join(
            f'<li><a href="{self.path(p)}">{self.headline(p)}</a></li>' for p in range(self.pages)
        )
        return self._frame("Archive", f"<main><h1>Archive</h1><ul>\n{items}\n</ul></main>")

    def html(self, page: int) -> str:
        if page == 0 or page <= len(SECTIONS):
            title = "Front page" if page == 0 else SECTIONS[page - 1].capitalize()
            count = 20 if page == 0 else 12
            teasers = [(page * 13 + k * 97) % self.pages for k in range(count)]
            archive = '<p><a href="/archive.html">All articles</a></p>' if self.archive and page == 0 else ""
            body = f"<main><h1>{title}</h1>{self._teasers(self.links(page) + teasers)}{archive}</main>"
            return self._frame(title, body)
        return self._frame(self.headline(page), self._article(page))

    def _article(self, page: int) -> str:
        s = self.corpus.sentences
        rng = random.Random(page * 7 + self.index * 1_000_003)
        paragraphs = "\n".join(
            "<p>" + " ".join(s[rng.randrange(len(s))] for _ in range(rng.randint(5, 8))) + "</p>"
            for _ in range(rng.randint(8, 12))
        )
        day = 1 + page % 28
        return (
            f'<main><article><header><h1>{escape(self.headline(page))}</h1>\n<p class="byline">By '
            f'<a rel="author" href="/">Alex Writer {page % 50}</a> · <time datetime="2025-03-{day:02d}">'
            f"March {day}, 2025</time></p></header>\n"
            '<div class="share">Share: <a href="#">Facebook</a> <a href="#">X</a>'
            ' <a href="#">Email</a></div>\n'
            f'<div class="article-body">\n{paragraphs}\n</div>\n'
            '<div class="author-box">Alex Writer covers local affairs. Follow for updates.</div>\n'
            f'</article><section class="related"><h2>Related articles</h2>{self._teasers(self.links(page))}'
            "</section></main>"
        )

    def _teasers(self, pages: list[int]) -> str:
        s = self.corpus.sentences
        items = "\n".join(
            f'<li><a href="{self.path(p)}">{escape(self.headline(p))}</a><p>{s[(p * 13) % len(s)]}</p></li>'
            for p in dict.fromkeys(pages)
        )
        return f'<ul class="teasers">\n{items}\n</ul>'

    def _frame(self, title: str, main: str) -> str:
        nav = "".join(f'<li><a href="/{name}/">{name.capitalize()}</a></li>' for name in SECTIONS)
        h, s = self.corpus.headlines, self.corpus.sentences
        most_read = "".join(
            f"<li><b>{escape(h[(self.index + k) % len(h)])}</b> {s[(self.index + k) % len(s)]}</li>"
            for k in range(10)
        )
        return (
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} – Bench '
            f'News {self.index}</title>\n<meta name="viewport" content="width=device-width">\n'
            '<link rel="stylesheet" href="/static/site.css"></head><body>\n'
            f'<header class="masthead"><a href="/">Bench News {self.index}</a><nav><ul><li><a href="/">Home'
            f"</a></li>{nav}</ul></nav></header>\n{main}\n"
            f'<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>\n'
            '<div class="newsletter">Get the morning briefing in your inbox.'
            ' <a href="mailto:news@example.org">Subscribe</a></div>\n'
            '<footer><p>© 2025 Bench News. All rights reserved.</p><p><a href="#top">'
            'Back to top</a> · Contact: <a href="mailto:desk@example.org">desk@example.org</a></p></footer>'
            "\n</body></html>\n"
        )


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

    def arrived(self, now: float) -> None:
        if self.last_arrival is not None:
            gap = now - self.last_arrival
            self.min_gap = gap if self.min_gap is None else min(self.min_gap, gap)
        self.last_arrival = now
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
        stats.arrived(time.monotonic())
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, version = [*request_line.split(" ", 2), "", ""][:3]
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
