"""`make demo`: serve the bundled demo site on 127.0.0.1, crawl it, show what was stored.

Fully offline. The crawl runs through the real command line (`python -m scraper crawl`), as a
cron job would; the store is `data/demo.db`, so a second `make demo` shows the incremental
behaviour (everything unchanged, nothing stored twice).
"""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "demo" / "site"
CONFIG = ROOT / "config" / "demo.toml"
DB = ROOT / "data" / "demo.db"
PREFERRED_PORT = 8765  # the address config/demo.toml names; any free port if it is taken


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve() -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    try:
        return ThreadingHTTPServer(("127.0.0.1", PREFERRED_PORT), handler)
    except OSError:
        return ThreadingHTTPServer(("127.0.0.1", 0), handler)


def main() -> int:
    httpd = _serve()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    start = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        print(f"demo site on {start}\n$ scraper crawl --config config/demo.toml --db data/demo.db {start}")
        crawl = subprocess.run(
            [sys.executable, "-m", "scraper", "crawl", "--config", str(CONFIG), "--db", str(DB), start],
            cwd=ROOT,
            check=False,
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    _show_first_article()
    return crawl.returncode


def _show_first_article() -> None:
    from scraper.store.documents import Store

    with Store(DB) as store:
        docs = [d for d in store.latest() if "/news/" in (d.url or "")]
    if not docs:
        print("no article was stored")
        return
    doc = docs[0]
    print(f"\n{len(docs)} articles stored; the first one, cleaned:\n")
    print(f"title:   {doc.title}\nauthors: {', '.join(doc.authors)}\ndate:    {doc.date}")
    print(f"site:    {doc.sitename}\nlang:    {doc.language}\nurl:     {doc.url}\n")
    print(doc.text)


if __name__ == "__main__":
    sys.exit(main())
