"""Group copies of the same story (the best copy of each group is chosen by ``canonical``).

Signatures are computed on the *cleaned* body (raw pages group by their chrome, not their story):
normalised words, word shingles hashed with xxhash, MinHash (datasketch, ``affine32`` scheme, fixed
seed) from the shingle hashes in one batch. LSH bands are chosen for recall well below the threshold
and every candidate pair is verified exactly on the shingle sets, by Jaccard and by containment (a
teaser holding the first part of a story is a copy of it). Groups never chain: a document joins a
group only when it is a copy of most of its members, and the canonical copy is chosen afterwards.

>>> a = "The council voted on Monday to close the old bridge to all traffic from next week."
>>> sig = signature(a, shingle_size=3, num_perm=64, seed=1)
>>> similarity(sig, sig)
(1.0, 1.0)
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import xxhash

from . import wordpairs
from .band_index import BandIndex
from .config import Config
from .document import Document

SCHEME = "affine32"
HASH = "xxh32"
_xxh32 = xxhash.xxh32_intdigest
#: the LSH bands must catch pairs down to this share of the threshold (teasers have low Jaccard)
RECALL_FACTOR = 0.55
_WORD = re.compile(r"\w+", re.U)
_ASCII_WORD = re.compile(r"\w+", re.A)  # the same words on ASCII text, found faster


def normalise(text: str) -> list[str]:
    """Words of ``text`` with case, accents' composition and punctuation folded away.

    Curly and straight quotes are both non-word characters, so quote style never changes the words.
    ASCII text (most of it) is already in NFKC and casefolds as ``lower``: it skips both passes.
    """
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.casefold())


@dataclass(frozen=True)
class Signature:
    """What grouping needs of one document: MinHash values and the exact shingle set."""

    hashvalues: np.ndarray  #: uint32 MinHash values (num_perm)
    shingles: np.ndarray  #: sorted unique uint32 shingle hashes
    words: int
    #: for the cross-document chrome pass, made in the workers: each paragraph's key (uint64, 0 for
    #: a paragraph without words) and word count (``chrome.paragraph_keys``); None when not made
    paragraphs: tuple[np.ndarray, np.ndarray] | None = None
    #: for the canonical choice, made in the workers: the table slots of its adjacent word pairs
    #: (``wordpairs.slots``), counted into the batch's ``WordPairs`` as it arrives; None after that
    pairs: np.ndarray | None = None


def _minhash_class() -> type:
    """datasketch's own ``MinHash`` class, loaded without running ``datasketch/__init__.py``.

    That ``__init__`` imports every sketch of the package, and through its LSH classes scipy: ~0.3 s of
    an idle machine's start-up (~0.8 s of CPU on a busy one), for nothing but the permutations, which
    only ``datasketch.minhash`` (numpy and ``datasketch.hashfunc``) computes. When datasketch is
    already imported its class is used. Otherwise its two modules are loaded from its own files under
    a stand-in package that is taken out of ``sys.modules`` again with them, so a later
    ``import datasketch`` runs as if this had never happened.
    """
    loaded = sys.modules.get("datasketch")
    if loaded is not None and hasattr(loaded, "MinHash"):
        return loaded.MinHash  # type: ignore[no-any-return]
    spec = importlib.util.find_spec("datasketch")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("datasketch is not installed")
    names = ("datasketch", "datasketch.hashfunc", "datasketch.minhash")
    before = {name: sys.modules.get(name) for name in names}
    sys.modules["datasketch"] = importlib.util.module_from_spec(spec)  # its __init__ is not run
    try:
        return importlib.import_module("datasketch.minhash").MinHash  # type: ignore[no-any-return]
    finally:
        for name, module in before.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def datasketch_version() -> str:
    """The installed datasketch's version, as its ``__version__`` gives it (without importing it)."""
    from importlib import metadata

    try:
        return metadata.version("datasketch")
    except metadata.PackageNotFoundError:
        return "0.0.0"  # datasketch's own fallback


def grams(words: list[str] | tuple[str, ...], k: int) -> list[str]:
    """The word k-grams of ``words`` in text order, joined by spaces; the whole text is one gram when
    shorter than k, and an empty text has none."""
    if len(words) < k:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(k)), strict=False)))


def gram_hashes(texts: list[str]) -> np.ndarray:
    """The 32-bit hashes (xxh32 of the UTF-8) of ``texts``, in their order (C-level maps: no Python
    frame per shingle)."""
    return np.fromiter(map(_xxh32, map(str.encode, texts)), dtype=np.uint32, count=len(texts))


def shingle_hashes(words: list[str], k: int) -> np.ndarray:
    """Sorted unique 32-bit hashes (xxh32 of the UTF-8) of the word k-grams, joined by spaces.

    The whole text is one shingle when shorter than k.
    """
    return _sorted_unique(gram_hashes(grams(words, k)))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of a 1-d array, by an in-place sort and one comparison of neighbours
    (~6x faster at a page's few hundred shingles than ``np.unique``, which hashes before it sorts)."""
    values.sort()
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own ``a``, ``b`` (uint32) of the affine32 permutations for ``num_perm``/``seed``."""
    a, b = _minhash_class()(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


#: MurmurHash3's 32-bit finalizer: datasketch pre-mixes every input hash with it in affine32
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
#: shingles permuted per step: bounds the (rows × num_perm) work array to ~2 MB for any document
_CHUNK = 4096


def minhash(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """MinHash values of uint32 ``hashes``, identical to datasketch's ``MinHash.update_batch``.

    datasketch's affine32 scheme computed directly in numpy: ``fmix32(h) * a + b`` modulo 2^32 (uint32
    wrap-around) and the minimum per permutation. datasketch first turns the batch into a Python list
    and back; this skips that and works in chunks, so a huge document needs no huge array.
    ``tests/test_dedup_minhash.py`` checks the equality against datasketch itself.
    """
    a, b = _permutations(num_perm, seed)
    values = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    if not len(hashes):
        return values
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hashes.astype(np.uint32, copy=True)
    hv ^= hv >> s1
    hv *= m1
    hv ^= hv >> s2
    hv *= m2
    hv ^= hv >> s3
    for start in range(0, len(hv), _CHUNK):
        chunk = hv[start : start + _CHUNK, None] * a
        chunk += b
        np.minimum(values, chunk.min(axis=0), out=values)
    return values


def signature(text: str, shingle_size: int, num_perm: int, seed: int, pairs: bool = False) -> Signature:
    """With ``pairs``, also the slots of the text's word pairs (``Signature.pairs``)."""
    words = normalise(text)
    shingles = shingle_hashes(words, shingle_size)
    return Signature(
        minhash(shingles, num_perm, seed), shingles, len(words), pairs=wordpairs.slots(words) if pairs else None
    )


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


#: one is (almost) a part of the other from this containment on (or the Jaccard threshold, when higher)
CONTAINMENT = 0.75


def is_copy(jaccard: float, containment: float, threshold: float) -> bool:
    """The grouping rule: similar as a whole, or one is (almost) a part of the other."""
    return jaccard >= threshold or containment >= max(threshold, CONTAINMENT)


def content_key(sig: Signature) -> tuple:
    """An order on documents that depends only on their text (longest first), never on their names."""
    return (-len(sig.shingles), sig.hashvalues.tobytes())


def richness(doc: Document, title: bool | None = None) -> int:
    """How much the copy says about itself: title, author, site name, URL. Not its date: dates have
    their own rule, and a dated line is often an update notice that makes a copy later, not better.
    ``title`` overrides whether its title counts (``canonical._about``)."""
    meta = doc.metadata
    return sum(1 for k in ("author", "sitename", "url") if meta.get(k)) + (bool(doc.title) if title is None else title)


def _rank_key(doc: Document, sig: Signature) -> tuple:
    """Best copy first: the most complete body, richer metadata, earlier date, then a stable id."""
    date = str(doc.metadata.get("published") or doc.metadata.get("date") or "9999")
    return (-len(sig.shingles), -richness(doc), date, sig.hashvalues.tobytes(), doc.id, doc.source)


#: copies overlap: at least this share of the smaller one's shingles is in the other (two parts of a
#: longer page, two stories, share almost nothing)
OVERLAP = 0.5
#: a document is checked against at most this many members of a group (its most complete ones), so
#: a story with thousands of copies costs a bounded number of exact comparisons per copy
MAJORITY_SAMPLE = 15


#: a candidate pair is verified exactly unless its MinHash agreement is this unlikely for a copy
MISS_PROBABILITY = 1e-12


@lru_cache(maxsize=4)
def _agreement_floor(num_perm: int, steps: int = 1000) -> np.ndarray:
    """For Jaccard ``k / steps``: the most MinHash agreements that have probability < ``MISS_PROBABILITY``.

    Each MinHash value agrees with probability J, so agreements ~ Binomial(num_perm, J); entry k is
    the largest m with P(agreements <= m) < MISS_PROBABILITY at J = k / steps (-1 when there is none).
    """
    floor = np.full(steps + 1, -1, dtype=np.int32)
    # log C(num_perm, m), the same float operations in the same order as inline, once per m not per (k, m)
    log_choose = [
        math.lgamma(num_perm + 1) - math.lgamma(m + 1) - math.lgamma(num_perm - m + 1) for m in range(num_perm + 1)
    ]
    exp = math.exp
    for k in range(1, steps + 1):
        j = k / steps
        if j >= 1.0:
            floor[k] = num_perm - 1
            continue
        log_j, log_not = math.log(j), math.log1p(-j)
        cdf = 0.0
        below = -1
        for m in range(num_perm + 1):
            cdf += exp(log_choose[m] + m * log_j + (num_perm - m) * log_not)
            if cdf >= MISS_PROBABILITY:
                break
            below = m
        floor[k] = below
    return floor


def plausible(
    hashvalues: np.ndarray, candidates: np.ndarray, size: int, sizes: np.ndarray, threshold: float
) -> np.ndarray:
    """Which ``candidates`` (rows of MinHash values, shingle counts ``sizes``) could be copies.

    A copy has Jaccard >= ``threshold`` or containment >= max(threshold, CONTAINMENT), so at least the
    Jaccard that this containment gives with these set sizes. A pair whose MinHash agreement is
    below what that Jaccard gives with probability ``MISS_PROBABILITY`` is not verified exactly.
    """
    agree = (candidates == hashvalues).sum(axis=1)
    return _plausible_agreement(agree, size, sizes, threshold, len(hashvalues))


def _plausible_agreement(
    agree: np.ndarray, size: int, sizes: np.ndarray, threshold: float, num_perm: int
) -> np.ndarray:
    """``plausible`` from the counts of agreeing MinHash values (``agree``, shaped like ``sizes``)."""
    steps = 1000
    contain = max(threshold, CONTAINMENT)
    inter = contain * np.minimum(sizes, size)
    least = np.minimum(threshold, inter / np.maximum(size + sizes - inter, 1))
    floor = _agreement_floor(num_perm, steps)
    return agree > floor[np.floor(least * steps).astype(np.int64)]


class Texts(Protocol):
    """Where texts wait when not in the documents (``spool.TextSpool``)."""

    def read(self, doc: Document) -> str: ...


class Shingles(Protocol):
    """Where shingle sets are mapped from (``spool.ShingleSpool``): pages read can be let go."""

    def compact(self, sources: Iterable[str]) -> None: ...

    def release(self) -> None: ...


#: documents placed between two ``Shingles.release`` calls
RELEASE_EVERY = 4096


def group(
    docs: list[Document],
    sigs: dict[str, Signature],
    config: Config,
    texts: Texts | None = None,
    shingles: Shingles | None = None,
    pairs: wordpairs.WordPairs | None = None,
    pool: bool = False,
) -> list[list[Document]]:
    """Partition ``docs`` (not rejected, with signatures keyed by ``source``) into groups.

    Documents are taken most complete first. Each joins the group of which it is a copy (``is_copy``,
    verified exactly) of some member and which it overlaps (``OVERLAP``) in *more than half* the
    members, else starts a group of its own: one member alike to two stories (a page that kept another
    story's text, a bridge of two halves) cannot pull them together, because the other story's copies
    share nothing with the rest of the group. Copies cleaned a little differently (one lost a
    paragraph, another kept a caption) still overlap even where they fail the copy test. The
    first member of each returned group is its canonical copy, chosen after grouping
    (``canonical.choose_canonical``). Independent of input order.

    A candidate group none of whose sampled members could be a copy by MinHash (``plausible``) is
    passed over without exact comparisons: it could not be joined anyway.
    With ``texts``, the members' texts are read from there for the canonical choice and dropped again.
    With ``shingles``, the pages of the shingle sets read are let go every ``RELEASE_EVERY`` documents.
    ``pairs`` (the batch's word pairs) lets the canonical choice tell a changed word between two copies.
    With ``pool`` and ``config.workers > 1``, the canonical choices of ``canonical.PARALLEL_FROM`` or
    more groups of copies are made in worker processes; the answer is the same.
    """
    ordered = sorted(docs, key=lambda d: _rank_key(d, sigs[d.source]))
    if shingles is not None:
        shingles.compact(d.source for d in ordered)  # only the sets in use, in the order they are read
    ranked = [sigs[d.source] for d in ordered]
    bands, rows = lsh_params(config.threshold, config.num_perm)
    lsh = BandIndex(bands, rows)  # datasketch MinHashLSH's candidates in ~1/10 of its memory
    indexed = [i for i, sig in enumerate(ranked) if len(sig.shingles)]
    values = np.stack([s.hashvalues for s in ranked]) if ranked else np.zeros((0, config.num_perm), np.uint32)
    lsh.insert_many(indexed, values if len(indexed) == len(ranked) else values[indexed])
    rank_of = np.array(indexed, dtype=np.int64)  # insertion number -> rank
    sizes = np.array([len(s.shingles) for s in ranked], dtype=np.int64)
    group_of = np.full(len(ordered), -1, dtype=np.int64)
    groups: list[list[int]] = []  # ranks of each group's members, most complete first
    # each group's sample (its first MAJORITY_SAMPLE members; -1 pads) as one table, so a document is
    # checked against all its candidate groups' samples in a few array operations
    samples = np.full((len(ordered), MAJORITY_SAMPLE), -1, dtype=np.int32)
    filled = np.zeros(len(ordered), dtype=np.int64)
    # every document's candidates (unsorted, may repeat), its band lookups done a few thousand documents at a time
    for i, candidates in enumerate(lsh.query_ids_each(values)):
        if shingles is not None and i % RELEASE_EVERY == RELEASE_EVERY - 1:
            shingles.release()
        sig = ranked[i]
        best = -1
        if len(sig.shingles):
            found = group_of[rank_of[candidates]]
            found = np.unique(found[found >= 0])
            if len(found):
                best = _best_group(sig, found, samples, filled, values, sizes, ranked, config.threshold)
        if best < 0:
            best = len(groups)
            groups.append([])
        group_of[i] = best
        groups[best].append(i)
        if filled[best] < MAJORITY_SAMPLE:
            samples[best, filled[best]] = i
            filled[best] += 1
    from . import canonical  # here: canonical builds on this module's signatures

    return canonical.choose_all([[ordered[m] for m in g] for g in groups], sigs, config, texts, shingles, pairs, pool)


def _best_group(
    sig: Signature,
    found: np.ndarray,
    samples: np.ndarray,
    filled: np.ndarray,
    values: np.ndarray,
    sizes: np.ndarray,
    ranked: list[Signature],
    threshold: float,
) -> int:
    """The group (of the sorted candidate groups ``found``) that ``sig`` joins under ``group``'s rule, or -1.

    Every sampled member of every candidate group is tested for MinHash plausibility at once; the
    samples of groups holding a plausible copy are compared exactly in one pass (each member's shingles
    looked up in ``sig``'s sorted set), instead of one set intersection per member.
    """
    table = samples[found]
    row, col = np.nonzero(table >= 0)  # row-major: members of each group together, in sample order
    members = table[row, col]
    agree = (values[members] == sig.hashvalues).sum(axis=1)
    size = len(sig.shingles)
    ok = _plausible_agreement(agree, size, sizes[members], threshold, len(sig.hashvalues))
    keep = np.zeros(len(found), dtype=bool)
    keep[row[ok]] = True  # a group none of whose sampled members could be a copy cannot take it
    if not keep.any():
        return -1
    chosen = keep[row]
    row, members = row[chosen], members[chosen]
    lens = sizes[members]
    hay = np.concatenate([ranked[m].shingles for m in members.tolist()])
    found_at = positions_in(hay, sig.shingles)  # sorted: each member's hits lie between its bounds
    ends = np.cumsum(lens)
    inter = np.searchsorted(found_at, ends) - np.searchsorted(found_at, ends - lens)
    jac = inter / (size + lens - inter)
    con = inter / np.minimum(lens, size)
    copy = (jac >= threshold) | (con >= max(threshold, CONTAINMENT))  # is_copy
    overlap = copy | (con >= OVERLAP)
    rows = len(found)
    copies = np.bincount(row, weights=copy, minlength=rows).astype(np.int64).tolist()
    overlaps = np.bincount(row, weights=overlap, minlength=rows).astype(np.int64).tolist()
    best: tuple[tuple[float, float], int] | None = None
    for r in np.unique(row).tolist():
        n = int(filled[found[r]])
        score = (copies[r] / n, overlaps[r] / n)
        if copies[r] and 2 * overlaps[r] > n and (best is None or score > best[0]):
            best = (score, int(found[r]))
    return -1 if best is None else best[1]


def paragraph_key(paragraph: str) -> int:
    """The paragraph up to case, quotes, punctuation and spacing (0 when it has no words): the key
    the cross-document passes (``chrome``, ``rescue``) compare lines by."""
    return words_key(normalise(paragraph))


def words_key(words: list[str] | tuple[str, ...]) -> int:
    """``paragraph_key`` of a paragraph whose normalised words are ``words``."""
    return xxhash.xxh64_intdigest(" ".join(words).encode("utf-8")) if words else 0


@lru_cache(maxsize=8192)
def notice(paragraph: str) -> bool:
    """The cleaner's own notice test (``clean.meta.notice``), remembered for the last few thousand
    paragraphs: the copies of a group share most paragraphs, and the chrome pass asks about the
    same chrome lines in every document of a site."""
    from .clean.meta import notice as is_notice  # clean imports nothing of dedup

    return is_notice(paragraph)


#: low bits of a shingle hash that ``positions_in``'s bitmap is indexed by (a 64 KiB table: cache-resident)
_SCREEN_BITS = 16


def positions_in(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """The positions (ascending) of the ``values`` that are in ``sorted_set`` (sorted, unique uint32 hashes).

    Many values compared in grouping are not in the set (other stories' shingles): a bitmap of the set's
    low bits screens them out in one array lookup, and only those that pass (the set's own hashes and
    ~1 % chance collisions) are confirmed by binary search. On the comparisons of a 10k-page load run
    (15.5M values, 22 % of them in the set) that is 0.21 against 0.27 CPU s; for a handful of values,
    ``count_in``'s plain binary search is cheaper than the bitmap.
    """
    if not len(values) or not len(sorted_set):
        return np.zeros(0, dtype=np.int64)
    mask = np.uint32((1 << _SCREEN_BITS) - 1)
    screen = np.zeros(1 << _SCREEN_BITS, dtype=bool)
    screen[sorted_set & mask] = True
    maybe = np.flatnonzero(screen[values & mask])
    return maybe[in_sorted(values[maybe], sorted_set)]


def in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted, unique, non-empty set, by binary search, without
    ``isin``'s sort of both arrays."""
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    return sorted_set[at] == values


def count_in(values: np.ndarray, sorted_set: np.ndarray) -> int:
    """How many of ``values`` are in ``sorted_set`` (sorted, unique), by binary search: ``np.isin``
    sorts both arrays each time."""
    if not len(values) or not len(sorted_set):
        return 0
    return int(in_sorted(values, sorted_set).sum())
