"""Group copies of the same story and choose the best copy of each group.

Signatures are computed on the *cleaned* body (raw pages group by their chrome, not their story):
normalised words, word shingles hashed with xxhash, MinHash (datasketch, ``affine32`` scheme, fixed
seed) from the shingle hashes in one batch. LSH bands are chosen for recall well below the threshold
and every candidate pair is verified exactly on the shingle sets, by Jaccard and by containment (a
teaser holding the first part of a story is a copy of it). Groups are built around their canonical
copy, never by chaining: every member is verified against the canonical itself.

>>> a = "The council voted on Monday to close the old bridge to all traffic from next week."
>>> sig = signature(a, shingle_size=3, num_perm=64, seed=1)
>>> similarity(sig, sig)
(1.0, 1.0)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import xxhash

if TYPE_CHECKING:
    import datasketch

from .config import Config
from .document import Document

SCHEME = "affine32"
HASH = "xxh32"
#: the LSH bands must catch pairs down to this share of the threshold (teasers have low Jaccard)
RECALL_FACTOR = 0.55
_WORD = re.compile(r"\w+", re.U)
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "ß": "ss"})


def normalise(text: str) -> list[str]:
    """Words of ``text`` with case, accents' composition, quotes and punctuation folded away."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return _WORD.findall(text)


def _identity(value: int) -> int:
    return value


@dataclass(frozen=True)
class Signature:
    """What grouping needs of one document: MinHash values and the exact shingle set."""

    hashvalues: np.ndarray  #: uint32 MinHash values (num_perm)
    shingles: np.ndarray  #: sorted unique uint32 shingle hashes
    words: int


def _datasketch():  # type: ignore[no-untyped-def]
    """datasketch on first use: it imports scipy (~0.7 s of start-up), which ``--no-dedup`` never needs."""
    import datasketch

    return datasketch


@lru_cache(maxsize=4)
def _permuter(num_perm: int, seed: int) -> datasketch.MinHash:
    return _datasketch().MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme=SCHEME)


def shingle_hashes(words: list[str], k: int) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word k-grams (the whole text when shorter than k)."""
    if not words:
        return np.zeros(0, dtype=np.uint32)
    if len(words) < k:
        grams = [" ".join(words)]
    else:
        grams = [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]
    hashes = np.fromiter(
        (xxhash.xxh32_intdigest(g.encode("utf-8")) for g in grams), dtype=np.uint32, count=len(grams)
    )
    return np.unique(hashes)


def signature(text: str, shingle_size: int, num_perm: int, seed: int) -> Signature:
    words = normalise(text)
    shingles = shingle_hashes(words, shingle_size)
    mh = _permuter(num_perm, seed).copy()
    if len(shingles):
        mh.update_batch(shingles.tolist())
    return Signature(mh.hashvalues.astype(np.uint32), shingles, len(words))


def similarity(a: Signature, b: Signature) -> tuple[float, float]:
    """Exact (Jaccard, containment of the smaller in the larger) of two shingle sets."""
    if not len(a.shingles) or not len(b.shingles):
        return 0.0, 0.0
    inter = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
    union = len(a.shingles) + len(b.shingles) - inter
    return inter / union, inter / min(len(a.shingles), len(b.shingles))


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands × rows that find pairs of Jaccard ``RECALL_FACTOR * threshold`` with ≥ 95% probability."""
    low = max(0.05, RECALL_FACTOR * threshold)
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - low**rows) ** bands >= 0.95:
            best = (bands, rows)
        else:
            break
    return best


def is_copy(jaccard: float, containment: float, threshold: float) -> bool:
    """The grouping rule: similar as a whole, or one is (almost) a part of the other."""
    return jaccard >= threshold or containment >= max(threshold, 0.8)


def _rank_key(doc: Document, sig: Signature) -> tuple:
    """Best copy first: the most complete body, richer metadata, earlier date, then a stable id."""
    meta = doc.metadata
    richness = sum(1 for k in ("author", "sitename", "published", "url", "date") if meta.get(k)) + bool(
        doc.title
    )
    date = str(meta.get("published") or meta.get("date") or "9999")
    return (-len(sig.shingles), -richness, date, doc.id, doc.source)


def group(docs: list[Document], sigs: dict[str, Signature], config: Config) -> list[list[Document]]:
    """Partition ``docs`` (not rejected, with signatures keyed by ``source``) into groups.

    The first member of each group is its canonical copy. Independent of input order.
    """
    ordered = sorted(docs, key=lambda d: _rank_key(d, sigs[d.source]))
    bands, rows = lsh_params(config.threshold, config.num_perm)
    lsh = _datasketch().MinHashLSH(num_perm=config.num_perm, params=(bands, rows))
    for d in ordered:
        sig = sigs[d.source]
        if len(sig.shingles):
            lsh.insert(
                d.source, _datasketch().LeanMinHash(seed=config.seed, hashvalues=sig.hashvalues, scheme=SCHEME)
            )
    by_source = {d.source: d for d in ordered}
    rank = {d.source: i for i, d in enumerate(ordered)}
    assigned: set[str] = set()
    groups: list[list[Document]] = []
    for d in ordered:
        if d.source in assigned:
            continue
        assigned.add(d.source)
        members = [d]
        sig = sigs[d.source]
        if len(sig.shingles):
            probe = _datasketch().LeanMinHash(seed=config.seed, hashvalues=sig.hashvalues, scheme=SCHEME)
            for other in sorted(lsh.query(probe), key=rank.__getitem__):
                if other in assigned:
                    continue
                jac, con = similarity(sig, sigs[other])
                if is_copy(jac, con, config.threshold):
                    assigned.add(other)
                    o = by_source[other]
                    members.append(o)
                    d.duplicates.append(
                        {
                            "source": o.source,
                            "id": o.id,
                            "jaccard": round(jac, 3),
                            "containment": round(con, 3),
                        }
                    )
        if len(members) > 1:
            d.metadata["canonical_reason"] = (
                f"most complete of {len(members)} copies ({len(sig.shingles)} shingles), "
                "then metadata, date and id"
            )
        groups.append(members)
    return groups
