"""robots.txt -> `RobotsRules` (RFC 9309, via protego). Pure: text in, rules out; no network.

The crawl engine fetches `/robots.txt` itself and picks the rules by outcome:

    200                   -> parse_robots(body, agent=agent_token(ua), base_url=robots_url)
    404, 410 (any 4xx)    -> ALLOW_ALL       (RFC 9309 2.3.1.3: "unavailable")
    5xx, network failure  -> DISALLOW_ALL    (RFC 9309 2.3.1.4: "unreachable")

Only the first 512 KiB are read (RFC 9309 asks for at least 500 KiB; Google stops there too).
Malformed input never raises: lines protego cannot read are ignored, so junk, binary noise or an
HTML page served as robots.txt end up as allow-all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protego import Protego

from scraper.urls import join_url, normalise

MAX_ROBOTS_BYTES = 512 * 1024

_BOM = "\ufeff"
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")


@dataclass(frozen=True, slots=True, kw_only=True)
class RobotsRules:
    """What one host's robots.txt says to our agent.

    `crawl_delay` is in seconds: the larger of `Crawl-delay` and the interval implied by
    `Request-rate` (`1/10s` -> 10.0) of the group that applies to us; None when neither is given.
    It is not capped here: `CrawlSettings.max_crawl_delay` bounds it in the crawl engine.
    `sitemaps` are the `Sitemap:` lines, absolute and normalised, in file order, without
    duplicates. One instance per host is cheap: it holds protego's parsed rule sets only.
    """

    crawl_delay: float | None = None
    sitemaps: tuple[str, ...] = ()
    _parser: Protego | None = field(default=None, repr=False)  # compared by identity
    _agent: str = field(default="*", repr=False)
    _default: bool = field(default=True, repr=False)  # the answer when there is no parser

    def allowed(self, url: str) -> bool:
        """Whether our agent may fetch `url` (a URL of the host these rules were read from)."""
        if self._parser is None:
            return self._default
        return bool(self._parser.can_fetch(url, self._agent))


ALLOW_ALL = RobotsRules()
DISALLOW_ALL = RobotsRules(_default=False)


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched on: "scraper/0.1 (+https://...)" -> "scraper".

    RFC 9309 2.2.1: the token is made of letters, "_" and "-" only. "*" when nothing is left.
    """
    words = user_agent.strip().split()
    first = words[0] if words else ""
    token = []
    for char in first:
        if char not in _TOKEN_CHARS:
            break
        token.append(char)
    return "".join(token).lower() or "*"


def parse_robots(text: str, *, agent: str, base_url: str) -> RobotsRules:
    """Read a robots.txt body into the rules that apply to `agent` (a token, see `agent_token`).

    `base_url` is the robots.txt URL (or the site root): relative `Sitemap:` lines resolve
    against it.
    """
    parser = Protego.parse(_truncate(text.removeprefix(_BOM)))
    return RobotsRules(
        crawl_delay=_delay(parser, agent),
        sitemaps=_sitemaps(parser, base_url),
        _parser=parser,
        _agent=agent,
    )


def _truncate(text: str) -> str:
    """The first MAX_ROBOTS_BYTES (UTF-8) of `text`, cut back to a whole line when it was longer."""
    encoded = text[: MAX_ROBOTS_BYTES + 1].encode("utf-8", "replace")  # each char is >= 1 byte
    if len(encoded) <= MAX_ROBOTS_BYTES:
        return text
    head = encoded[:MAX_ROBOTS_BYTES].decode("utf-8", "ignore")
    # A line cut in half could turn "Allow: /private/public" into the broader "Allow: /priv":
    # drop the partial last line, as everything past the limit is ignored anyway.
    newline = max(head.rfind("\n"), head.rfind("\r"))
    return head[: newline + 1]


def _delay(parser: Protego, agent: str) -> float | None:
    delays: list[float] = []
    crawl_delay = parser.crawl_delay(agent)
    if crawl_delay is not None:
        delays.append(float(crawl_delay))
    rate = parser.request_rate(agent)
    if rate is not None:  # protego only keeps rates with requests > 0 and seconds > 0
        delays.append(rate.seconds / rate.requests)
    return max(delays) if delays else None


def _sitemaps(parser: Protego, base_url: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for line in parser.sitemaps:
        joined = join_url(base_url, line)  # None for a malformed one: the line is skipped, not fatal
        url = normalise(joined) if joined is not None else None
        if url is not None:
            seen.setdefault(url, None)
    return tuple(seen)
