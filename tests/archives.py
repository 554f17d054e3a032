"""Web archives written by the tests themselves (warcio for WARC, by hand for ARC): never data files."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True)
class Exchange:
    """One fetched URL: what the archive holds about it."""

    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    date: str = "2026-11-23T22:19:00Z"
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


def warc_bytes(exchanges: list[Exchange], *, gzipped: bool = True, requests: bool = True) -> bytes:
    """A WARC file (one gzip member per record when `gzipped`), with request records when asked."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    for item in exchanges:
        if requests:
            request = StatusAndHeaders(
                f"GET {item.url} HTTP/1.1",
                [("User-Agent", "test")],
                protocol="HTTP/1.1",
                is_http_request=True,
            )
            writer.write_record(
                writer.create_warc_record(
                    item.url, "request", http_headers=request, warc_headers_dict={"WARC-Date": item.date}
                )
            )
        headers = StatusAndHeaders(
            item.status, [("Content-Type", item.content_type), *item.extra_headers], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            item.url,
            "response",
            payload=io.BytesIO(item.body),
            length=len(item.body),  # a known length: warcio need not spool the body to a temp file
            http_headers=headers,
            warc_headers_dict={"WARC-Date": item.date},
        )
        writer.write_record(record)
    return out.getvalue()


def arc_gz_bytes(exchanges: list[Exchange]) -> bytes:
    """An ARC (version 1) file, gzipped per record, as old crawls wrote them."""
    header_body = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [
        b"filedesc://test.arc 0.0.0.0 20261123221900 text/plain %d\n%s\n" % (len(header_body), header_body)
    ]
    for item in exchanges:
        http = (
            f"HTTP/1.1 {item.status}\r\nContent-Type: {item.content_type}\r\n"
            f"Content-Length: {len(item.body)}\r\n\r\n"
        ).encode() + item.body
        stamp = item.date.replace("-", "").replace(":", "").replace("T", "").replace("Z", "")
        members.append(
            f"{item.url} 127.0.0.1 {stamp} {item.content_type.split(';')[0]} {len(http)}\n".encode()
            + http
            + b"\n"
        )
    return b"".join(gzip.compress(member) for member in members)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
