"""Clean bodies and shingle sets parked on disk between the per-document stages and writing.

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

import dataclasses
import mmap
import tempfile
from typing import TYPE_CHECKING, Any

import numpy as np

from .document import Document

if TYPE_CHECKING:
    from .dedup import Signature


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


class ShingleSpool:
    """The signatures' exact shingle sets in one unnamed temporary file, mapped back read-only.

    A shingle set (~4 bytes a word: ~4 KB an article, 0.4 GB at 100k) is kept only to verify LSH
    candidates exactly, and grouping reads a small share of them. ``park(source)`` queues an entry of
    ``sigs``; every ``BATCH`` parked sets (and on ``flush``) the queued sets are written out and the
    entries replaced by signatures whose ``shingles`` are views of a read-only memory map of the file.
    Those pages belong to the OS page cache: ``release`` drops the ones read so far from this
    process's resident memory (they are read again from the cache, or the disk, when needed).
    """

    BATCH = 4096

    def __init__(self, sigs: dict[str, Signature], dir: str | None = None) -> None:
        self._sigs = sigs
        self._fh = tempfile.TemporaryFile(prefix="cleaner-shingles-", dir=dir)
        self._end = 0
        self._queued: list[str] = []
        self._maps: list[mmap.mmap] = []

    def park(self, source: str) -> None:
        """Move ``sigs[source]``'s shingle set to the file (at the latest on the next ``flush``)."""
        self._queued.append(source)
        if len(self._queued) >= self.BATCH:
            self.flush()

    def park_loose(self) -> None:
        """Park every signature in ``sigs`` whose shingles are still in memory (made since), and flush."""
        self._queued += [s for s, sig in self._sigs.items() if not _mapped(sig.shingles)]
        self.flush()

    def flush(self) -> None:
        queued, self._queued = self._queued, []
        todo = [(s, sig) for s in queued if (sig := self._sigs.get(s)) is not None and not _mapped(sig.shingles)]
        todo = [(s, sig) for s, sig in todo if len(sig.shingles)]  # nothing to keep for an empty set
        if not todo:
            return
        start = self._end
        self._fh.seek(start)
        offsets = []
        at = 0
        for _, sig in todo:
            data = np.ascontiguousarray(sig.shingles, dtype=np.uint32).tobytes()
            self._fh.write(data)
            offsets.append(at)
            at += len(sig.shingles)
        length = at * 4
        self._end = start + -(-length // mmap.ALLOCATIONGRANULARITY) * mmap.ALLOCATIONGRANULARITY
        self._fh.flush()
        mapped = mmap.mmap(self._fh.fileno(), length, access=mmap.ACCESS_READ, offset=start)
        self._maps.append(mapped)
        values = np.frombuffer(mapped, dtype=np.uint32)
        for (source, sig), offset in zip(todo, offsets, strict=True):
            view = values[offset : offset + len(sig.shingles)]
            self._sigs[source] = dataclasses.replace(sig, shingles=view)

    def release(self) -> None:
        """Drop the mapped pages read so far from resident memory (they stay readable)."""
        if hasattr(mmap, "MADV_DONTNEED"):
            for mapped in self._maps:
                mapped.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        """Close the file; the maps go when no signature uses them any more."""
        self._maps = []
        self._fh.close()

    def __enter__(self) -> ShingleSpool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _mapped(shingles: np.ndarray) -> bool:
    """Is this array a view of a spool's map (``np.frombuffer`` of an mmap, sliced) rather than memory
    of its own?"""
    base = shingles.base
    if isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)
