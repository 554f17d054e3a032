"""The baseline: Scrapy crawling the same site, default settings but for the concurrency.

Run as its own process by the benchmark (`python bench/scrapy_baseline.py URL... --max-pages N`);
prints one JSON line with the pages it parsed and its crawl statistics.

A `CrawlSpider` with one `Rule(LinkExtractor())` is the textbook way to follow every link of
a site; `allowed_domains` keeps it on the start hosts. By default the callback only counts,
which makes it the fair peer of our crawl with `extract = false`; with `--extract` it also calls
`trafilatura.extract(response.text, url=..., with_metadata=True)` on every page, what users
build today, the peer of our crawl with extraction (its result is counted, not stored). Settings that
differ from Scrapy's defaults are exactly the ones the issue names: 8 requests per host, 32
overall (8 x 4 hosts), no delay, robots.txt obeyed, and a page budget.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BenchSpider(CrawlSpider):  # type: ignore[misc,unused-ignore]  # Any without the bench group
    name = "bench"
    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)
    pages = 0
    extract = False
    extracted = 0

    def parse_start_url(self, response: Response, **kwargs: Any) -> list[Any]:
        return self.parse_page(response)

    def parse_page(self, response: Response) -> list[Any]:
        type(self).pages += 1
        if self.extract and trafilatura.extract(response.text, url=response.url, with_metadata=True):
            type(self).extracted += 1
        return []


def settings(*, per_host: int, total: int, max_pages: int, timeout: float) -> dict[str, Any]:
    return {
        "CONCURRENT_REQUESTS": total,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        # counts every response, robots.txt included: the caller adds one per host
        "CLOSESPIDER_PAGECOUNT": max_pages,
        "CLOSESPIDER_TIMEOUT": timeout,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("start_urls", nargs="+")
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--total", type=int, default=32)
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--extract", action="store_true", help="trafilatura.extract in the callback")
    args = parser.parse_args(argv)
    process = CrawlerProcess(
        settings(per_host=args.per_host, total=args.total, max_pages=args.max_pages, timeout=args.timeout)
    )
    crawler = process.create_crawler(BenchSpider)
    hosts = sorted({urlsplit(url).hostname or "" for url in args.start_urls})
    BenchSpider.extract = args.extract
    process.crawl(crawler, start_urls=args.start_urls, allowed_domains=hosts)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    enqueued = int(stats.get("scheduler/enqueued", 0))
    dequeued = int(stats.get("scheduler/dequeued", 0))
    result = {
        "pages": BenchSpider.pages,
        "extracted": BenchSpider.extracted,
        "responses": stats.get("downloader/response_count", 0),
        "robots_requests": stats.get("robotstxt/request_count", 0),
        "errors": stats.get("log_count/ERROR", 0),
        "finish_reason": stats.get("finish_reason"),
        "elapsed_s": stats.get("elapsed_time_seconds"),
        "frontier_left": enqueued - dequeued,  # requests still queued when the budget closed it
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
