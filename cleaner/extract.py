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
    r"pre|figure|figcaption|dd|dt|dl|form|main|title)\b[^>]*>",
    re.I,
)
_DROP = re.compile(r"<(script|style|noscript|template|svg|head)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]{0,2000}>")


def page_text(html: str) -> str:
    """The visible text of a page, one block per line: the fallback when trafilatura finds nothing.

    A regex pass, not a parser, so pathological nesting cannot blow the stack.
    """
    text = _DROP.sub("\n", html)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub(" ", text)
    text = htmllib.unescape(text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
