"""The pages of the synthetic news site: generated from their ids, the same for every crawler.

    /                            home: nav, 20 teasers                 (page 0)
    /<section>/                  section front: nav, teasers           (pages 1..6)
    /<section>/<id>-<slug>.html  article (~13 KB): nav, byline, paragraphs, related teasers,
                                 most-read box, newsletter box, footer
    /archive.html                only with `archive`: one link to every page of the host
    /robots.txt                  allows all, names the sitemap
    /sitemap.xml                 a sitemap index of /sitemap-<k>.xml, 10,000 URLs each

Page i links to i's children in a ternary tree (3i+1..3i+3: every page is reachable from the
home page) plus related pages picked from the id, about ten links besides the navigation.
Footer links are mailto: and fragments, which no crawler should follow.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

SECTIONS = ("world", "business", "science", "culture", "sport", "opinion")
SITEMAP_CHUNK = 10_000
_WORDS = (
    "council",
    "market",
    "river",
    "report",
    "budget",
    "minister",
    "season",
    "energy",
    "research",
    "harbour",
    "coalition",
    "festival",
    "museum",
    "league",
    "transport",
    "climate",
    "election",
    "station",
    "hospital",
    "university",
    "court",
    "village",
    "orchestra",
    "satellite",
    "treaty",
    "drought",
    "harvest",
    "bridge",
    "library",
    "airport",
    "vaccine",
    "strike",
    "tariff",
    "glacier",
    "protest",
    "pension",
    "stadium",
    "archive",
    "theatre",
    "census",
    "parliament",
    "ferry",
    "reservoir",
    "laboratory",
    "vineyard",
    "factory",
    "lighthouse",
    "tribunal",
    "carnival",
    "observatory",
)
_VERBS = (
    "announced",
    "confirmed",
    "rejected",
    "delayed",
    "approved",
    "questioned",
    "published",
    "expanded",
    "reviewed",
    "criticised",
    "welcomed",
    "postponed",
    "doubled",
    "funded",
    "revealed",
    "defended",
    "challenged",
    "restored",
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 18))]
    words.insert(rng.randint(2, 5), rng.choice(_VERBS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".......?")


@dataclass(frozen=True, slots=True)
class Corpus:
    """Sentences and headlines drawn once, so a page is assembled by indexing, not by sampling."""

    sentences: tuple[str, ...]
    headlines: tuple[str, ...]

    @classmethod
    def build(cls, seed: int = 7) -> Corpus:
        rng = random.Random(seed)
        sentences = tuple(_sentence(rng) for _ in range(2048))
        headlines = tuple(
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 8))).capitalize() for _ in range(1024)
        )
        return cls(sentences, headlines)


class Site:
    """The pages of one host, generated from their ids; `respond` maps a path to a response."""

    def __init__(self, index: int, base: str, pages: int, corpus: Corpus, *, archive: bool) -> None:
        self.index = index
        self.base = base  # "http://127.0.0.2:41234", no trailing slash
        self.pages = pages
        self.corpus = corpus
        self.archive = archive
        self._archive_page: bytes | None = None
        self._bodies: list[bytes] = []

    def pregenerate(self) -> None:
        """Render every page now, so serving one is a lookup and the server stays off the CPU.

        Done up front rather than cached on first request: a cache would make whichever
        crawler runs first pay for rendering and the later ones not.
        """
        self._bodies = [self.html(page).encode() for page in range(self.pages)]

    # -- addressing -------------------------------------------------------------------------
    def path(self, page: int) -> str:
        if page == 0:
            return "/"
        section = SECTIONS[page % len(SECTIONS)]
        if page <= len(SECTIONS):
            return f"/{SECTIONS[page - 1]}/"
        slug = "-".join(self.headline(page).lower().split()[:5])
        return f"/{section}/{page}-{slug}.html"

    def page_of(self, path: str) -> int | None:
        if path == "/":
            return 0
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == "" and parts[1] in SECTIONS:
            return SECTIONS.index(parts[1]) + 1
        if len(parts) == 3 and parts[1] in SECTIONS and parts[2].endswith(".html"):
            head = parts[2].split("-", 1)[0]
            if head.isdigit() and len(SECTIONS) < int(head) < self.pages and self.path(int(head)) == path:
                return int(head)
        return None

    def headline(self, page: int) -> str:
        return self.corpus.headlines[(page * 7919 + self.index * 104729) % len(self.corpus.headlines)]

    def links(self, page: int) -> list[int]:
        """Pages linked from the body of `page` (navigation aside): tree children, then related."""
        children = [c for c in range(3 * page + 1, 3 * page + 4) if c < self.pages]
        rng = random.Random(page * 31 + self.index)
        related = [rng.randrange(self.pages) for _ in range(7)]
        return list(dict.fromkeys(p for p in children + related if p != page))

    # -- responses --------------------------------------------------------------------------
    def respond(self, path: str) -> tuple[int, str, bytes, str]:
        """(status, content type, body, kind); `kind` is what the stats count it under."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/robots.txt":
            body = f"User-agent: *\nAllow: /\n\nSitemap: {self.base}/sitemap.xml\n"
            return 200, "text/plain; charset=utf-8", body.encode(), "robots"
        if path == "/sitemap.xml":
            return 200, "application/xml", self._sitemap_index(), "sitemap"
        if path.startswith("/sitemap-") and path.endswith(".xml") and path[9:-4].isdigit():
            chunk = int(path[9:-4])
            if chunk * SITEMAP_CHUNK < self.pages:
                return 200, "application/xml", self._sitemap(chunk), "sitemap"
        if path == "/archive.html" and self.archive:
            if self._archive_page is None:  # a few MB for 100,000 pages: built once
                self._archive_page = self._archive().encode()
            return 200, "text/html; charset=utf-8", self._archive_page, "archive"
        page = self.page_of(path)
        if page is None:
            return 404, "text/html; charset=utf-8", b"<!doctype html><title>Not found</title>", "not_found"
        html = self._bodies[page] if self._bodies else self.html(page).encode()
        return 200, "text/html; charset=utf-8", html, "page"

    def _sitemap_index(self) -> bytes:
        chunks = range((self.pages + SITEMAP_CHUNK - 1) // SITEMAP_CHUNK)
        entries = "".join(f"<sitemap><loc>{self.base}/sitemap-{k}.xml</loc></sitemap>" for k in chunks)
        xmlns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {xmlns}>{entries}</sitemapindex>'.encode()
        )

    def _sitemap(self, chunk: int) -> bytes:
        pages = range(chunk * SITEMAP_CHUNK, min(self.pages, (chunk + 1) * SITEMAP_CHUNK))
        entries = "\n".join(f"<url><loc>{self.base}{self.path(p)}</loc></url>" for p in pages)
        xmlns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {xmlns}>\n{entries}\n</urlset>'.encode()

    def _archive(self) -> str:
        items = "\n".join(
            f'<li><a href="{self.path(p)}">{self.headline(p)}</a></li>' for p in range(self.pages)
        )
        return self._frame("Archive", f"<main><h1>Archive</h1><ul>\n{items}\n</ul></main>")

    def html(self, page: int) -> str:
        if page == 0 or page <= len(SECTIONS):
            title = "Front page" if page == 0 else SECTIONS[page - 1].capitalize()
            count = 20 if page == 0 else 12
            teasers = [(page * 13 + k * 97) % self.pages for k in range(count)]
            archive = '<p><a href="/archive.html">All articles</a></p>' if self.archive and page == 0 else ""
            body = f"<main><h1>{title}</h1>{self._teasers(self.links(page) + teasers)}{archive}</main>"
            return self._frame(title, body)
        return self._frame(self.headline(page), self._article(page))

    def _article(self, page: int) -> str:
        s = self.corpus.sentences
        rng = random.Random(page * 7 + self.index * 1_000_003)
        paragraphs = "\n".join(
            "<p>" + " ".join(s[rng.randrange(len(s))] for _ in range(rng.randint(5, 8))) + "</p>"
            for _ in range(rng.randint(8, 12))
        )
        day = 1 + page % 28
        return (
            f'<main><article><header><h1>{escape(self.headline(page))}</h1>\n<p class="byline">By '
            f'<a rel="author" href="/">Alex Writer {page % 50}</a> · <time datetime="2025-03-{day:02d}">'
            f"March {day}, 2025</time></p></header>\n"
            '<div class="share">Share: <a href="#">Facebook</a> <a href="#">X</a>'
            ' <a href="#">Email</a></div>\n'
            f'<div class="article-body">\n{paragraphs}\n</div>\n'
            '<div class="author-box">Alex Writer covers local affairs. Follow for updates.</div>\n'
            f'</article><section class="related"><h2>Related articles</h2>{self._teasers(self.links(page))}'
            "</section></main>"
        )

    def _teasers(self, pages: list[int]) -> str:
        s = self.corpus.sentences
        items = "\n".join(
            f'<li><a href="{self.path(p)}">{escape(self.headline(p))}</a><p>{s[(p * 13) % len(s)]}</p></li>'
            for p in dict.fromkeys(pages)
        )
        return f'<ul class="teasers">\n{items}\n</ul>'

    def _frame(self, title: str, main: str) -> str:
        nav = "".join(f'<li><a href="/{name}/">{name.capitalize()}</a></li>' for name in SECTIONS)
        h, s = self.corpus.headlines, self.corpus.sentences
        most_read = "".join(
            f"<li><b>{escape(h[(self.index + k) % len(h)])}</b> {s[(self.index + k) % len(s)]}</li>"
            for k in range(10)
        )
        return (
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} – Bench '
            f'News {self.index}</title>\n<meta name="viewport" content="width=device-width">\n'
            '<link rel="stylesheet" href="/static/site.css"></head><body>\n'
            f'<header class="masthead"><a href="/">Bench News {self.index}</a><nav><ul><li><a href="/">Home'
            f"</a></li>{nav}</ul></nav></header>\n{main}\n"
            f'<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>\n'
            '<div class="newsletter">Get the morning briefing in your inbox.'
            ' <a href="mailto:news@example.org">Subscribe</a></div>\n'
            '<footer><p>© 2025 Bench News. All rights reserved.</p><p><a href="#top">'
            'Back to top</a> · Contact: <a href="mailto:desk@example.org">desk@example.org</a></p></footer>'
            "\n</body></html>\n"
        )
