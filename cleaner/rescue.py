"""Give back story lines that the cleaner dropped in one copy of a story but kept in another.

The block classifier judges each page on its own, so copies of one story under different page chrome
are cleaned differently: a paragraph kept in one copy is dropped as "not-story" in another whose
chrome looks more like prose. Copies that lost different parts no longer contain each other, and the
grouping misses them. Across the run there is better evidence: a line that the classifier *kept*
in another document is story text somewhere. Such a line, dropped here by the classifier's score
(never by a phrase rule: paywall, promo, related list...), is given back, so copies end up with the
same text. A short line (a table row, "Here are some of the highlights:") is given back only from
inside the story and only when a copy of this document kept it (short lines recur on unrelated
pages); so is a line inside the story dropped only for following a list marker ("Related:"). A line that is really chrome and was kept by mistake elsewhere comes back in every
document of that chrome, where the cross-document chrome pass (``chrome.py``, run right after this)
finds it in several stories and takes it out again.

Workers keep only the candidate lines (``spare_lines``), with their place among the kept paragraphs. A document rejected as too short after cleaning
keeps them too: with its story given back it becomes an article again (a copy whose chrome fooled
the classifier into dropping the whole story). The result does not depend on input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Protocol

import numpy as np

from . import chrome, dedup
from .config import Config
from .document import Decision, Document
from .language import language

#: drops made by the block classifier's score; phrase rules (paywall, promo, ...) stay final
MODEL_REASONS = frozenset({"before-story", "after-story", "not-story"})
#: lines dropped for following a list marker ("You may also like"), not for their own text
LIST_REASONS = frozenset({"related-list"})
#: shorter lines (menu items, labels) are too common across unrelated pages to count as evidence
MIN_WORDS = 8
#: a shorter line (a table row, "Here are some of the highlights:") of at least this many words counts
#: when the classifier dropped it *inside* the story (between kept paragraphs) and a copy of this
#: document kept it: a document whose shingles are mostly in this one's or the other way round
SHORT_MIN_WORDS = 4
SAME_STORY = 0.5
#: a short line kept in more documents than this is common page text, not one story's evidence
SHORT_MAX_HOLDERS = 50
#: the start of the cleaner's "too short" rejections (``pipeline.clean``): the only ones undone here
NOT_AN_ARTICLE = "not an article:"


@lru_cache(maxsize=1 << 14)  # spare lines recur: a site's dropped lines (122k lines, 4k distinct at 10k pages)
def _key(paragraph: str) -> int:
    """``dedup.paragraph_key``, as the chrome pass compares lines (0: no words)."""
    return dedup.paragraph_key(paragraph)


def spare_lines(decisions: Iterable[Decision]) -> list[tuple[int, str]]:
    """Lines the classifier dropped that may be given back: ``(kept paragraphs before it, text)``.

    Drops by the classifier's score of ``MIN_WORDS``+ words anywhere; inside the story (between kept
    paragraphs) also shorter ones of ``SHORT_MIN_WORDS``+ words, and lines dropped only for following
    a list marker ("Related:" before a story's own table rows or quotes), not for their own text.
    """
    decisions = list(decisions)
    total = sum(d.keep for d in decisions)
    spare: list[tuple[int, str]] = []
    kept = 0
    for d in decisions:
        if d.keep:
            kept += 1
            continue
        words = len(d.text.split())
        inside = 0 < kept < total
        if d.reason in MODEL_REASONS and words >= MIN_WORDS:
            spare.append((kept, d.text))
        elif inside and words >= SHORT_MIN_WORDS and (d.reason in MODEL_REASONS or d.reason in LIST_REASONS):
            spare.append((kept, d.text))
    return spare


def revivable(doc: Document) -> bool:
    """Rejected only for being too short after cleaning: lines given back may make it an article."""
    return bool(doc.rejected and doc.rejected.startswith(NOT_AN_ARTICLE))


def _own_keys(doc: Document, sig: dedup.Signature | None, texts: chrome.Texts) -> np.ndarray:
    """The keys of the document's paragraphs: from the workers (``sig.paragraphs``), else from its text.

    Paragraphs without words (key 0) are left out: no spare line is one.
    """
    if sig is not None and sig.paragraphs is not None:
        keys = sig.paragraphs[0]
    else:
        keys = np.fromiter((_key(p) for p in texts.read(doc).split("\n\n")), np.uint64)
    return np.unique(keys[keys != 0])


class Spares(Protocol):
    """Where the documents' spare lines are (``spool.SpareSpool``), when not in ``Document.spare``."""

    def lines(self, doc: Document) -> list[tuple[int, str]]: ...


class InDocuments:
    def lines(self, doc: Document) -> list[tuple[int, str]]:
        return doc.spare


def restore(
    docs: list[Document],
    sigs: dict[str, dedup.Signature],
    config: Config,
    rejected: list[Document] | None = None,
    texts: chrome.Texts | None = None,
    spares: Spares | None = None,
    shingles: chrome.Shingles | None = None,
) -> list[Document]:
    """Give each document back its spare lines that another document kept.

    Changed documents get a new signature and ``metadata["restored"]``. Documents in ``rejected``
    that were only too short (``revivable``) get the same chance; those that reach
    ``config.min_words`` and pass ``--lang`` are returned, no longer rejected, for the caller to
    keep (they are removed from ``rejected``). Every ``spare`` list is emptied. ``texts`` holds the
    kept documents' texts (default: ``doc.text``); only the changed ones are read. ``spares`` holds
    the spare lines (default: ``doc.spare``). A changed text is signed as soon as it is made, and its
    shingle set goes to ``shingles``: neither the texts nor the shingle sets are held all at once.
    """
    store = texts or chrome.InDocuments()
    spare_of = spares or InDocuments()
    candidates = [d for d in rejected or () if revivable(d) and spare_of.lines(d)]
    for d in rejected or ():
        if d.spare and not revivable(d):
            d.spare = []
    pool = docs + candidates
    per_doc = [_own_keys(d, sigs.get(d.source), store) for d in pool]
    keys, counts = (
        np.unique(np.concatenate(per_doc), return_counts=True) if per_doc else (np.zeros(0, np.uint64),) * 2
    )
    spare_keys, holders, with_spare = _short_holders(pool, per_doc, spare_of)
    given = _GivenBack(pool, per_doc, spare_keys, keys, counts, holders, sigs, config, store, spare_of)
    # nothing in the pass reads the new signatures (a copy is told by the old ones): they wait in
    # ``fresh``, their shingle sets parked as they come, and replace the old ones at the end
    fresh: dict[str, dedup.Signature] = {}
    for source, sig in chrome.signatures(given, config, with_spare >= chrome.PARALLEL_FROM):
        fresh[source] = sig
        if shingles is not None:
            shingles.park(source, fresh)
    if shingles is not None:
        shingles.flush()
    sigs.update(fresh)
    for d in given.revived:
        sigs[d.source] = dedup.signature(d.text, config.shingle_size, config.num_perm, config.seed)
        rejected.remove(d)  # type: ignore[union-attr]
    return given.revived


#: why a document got lines back
REASON = "dropped by the classifier here, kept as story in another document of the run"


class _GivenBack:
    """``(source, new text, True)`` of each kept document of ``pool`` that gets lines back, as
    ``chrome.signatures`` asks for them (its text is rewritten in ``store`` first); rejected
    documents of ``pool`` that become articles again are collected in ``revived``."""

    def __init__(
        self,
        pool: list[Document],
        per_doc: list[np.ndarray],
        spare_keys: list[np.ndarray],
        keys: np.ndarray,
        counts: np.ndarray,
        holders: dict[int, list[int]],
        sigs: dict[str, dedup.Signature],
        config: Config,
        store: chrome.Texts,
        spares: Spares,
    ) -> None:
        self.pool, self.per_doc, self.spare_keys = pool, per_doc, spare_keys
        self.keys, self.counts, self.holders = keys, counts, holders
        self.sigs, self.config, self.store, self.spares = sigs, config, store, spares
        self.revived: list[Document] = []

    def __iter__(self) -> Iterator[tuple[str, str, bool]]:
        keys, counts, pool, sigs = self.keys, self.counts, self.pool, self.sigs
        for n, (d, own, mine) in enumerate(zip(pool, self.per_doc, self.spare_keys, strict=True)):
            # kept in some document, and not only in this one (a line it kept twice, dropped once)
            kept = _kept_elsewhere(mine, own, keys, counts).tolist() if len(mine) else []
            # the lines themselves are read back only for a document that may get one
            spare = self.spares.lines(d) if any(kept) else []
            d.spare = []
            back = []
            for (pos, text), k, ok in zip(spare, mine.tolist(), kept, strict=True) if spare else ():
                if not ok:
                    continue
                if len(text.split()) >= MIN_WORDS or _kept_by_a_copy(n, self.holders.get(k, ()), pool, sigs):
                    back.append((pos, text))
            if back:
                text = self.store.read(d)
                text = _merge(text.split("\n\n") if text else [], back)
                self.store.rewrite(d, text)  # a rejected document's text is in the document
                d.metadata["restored"] = {"paragraphs": len(back), "reason": REASON}
            if d.rejected:
                if back and len(d.text.split()) >= self.config.min_words and _revive(d, self.config):
                    self.revived.append(d)
                else:
                    d.text = ""
                continue
            if back:
                yield d.source, text, True


def _kept_elsewhere(mine: np.ndarray, own: np.ndarray, keys: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Which spare line keys ``mine`` some document kept (``keys``, sorted, held ``counts`` times),
    not counting the document's own kept paragraphs (``own``, sorted)."""
    if not len(keys):
        return np.zeros(len(mine), dtype=bool)
    at = np.minimum(np.searchsorted(keys, mine), len(keys) - 1)
    at_own = np.minimum(np.searchsorted(own, mine), max(len(own) - 1, 0))
    in_own = own[at_own] == mine if len(own) else np.zeros(len(mine), dtype=bool)
    return (keys[at] == mine) & (counts[at] > in_own)


def _short_holders(
    pool: list[Document], per_doc: list[np.ndarray], spares: Spares
) -> tuple[list[np.ndarray], dict[int, list[int]], int]:
    """The keys of each document's spare lines (made once: the pass looks them up again); for the
    key of every short spare line, the documents (indices into ``pool``) that kept it; and how many
    documents have spare lines."""
    found: set[int] = set()
    with_spare = 0
    spare_keys = []
    for d in pool:
        spare = spares.lines(d)
        mine = np.fromiter((_key(t) for _, t in spare), np.uint64, count=len(spare))
        spare_keys.append(mine)
        with_spare += bool(spare)
        found.update(mine[[len(t.split()) < MIN_WORDS for _, t in spare]].tolist() if spare else ())
    short = np.array(sorted(found), dtype=np.uint64)
    holders: dict[int, list[int]] = {}
    if len(short) and per_doc:
        # every document's kept keys at once: one ``isin``, not one per document
        flat = np.concatenate(per_doc)
        owner = np.repeat(np.arange(len(per_doc)), [len(own) for own in per_doc])
        hit = np.isin(flat, short)
        for k, j in zip(flat[hit].tolist(), owner[hit].tolist(), strict=True):
            holders.setdefault(k, []).append(j)
    return spare_keys, holders, with_spare


def _kept_by_a_copy(
    n: int, holders: Iterable[int], pool: list[Document], sigs: dict[str, dedup.Signature]
) -> bool:
    """Is a short line of ``pool[n]`` kept by another document that is a copy of it (``SAME_STORY``)?"""
    holders = [j for j in holders if j != n]
    mine = sigs.get(pool[n].source)
    if mine is None or not holders or len(holders) > SHORT_MAX_HOLDERS:
        return False
    for j in holders:
        other = sigs.get(pool[j].source)
        if other is not None and dedup.similarity(mine, other)[1] >= SAME_STORY:
            return True
    return False


def _merge(paras: list[str], back: list[tuple[int, str]]) -> str:
    """Kept paragraphs with the given-back lines put where they stood (``back`` in input order)."""
    merged: list[str] = []
    j = 0
    for i in range(len(paras) + 1):
        while j < len(back) and back[j][0] <= i:
            merged.append(back[j][1])
            j += 1
        if i < len(paras):
            merged.append(paras[i])
    return "\n\n".join(merged)


def _revive(doc: Document, config: Config) -> bool:
    """Un-reject ``doc`` and detect its language again (it may now fail ``--lang``)."""
    reason, doc.rejected = doc.rejected, None
    language(doc, config.langs)
    if doc.rejected:
        return False
    doc.metadata["restored"]["was_rejected"] = reason
    return True
