"""A real HTTP/1.1 server on 127.0.0.1:0 for integration tests.

Routes map a path to a `Route` (fixed response) or to a callable taking the request and
returning one. Every request is recorded, so tests can assert on headers that were sent.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


def closed_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago and that nobody listens on now: a dead server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when it arrived, to measure spacing


@dataclass
class Route:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0


Handler = Route | Callable[[Request], Route]


class QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (size limits, timeouts) are expected here, not errors."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class LocalServer:
    """Serve `routes` on an ephemeral loopback port in a background thread.

    `host` is the loopback address to listen on: 127.0.0.2 is another host for the SSRF guard.
    """

    def __init__(self, routes: dict[str, Handler] | None = None, *, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

            def do_HEAD(self) -> None:
                server._serve(self)

        self._httpd = QuietServer((host, 0), _Handler)
        self.host = host
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        port = self._httpd.server_address[1]
        return f"http://{self.host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        request = Request(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.requests.append(request)
        target = self.routes.get(path) or self.routes.get(handler.path)
        route = (
            Route(404, b"not found")
            if target is None
            else target
            if isinstance(target, Route)
            else target(request)
        )
        if route.delay:
            time.sleep(route.delay)
        body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
        try:
            handler.send_response(route.status)
            for name, value in route.headers.items():
                handler.send_header(name, value)
            if "content-length" not in {k.lower() for k in route.headers}:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size limit, timeout): that is what some tests check
