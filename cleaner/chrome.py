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

from collections import defaultdict

import xxhash

from . import dedup
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


def _key(paragraph: str) -> int | None:
    words = dedup.normalise(paragraph)
    return xxhash.xxh64_intdigest(" ".join(words).encode("utf-8")) if words else None


def _stories(holders: list[int], sigs: list[dedup.Signature], need: int, same: float) -> int:
    """How many different stories ``holders`` (document indices) cover, counting up to ``need``."""
    reps: list[int] = []
    for i in holders:
        if all(dedup.similarity(sigs[i], sigs[r])[1] < same for r in reps):
            reps.append(i)
            if len(reps) >= need:
                break
    return len(reps)


def remove_chrome(docs: list[Document], sigs: dict[str, dedup.Signature], config: Config) -> int:
    """Strip cross-document chrome paragraphs from ``docs`` in place; return how many were removed.

    Changed documents get a new signature in ``sigs`` and ``metadata["chrome_removed"]`` (the number
    of paragraphs and why). A document left with fewer than ``config.min_words`` words is rejected
    (its whole body was site template). The result does not depend on the order of ``docs``.
    """
    # content order, not name order: which documents stand for a story must not depend on file names
    ordered = sorted(
        (d for d in docs if d.source in sigs), key=lambda d: (dedup.content_key(sigs[d.source]), d.source)
    )
    removed_total = 0
    # a paragraph's key does not change when other paragraphs go: keys are made once, not per round
    paras = [d.text.split("\n\n") for d in ordered]
    keys = [[_key(p) for p in ps] for ps in paras]
    for same in SAME_STORY_CONTAINMENT:
        holders: dict[int, list[int]] = defaultdict(list)
        for i, ks in enumerate(keys):
            for k in sorted({k for k in ks if k is not None}):
                holders[k].append(i)
        current = [sigs[d.source] for d in ordered]
        chrome = {
            k
            for k, hs in holders.items()
            if len(hs) >= MIN_STORIES and _stories(hs, current, MIN_STORIES, same) >= MIN_STORIES
        }
        if not chrome:
            continue
        for i, d in enumerate(ordered):
            drop = [j for j, k in enumerate(keys[i]) if k in chrome]
            if not drop:
                continue
            lost = sum(len(paras[i][j].split()) for j in drop)
            if lost > MAX_SHARE * len(d.text.split()):
                continue
            gone = set(drop)
            kept = [p for j, p in enumerate(paras[i]) if j not in gone]
            paras[i] = kept
            keys[i] = [k for j, k in enumerate(keys[i]) if j not in gone]
            d.text = "\n\n".join(kept)
            info = d.metadata.setdefault(
                "chrome_removed",
                {
                    "paragraphs": 0,
                    "reason": f"line repeated in documents of {MIN_STORIES}+ different stories (site chrome)",
                },
            )
            info["paragraphs"] += len(drop)
            removed_total += len(drop)
            words = len(d.text.split())
            if words < config.min_words:
                d.reject(f"only site chrome: {words} words left after removing lines repeated across stories")
                sigs.pop(d.source, None)
            else:
                sigs[d.source] = dedup.signature(d.text, config.shingle_size, config.num_perm, config.seed)
        alive = [i for i, d in enumerate(ordered) if not d.rejected]
        ordered = [ordered[i] for i in alive]
        paras = [paras[i] for i in alive]
        keys = [keys[i] for i in alive]
    return removed_total
