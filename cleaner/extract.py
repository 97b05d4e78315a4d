"""HTML to text with trafilatura: the only module that imports it.

trafilatura keeps the page's structure knowledge (main content, title, author, site name, date); the
text cleaner then removes the residue it leaves. Its ``deduplicate`` cache stays off: it is
process-global, so results would depend on file order and on how files are split among workers.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

from .document import Document

_METADATA = ("title", "author", "sitename", "date", "url", "hostname", "description", "language", "pagetype")


def _trafilatura():
    import trafilatura  # imported lazily: ~0.3 s, and only HTML inputs need it

    return trafilatura


def extract(doc: Document) -> Document:
    """Replace ``doc.raw`` HTML by the main text; record trafilatura's metadata and the path taken."""
    if doc.rejected or doc.kind != "html":
        return doc
    traf = _trafilatura()
    result: Any = None
    try:
        result = traf.bare_extraction(
            doc.raw,
            url=doc.metadata.get("url"),
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken pages
        doc.metadata["extraction_error"] = f"{type(exc).__name__}: {exc}"[:200]
    meta = result.as_dict() if result is not None else {}
    for key in _METADATA:
        value = meta.get(key)
        if value and key not in doc.metadata:
            doc.metadata[key] = value
    text = (meta.get("text") or "").strip()
    if text:
        doc.metadata["extraction"] = "trafilatura"
        doc.raw = text
    else:
        doc.metadata["extraction"] = "page-text"
        doc.raw = page_text(doc.raw)
    doc.kind = "text"
    return doc


_BLOCK = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer|nav|aside|blockquote|"
    r"pre|figure|figcaption|dd|dt|dl|form|main|title)\b[^<>]*>",
    re.I,
)
#: where an invisible part starts: an element whose content is not text, or a comment
_HIDDEN = re.compile(r"<(script|style|noscript|template|svg|head)\b|<!--", re.I)
_HIDDEN_END = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "noscript", "template", "svg", "head")
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
