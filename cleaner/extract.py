"""HTML to text with trafilatura: the only module that imports it.

trafilatura keeps the page's structure knowledge (main content, title, author, site name, date); the
text cleaner then removes the residue it leaves, told that the text is already the main content
(``metadata["extraction"] == "trafilatura"``), so it only takes out lines, never cuts the story.

Options, chosen by measurement on the AEB pages (``benchmarks/bench_html.py``; F1 after the cleaner):
``favor_precision`` (fewer promo and related-story blocks: 0.971 against 0.963 balanced), comments
off, tables kept (standings, schedules and price lists are part of many stories: 0.967 without).
``fast`` (no comparison with trafilatura's fallback extractors) is ~40% cheaper and as good, except
that it sometimes keeps only a sliver of the page; so a result under ``FAST_RETRY_WORDS`` words gets
the full precision mode, and one still under ``RETRY_WORDS`` the balanced mode, on the same parsed
tree (0.974 with the retries, 0.965 fast alone; about one page in ten is retried). Metadata is
extracted once, before the tries. trafilatura's ``deduplicate`` cache stays off: it is
process-global, so results would depend on file order and on how files are split among workers.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import lru_cache
from typing import Any

from .author import extract_author
from .document import Document

_METADATA = ("title", "author", "sitename", "date", "url", "hostname", "description", "pagetype")
#: below this many words the fast precision mode is taken to have missed the story: retry in full
FAST_RETRY_WORDS = 100
#: below this many words the full precision mode is taken to have missed it too: retry balanced
RETRY_WORDS = 50
#: htmldate: the original publication date, without its slow extensive search of the whole page
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def _trafilatura() -> Any:
    import trafilatura  # imported lazily: ~0.3 s, and only HTML inputs need it

    _faster_pruning()
    return trafilatura


@lru_cache(maxsize=1)
def _faster_pruning() -> None:
    """trafilatura's pruning expressions as Python predicates (same elements, ~2.5x cheaper: prune.py)."""
    from . import prune

    prune.install()


def preload() -> None:
    """Import trafilatura and the parts this module uses (in a parent process, before workers fork)."""
    _trafilatura()
    import trafilatura.metadata  # noqa: F401
    import trafilatura.utils  # noqa: F401


#: a small page for :func:`warm_up`: a canonical URL whose short domain name sends courlan to the
#: public-suffix list, a date, and a story long enough that trafilatura needs no justext rescue
_WARM_UP_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council closes the old bridge | The Courier</title>
<link rel="canonical" href="https://www.abc.co.uk/news/2024/05/06/council-closes-old-bridge">
<meta property="og:site_name" content="The Courier">
<meta property="article:published_time" content="2024-05-06T09:30:00+01:00">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article>
<h1>Council closes the old bridge</h1><p class="byline">By Jane Smith</p>
<p>The council voted on Monday to close the old bridge to all traffic from next week, and the mayor
said that it would not open again before the spring, when the repairs are due to be finished.</p>
<p>Engineers found cracks in two of the supports last month. Buses will take the ring road instead,
which adds about ten minutes to the journey into the town centre at busy times of the day.</p>
<table><tr><td>Cost</td><td>2 million</td></tr></table></article>
<footer><p>Sign up to our newsletter</p><p>&copy; 2024 The Courier</p></footer></body></html>"""


def warm_up() -> None:
    """Import trafilatura and run its metadata and first two extraction tries on a small page.

    Run in a parent process before its workers fork. trafilatura and its helpers set much up on their
    first page, not at import: courlan loads the public-suffix list into a trie (~0.1 s), htmldate
    sets up ``strptime``, lxml and ``re`` compile their XPath and patterns. Done once here, the forked
    workers share it instead of each paying for it on their first page. Nothing kept changes later
    results: these are caches of pure functions (trafilatura's stateful ``deduplicate`` cache stays
    off). The justext rescue, which loads all of justext's stoplists (~0.25 s), is not warmed: a
    long enough story never needs it.
    """
    preload()
    traf = _trafilatura()
    tree = parse(_WARM_UP_PAGE)
    metadata(tree, None)
    for _name, fast, precision, _below in _TRIES[:2]:
        _extract(traf, tree, None, fast=fast, precision=precision)


def _extract(traf: Any, tree: Any, url: str | None, *, fast: bool, precision: bool) -> Any:
    return traf.bare_extraction(
        tree,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        favor_precision=precision,
    )


#: the tries, cheapest first: (name, fast, favor_precision, retry when the text has fewer words)
_TRIES = (
    ("precision-fast", True, True, FAST_RETRY_WORDS),
    ("precision", False, True, RETRY_WORDS),
    ("balanced", False, False, 0),
)


def _main_content(traf: Any, tree: Any, url: str | None) -> tuple[Any, str]:
    """trafilatura's best result on ``tree`` and the name of the try that produced it.

    Precision mode without its fallback comparison first (about 40% cheaper); a short result means
    it missed the story's block, so the full precision mode, then the balanced mode, get a try.
    A retry's result replaces the earlier one only when it is longer.
    """
    best: Any = None
    best_name, words = "", 0
    for name, fast, precision, retry_below in _TRIES:
        result = _extract(traf, tree, url, fast=fast, precision=precision)
        n = len(result.text.split()) if result is not None and result.text else 0
        if result is not None and (best is None or n > words):
            best, best_name, words = result, name, n
        if words >= retry_below:
            break
    return best, best_name


def extract(doc: Document) -> Document:
    """Replace ``doc.raw`` HTML by the main text; record trafilatura's metadata and the path taken.

    ``metadata["extraction"]`` says which path produced the text: ``trafilatura`` (and
    ``extraction_mode`` which of its tries won) or ``page-text`` (trafilatura found nothing: the
    page's visible text goes to the text cleaner, which then makes its own story cut).
    """
    if doc.rejected or doc.kind != "html":
        return doc
    traf = _trafilatura()
    url = doc.metadata.get("url")
    result: Any = None
    mode = ""
    try:
        tree = parse(doc.raw)  # parsed once: every try copies it before pruning
        if tree is not None:
            lang = _html_lang(tree.get("lang") or "")
            if lang:
                doc.metadata.setdefault("html_lang", lang)
            try:
                for key, value in metadata(tree, url).items():
                    doc.metadata.setdefault("published" if key == "date" else key, value)  # contract's name
                if "published" not in doc.metadata and (day := page_date(tree)):
                    doc.metadata["published"] = day
            except Exception as exc:  # a metadata bug must not cost the text
                doc.metadata["metadata_error"] = f"{type(exc).__name__}: {exc}"[:200]
            result, mode = _main_content(traf, tree, url)
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken pages
        doc.metadata["extraction_error"] = f"{type(exc).__name__}: {exc}"[:200]
    text = (result.text or "").strip() if result is not None else ""
    if text:
        doc.metadata["extraction"] = "trafilatura"
        doc.metadata["extraction_mode"] = mode
        doc.raw = text
    else:
        doc.metadata["extraction"] = "page-text"
        doc.raw = page_text(doc.raw)
    doc.kind = "text"
    return doc


@lru_cache(maxsize=1)
def _parser() -> Any:
    """trafilatura's HTML parser, with lxml's C-level element class lookup.

    lxml.html's default lookup is a Python method called for every element object lxml hands to Python
    (~1,500 per page in trafilatura's passes), about 6% of the extraction time. The C-level lookup makes
    every element a plain ``HtmlElement`` (no ``FormElement``/``InputElement`` subclasses, whose form
    helpers trafilatura never uses); the extracted text and metadata are the same
    (``tests/test_shortcuts.py``).
    """
    from lxml import etree
    from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
    from trafilatura.utils import HTML_PARSER

    parser = HTML_PARSER.copy()  # the same options
    lookup = etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
    parser.set_element_class_lookup(lookup)
    return parser


def parse(html: str) -> Any:
    """``trafilatura.utils.load_html(html)`` (its checks and repairs), parsed with :func:`_parser`."""
    from trafilatura import utils

    standard = utils.HTML_PARSER
    utils.HTML_PARSER = _parser()  # load_html reads the module's parser at call time
    try:
        return utils.load_html(html)
    finally:
        utils.HTML_PARSER = standard


def _html_lang(value: str) -> str | None:
    """The primary language subtag of ``<html lang>`` ("en-US" -> "en"), if it looks like one."""
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def metadata(tree: Any, url: str | None) -> dict[str, Any]:
    """Title, author, site name, date, URL and host of a parsed page (trafilatura's metadata).

    Run once per page, before any extraction try (the tries do not repeat it); the date comes from
    htmldate without its extensive search of the whole page. The steps are those of trafilatura's
    ``extract_metadata`` (same helpers, same order, same results for these fields) without the ones
    whose fields are not used: categories, tags and licence, about 40% of its time (their XPath
    searches of the whole page).
    """
    from trafilatura import metadata as tm

    found = tm.examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = tm.extract_meta_json(tree, found)
    except Exception:  # trafilatura's own guard: bugs in its JSON-LD parsing
        pass
    if not found.title:
        found.title = tm.extract_title(tree)
    if not found.author:
        found.author = extract_author(tree)  # trafilatura's, in one pass (cleaner/author.py)
    if not found.url:
        found.url = tm.extract_url(tree, url)
    if found.url:
        found.hostname = tm.extract_domain(found.url, fast=True)
    found.date = tm.find_date(tree, **_DATE_PARAMS, url=found.url)
    if not found.sitename:
        found.sitename = tm.extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")  # a Twitter handle
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url and (match := tm.META_URL.match(found.url)):
        found.sitename = match[1]
    found.clean_and_trim()
    values = found.as_dict()
    return {key: values[key] for key in _METADATA if values.get(key)}


#: elements whose text is never a date line the page shows
_NOT_SHOWN = frozenset({"script", "style", "noscript", "template", "head", "title"})


def page_date(tree: Any) -> str | None:
    """The day of the first date line the page shows after its headline (else before it), as
    ``YYYY-MM-DD``: for pages without a date in their metadata ("Thursday, April 10, 2025" in a
    ``<font>``). htmldate's extensive search finds more, at up to seconds a page, and takes a masthead's
    or a copyright notice's year for the day; a masthead's date ("Mercoledì 15 gennaio 2025") is the
    day of the visit, so one after the headline comes first.

    >>> from lxml import html
    >>> page_date(html.fromstring("<html><body><p>Monday, 6 May 2024</p><h1>Bridge to close</h1>"
    ...                           "<span>Published 3 May 2024</span><p>The bridge ...</p></body></html>"))
    '2024-05-03'
    """
    from .clean.meta import dateline, iso_date

    before = None
    after_headline = False
    for el in tree.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "h1":
            after_headline = True
        for text in (el.text if tag not in _NOT_SHOWN else None, el.tail):
            t = (text or "").strip()
            if 6 <= len(t) <= 100 and any(c.isdigit() for c in t) and dateline(t) and (day := iso_date(t)):
                if after_headline:
                    return day
                before = before or day
    return before


_BLOCK = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer|nav|aside|blockquote|"
    r"pre|figure|figcaption|dd|dt|dl|form|main|title)\b[^<>]*>",
    re.I,
)
#: where an invisible part starts: an element whose content is not text, or a comment
_HIDDEN = re.compile(r"<(script|style|noscript|template|svg|head)\b|<!--", re.I)
_HIDDEN_END = {
    name: re.compile(rf"</{name}\s*>", re.I)
    for name in ("script", "style", "noscript", "template", "svg", "head")
}
#: a tag: never spans another "<", so runs of "<" without ">" cost linear time
_TAG = re.compile(r"<[^<>]{0,2000}>")


def page_text(html: str) -> str:
    """The visible text of a page, one block per line: the fallback when trafilatura finds nothing.

    Regex passes, not a parser, so pathological nesting cannot blow the stack; every pass is linear
    in the page (no pattern can rescan the rest of the page from each of many starting points).
    """
    text = _BLOCK.sub("\n", _without_hidden(html))
    text = _TAG.sub(" ", text)
    text = htmllib.unescape(text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _without_hidden(html: str) -> str:
    """``html`` without scripts, styles, the head and comments; an unclosed one loses only its tag."""
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()  # no end tag after some point, so none after any later point either
    while True:
        start = _HIDDEN.search(html, pos)
        if start is None:
            out.append(html[pos:])
            return "".join(out)
        out.append(html[pos : start.start()])
        out.append("\n")
        name = (start.group(1) or "--").lower()
        pos = start.end()
        if name in unclosed:
            continue
        if name == "--":
            end_at = html.find("-->", pos)
            end = end_at + 3 if end_at >= 0 else -1
        else:
            found = _HIDDEN_END[name].search(html, pos)
            end = found.end() if found else -1
        if end < 0:
            unclosed.add(name)
        else:
            pos = end
