"""Give back story lines that the cleaner dropped in one copy of a story but kept in another.

The block classifier judges each page on its own, so copies of one story under different page chrome
are cleaned differently: a paragraph kept in one copy is dropped as "not-story" in another whose
chrome looks more like prose. Copies that lost different parts no longer contain each other, and the
grouping misses them. Across the run there is better evidence: a line that the classifier *kept*
in another document is story text somewhere. Such a line, dropped here by the classifier's score
(never by a phrase rule: paywall, promo, related list...), is given back, so copies end up with the
same text. A line that is really chrome and was kept by mistake elsewhere comes back in every
document of that chrome, where the cross-document chrome pass (``chrome.py``, run right after this)
finds it in several stories and takes it out again.

Workers keep only the candidate lines (``spare_lines``): classifier drops of at least ``MIN_WORDS``
words, with their place among the kept paragraphs. The result does not depend on input order.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import xxhash

from . import dedup
from .config import Config
from .document import Decision, Document

#: drops made by the block classifier's score; phrase rules (paywall, promo, ...) stay final
MODEL_REASONS = frozenset({"before-story", "after-story", "not-story"})
#: shorter lines (menu items, labels) are too common across unrelated pages to count as evidence
MIN_WORDS = 8


def _key(paragraph: str) -> int:
    """The paragraph up to case, quotes, punctuation and spacing (as the chrome pass compares lines)."""
    return xxhash.xxh64_intdigest(" ".join(dedup.normalise(paragraph)).encode("utf-8"))


def spare_lines(decisions: Iterable[Decision]) -> list[tuple[int, str]]:
    """Lines the classifier dropped that may be given back: ``(kept paragraphs before it, text)``."""
    spare: list[tuple[int, str]] = []
    kept = 0
    for d in decisions:
        if d.keep:
            kept += 1
        elif d.reason in MODEL_REASONS and len(d.text.split()) >= MIN_WORDS:
            spare.append((kept, d.text))
    return spare


def restore(docs: list[Document], sigs: dict[str, dedup.Signature], config: Config) -> int:
    """Give each document back its spare lines that another document kept; return how many.

    Changed documents get a new signature and ``metadata["restored"]``. Every document's ``spare``
    list is emptied (it is not needed after this pass).
    """
    per_doc = [np.unique(np.fromiter(map(_key, d.text.split("\n\n")), np.uint64)) for d in docs]
    if not per_doc:
        return 0
    keys, counts = np.unique(np.concatenate(per_doc), return_counts=True)
    total = 0
    for d, own in zip(docs, per_doc, strict=True):
        spare, d.spare = d.spare, []
        if not spare or d.source not in sigs:
            continue
        back = []
        for pos, text in spare:
            k = np.uint64(_key(text))
            i = int(np.searchsorted(keys, k))
            found = i < len(keys) and keys[i] == k
            # kept in some document, and not only in this one (a line it kept twice, dropped once)
            if found and counts[i] > (1 if k in own else 0):
                back.append((pos, text))
        if not back:
            continue
        paras = d.text.split("\n\n")
        merged: list[str] = []
        j = 0
        for i, p in enumerate(paras + [None]):  # type: ignore[list-item]
            while j < len(back) and back[j][0] <= i:
                merged.append(back[j][1])
                j += 1
            if p is not None:
                merged.append(p)
        d.text = "\n\n".join(merged)
        d.metadata["restored"] = {
            "paragraphs": len(back),
            "reason": "dropped by the classifier here, kept as story in another document of the run",
        }
        sigs[d.source] = dedup.signature(d.text, config.shingle_size, config.num_perm, config.seed)
        total += len(back)
    return total
