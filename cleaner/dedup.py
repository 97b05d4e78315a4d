"""Group copies of the same story and choose the best copy of each group.

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
import signal
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
import xxhash

if TYPE_CHECKING:
    pass

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


def _rank_key(doc: Document, sig: Signature) -> tuple:
    """Best copy first: the most complete body, richer metadata, earlier date, then a stable id."""
    date = str(doc.metadata.get("published") or doc.metadata.get("date") or "9999")
    return (-len(sig.shingles), -_richness(doc), date, sig.hashvalues.tobytes(), doc.id, doc.source)


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
    (``choose_canonical``). Independent of input order.

    A candidate group none of whose sampled members could be a copy by MinHash (``plausible``) is
    passed over without exact comparisons: it could not be joined anyway.
    With ``texts``, the members' texts are read from there for the canonical choice and dropped again.
    With ``shingles``, the pages of the shingle sets read are let go every ``RELEASE_EVERY`` documents.
    ``pairs`` (the batch's word pairs) lets the canonical choice tell a changed word between two copies.
    With ``pool`` and ``config.workers > 1``, the canonical choices of ``PARALLEL_FROM`` or more groups
    of copies are made in worker processes (``_choices_in_workers``); the answer is the same.
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
    out = [[ordered[m] for m in g] for g in groups]
    shared = shared_paragraphs(out, sigs, texts)
    tasks = _canonical_tasks(out, shared, sigs, config.shingle_size, texts, shingles)
    copies = sum(len(g) > 1 for g in out)
    if pool and config.workers > 1 and copies >= PARALLEL_FROM:
        choices = _choices_in_workers(tasks, config, pairs)
    else:
        choices = (decide(task, pairs) for task in tasks)
    for choice in choices:  # in group order: each group's choice is its own
        out[choice.index] = choice.apply(out[choice.index])
    return out


#: the canonical choice runs in worker processes (``group(pool=True)``) from this many groups of
#: copies on: below, the choice takes less than starting a pool would (~3 ms a group of two)
PARALLEL_FROM = 500
#: groups of copies per task sent to the workers (a task costs the main process ~1 ms)
CHOICE_BATCH = 8
#: the metadata the canonical choice reads (``_richness``, ``_date``): all a task carries of it
CHOICE_METADATA = ("author", "sitename", "url", "published", "date")


@dataclass(frozen=True)
class CanonicalTask:
    """One group's canonical choice with what it reads and nothing more, to run in another process:
    stripped copies of the members (text, title, id, source, ``CHOICE_METADATA``), their signatures
    without paragraph keys, and the page chrome found in other stories (``other_stories_chrome``)."""

    index: int  #: the group's place in ``group``'s answer
    members: list[Document]
    sigs: dict[str, Signature]
    chrome: np.ndarray
    shingle_size: int


@dataclass(frozen=True)
class CanonicalChoice:
    """What ``choose_canonical`` decided for one group, to apply to the group's own documents."""

    index: int
    order: list[int]  #: the members' places, best copy first
    duplicates: list[dict]  #: the canonical copy's ``duplicates``
    reason: str  #: its ``canonical_reason``

    def apply(self, members: list[Document]) -> list[Document]:
        """``members`` in the chosen order, with what ``choose_canonical`` records on them."""
        chosen = [members[i] for i in self.order]
        for m in chosen[1:]:
            m.duplicates = []
        chosen[0].duplicates = self.duplicates
        chosen[0].metadata["canonical_reason"] = self.reason
        return chosen


def _canonical_tasks(
    groups: list[list[Document]],
    shared: dict[int, list[tuple[int, Document]]],
    sigs: dict[str, Signature],
    k: int,
    texts: Texts | None,
    shingles: Shingles | None,
) -> Iterator[CanonicalTask]:
    """A task for each group of two or more members, in group order, made as they are asked for:
    only the texts of the groups in flight are held."""
    for gi, members in enumerate(groups):
        if shingles is not None and gi % RELEASE_EVERY == RELEASE_EVERY - 1:
            shingles.release()
        if len(members) < 2:
            continue
        if texts is not None:
            for m in members:
                m.text = texts.read(m)
        chrome = other_stories_chrome(gi, members, shared, sigs, k, texts)
        stripped = [
            Document(
                source=m.source,
                id=m.id,
                title=m.title,
                text=m.text,
                metadata={key: m.metadata[key] for key in CHOICE_METADATA if key in m.metadata},
            )
            for m in members
        ]
        if texts is not None:
            for m in members:
                m.text = ""
        own = {}
        for m in members:
            sig = sigs[m.source]
            own[m.source] = Signature(sig.hashvalues, sig.shingles, sig.words)
        yield CanonicalTask(gi, stripped, own, chrome, k)


def decide(task: CanonicalTask, pairs: wordpairs.WordPairs | None = None) -> CanonicalChoice:
    """``choose_canonical`` of the task's group (``pairs``: the batch's word pairs)."""
    members = task.members
    chosen = choose_canonical(list(members), task.sigs, task.shingle_size, task.chrome, pairs)
    place = {id(m): i for i, m in enumerate(members)}
    canon = chosen[0]
    return CanonicalChoice(task.index, [place[id(m)] for m in chosen], canon.duplicates, canon.metadata["canonical_reason"])


def _choices_in_workers(
    tasks: Iterator[CanonicalTask], config: Config, pairs: wordpairs.WordPairs | None
) -> Iterator[CanonicalChoice]:
    """``decide`` of each task in ``config.workers`` processes, in task order, while the main process
    reads the next groups' texts. Inside ``workers.kept_pools`` the pool the signing passes kept is
    borrowed. The word-pair table goes to a file each worker maps read-only, once (it reads a few of
    its pages), not with every task; a task whose worker died is decided here."""
    from . import workers  # here: the library's serial path does not need it

    saved = wordpairs.save(pairs) if pairs is not None else None

    def here(item: tuple[CanonicalTask, str | None], reason: str) -> CanonicalChoice:
        return decide(item[0], pairs)

    try:
        yield from workers.imap(
            _decide_in_worker,
            ((task, saved) for task in tasks),
            config.workers,
            _init_chooser,
            (),
            here,
            fresh=True,  # the main process holds every signature by now
            keep=True,
            batch=CHOICE_BATCH,
            borrow=True,
        )
    finally:
        if saved is not None:
            wordpairs.remove(saved)


def _init_chooser() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _decide_in_worker(item: tuple[CanonicalTask, str | None]) -> CanonicalChoice:
    task, saved = item
    return decide(task, wordpairs.mapped(saved) if saved is not None else None)


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


#: copies whose coverage of the others is within this of the best count as complete
COVERAGE_TOLERANCE = 0.1


def paragraph_key(paragraph: str) -> int:
    """The paragraph up to case, quotes, punctuation and spacing (0 when it has no words): the key
    the cross-document passes (``chrome``, ``rescue``) compare lines by."""
    return _words_key(normalise(paragraph))


def _words_key(words: list[str] | tuple[str, ...]) -> int:
    """``paragraph_key`` of a paragraph whose normalised words are ``words``."""
    return xxhash.xxh64_intdigest(" ".join(words).encode("utf-8")) if words else 0


def _keys(doc: Document, sig: Signature | None, texts: Texts | None) -> np.ndarray:
    """The document's unique paragraph keys (``paragraph_key``; made in the workers when it can)."""
    made = sig.paragraphs[0] if sig is not None and sig.paragraphs is not None else None
    if made is None:
        text = texts.read(doc) if texts is not None and not doc.text else doc.text
        made = np.fromiter((paragraph_key(p) for p in text.split("\n\n")), np.uint64)
    return np.unique(made[made != 0])


def shared_paragraphs(
    groups: list[list[Document]], sigs: dict[str, Signature], texts: Texts | None = None
) -> dict[int, list[tuple[int, Document]]]:
    """For every paragraph key that documents of two or more groups hold: its holders (group index,
    document). Such a paragraph is page chrome or a story with a copy grouped elsewhere
    (``other_stories_chrome`` tells which)."""
    keys: list[np.ndarray] = []
    owner: list[np.ndarray] = []
    flat_docs: list[tuple[int, Document]] = []
    for gi, members in enumerate(groups):
        for d in members:
            made = _keys(d, sigs.get(d.source), texts)
            keys.append(made)
            owner.append(np.full(len(made), len(flat_docs), dtype=np.int64))
            flat_docs.append((gi, d))
    if not keys:
        return {}
    flat, of = np.concatenate(keys), np.concatenate(owner)
    group_of = np.array([gi for gi, _ in flat_docs], dtype=np.int64)
    order = np.lexsort((group_of[of], flat))  # by key, then by group
    flat, of = flat[order], of[order]
    groups_of = group_of[of]
    # a key held in two groups: next to itself with another group, once sorted
    two = (flat[1:] == flat[:-1]) & (groups_of[1:] != groups_of[:-1])
    found = np.unique(flat[1:][two])
    out: dict[int, list[tuple[int, Document]]] = {}
    for j in np.flatnonzero(np.isin(flat, found)).tolist():
        out.setdefault(int(flat[j]), []).append(flat_docs[of[j]])
    return out


#: a document of another group tells another story when less than this share of the text it has
#: besides the paragraphs it shares with a group is in that group (the same share as ``OVERLAP``)
OTHER_STORY = OVERLAP
#: so many shingles of its own text at least, or it tells nothing (a copy made only of shared lines)
OTHER_STORY_MIN_SHINGLES = 10


def other_stories_chrome(
    gi: int,
    members: list[Document],
    shared: dict[int, list[tuple[int, Document]]],
    sigs: dict[str, Signature],
    k: int,
    texts: Texts | None = None,
) -> np.ndarray:
    """Keys of the paragraphs of group ``gi`` that are page chrome: held by at most half its members
    and by a document of another group that tells another story.

    The chrome pass (``chrome.py``) misses a site's prose-like chrome when it is most of two pages:
    the pages then look like copies of one story. Once groups are made, the rest of such a page tells
    which: a document elsewhere that holds the paragraph and whose other text is not in this group
    tells another story, so the paragraph is the site's. A copy of this story grouped elsewhere (a
    missed teaser) holds it too, but its other text is this story's. A paragraph most members hold
    tells no copy from another (this story's own, or chrome they all kept alike) and is left alone.
    """
    held: dict[int, int] = {}
    own_keys = []
    for m in members:
        keys = _keys(m, sigs.get(m.source), None)
        own_keys.append(keys)
        for key in keys.tolist():
            if key in shared:
                held[key] = held.get(key, 0) + 1
    candidates = [key for key, n in held.items() if 2 * n <= len(members)]
    if not candidates:
        return np.zeros(0, dtype=np.uint64)
    group_keys = set(np.concatenate(own_keys).tolist())
    union = np.unique(np.concatenate([sigs[m.source].shingles for m in members]))
    verdict: dict[str, bool] = {}
    chrome = []
    for key in sorted(candidates):
        for hg, h in shared[key]:
            if hg == gi:
                continue
            if h.source not in verdict:
                verdict[h.source] = _tells_another_story(h, group_keys, union, k, texts)
            if verdict[h.source]:
                chrome.append(key)
                break
    return np.array(sorted(chrome), dtype=np.uint64)


def _tells_another_story(
    doc: Document, group_keys: set[int], union: np.ndarray, k: int, texts: Texts | None
) -> bool:
    text = texts.read(doc) if texts is not None and not doc.text else doc.text
    rest = [w for words in map(normalise, text.split("\n\n")) if _words_key(words) not in group_keys for w in words]
    shingles = shingle_hashes(rest, k)
    if len(shingles) < OTHER_STORY_MIN_SHINGLES:
        return False
    inside = len(np.intersect1d(shingles, union, assume_unique=True))
    return inside < OTHER_STORY * len(shingles)


def _richness(doc: Document, title: bool | None = None) -> int:
    """How much the copy says about itself: title, author, site name, URL. Not its date: dates have
    their own rule, and a dated line is often an update notice that makes a copy later, not better.
    ``title`` overrides whether its title counts (``_about``)."""
    meta = doc.metadata
    return sum(1 for k in ("author", "sitename", "url") if meta.get(k)) + (bool(doc.title) if title is None else title)


#: a title is about a story when at least this share of its telling words (4+ letters, or figures)
#: occur in it: a headline paraphrases ("Tantalising", "Revealed"), but its names and figures recur
TITLE_IN_STORY = 1 / 3


def _about(title: str | None, words: set[str]) -> bool:
    """Is ``title`` about the story whose normalised words are ``words``?

    A title found in plain text among the lines around a story is often another page's headline (a
    newsletter box, a portal's lead story, the page a copy was pasted into): it says nothing about this
    copy. Short words ("the", "of", "von") tell nothing either way.
    """
    telling = [w for w in normalise(title or "") if len(w) > 3 or w.isdigit()]
    return bool(telling) and sum(w in words for w in telling) >= TITLE_IN_STORY * len(telling)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _date(doc: Document) -> str | None:
    """The copy's publication date when it is a real date (ISO, as extracted from HTML), else None:
    a date line found in plain text ("Updated an hour ago") does not sort."""
    value = str(doc.metadata.get("published") or doc.metadata.get("date") or "")
    return value if _ISO_DATE.match(value) else None


def _shingle_sequence(words: list[str], k: int) -> np.ndarray:
    """The xxh32 hashes of the word k-grams in text order (``shingle_hashes`` before ``unique``)."""
    return gram_hashes(grams(words, k))


@dataclass
class _Copy:
    """One member as the canonical choice sees it: its story paragraphs (page chrome found in other
    groups left out), their shingles, and how many words that chrome had."""

    paras: list[tuple[str, ...]]  #: normalised words of each story paragraph
    notices: list[bool]  #: which of them are an editor's note, correction or update (``meta.notice``)
    shingles: np.ndarray
    chrome_words: int
    words: int
    #: the story paragraphs' shingle hashes in text order (``_shingle_sequence``), made once for
    #: ``_added_words`` and ``_substitutions``
    seq: np.ndarray


@lru_cache(maxsize=8192)
def notice(paragraph: str) -> bool:
    """The cleaner's own notice test (``clean.meta.notice``), remembered for the last few thousand
    paragraphs: the copies of a group share most paragraphs, and the chrome pass asks about the
    same chrome lines in every document of a site."""
    from .clean.meta import notice as is_notice  # clean imports nothing of dedup

    return is_notice(paragraph)


@lru_cache(maxsize=512)  # a word tuple costs ~60 bytes a word: 4096 paragraphs were ~10 MB
def _normalised(paragraph: str) -> tuple[str, ...]:
    """``normalise`` of a paragraph, remembered for the last few hundred: the copies of a group,
    chosen from one after another, share most paragraphs."""
    return tuple(normalise(paragraph))


def _copy(doc: Document, sig: Signature, k: int, chrome: np.ndarray) -> _Copy:
    raw = [p for p in doc.text.split("\n\n") if p.strip()]
    normalised = [_normalised(p) for p in raw]  # once: the keys and the story words both need them
    if len(chrome):
        keys = np.fromiter((_words_key(w) for w in normalised), np.uint64, count=len(raw))
        foreign = np.isin(keys, chrome).tolist()
    else:
        foreign = [False] * len(raw)
    paras, notices, chrome_words, words = [], [], 0, 0
    for p, w, f in zip(raw, normalised, foreign, strict=True):
        words += len(w)
        is_notice = (f or bool(w)) and notice(p)
        if f and not is_notice:  # a notice repeated in other stories is still this copy's own
            chrome_words += len(w)
        elif w:
            paras.append(w)
            notices.append(is_notice)
    seq = _shingle_sequence([w for p in paras for w in p], k)
    shingles = np.unique(seq) if chrome_words else sig.shingles  # ``shingle_hashes`` of the story words
    return _Copy(paras, notices, shingles, chrome_words, max(1, words), seq)


#: own words at a copy's start or end count as added text only in runs of at least this many: a
#: shorter run is a heading or label that other copies' cleaning dropped ("Claim", "Girls basketball");
#: a note is a sentence (``meta.notice`` asks for 5+ words too)
MIN_ADDED_WORDS = 5


def _own_words(copy: _Copy, held: np.ndarray, k: int) -> np.ndarray:
    """Which of the copy's words are its own: no shingle holding the word is in another copy
    (``held``: which shingles of ``copy.seq`` another copy holds).

    A new adjacency of shared words (a line kept or dropped next to them, a paragraph dropped)
    makes own shingles but no own word.
    """
    n = sum(len(p) for p in copy.paras)
    if n < k:  # the whole text is one shingle
        return np.full(n, not held.any())
    return np.convolve(held.astype(np.int64), np.ones(k, dtype=np.int64))[:n] == 0


def _added_words(copy: _Copy, held: np.ndarray, in_core: np.ndarray, k: int) -> tuple[int, int]:
    """Words no other copy has (``_own_words``) that read as added: (those in editor's notes,
    corrections or update notices anywhere; those at the copy's start or end, in runs of
    ``MIN_ADDED_WORDS`` or more, outside notices).

    ``held`` and ``in_core`` say which shingles of ``copy.seq`` another copy holds and which most
    other copies hold. The start is everything up to the end of the first paragraph holding such
    core text (the story's start, which every copy has); the end is everything from the start
    of the last paragraph holding text of any other copy on (copies are cut at the end, so the end is
    where the longest other copy stops). A notice is an addition wherever it stands. Other text of
    its own in the middle of a copy is not an addition: it is text another copy lost (a dropped
    paragraph, a teaser's cut). Page residue kept at an edge looks like an addition too, so edge text
    that is not a notice weighs less than a notice (``choose_canonical``).
    """
    if not len(copy.seq):
        return 0, 0
    own = _own_words(copy, held, k)
    lengths = np.array([len(p) for p in copy.paras])
    ends = np.cumsum(lengths)  # word offset after each paragraph
    starts = ends - lengths
    in_notice = np.repeat(np.array(copy.notices, dtype=bool), lengths)
    pos = np.arange(len(own))
    if in_core.any():
        first, last = int(np.argmax(in_core)), len(held) - 1 - int(np.argmax(held[::-1]))
        head_end = int(ends[np.searchsorted(ends, first, side="right")])  # end of the paragraph of `first`
        tail_para = min(int(np.searchsorted(ends, last + k - 1, side="right")), len(lengths) - 1)
        edge = (pos < head_end) | (pos >= int(starts[tail_para]))
    else:
        edge = np.ones(len(own), dtype=bool)
    run = own & edge & ~in_notice
    bounds = np.flatnonzero(np.diff(np.r_[0, run.astype(np.int8), 0]))
    runs = bounds[1::2] - bounds[::2]
    return int((own & in_notice).sum()), int(runs[runs >= MIN_ADDED_WORDS].sum())


def _story_shingles(copy: _Copy, k: int) -> np.ndarray:
    """The copy's shingles without those touching an editor's note, correction or update notice:
    a note is not story, so it must not make a copy look more complete (a note of 15 words is
    over 10 % of a short story)."""
    if not any(copy.notices) or not len(copy.seq):
        return copy.shingles
    lengths = [len(p) for p in copy.paras]
    in_notice = np.repeat(np.array(copy.notices, dtype=np.int64), lengths)
    if len(in_notice) < k:
        return np.zeros(0, dtype=np.uint32)
    touched = np.convolve(in_notice, np.ones(k, dtype=np.int64))[k - 1 : k - 1 + len(copy.seq)] > 0
    return np.unique(copy.seq[~touched])


def _substitutions(
    copy: _Copy, held: np.ndarray, k: int, others: list[_Copy], reads: Callable[[list[str]], float] | None = None
) -> int:
    """How many runs of the copy's own shingles, between shingles other copies hold, are a word or a
    figure changed (one changed word makes ``k`` own shingles in a row) or a paragraph dropped (the
    ``k - 1`` shingles across the gap). Text another copy lost makes a longer run, and the copy's
    edges are ``_added_words``'s. Two copies that each have their own version of a passage have one
    each: a third copy that holds one version tells which one was changed (the version most copies
    carry wins, as for added notes). Without a third, the rest of the batch tells (``reads``,
    ``wordpairs``): a word changed into another makes word pairs no other text uses, so a word whose
    version reads better than the one other copy's is not counted. ``held``: which shingles of
    ``copy.seq`` another copy holds."""
    seq = copy.seq
    own = ~held
    if not own.any() or own.all():
        return 0
    edges = np.flatnonzero(np.diff(np.r_[0, own.astype(np.int8), 0]))
    starts, ends = edges[::2], edges[1::2]  # runs of own shingles: [start, end)
    inner = (starts > 0) & (ends < len(seq)) & (ends - starts >= k - 1) & (ends - starts <= k)
    changed = 0
    for a, b in zip(starts[inner].tolist(), ends[inner].tolist(), strict=True):
        found = _other_versions(seq[a - 1], seq[b], copy.shingles, [c.seq for c in others])
        if len(found) == 1 and reads is not None:
            j, p, q = found[0]
            # the words from the last of the shingle before to the first of the shingle after
            mine, theirs = _flat(copy)[a + k - 2 : b + 1], _flat(others[j])[p + k - 1 : q + 1]
            if len(mine) == len(theirs) and reads(mine) > reads(theirs):  # a word for a word, reading better
                continue
        changed += bool(found)
    return changed


def _flat(copy: _Copy) -> list[str]:
    """The copy's story words in one list (``copy.seq`` is their shingles)."""
    return [w for p in copy.paras for w in p]


def _other_versions(before: int, after: int, mine: np.ndarray, others: list[np.ndarray]) -> list[tuple[int, int, int]]:
    """Where other copies (``seq`` each) hold the shingle ``before`` and, next after it, ``after``
    with mostly text between them that this copy lacks (its own version of the word, or the
    paragraph this copy dropped): (which copy, where its ``before``, where the ``after``), the first
    such place of each. Text that repeats itself (a meal plan listing the same items for six plans)
    holds both shingles elsewhere too, in another order or around text this copy has: no edit is
    seen."""
    found = []
    for j, seq in enumerate(others):
        starts = np.flatnonzero(seq == before)
        if not len(starts):
            continue
        ends = np.flatnonzero(seq == after)
        # the first ``after`` behind each ``before``
        nexts = np.searchsorted(ends, starts + 1)
        for p, n in zip(starts.tolist(), nexts.tolist(), strict=True):
            if n == len(ends):
                continue
            between = seq[p + 1 : int(ends[n])]
            # mostly: a word swapped in from the story's own vocabulary may make a shingle it has
            if 2 * _count_in(between, mine) < len(between):
                found.append((j, p, int(ends[n])))
                break
    return found


#: low bits of a shingle hash that ``positions_in``'s bitmap is indexed by (a 64 KiB table: cache-resident)
_SCREEN_BITS = 16


def positions_in(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """The positions (ascending) of the ``values`` that are in ``sorted_set`` (sorted, unique uint32 hashes).

    Many values compared in grouping are not in the set (other stories' shingles): a bitmap of the set's
    low bits screens them out in one array lookup, and only those that pass (the set's own hashes and
    ~1 % chance collisions) are confirmed by binary search. On the comparisons of a 10k-page load run
    (15.5M values, 22 % of them in the set) that is 0.21 against 0.27 CPU s; for a handful of values,
    ``_count_in``'s plain binary search is cheaper than the bitmap.
    """
    if not len(values) or not len(sorted_set):
        return np.zeros(0, dtype=np.int64)
    mask = np.uint32((1 << _SCREEN_BITS) - 1)
    screen = np.zeros(1 << _SCREEN_BITS, dtype=bool)
    screen[sorted_set & mask] = True
    maybe = np.flatnonzero(screen[values & mask])
    return maybe[_members(values[maybe], sorted_set)]


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted, unique, non-empty set, by binary search, without
    ``isin``'s sort of both arrays."""
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    return sorted_set[at] == values


def _count_in(values: np.ndarray, sorted_set: np.ndarray) -> int:
    """How many of ``values`` are in ``sorted_set`` (sorted, unique)."""
    if not len(values) or not len(sorted_set):
        return 0
    return int(_members(values, sorted_set).sum())


#: what decided the choice, in the order of the sort key (for ``canonical_reason``)
_DECIDED_BY = (
    "completeness: every other copy holds less of the story",
    "the least text added as an editor's note, correction or update",
    "the fewest words changed that other copies hold otherwise",
    "the least text added at its start or end",
    "the least page chrome found in other stories",
    "holding more of the other copies' text (of 3+ copies: of the text two or more of them hold)",
    "the least text no other copy has",
    "a title about the story (not another page's headline found around it)",
    "more metadata found with it (title, author, site name, URL; in plain text, from lines around the story)",
    "the earliest publication date",
)


#: cells of the dense membership block multiplied at once (float32: 16 MiB)
_BLOCK_CELLS = 1 << 22


def _pairwise(shingles: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The group's distinct shingles (sorted), how many members hold each, and the members' pairwise
    intersection sizes (diagonal: their own sizes).

    Only shingles held by two or more members add to an intersection: their membership, a block of
    columns at a time, is a dense 0/1 matrix ``D`` and the intersections are ``D @ D.T``. Exact:
    every entry of a block's product is an integer below 2^24, which float32 holds. One sort of the
    group's shingles instead of one set intersection per pair of members (a group of a few hundred
    copies has tens of thousands of pairs).
    """
    n = len(shingles)
    sizes = np.array([len(x) for x in shingles], dtype=np.int64)
    flat = np.concatenate(shingles) if n else np.zeros(0, dtype=np.uint32)
    owner = np.repeat(np.arange(n), sizes)
    values, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    shared = counts >= 2
    column = np.cumsum(shared) - 1
    held = shared[inverse]
    col, row = column[inverse[held]], owner[held]
    order = np.argsort(col, kind="stable")
    col, row = col[order], row[order]
    inter = np.zeros((n, n), dtype=np.int64)
    width = int(shared.sum())
    block = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, width, block):
        lo, hi = np.searchsorted(col, [start, start + block])
        dense = np.zeros((n, min(block, width - start)), dtype=np.float32)
        dense[row[lo:hi], col[lo:hi] - start] = 1.0
        inter += (dense @ dense.T).astype(np.int64)
    inter[np.diag_indices(n)] = sizes
    return values, counts, inter


def choose_canonical(
    members: list[Document],
    sigs: dict[str, Signature],
    shingle_size: int = 5,
    chrome: np.ndarray | None = None,
    pairs: wordpairs.WordPairs | None = None,
) -> list[Document]:
    """Reorder a group so the best copy is first, and record why it won and how alike the others are.

    Paragraphs in ``chrome`` (found in documents of other groups: ``shared_paragraphs``) are page
    chrome, not story: they count neither for completeness nor as text of the copy's own.
    Completeness is coverage: the mean share of each other copy's story shingles that a copy holds
    (a full story covers its teasers; a teaser does not cover the full story; editor's notes are not
    story). Among the copies within ``COVERAGE_TOLERANCE`` of the best coverage, the one with the
    fewest words of its own in an editor's note, correction or update wins; then the fewest changed
    words that other copies hold otherwise (of two versions of a word, the one reading worse to the
    rest of the batch, ``pairs``, is the changed one); then the fewest words of its own *at its start or end*
    (``_added_words``: where a note is added; it makes a copy longer, not more complete, while text
    missing from the middle of another copy is a cut in that copy; but page residue one copy kept
    sits there too, so this weighs less than a notice or a changed word); then the least page chrome.
    Then holding more of the other copies' text, and of three or more copies only of the text two or
    more of them hold (text one copy alone has is no evidence of completeness: an addition, residue
    kept, or story all others lost; of two copies both hold the same shared text, and the one that
    holds all of the other's is the longer, complete one), less text of its own anywhere, a title
    about the story (``_about``), richer metadata, earlier date (only when every copy has a real one)
    and a stable id decide.
    """
    chrome = np.zeros(0, dtype=np.uint64) if chrome is None else chrome
    copies = [_copy(m, sigs[m.source], shingle_size, chrome) for m in members]
    shingles = [c.shingles for c in copies]
    n = len(members)
    cover, cover_shared, unique, noted, edged, changed = [], [], [], [], [], []
    # every pair's intersection and every shingle's holders at once; the others of copy i hold a
    # shingle ``counts`` times, less once when copy i holds it too
    values, counts, inter = _pairwise(shingles)
    # the members' own word pairs prove nothing about which of their versions reads better
    reads = pairs.reading(normalise(m.text) for m in members) if pairs is not None else None
    # coverage leaves editor's notes out (made again only for a group where a copy has one)
    story = [_story_shingles(c, shingle_size) for c in copies]
    story_inter = _pairwise(story)[2] if any(s is not c.shingles for s, c in zip(story, copies, strict=True)) else inter
    story_sizes = np.diag(story_inter).copy()
    # each copy's shingles that another copy holds too (what coverage counts of 3+ copies)
    at = [np.searchsorted(values, x) for x in shingles]  # each copy's shingles among ``values``
    shared = np.array([int((counts[a] >= 2).sum()) for a in at])
    for i in range(n):
        rest = np.arange(n) != i
        cov = np.where(story_sizes[rest] > 0, story_inter[i, rest] / np.maximum(story_sizes[rest], 1), 1.0)
        cover.append(sum(cov.tolist()) / (n - 1))  # summed as floats in member order
        cov = np.where(shared[rest] > 0, inter[i, rest] / np.maximum(shared[rest], 1), 1.0)
        cover_shared.append(sum(cov.tolist()) / (n - 1))
        size = max(1, len(shingles[i]))
        unique.append(int((counts[at[i]] == 1).sum()) / size)  # shingles no other copy has
        # how many other copies hold each shingle of the copy's text (its own set holds them all)
        others = counts[np.searchsorted(values, copies[i].seq)] - 1
        held = others > 0
        in_core = 2 * others > n - 1  # held by most other copies: the story, not one site's residue
        words = max(1, sum(len(p) for p in copies[i].paras))
        in_notes, at_edges = _added_words(copies[i], held, in_core, shingle_size)
        noted.append(in_notes / words)
        edged.append(at_edges / words)
        others = [c for j, c in enumerate(copies) if j != i]
        changed.append(_substitutions(copies[i], held, shingle_size, others, reads))
    best_cov = max(cover)
    about = [_about(m.title, set().union(*c.paras)) for m, c in zip(members, copies, strict=True)]
    dates = [_date(m) for m in members]
    dated = all(dates)  # an undated copy is neither earlier nor later: dates decide only among dated ones

    def key(i: int) -> tuple:
        m = members[i]
        return (
            cover[i] < best_cov - COVERAGE_TOLERANCE,
            round(noted[i], 3),
            changed[i],
            round(edged[i], 3),
            round(copies[i].chrome_words / copies[i].words, 3),
            -round(cover_shared[i] if n > 2 else cover[i], 3),
            round(unique[i], 3),
            -about[i],
            -_richness(m, about[i]),
            dates[i] if dated else "",
            sigs[m.source].hashvalues.tobytes(),
            m.text,  # copies alike once normalised (quote style): still not decided by their names
            m.id,
            m.source,
        )

    order = sorted(range(n), key=key)
    c, r = order[0], order[1]
    canon = members[c]
    rest = [members[i] for i in order[1:]]
    canon.duplicates = []
    for o in rest:
        o.duplicates = []
        jac, con = similarity(sigs[canon.source], sigs[o.source])
        canon.duplicates.append(
            {"source": o.source, "id": o.id, "jaccard": round(jac, 3), "containment": round(con, 3)}
        )
    won, lost = key(c), key(r)
    decided = next((i for i in range(len(_DECIDED_BY)) if won[i] != lost[i]), None)
    chrome_note = (
        f"; {copies[c].chrome_words} words of it are page chrome found in other stories and not counted"
        if copies[c].chrome_words
        else ""
    )
    canon.metadata["canonical_reason"] = (
        f"most complete of {n} copies: holds {cover[c]:.0%} of the other copies' story text on average "
        f"(best {best_cov:.0%}); {noted[c] + edged[c]:.0%} of its words are its own, in an editor's note or "
        f"at its start or end ({noted[r] + edged[r]:.0%} of the next copy){chrome_note}; decided by "
        + (_DECIDED_BY[decided] if decided is not None else "a stable order (the copies' texts are alike)")
    )
    return [canon, *rest]
