"""A real HTTP forward proxy on 127.0.0.1:0 for tests: CONNECT tunnels and absolute-URI requests.

Every request it is asked to forward is recorded (method, target, Proxy-Authorization), so a
test can assert that traffic went through it. With `credentials="user:password"` it answers
407 to requests without them, as a corporate proxy does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Forwarded:
    method: str
    target: str  # "http://host:port/path" or, for CONNECT, "host:port"
    proxy_authorization: str | None


class LocalProxy:
    """`with LocalProxy() as proxy:` serves on `proxy.url` in a background thread."""

    def __init__(self, *, credentials: str | None = None, via: str | None = None) -> None:
        self._via = via  # a Via header added to forwarded requests, so a server can tell them
        self.seen: list[Forwarded] = []
        self._expected = "Basic " + base64.b64encode(credentials.encode()).decode() if credentials else None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()  # every connection in or out, closed on exit
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalProxy:
        self._thread.start()
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        ).result(5)
        self._server = server
        self.port = server.sockets[0].getsockname()[1]
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            for writer in list(self._open):
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._open.add(writer)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._tasks.discard(task)
            await self._close(writer)

    async def _connect(self, host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(host, port)
        self._open.add(writer)
        return reader, writer

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        self._open.discard(writer)
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Forward one request; False when the client connection is done."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = [line for line in lines[1:] if line]
        auth = next(
            (h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("proxy-authorization:")),
            None,
        )
        self.seen.append(Forwarded(method, target, auth))
        if self._expected is not None and auth != self._expected:
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return True
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            up_reader, up_writer = await self._connect(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))
            await self._close(up_writer)
            return False
        parts = urlsplit(target)
        up_reader, up_writer = await self._connect(parts.hostname or "", parts.port or 80)
        path = parts.path or "/"
        kept = [h for h in headers if not h.lower().startswith(("proxy-", "connection:"))]
        request = f"{method} {path}{'?' + parts.query if parts.query else ''} {version}\r\n"
        if self._via is not None:
            kept.append(f"Via: {self._via}")
        request += "".join(h + "\r\n" for h in kept) + "Connection: close\r\n\r\n"
        up_writer.write(request.encode("latin-1"))
        await up_writer.drain()
        # the answer goes back as it comes, and the client connection closes with it
        await _copy(up_reader, writer)
        await self._close(up_writer)
        return False


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
