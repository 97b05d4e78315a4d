"""The batch's word pairs: which of two versions of a passage reads as the rest of the batch."""

from __future__ import annotations

import numpy as np

from cleaner import wordpairs
from cleaner.dedup import normalise


def table(*texts: str) -> wordpairs.WordPairs:
    pairs = wordpairs.WordPairs()
    for t in texts:
        pairs.add(wordpairs.slots(normalise(t)))
    return pairs


def test_a_changed_word_makes_pairs_no_other_text_uses():
    pairs = table(
        "The anaesthesia started to wear off before noon.",
        "Its effect began to wear off within the hour, she said.",
    )
    reads = pairs.reading([])
    assert reads(["to", "wear", "off", "within"]) == 1.0
    assert reads(["to", "wear", "plan", "within"]) == 1 / 3  # "to wear" only
    assert reads(["wear"]) == 0.0  # no pair at all


def test_the_compared_documents_own_pairs_prove_nothing():
    """A pair only the copies being compared hold is not the batch's language: a document counts for
    a pair once however often it repeats it, and the group's own documents are taken off."""
    original = "the mayor said the bridge will close, the mayor said"
    other = "the mayor said nothing"
    pairs = table(original, other)
    assert pairs.reading([])(["mayor", "said"]) == 1.0
    assert pairs.reading([normalise(original)])(["mayor", "said"]) == 1.0  # the other text holds it too
    assert pairs.reading([normalise(original), normalise(other)])(["mayor", "said"]) == 0.0
    assert pairs.reading([normalise(original)])(["bridge", "will"]) == 0.0


def test_counts_saturate_instead_of_wrapping_around():
    pairs = wordpairs.WordPairs()
    found = wordpairs.slots(["good", "morning"])
    for _ in range(300):
        pairs.add(found)
    assert pairs.counts[found].tolist() == [255]
    assert pairs.reading([["good", "morning"]])(["good", "morning"]) == 1.0


def test_slots_are_unique_and_sorted_and_within_the_table():
    found = wordpairs.slots("a b a b a b c".split())
    assert len(found) == 3  # "a b", "b a", "b c"
    assert np.all(np.diff(found.astype(np.int64)) > 0)
    assert int(found.max()) < 1 << wordpairs.BITS
    assert len(wordpairs.slots(["alone"])) == 0
