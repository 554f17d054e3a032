"""What stands in front of the service's routes: a bearer token, a body size limit, and a bound on
the requests in work. One ASGI middleware, so a request is refused before any route reads it.

    401   no `Authorization: Bearer TOKEN`, or another token (`WWW-Authenticate: Bearer`)
    413   a body longer than `max_request_bytes` (told by Content-Length, or counted as it comes)
    408   a body not all received within `body_timeout` seconds of the request (a client that sends
          its headers and then stalls would hold a slot of `max_concurrency` for ever: sixteen such
          connections made every other request a 503)
    503   `max_concurrency` requests already in work: `Retry-After: N`, try again then

Only the `/v1/` routes are guarded; `/healthz` and the OpenAPI docs are open (they tell nothing
of the pages). The token is compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Guard", "GuardLimits"]

GUARDED = "/v1/"


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardLimits:
    """The guard's settings; `token` None means no authentication (loopback only: the CLI checks)."""

    token: str | None
    max_request_bytes: int
    max_concurrency: int
    retry_after: int
    body_timeout: float = 60.0  # seconds for the whole body to arrive (twice 10 MiB at 3 Mbit/s)


class Guard:
    """ASGI middleware: authentication, then the concurrency bound, then the body, read whole and
    bounded, handed to the app as it came."""

    def __init__(self, app: ASGIApp, limits: GuardLimits) -> None:
        self._app = app
        self._limits = limits
        self._token = limits.token.encode() if limits.token is not None else None
        self.in_work = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(GUARDED):
            await self._app(scope, receive, send)
            return
        limits = self._limits
        given = _bearer(scope)  # never empty when it counts: an empty token would match no header
        if self._token is not None and not given:
            await _refuse(send, 401, "a bearer token is required", {"www-authenticate": "Bearer"})
            return
        if self._token is not None and not hmac.compare_digest(given, self._token):
            # RFC 6750 section 3.1: a token given but not taken is named as such
            challenge = {"www-authenticate": 'Bearer error="invalid_token"'}
            await _refuse(send, 401, "the bearer token is not this service's", challenge)
            return
        if self.in_work >= limits.max_concurrency:
            await _refuse(
                send,
                503,
                f"busy: {limits.max_concurrency} requests in work; retry after {limits.retry_after} s",
                {"retry-after": str(limits.retry_after)},
            )
            return
        self.in_work += 1
        try:
            try:
                async with asyncio.timeout(limits.body_timeout):
                    body = await _read_body(
                        receive, _header(scope, b"content-length"), limits.max_request_bytes
                    )
            except TimeoutError:
                await _refuse(send, 408, f"request body not received within {limits.body_timeout:g} s")
                return
            if body is None:
                await _refuse(send, 413, f"request body larger than {limits.max_request_bytes} bytes")
                return
            await self._app(scope, _replay(body, receive), send)
        finally:
            self.in_work -= 1


def _bearer(scope: Scope) -> bytes:
    """The token of an `Authorization: Bearer TOKEN` header (the scheme in any case, RFC 9110
    section 11.1), or b"" when the request carries no bearer token."""
    scheme, _, token = _header(scope, b"authorization").strip().partition(b" ")
    return token.strip() if scheme.lower() == b"bearer" else b""


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return b""


async def _read_body(receive: Receive, length: bytes, limit: int) -> bytes | None:
    """The request body, or None once it is known to be longer than `limit` (nothing more is read)."""
    if length.strip().isdigit() and int(length) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app the body read already, then waits on the client as before."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": reason}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(key.encode(), value.encode()) for key, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
