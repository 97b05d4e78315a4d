"""How many documents of a batch use each pair of adjacent words: which of two versions of a passage
reads as the batch's language.

Two copies of a story that differ in one word ("the anaesthesia started to wear off" against "the
anaesthesia started to wear plan") tell nothing by themselves: each holds a version the other lacks.
The rest of the batch does. A word changed into another word makes word pairs that no other text
uses ("wear plan"), while the word that stood there makes pairs other texts use too ("wear off", "to
wear"). The batch is its own reference: no word list to ship, any language it holds.

The counts sit in a fixed table of one byte a slot (``BITS``: 16 MiB whatever the batch), indexed by
the top bits of the pair's xxh32 hash and saturating at 255. Two pairs may share a slot: a pair then
reads as used when it is not, which only makes two versions read alike more often (no decision).

>>> pairs = WordPairs()
>>> pairs.add(slots("the council voted to close the bridge".split()))
>>> reads = pairs.reading([])
>>> reads("voted to close".split()), reads("voted to bridge".split())
(1.0, 0.5)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence

import numpy as np

#: the table has 2**BITS one-byte slots
BITS = 24
_SHIFT = np.uint32(32 - BITS)


def slots(words: Sequence[str]) -> np.ndarray:
    """Sorted unique table slots (uint32) of the adjacent word pairs of ``words`` (normalised words,
    ``dedup.normalise``)."""
    if len(words) < 2:
        return np.zeros(0, dtype=np.uint32)
    from .dedup import _sorted_unique, gram_hashes, grams  # here: dedup imports this module

    # the pairs hashed as the shingles are (xxh32 of the words joined by a space); ``_sorted_unique`` is
    # np.unique's answer, ~10x faster at a page's few hundred pairs
    return _sorted_unique(gram_hashes(grams(list(words), 2)) >> _SHIFT)


class WordPairs:
    """Per slot: how many documents hold a pair of adjacent words hashed there (``add`` once per
    document, with its ``slots``)."""

    def __init__(self, counts: np.ndarray | None = None) -> None:
        """An empty table, or one holding ``counts`` (``1 << BITS`` uint8: a table ``mapped`` back)."""
        # pages the OS maps only when written
        self.counts = np.zeros(1 << BITS, dtype=np.uint8) if counts is None else counts

    def add(self, found: np.ndarray) -> None:
        """One more document holds each of ``found`` (unique slots)."""
        if len(found):
            held = self.counts[found]
            self.counts[found] = held + (held < 255)

    def reading(self, group: Iterable[Sequence[str]]) -> Callable[[Sequence[str]], float]:
        """How well a run of words reads, seen from the texts outside ``group`` (the words of the
        documents whose versions are compared: their own pairs prove nothing): the share of its
        adjacent word pairs that another document of the batch holds (0.0 for fewer than two words).
        ``group`` is read at the first question only: most groups never ask one."""
        own: list[np.ndarray] = []

        def reads(words: Sequence[str]) -> float:
            if not own:
                mine = [slots(w) for w in group]
                own.extend(np.unique(np.concatenate(mine) if mine else np.zeros(0, np.uint32), return_counts=True))
            held, holders = own
            found = slots(words)
            if not len(found):
                return 0.0
            taken = np.zeros(len(found), dtype=np.int64)
            if len(held):
                at = np.minimum(np.searchsorted(held, found), len(held) - 1)
                taken = np.where(held[at] == found, holders[at], 0)
            return float(((self.counts[found].astype(np.int64) - taken) > 0).mean())

        return reads


def save(pairs: WordPairs) -> str:
    """Write the table to a new named temporary file and return its path (for other processes to map
    with ``mapped``; ``remove`` it when they are done)."""
    with tempfile.NamedTemporaryFile(prefix="cleaner-wordpairs-", suffix=".u8", delete=False) as fh:
        fh.write(pairs.counts.data)
        return fh.name


def remove(path: str) -> None:
    """Delete a file ``save`` wrote (processes that mapped it keep their maps)."""
    with contextlib.suppress(OSError):
        os.unlink(path)


#: the table a worker process mapped last (``mapped``): the path and its ``WordPairs``
_MAPPED: tuple[str, WordPairs] | None = None


def mapped(path: str) -> WordPairs:
    """The table ``save`` wrote to ``path``, mapped read-only; mapped once per process and path, so
    a worker asked about many groups maps it once and reads only the pages it needs (the OS shares
    them between processes)."""
    global _MAPPED
    if _MAPPED is None or _MAPPED[0] != path:
        _MAPPED = (path, WordPairs(np.memmap(path, dtype=np.uint8, mode="r", shape=(1 << BITS,))))
    return _MAPPED[1]
