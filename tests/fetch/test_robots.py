"""robots.txt rules: groups, patterns, delays, sitemaps, and resilience to junk."""

from __future__ import annotations

import pytest

from scraper.fetch.robots import (
    ALLOW_ALL,
    DISALLOW_ALL,
    MAX_ROBOTS_BYTES,
    RobotsRules,
    agent_token,
    parse_robots,
)

BASE = "https://site.example/robots.txt"

ROBOTS = """\
# comments and blank lines are ignored

User-agent: *
Disallow: /private/
Crawl-delay: 7

User-agent: Scraper
Disallow: /drafts/
Allow: /drafts/public/
Crawl-delay: 2.5

User-agent: otherbot
Disallow: /
"""


def rules(text: str, agent: str = "scraper") -> RobotsRules:
    return parse_robots(text, agent=agent, base_url=BASE)


def test_our_group_wins_over_the_star_group() -> None:
    """Our agent follows its own group only, so the `*` group's rules do not apply to it."""
    ours = rules(ROBOTS)
    assert not ours.allowed("https://site.example/drafts/x")
    assert ours.allowed("https://site.example/private/x")
    assert ours.allowed("https://site.example/drafts/public/x")  # the longer Allow wins


def test_other_agents_fall_back_to_the_star_group() -> None:
    """An agent without a group of its own follows `*`."""
    theirs = rules(ROBOTS, agent="somebot")
    assert not theirs.allowed("https://site.example/private/x")
    assert theirs.allowed("https://site.example/drafts/x")
    assert theirs.crawl_delay == 7.0


def test_group_names_match_case_insensitively() -> None:
    """`User-agent: Scraper` applies to the token `scraper`."""
    assert rules(ROBOTS).crawl_delay == 2.5


def test_wildcards_and_end_anchors() -> None:
    """`*` matches any run of characters and `$` anchors the end of the path."""
    ours = rules("User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\nAllow: /\n")
    assert not ours.allowed("https://site.example/docs/a.pdf")
    assert ours.allowed("https://site.example/docs/a.pdf?download=1")
    assert not ours.allowed("https://site.example/search?lang=en&q=x")
    assert ours.allowed("https://site.example/search?lang=en")


def test_request_rate_becomes_seconds_per_request() -> None:
    """`Request-rate: 1/10s` is a 10 second delay; with Crawl-delay the larger one wins."""
    assert rules("User-agent: *\nRequest-rate: 1/10s\n").crawl_delay == 10.0
    assert rules("User-agent: *\nRequest-rate: 3/1m\n").crawl_delay == 20.0
    assert rules("User-agent: *\nCrawl-delay: 30\nRequest-rate: 1/10s\n").crawl_delay == 30.0
    assert rules("User-agent: *\nDisallow: /x\n").crawl_delay is None


def test_malformed_delays_are_ignored() -> None:
    """A Crawl-delay or Request-rate that is not a number is dropped, not an error."""
    ours = rules("User-agent: *\nCrawl-delay: soon\nRequest-rate: lots\nCrawl-delay: -3\n")
    assert ours.crawl_delay is None


def test_sitemap_lines_are_absolute_normalised_and_unique() -> None:
    """Sitemap lines are site-wide, relative ones resolve against the robots.txt URL."""
    text = (
        "Sitemap: /sitemap.xml\n"
        "User-agent: *\nDisallow:\n"
        "sitemap: HTTPS://Site.example:443/news.xml#x\n"
        "Sitemap: https://site.example/sitemap.xml\n"
        "Sitemap: mailto:me@site.example\n"
    )
    assert rules(text).sitemaps == ("https://site.example/sitemap.xml", "https://site.example/news.xml")


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "<!doctype html><html><body><h1>Welcome</h1><p>User-agent: *</p></body></html>",
        bytes(range(256)).decode("latin-1") * 50,
        "Disallow: /\nCrawl-delay: 5\n",  # rules before any User-agent line belong to no group
        "User-agent: *\nDisallow: /\x00\x01\nAllow: %%%\n",
    ],
    ids=["empty", "html", "binary", "no-group", "control-chars"],
)
def test_junk_never_raises(junk: str) -> None:
    """Empty, HTML, binary or groupless robots.txt is read without error and blocks nothing useful."""
    ours = rules(junk)
    assert ours.allowed("https://site.example/article")
    assert ours.crawl_delay is None


def test_a_byte_order_mark_does_not_hide_the_first_group() -> None:
    """A UTF-8 BOM before `User-agent` is dropped, so the first group still counts."""
    assert not rules("\ufeffUser-agent: *\nDisallow: /private/\n").allowed("https://site.example/private/")


def test_only_the_first_512_kib_are_read() -> None:
    """Rules past the size cap are ignored, and the line cut by the cap is dropped whole."""
    head = "User-agent: *\nDisallow: /early/\n"
    head += "#" * (MAX_ROBOTS_BYTES - len(head) - 17) + "\n"  # the cap falls after "Allow: /early/la"
    ours = rules(head + "Allow: /early/late\nDisallow: /late/\n")
    assert not ours.allowed("https://site.example/early/late")
    assert not ours.allowed("https://site.example/early/lab")  # no broader "Allow: /early/la" either
    assert ours.allowed("https://site.example/late/")


def test_one_huge_line_is_harmless() -> None:
    """A multi-megabyte line without a newline is cut away rather than parsed."""
    ours = rules("User-agent: *\nDisallow: /a/\nDisallow: /" + "b" * (3 * MAX_ROBOTS_BYTES))
    assert not ours.allowed("https://site.example/a/")
    assert ours.allowed("https://site.example/bbb")


def test_fallback_rules() -> None:
    """ALLOW_ALL (robots.txt 4xx) allows everything; DISALLOW_ALL (5xx, unreachable) nothing."""
    assert ALLOW_ALL.allowed("https://site.example/anything")
    assert not DISALLOW_ALL.allowed("https://site.example/")
    assert ALLOW_ALL.crawl_delay is None and DISALLOW_ALL.crawl_delay is None
    assert ALLOW_ALL.sitemaps == () and DISALLOW_ALL.sitemaps == ()


def test_rules_are_frozen() -> None:
    """Rules are immutable records, safe to share between tasks of one host."""
    with pytest.raises(AttributeError):
        rules(ROBOTS).crawl_delay = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        ("scraper/0.1 (+https://github.com/scraper-project/scraper)", "scraper"),
        ("Scraper", "scraper"),
        ("my_crawler-bot/2.0", "my_crawler-bot"),
        ("  spaced/1  ", "spaced"),
        ("Mozilla/5.0 (compatible; Foobot/1.0)", "mozilla"),
        ("9000/1", "*"),
        ("", "*"),
    ],
)
def test_agent_token(user_agent: str, token: str) -> None:
    """The product token is the leading run of letters, `_` and `-` of the User-Agent, lowercased."""
    assert agent_token(user_agent) == token


def test_agent_token_matches_the_robots_group() -> None:
    """The token derived from our User-Agent header selects our own group."""
    token = agent_token("Scraper/0.1 (+https://example.org/bot)")
    assert rules(ROBOTS, agent=token).crawl_delay == 2.5
