"""The public surface is defined once, in scraper/__init__.py."""

from __future__ import annotations

import scraper


def test_all_names_exist_and_nothing_private_leaks() -> None:
    """Every name in __all__ is importable and public."""
    for name in scraper.__all__:
        assert hasattr(scraper, name), name
        assert not name.startswith("_")
    assert sorted(scraper.__all__) == scraper.__all__


def test_clean_html_is_the_one_call_api() -> None:
    """clean_html turns an HTML string into a Document with a JSON-ready record."""
    html = (
        "<html lang='en'><head><title>T</title></head><body><article>"
        + "<p>A sentence of the story that is long enough to be kept as main text.</p>" * 4
        + "</article></body></html>"
    )
    doc = scraper.clean_html(html, url="https://a.example/s")
    assert "long enough to be kept" in doc.text
    assert doc.to_record()["url"] == "https://a.example/s"
