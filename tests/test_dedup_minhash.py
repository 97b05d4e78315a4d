"""Signatures: the numpy MinHash equals datasketch's, and shingle hashes are the documented ones."""

from __future__ import annotations

import datasketch
import numpy as np
import pytest
import xxhash

from cleaner import dedup


@pytest.mark.parametrize("n", [0, 1, 7, 5000, 9000])
@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 42)])
def test_minhash_is_identical_to_datasketch(n, num_perm, seed):
    rng = np.random.default_rng(n + seed)
    hashes = rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)
    ref = datasketch.MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda v: v, scheme=dedup.SCHEME)
    ref.update_batch(hashes.tolist())
    got = dedup.minhash(hashes, num_perm, seed)
    assert got.dtype == np.uint32
    assert np.array_equal(got, ref.hashvalues)


def test_shingle_hashes_are_xxh32_of_joined_word_grams():
    words = "the council voted on monday to close the old bridge the council voted".split()
    grams = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    expected = np.array(sorted(xxhash.xxh32_intdigest(g.encode("utf-8")) for g in grams), dtype=np.uint32)
    assert np.array_equal(dedup.shingle_hashes(words, 3), expected)
    short = dedup.shingle_hashes(["één", "woord"], 5)
    assert short.tolist() == [xxhash.xxh32_intdigest("één woord".encode())]
    assert len(dedup.shingle_hashes([], 5)) == 0


def test_signature_matches_datasketch_on_text():
    text = "Ein Stadtrat stimmte am Montag dafür, die alte Brücke für den gesamten Verkehr zu sperren. " * 3
    sig = dedup.signature(text, 5, 128, 1)
    ref = datasketch.MinHash(num_perm=128, seed=1, hashfunc=lambda v: v, scheme=dedup.SCHEME)
    ref.update_batch(sig.shingles.tolist())
    assert np.array_equal(sig.hashvalues, ref.hashvalues)
    assert sig.words == len(dedup.normalise(text))
