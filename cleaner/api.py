"""The pipeline as functions, for use inside another Python program.

>>> doc = {"id": "a", "text": "The council met on Monday to vote on the budget."}
>>> arts, rejected = process_documents([doc], Config(workers=1))
>>> rejected[0]["reason"]
'not an article: too short after cleaning, 10 words (minimum 15); removed: nothing'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .clean import CleanResult
from .config import Config
from .document import Document
from .extract import extract
from .pipeline import clean, run
from .sources import Item, _record_item


def clean_html(html: str, url: str | None = None) -> CleanResult:
    """Extract the main text of an HTML page with trafilatura, then clean it.

    ``metadata`` holds what trafilatura and the cleaner found (author, sitename, date, url, ...) and
    ``metadata["extraction"]`` which path produced the text (``trafilatura`` or ``page-text``).
    """
    doc = Document(source=url or "<html>", raw=html, kind="html", metadata={"url": url} if url else {})
    return _result(clean(extract(doc), Config(min_words=0)))


def clean_document(doc: Document, config: Config | None = None) -> Document:
    """Extract (HTML) and clean one document in place; rejected documents carry the reason."""
    config = config or Config()
    return clean(extract(doc), config)


def _result(doc: Document) -> CleanResult:
    return CleanResult(doc.text, doc.title, dict(doc.metadata), list(doc.decisions))


def process_documents(
    records: Iterable[dict[str, Any]], config: Config | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the whole pipeline on records (``text`` or ``html``, optional ``id``, ``url``, ``title``...).

    Returns ``(articles, rejected)`` as the dicts ``cleaner run`` writes to its JSONL files.
    """
    config = config or Config()
    articles: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []

    items = (_record_item(rec, f"record#{i}") for i, rec in enumerate(records, 1))

    def reject(doc: Document) -> None:
        rejected.append({"source": doc.source, "id": doc.id, "reason": doc.rejected})

    run_items(items, config, lambda d: articles.append(d.article()), reject)
    return articles, rejected


def run_items(items: Iterable[Item], config: Config, on_article, on_reject) -> None:
    run(items, config, on_article, on_reject, items_given=True)
