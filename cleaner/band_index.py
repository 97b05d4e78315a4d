"""MinHash LSH buckets in numpy arrays: the same candidates as datasketch's ``MinHashLSH``, ~1.3 KB a document.

datasketch keeps one dict of Python sets per band, keyed by the band's bytes: with the recall-oriented
64 bands × 2 rows that ``dedup.lsh_params`` picks, that is ~20 KB per indexed document (2 GB at 100k).
Here each band key is one uint64 (two 32-bit rows packed, longer bands hashed with xxh64), all keys
sit in one sorted array, built on the first query after an insert; a query is a vectorised binary
search. ``tests/test_band_index.py`` checks that the candidates
are the ones datasketch returns.

>>> import numpy as np
>>> index = BandIndex(bands=2, rows=2)
>>> index.insert("a", np.array([1, 2, 3, 4], dtype=np.uint32))
>>> index.insert("b", np.array([1, 2, 9, 9], dtype=np.uint32))
>>> sorted(index.query(np.array([7, 7, 3, 4], dtype=np.uint32)))
['a']
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import xxhash

#: an odd 64-bit constant: multiplying by it is a bijection that spreads the packed rows over all bits
_MIX = np.uint64(0x9E3779B97F4A7C15)
#: low bits of a mixed band key dropped to make room for the band number (8 bits: up to 256 bands)
_BAND_BITS = np.uint64(8)


class BandIndex:
    """Insert (key, MinHash values) pairs, then query for the keys sharing any band with a signature.

    All bands live in one sorted uint64 array of ``band << 56 | mixed key >> 8``, so a query is two
    vectorised binary searches. Dropping 8 bits of the (bijectively mixed) band key can add a false
    candidate with probability 2^-56 per pair and band, e.g. 1e-5 over a 100k-document run; grouping
    verifies every candidate exactly anyway. Not one candidate that datasketch finds is ever lost.
    """

    def __init__(self, bands: int, rows: int) -> None:
        if bands > 256:
            raise ValueError("BandIndex holds at most 256 bands")
        self.bands, self.rows = bands, rows
        self._keys: list = []
        self._pending: list[np.ndarray] = []  # band keys inserted since the last build, a row a document
        self._stale = False
        self._sorted: np.ndarray | None = None  # combined band keys, sorted
        self._order: np.ndarray | None = None  # document number of each sorted entry
        self._bandtag = np.arange(bands, dtype=np.uint64) << (np.uint64(64) - _BAND_BITS)

    def band_keys(self, hashvalues: np.ndarray) -> np.ndarray:
        """One uint64 per band (band number in the top 8 bits) of uint32 ``hashvalues``; for a 2-D
        array (one signature a row), one row of band keys per signature."""
        hv = np.asarray(hashvalues, dtype=np.uint32)
        hv = hv[..., : self.bands * self.rows].reshape(*hv.shape[:-1], self.bands, self.rows)
        if self.rows == 1:
            packed = hv[..., 0].astype(np.uint64)
        elif self.rows == 2:
            packed = (hv[..., 0].astype(np.uint64) << np.uint64(32)) | hv[..., 1].astype(np.uint64)
        else:
            packed = np.array(
                [xxhash.xxh64_intdigest(row.tobytes()) for row in hv.reshape(-1, self.rows)], dtype=np.uint64
            ).reshape(hv.shape[:-1])
        packed *= _MIX
        packed >>= _BAND_BITS
        packed |= self._bandtag
        return packed

    def insert(self, key: object, hashvalues: np.ndarray) -> None:
        self.insert_many([key], np.asarray(hashvalues)[None, :])

    def insert_many(self, keys: list, hashvalues: np.ndarray) -> None:
        """Insert ``keys[j]`` with the MinHash values in row ``j`` of ``hashvalues`` (one array op)."""
        if len(keys):
            self._keys += keys
            self._pending.append(self.band_keys(hashvalues))
            self._stale = True

    def __len__(self) -> int:
        return len(self._keys)

    def _build(self) -> None:
        """Sort every band key of every document. Only the sorted keys and their documents are kept
        (768 bytes a document with 64 bands, no document × band table), and the sort works in place
        where it can: at 100k documents the build needs ~1.5 KB a document at most."""
        parts = self._pending
        if self._sorted is not None:  # inserted after a query: the built keys go back in a table
            parts = [self._table(), *parts]
        self._pending = []
        flat = np.concatenate([p.ravel() for p in parts])  # row-major: entry j is document j // bands
        del parts
        order = np.argsort(flat, kind="stable")
        self._sorted = flat[order]
        del flat
        order //= self.bands
        self._order = order.astype(np.int32)
        self._stale = False

    def _table(self) -> np.ndarray:
        """The document × band table of the keys built so far, made again from the sorted keys."""
        assert self._sorted is not None and self._order is not None
        table = np.empty((len(self._sorted) // self.bands, self.bands), dtype=np.uint64)
        band = (self._sorted >> (np.uint64(64) - _BAND_BITS)).astype(np.int64)
        table[self._order, band] = self._sorted
        return table

    def query_ids(self, hashvalues: np.ndarray) -> np.ndarray:
        """Insertion numbers (sorted int array) of every signature sharing a whole band with ``hashvalues``."""
        if not self._keys:
            return np.zeros(0, dtype=np.int32)
        if self._stale:
            self._build()
        assert self._sorted is not None and self._order is not None
        probe = self.band_keys(hashvalues)
        lo = np.searchsorted(self._sorted, probe, "left")
        hi = np.searchsorted(self._sorted, probe, "right")
        return np.unique(self._ids(lo, hi))

    def query_ids_each(self, hashvalues: np.ndarray, chunk: int = 4096) -> Iterator[np.ndarray]:
        """``query_ids`` of each row of the 2-D ``hashvalues``, in order, but unsorted and with a signature
        that shares several bands repeated: grouping maps them to groups and de-duplicates those (one
        sort per document, not two). The band keys and binary searches of ``chunk`` rows at a time are
        one array operation (one query's share is ~60 µs)."""
        if not self._keys:
            for _ in range(len(hashvalues)):
                yield np.zeros(0, dtype=np.int32)
            return
        for start in range(0, len(hashvalues), chunk):
            if self._stale:
                self._build()
            assert self._sorted is not None
            probe = self.band_keys(hashvalues[start : start + chunk])
            lo = np.searchsorted(self._sorted, probe, "left")
            hi = np.searchsorted(self._sorted, probe, "right")
            for row_lo, row_hi in zip(lo, hi, strict=True):
                yield self._ids(row_lo, row_hi)

    def query_pairs(self, hashvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (row of the 2-D ``hashvalues``, insertion number) sharing a whole band, once, sorted
        by row then number: ``query_ids`` of every row in a few array operations, for many queries
        that mostly find nothing (a run's new documents against the stored signatures of earlier runs)."""
        if not self._keys or not len(hashvalues):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if self._stale:
            self._build()
        assert self._sorted is not None
        probe = self.band_keys(hashvalues).ravel()  # row-major: entry k is row k // bands
        lo = np.searchsorted(self._sorted, probe, "left")
        hi = np.searchsorted(self._sorted, probe, "right")
        ids = self._ids(lo, hi).astype(np.int64)
        rows = np.repeat(np.arange(len(probe), dtype=np.int64) // self.bands, hi - lo)
        n = len(self._keys)
        pairs = np.unique(rows * n + ids)  # a pair sharing several bands once
        return pairs // n, pairs % n

    def _ids(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The insertion numbers at the sorted positions ``lo[b]`` to ``hi[b] - 1`` (a number once per
        band it is found in)."""
        assert self._order is not None
        counts = hi - lo
        total = int(counts.sum())
        if not total:
            return np.zeros(0, dtype=np.int32)
        # every position lo[b] .. hi[b]-1 of every band, without a Python loop
        starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        positions = starts + np.arange(total)
        return self._order[positions]

    def query(self, hashvalues: np.ndarray) -> set[str]:
        """Keys of every inserted signature that shares at least one whole band with ``hashvalues``."""
        keys = self._keys
        return {keys[i] for i in self.query_ids(hashvalues).tolist()}
