"""Clean bodies parked on disk between the per-document stages and writing.

Grouping needs every kept document's signature and ranking fields, but not its text; holding 100k
clean bodies in memory until the output is sorted and written costs ~0.5 GB. ``run`` moves each body
to an unnamed temporary file (deleted by the OS even if the run dies) as the document arrives and
reads it back just before the article is written.

>>> from cleaner.document import Document
>>> with TextSpool() as spool:
...     doc = Document(source="a.txt", text="Ein Körper.\\n\\nZwei Absätze.")
...     spool.park(doc)
...     (doc.text, spool.restore(doc).text)
('', 'Ein Körper.\\n\\nZwei Absätze.')
"""

from __future__ import annotations

import tempfile
from typing import Any

from .document import Document


class TextSpool:
    """``doc.text`` of many documents in one temporary file, keyed by ``doc.source``."""

    def __init__(self, dir: str | None = None) -> None:
        self._fh = tempfile.TemporaryFile(prefix="cleaner-spool-", dir=dir)
        self._where: dict[str, tuple[int, int]] = {}
        self._end = 0
        self._dirty = False

    def park(self, doc: Document) -> None:
        """Write ``doc.text`` to the spool and empty it in the document."""
        data = doc.text.encode("utf-8", "surrogatepass")  # any str round-trips exactly
        if self._dirty is False:
            self._fh.seek(self._end)
        self._fh.write(data)
        self._where[doc.source] = (self._end, len(data))
        self._end += len(data)
        self._dirty = True
        doc.text = ""

    def read(self, doc: Document) -> str:
        """The parked text of ``doc`` (it stays parked); ``doc.text`` when it was never parked."""
        where = self._where.get(doc.source)
        if where is None:
            return doc.text
        if self._dirty:
            self._fh.flush()
            self._dirty = False
        offset, size = where
        self._fh.seek(offset)
        return self._fh.read(size).decode("utf-8", "surrogatepass")

    def rewrite(self, doc: Document, text: str) -> None:
        """Replace the parked text of ``doc``: in place when not longer, else at the end."""
        where = self._where.get(doc.source)
        if where is None:
            doc.text = text
            return
        data = text.encode("utf-8", "surrogatepass")
        offset, size = where
        if len(data) > size:
            offset = self._end
            self._end += len(data)
        self._fh.seek(offset)
        self._fh.write(data)
        self._fh.flush()
        self._dirty = False  # flushed, and not at the end: the next park seeks there
        self._where[doc.source] = (offset, len(data))

    def restore(self, doc: Document) -> Document:
        """Put the parked text back into ``doc`` (once; the spool forgets it)."""
        if doc.source in self._where:
            doc.text = self.read(doc)
            del self._where[doc.source]
        return doc

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> TextSpool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
