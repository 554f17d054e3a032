"""scraper serve: a real uvicorn server on a loopback port, called with a real HTTP client (httpx).

Pages are served by `LocalServer`s: 127.0.0.1 is named in `[fetch] allow_private` (the operator's
own network), 127.0.0.2 is not, so it stands for a private address a caller must not reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import ExtractSettings, FetchSettings, Settings, Site
from scraper.serve import ServeOptions, create_app
from scraper.serve.app import CleanRequest
from tests.httpserver import Handler, LocalServer, Route, closed_port

SEED = Path(__file__).parents[1] / "fixtures" / "seed-article"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_REQUEST = 256 * 1024
MAX_CONCURRENCY = 3
SITE_AGENT = "site-agent/1.0 (+https://tests.example/bot)"


@dataclass(frozen=True)
class Running:
    base: str
    pages: LocalServer  # on 127.0.0.1: allowed
    private: LocalServer  # on 127.0.0.2: refused


@pytest.fixture(scope="module")
def service() -> Iterator[Running]:
    """The app under uvicorn in a thread, one extraction worker, and two page servers."""
    seed = (SEED / "page.html").read_bytes()
    routes: dict[str, Handler] = {
        "/story": Route(body=seed),
        "/robots.txt": Route(body="User-agent: *\nDisallow: /private\n"),
    }
    routes["/private/story"] = Route(body=seed)
    routes["/empty"] = Route(body=b" \n")
    with LocalServer(routes) as pages, LocalServer({"/story": Route(body=seed)}, host="127.0.0.2") as private:
        # the pages' host is a [[sites]] entry with a user agent of its own (its [fetch] keys apply)
        site = Site(name="pages", start_urls=(pages.base,), user_agent=SITE_AGENT)
        settings = Settings(
            fetch=FetchSettings(per_host_delay=0, allow_private=("127.0.0.1",)), sites=(site,)
        )
        options = ServeOptions(
            token=TOKEN,
            workers=1,
            max_concurrency=MAX_CONCURRENCY,
            max_request_bytes=MAX_REQUEST,
            retry_after=3,
        )
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.set_inheritable(True)
        config = uvicorn.Config(create_app(settings, options), log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:  # the lifespan starts the extraction pool first
            assert time.monotonic() < deadline and thread.is_alive(), "the service did not start"
            time.sleep(0.05)
        try:
            yield Running(f"http://127.0.0.1:{sock.getsockname()[1]}", pages, private)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            sock.close()


def _post(service: Running, path: str, body: object, headers: dict[str, str] = AUTH) -> httpx.Response:
    return httpx.post(service.base + path, json=body, headers=headers, timeout=60)


def test_a_good_page_returns_the_seed_articles_record(service: Running) -> None:
    """{url} is fetched and cleaned: the record of `clean --format json`, the seed article's text."""
    answer = _post(service, "/v1/clean", {"url": service.pages.url("/story")})
    assert answer.status_code == 200, answer.text
    record = answer.json()
    assert record["text"] == (SEED / "expected.txt").read_text(encoding="utf-8").strip()
    assert record["url"] == service.pages.url("/story") and record["status"] == 200


def test_a_sites_fetch_keys_apply_to_its_pages(service: Running) -> None:
    """A `[[sites]]` entry's `[fetch]` keys (here its user agent) apply to the pages the service
    fetches from its hosts, as they do for the crawl, `clean` and the Python API."""
    answer = _post(service, "/v1/clean", {"url": service.pages.url("/story")})
    assert answer.status_code == 200, answer.text
    assert {hit.headers["user-agent"] for hit in service.pages.hits("/story")} == {SITE_AGENT}


def test_html_is_cleaned_as_given_with_the_options_of_clean(service: Running) -> None:
    """{html, url} is cleaned without a fetch; the options of `clean` apply."""
    html = (SEED / "page.html").read_text(encoding="utf-8")
    answer = _post(
        service, "/v1/clean", {"html": html, "url": "https://news.example/story", "precision": True}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["url"] == "https://news.example/story"
    assert "Rotherham" in answer.json()["text"]


_STORY = (
    "<html><head><title>Harbour council</title></head><body><article>"
    "<h1>Harbour council votes on ferries</h1>"
    "<p>Published on 12 March 2021 by the desk. The harbour council met on a wet evening and discussed the"
    " ferry timetable at length with residents who came to the town hall.</p>"
    "<p>The <a href='https://council.example/minutes'>minutes of the meeting</a> were read aloud, and the"
    " crews asked for new routes to the islands before the summer season begins.</p>"
    "<p>Fares will rise next year, the council said, while the timetable for the winter months stays as it"
    " is for now, to the relief of the island schools.</p></article></body></html>"
)


def _clean_cli(tmp_path: Path, *flags: str) -> str:
    page = tmp_path / "story.html"
    page.write_text(_STORY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["clean", str(page), "--url", "https://news.example/a", *flags])
    assert result.exit_code == 0, result.output
    return result.output


def test_fast_and_links_act_as_clean_fast_and_links(service: Running, tmp_path: Path) -> None:
    """`fast` skips the date search in the text and `links` keeps link targets, as the CLI's flags do;
    with `format`, the answer is what `clean --format` prints, in its media type."""
    body = {"html": _STORY, "url": "https://news.example/a"}
    full, fast = (_post(service, "/v1/clean", {**body, "fast": f}).json() for f in (False, True))
    assert (full["date"], full["date_source"]) == ("2021-03-12", "text")
    assert fast["date"] is None
    cli_fast = json.loads(_clean_cli(tmp_path, "--fast", "--format", "json"))[0]
    for record in (fast, cli_fast):  # when and where from: the rest is the page's
        del record["fetched_at"], record["source"]
    assert fast == cli_fast
    linked = _post(service, "/v1/clean", {**body, "links": True, "format": "markdown"})
    assert linked.headers["content-type"].startswith("text/markdown")
    assert "[minutes of the meeting](https://council.example/minutes)" in linked.text
    assert linked.text == _clean_cli(tmp_path, "--links", "--format", "markdown")
    plain = _post(service, "/v1/clean", {**body, "format": "markdown"})
    assert "minutes of the meeting" in plain.text and "council.example" not in plain.text
    batch = _post(service, "/v1/clean/batch", {"items": [{**body, "format": "markdown"}]})
    assert batch.status_code == 400 and "format is for /v1/clean" in batch.json()["error"]


def test_metadata_stated_acts_as_clean_metadata_stated(service: Running) -> None:
    """`metadata: "stated"` (and "markup") leaves the date the page writes only in its text unread,
    and the record says which metadata was read."""
    body = {"html": _STORY, "url": "https://news.example/a"}
    stated = _post(service, "/v1/clean", {**body, "metadata": "stated"}).json()
    assert (stated["date"], stated["metadata_mode"]) == (None, "stated")
    markup = _post(service, "/v1/clean", {**body, "metadata": "markup"}).json()
    assert (markup["date"], markup["metadata_mode"]) == (None, "markup")
    assert _post(service, "/v1/clean", {**body, "metadata": "everything"}).status_code == 400


@pytest.mark.parametrize(
    ("fmt", "forms"),
    [("json", set()), ("text", set()), ("csv", set()), ("markdown", {"markdown"}), ("xml", {"xml"}),
     ("tei", {"xml"}), ("html", {"xml"})],
)  # fmt: skip
def test_a_request_builds_the_renderings_its_format_prints(fmt: str, forms: set[str]) -> None:
    """The Markdown and XML are built only for a `format` that prints them, never for the record."""
    request = CleanRequest.model_validate({"url": "https://news.example/a", "format": fmt})
    assert request.apply(ExtractSettings()).forms == forms


def test_no_token_or_a_wrong_one_is_refused(service: Running) -> None:
    """Without the bearer token, or with another, the answer is 401 and nothing is fetched; a
    token given but not this service's is told apart from none (RFC 6750 section 3.1)."""
    before = len(service.pages.hits("/story"))
    missing = ("Bearer", "a bearer token is required")
    wrong = ('Bearer error="invalid_token"', "the bearer token is not this service's")
    for headers, (challenge, reason) in (
        ({}, missing),
        ({"Authorization": TOKEN}, missing),  # no scheme: no bearer token given
        ({"Authorization": "Bearer wrong"}, wrong),
    ):
        answer = _post(service, "/v1/clean", {"url": service.pages.url("/story")}, headers)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == challenge
        assert answer.json() == {"error": reason}
    assert len(service.pages.hits("/story")) == before


def test_the_auth_scheme_is_case_insensitive(service: Running) -> None:
    """RFC 9110 section 11.1: 'bearer TOKEN' is the token as much as 'Bearer TOKEN'; the token is not."""
    html = {"html": (SEED / "page.html").read_text(encoding="utf-8")}
    assert _post(service, "/v1/clean", html, {"Authorization": f"bearer {TOKEN}"}).status_code == 200
    assert _post(service, "/v1/clean", html, {"Authorization": f"Bearer {TOKEN.upper()}x"}).status_code == 401


def test_an_oversized_body_is_refused_whether_announced_or_streamed(service: Running) -> None:
    """A body over the limit is 413, by its Content-Length or counted as it arrives (chunked)."""
    big = json.dumps({"html": "x" * MAX_REQUEST}).encode()
    announced = httpx.post(service.base + "/v1/clean", content=big, headers=AUTH, timeout=60)
    assert announced.status_code == 413 and "larger than" in announced.json()["error"]

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 16_384):
            yield big[start : start + 16_384]

    streamed = httpx.post(service.base + "/v1/clean", content=chunks(), headers=AUTH, timeout=60)
    assert streamed.status_code == 413


def test_a_private_address_is_refused_and_not_requested(service: Running) -> None:
    """A URL at an address [fetch] allow_private does not name fails with the SSRF guard's reason."""
    answer = _post(service, "/v1/clean", {"url": service.private.url("/story")})
    assert answer.status_code == 422
    assert "private address refused" in answer.json()["error"]
    assert service.private.requests == []


def test_robots_txt_is_obeyed(service: Running) -> None:
    """A path the host's robots.txt disallows is refused, as the crawl refuses it."""
    answer = _post(service, "/v1/clean", {"url": service.pages.url("/private/story")})
    assert answer.status_code == 422 and "disallowed by robots.txt" in answer.json()["error"]
    assert service.pages.hits("/private/story") == []


def test_a_request_that_is_no_clean_request_is_told_why(service: Running) -> None:
    """400 with one line saying what is wrong: neither url nor html, both biases, a bad URL, a flag
    that is not JSON's true or false ("yes", 0 and "off" were taken: pydantic's lax mode)."""
    for body, reason in [
        ({}, "give url, or html"),
        ({"html": "<p>x</p>", "precision": True, "recall": True}, "precision and recall exclude each other"),
        ({"url": "ftp://a.example/"}, "not an http(s) URL"),
        ({"url": "https://a.example/", "colour": "red"}, "colour"),
        ({"html": "<p>x</p>", "precision": "yes"}, "precision: Input should be a valid boolean"),
        ({"html": "<p>x</p>", "tables": 0}, "tables: Input should be a valid boolean"),
        ({"html": "<p>x</p>", "comments": "off"}, "comments: Input should be a valid boolean"),
    ]:
        answer = _post(service, "/v1/clean", body)
        assert answer.status_code == 400 and reason in answer.json()["error"], answer.text


@pytest.mark.parametrize(
    ("content", "media", "said"),
    [
        # `curl -d '{"url": ...}'` without -H sends a form's type: the JSON was never read
        (
            '{"html": "<p>x</p>"}',
            "application/x-www-form-urlencoded",
            "body: send JSON, with Content-Type: application/json (not application/x-www-form-urlencoded)",
        ),
        ('{"html": "<p>x</p>"}', "text/plain", "(not text/plain)"),
        ("not json", "application/json", "body: not JSON at character 0: Expecting value"),
        ('{"html": "x",}', "application/json", "body: not JSON at character 13: Expecting property name"),
    ],
)
def test_a_body_not_read_as_json_is_told_so(service: Running, content: str, media: str, said: str) -> None:
    """A body sent without a JSON Content-Type was "body: Input should be a valid dictionary or
    object to extract fields from"; one that is no JSON was "0: JSON decode error" (its offset
    as if a field). Each says what to send, or where the JSON breaks."""
    headers = {**AUTH, "Content-Type": media}
    answer = httpx.post(service.base + "/v1/clean", content=content, headers=headers, timeout=60)
    assert answer.status_code == 400 and said in answer.json()["error"], answer.text


def test_the_batch_streams_one_line_per_item_in_order(service: Running) -> None:
    """Each item's record or error, one JSON line each, in the items' order."""
    items = [
        {"url": service.private.url("/story")},
        {"url": service.pages.url("/story")},
        {"html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"},
    ]
    with httpx.stream(
        "POST", service.base + "/v1/clean/batch", json={"items": items}, headers=AUTH, timeout=60
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in answer.iter_lines() if line]
    assert [line.get("status") for line in lines] == [422, 200, None]
    assert "private address refused" in lines[0]["error"]
    assert "Rotherham" in lines[1]["text"]
    assert lines[2]["skip_reason"].startswith("no main content")


def test_fifty_concurrent_requests_are_answered_or_shed(service: Running) -> None:
    """Past `max_concurrency` in work a request is shed at once with 503 and Retry-After; every
    other one is answered with the page's record, and the service is healthy after."""
    html = (SEED / "page.html").read_text(encoding="utf-8")

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=service.base, headers=AUTH, timeout=120) as client:
            return await asyncio.gather(*(client.post("/v1/clean", json={"html": html}) for _ in range(50)))

    answers = asyncio.run(burst())
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, 503}
    assert statuses.count(200) >= MAX_CONCURRENCY and statuses.count(503) >= 1
    for answer in answers:
        if answer.status_code == 503:
            assert answer.headers["retry-after"] == "3"
        else:
            assert "Rotherham" in answer.json()["text"]
    health = httpx.get(service.base + "/healthz", timeout=10).json()
    assert health == {"status": "ok", "in_work": 0, "max_concurrency": MAX_CONCURRENCY}


def test_openapi_docs_describe_the_routes(service: Running) -> None:
    """/openapi.json lists the routes and /docs serves the page, without a token."""
    spec = httpx.get(service.base + "/openapi.json", timeout=10).json()
    assert {"/v1/clean", "/v1/clean/batch", "/healthz"} <= set(spec["paths"])
    assert httpx.get(service.base + "/docs", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("args", "env", "reason"),
    [
        (["--insecure-no-auth", "--host", "0.0.0.0"], {}, "--insecure-no-auth only on a loopback address"),
        (["--insecure-no-auth", "--host", "192.0.2.1"], {}, "not 192.0.2.1"),
        ([], {}, "a bearer token is required"),
        ([], {"SCRAPER_TOKEN": ""}, "SCRAPER_TOKEN is set but empty: no token"),
        ([], {"SCRAPER_TOKEN": " \t "}, "SCRAPER_TOKEN is set but white space alone: no token"),
        (["--token-file", "blank"], {}, "--token-file blank: the file is white space alone, no token"),
        (["--token-file", "missing-token"], {}, "--token-file missing-token: cannot read it"),
        # an address no interface has: were the token taken, serving would fail, not hang the test
        (
            ["--token-file", "huge-token", "--host", "192.0.2.1"],
            {},
            "--token-file huge-token: larger than 4096",
        ),
        (["--token-file", "two-lines", "--host", "192.0.2.1"], {}, "the token holds '\\n'"),
        (["--host", "192.0.2.1"], {"SCRAPER_TOKEN": "abc\x1bdef"}, "SCRAPER_TOKEN: the token holds '\\x1b'"),
        (
            ["--host", "192.0.2.1"],
            {"SCRAPER_TOKEN": "my secret"},
            "SCRAPER_TOKEN: the token holds ' ', which a bearer",
        ),
        (
            ["--host", "192.0.2.1"],
            {"SCRAPER_TOKEN": "caf\u00e9-t0k3n"},
            "the token holds '\u00e9', which a bearer",
        ),
        (["--token-file", "tabbed", "--host", "192.0.2.1"], {}, "--token-file tabbed: the token holds '\\t'"),
    ],
)
def test_serve_refuses_to_run_unsafe(
    args: list[str], env: dict[str, str], reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No token, or no authentication off loopback, is a usage error (exit 2) naming what to do; so
    is a token file of more than 4 KiB (`--token-file /dev/zero` was read until memory ran out), a
    token no header can carry (two lines: every request was 401), and one that is no bearer token
    (a space, a tab, a non-ASCII letter: it was taken). A token set blank is told so, not called
    missing ("set SCRAPER_TOKEN" to one who had)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "huge-token").write_bytes(b"t" * 5000)
    (tmp_path / "two-lines").write_bytes(b"t0k3n\nsecond line\n")  # a header cannot carry it
    (tmp_path / "tabbed").write_bytes(b"t0k3n\tsecond\n")
    (tmp_path / "blank").write_bytes(b" \n\n")
    done = CliRunner().invoke(cli, ["serve", *args], env={"SCRAPER_TOKEN": None, **env})
    assert done.exit_code == 2
    assert reason in done.stderr


def test_serve_on_a_port_in_use_is_one_line_and_exit_2() -> None:
    """A port another program listens on: uvicorn's own exit code (3, the exit-code table's 'lock held')
    does not reach the user; one line names the address, exit 2 as for any configuration error."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "scraper", "serve", "--port", str(port), "--workers", "1"]
        env = {**os.environ, "SCRAPER_TOKEN": TOKEN}
        done = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"scraper: cannot serve on 127.0.0.1:{port}: Address already in use")


def test_serve_on_an_address_this_machine_lacks_is_one_line_and_exit_2() -> None:
    """`--host 999.1.1.1`: one line naming the address and why, exit 2, before the workers start
    (uvicorn's own error line said why, ours only "see uvicorn's error above")."""
    done = CliRunner().invoke(cli, ["serve", "--host", "999.1.1.1"], env={"SCRAPER_TOKEN": TOKEN})
    assert done.exit_code == 2
    assert "cannot serve on 999.1.1.1:8000: no address of this machine (" in done.stderr


def test_serve_runs_as_a_command_and_stops_on_sigterm(tmp_path: Path) -> None:
    """`scraper serve` in its own process answers on its port, with the token from SCRAPER_TOKEN,
    and exits 143 on SIGTERM after shutting down."""
    port = closed_port()  # free: the server about to start takes it
    command = [sys.executable, "-m", "scraper", "serve", "--port", str(port), "--workers", "1"]
    env = {**os.environ, "SCRAPER_TOKEN": TOKEN}
    with (
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as served,
        contextlib.ExitStack() as stop,
    ):
        stop.callback(served.kill)  # an assertion failing below must not leave Popen's exit waiting for ever
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # its workers' start, on a loaded machine or under coverage
        while True:
            assert served.poll() is None, served.stderr.read() if served.stderr else ""
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "scraper serve did not answer"
                time.sleep(0.1)
        html = (SEED / "page.html").read_text(encoding="utf-8")
        assert httpx.post(base + "/v1/clean", json={"html": html}, timeout=60).status_code == 401
        answer = httpx.post(base + "/v1/clean", json={"html": html}, headers=AUTH, timeout=60)
        assert answer.status_code == 200 and "Rotherham" in answer.json()["text"]
        served.send_signal(signal.SIGTERM)
        _out, err = served.communicate(timeout=60)
    assert served.returncode == 143, err
    assert "Traceback" not in err


def test_a_body_that_stalls_frees_its_slot_with_408() -> None:
    """A client that sends its headers and part of a body, then nothing, held its slot of
    max_concurrency for as long as it kept the connection open: 16 such connections made every
    other request a 503. The body must arrive within body_timeout, else 408 and the slot is free."""
    from starlette.types import Message, Receive, Scope, Send  # noqa: PLC0415

    from scraper.serve.limits import Guard, GuardLimits  # noqa: PLC0415  # the middleware alone

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("a request whose body never came reaches no route")

    limits = GuardLimits(
        token=None, max_request_bytes=1000, max_concurrency=1, retry_after=2, body_timeout=0.2
    )
    guard = Guard(app, limits)
    sent: list[Message] = []
    parts: list[Message] = [{"type": "http.request", "body": b'{"html":', "more_body": True}]

    async def receive() -> Message:
        if parts:
            return parts.pop()
        await asyncio.sleep(3600)  # the client stalls, its connection open
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "path": "/v1/clean", "headers": [(b"content-length", b"100")]}
    asyncio.run(asyncio.wait_for(guard(scope, receive, send), timeout=10))
    assert sent[0]["status"] == 408
    assert b"not received within 0.2 s" in sent[1]["body"]
    assert guard.in_work == 0


def test_a_batch_item_that_is_no_clean_request_is_that_items_line(service: Running) -> None:
    """A batch of a hundred URLs holding one malformed ("" from an empty cell, `http://[::1/`) or
    one item of an unknown key was a 400 for the whole batch: each such item is its own line
    (status 400, its reason), and the items around it are cleaned."""
    items = [
        {"url": ""},
        {"html": "<html><body><p>Hi</p></body></html>", "url": "http://[::1/"},
        {"url": service.pages.url("/story")},
        {"html": 5},
        {"html": "<p>x</p>", "nope": True},
        7,
    ]
    answer = httpx.post(service.base + "/v1/clean/batch", json={"items": items}, headers=AUTH, timeout=60)
    assert answer.status_code == 200, answer.text
    lines = [json.loads(line) for line in answer.text.splitlines() if line]
    assert [line["status"] for line in lines] == [400, 400, 200, 400, 400, 400]  # 200: the page's fetch
    sources = [line["source"] for n, line in enumerate(lines) if n != 2]
    assert sources == ["", "http://[::1/", "html", "html", "html"]
    assert "not an http(s) URL: ''" in lines[0]["error"]
    assert "not a valid URL" in lines[1]["error"]
    assert "Rotherham" in lines[2]["text"]
    assert lines[3]["error"] == "html: Input should be a valid string"
    assert lines[5]["error"] == "item: Input should be a valid dictionary or object to extract fields from"
    assert lines[4]["error"] == "nope: Extra inputs are not permitted"


def test_empty_html_or_an_empty_response_fails_as_clean_fails_it(service: Running) -> None:
    """`html` of nothing but white space, or a URL whose 200 is empty, is that request's failure
    (422, `clean`'s reason), never a 200 with a skip record, as `clean` exits 1 on them; in a
    batch, that item's line."""
    empty = service.pages.url("/empty")
    for body, said in (({"html": ""}, "html: empty input"), ({"html": " \n\t"}, "html: empty input")):
        answer = _post(service, "/v1/clean", body)
        assert (answer.status_code, answer.json()) == (422, {"error": said})
    answer = _post(service, "/v1/clean", {"url": empty})
    assert (answer.status_code, answer.json()) == (422, {"error": f"{empty}: empty response"})
    answer = _post(service, "/v1/clean/batch", {"items": [{"html": "", "url": "https://news.example/a"}]})
    line = json.loads(answer.text)
    assert (line["status"], line["error"]) == (422, "https://news.example/a: empty input")


def test_html_of_nul_characters_fails_as_clean_fails_it(service: Running, tmp_path: Path) -> None:
    """`html` of NUL characters is binary content, 422 with `clean`'s reason for the same bytes in
    a file (exit 1): it was a 200 with the skip record "no main content"."""
    reason = "undecodable bytes: binary content (NUL and control bytes)"
    answer = _post(service, "/v1/clean", {"html": "\x00" * 2000})
    assert (answer.status_code, answer.json()) == (422, {"error": f"html: {reason}"})
    (tmp_path / "nul.html").write_bytes(b"\x00" * 2000)
    done = CliRunner().invoke(cli, ["clean", str(tmp_path / "nul.html"), "--jobs", "1"])
    assert done.exit_code == 1 and f"nul.html: {reason}" in done.stderr


def test_every_error_has_the_one_shape_and_no_password(service: Running) -> None:
    """A body JSON cannot read for another reason than its syntax (nested 100,000 deep, a number
    of 5,000 digits, bytes that are no UTF-8) and an unknown path are `{"error": reason}` like
    every other error (FastAPI said `{"detail": "There was an error parsing the body"}`); a URL's
    password is `***` in an error (the service echoed it). An unknown route or method names the
    request and the routes ("Not Found"), and a validator's reason comes without pydantic's
    "Value error, " before it."""
    sent = {
        b'{"html": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}": "body: not JSON that can be read: nested too deep",
        b'{"html": "<p>x</p>", "fast": 1' + b"0" * 5000 + b"}": "body: not JSON that can be read: Exceeds",
        b'{"html": "<p>\xff\xfe</p>"}': "body: not JSON that can be read: not UTF-8",
    }
    for body, said in sent.items():
        answer = httpx.post(
            service.base + "/v1/clean", content=body, headers={**AUTH, "Content-Type": "application/json"}
        )
        assert answer.status_code == 400 and answer.json()["error"].startswith(said)
    routes = "POST /v1/clean, POST /v1/clean/batch, GET /healthz, GET /docs"
    answer = httpx.get(service.base + "/v1/nowhere", headers=AUTH)
    assert (answer.status_code, answer.json()) == (
        404,
        {"error": f"GET /v1/nowhere: no such route ({routes})"},
    )
    answer = httpx.get(service.base + "/v1/clean", headers=AUTH)
    assert (answer.status_code, answer.json()) == (
        405,
        {"error": f"GET /v1/clean: method not allowed ({routes})"},
    )
    answer = _post(service, "/v1/clean", {"html": "<p>x</p>", "url": "javascript:alert(1)"})
    assert answer.json() == {"error": "body: url: not an http(s) URL: 'javascript:alert(1)'"}
    dead = service.private.url("/story").replace("http://", "http://reader:hunter22@")
    answer = _post(service, "/v1/clean", {"url": dead})
    assert answer.status_code == 422 and "reader:***@" in answer.text and "hunter22" not in answer.text
