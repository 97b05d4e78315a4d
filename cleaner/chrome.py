"""Remove site chrome that survives per-document cleaning, using the other documents of the run.

A paragraph (line) that recurs verbatim in documents of several *different* stories is page
template: a menu item, a "Sign up for our newsletter" box, a related-story headline, a caption of
the site's lead photo (CCNet's idea: lines repeated across many documents of a batch). A paragraph
shared only by copies of one story is that story's content and stays. Two documents are taken to
be copies of one story when most of the smaller one's shingles are in the larger (the same
containment that grouping uses), so chrome shared by copies never counts as evidence by itself.

Cleaning runs per document in worker processes, so this pass runs once in the main process on the
kept documents and their signatures, before grouping. It repeats a few rounds: removing chrome
makes different stories in the same chrome look less alike, which can expose more chrome.
"""

from __future__ import annotations

import dataclasses
import signal
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Protocol, TypeVar

import numpy as np

from . import dedup, workers
from .config import Config
from .document import Document

#: a paragraph is chrome when it occurs in documents of at least this many different stories
MIN_STORIES = 2
#: two documents are copies of one story when this share of the smaller one's shingles is in the other,
#: per round: the first rounds take only documents that share almost nothing as different stories;
#: once their chrome is gone, copies look alike again and the test can be the plain majority
SAME_STORY_CONTAINMENT = (0.2, 0.3, 0.4, 0.5, 0.5)
#: never take more than this share of a document's words as chrome: its story would go with it
MAX_SHARE = 0.95
#: the paragraphs a document shares with another are chrome *in it* when both have a rest of at least
#: ``REST_WORDS`` words that are not alike, and its rest is a story found on its own (``_foreign``): a
#: third document holds ``CONFIRM`` or more of it, at most ``ALIEN`` of the shared paragraphs and
#: less other text than ``EXTRA`` times what it holds of the rest
REST_WORDS = 40
CONFIRM = 0.5
ALIEN = 0.1
EXTRA = 0.5
#: two pages hold "the same" shared paragraphs when one's cover this share of the other's words
SAME_LINES = 0.9
#: a paragraph held by more documents than this is looked at in its first ones (content order) only:
#: the pairs of its holders would cost quadratic time
MAX_HOLDERS = 64
#: pairs of documents whose likeness one chrome round remembers (~100 bytes each)
ALIKE_MAX = 1 << 20


def _stories(
    holders: list[int],
    sigs: list[dedup.Signature],
    need: int,
    same: float,
    alike: dict[int, bool] | None = None,
) -> int:
    """How many different stories ``holders`` (document indices) cover, counting up to ``need``.

    ``alike`` remembers the pairs compared: the paragraphs of one site's chrome have the same holders,
    so one pass asks about the same pairs once per paragraph (bounded: cleared at ``ALIKE_MAX`` pairs).
    """
    alike = {} if alike is None else alike
    n = len(sigs)

    def same_story(i: int, r: int) -> bool:
        pair = i * n + r if i < r else r * n + i
        found = alike.get(pair)
        if found is None:
            if len(alike) >= ALIKE_MAX:
                alike.clear()
            found = alike[pair] = dedup.similarity(sigs[i], sigs[r])[1] >= same
        return found

    reps: list[int] = []
    for i in holders:
        if not any(same_story(i, r) for r in reps):
            reps.append(i)
            if len(reps) >= need:
                break
    return len(reps)


def paragraph_keys(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Key (0 for a paragraph without words) and word count of each ``"\n\n"``-separated paragraph.

    Made in the workers with the signature, so the chrome pass needs no text until it changes one.
    The words of a text are the sum of its paragraphs' (the separator is whitespace).
    """
    paras = text.split("\n\n")
    keys = np.fromiter((dedup.paragraph_key(p) for p in paras), dtype=np.uint64, count=len(paras))
    words = np.fromiter((len(p.split()) for p in paras), dtype=np.int64, count=len(paras))
    return keys, words


class Texts(Protocol):
    """Where the documents' texts are while the pass runs: in the documents, or in a spool."""

    def read(self, doc: Document) -> str: ...

    def rewrite(self, doc: Document, text: str) -> None: ...


class Shingles(Protocol):
    """Where new signatures' shingle sets go as they are made (``spool.ShingleSpool``)."""

    def park(self, source: str) -> None: ...

    def flush(self) -> None: ...

    def compact(self, sources: Iterable[str]) -> None: ...

    def release(self) -> None: ...


class InDocuments:
    def read(self, doc: Document) -> str:
        return doc.text

    def rewrite(self, doc: Document, text: str) -> None:
        doc.text = text


def _key_runs(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (paragraph key, document) pair once, sorted by key then document (indices into ``keys``;
    key 0, a paragraph without words, left out), and where each key's run starts and ends."""
    flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    doc = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
    real = flat != 0
    flat, doc = flat[real], doc[real]
    order = np.lexsort((doc, flat))
    flat, doc = flat[order], doc[order]
    first = np.ones(len(flat), dtype=bool)
    first[1:] = (flat[1:] != flat[:-1]) | (doc[1:] != doc[:-1])
    flat, doc = flat[first], doc[first]
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]]) if len(flat) else np.zeros(0, dtype=np.int64)
    ends = np.r_[starts[1:], len(flat)].astype(np.int64)
    return flat, doc, starts, ends


def _chrome_keys(keys: list[np.ndarray], sigs: list[dedup.Signature], same: float) -> np.ndarray:
    """Paragraph keys held by documents (indices into ``keys``) of ``MIN_STORIES`` different stories.

    Holders are found by sorting all (key, document) pairs; each key's holders are checked in
    document order.
    """
    if not keys:
        return np.zeros(0, dtype=np.uint64)
    flat, doc, starts, ends = _key_runs(keys)
    shared = (ends - starts) >= MIN_STORIES
    alike: dict[int, bool] = {}
    # a site's chrome paragraphs have the same holders: each set of holders is judged once
    # (bounded like ``alike``: the holder lists are kept as bytes, ``ALIKE_MAX`` documents' worth)
    verdicts: dict[bytes, bool] = {}
    kept = 0
    found = []
    for s, e in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        holders = doc[s:e]
        key = holders.tobytes()
        verdict = verdicts.get(key)
        if verdict is None:
            if kept >= ALIKE_MAX:
                verdicts.clear()
                kept = 0
            verdict = verdicts[key] = _stories(holders.tolist(), sigs, MIN_STORIES, same, alike) >= MIN_STORIES
            kept += len(holders)
        if verdict:
            found.append(flat[s])
    return np.array(found, dtype=np.uint64)


class _Holders:
    """Which documents (indices into ``keys``) hold each paragraph key that two or more of them hold:
    the first ``MAX_HOLDERS`` of them, in sorted arrays (a dict of lists costs ~10x the memory)."""

    def __init__(self, keys: list[np.ndarray]) -> None:
        flat, doc, starts, ends = _key_runs(keys)
        shared = ends - starts >= 2
        self.keys, self.starts = flat[starts[shared]], starts[shared]
        self.ends = np.minimum(ends[shared], self.starts + MAX_HOLDERS)
        self.doc = doc

    def of(self, keys: np.ndarray, without: Iterable[int] = ()) -> list[int]:
        """The documents holding any of ``keys``, sorted, less ``without``."""
        keys = np.unique(keys[keys != 0])
        at = np.searchsorted(self.keys, keys)
        inside = at < len(self.keys)
        at = at[inside][self.keys[at[inside]] == keys[inside]]
        found = set()
        for s, e in zip(self.starts[at].tolist(), self.ends[at].tolist(), strict=True):
            found.update(self.doc[s:e].tolist())
        return sorted(found - set(without))


class _ParagraphShingles:
    """The shingle hashes (``dedup.shingle_hashes``) of each paragraph of a text, made in one array
    with one hashing call for the whole text, not one call and one sort per paragraph."""

    def __init__(self, text: str, k: int) -> None:
        grams: list[str] = []
        bounds = [0]
        for p in text.split("\n\n"):
            grams += dedup.grams(dedup.normalise(p), k)
            bounds.append(len(grams))
        self.hashes = dedup.gram_hashes(grams)
        self.bounds = bounds

    def union(self, which: np.ndarray) -> np.ndarray:
        """The sorted unique shingles of the paragraphs where ``which`` (a mask) is true."""
        b, h = self.bounds, self.hashes
        parts = [h[b[j] : b[j + 1]] for j in np.flatnonzero(which).tolist()]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint32)


def _foreign(
    keys: list[np.ndarray],
    words: list[np.ndarray],
    sigs: list[dedup.Signature],
    read: Callable[[int], str],
    k: int,
) -> dict[int, np.ndarray]:
    """Paragraphs that are chrome in one document (its index: a mask of its paragraphs) though the
    documents holding them look like copies of one story: a site's prose sidebar that is most of
    every page it is on (a list of headlines with summaries), around a different story on each.

    Document ``a`` shares paragraphs ``S`` with ``b``; both have a rest of ``REST_WORDS``+ words, and
    the rests are not alike (``dedup.OVERLAP``; else the two differ in a few edited paragraphs). When a
    third document holds most of ``a``'s rest, next to nothing of ``S`` and little else, ``a``'s rest is a
    story of its own and ``S`` may have been put around it. ``S`` is chrome in ``a`` when the evidence
    is not one page: two documents hold ``a``'s rest so, or ``b``'s rest is a story found on its own
    too, or another page holds the same ``S`` around a third text. One page alone may be a site page
    whose story the cleaner lost (its sidebar and nothing else), and ``S`` the story that ``a`` and
    its copy ``b`` (with residue of its own) share: that must not make the story chrome.

    Only ``a`` loses ``S``: ``b`` may be a page that kept another story, whose story ``S`` is. Two
    findings that take each other's rest cancel (the sidebar is the story or the story the sidebar).
    Copies of one story pass untouched: a copy's rest is the part another copy lost (the end a teaser
    lacks, a dropped paragraph), which nothing holds without the rest of the story, or page residue
    it kept, which nothing holds on its own.
    """
    holders = _Holders(keys)

    @lru_cache(maxsize=4096)  # the documents of a few hundred sites' pages (~4 KB each), not every text read
    def paragraph_shingles(i: int) -> _ParagraphShingles:
        return _ParagraphShingles(read(i), k)

    @lru_cache(maxsize=4096)  # copies of one story share the same few masks: each is made once
    def rest_shingles(i: int, mask: bytes) -> np.ndarray:
        """The sorted shingles of document ``i``'s paragraphs with words outside ``mask`` (its shared ones)."""
        return paragraph_shingles(i).union(~np.frombuffer(mask, dtype=bool) & (keys[i] != 0))

    @lru_cache(maxsize=4096)
    def key_set(i: int) -> frozenset[int]:  # small sets: Python's are ~10x faster than np.isin
        return frozenset(keys[i].tolist()) - {0}

    @lru_cache(maxsize=4096)
    def standalone(x: int, mask: bytes) -> int:
        """How many other documents (0, 1, or 2 for more) hold the rest of document ``x`` (what is not
        in ``mask``, its shared paragraphs) as a story of its own: most of it, next to nothing of the
        shared paragraphs, and little else. The pages that hold the shared lines are left out by that."""
        shared = np.frombuffer(mask, dtype=bool)
        rest = ~shared & (keys[x] != 0)
        # it holds a line of the rest and none of the shared ones verbatim
        lines = frozenset(keys[x][shared].tolist())
        third = [c for c in holders.of(keys[x][rest], (x,)) if not lines & key_set(c)]
        if not third:
            return 0
        found = 0
        paras = paragraph_shingles(x)
        own, common = paras.union(rest), paras.union(shared)
        for c in third:
            held = int(np.isin(own, sigs[c].shingles, assume_unique=True).sum())
            alien = int(np.isin(common, sigs[c].shingles, assume_unique=True).sum())
            extra = len(sigs[c].shingles) - held
            if held >= CONFIRM * len(own) and alien <= ALIEN * len(common) and extra < EXTRA * held:
                found += 1
                if found == 2:
                    break
        return found

    out: dict[int, np.ndarray] = {}
    for a, ka in enumerate(keys):
        hit = np.zeros(len(ka), dtype=bool)
        found: list[tuple[np.ndarray, np.ndarray]] = []  # (shared, rest) of each finding
        seen: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (shared, rest, b's rest shingles)
        done: set[bytes] = set()  # shared lines already found chrome, or whose rest is no story
        mine, listed = key_set(a), ka.tolist()
        for b in holders.of(ka, (a,)):
            shared = mine & key_set(b)
            in_s = np.array([key in shared for key in listed], dtype=bool)
            in_s_b = np.array([key in shared for key in keys[b].tolist()], dtype=bool)
            mask = in_s.tobytes()
            if mask in done:
                continue
            rest, rest_b = ~in_s & (ka != 0), ~in_s_b & (keys[b] != 0)
            if min(int(words[a][rest].sum()), int(words[b][rest_b].sum())) < REST_WORDS:
                continue
            own, theirs = rest_shingles(a, mask), rest_shingles(b, in_s_b.tobytes())
            if dedup.count_in(theirs, own) >= dedup.OVERLAP * min(len(theirs), len(own)):
                continue  # the rests are alike: the two differ in a few edited paragraphs only
            confirmed = standalone(a, mask)
            if not confirmed:
                done.add(mask)
                continue
            # more than one page's word that the shared lines are around different texts: two pages
            # hold a's rest, b's rest is a story found on its own too, or another page holds the same
            # shared lines around a third text
            if confirmed >= 2 or standalone(b, in_s_b.tobytes()) > 0:
                found.append((in_s, rest))
                done.add(mask)
                continue
            for other, other_rest, others in seen:
                if int(words[a][in_s & other].sum()) >= SAME_LINES * int(words[a][in_s].sum()) and np.isin(
                    theirs, others, assume_unique=True
                ).sum() < dedup.OVERLAP * min(len(theirs), len(others)):
                    found.extend([(in_s, rest), (other, other_rest)])
                    done.update([mask, other.tobytes()])
                    break
            else:
                seen.append((in_s, rest, theirs))
        # two findings that take each other's rest contradict each other (is the sidebar the
        # story or the story the sidebar?): neither is kept
        for i, (in_s, rest) in enumerate(found):
            others = np.zeros(len(ka), dtype=bool)
            for j, (other, _) in enumerate(found):
                if j != i:
                    others |= other
            if int(words[a][rest & others].sum()) * 2 <= int(words[a][rest].sum()):
                hit |= in_s
        if hit.any():
            out[a] = hit
    return out


#: re-sign changed documents in worker processes from this many on (a pool costs ~0.5 s to start)
PARALLEL_FROM = 2000
_SIGN_CONFIG: Config | None = None
#: texts per task sent to the signing workers (~0.6 ms of work each; a task costs the main process ~1 ms)
SIGN_BATCH = 32

K = TypeVar("K")


def _init_signer(config: Config) -> None:
    global _SIGN_CONFIG
    _SIGN_CONFIG = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _signed(key: K, text: str, paragraphs: bool, config: Config) -> tuple[K, dedup.Signature]:
    sig = dedup.signature(text, config.shingle_size, config.num_perm, config.seed)
    return key, dataclasses.replace(sig, paragraphs=paragraph_keys(text)) if paragraphs else sig


def _sign(item: tuple[K, str, bool]) -> tuple[K, dedup.Signature]:
    return _signed(*item, _SIGN_CONFIG or Config())


def signatures(
    items: Iterable[tuple[K, str, bool]], config: Config, parallel: bool
) -> Iterator[tuple[K, dedup.Signature]]:
    """``(key, dedup.signature(text))`` for each ``(key, text, paragraphs)`` as it comes, with
    ``chrome.paragraph_keys`` when ``paragraphs``; in ``config.workers`` processes when ``parallel``.

    ``items`` is read lazily and results come in its order: only the texts in flight are held, so a
    pass can re-sign any number of documents (each text read back from the spool when its turn comes).
    """
    if config.workers <= 1 or not parallel:
        for item in items:
            yield _signed(*item, config)
        return

    def here(item: tuple[K, str, bool], reason: str) -> tuple[K, dedup.Signature]:
        return _signed(*item, config)  # its worker died: signed in the main process (plain numpy)

    # one pool for every call of a run's passes (``workers.kept_pools``); a signature is cheap next
    # to a task's cost in the main process, so a task takes more of them
    yield from workers.imap(
        _sign, items, config.workers, _init_signer, (config,), here, fresh=True, keep=True, batch=SIGN_BATCH
    )


#: why a document's paragraphs went (one string shared by every changed document's metadata)
REASON = f"line repeated in documents of {MIN_STORIES}+ different stories (site chrome)"


class _Stripped:
    """The ``(index, new text, False)`` of each document of ``todo`` (index in ``ordered``, its
    paragraphs that are chrome) left with enough words, as ``signatures`` asks for them; the chrome
    paragraphs go from its text (in ``store``), keys and word counts; one left with too few words is
    rejected instead. ``removed`` counts the paragraphs taken out."""

    def __init__(
        self,
        todo: list[tuple[int, np.ndarray]],
        ordered: list[Document],
        keys: list[np.ndarray],
        words: list[np.ndarray],
        sigs: dict[str, dedup.Signature],
        config: Config,
        store: Texts,
    ) -> None:
        self.todo, self.ordered, self.keys, self.words = todo, ordered, keys, words
        self.sigs, self.config, self.store = sigs, config, store
        self.removed = 0

    def __iter__(self) -> Iterator[tuple[int, str, bool]]:
        keys, words = self.keys, self.words
        for i, hit in self.todo:
            d = self.ordered[i]
            total = int(words[i].sum())
            paras = self.store.read(d).split("\n\n")
            # an editor's note repeated across stories ("This article was originally published on
            # ...") is still each story's own: the cleaner keeps notices as story text
            hit = hit & ~np.fromiter(
                (h and dedup.notice(p) for p, h in zip(paras, hit.tolist(), strict=True)), bool
            )
            if not hit.any():
                continue
            lost = int(words[i][hit].sum())
            kept = [p for p, h in zip(paras, hit.tolist(), strict=True) if not h]
            keys[i], words[i] = keys[i][~hit], words[i][~hit]
            text = "\n\n".join(kept)
            self.store.rewrite(d, text)
            info = d.metadata.setdefault("chrome_removed", {"paragraphs": 0, "reason": REASON})
            dropped = len(paras) - len(kept)
            info["paragraphs"] += dropped
            self.removed += dropped
            left = total - lost
            if left < self.config.min_words:
                d.reject(f"only site chrome: {left} words left after removing lines repeated across stories")
                self.sigs.pop(d.source, None)
            else:
                yield i, text, False


def _strip(
    todo: list[tuple[int, np.ndarray]],
    ordered: list[Document],
    keys: list[np.ndarray],
    words: list[np.ndarray],
    sigs: dict[str, dedup.Signature],
    config: Config,
    store: Texts,
    shingles: Shingles | None,
) -> int:
    """Take the chrome paragraphs ``todo`` out (``_Stripped``), sign the changed documents again;
    return how many paragraphs went."""
    # nothing reads the new signatures meanwhile: each is made (in parallel) as its text is
    # rewritten, so only the texts in flight are held
    stripped = _Stripped(todo, ordered, keys, words, sigs, config, store)
    for i, sig in signatures(stripped, config, len(todo) >= PARALLEL_FROM):
        sigs[ordered[i].source] = dataclasses.replace(sig, paragraphs=(keys[i], words[i]))
        if shingles is not None:
            shingles.park(ordered[i].source)
    if shingles is not None:
        shingles.flush()
        shingles.release()  # the round read many documents' shingles: they need not stay resident
    return stripped.removed


def remove_chrome(
    docs: list[Document],
    sigs: dict[str, dedup.Signature],
    config: Config,
    texts: Texts | None = None,
    shingles: Shingles | None = None,
) -> int:
    """Strip cross-document chrome paragraphs from ``docs`` in place; return how many were removed.

    Changed documents get a new signature in ``sigs`` and ``metadata["chrome_removed"]`` (the number
    of paragraphs and why). A document left with fewer than ``config.min_words`` words is rejected
    (its whole body was site template). The result does not depend on the order of ``docs``.
    ``texts`` holds the texts (default: ``doc.text``); only changed documents' texts are read.
    ``shingles`` takes the new signatures' shingle sets as they are made, so they are not all held at once.
    """
    store: Texts = texts or InDocuments()
    # content order, not name order: which documents stand for a story must not depend on file names
    ordered = sorted(
        (d for d in docs if d.source in sigs), key=lambda d: (dedup.content_key(sigs[d.source]), d.source)
    )
    removed_total = 0
    # a paragraph's key does not change when other paragraphs go: keys are made once, not per round
    keys: list[np.ndarray] = []
    words: list[np.ndarray] = []
    for d in ordered:
        made = sigs[d.source].paragraphs
        k, w = made if made is not None else paragraph_keys(store.read(d))
        keys.append(k)
        words.append(w)
    for same in SAME_STORY_CONTAINMENT:
        if shingles is not None:
            shingles.compact(d.source for d in ordered)  # the round reads most of them, in this order
        chrome = _chrome_keys(keys, [sigs[d.source] for d in ordered], same)
        if not len(chrome):
            continue
        hits = np.isin(np.concatenate(keys), chrome)
        bounds = np.cumsum([0] + [len(k) for k in keys])
        todo = []
        for i in np.flatnonzero(np.logical_or.reduceat(hits, bounds[:-1])).tolist():
            hit = hits[bounds[i] : bounds[i + 1]]
            if int(words[i][hit].sum()) <= MAX_SHARE * int(words[i].sum()):
                todo.append((i, hit))
        removed_total += _strip(todo, ordered, keys, words, sigs, config, store, shingles)
        alive = [i for i, d in enumerate(ordered) if not d.rejected]
        ordered = [ordered[i] for i in alive]
        keys = [keys[i] for i in alive]
        words = [words[i] for i in alive]
    # last, a prose sidebar around different stories that the rounds took for copies of one
    found = _foreign(
        keys, words, [sigs[d.source] for d in ordered], lambda i: store.read(ordered[i]), config.shingle_size
    )
    todo = [
        (i, hit)
        for i, hit in sorted(found.items())
        if int(words[i][hit].sum()) <= MAX_SHARE * int(words[i].sum())
    ]
    removed_total += _strip(todo, ordered, keys, words, sigs, config, store, shingles)
    return removed_total
