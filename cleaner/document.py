"""The one document type that flows through every stage.

A stage takes documents and returns documents; it never drops one. A document that cannot become an
article gets ``rejected`` set to a reason and travels on, so the writer can account for every input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "html"]


@dataclass(frozen=True)
class Decision:
    """What the cleaner did with one input line, and why (shown by ``cleaner explain``)."""

    line: int  #: 1-based line number in the (repaired) input
    text: str
    keep: bool
    reason: str  #: e.g. "story", "paywall", "related-list", "title", "author"


@dataclass
class Document:
    """An input on its way to becoming an article (or a rejection)."""

    source: str  #: input path relative to its INPUT root ('/'-separated), or ``file#line`` for JSONL
    raw: str = ""  #: decoded input: plain text or HTML
    kind: Kind = "text"
    id: str = ""  #: stable id: the record's own id, else derived from ``source``
    title: str | None = None
    text: str = ""  #: clean body, paragraphs separated by a blank line
    lang: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    rejected: str | None = None  #: reason this input produced no article
    duplicates: list[dict[str, Any]] = field(default_factory=list)  #: other members of its group
    #: lines the classifier dropped that another copy may prove to be story (``rescue.py``), with their
    #: place among the kept paragraphs; only kept from cleaning until the cross-document passes
    spare: list[tuple[int, str]] = field(default_factory=list)
    #: the input's path on disk (for the mirrored .txt output); None for records and stdin
    path: str | None = None

    def reject(self, reason: str) -> Document:
        """Mark as rejected (the first reason wins) and drop the bulky fields."""
        if self.rejected is None:
            self.rejected = reason
        self.raw = ""
        return self

    def article(self) -> dict[str, Any]:
        """The record written to ``articles.jsonl`` (the output contract)."""
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "text": self.text,
            "lang": self.lang,
            "duplicates": [d["source"] for d in self.duplicates],
            "duplicate_details": self.duplicates,
            "metadata": self.metadata,
        }
