"""trafilatura's ``extract_author`` in one selective pass: the same author, ~5x cheaper.

trafilatura copies the whole page, prunes comments, sidebars, dates and figures from the copy
(``AUTHOR_DISCARD_XPATHS``) and then runs three searches of increasing generality
(``AUTHOR_XPATHS``) whose ``re:test`` calls go back to Python for every element with a class or
id: ~7 ms a page, two thirds of the metadata's cost on pages without an author in their meta tags.

Every test in those expressions reads only the element's own tag and attributes, so one XPath
selection of the elements that carry any of those attributes, and Python tests on them, find the
same elements in the same (document) order. A candidate survives the pruning when neither it nor an
ancestor is pruned; its text is taken from a copy of the candidate alone with its pruned
descendants deleted by trafilatura's own ``delete_element`` (which keeps their tails), so it is the
text trafilatura reads from its pruned copy of the page. Pages this reasoning does not cover (an
element named ``rel``, which one expression compares by its text) and trafilatura versions whose expressions differ from the ones mirrored here go to trafilatura's own
function. ``tests/test_shortcuts.py`` compares the two.
"""

from __future__ import annotations

import re
from copy import deepcopy
from functools import lru_cache
from typing import Any

#: the expressions mirrored below, as trafilatura 2.3 writes them (whitespace aside)
_MIRRORED = (
    "//*[self::a or self::address or self::div or self::link or self::p or self::span or self::strong]["
    "@rel='author' or @id='author' or @class='author' or @itemprop='author name' or rel='me' or "
    "@data-testid='AuthorCard' or @data-testid='AuthorURL' or "
    "re:test(@class, 'author-?name|AuthorName|authorName')]|//author",
    "//*[self::a or self::div or self::h3 or self::h4 or self::p or self::span]["
    "@class='byline' or @class='username' or @class='byl' or @class='BBL' or "
    "contains(@itemprop, 'author') or "
    "re:test(@id, 'author|zuozhe|bianji|xiaobian') or "
    "re:test(@class, 'author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name')]",
    "//*[contains(@data-component, 'Byline') or contains(@itemprop, 'author') or "
    "re:test(@id, '[Aa]uthor') or re:test(@class, '[Aa]uthor|screenname|writer|[Bb]yline')]",
    ".//*[self::a or self::div or self::section or self::span]["
    "@id='comments' or @class='comments' or @class='title' or @class='date' or "
    "re:test(@id, '^comments|comment-?list|ProductReviews') or "
    "re:test(@class, '^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    "article-(?:share|support)|print|category|meta-date|meta-reviewer') or "
    "contains(@data-component, 'Figure')]",
    "//time|//figure",
)

_AUTHOR1_CLASS = re.compile("author-?name|AuthorName|authorName")
_AUTHOR2_ID = re.compile("author|zuozhe|bianji|xiaobian")
_AUTHOR2_CLASS = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_AUTHOR3_ID = re.compile("[Aa]uthor")
_AUTHOR3_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    "article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
_TAGS1 = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_TAGS2 = frozenset(("a", "div", "h3", "h4", "p", "span"))
_DISCARD_TAGS = frozenset(("a", "div", "section", "span"))


def _squash(path: str) -> str:
    return " ".join(path.split()).replace("[ ", "[").replace(" ]", "]")


@lru_cache(maxsize=1)
def _mirrors_trafilatura() -> bool:
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    paths = tuple(_squash(x.path) for x in (*AUTHOR_XPATHS, *AUTHOR_DISCARD_XPATHS))
    return paths == tuple(_squash(p) for p in _MIRRORED)


#: what every id and every class value the tests below take contains: an element with neither,
#: and none of the other attributes tested, fails every test (most elements, skipped cheaply)
_MAYBE_ID = re.compile("uthor|zuozhe|bianji|xiaobian|omment|ProductReviews")
_MAYBE_CLASS = re.compile(
    "uthor|byl|username|BBL|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name|"
    "screenname|writer|yline|omment|sidebar|is-hidden|quote|embedly-instagram|article-|print|category|"
    "title|date|reviewer"
)


@lru_cache(maxsize=1)
def _selection() -> Any:
    """The elements one of the five expressions could take, in document order (a superset: the
    tests are made in Python), and any element named ``rel`` (see :func:`extract_author`)."""
    from lxml.etree import XPath

    return XPath(
        "//*[@rel or @id or @class or @itemprop or @data-testid or @data-component]"
        "|//author|//time|//figure|//rel"
    )


def _may_match(tag: str, get: Any) -> bool:
    """False for an element that :func:`_matches` certainly rejects (found with fewer calls)."""
    ident, cls = get("id"), get("class")
    return bool(
        (cls and _MAYBE_CLASS.search(cls))
        or (ident and _MAYBE_ID.search(ident))
        or tag in ("author", "time", "figure")
        or get("rel") is not None
        or get("itemprop") is not None
        or get("data-testid") is not None
        or get("data-component") is not None
    )


def _matches(tag: str, get: Any) -> tuple[bool, bool, bool, bool]:
    """Whether an element (its tag, its attribute getter) is taken by each of the three author
    expressions, and by the first discard expression."""
    ident, cls = get("id"), get("class")
    itemprop = get("itemprop") or ""
    first = tag == "author" or (
        tag in _TAGS1
        and (
            get("rel") == "author"
            or ident == "author"
            or cls == "author"
            or itemprop == "author name"
            or get("data-testid") in ("AuthorCard", "AuthorURL")
            or _AUTHOR1_CLASS.search(cls or "") is not None
        )
    )
    second = tag in _TAGS2 and (
        cls in ("byline", "username", "byl", "BBL")
        or "author" in itemprop
        or _AUTHOR2_ID.search(ident or "") is not None
        or _AUTHOR2_CLASS.search(cls or "") is not None
    )
    component = get("data-component") or ""
    third = (
        "Byline" in component
        or "author" in itemprop
        or _AUTHOR3_ID.search(ident or "") is not None
        or _AUTHOR3_CLASS.search(cls or "") is not None
    )
    discard = tag in _DISCARD_TAGS and (
        ident == "comments"
        or cls in ("comments", "title", "date")
        or _DISCARD_ID.search(ident or "") is not None
        or _DISCARD_CLASS.search(cls or "") is not None
        or "Figure" in component
    )
    return first, second, third, discard


def extract_author(tree: Any) -> str | None:
    """``trafilatura.metadata.extract_author(tree)``, without copying and pruning the whole page."""
    from trafilatura.metadata import extract_author as trafilaturas
    from trafilatura.metadata import normalize_authors

    if not _mirrors_trafilatura() or tree.getroottree().getroot() is not tree:
        return trafilaturas(tree)
    found: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    pruned: set[Any] = set()
    for el in _selection()(tree):
        tag, get = el.tag, el.get
        if tag == "rel":
            return trafilaturas(tree)
        if not _may_match(tag, get):
            continue
        first, second, third, discard = _matches(tag, get)
        if (discard and el is not tree) or tag in ("time", "figure"):
            pruned.add(el)  # the discard expression searches below the root only
        for hit, bucket in zip((first, second, third), found, strict=True):
            if hit:
                bucket.append(el)
    for bucket in found:
        for el in bucket:
            if el in pruned or any(a in pruned for a in el.iterancestors()):
                continue
            content = _text_after_pruning(el, pruned)
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None


def _text_after_pruning(el: Any, pruned: set[Any]) -> str:
    """``trim(" ".join(el.itertext()))`` as read in trafilatura's pruned copy of the page."""
    from trafilatura.utils import trim
    from trafilatura.xml import delete_element

    if not any(d in pruned for d in el.iterdescendants()):
        return trim(" ".join(el.itertext()))
    copy = deepcopy(el)
    doomed = [c for d, c in zip(el.iterdescendants(), copy.iterdescendants(), strict=True) if d in pruned]
    for c in doomed:
        delete_element(c)
    return trim(" ".join(copy.itertext()))
