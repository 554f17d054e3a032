"""Rendering: a fetched page's scripts run in headless Chromium, and the DOM they build is the page.

Only for hosts with `render = true` (`[[sites]]`, `[fetch]`, or `clean --render`), through
Playwright (the `render` extra) driving the browser at `[fetch] browser` (Debian's chromium).

    fetch as always (robots.txt, gate, retries, SSRF guard, size limits)  ->  FetchedPage
      -> a fresh browser context; the page's own URL is answered with the body already fetched
         (the server is not asked twice), every other request the browser makes is checked:
         http(s) only, at most `_MAX_REQUESTS`, its host resolved and checked by the SSRF guard's
         `target_refusal` (scraper/fetch/guard.py: one policy); requests to the page's own
         origin carry the site's headers, cookie and auth, others none
      -> the DOM once the page has loaded and its network is quiet (or `render_timeout` is up)
      -> the same FetchedPage with that HTML as its body (UTF-8)

Each page is bounded: `render_timeout` seconds in all, `render_max_memory` MiB of JavaScript
heap (V8's own cap), and the HTML it yields by `max_decoded_bytes`. A page over a bound, a
crashed tab or a dead browser is that page's failure (`PermanentFetchError` "render failed: ...");
a dead browser is started again for the next page. A browser that cannot be started at all is
a configuration error: nothing would render.

The subresources a page loads are not paced by the host gate nor checked against robots.txt
(as in a browser); the page itself was, before it was fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scraper.config import FetchSettings
from scraper.errors import ConfigError, PermanentFetchError
from scraper.fetch.guard import AddressPolicy, target_refusal
from scraper.models import FetchedPage
from scraper.urls import origin

if TYPE_CHECKING:  # Playwright is imported when the first page is rendered
    from playwright.async_api import Browser, Playwright, Route

__all__ = ["Renderer"]

_MAX_REQUESTS = 300  # requests one page's scripts may make
_QUIET = 2.0  # seconds of network quiet awaited after load, within the page's time
_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


class Renderer:
    """One headless Chromium for a run, started with the first page to render.

    `headers_for(url)` and `proxy_for(url)` are the fetcher's: what a request to `url` carries
    and the proxy it goes through.
    """

    def __init__(
        self,
        settings: FetchSettings,
        policy: AddressPolicy,
        *,
        headers_for: Callable[[str], dict[str, str]],
        proxy_for: Callable[[str], str | None],
    ) -> None:
        self.settings = settings
        self._policy = policy
        self._headers_for = headers_for
        self._proxy_for = proxy_for
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Renderer:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Exception):  # a browser that died is closed already
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    async def render(self, page: FetchedPage) -> FetchedPage:
        """`page` as a browser shows it once its scripts have run; raises `PermanentFetchError`."""
        from playwright.async_api import Error as PlaywrightError  # noqa: PLC0415 - the extra, lazily

        url = page.final_url or page.url or page.source
        try:
            browser = await self._started()  # starting the browser is not the page's time
            async with asyncio.timeout(self.settings.render_timeout):
                html = await self._render(browser, url, page)
        except TimeoutError as exc:
            raise PermanentFetchError(
                page.source, f"render failed: over render_timeout ({self.settings.render_timeout:g}s)"
            ) from exc
        except PlaywrightError as exc:
            await self._forget_dead_browser()
            first = (exc.message or type(exc).__name__).strip().splitlines()[0]
            raise PermanentFetchError(page.source, f"render failed: {first}") from exc
        body = html.encode("utf-8")
        if len(body) > self.settings.max_decoded_bytes:
            limit = self.settings.max_decoded_bytes
            raise PermanentFetchError(page.source, f"render failed: the page grew past {limit} bytes")
        return replace(page, body=body, encoding="utf-8", content_type="text/html; charset=utf-8")

    async def _render(self, browser: Browser, url: str, page: FetchedPage) -> str:
        context = await browser.new_context(
            proxy=_playwright_proxy(self._proxy_for(url)),
            java_script_enabled=True,
            service_workers="block",
            user_agent=self._headers_for(url).get("User-Agent"),
        )
        try:
            tab = await context.new_page()
            crashed: list[str] = []
            tab.on("crash", lambda _page: crashed.append("the page crashed"))
            requests = 0
            home = origin(url)

            async def route(route: Route) -> None:
                nonlocal requests
                target = route.request.url.split("#", 1)[0]
                if target == url.split("#", 1)[0] and route.request.is_navigation_request():
                    await route.fulfill(
                        status=200, headers={"Content-Type": page.content_type or "text/html"}, body=page.body
                    )
                    return
                requests += 1
                if not await self._allowed(target, requests):
                    await route.abort("blockedbyclient")
                    return
                headers = dict(route.request.headers)
                if origin(target) == home:  # the site's credentials go to the site only
                    headers.update(self._headers_for(target))
                await route.continue_(headers=headers)

            await tab.route("**/*", route)
            await tab.goto(url, wait_until="load")
            with contextlib.suppress(Exception):  # a page still busy after the quiet wait is read as it is
                await tab.wait_for_load_state("networkidle", timeout=_QUIET * 1000)
            if crashed:
                raise PermanentFetchError(page.source, f"render failed: {crashed[0]}")
            return str(await tab.content())  # str(): Any where the extra is not installed
        finally:
            with contextlib.suppress(Exception):
                await context.close()

    async def _allowed(self, target: str, requests: int) -> bool:
        """Whether the browser may make this request: within the count, and an address we may reach."""
        scheme = urlsplit(target).scheme
        if requests > _MAX_REQUESTS or scheme not in ("http", "https", "data", "blob"):
            return False
        if scheme in ("data", "blob"):  # made inside the browser, no connection
            return True
        return await target_refusal(self._policy, target, self.settings.connect_timeout) is None

    async def _started(self) -> Browser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            from playwright.async_api import Error as PlaywrightError  # noqa: PLC0415
            from playwright.async_api import async_playwright  # noqa: PLC0415

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            memory = f"--js-flags=--max-old-space-size={self.settings.render_max_memory}"
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.settings.browser, headless=True, args=[*_ARGS, memory]
                )
            except PlaywrightError as exc:
                first = (exc.message or "").strip().splitlines()[0] if exc.message else type(exc).__name__
                raise ConfigError("fetch.browser", f"cannot start {self.settings.browser}: {first}") from exc
            return self._browser

    async def _forget_dead_browser(self) -> None:
        if self._browser is not None and not self._browser.is_connected():
            self._browser = None


def _playwright_proxy(proxy: str | None) -> Any:
    """Playwright's proxy settings for a proxy URL (credentials apart), or None."""
    if proxy is None:
        return None
    parts = urlsplit(proxy)
    server = f"{parts.scheme}://{parts.hostname}:{parts.port or 80}"
    # "<-loopback>": through the proxy as the fetcher's own requests go, not Chromium's default
    # of sending loopback addresses around it
    settings: dict[str, str] = {"server": server, "bypass": "<-loopback>"}
    if parts.username:
        settings["username"] = parts.username
    if parts.password:
        settings["password"] = parts.password
    return settings
