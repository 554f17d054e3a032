"""`scraper serve`: the HTTP service (scraper/serve/) under uvicorn, with its safety checked first."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import unicodedata
from pathlib import Path

import click

from scraper import extract
from scraper.cli.options import config_option, extraction_options, load, path_type
from scraper.cli.output import EXIT_USAGE, warn

TOKEN_VARIABLE = "SCRAPER_TOKEN"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether binding `host` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_MAX_TOKEN_BYTES = 4096  # a bearer token is tens of characters


def _sendable(token: str, where: str) -> str:
    """`token`, if a client can send it: a header value holds no line break or other control
    character (RFC 9110 section 5.5), so a token file of two lines started a service that
    answered every request 401; and a bearer token is visible ASCII without spaces (RFC 6750's
    b64token is narrower still): one with a space or an "é" was taken, which clients send
    differently or not at all (httpx refuses a non-ASCII header)."""
    odd = next((c for c in token if not "!" <= c <= "~"), None)
    if odd is not None and unicodedata.category(odd) == "Cc" and odd != "\t":
        raise click.UsageError(
            f"{where}: the token holds {odd!r}, which no Authorization header can carry: "
            "write the token alone, on one line"
        )
    if odd is not None:
        raise click.UsageError(
            f"{where}: the token holds {odd!r}, which a bearer token cannot: write one of visible "
            "ASCII characters without spaces (`openssl rand -hex 32` makes one)"
        )
    return token


def _check_listen(host: str, port: int) -> None:
    """Exit 2 with one line naming the address and why the service cannot listen there (an
    address that is not this machine's, a port in use), before the workers start: uvicorn said
    why on a line of its own, and ours read "cannot serve on HOST:PORT (see uvicorn's error above)"."""
    try:
        found = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        why = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise click.UsageError(f"cannot serve on {host}:{port}: no address of this machine ({why})") from None
    family, kind, proto, _name, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise click.UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def _token(token_file: Path | None, insecure: bool, host: str) -> str | None:
    """The bearer token the service requires, or None (no authentication: loopback only)."""
    if token_file is not None:
        try:
            with token_file.open("rb") as fh:  # bounded: `--token-file /dev/zero` took all memory
                data = fh.read(_MAX_TOKEN_BYTES + 1)
            token = data.decode("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise click.UsageError(f"--token-file {token_file}: cannot read it ({exc})") from None
        if len(data) > _MAX_TOKEN_BYTES:
            raise click.UsageError(f"--token-file {token_file}: larger than {_MAX_TOKEN_BYTES} bytes")
        if not token:
            said = "white space alone, no token" if data else "empty"
            raise click.UsageError(f"--token-file {token_file}: the file is {said}")
        return _sendable(token, f"--token-file {token_file}")
    given = os.environ.get(TOKEN_VARIABLE)
    token = (given or "").strip()
    if token:
        return _sendable(token, TOKEN_VARIABLE)
    if given is not None and not insecure:  # set, to nothing: an unset variable in a unit file, a typo
        said = "empty" if not given else "white space alone"
        raise click.UsageError(
            f"{TOKEN_VARIABLE} is set but {said}: no token; set it to the token or give --token-file FILE"
        )
    if not insecure:
        raise click.UsageError(
            f"a bearer token is required: set {TOKEN_VARIABLE} or give --token-file FILE "
            "(--insecure-no-auth serves without one, on a loopback address only)"
        )
    if not is_loopback(host):
        raise click.UsageError(
            f"--insecure-no-auth only on a loopback address (127.0.0.1, ::1, localhost), not {host}: "
            f"anyone who reaches {host} could use the service; set {TOKEN_VARIABLE} instead"
        )
    return None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--token-file",
    type=path_type(dir_okay=False),
    help=f"A file holding the bearer token clients must send (else ${TOKEN_VARIABLE}).",
)
@click.option(
    "--insecure-no-auth",
    is_flag=True,
    help="Serve without a token: refused unless --host is a loopback address.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Extraction processes [default: cores]."
)
@click.option(
    "--max-concurrency",
    type=click.IntRange(min=1),
    default=16,
    show_default=True,
    help="Requests in work at once; more are answered 503 with Retry-After.",
)
@click.option(
    "--max-request-bytes",
    type=click.IntRange(min=1024),
    default=None,
    help="Largest request body [default: twice [fetch] max_bytes]; larger is 413.",
)
@click.option(
    "--max-batch", type=click.IntRange(min=1), default=100, show_default=True, help="Items in one batch."
)
@extraction_options
@config_option
def serve(  # click passes every option by keyword
    *,
    host: str,
    port: int,
    token_file: Path | None,
    insecure_no_auth: bool,
    workers: int | None,
    max_concurrency: int,
    max_request_bytes: int | None,
    max_batch: int,
    config_path: Path | None,
) -> None:
    """Serve `clean` over HTTP: POST /v1/clean, POST /v1/clean/batch, GET /healthz, /docs.

    Clients send `Authorization: Bearer TOKEN` (the token from $SCRAPER_TOKEN or --token-file).
    URLs are fetched as `crawl` fetches them: public addresses only (unless [fetch]
    allow_private names the host), robots.txt obeyed, hosts paced; pages are extracted in
    worker processes under [extract] timeout and max_memory. The extraction flags set the
    service's defaults; each request may set its own. Needs the serve extra
    (pip install 'storyscraper[serve]'). Exit codes: 2 for a usage or configuration error
    (no token, --insecure-no-auth off loopback, the extra missing), 130 / 143 once stopped by
    SIGINT / SIGTERM.

    \b
    Examples:
      SCRAPER_TOKEN=$(openssl rand -hex 32) scraper serve --host 0.0.0.0 --port 8000
      scraper serve --insecure-no-auth          # on 127.0.0.1 only
      scraper serve --token-file /run/secrets/scraper-token --config config/scraper.toml
    """
    token = _token(token_file, insecure_no_auth, host)
    settings = load(config_path)
    _check_listen(host, port)
    try:
        import uvicorn  # noqa: PLC0415  # the serve extra: only this command needs it

        from scraper.serve import ServeOptions, create_app  # noqa: PLC0415  # same
    except ImportError as exc:
        raise click.UsageError(
            f"scraper serve needs the serve extra: pip install 'storyscraper[serve]' ({exc})"
        ) from None
    options = ServeOptions(
        token=token,
        workers=workers or extract.cores(),
        max_concurrency=max_concurrency,
        max_request_bytes=max_request_bytes,
        max_batch=max_batch,
    )
    level = logging.getLogger().getEffectiveLevel()  # WARNING; -v INFO, -vv DEBUG; -q ERROR
    config = uvicorn.Config(
        create_app(settings, options),
        host=host,
        port=port,
        lifespan="on",
        # uvicorn's start-up lines (where it listens) unless -q; a line per request with -v
        log_level="error" if level >= logging.ERROR else "debug" if level <= logging.DEBUG else "info",
        access_log=level <= logging.INFO,
        server_header=False,
    )
    server = uvicorn.Server(config)
    try:
        server.run()
    except SystemExit as exc:
        if server.started or not exc.code:
            raise
        # uvicorn exits 3 (the exit-code table's 'lock held') or 1 when it cannot listen: its line above
        # says why (a port in use, an address not this machine's); for us that is a setting's error
        warn(f"cannot serve on {host}:{port} (see uvicorn's error above)")
        sys.exit(EXIT_USAGE)
