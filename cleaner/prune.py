"""trafilatura's pruning expressions as Python predicates: the same elements, ~4x cheaper.

Before and during extraction trafilatura prunes the tree with XPath expressions that test the ``id``,
``class`` and ``style`` of every ``div``, ``section``, ``span``... with EXSLT regular expressions
(``re:test``). libxml2 calls back into Python for every such test, with the argument converted to a
Python object each time: these expressions took ~40% of the precision extraction's time. Here each
is a loop over the same elements (``iterdescendants``, document order) running the same regular
expressions with Python's ``re`` directly.

Only expressions whose text trafilatura still spells as expected are replaced: each expression's
*shape* (its text with every quoted literal taken out) must equal the one translated here, and the
literals (the regular expressions, the class names) are read from trafilatura's own text, so a new
token in one of its lists is taken over as is, while a changed structure keeps trafilatura's XPath.
``install`` swaps them in trafilatura's lists (module globals that its functions read at call time):
process-wide, results unchanged (``tests/test_prune.py`` compares every replaced expression with
its XPath).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

#: a quoted literal of these expressions (none contains a quote)
_LITERAL = re.compile(r"'([^']*)'")
_BLOCKS = ("div", "item", "list", "p", "section", "span")
Attrs = dict[str, str]
Test = Callable[[Attrs, list[tuple[str, str]], Any], bool]


def shape(path: str) -> str:
    """An expression's text without its literals and with its spacing normalised."""
    return " ".join(_LITERAL.sub("?", path).split()).replace("[ ", "[")


def _first(items: list[tuple[str, str]], *names: str) -> str:
    """The value of the first of ``names`` among the element's attributes, in document order
    (XPath's ``string(@a|@b)``), or "" (an empty node-set)."""
    for key, value in items:
        if key in names:
            return value
    return ""


def _translate(src: str, dst: str) -> dict[int, int | None]:
    """XPath ``translate``: the n-th character of ``src`` becomes the n-th of ``dst``, or goes; the
    first occurrence of a character in ``src`` decides."""
    table: dict[int, int | None] = {}
    for i, ch in enumerate(src):
        table.setdefault(ord(ch), ord(dst[i]) if i < len(dst) else None)
    return table


class Predicate:
    """Called like lxml's ``XPath`` object it replaces, on an element: the matching descendant
    elements in document order. Anything else (an element tree, variables) goes to the XPath."""

    def __init__(self, xpath: Any, tags: Sequence[str], test: Test, reads_element: bool) -> None:
        self.xpath = xpath
        self.path = xpath.path
        self.tags = tuple(tags)
        self.test = test
        #: the verdict on an element without attributes, when it depends on nothing else
        self.bare = None if reads_element else test({}, [], None)

    def __call__(self, node: Any, **variables: Any) -> Any:
        if variables or not isinstance(node, etree._Element):
            return self.xpath(node, **variables)
        found = []
        test, bare = self.test, self.bare
        elements = node.iterdescendants(*self.tags) if self.tags else node.iterdescendants(etree.Element)
        for el in elements:
            items = el.items()
            if not items and bare is not None:
                if bare:
                    found.append(el)
            elif test(dict(items), items, el):
                found.append(el)
        return found


def _search(pattern: str) -> Callable[[str], bool]:
    rx = re.compile(pattern)
    return lambda s: rx.search(s) is not None


def _make(name: str, lits: list[str]) -> tuple[Sequence[str], Test]:
    """Tags and test of the expression ``name`` given its literals, in the order they are written."""
    if name == "RAW_TREE_PRUNE_XPATH/0":
        a, b, c, d = map(_search, lits)
        return (
            ("div", "section", "aside"),
            lambda at, it, el: (
                (a(at.get("id", "")) or b(at.get("class", "")))
                and (
                    next(el.iterdescendants("h1"), None) is None
                    or c(at.get("id", ""))
                    or d(at.get("class", ""))
                )
            ),
        )
    if name == "RAW_TREE_PRUNE_XPATH/1":
        (word,) = lits
        return ("div", "section", "aside"), lambda at, it, el: word in at.get("class", "")
    if name == "OVERALL_DISCARD_XPATH/0":
        src, dst, nav, component = lits[:4]
        both, ids, classes = map(_search, lits[4:])
        table = _translate(src, dst)
        return (
            _BLOCKS,
            lambda at, it, el: (
                "data-lp-replacement-content" in at
                or nav in at.get("role", "").translate(table)
                or component in at.get("data-component", "")
                or both(_first(it, "id", "class"))
                or ids(at.get("id", ""))
                or classes(at.get("class", ""))
            ),
        )
    if name == "OVERALL_DISCARD_XPATH/1":
        title, reply, style1, style2 = lits[0], lits[1], lits[3], lits[4]
        hidden, ids, classes = _search(lits[2]), _search(lits[5]), _search(lits[6])
        aria = lits[7]
        return (
            (),
            lambda at, it, el: (
                at.get("class") == title
                or _first(it, "id", "class").startswith(reply)
                or hidden(_first(it, "id", "style"))
                or style1 in at.get("style", "")
                or style2 in at.get("style", "")
                or ids(at.get("id", ""))
                or classes(at.get("class", ""))
                or at.get("aria-hidden") == aria
            ),
        )
    if name == "PRECISION_DISCARD_XPATH/1":
        one, two = _search(lits[0]), _search(lits[1])
        style = lits[2]
        return (
            _BLOCKS,
            lambda at, it, el: (
                one(_first(it, "id", "class"))
                or two(_first(it, "id", "class"))
                or style in at.get("style", "")
            ),
        )
    if name == "TEASER_DISCARD_XPATH/0":
        id_table, class_table = _translate(lits[0], lits[1]), _translate(lits[3], lits[4])
        id_word, class_word = lits[2], lits[5]
        return (
            _BLOCKS,
            lambda at, it, el: (
                id_word in at.get("id", "").translate(id_table)
                or class_word in at.get("class", "").translate(class_table)
            ),
        )
    if name == "DISCARD_IMAGE_ELEMENTS/0":
        id_word, class_word = lits
        return _BLOCKS, lambda at, it, el: id_word in at.get("id", "") or class_word in at.get("class", "")
    if name == "REMOVE_COMMENTS_XPATH/0":
        ids, classes = map(_search, lits)
        return (
            "div",
            "list",
            "section",
            "details",
        ), lambda at, it, el: ids(at.get("id", "")) or classes(at.get("class", ""))
    if name == "REMOVE_COMMENTS_AND_LISTS_XPATH/0":
        ids, classes, list_ids, list_classes = map(_search, lits)
        return (
            ("div", "list", "section", "details", "ol", "ul"),
            lambda at, it, el: (
                (ids(at.get("id", "")) or classes(at.get("class", "")))
                and (
                    el.tag not in ("ol", "ul")
                    or list_ids(at.get("id", ""))
                    or list_classes(at.get("class", ""))
                )
            ),
        )
    raise KeyError(name)


_TAGS_6 = "self::div or self::item or self::list or self::p or self::section or self::span"
#: the shape (``shape``) of each expression translated above, as trafilatura 2.3 writes it
SHAPES = {
    "RAW_TREE_PRUNE_XPATH/0": ".//*[self::div or self::section or self::aside][re:test(@id, ?) or "
    "re:test(@class, ?)][not(.//h1) or re:test(@id, ?) or re:test(@class, ?)]",
    "RAW_TREE_PRUNE_XPATH/1": ".//*[self::div or self::section or self::aside][contains(@class, ?)]",
    "OVERALL_DISCARD_XPATH/0": f".//*[{_TAGS_6}][@data-lp-replacement-content or contains(translate(@role, ?, ?), ?) "
    "or contains(@data-component, ?) or re:test(@id|@class, ?) or re:test(@id, ?) or re:test(@class, ?)]",
    "OVERALL_DISCARD_XPATH/1": ".//*[@class=? or starts-with(@id|@class, ?) or re:test(@id|@style, ?) or "
    "contains(@style, ?) or contains(@style, ?) or re:test(@id, ?) or re:test(@class, ?) or @aria-hidden=?]",
    "PRECISION_DISCARD_XPATH/1": f".//*[{_TAGS_6}][re:test(@id|@class, ?) or re:test(@id|@class, ?) or "
    "contains(@style, ?)]",
    "TEASER_DISCARD_XPATH/0": f".//*[{_TAGS_6}][contains(translate(@id, ?, ?), ?) or "
    "contains(translate(@class, ?, ?), ?)]",
    "DISCARD_IMAGE_ELEMENTS/0": f".//*[{_TAGS_6}][contains(@id, ?) or contains(@class, ?)]",
    "REMOVE_COMMENTS_XPATH/0": ".//*[self::div or self::list or self::section or self::details][re:test(@id, ?) "
    "or re:test(@class, ?)]",
    "REMOVE_COMMENTS_AND_LISTS_XPATH/0": ".//*[self::div or self::list or self::section or self::details or "
    "self::ol or self::ul][re:test(@id, ?) or re:test(@class, ?)][not(self::ol or self::ul) or "
    "re:test(@id, ?) or re:test(@class, ?)]",
}


#: the expressions whose test looks past the attributes (a descendant ``h1``, the tag)
_READS_ELEMENT = frozenset({"RAW_TREE_PRUNE_XPATH/0", "REMOVE_COMMENTS_AND_LISTS_XPATH/0"})


def predicate(name: str, xpath: Any) -> Predicate | None:
    """The predicate for trafilatura's expression ``name`` ("LIST/index"), or None when its text
    is not the one translated here."""
    if name not in SHAPES or shape(xpath.path) != SHAPES[name]:
        return None
    tags, test = _make(name, _LITERAL.findall(xpath.path))
    return Predicate(xpath, tags, test, reads_element=name in _READS_ELEMENT)


def install() -> list[str]:
    """Put the predicates in trafilatura's lists in place of the expressions they translate (once);
    returns the names of the expressions replaced."""
    from trafilatura import xpaths

    done = []
    for name in SHAPES:
        list_name, index = name.split("/")
        expressions = getattr(xpaths, list_name, None)
        if not isinstance(expressions, list) or int(index) >= len(expressions):
            continue
        current = expressions[int(index)]
        if isinstance(current, Predicate):
            done.append(name)
            continue
        found = predicate(name, current)
        if found is not None:
            expressions[int(index)] = found
            done.append(name)
    return done
