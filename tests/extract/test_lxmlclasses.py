"""The classes of trafilatura's and htmldate's lxml nodes, chosen in C (scraper/extract/lxmlclasses.py)."""

from __future__ import annotations

from typing import Any

import pytest
from htmldate.utils import load_html as htmldate_load_html
from lxml import html as lxml_html
from trafilatura.utils import load_html as trafilatura_load_html

from scraper.extract import pipeline  # noqa: F401  # sets the parsers' lookup, as every run does
from scraper.extract.lxmlclasses import c_lookup

PAGE = (
    "<!DOCTYPE html><html><head><title>Form</title></head><body><div class='a'><p>One &amp; two"
    "<!-- a comment --><?pi here?></p><form action='/s'><label for='q'>Search</label>"
    "<input id='q' name='q'><select name='s'><option>1</option></select><textarea>t</textarea>"
    "</form><FORM><INPUT name='upper'></FORM><custom-tag>x</custom-tag></div></body></html>"
)


def _classes(tree: Any) -> list[tuple[str, type]]:
    return [(str(node.tag), type(node)) for node in tree.iter()]


@pytest.mark.parametrize("load", [trafilatura_load_html, htmldate_load_html])
def test_the_parsers_choose_lxml_html_classes_without_calling_python(
    monkeypatch: pytest.MonkeyPatch, load: Any
) -> None:
    """trafilatura's and htmldate's parsers give every node the class lxml.html's own parser gives
    it (the form tags theirs, any case of tag), and never ask lxml.html's lookup in Python."""
    asked: list[str] = []
    python_lookup = lxml_html.HtmlElementClassLookup.lookup

    def spied(self: Any, node_type: Any, document: Any, namespace: Any, name: str) -> Any:
        asked.append(name)
        return python_lookup(self, node_type, document, namespace, name)

    monkeypatch.setattr(lxml_html.HtmlElementClassLookup, "lookup", spied)
    ours = _classes(load(PAGE))
    assert asked == []
    html_parser = lxml_html.HTMLParser(remove_comments=False, remove_pis=False)
    theirs = _classes(lxml_html.fromstring(PAGE, parser=html_parser))
    assert asked
    by_tag = dict(theirs)
    assert [(tag, by_tag[tag]) for tag, _ in ours] == ours
    assert {cls for _, cls in ours} >= {
        lxml_html.FormElement,
        lxml_html.InputElement,
        lxml_html.LabelElement,
        lxml_html.SelectElement,
        lxml_html.TextareaElement,
        lxml_html.HtmlElement,
    }


def test_the_lookup_gives_each_kind_of_node_its_lxml_html_class() -> None:
    """Comments, processing instructions and entities too, with a parser that keeps them."""
    parser = lxml_html.HTMLParser(remove_comments=False, remove_pis=False)
    parser.set_element_class_lookup(c_lookup())
    reference = lxml_html.HTMLParser(remove_comments=False, remove_pis=False)
    ours = _classes(lxml_html.fromstring(PAGE, parser=parser))
    theirs = _classes(lxml_html.fromstring(PAGE, parser=reference))
    assert ours == theirs
    assert lxml_html.HtmlComment in {cls for _, cls in ours}
