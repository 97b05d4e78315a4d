"""Signatures: the numpy MinHash equals datasketch's, and shingle hashes are the documented ones."""

from __future__ import annotations

import subprocess
import sys

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


def test_permutations_come_from_datasketch_without_importing_its_package():
    """The shortcut loads only ``datasketch.minhash``: no scipy, nothing left in ``sys.modules``, and
    the permutations are the ones of ``datasketch.MinHash`` imported normally afterwards."""
    code = (
        "import sys\n"
        "from cleaner import dedup\n"
        "a, b = dedup._permutations(64, 42)\n"
        "assert 'scipy' not in sys.modules, 'scipy imported'\n"
        "assert not [m for m in sys.modules if m.startswith('datasketch')], 'datasketch left in sys.modules'\n"
        "import datasketch\n"
        "ref = datasketch.MinHash(num_perm=64, seed=42, scheme='affine32').permutations\n"
        "assert (a == ref[0]).all() and (b == ref[1]).all(), 'permutations differ'\n"
        "assert datasketch.minhash.MinHash is datasketch.MinHash\n"
        "assert dedup.datasketch_version() == datasketch.__version__\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_permutations_use_datasketch_when_it_is_imported():
    a, b = dedup._permutations.__wrapped__(32, 3)
    ref = datasketch.MinHash(num_perm=32, seed=3, scheme=dedup.SCHEME).permutations
    assert np.array_equal(a, ref[0]) and np.array_equal(b, ref[1])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 50, 4000])
def test_sorted_unique_is_np_unique(n):
    rng = np.random.default_rng(n)
    for high in (3, 2**32):  # many repeats, few repeats
        values = rng.integers(0, high, size=n, dtype=np.uint64).astype(np.uint32)
        got = dedup._sorted_unique(values.copy())
        assert got.dtype == np.uint32 and np.array_equal(got, np.unique(values))
