"""The Python predicates of ``cleaner/prune.py`` select exactly the elements of the XPath they replace."""

from __future__ import annotations

import re

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from trafilatura import xpaths

from cleaner import prune
from cleaner.document import Document
from cleaner.extract import extract, parse

from .test_shortcuts import PAGES


def _xpath(name: str):  # type: ignore[no-untyped-def]
    list_name, index = name.split("/")
    found = getattr(xpaths, list_name)[int(index)]
    return found.xpath if isinstance(found, prune.Predicate) else found


def test_every_translated_expression_is_installed_with_this_trafilatura():
    # a trafilatura whose expressions changed shape keeps its XPath (no error), but then this fails
    assert prune.install() == list(prune.SHAPES)
    assert all(prune.predicate(name, _xpath(name)) is not None for name in prune.SHAPES)


def test_a_changed_expression_is_not_replaced():
    changed = etree.XPath(_xpath("REMOVE_COMMENTS_XPATH/0").path.replace("self::details", "self::aside"))
    assert prune.predicate("REMOVE_COMMENTS_XPATH/0", changed) is None
    assert prune.predicate("NO_SUCH_XPATH/0", changed) is None


#: words the expressions test for, with case and spacing variants, and some that they do not
_WORDS = sorted(
    {
        w
        for name in prune.SHAPES
        for lit in re.findall(r"'([^']*)'", _xpath(name).path)
        for w in re.findall(r"[\w:-]+", lit)
    }
    | {
        "Comment",
        "commentary",
        "comments-title",
        "display:none",
        "display: none",
        "true",
        "Teaser",
        "ad",
        "x",
    }
)
_TAGS = ["div", "section", "aside", "span", "p", "list", "item", "ol", "ul", "details", "h1", "header", "a"]
_NAMES = [
    "id",
    "class",
    "style",
    "role",
    "data-component",
    "aria-hidden",
    "data-lp-replacement-content",
    "href",
]
_value = st.lists(st.sampled_from(_WORDS), max_size=3).map(" ".join) | st.sampled_from(["", " ", " hidden"])
_element = st.tuples(
    st.sampled_from(_TAGS),
    st.lists(st.tuples(st.sampled_from(_NAMES), _value), max_size=4, unique_by=lambda a: a[0]),
    st.integers(min_value=0, max_value=40),  # its parent: an earlier element (0: the body)
)


def _tree(elements: list[tuple[str, list[tuple[str, str]], int]]):  # type: ignore[no-untyped-def]
    root = lxml.html.fromstring("<html><body></body></html>")
    nodes = [root.find("body")]
    for tag, attrs, parent in elements:
        el = etree.SubElement(nodes[min(parent, len(nodes) - 1)], tag)
        for key, value in attrs:  # attribute order matters to string(@id|@class)
            el.set(key, value)
        el.text = "text"
        nodes.append(el)
    return root


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_element, min_size=1, max_size=40))
def test_predicates_select_what_the_xpath_selects(elements):
    root = _tree(elements)
    for name in prune.SHAPES:
        xpath = _xpath(name)
        mine = prune.predicate(name, xpath)
        assert mine is not None
        for node in (root, root.find("body")):
            assert mine(node) == xpath(node), name


def test_predicates_on_real_pages_and_element_trees():
    for html in PAGES:
        tree = parse(html)
        for name in prune.SHAPES:
            xpath, mine = _xpath(name), prune.predicate(name, _xpath(name))
            assert mine(tree) == xpath(tree)
            assert mine(tree.getroottree()) == xpath(tree.getroottree())  # handed to the XPath


def test_extraction_is_the_same_with_trafilaturas_xpath():
    def run() -> list[tuple[str, dict]]:
        docs = [extract(Document(source="p.html", raw=html, kind="html")) for html in PAGES]
        return [(d.raw, d.metadata) for d in docs]

    prune.install()
    fast = run()
    # trafilatura's modules hold these lists by reference: swap the entries in place, then back
    slots = [(getattr(xpaths, name.split("/")[0]), int(name.split("/")[1])) for name in prune.SHAPES]
    mine = [expressions[i] for expressions, i in slots]
    try:
        for expressions, i in slots:
            expressions[i] = expressions[i].xpath
        assert run() == fast
    finally:
        for (expressions, i), predicate in zip(slots, mine, strict=True):
            expressions[i] = predicate
