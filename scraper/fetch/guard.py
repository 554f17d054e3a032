"""The SSRF guard: no connection to a loopback, private, link-local or reserved address unless asked.

A crawler follows what servers send it: links, redirects, `Sitemap:` lines and sitemap entries.
Without a guard, a public page redirecting to `http://169.254.169.254/` or `http://10.0.0.5/`
would make us fetch (and store) what only our own network can see.

The guard sits where connections are made: a network backend for httpcore that resolves the
host once, checks every address, and connects to a checked address itself, so a second DNS
answer cannot swap in another one (DNS rebinding). TLS still verifies and sends SNI for the
host name, and the Host header is unchanged: httpcore takes both from the request, not from
the address connected to. Every connection is checked: each redirect hop and each retry.

    trusted hosts   the hosts of the START_URLs and `[[sites]]` the user named, and the hosts or
                    networks of `[fetch] allow_private`: connected to whatever they resolve to.
                    A host is trusted on the port it was named with (a URL's, or `host:port`),
                    or on 80 and 443 when named bare: a start page redirecting to another
                    port of its machine reaches another service, and is refused like any other
    any other host  connected to public addresses only; a host with none is refused with
                    `BlockedAddress`, which the fetcher turns into that URL's failure

Through a proxy (`[fetch] proxy`), we connect to the proxy, which the user configured and so
is trusted whatever its address; the *target* is checked before the request is handed to it
(`GuardedProxy`): its host is resolved here and refused as above. The proxy resolves it again,
so the check there cannot pin the address as the backend does: a proxy is trusted to be the
user's own. Rendering (scraper/fetch/render.py) checks every request the browser makes with
the same `target_refusal`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore
import httpx

from scraper.urls import default_port

__all__ = [
    "AddressPolicy",
    "BlockedAddress",
    "GuardedBackend",
    "GuardedProxy",
    "address_kind",
    "guarded_transport",
    "target_refusal",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(Exception):  # raised inside httpcore; the fetcher maps it
    """A host resolved only to addresses the guard refuses."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped or 6to4 IPv6 address, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        return address.ipv4_mapped or address.sixtofour or address
    return address


def address_kind(address: IPAddress) -> str | None:
    """Why `address` is not a public one ("loopback", "private", ...), or None when it is."""
    address = _unwrap(address)
    for kind, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        # IPv6 site-local (fec0::/10, RFC 3879): deprecated, yet routed inside networks that kept
        # it, and "global" to the ipaddress module, so a page's redirect to [fec0::1] was followed
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    ):
        if flag:
            return kind
    return None


def _host_name(host_or_url: str) -> str:
    """ "https://Example.com:8080/x" or "Example.com" -> "example.com"; IPv6 without brackets."""
    try:
        name = (urlsplit(host_or_url).hostname or "") if "://" in host_or_url else host_or_url
    except ValueError:  # "http://[::1/": names no host
        return ""
    return name.strip().strip("[]").rstrip(".").lower()


_BARE_PORTS = (80, 443)  # the ports of a host named without one


def _host_ports(entry: str) -> list[tuple[str, int]]:
    """The (host, port) pairs a URL, `host:port` or bare host name stands for; [] for none."""
    try:
        parts = urlsplit(entry if "://" in entry else f"//{entry.strip()}")
        port = parts.port
    except ValueError:  # "http://[::1/", a port out of range: names nothing
        return []
    name = _host_name(parts.hostname or "")
    if not name:
        return []
    if port is not None:
        return [(name, port)]
    default = default_port(parts.scheme)
    return [(name, default)] if default is not None else [(name, p) for p in _BARE_PORTS]


class AddressPolicy:
    """Which hosts may be reached at non-public addresses; the rest must resolve to public ones.

    `allow` entries are host names (`host` for its ports 80 and 443, `host:port` for that port),
    IP addresses or networks ("10.0.0.0/8", any port); `trust()` adds the hosts of the URLs (or
    `host:port`s) the user named for a run, each on its own port.
    """

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self._hosts: set[tuple[str, int]] = set()
        self._networks: list[IPNetwork] = []
        for entry in allow:
            try:
                self._networks.append(ipaddress.ip_network(entry.strip().strip("[]"), strict=False))
            except ValueError:
                self._hosts.update(_host_ports(entry))

    def trust(self, hosts_or_urls: Iterable[str]) -> None:
        for entry in hosts_or_urls:
            self._hosts.update(_host_ports(entry))

    def trusts(self, host: str, port: int) -> bool:
        return (_host_name(host), port) in self._hosts

    def names(self, url: str) -> bool:
        """Whether the user named `url`'s host and port (`trust()`, or an `allow` host name)."""
        return any(pair in self._hosts for pair in _host_ports(url))

    def refusal(self, host: str, port: int, address: IPAddress) -> str | None:
        """Why `host` may not be reached at `address` on `port`, or None when it may."""
        kind = address_kind(address)
        if kind is None or self.trusts(host, port) or any(_unwrap(address) in n for n in self._networks):
            return None
        where = f"{host} is {address}" if _host_name(host) != str(address) else str(address) + " is"
        kind = f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"  # "an unspecified address"
        return f"private address refused: {where} {kind} address (allow it in [fetch] allow_private)"


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the guard in `connect_tcp`: resolve, check, connect."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self.policy.trusts(host, port):
            return await self._inner.connect_tcp(
                host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
            )
        allowed = await _allowed_addresses(self.policy, host, port, timeout)
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in allowed:  # the checked addresses, in the resolver's order
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress(f"unix socket refused: {path}")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def _allowed_addresses(
    policy: AddressPolicy, host: str, port: int, timeout: float | None
) -> list[IPAddress]:
    """The addresses of `host` the policy lets us reach; `BlockedAddress` when there are none."""
    addresses = await _resolve(host, port, timeout)
    refusals = [policy.refusal(host, port, address) for address in addresses]
    allowed = [address for address, refusal in zip(addresses, refusals, strict=True) if refusal is None]
    if not allowed:
        raise BlockedAddress(next(r for r in refusals if r is not None))
    return allowed


async def target_refusal(policy: AddressPolicy, url: str, timeout: float | None) -> str | None:
    """Why the host of `url` may not be reached (resolved and checked now), or None when it may.

    For requests this process does not connect for itself: through a proxy, or by a browser.
    A host that does not resolve is no refusal: the proxy or browser reports that failure.
    """
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or default_port(parts.scheme) or 80
    except ValueError:
        return f"malformed URL: {url!r}"
    if not host or policy.trusts(host, port):
        return None
    try:
        await _allowed_addresses(policy, host, port, timeout)
    except BlockedAddress as exc:
        return exc.reason
    except (httpcore.ConnectError, httpcore.ConnectTimeout):
        return None
    return None


class GuardedProxy(httpx.AsyncBaseTransport):
    """A proxy transport that checks each request's target against the policy first."""

    def __init__(self, policy: AddressPolicy, inner: httpx.AsyncBaseTransport, timeout: float) -> None:
        self.policy = policy
        self._inner = inner
        self._timeout = timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        refusal = await target_refusal(self.policy, str(request.url), self._timeout)
        if refusal is not None:
            raise BlockedAddress(refusal)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _resolve(host: str, port: int, timeout: float | None) -> list[IPAddress]:
    """Every address of `host`, once; failures are httpcore's, so the fetcher names them."""
    try:
        async with asyncio.timeout(timeout):
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"DNS lookup of {host} timed out") from exc
    except OSError as exc:  # socket.gaierror: no such host
        raise httpcore.ConnectError(str(exc)) from exc
    found: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        found.setdefault(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]), None)
    return list(found)


def guarded_transport(policy: AddressPolicy, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's own transport, its connection pool given the guarded backend.

    httpx has no public way to pass httpcore a network backend, so the pool it made is
    replaced by one built the same way (TLS context, limits, HTTP/1.1) with ours.
    """
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(  # the one seam httpx leaves for this
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(policy),
    )
    return transport
