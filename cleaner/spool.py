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

import json
import mmap
import tempfile
from collections.abc import Iterable
from typing import Any

import numpy as np

from .dedup import Signature
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
        self.put(doc.source, doc.text)
        doc.text = ""

    def put(self, key: str, text: str) -> None:
        """Write ``text`` to the spool under ``key``."""
        data = text.encode("utf-8", "surrogatepass")  # any str round-trips exactly
        if self._dirty is False:
            self._fh.seek(self._end)
        self._fh.write(data)
        self._where[key] = (self._end, len(data))
        self._end += len(data)
        self._dirty = True

    def get(self, key: str) -> str | None:
        """The text parked under ``key`` (it stays parked), or None."""
        where = self._where.get(key)
        if where is None:
            return None
        if self._dirty:
            self._fh.flush()
            self._dirty = False
        offset, size = where
        self._fh.seek(offset)
        return self._fh.read(size).decode("utf-8", "surrogatepass")

    def read(self, doc: Document) -> str:
        """The parked text of ``doc`` (it stays parked); ``doc.text`` when it was never parked."""
        text = self.get(doc.source)
        return doc.text if text is None else text

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


class SpareSpool:
    """Documents' spare lines (``Document.spare``: ``[(place, line), ...]``, see ``rescue``) in one
    unnamed temporary file from their arrival until the rescue pass reads them.

    As Python objects they are ~12 strings and tuples a document (~4 KB, most of what a kept
    document costs the main process before grouping); here they cost one index entry.
    """

    def __init__(self, dir: str | None = None) -> None:
        self._texts = TextSpool(dir)

    def park(self, doc: Document) -> None:
        """Move ``doc.spare`` to the spool (an empty list stays as it is)."""
        if doc.spare:
            self._texts.put(doc.source, json.dumps(doc.spare, ensure_ascii=False))
            doc.spare = []

    def lines(self, doc: Document) -> list[tuple[int, str]]:
        """The spare lines of ``doc``: parked ones, else ``doc.spare``."""
        data = self._texts.get(doc.source)
        return doc.spare if data is None else [(place, line) for place, line in json.loads(data)]

    def close(self) -> None:
        self._texts.close()

    def __enter__(self) -> SpareSpool:
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
    #: ``compact`` keeps the file as it is while the sets written since the last compaction are at
    #: most this share of it and the sources come in its order: the stale sets cost little resident
    #: memory, and a compaction copies every set (the chrome pass asks for one each round)
    STALE_SHARE = 0.125

    def __init__(self, sigs: dict[str, Signature], dir: str | None = None) -> None:
        self._sigs = sigs
        self._dir = dir
        self._fh = tempfile.TemporaryFile(prefix="cleaner-shingles-", dir=dir)
        self._end = 0
        self._queued: list[tuple[dict[str, Signature], str]] = []
        self._maps: list[mmap.mmap] = []
        self._order: list[str] | None = None  # the sources of the last compaction, in its order
        self._since = 0  # sets written since then

    def park(self, source: str, sigs: dict[str, Signature] | None = None) -> None:
        """Move ``sigs[source]``'s shingle set to the file (at the latest on the next ``flush``);
        ``sigs`` defaults to the spool's own dict (another dict: new signatures not yet in it)."""
        self._queued.append((self._sigs if sigs is None else sigs, source))
        if len(self._queued) >= self.BATCH:
            self.flush()

    def park_loose(self) -> None:
        """Park every signature in ``sigs`` whose shingles are still in memory (made since), and flush."""
        self._queued += [(self._sigs, s) for s, sig in self._sigs.items() if not _mapped(sig.shingles)]
        self.flush()

    def flush(self) -> None:
        queued, self._queued = self._queued, []
        todo = [
            (where, s, sig)
            for where, s in queued
            if (sig := where.get(s)) is not None and not _mapped(sig.shingles) and len(sig.shingles)
        ]  # nothing to keep for an empty set
        self._write(todo)
        self._since += len(todo)

    def compact(self, sources: Iterable[str]) -> None:
        """Copy the shingle sets of ``sources`` (keys of ``sigs``, in this order) to a new file and map
        them from there; the old file goes once no signature maps it any more.

        The file keeps every set a document ever had (a re-signed document's old one stays), and a
        page fault maps the cached pages around the one read as well: a pass that reads most
        documents' sets makes the whole file resident, stale sets too. After this it holds only the
        sets still in use, in the order the next pass takes them.
        """
        self.flush()
        sources = list(sources)
        if self._order is not None and self._since <= self.STALE_SHARE * len(self._order):
            remaining = iter(self._order)
            if all(s in remaining for s in sources):  # the same order, less documents gone since
                return
        self._fh.close()  # the maps keep the old file until their last view goes
        self._fh = tempfile.TemporaryFile(prefix="cleaner-shingles-", dir=self._dir)
        self._end = 0
        old, self._maps = self._maps, []
        todo = [(self._sigs, s, sig) for s in sources if (sig := self._sigs.get(s)) is not None and len(sig.shingles)]
        for start in range(0, len(todo), self.BATCH):
            self._write(todo[start : start + self.BATCH])
            _let_go(old)  # the old pages read for this batch: not resident with the new ones
        self._order, self._since = sources, 0

    def _write(self, todo: list[tuple[dict[str, Signature], str, Signature]]) -> None:
        """Append the shingle sets of ``todo`` to the file, map them, and put signatures whose
        ``shingles`` are views of that map in their places."""
        if not todo:
            return
        start = self._end
        self._fh.seek(start)
        # one array and one write for the batch (at most BATCH sets), not one per set
        data = np.concatenate([sig.shingles for _, _, sig in todo]).astype(np.uint32, copy=False)
        self._fh.write(memoryview(data))
        ends = np.cumsum([len(sig.shingles) for _, _, sig in todo]).tolist()
        length = data.nbytes
        del data
        self._end = start + -(-length // mmap.ALLOCATIONGRANULARITY) * mmap.ALLOCATIONGRANULARITY
        self._fh.flush()
        mapped = mmap.mmap(self._fh.fileno(), length, access=mmap.ACCESS_READ, offset=start)
        self._maps.append(mapped)
        values = np.frombuffer(mapped, dtype=np.uint32)
        offset = 0
        for (where, source, sig), end in zip(todo, ends, strict=True):
            # the fields by hand: ``dataclasses.replace`` costs ~3x as much, once per set of a pass
            where[source] = Signature(sig.hashvalues, values[offset:end], sig.words, sig.paragraphs)
            offset = end

    def release(self) -> None:
        """Drop the mapped pages read so far from resident memory (they stay readable)."""
        _let_go(self._maps)

    def close(self) -> None:
        """Close the file; the maps go when no signature uses them any more."""
        self._maps = []
        self._fh.close()

    def __enter__(self) -> ShingleSpool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _let_go(maps: list[mmap.mmap]) -> None:
    """Drop the pages of ``maps`` from this process's resident memory (read again when needed)."""
    if hasattr(mmap, "MADV_DONTNEED"):
        for mapped in maps:
            mapped.madvise(mmap.MADV_DONTNEED)


def _mapped(shingles: np.ndarray) -> bool:
    """Is this array a view of a spool's map (``np.frombuffer`` of an mmap, sliced) rather than memory
    of its own?"""
    base = shingles.base
    if isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)
