"""The Python classes of the lxml trees trafilatura and htmldate parse, chosen in C; pure but for
`choose_in_c`, which sets them on those libraries' parsers.

    choose_in_c(parser, ...)    the parsers give each node lxml.html's class without a Python call

lxml.html's parser chooses the class of each node (HtmlElement; FormElement, InputElement, ... for
the tags of a form; HtmlComment, ...) in Python (`HtmlElementClassLookup.lookup`), at every first
reach of a node from Python: about 2,700 calls a page across trafilatura's extraction and
metadata, htmldate's date search and the byline and category searches, 0.3 ms a page. lxml's
own lookups choose the same classes in C: the tag names of lxml.html's form classes (in the
default namespace, where the HTML parser puts every element under the lowercase name it gives
them), else HtmlElement; HtmlComment, HtmlProcessingInstruction and HtmlEntity for the others.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html


def c_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's choice of classes (`HtmlElementClassLookup()`, with no mixins), made in C."""
    fallback = etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
    lookup = etree.ElementNamespaceClassLookup(fallback)
    by_tag = lookup.get_namespace(None)
    for tag, cls in _FORM_CLASSES.items():
        by_tag[tag] = cls
    return lookup


# lxml.html's classes of the tags of a form (HtmlElementClassLookup's default classes, lxml 6;
# tests/extract/test_lxmlclasses.py checks them against lxml.html's own parser)
_FORM_CLASSES: dict[str, type[lxml_html.HtmlElement]] = {
    "form": lxml_html.FormElement,
    "input": lxml_html.InputElement,
    "label": lxml_html.LabelElement,
    "select": lxml_html.SelectElement,
    "textarea": lxml_html.TextareaElement,
}


def choose_in_c(*parsers: etree.HTMLParser) -> None:
    """Have each of `parsers` (lxml.html parsers) choose its nodes' classes with `c_lookup`."""
    for parser in parsers:
        parser.set_element_class_lookup(c_lookup())
