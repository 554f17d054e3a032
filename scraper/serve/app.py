"""The HTTP service: `scraper clean` for tools that call an endpoint (RAG pipelines, notebooks,
workflow tools). An ASGI app (FastAPI), served by uvicorn (`scraper serve`).

    POST /v1/clean         {"url": ...} or {"html": ..., "url": ...}, plus clean's options
                           -> the record (docs/reference/records.md), as `clean --format json` prints it;
                           with "format" (markdown, xml, tei, html, text, csv), what `clean --format`
                           prints, in that format's media type
    POST /v1/clean/batch   {"items": [...]}: one JSON line per item, in order, as each is ready
    GET  /healthz          {"status": "ok", ...}
    GET  /docs, /openapi.json

A URL is fetched as the crawl fetches: the SSRF guard (only public addresses, unless `[fetch]
allow_private` names the host), robots.txt and per-host pacing (scraper/fetch/politeness.py,
read again after `ROBOTS_TTL`), the `[fetch]` size, time and retry limits. Every page is
extracted in the bounded worker pool (`[extract] timeout`, `max_memory`). Authentication, body
size and the bound on requests in work are scraper/serve/limits.py's.

Errors are JSON `{"error": reason}` with a status:
    400  a request that is no clean request (neither url nor html, --precision with --recall, ...)
    408  a body not all received within the guard's body_timeout (scraper/serve/limits.py)
    413  a body or HTML larger than the limits
    422  the page cannot be cleaned: refused (private address, robots.txt, not HTML, too large),
         nothing but white space (`html: empty input`, `URL: empty response`, as `clean` fails
         them: `corpus.blank`) or its extraction failed (time or memory limit, too complex)
    502  the page's server answered with an error, or could not be reached
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast

from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from scraper.config import ExtractSettings, Settings
from scraper.corpus import blank, forms_needed, text_format
from scraper.errors import ExtractionError, FetchError, ScraperError, SourceError, TransientFetchError
from scraper.extract import ExtractionPool, clean_html, extract_document
from scraper.fetch import Fetcher, Politeness, fetch_politely
from scraper.models import Document
from scraper.serve.limits import Guard, GuardLimits
from scraper.urls import redacted, url_flaw

__all__ = ["ROBOTS_TTL", "ServeOptions", "create_app"]

ROBOTS_TTL = 3600.0  # seconds a host's robots.txt answer is kept (RFC 9309: at most 24 hours)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeOptions:
    """How the service runs; the limits are always on (`token` None: no authentication)."""

    token: str | None
    workers: int = 2
    max_concurrency: int = 8
    max_request_bytes: int | None = None  # default: twice [fetch] max_bytes, for JSON escaping
    max_batch: int = 100
    retry_after: int = 2


class CleanOptions(BaseModel):
    """`scraper clean`'s extraction options; each left out takes the server's configuration. Strict:
    a flag is JSON's true or false (pydantic's lax mode took "yes", "off" and 1 for them)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    precision: bool = Field(False, description="Favour precision: less text, fewer false positives.")
    recall: bool = Field(False, description="Favour recall: more text, when pages lose paragraphs.")
    comments: bool | None = Field(None, description="Keep comment sections.")
    tables: bool | None = Field(None, description="Keep tables.")
    links: bool | None = Field(None, description="Keep links with their targets in Markdown and XML.")
    images: bool | None = Field(None, description="Keep images (source and alt text) in Markdown and XML.")
    formatting: bool | None = Field(None, description="Keep bold, italic and the like in Markdown and XML.")
    fast: bool | None = Field(
        None, description="Faster: no fallback extractors, no date search in the page text."
    )
    metadata: Literal["full", "markup", "stated"] | None = Field(
        None,
        description="full: also search the whole page for a date, byline, title, categories; "
        "markup: the same, but a date only where the markup states it (no search of the text); "
        "stated: only what the page states (JSON-LD, meta tags, <title>, the URL).",
    )

    @model_validator(mode="after")
    def _one_bias(self) -> CleanOptions:
        if self.precision and self.recall:
            raise ValueError("precision and recall exclude each other")
        return self

    def apply(self, settings: ExtractSettings) -> ExtractSettings:
        """`settings` with these options, as `clean --precision --no-tables --links --fast` sets them."""
        if self.precision or self.recall:
            settings = dataclasses.replace(settings, favor_precision=self.precision, favor_recall=self.recall)
        given = {
            key: getattr(self, option)
            for option, key in _SETTINGS.items()
            if getattr(self, option) is not None
        }
        return dataclasses.replace(settings, **given)


# each option left to the server's configuration when not given, and its [extract] key
_SETTINGS = {"comments": "include_comments", "tables": "include_tables", "links": "include_links",
             "images": "include_images", "formatting": "include_formatting", "fast": "fast",
             "metadata": "metadata"}  # fmt: skip
# what /v1/clean answers with `format`: the text of `clean --format`, with its media type
_MEDIA_TYPES = {"markdown": "text/markdown", "xml": "application/xml", "tei": "application/tei+xml",
                "html": "text/html", "text": "text/plain", "csv": "text/csv"}  # fmt: skip


class CleanRequest(CleanOptions):
    """A page to clean: `url` alone is fetched; `html` is cleaned as given, `url` naming its address."""

    url: str | None = Field(
        None, description="The page's http(s) URL.", examples=["https://example.com/story"]
    )
    html: str | None = Field(None, description="The page's HTML; when given, nothing is fetched.")
    format: Literal["json", "markdown", "xml", "tei", "html", "text", "csv"] = Field(
        "json",
        description="json: the record. Another: what `clean --format` prints (tei: `--format xml --tei`),"
        " in its media type; /v1/clean only (a batch streams records).",
    )

    def apply(self, settings: ExtractSettings) -> ExtractSettings:
        """The options over `settings`, and only the renderings `format` prints (none for the record)."""
        fmt = "xml" if self.format == "tei" else self.format
        return dataclasses.replace(super().apply(settings), forms=forms_needed(fmt, tei=self.format == "tei"))

    # a batch's item that is no clean request: why (its line says so; the other items go on)
    _invalid: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _page(self) -> CleanRequest:
        if self.url is None and self.html is None:
            raise ValueError("give url, or html (with url if you know it)")
        if self.url is not None:
            problem = url_flaw(self.url)
            if problem is not None:
                raise ValueError(f"url: {problem}")
        return self


_ROUTES = "POST /v1/clean, POST /v1/clean/batch, GET /healthz, GET /docs"


def _reasons(exc: ValidationError | RequestValidationError, *, skip: int = 0, whole: str = "body") -> str:
    """A validation error in one line: each error's place (its first `skip` parts left out;
    `whole` when none is left) and message. Bytes that are no JSON say where and why: FastAPI's
    "JSON decode error" sat at its character offset as if that were a field ("13: JSON ...")."""
    reasons = []
    for error in exc.errors():
        place = ".".join(map(str, error["loc"][skip:])) or whole
        if error["type"] == "json_invalid":
            why = error.get("ctx", {}).get("error", "")
            reasons.append(f"{whole}: not JSON at character {place}{f': {why}' if why else ''}")
        else:  # a validator's own reason, without pydantic's "Value error, " before it
            reasons.append(f"{place}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(reasons)


def _unreadable(cause: BaseException) -> str:
    """Why the JSON parser gave up on a body whose syntax it did not refuse."""
    if isinstance(cause, RecursionError):
        return "nested too deep"
    if isinstance(cause, UnicodeDecodeError):
        return "not UTF-8"
    return str(cause).split(";", 1)[0] or type(cause).__name__


def _item_or_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> CleanRequest:
    """A batch's item, or where it is no clean request (a malformed URL in a hundred) an item that
    says so on its own line: one item's bad input is its failure, not the batch's (a 400 for all)."""
    try:
        return cast(CleanRequest, handler(value))
    except ValidationError as exc:
        url = value.get("url") if isinstance(value, dict) else None
        item = CleanRequest.model_construct(url=url if isinstance(url, str) else None)
        item._invalid = _reasons(exc, whole="item")
        return item


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[Annotated[CleanRequest, WrapValidator(_item_or_invalid)]] = Field(
        description="The pages, each a clean request; an item that is none is answered on its own line (400)."
    )

    @model_validator(mode="after")
    def _records(self) -> BatchRequest:
        if any(item.format != "json" for item in self.items):
            raise ValueError("a batch streams records: format is for /v1/clean")
        return self


Record = dict[str, Any]


class _Failed(Exception):
    """A request's page that could not be cleaned: the status and the reason to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(status, reason)
        self.status = status
        self.reason = redacted(reason)  # a URL's password is never written back (urls.redacted)


class _Service:
    """What the routes share: the settings, the fetcher, the politeness of the run, the pool."""

    def __init__(self, settings: Settings, options: ServeOptions) -> None:
        self.settings = settings
        self.options = options
        self.fetcher = Fetcher(settings.fetch, sites=settings.sites)  # a site's [fetch] keys, as everywhere
        self.pool: ExtractionPool | None = None
        self._politeness: Politeness | None = None
        self._politeness_since = 0.0

    def politeness(self) -> Politeness:
        """The hosts' robots.txt answers and health, forgotten every `ROBOTS_TTL` seconds."""
        now = time.monotonic()
        if self._politeness is None or now - self._politeness_since > ROBOTS_TTL:
            self._politeness = Politeness(
                self.fetcher, self.settings, gate=self.fetcher.gate, on_robots=lambda _host, _answer: None
            )
            self._politeness_since = now
        return self._politeness

    async def clean(self, request: CleanRequest) -> Document:
        """The document of one requested page, or `_Failed`."""
        try:
            if request.html is not None:
                document = await self._clean_html(request)
            else:
                assert request.url is not None  # the model checks one of the two is there
                document = await self._fetch_and_clean(request, request.url)
        except SourceError as exc:
            raise _Failed(413, str(exc)) from None
        except TransientFetchError as exc:  # the server or the network: maybe later
            raise _Failed(502, str(exc)) from None
        except FetchError as exc:  # an error status, or refused here (no status): private, robots, size
            raise _Failed(502 if exc.status is not None else 422, str(exc)) from None
        except ExtractionError as exc:
            raise _Failed(422, str(exc)) from None
        return document

    async def _clean_html(self, request: CleanRequest) -> Document:
        html, url = request.html or "", request.url
        source = url or "html"
        limit = self.settings.fetch.max_bytes
        body = html.encode("utf-8", errors="surrogatepass")
        if len(body) > limit:
            raise SourceError(source, f"html larger than {limit} bytes (fetch.max_bytes)")
        if blank(body):  # as `clean` fails an empty file or stdin: nothing was cleaned
            raise _Failed(422, f"{source}: empty input")
        settings = request.apply(self.settings.extract_for(url))
        work = functools.partial(clean_html, url=url, settings=settings, source=source)
        return await self._extract(source, work, html)

    async def _fetch_and_clean(self, request: CleanRequest, url: str) -> Document:
        page = await fetch_politely(self.fetcher, self.politeness(), url)
        if blank(page.body):  # as `clean URL` fails an empty 200
            raise _Failed(422, f"{url}: empty response")
        settings = request.apply(self.settings.extract_for(page.final_url or page.url))
        return await self._extract(url, extract_document, page, settings)

    def _extract(self, source: str, fn: Any, *args: Any) -> Awaitable[Document]:
        assert self.pool is not None, "the pool starts with the app"
        return asyncio.wrap_future(self.pool.submit(source, fn, *args))


def create_app(settings: Settings, options: ServeOptions) -> Guard:
    """The ASGI app: the FastAPI routes behind the guard (see the module docstring)."""
    service = _Service(settings, options)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with service.fetcher:
            # a second or two of imports in the forkserver: off the event loop
            service.pool = await asyncio.to_thread(ExtractionPool, options.workers, settings.extract)
            try:
                yield
            finally:
                await asyncio.to_thread(service.pool.close)

    app = FastAPI(
        title="scraper",
        summary="Clean web pages: the story, its metadata, the record of `scraper clean --format json`.",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        media = request.headers.get("content-type", "")
        if "json" not in media.lower():  # not read as JSON at all (`curl -d` sends a form's type)
            reason = f"body: send JSON, with Content-Type: application/json (not {media or 'none'})"
            return JSONResponse({"error": reason}, status_code=400)
        return JSONResponse({"error": _reasons(exc, skip=1)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Every error in the service's one shape, `{"error": reason}`: FastAPI's own (an unknown
        path, a body it cannot parse) said `{"detail": ...}`, and a body JSON could not read for
        another reason than its syntax (nested 100,000 deep, a number of 5,000 digits, bytes that
        are no UTF-8) only "There was an error parsing the body". An unknown route or method
        names the request and the routes ("Not Found" named neither)."""
        reason = str(exc.detail)
        if exc.status_code in (404, 405):
            what = "no such route" if exc.status_code == 404 else "method not allowed"
            reason = f"{request.method} {request.url.path}: {what} ({_ROUTES})"
        if exc.__cause__ is not None:
            reason = f"body: not JSON that can be read: {_unreadable(exc.__cause__)}"
        return JSONResponse({"error": reason}, status_code=exc.status_code, headers=exc.headers)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """The service is up; how many requests are in work and how many may be."""
        return {"status": "ok", "in_work": guard.in_work, "max_concurrency": options.max_concurrency}

    @app.post("/v1/clean", response_model=None)
    async def clean(request: Annotated[CleanRequest, Body()]) -> Record | Response:
        """Clean one page: fetched from `url`, or the `html` given. Returns its record (see
        docs/reference/records.md), or with `format` what `clean --format` prints; a page without
        a story has empty `text` and a `skip_reason`."""
        try:
            document = await service.clean(request)
        except _Failed as failed:
            return JSONResponse({"error": failed.reason}, status_code=failed.status)
        if request.format == "json":
            return document.to_record()
        rendered = text_format(
            "xml" if request.format == "tei" else request.format, tei=request.format == "tei"
        )
        return Response(rendered.alone(document), media_type=_MEDIA_TYPES[request.format])

    @app.post("/v1/clean/batch", response_class=StreamingResponse, response_model=None)
    async def clean_batch(request: Annotated[BatchRequest, Body()]) -> StreamingResponse | JSONResponse:
        """Clean up to `max_batch` pages; answers JSON lines in the items' order, each the page's
        record or `{"source": ..., "error": ..., "status": ...}`, as soon as it and those before it
        are done."""
        if len(request.items) > options.max_batch:
            return JSONResponse(
                {"error": f"{len(request.items)} items: at most {options.max_batch} a batch"}, status_code=413
            )
        return StreamingResponse(_lines(service, request.items), media_type="application/x-ndjson")

    limits = GuardLimits(
        token=options.token,
        max_request_bytes=options.max_request_bytes or 2 * settings.fetch.max_bytes + 65_536,
        max_concurrency=options.max_concurrency,
        retry_after=options.retry_after,
    )
    guard = Guard(app, limits)
    return guard


async def _lines(service: _Service, items: list[CleanRequest]) -> AsyncIterator[str]:
    """Each item's line, in order; the items are cleaned at most `workers` at a time."""
    gate = asyncio.Semaphore(max(1, service.options.workers))

    async def one(item: CleanRequest) -> Record:
        if item._invalid is not None:
            source = "html" if item.url is None else item.url  # "" named as given
            return {"source": source, "error": item._invalid, "status": 400}
        async with gate:
            try:
                return (await service.clean(item)).to_record()
            except _Failed as failed:
                return {
                    "source": redacted(item.url or "html"),
                    "error": failed.reason,
                    "status": failed.status,
                }
            except ScraperError as exc:  # anything else of the tree is this item's, not the batch's
                return {"source": redacted(item.url or "html"), "error": redacted(str(exc)), "status": 422}

    tasks = [asyncio.create_task(one(item)) for item in items]
    try:
        for task in tasks:
            yield json.dumps(await task, ensure_ascii=False) + "\n"
    finally:
        for task in tasks:
            task.cancel()
